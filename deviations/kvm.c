// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM's known deviations from the SDM (docs/sdm-rules.md), one function
 * per cause, each with the trees it applies to (probes of kvm/recipe.txt),
 * the facts section KVM departs from and the reproducer that shows it.
 * The order of the table is the order the changes are made in: the
 * guest-linear bits before the guest-linear address that follows them.
 */
#include <stdio.h>

#include "deviation.h"

/* Permissions as struct model_access counts them (model.h). */
#define NEED_R 1u
#define NEED_W 2u

static bool is_exit(const struct nept_outcome *o, unsigned reason)
{
	return o->kind == NEPT_OUT_EXIT && o->reason == reason;
}

/* The fault is KVM's own, not the hardware's: its emulator or its L2
 * walker made the access that failed. */
static bool synthesized(const struct dev_event *e)
{
	/* A hw-violation's instruction that KVM emulates (§16) makes its
	 * faults in the walker too. */
	return e->ev->source != NEPT_SRC_HW_VIOLATION ||
	       (e->t && e->t->insn.on);
}

/* Sets qualification bits `bits` to `val` where the SDM defines them;
 * returns whether that changed o. */
static bool set_qual_bits(struct nept_outcome *o, uint64_t bits, uint64_t val)
{
	uint64_t q = (o->qual & ~bits) | (val & bits);

	q &= ~o->qual_undefined;
	if (q == o->qual)
		return false;
	o->qual = q;
	return true;
}

/* Bit 7 decides whether the guest-linear-address field is valid. */
static void gla_valid_from_qual(struct nept_outcome *o)
{
	if (!(o->qual_undefined & QUAL_GLA_VALID))
		o->gla_valid = !!(o->qual & QUAL_GLA_VALID);
}

/* ------------------------------------------------------------------ */

/* translate_nested_gpa (x86.c) ORs PFERR_USER_MASK into every nested GPA
 * translation ("NPT walks are always user-walks"); the 6.x EPT walker
 * treats a user access as a read: it needs R (the EPT role's
 * ACC_USER_MASK is "readable") and reports EPT_VIOLATION_ACC_READ. */
static void forced_user_access(const struct dev_event *e,
			       struct model_access *a)
{
	if (!synthesized(e) || a->kind == MODEL_ACC_L2_AD)
		return;
	a->need |= NEED_R;
	a->acc_bits |= QUAL_READ;
}

static const struct nept_deviation forced_user = {
	.name = "nested-gpa-forced-user",
	.trees = "nested_gpa_forces_user",
	.facts = "§5.2, §6.2",
	.reproducer = "crashes/kvm6x-emulated-write-reports-read.scn",
	.why = "translate_nested_gpa forces PFERR_USER_MASK, so the EPT "
	       "walker demands R of every emulated access and reports a read "
	       "(+READ; a fetch from an execute-only page faults)",
	.access = forced_user_access,
};

/* FNAME(walk_addr_generic) translates each L2 table GPA with
 * nested_access = PFERR_WRITE_MASK | PFERR_USER_MASK (have_ad is true for
 * L2's walker; the FIXME there): EPT12 must grant W, and the fault reports
 * a write of a paging-structure access, read + write. */
static void table_write_access(const struct dev_event *e,
			       struct model_access *a)
{
	(void)e;
	if (a->kind != MODEL_ACC_L2_ENTRY)
		return;
	a->need |= NEED_W;
	a->acc_bits = QUAL_READ | QUAL_WRITE;
}

static const struct nept_deviation table_write = {
	.name = "l2-table-read-as-write",
	.trees = "l2_table_access_write",
	.facts = "§5.2, §5.4, §9",
	.reproducer = "crashes/kvm-l2-walk-table-read-reported-as-write.scn",
	.why = "the L2 walker translates every table GPA with "
	       "nested_access = PFERR_WRITE_MASK | PFERR_USER_MASK: a guest "
	       "entry read needs W in EPT12 and faults as a write",
	.access = table_write_access,
};

/* ept_caps_to_lpage_level keeps only the largest page size L1's
 * EPT_VPID_CAP offers: with 1-GiB pages, 2-MiB leaves pass whatever bit
 * 16 says. */
static void lpage_caps(uint32_t *caps)
{
	if (*caps & NEPT_CAP_PAGE_1G)
		*caps |= NEPT_CAP_PAGE_2M;
}

static const struct nept_deviation lpage = {
	.name = "2m-pages-with-1g-cap",
	.trees = "lpage_level_largest",
	.facts = "§4 item 3",
	.reproducer = "crashes/kvm-2m-pages-allowed-without-cap.scn",
	.why = "ept_caps_to_lpage_level returns PG_LEVEL_1G when L1 has "
	       "1-GiB pages, so 2-MiB leaves are accepted without cap bit 16",
	.caps = lpage_caps,
};

/* FNAME(update_accessed_dirty_bits) for PTTYPE_EPT sets the flags from
 * the root down, each entry as the walk read it with A (and D on the leaf,
 * whose dirty GPA write_log_dirty logs in PML first), by __try_cmpxchg_user
 * against that value; a mismatch sends FNAME(walk_addr_generic) back to
 * retry_walk.  Where an EPT12 table maps itself, an upper entry's flag
 * write changes an entry below it, and the next cmpxchg fails: KVM walks
 * again (logging the GPA again if the leaf was reached); a log entry
 * written over the leaf does the same.  And its walks read memory afresh:
 * no translation is cached from before the event's own writes. */
static const struct nept_deviation ept_ad_cmpxchg = {
	.name = "ept-ad-cmpxchg-rewalk",
	.trees = "pml_log_in_ad_update ad_cmpxchg_retry",
	.facts = "§5.3, §5.7, §7.2",
	.reproducer = "crashes/kvm-pml-double-log-on-aliased-entry.scn",
	.why = "update_accessed_dirty_bits sets EPT12 flags by cmpxchg "
	       "against the entries as read, logging the leaf's GPA before "
	       "its cmpxchg; an entry its own earlier write (or the log) "
	       "changed makes the walk start over, and may log again",
	.ept_ad_cmpxchg = true,
};

