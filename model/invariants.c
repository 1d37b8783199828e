// SPDX-License-Identifier: GPL-2.0-only
/*
 * Properties the model must have on every input, checked without any other
 * implementation (the cryptofuzz habit: invariants apart from the diff).
 * Each has a stable name; fuzz_model aborts with it as the title.
 *
 * Two kinds: per-outcome facts read off the walk trace (facts §4, §6.1,
 * §6.5, §5.3, §8.1, §10), and metamorphic relations: changing what the SDM
 * says is ignored must not change what L1 sees (facts §3.2, §3.3, §8.2,
 * §10.3).
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
	       a->translated == b->translated &&
	       /* Writes are not compared here: flipping an ignored A flag
	        * changes what a walk writes, and so whether the write set
	        * can say all the SDM allows (model.c, optional_write). */
	       !((a->undefined ^ b->undefined) & ~NEPT_F_AD_WRITES) &&
	       a->vector == b->vector &&
	       a->has_error_code == b->has_error_code &&
	       a->error_code == b->error_code &&
	       (a->kind != NEPT_OUT_EXCEPTION || a->gla == b->gla);
}

static bool pml_on(const struct nept_scenario *s)
{
	return (s->ctl.flags & NEPT_CTL_PML) && (s->eptp & (1ull << 6));
}

/* Facts §8.1, §10.2, §10.3: an outcome that comes from a guest #PF. */
static const char *check_page_fault(const struct nept_scenario *s,
				    const struct nept_event *ev,
				    const struct nept_outcome *o,
				    const struct model_trace *t)
{
	const struct nept_controls *c = &s->ctl;
	uint32_t e = t->pfec;
	bool user = s->l2.cpl == 3 && !(ev->flags & NEPT_AF_IMPLICIT);
	bool match = (e & c->pfec_mask) == c->pfec_match;
	bool bit14 = c->exception_bitmap & (1u << VEC_PF);
	unsigned first = ev->during ? ev->during - 1u : 0;

	if ((e & PFEC_RSVD) && !(e & PFEC_P))
		return "pfec-rsvd-implies-p";
	if (e >> 16)
		return "pfec-bits-31-16-clear";
	if (!!(e & PFEC_P) != (t->l2_stop != MODEL_L2_NOT_PRESENT &&
			       t->l2_stop != MODEL_L2_PROCESSOR_PF))
		return "pfec-p-iff-present";
	if (!!(e & PFEC_RSVD) != (t->l2_stop == MODEL_L2_RESERVED))
		return "pfec-rsvd-iff-reserved-bit";
	if (!!(e & PFEC_W) != (ev->access == NEPT_ACC_WRITE))
		return "pfec-w-is-the-access";
	if (!!(e & PFEC_U) != user)
		return "pfec-u-is-user-mode-access";
	if ((e & PFEC_ID) && ev->access != NEPT_ACC_FETCH)
		return "pfec-id-only-for-fetches";
	if ((e & PFEC_PK) &&
	    (ev->access == NEPT_ACC_FETCH || s->l2.paging < NEPT_L2_4LEVEL ||
	     !(s->l2.flags & NEPT_L2F_PKE)))
		return "pfec-pk-only-4-5-level-pke-data";
	if (o->kind == NEPT_OUT_EXCEPTION && o->vector >= 32)
		return "exception-vector-below-32";
	if (o->kind == NEPT_OUT_EXIT && o->reason == NEPT_EXIT_TRIPLE_FAULT) {
		if (ev->during != 1 + VEC_DF)
			return "triple-fault-only-delivering-df";
		if (o->qual != 0 || bit14 == match)
			return "triple-fault-qual-0-and-pf-not-exiting";
		return NULL;
	}
	if (o->vector == VEC_PF) {
		if (!o->has_error_code || o->error_code != e)
			return "pf-error-code-is-pfec";
		/* The bitmap decides for #PF first (facts §10.3). */
		if ((o->kind == NEPT_OUT_EXIT) != (bit14 == match))
			return "pf-exit-iff-bit14-equals-match";
		if (o->kind == NEPT_OUT_EXIT && o->qual != ev->gla)
			return "pf-exit-qual-is-linear-address";
		if (o->kind == NEPT_OUT_EXCEPTION && o->gla != ev->gla)
			return "pf-cr2-is-linear-address";
		if (ev->during && first != VEC_DF && first != VEC_PF &&
		    first != 20)
			return NULL;
		if (ev->during && o->kind == NEPT_OUT_EXCEPTION)
			return "pf-delivered-while-delivering-pf-or-df";
		return NULL;
	}
	if (o->vector == VEC_DF) {
		if (!ev->during || (first != VEC_PF && first != 20))
			return "df-only-delivering-page-fault-class";
		if (!o->has_error_code || o->error_code != 0)
			return "df-error-code-0";
		if (bit14 == match)
			return "df-only-when-pf-does-not-exit";
		if ((o->kind == NEPT_OUT_EXIT) !=
		    !!(c->exception_bitmap & (1u << VEC_DF)))
			return "df-exit-iff-bit8";
		if (o->kind == NEPT_OUT_EXIT && o->qual != 0)
			return "df-exit-qual-0";
		return NULL;
	}
	return "page-fault-outcome-is-pf-df-or-triple-fault";
}

