# SPDX-License-Identifier: MIT
"""Start and stop cxl-emu for the Python tests: a private run directory, an
ephemeral QMP port, a unique shared-buffer name; the process is killed at
the end whatever happens. Waits for cxl-emu's own "ready" line, no sleeps."""
import ctypes
import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time

CXL_EMU = os.environ.get('CXL_EMU', 'cxl-emu')

# The CXL part of the RFC's two hosts as examples/rfc-target-host.sh and
# rfc-fm-host.sh write it (read from the scripts, so the tests run what the
# examples run): every -machine/-M, -object and -device line, with the
# backing files in the test's own directory, a buffer name of the test's own,
# and an ephemeral QMP port instead of the scripts' fixed ones.
EXAMPLES = os.environ.get('EXAMPLES_DIR', os.path.join(os.path.dirname(__file__), '..', '..',
                                                       'examples'))


def example_args(script, buf, **subst):
    args = []
    for ln in open(os.path.join(EXAMPLES, script)):
        m = re.match(r'\s+(-device|-object|-machine|-M)\s+"?([^"\\]*?)"?\s*\\?$', ln)
        if not m:
            continue
        val = m.group(2)
        for k, v in subst.items():
            val = val.replace('${' + k + '}', v)
        if m.group(1) == '-device' and val.startswith('cxl-type3,'):
            val += f',mctp-buf-name={buf}'
        args += [m.group(1), val]
    return args + ['-qmp', 'tcp:127.0.0.1:0,server=on,wait=off']


def rfc_target(d, buf, extra_t3=''):
    """The target host: switch us0, DCD cxl-dcd0 (creates the buffer), endpoints 0x4, 0x6."""
    args = example_args('rfc-target-host.sh', buf, TARGET_DIR='{dir}')
    return [a + extra_t3 if a.startswith('cxl-type3,') else a for a in args]


def rfc_fm(d, buf, target_port):
    """The FM host: endpoint 0x6 forwards to the target's QMP at target_port."""
    return example_args('rfc-fm-host.sh', buf, FM_DIR='{dir}', TARGET_QMP_PORT=str(target_port))


_PR_SET_PDEATHSIG = 1


def _die_with_test():
    """In the child: SIGKILL when the test process ends, even if a setUpClass
    failed and no tearDown runs (prctl(2) PR_SET_PDEATHSIG)."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class Emu:
    """One cxl-emu process; .buses {name: path}, .qmp_port, .dir (its files)."""

    def __init__(self, args, name='emu', ready_timeout=20.0, extra=()):
        self.dir = tempfile.mkdtemp(prefix=f'cxlfm-py-{name}-')
        run = os.path.join(self.dir, 'run')
        argv = [CXL_EMU, '--run-dir', run] + [a.replace('{dir}', self.dir) for a in args]
        argv += list(extra)
        self.stderr = open(os.path.join(self.dir, 'stderr'), 'w+')
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.stderr,
                                     stdin=subprocess.DEVNULL, preexec_fn=_die_with_test)
        self.buses, self.qmp_port, self.lines = {}, None, []
        deadline = time.monotonic() + ready_timeout
        buf = b''
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f'cxl-emu did not get ready: {self.lines} '
                                   f'stderr: {self.read_stderr()[-2000:]}')
            r, _, _ = select.select([self.proc.stdout], [], [], left)
            if not r:
                continue
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                continue
            buf += chunk
            while b'\n' in buf:
                line, buf = buf.split(b'\n', 1)
                line = line.decode()
                self.lines.append(line)
                f = line.split()
                if line.startswith('cxl-emu: bus '):
                    self.buses[f[2]] = f[3]
                elif line.startswith('cxl-emu: qmp tcp:'):
                    self.qmp_port = int(f[2].rsplit(':', 1)[1])
                elif line == 'cxl-emu: ready':
                    return

    @property
    def bus(self):
        return self.buses['aspeed.i2c.bus.0']

    def read_stderr(self):
        self.stderr.flush()
        with open(self.stderr.name) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        return self.proc.returncode


def buf_name(tag):
    """A shared-buffer name no other test uses (pid + a counter)."""
    buf_name.n = getattr(buf_name, 'n', 0) + 1
    return f'/cxlfm-py-{tag}-{os.getpid()}-{buf_name.n}'