/* FNAME(walk_addr_generic) reads every guest entry and translates the
 * final GPA first; FNAME(update_accessed_dirty_bits) then sets the flags
 * top-down by __try_cmpxchg_user at the host address each read used,
 * against the value read, and on a mismatch the walk goes back to
 * retry_walk.  A flag write that changes an entry read later in the same
 * walk (a guest table that maps itself, or aliases EPT12) makes KVM walk
 * again, from memory with the flags set. */
static const struct nept_deviation l2_ad_cmpxchg = {
	.name = "l2-ad-cmpxchg-rewalk",
	.trees = "ad_cmpxchg_retry",
	.facts = "§8.3 step 6, §5.4",
	.reproducer = "crashes/kvm-l2-walk-own-flag-writes-restart.scn",
	.why = "update_accessed_dirty_bits sets guest A/D flags after the "
	       "final GPA's translation, by cmpxchg against the entries as "
	       "read and without translating them again; an entry its own "
	       "earlier write changed makes the walk start over",
	.l2_ad_cmpxchg = true,
};

/* 6.1: the EPT violation's qualification lives in
 * vcpu->arch.exit_qualification.  handle_ept_violation stores the
 * hardware's; the EPT walker's error path keeps its bits 7-8 and ORs the
 * access and the path's permissions; nested_ept_inject_page_fault injects
 * it for an EPT violation and for a misconfiguration alike, and its bit 12
 * for a PML-full exit. */
static uint64_t arch_qual_at_walk(const struct dev_event *e)
{
	return e->ev->source == NEPT_SRC_HW_VIOLATION ? e->exit_qual
						      : e->h->arch_qual;
}

static bool arch_qual_outcome(const struct dev_event *e, struct nept_outcome *o)
{
	uint64_t q = arch_qual_at_walk(e);
	bool changed;

	if (is_exit(o, NEPT_EXIT_EPT_VIOLATION)) {
		changed = set_qual_bits(o, QUAL_GLA_VALID | QUAL_GLA_FINAL, q);
		gla_valid_from_qual(o);
		return changed;
	}
	if (is_exit(o, NEPT_EXIT_EPT_MISCONFIG))
		return set_qual_bits(o, ~0ull, q);
	if (is_exit(o, NEPT_EXIT_PML_FULL))
		/* The walker's error path ran first: bit 12 is gone; not for
		 * a misconfiguration (RSVD), where only a stale nested
		 * pml_full makes the exit (pf-fixup-leaves-pml-full). */
		return set_qual_bits(o, QUAL_NMI_UNBLOCK,
				     e->t->stop == MODEL_STOP_MISCONFIG ? q
									: 0);
	return false;
}

static bool pf_fixup_walks(const struct dev_event *e);

static void arch_qual_history(const struct dev_event *e,
			      const struct nept_outcome *o,
			      struct kvm_history *next)
{
	const struct model_trace *t = e->t;
	uint64_t q = arch_qual_at_walk(e);

	if (is_exit(o, NEPT_EXIT_EPT_VIOLATION))
		q = o->qual;
	else if (is_exit(o, NEPT_EXIT_PML_FULL) && (!t->nread || !t->pml_full))
		/* KVM's walker wrote it, on a walk the prediction has
		 * not made; or a stale nested pml_full made the exit
		 * (pf-fixup-leaves-pml-full) from whatever fault KVM's
		 * walk met, a violation (which rewrites it) or a
		 * misconfiguration (which does not), and the exit does not
		 * say which (fuzz_diff found KVM meeting a violation where
		 * the prediction's walk met a misconfiguration). */
		next->lost = true;
	else if (is_exit(o, NEPT_EXIT_PML_FULL) ||
		 (pf_fixup_walks(e) &&
		  (o->kind == NEPT_OUT_EXCEPTION ||
		   is_exit(o, NEPT_EXIT_EXCEPTION_NMI) ||
		   is_exit(o, NEPT_EXIT_TRIPLE_FAULT)) &&
		  (t->stop == MODEL_STOP_NOT_PRESENT ||
		   t->stop == MODEL_STOP_PERMISSION ||
		   t->stop == MODEL_STOP_UNBACKED || t->pml_full)))
		/* The walker's error path, for a violation; also when L0's
		 * #PF fix-up injected what its re-walk met (facts §14,
		 * pf-fixup-injects-ept-fault), to L2 or, by L1's exception
		 * bitmap, as a #PF exit, a full PML log included (its
		 * update_accessed_dirty_bits fails into the same path); and
		 * when that #PF, met while delivering a #DF, made a triple
		 * fault (facts §10.2; fuzz_diff found 6.1's next
		 * misconfiguration carrying the walk's qualification:
		 * crashes/harness-pf-fixup-triple-fault-rewrites-arch-qual.scn).
		 * An EPT12 table with no memory behind it takes the same
		 * path: FNAME(walk_addr_generic) goes to its error label when
		 * kvm_vcpu_gfn_to_hva_prot fails, with the access and the
		 * path's rights so far (AFL++ found it:
		 * crashes/harness-pf-fixup-unbacked-table-rewrites-arch-qual.scn). */
		q = (q & (QUAL_GLA_VALID | QUAL_GLA_FINAL)) | t->acc_bits |
		    (uint64_t)(t->have & 7) << 3;
	next->arch_qual = q;
}

static const struct nept_deviation arch_qual = {
	.name = "qualification-in-vcpu-arch",
	.trees = "!qual_in_exception",
	.facts = "§4, §6 bits 7-8 and 12, §7.3, §9",
	.reproducer = "crashes/kvm61-misconfig-stale-qualification.scn",
	.why = "vcpu->arch.exit_qualification outlives the exit that wrote "
	       "it: a synthesized violation keeps its stale bits 7-8, a "
	       "misconfiguration injects it whole (fixed upstream, kvm-x86 "
	       "0c4765140351)",
	.outcome = arch_qual_outcome,
	.history = arch_qual_history,
};

