# SPDX-License-Identifier: MIT
"""ctypes declarations of libcxlfm's public API (include/cxlfm/*.h).

Every struct here mirrors its C declaration member for member; the test
tests/python/test_layout.py compares sizes and offsets with a program built
from the headers, so a header change that is not made here too fails there.
"""
import ctypes
import os
from ctypes import (POINTER, c_bool, c_char_p, c_int, c_size_t, c_uint, c_uint8, c_uint16,
                    c_uint32, c_uint64, c_void_p)

SONAME = 'libcxlfm.so.0'

# list maxima of fmapi.h (the response arrays' sizes: ABI, cxlfm.h)
MSG_SIZE_MAX = 2048
PORTS_MAX = 255
VCS_MAX = 8
VPPBS_MAX = 256
LD_MAX = 16
DC_REGIONS_MAX = 8
DC_EXTENTS_MAX = 64


def _load():
    """libcxlfm: $CXLFM_LIBRARY, else the libdir it was installed to, else the soname."""
    tried = []
    path = os.environ.get('CXLFM_LIBRARY')
    if path:
        return ctypes.CDLL(path, use_errno=True)
    try:
        from . import _build
        cands = [os.path.join(_build.LIBDIR, SONAME)]
    except ImportError:  # running from the source tree
        cands = []
    cands.append(SONAME)
    for c in cands:
        try:
            return ctypes.CDLL(c, use_errno=True)
        except OSError as e:
            tried.append(f'{c}: {e}')
    raise OSError('libcxlfm not found (set CXLFM_LIBRARY to its path): ' + '; '.join(tried))


class Struct(ctypes.Structure):
    pass


def _s(name, fields):
    return type(name, (Struct,), {'_fields_': fields})


opts = _s('cxlfm_opts', [('size', c_size_t), ('own_addr', c_uint8), ('own_eid', c_uint8),
                         ('timeout_ms', c_uint), ('mtu', c_uint)])
tunnel = _s('cxlfm_tunnel', [('port', c_int), ('ld', c_int)])
stats = _s('cxlfm_stats', [(n, c_uint64) for n in (
    'requests', 'responses', 'timeouts', 'dropped_mismatch', 'dropped_late',
    'dropped_malformed', 'nacks')])

identify_rsp = _s('cxlfm_identify_rsp', [
    ('vendor_id', c_uint16), ('device_id', c_uint16), ('subsys_vendor_id', c_uint16),
    ('subsys_id', c_uint16), ('serial', c_uint64), ('max_msg_size_log2', c_uint8),
    ('component_type', c_uint8)])
bg_op_status_rsp = _s('cxlfm_bg_op_status_rsp', [
    ('running', c_bool), ('percent', c_uint8), ('opcode', c_uint16), ('rc', c_uint16),
    ('vendor_status', c_uint16)])

dc_extent = _s('cxlfm_dc_extent', [
    ('start_dpa', c_uint64), ('length', c_uint64), ('tag', c_uint8 * 16),
    ('shared_seq', c_uint16)])
dc_range = _s('cxlfm_dc_range', [('start_dpa', c_uint64), ('length', c_uint64)])

# host mailbox DC (CXL r3.1 §8.2.9.9.9)
get_dc_config_req = _s('cxlfm_get_dc_config_req', [
    ('region_count', c_uint8), ('start_region', c_uint8)])
dc_config_region = _s('cxlfm_dc_config_region', [
    ('base', c_uint64), ('decode_len', c_uint64), ('length', c_uint64),
    ('block_size', c_uint64), ('dsmad_handle', c_uint32), ('sanitize_on_release', c_bool)])
get_dc_config_rsp = _s('cxlfm_get_dc_config_rsp', [
    ('num_regions', c_uint8), ('regions_returned', c_uint8),
    ('regions', dc_config_region * DC_REGIONS_MAX), ('extents_supported', c_uint32),
    ('extents_available', c_uint32), ('tags_supported', c_uint32),
    ('tags_available', c_uint32)])
get_dc_extent_list_req = _s('cxlfm_get_dc_extent_list_req', [
    ('extent_count', c_uint32), ('start_index', c_uint32)])
get_dc_extent_list_rsp = _s('cxlfm_get_dc_extent_list_rsp', [
    ('returned', c_uint32), ('total', c_uint32), ('generation', c_uint32),
    ('extents', dc_extent * DC_EXTENTS_MAX)])

# Physical Switch (CXL r3.1 §7.6.7.1)
identify_switch_device_rsp = _s('cxlfm_identify_switch_device_rsp', [
    ('ingress_port', c_uint8), ('num_physical_ports', c_uint8), ('num_vcs', c_uint8),
    ('active_port_mask', c_uint8 * 32), ('active_vcs_mask', c_uint8 * 32),
    ('total_vppbs', c_uint16), ('bound_vppbs', c_uint16), ('num_hdm_decoders', c_uint8)])
get_phys_port_state_req = _s('cxlfm_get_phys_port_state_req', [
    ('num_ports', c_uint8), ('port_ids', c_uint8 * PORTS_MAX)])
