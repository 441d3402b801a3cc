/* SPDX-License-Identifier: MIT */
/*
 * The kernel's AF_MCTP user API for the test programs: <linux/mctp.h> when
 * the machine has it, else the same definitions (include/uapi/linux/mctp.h,
 * linux/socket.h) spelled out. Nothing of libcxlfm: the programs that
 * include this are what an unmodified AF_MCTP program is.
 */
#ifndef CXLFM_TESTS_MCTP_UAPI_H
#define CXLFM_TESTS_MCTP_UAPI_H

#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#if defined(__has_include)
#if __has_include(<linux/mctp.h>)
#include <linux/mctp.h>
#define HAVE_LINUX_MCTP_H 1
#endif
#endif
#ifndef HAVE_LINUX_MCTP_H
struct sockaddr_mctp {
	unsigned short smctp_family;
	uint16_t __smctp_pad0;
	unsigned int smctp_network;
	struct {
		uint8_t s_addr;
	} smctp_addr;
	uint8_t smctp_type;
	uint8_t smctp_tag;
	uint8_t __smctp_pad1;
};
struct sockaddr_mctp_ext {
	struct sockaddr_mctp smctp_base;
	int smctp_ifindex;
	uint8_t smctp_halen;
	uint8_t __smctp_pad0[3];
	uint8_t smctp_haddr[32];
};
#define MCTP_NET_ANY 0
#define MCTP_ADDR_ANY 0xff
#define MCTP_TAG_MASK 0x07
#define MCTP_TAG_OWNER 0x08
#define MCTP_TAG_PREALLOC 0x10
#define MCTP_OPT_ADDR_EXT 1
#define SIOCMCTPALLOCTAG (SIOCPROTOPRIVATE + 0)
#endif
#ifndef AF_MCTP
#define AF_MCTP 45
#endif
#ifndef SOL_MCTP
#define SOL_MCTP 285
#endif

#endif
