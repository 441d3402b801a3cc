#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# THEORY OF OPERATION: start one cxl-emu with the QEMU FM-emulation RFC's
# target host topology (switch us0 with DSPs 0, 1, 3; the DCD cxl-dcd0, sn 99,
# two DC regions, below port 0; MCTP endpoints 0x04 -> us0, 0x06 -> cxl-dcd0),
# plus an MLD (sn 7, 4 LDs) below port 1, in a private run dir with an
# ephemeral QMP port. Then run every cxl-fmctl command against its I2C bus,
# parse the JSON with python3 and check it against what the devices hold
# (the host agent's view over QMP x-cxl-host-agent), and walk the error
# paths: no such bus, an address nobody answers (NACK), a timeout (the
# emulator stopped with SIGSTOP), CXL error codes (named, exit code 3),
# usage errors, --wait giving up. Also runs the libcxlfm example program
# and renders `topology --dot` with Graphviz when dot is installed.
# The BMC commands (health, events decoded, poison, fw) run against the
# DCD on this bus and from a second cxl-emu, the RFC's FM host, whose
# endpoints 0x06 and 0x04 forward to this one (the DCD's shared buffer,
# the switch inline): what they read and change is this host's device.
#
# Environment: FMCTL, CXL_EMU, FM_EXAMPLE (paths of the built programs),
# COMPLETION (contrib/bash-completion/cxl-fmctl, exercised when given).
# Exit 77 = skipped (python3 missing).
set -uo pipefail

FMCTL=${FMCTL:?path of cxl-fmctl}
CXL_EMU=${CXL_EMU:?path of cxl-emu}
FM_EXAMPLE=${FM_EXAMPLE:-}
command -v python3 >/dev/null || { echo "SKIP: python3 not found"; exit 77; }
# The interpreter itself, not a version-manager shim: it runs ~200 times.
PY=$(python3 -c 'import sys; print(sys.executable)')

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cxlfm-fmctl-XXXXXX")
emu_pid=
emu2_pid=
emu3_pid=
fmh_pid=
buf=/cxlfm-fmctl-$$
fails=0
checks=0

cleanup() {
	for p in $fmh_pid $emu_pid $emu2_pid $emu3_pid; do
		kill -CONT "$p" 2>/dev/null
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
	rm -f "/dev/shm${buf}"
}
trap cleanup EXIT

fail() {
	echo "FAIL (line ${BASH_LINENO[1]:-?}): $*" >&2
	fails=$((fails + 1))
}

# run N CMD...: run CMD, stdout in $out, stderr in $err; expect exit code N.
run() {
	local want=$1 rc=0
	shift
	checks=$((checks + 1))
	"$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
	if [ "$rc" != "$want" ]; then
		fail "'$*' exited $rc, expected $want; stderr: $err"
		return 1
	fi
	return 0
}

# check PYTHON: evaluate assertions over the JSON in $out (as d). One python
# process serves every check (its start-up would dominate the test's time).
coproc CHK { "$PY" -I -S -u -c '
import json, sys
while True:
    hdr = sys.stdin.readline()
    if not hdr:
        break
    n_out, n_code = map(int, hdr.split())
    text, code = sys.stdin.read(n_out), sys.stdin.read(n_code)
    try:
        d = json.loads(text)
        exec(code, {"d": d})
        print("ok")
    except Exception as e:
        print("fail: %s %s" % (type(e).__name__, str(e).replace("\n", " ")[:300]))
'; }
check() {
	local reply
	checks=$((checks + 1))
	printf '%d %d\n%s%s' "${#out}" "${#1}" "$out" "$1" >&"${CHK[1]}"
	IFS= read -r reply <&"${CHK[0]}"
	[ "$reply" = ok ] || fail "check failed: $1 -- $reply -- output: ${out:0:400}"
}

# has TEXT: $err (or $out with 'out') contains TEXT.
has() {
	local where=${2:-err}
	checks=$((checks + 1))
	case ${!where} in
	*"$1"*) ;;
	*) fail "$where lacks '$1': ${!where}" ;;
	esac
}

# start_emu VAR_PID VAR_BUS VAR_PORT ARGS...: start cxl-emu, wait for "ready".
start_emu() {
	local pidvar=$1 busvar=$2 portvar=$3 fifo line
	shift 3
	fifo=$tmp/fifo.$RANDOM
	mkfifo "$fifo"
	"$CXL_EMU" "$@" >"$fifo" 2>>"$tmp/emu.err" &
	printf -v "$pidvar" %s $!
	exec {fd}<"$fifo"
	while IFS= read -r -t 10 -u "$fd" line; do
		case $line in
		"cxl-emu: qmp tcp:"*) printf -v "$portvar" %s "${line##*:}" ;;
		"cxl-emu: bus "*) line=${line#cxl-emu: bus }; printf -v "$busvar" %s "${line#* }" ;;
		"cxl-emu: ready") return 0 ;;
		esac
	done
	echo "cxl-emu did not become ready: $(cat "$tmp/emu.err")" >&2
	exit 1
}

# qmp CMD [ARGS-JSON]: one QMP command on the emulator, the "return" as JSON in $out.
qmp() {
	out=$("$PY" - "$qmp_port" "$1" "${2:-{\}}" <<'EOF'
import json, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
f = s.makefile("rw")
f.readline()
def call(cmd, args):
    f.write(json.dumps({"execute": cmd, "arguments": args}) + "\n")
    f.flush()
    while True:
        r = json.loads(f.readline())
        if "return" in r or "error" in r:
            return r
assert "return" in call("qmp_capabilities", {})
r = call(sys.argv[2], json.loads(sys.argv[3]))
if "error" in r:
    sys.exit("QMP error: " + r["error"]["desc"])
print(json.dumps(r["return"]))
EOF
) || fail "QMP $1 failed"
}

