/* SPDX-License-Identifier: MIT */
/*
 * One emulated PCIe configuration space (PCIe r6.0 §7.5, 4 KiB): the bytes,
 * which bits software may write (a write mask per byte) and which bits a
 * written 1 clears (RW1C status bits), and builders for the capability lists
 * (PCI capabilities from 34h, extended capabilities from 100h) and for the
 * CXL DVSECs (CXL r3.1 §8.1, Designated Vendor-Specific Extended Capability
 * with the CXL vendor ID 1E98h). Pure data: the owner refreshes what its
 * state decides (link status, presence) before an access and reacts to
 * writes (pcicfg_write() reports which bytes changed).
 *
 * Accesses are one dword with byte enables, as a configuration request TLP
 * carries them (PCIe r6.0 §2.2.7: First DW Byte Enables, Length 1).
 */
#ifndef CXLFM_DEV_PCICFG_H
#define CXLFM_DEV_PCICFG_H

#include <stdbool.h>
#include <stdint.h>

#define PCICFG_SIZE 4096u

/* Header fields (PCIe r6.0 §7.5.1). */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_REVISION 0x08
#define PCI_CLASS_PROG 0x09
#define PCI_CACHE_LINE 0x0c
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_CAP_PTR 0x34
#define PCI_INT_LINE 0x3c
#define PCI_INT_PIN 0x3d
/* Type 0 (endpoint) */
#define PCI_SUBSYS_VENDOR 0x2c
#define PCI_SUBSYS_ID 0x2e
/* Type 1 (bridge) */
#define PCI_PRIMARY_BUS 0x18
#define PCI_IO_BASE 0x1c
#define PCI_SEC_STATUS 0x1e
#define PCI_MEM_BASE 0x20
#define PCI_PREF_BASE 0x24
#define PCI_PREF_BASE_UPPER 0x28
#define PCI_PREF_LIMIT_UPPER 0x2c
#define PCI_IO_BASE_UPPER 0x30
#define PCI_BRIDGE_CONTROL 0x3e

#define PCI_CMD_IO 0x0001
#define PCI_CMD_MEMORY 0x0002     /* Memory Space Enable */
#define PCI_CMD_MASTER 0x0004
#define PCI_CMD_PARITY 0x0040
#define PCI_CMD_SERR 0x0100
#define PCI_CMD_INTX_DISABLE 0x0400
#define PCI_STATUS_CAP_LIST 0x0010
/* Status bits software clears by writing 1 (PCIe r6.0 §7.5.1.1.4). */
#define PCI_STATUS_W1C 0xf900

/* Capability IDs (PCI Code and ID Assignment). */
#define PCI_CAP_ID_EXP 0x10
#define PCI_EXT_CAP_ID_DSN 0x0003
#define PCI_EXT_CAP_ID_DVSEC 0x0023

/* PCI Express Capability (PCIe r6.0 §7.5.3), offsets from its start. */
#define PCI_EXP_FLAGS 0x02
#define PCI_EXP_DEVCAP 0x04
#define PCI_EXP_DEVCTL 0x08
#define PCI_EXP_DEVSTA 0x0a
#define PCI_EXP_LNKCAP 0x0c
#define PCI_EXP_LNKCTL 0x10
#define PCI_EXP_LNKSTA 0x12
#define PCI_EXP_SLTCAP 0x14
#define PCI_EXP_SLTCTL 0x18
#define PCI_EXP_SLTSTA 0x1a
#define PCI_EXP_DEVCAP2 0x24
#define PCI_EXP_DEVCTL2 0x28
#define PCI_EXP_LNKCAP2 0x2c
#define PCI_EXP_LNKCTL2 0x30
#define PCI_EXP_LNKSTA2 0x32
#define PCI_EXP_SIZE 0x3c
#define PCI_EXP_TYPE_ENDPOINT 0x0
#define PCI_EXP_TYPE_UPSTREAM 0x5
#define PCI_EXP_TYPE_DOWNSTREAM 0x6
#define PCI_EXP_FLAGS_SLOT 0x0100      /* Slot Implemented */
#define PCI_EXP_LNKCAP_DLLLARC (1u << 20) /* DLL Link Active Reporting Capable */
#define PCI_EXP_LNKCTL_LD 0x0010       /* Link Disable */
#define PCI_EXP_LNKCTL_RL 0x0020       /* Retrain Link (reads 0) */
#define PCI_EXP_LNKSTA_DLLLA 0x2000    /* Data Link Layer Link Active */
#define PCI_EXP_LNKSTA_W1C 0xc000      /* bandwidth management / autonomous status */
#define PCI_EXP_SLTCAP_HPC 0x0040      /* Hot-Plug Capable */
#define PCI_EXP_SLTSTA_PDC 0x0008      /* Presence Detect Changed */
#define PCI_EXP_SLTSTA_PDS 0x0040      /* Presence Detect State */
#define PCI_EXP_SLTSTA_DLLSC 0x0100    /* Data Link Layer State Changed */
#define PCI_EXP_SLTSTA_W1C 0x011f
#define PCI_EXP_LNKSTA2_FLIT 0x0400    /* Flit Mode Status (PCIe r6.0 §7.5.3.20) */

