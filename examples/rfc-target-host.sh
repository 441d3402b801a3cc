#!/bin/sh
# The target host of the QEMU FM-emulation RFC ("FM emulation in QEMU",
# April 2025), as its QEMU command line, run by cxl-emu instead: a switch
# (us0, three downstream ports) under root port cxl_rp_port0 of host bridge
# cxl.1, the DCD cxl-dcd0 (sn=99, 2 DC regions on a 4 GiB file) with
# allow-fm-attach and mctp-buf-init, MCTP endpoints 0x4 -> us0 and
# 0x6 -> cxl-dcd0, and QMP on tcp:localhost:4445 for the FM host.
# The VM-only options stay as a QEMU user has them; cxl-emu ignores them
# with one warning each.
#
# Environment: CXL_EMU (default: cxl-emu on PATH), TARGET_QMP_PORT (4445),
# TARGET_DIR (where the backing files go, default /tmp/host).
# Extra arguments are passed on: --run-dir DIR, --log LEVEL, ...
set -eu
CXL_EMU=${CXL_EMU:-cxl-emu}
TARGET_QMP_PORT=${TARGET_QMP_PORT:-4445}
TARGET_DIR=${TARGET_DIR:-/tmp/host}
mkdir -p "$TARGET_DIR"

exec "$CXL_EMU" \
  -kernel bzImage \
  -append "root=/dev/sda rw console=ttyS0,115200 ignore_loglevel cxl_acpi.dyndbg=+fplm" \
  -smp 4 -m 4G,maxmem=8G,slots=8 \
  -accel kvm -cpu host \
  -drive file=target-root.qcow2,format=qcow2,index=0,media=disk,id=hd \
  -netdev user,id=net0,hostfwd=tcp::2222-:22 \
  -device virtio-net-pci,netdev=net0 \
  -nographic -serial mon:stdio \
  -machine q35,cxl=on \
  -qmp "tcp:localhost:${TARGET_QMP_PORT},server,wait=off" \
  -object "memory-backend-file,id=cxl-mem2,mem-path=${TARGET_DIR}/t3_cxl2.raw,size=4G,share=on" \
  -object "memory-backend-file,id=cxl-lsa2,mem-path=${TARGET_DIR}/t3_lsa2.raw,size=512M,share=on" \
  -device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1 \
  -device cxl-rp,port=0,bus=cxl.1,id=cxl_rp_port0,chassis=0,slot=2 \
  -device cxl-upstream,port=2,sn=1234,bus=cxl_rp_port0,id=us0,addr=0.0,multifunction=on \
  -device cxl-switch-mailbox-cci,bus=cxl_rp_port0,addr=0.1,target=us0 \
  -device cxl-downstream,port=0,bus=us0,id=swport0,chassis=0,slot=4 \
  -device cxl-downstream,port=1,bus=us0,id=swport1,chassis=0,slot=5 \
  -device cxl-downstream,port=3,bus=us0,id=swport2,chassis=0,slot=6 \
  -device cxl-type3,bus=swport0,volatile-dc-memdev=cxl-mem2,id=cxl-dcd0,lsa=cxl-lsa2,num-dc-regions=2,sn=99,allow-fm-attach=on,mctp-buf-init=on \
  -device i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=4,target=us0 \
  -device i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=6,target=cxl-dcd0 \
  -M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G,cxl-fmw.0.interleave-granularity=1k \
  "$@"
