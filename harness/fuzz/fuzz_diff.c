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
 * NEPTFUZZ_STOP_ON_DEVIATION=PATTERN (a shell pattern over the names of
 * deviations/kvm.c, `neptfuzz deviations`) stops at the first known
 * divergence that needs one of the matching deviations, whatever its
 * signature: the time to find a known KVM bug in any of its forms.
 *
 * NEPTFUZZ_BASELINE=MODULE (kvm-6.12.107) also compares every other module
 * with that one, tree to tree (nept_tree_diff): a difference between two
 * builds of KVM is a finding of its own, "tree: A -> B: ...", whatever the
 * model says (scripts/fuzz --kernel-tree A --kernel-tree B sets it).
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coverage_map.h"
#include "deviation.h"
#include "diff.h"
#include "finding.h"
#include "fuzz.h"
#include "fuzz_feedback.h"

const bool fuzz_target_takes_text = false;

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

/* The deviations NEPTFUZZ_STOP_ON_DEVIATION names (bit k:
 * nept_deviations[k]); none matching is a usage error, not a run that
 * silently never stops. */
static uint64_t deviations_named(const char *pattern)
{
	uint64_t mask = 0;

	for (unsigned k = 0; k < nept_ndeviations; k++)
		if (fnmatch(pattern, nept_deviations[k]->name, 0) == 0)
			mask |= 1ull << k;
	if (!mask) {
		fprintf(stderr,
			"neptfuzz: NEPTFUZZ_STOP_ON_DEVIATION=%s names no "
			"deviation (`neptfuzz deviations` lists them)\n",
			pattern);
		exit(2);
	}
	return mask;
}

/*
 * Runs the differential on s with the deviations of off switched off,
 * leaving the engine's coverage (libFuzzer's counters, AFL++'s map) as it
 * was: the input is judged by the coverage of its own run, so that a
 * measurement with NEPTFUZZ_STOP_ON_DEVIATION fuzzes as a run without it
 * does.
 */
static void run_without(const struct nept_scenario *s, uint64_t off,
			struct nept_diff *d)
{
	uint64_t was = nept_deviations_off;

	fuzz_coverage_save();
	nept_deviations_off = was | off;
	nept_diff_run(s, d);
	nept_deviations_off = was;
	fuzz_coverage_restore();
}

/*
 * d's scenario run again with only the deviations that decided named,
 * where this input's run named every one that changed something
 * (skip_attribution): a report and NEPTFUZZ_STOP_ON_DEVIATION's check
 * need the exact ones.  Attribution changes neither the divergences nor
 * which are known.  Afterwards d->skip_attribution is false: d holds
 * the exact attribution, and a second call does nothing.
 */
static void name_deviations(struct nept_diff *d)
{
	static struct nept_scenario s;

	if (!d->skip_attribution)
		return;
	nept_scenario_copy(&s, &d->s);
	d->skip_attribution = false;
	run_without(&s, 0, d);
}

/* Stops on divergence k of d (finding.h), after printing its title
 * (" (known)" when a prediction holds) and the whole report. */
static _Noreturn void crash_divergence(struct nept_diff *d, unsigned k)
{
	char title[256], state[256];

	name_deviations(d);
	nept_divergence_title(d, k, title, sizeof(title));
	fprintf(stderr, "\n==neptfuzz== FINDING: %s%s\n", title,
		d->div[k].known ? " (known)" : "");
	nept_diff_report(stderr, d, true);
	fuzz_divergence_state(&d->div[k], "divergence", state, sizeof(state));
	fuzz_crash(&(struct fuzz_finding){ title, state,
					   fuzz_where_of(&d->div[k]),
					   fuzz_what_of(&d->div[k]) });
}

/* The first known divergence of d whose prediction a deviation of mask
 * changed (diff.h: pred_fired), -1 if none. */
static int first_known_by(const struct nept_diff *d, uint64_t mask)
{
	int first = -1;

	for (unsigned k = 0; k < d->ndiv && first < 0; k++) {
		const struct nept_divergence *v = &d->div[k];

		if (!v->known)
			continue;
		for (unsigned m = 1; m < d->nimpls; m++)
			if (d->impls[m] == v->impl &&
			    (d->pred_fired[m - 1][v->event] & mask))
				first = (int)k;
	}
	return first;
}

/*
 * The first divergence of d that needs a deviation of mask: the
 * implementation gave what its tree's deviations predict, one of mask's
 * changed that prediction (diff.h: pred_fired), and with mask's switched
 * off the scenario diverges in a new way -- `neptfuzz deviations
 * --check`'s test of a reproducer.  Without the second half, a deviation
 * that only touched a field alongside (an accessed-flag write next to a
 * wrong exit reason) would take credit for another bug's divergence.
 * The re-runs cost one more differential each, only on scenarios the
 * first half lets through: with the deviations that decided named
 * (name_deviations, where the hot loop named all that changed something)
 * and without mask's (run_without).  -1 if none.
 */
static int needs_deviation(const struct nept_scenario *s, struct nept_diff *d,
			   uint64_t mask)
{
	static struct nept_diff without;
	int first = first_known_by(d, mask);

	/* Without attribution pred_fired is a superset: none there, none
	 * that decided; else the exact ones. */
	if (first >= 0) {
		name_deviations(d);
		first = first_known_by(d, mask);
	}
	if (first < 0)
		return -1;
	without.skip_attribution = true; /* only !known is read */
	run_without(s, mask, &without);
	for (unsigned k = 0; k < without.ndiv; k++)
		if (!without.div[k].known)
			return first;
	return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nept_scenario s;
	static struct nept_diff d;
	static struct nept_tree_diff t;
	static const char *stop_on;
	static uint64_t stop_on_deviation;
	static unsigned baseline;
	static bool init, skip_attribution;
	char title[256];

	if (!init) {
		const char *b = getenv("NEPTFUZZ_BASELINE");
		const char *dv = getenv("NEPTFUZZ_STOP_ON_DEVIATION");

		init = true;
		stop_on = getenv("NEPTFUZZ_STOP_ON");
		if (stop_on && !*stop_on)
			stop_on = NULL;
		if (dv && *dv)
			stop_on_deviation = deviations_named(dv);
		/* The deviations' names are read exactly only by the state
		 * feedback; a report and a stop on a deviation run the
		 * scenario again (name_deviations). */
		skip_attribution = !fuzz_state_feedback_on();
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
	d.skip_attribution = skip_attribution;
	nept_diff_run(&s, &d);
	fuzz_count(&d.model);
	fuzz_count_diff(&d);
	state_feedback(&d);
	if (stop_on_deviation) {
		/* Measuring time to a known bug (scripts/bench ttff
		 * --deviation): its first form, and nothing else. */
		int k = needs_deviation(&s, &d, stop_on_deviation);

		if (k >= 0)
			crash_divergence(&d, (unsigned)k);
		if (!stop_on)
			return 0;
	}
	if (stop_on) {
		/* Measuring time to a finding (scripts/bench): stop at the
		 * first divergence matching the pattern, known or not, and at
		 * nothing else. */
		for (unsigned k = 0; k < d.ndiv; k++) {
			nept_divergence_title(&d, k, title, sizeof(title));
			if (fnmatch(stop_on, title, 0) == 0)
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
		name_deviations(&d);
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
		crash_divergence(&d, k);
	}
	return 0;
}
