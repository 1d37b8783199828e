/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The differential core: run one scenario on every implementation, compare
 * each with the model field by field (tolerances applied), name every
 * difference by a stable signature, and sort the known from the new.
 */
#ifndef NEPT_DIFF_H
#define NEPT_DIFF_H

#include <stdio.h>

#include "impl.h"

#define NEPT_MAX_DIVERGENCES 64

struct nept_divergence {
	const struct nept_impl *impl;
	uint8_t event;
	uint8_t source;	 /* enum nept_source */
	uint8_t l2walk;	 /* the implementation walked L2's tables */
	uint32_t field;	 /* enum nept_field */
	char detail[96]; /* e.g. "-GLA_VALID -GLA_TRANSLATED", "nonzero" */
	/* Known: the implementation gives exactly what its tree's
	 * deviations predict (deviations/); the deviations that made the
	 * prediction differ from the SDM (bit k: nept_deviations[k]; 1 alone
	 * when none was needed).  0: new. */
	uint64_t known;
};

/* Where the model's L2 walk for an event went (nept_walks_l2 events):
 * the guest-physical pages of the guest entries it read, and the final
 * GPA when it got there.  Names where an implementation's walk failed. */
struct nept_walk_pages {
	uint8_t ntables;
	uint8_t has_final;
	uint64_t table[5]; /* page-aligned */
	uint64_t final;
};

struct nept_diff {
	/* The implementations compared (nept_impls, or a test's), model
	 * first; impl[i - 1] is impls[i]'s result. */
	const struct nept_impl *const *impls;
	unsigned nimpls;
	/* Set by the caller: pred_fired and the known divergences' known
	 * name every deviation that changed something, not only those that
	 * decided (nept_predict's attribute), which spares a run of the
	 * event without each deviation that changed a value the walk went
	 * on with.  For a hot loop that reads neither exactly: fuzz_diff,
	 * which sets it for each input and clears it to run the input again
	 * before a report or a NEPTFUZZ_STOP_ON_DEVIATION check, so that it
	 * always says how the diff's contents were made. */
	bool skip_attribution;
	struct nept_scenario s; /* as run (canonicalized) */
	struct nept_result model;
	struct nept_walk_pages walk[NEPT_MAX_EVENTS];
	struct nept_result impl[NEPT_MAX_IMPLS - 1]; /* nept_impls[1..] */
	/* The SDM's outcome each implementation was held to, per event:
	 * from the memory it left, the closest of those the SDM allows. */
	struct nept_result ref[NEPT_MAX_IMPLS - 1];
	/* What the known deviations of each implementation's tree predicted,
	 * per event: the closest outcome to what it gave, and the deviations
	 * that turned it (0: the prediction is the SDM's own). */
	struct nept_result pred[NEPT_MAX_IMPLS - 1];
	uint64_t pred_fired[NEPT_MAX_IMPLS - 1][NEPT_MAX_EVENTS];
	/* Where what it gave differs from that prediction ("" if not). */
	char pred_miss[NEPT_MAX_IMPLS - 1][NEPT_MAX_EVENTS][120];
	unsigned ndiv;
	struct nept_divergence div[NEPT_MAX_DIVERGENCES];
	/* Events not compared: unsupported by an implementation, or after
	 * one whose difference left its memory unlike the model's. */
	unsigned uncompared;
	/* Per implementation (nept_impls[1..]): the events compared with the
	 * model, from the first; those after were not. */
	uint8_t compared[NEPT_MAX_IMPLS - 1];
	/* Per implementation: why its events from compared[] on were not
	 * compared (NULL: every one was), the module's own note where it
	 * could not run one (`neptfuzz diff --stats` counts them). */
	const char *why_uncompared[NEPT_MAX_IMPLS - 1];
	/* Of those, the events where the SDM's outcome said something (not
	 * every field undefined) and the implementation ran the event: what
	 * a verdict of "agrees" rests on. */
	uint8_t checked[NEPT_MAX_IMPLS - 1];
};