/* 6.12.107: nested_ept_inject_page_fault ORs bits 7-8 of vmcs02's
 * qualification, the current exit's whatever it was, into a synthesized
 * violation (the walker leaves them 0). */
static bool exit_gva_outcome(const struct dev_event *e, struct nept_outcome *o)
{
	bool changed;

	if (!is_exit(o, NEPT_EXIT_EPT_VIOLATION) || !synthesized(e))
		return false;
	changed =
		set_qual_bits(o, QUAL_GLA_VALID | QUAL_GLA_FINAL, e->exit_qual);
	gla_valid_from_qual(o);
	return changed;
}

static const struct nept_deviation exit_gva = {
	.name = "gva-bits-from-current-exit",
	.trees = "gva_bits_from_exit",
	.facts = "§6 bits 7-8, §9",
	.reproducer = "crashes/kvm6x-emulated-gva-bits-from-other-exit.scn",
	.why = "a synthesized EPT violation takes bits 7-8 from vmcs02's "
	       "qualification, which belongs to the current, other exit "
	       "(fixed by from_hardware)",
	.outcome = exit_gva_outcome,
};

/* Bits 9-11 of a synthesized violation: the EPT walker never computes
 * them, and nested_ept_inject_page_fault takes them from the walker's
 * fault unless the fault came from hardware. */
static bool adv_info_outcome(const struct dev_event *e, struct nept_outcome *o)
{
	if (!is_exit(o, NEPT_EXIT_EPT_VIOLATION) || !synthesized(e))
		return false;
	return set_qual_bits(o, QUAL_LIN_USER | QUAL_LIN_RW | QUAL_LIN_XD, 0);
}

static const struct nept_deviation adv_info = {
	.name = "adv-info-not-synthesized",
	.trees = "adv_info_cap",
	.facts = "§6 bits 9-11, §6.4",
	.reproducer = "crashes/kvm-emulated-adv-info-bits-missing.scn",
	.why = "L1 has cap bit 22, but a synthesized EPT violation's bits "
	       "9-11 come from the walker, which never sets them",
	.outcome = adv_info_outcome,
};

/* Bit 12 of an EPT violation never reaches L1: handle_ept_violation
 * re-blocks NMIs in vmcs02 instead, nested_ept_inject_page_fault copies
 * only bits 7-11 from hardware, and a synthesized violation has none. */
static bool nmi_bit_outcome(const struct dev_event *e, struct nept_outcome *o)
{
	(void)e;
	if (!is_exit(o, NEPT_EXIT_EPT_VIOLATION))
		return false;
	return set_qual_bits(o, QUAL_NMI_UNBLOCK, 0);
}

static const struct nept_deviation nmi_bit = {
	.name = "nmi-unblocking-not-injected",
	.trees = "",
	.facts = "§6.3",
	.reproducer = "crashes/kvm-hw-violation-nmi-unblocking-dropped.scn",
	.why = "an EPT violation KVM injects never carries bit 12: "
	       "handle_ept_violation re-blocks NMIs instead",
	.outcome = nmi_bit_outcome,
};

/* Whether L0's #PF fix-up can run in s at all (facts §14): a host wider
 * than L1, with allow_smaller_maxphyaddr. */
static bool pf_fixup_possible(const struct nept_scenario *s)
{
	return (s->l0_flags & NEPT_L0F_ALLOW_SMALLER) &&
	       nept_host_maxphyaddr(s) > s->l1_maxphyaddr;
}

/*
 * After pf-fixup-injects-ept-fault injected a full PML log as a #PF,
 * vmx->nested.pml_full stays set (kvm_history.pml_full_left): the next
 * PML log attempt WARNs in nested_vmx_write_pml_buffer and is refused (the
 * log is still full: no exit told L1), and the next EPT12 fault that
 * nested_ept_inject_page_fault injects becomes a PML-full exit, its
 * qualification bit 12 the current exit's, whatever the fault was; that
 * clears the flag.  A fault the fix-up injects again keeps it.
 */
static bool stale_pml_full_outcome(const struct dev_event *e,
				   struct nept_outcome *o)
{
	bool changed = false;

	if (!e->h->pml_full_left || e->ev->source == NEPT_SRC_VM_ENTRY)
		return false;
	if (e->t->pml_full && !o->warns) {
		o->warns = 1;
		snprintf(o->note, sizeof(o->note),
			 "WARN in nested_vmx_write_pml_buffer at vmx/nested.c");
		changed = true;
	}
	if ((is_exit(o, NEPT_EXIT_EPT_VIOLATION) ||
	     is_exit(o, NEPT_EXIT_EPT_MISCONFIG)) &&
	    !pf_fixup_walks(e)) {
		/* As the model's pml_full_exit: only bit 12 is KVM's to
		 * decide (pml-full-bit12-from-current-exit), the address
		 * fields are not the SDM's. */
		o->reason = NEPT_EXIT_PML_FULL;
		o->qual_undefined = ~QUAL_NMI_UNBLOCK;
		o->qual &= QUAL_NMI_UNBLOCK;
		o->undefined |= NEPT_F_GPA | NEPT_F_GLA | NEPT_F_GLA_VALID;
		changed = true;
	}
	return changed;
}

static void stale_pml_full_history(const struct dev_event *e,
				   const struct nept_outcome *o,
				   struct kvm_history *next)
{
	/* A VM entry runs on L1 set up afresh (kvm/README.md); a PML-full
	 * exit that nested_ept_inject_page_fault made clears the flag. */
	if (e->ev->source == NEPT_SRC_VM_ENTRY ||
	    (is_exit(o, NEPT_EXIT_PML_FULL) && !pf_fixup_walks(e)))
		next->pml_full_left = false;
}

