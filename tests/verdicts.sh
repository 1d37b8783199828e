#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Replays every stored finding in crashes/ with `neptfuzz diff` and holds
# each implementation to the verdict the file records:
#   # verdict: kvm-6.1 diverges qualification nonzero
#   # verdict: kvm-7.2 agrees
#   # verdict: kvm-6.1 unsupported
# A verdict for an implementation not built into this binary (its kernel
# tree is absent) is reported as skipped, never passed.
set -u
nf=$1 dir=$2
pass=0 fail=0 skip=0
built=$("$nf" targets --names)
for f in "$dir"/*; do
	[ -f "$f" ] || continue
	case "$f" in *.md) continue ;; esac
	grep -q '^# verdict:' "$f" || continue
	json=$("$nf" diff --json "$f" 2>/dev/null)
	if [ -z "$json" ]; then
		echo "FAIL $f: neptfuzz diff gave no output"
		fail=$((fail + 1))
		continue
	fi
	while read -r _ _ impl verdict field detail; do
		if ! grep -qx "$impl" <<<"$built"; then
			echo "SKIP $f: $impl is not built in (fetch its kernel tree)"
			skip=$((skip + 1))
			continue
		fi
		n=$(jq --arg i "$impl" '[.divergences[] | select(.implementation == $i)] | length' <<<"$json")
		u=$(jq --arg i "$impl" '[.implementations[$i][] | select(.kind == "unsupported")] | length' <<<"$json")
		case "$verdict" in
		unsupported)
			if [ "$u" -gt 0 ]; then pass=$((pass + 1)); else
				echo "FAIL $f: $impl was expected not to support this scenario"
				fail=$((fail + 1))
			fi ;;
		agrees)
			if [ "$n" -eq 0 ] && [ "$u" -eq 0 ]; then pass=$((pass + 1)); else
				echo "FAIL $f: $impl was expected to agree, has $n divergences, $u unsupported events"
				fail=$((fail + 1))
			fi ;;
		diverges)
			m=$(jq --arg i "$impl" --arg fl "$field" --arg d "$detail" \
				'[.divergences[] | select(.implementation == $i and .field == $fl and .detail == $d)] | length' <<<"$json")
			if [ "$m" -gt 0 ]; then pass=$((pass + 1)); else
				echo "FAIL $f: $impl was expected to diverge in $field '$detail'"
				fail=$((fail + 1))
			fi ;;
		*)
			echo "FAIL $f: bad verdict line for $impl: $verdict"
			fail=$((fail + 1)) ;;
		esac
	done < <(grep '^# verdict:' "$f")
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
