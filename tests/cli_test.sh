#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The command line as a user meets it: help, exit statuses, error messages
# with file:line:col, format conversion and JSON output; bad input (empty,
# garbage, truncated, CR-only, BOM, standard input, a full disk) with its
# message and exit status.
set -u
nf=$1 fuzz_model=$2 src=$3 fuzz_diff=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

expect_status 0 "$nf" --help
expect_status 2 "$nf"
expect_status 2 "$nf" no-such-command
for c in eval fmt targets; do
	expect_status 0 "$nf" "$c" --help
	expect_status 0 "$nf" help "$c"
done
expect_status 0 "$fuzz_model" --help
# Every script a user runs answers --help with its usage on stdout, and
# does nothing else (no build, no install: --help runs before all that).
for s in "$src"/scripts/*; do
	[ -f "$s" ] && [ -x "$s" ] || continue
	expect_status 0 "$s" --help
	grep -qi '^usage: ' "$tmp/out" || bad "$s --help printed no usage line"
done
expect_status 2 "$nf" eval
expect_status 2 "$nf" fmt --to xml "$src/corpus/read-ok-4k.scn"
expect_status 2 "$nf" eval "$tmp/does-not-exist"
expect_status 0 "$nf" targets
grep -q '^model ' "$tmp/out" && ok || bad "targets does not list the model"

# A malformed scenario: file:line:col and exit 2, from eval, fmt and replay.
printf 'neptfuzz-scenario 1\n# comment\nentry 0x1000[0] 0x2007\nbogus-directive 1\n' >"$tmp/bad.scn"
for cmd in "$nf eval" "$nf fmt --to bin" "$fuzz_model"; do
	expect_status 2 $cmd "$tmp/bad.scn"
	grep -q "bad.scn:4:1: " "$tmp/err" && ok || bad "$cmd: no bad.scn:4:1: in: $(cat "$tmp/err")"
done
# Bytes that are neither text nor a valid binary scenario.
printf '\xff\xfe\xfd' >"$tmp/garbage.bin"
expect_status 2 "$nf" eval "$tmp/garbage.bin"
grep -q "garbage.bin: " "$tmp/err" && ok || bad "garbage: no file name in the error"

# Conversion is lossless and canonical: text -> bin -> text is a fixed point.
for f in "$src"/corpus/*.scn; do
	b=$(basename "$f" .scn)
	"$nf" fmt --to bin -o "$tmp/$b.bin" "$f" &&
		"$nf" fmt --to text -o "$tmp/$b.1.scn" "$tmp/$b.bin" &&
		"$nf" fmt --to bin -o "$tmp/$b.2.bin" "$tmp/$b.1.scn" &&
		"$nf" fmt --to text -o "$tmp/$b.2.scn" "$tmp/$b.2.bin" ||
		{ bad "fmt failed on $f"; continue; }
	cmp -s "$tmp/$b.bin" "$tmp/$b.2.bin" && cmp -s "$tmp/$b.1.scn" "$tmp/$b.2.scn" &&
		ok || bad "fmt round trip not a fixed point for $f"
	# The canonical text still evaluates the same as the original.
	"$nf" eval --json "$f" | sed 's/"file":"[^"]*"//' >"$tmp/a.json"
	"$nf" eval --json "$tmp/$b.1.scn" | sed 's/"file":"[^"]*"//' >"$tmp/b.json"
	cmp -s "$tmp/a.json" "$tmp/b.json" && ok || bad "canonical text of $f evaluates differently"
done

# eval --json answers every corpus file: one valid object per line with the
# documented keys, one event per `event` line.
"$nf" eval --json "$src"/corpus/*.scn >"$tmp/all.json" 2>"$tmp/err" || bad "eval --json failed: $(cat "$tmp/err")"
n_files=$(ls "$src"/corpus/*.scn | wc -l)
[ "$(wc -l <"$tmp/all.json")" -eq "$n_files" ] && ok || bad "eval --json: not one line per file"
if command -v jq >/dev/null; then
	jq -e -s 'length > 0' "$tmp/all.json" >/dev/null && ok || bad "eval --json is not valid JSON"
	missing=$(jq -r '.events[] | select((has("kind") and has("reason") and has("qualification")
		and has("gpa") and has("gla") and has("gla_valid") and has("vector") and has("error_code")
		and has("from_hardware") and has("tolerances")) | not) | .kind' "$tmp/all.json" | wc -l)
	[ "$missing" -eq 0 ] && ok || bad "eval --json: $missing events lack documented keys"
	for f in "$src"/corpus/*.scn; do
		want=$(grep -c '^[[:space:]]*event[[:space:]]' "$f")
		got=$("$nf" eval --json "$f" | jq '.events | length')
		[ "$want" -eq "$got" ] && ok || bad "$f: $got events in JSON, $want in the file"
	done
else
	bad "jq is not installed (scripts/install-deps installs it)"
fi

# gen: the same seed gives the same scenarios; every one is legal.
mkdir -p "$tmp/g1" "$tmp/g2"
"$nf" gen --seed 42 --count 50 -o "$tmp/g1" && "$nf" gen --seed 42 --count 50 -o "$tmp/g2" ||
	bad "gen failed"
diff -r "$tmp/g1" "$tmp/g2" >/dev/null && ok || bad "gen is not reproducible"
[ "$(ls "$tmp/g1" | wc -l)" -eq 50 ] && ok || bad "gen wrote $(ls "$tmp/g1" | wc -l) files, not 50"
expect_status 0 "$nf" eval "$tmp"/g1/*.scn
expect_status 2 "$nf" gen --seed -1 -o "$tmp/g1"
expect_status 2 "$nf" gen --count 0 -o "$tmp/g1"

# expect_err PATTERN WHAT: the last command's stderr has PATTERN (grep -E).
expect_err() {
	if grep -qE -- "$1" "$tmp/err"; then ok; else bad "$2: no /$1/ in: $(head -c 400 "$tmp/err")"; fi
}

# gen creates its output directory (and parents); a file there is an error.
expect_status 0 "$nf" gen --count 3 -o "$tmp/new/sub"
[ "$(ls "$tmp/new/sub" | wc -l)" -eq 3 ] && ok || bad "gen -o NEWDIR did not write 3 files"
expect_status 2 "$nf" gen --count 1 -o "$tmp/garbage.bin"
expect_err "gen: -o .*garbage.bin: Not a directory" "gen -o FILE"

# Replaying what is not a scenario: a file named on the command line is an
# error saying why; in a directory it is skipped, counted and named.
: >"$tmp/empty.bin"
for t in "$fuzz_model" ${fuzz_diff:+"$fuzz_diff"}; do
	n=$(basename "$t")
	expect_status 2 "$t" "$tmp/empty.bin"
	expect_err "empty.bin: empty file: not a scenario" "$n empty file"
	expect_err "replayed 1 input: 0 scenarios, 1 not a scenario" "$n empty file count"
	expect_status 2 "$t" "$tmp/garbage.bin"
	expect_err "garbage.bin: not a scenario: .*byte 0: unknown record tag 0xff" "$n garbage"
	mkdir -p "$tmp/mixed"
	cp "$tmp/empty.bin" "$tmp/garbage.bin" "$src/corpus/read-ok-4k.scn" "$tmp/mixed/"
	expect_status 0 "$t" "$tmp/mixed"
	expect_err "replayed 3 inputs: 1 scenario, 2 not scenarios" "$n directory count"
	expect_err "mixed/garbage.bin: skipped: not a scenario" "$n directory skip"
	expect_status 0 "$t" - <"$src/corpus/read-ok-4k.scn"
	expect_err "replaying <stdin>" "$n reads - as standard input"
	expect_err "replayed 1 input: 1 scenario\$" "$n stdin count"
done
expect_status 2 "$fuzz_model" - <"$tmp/garbage.bin"
expect_err "<stdin>: not a scenario" "fuzz_model - with garbage"

# The binary encoding's errors name the record's byte offset and the rule.
"$nf" fmt --to bin -o "$tmp/ok.bin" "$src/corpus/read-ok-4k.scn" || bad "fmt --to bin failed"
head -c 40 "$tmp/ok.bin" >"$tmp/trunc.bin"
expect_status 2 "$nf" eval "$tmp/trunc.bin"
expect_err "trunc.bin: .*byte 34: PAGE record \(tag 0x04\): truncated: the input ends 5 bytes into the 8-byte payload" "truncated binary"
{ cat "$tmp/ok.bin"; printf '\x02\x1f'; } >"$tmp/illegal.bin"
expect_status 2 "$nf" eval "$tmp/illegal.bin"
expect_err "illegal.bin: binary scenario: not a legal scenario: l1-maxphyaddr 31: outside 32..52" "illegal binary"

# A UTF-8 byte order mark is accepted; CR-only (classic Mac OS) line
# endings are named, by eval and by the replay driver.
{ printf '\xef\xbb\xbf'; cat "$src/corpus/read-ok-4k.scn"; } >"$tmp/bom.scn"
expect_status 0 "$nf" eval --check "$tmp/bom.scn"
expect_status 0 "$fuzz_model" "$tmp/bom.scn"
tr '\n' '\r' <"$src/corpus/read-ok-4k.scn" >"$tmp/mac.scn"
for cmd in "$nf eval" "$fuzz_model"; do
	expect_status 2 $cmd "$tmp/mac.scn"
	expect_err "mac.scn:1:[0-9]+: line ends in a lone CR \(classic Mac OS line endings\)" "$cmd CR-only"
done

# - is standard input wherever a FILE is read.
"$nf" eval --json "$src/corpus/read-ok-4k.scn" | sed 's/"file":"[^"]*"//' >"$tmp/a.json"
"$nf" eval --json - <"$src/corpus/read-ok-4k.scn" >"$tmp/b.json" || bad "eval - failed"
grep -q '"file":"<stdin>"' "$tmp/b.json" && ok || bad "eval - does not name <stdin>"
sed -i 's/"file":"[^"]*"//' "$tmp/b.json"
cmp -s "$tmp/a.json" "$tmp/b.json" && ok || bad "eval - differs from eval FILE"
"$nf" fmt --to bin - <"$src/corpus/read-ok-4k.scn" | "$nf" fmt --to text -o - - >"$tmp/rt.scn" &&
	"$nf" fmt --to text "$src/corpus/read-ok-4k.scn" | cmp -s - "$tmp/rt.scn" && ok ||
	bad "fmt - | fmt - is not the canonical text"
expect_status 0 "$nf" verdicts - <"$src/crashes/kvm-emulated-adv-info-bits-missing.scn"
expect_status 2 "$nf" verdicts --record - <"$src/crashes/kvm-emulated-adv-info-bits-missing.scn"
# diff: 3 only known divergences; with no KVM module, 4 nothing compared.
if [ "$("$nf" targets --names | wc -l)" -gt 1 ]; then
	expect_status 3 "$nf" diff - <"$src/crashes/kvm-emulated-adv-info-bits-missing.scn"
	grep -q "^<stdin>: known divergence" "$tmp/out" && ok || bad "diff - does not name <stdin>"
	expect_status 0 "$nf" diff "$src/corpus/read-ok-4k.scn"
	grep -q "^1 files: 1 all agree" "$tmp/out" && ok || bad "diff count line: $(tail -1 "$tmp/out")"
else
	expect_status 4 "$nf" diff - <"$src/crashes/kvm-emulated-adv-info-bits-missing.scn"
	grep -q "^<stdin>: nothing compared" "$tmp/out" && ok || bad "diff with no module: $(cat "$tmp/out")"
fi

# Output that does not reach standard output (a full disk) is a failure.
if [ -w /dev/full ]; then
	for cmd in "eval --json $src/corpus/read-ok-4k.scn" "eval $src/corpus/read-ok-4k.scn" \
		"fmt --to text $src/corpus/read-ok-4k.scn" "diff $src/corpus/read-ok-4k.scn" \
		"targets" "--help" "verdicts $src/crashes"; do
		# shellcheck disable=SC2086
		"$nf" $cmd >/dev/full 2>"$tmp/err"
		rc=$?
		[ "$rc" -eq 2 ] && ok || bad "$cmd >/dev/full exited $rc, want 2"
		expect_err "writing standard output: No space left on device" "$cmd >/dev/full"
	done
else
	bad "/dev/full is not writable here"
fi

# --check fails (exit 1) when an expectation is wrong.
sed 's/^\(expect exit 48\).*/\1 qual=0xfff/' "$src/corpus/read-not-present-pte.scn" >"$tmp/wrong.scn"
expect_status 1 "$nf" eval --check "$tmp/wrong.scn"
grep -q "expectation not met: qualification" "$tmp/out" && ok || bad "--check does not name the field"

# While it fuzzes, fuzz_diff credits a known divergence to every
# deviation that changed something, and to those that decided it only
# before a report: stopped on a known divergence, it names the same
# deviations as neptfuzz diff.
repro=$src/crashes/kvm-pf-fixup-stale-pml-full-violation.scn
if [ -n "$fuzz_diff" ] && "$nf" diff "$repro" >"$tmp/diff.out" 2>&1; [ $? -eq 3 ]; then
	NEPTFUZZ_STOP_ON='*' "$fuzz_diff" "$repro" >"$tmp/stop.out" 2>&1
	grep 'known: ' "$tmp/diff.out" | sort >"$tmp/diff.known"
	grep 'known: ' "$tmp/stop.out" | sort >"$tmp/stop.known"
	[ -s "$tmp/diff.known" ] && cmp -s "$tmp/diff.known" "$tmp/stop.known" && ok ||
		bad "fuzz_diff's report names other deviations than neptfuzz diff: $(diff "$tmp/diff.known" "$tmp/stop.known" | head -5)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