static const struct nept_deviation stale_pml_full = {
	.name = "pf-fixup-leaves-pml-full",
	.trees = "",
	.facts = "§7.2, §14",
	.reproducer = "crashes/kvm-pf-fixup-stale-pml-full-violation.scn",
	.why = "vmx->nested.pml_full, set when L0's #PF fix-up's re-walk met "
	       "a full PML log, is cleared only by "
	       "nested_ept_inject_page_fault, "
	       "which that fault never reaches: the next log attempt WARNs and "
	       "the next EPT violation or misconfiguration L1 gets becomes a "
	       "PML-full exit",
	.outcome = stale_pml_full_outcome,
	.history = stale_pml_full_history,
	.history_applies = pf_fixup_possible,
};

/* A PML-full exit's bit 12 is vmx_get_exit_qual()'s: the current exit's
 * qualification, which for an emulated access is another exit's. */
static bool pml_bit_outcome(const struct dev_event *e, struct nept_outcome *o)
{
	if (!is_exit(o, NEPT_EXIT_PML_FULL))
		return false;
	return set_qual_bits(o, QUAL_NMI_UNBLOCK, e->exit_qual);
}

static const struct nept_deviation pml_bit = {
	.name = "pml-full-bit12-from-current-exit",
	.trees = "pml_bit12_from_exit",
	.facts = "§6.3, §7.2",
	.reproducer = "crashes/kvm-pml-full-nmi-bit-from-other-exit.scn",
	.why = "nested_ept_inject_page_fault takes a PML-full exit's bit 12 "
	       "from vmx_get_exit_qual(), the current exit's qualification",
	.outcome = pml_bit_outcome,
};

/* The WARN_ON_ONCE in nested_ept_inject_page_fault: a PML-full exit whose
 * current exit is not an EPT violation. */
static bool pml_warn_outcome(const struct dev_event *e, struct nept_outcome *o)
{
	/* L0's #PF fix-up injects its re-walk's faults without it
	 * (pf-fixup-injects-ept-fault). */
	if (!is_exit(o, NEPT_EXIT_PML_FULL) ||
	    e->exit_reason == NEPT_EXIT_EPT_VIOLATION || o->warns ||
	    pf_fixup_walks(e))
		return false;
	o->warns = 1;
	snprintf(o->note, sizeof(o->note),
		 "WARN in nested_ept_inject_page_fault at vmx/nested.c");
	return true;
}

static const struct nept_deviation pml_warn = {
	.name = "pml-full-warn",
	.trees = "pml_full_warn",
	.facts = "§7.2",
	.reproducer = "crashes/kvm-pml-full-from-emulated-write-warns.scn",
	.why = "nested_ept_inject_page_fault WARNs when a PML-full exit comes "
	       "from an exit other than an EPT violation, which an emulated "
	       "write or the MMIO path reaches",
	.outcome = pml_warn_outcome,
};

/* The L2 walker translates gfn_to_gpa(table_gfn) and gfn_to_gpa(gfn):
 * the fault it hands nested_ept_inject_page_fault, and vmcs12's
 * guest-physical address, is page-aligned. */
static bool gfn_gpa_outcome(const struct dev_event *e, struct nept_outcome *o)
{
	uint8_t stop = e->t->l2_stop;

	if (!(is_exit(o, NEPT_EXIT_EPT_VIOLATION) ||
	      is_exit(o, NEPT_EXIT_EPT_MISCONFIG)) ||
	    (stop != MODEL_L2_EPT_ENTRY && stop != MODEL_L2_EPT_FINAL) ||
	    (o->undefined & NEPT_F_GPA) || !(o->gpa & 0xfff))
		return false;
	o->gpa &= ~0xfffull;
	return true;
}

static const struct nept_deviation gfn_gpa = {
	.name = "l2-walk-gpa-page-aligned",
	.trees = "l2_translates_gfn",
	.facts = "§7.1, §9",
	.reproducer = "crashes/kvm-l2-walk-gpa-page-aligned.scn",
	.why = "the L2 walker translates gfn_to_gpa(table_gfn) and "
	       "gfn_to_gpa(gfn), so an EPT12 fault on its accesses carries a "
	       "page-aligned guest-physical address",
	.outcome = gfn_gpa_outcome,
};

/* vmcs12's guest-linear address is vmcs02's (prepare_vmcs12): the address
 * the last hardware exit that saves one wrote, not the synthesized
 * violation's. */
static bool stale_gla_outcome(const struct dev_event *e, struct nept_outcome *o)
{
	if (!is_exit(o, NEPT_EXIT_EPT_VIOLATION) || !o->gla_valid ||
	    (o->undefined & NEPT_F_GLA) || o->gla == e->h->vmcs02_gla)
		return false;
	o->gla = e->h->vmcs02_gla;
	return true;
}

static const struct nept_deviation stale_gla = {
	.name = "gla-from-vmcs02",
	.trees = "",
	.facts = "§7.1",
	.reproducer = "crashes/kvm-emulated-stale-guest-linear-address.scn",
	.why = "a synthesized EPT violation sets GVA_IS_VALID but vmcs12's "
	       "guest-linear address is copied from vmcs02, where the last "
	       "exit that saved one left it",
	.outcome = stale_gla_outcome,
};

static bool ve_benign(const struct dev_event *e);

/* The access a #PF belongs to: the event's, or for a hw-violation whose
 * instruction KVM emulates, that instruction's last (§16). */
static struct nept_event faulting_access(const struct dev_event *e)
{
	return e->t && e->t->insn.on ? model_insn_last_access(e->ev, e->t)
				     : *e->ev;
}

/* o becomes the #PF with error code pfec (CR2 ev.gla), routed as KVM
 * routes it: where exception_class() has no #VE (ve-not-page-fault-class),
 * a #PF during a #VE delivery is not a second page-fault-class exception. */
