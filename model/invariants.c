// SPDX-License-Identifier: GPL-2.0-only
/*
 * Properties the model must have on every input, checked without any other
 * implementation (the cryptofuzz habit: invariants apart from the diff).
 * Each has a stable name; fuzz_model aborts with it as the title.
 *
 * Two kinds: per-outcome facts read off the walk trace (facts §4, §6.1,
 * §6.5, §5.3), and metamorphic relations: changing what the SDM says is
 * ignored must not change what L1 sees (facts §3.2, §3.3).
 */
#include <stdio.h>
#include <string.h>

#include "invariants.h"

#define QUAL_RESERVED (~((1ull << 13) - 1))

static bool same_observation(const struct nept_outcome *a,
			     const struct nept_outcome *b)
{
	return a->kind == b->kind && a->reason == b->reason &&
	       a->qual == b->qual && a->qual_undefined == b->qual_undefined &&
	       a->gla_valid == b->gla_valid && a->gpa == b->gpa &&
	       a->translated == b->translated && a->undefined == b->undefined;
}

static const char *check_outcome(const struct nept_scenario *s,
				 const struct nept_event *ev,
				 const struct nept_outcome *o,
				 const struct model_trace *t)
{
	bool ad = s->eptp & (1ull << 6);
	uint64_t q = o->qual;

	if (t->stop == MODEL_STOP_UNBACKED)
		return (o->undefined == NEPT_F_ALL) ? NULL
						    : "unbacked-not-undefined";
	if (o->kind != NEPT_OUT_EXIT && o->kind != NEPT_OUT_NONE)
		return "kind";
	if ((o->kind == NEPT_OUT_NONE) != (t->stop == MODEL_STOP_OK))
		return "kind-matches-walk";
	if (o->kind == NEPT_OUT_EXIT) {
		if (o->gpa != ev->gpa)
			return "gpa-field-is-access-gpa";
		if (o->qual & o->qual_undefined)
			return "undefined-bits-reported";
	}
	if (t->stop == MODEL_STOP_MISCONFIG) {
		if (o->reason != NEPT_EXIT_EPT_MISCONFIG)
			return "misconfig-reason";
		if (q != 0 || o->qual_undefined != 0)
			return "misconfig-qual-zero";
		if (!t->rule)
			return "misconfig-without-rule";
	}
	if (t->stop == MODEL_STOP_NOT_PRESENT ||
	    t->stop == MODEL_STOP_PERMISSION) {
		if (o->reason != NEPT_EXIT_EPT_VIOLATION)
			return "violation-reason";
		if (q & QUAL_RESERVED)
			return "violation-qual-reserved-bits";
		if (!((q | o->qual_undefined) & 7))
			return "violation-without-access-bits";
		if ((q & QUAL_GLA_FINAL) && !(q & QUAL_GLA_VALID))
			return "gla-translated-without-gla-valid";
		if (!!(q & QUAL_GLA_VALID) != !!o->gla_valid)
			return "gla-valid-field-matches-bit7";
	}
	/* Facts §6.1: a not-present entry contributes 000, so bits 5:3 (and
	 * 6) are 0 wherever the walk stopped. */
	if (t->stop == MODEL_STOP_NOT_PRESENT &&
	    (q & (QUAL_READABLE | QUAL_WRITABLE | QUAL_EXECUTABLE |
		  QUAL_USER_EXEC)))
		return "not-present-perm-bits-zero";
	if (t->stop == MODEL_STOP_PERMISSION) {
		if (!(t->need & ~t->have))
			return "permission-violation-has-permission";
		if (((q >> 3) & 7) != (t->have & 7u))
			return "permission-bits-are-path-and";
	}
	if (t->stop == MODEL_STOP_OK) {
		if (t->need & ~t->have)
			return "success-without-permission";
		if ((o->translated & 0xfff) != (ev->gpa & 0xfff))
			return "translated-keeps-page-offset";
		if (o->translated >> s->l1_maxphyaddr)
			return "translated-within-maxphyaddr";
	}
	for (unsigned i = 0; i < o->n_ad_writes; i++) {
		const struct nept_ad_write *w = &o->ad_write[i];
		uint64_t changed = w->old ^ w->val;
		bool is_leaf_entry = t->stop == MODEL_STOP_OK &&
				     w->gpa == t->e[t->nread - 1].addr;

		if (!ad)
			return "ad-write-with-ad-disabled";
		if ((changed & ~(EPTE_A | EPTE_D)) ||
		    (w->val & changed) != changed)
			return "ad-write-sets-only-flags";
		if ((changed & EPTE_D) && !is_leaf_entry)
			return "dirty-only-on-leaf";
		if (w->optional != (t->stop != MODEL_STOP_OK))
			return "ad-write-optional-iff-faulting";
	}
	return NULL;
}

