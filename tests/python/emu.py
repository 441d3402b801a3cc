# SPDX-License-Identifier: MIT
"""Start and stop cxl-emu for the Python tests: a private run directory, an
ephemeral QMP port, a unique shared-buffer name; the process is killed at
the end whatever happens. Waits for cxl-emu's own "ready" line, no sleeps."""
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time

CXL_EMU = os.environ.get('CXL_EMU', 'cxl-emu')

# The RFC target host's CXL part (examples/rfc-target-host.sh) without the
# VM-only options: switch us0 with three downstream ports, DCD cxl-dcd0 below
# swport0, MCTP endpoints 0x4 (switch) and 0x6 (DCD).
RFC_SWITCH = [
    '-machine', 'q35,cxl=on',
    '-object', 'memory-backend-file,id=cxl-mem2,mem-path={dir}/t3_cxl2.raw,size=4G,share=on',
    '-object', 'memory-backend-file,id=cxl-lsa2,mem-path={dir}/t3_lsa2.raw,size=512M,share=on',
    '-device', 'pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1',
    '-device', 'cxl-rp,port=0,bus=cxl.1,id=cxl_rp_port0,chassis=0,slot=2',
    '-device', 'cxl-upstream,port=2,sn=1234,bus=cxl_rp_port0,id=us0,addr=0.0,multifunction=on',
    '-device', 'cxl-switch-mailbox-cci,bus=cxl_rp_port0,addr=0.1,target=us0',
    '-device', 'cxl-downstream,port=0,bus=us0,id=swport0,chassis=0,slot=4',
    '-device', 'cxl-downstream,port=1,bus=us0,id=swport1,chassis=0,slot=5',
    '-device', 'cxl-downstream,port=3,bus=us0,id=swport2,chassis=0,slot=6',
    '-M', 'cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G,cxl-fmw.0.interleave-granularity=1k',
]


def rfc_target(d, buf, extra_t3=''):
    return RFC_SWITCH + [
        '-device', 'cxl-type3,bus=swport0,volatile-dc-memdev=cxl-mem2,id=cxl-dcd0,'
        'lsa=cxl-lsa2,num-dc-regions=2,sn=99,allow-fm-attach=on,mctp-buf-init=on,'
        f'mctp-buf-name={buf}{extra_t3}',
        '-device', 'i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=4,target=us0',
        '-device', 'i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=6,target=cxl-dcd0',
        '-qmp', 'tcp:127.0.0.1:0,server=on,wait=off',
    ]


def rfc_fm(d, buf, target_port):
    return RFC_SWITCH + [
        '-device', 'cxl-type3,bus=swport0,volatile-dc-memdev=cxl-mem2,id=cxl-dcd0,'
        f'lsa=cxl-lsa2,num-dc-regions=2,sn=99,allow-fm-attach=on,mctp-buf-name={buf}',
        '-device', 'i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=4,target=us0',
        '-device', 'i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=6,target=cxl-dcd0,'
        f'mctp-msg-forward=on,qmp=127.0.0.1:{target_port}',
        '-qmp', 'tcp:127.0.0.1:0,server=on,wait=off',
    ]


class Emu:
    """One cxl-emu process; .buses {name: path}, .qmp_port, .dir (its files)."""

    def __init__(self, args, name='emu', ready_timeout=20.0, extra=()):
        self.dir = tempfile.mkdtemp(prefix=f'cxlfm-py-{name}-')
        run = os.path.join(self.dir, 'run')
        argv = [CXL_EMU, '--run-dir', run] + [a.replace('{dir}', self.dir) for a in args]
        argv += list(extra)
        self.stderr = open(os.path.join(self.dir, 'stderr'), 'w+')
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.stderr,
                                     stdin=subprocess.DEVNULL)
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
