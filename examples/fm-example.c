/* SPDX-License-Identifier: MIT */
/*
 * fm-example: the smallest useful Fabric Manager on libcxlfm.
 *
 *   fm-example BUS_SOCKET
 *
 * Connects to a cxl-emu I2C bus as bus controller, discovers the MCTP
 * endpoints (giving each an EID), identifies them, and for every type-3
 * device with dynamic capacity prints its DC regions and how many extents
 * the host holds. Built against the installed API only:
 *
 *   cc fm-example.c $(pkg-config --cflags --libs libcxlfm) -o fm-example
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <cxlfm/cxlfm.h>
#include <cxlfm/fmapi.h>

static int show_dcd(struct cxlfm_ep *ep)
{
	struct cxlfm_get_dcd_info_rsp info;
	struct cxlfm_get_host_dc_region_config_rsp cfg;
	struct cxlfm_get_dc_region_extent_lists_req lreq = { .extent_count = 0 };
	static struct cxlfm_get_dc_region_extent_lists_rsp list;
	int rc;

	rc = cxlfm_cmd_get_dcd_info(ep, NULL, &info);
	if (rc == CXLFM_RC_UNSUPPORTED) {
		printf("    no dynamic capacity\n");
		return 0;
	}
	if (rc) {
		fprintf(stderr, "Get DCD Info: %s\n", cxlfm_rc_str(rc));
		return -1;
	}
	printf("    DCD: %u region(s), %" PRIu64 " MiB dynamic capacity\n", info.num_regions,
	       info.total_capacity >> 20);

	rc = cxlfm_cmd_get_host_dc_region_config(ep, NULL,
		&(struct cxlfm_get_host_dc_region_config_req){ .region_count = 8 }, &cfg);
	if (rc) {
		fprintf(stderr, "Get Host DC Region Configuration: %s\n", cxlfm_rc_str(rc));
		return -1;
	}
	for (unsigned i = 0; i < cfg.regions_returned; i++)
		printf("    region %u: DPA 0x%" PRIx64 ", %" PRIu64 " MiB, block %" PRIu64
		       " KiB\n", i, cfg.regions[i].base, cfg.regions[i].length >> 20,
		       cfg.regions[i].block_size >> 10);

	/* Asking for 0 extents still returns the totals. */
	rc = cxlfm_cmd_get_dc_region_extent_lists(ep, NULL, &lreq, &list);
	if (rc) {
		fprintf(stderr, "Get DC Region Extent Lists: %s\n", cxlfm_rc_str(rc));
		return -1;
	}
	printf("    extents accepted by the host: %u (generation %u)\n", list.total,
	       list.generation);
	return 0;
}

int main(int argc, char **argv)
{
	struct cxlfm_ctx *ctx;
	int n, rc, status = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s BUS_SOCKET\n", argv[0]);
		return 2;
	}
	rc = cxlfm_open(argv[1], NULL, &ctx);
	if (rc) {
		fprintf(stderr, "%s: %s\n", argv[1], cxlfm_rc_str(rc));
		return 1;
	}
	n = cxlfm_discover(ctx);
	if (n < 0) {
		fprintf(stderr, "discovery: %s\n", cxlfm_rc_str(n));
		cxlfm_close(ctx);
		return 1;
	}
	printf("%d endpoint(s) on %s\n", n, argv[1]);
	for (int i = 0; i < n; i++) {
		struct cxlfm_ep *ep = cxlfm_ep_at(ctx, (size_t)i);
		struct cxlfm_identify_rsp id;

		printf("  address 0x%02x, EID %u: ", cxlfm_ep_addr(ep), cxlfm_ep_eid(ep));
		rc = cxlfm_cmd_identify(ep, NULL, &id);
		if (rc) {
			printf("Identify failed: %s\n", cxlfm_rc_str(rc));
			status = 1;
			continue;
		}
		printf("%s, vendor %04x device %04x, serial %" PRIu64 "\n",
		       id.component_type == CXLFM_COMPONENT_SWITCH ? "switch" :
		       id.component_type == CXLFM_COMPONENT_TYPE3 ? "type-3 device" : "component",
		       id.vendor_id, id.device_id, id.serial);
		if (id.component_type == CXLFM_COMPONENT_TYPE3 && show_dcd(ep))
			status = 1;
	}
	cxlfm_close(ctx);
	return status;
}
