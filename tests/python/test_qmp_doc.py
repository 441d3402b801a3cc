# SPDX-License-Identifier: MIT
"""docs/qmp.md's transcripts are real. The sessions of the sections taken
from a cxl-emu running the RFC target topology (REPLAYED below) are sent
line by line, in order, to such a cxl-emu, and every "<-" line must be what
comes back: replies in order, events whenever they arrive (they are
asynchronous), timestamps and this run's directory and port aside. A reply
the page shortens with "..." is compared up to there.

QMP_DOC_UPDATE=1 rewrites those "<-" lines with what came back instead."""
import json
import os
import re
import unittest

import emu
import qmp

DOC = os.path.join(os.path.dirname(os.environ['EXAMPLES_DIR']), 'docs', 'qmp.md')
REPLAYED = ('Session and generic commands', 'Dynamic capacity (QEMU\'s, qapi/cxl.json)')
# what the page shows for this run's directories and QMP port
DOC_RUN_DIR = '/tmp/cxl-emu-0/tcp-localhost-4445'


def sessions(text):
    """Fenced blocks with "->" lines under a REPLAYED section: [(line no, dir, text)]."""
    out, block, inside, section = [], [], False, None
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith('## '):
            section = line[3:]
        if line.startswith('```'):
            if inside and section in REPLAYED and any(d == '->' for _, d, _ in block):
                out.append(block)
            block, inside = [], not inside
            continue
        if inside and line[:3] in ('-> ', '<- '):
            block.append((n, line[:2], line[3:]))
    return out


def scrub(v, subst):
    if isinstance(v, dict):
        return {k: scrub(x, subst) for k, x in v.items() if k != 'timestamp'}
    if isinstance(v, list):
        return [scrub(x, subst) for x in v]
    if isinstance(v, str):
        for a, b in subst:
            v = v.replace(a, b)
    return v


class Client:
    """Replies in order; events kept aside until the page asks for them."""

    def __init__(self, port, subst):
        self.q = qmp.Qmp(port, negotiate=False)
        self.subst, self.replies, self.events = subst, [], []

    def text(self, msg):
        return json.dumps(scrub(msg, self.subst), separators=(',', ':'))

    def _pull(self):
        m = self.q.read()
        (self.events if 'event' in m else self.replies).append(self.text(m))

    def reply(self):
        while not self.replies:
            self._pull()
        return self.replies.pop(0)

    def event(self, want):
        """The first event matching want (a prefix when shortened), else the next one."""
        for _ in range(50):
            for i, ev in enumerate(self.events):
                if ev.startswith(want):
                    return self.events.pop(i)
            self._pull()
        return self.events[0] if self.events else '(no event)'


class QmpDoc(unittest.TestCase):
    def test_transcripts_are_real(self):
        text = open(DOC).read()
        lines = text.splitlines()
        blocks = sessions(text)
        self.assertGreaterEqual(len(blocks), 3)
        update = os.environ.get('QMP_DOC_UPDATE')
        e = emu.Emu(emu.rfc_target(None, emu.buf_name('doc')), 'doc')
        self.addCleanup(e.stop)
        subst = [(os.path.join(e.dir, 'run'), DOC_RUN_DIR), (e.dir, '/tmp/qd'),
                 (f'127.0.0.1:{e.qmp_port}', '127.0.0.1:4445')]
        c = None
        for block in blocks:
            for n, d, line in block:
                greeting = line.startswith('{"QMP"')
                if greeting or c is None:
                    if c:
                        c.q.close()
                    c = Client(e.qmp_port, subst)
                    if not greeting and not line.startswith('{"execute": "qmp_capabilities"'):
                        c.q.send('{"execute": "qmp_capabilities"}')
                        c.reply()
                if d == '->':
                    c.q.send(line.replace('/tmp/qd', e.dir))
                    continue
                want = re.sub(r',"timestamp":\{[^}]*\}', '', line)
                short = want.split('...', 1)[0] if '...' in want else None
                if greeting:
                    got = c.text(c.q.greeting)
                elif want.startswith('{"event"'):
                    got = c.event(short or want)
                else:
                    got = c.reply()
                if short is not None:
                    ok = got.startswith(short)
                else:
                    ok = got == want
                if update and not ok:
                    lines[n - 1] = '<- ' + got
                    continue
                self.assertEqual(got if short is None else got[:len(short)], short or want,
                                 f'docs/qmp.md:{n}')
        c.q.close()
        if update:
            with open(DOC, 'w') as f:
                f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    unittest.main()
