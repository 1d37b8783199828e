# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-only
# Sourced by scripts/test, scripts/fuzz and scripts/coverage: make sure the
# kernel trees exist and name them for CMake.
#
# With trees given (--kernel-tree), those are used as they are.  Otherwise
# the cache of scripts/fetch-kernel decides: its kernels/DEFAULT records the
# default matrix (the newest kernel of bookworm, trixie and sid).  When that
# file is missing, more than a day old, or names a tree that is not cached,
# scripts/fetch-kernel runs (its default run) first.  Then every cached tree
# is built, pinned ones (fetch-kernel SERIES=VERSION) included.
#
# Environment:
#   NEPT_CACHE, XDG_CACHE_HOME  the cache, as for scripts/fetch-kernel
#   NEPT_NO_FETCH=1             never run scripts/fetch-kernel: use the cache
#                               as it is, fail if a default tree is missing
#   NEPT_FETCH_KERNEL           the fetch command to run instead of
#                               scripts/fetch-kernel (tests use a stub)

_nept_kernels_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# How old kernels/DEFAULT may get before a fetch refreshes it (seconds).
_nept_default_max_age=86400

# _nept_meta FILE KEY: the value of KEY in a NEPTFUZZ-SOURCE file.
_nept_meta() {
	awk -v k="$2" 'index($0, k "=") == 1 { print substr($0, length(k) + 2); exit }' "$1"
}

# _nept_default_missing KDIR: "SUITE SERIES VERSION DIRNAME" for each entry
# of KDIR/DEFAULT whose tree is not in the cache.
_nept_default_missing() {
	local su se v dn
	awk '!/^[ \t]*(#|$)/ && NF >= 4 { print $1, $2, $3, $4 }' "$1/DEFAULT" |
		while read -r su se v dn; do
			if [ ! -f "$1/$dn/NEPTFUZZ-SOURCE" ] ||
				[ "$(_nept_meta "$1/$dn/NEPTFUZZ-SOURCE" package_version)" != "$v" ]; then
				echo "$su $se $v $dn"
			fi
		done
}

# _nept_default_age KDIR: seconds since KDIR/DEFAULT was resolved (its
# resolved_at line, else its modification time).
_nept_default_age() {
	local at t
	at=$(sed -n 's/^# *resolved_at=//p' "$1/DEFAULT" | head -n 1)
	if [ -z "$at" ] || ! t=$(date -d "$at" +%s 2>/dev/null); then
		t=$(stat -c %Y "$1/DEFAULT")
	fi
	echo $(($(date +%s) - t))
}

# _nept_report_missing KDIR: one error line per missing default tree.
_nept_report_missing() {
	local su se v dn
	_nept_default_missing "$1" | while read -r su se v dn; do
		echo "error: default kernel tree missing: $su's linux-source-$se $v ($1/$dn);" \
			"scripts/fetch-kernel fetches the default trees (scripts/fetch-kernel $se=$v: exactly this version, pinned)" >&2
	done
}

# _nept_hint_cached KDIR: when trees are cached but no DEFAULT says which
# are the defaults (a cache from before DEFAULT existed), say how to use them.
_nept_hint_cached() {
	local trees
	trees=$(_nept_trees "$1" | sed 's/^/--kernel-tree /' | paste -sd' ')
	[ -z "$trees" ] || echo "The cache holds trees all the same; to build them as they are: $trees" >&2
}

