#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A man page builds into something man(1) renders without a groff warning,
and names everything the program's --help names.

  check_man.py PAGE BINARY            every option of BINARY --help, every
                                      command of its "Commands:" list
  check_man.py PAGE BINARY --cxl-emu  also every -machine property, every
                                      -device driver and property, every
                                      -object type and property, every QMP
                                      command
"""
import os
import re
import subprocess
import sys

# the page generator's readers of --help (docs/man/manpage.py)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'docs',
                                'man'))
sys.dont_write_bytecode = True  # nothing written into the source tree
import manpage  # noqa: E402

problems = []


def render(page):
    env = dict(os.environ, MANWIDTH='400', LC_ALL='C.UTF-8', MAN_KEEP_FORMATTING='')
    # warnings as errors: -ww turns every warning on; any output on stderr fails
    g = subprocess.run(['groff', '-man', '-Tutf8', '-ww', '-z', page], capture_output=True,
                       text=True)
    if g.returncode or g.stderr.strip():
        problems.append(f'groff warns about {page}:\n{g.stderr}')
    m = subprocess.run(['man', '-l', '-P', 'cat', page], capture_output=True, text=True,
                       env=env)
    if m.returncode or m.stderr.strip():
        problems.append(f'man -l {page}: exit {m.returncode}: {m.stderr}')
    text = re.sub(r'.\x08', '', m.stdout)  # overstrike bold/underline, if any
    return text.replace('\u2212', '-').replace('\u2010', '-')


def need(text, word, what):
    if not re.search(r'(?<![\w-])' + re.escape(word) + r'(?![\w-])', text):
        problems.append(f'{what} {word!r} is not in the page')


def help_lines(binary, *args):
    return manpage.run(binary, *args)


section = manpage.section


def main():
    page, binary = sys.argv[1:3]
    text = render(page)
    for sec in ('NAME', 'SYNOPSIS', 'DESCRIPTION'):
        if not re.search(r'^' + sec + r'$', text, re.M):
            problems.append(f'no {sec} section')
    lines = help_lines(binary, '--help')
    for ln in lines:
        m = re.match(r'^ {1,6}(-[^ ].*?)(?:  |$)', ln)
        if not m:
            continue
        for opt in re.findall(r'(?<![\w-])(--?[A-Za-z][\w-]*)', m.group(1)):
            need(text, opt, 'option')
    for ln in section(lines, 'Commands:'):
        need(text, ln.split()[0], 'command')
    if '--cxl-emu' in sys.argv:
        for ln in help_lines(binary, '-machine', 'help')[1:]:
            need(text, ln.split()[0], '-machine property')
        for kind, head in (('-device', 'Devices ('), ('-object', 'Objects (')):
            for ln in section(lines, head):
                if ln.strip().startswith('any other'):
                    continue
                name = ln.split()[0]
                need(text, name, kind)
                for p in help_lines(binary, kind, name + ',help')[1:]:
                    need(text, p.split()[0], f'{kind} {name} property')
        for ln in section(lines, 'QMP commands:'):
            need(text, ln.split()[0], 'QMP command')
    for p in problems:
        print('man: ' + p)
    print(f'{page}: {len(problems)} problem(s)')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
