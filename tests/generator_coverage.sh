#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Usage: generator_coverage.sh NEPTFUZZ [COUNT] [MIN_PERCENT]
# Generates COUNT scenarios (default 3000, seed 1), runs `neptfuzz diff
# --stats` on them, and fails unless every KVM module compared at least
# MIN_PERCENT (default 90) of the access events of scenarios it supports
# and 85% of its vm-entry events (the last column's compared/all, counted
# apart: an entry the SDM leaves open, such as one reading unbacked
# memory, is not compared), and
# successful PML logs, the adv-info capability and UC EPTP memory type
# each occurred; and each module's "unsupported from" lines (why its
# events were not compared) add up to its unsupp column.
set -euo pipefail
neptfuzz=$1
count=${2:-3000}
min=${3:-90}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$neptfuzz" gen --seed 1 --count "$count" --to bin -o "$dir/gen" >/dev/null
rc=0
"$neptfuzz" diff --quiet --stats "$dir/gen" >"$dir/out" || rc=$?
cat "$dir/out"
# 0 agree, 3 known only: anything else (a new divergence) is a finding for
# the nightly run, not for this test, but it is printed above.
[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] || [ "$rc" -eq 1 ] || {
	echo "FAIL: neptfuzz diff exited $rc"
	exit 1
}
fail=0
while read -r name events compared _ _ _ _ _ _ entries; do
	events=$((events - ${entries#*/}))
	compared=$((compared - ${entries%/*}))
	[ "$events" -gt 0 ] || continue
	pct=$((100 * compared / events))
	if [ "$pct" -lt "$min" ]; then
		echo "FAIL: $name compared $compared of $events events ($pct% < $min%)"
		fail=1
	fi
	if [ "${entries#*/}" -gt 0 ] && [ $((100 * ${entries%/*} / ${entries#*/})) -lt 85 ]; then
		echo "FAIL: $name compared $entries vm-entry events (< 85%)"
		fail=1
	fi
done < <(awk '/^== coverage/{on=1; next} /^\(events/{on=0} on && $1 ~ /^kvm-/' "$dir/out")
while read -r name unsupp; do
	sum=$(awk -v m="$name:" '$1 == m && $2 == "unsupported" {n += $NF} END {print n + 0}' "$dir/out")
	if [ "$sum" -ne "$unsupp" ]; then
		echo "FAIL: $name: its unsupported-from lines add up to $sum, its unsupp column says $unsupp"
		fail=1
	fi
done < <(awk '/^== coverage/{on=1; next} /^\(events/{on=0} on && $1 ~ /^kvm-/ {print $1, $6}' "$dir/out")
dims=$(grep '^scenarios:' "$dir/out")
for want in 'adv-info cap [1-9]' 'UC EPTP [1-9]'; do
	grep -Eq "$want" <<<"$dims" || { echo "FAIL: no scenario with ${want% *}"; fail=1; }
done
grep -Eq 'PML entries logged in [1-9]' "$dir/out" || { echo "FAIL: no PML log written"; fail=1; }
[ "$fail" -eq 0 ] && echo "generator coverage: ok"
exit "$fail"
