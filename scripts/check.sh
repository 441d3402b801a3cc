#!/usr/bin/env bash
# Build and run every test twice: a plain gcc build (all suites) and a clang
# ASan+UBSan build (unit tests, the AF_MCTP shim's tests and a replay of
# every fuzz target's seed corpus).
# Ends with one line "N passed, N failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
plain=${1:-build}
san=${2:-build-san}
jobs=$(nproc 2>/dev/null || echo 2)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

status=0
step() { echo "== $*"; }

[ -f "$plain/build.ninja" ] || meson setup "$plain" >/dev/null || exit 1
[ -f "$san/build.ninja" ] || CC=clang meson setup "$san" \
	-Db_sanitize=address,undefined -Db_lundef=false -Dfuzz=true >/dev/null || exit 1

step "build ($plain, gcc)"
ninja -C "$plain" || exit 1
step "build ($san, clang ASan+UBSan, fuzz targets)"
ninja -C "$san" || exit 1

step "tests ($plain)"
meson test -C "$plain" --no-rebuild --print-errorlogs --num-processes "$jobs" || status=1
step "unit tests, AF_MCTP shim and fuzz corpus replay ($san)"
meson test -C "$san" --no-rebuild --print-errorlogs --num-processes "$jobs" \
	--suite unit --suite preload --suite fuzz || status=1

python3 scripts/test-summary.py "$plain/meson-logs/testlog.json" \
	"$san/meson-logs/testlog.json" || status=1
exit $status
