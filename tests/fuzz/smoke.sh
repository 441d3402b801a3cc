#!/usr/bin/env bash
# Fuzz smoke for `make check`: run one target for FUZZ_SMOKE_SECONDS from its
# seed corpus, writing new inputs to a temporary directory removed afterwards.
set -euo pipefail
target=$1 seeds=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
exec "$target" -max_total_time="${FUZZ_SMOKE_SECONDS:-3}" \
	-artifact_prefix="$work/" "$work" "$seeds"
