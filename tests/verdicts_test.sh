#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The rules of `neptfuzz verdicts`, on edited copies of a stored finding
# that every KVM version diverges on (a 2-MiB leaf without cap bit 16).
# Works with whatever modules the binary has.  Usage: verdicts_test.sh
# NEPTFUZZ SRCDIR
set -u
nf=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 checks=0
check() { # DESCRIPTION EXPECTED-RC ACTUAL-RC [OUTPUT-FILE PATTERN]
	checks=$((checks + 1))
	if [ "$2" != "$3" ]; then
		echo "FAIL: $1: exit $3, expected $2"
		[ -n "${4:-}" ] && sed 's/^/    /' "$4"
		fails=$((fails + 1))
	elif [ -n "${4:-}" ] && ! grep -q -- "$5" "$4"; then
		echo "FAIL: $1: output lacks '$5'"
		sed 's/^/    /' "$4"
		fails=$((fails + 1))
	fi
}

mods=$("$nf" targets --names | grep '^kvm-')
if [ -z "$mods" ]; then
	echo "FAIL: no KVM module built in: nothing to test"
	exit 1
fi
first=$(head -n 1 <<<"$mods")
body=$(grep -v '^# verdict:' "$src/crashes/kvm-2m-pages-allowed-without-cap.scn")
f=$tmp/finding.scn

# An ancient version only: every module is held to it and now diverges.
{ echo "# verdict: kvm-0.0.1 agrees"; echo "$body"; } >"$f"
"$nf" verdicts "$f" >"$tmp/out" 2>&1
check "held to an older series" 1 $? "$tmp/out" "$first now diverges kind exit 49"

# --record writes the lines of the first module that changed; later ones
# that behave the same are held to it (lines only where behaviour changes).
"$nf" verdicts --record "$f" >"$tmp/out" 2>&1
check "--record" 0 $? "$tmp/out" "RECORDED .*: $first now diverges"
grep -qx "# verdict: $first diverges kind exit 49 (2-MiB page without cap bit 16)->none" "$f"
check "--record wrote the first module's line" 0 $?
"$nf" verdicts "$f" >"$tmp/out" 2>&1
check "recorded lines hold" 0 $? "$tmp/out" "0 failed"
cp "$f" "$tmp/recorded.scn"

# A diverges verdict is the exact set: one more line fails.
sed "0,/^# verdict: $first diverges.*/s//&\n# verdict: $first diverges gpa page offset/" "$tmp/recorded.scn" >"$f"
"$nf" verdicts "$f" >"$tmp/out" 2>&1
check "an extra divergence line" 1 $? "$tmp/out" "FAIL .*: $first diverges kind"

# A version's own line that no longer holds fails, and --record keeps it.
sed "s/^# verdict: $first diverges .*/# verdict: $first agrees/" "$tmp/recorded.scn" >"$f"
"$nf" verdicts --record "$f" >"$tmp/out" 2>&1
check "an exact verdict that changed" 1 $? "$tmp/out" "recorded: agrees"
grep -q "^# verdict: $first agrees" "$f"
check "--record leaves a version's own line" 0 $?

# Carried within a series: the module's lines under an older version of
# its series hold for it, and count as carried.
older=$(sed 's/\.[0-9]*$/.0/' <<<"$first")
sed "s/^# verdict: $first /# verdict: $older /" "$tmp/recorded.scn" >"$f"
"$nf" verdicts "$f" >"$tmp/out" 2>&1
check "carried from an older version of the series" 0 $? "$tmp/out" "[1-9][0-9]* carried"

# The matrix: a required series with no module fails unless allowed.
"$nf" verdicts --require 99.99 "$tmp/recorded.scn" >"$tmp/out" 2>&1
check "a required series missing" 1 $? "$tmp/out" "series 99.99 has no module"
"$nf" verdicts --require 99.99 --allow-missing 99.99 "$tmp/recorded.scn" >"$tmp/out" 2>&1
check "an allowed missing series" 0 $? "$tmp/out" "allowed missing: series 99.99"

# A malformed verdict line is bad input, with its place.
{ echo "# verdict: $first maybe"; echo "$body"; } >"$f"
"$nf" verdicts "$f" >"$tmp/out" 2>&1
check "a malformed verdict" 2 $? "$tmp/out" "finding.scn:1: unknown verdict 'maybe'"

echo "verdicts_test: $checks checks, $fails failed (modules: $(paste -sd' ' <<<"$mods"))"
[ "$fails" -eq 0 ]
