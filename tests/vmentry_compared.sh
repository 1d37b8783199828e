#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Every KVM module compares every VM entry of corpus/: VMfail from
# nested_vmx_check_controls, exit 33 from KVM's own checks (codes 0, 4,
# and 2 without EPT) and from the processor's checks on vmcs02 it plays
# (CR4.PCIDE without IA-32e, the PDPTE fields with EPT), exit 34 from
# nested_vmx_load_msr and KVM's MSR write with the failing entry anywhere
# from 1 to 16 of the list (facts §13.3, each item), and entries that
# succeed.  Each must be compared (neither unsupported nor skipped) and
# agree with the model or its tree's known deviations.  Exits 77 (skipped)
# when no KVM module is built in.
set -u
nf=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

files=("$src"/corpus/entry-*.scn)
[ "${#files[@]}" -ge 60 ] || bad "only ${#files[@]} corpus VM entries"
# Each kind of outcome is there: VMfail, exit 33 with codes 0, 2 (with and
# without EPT) and 4, exit 34 failing at each of entries 1, 2, 3, 4 and 16
# (the 1-based index, not 0-based, not wrapped), and entry.
for want in '^expect vmfail' '^expect exit entry-fail-guest qual=0x0$' \
	'^expect exit entry-fail-guest qual=0x2$' '^expect exit entry-fail-guest qual=0x4$' \
	'^expect none'; do
	grep -q -l -E "$want" "${files[@]}" && ok || bad "no corpus VM entry matches $want"
done
grep -l -E '^expect exit entry-fail-guest qual=0x2$' "${files[@]}" | xargs grep -q -l -E '^event vm-entry .* ept( |$)' &&
	ok || bad "no corpus VM entry expects code 2 with EPT (the processor's check)"
for k in 0x1 0x2 0x3 0x4 0x10; do
	grep -q -l -E "^expect exit entry-fail-msr qual=${k}\$" "${files[@]}" && ok ||
		bad "no corpus scenario expects exit 34 at entry $k"
done

"$nf" targets | awk '/^kvm-[^ ]+ /{print $1}' >"$tmp/mods"
[ -s "$tmp/mods" ] || { echo "no KVM module built in: skipped"; exit 77; }

while read -r mod; do
	compares_all "$nf" "$mod" 55 "${files[@]}"
done <"$tmp/mods"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
