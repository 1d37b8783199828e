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
