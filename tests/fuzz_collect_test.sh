#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# scripts/fuzz's collection and summary, without fuzzing: a run directory
# is laid out by hand as the engines leave it (libFuzzer's artifacts, AFL++
# crashes of a -M and a -S instance, a crashes.DATE folder that an in-place
# resume renamed, per-process statistics files), a stub stands in for the
# replaying build, and then:
#   - every crashing input ends up in findings/<signature>/, copied (the
#     engines' files stay), deduplicated by content across engines and
#     folders, named <size>-<sha1> so the smallest comes first, with
#     signature.txt and an index.tsv in size order;
#   - collecting again, or after a resume renamed crashes/ once more, adds
#     only what is new;
#   - summary.json adds up the statistics of every process, counts known
#     and new signatures, and `scripts/fuzz --report` exits 1 (findings),
#     0 (clean), 2 (a target that could not run), 130 (interrupted);
#   - the progress parsers read libFuzzer's -fork lines and AFL++'s files;
#   - the plot is drawn, or its absence said.
# Run from the source tree: bash tests/fuzz_collect_test.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
command -v jq >/dev/null || { echo "fuzz_collect_test: jq is needed (scripts/install-deps)"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $what" >&2
	fi
}
eq() { [ "$1" = "$2" ] || { echo "  expected '$2', got '$1'" >&2; return 1; }; }

# The stub replay build: the planted inputs say how they crash.
stub=$tmp/replay
mkdir -p "$stub"
cat >"$stub/stub" <<'STUB'
#!/usr/bin/env bash
f=${*: -1}
case "$(head -c 4 "$f")" in
SIGA) echo "SUMMARY: neptfuzz: divergence: kvm-6.1.176,kvm-6.12.107: emulated: qualification -GLA_VALID"; exit 1 ;;
SIGB) echo "SUMMARY: neptfuzz: model invariant: qualification-reserved-bits"; exit 1 ;;
ASAN) echo "==1==ERROR: AddressSanitizer: heap-buffer-overflow"
      echo "SUMMARY: AddressSanitizer: heap-buffer-overflow $NF_ROOT/harness/scenario_text.c:12:3 in parse"; exit 1 ;;
TEXT) echo "neptfuzz: text round trip: written text rejected"
      echo "==1== ERROR: libFuzzer: deadly signal"
      echo "SUMMARY: libFuzzer: deadly signal"; exit 1 ;;
esac
echo "neptfuzz: 1 inputs, 1 scenarios"
exit 0
STUB
chmod +x "$stub/stub"
for t in fuzz_model fuzz_text fuzz_diff; do ln -s stub "$stub/$t"; done
export NF_REPLAY_DIR=$stub NF_ROOT=$root
# shellcheck source=scripts/lib-fuzz.sh
. scripts/lib-fuzz.sh

out=$tmp/out
run=$out/r1
plant() { # plant FILE CONTENT [MTIME]
	mkdir -p "$(dirname "$1")"
	printf '%s' "$2" >"$1"
	touch -d "@${3:-1800000100}" "$1"
}
mkdir -p "$run/state" "$run/findings"
cat >"$run/run.conf" <<'CONF'
created=2027-01-15T02:00:00Z
time=600
jobs=2
engines=libfuzzer,afl
targets=fuzz_model fuzz_text fuzz_diff
CONF
printf 'fuzz_model\t1800000000\t1800000600\t0\tcomplete\nfuzz_text\t1800000600\t1800001200\t0\tcomplete\nfuzz_diff\t1800001200\t1800001500\t0\tinterrupted\nfuzz_diff\t1800002000\t1800002300\t300\tcomplete\n' >"$run/sessions.tsv"
for t in fuzz_model fuzz_text fuzz_diff; do
	nf_set "$run/state/$t" seconds 600
	for e in libfuzzer afl; do
		nf_set "$run/state/$e.$t" ran yes
		nf_set "$run/state/$e.$t" seconds 600
	done
