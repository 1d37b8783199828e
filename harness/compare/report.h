/* SPDX-License-Identifier: GPL-2.0-only */
/* Printing outcomes for people (text) and for tools (JSON). */
#ifndef NEPT_REPORT_H
#define NEPT_REPORT_H

#include <stdio.h>

#include "impl.h"

/* "READ|GLA_VALID|GLA_TRANSLATED" for the set bits of a qualification. */
void report_qual_names(FILE *f, uint64_t qual);
/* #PF error code bits by name (facts §8.1); NULL where unnamed. */
const char *nept_pfec_bit_name(unsigned bit);
void report_pfec_names(FILE *f, uint32_t ec);

void report_outcome_text(FILE *f, const struct nept_outcome *o);
void report_outcome_json(FILE *f, const struct nept_outcome *o);
/* The same, with "also_allowed": the other outcomes the SDM allows. */
void report_outcome_json_also(FILE *f, const struct nept_outcome *o,
			      const struct nept_outcome *also, unsigned nalso);

/* A JSON string literal, escaped. */
void report_json_string(FILE *f, const char *s);

/* The scenario in text form, for findings: the reader can replay it. */
void report_scenario_text(FILE *f, const struct nept_scenario *s);

/* Does the outcome meet the scenario's `expect` line?  On a mismatch,
 * returns false and names the first field that differs in *field. */
bool report_expect_met(const struct nept_expect *e,
		       const struct nept_outcome *o, const char **field);

/* Whether memory expectation m of event ev holds after outcome o, L1
 * memory being before as the event began: the qword is o's write to it if
 * o writes it (an optional write, or bits o may set: either way), else as
 * before.  *why says what was found when not. */
bool report_expect_mem_met(const struct nept_scenario *s,
			   const struct nept_expect_mem *m,
			   const struct nept_mem *before,
			   const struct nept_outcome *o, char *why, size_t n);

#endif
