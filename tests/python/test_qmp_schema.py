# SPDX-License-Identifier: MIT
"""query-qmp-schema as a QMP client that introspects uses it (qmp-shell,
libvirt-style probing): every command query-commands lists is there with an
argument type that resolves to an object whose members are the argument
names the command accepts; QEMU's SchemaInfo shape throughout. And
query-status has QEMU 9.x's members only (no "singlestep")."""
import unittest

import emu
import qmp

META = {'builtin', 'enum', 'array', 'object', 'alternate', 'command', 'event'}


class QmpSchema(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = emu.Emu(emu.rfc_target(None, emu.buf_name('schema')), 'schema')
        cls.qmp = qmp.Qmp(cls.emu.qmp_port)
        cls.schema = cls.qmp.execute('query-qmp-schema')['return']
        cls.types = {t['name']: t for t in cls.schema}

    @classmethod
    def tearDownClass(cls):
        cls.qmp.close()
        cls.emu.stop()

    def resolve(self, name):
        self.assertIn(name, self.types, f'type {name} is referenced but not in the schema')
        return self.types[name]

    def members(self, cmd):
        at = self.resolve(self.types[cmd]['arg-type'])
        self.assertEqual(at['meta-type'], 'object')
        return {m['name']: m for m in at['members']}

    def test_shape(self):
        self.assertEqual(len(self.types), len(self.schema), 'type names are unique')
        for t in self.schema:
            self.assertIn(t['meta-type'], META, t)
            mt = t['meta-type']
            if mt == 'command':
                self.resolve(t['arg-type'])
                self.resolve(t['ret-type'])
            elif mt == 'object':
                for m in t['members']:
                    self.resolve(m['type'])
                    self.assertEqual(set(m) - {'name', 'type', 'default'}, set(), m)
            elif mt == 'array':
                self.resolve(t['element-type'])
                self.assertEqual(t['name'], '[' + t['element-type'] + ']')
            elif mt == 'enum':
                self.assertEqual(t['values'], [m['name'] for m in t['members']])
            elif mt == 'builtin':
                self.assertIn(t['json-type'], {'string', 'number', 'int', 'boolean', 'null',
                                               'object', 'array', 'value'})

    def test_every_command_is_described(self):
        names = {c['name'] for c in self.qmp.execute('query-commands')['return']}
        described = {t['name'] for t in self.schema if t['meta-type'] == 'command'}
        self.assertEqual(names, described)
        self.assertIn('query-qmp-schema', names)
        for c in ('cxl-add-dynamic-capacity', 'cxl-release-dynamic-capacity',
                  'cxl-process-mctp-message', 'device_add', 'x-cxl-topology'):
            self.assertIn(c, described)

    def test_arguments_as_the_command_checks_them(self):
        m = self.members('cxl-add-dynamic-capacity')
        for name in ('path', 'host-id', 'selection-policy', 'region', 'extents'):
            self.assertIn(name, m)
        self.assertNotIn('default', m['path'])      # mandatory
        self.assertIn('default', m['tag'])          # optional: "default": null
        self.assertIsNone(m['tag']['default'])
        pol = self.resolve(m['selection-policy']['type'])
        self.assertEqual(pol['meta-type'], 'enum')
        self.assertIn('prescriptive', pol['values'])
        ext = self.resolve(m['extents']['type'])
        self.assertEqual(ext['meta-type'], 'array')
        el = self.resolve(ext['element-type'])
        self.assertEqual({x['name'] for x in el['members']}, {'offset', 'len'})
        self.assertEqual(self.resolve(m['host-id']['type']),
                         {'name': 'int', 'meta-type': 'builtin', 'json-type': 'int'})
        # a command with no arguments has the empty object
        self.assertEqual(self.members('query-status'), {})
        # device_add's properties pass through: only its named members are listed
        self.assertIn('driver', self.members('device_add'))
        self.assertNotIn('*', self.members('device_add'))

    def test_argument_names_work_as_described(self):
        """What the schema calls an argument is what the command takes."""
        m = self.members('qmp_capabilities')
        self.assertEqual(set(m), {'enable'})
        r = self.qmp.execute('query-status', {'no-such-argument': 1})
        self.assertEqual(r['error']['class'], 'GenericError')

    def test_query_status_is_qemu9(self):
        r = self.qmp.execute('query-status')['return']
        self.assertEqual(r, {'status': 'running', 'running': True})


if __name__ == '__main__':
    unittest.main()
