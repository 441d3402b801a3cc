/* SPDX-License-Identifier: MIT */
/*
 * CXL.io of a type-3 device's logical devices: the configuration space of
 * each LD's PCIe function (and of the FM-owned LD, LD-ID FFFFh, of an MLD)
 * and the memory space behind their BARs, as a switch reaches them for Send
 * LD CXL.io Configuration / Memory Request (CXL r3.1 §7.6.7.3.2/.3) and a
 * host bound to the LD would see them.
 *
 * Configuration space of an LD function (type 0 header), laid out as QEMU's
 * cxl-type3 (hw/mem/cxl_type3.c ct3_realize/build_dvsecs) where it has one:
 *   00h  IDs 8086h:0D93h (Identify's), class code 050210h (CXL memory
 *        device, CXL r3.1 §8.1.12.1), subsystem 1AF4h:1100h
 *   10h  BAR0/1: 64-bit, 128 KiB, the register BAR: component registers at
 *        0 (CXL.cachemem at 1000h) and CXL device registers at 10000h, as
 *        the Register Locator DVSEC says
 *   18h  BAR2/3: 64-bit prefetchable, the LD's memory window (an LD
 *        function's HDM is not CXL.io memory on real hardware; this window
 *        is how cxl-fmemu lets an FM's 5302h reach the LD's share of the
 *        media, docs/cxl-emu.md). Size: the device's capacity rounded up to
 *        a power of two; byte o of it is byte o of the LD's allocation.
 *        The FM-owned LD has no memory and no window.
 *   80h  PCI Express Capability, endpoint: link capabilities from the
 *        device's x-speed / x-width, link status from the link (mirrored
 *        from the FM-owned LD as CXL r3.1 Table 2-2 says)
 *   100h Device Serial Number (sn), then the DVSECs (CXL r3.1 Table 8-2 for
 *        an LD: 0, 5, 7, 8; for the FMLD: 0, 7, 8, 9): PCIe DVSEC for CXL
 *        Devices (Range 1 = the LD's allocation from Set LD Allocations,
 *        MLD bit set in an MLD), Register Locator, GPF for CXL Device, Flex
 *        Bus Port, and for the FMLD the MLD DVSEC (LD count, LD-ID Hot
 *        Reset Vector: writing bit n returns LD n's function to its reset
 *        state).
 * Writes change the writable bits only (write masks as QEMU's
 * cxl_component_create_dvsec()); DVSEC CXL Lock (RWO) freezes the control
 * and range base registers it covers (CXL r3.1 §8.1.3.6).
 *
 * LD n's memory is the n-th slice of the device's DPA space: LDs laid end
 * to end in LD order, each (range 1 + range 2) x 256 MiB long.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dev/pcicfg.h"
#include "dev/sw.h"
#include "dev/t3_priv.h"
#include "proto/le.h"
#include "util/log.h"

#define GRANULE DCD_CAPACITY_UNIT

/* Layout (offsets in the function's configuration space). */
#define OFF_EXP 0x80u
#define OFF_DSN 0x100u
#define OFF_DVSEC 0x10cu
#define LEN_DEVICE 0x3cu  /* PCIe DVSEC for CXL Devices, revision 3 (CXL r3.1) */
#define LEN_REG_LOC 0x24u /* three register block entries, as QEMU */
#define LEN_GPF 0x10u
#define LEN_FLEXBUS 0x20u /* revision 2 */
#define LEN_MLD 0x10u

/* PCIe DVSEC for CXL Devices registers (CXL r3.1 §8.1.3), from its start. */
#define DEV_CAP 0x0a
#define DEV_CTRL 0x0c
#define DEV_STATUS 0x0e
#define DEV_CTRL2 0x10
#define DEV_STATUS2 0x12
#define DEV_LOCK 0x14
#define DEV_R1_SIZE_HI 0x18
#define DEV_R1_SIZE_LO 0x1c
#define DEV_R1_BASE_HI 0x20
#define DEV_R1_BASE_LO 0x24
#define DEV_R2_BASE_HI 0x30
#define DEV_R2_BASE_LO 0x34
/* Capability: IO, Mem, Mem HW Init Mode, HDM Count 1 (QEMU's 1Eh); bit 13 MLD. */
#define DEV_CAP_BASE 0x001eu
#define DEV_CAP_MLD 0x2000u
/* Range size low: Memory_Info_Valid, Memory_Active, media type and memory
 * class 010b (QEMU's), Memory_Size_Low bits [31:28]. */