run_dir=$tmp/run
mkdir -p "$run_dir"
start_emu emu_pid bus qmp_port --run-dir "$run_dir" \
	-machine q35,cxl=on -m 4G,maxmem=8G,slots=8 -smp 4 -nographic \
	-qmp tcp:127.0.0.1:0,server,wait=off \
	-object "memory-backend-file,id=cxl-mem2,share=on,mem-path=$run_dir/t3_cxl2.raw,size=4G" \
	-object "memory-backend-file,id=cxl-lsa2,share=on,mem-path=$run_dir/t3_lsa2.raw,size=512M" \
	-object memory-backend-ram,id=mld-mem,size=1G \
	-device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1 \
	-device cxl-rp,port=0,bus=cxl.1,id=cxl_rp_port0,chassis=0,slot=2 \
	-device cxl-upstream,port=2,sn=1234,bus=cxl_rp_port0,id=us0,addr=0.0,multifunction=on \
	-device cxl-switch-mailbox-cci,bus=cxl_rp_port0,addr=0.1,target=us0 \
	-device cxl-downstream,port=0,bus=us0,id=swport0,chassis=0,slot=4 \
	-device cxl-downstream,port=1,bus=us0,id=swport1,chassis=0,slot=5 \
	-device cxl-downstream,port=3,bus=us0,id=swport2,chassis=0,slot=6 \
	-device cxl-type3,bus=swport0,volatile-dc-memdev=cxl-mem2,id=cxl-dcd0,lsa=cxl-lsa2,num-dc-regions=2,sn=99,allow-fm-attach=on,mctp-buf-init=on,mctp-buf-name=$buf \
	-device cxl-type3,bus=swport1,volatile-memdev=mld-mem,id=mld0,num-ld=4,sn=7 \
	-device i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=4,target=us0 \
	-device i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=6,target=cxl-dcd0 \
	-M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G,cxl-fmw.0.interleave-granularity=1k
[ -S "$bus" ] || { echo "no bus socket: $bus" >&2; exit 1; }
F=("$FMCTL" --bus "$bus" --json)

# ---- help and usage ----
run 0 "$FMCTL" --help && has "Commands:" out
for c in list identify bg ports vcs bind unbind port-control events cel raw topology \
	"switch info" "ld info" "ld alloc" "dcd info" "dcd config" "dcd set-config" \
	"dcd extents" "dcd add" "dcd release" health "poison list" "poison inject" \
	"poison clear" "poison scan" "poison scan-results" "fw info" "fw update" "fw activate" \
	"qos control" "qos status" "qos alloc" "qos limit" dv config-read config-write mem-read mem-write; do
	# shellcheck disable=SC2086
	run 0 "$FMCTL" $c --help && has "Usage: cxl-fmctl" out
done
run 0 "$FMCTL" dcd --help && has "set-config" out
run 1 "$FMCTL"
run 1 "$FMCTL" no-such-command && has "unknown command"
run 1 "${F[@]}" list --no-such-option
run 1 "${F[@]}" dcd add --extent 0:2M && has "--region is required"
run 1 "${F[@]}" dcd add --region 0 --extent 5 && has "bad value"
run 1 "${F[@]}" dcd bogus && has "unknown sub-command"
run 1 "${F[@]}" raw zz && has "expected OPCODE"
run 1 "${F[@]}" --addr 0x80 identify

# ---- bash completion ----
if [ -n "${COMPLETION:-}" ]; then
	comp() {
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMPREPLY=()
		_cxl_fmctl
		out="${COMPREPLY[*]}"
	}
	# shellcheck source=/dev/null
	. "$COMPLETION"
	comp cxl-fmctl d && has dcd out
	comp cxl-fmctl dcd "" && has set-config out
	comp cxl-fmctl dcd release --policy "" && has tag-based out
	comp cxl-fmctl --bus x events --log "" && has dyncap out && has all out
	comp cxl-fmctl poison "" && has scan-results out
	comp cxl-fmctl poison scan --n && has --no-event-log out
	comp cxl-fmctl fw activate --o && has --on-reset out
	comp cxl-fmctl health --c && has --cor-volatile-warn out
	comp cxl-fmctl qos "" && has limit out
	comp cxl-fmctl qos control set --egress-congestion "" && has off out
	comp cxl-fmctl mem-read -- && has --chunk out
fi

# ---- list and identify ----
run 0 "${F[@]}" list
check '
assert [e["address"] for e in d] == [4, 6], d
sw, dcd = d
assert sw["component_type"] == "switch" and sw["serial"] == 1234 and sw["num_ports"] == 4
assert sw["vendor_id"] == "0x19e5" and sw["bound_vppbs"] == 4 and sw["eid"] >= 8
assert dcd["component_type"] == "type3" and dcd["serial"] == 99
assert dcd["vendor_id"] == "0x8086" and dcd["device_id"] == "0x0d93"
assert dcd["dc_regions"] == 2 and dcd["dc_capacity"] == 4 << 30
assert 7 in dcd["message_types"] and 8 in dcd["message_types"]'
run 0 "${F[@]}" list --type switch && check 'assert len(d) == 1 and d[0]["address"] == 4'
run 0 "${F[@]}" list --addr 0x06 && check 'assert len(d) == 1 and d[0]["serial"] == 99'
run 0 "$FMCTL" --bus "$bus" --human list && has "0x04" out && has "4 GiB" out
run 0 "${F[@]}" identify && check 'assert [e["serial"] for e in d] == [1234, 99]'
run 0 "${F[@]}" identify --addr 6 && check 'assert d["serial"] == 99 and d["component_type"] == "type3"'
# EIDs are handed out by this run's discovery, in address order, as `list` shows
run 0 "${F[@]}" list
eid=$(printf '%s' "$out" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[1]["eid"])')
run 0 "${F[@]}" identify --eid "$eid" && check 'assert d["address"] == 6'
run 4 "${F[@]}" identify --eid 200 && has "no endpoint with EID 200"
run 0 "${F[@]}" identify --tunnel 0 && check '
assert d["serial"] == 99 and d["tunnel"] == {"port": 0, "ld": None} and d["address"] == 4'
run 0 "${F[@]}" identify --tunnel 1:2 && check 'assert d["serial"] == 7'
run 0 "${F[@]}" bg && check 'assert d["running"] is False'