done
nf_set "$run/state/libfuzzer.fuzz_diff" cov 2186
nf_set "$run/state/afl.fuzz_diff" edges 2153
# libFuzzer: SIGA twice (two sizes), a timeout that does not crash again.
plant "$run/libfuzzer/fuzz_diff/artifacts/crash-aaaa" "SIGA-small" 1800001300
plant "$run/libfuzzer/fuzz_diff/artifacts/crash-bbbb" "SIGA-a-bigger-input" 1800001250
plant "$run/libfuzzer/fuzz_diff/artifacts/timeout-cccc" "slow" 1800002100
plant "$run/libfuzzer/fuzz_text/artifacts/crash-dddd" "TEXT round trip" 1800000700
# AFL++: main and s1 instances; main's first crashes/ was renamed by an
# in-place resume and holds the same bytes libFuzzer found.
plant "$run/afl/fuzz_diff/main/crashes/id:000000,sig:06,src:000001,time:10,execs:100,op:havoc,rep:2" "SIGB-1234567" 1800002050
plant "$run/afl/fuzz_diff/main/crashes.2027-01-15-02:30:00/id:000000,sig:06,src:000003,time:5,execs:50,op:havoc,rep:4" "SIGA-small" 1800001210
plant "$run/afl/fuzz_diff/main/crashes.2027-01-15-02:30:00/README.txt" "not an input"
plant "$run/afl/fuzz_diff/s1/crashes/id:000000,sig:06,src:000002,time:7,execs:70,op:havoc,rep:2" "SIGB-12" 1800002200
plant "$run/afl/fuzz_model/main/crashes/id:000000,sig:06,src:000000,time:1,execs:1,op:flip1,pos:0" "ASAN" 1800000300
plant "$run/afl/fuzz_diff/main/hangs/id:000000" "SIGA-hang"
plant "$run/afl/fuzz_diff/main/queue/id:000000,orig:seed" "SIGA-queue"
# Statistics: two processes per engine, known signatures overlapping.
k1="divergence: kvm-6.1.176: hw-violation: qualification nonzero"
k2="divergence: kvm-6.1.176,kvm-6.12.107,kvm-6.12.117,kvm-7.2.13: emulated/l2: qualification +WRITE"
plant_stats() { # plant_stats FILE INPUTS KNOWN1 KNOWN2
	mkdir -p "$(dirname "$1")"
	jq -n -c --argjson i "$2" --argjson a "$3" --argjson b "$4" --arg k1 "$k1" --arg k2 "$k2" \
		'{inputs: $i, scenarios: $i, events: (2 * $i), tolerances: {"gla-undefined": 3}, uncompared: 1, vm_entries: 2, vm_entries_compared: 1, known: {($k1): $a, ($k2): $b}}' >"$1"
}
plant_stats "$run/stats/libfuzzer/fuzz_diff/100-1.json" 1000 10 5
plant_stats "$run/stats/libfuzzer/fuzz_diff/101-2.json" 2000 20 0
plant_stats "$run/stats/afl/fuzz_diff/200-3.json" 500 1 1
printf '{"inputs":' >"$run/stats/afl/fuzz_diff/201-4.json.201.tmp" # being written
plant_stats "$run/stats/libfuzzer/fuzz_model/300-5.json" 42 0 0
plant_stats "$run/stats/afl/fuzz_model/301-6.json" 8 0 0
plant_stats "$run/stats/libfuzzer/fuzz_text/400-7.json" 7 0 0
plant_stats "$run/stats/afl/fuzz_text/401-8.json" 3 0 0
printf 'fuzz_diff\tlibfuzzer\t300\t1800001500\t1000\t2000\t1\nfuzz_diff\tlibfuzzer\t600\t1800002300\t3000\t2186\t3\nfuzz_diff\tafl\t600\t1800002300\t500\t2153\t3\n' >"$run/timeline.tsv"

