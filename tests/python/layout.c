/* SPDX-License-Identifier: MIT */
/*
 * Prints, as JSON, the size of every libcxlfm struct the Python binding
 * mirrors with ctypes and the offset of each member: test_layout.py
 * compares them with python/cxlfm/_ffi.py, so the two cannot drift.
 * Built from the public headers only.
 */
#include <stddef.h>
#include <stdio.h>

#include "cxlfm/cxlfm.h"
#include "cxlfm/fmapi.h"

static int first_struct = 1, first_member;

static void begin(const char *name, size_t size)
{
	printf("%s\n \"%s\": {\"size\": %zu, \"members\": {", first_struct ? "{" : ",", name, size);
	first_struct = 0;
	first_member = 1;
}

static void member(const char *name, size_t off)
{
	printf("%s\"%s\": %zu", first_member ? "" : ", ", name, off);
	first_member = 0;
}

static void end(void)
{
	printf("}}");
}

#define S(type) begin(#type, sizeof(struct type))
#define M(type, m) member(#m, offsetof(struct type, m))

int main(void)
{
	S(cxlfm_opts); M(cxlfm_opts, size); M(cxlfm_opts, own_addr); M(cxlfm_opts, own_eid);
	M(cxlfm_opts, timeout_ms); M(cxlfm_opts, mtu); end();
	S(cxlfm_tunnel); M(cxlfm_tunnel, port); M(cxlfm_tunnel, ld); end();
	S(cxlfm_stats); M(cxlfm_stats, requests); M(cxlfm_stats, nacks); end();
	S(cxlfm_identify_rsp); M(cxlfm_identify_rsp, vendor_id); M(cxlfm_identify_rsp, serial);
	M(cxlfm_identify_rsp, max_msg_size_log2); M(cxlfm_identify_rsp, component_type); end();
	S(cxlfm_bg_op_status_rsp); M(cxlfm_bg_op_status_rsp, running);
	M(cxlfm_bg_op_status_rsp, opcode); M(cxlfm_bg_op_status_rsp, vendor_status); end();
	S(cxlfm_dc_extent); M(cxlfm_dc_extent, start_dpa); M(cxlfm_dc_extent, length);
	M(cxlfm_dc_extent, tag); M(cxlfm_dc_extent, shared_seq); end();
	S(cxlfm_dc_range); M(cxlfm_dc_range, length); end();
	S(cxlfm_get_dc_config_req); M(cxlfm_get_dc_config_req, start_region); end();
	S(cxlfm_dc_config_region); M(cxlfm_dc_config_region, block_size);
	M(cxlfm_dc_config_region, dsmad_handle); M(cxlfm_dc_config_region, sanitize_on_release);
	end();
	S(cxlfm_get_dc_config_rsp); M(cxlfm_get_dc_config_rsp, regions);
	M(cxlfm_get_dc_config_rsp, extents_supported); M(cxlfm_get_dc_config_rsp, tags_available);
	end();
	S(cxlfm_get_dc_extent_list_req); M(cxlfm_get_dc_extent_list_req, start_index); end();
	S(cxlfm_get_dc_extent_list_rsp); M(cxlfm_get_dc_extent_list_rsp, generation);
	M(cxlfm_get_dc_extent_list_rsp, extents); end();
	S(cxlfm_identify_switch_device_rsp); M(cxlfm_identify_switch_device_rsp, active_port_mask);
	M(cxlfm_identify_switch_device_rsp, active_vcs_mask);
	M(cxlfm_identify_switch_device_rsp, total_vppbs);
	M(cxlfm_identify_switch_device_rsp, num_hdm_decoders); end();
	S(cxlfm_get_phys_port_state_req); M(cxlfm_get_phys_port_state_req, port_ids); end();
	S(cxlfm_port_info); M(cxlfm_port_info, ltssm_state); M(cxlfm_port_info, link_state_flags);
	M(cxlfm_port_info, supported_ld_count); end();
	S(cxlfm_get_phys_port_state_rsp); M(cxlfm_get_phys_port_state_rsp, ports); end();
	S(cxlfm_phys_port_control_req); M(cxlfm_phys_port_control_req, port_opcode); end();
	S(cxlfm_get_vcs_info_req); M(cxlfm_get_vcs_info_req, vcs_ids); end();
	S(cxlfm_vppb_info); M(cxlfm_vppb_info, ld_id); end();
	S(cxlfm_vcs_info); M(cxlfm_vcs_info, num_entries); M(cxlfm_vcs_info, vppbs); end();
	S(cxlfm_get_vcs_info_rsp); M(cxlfm_get_vcs_info_rsp, vcs); end();
	S(cxlfm_bind_vppb_req); M(cxlfm_bind_vppb_req, port_id); M(cxlfm_bind_vppb_req, ld_id);
	end();
	S(cxlfm_unbind_vppb_req); M(cxlfm_unbind_vppb_req, option); end();
	S(cxlfm_get_ld_info_rsp); M(cxlfm_get_ld_info_rsp, ld_count);
	M(cxlfm_get_ld_info_rsp, qos_telemetry_caps); end();
	S(cxlfm_ld_allocation); M(cxlfm_ld_allocation, range2); end();
	S(cxlfm_get_ld_allocations_req); M(cxlfm_get_ld_allocations_req, ld_list_limit); end();
	S(cxlfm_get_ld_allocations_rsp); M(cxlfm_get_ld_allocations_rsp, num_entries);
	M(cxlfm_get_ld_allocations_rsp, entries); end();
	S(cxlfm_set_ld_allocations_req); M(cxlfm_set_ld_allocations_req, entries); end();
	S(cxlfm_set_ld_allocations_rsp); M(cxlfm_set_ld_allocations_rsp, entries); end();
	S(cxlfm_get_dcd_info_rsp); M(cxlfm_get_dcd_info_rsp, release_policies);
	M(cxlfm_get_dcd_info_rsp, sanitize_mask); M(cxlfm_get_dcd_info_rsp, total_capacity);
	M(cxlfm_get_dcd_info_rsp, block_size_mask); end();
	S(cxlfm_get_host_dc_region_config_req); M(cxlfm_get_host_dc_region_config_req, start_region);
	end();
	S(cxlfm_dc_region); M(cxlfm_dc_region, block_size); M(cxlfm_dc_region, dsmas_flags);
	M(cxlfm_dc_region, sanitize_on_release); end();
	S(cxlfm_get_host_dc_region_config_rsp); M(cxlfm_get_host_dc_region_config_rsp, regions);
	M(cxlfm_get_host_dc_region_config_rsp, extents_supported);
	M(cxlfm_get_host_dc_region_config_rsp, tags_available); end();
	S(cxlfm_set_dc_region_config_req); M(cxlfm_set_dc_region_config_req, block_size);
	M(cxlfm_set_dc_region_config_req, sanitize_on_release); end();
	S(cxlfm_get_dc_region_extent_lists_req);
	M(cxlfm_get_dc_region_extent_lists_req, extent_count);
	M(cxlfm_get_dc_region_extent_lists_req, start_index); end();
	S(cxlfm_get_dc_region_extent_lists_rsp);
	M(cxlfm_get_dc_region_extent_lists_rsp, start_index);
	M(cxlfm_get_dc_region_extent_lists_rsp, generation);
	M(cxlfm_get_dc_region_extent_lists_rsp, extents); end();
	S(cxlfm_initiate_dc_add_req); M(cxlfm_initiate_dc_add_req, length);
	M(cxlfm_initiate_dc_add_req, tag); M(cxlfm_initiate_dc_add_req, num_extents);
	M(cxlfm_initiate_dc_add_req, extents); end();
	S(cxlfm_initiate_dc_release_req); M(cxlfm_initiate_dc_release_req, sanitize_on_release);
	M(cxlfm_initiate_dc_release_req, region); M(cxlfm_initiate_dc_release_req, length);
	M(cxlfm_initiate_dc_release_req, tag); M(cxlfm_initiate_dc_release_req, num_extents);
	M(cxlfm_initiate_dc_release_req, extents); end();
	printf("\n}\n");
	return 0;
}
