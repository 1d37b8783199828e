#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Every KVM module whose tree has the extracted VM-entry path (probe
# nested_run_pending_arch, kvm/recipe.txt) compares the VM entries KVM
# fails before prepare_vmcs02, in nested_vmx_run's own order: VMfail from
# nested_vmx_check_controls, and exit 33 with code 4 from
# nested_vmx_check_vmcs_link_ptr.  Each such corpus scenario must be
# compared (neither unsupported nor skipped) and agree with the model or
# its tree's known deviations.  A module of another form must report them
# unsupported, never compare them.  Exits 77 (skipped) when no KVM module
# is built in.
set -u
nf=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mapfile -t files < <(grep -l -E '^expect (vmfail|exit entry-fail-guest qual=0x4$)' "$src"/corpus/entry-*.scn)
[ "${#files[@]}" -ge 6 ] || bad "only ${#files[@]} corpus scenarios expect VMfail or code 4"

# "module yes|no": whether its tree has the probe.
"$nf" targets | awk '/^kvm-[^ ]+ /{m=$1} /^probes:/ && m {print m, (/ nested_run_pending_arch( |$)/ ? "yes" : "no"); m=""}' >"$tmp/mods"
[ -s "$tmp/mods" ] || { echo "no KVM module built in: skipped"; exit 77; }

while read -r mod has; do
	"$nf" diff --target "$mod" "${files[@]}" >"$tmp/out" 2>&1
	summary=$(tail -n 1 "$tmp/out")
	compared=$(sed -n 's/.*; \([0-9]*\) of [0-9]* implementation events compared$/\1/p' <<<"$summary")
	if [ "$has" = yes ]; then
		[ "$compared" = "${#files[@]}" ] && ok ||
			bad "$mod compared ${compared:-?} of ${#files[@]}: $summary"
		grep -q ' 0 DIVERGENCE' <<<"$summary" && ok || bad "$mod: $summary"
	else
		[ "$compared" = 0 ] && ok || bad "$mod (no probe) compared $compared: $summary"
	fi
done <"$tmp/mods"
grep -q ' yes$' "$tmp/mods" || echo "note: no module has the VM-entry path"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