static void kvm_page_fault(const struct dev_event *e, struct nept_event ev,
			   uint32_t pfec, struct nept_outcome *o)
{
	if (ev.during == 1 + 20 && ve_benign(e))
		ev.during = 0;
	model_page_fault(e->s, &ev, pfec, o);
}

/* Whether KVM's #PF fix-up (kvm_fixup_and_inject_pf_error, facts §14)
 * re-walks L2's tables for this event: a #PF exit L0 keeps on a host
 * wider than L1 with allow_smaller_maxphyaddr, whose error code has P. */
static bool pf_fixup_walks(const struct dev_event *e)
{
	const struct nept_scenario *s = e->s;
	const struct nept_event *ev = e->ev;

	return model_pf_exit_on_wider_host(s, ev) &&
	       (s->l0_flags & NEPT_L0F_ALLOW_SMALLER) &&
	       (ev->exit_error_code & PFEC_P);
}

/*
 * kvm_fixup_and_inject_pf_error (facts §14: L0's #PF fix-up on a host
 * wider than L1, with allow_smaller_maxphyaddr) re-walks L2's tables
 * through walk_mmu when the processor's error code has P, and injects
 * whatever fault the walk returns with kvm_inject_page_fault (7.2:
 * walk_mmu's inject_page_fault, the same function): an EPT12 fault of that
 * walk (nested_page_fault) becomes a #PF for L2, its address the page of
 * the GPA that failed (gfn_to_gpa) and its error code the EPT walker's,
 * where kvm_inject_emulated_page_fault would have given L1 the EPT exit.
 * The walker's error code: P for a present entry that denies the access,
 * RSVD | P for a misconfiguration, nothing for a not-present entry or a
 * full PML log (the dirty flag's log entry failed); then
 * W for a guest-table read (the walk asks EPT12 to write, to set A/D
 * flags) or a write, and U: always before 7.2 (translate_nested_gpa: "NPT
 * walks are always user-walks"), from 7.2 only for the final GPA of a
 * user page (vmx_translate_nested_gpa, for MBEC).  A fetch's final GPA
 * (the walker's I/D rule for the EPT MMU) is not predicted.
 */
static bool pf_fixup_ept_fault(const struct dev_event *e,
			       struct nept_outcome *o, bool u_always)
{
	const struct model_trace *t = e->t;
	struct nept_event ev = *e->ev;
	bool table = t->acc_kind != MODEL_ACC_L2_FINAL;
	uint32_t pfec = 0, warns;
	char note[sizeof(o->note)];

	if (!pf_fixup_walks(e) ||
	    !(is_exit(o, NEPT_EXIT_EPT_VIOLATION) ||
	      is_exit(o, NEPT_EXIT_EPT_MISCONFIG) ||
	      is_exit(o, NEPT_EXIT_PML_FULL)) ||
	    (!table && t->l2_access == NEPT_ACC_FETCH) ||
	    t->acc_kind == MODEL_ACC_L2_AD)
		return false;
	if (t->stop == MODEL_STOP_MISCONFIG)
		pfec = PFEC_RSVD | PFEC_P;
	else if (t->stop == MODEL_STOP_PERMISSION)
		pfec = PFEC_P;
	if (table || t->l2_access == NEPT_ACC_WRITE)
		pfec |= PFEC_W;
	if (u_always || (!table && (t->acc_flags & NEPT_AF_USER)))
		pfec |= PFEC_U;
	ev.gla = t->gpa & ~0xfffull;
	/* A WARN its re-walk fired (pf-fixup-leaves-pml-full) stays. */
	warns = o->warns;
	memcpy(note, o->note, sizeof(note));
	kvm_page_fault(e, ev, pfec, o);
	if (warns) {
		o->warns = warns;
		memcpy(o->note, note, sizeof(note));
	}
	return true;
}

static bool pf_fixup_ept_fault_user(const struct dev_event *e,
				    struct nept_outcome *o)
{
	return pf_fixup_ept_fault(e, o, true);
}

static bool pf_fixup_ept_fault_mbec(const struct dev_event *e,
				    struct nept_outcome *o)
{
	return pf_fixup_ept_fault(e, o, false);
}

/* kvm_fixup_and_inject_pf_error walks with access = the error code's W,
 * I/D and U (no PFERR_IMPLICIT_ACCESS), so an implicit supervisor access
 * becomes an explicit one, which RFLAGS.AC exempts from SMAP; where that
 * walk translates, it keeps the processor's error code. */
static bool fixup_walks_error_code_access(bool walks,
					  const struct nept_scenario *s,
					  uint32_t hw)
{
	(void)walks;
	return (s->l0_flags & NEPT_L0F_ALLOW_SMALLER) && (hw & PFEC_P);
}

static const struct nept_deviation pf_fixup_access = {
	.name = "pf-fixup-walks-explicit",
	.trees = "",
	.facts = "§8.1, §14",
	.reproducer = "crashes/kvm-pf-fixup-implicit-walked-as-explicit.scn",
	.why = "kvm_fixup_and_inject_pf_error walks L2's tables again with "
	       "the error code's W, I/D and U only: an implicit supervisor "
	       "access is walked as an explicit one, which RFLAGS.AC exempts "
	       "from SMAP, and the walk goes past the processor's fault",
	.pf_fixup_walk = fixup_walks_error_code_access,
};

/* The fix-up's re-walk met a full PML log: nested_vmx_write_pml_buffer set
 * vmx->nested.pml_full, and the fault went to L2 (or to L1 as a #PF exit)
 * through walk_mmu's inject_page_fault, which leaves it set. */
static void pf_fixup_pml_history(const struct dev_event *e,
				 const struct nept_outcome *o,
				 struct kvm_history *next)
{
	if (pf_fixup_walks(e) && e->t->pml_full &&
	    !is_exit(o, NEPT_EXIT_PML_FULL))
		next->pml_full_left = true;
}

