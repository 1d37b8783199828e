# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-only
# Sourced by scripts/fuzz (and tests/fuzz_collect_test.sh): everything that
# reads a run directory and the engines' output in it, so that it can be
# tested on planted files without fuzzing.
#
# A run directory (scripts/fuzz --out DIR: DIR/<run>/) holds:
#   run.conf                 settings of the run (key=value), for --resume
#   build.json               what the last session fuzzed: git rev,
#                            compiler, engine versions, kernel matrix
#   sessions.tsv             TARGET START END OFFSET STATUS, one line per
#                            target and session (epoch seconds; OFFSET: the
#                            target's fuzzing seconds before that session)
#   state/TARGET             seconds=N: fuzzing time the target has had
#   state/ENGINE.TARGET      key=value: what the engine said last (cov, ft,
#                            edges, ...), ran=yes|broken, reason=...
#   stats/ENGINE/TARGET/*.json   the fuzz targets' statistics, one file a
#                            process (NEPTFUZZ_STATS is that directory)
#   libfuzzer/TARGET/artifacts/  libFuzzer's crash-*, timeout-*, oom-* files
#   afl/TARGET/INSTANCE/     AFL++'s output (-o afl/TARGET; INSTANCE is
#                            default, main or sN); crashes/ and the
#                            crashes.DATE folders an in-place resume leaves
#   afl-input/TARGET/        AFL++'s first -i: seeds and the shared corpus
#   logs/ENGINE.TARGET[.INSTANCE].N  the engines' output in session N
#   timeline.tsv             TARGET ENGINE T EPOCH EXECS COV CRASHES samples
#   findings/index.tsv       SHA1 FILE ENGINE TARGET FOUND SOURCE SIGNATURE
#   findings/SIG/            one folder per signature: signature.txt,
#                            index.tsv and the inputs, named
#                            <size, 8 digits>-<sha1, 16>: smallest first
#   summary.json, summary.txt, progress.png
#
# Variables the functions read:
#   NF_REPLAY_DIR   where the replaying build of each target is (default
#                   build/engines/libfuzzer: FUZZ_TARGET -runs=1 FILE)
#   NF_BASELINE     NEPTFUZZ_BASELINE for replays (tree to tree)
#   NF_ROOT         the source tree, stripped from sanitizer signatures

NF_REPLAY_DIR=${NF_REPLAY_DIR:-build/engines/libfuzzer}
NF_BASELINE=${NF_BASELINE:-}
NF_ROOT=${NF_ROOT:-$PWD}

# nf_sig_dirname SIGNATURE: the folder name of a signature under findings/:
# its words with anything but [A-Za-z0-9._+-] as '_', cut to 100
# characters, and 8 hex digits of its sha1 so that no two share a folder.
nf_sig_dirname() {
	local slug h
	h=$(printf '%s' "$1" | sha1sum | cut -c1-8)
	slug=$(printf '%s' "${1#neptfuzz: }" | tr -c 'A-Za-z0-9._+-' '_' | tr -s '_' | cut -c1-100)
	slug=${slug#_}
	slug=${slug%_}
	echo "${slug:-signature}-$h"
}

# nf_artifact_kind NAME: crash, timeout, oom, leak or slow-unit, from the
# name an engine gave the file (AFL++'s crashes are crashes).
nf_artifact_kind() {
	case "${1##*/}" in
	timeout-*) echo timeout ;;
	oom-*) echo oom ;;
	leak-*) echo leak ;;
	slow-unit-*) echo slow-unit ;;
	*) echo crash ;;
	esac
}

# nf_signature_from_log LOG KIND: the signature a replay printed.  The
# target's own `SUMMARY: neptfuzz: ...` line first; then a sanitizer's
# SUMMARY (paths into the source tree made relative); then, for a target
# that aborts without a SUMMARY line of its own (fuzz_text), its last
# "neptfuzz: WHAT: ..." line; then libFuzzer's (timeout, out-of-memory);
# else the input did not crash again.
nf_signature_from_log() {
	local log=$1 kind=$2 s
	s=$(sed -n 's/^SUMMARY: \(neptfuzz: .*\)$/\1/p' "$log" | sed -n 1p)
	[ -n "$s" ] || s=$(sed -n 's/^SUMMARY: \([A-Za-z]*Sanitizer: .*\)$/\1/p' "$log" | sed -n 1p)
	if [ -z "$s" ] && grep -q 'ERROR: libFuzzer: deadly signal' "$log"; then
		s=$(grep -E '^neptfuzz: [a-z][a-z -]*: ' "$log" | grep -vE '^neptfuzz: (known|tolerance) ' | tail -n 1 || true)
	fi
	[ -n "$s" ] || s=$(sed -n 's/^SUMMARY: \(libFuzzer: .*\)$/\1/p' "$log" | sed -n 1p)
	[ -n "$s" ] || s="does not reproduce on replay: $kind"
	s=${s//"$NF_ROOT/"/}
	printf '%s\n' "$s"
}

# nf_replay TARGET FILE LOG: replays FILE once through the libFuzzer build
# of TARGET, its output to LOG; prints the signature.  Fails (prints
# nothing) when the replay was killed before it could tell (an interrupt):
# the input is then left for the next collection.  The replay runs in a
# session of its own, so that a Ctrl-C meant for scripts/fuzz does not
# kill it halfway and make a finding look like one that does not
# reproduce.  First without symbolizing stacks (fast: the target's own
# SUMMARY line needs none); again with, for a sanitizer's file:line.
nf_replay() {
	local t=$1 f=$2 log=$3 rc=0 sym
	for sym in 0 1; do
		rc=0
		env -u NEPTFUZZ_STATS NEPTFUZZ_BASELINE="$NF_BASELINE" \
			ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}symbolize=$sym" \
			setsid timeout 300 "$NF_REPLAY_DIR/$t" -runs=1 -timeout=60 "$f" >"$log" 2>&1 </dev/null || rc=$?
		case "$rc" in
		124) echo "replay timed out: $(nf_artifact_kind "$f")"; return 0 ;;
		130|137|143) return 1 ;;
		esac
		grep -q '^SUMMARY: neptfuzz: ' "$log" && break
		grep -q '^SUMMARY: ' "$log" || break
	done
	nf_signature_from_log "$log" "$(nf_artifact_kind "$f")"
}