#define DEV_RANGE_INFO ((2u << 5) | (2u << 2) | 0x3u)

/* Flex Bus Port DVSEC (CXL r3.1 §8.1.8): cap/ctrl/status bits IO, Mem,
 * 68B Flit and VH, MLD. */
#define FB_CAP 0x0a
#define FB_CTRL 0x0c
#define FB_STATUS 0x0e
#define FB_IO 0x02u
#define FB_MEM 0x04u
#define FB_68B_VH 0x20u
#define FB_MLD 0x40u

/* MLD DVSEC (CXL r3.1 §8.1.10). */
#define MLD_NUM_LD 0x0a
#define MLD_HOT_RESET 0x0c

/* BARs */
#define BAR_REGS 0u
#define BAR_MEM 2u
#define REGS_SIZE 0x20000u
#define REGS_DEVICE 0x10000u /* the CXL device register block in the register BAR */

/* Register Locator entries (CXL r3.1 §8.1.9.1): BIR [2:0], Block ID [15:8]. */
#define RBI_COMPONENT 0x01u
#define RBI_DEVICE 0x03u

struct t3_cxlio {
	struct pcicfg fn[T3_MAX_LD + 1]; /* LDs 0..num_ld-1, then the FMLD */
	bool link_up;
	uint8_t link_speed, link_width;
	bool flit_256b;
};

static bool has_fmld(const struct t3_dev *dev)
{
	return dev->num_ld > 1;
}

/* The function of LD ld (T3_LD_FMLD for the FM-owned LD), or NULL. */
static struct pcicfg *fn_of(struct t3_dev *dev, uint16_t ld)
{
	if (ld == T3_LD_FMLD)
		return has_fmld(dev) ? &dev->cxlio->fn[dev->num_ld] : NULL;
	return ld < dev->num_ld ? &dev->cxlio->fn[ld] : NULL;
}

static uint64_t capacity(const struct t3_dev *dev)
{
	return dev->cfg.vmem_size + dev->cfg.pmem_size +
	       (dev->dcd ? dcd_total_capacity(dev->dcd) : 0);
}

static uint64_t pow2_at_least(uint64_t v)
{
	uint64_t p = GRANULE;

	while (p < v && p < (1ull << 62))
		p <<= 1;
	return p;
}

static uint64_t ld_bytes(const struct t3_dev *dev, unsigned ld)
{
	return (dev->ld_alloc[ld].range1 + dev->ld_alloc[ld].range2) * GRANULE;
}

int t3_ld_dpa(const struct t3_dev *dev, unsigned ld, uint64_t off, uint64_t len,
	      uint64_t *dpa)
{
	uint64_t base = 0, size;

	if (ld >= dev->num_ld)
		return -ENOENT;
	for (unsigned i = 0; i < ld; i++)
		base += ld_bytes(dev, i);
	size = ld_bytes(dev, ld);
	if (off > size || len > size - off)
		return -EFAULT;
	*dpa = base + off;
	return 0;
}

/* ---- building a function's configuration space ------------------------------ */