/* Facts §6.3, §7.2: bit 12 undefined exactly in the two cases. */
static const char *check_bit12(const struct nept_scenario *s,
			       const struct nept_event *ev,
			       const struct nept_outcome *o)
{
	unsigned f = s->ctl.flags;
	bool undef =
		((f & NEPT_CTL_NMI_EXITING) && !(f & NEPT_CTL_VIRTUAL_NMIS)) ||
		ev->during;

	if (o->qual_undefined == ~0ull)
		return NULL; /* a named order tolerance hides it all */
	if (!!(o->qual_undefined & QUAL_NMI_UNBLOCK) != undef)
		return "bit12-undefined-iff-nmi-exiting-or-delivery";
	if (!undef && !!(o->qual & QUAL_NMI_UNBLOCK) !=
			      !!(ev->flags & NEPT_AF_NMI_UNBLOCK))
		return "bit12-is-nmi-unblocking";
	return NULL;
}

static const char *check_ept_exit(const struct nept_scenario *s,
				  const struct nept_event *ev,
				  const struct nept_outcome *o,
				  const struct model_trace *t, bool walks)
{
	uint64_t q = o->qual, def = ~o->qual_undefined;

	if (o->qual & o->qual_undefined)
		return "undefined-bits-reported";
	if (o->reason == NEPT_EXIT_PML_FULL) {
		if (!pml_on(s))
			return "pml-full-needs-pml-and-ept-ad";
		if (!t->pml_full || t->stop != MODEL_STOP_OK)
			return "pml-full-after-a-successful-walk";
		if (o->qual_undefined != ~0ull &&
		    (o->qual_undefined | QUAL_NMI_UNBLOCK) != ~0ull)
			return "pml-full-defines-only-bit12";
		return check_bit12(s, ev, o);
	}
	if (!(o->undefined & NEPT_F_GPA) && o->gpa != t->gpa)
		return "gpa-field-is-access-gpa";
	if (t->stop == MODEL_STOP_MISCONFIG) {
		if (o->reason != NEPT_EXIT_EPT_MISCONFIG)
			return "misconfig-reason";
		if (q != 0 ||
		    (o->qual_undefined != 0 && o->qual_undefined != ~0ull))
			return "misconfig-qual-zero";
		if (!t->rule)
			return "misconfig-without-rule";
		return NULL;
	}
	if (t->stop != MODEL_STOP_NOT_PRESENT &&
	    t->stop != MODEL_STOP_PERMISSION)
		return "ept-exit-without-failed-walk";
	if (o->reason != NEPT_EXIT_EPT_VIOLATION)
		return "violation-reason";
	if (q & QUAL_RESERVED)
		return "violation-qual-reserved-bits";
	if (!((q | o->qual_undefined) & 7))
		return "violation-without-access-bits";
	if ((q & QUAL_GLA_FINAL) && !(q & QUAL_GLA_VALID))
		return "gla-translated-without-gla-valid";
	if ((def & QUAL_GLA_VALID) && !(o->undefined & NEPT_F_GLA_VALID) &&
	    !!(q & QUAL_GLA_VALID) != !!o->gla_valid)
		return "gla-valid-field-matches-bit7";
	/* Facts §6.1: a not-present entry contributes 000, so bits 5:3
	 * (and 6) are 0 wherever the walk stopped. */
	if (t->stop == MODEL_STOP_NOT_PRESENT &&
	    (q & (QUAL_READABLE | QUAL_WRITABLE | QUAL_EXECUTABLE |
		  QUAL_USER_EXEC)))
		return "not-present-perm-bits-zero";
	if (t->stop == MODEL_STOP_PERMISSION) {
		if (!(t->need & ~t->have))
			return "permission-violation-has-permission";
		if ((((q >> 3) ^ t->have) & 7 & (def >> 3)) != 0)
			return "permission-bits-are-path-and";
	}
	if (walks && !(o->undefined & NEPT_F_GPA)) {
		bool entry = false;

		for (unsigned i = 0; i < t->l2_nread; i++)
			entry |= o->gpa == t->l2e[i].gpa;
		/* Facts §7.1, §8.3: bit 8 = 0 names a guest entry, bit 8 =
		 * 1 the final GPA; the GLA is the address walked. */
		if ((def & QUAL_GLA_FINAL) && !(q & QUAL_GLA_FINAL) && !entry)
			return "paging-violation-gpa-is-a-guest-entry";
		if ((q & QUAL_GLA_FINAL) && o->gpa != t->l2_final)
			return "final-violation-gpa-is-the-final-gpa";
		if (o->gla_valid && o->gla != ev->gla)
			return "l2-violation-gla-is-the-linear-address";
	}
	if ((s->l2.paging == NEPT_L2_32BIT || s->l2.paging == NEPT_L2_PAE) &&
	    o->gla_valid && (o->gla >> 32))
		return "gla-bits-63-32-clear-outside-64-bit-mode";
	return check_bit12(s, ev, o);
}

