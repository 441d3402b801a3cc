#!/bin/sh
# The FM host of the QEMU FM-emulation RFC ("FM emulation in QEMU",
# April 2025), run by cxl-emu: the same CXL topology as the target host
# (its own backing files, no mctp-buf-init), QMP on tcp:localhost:4446, and
# the MCTP endpoint 0x6 forwarding FM API commands for cxl-dcd0 to the
# target host's QMP server (mctp-msg-forward=on,qmp=127.0.0.1:4445).
# Start rfc-target-host.sh first: it creates the shared buffer.
#
# Environment: CXL_EMU (default: cxl-emu on PATH), FM_QMP_PORT (4446),
# TARGET_QMP_PORT (4445), FM_DIR (backing files, default /tmp/fm-host).
# Extra arguments are passed on: --run-dir DIR, --log LEVEL, ...
set -eu
CXL_EMU=${CXL_EMU:-cxl-emu}
FM_QMP_PORT=${FM_QMP_PORT:-4446}
TARGET_QMP_PORT=${TARGET_QMP_PORT:-4445}
FM_DIR=${FM_DIR:-/tmp/fm-host}
mkdir -p "$FM_DIR"

exec "$CXL_EMU" \
  -kernel bzImage \
  -append "root=/dev/sda rw console=ttyS0,115200 ignore_loglevel" \
  -smp 4 -m 4G,maxmem=8G,slots=8 \
  -accel kvm -cpu host \
  -drive file=fm-root.qcow2,format=qcow2,index=0,media=disk,id=hd \
  -netdev user,id=net0,hostfwd=tcp::2223-:22 \
  -device virtio-net-pci,netdev=net0 \
  -nographic -serial mon:stdio \
  -machine q35,cxl=on \
  -qmp "tcp:localhost:${FM_QMP_PORT},server,wait=off" \
  -object "memory-backend-file,id=cxl-mem2,mem-path=${FM_DIR}/t3_cxl2.raw,size=4G,share=on" \
  -object "memory-backend-file,id=cxl-lsa2,mem-path=${FM_DIR}/t3_lsa2.raw,size=512M,share=on" \
  -device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1 \
  -device cxl-rp,port=0,bus=cxl.1,id=cxl_rp_port0,chassis=0,slot=2 \
  -device cxl-upstream,port=2,sn=1234,bus=cxl_rp_port0,id=us0,addr=0.0,multifunction=on \
  -device cxl-switch-mailbox-cci,bus=cxl_rp_port0,addr=0.1,target=us0 \
  -device cxl-downstream,port=0,bus=us0,id=swport0,chassis=0,slot=4 \
  -device cxl-downstream,port=1,bus=us0,id=swport1,chassis=0,slot=5 \
  -device cxl-downstream,port=3,bus=us0,id=swport2,chassis=0,slot=6 \
  -device cxl-type3,bus=swport0,volatile-dc-memdev=cxl-mem2,id=cxl-dcd0,lsa=cxl-lsa2,num-dc-regions=2,sn=99,allow-fm-attach=on \
  -device i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=4,target=us0 \
  -device "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=6,target=cxl-dcd0,mctp-msg-forward=on,qmp=127.0.0.1:${TARGET_QMP_PORT}" \
  -M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G,cxl-fmw.0.interleave-granularity=1k \
  "$@"
