/* SPDX-License-Identifier: MIT */
#ifndef CXLFM_FUZZ_H
#define CXLFM_FUZZ_H
#ifdef NDEBUG
#error "fuzz targets rely on assert(); build without NDEBUG"
#endif
#include <assert.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#endif
