#!/bin/sh
# SPDX-License-Identifier: MIT
# `meson install` (what `make install` runs) into a scratch DESTDIR puts the
# man pages in PREFIX/share/man/man1, the cxlfm Python package where Debian's
# python3 looks for PREFIX, the libraries and headers; man(1) finds the pages
# there, and the installed package imports with that python3 and names the
# installed libdir. Usage: check_install.sh BUILD_DIR
set -eu
build=$1
dest=$(mktemp -d "${TMPDIR:-/tmp}/cxlfm-install.XXXXXX")
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >/dev/null
intro="$build/meson-info/intro-buildoptions.json"
opt() { python3 -c 'import json,sys; print({o["name"]: o["value"] for o in json.load(open(sys.argv[1]))}[sys.argv[2]])' "$intro" "$1"; }
prefix=$(opt prefix) mandir=$(opt mandir) libdir=$(opt libdir)
case $libdir in /*) ;; *) libdir="$prefix/$libdir" ;; esac
fail=0
for p in cxl-emu cxl-fmctl; do
	f="$dest$prefix/$mandir/man1/$p.1"
	if [ ! -s "$f" ]; then echo "install: no $f"; fail=1; continue; fi
	MANPATH="$dest$prefix/$mandir" man -P cat "$p" 2>/dev/null | grep -q "^NAME" ||
		{ echo "install: man $p finds no page under $dest$prefix/$mandir"; fail=1; }
done
for f in "$libdir/libcxlfm.so.0" "$libdir/libcxlfm.a" include/cxlfm/cxlfm.h; do
	case $f in /*) path="$dest$f" ;; *) path="$dest$prefix/$f" ;; esac
	[ -e "$path" ] || { echo "install: no $path"; fail=1; }
done
site=$(find "$dest" -path '*/cxlfm/__init__.py' | head -n 1)
if [ -z "$site" ]; then
	echo "install: no cxlfm Python package"; fail=1
else
	pkgdir=$(dirname "$(dirname "$site")")
	want=${pkgdir#"$dest"}
	# Debian's python3 must search where the package went (for /usr/local and /usr)
	if [ "$prefix" = /usr/local ] || [ "$prefix" = /usr ]; then
		/usr/bin/python3 -c 'import sys; sys.exit(sys.argv[1] not in sys.path)' "$want" ||
			{ echo "install: $want is not on /usr/bin/python3's sys.path"; fail=1; }
	fi
	CXLFM_LIBRARY="$dest$libdir/libcxlfm.so.0" PYTHONPATH="$pkgdir" /usr/bin/python3 -c '
import sys, cxlfm, cxlfm._build as b
assert b.LIBDIR == sys.argv[1], (b.LIBDIR, sys.argv[1])
assert cxlfm.rc_str(0x1e) == "Invalid Extent List"' "$libdir" ||
		{ echo "install: the installed cxlfm package does not work"; fail=1; }
fi
[ $fail = 0 ] && echo "install: man pages, libraries, headers and the Python package in place"
exit $fail
