# SPDX-License-Identifier: GPL-2.0-only
# What the shell tests share: pass/fail counting and an exit-status check.
# Source it after setting $tmp (a scratch directory).
pass=0 fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# expect_status WANT CMD... : run CMD (stdout in $tmp/out, stderr in
# $tmp/err), compare its exit status
expect_status() {
	local want=$1
	shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	local got=$?
	if [ "$got" -eq "$want" ]; then ok; else bad "$* exited $got, want $want: $(head -c 300 "$tmp/err")"; fi
}
# compares_all NEPTFUZZ MODULE MIN FILE... : MODULE compared every event
# of FILE... (at least MIN; neither unsupported nor skipped) and none
# diverged in a new way (`neptfuzz diff --stats`'s row and summary, kept
# in $tmp/out).
compares_all() {
	local nf=$1 mod=$2 min=$3 events compared
	shift 3
	"$nf" diff --quiet --stats --target "$mod" "$@" >"$tmp/out" 2>&1
	read -r events compared < <(awk -v m="$mod" '$1 == m {print $2, $3}' "$tmp/out")
	[ "${events:-0}" -ge "$min" ] && [ "$compared" = "$events" ] && ok ||
		bad "$mod compared ${compared:-?} of ${events:-?} events: $(grep -E "^$mod " "$tmp/out")"
	grep -q ' 0 DIVERGENCE' "$tmp/out" && ok || bad "$mod: $(tail -n 1 "$tmp/out")"
}
