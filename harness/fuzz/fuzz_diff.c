// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the differential.  Every scenario runs on the model and on
 * every implementation linked in (the KVM versions); a new divergence
 * prints the scenario, every outcome and the differing bits, then aborts
 * with its signature as the title.  Known divergences (an implementation
 * gives exactly what its tree's deviations predict, deviations/) are
 * counted and reported at the end, and fuzzing goes on.
 *
 * NEPTFUZZ_STOP_ON=PATTERN (a shell pattern over signatures) makes the
 * target stop at the first divergence matching it, known or new, and at no
 * other: scripts/bench measures time to each finding with it.
 *
 * NEPTFUZZ_BASELINE=MODULE (kvm-6.12.107) also compares every other module
 * with that one, tree to tree (nept_tree_diff): a difference between two
 * builds of KVM is a finding of its own, "tree: A -> B: ...", whatever the
 * model says (scripts/fuzz --kernel-tree A --kernel-tree B sets it).
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>

#include "diff.h"
#include "finding.h"
#include "fuzz.h"
#include "fuzz_feedback.h"

const bool fuzz_target_takes_text = false;

/* Stops on divergence k of d (finding.h). */
static _Noreturn void crash_divergence(const struct nept_diff *d, unsigned k)
{
	char title[256], state[256];

	nept_divergence_title(d, k, title, sizeof(title));
	fuzz_divergence_state(&d->div[k], "divergence", state, sizeof(state));
	fuzz_crash(&(struct fuzz_finding){ title, state,
					   fuzz_where_of(&d->div[k]),
					   fuzz_what_of(&d->div[k]) });
}

/* The state features (fuzz_feedback.c), with the modules that departed
 * from the SDM at each event they compared. */
static void state_feedback(const struct nept_diff *d)
{
	uint8_t departed[NEPT_MAX_EVENTS] = { 0 };

	if (!fuzz_state_feedback_on())
		return;
	for (unsigned m = 1; m < d->nimpls && m <= 8; m++)
		for (unsigned e = 0; e < d->compared[m - 1]; e++)
			if (d->pred_fired[m - 1][e])
				departed[e] |= (uint8_t)(1u << (m - 1));
	fuzz_state_feedback(&d->s, &d->model, departed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nept_scenario s;
	static struct nept_diff d;
	static struct nept_tree_diff t;
	static const char *stop_on;
	static unsigned baseline;
	static bool init;
	char title[256];

	if (!init) {
		const char *b = getenv("NEPTFUZZ_BASELINE");

		init = true;
		stop_on = getenv("NEPTFUZZ_STOP_ON");
		if (stop_on && !*stop_on)
			stop_on = NULL;
		if (b && *b) {
			const struct nept_impl *m = nept_impl_resolve(b);

			for (unsigned i = 1; i < nept_nimpls; i++)
				if (nept_impls[i] == m)
					baseline = i;
			if (!baseline) {
				fprintf(stderr,
					"neptfuzz: NEPTFUZZ_BASELINE=%s: no "
					"such "
					"KVM module in this binary\n",
					b);
				exit(2);
			}
		}
	}
	fuzz_stats_init();
	fuzz_stats.inputs++;
	if (!scenario_decode_bin(data, size, &s))
		return -1;
	fuzz_stats.accepted++;
	nept_diff_run(&s, &d);
	fuzz_count(&d.model);
	fuzz_count_diff(&d);
	state_feedback(&d);
	if (stop_on) {
		/* Measuring time to a finding (scripts/bench): stop at the
		 * first divergence matching the pattern, known or not, and at
		 * nothing else. */
		for (unsigned k = 0; k < d.ndiv; k++) {
			nept_divergence_title(&d, k, title, sizeof(title));
			if (fnmatch(stop_on, title, 0) != 0)
				continue;
			fprintf(stderr, "\n==neptfuzz== FINDING: %s%s\n", title,
				d.div[k].known ? " (known)" : "");
			nept_diff_report(stderr, &d, true);
			crash_divergence(&d, k);
		}
		return 0;
	}
	for (unsigned m = 1; baseline && m < nept_nimpls; m++) {
		if (m == baseline)
			continue;
		nept_tree_diff(&d, baseline, m, &t);
		if (!t.ndiv)
			continue;
		char state[256];

		nept_tree_title(&t, 0, title, sizeof(title));
		fprintf(stderr, "\n==neptfuzz== FINDING: %s [%s]\n", title,
			nept_tree_class_name(t.cls[0]));
		nept_diff_report(stderr, &d, true);
		fuzz_divergence_state(&t.div[0], "tree", state, sizeof(state));
		fuzz_crash(&(struct fuzz_finding){ title, state,
						   fuzz_where_of(&t.div[0]),
						   fuzz_what_of(&t.div[0]) });
	}
	for (unsigned k = 0; k < d.ndiv; k++) {
		if (d.div[k].known)
			continue;
		/* The first new one: what nept_diff_title names. */
		nept_divergence_title(&d, k, title, sizeof(title));
		fprintf(stderr, "\n==neptfuzz== FINDING: %s\n", title);
		nept_diff_report(stderr, &d, true);
		crash_divergence(&d, k);
	}
	return 0;
}