# ---- switch ----
run 0 "${F[@]}" switch info && check '
assert d["num_ports"] == 4 and d["active_ports"] == [0, 1, 2, 3] and d["active_vcs"] == [0]
assert d["total_vppbs"] == 4 and d["bound_vppbs"] == 4'
run 0 "${F[@]}" ports && check '
p = {x["port_id"]: x for x in d}
assert sorted(p) == [0, 1, 2, 3]
assert p[2]["config_state"] == "usp"
assert p[0]["device_type"] == "cxl-type3-sld" and p[0]["present"] and p[0]["ltssm_state"] == "l0"
assert p[1]["device_type"] == "cxl-type3-mld"
assert p[3]["device_type"] == "none" and not p[3]["present"]'
run 0 "${F[@]}" ports 3 9 && check '
assert [x["port_id"] for x in d] == [3, 9] and d[1]["config_state"] == "invalid-port-id"'
run 0 "${F[@]}" vcs && check '
v = d[0]
assert v["vcs_id"] == 0 and v["state"] == "enabled" and v["usp_id"] == 2 and v["num_vppbs"] == 3
assert [(b["status"], b["port_id"], b["ld_id"]) for b in v["vppbs"]] == \
    [("bound-port", 0, None), ("bound-ld", 1, 0), ("bound-port", 3, None)]'
run 0 "${F[@]}" unbind --vppb 2 --option managed && check '
assert d["completed"] and d["background"] and d["rc"] == 0 and d["option"] == "managed"'
run 0 "${F[@]}" vcs 0 && check 'assert d[0]["vppbs"][2] == {"vppb": 2, "status": "unbound", "port_id": None, "ld_id": None}'
run 0 "${F[@]}" switch bind --vppb 2 --port 3 && check 'assert d["completed"] and d["rc_name"] == "Success"'
run 0 "${F[@]}" vcs && check 'assert d[0]["vppbs"][2]["status"] == "bound-port" and d[0]["vppbs"][2]["port_id"] == 3'
run 3 "${F[@]}" bind --vppb 2 --port 3 && has "Bind vPPB (5201h): Invalid Input (0x02)" && has "ep 0x04"
run 0 "${F[@]}" unbind --vppb 0 --no-wait && check 'assert d["background"] and not d["completed"]'
for _ in $(seq 100); do
	run 0 "${F[@]}" bg
	printf '%s' "$out" | "$PY" -c 'import json,sys; sys.exit(json.load(sys.stdin)["running"])' && break
done
check 'assert d["opcode"] == "0x5202" and d["opcode_name"] == "Unbind vPPB" and d["rc"] == 0'
run 0 "${F[@]}" bind --vppb 0 --port 0 --wait-timeout 5000 && check 'assert d["completed"]'
run 0 "${F[@]}" port-control 3 assert-perst && check 'assert d["operation"] == "assert-perst"'
run 0 "${F[@]}" ports 3 && check 'assert d[0]["perst"] is True'
run 3 "${F[@]}" port-control 3 reset-ppb && has "Physical Port Control (5102h): Internal Error"
run 3 "${F[@]}" port-control 42 reset-ppb && has "Invalid Input"
run 1 "${F[@]}" port-control 3 explode
# the switch logged each change for the FM (CXL r3.1 7.6.8): the unbinds and binds, PERST#
# (three records fit a 512-byte MCTP response: --clear reads and clears until none is left)
run 0 "${F[@]}" events --addr 4 --log info --clear && check '
r = d["records"]
assert [x["kind"] for x in r] == ["virtual-switch"] * 4 + ["physical-switch"]
assert not d["more_records"] and d["cleared"] == 5
e = [x["switch_event"] for x in r]
assert (e[0]["type"], e[0]["vppb_id"], e[0]["binding_status"]) == ("binding-change", 2, "unbound")
assert (e[1]["binding_status"], e[1]["port_id"]) == ("bound-port", 3)
assert (e[2]["vppb_id"], e[2]["binding_status"]) == (0, "unbound")
assert (e[3]["vppb_id"], e[3]["binding_status"], e[3]["port_id"]) == (0, "bound-port", 0)
assert e[4]["type"] == "link-state-change" and e[4]["port_id"] == 3 and e[4]["perst"]
assert e[4]["slot_status"] == "0x0100" and not e[4]["present"]'
run 0 "${F[@]}" events --addr 4 --log info && check 'assert d["records"] == []'
run 3 "${F[@]}" events --addr 4 --log dyncap && has "Get Event Records (0100h): Invalid Input"
# domain validation: the host sets its secret value through the switch mailbox CCI
run 0 "${F[@]}" dv && check 'assert d == {"vcs_id": 0, "secret_value_set": False, "secret_value": None}'
qmp x-cxl-mailbox '{"path": "us0", "opcode": 20741, "payload": "AAECAwQFBgcICQoLDA0ODw=="}'
check 'assert d["ret-val"] == 0'
run 0 "${F[@]}" dv && check '
assert d["secret_value_set"] and d["secret_value"] == "00010203-0405-0607-0809-0a0b0c0d0e0f"'
run 3 "${F[@]}" dv --vcs 1 && has "Get VCS Domain Validation SV State (5106h): Invalid Input"

# ---- MLD (behind port 1, through the switch) ----
run 0 "${F[@]}" ld info --tunnel 1 && check 'assert d == {"memory_size": 1 << 30, "ld_count": 4, "qos_telemetry_caps": 3}'
run 0 "${F[@]}" ld alloc --tunnel 1 && check '
assert d["num_lds"] == 4 and d["granularity"] == 256 << 20
assert [(a["ld"], a["range1"], a["range2"]) for a in d["allocations"]] == [(i, 1, 0) for i in range(4)]'
run 0 "${F[@]}" ld alloc set --tunnel 1 --start 1 2 0:0 && check '
assert [(a["ld"], a["range1"], a["size"]) for a in d["allocations"]] == [(1, 2, 512 << 20), (2, 0, 0)]'
run 0 "${F[@]}" ld alloc --tunnel 1 --start 1 --limit 2 && check '
assert d["start_ld"] == 1 and [a["range1"] for a in d["allocations"]] == [2, 0]'
run 3 "${F[@]}" ld alloc set --tunnel 1 9:9 && has "Set LD Allocations (5402h): Invalid Input"
run 3 "${F[@]}" ld info --addr 6 && has "Get LD Info (5400h): Unsupported (0x03)"

