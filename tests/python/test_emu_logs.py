# SPDX-License-Identifier: MIT
"""cxl-emu's log: timestamps (QEMU's -msg timestamp=on form, UTC wall clock),
--log-file, and -v showing each CXL request but not the probes of a bus
discovery (those at -vv). Driven with the cxlfm package as the FM."""
import datetime
import os
import re
import subprocess
import unittest

import cxlfm
import emu

STAMP = r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z'


def run_fm(e):
    with cxlfm.Bus(e.bus) as b:
        b.discover()
        b.endpoint(0x06).get_dcd_info()
        b.endpoint(0x04).identify()


class EmuLogs(unittest.TestCase):
    def test_v_log_file_requests_with_timestamps(self):
        log = os.path.join(os.environ.get('TMPDIR', '/tmp'), f'cxl-emu-log-{os.getpid()}.txt')
        self.addCleanup(lambda: os.path.exists(log) and os.unlink(log))
        e = emu.Emu(emu.rfc_target(None, emu.buf_name('log')), 'log',
                    extra=['-v', '--log-file', log])
        try:
            before = datetime.datetime.now(datetime.timezone.utc)
            run_fm(e)
            after = datetime.datetime.now(datetime.timezone.utc)
        finally:
            e.stop()
        lines = open(log).read().splitlines()
        self.assertTrue(lines)
        for ln in lines:
            self.assertRegex(ln, '^' + STAMP + ' (error|warn|info|debug): ')
        req = [ln for ln in lines if 'op 0x5600 Get DCD Info' in ln]
        self.assertEqual(len(req), 1, lines)
        self.assertRegex(req[0], r'info: ep \S+: request from EID 0x[0-9a-f]{2} '
                                 r'\(I2C 0x10\) tag \d: op 0x5600 Get DCD Info, cci tag \d+$')
        ts = datetime.datetime.strptime(req[0].split()[0], '%Y-%m-%dT%H:%M:%S.%fZ').replace(
            tzinfo=datetime.timezone.utc)
        self.assertTrue(before - datetime.timedelta(seconds=1) <= ts <= after, (before, ts))
        self.assertTrue([ln for ln in lines if 'op 0x0001 Identify' in ln])
        # discovery probed the bus and set EIDs: no line for those MCTP control requests
        self.assertFalse([ln for ln in lines if 'MCTP control' in ln], lines)

    def test_vv_shows_mctp_control_on_stderr(self):
        e = emu.Emu(emu.rfc_target(None, emu.buf_name('logvv')), 'logvv', extra=['-vv'])
        try:
            run_fm(e)
            err = e.read_stderr()
        finally:
            e.stop()
        ctrl = [ln for ln in err.splitlines() if 'MCTP control' in ln]
        self.assertTrue(ctrl, err[-2000:])
        self.assertRegex(ctrl[0], '^' + STAMP + ' debug: ep ')
        self.assertIn('op 0x5600 Get DCD Info', err)

    def test_log_file_error_is_reported(self):
        r = subprocess.run([emu.CXL_EMU, '--log-file', '/nonexistent-dir/x.log',
                            '-machine', 'q35,cxl=on'], capture_output=True, text=True,
                           timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('--log-file /nonexistent-dir/x.log: No such file or directory', r.stderr)


if __name__ == '__main__':
    unittest.main()
