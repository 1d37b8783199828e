/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a set of differential runs covered (`neptfuzz diff --stats`): per
 * implementation, how many events were compared with the SDM and why the
 * others were not; per scenario dimension, how often it occurred.
 */
#ifndef NEPT_DIFFSTATS_H
#define NEPT_DIFFSTATS_H

#include <stdio.h>

#include "diff.h"

#define NEPT_STATS_REASONS 32

/* Events not compared, and why the first of them was not. */
struct nept_reason_count {
	char why[80];
	unsigned long events;
};

/* One implementation's events (of the runs' impls[1..]). */
struct nept_impl_stats {
	const struct nept_impl *impl;
	unsigned long events;	    /* of scenarios it supports */
	unsigned long caps_missing; /* events of scenarios it does not */
	unsigned long unsupported;  /* ran, or not reached, unsupported */
	unsigned long undefined;    /* the SDM left every field open */
	unsigned long compared;
	unsigned long diverged, known;
	/* of events: vm-entry events, and of those the ones compared (a
	 * KVM module compares few yet: kvm/README.md) */
	unsigned long vm_entry, vm_entry_compared;
	unsigned long undefined_by[NEPT_TOL_COUNT];
	/* unsupported, by why the first of them was not compared
	 * (nept_diff's why_uncompared): the events each reason lost, the
	 * first NEPT_STATS_REASONS reasons apart, the rest together. */
	struct nept_reason_count unsupported_by[NEPT_STATS_REASONS];
	unsigned nreasons;
	unsigned long unsupported_other;
};

struct nept_diff_stats {
	unsigned long scenarios, events;
	struct nept_impl_stats impl[NEPT_MAX_IMPLS - 1];
	unsigned nimpls;
	/* Dimensions, counted over scenarios (s) or events (e). */
	unsigned long s_adv_info, s_uc_eptp, s_ad, s_walk5, s_mbec, s_pml;
	unsigned long s_l2[5];
	unsigned long e_source[NEPT_SRC_COUNT];
	unsigned long e_pml_logged, e_pml_full;
	/* enum nept_outcome_kind, the model's */
	unsigned long e_kind[NEPT_OUT_KIND_COUNT];
	unsigned long e_exit48, e_exit49, e_pf;
	unsigned long e_during;
};

void nept_diff_stats_add(struct nept_diff_stats *st, const struct nept_diff *d);
void nept_diff_stats_print(FILE *f, const struct nept_diff_stats *st);

#endif
