/* SPDX-License-Identifier: MIT */
#include "dev/pcicfg.h"

#include <string.h>

#include "proto/le.h"

void pcicfg_init(struct pcicfg *c)
{
	memset(c, 0, sizeof(*c));
}

uint8_t pcicfg_get8(const struct pcicfg *c, unsigned off)
{
	return c->data[off];
}

uint16_t pcicfg_get16(const struct pcicfg *c, unsigned off)
{
	return le16_get(c->data + off);
}

uint32_t pcicfg_get32(const struct pcicfg *c, unsigned off)
{
	return le32_get(c->data + off);
}

void pcicfg_set8(struct pcicfg *c, unsigned off, uint8_t v)
{
	c->data[off] = v;
}

void pcicfg_set16(struct pcicfg *c, unsigned off, uint16_t v)
{
	le16_put(c->data + off, v);
}

void pcicfg_set32(struct pcicfg *c, unsigned off, uint32_t v)
{
	le32_put(c->data + off, v);
}

void pcicfg_bits16(struct pcicfg *c, unsigned off, uint16_t bits, bool on)
{
	uint16_t v = pcicfg_get16(c, off);

	pcicfg_set16(c, off, (uint16_t)(on ? v | bits : v & ~bits));
}

void pcicfg_wmask16(struct pcicfg *c, unsigned off, uint16_t mask)
{
	le16_put(c->wmask + off, mask);
}

void pcicfg_wmask32(struct pcicfg *c, unsigned off, uint32_t mask)
{
	le32_put(c->wmask + off, mask);
}

void pcicfg_w1c16(struct pcicfg *c, unsigned off, uint16_t mask)
{
	le16_put(c->w1c + off, mask);
}

void pcicfg_w1c32(struct pcicfg *c, unsigned off, uint32_t mask)
{
	le32_put(c->w1c + off, mask);
}

unsigned pcicfg_add_cap(struct pcicfg *c, unsigned off, uint8_t id)
{
	c->data[off] = id;
	c->data[off + 1] = 0;
	if (c->cap_last)
		c->data[c->cap_last + 1] = (uint8_t)off;
	else
		c->data[PCI_CAP_PTR] = (uint8_t)off;
	c->cap_last = (uint8_t)off;
	pcicfg_bits16(c, PCI_STATUS, PCI_STATUS_CAP_LIST, true);
	return off;
}

/* Extended capability header (PCIe r6.0 §7.6.3): ID [15:0], version [19:16],
 * next capability offset [31:20]. */
unsigned pcicfg_add_ext_cap(struct pcicfg *c, unsigned off, uint16_t id, uint8_t ver)
{
	pcicfg_set32(c, off, (uint32_t)id | (uint32_t)(ver & 0xf) << 16);
	if (c->ext_last) {
		uint32_t h = pcicfg_get32(c, c->ext_last);

		pcicfg_set32(c, c->ext_last, (h & 0x000fffffu) | (uint32_t)off << 20);
	}
	c->ext_last = (uint16_t)off;
	return off;
}

/* DVSEC header 1 (CXL r3.1 §8.1.1, PCIe r6.0 §7.9.6.2): vendor [15:0],
 * revision [19:16], length [31:20]; header 2: DVSEC ID [15:0]. */
unsigned pcicfg_add_dvsec(struct pcicfg *c, unsigned off, uint16_t dvsec_id, uint8_t rev,
			  uint16_t len)
{
	pcicfg_add_ext_cap(c, off, PCI_EXT_CAP_ID_DVSEC, 1);
	pcicfg_set32(c, off + 4, (uint32_t)CXL_DVSEC_VENDOR | (uint32_t)(rev & 0xf) << 16 |
				 (uint32_t)(len & 0xfff) << 20);
	pcicfg_set16(c, off + 8, dvsec_id);
	return off;
}

unsigned pcicfg_find_dvsec(const struct pcicfg *c, uint16_t dvsec_id)
{
	unsigned off = 0x100;

	/* At most 4 KiB / 4 headers: a list that loops ends anyway. */
	for (unsigned n = 0; off >= 0x100 && off <= PCICFG_SIZE - 12 && n < 1024; n++) {
		uint32_t h = pcicfg_get32(c, off);

		if ((h & 0xffff) == PCI_EXT_CAP_ID_DVSEC &&
		    pcicfg_get16(c, off + 4) == CXL_DVSEC_VENDOR &&
		    pcicfg_get16(c, off + 8) == dvsec_id)
			return off;
		off = h >> 20;
	}
	return 0;
}

/* Memory BAR (PCIe r6.0 §7.5.1.2.1): bit 0 memory space (0), bits [2:1]
 * type (10b: 64-bit), bit 3 prefetchable; address bits below the size are
 * read-only zero. */
void pcicfg_bar64(struct pcicfg *c, unsigned bar, uint64_t size, bool prefetch)
{
	unsigned off = PCI_BAR0 + 4 * bar;
	uint64_t mask = ~(size - 1);

	pcicfg_set32(c, off, 0x4u | (prefetch ? 0x8u : 0));
	pcicfg_set32(c, off + 4, 0);
	pcicfg_wmask32(c, off, (uint32_t)mask & ~0xfu);
	pcicfg_wmask32(c, off + 4, (uint32_t)(mask >> 32));
}

uint64_t pcicfg_bar64_base(const struct pcicfg *c, unsigned bar)
{
	unsigned off = PCI_BAR0 + 4 * bar;

	return ((uint64_t)pcicfg_get32(c, off + 4) << 32) | (pcicfg_get32(c, off) & ~0xfu);
}

uint32_t pcicfg_read(const struct pcicfg *c, unsigned off, uint8_t be)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < 4; i++)
		if (be & (1u << i))
			v |= (uint32_t)c->data[off + i] << (8 * i);
	return v;
}

uint8_t pcicfg_write(struct pcicfg *c, unsigned off, uint8_t be, uint32_t val)
{
	uint8_t changed = 0;

	for (unsigned i = 0; i < 4; i++) {
		uint8_t b = (uint8_t)(val >> (8 * i)), old = c->data[off + i], now;

		if (!(be & (1u << i)))
			continue;
		now = (uint8_t)((old & ~c->wmask[off + i]) | (b & c->wmask[off + i]));
		now = (uint8_t)(now & ~(b & c->w1c[off + i]));
		c->data[off + i] = now;
		if (now != old)
			changed = (uint8_t)(changed | 1u << i);
	}
	return changed;
}