/* Facts §5.3, §5.4, §7.2: what an event may write. */
static const char *check_writes(const struct nept_scenario *s,
				const struct nept_outcome *o,
				const struct model_trace *t, bool walks)
{
	bool ad = s->eptp & (1ull << 6);

	/* The model left the writes open (a replacing PML entry that only
	 * may have landed where a required write ORs flags): nothing of
	 * them to hold it to. */
	if (o->undefined & NEPT_F_AD_WRITES)
		return NULL;
	for (unsigned i = 0; i < o->n_ad_writes; i++) {
		const struct nept_ad_write *w = &o->ad_write[i];
		uint64_t changed = w->old ^ w->val;
		bool is_leaf_entry = t->stop == MODEL_STOP_OK &&
				     w->gpa == t->e[t->nread - 1].addr;
		uint64_t pml = s->ctl.pml_address;
		/* A PML log entry replaces the qword (a page-aligned GPA);
		 * where it lands on an entry of the walk, the walk's EPT A/D
		 * flags may be ORed into it after (pml-log-on-walk). */
		uint64_t low = w->val & 0xfff;
		bool log_entry;

		if (o->tolerances & (1u << NEPT_TOL_PML_LOG_ON_WALK))
			low &= ~(EPTE_A | EPTE_D);
		/* Where the log slot is also an entry of L2's walk, the
		 * walk sets its guest A/D flags after the log replaced it
		 * (facts §5.4, §7.2). */
		for (unsigned k = 0; walks && k < t->l2_nread; k++)
			if (t->l2e[k].l1pa != MODEL_L2_REGISTER &&
			    (t->l2e[k].l1pa & ~7ull) == w->gpa)
				low &= ~0x60ull;
		log_entry = pml_on(s) && w->gpa >= pml && w->gpa < pml + 4096 &&
			    !low;
		/* Every other write only sets flags. */
		if ((w->val & changed) != changed && !log_entry)
			return "writes-only-set-bits";
		if (walks || pml_on(s)) {
			/* EPT A/D, guest A/D (either half in 32-bit
			 * paging; a qword may be both), or a PML entry. */
			uint64_t flags = (ad ? EPTE_A | EPTE_D : 0) |
					 (walks ? 0x0000006000000060ull : 0);
			if ((changed & ~flags) && !log_entry)
				return "write-is-ept-ad-guest-ad-or-pml";
			continue;
		}
		if (!ad)
			return "ad-write-with-ad-disabled";
		if (changed & ~(EPTE_A | EPTE_D))
			return "ad-write-sets-only-flags";
		if ((changed & EPTE_D) && !is_leaf_entry)
			return "dirty-only-on-leaf";
		if (w->optional != (t->stop != MODEL_STOP_OK))
			return "ad-write-optional-iff-faulting";
	}
	return NULL;
}