# --- collection
nf_collect "$run" >"$tmp/collect1"
sig_a="neptfuzz: divergence: kvm-6.1.176,kvm-6.12.107: emulated: qualification -GLA_VALID"
sig_b="neptfuzz: model invariant: qualification-reserved-bits"
da=$run/findings/$(nf_sig_dirname "$sig_a")
db=$run/findings/$(nf_sig_dirname "$sig_b")
check "SIGA folder name" eq "$(basename "$da")" "divergence_kvm-6.1.176_kvm-6.12.107_emulated_qualification_-GLA_VALID-$(printf '%s' "$sig_a" | sha1sum | cut -c1-8)"
check "SIGA: two distinct inputs, the duplicate from AFL++'s renamed folder dropped" \
	eq "$(find "$da" -type f -name '0*' | wc -l)" 2
check "SIGA: smallest first by name" \
	eq "$(find "$da" -type f -name '0*' -printf '%f\n' | sort | head -n 1 | cut -d- -f1)" 00000010
check "SIGA: index.tsv in size order" eq "$(tail -n +2 "$da/index.tsv" | cut -f1 | paste -sd,)" 10,19
check "SIGA: signature.txt names it" grep -qxF "signature: $sig_a" "$da/signature.txt"
check "SIGA: signature.txt names the versions" grep -qxF "versions in the signature: kvm-6.1.176 kvm-6.12.107" "$da/signature.txt"
check "SIGB: both AFL++ instances" eq "$(find "$db" -type f -name '0*' | wc -l)" 2
check "SIGB: smallest is s1's" eq "$(tail -n +2 "$db/index.tsv" | head -n 1 | cut -f6)" \
	"afl/fuzz_diff/s1/crashes/id:000000,sig:06,src:000002,time:7,execs:70,op:havoc,rep:2"
check "sanitizer signature without the source path" \
	test -d "$run/findings/$(nf_sig_dirname "AddressSanitizer: heap-buffer-overflow harness/scenario_text.c:12:3 in parse")"
check "fuzz_text's abort named by its own line" \
	test -d "$run/findings/$(nf_sig_dirname "neptfuzz: text round trip: written text rejected")"
check "a timeout that does not crash again is kept" \
	test -d "$run/findings/$(nf_sig_dirname "does not reproduce on replay: timeout")"
check "hangs, queue and README.txt are not findings" eq "$(grep -c 'hang\|queue\|README' "$run/findings/index.tsv" || true)" 0
check "7 inputs kept in all" eq "$(wc -l <"$run/findings/index.tsv")" 7
check "one line per new signature" eq "$(grep -c '^new signature' "$tmp/collect1")" 5
check "and the count of inputs" grep -q '^collected 7 new crashing inputs (5 new signatures)' "$tmp/collect1"
check "copied, not moved" test -f "$run/libfuzzer/fuzz_diff/artifacts/crash-aaaa"
check "an input two engines found is kept as the first found it" \
	eq "$(tail -n +2 "$da/index.tsv" | head -n 1 | cut -f3,5)" "afl	1800001210"
check "a copy keeps the time it was found" eq "$(stat -c %Y "$da/$(tail -n +2 "$da/index.tsv" | head -n 1 | cut -f2)")" 1800001210

nf_collect "$run" >"$tmp/collect2"
check "collecting again adds nothing" eq "$(wc -l <"$tmp/collect2")" 0
# A resume: AFL++ renames crashes/ again and finds one more input.
mv "$run/afl/fuzz_diff/main/crashes" "$run/afl/fuzz_diff/main/crashes.2027-01-15-03:00:00"
plant "$run/afl/fuzz_diff/main/crashes/id:000000,sig:06,src:000009,time:3,execs:30,op:havoc,rep:8" "SIGA-tiny" 1800002250
nf_collect "$run" >"$tmp/collect3"
check "after a resume only the new input is added" grep -q '^collected 1 new crashing inputs (0 new signatures)' "$tmp/collect3"
check "SIGA: the new smallest comes first" \
	eq "$(find "$da" -type f -name '0*' -printf '%f\n' | sort | head -n 1 | cut -d- -f1)" 00000009

