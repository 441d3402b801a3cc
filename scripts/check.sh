#!/usr/bin/env bash
# Build and run every test twice: a plain gcc build (all suites) and a clang
# ASan+UBSan build (unit tests, the end-to-end tests with the AF_MCTP shim's,
# and a replay of every fuzz target's seed corpus). In the sanitized run
# every process logs sanitizer reports to files (cxl-emu and the programs
# the e2e tests start included, whose exit status the tests do not all
# check): any report fails the check.
# Ends with one line "N passed, N failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
plain=${1:-build}
san=${2:-build-san}
jobs=$(nproc 2>/dev/null || echo 2)

status=0
step() { echo "== $*"; }

# -Werror here, not in meson's defaults: CI and developers fail on a warning,
# a distro build with a newer compiler does not. A build dir set up without
# it (plain `meson setup`) gets it turned on.
[ -f "$plain/build.ninja" ] || meson setup --werror "$plain" >/dev/null || exit 1
[ -f "$san/build.ninja" ] || CC=clang meson setup --werror "$san" \
	-Db_sanitize=address,undefined -Db_lundef=false -Dfuzz=true >/dev/null || exit 1
werror_on() {
	python3 -c 'import json, sys
opts = json.load(open(sys.argv[1] + "/meson-info/intro-buildoptions.json"))
sys.exit(0 if any(o["name"] == "werror" and o["value"] for o in opts) else 1)' "$1"
}
for d in "$plain" "$san"; do
	werror_on "$d" || meson configure "$d" -Dwerror=true >/dev/null || exit 1
done

step "build ($plain, gcc)"
ninja -C "$plain" || exit 1
step "build ($san, clang ASan+UBSan, fuzz targets)"
ninja -C "$san" || exit 1

step "tests ($plain)"
meson test -C "$plain" --no-rebuild --print-errorlogs --num-processes "$jobs" || status=1

step "unit, end-to-end, AF_MCTP shim tests and fuzz corpus replay ($san)"
sanlogs="$san/sanitizer-logs"
rm -rf "$sanlogs" && mkdir -p "$sanlogs"
sanlogs=$(cd "$sanlogs" && pwd)
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}:log_path=$sanlogs/asan \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}:log_path=$sanlogs/ubsan \
	meson test -C "$san" --no-rebuild --print-errorlogs --num-processes "$jobs" \
	--suite unit --suite e2e --suite preload --suite fuzz || status=1
if [ -n "$(ls -A "$sanlogs")" ]; then
	echo "== sanitizer reports ($sanlogs)"
	for f in "$sanlogs"/*; do echo "--- $f"; cat "$f"; done
	status=1
fi

python3 scripts/test-summary.py "$plain/meson-logs/testlog.json" \
	"$san/meson-logs/testlog.json" || status=1
exit $status
