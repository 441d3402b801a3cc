# SPDX-License-Identifier: MIT
"""Every struct the binding declares with ctypes has the size and member
offsets the C compiler gives it (tests/python/layout.c prints those)."""
import ctypes
import json
import os
import subprocess
import unittest

from cxlfm import _ffi


class Layout(unittest.TestCase):
    def test_structs_match_c(self):
        c = json.loads(subprocess.run([os.environ['CXLFM_LAYOUT']], check=True,
                                      capture_output=True, text=True).stdout)
        self.assertGreater(len(c), 30)
        for name, want in c.items():
            with self.subTest(struct=name):
                py = getattr(_ffi, name[len('cxlfm_'):])
                self.assertEqual(ctypes.sizeof(py), want['size'], f'sizeof(struct {name})')
                for m, off in want['members'].items():
                    self.assertEqual(getattr(py, m).offset, off, f'{name}.{m}')

    def test_every_typed_call_is_declared(self):
        for name in _ffi.TYPED:
            self.assertTrue(hasattr(_ffi.lib, 'cxlfm_cmd_' + name), name)


if __name__ == '__main__':
    unittest.main()