static const char *check_outcome(const struct nept_scenario *s,
				 const struct nept_event *ev,
				 const struct nept_outcome *o,
				 const struct model_trace *t)
{
	bool walks = nept_walks_l2(s, ev);
	/* A guest #PF: from the model's walk of L2, or (facts §14) a
	 * hw-violation whose GPA the processor's walk reached only through
	 * an entry reserved at L1's width. */
	bool beyond = !walks && t->l2_stop == MODEL_L2_RESERVED &&
		      ev->source == NEPT_SRC_HW_VIOLATION &&
		      s->l2.paging != NEPT_L2_OFF &&
		      ev->gpa >> s->l1_maxphyaddr;
	bool pf = ((walks || beyond) && t->l2_stop >= MODEL_L2_NOT_PRESENT &&
		   t->l2_stop <= MODEL_L2_RIGHTS) ||
		  t->l2_stop == MODEL_L2_PROCESSOR_PF;
	bool exc_exit = o->kind == NEPT_OUT_EXIT &&
			(o->reason == NEPT_EXIT_EXCEPTION_NMI ||
			 o->reason == NEPT_EXIT_TRIPLE_FAULT);
	const char *broken;

	if (o->undefined == NEPT_F_ALL)
		return (o->tolerances & ((1u << NEPT_TOL_UNBACKED_TABLE) |
					 (1u << NEPT_TOL_L2_UNBACKED) |
					 (1u << NEPT_TOL_AD_FINAL_ORDER) |
					 (1u << NEPT_TOL_PML_LOG_ON_WALK) |
					 (1u << NEPT_TOL_EXIT_OWNER) |
					 (1u << NEPT_TOL_INSN_UNMODELLED) |
					 (1u << NEPT_TOL_INSN_ACCESS_SPLIT)))
			       ? NULL
			       : "all-undefined-without-tolerance";
	if (t->stop == MODEL_STOP_UNBACKED)
		return "unbacked-not-undefined";
	if (walks && t->l2_stop == MODEL_L2_UNBACKED)
		return "l2-unbacked-not-undefined";
	if (o->kind != NEPT_OUT_EXIT && o->kind != NEPT_OUT_NONE &&
	    o->kind != NEPT_OUT_EXCEPTION)
		return "kind";
	if ((o->kind == NEPT_OUT_EXCEPTION || exc_exit) != pf)
		return "exception-iff-guest-page-fault";
	if (pf)
		return check_page_fault(s, ev, o, t);
	if (o->kind == NEPT_OUT_NONE) {
		uint64_t g = walks ? t->l2_final : ev->gpa;

		if (t->stop != MODEL_STOP_OK || t->pml_full ||
		    (walks && t->l2_stop != MODEL_L2_OK))
			return "kind-matches-walk";
		if (t->need & ~t->have)
			return "success-without-permission";
		if ((o->translated & 0xfff) != (g & 0xfff))
			return "translated-keeps-page-offset";
		if (o->translated >> s->l1_maxphyaddr)
			return "translated-within-maxphyaddr";
	} else {
		if (t->stop == MODEL_STOP_OK && !t->pml_full)
			return "kind-matches-walk";
		broken = check_ept_exit(s, ev, o, t, walks);
		if (broken)
			return broken;
	}
	return check_writes(s, o, t, walks);
}

