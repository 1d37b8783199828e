/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef NEPT_INVARIANTS_H
#define NEPT_INVARIANTS_H

#include "model.h"

/*
 * Runs the model over the scenario and checks its invariants; returns the
 * stable name of the first one broken (and the event it broke on), or NULL.
 * r receives the model's outcomes for the whole sequence.
 */
const char *model_invariant_broken(const struct nept_scenario *s,
				   struct nept_result *r,
				   unsigned *event_index);

#endif
