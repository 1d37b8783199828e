#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `neptfuzz minimize` and `neptfuzz repro` on stored reproducers, planted
# scenarios and bad input: the signature and its version set survive
# minimizing, the result is legal, no larger (strictly smaller where there
# is something to drop), deterministic, and its header's verdict lines hold;
# repro prints the sections a reader needs, with the rules that decide each
# difference.  Exits 77 (skipped) when no KVM module is built in.
set -u
nf=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# The signature `neptfuzz diff` gives a file ("" when it has none).
signature() { { "$nf" diff "$1" 2>/dev/null || true; } | sed -n 's/^  signature: //p' | head -n 1; }
# "pages entries events" of a scenario file, from its canonical text.
counts() {
	"$nf" fmt --to text "$1" |
		sed -n 's/^# pages: \([0-9]*\), nonzero qwords: \([0-9]*\), events: \([0-9]*\).*/\1 \2 \3/p'
}
# Binary size of a scenario file's canonical encoding.
bin_size() { "$nf" fmt --to bin "$1" | wc -c; }
# Every "# verdict:" line of a file, sorted.
verdicts_of() { grep '^# verdict:' "$1" | sort; }

if ! "$nf" targets --names | grep -q '^kvm-'; then
	echo "SKIP: no KVM module built in: nothing diverges"
	exit 77
fi

# --- Stored reproducers keep their signature and shrink. -----------------
shrunk=0
for name in kvm61-misconfig-stale-qualification kvm-l2-walk-gpa-page-aligned \
	kvm-pml-double-log-on-aliased-entry kvm-l2-32bit-paging-fetch-reports-id \
	kvm6x-ve-then-pf-no-double-fault; do
	in="$src/crashes/$name.scn" out="$tmp/$name.scn"
	expect_status 0 "$nf" minimize -o "$out" "$in"
	sig=$(signature "$in")
	[ -n "$sig" ] && ok || bad "$name: no signature to keep"
	[ "$(signature "$out")" = "$sig" ] && ok ||
		bad "$name: signature changed: '$(signature "$out")', want '$sig'"
	# The version set alone (between "divergence: " and the source).
	[ "$(signature "$out" | cut -d' ' -f2)" = "$(printf '%s' "$sig" | cut -d' ' -f2)" ] && ok ||
		bad "$name: version set changed"
	grep -qxF "# signature: $sig" "$out" && ok || bad "$name: header does not name the signature"
	expect_status 0 "$nf" eval "$out"
	# The header's verdict lines hold on every module built in.
	expect_status 0 "$nf" verdicts "$out"
	[ "$(verdicts_of "$out" | wc -l)" -ge "$("$nf" targets --names | grep -c '^kvm-')" ] && ok ||
		bad "$name: not one verdict line per module"
	read -r p0 q0 e0 <<<"$(counts "$in")"
	read -r p1 q1 e1 <<<"$(counts "$out")"
	if [ "$p1" -le "$p0" ] && [ "$q1" -le "$q0" ] && [ "$e1" -le "$e0" ] &&
		[ "$(bin_size "$out")" -le "$(bin_size "$in")" ]; then ok; else
		bad "$name: larger: $p0/$q0/$e0 -> $p1/$q1/$e1 (pages/entries/events)"
	fi
	[ $((p1 + q1 + e1)) -lt $((p0 + q0 + e0)) ] && shrunk=$((shrunk + 1))
done
[ "$shrunk" -ge 3 ] && ok || bad "only $shrunk reproducers got strictly smaller, want 3 or more"
# Two events, one needed: the second goes.
read -r _ _ e <<<"$(counts "$tmp/kvm-l2-walk-gpa-page-aligned.scn")"
[ "$e" -eq 1 ] && ok || bad "kvm-l2-walk-gpa-page-aligned: $e events left, want 1"