static uint64_t ignored_bits(const struct nept_scenario *s)
{
	/* Facts §3.3: 8, 9 (A/D never fault), 11, 52-63 with their features
	 * off, and 10 without MBEC are ignored in every EPT entry. */
	uint64_t m = EPTE_A | EPTE_D | (1ull << 11) | (~0ull << 52);

	if (!(s->caps & NEPT_CAP_MBEC))
		m |= EPTE_XU;
	if (s->l2.paging == NEPT_L2_OFF && !pml_on(s))
		return m;
	/* Memory may hold L2's tables too: keep to the bits both ignore
	 * (facts §8.2: 11 always; 58:52 in 4/5-level entries; 8 is G or
	 * ignored), and leave D alone when it decides PML logging. */
	m = EPTE_A | (1ull << 11);
	if (!pml_on(s))
		m |= EPTE_D;
	if (s->l2.paging >= NEPT_L2_4LEVEL || s->l2.paging == NEPT_L2_OFF)
		m |= 0x7full << 52;
	return m;
}

/* Whether L1 address pa is on a page the event's instruction was fetched
 * from: its bytes there are the instruction, whatever else they are
 * (docs/sdm-rules.md §16), so no bit of them is ignored. */
static bool insn_bytes(const struct model_trace *t, uint64_t pa)
{
	return t->insn.on && ((pa & ~0xfffull) == t->insn.page[0] ||
			      (pa & ~0xfffull) == t->insn.page[1]);
}

static void run_alone(const struct nept_scenario *s,
		      const struct nept_event *ev, struct nept_outcome *o,
		      struct model_trace *t)
{
	static struct model_state st;

	model_state_init(&st, s);
	model_run_event(s, &st, ev, o, t);
}

