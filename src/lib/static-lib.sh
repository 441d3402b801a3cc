#!/bin/sh
# The installed libcxlfm.a: the library's objects (with the proto and util
# code they use) linked into one relocatable object, in which only the names
# of the export list (libcxlfm.sym, the same list as the shared library's)
# stay global; every other symbol (log_msg, base64_encode, mctp_hdr_encode
# ...) becomes local, so a program linking libcxlfm.a meets no name of ours
# but cxlfm_*. Usage: static-lib.sh OBJCOPY AR SYMFILE IN.a OUT.a CC...
set -eu
objcopy=$1 ar=$2 sym=$3 in=$4 out=$5
shift 5
tmp="$out.d"
rm -rf "$tmp" "$out"
mkdir -p "$tmp"
# the global: section of the version script, one name a line
sed -n '/^global:/,/^local:/{s/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\);.*/\1/p}' "$sym" \
	> "$tmp/keep"
[ -s "$tmp/keep" ] || { echo "static-lib.sh: no global names in $sym" >&2; exit 1; }
"$@" -r -nostdlib -o "$tmp/libcxlfm.o" -Wl,--whole-archive "$in" -Wl,--no-whole-archive
"$objcopy" --keep-global-symbols="$tmp/keep" "$tmp/libcxlfm.o"
"$ar" rcs "$out" "$tmp/libcxlfm.o"
rm -rf "$tmp"