# Bounded collection (while fuzzing), and an interrupted replay.
mkdir -p "$tmp/stub2" && cp "$stub/stub" "$tmp/stub2/stub.real"
run2=$out/bounded
mkdir -p "$run2"
plant "$run2/libfuzzer/fuzz_diff/artifacts/crash-1" "SIGA-1" 1800000001
plant "$run2/libfuzzer/fuzz_diff/artifacts/crash-2" "SIGA-22" 1800000002
plant "$run2/libfuzzer/fuzz_diff/artifacts/crash-3" "SIGA-333" 1800000003
plant "$run2/libfuzzer/fuzz_diff/artifacts/crash-4" "KILL" 1800000004
sed -i 's/^case "$(head -c 4 "$f")" in$/case "$(head -c 4 "$f")" in\nKILL) kill -INT $$ ;;/' "$stub/stub"
nf_collect "$run2" 2 >"$tmp/collect4"
check "at most MAX replays a call" eq "$(($(wc -l <"$run2/findings/index.tsv")))" 2
nf_collect "$run2" >"$tmp/collect5"
check "the rest on the next call" eq "$(($(wc -l <"$run2/findings/index.tsv")))" 3
check "an interrupted replay is not taken for a finding" \
	grep -q '^NOT COLLECTED YET: 1 crashing inputs' "$tmp/collect5"
check "it stays where the engine left it" test -f "$run2/libfuzzer/fuzz_diff/artifacts/crash-4"
NF_STOP=1 nf_collect "$run2" >"$tmp/collect6"
check "NF_STOP: nothing replayed, said" grep -q '^NOT COLLECTED YET: 1 crashing inputs' "$tmp/collect6"
rm -rf "$run2"

# --- summary.json
nf_summary_json "$run" complete
s=$run/summary.json
check "summary.json: exit code 1 with findings" eq "$(jq .exit_code "$s")" 1
check "summary.json: execs of every process added up" eq "$(jq .targets.fuzz_diff.engines.libfuzzer.execs "$s")" 3000
check "summary.json: target execs over engines" eq "$(jq .targets.fuzz_diff.execs "$s")" 3500
check "summary.json: exec/s over the target's time" eq "$(jq .targets.fuzz_diff.exec_per_sec "$s")" 5
check "summary.json: known counts of both engines" eq "$(jq --arg k "$k1" '.targets.fuzz_diff.known[$k]' "$s")" 31
check "summary.json: known sorted by count" eq "$(jq -r '.known[0].signature' "$s")" "$k1"
check "summary.json: known versions" eq "$(jq -r '.known[1].versions | join(",")' "$s")" "kvm-6.1.176,kvm-6.12.107,kvm-6.12.117,kvm-7.2.13"
check "summary.json: per version" eq "$(jq -c '.known_by_version[] | select(.version == "kvm-6.1.176") | [.signatures, .count]' "$s")" "[2,37]"
check "summary.json: new signatures" eq "$(jq .totals.new_signatures "$s")" 5
check "summary.json: SIGA has 3 inputs, smallest first" \
	eq "$(jq -r --arg s "$sig_a" '.findings[] | select(.signature == $s) | "\(.files) \(.smallest_size) \(.engines | join(","))"' "$s")" "3 9 afl,libfuzzer"
