#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# scripts/bench's short modes on the libFuzzer build scripts/fuzz made
# (scripts/test's fuzz smoke runs before ctest): throughput gives every
# target a number of executions a second, and ttff from the seed corpus
# finds the first divergence.  Both start libFuzzer with no corpus
# directory (-seed_inputs); a seed list it cannot read makes it exit at
# once with no statistics, which an earlier version of the script did
# without anything failing.  Skipped (77) without that build.
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
exit "$fail"