# ---- MLD QoS (docs/qos.md): controls, fractions, the status the load model gives ----
run 0 "${F[@]}" qos control --tunnel 1 && check '
assert d == {"egress_congestion": False, "throughput_reduction": False, "moderate_pct": 10,
             "severe_pct": 25, "sample_interval": 8, "reqcmp_basis": 0, "completion_interval": 64}'
run 0 "${F[@]}" qos control set --tunnel 1 --egress-congestion on --reqcmp-basis 100 \
	&& check 'assert d["egress_congestion"] and d["reqcmp_basis"] == 100 and d["severe_pct"] == 25'
run 0 "${F[@]}" qos limit set --tunnel 1 128 255 255 255 && check '
assert d["start_ld"] == 0 and [x["fraction"] for x in d["lds"]] == [128, 255, 255, 255]
assert d["lds"][0]["percent"] == 50.0'
run 0 "${F[@]}" qos alloc set --tunnel 1 --start 2 64 && check '
assert d == {"start_ld": 2, "lds": [{"ld": 2, "fraction": 64, "percent": 25.0}]}'
run 0 "${F[@]}" qos alloc --tunnel 1 && check 'assert [x["fraction"] for x in d["lds"]] == [0, 0, 64, 0]'
run 0 "${F[@]}" qos limit --tunnel 1 --start 1 --count 2 && check '
assert [(x["ld"], x["fraction"]) for x in d["lds"]] == [(1, 255), (2, 255)]'
run 0 "${F[@]}" qos status --tunnel 1 && check 'assert d == {"backpressure_pct": 0}'
# 80 % + 60 %, LD0 limited to 1/2 of ReqCmpBasis 100: 5000 + 6000 bp, round(100 * 1000 / 11000) = 9
qmp x-cxl-qos '{"path": "mld0", "load": [80, 60]}'
run 0 "${F[@]}" qos status --tunnel 1 && check 'assert d == {"backpressure_pct": 9}'
run 3 "${F[@]}" qos control set --tunnel 1 --severe 0 && has "Set QoS Control (5404h): Invalid Input"
run 3 "${F[@]}" qos alloc --tunnel 1 --count 16 && has "Get QoS Allocated BW (5406h): Invalid Input"
run 1 "${F[@]}" qos alloc set --tunnel 1 256 && has "bad fraction"
run 1 "${F[@]}" qos control --tunnel 1 --moderate 5 && has "qos control set"
run 3 "${F[@]}" qos status --addr 6 && has "Get QoS Status (5405h): Unsupported (0x03)"

# ---- CXL.io through the switch (5103h, 5301h, 5302h) ----
# port 3 is bound to vPPB 2: its PPB is the host's; the MLD port 1 is the FM's
run 3 "${F[@]}" config-read --port 3 0 && has "Send PPB CXL.io Configuration Request (5103h): Invalid Input"
run 0 "${F[@]}" config-read --port 1 0 8 && check '
assert d == {"port": 1, "offset": "0x000", "values": ["0xa12919e5", "0x00100000"]}'
run 0 "${F[@]}" config-write --port 1 0x18 0xaabbccdd && check '
assert d["written"] == "0xaabbccdd" and d["value"] == "0x00bbccdd" and d["byte_enables"] == "0xf"'
run 0 "${F[@]}" config-write --port 1 --be 1 0x18 0x11 && check 'assert d["value"] == "0x00bbcc11"'
# LD 1 has 2 x 256 MiB since ld alloc set above; the FM-owned LD's MLD DVSEC: 4 LDs
run 0 "${F[@]}" config-read --port 1 --ld 1 0x128 && check 'assert d["ld"] == 1 and d["values"] == ["0x2000004b"]'
run 0 "${F[@]}" config-read --port 1 --ld fmld 0x194 && check 'assert d["ld"] == 65535 and d["values"] == ["0x00040009"]'
run 3 "${F[@]}" config-read --port 1 --ld 0 0 && has "Send LD CXL.io Configuration Request (5301h): Invalid Input"
run 0 "${F[@]}" config-write --port 1 --ld 1 0x1c 1
run 0 "${F[@]}" config-write --port 1 --ld 1 0x04 2 && check 'assert d["value"] == "0x00100002"'
pat=$("$PY" -c 'print(bytes((i * 5 + 1) & 0xff for i in range(600)).hex())')
run 0 "${F[@]}" mem-write --port 1 --ld 1 0x100000010 "$pat" && check '
assert d == {"port": 1, "ld": 1, "address": "0x100000010", "length": 600, "returned": 600}'
run 0 "${F[@]}" mem-read --port 1 --ld 1 --chunk 100 0x100000010 600 && check "
assert d['returned'] == 600 and d['data'] == '$pat'"
qmp x-cxl-mem '{"path": "mld0", "ld": 1, "dpa": 16, "length": 8}'
check 'import base64; assert base64.b64decode(d["data"]).hex() == "01060b10151a1f24"'
run 3 "${F[@]}" mem-read --port 1 --ld 1 0x200000000 8 && has "Send LD CXL.io Memory Request (5302h): Invalid Input"
run 3 "${F[@]}" mem-read --port 1 --ld 1 --chunk 4096 0x100000000 4096 && has "Invalid Input"
run 1 "${F[@]}" config-read 0 && has "--port is required"
run 1 "${F[@]}" mem-read --port 1 0 8 && has "--ld is required"
run 1 "${F[@]}" config-read --port 1 0x13 && has "bad OFFSET"
run 1 "${F[@]}" mem-write --port 1 --ld 1 0 zz && has "bad HEX"