static const struct nept_deviation pf_fixup_ept = {
	.name = "pf-fixup-injects-ept-fault",
	.trees = "!vmx_translate_nested_gpa",
	.facts = "§9, §14",
	.reproducer = "crashes/kvm-smaller-maxphyaddr-pf-fixup-ept-fault.scn",
	.why = "kvm_fixup_and_inject_pf_error injects an EPT12 fault of its "
	       "re-walk of L2's tables into L2 as a #PF (CR2 the GPA's page, "
	       "the EPT walker's error code) instead of giving L1 the EPT "
	       "exit",
	.outcome = pf_fixup_ept_fault_user,
	.history = pf_fixup_pml_history,
	.history_applies = pf_fixup_possible,
};

static const struct nept_deviation pf_fixup_ept_mbec = {
	.name = "pf-fixup-injects-ept-fault-mbec",
	.trees = "vmx_translate_nested_gpa",
	.facts = "§9, §14",
	.reproducer = "crashes/kvm-smaller-maxphyaddr-pf-fixup-ept-fault.scn",
	.why = "as pf-fixup-injects-ept-fault, with the error code's U bit "
	       "only for the final GPA of a user page "
	       "(vmx_translate_nested_gpa)",
	.outcome = pf_fixup_ept_fault_mbec,
	.history = pf_fixup_pml_history,
	.history_applies = pf_fixup_possible,
};

/* exception_class() has no case for #VE: a #PF while delivering it is
 * "serial" (benign), not a double fault. */
static bool ve_class_outcome(const struct dev_event *e, struct nept_outcome *o)
{
	struct nept_event ev = faulting_access(e);

	if (ev.during != 1 + 20 || o->vector != 8 ||
	    !(o->kind == NEPT_OUT_EXCEPTION ||
	      is_exit(o, NEPT_EXIT_EXCEPTION_NMI)))
		return false;
	ev.during = 0;
	model_page_fault(e->s, &ev, e->t->pfec, o);
	return true;
}

static const struct nept_deviation ve_class = {
	.name = "ve-not-page-fault-class",
	.trees = "!exception_class_ve",
	.facts = "§10.1, §10.2",
	.reproducer = "crashes/kvm6x-ve-then-pf-no-double-fault.scn",
	.why = "exception_class() omits vector 20, so a #PF while #VE is "
	       "delivered is serial, not #DF",
	.outcome = ve_class_outcome,
};

/* The walker sets the #PF error code's I/D bit for a fetch when EFER.NX
 * or CR4.SMEP is set (has_pferr_fetch), without looking at CR4.PAE:
 * 32-bit paging with EFER.NX gets it, and the #PF's exit-or-deliver
 * decision follows the new error code. */
/* Whether ve-not-page-fault-class applies to this event's tree (and is
 * not switched off by `neptfuzz deviations --check`). */
static bool ve_benign(const struct dev_event *e)
{
	for (unsigned d = 0; d < nept_ndeviations; d++)
		if (nept_deviations[d] == &ve_class)
			return (nept_deviations_of(e->impl) >> d) & 1;
	return false;
}

static bool pferr_id_outcome(const struct dev_event *e, struct nept_outcome *o)
{
	const struct nept_scenario *s = e->s;
	uint8_t stop = e->t->l2_stop;

	/* The access the walk made: L0's #PF fix-up walks the one the
	 * processor's error code names, not a fetch without I/D. */
	if (e->t->l2_access != NEPT_ACC_FETCH ||
	    s->l2.paging != NEPT_L2_32BIT || !(s->l2.flags & NEPT_L2F_NXE) ||
	    (s->l2.flags & NEPT_L2F_SMEP) || stop < MODEL_L2_NOT_PRESENT ||
	    stop > MODEL_L2_RIGHTS)
		return false;
	kvm_page_fault(e, faulting_access(e), e->t->pfec | PFEC_ID, o);
	return true;
}

static const struct nept_deviation pferr_id = {
	.name = "pf-fetch-bit-without-pae",
	.trees = "pferr_fetch_nx_walker|pferr_fetch_nx_role",
	.facts = "§8.1 bit 4",
	.reproducer = "crashes/kvm-l2-32bit-paging-fetch-reports-id.scn",
	.why = "has_pferr_fetch is EFER.NX or CR4.SMEP, so a fetch #PF under "
	       "32-bit paging with EFER.NX reports I/D",
	.outcome = pferr_id_outcome,
};

/* __reset_rsvds_bits_mask: with PSE-36 in the guest's CPUID a 4-MiB
 * PDE reserves bits 21:17 ("36bits PSE 4MB page"), and pse36_gfn_delta
 * maps bits 16:13 to physical bits 35:32, whatever MAXPHYADDR is; the
 * SDM reserves 21:(M'-19) and maps (M'-20):13 (M' = min(MAXPHYADDR,
 * 40)). */
static unsigned pse36_fixed_low(unsigned sdm_low)
{
	(void)sdm_low;
	return 17;
}

static const struct nept_deviation pse36 = {
	.name = "pse36-reserved-bits-fixed",
	.trees = "pse36_rsvd_17_21",
	.facts = "§8.2",
	.reproducer = "crashes/kvm-l2-pse36-address-bits-reserved.scn",
	.why = "a PSE-36 4-MiB PDE reserves bits 21:17 and maps 16:13 "
	       "whatever MAXPHYADDR is: with MAXPHYADDR > 36 address bits "
	       "20:17 give a reserved-bit #PF",
	.pse36_low = pse36_fixed_low,
};

/* load_pdptrs (x86.c; regs.c from 6.12.117) finds the PDPT at gfn
 * cr3 >> PAGE_SHIFT and offset cr3 & GENMASK(11, 5): all of CR3 but bits
 * 4:0, where PAE paging uses bits 31:5 (SDM table 4-7).  A nested VM entry
 * without EPT passes it vmcs12's CR3, whose bits 63:32 L1 may set. */
