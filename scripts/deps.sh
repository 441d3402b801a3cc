#!/usr/bin/env bash
# Install the Debian 12 packages cxl-fmemu needs, only those that are missing.
# Usage: scripts/deps.sh [build|bench|docs]...   (default: build)
#   build: compilers, meson/ninja, json-c, cmocka, clang + compiler-rt (fuzzing/sanitizers),
#          python3 (tests, the cxlfm package), groff + man-db (man pages rendered in tests)
#   bench: adds qemu-system-x86 (the QMP and start-up references in `make bench`)
#          and linux-perf (profiling, docs/performance.md)
#   docs:  adds graphviz (renders `cxl-fmctl topology --dot` in a test)
# Non-interactive; runs apt-get as root or through sudo; prints nothing when all are there.
set -euo pipefail

pkgs=(gcc make meson ninja-build pkg-config python3 libjson-c-dev libcmocka-dev
      clang libclang-rt-14-dev groff-base man-db)
for set in "$@"; do
	case "$set" in
	build) ;;
	bench) pkgs+=(qemu-system-x86 linux-perf) ;;
	docs) pkgs+=(graphviz) ;;
	*) echo "deps.sh: unknown package set '$set' (build|bench|docs)" >&2; exit 2 ;;
	esac
done

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	SUDO=()
elif command -v sudo >/dev/null 2>&1; then
	SUDO=(sudo -n)
else
	echo "deps.sh: missing packages ${missing[*]} and neither root nor sudo" >&2
	exit 1
fi

echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