static const char *check_metamorphic(const struct nept_scenario *s,
				     const struct nept_event *ev,
				     const struct nept_outcome *o,
				     const struct model_trace *t)
{
	static struct nept_scenario v;
	struct nept_outcome vo;
	struct nept_event vev;
	uint64_t ign = ignored_bits(s);
	/* L2's tables were walked: by the event's access, or by its
	 * instruction's whatever the source (docs/sdm-rules.md §16; the
	 * trace holds the last access's walk). */
	bool walks = nept_walks_l2(s, ev) || t->insn.on;

	if (o->undefined == NEPT_F_ALL)
		return NULL;
	/* Facts §15: whether L0 emulates at all then depends on the
	 * exception bitmap or on I/O-bitmap bytes in memory, which the
	 * variants below change. */
	if (ev->source == NEPT_SRC_EMULATED &&
	    (ev->exit_reason == NEPT_EXIT_EXCEPTION_NMI ||
	     (ev->exit_reason == NEPT_EXIT_IO_INSTRUCTION &&
	      (s->ctl.flags & NEPT_CTL_IO_BITMAPS))))
		return NULL;

	/* Flip every ignored bit of every qword (but the instruction's
	 * bytes: docs/sdm-rules.md §16). */
	v = *s;
	for (unsigned i = 0; i < v.mem.nqwords; i++)
		if (!insn_bytes(t, v.mem.qword[i].gpa))
			v.mem.qword[i].val ^= ign;
	run_alone(&v, ev, &vo, NULL);
	if (!same_observation(o, &vo))
		return "ignored-bits-change-outcome";

	/* Facts §3.2: in a not-present entry every bit but RWX (and XU
	 * with MBEC) is ignored, reserved ones included.  With L2 paging
	 * the qword must not be one of L2's entries too. */
	if (t->stop == MODEL_STOP_NOT_PRESENT && t->nread && !pml_on(s)) {
		uint64_t keep =
			EPTE_RWX | ((s->caps & NEPT_CAP_MBEC) ? EPTE_XU : 0);
		uint64_t addr = t->e[t->nread - 1].addr;
		bool guest = false;

		for (unsigned i = 0; walks && i < t->l2_nread; i++)
			guest |= (t->l2e[i].l1pa & ~7ull) == addr;
		if (!guest) {
			v = *s;
			nept_mem_write(&v.mem, addr,
				       (0x5a5a5a5a5a5a5a5aull ^ addr) & ~keep);
			run_alone(&v, ev, &vo, NULL);
			if (!same_observation(o, &vo))
				return "not-present-entry-bits-change-outcome";
		}
	}

	/* Facts §8.2: bit 11 (and 58:52 in 4/5-level paging) of a guest
	 * entry is ignored; EPT ignores them too, should the qword also be
	 * an EPT entry. */
	if (walks && t->l2_nread) {
		uint64_t gi = 1ull << 11;

		if (s->l2.paging >= NEPT_L2_4LEVEL)
			gi |= 0x7full << 52;
		v = *s;
		for (unsigned i = 0; i < t->l2_nread; i++) {
			uint64_t pa = t->l2e[i].l1pa, q;

			/* A 32-bit entry in a qword's high half: its bit 11
			 * is the qword's bit 43, an address bit should the
			 * qword also be an EPT entry (libFuzzer found such an
			 * alias); leave it out. */
			if (pa == MODEL_L2_REGISTER ||
			    ((pa & 4) && s->l2.paging == NEPT_L2_32BIT) ||
			    insn_bytes(t, pa) ||
			    !nept_mem_read(&v.mem, pa & ~7ull, &q))
				continue;
			q ^= gi;
			nept_mem_write(&v.mem, pa & ~7ull, q);
		}
		/* A qword read twice was flipped twice: no harm, the
		 * relation holds for any subset. */
		run_alone(&v, ev, &vo, NULL);
		if (!same_observation(o, &vo))
			return "guest-ignored-bits-change-outcome";
	}

	/* Facts §10.3: for a #PF only bitmap bits 14 and (for #DF) 8 are
	 * consulted; no other vector can arise from an access. */
	v = *s;
	v.ctl.exception_bitmap ^= ~((1u << VEC_PF) | (1u << VEC_DF));
	run_alone(&v, ev, &vo, NULL);
	if (!same_observation(o, &vo))
		return "other-bitmap-bits-change-outcome";

	/* The source of an event changes only from_hardware (among the
	 * sources that keep the same walk). */
	vev = *ev;
	if (s->l2.paging == NEPT_L2_OFF)
		vev.source =
			(uint8_t)((ev->source + 1) % NEPT_SRC_ACCESS_COUNT);
	else if (ev->source == NEPT_SRC_HW_MISCONFIG)
		vev.source = NEPT_SRC_EMULATED;
	else if (ev->source == NEPT_SRC_EMULATED)
		vev.source = NEPT_SRC_HW_MISCONFIG;
	vev.hw_qual = vev.exit_qual = 0;
	/* As an emulated event: after an EPT violation of L0's own tables,
	 * which is L0's (facts §15.6) and which delivery can cause. */
	vev.exit_reason =
		vev.source == NEPT_SRC_EMULATED ? NEPT_EXIT_EPT_VIOLATION : 0;
	vev.exit_vector = 0;
	vev.exit_error_code = 0;
	vev.exit_value = 0;
	run_alone(s, &vev, &vo, NULL);
	if (!same_observation(o, &vo))
		return "source-changes-outcome";
	return NULL;
}

/*
 * Facts §13: what any outcome of a VM entry looks like, and what must not
 * change it: L1's APIC mode (the SDM's MSR-load rules do not read it).
 */
