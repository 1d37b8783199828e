// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fuzz targets' state feedback (harness/fuzz/fuzz_feedback.c): what makes
 * two runs count as different states, and what does not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "fuzz_feedback.h"

static uint8_t snap[2][8192];

/* The features of one run, into snap[k]; how many are set. */
static unsigned features(unsigned k, const struct nept_scenario *s,
			 const struct nept_result *r, const uint8_t *departed)
{
	unsigned n, set = 0;
	const uint8_t *c;

	fuzz_state_feedback_clear();
	fuzz_state_feedback(s, r, departed);
	c = fuzz_state_counters(&n);
	memcpy(snap[k], c, n < sizeof(snap[k]) ? n : sizeof(snap[k]));
	for (unsigned i = 0; i < n; i++)
		set += c[i] != 0;
	return set;
}

static bool same(void)
{
	return !memcmp(snap[0], snap[1], sizeof(snap[0]));
}

static struct nept_outcome exit_outcome(unsigned reason, uint16_t pml)
{
	struct nept_outcome o;

	nept_outcome_clear(&o);
	o.kind = NEPT_OUT_EXIT;
	o.reason = (uint16_t)reason;
	o.pml_index = pml;
	return o;
}

int main(void)
{
	static struct nept_scenario s, t;
	static struct nept_result r, q;
	uint8_t departed[NEPT_MAX_EVENTS] = { 0 };

	/* Off unless asked for (fuzz_feedback.c says why). */
	scenario_init(&s);
	s.nevents = 1;
	r.nevents = 1;
	r.event[0] = exit_outcome(48, 0);
	EXPECT(features(0, &s, &r, NULL) == 0, "off by default");
	setenv("NEPTFUZZ_STATE_FEEDBACK", "1", 1);
	fuzz_state_feedback_reread_env();
	EXPECT(features(0, &s, &r, NULL) == 1, "on when asked for");

	s.nevents = 2;
	s.event[0].source = NEPT_SRC_EMULATED;
	s.event[0].access = NEPT_ACC_WRITE;
	s.event[0].exit_reason = 0;
	s.event[0].exit_vector = 1 + 14;
	s.event[1].source = NEPT_SRC_HW_VIOLATION;
	r.nevents = 2;
	r.event[0] = exit_outcome(48, 0);
	r.event[1] = exit_outcome(48, 0);

	/* One feature per event: two events, two features (a collision of
	 * two in 8192 would make this one). */
	EXPECT(features(0, &s, &r, NULL) == 2, "two events, two features");
	features(1, &s, &r, NULL);
	EXPECT(same(), "a run counts the same features again");

	/* The same events in the other order are other states. */
	t = s;
	t.event[0] = s.event[1];
	t.event[1] = s.event[0];
	features(1, &t, &r, NULL);
	EXPECT(!same(), "order of events");

	/* What the SDM said for the event before is part of the state. */
	q = r;
	q.event[0] = exit_outcome(49, 0);
	features(0, &s, &r, NULL);
	features(1, &s, &q, NULL);
	EXPECT(!same(), "outcome of the event before");

	/* Where L1's PML log stands when an event begins: room, or full. */
	s.ctl.flags |= NEPT_CTL_PML;
	s.ctl.pml_index = 5;
	r.event[0].pml_index = r.event[1].pml_index = 5;
	features(0, &s, &r, NULL);
	s.ctl.pml_index = 0xffff;
	r.event[0].pml_index = r.event[1].pml_index = 0xffff;
	features(1, &s, &r, NULL);
	EXPECT(!same(), "a full PML log");
	/* ... but not the index itself, once there is room. */
	s.ctl.pml_index = 6;
	r.event[0].pml_index = r.event[1].pml_index = 6;
	features(1, &s, &r, NULL);
	EXPECT(same(), "the index within the log");

	/* A KVM module departing from the SDM at an event. */
	s.ctl.pml_index = 5;
	r.event[0].pml_index = r.event[1].pml_index = 5;
	departed[1] = 1;
	features(1, &s, &r, departed);
	EXPECT(!same(), "a module departs");
	/* ... whichever module it is. */
	features(0, &s, &r, departed);
	departed[1] = 4;
	features(1, &s, &r, departed);
	EXPECT(same(), "which module departs");

	printf("test_feedback: %u passed, %u failed\n", passes, failures);
	return failures != 0;
}