# nf_candidates RUN: every input an engine saved as crashing in RUN, as
# "ENGINE<TAB>TARGET<TAB>PATH", oldest first (so that the copy kept of an
# input two engines found says who found it first): libFuzzer's artifacts,
# and the crashes of every AFL++ instance, the crashes.DATE folders of
# earlier sessions too.
nf_candidates() {
	local run=$1 rel
	(
		cd "$run" 2>/dev/null || exit 0
		find libfuzzer -path '*/artifacts/*' -type f \
			\( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) \
			-printf '%T@\t%p\n' 2>/dev/null || true
		find afl -path '*/crashes*/*' -type f -name 'id:*' -printf '%T@\t%p\n' 2>/dev/null || true
	) | sort -t$'\t' -k1,1n -k2,2 | cut -f2- | while IFS= read -r rel; do
		case "$rel" in
		libfuzzer/*/artifacts/*) printf 'libfuzzer\t%s\t%s\n' "$(cut -d/ -f2 <<<"$rel")" "$run/$rel" ;;
		afl/*/*/crashes*/*) printf 'afl\t%s\t%s\n' "$(cut -d/ -f2 <<<"$rel")" "$run/$rel" ;;
		esac
	done
}

# nf_meta FILE KEY: the value of KEY in a key=value file (empty if none).
nf_meta() {
	[ -f "$1" ] || return 0
	awk -v k="$2" 'index($0, k "=") == 1 { v = substr($0, length(k) + 2) } END { if (v != "") print v }' "$1"
}

# nf_set FILE KEY VALUE [KEY VALUE]...: sets each KEY in a key=value file
# (rewritten whole, through a rename).
nf_set() {
	local f=$1 tmp
	shift
	mkdir -p "$(dirname "$f")"
	tmp=$(mktemp "$f.XXXXXX")
	{
		[ ! -f "$f" ] || cat "$f"
		while [ $# -ge 2 ]; do
			printf '%s=%s\n' "$1" "${2//$'\n'/ }"
			shift 2
		done
	} | awk '{ k = substr($0, 1, index($0, "=") - 1); if (!(k in v)) o[n++] = k; v[k] = $0 }
		END { for (i = 0; i < n; i++) print v[o[i]] }' >"$tmp" && mv "$tmp" "$f" && return 0
	# Never a half-written file in place of the old one.
	rm -f "$tmp"
	return 1
}

# nf_signature_readme RUN DIR SIGNATURE TARGET ENGINE FOUND: writes
# DIR/signature.txt, what a reader of the folder needs first.
nf_signature_readme() {
	local run=$1 d=$2 sig=$3 t=$4 e=$5 found=$6 versions
	versions=$(printf '%s\n' "$sig" | sed -n 's/^neptfuzz: \(divergence\|tree\): \([^:]*\): .*/\2/p' |
		sed 's/ -> /,/' | tr ',' ' ')
	{
		echo "signature: $sig"
		echo "target: $t"
		[ -z "$versions" ] || echo "versions in the signature: $versions"
		echo "first found: $(date -u -d "@$found" +%Y-%m-%dT%H:%M:%SZ) by $e, run $(basename "$run")"
		if [ -f "$run/build.json" ] && command -v jq >/dev/null; then
			jq -r '"kernel matrix: " + ([.matrix[] | .name + " (" + (.package // "?") + " " + (.package_version // "?") + ")"] | join(", ")),
				"build: git " + .git_rev + (if .git_dirty then " (with uncommitted changes)" else "" end) + ", " + .compiler,
				(if .baseline then "tree to tree against " + .baseline else empty end)' "$run/build.json"
		fi
		echo
		echo "The inputs are named <size>-<sha1>: the first is the smallest; index.tsv"
		echo "lists each with the engine, target and time that found it.  Replay one:"
		printf '  %-40s # %s\n' "build/engines/libfuzzer/$t FILE" "the finding's full report"
		[ "$t" = fuzz_text ] || printf '  %-40s # %s\n' "build/neptfuzz fmt --to text FILE" "the scenario, readable (after scripts/test)"
		[ "$t" != fuzz_diff ] || printf '  %-40s # %s\n' "build/neptfuzz diff FILE" "model against every KVM version"
	} >"$d/signature.txt"
}

