#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The story of the QEMU FM-emulation RFC, told by a Fabric Manager in Python.

Two cxl-emu hosts run (examples/rfc-target-host.sh, then rfc-fm-host.sh):
the FM is on the FM host's I2C bus, whose endpoint 0x06 forwards FM API
commands to the target host's DCD (docs/forwarding.md). Through it the FM
offers the target host capacity (Initiate Dynamic Capacity Add), sees the
target's OS (cxl-emu's host agent) accept it, lists it, and takes it back
(Initiate Dynamic Capacity Release). With --target-bus the same DCD is read
on the target host's own bus too: both hosts must tell the same story.

    PYTHONPATH=python examples/rfc_story.py --fm-bus FM_BUS_SOCKET [--target-bus T]

Exits 0 when every step happened as told, 1 otherwise.
"""
import argparse
import sys
import time

import cxlfm

MiB = 1 << 20


def wait_for(what, read, cond, timeout_s):
    """Read until cond(value) holds: the host agent answers on its own time."""
    deadline = time.monotonic() + timeout_s
    while True:
        v = read()
        if cond(v):
            return v
        if time.monotonic() > deadline:
            raise SystemExit(f'rfc_story: {what}: not seen within {timeout_s} s (last: {v})')
        time.sleep(0.01)


def extents(ep):
    return [(e.start_dpa, e.length) for e in ep.dc_extents()]


def show(label, ext):
    print(f'  {label}: ' + (', '.join(f'DPA 0x{d:x} +{n // MiB} MiB' for d, n in ext)
                             or 'no extents'))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--fm-bus', required=True, help="the FM host's bus socket")
    ap.add_argument('--target-bus', help="the target host's bus socket (optional)")
    ap.add_argument('--dcd', type=lambda s: int(s, 0), default=0x06,
                    help='I2C address of the DCD endpoint (default 0x06)')
    ap.add_argument('--length', type=int, default=256, help='MiB to add (default 256)')
    ap.add_argument('--timeout', type=float, default=5.0, help='seconds per wait')
    a = ap.parse_args()

    fm = cxlfm.Bus(a.fm_bus)
    print(f'FM host bus {a.fm_bus}: endpoints ' +
          ', '.join(f'0x{e.addr:02x}' for e in fm.discover()))
    dcd = fm.endpoint(a.dcd)
    ident = dcd.identify()
    print(f'endpoint 0x{a.dcd:02x} forwards to the target host: type-3 device, '
          f'serial {ident.serial}')

    target = None
    if a.target_bus:
        tbus = cxlfm.Bus(a.target_bus, own_addr=0x11)
        target = tbus.endpoint(a.dcd)
        tid = target.identify().serial
        print(f'target host bus {a.target_bus}: endpoint 0x{a.dcd:02x} is serial {tid}')
        if tid != ident.serial:
            print('rfc_story: the two hosts name different devices')
            return 1

    info = dcd.get_dcd_info()
    cfg = dcd.get_host_dc_region_config()
    r0 = cfg.regions[0]
    print(f'DCD: {info.num_regions} regions, {info.total_capacity // MiB} MiB; region 0 at '
          f'DPA 0x{r0.base:x}, {r0.length // MiB} MiB, blocks of {r0.block_size // MiB} MiB')

    length = a.length * MiB
    if length % r0.block_size or length > r0.length:
        print(f'rfc_story: {a.length} MiB is not a whole number of blocks within region 0')
        return 1
    start = r0.base
    before = extents(dcd)
    show('before', before)
    if (start, length) in before:
        print('rfc_story: the capacity is already there; release it first')
        return 1

    print(f'add: offering DPA 0x{start:x} +{a.length} MiB to host 0 (prescriptive)')
    dcd.initiate_dc_add(0, policy=cxlfm.DC_SEL_PRESCRIPTIVE, extents=[(start, length)])
    now = wait_for('the target accepting the offer', lambda: extents(dcd),
                   lambda e: (start, length) in e, a.timeout)
    show('accepted, FM host sees', now)
    if target:
        there = wait_for("the target host's own view", lambda: extents(target),
                         lambda e: (start, length) in e, a.timeout)
        show('target host sees', there)
        if sorted(there) != sorted(now):
            print('rfc_story: the hosts disagree')
            return 1

    print(f'release: asking host 0 for DPA 0x{start:x} +{a.length} MiB back')
    dcd.initiate_dc_release(0, policy=cxlfm.DC_RM_PRESCRIPTIVE, extents=[(start, length)])
    after = wait_for('the target releasing it', lambda: extents(dcd),
                     lambda e: (start, length) not in e, a.timeout)
    show('released, FM host sees', after)
    if target:
        show('target host sees', wait_for("the target host's own view", lambda: extents(target),
                                          lambda e: (start, length) not in e, a.timeout))
    print('rfc_story: done')
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except cxlfm.Error as e:
        print(f'rfc_story: {e}', file=sys.stderr)
        sys.exit(1)
