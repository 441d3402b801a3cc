/* SPDX-License-Identifier: MIT */
/*
 * Internal to the cxl-emu configuration files (config*.c): the property
 * tables' types, the building context and the helpers the builders share.
 * config.h is the interface; nothing outside src/emu/config*.c includes this.
 */
#ifndef CXLFM_EMU_CONFIG_INT_H
#define CXLFM_EMU_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emu/config.h"
#include "emu/opts.h"

enum ptype {
	P_STR,
	P_BOOL,
	P_U8,
	P_U16,
	P_U32,
	P_U64,
	P_SIZE,
	P_PCIADDR, /* "slot[.fn]" in hex, QEMU's PCI addr property */
	P_LINK_SPEED, /* QEMU's PCIe link speed: 2_5, 5, 8, 16, 32, 64 (GT/s) */
	P_LINK_WIDTH, /* QEMU's PCIe link width: 1, 2, 4, 8, 12, 16, 32 (lanes) */
};

struct pdef {
	const char *name;
	enum ptype type;
	bool required;
	const char *doc;
};

struct drvdef {
	const char *name;
	enum cfg_dev_kind kind;
	const struct pdef *props;
	const char *doc;
	bool pci;
	bool flit_256b;     /* QEMU's x-256b-flit default (ports, type-3) */
	uint8_t speed;      /* QEMU's x-speed default, PCIe encoding (5: 32 GT/s) */
	uint8_t width;      /* QEMU's x-width default, lanes */
};

#define FMW_MAX 16
#define FMW_MAX_TARGETS 16

struct fmw_tmp {
	bool used;
	const char *targets[FMW_MAX_TARGETS];
	const struct opts_item *target_it[FMW_MAX_TARGETS];
	const char *size, *gran;
	const struct opts_item *size_it, *gran_it;
};

struct ctx {
	const struct opts *o;
	struct config *c;
	char *err;
	size_t errlen;
	const struct opts_item *it; /* the option being checked */
	char label[192];
	/* -chardev items, so -mon can find them; used marks QMP ones */
	int *warn_pos, *note_pos;
	int pos;                    /* argv index for lines without x->it */
	const struct opts_item **chardevs;
	bool *chardev_used;
	size_t n_chardevs;
};

struct backenddef {
	const char *name;
	enum cfg_mem_kind kind;
	const struct pdef *props;
	const char *doc;
};

#define CFG_N(a) (sizeof(a) / sizeof((a)[0]))
#define KIND(k) (1u << (k))

/* config_props.c: the tables */
extern const struct drvdef cfg_drivers[];
extern const size_t cfg_n_drivers;
extern const struct backenddef cfg_backends[];
extern const size_t cfg_n_backends;
extern const struct pdef cfg_props_qmp[];

/* config_props.c: checks and typed getters (values checked by cfg_check_props) */
const struct pdef *cfg_find_pdef(const struct pdef *t, const char *name);
const char *cfg_ptype_name(enum ptype t);
const struct drvdef *cfg_find_driver(const char *name);
const struct backenddef *cfg_find_backend(const char *qom_type);
int cfg_parse_pciaddr(const char *s, int *devfn);
/* Link speed as the PCIe Link Capabilities encoding (1 = 2.5 GT/s .. 6 =
 * 64 GT/s), link width in lanes; 0 when not given, -1 when not valid. */
int cfg_link_speed(const char *s);
#define CFG_LINK_SPEEDS 6
extern const char *const cfg_link_speeds[CFG_LINK_SPEEDS]; /* by encoding - 1 */
int cfg_link_width(const char *s);
int cfg_check_props(struct ctx *x, const struct pdef *t, const char *skip,
		    const char *help_hint);
bool cfg_bool(const struct opts_item *it, const char *k, bool def);
uint64_t cfg_u64(const struct opts_item *it, const char *k, uint64_t def, bool *has);
uint64_t cfg_size(const struct opts_item *it, const char *k, uint64_t def);
char *cfg_dup(const struct opts_item *it, const char *k);
/* A copy of the option's properties (kept for qom-get). */
int cfg_copy_props(const struct opts_item *it, struct opts_prop **out, size_t *n);
int cfg_check_id(struct ctx *x, const char *id);

/* config.c: context, errors (-EINVAL with x->err set), warnings and notes */
void cfg_set_item(struct ctx *x, const struct opts_item *it);
int cfg_err(struct ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cfg_warn(struct ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cfg_note(struct ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cfg_push(void *arrp, size_t *n, void *elem);
int cfg_later_definition(const struct ctx *x, const char *id);

/* config_dev.c */
int cfg_build_object(struct ctx *x, const struct opts_item *it);
int cfg_build_device(struct ctx *x, const struct opts_item *it);
int cfg_check_multifunction(struct ctx *x, const struct cfg_device *bus);
void cfg_memdev_free(struct cfg_memdev *m);
void cfg_device_free(struct cfg_device *d);

/* config_machine.c */
int cfg_build_machine(struct ctx *x, struct fmw_tmp *fmw);
int cfg_resolve_fmws(struct ctx *x, struct fmw_tmp *t);
int cfg_build_qmp(struct ctx *x, const struct opts_item *it);
int cfg_build_mon(struct ctx *x, const struct opts_item *it);
void cfg_qmp_free(struct cfg_qmp *q);
void cfg_fmw_free(struct cfg_fmw *f);

#endif
