/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The structure-aware mutator: decodes a binary scenario, changes it as a
 * scenario (EPT12 and L2 entry bits, levels, aliasing, caps, EPTP, L2 and
 * vmcs12 state, events, splices of two scenarios), makes sure the result
 * passes scenario_check and encodes it again.  The engines' hooks
 * (harness/fuzz/fuzz_mutator.c for libFuzzer, harness/fuzz/afl_mutator.c for AFL++)
 * sit on top; the scenario layer knows nothing of it.
 *
 * Deterministic: the same input and seed give the same output.  Not
 * reentrant across threads (no engine calls it that way).
 */
#ifndef NEPT_MUTATE_H
#define NEPT_MUTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

#define NEPT_MUTATE_MAX_STEPS 3

/* How an output was made. */
enum nept_mutate_path {
	NEPT_MUTATE_STRUCTURED = 0, /* decoded, mutated as a scenario */
	NEPT_MUTATE_GENERATED,	    /* input did not decode: a fresh small
				     * legal scenario, then mutated */
	NEPT_MUTATE_SPLICED,	    /* nept_crossover of two scenarios */
	NEPT_MUTATE_BYTES,	    /* byte-level: the output may not decode */
};

struct nept_mutate_info {
	uint8_t path;	/* enum nept_mutate_path */
	uint8_t nsteps; /* named mutations applied, in order */
	uint8_t step[NEPT_MUTATE_MAX_STEPS]; /* indices into the table */
};

/*
 * Mutates data (size bytes, room for max_size) in place and returns the new
 * size, at most max_size and never 0 when max_size > 0.  Unless it fell
 * back to bytes (info->path, when info is not NULL), the output decodes to
 * a legal scenario.
 */
size_t nept_mutate(uint8_t *data, size_t size, size_t max_size, unsigned seed,
		   struct nept_mutate_info *info);

/*
 * The structured part alone: like nept_mutate, but returns 0 instead of
 * mutating bytes itself (the input does not decode and the draw chose
 * bytes, or no scenario fits max_size), so an engine can use its own byte
 * mutator there.
 */
size_t nept_mutate_structured(uint8_t *data, size_t size, size_t max_size,
			      unsigned seed, struct nept_mutate_info *info);

/* Byte-level mutation, for builds without an engine's own. */
size_t nept_mutate_bytes(uint8_t *data, size_t size, size_t max_size,
			 unsigned seed);

/*
 * Splices scenario a with scenario b into out (room for max_out): a's
 * events in b's memory, the memory of both, b's settings with a's memory
 * and events, or the events of both.  Returns the size written; when a or
 * b does not decode it mutates the one that does, or crosses the bytes.
 */
size_t nept_crossover(const uint8_t *a, size_t na, const uint8_t *b, size_t nb,
		      uint8_t *out, size_t max_out, unsigned seed,
		      struct nept_mutate_info *info);

/*
 * Applies mutation `id` once to a legal scenario s (expectations dropped
 * first; other: the splice partner, needed by splice mutations).  True
 * when s changed and is still legal; s is untouched otherwise.  For tests
 * and tools that want one named mutation.
 */
bool nept_mutate_apply(struct nept_scenario *s,
		       const struct nept_scenario *other, unsigned id,
		       unsigned seed);

/* The table of named mutations. */
unsigned nept_mutation_count(void);
const char *nept_mutation_name(unsigned id); /* NULL if out of range */
unsigned nept_mutation_weight(unsigned id);
bool nept_mutation_needs_partner(unsigned id); /* the splices */

/* Names what made an output, e.g. "ept-rwx,ev-access" or "bytes"; returns
 * buf (NUL-terminated, cut to cap). */
const char *nept_mutate_describe(const struct nept_mutate_info *info, char *buf,
				 size_t cap);

#endif
