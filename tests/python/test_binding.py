# SPDX-License-Identifier: MIT
"""The cxlfm Python package against a running cxl-emu: discovery, raw CCI
requests, the typed FM API calls (switch, MLD, DCD), the exceptions (CXL
return code, errno) and libcxlfm's log levels seen from Python."""
import errno
import os
import unittest

import cxlfm
import emu

GiB = 1 << 30
MiB = 1 << 20


def topology(buf):
    """The RFC target host plus an MLD (4 LDs) below swport1."""
    args = emu.rfc_target(None, buf)
    return args + [
        '-object', 'memory-backend-ram,id=mld-mem,size=1G',
        '-device', 'cxl-type3,bus=swport1,volatile-memdev=mld-mem,id=cxl-mld0,sn=77,num-ld=4',
    ]


class Binding(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = emu.Emu(topology(emu.buf_name('binding')), 'binding')
        cls.bus = cxlfm.Bus(cls.emu.bus, timeout_ms=3000)
        cls.eps = cls.bus.discover()
        cls.sw = cls.bus.endpoint(0x04)
        cls.dcd = cls.bus.endpoint(0x06)

    @classmethod
    def tearDownClass(cls):
        cls.bus.close()
        cls.emu.stop()

    def test_discovery(self):
        self.assertEqual([e.addr for e in self.eps], [0x04, 0x06])
        self.assertEqual(len({e.eid for e in self.eps}), 2)
        self.assertTrue(self.sw.has_type(cxlfm.MSG_FMAPI))
        self.assertEqual(self.bus.endpoint(0x06).eid, self.dcd.eid)

    def test_identify(self):
        sw = self.sw.identify()
        self.assertEqual((sw.component_type, sw.serial), (cxlfm.COMPONENT_SWITCH, 1234))
        d = self.dcd.identify()
        self.assertEqual((d.component_type, d.serial), (cxlfm.COMPONENT_TYPE3, 99))

    def test_raw_identify_matches_typed(self):
        raw = self.dcd.cmd(0x0001)
        self.assertEqual(len(raw), 18)
        self.assertEqual(int.from_bytes(raw[8:16], 'little'), 99)
        self.assertEqual(int.from_bytes(raw[0:2], 'little'), self.dcd.identify().vendor_id)

    def test_switch(self):
        info = self.sw.identify_switch_device()
        self.assertEqual(info.active_ports, [0, 1, 2, 3])
        ports = self.sw.get_phys_port_state([0, 1, 2]).ports
        self.assertEqual([p.port_id for p in ports], [0, 1, 2])
        self.assertEqual(ports[2].config_state, 4)  # the upstream port
        self.assertEqual(ports[1].connected_dev_type, 5)  # the MLD
        vcs = self.sw.get_vcs_info([0]).vcs[0]
        self.assertEqual((vcs.vcs_id, vcs.usp_id), (0, 2))
        self.assertEqual(len(vcs.vppbs), vcs.num_entries)

    def test_unbind_bind(self):
        vppb = self.sw.get_vcs_info([0]).vcs[0].vppbs[2]
        self.assertEqual((vppb.status, vppb.port_id), (2, 3))
        self.assertEqual(self.sw.unbind_vppb(0, 2), cxlfm.RC_BG_STARTED)
        self.assertEqual(self.sw.bg_wait(timeout_ms=5000), 0)
        self.assertEqual(self.sw.get_vcs_info([0]).vcs[0].vppbs[2].status, 0)
        self.assertEqual(self.sw.bind_vppb(0, 2, 3), cxlfm.RC_BG_STARTED)
        self.assertEqual(self.sw.bg_wait(timeout_ms=5000), 0)
        after = self.sw.get_vcs_info([0]).vcs[0].vppbs[2]
        self.assertEqual((after.status, after.port_id), (2, 3))

    def test_mld_through_the_switch(self):
        t = cxlfm.Tunnel(port=1)
        info = self.sw.get_ld_info(tunnel=t)
        self.assertEqual((info.ld_count, info.memory_size), (4, GiB))
        alloc = self.sw.get_ld_allocations(tunnel=t)
        self.assertEqual(alloc.num_lds, 4)
        self.assertEqual(len(alloc.entries), alloc.num_entries)
        ident = self.sw.identify(tunnel=cxlfm.Tunnel(port=1, ld=0))
        self.assertEqual(ident.serial, 77)

    def test_dcd(self):
        info = self.dcd.get_dcd_info()
        self.assertEqual((info.num_regions, info.total_capacity), (2, 4 * GiB))
        cfg = self.dcd.get_host_dc_region_config()
        self.assertEqual(len(cfg.regions), 2)
        self.assertEqual(cfg.regions[1].base, 2 * GiB)
        blk = cfg.regions[0].block_size
        before = self.dcd.dc_extents()
        self.assertEqual(self.dcd.initiate_dc_add(extents=[(64 * blk, 4 * blk)]), 0)
        ext = self.wait_extents(lambda e: len(e) == len(before) + 1)
        self.assertIn((64 * blk, 4 * blk), [(e.start_dpa, e.length) for e in ext])
        self.assertEqual(self.dcd.initiate_dc_release(extents=[(64 * blk, 4 * blk)]), 0)
        self.wait_extents(lambda e: len(e) == len(before))

    def wait_extents(self, cond):
        """The host agent answers on its own: read the list until cond holds (bounded)."""
        for _ in range(500):
            ext = self.dcd.dc_extents()
            if cond(ext):
                return ext
        self.fail(f'extent list never satisfied the condition: {ext}')

    def test_cxl_error_carries_return_code(self):
        with self.assertRaises(cxlfm.CxlError) as cm:
            self.dcd.initiate_dc_add(extents=[(0x1000, 0x1000)])
        e = cm.exception
        self.assertEqual((e.rc, e.id, e.name), (0x1e, 'invalid-extent-list', 'Invalid Extent List'))
        self.assertIn('Invalid Extent List (0x1e)', str(e))
        with self.assertRaises(cxlfm.CxlError) as cm:
            self.dcd.cmd(0xbeef)
        self.assertEqual((cm.exception.rc, cm.exception.opcode), (0x03, 0xbeef))

    def test_transport_error_carries_errno(self):
        with self.assertRaises(cxlfm.TransportError) as cm:
            self.bus.endpoint(0x33)
        self.assertEqual(cm.exception.errno, errno.EHOSTUNREACH)
        self.assertIsInstance(cm.exception, OSError)
        with self.assertRaises(cxlfm.TransportError) as cm:
            cxlfm.Bus(os.path.join(self.emu.dir, 'no-such.sock'))
        self.assertEqual(cm.exception.errno, errno.ENOENT)

    def test_log_requests_not_probes(self):
        """INFO (the default): one line per request, none per probe; DEBUG adds them."""
        with cxlfm.Bus(self.emu.bus, own_addr=0x21) as b:
            lines = []
            b.set_log(lambda lvl, msg: lines.append((lvl, msg)))
            b.discover()
            b.endpoint(0x06).get_dcd_info()
            self.assertFalse([m for _, m in lines if 'did not acknowledge' in m], lines)
            req = [m for lvl, m in lines if 'op 0x5600 Get DCD Info' in m]
            self.assertEqual(len(req), 1, lines)
            self.assertRegex(req[0], r'^ep 0x06 eid 0x[0-9a-f]{2} tag \d: op 0x5600 ')
            self.assertTrue(all(lvl <= cxlfm.LOG_INFO for lvl, _ in lines))
            lines.clear()
            b.set_log(lambda lvl, msg: lines.append((lvl, msg)), cxlfm.LOG_DEBUG)
            b.discover()
            nacks = [m for lvl, m in lines if 'did not acknowledge' in m]
            self.assertGreater(len(nacks), 100)
            self.assertTrue(all(lvl == cxlfm.LOG_DEBUG for lvl, m in lines
                                if 'did not acknowledge' in m))

    def test_closed_bus(self):
        b = cxlfm.Bus(self.emu.bus, own_addr=0x22)
        ep = b.endpoint(0x04)
        b.close()
        with self.assertRaises(cxlfm.Error):
            ep.identify()


if __name__ == '__main__':
    unittest.main()
