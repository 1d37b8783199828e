/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `neptfuzz minimize` (minimize.c) and `neptfuzz repro` (repro.c): from an
 * artifact of any engine to the smallest scenario with the same finding,
 * and to a reading of it.
 *
 * What minimizing keeps (docs/minimize.md):
 *  - the signature: nept_diff_title of the first new divergence, or of the
 *    first known one when all are known, as a string, so its version set
 *    (every module with that difference), source, field and detail; and
 *    whether it is new or known;
 *  - with keep_all, also every module's verdict: unsupported or not, and
 *    the exact set of (field, detail) divergences it has (the `# verdict:`
 *    lines of the input).
 * Every candidate is legal (scenario_check) and the passes run in a fixed
 * order to a fixed point, so the result depends only on the input (and on
 * the limits, when one is reached).
 */
#ifndef NEPT_MINIMIZE_H
#define NEPT_MINIMIZE_H

#include <stdbool.h>
#include <stdio.h>

#include "diff.h"

struct nept_min_options {
	bool keep_all;		 /* keep every module's divergence set too */
	unsigned long max_steps; /* candidates run at most; 0: no limit */
	double max_seconds;	 /* 0: no limit */
	FILE *log;		 /* one line per reduction; NULL: quiet */
};

struct nept_min_stats {
	unsigned long steps;	  /* candidates run (one diff run each) */
	unsigned long reductions; /* candidates kept */
	unsigned rounds;	  /* passes over the whole pass list */
	double seconds;
	const char *stopped; /* NULL at a fixed point, else the limit hit */
};

/*
 * The signature of s (nept_diff_title of its first new divergence, else of
 * its first known one) into buf, and whether it is known; false when s
 * has no divergence at all.
 */
bool nept_min_signature(const struct nept_scenario *s, char *buf, size_t n,
			bool *known);

/* Reduces in to *out keeping its signature (above); false when in has no
 * divergence (then *out = *in). */
bool nept_minimize(const struct nept_scenario *in, struct nept_scenario *out,
		   const struct nept_min_options *opt,
		   struct nept_min_stats *st);

/*
 * The `# verdict:` lines of a diff, one module after another, in the
 * format of `neptfuzz verdicts` (harness/compare/verdicts.c): "agrees",
 * "unsupported", or one "diverges FIELD DETAIL" line per distinct
 * divergence.
 */
void nept_write_verdict_lines(FILE *f, const struct nept_diff *d);

int nept_minimize_main(const char *prog, int argc, char **argv);
void nept_minimize_usage(const char *prog, FILE *f);
int nept_repro_main(const char *prog, int argc, char **argv);
void nept_repro_usage(const char *prog, FILE *f);

#endif
