#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Facts §14: every KVM module compares the corpus's #PF exits on a host
# wider than L1 (KVM's real handle_exception_nmi ->
# kvm_fixup_and_inject_pf_error with allow_smaller_maxphyaddr), agreeing
# with the model; the stored findings without the switch are known
# divergences on every module.  A regression to `unsupported` (a stand-in
# reached, the intercept lost) fails here rather than passing silently.
# Exits 77 (skipped) when no KVM module is built in.
set -u
nf=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

files=("$src"/corpus/smaller-maxphyaddr-pf-*.scn)
[ "${#files[@]}" -ge 2 ] || bad "only ${#files[@]} corpus #PF exits on a wider host"
grep -q -l '^host .*allow-smaller-maxphyaddr' "${files[@]}" && ok ||
	bad "no corpus scenario runs KVM with allow-smaller-maxphyaddr"

"$nf" targets | awk '/^kvm-[^ ]+ /{print $1}' >"$tmp/mods"
[ -s "$tmp/mods" ] || { echo "no KVM module built in: skipped"; exit 77; }

while read -r mod; do
	compares_all "$nf" "$mod" 2 "${files[@]}"
	grep -q ' 0 known divergence' "$tmp/out" && ok || bad "$mod: $(tail -n 1 "$tmp/out")"
	"$nf" diff --quiet --target "$mod" "$src"/crashes/kvm-smaller-maxphyaddr-*.scn >"$tmp/known" 2>&1
	[ $? -eq 3 ] && ok || bad "$mod: the findings without allow_smaller_maxphyaddr: $(tail -n 1 "$tmp/known")"
done <"$tmp/mods"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