# ---- DCD ----
run 0 "${F[@]}" dcd info && check '
assert d["num_hosts"] == 1 and d["num_regions"] == 2 and d["total_capacity"] == 4 << 30
assert "prescriptive" in d["add_policies"] and "prescriptive" in d["release_policies"]
assert d["regions"][1]["block_sizes"] == [2 << 20]'
run 0 "${F[@]}" dcd config && check '
r = d["regions"]
assert d["num_regions"] == 2 and [g["base"] for g in r] == [0, 2 << 30]
assert all(g["length"] == 2 << 30 and g["block_size"] == 2 << 20 for g in r)
assert d["extents_supported"] == 512 and d["extents_available"] == 512'
run 0 "${F[@]}" dcd extents && check 'assert d["total"] == 0 and d["extents"] == []'
run 0 "${F[@]}" dcd add --region 1 --extent 0:128M --extent 256M:64M --wait && check '
assert d["accepted"] and d["offered"] and d["policy"] == "prescriptive"
assert [(e["dpa"], e["length"]) for e in d["extents"]] == [(2 << 30, 128 << 20), ((2 << 30) + (256 << 20), 64 << 20)]'
run 0 "${F[@]}" dcd extents && check '
assert d["total"] == 2
assert [(e["region"], e["offset"], e["length"]) for e in d["extents"]] == [(1, 0, 128 << 20), (1, 256 << 20, 64 << 20)]'
fm_view=$out
qmp x-cxl-host-agent '{"path": "cxl-dcd0"}'
host_view=$out
out=$(printf '{"fm": %s, "host": %s}' "$fm_view" "$host_view")
check '
fm = sorted((e["dpa"], e["length"]) for e in d["fm"]["extents"])
host = sorted((e["dpa"], e["len"]) for e in d["host"]["extents"])
assert fm == host, (fm, host)
assert d["fm"]["generation"] == d["host"]["generation"]'
run 0 "${F[@]}" dcd extents --region 0 && check 'assert d["extents"] == []'
run 3 "${F[@]}" dcd add --region 1 --extent 1M:1M
has "Initiate Dynamic Capacity Add (5604h)" && has "ep 0x06 (EID"
run 1 "${F[@]}" dcd add --region 5 --extent 0:2M && has "no region 5"
run 0 "${F[@]}" dcd release --region 1 --extent 0:128M --wait && check '
assert d["released"] and d["requested"] and not d["forced"]'
qmp x-cxl-host-agent '{"path": "cxl-dcd0"}'
check 'assert [(e["dpa"], e["len"]) for e in d["extents"]] == [((2 << 30) + (256 << 20), 64 << 20)]'
# through the switch's tunnel to the same device
run 0 "${F[@]}" dcd add --tunnel 0 --region 0 --extent 2M:2M --wait && check 'assert d["accepted"]'
run 0 "${F[@]}" dcd extents --tunnel 0 --region 0 && check '
assert [(e["dpa"], e["length"]) for e in d["extents"]] == [(2 << 20, 2 << 20)]'
# free selection with a tag, tag-based release
tag=4a3c1b2e-0000-4000-8000-00000000c0de
run 0 "${F[@]}" dcd add --region 0 --policy free --length 8M --tag $tag --wait && check '
assert d["accepted"] and d["policy"] == "free" and d["length"] == 8 << 20 and d["tag"] == "'$tag'"'
run 0 "${F[@]}" dcd extents --region 0 && check '
assert sum(e["length"] for e in d["extents"] if e["tag"] == "'$tag'") == 8 << 20'
run 0 "${F[@]}" dcd release --region 0 --policy tag-based --tag $tag --wait && check 'assert d["released"]'
run 1 "${F[@]}" dcd release --region 0 --policy tag-based && has "needs --tag"
# forced release: gone without the host
run 0 "${F[@]}" dcd release --region 0 --extent 2M:2M --forced --wait && check 'assert d["forced"] and d["released"]'
qmp x-cxl-host-agent '{"path": "cxl-dcd0"}'
check 'assert d["stats"]["forced"] >= 1 and all(e["dpa"] >= 2 << 30 for e in d["extents"])'
# a host that declines: --wait gives up with exit code 5
qmp x-cxl-host-agent '{"path": "cxl-dcd0", "action": "set", "policy": "reject"}'
run 5 "${F[@]}" dcd add --region 0 --extent 64M:2M --wait --wait-timeout 300 && has "did not accept"
check 'assert d["accepted"] is False'
qmp x-cxl-host-agent '{"path": "cxl-dcd0", "action": "set", "policy": "accept"}'
# region configuration
run 0 "${F[@]}" dcd set-config --region 0 --block-size 2M && check '
assert d["region"] == 0 and d["block_size"] == 2 << 20 and not d["sanitize_on_release"]'
run 3 "${F[@]}" dcd set-config --region 0 --block-size 4K && has "Set DC Region Configuration (5602h): Invalid Input"
run 3 "${F[@]}" dcd set-config --region 1 --block-size 2M && has "Unsupported"
run 0 "$FMCTL" --bus "$bus" --human dcd extents && has "64 MiB" out && has "0x90000000" out

# ---- events, raw, cel ----
# the FM-owned LD reads the device's event logs (the host agent has cleared the DC records)
run 0 "${F[@]}" events --log dyncap && check '
assert d["log"] == "dyncap" and d["records"] == [] and d["cleared"] == 0'
run 0 "${F[@]}" events --log info && check 'assert d["log"] == "informational" and not d["overflow"]'
run 1 "${F[@]}" events --log bogus
run 0 "${F[@]}" raw 0001 --addr 0x06 && check '
assert d["rc"] == 0 and d["length"] == 18 and d["name"] == "Identify"
b = bytes.fromhex(d["payload"])
assert b[0:2] == bytes([0x86, 0x80]) and int.from_bytes(b[8:16], "little") == 99 and b[17] == 3'
run 0 "${F[@]}" raw 5600h && check 'assert d["length"] == 84 and bytes.fromhex(d["payload"])[1] == 2'
run 0 "${F[@]}" raw 0x5101 "01 03" && check 'assert bytes.fromhex(d["payload"])[4] == 3'
run 3 "${F[@]}" raw 4800 08 00 --addr 6 && has "Unsupported (0x03)"
check 'assert d["rc"] == 3 and d["rc_name"] == "Unsupported" and d["length"] == 0'
run 3 "${F[@]}" raw 0001 ff --addr 6 && has "Invalid Payload Length"
run 0 "$FMCTL" --bus "$bus" --human raw 0001 --addr 4 && has "Success (0x00)" out
run 0 "${F[@]}" cel --addr 6 && check '
ops = {e["opcode"]: e for e in d}
assert "0x5604" in ops and "0x0001" in ops and "0x5200" not in ops
assert "immediate-data-change" in ops["0x5604"]["effect_names"]'
run 0 "${F[@]}" cel --addr 4 && check '
ops = {e["opcode"]: e for e in d}
assert "background-operation" in ops["0x5201"]["effect_names"] and "0x5604" not in ops'

