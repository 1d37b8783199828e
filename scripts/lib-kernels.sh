# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-only
# Sourced by scripts/test and scripts/fuzz: make sure kernel trees exist.
# With trees given (--kernel-tree), those are used as they are; otherwise
# scripts/fetch-kernel fills the cache when it holds fewer than the default
# three series (bookworm, trixie, sid).  A failed fetch is not fatal: the
# build then has fewer KVM versions, and says which.

# ensure_kernel_trees TREE... : prints the -D option for CMake.
ensure_kernel_trees() {
	if [ $# -gt 0 ]; then
		local t list=""
		for t in "$@"; do
			if [ ! -f "$t/Makefile" ] || [ ! -d "$t/arch/x86/kvm" ]; then
				echo "$t: not a Linux tree with arch/x86/kvm (get Debian's with scripts/fetch-kernel)" >&2
				return 2
			fi
			list="${list:+$list;}$(cd "$t" && pwd)"
		done
		echo "-DNEPT_KVM_TREES=$list"
		return 0
	fi
	local cache=${NEPT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/neptfuzz} have
	have=$(find "$cache/kernels" -mindepth 2 -maxdepth 2 -name NEPTFUZZ-SOURCE 2>/dev/null | wc -l)
	if [ "$have" -lt 3 ]; then
		echo "== kernel sources: fetching Debian's linux-source packages (scripts/fetch-kernel)" >&2
		scripts/fetch-kernel >&2 ||
			echo "warning: scripts/fetch-kernel failed; building with the trees there are ($have). Retry: scripts/fetch-kernel" >&2
	fi
	echo "-DNEPT_KVM_TREES="
}
