#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# make demo: the QEMU FM-emulation RFC's story on two cxl-emu hosts.
#
#   1. start the target host (examples/rfc-target-host.sh) and the FM host
#      (examples/rfc-fm-host.sh) in the background, each with its run dir and
#      backing files under a temporary directory and an ephemeral QMP port;
#      wait until both print "cxl-emu: ready" (no fixed sleeps);
#   2. with cxl-fmctl on the FM host's I2C bus: list the endpoints, show the
#      DCD's regions, add two extents;
#   3. show, from the TARGET host's QMP (x-cxl-host-agent), that its host
#      accepted them -- and that the FM host's local copy of the device did
#      not see them (the requests crossed hosts);
#   4. release one extent, show the result on both sides;
#   5. shut both hosts down and check nothing is left: processes, sockets,
#      files, the shared-memory buffer. Ctrl-C at any point cleans up too.
#
# Environment: BUILD (build directory, default build), KEEP_LOGS=1 keeps the
# temporary directory with the hosts' logs.
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CXL_EMU=$(realpath -m "$BUILD/src/emu/cxl-emu")
FMCTL=$(realpath -m "$BUILD/src/tools/cxl-fmctl")
SHM=/dev/shm/mctp-message-buf
for b in "$CXL_EMU" "$FMCTL"; do
	[ -x "$b" ] || { echo "demo: $b is missing; run 'make' first" >&2; exit 1; }
done
command -v python3 >/dev/null || { echo "demo: python3 is needed for the QMP client" >&2; exit 1; }

if [ -t 1 ]; then
	B=$'\e[1m' D=$'\e[2m' G=$'\e[32m' Y=$'\e[33m' R=$'\e[31m' N=$'\e[0m'
else
	B='' D='' G='' Y='' R='' N=''
fi
start=$(date +%s%N)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cxl-demo-XXXXXX")
target_pid=
fm_pid=
shm_was_there=0
[ -e "$SHM" ] && shm_was_there=1

stop_pid() {
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$?
	trap - INT TERM EXIT
	stop_pid "$fm_pid"
	stop_pid "$target_pid"
	fm_pid= target_pid=
	# A host killed hard cannot unlink the buffer it created: do it for it.
	[ "$shm_was_there" = 1 ] || rm -f "$SHM"
	if [ "${KEEP_LOGS:-0}" = 1 ]; then
		echo "logs kept in $tmp"
	else
		rm -rf "$tmp"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'echo; echo "${Y}interrupted: cleaning up${N}"; exit 130' INT TERM

say() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
run() {
	printf '%s$ cxl-fmctl %s%s\n' "$D" "$*" "$N"
	"$FMCTL" --bus "$fm_bus" "$@"
}

# start_host VAR_PID VAR_BUS VAR_PORT LOG SCRIPT ARGS...: wait for "ready".
start_host() {
	local pidvar=$1 busvar=$2 portvar=$3 log=$4 script=$5 fifo line fd
	shift 5
	fifo=$tmp/$log.fifo
	mkfifo "$fifo"
	CXL_EMU=$CXL_EMU sh "$script" "$@" >"$fifo" 2>"$tmp/$log.err" &
	printf -v "$pidvar" %s $!
	exec {fd}<"$fifo"
	while IFS= read -r -t 10 -u "$fd" line; do
		case $line in
		"cxl-emu: qmp tcp:"*) printf -v "$portvar" %s "${line##*:}" ;;
		"cxl-emu: bus "*) line=${line#cxl-emu: bus }; printf -v "$busvar" %s "${line#* }" ;;
		"cxl-emu: ready") return 0 ;;
		esac
	done
	echo "${R}demo: $script did not start:${N}" >&2
	cat "$tmp/$log.err" >&2
	exit 1
}

# qmp PORT COMMAND ARGS-JSON PYTHON: run one QMP command, hand its return
# value (r) to the PYTHON snippet that prints it.
qmp() {
	python3 - "$@" <<'EOF'
import json, signal, socket, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)    # Ctrl-C: die, the shell cleans up
port, cmd, args, show = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
s = socket.create_connection(("127.0.0.1", int(port)), timeout=5)
f = s.makefile("rw")
f.readline()                                   # greeting
def call(c, a):
    f.write(json.dumps({"execute": c, "arguments": a}) + "\n"); f.flush()
    while True:
        r = json.loads(f.readline())
        if "return" in r or "error" in r:
            return r