port_info = _s('cxlfm_port_info', [(n, c_uint8) for n in (
    'port_id', 'config_state', 'connected_dev_mode', 'connected_dev_type',
    'supported_cxl_modes', 'max_link_width', 'negotiated_link_width',
    'supported_link_speeds', 'max_link_speed', 'current_link_speed', 'ltssm_state',
    'first_negotiated_lane')] + [('link_state_flags', c_uint16),
                                 ('supported_ld_count', c_uint8)])
get_phys_port_state_rsp = _s('cxlfm_get_phys_port_state_rsp', [
    ('num_ports', c_uint8), ('ports', port_info * PORTS_MAX)])
phys_port_control_req = _s('cxlfm_phys_port_control_req', [
    ('ppb_id', c_uint8), ('port_opcode', c_uint8)])

# Virtual Switch (CXL r3.1 §7.6.7.2)
get_vcs_info_req = _s('cxlfm_get_vcs_info_req', [
    ('start_vppb', c_uint8), ('vppb_list_limit', c_uint8), ('num_vcs', c_uint8),
    ('vcs_ids', c_uint8 * VCS_MAX)])
vppb_info = _s('cxlfm_vppb_info', [('status', c_uint8), ('port_id', c_uint8),
                                   ('ld_id', c_uint8)])
vcs_info = _s('cxlfm_vcs_info', [
    ('vcs_id', c_uint8), ('state', c_uint8), ('usp_id', c_uint8), ('num_vppbs', c_uint8),
    ('num_entries', c_uint16), ('vppbs', vppb_info * VPPBS_MAX)])
get_vcs_info_rsp = _s('cxlfm_get_vcs_info_rsp', [('num_vcs', c_uint8),
                                                 ('vcs', vcs_info * VCS_MAX)])
bind_vppb_req = _s('cxlfm_bind_vppb_req', [
    ('vcs_id', c_uint8), ('vppb_id', c_uint8), ('port_id', c_uint8), ('ld_id', c_uint16)])
unbind_vppb_req = _s('cxlfm_unbind_vppb_req', [
    ('vcs_id', c_uint8), ('vppb_id', c_uint8), ('option', c_uint8)])

# MLD components (CXL r3.1 §7.6.7.4)
get_ld_info_rsp = _s('cxlfm_get_ld_info_rsp', [
    ('memory_size', c_uint64), ('ld_count', c_uint16), ('qos_telemetry_caps', c_uint8)])
ld_allocation = _s('cxlfm_ld_allocation', [('range1', c_uint64), ('range2', c_uint64)])
get_ld_allocations_req = _s('cxlfm_get_ld_allocations_req', [
    ('start_ld', c_uint8), ('ld_list_limit', c_uint8)])
get_ld_allocations_rsp = _s('cxlfm_get_ld_allocations_rsp', [
    ('num_lds', c_uint8), ('granularity', c_uint8), ('start_ld', c_uint8),
    ('num_entries', c_uint8), ('entries', ld_allocation * LD_MAX)])
set_ld_allocations_req = _s('cxlfm_set_ld_allocations_req', [
    ('num_entries', c_uint8), ('start_ld', c_uint8), ('entries', ld_allocation * LD_MAX)])
set_ld_allocations_rsp = _s('cxlfm_set_ld_allocations_rsp', [
    ('num_entries', c_uint8), ('start_ld', c_uint8), ('entries', ld_allocation * LD_MAX)])

# DCD management (CXL r3.1 §7.6.7.6)
get_dcd_info_rsp = _s('cxlfm_get_dcd_info_rsp', [
    ('num_hosts', c_uint8), ('num_regions', c_uint8), ('add_policies', c_uint16),
    ('release_policies', c_uint16), ('sanitize_mask', c_uint8), ('total_capacity', c_uint64),
    ('block_size_mask', c_uint64 * DC_REGIONS_MAX)])
get_host_dc_region_config_req = _s('cxlfm_get_host_dc_region_config_req', [
    ('host_id', c_uint16), ('region_count', c_uint8), ('start_region', c_uint8)])
dc_region = _s('cxlfm_dc_region', [
    ('base', c_uint64), ('decode_len', c_uint64), ('length', c_uint64),
    ('block_size', c_uint64), ('dsmas_flags', c_uint8), ('sanitize_on_release', c_bool)])
get_host_dc_region_config_rsp = _s('cxlfm_get_host_dc_region_config_rsp', [
    ('host_id', c_uint16), ('num_regions', c_uint8), ('regions_returned', c_uint8),
    ('regions', dc_region * DC_REGIONS_MAX), ('extents_supported', c_uint32),
    ('extents_available', c_uint32), ('tags_supported', c_uint32),
    ('tags_available', c_uint32)])
set_dc_region_config_req = _s('cxlfm_set_dc_region_config_req', [
    ('region_id', c_uint8), ('block_size', c_uint64), ('sanitize_on_release', c_bool)])
