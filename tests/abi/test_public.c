/* SPDX-License-Identifier: MIT */
/*
 * The public headers alone (built with include/ and nothing of src/ on the
 * include path, linked against the shared library): the log levels are
 * syslog's, the response arrays are sized from the public message limit,
 * and struct cxlfm_opts follows its size rule (cxlfm.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "cxlfm/cxlfm.h"
#include "cxlfm/fmapi.h"
#include "cxlfm/generic.h"
#include "cxlfm/media.h"
#include "cxlfm/memdev.h"

/* A sink can hand levels to syslog() unchanged. */
_Static_assert(CXLFM_LOG_ERR == LOG_ERR, "syslog LOG_ERR");
_Static_assert(CXLFM_LOG_WARNING == LOG_WARNING, "syslog LOG_WARNING");
_Static_assert(CXLFM_LOG_NOTICE == LOG_NOTICE, "syslog LOG_NOTICE");
_Static_assert(CXLFM_LOG_INFO == LOG_INFO, "syslog LOG_INFO");
_Static_assert(CXLFM_LOG_DEBUG == LOG_DEBUG, "syslog LOG_DEBUG");

/* Byte lists hold a whole message's payload: the limit is public. */
_Static_assert(CXLFM_LOG_DATA_MAX >= CXLFM_MSG_SIZE_MAX, "log data");
_Static_assert(CXLFM_LSA_DATA_MAX >= CXLFM_MSG_SIZE_MAX, "LSA data");
_Static_assert(CXLFM_FEATURE_DATA_MAX >= CXLFM_MSG_SIZE_MAX, "feature data");
_Static_assert(CXLFM_MEDIA_ERR_MAX * 16 + 32 >= CXLFM_MSG_SIZE_MAX - 16, "media errors");

_Static_assert(offsetof(struct cxlfm_opts, size) == 0, "size first");

static int failed;

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond); \
			failed = 1;                                          \
		}                                                            \
	} while (0)

/* cxlfm_open_fd on one end of a fresh socket pair; the context is closed. */
static int open_with(const struct cxlfm_opts *o)
{
	struct cxlfm_ctx *ctx;
	int sv[2], rc;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv))
		return -errno;
	rc = cxlfm_open_fd(sv[0], o, &ctx);
	if (rc)
		close(sv[0]);
	else
		cxlfm_close(ctx);
	close(sv[1]);
	return rc;
}

int main(void)
{
	struct cxlfm_opts o;
	struct {
		struct cxlfm_opts o;
		unsigned char newer[16]; /* fields of a later version */
	} big;
	struct cxlfm_ctx *ctx;
	int sv[2];

	CHECK(open_with(NULL) == 0);
	o = CXLFM_OPTS(.timeout_ms = 100);
	CHECK(o.size == sizeof(o));
	CHECK(open_with(&o) == 0);

	/* no size: refused, whatever else is set */
	memset(&o, 0, sizeof(o));
	o.timeout_ms = 100;
	CHECK(open_with(&o) == -EINVAL);

	/* mtu 1 is invalid: seen when size covers it, not read when it does not */
	o = CXLFM_OPTS(.mtu = 1);
	CHECK(open_with(&o) == -EINVAL);
	o.size = offsetof(struct cxlfm_opts, mtu);
	CHECK(open_with(&o) == 0);

	/* a newer caller's longer struct: fine while the unknown part is zero */
	memset(&big, 0, sizeof(big));
	big.o.size = sizeof(big);
	CHECK(open_with(&big.o) == 0);
	big.newer[15] = 1;
	CHECK(open_with(&big.o) == -E2BIG);

	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	CHECK(cxlfm_open_fd(sv[0], NULL, &ctx) == 0);
	CHECK(cxlfm_set_log_level(ctx, CXLFM_LOG_DEBUG) == CXLFM_LOG_INFO);
	CHECK(cxlfm_set_log_level(ctx, CXLFM_LOG_ERR) == CXLFM_LOG_DEBUG);
	CHECK(cxlfm_set_log_level(ctx, CXLFM_LOG_DEBUG + 1) == -EINVAL);
	CHECK(cxlfm_set_log_level(ctx, 0) == -EINVAL);
	cxlfm_close(ctx);
	close(sv[1]);

	if (!failed)
		printf("public headers and cxlfm_opts: ok\n");
	return failed;
}