/* CXL DVSECs (CXL r3.1 Table 8-2), vendor ID 1E98h. */
#define CXL_DVSEC_VENDOR 0x1e98
#define CXL_DVSEC_DEVICE 0x0000        /* PCIe DVSEC for CXL Devices, §8.1.3 */
#define CXL_DVSEC_PORT_EXT 0x0003      /* CXL Extensions DVSEC for Ports, §8.1.5 */
#define CXL_DVSEC_PORT_GPF 0x0004      /* GPF DVSEC for CXL Port, §8.1.6 */
#define CXL_DVSEC_DEVICE_GPF 0x0005    /* GPF DVSEC for CXL Device, §8.1.7 */
#define CXL_DVSEC_FLEXBUS 0x0007       /* PCIe DVSEC for Flex Bus Port, §8.1.8 */
#define CXL_DVSEC_REG_LOC 0x0008       /* Register Locator DVSEC, §8.1.9 */
#define CXL_DVSEC_MLD 0x0009           /* MLD DVSEC, §8.1.10 */
#define DVSEC_HDR_LEN 0x0a             /* ext cap header + DVSEC headers 1 and 2 */

struct pcicfg {
	uint8_t data[PCICFG_SIZE];
	uint8_t wmask[PCICFG_SIZE]; /* bits a configuration write may change */
	uint8_t w1c[PCICFG_SIZE];   /* bits a configuration write of 1 clears */
	uint8_t cap_last;           /* last PCI capability, 0: none yet */
	uint16_t ext_last;          /* last extended capability, 0: none yet */
};

/* Everything zero: no capabilities, nothing writable. */
void pcicfg_init(struct pcicfg *c);

/* The model's own accesses (no masks): off + size within the space. */
uint8_t pcicfg_get8(const struct pcicfg *c, unsigned off);
uint16_t pcicfg_get16(const struct pcicfg *c, unsigned off);
uint32_t pcicfg_get32(const struct pcicfg *c, unsigned off);
void pcicfg_set8(struct pcicfg *c, unsigned off, uint8_t v);
void pcicfg_set16(struct pcicfg *c, unsigned off, uint16_t v);
void pcicfg_set32(struct pcicfg *c, unsigned off, uint32_t v);
/* Set or clear bits of a 16-bit register the model owns. */
void pcicfg_bits16(struct pcicfg *c, unsigned off, uint16_t bits, bool on);

/* Writable and write-1-to-clear bits of registers. */
void pcicfg_wmask16(struct pcicfg *c, unsigned off, uint16_t mask);
void pcicfg_wmask32(struct pcicfg *c, unsigned off, uint32_t mask);
void pcicfg_w1c16(struct pcicfg *c, unsigned off, uint16_t mask);
void pcicfg_w1c32(struct pcicfg *c, unsigned off, uint32_t mask);

/*
 * Append a PCI capability (id) at off (40h..FCh, dword aligned) to the list
 * from Capabilities Pointer 34h, and set Status.Capabilities List. Returns off.
 */
unsigned pcicfg_add_cap(struct pcicfg *c, unsigned off, uint8_t id);
/*
 * Append an extended capability (id, version) at off (100h.., dword aligned)
 * to the list from 100h. Returns off.
 */
unsigned pcicfg_add_ext_cap(struct pcicfg *c, unsigned off, uint16_t id, uint8_t ver);
/*
 * Append a CXL DVSEC (CXL r3.1 §8.1.1: DVSEC Vendor ID 1E98h, revision, length
 * in bytes, DVSEC ID) at off. Returns off; its registers follow at off + 0Ah.
 */
unsigned pcicfg_add_dvsec(struct pcicfg *c, unsigned off, uint16_t dvsec_id, uint8_t rev,
			  uint16_t len);
/* The first DVSEC with dvsec_id (CXL vendor) on the list, or 0. */
unsigned pcicfg_find_dvsec(const struct pcicfg *c, uint16_t dvsec_id);

/*
 * A 64-bit memory BAR at PCI_BAR0 + 4 * bar (bar even): size a power of two
 * (>= 16); software can write the address bits of both dwords, and reading
 * back after writing all ones gives the size (PCIe r6.0 §7.5.1.2.1).
 */
void pcicfg_bar64(struct pcicfg *c, unsigned bar, uint64_t size, bool prefetch);
/* Its base address now. */
uint64_t pcicfg_bar64_base(const struct pcicfg *c, unsigned bar);

/*
 * One configuration request: the dword at off (dword aligned, < 4 KiB) with
 * first DW byte enables be (bit n: byte n). A read returns the enabled bytes
 * (disabled bytes read 0). A write changes only writable bits of enabled
 * bytes and clears the RW1C bits written as 1; it returns the enables of
 * the bytes whose value changed (for the owner's side effects).
 */
uint32_t pcicfg_read(const struct pcicfg *c, unsigned off, uint8_t be);
uint8_t pcicfg_write(struct pcicfg *c, unsigned off, uint8_t be, uint32_t val);

#endif
