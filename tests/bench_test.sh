#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# scripts/bench's short modes on the libFuzzer build scripts/fuzz made
# (scripts/test's fuzz smoke runs before ctest): throughput gives every
# target a number of executions a second, and ttff from the seed corpus
# finds the first divergence.  Both start libFuzzer with no corpus
# directory (-seed_inputs); a seed list it cannot read makes it exit at
# once with no statistics, which an earlier version of the script did
# without anything failing.  Then what ttff --deviation relies on: the
# target, given NEPTFUZZ_STOP_ON_DEVIATION, stops on each deviation's
# stored reproducer under that deviation's name, not under an unrelated
# one, and refuses a name that matches none.  Skipped (77) without that
# build.
# Run from the source tree: bash tests/bench_test.sh
set -euo pipefail

bin=build/engines/libfuzzer
if [ ! -x "$bin/fuzz_diff" ] || [ ! -d "$bin/seed/fuzz_diff" ]; then
	echo "bench_test: $bin/fuzz_diff or its seeds missing (scripts/fuzz --engine libfuzzer builds them); skipped"
	exit 77
fi
fail=0
out=$(scripts/bench throughput --no-install --seconds 1)
echo "$out"
for t in $(sed -n 's/^set(NEPT_FUZZ_TARGETS \(.*\))$/\1/p' CMakeLists.txt); do
	if ! grep -Eq "^$t +1 +[0-9]+ +[0-9]+M$" <<<"$out"; then
		echo "FAIL: throughput gave $t no exec/s and peak RSS"
		fail=1
	fi
done
# '*' matches any divergence: the seed corpus holds known ones.
out=$(scripts/bench ttff --no-install --corpus seed --signature '*' --runs 1 --max-time 30)
echo "$out"
if ! grep -Eq '^ttff .*median of 1 runs \(seed corpus\): [0-9.]+ s$' <<<"$out"; then
	echo "FAIL: ttff from the seed corpus found no divergence in 30 s"
	fail=1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# stops NAME FILE: whether fuzz_diff stops on FILE (binary) with
# NEPTFUZZ_STOP_ON_DEVIATION=NAME.
stops() {
	NEPTFUZZ_STOP_ON_DEVIATION=$1 "$bin/fuzz_diff" "$2" >"$tmp/log" 2>&1 || true
	grep -q '^SUMMARY: neptfuzz: ' "$tmp/log"
}
checked=0
while read -r name repro; do
	"$bin/neptfuzz" fmt --to bin -o "$tmp/in" "$repro"
	if ! stops "$name" "$tmp/in"; then
		echo "FAIL: NEPTFUZZ_STOP_ON_DEVIATION=$name does not stop on $repro"
		fail=1
	fi
	checked=$((checked + 1))
done < <("$bin/neptfuzz" deviations | awk '/^[^ ]/ { name = $1 }
	/^  reproducer: / { repro = $2 }
	/^  modules: / && $2 != "none" { print name, repro }')
echo "stop on deviation: $checked reproducers checked"
[ "$checked" -gt 0 ] || { echo "FAIL: no deviation with a reproducer listed"; fail=1; }
# The PSE-36 reproducer is a walk: no VM-entry deviation predicts it.
"$bin/neptfuzz" fmt --to bin -o "$tmp/in" crashes/kvm-l2-pse36-address-bits-reserved.scn
if stops 'vmentry-*' "$tmp/in"; then
	echo "FAIL: NEPTFUZZ_STOP_ON_DEVIATION='vmentry-*' stops on the PSE-36 reproducer"
	fail=1
fi
stops 'no-such-deviation' "$tmp/in" || true
if ! grep -q 'names no deviation' "$tmp/log"; then
	echo "FAIL: an unknown deviation name is not refused"
	fail=1
fi
# scripts/bench checks the names first: a typo would otherwise end every
# run at its first input and read as "not found".
rc=0
scripts/bench ttff --no-install --deviation no-such-deviation --runs 1 --max-time 5 \
	>"$tmp/log" 2>&1 || rc=$?
if [ "$rc" != 2 ] || ! grep -q 'names no deviation' "$tmp/log"; then
	echo "FAIL: scripts/bench ttff --deviation no-such-deviation: exit $rc, $(tail -n 1 "$tmp/log")"
	fail=1
fi
exit "$fail"
