/* SPDX-License-Identifier: MIT */
/*
 * libcxlfm's typed-call response decoders (src/lib/fmapi.c, media.c, memdev.c):
 * any request parameters and any payload either decode or fail with -EBADMSG, without
 * reading past the payload or writing past the response struct (all three
 * are heap copies of exactly their size, so ASan sees any overrun).
 * Input: byte 0 picks the decoder, then its request struct, then the payload.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lib/private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct cxlfm_decoder *d;
	size_t n = 0, plen;
	uint8_t *req, *p, *rsp;
	int rc;

	while (cxlfm_decoder_at(n))
		n++;
	if (size < 1)
		return 0;
	d = cxlfm_decoder_at(data[0] % n);
	data++;
	size--;
	if (size < d->req_size)
		return 0;
	plen = size - d->req_size;
	req = malloc(d->req_size);
	p = malloc(plen ? plen : 1);
	rsp = malloc(d->rsp_size);
	assert(req && p && rsp);
	memcpy(req, data, d->req_size);
	memcpy(p, data + d->req_size, plen);
	rc = d->decode(req, p, plen, rsp);
	assert(rc == 0 || rc == -EBADMSG);
	free(req);
	free(p);
	free(rsp);
	return 0;
}
