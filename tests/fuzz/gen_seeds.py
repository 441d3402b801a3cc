#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpora of the stateful fuzz targets whose inputs are
structured (tests/fuzz/fuzz_dev.h and the targets' own headers). Each seed
is a short, meaningful session; the fuzzers mutate from there. Inputs that
once found a bug are kept beside them as regress-* (not generated here);
`make check` replays both.

    tests/fuzz/gen_seeds.py [TARGET...]   (default: all)
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MiB = 1 << 20


def u16(v):
    return struct.pack('<H', v)


def u32(v):
    return struct.pack('<I', v)


def u64(v):
    return struct.pack('<Q', v)


# ---- device targets (fuzz_dev.h records) -----------------------------------

def rec(sel, op, payload=b'', adv=0):
    return bytes([sel, adv]) + u16(op) + u16(len(payload)) + payload


def cci_msg(op, payload=b'', tag=0x11):
    """A whole CCI request message (12-byte header, CXL r3.1 Figure 7-19)."""
    n = len(payload)
    return bytes([0, tag, 0]) + u16(op) + bytes([n & 0xff, (n >> 8) & 0xff, 0]) + \
        b'\0' * 4 + payload


def tunnel(target, inner):
    return bytes([target, 0]) + u16(len(inner)) + inner


def ext(start, length, tag=b'\0' * 16):
    return u64(start) + u64(length) + tag + b'\0' * 8


def dc_add(policy, region, length, exts=(), tag=b'\0' * 16):
    return u16(0) + bytes([policy, region]) + u64(length) + tag + u32(len(exts)) + \
        b''.join(exts)


def dc_release(flags, region, exts=(), tag=b'\0' * 16):
    return u16(0) + bytes([flags, region]) + u64(0) + tag + u32(len(exts)) + b''.join(exts)


def updated(exts):
    return u32(len(exts)) + b'\0' * 4 + b''.join(u64(s) + u64(l) + b'\0' * 8 for s, l in exts)


CEL = bytes.fromhex('0da9c0b5bf414b788f7996b1623b3f17')
HOST, FM, LD0, LD1 = 0, 1, 2, 3
DC0 = 256 * MiB          # region 0 after 256 MiB of volatile capacity
TAG = bytes(range(1, 17))


def t3_seeds():
    cfg = bytes([0x23, 0x01])  # 2 DC regions, 4 LDs; 4 extents at most
    cfg_big = bytes([0x13, 0x80])  # 1 region, more block sizes, default limits
    yield 'identify-all', cfg + b''.join([
        rec(HOST, 0x0001), rec(HOST, 0x4000), rec(HOST, 0x4100),
        rec(HOST, 0x4800, bytes([8, 0])), rec(FM, 0x0001), rec(FM, 0x5600),
        rec(FM, 0x5601, bytes([0, 0, 8, 0])), rec(FM, 0x5400), rec(FM, 0x5401, bytes([0, 16])),
        rec(LD0, 0x0001), rec(LD1, 0x0400)])
    yield 'dc-add-accept-release', cfg + b''.join([
        rec(FM, 0x5604, dc_add(2, 0, 0, [ext(DC0, 2 * MiB), ext(DC0 + 4 * MiB, 4 * MiB)])),
        rec(HOST, 0x0100, bytes([4])),
        rec(HOST, 0x4802, updated([(DC0, 2 * MiB), (DC0 + 4 * MiB, 2 * MiB)])),
        rec(HOST, 0x4801, u32(16) + u32(0)),
        rec(FM, 0x5603, u16(0) + u16(0) + u32(16) + u32(0)),
        rec(FM, 0x5605, dc_release(1, 0, [ext(DC0, 2 * MiB)])),
        rec(HOST, 0x4803, updated([(DC0, 2 * MiB)])),
        rec(HOST, 0x0101, bytes([4, 1, 0, 0, 0, 0]))])
    yield 'dc-free-tag-forced', cfg_big + b''.join([
        rec(FM, 0x5604, dc_add(0, 0, 6 * MiB, tag=TAG)),
        rec(FM, 0x5604, dc_add(1, 0, 2 * MiB, tag=TAG)),
        rec(HOST, 0x4802, updated([(DC0, 6 * MiB)])),
        rec(HOST, 0x4802, updated([])),
        rec(FM, 0x5605, dc_release(0x00, 0, tag=TAG)),
        rec(FM, 0x5605, dc_release(0x30, 0, tag=TAG)),
        rec(FM, 0x5602, bytes([0, 0, 0, 0]) + u64(1 * MiB) + bytes([1, 0, 0, 0]))])
    yield 'mld-alloc-tunnel', cfg + b''.join([
        rec(FM, 0x5402, bytes([4, 0, 0, 0]) + u64(1) + u64(0) + u64(1) + u64(0) +
            u64(0) + u64(1) + u64(0) + u64(0)),
        rec(FM, 0x5401, bytes([0, 4])),
        rec(FM, 0x5300, tunnel(1, cci_msg(0x0001))),
        rec(FM, 0x5300, tunnel(3, cci_msg(0x0401, CEL + u32(0) + u32(8)))),
        rec(FM | 0x80, 0, cci_msg(0x5300, tunnel(2, cci_msg(0x0400)))),
        rec(FM | 0x80, 0, cci_msg(0x5400) + b'\x01')])
    yield 'limits-events-time', bytes([0x15, 0x3f]) + b''.join([
        rec(FM, 0x0004, bytes([8])), rec(FM, 0x0003), rec(FM, 0x0401, CEL + u32(0) + u32(64)),
        rec(HOST, 0x0103, bytes([1, 1, 2, 0, 1])), rec(HOST, 0x0102),
        rec(HOST, 0x0301, u64(1 << 40)), rec(HOST, 0x0300, adv=20),
        rec(FM, 0x5604, dc_add(2, 0, 0, [ext(DC0, 2 * MiB)])),
        rec(FM, 0x5604, dc_add(2, 0, 0, [ext(DC0 + 2 * MiB, 2 * MiB)])),
        rec(HOST, 0x0100, bytes([4]))])

    # 48 accepted extents with gaps between them, then releases that split
    # them: the extent and free trees grow past one leaf (bpt.c).
    many = []
    for g in range(4):
        exts = [ext(DC0 + (g * 24 + 2 * i) * 2 * MiB, 2 * MiB) for i in range(12)]
        many.append(rec(FM, 0x5604, dc_add(2, 0, 0, exts)))
        many.append(rec(HOST, 0x4802, updated([(DC0 + (g * 24 + 2 * i) * 2 * MiB, 2 * MiB)
                                              for i in range(12)])))
    many.append(rec(HOST, 0x0101, bytes([4, 1, 0, 0, 0, 0])))
    many.append(rec(FM, 0x5604, dc_add(0, 0, 64 * MiB)))
    many.append(rec(HOST, 0x4802, updated([])))
    many.append(rec(FM, 0x5605, dc_release(0x11, 0, [ext(DC0 + 4 * MiB, 2 * MiB),
                                                      ext(DC0 + 8 * MiB, 2 * MiB)])))
    many.append(rec(HOST, 0x4801, u32(64) + u32(3)))
    yield 'dc-many-extents', bytes([0x12, 0x00]) + b''.join(many)
    # the MLD's QoS controls, fractions and status (5403h-5409h)
    yield 'mld-qos', cfg + b''.join([
        rec(FM, 0x5403), rec(FM, 0x5404, bytes([0x01, 10, 25, 8]) + u16(100) + bytes([64])),
        rec(FM, 0x5407, bytes([2, 0, 64, 192])), rec(FM, 0x5409, bytes([4, 0, 128, 255, 1, 0])),
        rec(FM, 0x5406, bytes([4, 0])), rec(FM, 0x5408, bytes([2, 2])), rec(FM, 0x5405),
        rec(FM, 0x5404, bytes([0x03, 0, 101, 16]) + u16(0) + bytes([0])),
        rec(FM, 0x5407, bytes([3, 2, 1])), rec(FM, 0x5408, bytes([0, 0]))])
    # persistent capacity and an LSA (c1 bit 6), 2 LDs: the memory device set 40xxh-42xxh
    yield 'memdev-health', bytes([0x01, 0x40]) + b''.join([
        rec(HOST, 0x4000), rec(FM, 0x4100), rec(HOST, 0x4101, u64(1) + b'\0'),
        rec(LD0, 0x4101, u64(0) + b'\1'), rec(HOST, 0x4103, u32(16) + u32(0) + b'label'),
        rec(FM, 0x4102, u32(16) + u32(5)), rec(HOST, 0x4102, u32(0x1fffe) + u32(4)),
        rec(FM, 0x4202, bytes([0x1f, 0x1f, 50, 0]) + u16(30) + u16(12) + u16(0) + u16(0)),
        rec(HOST, 0x4201), rec(HOST, 0x4200), rec(FM, 0x4204, b'\1'), rec(LD1, 0x4203),
        rec(HOST, 0x0100, bytes([1]))])


SW_MBOX, SW_MCTP, MLD_FM, MLD_HOST, MLD_LD1, SLD_FM = range(6)
MLD_DC0 = 256 * MiB


def sw_seeds():
    yield 'identify-ports-vcs', bytes([0x03]) + b''.join([
        rec(SW_MBOX, 0x0001), rec(SW_MBOX, 0x5100),
        rec(SW_MCTP, 0x5101, bytes([6, 0, 1, 2, 3, 4, 9])),
        rec(SW_MCTP, 0x5200, bytes([0, 8, 2, 0, 1])), rec(SW_MCTP, 0x0400)])
    yield 'bind-unbind', bytes([0x53]) + b''.join([
        rec(SW_MCTP, 0x5201, bytes([0, 0, 1, 0]) + u16(2)),
        rec(SW_MCTP, 0x0002),
        rec(SW_MBOX, 0x5201, bytes([0, 1, 2, 0]) + u16(0xffff)),
        rec(SW_MCTP, 0x0002, adv=11),
        rec(SW_MCTP, 0x5200, bytes([0, 4, 1, 0])),
        rec(SW_MCTP, 0x5202, bytes([0, 0, 1])),
        rec(SW_MCTP, 0x0005),
        rec(SW_MCTP, 0x5200, bytes([0, 4, 1, 0]), adv=11)])
    yield 'tunnels', bytes([0x02]) + b''.join([
        rec(SW_MCTP, 0x5300, tunnel(1, cci_msg(0x0001))),
        rec(SW_MCTP, 0x5300, tunnel(1, cci_msg(0x5300, tunnel(1, cci_msg(0x0001))))),
        rec(SW_MCTP, 0x5300, tunnel(2, cci_msg(0x0003))),
        rec(SW_MCTP, 0x5300, tunnel(3, cci_msg(0x0001))),
        rec(SW_MBOX, 0x5300, tunnel(1, cci_msg(0x5604, dc_add(
            2, 0, 0, [ext(MLD_DC0, 2 * MiB)])))),
        rec(MLD_HOST, 0x4802, updated([(MLD_DC0, 2 * MiB)])),
        rec(SW_MCTP | 0x80, 0, cci_msg(0x5300, tunnel(1, cci_msg(0x5603, u16(0) + u16(0) +
                                                               u32(8) + u32(0)))))])
    yield 'perst-reset', bytes([0x21]) + b''.join([
        rec(SW_MBOX, 0x5102, bytes([2, 0])), rec(SW_MBOX, 0x5102, bytes([2, 1])),
        rec(SW_MBOX, 0x5102, bytes([2, 1]), adv=11), rec(SW_MBOX, 0x5102, bytes([2, 2])),
        rec(SW_MCTP, 0x5101, bytes([1, 2])), rec(SW_MCTP, 0x0004, bytes([9])),
        rec(SW_MCTP, 0x0301, u64(5)), rec(MLD_LD1, 0x0001), rec(SLD_FM, 0x0001)])
    # the switch's event logs and domain validation
    yield 'events-dv', bytes([0x53]) + b''.join([
        rec(SW_MBOX, 0x5102, bytes([2, 0])), rec(SW_MCTP, 0x5202, bytes([0, 0, 1])),
        rec(SW_MCTP, 0x0100, bytes([0]), adv=11), rec(SW_MBOX, 0x0100, bytes([0])),
        rec(SW_MCTP, 0x0101, bytes([0, 0, 1, 0, 0, 0]) + u16(1)),
        rec(SW_MBOX, 0x0101, bytes([0, 1, 0, 0, 0, 0])), rec(SW_MBOX, 0x0100, bytes([4])),
        rec(SW_MBOX, 0x0103, bytes([1, 1, 1, 1])), rec(SW_MBOX, 0x0102),
        rec(SW_MCTP, 0x0105, u16(0xffff)), rec(SW_MCTP, 0x0104),
        rec(SW_MBOX, 0x5105, bytes(range(16))), rec(SW_MBOX, 0x5104),
        rec(SW_MCTP, 0x5106, bytes([0])), rec(SW_MCTP, 0x5107, bytes([0])),
        rec(SW_MBOX, 0x5105, bytes(16)), rec(SW_MCTP, 0x5107, bytes([1]))])

    # all vPPBs start unbound (c0 0x40): the FM owns every port and LD
    yield 'cxlio', bytes([0x40]) + b''.join([
        rec(SW_MBOX, 0x5103, bytes([4, 0x00, 0xf0, 0x00]) + u32(0)),
        rec(SW_MCTP, 0x5103, bytes([1, 0xa0, 0x10, 0x80]) + u32(0x10)),
        rec(SW_MCTP, 0x5101, bytes([1, 1])),
        rec(SW_MCTP, 0x5103, bytes([1, 0xa0, 0x10, 0x80]) + u32(0)),
        rec(SW_MCTP, 0x5103, bytes([1, 0xa8, 0xc0, 0x80]) + u32(0x01000000)),
        rec(SW_MBOX, 0x5301, bytes([1, 0x00, 0xf0, 0x00]) + u16(1) + u16(0) + u32(0)),
        rec(SW_MBOX, 0x5301, bytes([1, 0x18, 0xf0, 0x80]) + u16(1) + u16(0) + u32(0)),
        rec(SW_MBOX, 0x5301, bytes([1, 0x1c, 0xf0, 0x80]) + u16(1) + u16(0) + u32(1)),
        rec(SW_MBOX, 0x5301, bytes([1, 0x04, 0xf0, 0x80]) + u16(1) + u16(0) + u32(2)),
        rec(SW_MCTP, 0x5302, bytes([1, 0, 0, 0x80]) + u16(1) + u16(8) + u64(1 << 32) +
            bytes(range(8))),
        rec(SW_MCTP, 0x5302, bytes([1, 0, 0, 0]) + u16(1) + u16(16) + u64(1 << 32)),
        rec(SW_MBOX, 0x5301, bytes([1, 0x94, 0xf1, 0x01]) + u16(0xffff) + u16(0) + u32(0)),
        rec(SW_MBOX, 0x5102, bytes([1, 2]))])


# ---- config: argv, one argument a line --------------------------------------

RFC_SWITCH = [
    '-machine', 'q35,cxl=on', '-qmp', 'tcp:localhost:4445,server,wait=off',
    '-object', 'memory-backend-file,id=cxl-mem2,mem-path=/tmp/h/t3_cxl2.raw,size=4G,share=on',
    '-object', 'memory-backend-file,id=cxl-lsa2,mem-path=/tmp/h/t3_lsa2.raw,size=512M,share=on',
    '-device', 'pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1',
    '-device', 'cxl-rp,port=0,bus=cxl.1,id=cxl_rp_port0,chassis=0,slot=2',
    '-device', 'cxl-upstream,port=2,sn=1234,bus=cxl_rp_port0,id=us0,addr=0.0,multifunction=on',
    '-device', 'cxl-switch-mailbox-cci,bus=cxl_rp_port0,addr=0.1,target=us0',
    '-device', 'cxl-downstream,port=0,bus=us0,id=swport0,chassis=0,slot=4',
    '-device', 'cxl-downstream,port=1,bus=us0,id=swport1,chassis=0,slot=5',
]


def config_seeds():
    yield 'rfc-target', RFC_SWITCH + [
        '-kernel', 'bzImage', '-append', 'root=/dev/sda rw', '-smp', '4',
        '-m', '4G,maxmem=8G,slots=8', '-nographic', '-serial', 'mon:stdio',
        '-device', 'cxl-type3,bus=swport0,volatile-dc-memdev=cxl-mem2,id=cxl-dcd0,'
        'lsa=cxl-lsa2,num-dc-regions=2,sn=99,allow-fm-attach=on,mctp-buf-init=on',
        '-device', 'i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=4,target=us0',
        '-device', 'i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=6,target=cxl-dcd0',
        '-M', 'cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G,cxl-fmw.0.interleave-granularity=1k']
    yield 'rfc-fm-forward', RFC_SWITCH + [
        '-device', 'cxl-type3,bus=swport0,volatile-dc-memdev=cxl-mem2,id=cxl-dcd0,'
        'lsa=cxl-lsa2,num-dc-regions=2,sn=99,allow-fm-attach=on',
        '-device', 'i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=6,target=cxl-dcd0,'
        'mctp-msg-forward=on,qmp=127.0.0.1:4445,mctp-fwd=inline,fwd-timeout=100',
        '-name', 'guest=fm,debug-threads=on', '--log', 'info', '--run-dir', '/tmp/x']
    yield 'mld-pmem-json', [
        '-M', 'q35,cxl=on', '-qmp', 'unix:/tmp/q.sock,server',
        '-object', 'memory-backend-ram,id=v,size=256M',
        '-object', '{"qom-type": "memory-backend-ram", "id": "p", "size": 268435456}',
        '-object', 'memory-backend-ram,id=l,size=1M',
        '-object', 'memory-backend-memfd,id=d,size=1G',
        '-device', 'pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1',
        '-device', 'cxl-rp,port=0,bus=cxl.1,id=rp0,chassis=0,slot=2',
        '-device', '{"driver": "cxl-type3", "bus": "rp0", "id": "m", "volatile-memdev": "v",'
        ' "persistent-memdev": "p", "lsa": "l", "volatile-dc-memdev": "d",'
        ' "num-dc-regions": 4, "num-ld": 4, "x-dc-extents-max": 64, "sn": 5,'
        ' "multifunction": true}',
        '-device', 'virtio-rng-pci,bus=rp0,addr=0.1',
        '-device', 'i2c_mctp_cxl,bus=i2c0,address=0x30,target=m']
    yield 'help', ['-device', 'cxl-type3,help', '-object', 'help', '--version']
    yield 'errors', ['-device', 'cxl-type3,,bogus=1,', '-drive', 'if=none', '-foo']


# ---- qmp_cxl: QMP command lines, #slot HEX, #adv MS ----------------------------

def qmp(cmd, args=None, id=None):
    import json
    m = {'execute': cmd}
    if args is not None:
        m['arguments'] = args
    if id is not None:
        m['id'] = id
    return json.dumps(m)


def b64(data):
    import base64
    return base64.b64encode(data).decode()


def slot(opcode, payload=b'', status=1, len_in=None):
    buf = bytearray(1064)
    struct.pack_into('<I', buf, 0, status)
    buf[8] = opcode >> 8
    buf[9] = opcode & 0xff
    struct.pack_into('<Q', buf, 16, len(payload) if len_in is None else len_in)
    buf[32:32 + len(payload)] = payload
    return '#slot ' + bytes(buf[:32 + len(payload)]).hex()


def qmp_cxl_seeds():
    tag = '4a8b1e2c-0000-4000-8000-000000000001'
    add = {'path': 'mld', 'host-id': 0, 'selection-policy': 'prescriptive', 'region': 0,
           'tag': tag, 'extents': [{'offset': 0, 'len': 2 * MiB},
                                   {'offset': 8 * MiB, 'len': 4 * MiB}]}
    yield 'add-release', [
        qmp('cxl-add-dynamic-capacity', add, id=1),
        qmp('x-cxl-host-agent', {'path': 'mld'}, id='get'),
        qmp('x-cxl-host-agent', {'path': '/machine/peripheral/mld', 'action': 'verify'}),
        qmp('cxl-release-dynamic-capacity', {
            'path': 'mld', 'host-id': 0, 'removal-policy': 'prescriptive', 'region': 0,
            'extents': [{'offset': 0, 'len': 2 * MiB}]}, id=[1, 2]),
        qmp('cxl-release-dynamic-capacity', {
            'path': 'mld', 'host-id': 0, 'removal-policy': 'tag-based', 'region': 0,
            'tag': tag, 'forced-removal': True, 'sanitize-on-release': False,
            'extents': [{'offset': 8 * MiB, 'len': 4 * MiB}]}),
        qmp('x-cxl-host-agent', {'path': 'mld'})]
    yield 'manual-offers', [
        qmp('x-cxl-host-agent', {'path': 'mld', 'action': 'set', 'policy': 'manual',
                                 'delay-ms': 5}),
        qmp('cxl-add-dynamic-capacity', {
            'path': 'mld', 'host-id': 0, 'selection-policy': 'free', 'region': 1,
            'extents': [{'offset': 0, 'len': 6 * MiB}]}),
        '#adv 10',
        qmp('x-cxl-host-agent', {'path': 'mld', 'action': 'accept', 'extents': [
            {'dpa': 512 * MiB, 'len': 2 * MiB}]}),
        qmp('cxl-add-dynamic-capacity', {
            'path': 'mld', 'host-id': 0, 'selection-policy': 'contiguous', 'region': 1,
            'extents': [{'offset': 0, 'len': 2 * MiB}]}),
        '#adv 10',
        qmp('x-cxl-host-agent', {'path': 'mld', 'action': 'reject'}),
        qmp('x-cxl-host-agent', {'path': 'mld', 'action': 'set', 'policy': 'reject'}),
        qmp('cxl-add-dynamic-capacity', add),
        qmp('x-cxl-host-agent', {'path': 'mld', 'action': 'accept'})]
    yield 'inject', [
        qmp('cxl-inject-general-media-event', {
            'path': 'sld', 'log': 'informational', 'flags': 1, 'dpa': 4096,
            'descriptor': 3, 'type': 3, 'transaction-type': 192, 'channel': 1, 'rank': 0,
            'device': 3, 'component-id': 'iras mem'}),
        qmp('cxl-inject-general-media-event', {
            'path': 'mld', 'log': 'dyncap', 'flags': 1, 'dpa': 0, 'descriptor': 0,
            'type': 0, 'transaction-type': 0}),
        qmp('cxl-inject-poison', {'path': 'mld', 'start': 2048, 'length': 256}),
        qmp('cxl-inject-poison', {'path': 'mld', 'start': 2047, 'length': 256}),
        qmp('cxl-inject-poison', {'path': 'nope', 'start': 0, 'length': 64})]
    yield 'health-ras', [
        qmp('x-cxl-health', {'path': 'sld', 'temperature': 40, 'life-used': 80,
                             'health-status': 4, 'media-status': 3}),
        qmp('x-cxl-health', {'path': 'mld', 'media-status': 10}),
        qmp('cxl-inject-dram-event', {
            'path': 'sld', 'log': 'warning', 'flags': 1, 'dpa': 4096, 'descriptor': 1,
            'type': 2, 'transaction-type': 3, 'channel': 1, 'row': 7,
            'correction-mask': [1, 2, 3, 4, 5]}),
        qmp('cxl-inject-memory-module-event', {
            'path': 'mld', 'log': 'fatal', 'flags': 3, 'type': 3, 'health-status': 4,
            'media-status': 0, 'additional-status': 8, 'life-used': 50, 'temperature': -3,
            'dirty-shutdown-count': 1, 'corrected-volatile-error-count': 2,
            'corrected-persistent-error-count': 3}),
        qmp('cxl-inject-uncorrectable-errors', {'path': 'sld', 'errors': [
            {'type': 'mem-data-ecc', 'header': [1, 2]}, {'type': 'internal', 'header': []}]}),
        qmp('cxl-inject-correctable-error', {'path': 'mld', 'type': 'physical'}),
        '#adv 10',
        qmp('x-cxl-host-agent', {'path': 'sld'})]
    yield 'config', [
        qmp('x-cxl-config', {'path': 'us0', 'vppb': 0, 'offset': 0}),
        qmp('x-cxl-config', {'path': 'us0', 'vppb': 1, 'offset': 0xa8}),
        qmp('x-cxl-config', {'path': 'us0', 'vppb': 0, 'offset': 0x18, 'value': 0x030201,
                             'byte-enables': 7}),
        qmp('x-cxl-config', {'path': 'mld', 'ld': 2, 'offset': 0x18, 'value': 0xffffffff}),
        qmp('x-cxl-config', {'path': 'mld', 'ld': 65535, 'offset': 0}),
        qmp('x-cxl-config', {'path': 'sld', 'offset': 0x10c}),
        qmp('x-cxl-config', {'path': 'us0', 'vppb': 9, 'offset': 3}),
        qmp('cxl-process-mctp-message', {'cci-name': 'us0:mctp_cci', 'opcode': 0x5202,
                                         'payload': b64(bytes([0, 0, 1]))}),
        '#adv 200',
        qmp('x-cxl-config', {'path': 'us0', 'vppb': 0, 'offset': 0xa8})]
    ident = u16(0) + u16(0)
    yield 'process-inline', [
        qmp('cxl-process-mctp-message', {'cci-name': '99:oob_mctp_cci', 'opcode': 1,
                                         'payload': ''}),
        qmp('cxl-process-mctp-message', {'cci-name': '99:oob_mctp_cci', 'opcode': 0x5604,
                                         'payload': b64(dc_add(2, 0, 0, [ext(DC0, 2 * MiB)]))}),
        qmp('cxl-process-mctp-message', {'cci-name': '99:oob_mctp_cci', 'opcode': 0x5601,
                                         'payload': b64(bytes([0, 0, 8, 0]))}),
        qmp('cxl-process-mctp-message', {'cci-name': 'us0:mctp_cci', 'opcode': 0x5300,
                                         'payload': b64(tunnel(0, cci_msg(0x5400)))}),
        qmp('cxl-process-mctp-message', {'cci-name': 'us0:mctp_cci', 'opcode': 0x5201,
                                         'payload': b64(bytes([0, 0, 1, 0]) + u16(0xffff))}),
        '#adv 200',
        qmp('cxl-process-mctp-message', {'cci-name': 'nope', 'opcode': 1, 'payload': 'AA=='}),
        qmp('cxl-process-mctp-message', {'cci-name': '99:oob_mctp_cci', 'payload': '!!'})]
    yield 'process-shm', [
        slot(0x0001),
        qmp('cxl-process-mctp-message', {'cci-name': '99:oob_mctp_cci'}),
        slot(0x5600),
        qmp('cxl-process-mctp-message', {'cci-name': '99:oob_mctp_cci', 'slot': 0}),
        qmp('cxl-process-mctp-message', {'cci-name': '99:oob_mctp_cci'}),
        slot(0x5601, ident, len_in=600),
        qmp('cxl-process-mctp-message', {'cci-name': '99:oob_mctp_cci'}),
        slot(0x0001, status=7),
        qmp('cxl-process-mctp-message', {'cci-name': '99:oob_mctp_cci', 'slot': 3})]
    yield 'fabric', [
        qmp('x-cxl-qos', {'path': 'mld', 'load': [90, 70]}),
        qmp('x-cxl-qos', {'path': 'mld', 'load': [255], 'first-ld': 3}),
        qmp('x-cxl-qos', {'path': 'mld', 'load': [1, 2], 'first-ld': 3}),
        qmp('x-cxl-qos', {'path': 'sld', 'load': [150]}),
        qmp('x-cxl-qos', {'path': 'sld'}),
        qmp('x-cxl-mld-port-error', {'path': 'mld', 'type': 'non-fatal'}),
        qmp('x-cxl-mld-port-error', {'path': 'sld', 'type': 'fatal'}),
        qmp('x-cxl-mld-port-error', {'path': 'nope', 'type': 'correctable'})]
    yield 'errors', [
        qmp('cxl-add-dynamic-capacity', {'path': 'mld'}),
        qmp('cxl-add-dynamic-capacity', {
            'path': 'mld', 'host-id': 0, 'selection-policy': 'prescriptive', 'region': 9,
            'tag': 'nope', 'extents': []}),
        qmp('no-such-command', id={'a': None}),
        '[1, 2]', '"text"', qmp('qmp_capabilities'), qmp('query-commands'),
        qmp('x-cxl-host-agent', {'path': 'sld', 'action': 'verify'}),
        qmp('quit', id=7)]


# ---- qmp_client: the fuzzer plays the server ---------------------------------

def qc(op, data=b''):
    if isinstance(data, str):
        data = data.encode()
    assert len(data) < 256
    return bytes([op, len(data)]) + data


QC_SEND, QC_EXEC, QC_CLOCK, QC_DROP, QC_GREET, QC_RENEW = range(6)


def qmp_client_seeds():
    yield 'session', bytes([0]) + b''.join([
        qc(QC_GREET), qc(QC_EXEC, b'\x00query-version'),
        qc(QC_SEND, '{"return": {"qemu": {"major": 9}}, "id": 1}\r\n'),
        qc(QC_EXEC, b'\x00cxl-process-mctp-message'),
        qc(QC_SEND, '{"error": {"class": "GenericError", "desc": "no"}, "id": 2}\r\n'),
        qc(QC_SEND, '{"event": "X_CXL_DC_CHANGE", "data": {"device": "d"}, '
                    '"timestamp": {"seconds": 1, "microseconds": 2}}\r\n'),
        qc(QC_SEND, '{"return": {}, "id": 99}\r\n')])
    yield 'timeout-reconnect', bytes([1]) + b''.join([
        qc(QC_EXEC, b'\x01query-status'), qc(QC_GREET), qc(QC_CLOCK, b'\x00'),
        qc(QC_EXEC, b'\x00query-status'), qc(QC_DROP), qc(QC_CLOCK, b'\x02'),
        qc(QC_GREET), qc(QC_SEND, '{"return": {}, "id": 3}\r\n'),
        qc(QC_SEND, '{"return": {}, "id": 4}\r\n'), qc(QC_CLOCK, b'\x20')])
    yield 'free-in-callback', bytes([2]) + b''.join([
        qc(QC_EXEC, b'\x00a'), qc(QC_EXEC, b'\x00b'), qc(QC_EXEC, b'\x00c'),
        qc(QC_GREET), qc(QC_SEND, '{"return": {}, "id": 2}\r\n'),
        qc(QC_RENEW), qc(QC_GREET), qc(QC_EXEC, b'\x00d'), qc(QC_DROP)])
    yield 'bad-peer', bytes([0]) + b''.join([
        qc(QC_EXEC, b'\x00a'), qc(QC_SEND, '{"return": {}}\r\n'), qc(QC_CLOCK),
        qc(QC_SEND, '{"QMP": {}}\r\n{"error": {"class": "X", "desc": "caps"}}\r\n'),
        qc(QC_CLOCK, b'\x04'), qc(QC_GREET), qc(QC_SEND, '{"return": 1}\r\n'),
        qc(QC_SEND, '{"error": {"class": "GenericError", "desc": "JSON parse error"}}\r\n'),
        qc(QC_SEND, '{"retu'), qc(QC_SEND, 'rn": [], "id": "1"}\r\n[]\r\n{]\r\n')])


# ---- i2c_bus: controllers on the bus socket ------------------------------------

def bus(ctl, op, payload=b''):
    return bytes([(op << 2) | ctl]) + u16(len(payload)) + payload


BUS_RAW, BUS_RECONNECT, BUS_CLOCK, BUS_FRAME = range(4)


def mctp_pkt(dest_eid, src_eid, body, tag=0, to=True):
    return bytes([0x01, dest_eid, src_eid, 0xc0 | (0x08 if to else 0) | tag]) + body


def i2c_bus_seeds():
    get_eid = mctp_pkt(0, 8, bytes([0x00, 0x80, 0x02]))
    cci = mctp_pkt(0, 8, bytes([0x07]) + cci_msg(0x0001))
    common = [
        bus(0, BUS_FRAME, bytes([0x20, 0x20]) + get_eid),   # claim: echoed to itself
        bus(1, BUS_FRAME, bytes([0x20, 0x21]) + cci),        # controller to controller
        bus(0, BUS_FRAME, bytes([0x30, 0x20]) + get_eid),   # nobody: NACK
        bus(2, BUS_FRAME, bytes([0x06, 0x20]) + get_eid),   # 0x20 is taken: dropped
        bus(3, BUS_FRAME, bytes([0x06, 0x04]) + get_eid),   # an endpoint's address
        bus(3, BUS_FRAME, bytes([0x06, 0x22]) + get_eid),   # endpoint answers
        bus(3, BUS_FRAME, bytes([0x04, 0x22]) + cci),
        bus(3, BUS_FRAME, bytes([0x04, 0x23]) + cci),        # not its address
        bus(1, BUS_RAW, bytes([0x41, 0x0f, 0x01, 0x43, 0x00])),  # read bit
        bus(1, BUS_RAW, bytes([0x40, 0x0f])),                # short
        bus(1, BUS_RECONNECT), bus(1, BUS_FRAME, bytes([0x20, 0x21]) + get_eid),
    ]
    yield 'route', bytes([0]) + b''.join(common)
    yield 'route-100k', bytes([1]) + b''.join(common) + bus(0, BUS_CLOCK, b'\0' * 100)
    yield 'wire-1m-reconnect', bytes([3]) + b''.join([
        bus(0, BUS_FRAME, bytes([0x06, 0x10]) + get_eid), bus(0, BUS_RECONNECT),
        bus(1, BUS_FRAME, bytes([0x06, 0x10]) + get_eid), bus(1, BUS_CLOCK, b'\0' * 20),
        bus(2, BUS_FRAME, bytes([0x10, 0x11]) + cci), bus(1, BUS_CLOCK, b'\0' * 200)])


# ---- preload: AF_MCTP socket calls --------------------------------------------

P_NEW, P_BIND, P_SEND, P_RECV, P_OPT, P_IOCTL, P_DELIVER, P_DUP, P_CLOSE, P_MISC = range(10)


def sockaddr_mctp(eid, type_, tag=0, net=1, family=45):
    return u16(family) + u16(0) + u32(net) + bytes([eid, type_, tag, 0])


def sockaddr_mctp_ext(eid, type_, addr, tag=0):
    return sockaddr_mctp(eid, type_, tag) + struct.pack('<i', 100) + bytes([1, 0, 0, 0, addr]) + \
        b'\0' * 31


def p_send(fd, how, name, data):
    return bytes([P_SEND, fd, how, len(name), len(data)]) + name.ljust(52, b'\0')[:52] + data


def p_deliver(fd, eid, type_, tag, haddr, data):
    return bytes([P_DELIVER, fd]) + u32(1) + bytes([eid, type_, tag, haddr, len(data)]) + data


def preload_seeds():
    req = bytes([0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0])
    yield 'bind-send-recv', b''.join([
        bytes([P_NEW, 0]), bytes([P_BIND, 0, 12]) + sockaddr_mctp(0xff, 0x07),
        bytes([P_BIND, 0, 12]) + sockaddr_mctp(0xff, 0x08),
        p_send(0, 0, sockaddr_mctp(9, 0x08, 0x08), req),
        p_send(0, 1, sockaddr_mctp(9, 0x08, 0x18), req),
        p_deliver(0, 9, 0x08, 0x00, 0x06, req),
        p_deliver(0, 9, 0x08, 0x08, 0x06, b'\x01' * 40),
        bytes([P_RECV, 0, 0, 0, 200, 12]), bytes([P_RECV, 0, 1, 1, 8, 4]),
        bytes([P_RECV, 0, 0, 2, 8, 60]), bytes([P_RECV, 0, 2, 0, 8, 0])])
    yield 'ext-options', b''.join([
        bytes([P_NEW, 1]), bytes([P_OPT, 0, 1, 0, 1, 1, 1]), bytes([P_OPT, 0, 0, 0, 1, 1, 0]),
        bytes([P_OPT, 0, 0, 1, 0, 3, 0]), bytes([P_OPT, 0, 1, 0, 2, 0, 1]),
        p_send(0, 0, sockaddr_mctp_ext(9, 0x07, 0x06, 0x08), req),
        p_deliver(0, 9, 0x07, 0x00, 0x06, req), bytes([P_RECV, 0, 1, 0, 100, 60]),
        bytes([P_IOCTL, 0, 0, 0, 0, 0, 0]), bytes([P_IOCTL, 0, 3, 0, 0, 0, 0]),
        bytes([P_IOCTL, 0, 1, 0, 0, 0, 0]), bytes([P_IOCTL, 0, 2, 0x21, 0x54, 0, 0])])
    yield 'dup-close', b''.join([
        bytes([P_NEW, 0]), bytes([P_NEW, 0]), p_deliver(0, 9, 0x08, 0, 6, b'a' * 10),
        bytes([P_DUP, 0, 0]), bytes([P_DUP, 0, 9]), bytes([P_DUP, 0, 2, 1]),
        bytes([P_CLOSE, 0, 0]), bytes([P_RECV, 1, 0, 0, 50, 12]), bytes([P_CLOSE, 1, 1]),
        bytes([P_DUP, 2, 3, 3]), bytes([P_RECV, 2, 3, 0, 50, 0])])
    yield 'misc', b''.join([
        bytes([P_NEW, 0]), bytes([P_MISC, 0, 0, 0, 0]), bytes([P_MISC, 0, 1, 0, 0]),
        bytes([P_MISC, 0, 2, 0, 0]), bytes([P_MISC, 0, 3, 0, 0]),
        bytes([P_MISC, 0, 4, 2, 0]), bytes([P_MISC, 0, 5, 2, 0]), bytes([P_MISC, 0, 4, 1, 0]),
        bytes([P_MISC, 0, 4, 0x42, 0]), bytes([P_MISC, 0, 4, 2, 1]),
        p_send(0, 2, b'', b'x'), p_send(0, 3, b'', b'x'), p_send(0, 4, b'', b'x'),
        p_send(0, 5, sockaddr_mctp(9, 8), b'x'), p_send(0, 0x80, b'', b'x')])


# ---- memdev socket messages (src/proto/memdev_wire.h) -------------------------

def memdev_wire_seeds():
    cel = u16(0x4000) + u16(0) + u16(0x4400) + u16(0x0164)
    hello = bytes([1, 1]) + u16(1) + u32(2048) + u64(0x1234) + u32(len(cel)) + cel
    req = bytes([2, 1]) + u16(0x4102) + u32(7) + u32(8) + u32(0) + u32(64)
    bg = 0x4400 | 50 << 16 | 0 << 32
    rsp = bytes([3, 1]) + u16(0) + u32(7) + u32(4) + u64(bg) + b'LSA!'
    return [('hello', hello), ('request-get-lsa', req), ('response-bg', rsp),
            ('request-empty', bytes([2, 1]) + u16(0x4000) + u32(1) + u32(0))]


TARGETS = {'t3_cci': t3_seeds, 'sw_cci': sw_seeds,
           'config': lambda: ((n, '\n'.join(a).encode()) for n, a in config_seeds()),
           'qmp_client': qmp_client_seeds, 'i2c_bus': i2c_bus_seeds,
           'preload': preload_seeds, 'memdev_wire': memdev_wire_seeds,
           'qmp_cxl': lambda: ((n, '\n'.join(a).encode()) for n, a in qmp_cxl_seeds())}


def main(argv):
    for name in argv or sorted(TARGETS):
        d = os.path.join(HERE, 'corpus', name)
        os.makedirs(d, exist_ok=True)
        for fname, data in TARGETS[name]():
            with open(os.path.join(d, fname), 'wb') as f:
                f.write(data)


if __name__ == '__main__':
    main(sys.argv[1:])