# _nept_trees KDIR: every cached tree (a directory with a NEPTFUZZ-SOURCE),
# sorted by version (series, then package version).
_nept_trees() {
	local d
	for d in "$1"/*/; do
		d=${d%/}
		[ -f "$d/NEPTFUZZ-SOURCE" ] || continue
		printf '%s\t%s\t%s\n' "$(_nept_meta "$d/NEPTFUZZ-SOURCE" series)" \
			"$(_nept_meta "$d/NEPTFUZZ-SOURCE" package_version)" "$d"
	done | _nept_sort_trees
}

# _nept_sort_trees: sorts "SERIES<TAB>VERSION<TAB>DIR" lines (Debian version
# order, where dpkg is there) and prints the directories.
_nept_sort_trees() {
	local -a rows=()
	local row s v s2 v2 i j
	mapfile -t rows
	for ((i = 1; i < ${#rows[@]}; i++)); do
		row=${rows[i]}
		IFS=$'\t' read -r s v _ <<<"$row"
		for ((j = i - 1; j >= 0; j--)); do
			IFS=$'\t' read -r s2 v2 _ <<<"${rows[j]}"
			if [ "$s2" = "$s" ]; then
				_nept_version_gt "$v2" "$v" || break
			else
				_nept_version_gt "$s2" "$s" || break
			fi
			rows[j + 1]=${rows[j]}
		done
		rows[j + 1]=$row
	done
	for row in "${rows[@]+"${rows[@]}"}"; do
		printf '%s\n' "${row##*$'\t'}"
	done
}

_nept_version_gt() {
	if command -v dpkg >/dev/null; then
		dpkg --compare-versions "$1" gt "$2"
	else
		[ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n 1)" = "$1" ]
	fi
}

# ensure_kernel_trees TREE... : prints the -D option for CMake on stdout
# (-DNEPT_KVM_TREES=DIR;DIR...), messages on stderr; returns nonzero when
# the trees are not there.
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

	local cache kdir fetch reason="" age list="" d
	cache=${NEPT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/neptfuzz}
	case $cache in /*) ;; *) cache=$PWD/$cache ;; esac
	kdir=$cache/kernels
	fetch=${NEPT_FETCH_KERNEL:-$_nept_kernels_lib/fetch-kernel}

	if [ ! -f "$kdir/DEFAULT" ]; then
		reason="no default matrix yet ($kdir/DEFAULT)"
	elif [ -n "$(_nept_default_missing "$kdir")" ]; then
		reason="$kdir/DEFAULT names trees that are not cached"
	else
		age=$(_nept_default_age "$kdir")
		if [ "$age" -gt "$_nept_default_max_age" ]; then
			reason="the default matrix was resolved $((age / 3600)) h ago"
		fi
	fi

	if [ -n "$reason" ] && [ "${NEPT_NO_FETCH:-0}" = 1 ]; then
		if [ ! -f "$kdir/DEFAULT" ]; then
			echo "error: no kernel trees are known: $kdir/DEFAULT does not exist and NEPT_NO_FETCH=1 forbids fetching." >&2
			echo "Fetch Debian's with scripts/fetch-kernel (NEPT_CACHE=$cache), or pass --kernel-tree DIR." >&2
			_nept_hint_cached "$kdir"
			return 1
		fi
		if [ -n "$(_nept_default_missing "$kdir")" ]; then
			_nept_report_missing "$kdir"
			echo "(NEPT_NO_FETCH=1: not fetching; or pass --kernel-tree DIR)" >&2
			return 1
		fi
		echo "== kernel sources: $reason; not refreshing it (NEPT_NO_FETCH=1)" >&2
	elif [ -n "$reason" ]; then
		echo "== kernel sources: $reason: running scripts/fetch-kernel" >&2
		if ! "$fetch" >&2; then
			if [ -f "$kdir/DEFAULT" ] && [ -z "$(_nept_default_missing "$kdir")" ]; then
				echo "warning: scripts/fetch-kernel failed; going on with the cached default trees of $kdir/DEFAULT. Retry: scripts/fetch-kernel" >&2
			elif [ -f "$kdir/DEFAULT" ]; then
				echo "error: scripts/fetch-kernel failed and default kernel trees are missing." >&2
				_nept_report_missing "$kdir"
				return 1
			else
				echo "error: scripts/fetch-kernel failed and no kernel trees are known ($kdir/DEFAULT does not exist)." >&2
				echo "Retry scripts/fetch-kernel (NEPT_CACHE=$cache), or pass --kernel-tree DIR." >&2
				_nept_hint_cached "$kdir"
				return 1
			fi
		elif [ ! -f "$kdir/DEFAULT" ]; then
			echo "error: scripts/fetch-kernel succeeded but wrote no $kdir/DEFAULT" >&2
			return 1
		elif [ -n "$(_nept_default_missing "$kdir")" ]; then
			echo "error: scripts/fetch-kernel succeeded but default kernel trees are missing." >&2
			_nept_report_missing "$kdir"
			return 1
		fi
	fi

	while IFS= read -r d; do
		list="${list:+$list;}$(cd "$d" && pwd)"
	done < <(_nept_trees "$kdir")
	echo "-DNEPT_KVM_TREES=$list"
}

# default_kernel_series: the series of the default matrix (kernels/DEFAULT),
# ';'-joined, for -DNEPT_KVM_REQUIRE: every one must have a module.
default_kernel_series() {
	local cache
	cache=${NEPT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/neptfuzz}
	[ -f "$cache/kernels/DEFAULT" ] || return 0
	awk '!/^[ \t]*(#|$)/ && NF >= 4 { print $2 }' "$cache/kernels/DEFAULT" | paste -sd';'
}
