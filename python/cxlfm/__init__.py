# SPDX-License-Identifier: MIT
"""cxlfm: the Fabric Manager library of cxl-fmemu (libcxlfm) from Python.

A ctypes binding: nothing is compiled at import time; the package loads the
installed libcxlfm.so.0 (or $CXLFM_LIBRARY). docs/python.md has the guide.

    import cxlfm
    with cxlfm.Bus('/run/user/1000/cxl-emu/NAME/aspeed.i2c.bus.0.sock') as bus:
        for ep in bus.discover():
            print(hex(ep.addr), ep.identify().serial)

Commands return Record objects (attribute access, lists cut to their count
fields) and raise CxlError when the component answers with a CXL return
code (.rc, .name, .id, .opcode) and TransportError (an OSError: .errno) when
no answer came: timeout, NACK, bus gone, malformed response.
"""
import ctypes
import errno as _errno
import os

from . import _ffi

__all__ = ['Bus', 'Endpoint', 'Tunnel', 'Record', 'Error', 'CxlError', 'TransportError',
           'bus_scan', 'rc_str', 'rc_id', 'opcode_name']

# log levels of Bus.set_log (syslog's, as CXLFM_LOG_* in cxlfm.h)
LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG = 3, 4, 5, 6, 7

MSG_FMAPI = 0x07
MSG_CCI = 0x08
RC_SUCCESS = 0x00
RC_BG_STARTED = 0x01

# enum values of fmapi.h, as Python constants
COMPONENT_SWITCH, COMPONENT_TYPE3 = 0x00, 0x03
PORT_ASSERT_PERST, PORT_DEASSERT_PERST, PORT_RESET_PPB = 0, 1, 2
UNBIND_WAIT, UNBIND_MANAGED, UNBIND_SURPRISE = 0, 1, 2
LD_NONE = 0xffff
DC_SEL_FREE, DC_SEL_CONTIGUOUS, DC_SEL_PRESCRIPTIVE, DC_SEL_ENABLE_SHARED = 0, 1, 2, 3
DC_RM_TAG_BASED, DC_RM_PRESCRIPTIVE = 0, 1


def rc_str(rc):
    """Spec name of a CXL return code (CXL r3.1 Table 8-34) or errno text."""
    return _ffi.lib.cxlfm_rc_str(rc).decode()


def rc_id(rc):
    """Short identifier: "invalid-input", "ETIMEDOUT", ..."""
    return _ffi.lib.cxlfm_rc_id(rc).decode()


def opcode_name(opcode):
    """Spec name of an opcode ("Get DCD Info"), None for one libcxlfm does not know."""
    n = _ffi.lib.cxlfm_opcode_name(opcode)
    return n.decode() if n else None


class Error(Exception):
    """Anything libcxlfm reports."""


class CxlError(Error):
    """The component answered with a CXL return code (CXL r3.1 Table 8-34)."""

    def __init__(self, rc, opcode=None, call=None):
        self.rc = rc
        self.name = rc_str(rc)
        self.id = rc_id(rc)
        self.opcode = opcode
        what = call or (f'opcode 0x{opcode:04x}' if opcode is not None else 'command')
        super().__init__(f'{what}: {self.name} (0x{rc:02x})')


class TransportError(Error, OSError):
    """No usable answer: -errno from libcxlfm (ETIMEDOUT, EHOSTUNREACH, EBADMSG ...)."""

    def __init__(self, err, what):
        OSError.__init__(self, err, f'{what}: {os.strerror(err)}')


def _check(rc, what, opcode=None):
    """libcxlfm's convention: 0 success, 1 background started, >1 CXL rc, <0 -errno."""
    if rc < 0:
        raise TransportError(-rc, what)
    if rc > RC_BG_STARTED:
        raise CxlError(rc, opcode, what)
    return rc


class Record:
    """A decoded response: its fields as attributes; repr() and dict(vars(r)) work."""

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def __repr__(self):
        return 'Record(' + ', '.join(f'{k}={v!r}' for k, v in vars(self).items()) + ')'

    def __eq__(self, other):
        return isinstance(other, Record) and vars(self) == vars(other)


def _py(v):
    """ctypes value -> Python: structs to Record, byte arrays to bytes, arrays to lists."""
    if isinstance(v, ctypes.Structure):
        return Record(**{n: _py(getattr(v, n)) for n, _ in v._fields_})
    if isinstance(v, ctypes.Array):
        if v._type_ is ctypes.c_uint8:
            return bytes(v)
        return [_py(x) for x in v]
    return v


def _tag(t):
    if t is None:
        return bytes(16)
    if isinstance(t, str):
        import uuid
        return uuid.UUID(t).bytes
    t = bytes(t)
    if len(t) != 16:
        raise ValueError('a tag is 16 bytes or a UUID string')
    return t


