// SPDX-License-Identifier: GPL-2.0-only
#include "fuzz.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "diff.h"
#include "report.h"

struct fuzz_stats fuzz_stats;

/*
 * AddressSanitizer's defaults for every fuzz target; ASAN_OPTIONS overrides
 * any of them (ClusterFuzz and scripts/fuzz pass their own).  The quarantine
 * keeps freed blocks poisoned so that a later use of one is caught.  These
 * targets allocate nothing per scenario (every structure is static): the
 * quarantine's default 256 MB was filled by libFuzzer's copies of the
 * inputs alone and made up three quarters of fuzz_diff's peak RSS (380 MB
 * with the default, 97 MB with 16: scripts/bench throughput).
 */
const char *__asan_default_options(void);
__attribute__((used, visibility("default"))) const char *
__asan_default_options(void)
{
	return "quarantine_size_mb=16";
}

/* Known divergences seen, by signature: reported at the end of a run. */
#define MAX_KNOWN_SEEN 256
static struct {
	uint64_t hash; /* title_hash(title): most lookups end there */
	char title[256];
	unsigned long count;
} known_seen[MAX_KNOWN_SEEN];
static unsigned nknown_seen;
/* Known divergences past MAX_KNOWN_SEEN signatures: counted, unnamed. */
static unsigned long known_overflow;

/*
 * Where the JSON statistics go ($NEPTFUZZ_STATS, fuzz.h).  Resolved once per
 * process: libFuzzer's -fork children and AFL++'s instances and forked
 * children each get their own file when NEPTFUZZ_STATS names a directory
 * or holds %p, and scripts/fuzz adds them up.
 */
static char stats_path[4096];
static pid_t stats_pid;
static struct timespec stats_flushed;

static bool stats_resolve(void)
{
	const char *env = getenv("NEPTFUZZ_STATS");
	size_t n, o = 0;
	struct stat st;
	struct timespec now;
	pid_t pid = getpid();

	stats_path[0] = 0;
	stats_pid = pid;
	if (!env || !*env)
		return false;
	n = strlen(env);
	if (env[n - 1] == '/' || (stat(env, &st) == 0 && S_ISDIR(st.st_mode))) {
		/* A directory: one file per process, named by its pid and
		 * start time (a pid can be reused within a long run). */
		if (mkdir(env, 0777) != 0 && errno != EEXIST)
			return false;
		clock_gettime(CLOCK_REALTIME, &now);
		snprintf(stats_path, sizeof(stats_path),
			 "%s%s%d-%lld%09ld.json", env,
			 env[n - 1] == '/' ? "" : "/", (int)pid,
			 (long long)now.tv_sec, now.tv_nsec);
		return true;
	}
	/* A file name; %p stands for the pid. */
	for (size_t i = 0; i < n && o + 16 < sizeof(stats_path); i++) {
		if (env[i] == '%' && env[i + 1] == 'p') {
			o += (size_t)snprintf(stats_path + o,
					      sizeof(stats_path) - o, "%d",
					      (int)pid);
			i++;
		} else {
			stats_path[o++] = env[i];
		}
	}
	stats_path[o] = 0;
	return true;
}

static void write_json(FILE *f)
{
	fprintf(f,
		"{\"inputs\":%lu,\"scenarios\":%lu,\"events\":%lu,"
		"\"violations\":%lu,\"misconfigs\":%lu,\"undefined\":%lu,"
		"\"tolerances\":{",
		fuzz_stats.inputs, fuzz_stats.accepted, fuzz_stats.events,
		fuzz_stats.violations, fuzz_stats.misconfigs,
		fuzz_stats.undefined);
	for (unsigned t = 0; t < NEPT_TOL_COUNT; t++)
		fprintf(f, "%s\"%s\":%lu", t ? "," : "", nept_tolerance_name(t),
			nept_tolerance_count[t]);
	fprintf(f,
		"},\"uncompared\":%lu,\"vm_entries\":%lu,"
		"\"vm_entries_compared\":%lu",
		fuzz_stats.uncompared, fuzz_stats.vm_entries,
		fuzz_stats.vm_entries_compared);
	fprintf(f, ",\"known_overflow\":%lu,\"known\":{", known_overflow);
	for (unsigned i = 0; i < nknown_seen; i++) {
		fprintf(f, "%s", i ? "," : "");
		report_json_string(f, known_seen[i].title);
		fprintf(f, ":%lu", known_seen[i].count);
	}
	fprintf(f, "}}\n");
}

/* Rewrites the statistics file whole: through a temporary file and a
 * rename, so a reader never sees half of it (a device such as /dev/null is
 * written in place). */
static bool stats_warned;