static uint64_t ignored_bits(uint32_t caps)
{
	/* Facts §3.3: 8, 9 (A/D never fault), 11, 52-63 with their features
	 * off, and 10 without MBEC are ignored in every entry. */
	uint64_t m = EPTE_A | EPTE_D | (1ull << 11) | (~0ull << 52);

	if (!(caps & NEPT_CAP_MBEC))
		m |= EPTE_XU;
	return m;
}

static void run_alone(const struct nept_scenario *s,
		      const struct nept_event *ev, struct nept_outcome *o,
		      struct model_trace *t)
{
	struct nept_mem mem = s->mem;

	model_run_event(s, &mem, ev, o, t);
}

static const char *check_metamorphic(const struct nept_scenario *s,
				     const struct nept_event *ev,
				     const struct nept_outcome *o,
				     const struct model_trace *t)
{
	static struct nept_scenario v;
	struct nept_outcome vo;
	struct nept_event vev;
	uint64_t ign = ignored_bits(s->caps);

	if (t->stop == MODEL_STOP_UNBACKED)
		return NULL;

	/* Flip every ignored bit of every qword. */
	v = *s;
	for (unsigned i = 0; i < v.mem.nqwords; i++)
		v.mem.qword[i].val ^= ign;
	run_alone(&v, ev, &vo, NULL);
	if (!same_observation(o, &vo))
		return "ignored-bits-change-outcome";

	/* Facts §3.2: in a not-present entry every bit but RWX (and XU
	 * with MBEC) is ignored, reserved ones included. */
	if (t->stop == MODEL_STOP_NOT_PRESENT) {
		uint64_t keep =
			EPTE_RWX | ((s->caps & NEPT_CAP_MBEC) ? EPTE_XU : 0);
		uint64_t addr = t->e[t->nread - 1].addr;

		v = *s;
		nept_mem_write(&v.mem, addr,
			       (0x5a5a5a5a5a5a5a5aull ^ addr) & ~keep);
		run_alone(&v, ev, &vo, NULL);
		if (!same_observation(o, &vo))
			return "not-present-entry-bits-change-outcome";
	}

	/* The source of an event changes only from_hardware. */
	vev = *ev;
	vev.source = (uint8_t)((ev->source + 1) % NEPT_SRC_COUNT);
	vev.hw_qual = vev.exit_qual = 0;
	vev.exit_reason = 0;
	run_alone(s, &vev, &vo, NULL);
	if (!same_observation(o, &vo))
		return "source-changes-outcome";
	return NULL;
}

const char *model_invariant_broken(const struct nept_scenario *s,
				   struct nept_result *r, unsigned *event_index)
{
	struct nept_mem mem = s->mem;

	r->nevents = s->nevents;
	for (unsigned i = 0; i < s->nevents; i++) {
		struct nept_outcome *o = &r->event[i], alone;
		struct model_trace t, ta;
		const char *broken;

		*event_index = i;
		/* Metamorphic checks run each event on the scenario's initial
		 * memory, so compare with that run; the sequence run must
		 * agree except for A/D state left by earlier events. */
		run_alone(s, &s->event[i], &alone, &ta);
		model_run_event(s, &mem, &s->event[i], o, &t);
		broken = check_outcome(s, &s->event[i], o, &t);
		if (!broken)
			broken =
				check_metamorphic(s, &s->event[i], &alone, &ta);
		if (!broken && !same_observation(o, &alone))
			broken = "ad-state-changes-outcome";
		if (broken)
			return broken;
	}
	return NULL;
}