check "summary.json: per target new counts" eq "$(jq -c '.targets.fuzz_diff.new | to_entries | map(.value) | sort' "$s")" "[1,2,3]"
check "summary.json: tolerances added up" eq "$(jq '.targets.fuzz_diff.stats.tolerances["gla-undefined"]' "$s")" 9
check "summary.json: coverage" eq "$(jq -c '[.targets.fuzz_diff.engines.libfuzzer.coverage.cov, .targets.fuzz_diff.engines.afl.coverage.edges]' "$s")" "[2186,2153]"
check "summary.json: raw crashes per engine" eq "$(jq -c '[.targets.fuzz_diff.engines.libfuzzer.crashes, .targets.fuzz_diff.engines.afl.crashes]' "$s")" "[3,4]"
check "summary.json: sessions" eq "$(jq '.sessions | length' "$s")" 4
check "summary.json: settings" eq "$(jq -c '.settings' "$s")" '{"engines":["libfuzzer","afl"],"jobs":2,"time_per_target":600,"targets":["fuzz_model","fuzz_text","fuzz_diff"]}'
nf_summary_text "$run" >"$tmp/text"
check "text: table sorted by target" eq "$(awk '/^target /{f=1; next} f && NF == 0 {exit} f {print $1}' "$tmp/text" | uniq | paste -sd,)" fuzz_diff,fuzz_model,fuzz_text
check "text: known grouped by version set, most first" grep -q '^    kvm-6.1.176: 31 inputs' "$tmp/text"
check "text: new findings with their folders" grep -qF "$(basename "$da")/" "$tmp/text"
check "text: vm-entry events, per target" \
	grep -qF 'compared/all, kvm/README.md says which KVM compares): fuzz_model 2/4, fuzz_text 2/4, fuzz_diff 3/6' "$tmp/text"

# --- scripts/fuzz --report: the exit status of a run
report() { bash scripts/fuzz --report --out "$out" --run "$1" >"$tmp/report.out" 2>&1; }
rc=0
report r1 || rc=$?
check "--report: exit 1 for new findings" eq "$rc" 1
check "--report: lists the folders" grep -qF "$(basename "$db")/" "$tmp/report.out"
check "--report: writes summary.txt" test -s "$run/summary.txt"
# A clean run: no crashes, statistics from every engine.
clean=$out/r2
mkdir -p "$clean/state"
sed 's/^created=.*/created=2027-01-16T02:00:00Z/' "$run/run.conf" >"$clean/run.conf"
cp -r "$run/stats" "$clean/stats"
cp "$run/state/"* "$clean/state/"
rc=0
report r2 || rc=$?
check "--report: exit 0 when clean" eq "$rc" 0
check "--report: says none new" grep -q '^findings: none new' "$tmp/report.out"
nf_set "$clean/state/run" status interrupted
rc=0
report r2 || rc=$?
check "--report: exit 130 when interrupted with nothing found" eq "$rc" 130
nf_set "$clean/state/afl.fuzz_text" ran broken
nf_set "$clean/state/afl.fuzz_text" reason "no statistics from afl in 600s"
rc=0
report r2 || rc=$?
check "--report: exit 2 when a target could not run" eq "$rc" 2
check "--report: names the broken target" grep -q 'afl/fuzz_text: no statistics' "$tmp/report.out"
rc=0
bash scripts/fuzz --report --out "$out" >"$tmp/report.out" 2>&1 || rc=$?
check "--report without --run: the newest run (r2)" eq "$rc" 2
# A later run finding SIGA again says which runs had it before.
later=$out/r3
mkdir -p "$later/state"
sed 's/^created=.*/created=2027-01-17T02:00:00Z/' "$run/run.conf" >"$later/run.conf"
cp "$run/state/"* "$later/state/"
cp -r "$run/stats" "$later/stats"
plant "$later/libfuzzer/fuzz_diff/artifacts/crash-eeee" "SIGA-found-again"
ln -s r1 "$out/latest" # as scripts/fuzz leaves it: not a run of its own
rc=0
report r3 || rc=$?
check "a later run: exit 1" eq "$rc" 1
check "a later run: names the earlier runs with that signature" \
	eq "$(jq -c '.findings[0].earlier_runs' "$later/summary.json")" '["r1"]'

# --- progress parsers
printf '%s\n' 'INFO: -fork=2: fuzzing in separate process(s)' \
	'#296: cov: 4385 ft: 4390 corp: 63 exec/s 296 oom/timeout/crash: 0/0/2 time: 28s job: 2 dft_time: 0' \
	'#9000: cov: 4400 ft: 4500 corp: 70 exec/s 300 oom/timeout/crash: 0/1/5 time: 58s job: 7 dft_time: 0' >"$tmp/lf.log"
