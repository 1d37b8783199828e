#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Every KVM module compares the VM entries KVM fails in its own checks
# (nested_vmx_run's order): VMfail from nested_vmx_check_controls, exit 33
# with code 4 from nested_vmx_check_vmcs_link_ptr, with EPT off code 2
# from prepare_vmcs02's load_pdptrs, and exit 34 from nested_vmx_load_msr
# and KVM's MSR write, with the failing entry anywhere from 1 to 16 of the
# list (facts §13.3, each item).  Each such corpus scenario must be
# compared (neither unsupported nor skipped) and agree with the model or
# its tree's known deviations.  Exits 77 (skipped) when no KVM module is
# built in.
set -u
nf=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mapfile -t files < <(
	grep -l -E '^expect (vmfail|exit entry-fail-guest qual=0x4$|exit entry-fail-msr )' "$src"/corpus/entry-*.scn
	grep -l -E '^expect exit entry-fail-guest qual=0x2$' "$src"/corpus/entry-*.scn |
		xargs grep -L -E '^event vm-entry .* ept( |$)'
)
[ "${#files[@]}" -ge 29 ] || bad "only ${#files[@]} corpus scenarios expect VMfail, code 4, code 2 without EPT or exit 34"
# Exit 34 at entry 1 and past it (the 1-based index, not 0-based, not
# wrapped): at least one scenario fails at each of 1, 2, 3, 4 and 16.
for k in 0x1 0x2 0x3 0x4 0x10; do
	grep -q -l -E "^expect exit entry-fail-msr qual=$k\$" "${files[@]}" && ok ||
		bad "no corpus scenario expects exit 34 at entry $k"
done

"$nf" targets | awk '/^kvm-[^ ]+ /{print $1}' >"$tmp/mods"
[ -s "$tmp/mods" ] || { echo "no KVM module built in: skipped"; exit 77; }

while read -r mod; do
	# The module's row of --stats: events (of scenarios whose
	# capabilities it offers) and compared.
	"$nf" diff --quiet --stats --target "$mod" "${files[@]}" >"$tmp/out" 2>&1
	read -r events compared < <(awk -v m="$mod" '$1 == m {print $2, $3}' "$tmp/out")
	[ "${events:-0}" -ge 5 ] && [ "$compared" = "$events" ] && ok ||
		bad "$mod compared ${compared:-?} of ${events:-?} events: $(grep -E "^$mod " "$tmp/out")"
	grep -q ' 0 DIVERGENCE' "$tmp/out" && ok || bad "$mod: $(tail -n 1 "$tmp/out")"
done <"$tmp/mods"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