# Every stored finding: the same signature, and no larger (pages, entries,
# events); a file with no divergence has nothing to keep.
for in in "$src"/crashes/*.scn; do
	name=$(basename "$in") sig=$(signature "$in")
	if [ -z "$sig" ]; then
		expect_status 1 "$nf" minimize -q "$in"
		continue
	fi
	expect_status 0 "$nf" minimize -q -o "$tmp/every.scn" "$in"
	[ "$(signature "$tmp/every.scn")" = "$sig" ] && ok || bad "$name: signature changed"
	read -r p0 q0 e0 <<<"$(counts "$in")"
	read -r p1 q1 e1 <<<"$(counts "$tmp/every.scn")"
	[ "$p1" -le "$p0" ] && [ "$q1" -le "$q0" ] && [ "$e1" -le "$e0" ] && ok ||
		bad "$name: larger: $p0/$q0/$e0 -> $p1/$q1/$e1"
done

# Deterministic, and a fixed point: the same input gives the same file,
# and minimizing the result finds nothing more.
in=$src/crashes/kvm-pml-double-log-on-aliased-entry.scn
"$nf" minimize -q -o "$tmp/again.scn" "$in"
cmp -s "$tmp/again.scn" "$tmp/kvm-pml-double-log-on-aliased-entry.scn" && ok ||
	bad "minimize is not deterministic"
"$nf" minimize -o "$tmp/twice.scn" "$tmp/again.scn" 2>"$tmp/err"
grep -q '^minimized .*: 0 reductions' "$tmp/err" && ok || bad "a minimized file shrinks again: $(tail -3 "$tmp/err")"

# Any artifact: the binary encoding under an AFL++-style name gives the
# same scenario as the text.
"$nf" fmt --to bin -o "$tmp/id:000000,sig:06,src:000001,time:42" "$in"
expect_status 0 "$nf" minimize -q -o "$tmp/from-bin.scn" "$tmp/id:000000,sig:06,src:000001,time:42"
diff <(sed 1,2d "$tmp/from-bin.scn") <(sed 1,2d "$tmp/again.scn") >/dev/null && ok ||
	bad "the binary artifact minimizes to another scenario than its text"

# A planted scenario: the finding plus events, pages, entries and controls
# it does not need; they all go, and so do the capabilities.
in=$src/crashes/kvm61-misconfig-stale-qualification.scn
{
	cat "$in"
	printf 'controls nmi-exiting exception-bitmap=0x4000\n'
	printf 'entry 0x9000[3] 0x1234567\nentry 0xa000[7] 0xabc\npage 0xb000\n'
	printf 'event emulated read gpa=0x9123 exit=io-instruction exit-qual=0x600010\n'
	printf 'event hw-violation write gpa=0x5123\n'
} >"$tmp/planted.scn"
expect_status 0 "$nf" eval "$tmp/planted.scn"
sig=$(signature "$tmp/planted.scn")
[ "$sig" = "$(signature "$in")" ] && ok || bad "planted scenario has another signature: $sig"
expect_status 0 "$nf" minimize -o "$tmp/planted.min" "$tmp/planted.scn"
[ "$(signature "$tmp/planted.min")" = "$sig" ] && ok || bad "planted: signature changed"
read -r p q e <<<"$(counts "$tmp/planted.min")"
[ "$e" -eq 1 ] && [ "$q" -le 1 ] && [ "$p" -le 1 ] && ok ||
	bad "planted: $p pages, $q entries, $e events left, want at most 1, 1, 1"
grep -qE '^(controls|page 0x[9ab]000)|0x1234567' "$tmp/planted.min" &&
	bad "planted: unneeded parts survive: $(grep -E '^(controls|page)' "$tmp/planted.min")" || ok
grep -q '^caps walk4 wb$' "$tmp/planted.min" && ok || bad "planted: caps not reduced: $(grep '^caps' "$tmp/planted.min")"

# --keep-all-divergences keeps every module's verdict, not just the
# signature: the verdict lines equal the input's.
in=$src/crashes/kvm-l2-walk-table-read-reported-as-write.scn
expect_status 0 "$nf" minimize --keep-all-divergences -o "$tmp/all.scn" "$in"
"$nf" repro "$in" | sed -n 's/^\(# verdict: .*\)/\1/p' | sort >"$tmp/want"
diff "$tmp/want" <(verdicts_of "$tmp/all.scn") >/dev/null && ok ||
	bad "--keep-all-divergences changed a verdict: $(diff "$tmp/want" <(verdicts_of "$tmp/all.scn"))"
"$nf" minimize -q -o "$tmp/sig-only.scn" "$in"
read -r _ q_all _ <<<"$(counts "$tmp/all.scn")"
read -r _ q_sig _ <<<"$(counts "$tmp/sig-only.scn")"
[ "$q_sig" -le "$q_all" ] && ok || bad "keeping only the signature gave more entries ($q_sig) than keeping all ($q_all)"

# Limits: the result so far, still with its signature, and said.
in=$src/crashes/kvm-l2-walk-gpa-page-aligned.scn
expect_status 0 "$nf" minimize --max-steps 3 -o "$tmp/limited.scn" "$in"
grep -q 'stopped by --max-steps' "$tmp/err" && ok || bad "--max-steps not reported: $(cat "$tmp/err")"
grep -q 'in 3 runs' "$tmp/err" && ok || bad "--max-steps 3 ran another number of candidates: $(tail -3 "$tmp/err")"
[ "$(signature "$tmp/limited.scn")" = "$(signature "$in")" ] && ok || bad "--max-steps: signature changed"
expect_status 0 "$nf" minimize --time 0.000001 -o "$tmp/timed.scn" "$in"
grep -q 'stopped by --time' "$tmp/err" && ok || bad "--time not reported: $(cat "$tmp/err")"

# Nothing to keep, and bad input.
expect_status 1 "$nf" minimize "$src/corpus/read-ok-4k.scn"
grep -q 'no divergence' "$tmp/err" && ok || bad "no-divergence message missing: $(cat "$tmp/err")"
expect_status 2 "$nf" minimize
grep -q 'no file given' "$tmp/err" && ok || bad "minimize without a file: $(cat "$tmp/err")"
printf '\xff\xfe\xfd' >"$tmp/garbage.bin"
expect_status 2 "$nf" minimize "$tmp/garbage.bin"
grep -q 'garbage.bin: not a scenario' "$tmp/err" && ok || bad "garbage: $(cat "$tmp/err")"
expect_status 2 "$nf" minimize "$tmp/does-not-exist"
grep -q 'does-not-exist: No such file' "$tmp/err" && ok || bad "missing file: $(cat "$tmp/err")"
expect_status 2 "$nf" minimize --max-steps 0 "$in"
expect_status 2 "$nf" minimize --time soon "$in"
expect_status 2 "$nf" minimize "$in" "$in"
expect_status 0 "$nf" minimize --help
expect_status 0 "$nf" help minimize

# --- repro ---------------------------------------------------------------
in=$src/crashes/kvm-l2-walk-table-read-reported-as-write.scn
expect_status 1 "$nf" repro "$in"
for want in '^== .*: text scenario, [0-9]* bytes ==$' '^== scenario (as run' '^== signature ==$' \
	"^$(signature "$in" | sed 's/[][\.*^$]/\\&/g')\$" '^== event 0: emulated read' \
	'^L2 walk of linear address 0x401123 (4level paging' '└─ L2-PML4E at GPA 0x10000 (L1 0x10000) = 0x11027  P RW US A -> table 0x11000' \
	'via EPT12 for GPA 0x13008' '└─ PTE 0x4000\[19\] = 0x0  not present (facts §3.2)' \
	'└─ PML4E 0x1000\[0\] = 0x2007  R W X -> table 0x2000' 'mt=6(WB) -> page 0x10000 (4 KiB)' \
	'L2 stopped: EPT12 stopped a guest entry read' '^outcomes:$' '^  model (SDM) ' \
	'^differences (the SDM rule that decides each):$' \
	'bit 1 WRITE: SDM 0, these versions 1; .*(facts §6.2' \
	'bit 7 GLA_VALID: .*(facts §6, §7.1, §9)' 'SDM guest-physical address 0x13008: .*(facts §7.1' \
	'^== verdicts (for crashes/) ==$'; do
	grep -q -- "$want" "$tmp/out" && ok || bad "repro: no line matching '$want'"
done
# Every module's outcome, and its verdict lines are the file's own.
for m in $("$nf" targets --names | grep '^kvm-'); do
	grep -q "^  $m " "$tmp/out" && ok || bad "repro: no outcome for $m"
done
# (only the modules built here: a file may hold verdicts of other trees,
# which repro cannot print)
built_verdicts() {
	grep -F -f <("$nf" targets --names | grep '^kvm-' | sed 's/^/# verdict: /; s/$/ /') "$1" | sort
}
diff <(grep '^# verdict:' "$tmp/out" | sort) <(built_verdicts "$in") >/dev/null && ok ||
	bad "repro's verdict lines differ from the reproducer's"

# A misconfiguration: the rule from the model, the qualification's rule.
expect_status 1 "$nf" repro "$src/crashes/kvm61-misconfig-stale-qualification.scn"
grep -q 'PTE 0x4000\[5\] = 0x7032  W mt=6(WB) -> page 0x7000 (4 KiB); MISCONFIGURED: W without R (facts §4 item 1)' "$tmp/out" &&
	ok || bad "repro: the misconfigured PTE is not decoded"
grep -q 'SDM: 0: an EPT misconfiguration saves no exit qualification (facts §4, §7.3)' "$tmp/out" && ok ||
	bad "repro: no rule for the nonzero qualification"
# #PF error-code bits by name (facts §8.1), from the binary encoding.
"$nf" fmt --to bin -o "$tmp/crash-0123abcd" "$src/crashes/kvm-l2-32bit-paging-fetch-reports-id.scn"
expect_status 1 "$nf" repro "$tmp/crash-0123abcd"
grep -q ': binary scenario, [0-9]* bytes ==$' "$tmp/out" && ok || bad "repro: binary artifact not named as such"
grep -q 'bit 4 I/D: SDM 0, these versions 1; .*(facts §8.1)' "$tmp/out" && ok || bad "repro: no I/D bit rule"
grep -q 'L2 stopped: #PF: an entry is not present (facts §8.3 step 2); error code 0x0' "$tmp/out" && ok ||
	bad "repro: L2 stop not explained"
# The guest-linear address (facts §7.1).
expect_status 1 "$nf" repro "$src/crashes/kvm-emulated-stale-guest-linear-address.scn"
grep -q 'SDM guest-linear address 0x5123: .*(facts §7.1)' "$tmp/out" && ok || bad "repro: no GLA rule"
# Agreement, and bad input.
expect_status 0 "$nf" repro "$src/corpus/read-ok-4k.scn"
grep -q '^no divergence' "$tmp/out" && ok || bad "repro: agreement not said"
expect_status 2 "$nf" repro
grep -q 'no file given' "$tmp/err" && ok || bad "repro without a file: $(cat "$tmp/err")"
expect_status 2 "$nf" repro "$tmp/garbage.bin"
grep -q 'garbage.bin: not a scenario' "$tmp/err" && ok || bad "repro garbage: $(cat "$tmp/err")"
expect_status 2 "$nf" repro "$tmp/does-not-exist"
expect_status 0 "$nf" repro --help

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