# ---- topology ----
run 0 "${F[@]}" topology && check '
assert [e["address"] for e in d["endpoints"]] == [4, 6]
s = d["switches"][0]
assert s["serial"] == 1234 and s["endpoints"] == [4] and len(s["ports"]) == 4
dev = {x["serial"]: x for x in d["devices"]}
assert dev[99]["endpoints"] == [6] and dev[99]["port"] == 0 and dev[99]["switch_serial"] == 1234
assert len(dev[99]["regions"]) == 2 and dev[99]["regions"][1]["extents"] == 1
assert dev[99]["regions"][1]["accepted_bytes"] == 64 << 20
assert dev[7]["port"] == 1 and dev[7]["ld_count"] == 4 and dev[7]["endpoints"] == []'
run 0 "${F[@]}" topology --dot && has "digraph" out && has "DC region 1" out
if command -v dot >/dev/null; then
	printf '%s\n' "$out" >"$tmp/topo.dot"
	run 0 dot -Tsvg "$tmp/topo.dot" -o "$tmp/topo.svg" && grep -q "<svg" "$tmp/topo.svg" ||
		fail "dot did not render an SVG"
else
	echo "note: Graphviz dot not installed, topology rendering not checked"
fi

# bg_done CMD...: run a `bg` command until it says nothing runs (its JSON in $out).
bg_done() {
	for _ in $(seq 200); do
		run 0 "$@"
		printf '%s' "$out" | "$PY" -c 'import json,sys; sys.exit(json.load(sys.stdin)["running"])' &&
			return 0
	done
	fail "'$*' still says running"
}

# ---- the BMC's commands: here and from the RFC's FM host ----
# The FM host: the same switch and DCD (sn 99), its 0x06 forwarding to this host's DCD
# through the shared buffer, its 0x04 to this host's switch (inline): G reaches THIS
# host's devices, as F does.
fmrun=$tmp/fmhost
mkdir -p "$fmrun"
start_emu fmh_pid fbus fport --run-dir "$fmrun" \
	-machine q35,cxl=on -qmp tcp:127.0.0.1:0,server,wait=off \
	-object "memory-backend-file,id=cxl-mem2,share=on,mem-path=$fmrun/t3_cxl2.raw,size=4G" \
	-device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1 \
	-device cxl-rp,port=0,bus=cxl.1,id=cxl_rp_port0,chassis=0,slot=2 \
	-device cxl-upstream,port=2,sn=1234,bus=cxl_rp_port0,id=us0,addr=0.0,multifunction=on \
	-device cxl-downstream,port=0,bus=us0,id=swport0,chassis=0,slot=4 \
	-device cxl-type3,bus=swport0,volatile-dc-memdev=cxl-mem2,id=cxl-dcd0,num-dc-regions=2,sn=99,allow-fm-attach=on,mctp-buf-name=$buf \
	-device "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=4,target=us0,mctp-msg-forward=on,qmp=127.0.0.1:$qmp_port" \
	-device "i2c_mctp_cxl,bus=aspeed.i2c.bus.0,address=6,target=cxl-dcd0,mctp-msg-forward=on,qmp=127.0.0.1:$qmp_port"
G=("$FMCTL" --bus "$fbus" --json)
# the guest stops: its host agent leaves the event records to the BMC until cont
qmp stop

# health: what x-cxl-health sets here, read from the FM host, directly and through the switch
qmp x-cxl-health '{"path": "cxl-dcd0", "temperature": 41, "life-used": 80, "corrected-volatile-error-count": 12}'
run 0 "${G[@]}" health --addr 6 && check '
assert d["temperature"] == 41 and d["life_used_percent"] == 80
assert d["temperature_status"] == "critical" and d["life_used_status"] == "critical"
assert d["corrected_volatile_errors"] == 12 and d["corrected_volatile_status"] == "normal"
assert d["media_status"] == "normal" and not d["maintenance_needed"]
assert d["shutdown_state"] in ("clean", "dirty") and d["dirty_shutdown_count"] == 0
a = {x["alert"]: x for x in d["alerts"]}
assert a["over-temperature"] == {"alert": "over-temperature", "critical": 35, "warning": 25, "enabled": False, "programmable": True}
assert a["corrected-volatile"]["critical"] is None'
fm_health=$out
run 0 "${G[@]}" health --tunnel 0 && [ "$out" = "$fm_health" ] || fail "health through the switch differs: $out"
run 0 "${F[@]}" health --addr 6 && [ "$out" = "$fm_health" ] || fail "health here differs: $out"
run 0 "${G[@]}" health --addr 6 --cor-volatile-warn 10 --under-temp-warn 15 && check '
assert d["corrected_volatile_status"] == "warning" and d["alerts_set"] == ["under-temperature", "corrected-volatile"]
a = {x["alert"]: x for x in d["alerts"]}
assert a["corrected-volatile"]["enabled"] and a["corrected-volatile"]["warning"] == 10
assert a["under-temperature"]["enabled"] and a["under-temperature"]["warning"] == 15'
qmp x-cxl-health '{"path": "cxl-dcd0"}'
check 'assert d["additional-status"] == 0x1a, d'
run 0 "${G[@]}" health --addr 6 --under-temp-warn off && check '
a = {x["alert"]: x for x in d["alerts"]}
assert not a["under-temperature"]["enabled"] and a["corrected-volatile"]["enabled"]'
run 3 "${G[@]}" health --addr 6 --over-temp-warn 50 && has "Set Alert Configuration (4202h): Invalid Input"
run 1 "${G[@]}" health --life-used-warn 101
run 1 "${G[@]}" health --over-temp-warn hot
run 0 "${F[@]}" health --tunnel 1:2 && check 'assert d["temperature"] == 22 and d["alerts"][0]["alert"] == "life-used"'
run 0 "$FMCTL" --bus "$fbus" --human health --addr 6 && has "temperature_status" out && has "critical" out

