// SPDX-License-Identifier: GPL-2.0-only
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "report.h"

struct fuzz_stats fuzz_stats;

/* Known divergences seen, by signature: reported at the end of a run. */
#define MAX_KNOWN_SEEN 64
static struct {
	char title[256];
	unsigned long count;
} known_seen[MAX_KNOWN_SEEN];
static unsigned nknown_seen;

static void report(void)
{
	const char *path = getenv("NEPTFUZZ_STATS");
	FILE *f;

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
	if (!path || !*path)
		return;
	f = fopen(path, "w");
	if (!f)
		return;
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
	fprintf(f, "},\"uncompared\":%lu,\"known\":{", fuzz_stats.uncompared);
	for (unsigned i = 0; i < nknown_seen; i++) {
		fprintf(f, "%s", i ? "," : "");
		report_json_string(f, known_seen[i].title);
		fprintf(f, ":%lu", known_seen[i].count);
	}
	fprintf(f, "}}\n");
	if (ferror(f) | fclose(f))
		fprintf(stderr, "neptfuzz: NEPTFUZZ_STATS=%s: write failed\n",
			path);
}

void fuzz_stats_init(void)
{
	static int done;

	if (!done) {
		done = 1;
		atexit(report);
	}
}

void fuzz_count(const struct nept_result *r)
{
	for (unsigned i = 0; i < r->nevents; i++) {
		const struct nept_outcome *o = &r->event[i];

		fuzz_stats.events++;
		fuzz_stats.kind[o->kind & 3]++;
		if (o->kind == NEPT_OUT_EXIT && o->reason == 48)
			fuzz_stats.violations++;
		if (o->kind == NEPT_OUT_EXIT && o->reason == 49)
			fuzz_stats.misconfigs++;
		if (o->kind == NEPT_OUT_NONE && o->undefined == NEPT_F_ALL)
			fuzz_stats.undefined++;
	}
	nept_count_tolerances(r);
}

void fuzz_count_diff(const struct nept_diff *d)
{
	char title[256];
	unsigned i;

	fuzz_stats.uncompared += d->uncompared;
	if (!d->ndiv || nept_diff_new(d))
		return;
	nept_diff_title(d, true, title, sizeof(title));
	for (i = 0; i < nknown_seen; i++)
		if (!strcmp(known_seen[i].title, title))
			break;
	if (i == nknown_seen) {
		if (nknown_seen == MAX_KNOWN_SEEN)
			return;
		snprintf(known_seen[nknown_seen++].title, sizeof(title), "%s",
			 title);
	}
	known_seen[i].count++;
}
