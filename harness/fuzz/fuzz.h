/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the fuzz targets: statistics a run reports when it
 * ends (to stderr), and as JSON to $NEPTFUZZ_STATS for scripts/fuzz:
 *   a directory (an existing one, or any path ending in '/'): one file per
 *       process, DIR/<pid>-<start time>.json, so that libFuzzer's -fork
 *       children and AFL++'s instances never overwrite each other;
 *       scripts/fuzz adds them up
 *   a file name, where %p stands for the process id
 * The file is rewritten whole (temporary file and rename) when the process
 * exits and at most once a second while inputs run, so a process that
 * aborts on a finding or is killed by its engine leaves its counts too.
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
	unsigned long kind[NEPT_OUT_KIND_COUNT]; /* enum nept_outcome_kind */
	unsigned long violations, misconfigs, undefined;
	unsigned long uncompared; /* events an implementation skipped */
	/* vm-entry events, and those a KVM module compared (it compares
	 * few yet: kvm/README.md; the others are among the uncompared) */
	unsigned long vm_entries, vm_entries_compared;
};

extern struct fuzz_stats fuzz_stats;

/* Registers the end-of-run report once, and rewrites the statistics file
 * when a second has passed since the last time: call it for every input
 * (cheap: it reads the clock every 64 calls). */
void fuzz_stats_init(void);
/* Rewrites the statistics file now: before an abort on a finding, which
 * never reaches atexit, so that the counts up to it are kept. */
void fuzz_stats_flush(void);
/* Counts the outcomes and tolerances of one run of the model. */
void fuzz_count(const struct nept_result *r);

struct nept_diff;
/* Counts known divergences by signature and events not compared. */
void fuzz_count_diff(const struct nept_diff *d);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each target says which encoding it consumes; the standalone driver
 * converts text reproducers to binary for targets that take binary. */
extern const bool fuzz_target_takes_text;

/* FNV-1a, 64 bits: known titles (fuzz.c) and the mutation log's names for
 * outputs (fuzz_mutator.c; scripts/bench mutations hashes corpus files
 * the same way). */
static inline uint64_t fuzz_fnv1a(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ull;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ull;
	return h;
}

#endif