get_dc_region_extent_lists_req = _s('cxlfm_get_dc_region_extent_lists_req', [
    ('host_id', c_uint16), ('extent_count', c_uint32), ('start_index', c_uint32)])
get_dc_region_extent_lists_rsp = _s('cxlfm_get_dc_region_extent_lists_rsp', [
    ('host_id', c_uint16), ('start_index', c_uint32), ('returned', c_uint32),
    ('total', c_uint32), ('generation', c_uint32), ('extents', dc_extent * DC_EXTENTS_MAX)])
initiate_dc_add_req = _s('cxlfm_initiate_dc_add_req', [
    ('host_id', c_uint16), ('selection_policy', c_uint8), ('region', c_uint8),
    ('length', c_uint64), ('tag', c_uint8 * 16), ('num_extents', c_uint32),
    ('extents', POINTER(dc_extent))])
initiate_dc_release_req = _s('cxlfm_initiate_dc_release_req', [
    ('host_id', c_uint16), ('removal_policy', c_uint8), ('forced_removal', c_bool),
    ('sanitize_on_release', c_bool), ('region', c_uint8), ('length', c_uint64),
    ('tag', c_uint8 * 16), ('num_extents', c_uint32), ('extents', POINTER(dc_extent))])

LOG_FN = ctypes.CFUNCTYPE(None, c_int, c_char_p, c_void_p)

lib = _load()


def _proto(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)


_ctx = c_void_p
_ep = c_void_p
_tun = POINTER(tunnel)

_proto('cxlfm_open', c_int, c_char_p, POINTER(opts), POINTER(_ctx))
_proto('cxlfm_close', None, _ctx)
_proto('cxlfm_fd', c_int, _ctx)
_proto('cxlfm_set_timeout', None, _ctx, c_uint)
_proto('cxlfm_set_log', None, _ctx, LOG_FN, c_void_p)
_proto('cxlfm_set_log_level', c_int, _ctx, c_int)
_proto('cxlfm_bus_scan', c_size_t, c_void_p, c_size_t, POINTER(c_size_t))
_proto('cxlfm_discover', c_int, _ctx)
_proto('cxlfm_ep_count', c_size_t, _ctx)
_proto('cxlfm_ep_at', _ep, _ctx, c_size_t)
_proto('cxlfm_ep_by_addr', c_int, _ctx, c_uint8, POINTER(_ep))
_proto('cxlfm_ep_by_eid', _ep, _ctx, c_uint8)
_proto('cxlfm_ep_addr', c_uint8, _ep)
_proto('cxlfm_ep_eid', c_uint8, _ep)
_proto('cxlfm_ep_has_type', c_bool, _ep, c_uint8)
_proto('cxlfm_get_stats', None, _ctx, POINTER(stats))
_proto('cxlfm_cmd', c_int, _ep, _tun, c_uint16, c_void_p, c_size_t, c_void_p, c_size_t,
       POINTER(c_size_t))
_proto('cxlfm_rc_str', c_char_p, c_int)
_proto('cxlfm_rc_id', c_char_p, c_int)
_proto('cxlfm_opcode_name', c_char_p, c_uint16)
_proto('cxlfm_bg_wait', c_int, _ep, _tun, c_uint, POINTER(c_uint16))

# typed calls: name -> (request struct or None, response struct or None)
TYPED = {
    'identify': (None, identify_rsp),
    'bg_op_status': (None, bg_op_status_rsp),
    'get_dc_config': (get_dc_config_req, get_dc_config_rsp),
    'get_dc_extent_list': (get_dc_extent_list_req, get_dc_extent_list_rsp),
    'identify_switch_device': (None, identify_switch_device_rsp),
    'get_phys_port_state': (get_phys_port_state_req, get_phys_port_state_rsp),
    'phys_port_control': (phys_port_control_req, None),
    'get_vcs_info': (get_vcs_info_req, get_vcs_info_rsp),
    'bind_vppb': (bind_vppb_req, None),
    'unbind_vppb': (unbind_vppb_req, None),
    'get_ld_info': (None, get_ld_info_rsp),
    'get_ld_allocations': (get_ld_allocations_req, get_ld_allocations_rsp),
    'set_ld_allocations': (set_ld_allocations_req, set_ld_allocations_rsp),
    'get_dcd_info': (None, get_dcd_info_rsp),
    'get_host_dc_region_config': (get_host_dc_region_config_req,
                                  get_host_dc_region_config_rsp),
    'set_dc_region_config': (set_dc_region_config_req, None),
    'get_dc_region_extent_lists': (get_dc_region_extent_lists_req,
                                   get_dc_region_extent_lists_rsp),
    'initiate_dc_add': (initiate_dc_add_req, None),
    'initiate_dc_release': (initiate_dc_release_req, None),
}
for _name, (_req, _rsp) in TYPED.items():
    _args = [_ep, _tun] + ([POINTER(_req)] if _req else []) + ([POINTER(_rsp)] if _rsp else [])
    _proto('cxlfm_cmd_' + _name, c_int, *_args)