static void build_header(struct t3_dev *dev, struct pcicfg *c, bool fmld)
{
	pcicfg_set16(c, PCI_VENDOR_ID, T3_VENDOR_ID);
	pcicfg_set16(c, PCI_DEVICE_ID, T3_DEVICE_ID);
	pcicfg_wmask16(c, PCI_COMMAND, PCI_CMD_MEMORY | PCI_CMD_MASTER | PCI_CMD_PARITY |
				       PCI_CMD_SERR | PCI_CMD_INTX_DISABLE);
	pcicfg_w1c16(c, PCI_STATUS, PCI_STATUS_W1C);
	pcicfg_set32(c, PCI_REVISION, 0x05021000u); /* class 05h, sub 02h, prog-if 10h, rev 0 */
	pcicfg_wmask16(c, PCI_CACHE_LINE, 0x00ff);
	pcicfg_bar64(c, BAR_REGS, REGS_SIZE, false);
	if (!fmld)
		pcicfg_bar64(c, BAR_MEM, pow2_at_least(capacity(dev)), true);
	pcicfg_set16(c, PCI_SUBSYS_VENDOR, T3_SUBSYS_VENDOR_ID);
	pcicfg_set16(c, PCI_SUBSYS_ID, T3_SUBSYS_ID);
	pcicfg_wmask16(c, PCI_INT_LINE, 0x00ff); /* no INTx pin: CXL r3.1 §3.1.1 */
}

/* PCI Express Capability of an endpoint (PCIe r6.0 §7.5.3). */
static void build_exp(struct t3_dev *dev, struct pcicfg *c)
{
	unsigned e = pcicfg_add_cap(c, OFF_EXP, PCI_CAP_ID_EXP);
	uint8_t speed = dev->cfg.link_speed ? dev->cfg.link_speed : 5;
	uint8_t width = dev->cfg.link_width ? dev->cfg.link_width : 16;

	pcicfg_set16(c, e + PCI_EXP_FLAGS, 0x0002 | PCI_EXP_TYPE_ENDPOINT << 4);
	/* Max_Payload_Size_Supported 256 B, Role-Based Error Reporting */
	pcicfg_set32(c, e + PCI_EXP_DEVCAP, 0x00008001u);
	pcicfg_set16(c, e + PCI_EXP_DEVCTL, 0x2810); /* relaxed ordering, no snoop, MRRS 512 */
	pcicfg_wmask16(c, e + PCI_EXP_DEVCTL, 0x79ff);
	pcicfg_w1c16(c, e + PCI_EXP_DEVSTA, 0x000f);
	pcicfg_set32(c, e + PCI_EXP_LNKCAP, (uint32_t)speed | (uint32_t)width << 4);
	pcicfg_wmask16(c, e + PCI_EXP_LNKCTL, 0x01c3); /* ASPM, CCC, ext sync, clock PM */
	pcicfg_set32(c, e + PCI_EXP_LNKCAP2, ((1u << speed) - 1u) << 1);
	pcicfg_set16(c, e + PCI_EXP_LNKCTL2, speed);
	pcicfg_wmask16(c, e + PCI_EXP_LNKCTL2, 0x000f);
}

