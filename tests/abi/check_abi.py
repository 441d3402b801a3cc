#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""libcxlfm's ABI, checked against what was built.

  - src/lib/libcxlfm.sym names every exported symbol exactly (no pattern),
    sorted and once each;
  - the shared library exports exactly those names;
  - every function and variable declared in include/cxlfm/*.h is on the list,
    and every name on the list is declared there;
  - the installed static library libcxlfm.a defines no global name but
    those (nothing of the proto/util code it contains leaks);
  - meson's default is werror=false while make, make check and CI keep -Werror.

Each failure says what to change, e.g. which line to add to the list: other
branches add typed calls, and the merge has to add their names.

Usage: check_abi.py SRCDIR LIBCXLFM.so LIBCXLFM.a
"""
import json
import os
import re
import subprocess
import sys

SYM_FILE = 'src/lib/libcxlfm.sym'
problems = []


def fail(msg):
    problems.append(msg)


def listed_names(path):
    text = open(path).read()
    m = re.search(r'global:(.*?)local:', text, re.S)
    if not m:
        fail(f'{SYM_FILE}: no "global: ... local:" section')
        return []
    body = re.sub(r'/\*.*?\*/', '', m.group(1), flags=re.S)
    names = []
    for line in body.splitlines():
        line = line.strip()
        if not line:
            continue
        if not re.fullmatch(r'[A-Za-z_][A-Za-z0-9_]*;', line):
            fail(f'{SYM_FILE}: "{line}" is not one exact name: list each exported '
                 'symbol by name, no patterns, one a line ("\tcxlfm_name;")')
            continue
        names.append(line[:-1])
    if names != sorted(names):
        fail(f'{SYM_FILE}: the global list is not sorted (keep it sorted so merges '
             'add lines in place)')
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        fail(f'{SYM_FILE}: listed twice: {", ".join(dups)}')
    return names


def nm(args, path):
    out = subprocess.run(['nm'] + args + [path], check=True, capture_output=True,
                         text=True).stdout
    names = set()
    for line in out.splitlines():
        f = line.split()
        # "ADDR TYPE NAME"; archives also print "member.o:" headers
        if len(f) == 3 and f[1] not in ('U', 'w', 'v'):
            names.add(f[2].split('@')[0])
    return names


def strip_c(text):
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    text = re.sub(r'//[^\n]*', ' ', text)
    # preprocessor lines, continuations included
    text = re.sub(r'^[ \t]*#(?:[^\n]*\\\n)*[^\n]*', ' ', text, flags=re.M)
    # the C++ guard's brace would put every declaration inside a block
    text = re.sub(r'extern\s*"C"\s*\{', ' ', text)
    return text


def declared_names(incdir):
    """{name: header} of the functions and variables the public headers declare."""
    decl = {}
    for h in sorted(os.listdir(incdir)):
        if not h.endswith('.h'):
            continue
        text = strip_c(open(os.path.join(incdir, h)).read())
        depth, stmt = 0, ''
        for ch in text:
            if ch == '{':
                depth += 1
                stmt += ' '
                continue
            if ch == '}':
                depth = max(depth - 1, 0)  # the C++ guard's closing brace
                continue
            if depth:
                continue
            if ch != ';':
                stmt += ch
                continue
            s = ' '.join(stmt.split())
            stmt = ''
            if not s or s.startswith('typedef') or s.startswith('extern "C"'):
                continue
            m = re.search(r'\b(cxlfm_\w+)\s*\(', s)
            if m and not re.search(r'\(\s*\*\s*' + m.group(1), s):
                decl[m.group(1)] = h
                continue
            m = re.match(r'extern\b.*?\b(cxlfm_\w+)\s*(\[|$)', s)
            if m:
                decl[m.group(1)] = h
    return decl


def check_werror(srcdir):
    out = subprocess.run(['meson', 'introspect', '--buildoptions',
                          os.path.join(srcdir, 'meson.build')],
                         check=True, capture_output=True, text=True, cwd=srcdir).stdout
    opts = {o['name']: o['value'] for o in json.loads(out)}
    if opts.get('werror') is not False:
        fail('meson.build: default_options must have werror=false (a distro build '
             'with a newer compiler must not fail on a new warning); make, make check '
             'and CI pass --werror themselves')
    mk = open(os.path.join(srcdir, 'Makefile')).read()
    if not re.search(r'meson setup \$\(BUILD\)[^\n]*--werror', mk):
        fail('Makefile: `meson setup $(BUILD)` must pass --werror (developer builds)')
    chk = open(os.path.join(srcdir, 'scripts', 'check.sh')).read()
    if chk.count('--werror') < 2 or '-Dwerror=true' not in chk:
        fail('scripts/check.sh: both builds must be set up (or reconfigured) with '
             '--werror: make check and CI fail on warnings')


def main():
    srcdir, so, static = sys.argv[1:4]
    listed = listed_names(os.path.join(srcdir, SYM_FILE))
    lset = set(listed)

    exported = nm(['-D', '--defined-only', '--extern-only'], so) - {'LIBCXLFM_0'}
    for n in sorted(exported - lset):
        fail(f'libcxlfm.so exports {n}, which {SYM_FILE} does not list')
    for n in sorted(lset - exported):
        fail(f'{SYM_FILE} lists {n}, which libcxlfm.so does not define: remove the '
             f'line "\t{n};" or define it')

    decl = declared_names(os.path.join(srcdir, 'include', 'cxlfm'))
    for n in sorted(set(decl) - lset):
        fail(f'{n} is declared in include/cxlfm/{decl[n]} but not exported: add the '
             f'line "\t{n};" to the global: list of {SYM_FILE} (sorted)')
    for n in sorted(lset - set(decl)):
        fail(f'{SYM_FILE} lists {n}, which no header in include/cxlfm/ declares: '
             'declare it there or remove it from the list')

    st = nm(['-g', '--defined-only'], static)
    for n in sorted(x for x in st if not x.startswith('cxlfm_')):
        fail(f'libcxlfm.a defines the global {n}: only cxlfm_ names may be global '
             '(src/lib/static-lib.sh localizes what the list does not name)')
    for n in sorted(lset - st):
        fail(f'libcxlfm.a lacks {n}, which {SYM_FILE} lists')
    for n in sorted(x for x in st - lset if x.startswith('cxlfm_')):
        fail(f'libcxlfm.a exports {n}, which {SYM_FILE} does not list')

    check_werror(srcdir)

    print(f'{len(listed)} names listed, {len(exported)} exported by libcxlfm.so, '
          f'{len(st)} global in libcxlfm.a, {len(decl)} declared in include/cxlfm/')
    for p in problems:
        print('ABI: ' + p)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