static uint64_t pdpt_full_cr3_base(uint64_t sdm_base, uint64_t cr3)
{
	(void)sdm_base;
	return cr3 & ~0x1full;
}

static const struct nept_deviation pdpt_full_cr3 = {
	.name = "vmentry-pdpt-from-full-cr3",
	.trees = "pdpt_from_full_cr3",
	.facts = "§13.2",
	.reproducer = "crashes/kvm-vmentry-pae-pdpt-at-full-cr3.scn",
	.why = "load_pdptrs reads a PAE guest's PDPTEs at CR3 with its bits "
	       "63:32, not at CR3 bits 31:5: a VM entry without EPT whose "
	       "CR3 has high bits checks (and loads) another table",
	.pdpt_base = pdpt_full_cr3_base,
};

/* nested_vmx_check_guest_state leaves some guest-state checks to the
 * processor ("misconfigurations which will anyway be caught by the
 * processor when using the merged vmcs02", nested_vmx_run): CR4.PCIDE
 * without IA-32e mode, and with EPT the guest-PDPTE fields.  The processor
 * checks vmcs02 only when KVM enters it, after nested_vmx_load_msr: an
 * entry that also has a failing MSR-load entry exits with 34. */
static const struct nept_deviation entry_late = {
	.name = "vmentry-hw-checks-after-msr-load",
	.trees = "!guest_state_checks_pcide",
	.facts = "§13.1",
	.reproducer = "crashes/kvm-vmentry-msr-load-before-hw-checks.scn",
	.why = "the guest-state checks KVM leaves to the processor (CR4.PCIDE "
	       "without IA-32e, the PDPTE fields with EPT) come after its "
	       "MSR loading: a failing MSR-load entry gives exit 34 instead "
	       "of exit 33",
	.entry_late = MODEL_ENTRY_LATE_PCIDE | MODEL_ENTRY_LATE_PDPTE_FIELDS,
};

/* nested_vmx_check_guest_state clears DEBUGCTL.FREEZE_IN_SMM (bit 14)
 * before checking vmcs12's guest DEBUGCTL when the VM has
 * KVM_X86_QUIRK_VMCS12_ALLOW_FREEZE_IN_SMM, on by default ("allow L1 to
 * set it in vmcs12's DEBUGCTL under a quirk for backwards
 * compatibility"): a bit the CPU of docs/sdm-rules.md §13 lacks passes. */
static uint64_t freeze_in_smm_valid(uint64_t sdm_valid)
{
	return sdm_valid | 1ull << 14;
}

static const struct nept_deviation debugctl_freeze = {
	.name = "vmentry-debugctl-freeze-in-smm",
	.trees = "debugctl_freeze_quirk",
	.facts = "§13.2",
	.reproducer = "crashes/kvm-vmentry-debugctl-freeze-in-smm.scn",
	.why = "KVM_X86_QUIRK_VMCS12_ALLOW_FREEZE_IN_SMM (default on) lets "
	       "vmcs12's guest DEBUGCTL have bit 14, which the vCPU does not "
	       "implement",
	.entry_debugctl = freeze_in_smm_valid,
};

/* __kvm_set_msr: "Making the address canonical ensures that vmentry does
 * not fail on Intel after writing a non-canonical value" — so the write
 * never fails, where Intel's WRMSR raises #GP (facts §13.3). */
static bool sysenter_canonicalized_wrmsr(bool sdm_faults,
					 const struct model_wrmsr *w)
{
	if (w->index == NEPT_MSR_SYSENTER_ESP ||
	    w->index == NEPT_MSR_SYSENTER_EIP)
		return false;
	return sdm_faults;
}

/* ... and keeps the address made canonical at the CPU's width
 * (max_host_virt_addr_bits: 57 here). */
static uint64_t sysenter_canonical_value(uint64_t sdm_value,
					 const struct model_wrmsr *w)
{
	if (w->index != NEPT_MSR_SYSENTER_ESP &&
	    w->index != NEPT_MSR_SYSENTER_EIP)
		return sdm_value;
	return nept_canonical_at(w->value, 57);
}

static const struct nept_deviation sysenter_canonicalized = {
	.name = "vmentry-sysenter-canonicalized",
	.trees = "sysenter_canonicalized",
	.facts = "§13.3",
	.reproducer = "crashes/kvm-vmentry-sysenter-noncanonical-loads.scn",
	.why = "__kvm_set_msr makes a non-canonical IA32_SYSENTER_ESP/EIP "
	       "canonical instead of failing the write, so the MSR-load "
	       "entry loads where WRMSR would raise #GP",
	.entry_wrmsr = sysenter_canonicalized_wrmsr,
	.entry_msr_value = sysenter_canonical_value,
};

/* vmx_set_msr writes IA32_FMASK through the user-return MSRs: to the
 * hardware (whose WRMSR faults on bits 63:32) only when
 * vmx_setup_uret_msrs chose to load the SYSCALL MSRs, for a guest in
 * IA-32e mode with EFER.SCE; otherwise it keeps the value, unchecked. */
static bool fmask_lazy_wrmsr(bool sdm_faults, const struct model_wrmsr *w)
{
	if (w->index == NEPT_MSR_FMASK)
		return sdm_faults && (w->efer & NEPT_EFER_LMA) &&
		       (w->efer & NEPT_EFER_SCE);
	return sdm_faults;
}

static const struct nept_deviation fmask_lazy = {
	.name = "vmentry-fmask-unchecked-unless-loaded",
	.trees = "syscall_msrs_lazy",
	.facts = "§13.3",
	.reproducer = "crashes/kvm-vmentry-fmask-upper-bits-load.scn",
	.why = "IA32_FMASK's bits 63:32 fail the write only when KVM passes "
	       "it to the hardware, which it does for a guest in IA-32e mode "
	       "with EFER.SCE; otherwise the MSR-load entry loads",
	.entry_wrmsr = fmask_lazy_wrmsr,
};

