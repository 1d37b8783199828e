#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Every NEPT_HAS(probe) in the KVM glue and shims names a probe that
# kvm/recipe.txt declares: an undeclared one would be 0 for every tree, in
# silence (an undefined macro in #if).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
declared=$(sed -n 's/^probe \([A-Za-z0-9_]*\) .*/\1/p' kvm/recipe.txt | sort -u)
used=$(grep -ohE 'NEPT_HAS\([A-Za-z0-9_]+\)' kvm/*.c kvm/shim/*.h |
	sed 's/NEPT_HAS(\(.*\))/\1/' | sort -u)
bad=$(comm -13 <(echo "$declared") <(echo "$used") | grep -v '^probe$' || true)
if [ -n "$bad" ]; then
	echo "check_probes: NEPT_HAS() of probes kvm/recipe.txt does not declare: $bad"
	exit 1
fi
echo "check_probes: $(wc -l <<<"$used") probes used, all declared ($(wc -l <<<"$declared") declared)"