# events: the records those changes logged, drained; then QMP's injections, decoded
run 0 "${G[@]}" events --addr 6 --log all --clear && check '
logs = {l["log"]: l for l in d}
assert [l["log"] for l in d] == ["fatal", "failure", "warning", "informational", "dyncap"]
fail = [r["memory_module"]["event_type_name"] for r in logs["failure"]["records"]]
assert fail == ["life-used-change", "temperature-change"], fail
assert all(r["kind"] == "memory-module" for l in d for r in l["records"])
assert all(l["cleared"] == len(l["records"]) and not l["more_records"] for l in d)
r = logs["failure"]["records"][1]
assert r["severity"] == "failure" and r["memory_module"]["temperature"] == 41'
qmp cxl-inject-general-media-event '{"path": "cxl-dcd0", "log": "informational", "flags": 10, "dpa": 262145, "descriptor": 3, "type": 4, "transaction-type": 5, "channel": 2, "device": 1193046, "component-id": "fmctl"}'
qmp cxl-inject-dram-event '{"path": "cxl-dcd0", "log": "warning", "flags": 1, "dpa": 8192, "descriptor": 1, "type": 1, "transaction-type": 2, "rank": 3, "bank-group": 2, "bank": 1, "row": 1000, "column": 16, "correction-mask": [5, 6]}'
qmp cxl-inject-memory-module-event '{"path": "cxl-dcd0", "log": "fatal", "flags": 3, "type": 1, "health-status": 4, "media-status": 3, "additional-status": 0, "life-used": 90, "temperature": -3, "dirty-shutdown-count": 1, "corrected-volatile-error-count": 2, "corrected-persistent-error-count": 3}'
run 0 "${G[@]}" events --addr 6 --log informational && check '
assert d["log"] == "informational" and d["cleared"] == 0 and len(d["records"]) == 1
r = d["records"][0]
assert r["kind"] == "general-media" and r["severity"] == "failure" and r["flag_names"] == ["maintenance-needed"]
assert r["general_media"] == {"dpa": 0x40000, "volatile": True, "not_repairable": False,
    "descriptor": ["uncorrectable", "threshold"], "type": 4, "type_name": "scrub-media-ecc-error",
    "transaction_type": 5, "transaction_type_name": "internal-media-scrub", "channel": 2,
    "rank": None, "device": 0x123456, "component_id": "666d63746c" + "00" * 11,
    "cme_count": 0, "sub_type": 0}, r["general_media"]'
run 0 "${G[@]}" events --tunnel 0 --log warning && check '
g = d["records"][0]["dram"]
assert d["records"][0]["kind"] == "dram" and g["dpa"] == 8192 and g["type_name"] == "scrub-media-ecc-error"
assert g["transaction_type_name"] == "host-write" and g["rank"] == 3 and g["channel"] is None
assert (g["bank_group"], g["bank"], g["row"], g["column"]) == (2, 1, 1000, 16)
assert g["correction_mask"] == [5, 6, 0, 0] and g["nibble_mask"] is None'
run 0 "${F[@]}" events --addr 6 --log fatal && check '
m = d["records"][0]["memory_module"]
assert d["records"][0]["severity"] == "fatal"
assert m["event_type_name"] == "media-status-change" and m["replacement_needed"] and not m["maintenance_needed"]
assert m["media_status"] == "all-data-lost" and m["life_used_percent"] == 90 and m["temperature"] == -3
assert (m["dirty_shutdown_count"], m["corrected_volatile_errors"], m["corrected_persistent_errors"]) == (1, 2, 3)'
run 0 "${G[@]}" events --tunnel 0 --log warning --clear && check 'assert d["cleared"] == 1'
run 0 "${G[@]}" events --addr 6 --log all --clear && check '
assert [l["cleared"] for l in d] == [1, 0, 0, 1, 0]'
run 0 "${F[@]}" events --addr 6 --log all && check 'assert all(l["records"] == [] for l in d)'
qmp cont

# poison, here and from the FM host
qmp cxl-inject-poison '{"path": "cxl-dcd0", "start": 4096, "length": 128}'
run 0 "${G[@]}" poison list --addr 6 && check '
assert d["start"] == 0 and d["length"] == 4 << 30 and not d["overflow"] and d["count"] == 1
assert d["records"] == [{"dpa": 4096, "length": 128, "source": "internal"}]'
run 0 "${G[@]}" poison inject --tunnel 0 --dpa 2M && check 'assert d == {"operation": "inject", "dpa": 2 << 20}'
run 0 "${F[@]}" poison list --addr 6 --start 0 --length 4M && check '
assert [(r["dpa"], r["length"], r["source"]) for r in d["records"]] == [(4096, 128, "internal"), (2 << 20, 64, "injected")]'
run 0 "${G[@]}" poison clear --addr 6 --dpa 4096 --data "de ad" && check 'assert d["operation"] == "clear"'
run 0 "${G[@]}" poison scan --addr 6 --length 4M --wait && check '
assert d["completed"] and d["rc"] == 0 and d["background"] and d["estimated_ms"] >= 1
assert [(r["dpa"], r["length"]) for r in d["records"]] == [(4160, 64), (2 << 20, 64)] and not d["stopped"]'
run 0 "${G[@]}" poison scan --tunnel 0 --start 2M --length 64K --no-event-log && check '
assert d["background"] and not d["completed"] and d["no_event_log"]'
# the scan is the background operation of the CCI that started it: the switch tunnel's
bg_done "${G[@]}" bg --tunnel 0
check 'assert d["opcode_name"] == "Scan Media" and d["rc"] == 0 and not d["running"]'
run 0 "${G[@]}" poison scan-results --tunnel 0 && check '
assert d["count"] == 1 and d["records"][0]["dpa"] == 2 << 20 and d["restart_dpa"] is None'
# a scan of the whole device takes the model ~33 s: the wait gives up, Request Abort stops it
run 5 "${G[@]}" poison scan --addr 6 --wait --wait-timeout 1 && has "Scan Media (4304h) still runs" &&
	check 'assert d["background"] and not d["completed"] and d["estimated_ms"] > 1000'