class Tunnel:
    """Through a switch's downstream port and/or to an LD of an MLD (5300h)."""

    def __init__(self, port=-1, ld=-1):
        self.port, self.ld = port, ld

    def _c(self):
        return ctypes.byref(_ffi.tunnel(self.port, self.ld))

    def __repr__(self):
        return f'Tunnel(port={self.port}, ld={self.ld})'


def _tun(t):
    if t is None:
        return None
    if isinstance(t, Tunnel):
        return t._c()
    raise TypeError('tunnel must be a cxlfm.Tunnel or None')


def bus_scan(max_paths=64):
    """Bus sockets of running cxl-emu instances in their default run directories."""
    buf = (ctypes.c_char * 108 * max_paths)()
    n = _ffi.lib.cxlfm_bus_scan(buf, max_paths, None)
    return [bytes(buf[i]).split(b'\0', 1)[0].decode() for i in range(min(n, max_paths))]


class Bus:
    """A libcxlfm context: one bus controller on one cxl-emu bus socket."""

    def __init__(self, path=None, *, timeout_ms=0, own_addr=0, own_eid=0, mtu=0):
        self._ctx = None
        if path is None:
            path = os.environ.get('CXL_FMCTL_BUS')
        if not path:
            found = bus_scan()
            if len(found) != 1:
                raise Error(f'{len(found)} running cxl-emu buses found '
                            f'({", ".join(found) or "none"}): name one')
            path = found[0]
        self.path = path
        o = _ffi.opts(size=ctypes.sizeof(_ffi.opts), own_addr=own_addr, own_eid=own_eid,
                      timeout_ms=timeout_ms, mtu=mtu)
        ctx = ctypes.c_void_p()
        _check(_ffi.lib.cxlfm_open(os.fsencode(path), ctypes.byref(o), ctypes.byref(ctx)),
               f'bus {path}')
        self._ctx = ctx
        self._log = None

    def close(self):
        if self._ctx:
            _ffi.lib.cxlfm_close(self._ctx)
            self._ctx = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def _c(self):
        if not self._ctx:
            raise Error('bus closed')
        return self._ctx

    def fileno(self):
        return _ffi.lib.cxlfm_fd(self._c())

    def set_timeout(self, ms):
        _ffi.lib.cxlfm_set_timeout(self._c(), ms)

    def set_log(self, fn, level=LOG_INFO):
        """fn(level, message) gets libcxlfm's log lines up to level; fn None: no log."""
        if fn is None:
            self._log = None
            _ffi.lib.cxlfm_set_log(self._c(), _ffi.LOG_FN(), None)
            return
        self._log = _ffi.LOG_FN(lambda lvl, msg, arg: fn(lvl, msg.decode(errors='replace')))
        _ffi.lib.cxlfm_set_log(self._c(), self._log, None)
        if _ffi.lib.cxlfm_set_log_level(self._c(), level) < 0:
            raise ValueError(f'log level {level}: LOG_ERR (3) .. LOG_DEBUG (7)')

    def discover(self):
        """Bus owner discovery: every endpoint gets an EID; returns them by address."""
        n = _ffi.lib.cxlfm_discover(self._c())  # a count, or -errno
        if n < 0:
            raise TransportError(-n, 'discovery')
        return self.endpoints()

    def endpoints(self):
        n = _ffi.lib.cxlfm_ep_count(self._c())
        return [Endpoint(self, _ffi.lib.cxlfm_ep_at(self._ctx, i)) for i in range(n)]

    def endpoint(self, addr):
        """The endpoint at I2C address addr (probed and given an EID on first use)."""
        ep = ctypes.c_void_p()
        _check(_ffi.lib.cxlfm_ep_by_addr(self._c(), addr, ctypes.byref(ep)),
               f'endpoint 0x{addr:02x}')
        return Endpoint(self, ep.value)

    def stats(self):
        st = _ffi.stats()
        _ffi.lib.cxlfm_get_stats(self._c(), ctypes.byref(st))
        return _py(st)


