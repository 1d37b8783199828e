/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the fuzz targets: statistics a run reports when it
 * ends (to stderr, and as JSON to $NEPTFUZZ_STATS for scripts/fuzz).
 */
#ifndef NEPT_FUZZ_H
#define NEPT_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "impl.h"

struct fuzz_stats {
	unsigned long inputs;	/* every call */
	unsigned long accepted; /* decoded to a scenario */
	unsigned long events;
	unsigned long kind[4]; /* enum nept_outcome_kind */
	unsigned long violations, misconfigs, undefined;
	unsigned long uncompared; /* events an implementation skipped */
};

extern struct fuzz_stats fuzz_stats;

/* Registers the end-of-run report once (cheap after the first call). */
void fuzz_stats_init(void);
/* Counts the outcomes and tolerances of one run of the model. */
void fuzz_count(const struct nept_result *r);

struct nept_diff;
/* Counts known divergences by signature and events not compared. */
void fuzz_count_diff(const struct nept_diff *d);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each target says which encoding it consumes; the standalone driver
 * converts text reproducers to binary for targets that take binary. */
extern const bool fuzz_target_takes_text;

#endif