static void build_dvsecs(struct t3_dev *dev, struct pcicfg *c, bool fmld)
{
	unsigned off = OFF_DVSEC, d;
	bool mld = dev->num_ld > 1;
	uint16_t fb = (uint16_t)(FB_IO | FB_MEM | FB_68B_VH | (mld ? FB_MLD : 0));

	d = pcicfg_add_dvsec(c, off, CXL_DVSEC_DEVICE, 3, LEN_DEVICE);
	pcicfg_set16(c, d + DEV_CAP, (uint16_t)(DEV_CAP_BASE | (mld ? DEV_CAP_MLD : 0)));
	pcicfg_set16(c, d + DEV_CTRL, 0x0002); /* IO enable */
	pcicfg_wmask16(c, d + DEV_CTRL, 0x4ffd);
	pcicfg_w1c16(c, d + DEV_STATUS, 0x4000); /* Viral_Status */
	pcicfg_wmask16(c, d + DEV_CTRL2, 0x000f);
	pcicfg_set16(c, d + DEV_STATUS2, 0x0002);
	pcicfg_wmask16(c, d + DEV_LOCK, 0x0001);
	pcicfg_wmask32(c, d + DEV_R1_BASE_HI, 0xffffffffu);
	pcicfg_wmask32(c, d + DEV_R1_BASE_LO, 0xf0000000u);
	pcicfg_wmask32(c, d + DEV_R2_BASE_HI, 0xffffffffu);
	pcicfg_wmask32(c, d + DEV_R2_BASE_LO, 0xf0000000u);
	off += LEN_DEVICE;

	d = pcicfg_add_dvsec(c, off, CXL_DVSEC_REG_LOC, 0, LEN_REG_LOC);
	pcicfg_set32(c, d + 0x0c, BAR_REGS | RBI_COMPONENT << 8);
	pcicfg_set32(c, d + 0x14, BAR_REGS | RBI_DEVICE << 8 | REGS_DEVICE);
	off += LEN_REG_LOC;

	if (!fmld) {
		d = pcicfg_add_dvsec(c, off, CXL_DVSEC_DEVICE_GPF, 0, LEN_GPF);
		pcicfg_set16(c, d + 0x0a, 0x0603); /* GPF phase 2: 3 s, as QEMU */
		pcicfg_wmask16(c, d + 0x0a, 0x0f0f);
		pcicfg_set32(c, d + 0x0c, 0x33);   /* 33h mW, as QEMU */
		pcicfg_wmask32(c, d + 0x0c, 0xffffffffu);
		off += LEN_GPF;
	}

	d = pcicfg_add_dvsec(c, off, CXL_DVSEC_FLEXBUS, 2, LEN_FLEXBUS);
	pcicfg_set16(c, d + FB_CAP, fb);
	pcicfg_set16(c, d + FB_CTRL, fb);
	off += LEN_FLEXBUS;

	if (fmld) {
		d = pcicfg_add_dvsec(c, off, CXL_DVSEC_MLD, 0, LEN_MLD);
		pcicfg_set16(c, d + MLD_NUM_LD, (uint16_t)dev->num_ld);
		pcicfg_wmask16(c, d + MLD_HOT_RESET, (uint16_t)((1u << dev->num_ld) - 1u));
	}
}

static void build_fn(struct t3_dev *dev, struct pcicfg *c, bool fmld)
{
	pcicfg_init(c);
	build_header(dev, c, fmld);
	build_exp(dev, c);
	pcicfg_add_ext_cap(c, OFF_DSN, PCI_EXT_CAP_ID_DSN, 1);
	pcicfg_set32(c, OFF_DSN + 4, (uint32_t)dev->cfg.serial);
	pcicfg_set32(c, OFF_DSN + 8, (uint32_t)(dev->cfg.serial >> 32));
	build_dvsecs(dev, c, fmld);
}

int t3_cxlio_init(struct t3_dev *dev)
{
	dev->cxlio = calloc(1, sizeof(*dev->cxlio));
	if (!dev->cxlio)
		return -ENOMEM;
	/* Until a switch port says otherwise, the link trained at the device's maxima. */
	t3_ld_link(dev, true, dev->cfg.link_speed ? dev->cfg.link_speed : 5,
		   dev->cfg.link_width ? dev->cfg.link_width : 16, dev->cfg.flit_256b);
	for (unsigned i = 0; i < dev->num_ld; i++)
		build_fn(dev, &dev->cxlio->fn[i], false);
	if (has_fmld(dev))
		build_fn(dev, &dev->cxlio->fn[dev->num_ld], true);
	return 0;
}

void t3_cxlio_free(struct t3_dev *dev)
{
	free(dev->cxlio);
	dev->cxlio = NULL;
}

void t3_ld_link(struct t3_dev *dev, bool up, uint8_t speed, uint8_t width, bool flit_256b)
{
	dev->cxlio->link_up = up;
	dev->cxlio->link_speed = speed;
	dev->cxlio->link_width = width;
	dev->cxlio->flit_256b = flit_256b;
}