# nf_store RUN SHA1 FILE SIGNATURE ENGINE TARGET: copies FILE into
# RUN/findings/<signature>/<size>-<sha1> and indexes it.
nf_store() {
	local run=$1 sha=$2 f=$3 sig=$4 e=$5 t=$6 sd d size name found
	sd=$(nf_sig_dirname "$sig")
	d=$run/findings/$sd
	mkdir -p "$d"
	size=$(stat -c %s "$f")
	found=$(stat -c %Y "$f")
	name=$(printf '%08d-%s' "$size" "${sha:0:16}")
	cp -p "$f" "$d/$name"
	[ -f "$d/signature.txt" ] || nf_signature_readme "$run" "$d" "$sig" "$t" "$e" "$found"
	{
		[ -f "$d/index.tsv" ] && tail -n +2 "$d/index.tsv"
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$name" "$e" "$t" "$found" "${f#"$run"/}"
	} | sort -t$'\t' -k1,1n -k2,2 >"$d/index.tsv.new"
	{
		printf 'size\tfile\tengine\ttarget\tfound\tsource\n'
		cat "$d/index.tsv.new"
	} >"$d/index.tsv"
	rm -f "$d/index.tsv.new"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$sha" "$sd/$name" "$e" "$t" "$found" \
		"${f#"$run"/}" "$sig" >>"$run/findings/index.tsv"
}

# nf_collect RUN [MAX]: replays every crashing input the engines saved in
# RUN that findings/ does not hold yet (by content), and stores it under
# its signature; at most MAX replays when MAX is given (the rest waits for
# the next call).  Files are copied, never moved: the engines' folders stay
# as they are.  Prints a line per new signature and one with the count of
# new inputs.  Stops early, saying so, when NF_STOP is 1 (a second Ctrl-C).
nf_collect() {
	local run=$1 max=${2:-0} e t f sha sig log n=0 nsig=0 left=0 sd
	mkdir -p "$run/findings"
	touch "$run/findings/index.tsv"
	log=$(mktemp)
	while IFS=$'\t' read -r e t f; do
		[ -f "$f" ] || continue
		sha=$(sha1sum <"$f" | cut -d' ' -f1)
		if grep -q "^$sha"$'\t' "$run/findings/index.tsv"; then
			continue
		fi
		if [ "${NF_STOP:-0}" -eq 1 ] || { [ "$max" -gt 0 ] && [ $((n + 1)) -gt "$max" ]; }; then
			left=$((left + 1))
			continue
		fi
		sig=$(nf_replay "$t" "$f" "$log") || { left=$((left + 1)); continue; }
		sd=$(nf_sig_dirname "$sig")
		if [ ! -d "$run/findings/$sd" ]; then
			nsig=$((nsig + 1))
			printf 'new signature (%s/%s): %s\n' "$e" "$t" "$sig"
		fi
		nf_store "$run" "$sha" "$f" "$sig" "$e" "$t"
		n=$((n + 1))
	done < <(nf_candidates "$run")
	rm -f "$log"
	[ "$n" -eq 0 ] || echo "collected $n new crashing inputs ($nsig new signatures) into $run/findings/"
	if [ "$left" -gt 0 ] && [ "$max" -eq 0 ]; then
		echo "NOT COLLECTED YET: $left crashing inputs (stopped); they stay in the engines' folders of $run: scripts/fuzz --report --run $(basename "$run") collects them"
	fi
	return 0
}

# nf_merge_stats FILE...: the statistics of many processes added up (one
# JSON object; numbers summed, objects merged key by key).  {} for none.
nf_merge_stats() {
	local f prog='
		def m($a; $b): if ($a | type) == "object" and ($b | type) == "object"
			then reduce ($b | keys_unsorted[]) as $k ($a; .[$k] = m(.[$k]; $b[$k]))
			elif $a == null then $b elif ($a | type) == "number" and ($b | type) == "number" then $a + $b
			else $b end;
		reduce .[] as $x ({}; m(.; $x))'
	[ $# -gt 0 ] || { echo '{}'; return 0; }
	# All at once; file by file, skipping what does not parse (a disk that
	# filled up), only if that fails.
	{ cat "$@" 2>/dev/null || true; } | jq -s -c "$prog" 2>/dev/null && return 0
	for f in "$@"; do jq -c . "$f" 2>/dev/null || true; done | jq -s -c "$prog"
}

# nf_stats_files DIR: the statistics files under DIR (not the temporary
# ones a process is writing).
nf_stats_files() {
	[ -d "$1" ] || return 0
	find "$1" -type f -name '*.json' 2>/dev/null | sort || true
}

# nf_stats RUN ENGINE TARGET: merged statistics of ENGINE (or '*': every
# engine) on TARGET.
nf_stats() {
	local -a files=()
	local d
	for d in "$1"/stats/$2/"$3"; do
		[ -d "$d" ] || continue
		mapfile -t -O "${#files[@]}" files < <(nf_stats_files "$d")
	done
	nf_merge_stats "${files[@]}"
}

# nf_lf_progress LOG...: what libFuzzer says in the logs of a target's jobs
# (scripts/fuzz runs one plain process after another in each), as "RUNS COV
# FT CORP CRASHES" (empty when there is no progress line yet).  RUNS adds
# up every process: a finished one by its final "stat::number_of_executed_units",
# one that died without it by its last "#N" line; COV, FT and CORP are the
# largest any job reports.  Plain lines ("#296 NEW cov: 4385 ft: 4385 corp:
# 63/1Kb ... exec/s: 296") and fork mode's ("#296: cov: 4385 ft: 4385 corp:
# 63 exec/s 296 oom/timeout/crash: 0/0/0 time: 28s job: 2 dft_time: 0", whose
# crash count is CRASHES; else 0) are both read.
nf_lf_progress() {
	local f logs=()
	for f in "$@"; do [ -f "$f" ] && logs+=("$f"); done
	[ ${#logs[@]} -gt 0 ] || return 0
	awk 'FNR == 1 { runs += last; last = 0 }
	/^#[0-9]+:?[ \t].*cov: [0-9]+ ft: [0-9]+/ {
		n = $1; gsub(/[#:]/, "", n); n += 0
		if (n < last) runs += last # a new process, the last died
		last = n; seen = 1
		for (i = 2; i < NF; i++) {
			if ($i == "cov:" && $(i + 1) + 0 > cov) cov = $(i + 1) + 0
			if ($i == "ft:" && $(i + 1) + 0 > ft) ft = $(i + 1) + 0
			if ($i == "corp:") { c = $(i + 1); sub(/\/.*/, "", c); if (c + 0 > corp) corp = c + 0 }
			if ($i == "oom/timeout/crash:") { split($(i + 1), x, "/"); if (x[3] + 0 > cr) cr = x[3] + 0 }
		}
	}
	/^stat::number_of_executed_units: / { runs += $2; last = 0 }
	END { if (seen) print runs + last, cov + 0, ft + 0, corp + 0, cr + 0 }' "${logs[@]}"
}

# nf_afl_progress SYNCDIR: what the AFL++ instances under SYNCDIR say, as
# "EXECS EDGES BITMAP_CVG CORPUS HANGS" (execs summed, the rest the largest
# any instance reports); empty when none has written its statistics yet.
nf_afl_progress() {
	local i any=0 execs=0 edges=0 cvg=0 corp=0 hangs=0 v
	for i in "$1"/*/; do
		[ -f "$i/fuzzer_stats" ] || [ -f "$i/plot_data" ] || continue
		any=1
		# plot_data: relative_time, cycles_done, cur_item, corpus_count,
		# pending_total, pending_favs, map_size, saved_crashes,
		# saved_hangs, max_depth, execs_per_sec, total_execs, edges_found
		read -r -a v < <(
			{
				[ -f "$i/plot_data" ] && tail -n 1 "$i/plot_data" | awk -F', *' '$1 !~ /^#/ && NF >= 13 {
					sub(/%/, "", $7); print $12, $13, $7, $4, $9 }'
				[ -f "$i/fuzzer_stats" ] && awk -F' *: *' '
					{ s[$1] = $2 } END { c = s["bitmap_cvg"]; sub(/%/, "", c)
					print s["execs_done"] + 0, s["edges_found"] + 0, c + 0, s["corpus_count"] + 0, s["saved_hangs"] + 0 }' "$i/fuzzer_stats"
			} | awk '{ for (k = 1; k <= 5; k++) if ($k + 0 > m[k]) m[k] = $k + 0 }
				END { print m[1] + 0, m[2] + 0, m[3] + 0, m[4] + 0, m[5] + 0 }'
		)
		execs=$((execs + ${v[0]%.*}))
		[ "${v[1]}" -le "$edges" ] || edges=${v[1]}
		cvg=$(awk -v a="$cvg" -v b="${v[2]}" 'BEGIN { print (b > a) ? b : a }')
		[ "${v[3]}" -le "$corp" ] || corp=${v[3]}
		[ "${v[4]}" -le "$hangs" ] || hangs=${v[4]}
	done
	[ "$any" -eq 1 ] && echo "$execs $edges $cvg $corp $hangs"
	return 0
}

# nf_count_artifacts RUN ENGINE TARGET: how many crashing inputs the
# engine saved for TARGET in RUN (before deduplication).
nf_count_artifacts() {
	{ nf_candidates "$1" || true; } | awk -F'\t' -v e="$2" -v t="$3" '$1 == e && $2 == t' | wc -l
}

# nf_find_runs OUT: the runs in OUT, oldest first (by their run.conf).
nf_find_runs() {
	local f
	for f in "$1"/*/run.conf; do
		[ -f "$f" ] && [ ! -L "$(dirname "$f")" ] || continue
		printf '%s\t%s\n' "$(nf_meta "$f" created)" "$(basename "$(dirname "$f")")"
	done | sort | cut -f2
}

# nf_kv2tsv FILE...: "NAME<TAB>KEY<TAB>VALUE" for every line of key=value
# files, NAME being the file's name.
nf_kv2tsv() {
	[ $# -gt 0 ] || return 0
	awk '{ i = index($0, "="); if (i < 2) next; n = FILENAME; sub(/.*\//, "", n)
		print n "\t" substr($0, 1, i - 1) "\t" substr($0, i + 1) }' "$@" 2>/dev/null || true
}

# nf_summary_json RUN STATUS: writes RUN/summary.json from the run's files
# (schema in README.md, "summary.json").
nf_summary_json() {
	local run=$1 status=$2 t e out runs_dir r earlier targets engines
	targets=$(nf_meta "$run/run.conf" targets)
	engines=$(nf_meta "$run/run.conf" engines | tr ',' ' ')
	runs_dir=$(dirname "$run")
	out=$(mktemp "$run/summary.json.XXXXXX")
	# Earlier runs in the same --out with a finding of the same signature.
	earlier=$(for r in $(nf_find_runs "$runs_dir"); do
		[ "$r" = "$(basename "$run")" ] && break
		[ -d "$runs_dir/$r/findings" ] || continue
		{ find "$runs_dir/$r/findings" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' || true; } | sed "s|^|$r\t|"
	done)
	jq -n --arg run "$(basename "$run")" --arg dir "$run" --arg status "$status" \
		--arg now "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg targets "$targets" --arg engines "$engines" \
		--rawfile conf <(nf_kv2tsv "$run/run.conf") \
		--rawfile state <(shopt -s nullglob; nf_kv2tsv "$run"/state/*) \
		--rawfile earlier <(printf '%s\n' "$earlier") \
		--rawfile crashes <(nf_candidates "$run" | cut -f1,2 | sort | uniq -c | awk '{ print $2 "\t" $3 "\t" $1 }') \
		--slurpfile stats <(for t in $targets; do for e in $engines; do
			nf_stats "$run" "$e" "$t" | jq -c --arg t "$t" --arg e "$e" '{ t: $t, e: $e, s: . }'
		done; done) \
		--slurpfile build <(cat "$run/build.json" 2>/dev/null || echo '{}') \
		--rawfile sessions <(cat "$run/sessions.tsv" 2>/dev/null || true) \
		--rawfile findings <(cat "$run/findings/index.tsv" 2>/dev/null || true) '
		def rows($s): $s | split("\n") | map(select(. != "") | split("\t"));
		def iso: todate;
		def num: if . == null or . == "" then null else (tonumber? // null) end;
		def m($a; $b): if ($a | type) == "object" and ($b | type) == "object"
			then reduce ($b | keys_unsorted[]) as $k ($a; .[$k] = m(.[$k]; $b[$k]))
			elif $a == null then $b elif ($a | type) == "number" and ($b | type) == "number" then $a + $b
			else $b end;
		(rows($conf) | map({ (.[1]): .[2] }) | add // {}) as $c |
		(rows($state) | reduce .[] as $r ({}; .[$r[0]][$r[1]] = $r[2])) as $st |
		(rows($crashes) | reduce .[] as $r ({}; .[$r[0] + "." + $r[1]] = ($r[2] | tonumber))) as $cr |
		(rows($earlier) | group_by(.[1]) | map({ (.[0][1]): map(.[0]) }) | add // {}) as $earlier |
		(rows($findings) | map(select(length >= 7) | { sha1: .[0], file: .[1], engine: .[2], target: .[3],
			found: (.[4] | tonumber), source: .[5], signature: .[6] })) as $findings |
		($targets | split(" ") | map(select(. != ""))) as $tl |
		($engines | split(" ") | map(select(. != ""))) as $el |
		([$tl[] as $t | $el[] as $e | ($st[$e + "." + $t] // {}) as $s |
			([$stats[] | select(.t == $t and .e == $e) | .s][0] // {}) as $stats |
			($s.seconds | num // 0) as $secs |
			{ t: $t, e: $e, v: {
				ran: ($s.ran // "no"),
				reason: (if ($s.reason // "") == "" then null else $s.reason end),
				seconds: $secs,
				execs: ($stats.inputs // 0),
				exec_per_sec: (if $secs > 0 then (($stats.inputs // 0) / $secs | floor) else 0 end),
				engine_execs: ($s.engine_execs | num),
				coverage: (if $e == "libfuzzer" then { cov: ($s.cov | num), ft: ($s.ft | num), corpus: ($s.corp | num) }
				           else { edges: ($s.edges | num), bitmap_cvg: ($s.bitmap_cvg | num), corpus: ($s.corp | num) } end),
				crashes: ($cr[$e + "." + $t] // 0),
				hangs: ($s.hangs | num),
				new_signatures: ([$findings[] | select(.target == $t and .engine == $e) | .signature] | unique | length),
				stats: $stats } }]) as $ets |
		(reduce $tl[] as $t ({}; ($st[$t].seconds | num // 0) as $secs |
			([$ets[] | select(.t == $t)]) as $es |
			(reduce ($es[] | .v.stats) as $x ({}; m(.; $x))) as $merged |
			.[$t] = {
				seconds: $secs,
				execs: ([$es[] | .v.execs] | add // 0),
				exec_per_sec: (if $secs > 0 then (([$es[] | .v.execs] | add // 0) / $secs | floor) else 0 end),
				engines: ($es | map({ (.e): .v }) | add // {}),
				stats: ($merged | del(.known)),
				known: ($merged.known // {} | with_entries(select(.value > 0))),
				new: ([$findings[] | select(.target == $t) | .signature] | group_by(.) | map({ (.[0]): length }) | add // {}) })) as $tg |
		($findings | group_by(.signature) | map(
			(sort_by(.file | split("/")[1])) as $f |
			{ signature: $f[0].signature,
			  dir: ("findings/" + ($f[0].file | split("/")[0])),
			  targets: ($f | map(.target) | unique),
			  engines: ($f | map(.engine) | unique),
			  files: ($f | length),
			  smallest: ("findings/" + $f[0].file),
			  smallest_size: ($f[0].file | split("/")[1] | split("-")[0] | tonumber),
			  first_found: ($f | map(.found) | min | iso),
			  earlier_runs: ($earlier[$f[0].file | split("/")[0]] // []) })
		 | sort_by(-.files, .signature)) as $new |
		([$tg[] | .known | to_entries[]] | group_by(.key) | map(
			{ signature: .[0].key,
			  versions: ([.[0].key | capture("^divergence: (?<v>[^:]*):") | .v | split(",")[]] | map(select(. != ""))),
			  count: (map(.value) | add) })
		 | sort_by(-.count, .signature)) as $known |
		([$ets[] | select(.v.ran == "broken") | "\(.e)/\(.t): \(.v.reason // "could not run")"]) as $broken |
		{ schema: 1,
		  run: $run, dir: $dir, status: $status,
		  exit_code: (if ($broken | length) > 0 then 2 elif ($new | length) > 0 then 1
		              elif $status == "interrupted" then 130 else 0 end),
		  created: ($c.created // null), updated: $now,
		  settings: { engines: (($c.engines // "") | split(",")), jobs: ($c.jobs | num // 1),
		              time_per_target: ($c.time | num // 0), targets: $tl },
		  build: ($build[0] | del(.matrix, .missing, .baseline)),
		  matrix: ($build[0].matrix // []), missing: ($build[0].missing // []),
		  baseline: ($build[0].baseline // null),
		  sessions: (rows($sessions) | map(select(length >= 5) | { target: .[0], start: (.[1] | tonumber | iso),
			end: (.[2] | tonumber | iso), offset: (.[3] | tonumber), status: .[4] })),
		  targets: $tg,
		  findings: $new,
		  known: $known,
		  known_by_version: ([$known[] | .count as $n | .versions[] | { v: ., c: $n }] | group_by(.v)
		                     | map({ version: .[0].v, signatures: length, count: (map(.c) | add) })),
		  broken: $broken,
		  totals: { execs: ([$tg[] | .execs] | add // 0),
		            new_signatures: ($new | length), new_files: ([$new[] | .files] | add // 0),
		            known_signatures: ($known | length), known_count: ([$known[] | .count] | add // 0) },
		  plot: (if ($st.plot.file // "") == "" then null else $st.plot.file end),
		  plot_error: (if ($st.plot.error // "") == "" then null else $st.plot.error end) }' >"$out"
	mv "$out" "$run/summary.json"
}

# nf_exit_code RUN: what scripts/fuzz exits with for RUN's summary.json:
# 2 broken (a target could not run), 1 new findings, 130 interrupted with
# nothing found, 0 clean.
nf_exit_code() {
	jq -r '.exit_code' "$1/summary.json"
}

# nf_human N: 1234567 -> 1.23M
nf_human() {
	awk -v n="${1:-0}" 'BEGIN { if (n == "" || n == "null") { print "?"; exit }
		if (n >= 1e9) printf "%.2fG\n", n / 1e9; else if (n >= 1e6) printf "%.2fM\n", n / 1e6;
		else if (n >= 1e4) printf "%.1fk\n", n / 1e3; else printf "%d\n", n }'
}

# nf_summary_text RUN: the summary a person reads, from summary.json.
nf_summary_text() {
	local s=$1/summary.json
	jq -r '
		def pad(n): tostring | if length >= n then . else . + (" " * (n - length)) end;
		def lpad(n): tostring | if length >= n then . else (" " * (n - length)) + . end;
		def h: if . == null then "?" elif . >= 1e9 then "\(. / 1e7 | floor / 100)G"
			elif . >= 1e6 then "\(. / 1e4 | floor / 100)M" elif . >= 1e4 then "\(. / 1e2 | floor / 10)k"
			else tostring end;
		def cov($e): if $e == "libfuzzer" then "cov \(.coverage.cov // "?") ft \(.coverage.ft // "?")"
			else "edges \(.coverage.edges // "?") (\(.coverage.bitmap_cvg // "?")%)" end;
		"neptfuzz run \(.run) (\(.dir)): \(.status); \(.settings.time_per_target)s per target, engines \(.settings.engines | join(",")), --jobs \(.settings.jobs)",
		"build: git \(.build.git_rev // "?")\(if .build.git_dirty then "+dirty" else "" end), \(.build.compiler // "?")\(if .build.afl then ", AFL++ " + .build.afl else "" end)",
		"kernel matrix: \(if (.matrix | length) > 0 then [.matrix[] | .name + (if .package_version then " (" + .package_version + ")" else "" end)] | join(", ") else "none (the model alone)" end)\(if .baseline then "; tree to tree against " + .baseline else "" end)",
		(if (.missing | length) > 0 then "MISSING (allowed by --allow-missing): \(.missing | join(", "))" else empty end),
		"",
		"\("target" | pad(11)) \("engine" | pad(10)) \("time" | lpad(6)) \("execs" | lpad(8)) \("exec/s" | lpad(7))  \("coverage" | pad(24)) \("crashes" | lpad(7)) \("new" | lpad(4)) \("known" | lpad(5))",
		(.targets | to_entries | sort_by(.key)[] | .key as $t | .value as $v |
			($v.engines | to_entries | sort_by(.key)[] |
				.key as $e |
				"\($t | pad(11)) \($e | pad(10)) \("\(.value.seconds)s" | lpad(6)) \(.value.execs | h | lpad(8)) \(.value.exec_per_sec | h | lpad(7))  \(.value | cov($e) | pad(24)) \(.value.crashes | lpad(7)) \(.value.new_signatures | lpad(4)) \(.value.stats.known // {} | map(select(. > 0)) | length | lpad(5))\(if .value.ran == "broken" then "  BROKEN" elif .value.ran != "yes" then "  (did not run)" else "" end)")),
		(.targets | to_entries | map(select((.value.stats.vm_entries // 0) > 0)) |
			if length > 0 then "", "vm-entry events (compared/all, kvm/README.md says which KVM compares): " +
				(map("\(.key) \(.value.stats.vm_entries_compared // 0)/\(.value.stats.vm_entries)") | join(", ")) else empty end),
		"",
		(if (.known | length) > 0 then
			"known divergences (exact predictions of deviations/; counted, not stopping the run): \(.totals.known_signatures) signatures, \(.totals.known_count) inputs",
			"  per version:",
			(.known_by_version | sort_by(-.count)[] | "    \(.version | pad(16)) \(.signatures | lpad(3)) signatures \(.count | lpad(9)) inputs"),
			"  by the versions they concern, most often first:",
			(.known | group_by(.versions | join(",")) | map({ v: (.[0].versions | join(",")), c: (map(.count) | add), s: . }) | sort_by(-.c)[] |
				"    \(.v | if . == "" then "(no version)" else . end): \(.c) inputs",
				(.s[] | "      \(.count | lpad(8))  \(.signature | sub("^divergence: [^:]*: "; ""))")),
			""
		 else empty end),
		(if (.broken | length) > 0 then "BROKEN: a target could not run:", (.broken[] | "  " + .), "" else empty end),
		(if (.findings | length) > 0 then
			"NEW FINDINGS: \(.totals.new_signatures) signatures, \(.totals.new_files) inputs (smallest first in each folder):",
			(.findings[] |
				"  \(.files | lpad(4)) x \(.signature)",
				"         \(.dir)/  smallest: \(.smallest | split("/") | last) (\(.smallest_size) bytes)\(if (.earlier_runs | length) > 0 then "; also in runs " + (.earlier_runs | join(" ")) else "" end)")
		 else "findings: none new" end),
		(if .plot then "plot: \(.dir)/\(.plot)" elif .plot_error then "plot: NOT WRITTEN: \(.plot_error)" else empty end),
		"summary: \(.dir)/summary.json"' "$s"
}

# nf_session_time RUN TARGET EPOCH: the fuzzing time of TARGET (seconds
# since it started in this run, over every session) at EPOCH, from
# sessions.tsv; empty if no session of TARGET ran then.
nf_session_time() {
	[ -f "$1/sessions.tsv" ] || return 0
	awk -F'\t' -v t="$2" -v x="$3" '$1 == t && x >= $2 - 5 {
		v = $4 + x - $2; if (x > $3) v = $4 + $3 - $2; best = v } END { if (best != "") print (best < 0 ? 0 : best) }' \
		"$1/sessions.tsv"
}

# nf_plot RUN: RUN/progress.png, coverage and cumulative new findings over
# each target's fuzzing time (timeline.tsv, findings/index.tsv), with
# gnuplot.  Records the file or the reason there is none in state/plot, and
# says on stderr when it cannot draw.
nf_plot() {
	local run=$1 d t e n=0 targets engines gp ft secs per plots col
	targets=$(nf_meta "$run/run.conf" targets)
	per=$(nf_meta "$run/run.conf" time)
	engines=$(nf_meta "$run/run.conf" engines | tr ',' ' ')
	rm -f "$run/state/plot"
	mkdir -p "$run/state"
	if ! command -v gnuplot >/dev/null; then
		nf_set "$run/state/plot" error "gnuplot is not installed (scripts/install-deps installs gnuplot-nox)"
		echo "scripts/fuzz: no plot: gnuplot is not installed (scripts/install-deps installs gnuplot-nox)" >&2
		return 0
	fi
	d=$run/plot
	rm -rf "$d"
	mkdir -p "$d"
	for t in $targets; do
		n=$((n + 1))
		for e in $engines; do
			: >"$d/$t.$e.cov"
			[ ! -f "$run/timeline.tsv" ] ||
				awk -F'\t' -v t="$t" -v e="$e" '$1 == t && $2 == e && $6 != "" { print $3, $6 }' \
					"$run/timeline.tsv" | sort -n >"$d/$t.$e.cov"
		done
		# Cumulative new inputs and signatures, at the fuzzing time they
		# were found.
		: >"$d/$t.found"
		if [ -f "$run/findings/index.tsv" ]; then
			awk -F'\t' -v t="$t" '$4 == t { print $5 "\t" $7 }' "$run/findings/index.tsv" |
				while IFS=$'\t' read -r ep sig; do
					ft=$(nf_session_time "$run" "$t" "$ep")
					printf '%s\t%s\n' "${ft:-0}" "$sig"
				done | sort -n | awk -F'\t' 'BEGIN { print 0, 0, 0 } { n++; if (!($2 in s)) { s[$2] = 1; k++ } print $1, n, k }' >"$d/$t.found"
		fi
		# The steps go on to the time the target has had.
		secs=$(nf_meta "$run/state/$t" seconds)
		[ -s "$d/$t.found" ] || echo "0 0 0" >"$d/$t.found"
		tail -n 1 "$d/$t.found" | awk -v s="${secs:-0}" '$1 < s { print s, $2, $3 }' >>"$d/$t.found"
	done
	gp=$d/plot.gp
	{
		echo "set terminal pngcairo noenhanced size 1100,$((260 * n + 60)) font 'sans,9'"
		echo "set output '$run/progress.png'"
		echo "set multiplot layout $n,1 title 'neptfuzz run $(basename "$run"): coverage and new findings over fuzzing time'"
		echo "set xlabel 'fuzzing time of the target (s)'"
		echo "set ylabel 'coverage (edges)'"
		echo "set y2label 'new findings (cumulative)'"
		echo "set ytics nomirror; set y2tics; set y2range [0:*]; set yrange [0:*]"
		echo "set key left top; set grid"
		for t in $targets; do
			plots=""
			col=1
			for e in $engines; do
				col=$((col + 1))
				[ -s "$d/$t.$e.cov" ] || continue
				if [ "$e" = libfuzzer ]; then
					plots+="'$d/$t.$e.cov' using 1:2 with lines lw 2 lc $col title 'libFuzzer cov', "
				else
					plots+="'$d/$t.$e.cov' using 1:2 with lines lw 2 lc $col title 'AFL++ edges', "
				fi
			done
			plots+="'$d/$t.found' using 1:2 axes x1y2 with steps lw 2 lc rgb '#cc0000' title 'new inputs', "
			plots+="'$d/$t.found' using 1:3 axes x1y2 with steps lw 2 dt 2 lc rgb '#770000' title 'new signatures'"
			secs=$(nf_meta "$run/state/$t" seconds)
			secs=${secs:-0}
			[ "${per:-0}" -le "$secs" ] || secs=$per
			[ "$secs" -gt 0 ] || secs=1
			echo "set title '$t'"
			echo "set xrange [0:$secs]"
			echo "unset arrow; unset label"
			# Where a resumed session took over.
			[ ! -f "$run/sessions.tsv" ] ||
				awk -F'\t' -v t="$t" '$1 == t && $4 > 0 {
					printf "set arrow from %d, graph 0 to %d, graph 1 nohead dt 3 lc rgb \"gray40\"\n", $4, $4
					printf "set label \"resumed\" at %d, graph 0.95 offset 0.5,0 tc rgb \"gray40\"\n", $4 }' "$run/sessions.tsv"
			echo "plot $plots"
		done
		echo "unset multiplot"
	} >"$gp"
	if gnuplot "$gp" >"$d/gnuplot.log" 2>&1; then
		nf_set "$run/state/plot" file progress.png
	else
		nf_set "$run/state/plot" error "gnuplot failed: $(tail -n 1 "$d/gnuplot.log")"
		echo "scripts/fuzz: no plot: gnuplot failed ($d/gnuplot.log)" >&2
	fi
	return 0
}
