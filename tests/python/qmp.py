# SPDX-License-Identifier: MIT
"""A minimal QMP client for the tests (QEMU's framing: one JSON per line)."""
import json
import socket


class Qmp:
    def __init__(self, port, negotiate=True):
        self.sock = socket.create_connection(('127.0.0.1', port), timeout=10)
        self.f = self.sock.makefile('rwb')
        self.greeting = self._read()
        if negotiate:
            self.execute('qmp_capabilities')

    def send(self, text):
        """One command as text, as a person types it."""
        self.f.write(text.encode() + b'\n')
        self.f.flush()

    def read(self):
        """The next message: a reply or an event."""
        return self._read()

    def _read(self):
        line = self.f.readline()
        if not line:
            raise ConnectionError('QMP connection closed')
        return json.loads(line)

    def execute(self, cmd, args=None):
        """The reply ({"return": ...} or {"error": ...}); events are skipped."""
        msg = {'execute': cmd}
        if args is not None:
            msg['arguments'] = args
        self.f.write(json.dumps(msg).encode() + b'\n')
        self.f.flush()
        while True:
            r = self._read()
            if 'return' in r or 'error' in r:
                return r

    def close(self):
        self.f.close()
        self.sock.close()