static const char *check_vm_entry(const struct nept_scenario *s,
				  const struct nept_event *ev,
				  const struct nept_outcome *o,
				  const struct nept_outcome *alone)
{
	struct nept_scenario v;
	struct nept_outcome vo;

	/* It writes no L1 memory and logs nothing (the PML index it reports
	 * is the one earlier events left). */
	if (o->n_ad_writes || alone->pml_index != s->ctl.pml_index)
		return "vm-entry-writes";
	switch (o->kind) {
	case NEPT_OUT_VMFAIL:
		if (o->error_code != 7)
			return "vm-entry-vmfail-not-7";
		break;
	case NEPT_OUT_EXIT:
		if (o->reason == NEPT_EXIT_ENTRY_FAIL_GUEST
			    ? o->qual > 4 || o->qual == 1
			    : o->reason != NEPT_EXIT_ENTRY_FAIL_MSR ||
				      o->qual < 1 ||
				      o->qual > s->entry.msr_count)
			return "vm-entry-exit-not-33-or-34";
		break;
	case NEPT_OUT_NONE:
		break;
	default:
		return "vm-entry-kind";
	}
	v = *s;
	v.entry.flags ^= NEPT_ENF_X2APIC;
	run_alone(&v, ev, &vo, NULL);
	if (!same_observation(alone, &vo))
		return "vm-entry-x2apic-changes-outcome";
	return NULL;
}

const char *model_invariant_broken(const struct nept_scenario *s,
				   struct nept_result *r, unsigned *event_index)
{
	static struct model_state st;

	model_state_init(&st, s);
	r->nevents = s->nevents;
	for (unsigned i = 0; i < s->nevents; i++) {
		struct nept_outcome *o = &r->event[i], alone;
		struct model_trace t, ta;
		struct nept_event ie;
		const char *broken;

		*event_index = i;
		/* Metamorphic checks run each event on the scenario's initial
		 * state, so compare with that run; the sequence run must
		 * agree except for A/D state left by earlier events. */
		run_alone(s, &s->event[i], &alone, &ta);
		if (s->event[i].source == NEPT_SRC_VM_ENTRY) {
			model_run_event(s, &st, &s->event[i], o, &t);
			broken = check_vm_entry(s, &s->event[i], o, &alone);
			if (broken)
				return broken;
			continue;
		}
		if (model_exit_owner(s, &st.mem, &s->event[i]) ==
			    MODEL_EXIT_L1 &&
		    !model_pf_exit_on_wider_host(s, &s->event[i])) {
			/* Facts §15: L1 gets the exit itself, whatever the
			 * memory holds; the access never happens. */
			model_run_event(s, &st, &s->event[i], o, &t);
			if (o->kind != NEPT_OUT_EXIT ||
			    o->reason != s->event[i].exit_reason ||
			    o->n_ad_writes)
				return "reflected-exit-not-the-current-exit";
			continue;
		}
		model_run_event(s, &st, &s->event[i], o, &t);
		/* An instruction's outcome (docs/sdm-rules.md §16) is its last
		 * access's, an emulated one. */
		ie = model_insn_last_access(&s->event[i], &t);
		broken =
			check_outcome(s, t.insn.on ? &ie : &s->event[i], o, &t);
		ie = model_insn_last_access(&s->event[i], &ta);
		if (!broken)
			broken = check_outcome(s,
					       ta.insn.on ? &ie : &s->event[i],
					       &alone, &ta);
		if (!broken)
			broken =
				check_metamorphic(s, &s->event[i], &alone, &ta);
		/* Earlier events change only EPT A/D flags, which never
		 * fault (facts §5.3); guest A/D flags and PML entries are
		 * written into memory that may hold anything. */
		if (!broken && s->l2.paging == NEPT_L2_OFF && !pml_on(s) &&
		    !same_observation(o, &alone))
			broken = "ad-state-changes-outcome";
		if (broken)
			return broken;
	}
	return NULL;
}