run 0 "${G[@]}" raw 0005 --addr 6 && check 'assert d["rc"] == 0'
bg_done "${G[@]}" bg --addr 6
check 'assert d["opcode_name"] == "Scan Media" and d["rc_name"] == "Aborted" and not d["running"]'
run 0 "${G[@]}" poison scan-results --addr 6 && check '
assert d["stopped"] and d["restart_dpa"] == 0 and d["restart_length"] == 4 << 30'
run 0 "${F[@]}" poison list --tunnel 1:2 && check 'assert d["count"] == 0 and d["length"] == 1 << 30'
run 1 "${G[@]}" poison inject --addr 6 && has "--dpa is required"
run 1 "${G[@]}" poison list --addr 6 --start 3 && has "multiples of 64"
run 1 "${G[@]}" poison list --addr 6 --dpa 0
run 3 "${G[@]}" poison inject --addr 6 --dpa 8G && has "Inject Poison (4301h)"

# firmware: a package built from a payload, sent from the FM host, active here
head -c 1500 /dev/urandom >"$tmp/fw.bin"
run 0 "${F[@]}" fw info --addr 6 && check '
assert d["slots_supported"] == 4 and d["active_slot"] == 1 and d["staged_slot"] is None
assert [s["revision"] for s in d["slots"]][:2] == ["BWFW VERSION 00", None]'
run 0 "${G[@]}" fw update --addr 6 --slot 2 --rev "FMCTL E2E" "$tmp/fw.bin" && check '
assert d["slot"] == 2 and d["bytes"] == 1532 and d["revision"] == "FMCTL E2E"'
run 0 "${F[@]}" fw info --addr 6 && check 'assert d["slots"][1]["revision"] == "FMCTL E2E"'
run 0 "${G[@]}" fw activate --addr 6 --slot 2 && check '
assert d["completed"] and d["background"] and d["rc"] == 0 and d["fw"]["active_slot"] == 2'
run 0 "${F[@]}" fw activate --tunnel 0 --slot 1 --on-reset && check '
assert d["action"] == "on-reset" and not d["background"] and d["fw"]["staged_slot"] == 1'
run 0 "${G[@]}" fw update --tunnel 0 --slot 3 --rev "VIA SWITCH" "$tmp/fw.bin" && check 'assert d["revision"] == "VIA SWITCH"'
run 3 "${G[@]}" fw update --addr 6 --slot 4 "$tmp/fw.bin" && has "FW Verification Failed"
run 3 "${G[@]}" fw update --addr 6 --slot 2 --rev X "$tmp/fw.bin" && has "Transfer FW (0201h)"
run 1 "${G[@]}" fw update --addr 6 --slot 2 "$tmp/none.bin" && has "none.bin"
run 1 "${G[@]}" fw update --addr 6 "$tmp/fw.bin" && has "--slot is required"
run 1 "${G[@]}" fw update --addr 6 --slot 2 --rev "" "$tmp/fw.bin" && has "bad --rev"
run 0 "${F[@]}" fw info --tunnel 1:2 && check 'assert d["active_slot"] == 1'
run 0 "$FMCTL" --bus "$fbus" --human fw info --addr 6 && has "FMCTL E2E" out
kill -TERM "$fmh_pid" && wait "$fmh_pid"
fmh_pid=

# ---- the example program ----
if [ -n "$FM_EXAMPLE" ]; then
	run 0 "$FM_EXAMPLE" "$bus" && has "2 endpoint(s)" out && has "serial 99" out &&
		has "region 1: DPA 0x80000000, 2048 MiB" out && has "extents accepted by the host: 1" out
	run 2 "$FM_EXAMPLE"
	run 1 "$FM_EXAMPLE" "$tmp/nothing.sock"
fi

# ---- transport errors ----
run 2 "${F[@]}" --addr 0x30 identify && has "no endpoint at address 0x30" && has "NACK"
run 2 "$FMCTL" --bus "$tmp/no-such.sock" list && has "no-such.sock"
kill -STOP "$emu_pid"
run 2 "${F[@]}" --timeout 200 --addr 4 identify && has "timed out"
kill -CONT "$emu_pid"
run 0 "${F[@]}" --addr 4 identify && check 'assert d["serial"] == 1234'

# ---- finding the bus: several running instances, then one ----
xdg=$tmp/xdg
mkdir -p "$xdg"
small=(-machine q35,cxl=on -object memory-backend-ram,id=m,size=256M
	-device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1
	-device cxl-rp,port=0,bus=cxl.1,id=rp0,chassis=0,slot=2
	-device cxl-type3,bus=rp0,volatile-dc-memdev=m,id=d,num-dc-regions=1,sn=5
	-device i2c_mctp_cxl,bus=fm.bus,address=8,target=d)
XDG_RUNTIME_DIR=$xdg start_emu emu2_pid bus2 port2 -name a "${small[@]}"
XDG_RUNTIME_DIR=$xdg start_emu emu3_pid bus3 port3 -name b "${small[@]}"
run 4 env -u CXL_FMCTL_BUS XDG_RUNTIME_DIR="$xdg" "$FMCTL" --json list && has "several cxl-emu buses" &&
	has "$xdg/cxl-emu/a/fm.bus.sock" && has "$xdg/cxl-emu/b/fm.bus.sock"
kill -TERM "$emu3_pid" && wait "$emu3_pid"
emu3_pid=
if ls /tmp/cxl-emu-"$(id -u)"/*/*.sock >/dev/null 2>&1; then
	echo "note: other cxl-emu instances run under /tmp/cxl-emu-$(id -u); single-bus discovery not checked"
else
	run 0 env -u CXL_FMCTL_BUS XDG_RUNTIME_DIR="$xdg" "$FMCTL" --json list &&
		check 'assert len(d) == 1 and d[0]["serial"] == 5 and d[0]["address"] == 8'
fi
run 0 env CXL_FMCTL_BUS="$bus2" "$FMCTL" --json dcd config && check 'assert d["num_regions"] == 1'

# ---- the emulator goes away: the bus is gone ----
kill -TERM "$emu_pid" && wait "$emu_pid"
emu_pid=
run 2 "${F[@]}" list && has "$bus"

echo "$checks checks, $fails failed"
[ "$fails" -eq 0 ]
