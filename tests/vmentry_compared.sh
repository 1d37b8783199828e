#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Every KVM module compares the VM entries KVM fails in its own checks
# (nested_vmx_run's order): VMfail from nested_vmx_check_controls, exit 33
# with code 4 from nested_vmx_check_vmcs_link_ptr, and with EPT off code 2
# from prepare_vmcs02's load_pdptrs.  Each such corpus scenario must be
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
	grep -l -E '^expect (vmfail|exit entry-fail-guest qual=0x4$)' "$src"/corpus/entry-*.scn
	grep -l -E '^expect exit entry-fail-guest qual=0x2$' "$src"/corpus/entry-*.scn |
		xargs grep -L -E '^event vm-entry .* ept( |$)'
)
[ "${#files[@]}" -ge 7 ] || bad "only ${#files[@]} corpus scenarios expect VMfail, code 4 or code 2 without EPT"

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