/*
 * Makes a scenario concrete: derives the hardware EXIT_QUALIFICATION of
 * hardware EPT violations from the access as L2's paging state makes it
 * (bits 0-2, 7-12; with L2 paging off the address is user-mode and
 * writable, nept_effective_event), keeping the input's bits 3-6 only where
 * EPT12's path grants them (L0's shadow EPT never grants more).
 * Idempotent: files replay exactly as the fuzzer ran them.  model, if not
 * NULL, receives the model's outcomes for the canonical scenario.
 */
void nept_canonicalize(struct nept_scenario *s, struct nept_result *model);

/* Runs s (after nept_canonicalize) on every implementation. */
void nept_diff_run(const struct nept_scenario *s, struct nept_diff *d);
/* The same with a list of implementations (impls[0] is not run: the
 * model's place). */
void nept_diff_run_with(const struct nept_scenario *s, struct nept_diff *d,
			const struct nept_impl *const *impls, unsigned nimpls);

/* Compares one implementation's outcome with the model's; appends to d. */
void nept_compare(struct nept_diff *d, const struct nept_impl *impl,
		  unsigned event, const struct nept_outcome *model,
		  const struct nept_outcome *got);

/*
 * Tree to tree: where module `target` (an index into nept_impls) does
 * something else than module `base` on the same scenario, compared field
 * by field as against the model but with no tolerance (each is the other's
 * reference).  A patch under review, a stable update: what changed.
 * Each difference is classed by the model, in that event and field: a fix
 * (only the baseline diverged from the SDM), a regression (only the target
 * does) or a change (both, or neither: within a tolerance).
 */
enum nept_tree_class {
	NEPT_TREE_CHANGE = 0,
	NEPT_TREE_FIX = 1,
	NEPT_TREE_REGRESSION = 2,
};

struct nept_tree_diff {
	const struct nept_impl *base, *target;
	unsigned ndiv, compared, uncompared; /* events */
	struct nept_divergence div[NEPT_MAX_DIVERGENCES];
	uint8_t cls[NEPT_MAX_DIVERGENCES]; /* enum nept_tree_class */
};

void nept_tree_diff(const struct nept_diff *d, unsigned base, unsigned target,
		    struct nept_tree_diff *t);
const char *nept_tree_class_name(unsigned cls);
/* "tree: kvm-A -> kvm-B: SOURCE: FIELD DETAIL" for divergence k. */
void nept_tree_title(const struct nept_tree_diff *t, unsigned k, char *buf,
		     size_t n);

/*
 * The stable title of a diff's first new divergence (or first known one
 * when all are known): implementations with the same difference, the
 * source, the field and the bits.  Engines deduplicate findings by it.
 */
void nept_diff_title(const struct nept_diff *d, bool known, char *buf,
		     size_t n);
unsigned nept_diff_new(const struct nept_diff *d);

/* What implementation i (1.. in d's order) did with a scenario, as a
 * reproducer's `# verdict:` line records it: whether the comparison
 * stopped before some event (the module could not run it, or what it gave
 * cannot be told apart from the SDM's), and the set of (field, detail) of
 * its divergences. */
struct nept_verdict {
	bool unsupported;
	unsigned n;
	struct {
		uint32_t field;
		char detail[96];
	} div[NEPT_MAX_DIVERGENCES];
};
void nept_diff_verdict(const struct nept_diff *d, unsigned i,
		       struct nept_verdict *v);

/* Whether implementation i (1.. in d's order) compared the scenario's
 * last event: it ran it and the SDM said something about it (a VM entry
 * is always the last event). */
bool nept_diff_last_compared(const struct nept_diff *d, unsigned i);
/* The title of divergence k alone (with its version set). */
void nept_divergence_title(const struct nept_diff *d, unsigned k, char *buf,
			   size_t n);

/* Readable report: the scenario, each outcome, the differing bits. */
void nept_diff_report(FILE *f, const struct nept_diff *d, bool scenario);
void nept_diff_json(FILE *f, const struct nept_diff *d);

const char *nept_field_name(uint32_t field);
/* The source as signatures name it: "emulated", or "emulated/l2" for an
 * event whose L2 walk the implementation did (a separate class of paths). */
const char *nept_divergence_source(const struct nept_divergence *dv);

#endif