call("qmp_capabilities", {})
r = call(cmd, args)
if "error" in r:
    sys.exit("QMP %s: %s" % (cmd, r["error"]["desc"]))
r = r["return"]
exec(show)
EOF
}

SHOW_HOST='
ext = r["extents"]
print("   policy %s, extent list generation %d, %d extent(s)%s" % (r["policy"], r["generation"],
      len(ext), ":" if ext else ""))
for e in ext:
    print("     DPA 0x%09x  %4d MiB" % (e["dpa"], e["len"] >> 20))
'

say "Starting the target host (examples/rfc-target-host.sh)"
echo "   a switch us0 with 3 downstream ports, the DCD cxl-dcd0 (sn 99, 2 DC regions"
echo "   on a sparse 4 GiB file), MCTP endpoints 0x04 and 0x06, QMP for the FM host"
mkdir -p "$tmp/target-run" "$tmp/fm-run"
# QMP port 0: the kernel picks a free one; cxl-emu prints it.
export TARGET_DIR=$tmp/target FM_DIR=$tmp/fm TARGET_QMP_PORT=0 FM_QMP_PORT=0
start_host target_pid target_bus target_qmp target examples/rfc-target-host.sh \
	--run-dir "$tmp/target-run"
echo "   ${G}ready${N}: QMP on 127.0.0.1:$target_qmp, bus $target_bus"

say "Starting the FM host (examples/rfc-fm-host.sh)"
echo "   the same topology; endpoint 0x06 forwards every CXL request for cxl-dcd0 to the"
echo "   target host (mctp-msg-forward=on, shared buffer /mctp-message-buf + QMP)"
TARGET_QMP_PORT=$target_qmp
start_host fm_pid fm_bus fm_qmp fm examples/rfc-fm-host.sh --run-dir "$tmp/fm-run"
echo "   ${G}ready${N}: QMP on 127.0.0.1:$fm_qmp, bus $fm_bus"
echo "   ${D}($(grep -c 'ignored' "$tmp/fm.err" || true) VM-only options ignored with a warning each)${N}"

say "The FM (cxl-fmctl) discovers the FM host's I2C bus"
run --human list

say "The DCD's dynamic capacity regions (Get Host DC Region Configuration, 5601h)"
run --human dcd config

say "Offer two extents to the target's host: 128 MiB at region 0 + 0, 256 MiB at + 512 MiB"
run --human dcd add --region 0 --extent 0:128M --extent 512M:256M --wait

say "What the TARGET host's OS sees (its QMP: x-cxl-host-agent)"
qmp "$target_qmp" x-cxl-host-agent '{"path": "cxl-dcd0"}' "$SHOW_HOST"
crossed=$(qmp "$fm_qmp" x-cxl-host-agent '{"path": "cxl-dcd0"}' 'print(len(r["extents"]))')
if [ "$crossed" = 0 ]; then
	echo "   ${G}cross-host${N}: the FM host's own copy of cxl-dcd0 holds no extents -- the"
	echo "   requests went through the FM host to the target host and back"
else
	echo "   ${Y}warning${N}: the FM host's local cxl-dcd0 holds $crossed extent(s): it answered"
	echo "   locally instead of forwarding to the target host"
fi

say "Release the 128 MiB extent (Initiate Dynamic Capacity Release, 5605h)"
run --human dcd release --region 0 --extent 0:128M --wait

say "The result: the FM's extent list (5603h) and the target host's view"
run --human dcd extents
qmp "$target_qmp" x-cxl-host-agent '{"path": "cxl-dcd0"}' "$SHOW_HOST"

say "Shutting both hosts down"
stop_pid "$fm_pid"
fm_pid=
stop_pid "$target_pid"
target_pid=
left=""
for d in "$tmp/target-run" "$tmp/fm-run"; do
	[ -z "$(ls -A "$d" 2>/dev/null)" ] || left="$left $(ls "$d")"
done
[ "$shm_was_there" = 1 ] || [ ! -e "$SHM" ] || left="$left $SHM"
if [ -n "$left" ]; then
	echo "   ${R}left behind:$left${N}"
	exit 1
fi
echo "   both exited; no sockets, no shared-memory buffer left (temporary files go next)"
ms=$((($(date +%s%N) - start) / 1000000))
printf '\n%sdone in %d.%03d s%s\n' "$G" $((ms / 1000)) $((ms % 1000)) "$N"
