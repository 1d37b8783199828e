// SPDX-License-Identifier: GPL-2.0-only
/*
 * State feedback: coverage features for the order of events.
 *
 * Edge coverage says which code a scenario ran, not in which state.  The
 * findings that take longest to reach are about state one event leaves
 * for the next (a full PML log, a queued exception, a flag KVM kept):
 * the edges on their way are mostly covered already by scenarios that
 * never put the events in that order, so libFuzzer has little reason to
 * keep the inputs that lead there.  This adds one feature per event, from
 * the scenario and the SDM model's outcomes only: what the event is
 * (source, access, current exit or delivery), what the SDM says it gives
 * and what it said for the event before (coarse kinds: no exit, EPT
 * violation, misconfiguration, PML full, #PF, #DF, ...), where L1's PML
 * log stands when the event begins and whether the event moves it; and
 * in fuzz_diff, whether any KVM module departs from the SDM there.
 * Nothing in it names a KVM function or a known deviation.
 *
 * libFuzzer reads the counters from its extra-counters section (cleared
 * before every input); builds for other engines keep the array and ignore
 * it.  It is off unless NEPTFUZZ_STATE_FEEDBACK=1: measured over every
 * known finding (5 runs each, README "Measuring"), it found a few of the
 * slowest ones sooner (#DF->none 57 s -> 21 s, +NMI_UNBLOCKING in 4 of 5
 * runs instead of 1) but slowed more of the others (a bigger corpus, so
 * fewer mutations of each input), so it stays a switch to try.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_feedback.h"

#define STATE_COUNTERS 8192

__attribute__((used, section("__libfuzzer_extra_counters"))) static uint8_t
	state_counters[STATE_COUNTERS];

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

/* What an event is, coarsely: its source and access, and the current
 * exit (EPT violation, misconfiguration, #PF, another exception, other)
 * or whether an event is being delivered.  Finer classes (every exit
 * reason and vector, pairs of whole events, counts) tripled the corpus of
 * a 10-s run from nothing and halved exec/s. */
static uint64_t event_class(const struct nept_event *e)
{
	uint64_t c = (uint64_t)e->source << 2 | e->access;

	if (e->source == NEPT_SRC_EMULATED) {
		unsigned r = e->exit_reason, x = 5;

		if (r == 48 || r == 49)
			x = r - 47;
		else if (r != 0)
			x = 3;
		else if (e->exit_vector == 1 + 14)
			x = 4;
		c = c << 3 | x;
	} else if (e->source == NEPT_SRC_HW_VIOLATION) {
		c = c << 3 | (e->during != 0);
	}
	return c << 1 | !!(e->flags & NEPT_AF_IMPLICIT);
}

/* What the SDM says the event gives, coarsely: nothing, an EPT violation,
 * a misconfiguration, a PML-full or another exit, #PF, #DF or another
 * exception, a VM-entry failure, or nothing defined (a tolerance). */
static uint64_t outcome_class(const struct nept_outcome *o)
{
	if (o->undefined == NEPT_F_ALL)
		return 0;
	switch (o->kind) {
	case NEPT_OUT_EXIT:
		if (o->reason == 48 || o->reason == 49)
			return o->reason - 46u;
		return o->reason == 62 ? 4 : 5;
	case NEPT_OUT_EXCEPTION:
		return o->vector == 14 ? 6 : o->vector == 8 ? 7 : 8;
	case NEPT_OUT_VMFAIL:
		return 9;
	default:
		return 1;
	}
}

/* L1's PML log before an event: off, with room, at its last slot, full
 * (facts §7.2: the index counts down from 511; past 0 it is full). */
static unsigned pml_state(const struct nept_scenario *s, uint16_t index)
{
	if (!(s->ctl.flags & NEPT_CTL_PML))
		return 0;
	return index > 511 ? 3 : index == 0 ? 2 : 1;
}

static int on = -1;

bool fuzz_state_feedback_on(void)
{
	if (on < 0) {
		const char *v = getenv("NEPTFUZZ_STATE_FEEDBACK");

		on = v && v[0] == '1';
	}
	return on;
}

void fuzz_state_feedback(const struct nept_scenario *s,
			 const struct nept_result *model,
			 const uint8_t *departed)
{
	uint64_t prev = 0;
	uint16_t pml = s->ctl.pml_index;
	unsigned i, n = model->nevents;

	if (!fuzz_state_feedback_on())
		return;
	if (n > s->nevents)
		n = s->nevents;
	for (i = 0; i < n; i++) {
		const struct nept_outcome *o = &model->event[i];
		uint64_t cur =
			event_class(&s->event[i]) << 8 | outcome_class(o);
		uint64_t h = mix(mix(prev) ^ cur ^
				 (uint64_t)(pml_state(s, pml) << 1 |
					    (o->pml_index != pml))
					 << 56 ^
				 (uint64_t)(departed && departed[i]) << 48);
		/* Present or not: how often a pair occurs says nothing. */
		state_counters[h % STATE_COUNTERS] = 1;
		prev = outcome_class(o) + 1;
		pml = o->pml_index;
	}
}

const uint8_t *fuzz_state_counters(unsigned *n)
{
	*n = STATE_COUNTERS;
	return state_counters;
}

void fuzz_state_feedback_reread_env(void)
{
	on = -1;
}

void fuzz_state_feedback_clear(void)
{
	memset(state_counters, 0, sizeof(state_counters));
}