static void stats_write(void)
{
	char tmp[sizeof(stats_path) + 32];
	struct stat st;
	FILE *f;

	clock_gettime(CLOCK_MONOTONIC, &stats_flushed);
	if ((stats_pid != getpid() || !stats_path[0]) && !stats_resolve())
		return;
	if (stat(stats_path, &st) == 0 && !S_ISREG(st.st_mode)) {
		f = fopen(stats_path, "w");
		if (f) {
			write_json(f);
			fclose(f);
		}
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", stats_path, (int)getpid());
	f = fopen(tmp, "w");
	if (f) {
		write_json(f);
		if (ferror(f) | fclose(f) || rename(tmp, stats_path) != 0) {
			unlink(tmp);
			f = NULL;
		}
	}
	if (!f && !stats_warned) {
		/* Said once: the run goes on, its statistics do not. */
		stats_warned = true;
		fprintf(stderr, "neptfuzz: NEPTFUZZ_STATS=%s: write failed\n",
			stats_path);
	}
}

static void report(void)
{
	fprintf(stderr,
		"neptfuzz: %lu inputs, %lu scenarios, %lu events: %lu EPT "
		"violations, %lu misconfigurations, %lu translated, %lu "
		"undefined\n",
		fuzz_stats.inputs, fuzz_stats.accepted, fuzz_stats.events,
		fuzz_stats.violations, fuzz_stats.misconfigs,
		fuzz_stats.kind[NEPT_OUT_NONE] - fuzz_stats.undefined,
		fuzz_stats.undefined);
	for (unsigned t = 0; t < NEPT_TOL_COUNT; t++)
		if (nept_tolerance_count[t])
			fprintf(stderr, "neptfuzz: tolerance %s: %lu events\n",
				nept_tolerance_name(t),
				nept_tolerance_count[t]);
	for (unsigned i = 0; i < nknown_seen; i++)
		fprintf(stderr, "neptfuzz: known %s: %lu inputs\n",
			known_seen[i].title, known_seen[i].count);
	if (fuzz_stats.uncompared)
		fprintf(stderr,
			"neptfuzz: %lu events not compared (unsupported, or "
			"after a divergence)\n",
			fuzz_stats.uncompared);
	if (fuzz_stats.vm_entries)
		fprintf(stderr,
			"neptfuzz: %lu vm-entry events, %lu compared with a "
			"KVM module (kvm/README.md says which are)\n",
			fuzz_stats.vm_entries, fuzz_stats.vm_entries_compared);
	stats_write();
}

void fuzz_stats_init(void)
{
	static int done;
	static unsigned calls;
	struct timespec now;

	if (!done) {
		done = 1;
		atexit(report);
	}
	/* A process that aborts on a finding, or that its engine kills (AFL++
	 * ends its children with SIGKILL), never reaches atexit: rewrite the
	 * file at most once a second while inputs run. */
	if (++calls % 64)
		return;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	if (now.tv_sec - stats_flushed.tv_sec >= 1)
		stats_write();
}

void fuzz_stats_flush(void)
{
	if (fuzz_stats.inputs)
		stats_write();
}

void fuzz_count(const struct nept_result *r)
{
	for (unsigned i = 0; i < r->nevents; i++) {
		const struct nept_outcome *o = &r->event[i];

		fuzz_stats.events++;
		if (o->kind < NEPT_OUT_KIND_COUNT)
			fuzz_stats.kind[o->kind]++;
		if (o->kind == NEPT_OUT_EXIT && o->reason == 48)
			fuzz_stats.violations++;
		if (o->kind == NEPT_OUT_EXIT && o->reason == 49)
			fuzz_stats.misconfigs++;
		if (o->kind == NEPT_OUT_NONE && o->undefined == NEPT_F_ALL)
			fuzz_stats.undefined++;
	}
	nept_count_tolerances(r);
}

/* Known divergences come at most inputs while fuzzing: comparing each
 * title with every one seen cost 5% of an execution, mostly in libFuzzer's
 * strcmp interceptor, which feeds its table of compared strings for
 * nothing here (perf on Release fuzz_diff). */
static uint64_t title_hash(const char *t)
{
	return fuzz_fnv1a(t, strlen(t));
}

void fuzz_count_diff(const struct nept_diff *d)
{
	char title[256];
	uint64_t hash;
	unsigned i;

	fuzz_stats.uncompared += d->uncompared;
	if (nept_vm_entry_event(&d->s)) {
		bool compared = false;

		for (i = 1; i < d->nimpls; i++)
			compared |= nept_diff_last_compared(d, i);
		fuzz_stats.vm_entries++;
		fuzz_stats.vm_entries_compared += compared;
	}
	if (!d->ndiv || nept_diff_new(d))
		return;
	nept_diff_title(d, true, title, sizeof(title));
	hash = title_hash(title);
	for (i = 0; i < nknown_seen; i++)
		if (known_seen[i].hash == hash &&
		    !strcmp(known_seen[i].title, title))
			break;
	if (i == nknown_seen) {
		if (nknown_seen == MAX_KNOWN_SEEN) {
			known_overflow++;
			return;
		}
		known_seen[i].hash = hash;
		snprintf(known_seen[nknown_seen++].title, sizeof(title), "%s",
			 title);
	}
	known_seen[i].count++;
}