/* What the device's state decides, written before every access. */
static void refresh(struct t3_dev *dev, struct pcicfg *c, uint16_t ld)
{
	struct t3_cxlio *x = dev->cxlio;
	unsigned d = pcicfg_find_dvsec(c, CXL_DVSEC_DEVICE);
	unsigned fb = pcicfg_find_dvsec(c, CXL_DVSEC_FLEXBUS);
	uint64_t size = ld == T3_LD_FMLD ? 0 : ld_bytes(dev, ld);
	uint16_t neg = 0;

	pcicfg_set16(c, OFF_EXP + PCI_EXP_LNKSTA,
		     (uint16_t)(x->link_up ? x->link_speed | x->link_width << 4 : 0));
	pcicfg_set16(c, OFF_EXP + PCI_EXP_LNKSTA2,
		     x->link_up && x->flit_256b ? PCI_EXP_LNKSTA2_FLIT : 0);
	/* Range 1: the LD's memory now (Set LD Allocations changes it). */
	pcicfg_set32(c, d + DEV_R1_SIZE_HI, (uint32_t)(size >> 32));
	pcicfg_set32(c, d + DEV_R1_SIZE_LO,
		     size ? ((uint32_t)size & 0xf0000000u) | DEV_RANGE_INFO : 0);
	if (x->link_up) /* what the link trained to: the port's side has the same */
		neg = (uint16_t)(pcicfg_get16(c, fb + FB_CAP) & ~(x->flit_256b ? FB_68B_VH : 0u));
	pcicfg_set16(c, fb + FB_STATUS, neg);
}

/* After a write: the DVSEC Lock and the MLD DVSEC's hot reset vector. */
static void after_write(struct t3_dev *dev, struct pcicfg *c, uint16_t ld)
{
	unsigned d = pcicfg_find_dvsec(c, CXL_DVSEC_DEVICE);

	if (pcicfg_get16(c, d + DEV_LOCK) & 1) {
		/* CONFIG_LOCK: Control, Range Base registers and the lock itself RO */
		pcicfg_wmask16(c, d + DEV_CTRL, 0);
		pcicfg_wmask16(c, d + DEV_LOCK, 0);
		pcicfg_wmask32(c, d + DEV_R1_BASE_HI, 0);
		pcicfg_wmask32(c, d + DEV_R1_BASE_LO, 0);
		pcicfg_wmask32(c, d + DEV_R2_BASE_HI, 0);
		pcicfg_wmask32(c, d + DEV_R2_BASE_LO, 0);
	}
	if (ld == T3_LD_FMLD) {
		unsigned m = pcicfg_find_dvsec(c, CXL_DVSEC_MLD);
		uint16_t v = pcicfg_get16(c, m + MLD_HOT_RESET);

		for (unsigned i = 0; i < dev->num_ld; i++) {
			if (!(v & (1u << i)))
				continue;
			build_fn(dev, &dev->cxlio->fn[i], false);
			log_info("dev %s: LD %u hot reset (MLD DVSEC)", dev->id, i);
		}
		pcicfg_set16(c, m + MLD_HOT_RESET, 0);
	}
}

int t3_ld_cfg(struct t3_dev *dev, uint16_t ld, unsigned off, uint8_t be, bool write,
	      uint32_t *val)
{
	struct pcicfg *c = fn_of(dev, ld);

	if (!c)
		return -ENOENT;
	if (off >= PCICFG_SIZE || off % 4)
		return -EINVAL;
	refresh(dev, c, ld);
	if (!write) {
		*val = pcicfg_read(c, off, be & 0xf);
		return 0;
	}
	if (pcicfg_write(c, off, be & 0xf, *val))
		after_write(dev, c, ld);
	return 0;
}

/* ---- memory space ----------------------------------------------------------- */

/* Is [addr, addr + len) inside BAR bar of function c, with Memory Space
 * Enable set? *off gets the offset into the BAR. */
