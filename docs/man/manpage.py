#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fill a man page template from the program itself, at build time.

  manpage.py cxl-emu BINARY TEMPLATE OUTPUT VERSION
  manpage.py plain   -      TEMPLATE OUTPUT VERSION

For cxl-emu the marker lines `.\\" @MACHINE@`, `@DEVICES@`, `@OBJECTS@` and
`@QMP@` become the -machine properties, every -device driver with every
property (`cxl-emu -device DRIVER,help`), every -object type with its
properties and every QMP command, read from the binary's own help: the
page lists what the config tables and the QMP tables have, so it cannot
drift from them. @VERSION@ becomes the version.
"""
import re
import subprocess
import sys


def esc(t):
    return t.replace('\\', '\\e').replace('-', '\\-')


def run(binary, *args):
    return subprocess.run([binary, *args], check=True, capture_output=True,
                          text=True).stdout.splitlines()


def section(lines, head):
    """The indented "  NAME   DOC" lines after the line starting with head."""
    out, inside = [], False
    for ln in lines:
        if ln.startswith(head):
            inside = True
            continue
        if inside:
            if not ln.startswith('  '):
                break
            out.append(ln)
    return out


def props(lines):
    """'  name   <type> (required) - doc' lines -> roff .TP items."""
    r = []
    for ln in lines[1:]:
        m = re.match(r'\s+(\S+)\s+(.*)$', ln)
        if not m:
            continue
        name, rest = m.groups()
        typ, _, doc = rest.partition(' - ')
        r += ['.TP', f'\\fB{esc(name)}\\fR {esc(typ.strip())}', esc(doc.strip() or typ.strip())]
    return r


def cxl_emu(binary):
    helptext = run(binary, '--help')
    gen = {'MACHINE': props(run(binary, '-machine', 'help'))}
    dev = []
    for ln in section(helptext, 'Devices ('):
        name, doc = ln.split(None, 1)[0], ln.strip().split(None, 1)[1] if len(ln.split()) > 1 else ''
        if ln.strip().startswith('any other PCI device'):
            dev += ['.SS Any other PCI device', esc(ln.strip()[len('any other PCI device'):].strip())]
            continue
        dev += [f'.SS {esc(name)}', esc(doc.strip()) + '.'] + props(run(binary, '-device',
                                                                           name + ',help'))
    gen['DEVICES'] = dev
    obj = []
    for ln in section(helptext, 'Objects ('):
        name, doc = ln.split(None, 1)
        obj += [f'.SS {esc(name)}', esc(doc.strip()) + '.'] + props(run(binary, '-object',
                                                                          name + ',help'))
    gen['OBJECTS'] = obj
    qmp = []
    for ln in section(helptext, 'QMP commands:'):
        f = ln.split(None, 1)
        qmp += ['.TP', f'\\fB{esc(f[0])}\\fR', esc(f[1].strip() if len(f) > 1 else '')]
    gen['QMP'] = qmp
    return gen


def main():
    kind, binary, template, output, version = sys.argv[1:6]
    gen = cxl_emu(binary) if kind == 'cxl-emu' else {}
    out = []
    for ln in open(template).read().splitlines():
        m = re.fullmatch(r'\.\\" @([A-Z]+)@', ln)
        if m and m.group(1) in gen:
            out += gen[m.group(1)]
            continue
        out.append(ln.replace('@VERSION@', version))
    with open(output, 'w') as f:
        f.write('\n'.join(out) + '\n')


if __name__ == '__main__':
    main()
