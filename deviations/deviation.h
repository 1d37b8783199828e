/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Known KVM deviations from the SDM, as exact predictions.
 *
 * Each cause is one small function beside the model, never inside it: it
 * turns what the SDM says an event gives into what KVM does under that
 * cause.  It says which trees it applies to (probes of kvm/recipe.txt, so
 * a stable tree that took a fix stops being predicted to have the bug), the
 * condition under which it applies (the scenario, the event, the walk),
 * the facts section it departs from, and the reproducer in crashes/ that
 * shows it.
 *
 * A divergence is known only when the implementation's outcome equals the
 * SDM's outcome with every deviation of that tree applied, field for field
 * (nept_predict); anything else is new.  The signature text of a
 * divergence is a label, never the decision.
 *
 * Three kinds of change, each at the place KVM's code differs:
 *   access    what an EPT12 access needs and reports (KVM asks EPT12 for
 *             other rights than the SDM's access does): a model hook;
 *   ept_ad_cmpxchg  whether an EPT12 walk sets its flags (and logs)
 *             by compare-exchange, walking again when an entry changed:
 *             a model hook;
 *   l2_ad_cmpxchg  whether L2's walk sets its guest flags by
 *             compare-exchange after the final GPA, walking again when
 *             an entry changed: a model hook;
 *   caps      the EPT capabilities as KVM's code understands L1's MSR;
 *   pse36_low the reserved bits of L2's PSE-36 4-MiB PDEs: a model hook;
 *   pdpt_base where a VM entry without EPT reads a PAE guest's PDPTEs:
 *             a model hook;
 *   entry_late  the VM-entry guest-state rules checked after the MSR
 *             loading: a model hook;
 *   entry_debugctl  the guest DEBUGCTL bits a VM entry accepts: a model
 *             hook;
 *   entry_wrmsr  whether loading an MSR-load entry's value fails: a model
 *             hook;
 *   l2_gpa_width  the width beyond which a GPA the processor's L2 walk
 *             reached came from a reserved L2 entry: a model hook;
 *   pf_fixup_walk  whether L0 walks a #PF exit again with the access its
 *             error code names: a model hook;
 *   insn_drops_delivery  whether L0 emulates the instruction at RIP for
 *             an access made during event delivery, forgetting the
 *             delivery: a model hook;
 *   outcome   a field of the outcome, from what KVM's injection does with
 *             the SDM's outcome and the state it keeps across events.
 */
#ifndef NEPT_DEVIATION_H
#define NEPT_DEVIATION_H

#include "impl.h"
#include "model.h"

/*
 * What KVM keeps from one event to the next that a prediction needs: the
 * fields hardware last wrote to vmcs02 and vcpu state that outlives an
 * exit.
 */
struct kvm_history {
	/* GUEST_LINEAR_ADDRESS in vmcs02: written by the last hardware exit
	 * that saves one (nept_exit_saves_gla, EPT violations), 0 first. */
	uint64_t vmcs02_gla;
	/* vcpu->arch.exit_qualification, where the tree keeps the EPT
	 * violation's qualification there (no qual_in_exception probe):
	 * handle_ept_violation stores the hardware's, the EPT walker's error
	 * path rewrites it, and nested_ept_inject_page_fault injects it. */
	uint64_t arch_qual;
	/* A deviation could not follow what KVM kept from an event (the
	 * SDM's run of it did not walk where KVM's did, e.g. an exit whose
	 * owner the model leaves open): later events are not predicted, and
	 * the diff counts them as not compared. */
	bool lost;
	/* vmx->nested.pml_full, where L0's #PF fix-up left it set: its
	 * re-walk met a full PML log and the fault went to L2 as a #PF, not
	 * through nested_ept_inject_page_fault, the one place that clears
	 * it (pf-fixup-leaves-pml-full). */
	bool pml_full_left;
};

/* What a cause sees of one event. */
struct dev_event {
	const struct nept_scenario *s; /* as KVM understands it (caps) */
	const struct nept_event *ev;   /* nept_effective_event */
	const struct nept_impl *impl;
	const struct kvm_history *h; /* before this event */
	/* vmcs02 at this event's hardware exit: its basic reason and
	 * qualification (vmx_get_exit_qual). */
	uint16_t exit_reason;
	uint64_t exit_qual;
	/* The predicted run of this event (with the access hooks). */
	const struct model_trace *t;
};

struct nept_deviation {
	const char *name;
	/* Trees: probes, space-separated, that must all hold ("!p": must
	 * not); "" for every tree. */
	const char *trees;
	const char *facts;	/* the rule KVM departs from: "§6.3" */
	const char *reproducer; /* "crashes/....scn" */
	const char *why;	/* KVM's code, in one sentence or two */
	void (*access)(const struct dev_event *e, struct model_access *a);
	/* EPT12 walks, and L2's walk, set flags KVM's way wherever the
	 * tree has the cause (model_hooks.ept_ad_cmpxchg, l2_ad_cmpxchg). */
	bool ept_ad_cmpxchg, l2_ad_cmpxchg;
	void (*caps)(uint32_t *caps);
	/* The lowest reserved bit of a PSE-36 4-MiB PDE, from the SDM's
	 * (model_hooks.pse36_low). */
	unsigned (*pse36_low)(unsigned sdm_low);
	/* Where a VM entry to a PAE guest without EPT reads the PDPTEs,
	 * from the SDM's address and CR3 (model_hooks.pdpt_base). */
	uint64_t (*pdpt_base)(uint64_t sdm_base, uint64_t cr3);
	/* The VM-entry guest-state rules checked only after the MSR
	 * loading (enum model_entry_late, model_hooks.entry_late). */
	unsigned entry_late;
	/* The guest DEBUGCTL bits a VM entry accepts, from the SDM's
	 * (model_hooks.entry_debugctl). */
	uint64_t (*entry_debugctl)(uint64_t sdm_valid);
	/* Whether loading an MSR-load entry's value fails, from the SDM's
	 * answer (model_hooks.entry_wrmsr). */
	bool (*entry_wrmsr)(bool sdm_faults, const struct model_wrmsr *w);
	/* The value a loading MSR-load entry leaves, from the SDM's
	 * (model_hooks.entry_msr_value). */
	uint64_t (*entry_msr_value)(uint64_t sdm_value,
				    const struct model_wrmsr *w);
	/* The width at or above which a hw-violation's GPA under L2 paging
	 * is a reserved-bit #PF, from the SDM's (model_hooks.l2_gpa_width). */
	unsigned (*l2_gpa_width)(unsigned sdm_width,
				 const struct nept_scenario *s);
	/* Whether L0 walks a #PF exit on a wider host again with the
	 * access its error code names (model_hooks.pf_fixup_walk). */
	bool (*pf_fixup_walk)(bool sdm_walks, const struct nept_scenario *s,
			      uint32_t hw);
	/* Whether the instruction at RIP is emulated for an access during
	 * event delivery, the delivery forgotten (model_hooks.
	 * insn_drops_delivery). */
	bool (*insn_drops_delivery)(bool sdm_drops,
				    const struct nept_scenario *s);
	/* Changes o to KVM's; returns whether it changed anything. */
	bool (*outcome)(const struct dev_event *e, struct nept_outcome *o);
	/* After the event: the history KVM leaves, from the history
	 * before, the event, and what KVM gave (which, where the prediction
	 * held, is the predicted outcome). */
	void (*history)(const struct dev_event *e, const struct nept_outcome *o,
			struct kvm_history *next);
	/* Whether the scenario can give history anything to keep (NULL:
	 * every scenario): elsewhere each event's prediction is not run for
	 * its sake. */
	bool (*history_applies)(const struct nept_scenario *s);
};

extern const struct nept_deviation *const nept_deviations[];
extern const unsigned nept_ndeviations;

/* The deviations of an implementation's tree, as a bit mask over
 * nept_deviations (0 for the model). */
uint64_t nept_deviations_of(const struct nept_impl *impl);

/* Deviations switched off for every tree (a mask over nept_deviations):
 * `neptfuzz deviations --check` turns each off in turn to show that its
 * reproducer then diverges in a new way. */
extern uint64_t nept_deviations_off;

void nept_history_init(struct kvm_history *h);

/* What KVM does with one event, by the SDM and the tree's deviations. */
struct nept_prediction {
	struct model_outcomes set; /* every outcome, each turned */
	uint64_t fired;		   /* the deviations that changed something */
	struct model_trace t;	   /* the run behind set.o[0] */
	/* Per outcome: whether its fault is at the final GPA, as bit 8 said
	 * before a deviation rewrote bits 7-8 (for the report's sites). */
	uint8_t at_final[MODEL_MAX_OUTCOMES];
	uint16_t exit_reason; /* vmcs02 at the event's exit */
	uint64_t exit_qual;
};

/*
 * What impl does with event i of s from model state st (left unchanged)
 * and history h: every outcome the SDM allows, each turned by the
 * deviations of impl's tree.  p->fired: the deviations that changed
 * something.  Where one changed a value the walk goes on with (PSE-36
 * bits, the PDPT address, a late entry check, an MSR write, L1's
 * capabilities), whether it decided the outcome takes the event's run
 * again without it: with attribute, those runs are made and p->fired
 * holds only the ones that decided; without, p->fired holds them all (a
 * superset, for a prediction made only for the history or a caller that
 * narrows it later).
 */
void nept_predict(const struct nept_scenario *s, unsigned i,
		  const struct nept_impl *impl, const struct model_state *st,
		  const struct kvm_history *h, bool attribute,
		  struct nept_prediction *p);

/* Whether impl's tree has a deviation whose history needs each event's
 * prediction in s (else nept_history_next takes p = NULL). */
bool nept_history_needs_prediction(const struct nept_impl *impl,
				   const struct nept_scenario *s);

/* The history after event i (*h, before it, is updated), given the
 * prediction (NULL where nept_history_needs_prediction says it is not
 * needed) and what impl gave. */
void nept_history_next(const struct nept_scenario *s, unsigned i,
		       const struct nept_impl *impl,
		       const struct nept_prediction *p,
		       const struct nept_outcome *got, struct kvm_history *h);

/* "name, name" of the deviations in mask. */
void nept_deviation_names(uint64_t mask, char *buf, size_t n);

#endif
