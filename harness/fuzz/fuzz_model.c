// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the SDM model alone.  Every input that decodes to a scenario
 * runs through the model, whose invariants (model/invariants.c) must hold;
 * the binary encoding must round-trip.  A broken invariant prints the
 * scenario and aborts with a stable title, so engines group by it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "finding.h"
#include "fuzz.h"
#include "fuzz_feedback.h"
#include "invariants.h"
#include "report.h"

const bool fuzz_target_takes_text = false;

static _Noreturn void fail(const struct nept_scenario *s, const char *name,
			   unsigned ev)
{
	char title[160];

	snprintf(title, sizeof(title), "model invariant: %s", name);
	fprintf(stderr, "\n==neptfuzz== FINDING: %s (event %u)\n", title, ev);
	fprintf(stderr, "---- scenario ----\n");
	report_scenario_text(stderr, s);
	fprintf(stderr, "---- model outcome of event %u ----\n", ev);
	{
		struct nept_result r;

		model_impl.run(s, &r);
		report_outcome_text(stderr, &r.event[ev]);
	}
	fuzz_crash(&(struct fuzz_finding){ title, title, FUZZ_AT_MODEL,
					   FUZZ_WHAT_INVARIANT });
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nept_scenario s, again;
	static struct nept_result r;
	static uint8_t buf[NEPT_BIN_MAX];
	const char *broken;
	unsigned ev = 0;
	size_t n;

	fuzz_stats_init();
	fuzz_stats.inputs++;
	if (!scenario_decode_bin(data, size, &s))
		return -1; /* libFuzzer: keep rejected inputs out of the corpus */
	fuzz_stats.accepted++;
	n = scenario_encode_bin(&s, buf, sizeof(buf));
	if (!n || !scenario_decode_bin(buf, n, &again) ||
	    !scenario_equal(&s, &again))
		fail(&s, "binary-round-trip", 0);
	broken = model_invariant_broken(&s, &r, &ev);
	if (broken)
		fail(&s, broken, ev);
	fuzz_count(&r);
	fuzz_state_feedback(&s, &r, NULL);
	return 0;
}
