#!/usr/bin/env bash
# Run every libFuzzer target in BUILD/tests/fuzz for SECONDS each, starting
# from its committed seed corpus; new inputs go to BUILD/fuzz-corpus/NAME so
# the committed seeds stay as they are. Prints executions per second.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-san}
secs=${2:-60}
status=0
shopt -s nullglob
targets=("$build"/tests/fuzz/fuzz_*)
[ ${#targets[@]} -gt 0 ] || { echo "fuzz.sh: no targets in $build/tests/fuzz" >&2; exit 1; }
for t in "${targets[@]}"; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	name=$(basename "$t"); name=${name#fuzz_}
	work="$build/fuzz-corpus/$name"
	mkdir -p "$work" "$build/fuzz-artifacts"
	log="$build/fuzz-artifacts/$name.log"
	if "$t" -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$build/fuzz-artifacts/$name-" \
		"$work" "tests/fuzz/corpus/$name" >"$log" 2>&1; then
		execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
		printf '%-16s %10s execs in %ss = %s exec/s\n' "$name" "$execs" "$secs" \
			"$(( execs / secs ))"
	else
		echo "$name: FINDING, see $log"; tail -30 "$log"; status=1
	fi
done
exit $status
