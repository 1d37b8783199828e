/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef NEPT_GENERATE_H
#define NEPT_GENERATE_H

#include "scenario.h"

/*
 * Fills s with a random legal scenario drawn from *state (advanced); false
 * when the draw was not legal (call again: the state has moved on).
 */
bool scenario_generate(uint64_t *state, struct nept_scenario *s);

#endif
