/* SPDX-License-Identifier: MIT */
/*
 * The configuration space module: write masks, RW1C bits, byte enables,
 * capability lists and BAR sizing, against values written out from PCIe
 * r6.0 §7.5 and CXL r3.1 §8.1.1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "dev/pcicfg.h"

static struct pcicfg *new_cfg(void)
{
	struct pcicfg *c = malloc(sizeof(*c));

	assert_non_null(c);
	pcicfg_init(c);
	return c;
}

static void test_masks_and_byte_enables(void **state)
{
	struct pcicfg *c = new_cfg();

	(void)state;
	pcicfg_set32(c, 0x00, 0x0d938086u);
	pcicfg_wmask16(c, 0x04, 0x0546);
	pcicfg_w1c16(c, 0x06, 0xf900);
	pcicfg_set16(c, 0x06, 0x8110);
	/* read-only IDs ignore writes; the write reports nothing changed */
	assert_int_equal(pcicfg_write(c, 0x00, 0xf, 0xffffffffu), 0);
	assert_int_equal(pcicfg_read(c, 0x00, 0xf), 0x0d938086u);
	/* byte enables select bytes on reads */
	assert_int_equal(pcicfg_read(c, 0x00, 0x2), 0x00008000u);
	assert_int_equal(pcicfg_read(c, 0x00, 0x0), 0);
	/* only writable bits of enabled bytes change; a 1 clears RW1C bits */
	assert_int_equal(pcicfg_write(c, 0x04, 0x3, 0xffffffffu), 0x3);
	assert_int_equal(pcicfg_read(c, 0x04, 0xf), 0x81100546u);
	assert_int_equal(pcicfg_write(c, 0x04, 0xc, 0x80000000u), 0x8);
	assert_int_equal(pcicfg_read(c, 0x04, 0xf), 0x01100546u);
	/* a 0 leaves an RW1C bit alone, byte 2 was not enabled */
	assert_int_equal(pcicfg_write(c, 0x04, 0x8, 0x0000ffffu), 0);
	assert_int_equal(pcicfg_read(c, 0x04, 0xf), 0x01100546u);
	free(c);
}

static void test_capability_lists(void **state)
{
	struct pcicfg *c = new_cfg();

	(void)state;
	assert_int_equal(pcicfg_add_cap(c, 0x40, 0x01), 0x40);
	assert_int_equal(pcicfg_add_cap(c, 0x90, 0x10), 0x90);
	assert_int_equal(pcicfg_get8(c, 0x34), 0x40);
	assert_int_equal(pcicfg_read(c, 0x40, 0xf), 0x00009001u);
	assert_int_equal(pcicfg_read(c, 0x90, 0xf), 0x00000010u);
	assert_int_equal(pcicfg_get16(c, 0x06) & 0x0010, 0x0010);

	assert_int_equal(pcicfg_add_ext_cap(c, 0x100, 0x0003, 1), 0x100);
	assert_int_equal(pcicfg_add_dvsec(c, 0x10c, 0x0008, 0, 0x24), 0x10c);
	assert_int_equal(pcicfg_add_dvsec(c, 0x130, 0x0009, 2, 0x10), 0x130);
	/* ext cap header: ID, version 1, next offset in bits [31:20] */
	assert_int_equal(pcicfg_read(c, 0x100, 0xf), 0x10c10003u);
	assert_int_equal(pcicfg_read(c, 0x10c, 0xf), 0x13010023u);
	assert_int_equal(pcicfg_read(c, 0x110, 0xf), 0x02401e98u); /* vendor, rev 0, len 24h */
	assert_int_equal(pcicfg_read(c, 0x114, 0xf), 0x00000008u);
	assert_int_equal(pcicfg_read(c, 0x130, 0xf), 0x00010023u);
	assert_int_equal(pcicfg_read(c, 0x134, 0xf), 0x01021e98u);
	assert_int_equal(pcicfg_find_dvsec(c, 0x0009), 0x130);
	assert_int_equal(pcicfg_find_dvsec(c, 0x0008), 0x10c);
	assert_int_equal(pcicfg_find_dvsec(c, 0x0007), 0);
	/* a list that points back at itself ends */
	pcicfg_set32(c, 0x130, 0x13010023u);
	assert_int_equal(pcicfg_find_dvsec(c, 0x0007), 0);
	free(c);
}

static void test_bar64(void **state)
{
	struct pcicfg *c = new_cfg();

	(void)state;
	pcicfg_bar64(c, 0, 0x20000, false);
	pcicfg_bar64(c, 2, 1ull << 33, true);
	assert_int_equal(pcicfg_read(c, 0x10, 0xf), 0x00000004u);
	assert_int_equal(pcicfg_read(c, 0x18, 0xf), 0x0000000cu);
	/* sizing: all ones read back as the size mask */
	pcicfg_write(c, 0x10, 0xf, 0xffffffffu);
	pcicfg_write(c, 0x14, 0xf, 0xffffffffu);
	pcicfg_write(c, 0x18, 0xf, 0xffffffffu);
	pcicfg_write(c, 0x1c, 0xf, 0xffffffffu);
	assert_int_equal(pcicfg_read(c, 0x10, 0xf), 0xfffe0004u);
	assert_int_equal(pcicfg_read(c, 0x14, 0xf), 0xffffffffu);
	assert_int_equal(pcicfg_read(c, 0x18, 0xf), 0x0000000cu);
	assert_int_equal(pcicfg_read(c, 0x1c, 0xf), 0xfffffffeu);
	pcicfg_write(c, 0x10, 0xf, 0x12345678u);
	pcicfg_write(c, 0x14, 0xf, 0x00000002u);
	assert_true(pcicfg_bar64_base(c, 0) == 0x212340000ull);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_masks_and_byte_enables),
		cmocka_unit_test(test_capability_lists),
		cmocka_unit_test(test_bar64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
