#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Data flows one way: bytes -> scenario -> model (+ known deviations) and
# the KVM modules -> comparison -> front ends.  Each folder below may
# include its own headers and those of the layers under it, never one
# above: a quoted #include that reaches up fails here, naming the file, the
# header and where the header lives.
#
#   tests/layering.sh SOURCE_ROOT
set -u
root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
cd "$root" || exit 2

# folder: the folders whose headers it may include (its own first).
declare -A allowed=(
	[harness/scenario]="harness/scenario"
	[harness/impl]="harness/impl harness/scenario"
	[model]="model harness/impl harness/scenario"
	[deviations]="deviations model harness/impl harness/scenario"
	[kvm]="kvm kvm/shim harness/impl harness/scenario"
	[kvm/shim]="kvm/shim harness/impl harness/scenario"
	[harness/mutate]="harness/mutate model harness/impl harness/scenario"
	[harness/compare]="harness/compare deviations model harness/impl harness/scenario"
	[harness/cli]="harness/cli harness/compare harness/mutate deviations model harness/impl harness/scenario"
)

# Where each project header lives (basenames are unique in the project).
declare -A home=()
while IFS= read -r h; do
	home[$(basename "$h")]=$(dirname "$h")
done < <(find harness model deviations kvm -name '*.h')

fail=0 checked=0
for dir in "${!allowed[@]}"; do
	while IFS= read -r f; do
		while IFS= read -r inc; do
			h=${home[$inc]:-}
			# A header the build generates (kvm_code.c, tree.h, ...) or
			# the file's own sibling .c: not a layer.
			[ -n "$h" ] || continue
			checked=$((checked + 1))
			case " ${allowed[$dir]} " in
			*" $h "*) ;;
			*)
				echo "FAIL: $f includes \"$inc\" ($h/), a layer above $dir/"
				fail=$((fail + 1))
				;;
			esac
		done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
	done < <(find "$dir" -maxdepth 1 -name '*.[ch]')
done
echo "layering: $checked includes checked, $fail reach up"
[ "$checked" -gt 0 ] && [ "$fail" -eq 0 ]
