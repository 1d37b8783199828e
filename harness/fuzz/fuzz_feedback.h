/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * State feedback for the fuzz targets: one coverage feature per event in
 * its place among the others (fuzz_feedback.c says what goes into it, why).
 */
#ifndef NEPT_FUZZ_FEEDBACK_H
#define NEPT_FUZZ_FEEDBACK_H

#include <stdint.h>

#include "impl.h"

/*
 * Counts the features of one run: s as run, model the SDM model's
 * outcomes for it, departed (NULL in fuzz_model) one byte per event whose
 * bit m - 1 says KVM module m departed from the SDM there.
 */
void fuzz_state_feedback(const struct nept_scenario *s,
			 const struct nept_result *model,
			 const uint8_t *departed);
/* Whether NEPTFUZZ_STATE_FEEDBACK=1 turned it on (off: nothing to count,
 * so callers need not gather what it would read). */
bool fuzz_state_feedback_on(void);

/* The counters as the last runs left them, for tests (the engine clears
 * them before each input; fuzz_state_feedback_clear does here). */
const uint8_t *fuzz_state_counters(unsigned *n);
void fuzz_state_feedback_clear(void);
/* Reads NEPTFUZZ_STATE_FEEDBACK again at the next run (it is read once). */
void fuzz_state_feedback_reread_env(void);

#endif