/* Before is_noncanonical_msr_address (6.1), __kvm_set_msr checks the
 * addresses of LSTAR, CSTAR and KERNEL_GS_BASE against the guest's
 * CR4.LA57 (vcpu_virt_addr_bits) rather than the CPU's linear-address
 * width; during a VM entry that is L2's CR4. */
static bool guest_la57_wrmsr(bool sdm_faults, const struct model_wrmsr *w)
{
	unsigned bits = w->cr4 & (1ull << 12) ? 57 : 48;

	if (w->index == NEPT_MSR_LSTAR || w->index == NEPT_MSR_CSTAR ||
	    w->index == NEPT_MSR_KERNEL_GS_BASE)
		return nept_canonical_at(w->value, bits) != w->value;
	return sdm_faults;
}

/* 6.1 makes SYSENTER_ESP/EIP canonical (vmentry-sysenter-canonicalized)
 * at the guest's width too: with L2's CR4.LA57 0, from bit 47. */
static uint64_t guest_la57_msr_value(uint64_t value,
				     const struct model_wrmsr *w)
{
	if ((w->index != NEPT_MSR_SYSENTER_ESP &&
	     w->index != NEPT_MSR_SYSENTER_EIP) ||
	    (w->cr4 & (1ull << 12)))
		return value;
	return nept_canonical_at(value, 48);
}

static const struct nept_deviation guest_la57 = {
	.name = "vmentry-msr-canonical-by-guest-la57",
	.trees = "!msr_canonical_by_cpu",
	.facts = "§13.3",
	.reproducer = "crashes/kvm61-vmentry-lstar-canonical-by-guest-cr4.scn",
	.why = "__kvm_set_msr checks LSTAR, CSTAR and KERNEL_GS_BASE for "
	       "canonical form with the guest's CR4.LA57, not the CPU's "
	       "57-bit width: an address canonical with LA57 fails while "
	       "L2's CR4.LA57 is 0",
	.entry_wrmsr = guest_la57_wrmsr,
	.entry_msr_value = guest_la57_msr_value,
};

/* KVM gives L2 L1's width only with allow_smaller_maxphyaddr: then
 * handle_ept_violation checks the faulting GPA against it (and calls the
 * emulator, whose walk raises the #PF), and vmx_need_pf_intercept makes
 * every #PF of L2 L0's, re-walked at L1's width.  Without it the GPA goes
 * to the EPT12 walk like any other and a #PF exit goes to L1 as the
 * processor raised it: the width is the processor's. */
static unsigned gpa_width_unchecked(unsigned sdm_width,
				    const struct nept_scenario *s)
{
	return s->l0_flags & NEPT_L0F_ALLOW_SMALLER ? sdm_width : 64;
}

static const struct nept_deviation smaller_maxphyaddr = {
	.name = "smaller-maxphyaddr-not-emulated",
	.trees = "",
	.facts = "§14",
	.reproducer = "crashes/kvm-smaller-maxphyaddr-gpa-beyond-l1-width.scn",
	.why = "without allow_smaller_maxphyaddr (KVM's default with EPT) L2 "
	       "walks with the processor's wider MAXPHYADDR: an EPT violation "
	       "at a GPA beyond L1's width goes to the EPT12 walk and a #PF "
	       "exit goes to L1 with the processor's error code, where at "
	       "L1's width an L2 entry was reserved (#PF with RSVD; "
	       "crashes/kvm-smaller-maxphyaddr-pf-exit-without-rsvd.scn)",
	.l2_gpa_width = gpa_width_unchecked,
};

/* handle_ept_violation calls kvm_emulate_instruction(vcpu, 0) for a GPA
 * beyond L1's width even when the exit came during event delivery:
 * vmx_check_emulate_instruction refuses only EMULTYPE_PF emulation then
 * (7.2), and x86_emulate_instruction's kvm_clear_exception_queue drops the
 * event __vmx_complete_interrupts requeued.  The instruction at RIP runs
 * as if nothing was being delivered. */
static bool drops_delivery(bool sdm_drops, const struct nept_scenario *s)
{
	return true;
}

static const struct nept_deviation insn_in_delivery = {
	.name = "emulation-drops-delivered-event",
	.trees = "ept_violation_emulates_plain emulate_clears_exceptions",
	.facts = "§10.2, §14, §16",
	.reproducer = "crashes/kvm-emulation-drops-delivered-event.scn",
	.why = "for a GPA beyond L1's width during event delivery, "
	       "handle_ept_violation emulates the instruction at RIP "
	       "(emulation type 0, which the vectoring check lets through) "
	       "and x86_emulate_instruction clears the requeued event: L2 "
	       "never gets it, and gets what the instruction does instead",
	.insn_drops_delivery = drops_delivery,
};

const struct nept_deviation *const nept_deviations[] = {
	&forced_user,
	&table_write,
	&lpage,
	&ept_ad_cmpxchg,
	&l2_ad_cmpxchg,
	&arch_qual,
	&exit_gva,
	&adv_info,
	&nmi_bit,
	&stale_pml_full,
	&pml_bit,
	&pml_warn,
	&gfn_gpa,
	&stale_gla,
	&pf_fixup_access,
	&pf_fixup_ept,
	&pf_fixup_ept_mbec,
	&ve_class,
	&pferr_id,
	&pse36,
	&pdpt_full_cr3,
	&entry_late,
	&debugctl_freeze,
	&sysenter_canonicalized,
	&fmask_lazy,
	&guest_la57,
	&smaller_maxphyaddr,
	&insn_in_delivery,
};
const unsigned nept_ndeviations =
	sizeof(nept_deviations) / sizeof(nept_deviations[0]);
