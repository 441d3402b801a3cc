/* SPDX-License-Identifier: MIT */
/*
 * A type-3 device's generic component commands (CXL r3.1 §8.2.9.1-§8.2.9.6)
 * beyond the base sets of t3.c, on every CCI of the device that may carry
 * them (host mailbox, FM-owned LD over MCTP, each LD's CCI):
 *   - t3_gen.c: Request Abort Background Operation, events and the MCTP
 *     event interrupt policy over MCTP, timestamps over MCTP, the log
 *     commands 0402h-0405h and the Vendor Debug Log they act on;
 *   - t3_fw.c: firmware slots, transfer and activation (0200h-0202h);
 *   - t3_features.c: Get Supported Features, Get / Set Feature (0500h-0502h).
 * Their state is a part of struct t3_dev (t3_priv.h); what must survive a
 * restart lives in the FW and FEATURES sections of the non-volatile state
 * (t3_nv.h).
 */
#ifndef CXLFM_DEV_T3_GEN_H
#define CXLFM_DEV_T3_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/fwpkg.h"

struct cci;
struct t3_dev;

/* ---- firmware (t3_fw.c) ---- */

#define T3_FW_SLOTS 4u            /* CXL r3.1 §8.2.9.3.1: 2 to 4; QEMU has 2 */
#define T3_FW_REV_LEN 16u
#define T3_FW_MAX_SIZE (32u << 20) /* largest package (QEMU CXL_FW_SIZE) */
#define T3_FW_DEFAULT_REV "BWFW VERSION 00" /* slot 1 of a new device, as QEMU's */

struct t3_fw_slot {
	bool valid;
	char rev[T3_FW_REV_LEN + 1];
	uint32_t len;             /* package length */
	uint32_t crc;             /* payload CRC-32 */
};

struct t3_fw {
	struct t3_fw_slot slot[T3_FW_SLOTS];
	uint8_t active;           /* 1..T3_FW_SLOTS */
	uint8_t staged;           /* activated at the next start; 0: none */
	/* A package arriving in parts (Initiate .. End). */
	bool xfer;
	const struct cci *xfer_cci; /* the CCI that initiated it */
	uint64_t xfer_at_ns;      /* when its last part was taken */
	uint32_t xfer_len;        /* bytes taken so far */
	uint32_t last_off, last_len; /* the last part, which may be sent again */
	struct fwpkg_rx rx;       /* the package after every part taken */
	struct fwpkg_rx rx_prev;  /* ... before the last one */
	/* The background operation holding the firmware engine. */
	struct cci *op_cci;       /* NULL: idle */
	uint8_t op_action;        /* transfer action, or OP_ACTIVATE */
	uint8_t op_slot;
	uint32_t op_off, op_len;
	bool op_again;            /* the part is the last one sent again */
	struct fwpkg_rx op_rx;    /* the package once this part is taken */
};

/* ---- features (t3_features.c) ---- */

#define T3_FEAT_COUNT 8u          /* QEMU master's features */
#define T3_FEAT_DATA_MAX 8u       /* largest Set Feature data (ECS: 7 bytes) */

struct t3_features {
	uint8_t cur[T3_FEAT_COUNT][T3_FEAT_DATA_MAX];   /* writable attributes in use */
	uint8_t saved[T3_FEAT_COUNT][T3_FEAT_DATA_MAX]; /* used after a restart */
	bool has_saved[T3_FEAT_COUNT];
	/* A Set Feature in parts (Initiate .. Finish), one at a time per device. */
	bool xfer;
	uint8_t xfer_idx;
	uint16_t xfer_len;
	uint8_t xfer_buf[T3_FEAT_DATA_MAX];
};

/* ---- the rest (t3_gen.c) ---- */

#define T3_DBG_LOG_SIZE 4096u

struct t3_gen {
	uint16_t mctp_ev_policy;  /* Set MCTP Event Interrupt Policy bits */
	char dbg[T3_DBG_LOG_SIZE]; /* Vendor Debug Log: text lines, oldest first */
	size_t dbg_len;
	struct t3_fw fw;
	struct t3_features feat;
};

/*
 * At creation, once every CCI is initialised (t3.c init_ccis): load the
 * state from the non-volatile region and add the command sets to the host
 * mailbox, the FM-owned LD and each LD's CCI. 0 or a negative errno.
 */
int t3_gen_attach(struct t3_dev *dev);
int t3_fw_attach(struct t3_dev *dev);
int t3_features_attach(struct t3_dev *dev);

/* Append a line to the device's Vendor Debug Log (oldest lines go first). */
void t3_dbg(struct t3_dev *dev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The active firmware's revision (Identify Memory Device reports it): 16 bytes, NUL-padded. */
void t3_fw_revision(const struct t3_dev *dev, char out[T3_FW_REV_LEN]);

#endif
