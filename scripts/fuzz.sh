#!/usr/bin/env bash
# Fuzz: run libFuzzer targets in BUILD/tests/fuzz for SECONDS each (all of
# them, or the NAMEs given), starting from the committed seed corpus; new
# inputs go to BUILD/fuzz-corpus/NAME so the committed seeds stay as they
# are. Prints executions per second and the edges covered. (`make check`
# only replays the seed corpora: tests/fuzz/replay.sh.)
#   scripts/fuzz.sh [BUILD [SECONDS [NAME...]]]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-san}
secs=${2:-60}
shift $(( $# < 2 ? $# : 2 ))
status=0
shopt -s nullglob
targets=()
if [ $# -gt 0 ]; then
	for n in "$@"; do targets+=("$build/tests/fuzz/fuzz_$n"); done
else
	for t in "$build"/tests/fuzz/fuzz_*; do
		[ -d "$t" ] || targets+=("$t") # not meson's object directories
	done
fi
[ ${#targets[@]} -gt 0 ] || { echo "fuzz.sh: no targets in $build/tests/fuzz" >&2; exit 1; }
for t in "${targets[@]}"; do
	[ -f "$t" ] && [ -x "$t" ] || { echo "fuzz.sh: no target $t" >&2; status=1; continue; }
	name=$(basename "$t"); name=${name#fuzz_}
	work="$build/fuzz-corpus/$name"
	mkdir -p "$work" "$build/fuzz-artifacts"
	log="$build/fuzz-artifacts/$name.log"
	if "$t" -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$build/fuzz-artifacts/$name-" \
		"$work" "tests/fuzz/corpus/$name" >"$log" 2>&1; then
		execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
		cov=$(grep -aE '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+' || true)
		printf '%-12s %10s execs in %ss = %6s exec/s  %s\n' "$name" "$execs" "$secs" \
			"$(( execs / secs ))" "$cov"
	else
		echo "$name: FINDING, see $log"; tail -30 "$log"; status=1
	fi
done
exit $status