class Endpoint:
    """An MCTP endpoint on the bus: a switch CCI, a type-3 device's FM-facing CCI ..."""

    def __init__(self, bus, handle):
        self.bus = bus
        self._ep = handle

    def _c(self):
        self.bus._c()  # raises once the bus is closed
        return self._ep

    @property
    def addr(self):
        return _ffi.lib.cxlfm_ep_addr(self._c())

    @property
    def eid(self):
        return _ffi.lib.cxlfm_ep_eid(self._c())

    def has_type(self, msg_type):
        return bool(_ffi.lib.cxlfm_ep_has_type(self._c(), msg_type))

    def __repr__(self):
        return f'Endpoint(addr=0x{self.addr:02x}, eid=0x{self.eid:02x})'

    # ---- raw ----

    def cmd(self, opcode, payload=b'', tunnel=None, max_out=_ffi.MSG_SIZE_MAX):
        """Any command, raw payloads: returns the response payload (bytes)."""
        payload = bytes(payload)
        out = ctypes.create_string_buffer(max_out)
        out_len = ctypes.c_size_t()
        rc = _ffi.lib.cxlfm_cmd(self._c(), _tun(tunnel), opcode, payload, len(payload), out,
                                max_out, ctypes.byref(out_len))
        _check(rc, f'opcode 0x{opcode:04x} ({opcode_name(opcode) or "vendor"})', opcode)
        return out.raw[:out_len.value]

    # ---- typed calls ----

    def _call(self, name, tunnel, req=None):
        req_t, rsp_t = _ffi.TYPED[name]
        args = [self._c(), _tun(tunnel)]
        if req_t:
            args.append(ctypes.byref(req))
        rsp = rsp_t() if rsp_t else None
        if rsp_t:
            args.append(ctypes.byref(rsp))
        rc = _check(getattr(_ffi.lib, 'cxlfm_cmd_' + name)(*args), name.replace('_', ' '))
        return _py(rsp) if rsp_t else rc

    def identify(self, tunnel=None):
        """CXL r3.1 §8.2.9.1.1 Identify (0001h)."""
        return self._call('identify', tunnel)

    def bg_op_status(self, tunnel=None):
        return self._call('bg_op_status', tunnel)

    def bg_wait(self, tunnel=None, timeout_ms=0):
        """Wait for the running background operation; returns its return code."""
        rc = ctypes.c_uint16()
        _check(_ffi.lib.cxlfm_bg_wait(self._c(), _tun(tunnel), timeout_ms, ctypes.byref(rc)),
               'background operation status')
        return rc.value

    # switch (CXL r3.1 §7.6.7.1, §7.6.7.2)

    def identify_switch_device(self, tunnel=None):
        r = self._call('identify_switch_device', tunnel)
        r.active_ports = [p for p in range(256) if r.active_port_mask[p // 8] >> (p % 8) & 1]
        return r

    def get_phys_port_state(self, ports, tunnel=None):
        ports = list(ports)
        req = _ffi.get_phys_port_state_req(num_ports=len(ports))
        for i, p in enumerate(ports):
            req.port_ids[i] = p
        r = self._call('get_phys_port_state', tunnel, req)
        r.ports = r.ports[:r.num_ports]
        return r

    def phys_port_control(self, ppb_id, port_opcode, tunnel=None):
        return self._call('phys_port_control', tunnel,
                          _ffi.phys_port_control_req(ppb_id, port_opcode))

    def get_vcs_info(self, vcs_ids=(0,), start_vppb=0, vppb_list_limit=255, tunnel=None):
        vcs_ids = list(vcs_ids)
        req = _ffi.get_vcs_info_req(start_vppb=start_vppb, vppb_list_limit=vppb_list_limit,
                                    num_vcs=len(vcs_ids))
        for i, v in enumerate(vcs_ids):
            req.vcs_ids[i] = v
        r = self._call('get_vcs_info', tunnel, req)
        r.vcs = r.vcs[:r.num_vcs]
        for v in r.vcs:
            v.vppbs = v.vppbs[:v.num_entries]
        return r

    def bind_vppb(self, vcs_id, vppb_id, port_id, ld_id=LD_NONE, tunnel=None):
        """Bind vPPB (5201h): a background operation (bg_wait() for its end)."""
        return self._call('bind_vppb', tunnel,
                          _ffi.bind_vppb_req(vcs_id, vppb_id, port_id, ld_id))

    def unbind_vppb(self, vcs_id, vppb_id, option=UNBIND_WAIT, tunnel=None):
        return self._call('unbind_vppb', tunnel, _ffi.unbind_vppb_req(vcs_id, vppb_id, option))

    # MLD (CXL r3.1 §7.6.7.4)

    def get_ld_info(self, tunnel=None):
        return self._call('get_ld_info', tunnel)

    def get_ld_allocations(self, start_ld=0, ld_list_limit=_ffi.LD_MAX, tunnel=None):
        r = self._call('get_ld_allocations', tunnel,
                       _ffi.get_ld_allocations_req(start_ld, ld_list_limit))
        r.entries = r.entries[:r.num_entries]
        return r

    def set_ld_allocations(self, entries, start_ld=0, tunnel=None):
        """entries: (range1, range2) pairs, multiples of the granularity."""
        entries = list(entries)
        req = _ffi.set_ld_allocations_req(num_entries=len(entries), start_ld=start_ld)
        for i, (r1, r2) in enumerate(entries):
            req.entries[i] = _ffi.ld_allocation(r1, r2)
        r = self._call('set_ld_allocations', tunnel, req)
        r.entries = r.entries[:r.num_entries]
        return r

    # DCD management (CXL r3.1 §7.6.7.6)

    def get_dcd_info(self, tunnel=None):
        r = self._call('get_dcd_info', tunnel)
        r.block_size_mask = r.block_size_mask[:r.num_regions]
        return r

    def get_host_dc_region_config(self, host_id=0, region_count=_ffi.DC_REGIONS_MAX,
                                  start_region=0, tunnel=None):
        r = self._call('get_host_dc_region_config', tunnel,
                       _ffi.get_host_dc_region_config_req(host_id, region_count, start_region))
        r.regions = r.regions[:r.regions_returned]
        return r

    def set_dc_region_config(self, region_id, block_size, sanitize_on_release=False,
                             tunnel=None):
        return self._call('set_dc_region_config', tunnel,
                          _ffi.set_dc_region_config_req(region_id, block_size,
                                                        sanitize_on_release))

    def get_dc_region_extent_lists(self, host_id=0, start_index=0,
                                   extent_count=_ffi.DC_EXTENTS_MAX, tunnel=None):
        r = self._call('get_dc_region_extent_lists', tunnel,
                       _ffi.get_dc_region_extent_lists_req(host_id, extent_count, start_index))
        r.extents = r.extents[:r.returned]
        return r

    def dc_extents(self, host_id=0, tunnel=None):
        """Every extent the host has accepted (Get DC Region Extent Lists, all pages)."""
        out, start = [], 0
        while True:
            r = self.get_dc_region_extent_lists(host_id, start, tunnel=tunnel)
            out += r.extents
            start += r.returned
            if not r.returned or start >= r.total:
                return out

    @staticmethod
    def _extents(extents):
        """(start_dpa, length[, tag]) tuples or Records -> a ctypes array."""
        extents = list(extents)
        arr = (_ffi.dc_extent * max(len(extents), 1))()
        for i, e in enumerate(extents):
            if isinstance(e, Record):
                dpa, length, tag = e.start_dpa, e.length, e.tag
            else:
                dpa, length, tag = (tuple(e) + (None,))[:3]
            arr[i].start_dpa, arr[i].length = dpa, length
            arr[i].tag[:] = list(_tag(tag))
        return arr, len(extents)

    def initiate_dc_add(self, host_id=0, *, policy=DC_SEL_PRESCRIPTIVE, region=0, length=0,
                        tag=None, extents=(), tunnel=None):
        """Initiate Dynamic Capacity Add (5604h): offer capacity to a host.

        policy DC_SEL_FREE / _CONTIGUOUS use region and length; _PRESCRIPTIVE and
        _ENABLE_SHARED the extents ((dpa, length) pairs, DPAs absolute)."""
        arr, n = self._extents(extents)
        req = _ffi.initiate_dc_add_req(host_id=host_id, selection_policy=policy, region=region,
                                       length=length, num_extents=n,
                                       extents=ctypes.cast(arr, ctypes.POINTER(_ffi.dc_extent)))
        req.tag[:] = list(_tag(tag))
        return self._call('initiate_dc_add', tunnel, req)

    def initiate_dc_release(self, host_id=0, *, policy=DC_RM_PRESCRIPTIVE, forced=False,
                            sanitize=False, region=0, length=0, tag=None, extents=(),
                            tunnel=None):
        """Initiate Dynamic Capacity Release (5605h): ask a host to give capacity back."""
        arr, n = self._extents(extents)
        req = _ffi.initiate_dc_release_req(
            host_id=host_id, removal_policy=policy, forced_removal=forced,
            sanitize_on_release=sanitize, region=region, length=length, num_extents=n,
            extents=ctypes.cast(arr, ctypes.POINTER(_ffi.dc_extent)))
        req.tag[:] = list(_tag(tag))
        return self._call('initiate_dc_release', tunnel, req)

    # host mailbox DC (CXL r3.1 §8.2.9.9.9): what the device tells its host

    def get_dc_config(self, region_count=_ffi.DC_REGIONS_MAX, start_region=0, tunnel=None):
        r = self._call('get_dc_config', tunnel,
                       _ffi.get_dc_config_req(region_count, start_region))
        r.regions = r.regions[:r.regions_returned]
        return r

    def get_dc_extent_list(self, start_index=0, extent_count=_ffi.DC_EXTENTS_MAX,
                           tunnel=None):
        r = self._call('get_dc_extent_list', tunnel,
                       _ffi.get_dc_extent_list_req(extent_count, start_index))
        r.extents = r.extents[:r.returned]
        return r


# keep errno names handy for callers: except cxlfm.TransportError as e: e.errno == ETIMEDOUT
ETIMEDOUT, EHOSTUNREACH, EBADMSG = _errno.ETIMEDOUT, _errno.EHOSTUNREACH, _errno.EBADMSG