check "libFuzzer -fork progress" eq "$(nf_lf_progress "$tmp/lf.log")" "9000 4400 4500 70 5"
check "libFuzzer: no progress yet" eq "$(nf_lf_progress /dev/null)" ""
# Plain processes, one after another in each job (scripts/fuzz starts one
# again after a crash): a finished one counts by its final stats, one that
# died by its last line; coverage is the largest any job saw.
printf '%b\n' '#2\tINITED cov: 10 ft: 20 corp: 3/1Kb exec/s: 0 rss: 28Mb' \
	'#500\tNEW    cov: 12 ft: 25 corp: 4/1Kb lim: 4096 exec/s: 0 rss: 28Mb L: 2/2' \
	'stat::number_of_executed_units: 1000' \
	'#2\tINITED cov: 12 ft: 25 corp: 4/1Kb exec/s: 0 rss: 28Mb' \
	'#64\tpulse  cov: 13 ft: 26 corp: 4/1Kb lim: 4096 exec/s: 0 rss: 28Mb' \
	'#2\tINITED cov: 13 ft: 26 corp: 5/1Kb exec/s: 0 rss: 28Mb' >"$tmp/lf.j1.1"
printf '%b\n' '#2\tINITED cov: 14 ft: 20 corp: 6/1Kb exec/s: 0 rss: 28Mb' \
	'#300\tNEW    cov: 14 ft: 21 corp: 7/1Kb lim: 4096 exec/s: 0 rss: 28Mb' >"$tmp/lf.j2.1"
check "libFuzzer plain jobs, restarted" eq "$(nf_lf_progress "$tmp/lf.j1.1" "$tmp/lf.j2.1")" "1366 14 26 7 0"
mkdir -p "$tmp/afl/main" "$tmp/afl/s1"
printf '%s\n' '# relative_time, cycles_done, cur_item, corpus_count, pending_total, pending_favs, map_size, saved_crashes, saved_hangs, max_depth, execs_per_sec, total_execs, edges_found' \
	'20, 0, 11, 255, 231, 94, 25.88%, 16, 0, 2, 5011.84, 68485, 2153' >"$tmp/afl/main/plot_data"
printf 'execs_done        : 60000\nedges_found       : 2100\nbitmap_cvg        : 25.00%%\ncorpus_count      : 250\nsaved_hangs       : 1\n' >"$tmp/afl/main/fuzzer_stats"
printf 'execs_done        : 1000\nedges_found       : 2160\nbitmap_cvg        : 26.10%%\ncorpus_count      : 240\nsaved_hangs       : 0\n' >"$tmp/afl/s1/fuzzer_stats"
check "AFL++ progress over instances" eq "$(nf_afl_progress "$tmp/afl")" "69485 2160 26.1 255 1"
check "AFL++: no instance yet" eq "$(nf_afl_progress "$tmp/nothing")" ""

# --- the plot, or why there is none
if command -v gnuplot >/dev/null; then
	nf_plot "$run" 2>"$tmp/plot.err"
	check "plot: progress.png is a PNG" eq "$(head -c 4 "$run/progress.png" | tail -c 3)" PNG
	check "plot: recorded" eq "$(nf_meta "$run/state/plot" file)" progress.png
else
	echo "fuzz_collect_test: gnuplot not installed; the PNG is not checked" >&2
fi
mkdir -p "$tmp/bin"
for c in awk sed sort cut paste cat rm mkdir mktemp mv tr head tail dirname basename; do ln -sf "$(command -v "$c")" "$tmp/bin/$c"; done
PATH=$tmp/bin nf_plot "$run" 2>"$tmp/plot.err"
check "plot: a missing gnuplot is said" grep -q 'gnuplot is not installed' "$tmp/plot.err"
check "plot: and recorded for summary.json" eq "$(nf_meta "$run/state/plot" error | cut -c1-24)" "gnuplot is not installed"

echo "fuzz_collect_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