static bool bar_hit(const struct pcicfg *c, unsigned bar, uint64_t addr, size_t len,
		    uint64_t *off)
{
	uint64_t base = pcicfg_bar64_base(c, bar);
	uint64_t mask = ((uint64_t)le32_get(c->wmask + PCI_BAR0 + 4 * bar + 4) << 32) |
			le32_get(c->wmask + PCI_BAR0 + 4 * bar);
	uint64_t size = ~(mask | 0xfu) + 1;

	if (!mask || !(pcicfg_get16(c, PCI_COMMAND) & PCI_CMD_MEMORY) || addr < base ||
	    addr - base > size || len > size - (addr - base))
		return false;
	*off = addr - base;
	return true;
}

/*
 * The register BAR, read-only: component registers (CXL r3.1 §8.2.4) with
 * the CXL Capability Header at 1000h (ID 1, version 1, CXL.cachemem version 1,
 * no capabilities listed), and CXL device registers (§8.2.8) with the Device
 * Capabilities Array (one capability: Memory Device Status, ID 4000h) and
 * the Memory Device Status register (§8.2.8.5.1): media ready, or disabled
 * while a sanitize holds the media (the mailbox is not reachable over MMIO
 * here, so Mailbox Interfaces Ready stays 0).
 */
static uint8_t reg_byte(struct t3_dev *dev, uint64_t off)
{
	uint8_t r[0x28] = { 0 };
	uint64_t status;

	if (off >= 0x1000 && off < 0x1004) {
		le32_put(r, 0x00110001u);
		return r[off - 0x1000];
	}
	if (off < REGS_DEVICE || off >= REGS_DEVICE + sizeof(r))
		return 0;
	le64_put(r, 0x0000000101010000ull);   /* ID 0, version 1, type 1 (memory device), count 1 */
	le32_put(r + 0x10, 0x00014000u);      /* capability 4000h version 1 */
	le32_put(r + 0x14, 0x20);             /* at 20h */
	le32_put(r + 0x18, 8);                /* 8 bytes */
	status = t3_media_disabled(dev) ? 3u << 2 : 1u << 2;
	le64_put(r + 0x20, status);
	return r[off - REGS_DEVICE];
}

int t3_ld_mem(struct t3_dev *dev, uint16_t ld, uint64_t addr, uint8_t *buf, size_t len,
	      bool write, size_t *done)
{
	struct pcicfg *c = fn_of(dev, ld);
	uint64_t off, dpa;

	*done = 0;
	if (!c)
		return -ENOENT;
	if (bar_hit(c, BAR_REGS, addr, len, &off)) {
		for (size_t i = 0; !write && i < len; i++)
			buf[i] = reg_byte(dev, off + i);
		*done = len; /* writes to read-only registers are dropped */
		return 0;
	}
	if (ld == T3_LD_FMLD || !bar_hit(c, BAR_MEM, addr, len, &off) ||
	    t3_ld_dpa(dev, ld, off, len, &dpa))
		return -EFAULT;
	/* In 64-byte lines, so a line the media refuses ends the transfer there. */
	while (*done < len) {
		size_t n = 64 - (size_t)((dpa + *done) % 64);
		int rc;

		if (n > len - *done)
			n = len - *done;
		rc = t3_mem_access(dev, dpa + *done, buf + *done, n, write);
		if (rc) {
			log_info("dev %s LD %u: memory request stops at DPA 0x%llx: %d", dev->id,
				 ld, (unsigned long long)(dpa + *done), rc);
			break;
		}
		*done += n;
	}
	return 0;
}

/* ---- as a switch port reaches them ------------------------------------------ */

static int sw_cfg(void *arg, uint16_t ld, unsigned off, uint8_t be, bool write, uint32_t *val)
{
	return t3_ld_cfg(arg, ld, off, be, write, val);
}

static int sw_mem(void *arg, uint16_t ld, uint64_t addr, uint8_t *buf, size_t len, bool write,
		  size_t *done)
{
	return t3_ld_mem(arg, ld, addr, buf, len, write, done);
}

static void sw_link(void *arg, bool up, uint8_t speed, uint8_t width, bool flit_256b)
{
	t3_ld_link(arg, up, speed, width, flit_256b);
}

const struct sw_ld_ops t3_sw_ld_ops = { sw_cfg, sw_mem, sw_link };
