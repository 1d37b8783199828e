/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How a fuzz target stops on a finding, so that every engine and ClusterFuzz
 * tell one finding from another by its signature:
 *
 *  - "SUMMARY: neptfuzz: TITLE": the signature with its version set, for
 *    people and scripts/fuzz (ClusterFuzz ignores SUMMARY lines);
 *  - "[neptfuzz] ASSERTION FAILED: STATE": the signature without the
 *    version set, in a form ClusterFuzz's stack analyzer takes as an
 *    assertion (clusterfuzz stacktraces/constants.py ASSERT_REGEX), whose
 *    message becomes the first line of the crash state;
 *  - SIGABRT raised from a chain of frames named by the finding: the
 *    innermost is one of 256 functions picked by a hash of STATE, then one
 *    per field (or kind of check), then one per event source (or target).
 *    The sanitizer's stack, and so libFuzzer's DEDUP_TOKEN (its first three
 *    frames with dedup_token_length=3, as OSS-Fuzz sets it) and ClusterFuzz's
 *    next two crash-state lines, name them; AFL++, which keeps a crash when
 *    its path is new, sees a different path per signature.
 *
 * Only the abort path formats anything: nothing here runs per input.
 */
#ifndef NEPT_FINDING_H
#define NEPT_FINDING_H

#include "diff.h"

/* The outer frame: where the finding came from. */
enum fuzz_where {
	FUZZ_AT_HW_VIOLATION,
	FUZZ_AT_HW_MISCONFIG,
	FUZZ_AT_EMULATED,
	FUZZ_AT_HW_VIOLATION_L2,
	FUZZ_AT_HW_MISCONFIG_L2,
	FUZZ_AT_EMULATED_L2,
	FUZZ_AT_MODEL, /* fuzz_model's invariants */
	FUZZ_AT_TEXT,  /* fuzz_text's round trips */
	FUZZ_AT_COUNT
};

/* The middle frame: what differs.  0..11 are enum nept_field's bits. */
enum fuzz_what {
	FUZZ_WHAT_FIELDS = 14,
	FUZZ_WHAT_INVARIANT = FUZZ_WHAT_FIELDS,
	FUZZ_WHAT_ROUND_TRIP,
	FUZZ_WHAT_COUNT
};

struct fuzz_finding {
	const char *title; /* the SUMMARY signature, version set included */
	const char *state; /* the same without the version set */
	unsigned where;	   /* enum fuzz_where */
	unsigned what;	   /* enum fuzz_what */
};

/* Prints the two lines and raises SIGABRT from the finding's frames. */
_Noreturn void fuzz_crash(const struct fuzz_finding *f);

/* The version-free signature of divergence k ("divergence: emulated:
 * qualification -GLA_VALID") and of tree difference k ("tree: ..."). */
void fuzz_divergence_state(const struct nept_divergence *dv, const char *kind,
			   char *buf, size_t n);
/* Frames for a divergence. */
unsigned fuzz_where_of(const struct nept_divergence *dv);
unsigned fuzz_what_of(const struct nept_divergence *dv);

#endif
