# SPDX-License-Identifier: MIT
"""examples/rfc_story.py across two cxl-emu hosts: the target host (switch,
DCD, shared buffer) and the FM host whose endpoint 0x06 forwards to it."""
import os
import subprocess
import sys
import unittest

import emu


class RfcStory(unittest.TestCase):
    def test_add_list_release_across_two_hosts(self):
        buf = emu.buf_name('rfc')
        target = emu.Emu(emu.rfc_target(None, buf), 'target')
        try:
            fm = emu.Emu(emu.rfc_fm(None, buf, target.qmp_port), 'fm')
            try:
                r = subprocess.run(
                    [sys.executable, os.path.join(os.environ['EXAMPLES_DIR'], 'rfc_story.py'),
                     '--fm-bus', fm.bus, '--target-bus', target.bus],
                    capture_output=True, text=True, timeout=60)
            finally:
                fm.stop()
        finally:
            target.stop()
        out = r.stdout
        self.assertEqual(r.returncode, 0, out + r.stderr)
        self.assertIn('endpoint 0x06 forwards to the target host: type-3 device, serial 99', out)
        self.assertIn('  accepted, FM host sees: DPA 0x0 +256 MiB', out)
        self.assertIn('  target host sees: DPA 0x0 +256 MiB', out)
        self.assertIn('  released, FM host sees: no extents', out)
        self.assertTrue(out.rstrip().endswith('rfc_story: done'), out)


if __name__ == '__main__':
    unittest.main()
