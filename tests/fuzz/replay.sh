#!/usr/bin/env bash
# Corpus replay for `make check`: run TARGET once over every input of its
# seed corpus (-runs=0: no mutation, no time limit), so the result depends on
# the committed inputs only. A crash, an assertion or a sanitizer report
# fails the test; the timed runs are `make fuzz` (scripts/fuzz.sh).
set -euo pipefail
target=$1 seeds=$2
n=$(find "$seeds" -maxdepth 1 -type f | wc -l)
[ "$n" -gt 0 ] || { echo "replay.sh: no seeds in $seeds" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# $work comes first: libFuzzer treats the first directory as its output
# corpus, so the committed seeds are never written to.
"$target" -runs=0 -artifact_prefix="$work/" "$work" "$seeds"
echo "replayed $n inputs from $seeds"
