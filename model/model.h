/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The SDM reference model: what L1 sees when L2's access goes through EPT12.
 * It follows docs/sdm-rules.md (cited as "facts §N"), never KVM.
 */
#ifndef NEPT_MODEL_H
#define NEPT_MODEL_H

#include "arch.h"
#include "impl.h"

/* The SDM name of each qualification bit, NULL where reserved (§6). */
const char *nept_qual_bit_name(unsigned bit);

enum model_stop {
	MODEL_STOP_OK = 0,	/* reached a leaf with enough permission */
	MODEL_STOP_NOT_PRESENT, /* facts §3.2, §5.1 step 2 */
	MODEL_STOP_MISCONFIG,	/* facts §4 */
	MODEL_STOP_PERMISSION,	/* facts §5.1 step 3 */
	MODEL_STOP_UNBACKED,	/* an entry with no memory behind it */
};

/* Where L2's own walk ended (facts §8.3), when the model walks it. */
enum model_l2_stop {
	MODEL_L2_NONE = 0,    /* no L2 walk: paging off or hw-violation */
	MODEL_L2_OK,	      /* translated, guest A/D flags set */
	MODEL_L2_EPT_ENTRY,   /* EPT12 stopped a guest entry read (step 1) */
	MODEL_L2_NOT_PRESENT, /* #PF, P = 0 (step 2) */
	MODEL_L2_RESERVED,    /* #PF, reserved bit (step 2) */
	MODEL_L2_RIGHTS,      /* #PF, access rights (step 4) */
	MODEL_L2_EPT_FINAL,   /* EPT12 stopped the final GPA (step 5) */
	MODEL_L2_EPT_AD,      /* EPT12 stopped a guest A/D write (step 6) */
	MODEL_L2_UNBACKED,    /* a guest entry or the PML log has no memory */
	/* The processor's walk (model_processor_pf) reached a GPA from
	 * L1's width up: how L0 maps it for L2 is L0's choice (facts §14). */
	MODEL_L2_BEYOND_WIDTH,
	/* A #PF exit on a host wider than L1 whose not-present fault stands
	 * as the processor raised it: no walk by the model (facts §14). */
	MODEL_L2_PROCESSOR_PF,
};

/* The address an L2 entry has when it is a PAE PDPTE register. */
#define MODEL_L2_REGISTER (~0ull)

/*
 * How the event went, for invariants and for people (`neptfuzz eval`).
 * The first block describes one EPT12 walk: the event's own access, or
 * with an L2 walk the last EPT12 access made (the one that failed, or the
 * last that succeeded).
 */
struct model_trace {
	uint8_t levels; /* 4 or 5, from EPTP bits 5:3 */
	uint8_t nread;	/* entries read, root first */
	uint8_t stop;	/* enum model_stop */
	uint8_t need;	/* permission bits the access needs: R=1 W=2 X=4 XU=8 */
	uint8_t have;	/* the AND over the path (read so far, where it stops
			 * at an unbacked table), same encoding */
	/* the walk succeeded but its dirty flag needed a PML entry and the
	 * index was full (facts §7.2) */
	uint8_t pml_full;
	uint8_t acc_flags; /* the walked access's enum nept_access_flag */
	uint8_t acc_kind;  /* its enum model_access_kind */
	uint64_t acc_bits; /* the qualification bits 0-2 it reports */
	const char *rule;  /* the misconfiguration rule, facts §4 item */
	uint64_t gpa;	   /* the guest-physical address walked */
	struct {
		uint64_t addr, val;
		uint8_t level; /* 5 = PML5E ... 1 = PTE */
	} e[5];

	/* L2's walk (nept_walks_l2), facts §8.3. */
	uint8_t l2_stop; /* enum model_l2_stop */
	uint8_t l2_nread;
	uint8_t l2_leaf; /* index in l2e of the entry that maps the page */
	uint32_t pfec;	 /* the #PF error code, when one was raised */
	/* enum nept_access: the access L2's walk made (an implementation's
	 * #PF fix-up walks the one its error code names, pf_fixup_walk) */
	uint8_t l2_access;
	const char *l2_rule; /* the reserved-bit or rights rule broken */
	/* Outcomes beyond the first the SDM allows here (model_run_event_set
	 * runs the event again with st->choice = 1..alts), and whether a
	 * point of the event has offered them (only one does). */
	uint8_t alts, alts_point;
	/* The event's instruction at RIP (docs/sdm-rules.md §16), which
	 * outlives each of its accesses' walks (kept whole between them). */
	struct model_insn_trace {
		/* The accesses were the instruction's, made by an emulator:
		 * a fault is the emulator's walker's, not the processor's. */
		uint8_t on;
		/* Fetched from these L1-physical pages (~0: none), the page
		 * of RIP first: memory there is the instruction's bytes, no
		 * entry. */
		uint64_t page[2];
		/* The last access (the fetch, or the data access): what an
		 * emulated event with this linear address and access is. */
		uint64_t gla;
		uint8_t acc;
	} insn;
	uint64_t l2_final; /* the final GPA, once the walk reached it */
	struct {
		/* gpa: the entry's guest-physical address, through EPT12;
		 * l1pa: where EPT12 put it in L1 memory (MODEL_L2_REGISTER
		 * for both: a PAE PDPTE register) */
		uint64_t gpa, l1pa, val;
		uint8_t level; /* 5 = PML5E ... 1 = PTE */
	} l2e[5];
};

/* What an EPT12 access is for (facts §8.3), for hooks and traces. */
enum model_access_kind {
	MODEL_ACC_EVENT = 0, /* the event's own access (no L2 walk) */
	MODEL_ACC_L2_ENTRY,  /* reading a guest paging entry (step 1) */
	MODEL_ACC_L2_FINAL,  /* the final GPA of L2's walk (step 5) */
	MODEL_ACC_L2_AD,     /* writing a guest A/D flag (step 6) */
};

/* One access through EPT12, and what it needs and reports. */
struct model_access {
	uint64_t gpa;
	uint8_t kind;	   /* enum model_access_kind */
	uint8_t access;	   /* enum nept_access */
	uint8_t flags;	   /* enum nept_access_flag */
	unsigned need;	   /* permissions: R=1 W=2 X=4 XU=8 (facts §5.2) */
	uint64_t acc_bits; /* qualification bits 0-2 it reports (facts §6.2) */
};

struct model_trace;

/*
 * Points where a prediction of what an implementation does may differ
 * from the SDM (deviations/, never the model's own rules): NULL members
 * are the SDM's behaviour.  The model itself runs with no hooks.
 */
/* Guest-state rules of a VM entry (facts §13.2) a prediction may have
 * checked after the MSR loading (model_hooks.entry_late). */
enum model_entry_late {
	MODEL_ENTRY_LATE_PCIDE = 1u << 0,	 /* CR4.PCIDE needs IA-32e */
	MODEL_ENTRY_LATE_PDPTE_FIELDS = 1u << 1, /* the PDPTEs with EPT */
};

/* One WRMSR of a VM-entry MSR-load entry (facts §13.3 item 6), with the
 * guest's CR4 and IA32_EFER as the VM entry has loaded them so far
 * (model_hooks.entry_wrmsr). */
struct model_wrmsr {
	uint32_t index;
	uint64_t value, cr4, efer;
};

struct model_hooks {
	const void *ctx;
	/* After the SDM's need and acc_bits are set for an access. */
	void (*access)(const void *ctx, const struct nept_scenario *s,
		       const struct nept_event *ev, struct model_access *a);
	/* The lowest reserved bit of a PSE-36 4-MiB PDE (the SDM:
	 * min(MAXPHYADDR, 40) - 19, facts §8.2); bits below it down to 13
	 * are physical-address bits 32 and up. */
	unsigned (*pse36_low)(const void *ctx, unsigned sdm_low);
	/* Whether an EPT12 walk sets its A/D flags entry by entry from the
	 * root by compare-exchange against the entries as read (the leaf's
	 * PML entry written before its own), walks again when one is no
	 * longer as read, and reads memory afresh on every walk (the SDM:
	 * the flags of the walk done, the log and the flags in either
	 * order, and a translation cached from before the event's own
	 * writes allowed, facts §5.3, §5.7, §7.2).  tries: how often this
	 * access has walked again. */
	bool (*ept_ad_cmpxchg)(const void *ctx, const struct nept_scenario *s,
			       unsigned tries);
	/* Whether L2's walk sets its guest A/D flags after the final GPA's
	 * EPT12 translation, each by a compare-exchange against the entry
	 * as read (at the L1 address the read used, with no EPT12
	 * translation of its own), and starts again from the top when one
	 * is no longer as read (the SDM: step 6 through EPT12, nothing
	 * restarts).  restarts: how often this event's walk has. */
	bool (*l2_ad_cmpxchg)(const void *ctx, const struct nept_scenario *s,
			      unsigned restarts);
	/* The L1 address a VM entry to a PAE guest without EPT reads the
	 * four PDPTEs from (the SDM: CR3 bits 31:5, facts §13.2). */
	uint64_t (*pdpt_base)(const void *ctx, uint64_t sdm_base, uint64_t cr3);
	/* The guest-state rules of a VM entry checked only after the
	 * MSR-load area is loaded (enum model_entry_late; the SDM: none,
	 * every guest-state check comes first, facts §13.1). */
	unsigned (*entry_late)(const void *ctx);
	/* The guest IA32_DEBUGCTL bits a VM entry accepts (the SDM: those
	 * the CPU implements, LBR and BTF here, docs/sdm-rules.md §13). */
	uint64_t (*entry_debugctl)(const void *ctx, uint64_t sdm_valid);
	/* Whether loading an MSR-load entry's value fails (the SDM: when
	 * WRMSR of it at CPL 0 raises #GP, facts §13.3 item 6). */
	bool (*entry_wrmsr)(const void *ctx, bool sdm_faults,
			    const struct model_wrmsr *w);
	/* The value an MSR-load entry that loads leaves in the MSR (the
	 * SDM: the entry's value, facts §13.3). */
	uint64_t (*entry_msr_value)(const void *ctx, uint64_t sdm_value,
				    const struct model_wrmsr *w);
	/* The width at or above which a GPA the processor's L2 walk reached
	 * (a hw-violation with L2 paging on) came from a reserved L2 entry
	 * (the SDM: l1_maxphyaddr, facts §14). */
	unsigned (*l2_gpa_width)(const void *ctx, const struct nept_scenario *s,
				 unsigned sdm_width);
	/* Whether a #PF exit on a wider host (model_pf_exit_on_wider_host),
	 * with the processor's error code hw, is walked again by L0 as the
	 * error code names the access: W, I/D and U, explicit (the SDM: L0
	 * gives the SDM's walk of the event's own access). */
	bool (*pf_fixup_walk)(const void *ctx, const struct nept_scenario *s,
			      uint32_t hw);
	/* Whether, for a hw-violation made while an event was delivered
	 * (during=), an implementation runs the instruction at RIP anyway
	 * and forgets the delivery (the SDM: the access was the delivery's,
	 * no instruction runs; docs/sdm-rules.md §16). */
	bool (*insn_drops_delivery)(const void *ctx,
				    const struct nept_scenario *s);
};

/*
 * What a run carries from one event to the next: L1 memory (A/D flags, PML
 * log) and the guest PML index (facts §7.2); and the hooks, if any.
 */
struct model_state {
	struct nept_mem mem;
	uint16_t pml_index;
	const struct model_hooks *hooks;
	/* Which of the outcomes the SDM allows this run takes (0: the
	 * first), for model_run_event_set. */
	uint8_t choice;
	/* NULL: EPT12 walks read mem as it is.  Else the memory they read
	 * (the event's start: translations cached from before the event's
	 * own writes changed the entries, facts §5.7). */
	const struct nept_mem *ept_view;
	/* 0: L2's walk is the SDM's at L1's width.  Else the processor's own
	 * walk at this (the host's) width, which stops at a GPA from L1's
	 * width up (model_processor_pf, facts §14). */
	uint8_t l2_width;
	/* -1: L2's walk is user-mode for an explicit access at CPL 3 (facts
	 * §8.1); 0 or 1: as given (an access an error code names). */
	int8_t walk_user;
};

void model_state_init(struct model_state *st, const struct nept_scenario *s);

/* Facts §14: an emulated event whose exit is a #PF (exception-nmi, vector
 * 14) on a processor wider than L1: the processor's own #PF, which the
 * SDM's walk at L1's width decides (model_run_event). */
static inline bool model_pf_exit_on_wider_host(const struct nept_scenario *s,
					       const struct nept_event *ev)
{
	return ev->source == NEPT_SRC_EMULATED &&
	       ev->exit_reason == NEPT_EXIT_EXCEPTION_NMI &&
	       ev->exit_vector == 1 + VEC_PF &&
	       nept_host_maxphyaddr(s) > s->l1_maxphyaddr;
}

/*
 * Facts §14: the #PF the processor itself raises for ev's access, walking
 * L2's tables with the host's width (through EPT12, as L0's shadow of it
 * maps them), from state st (which is not changed).  True with its error
 * code in *pfec if the walk faults with #PF; false if it does not, or
 * reaches a GPA from L1's width up first (L0's choice what happens then).
 */
bool model_processor_pf(const struct nept_scenario *s,
			const struct model_state *st,
			const struct nept_event *ev, uint32_t *pfec);

/* *dst = *src, copying only the memory in use (the states are copied per
 * event and outcome on the differential's hot path). */
static inline void model_state_copy(struct model_state *dst,
				    const struct model_state *src)
{
	nept_mem_copy(&dst->mem, &src->mem);
	dst->pml_index = src->pml_index;
	dst->hooks = src->hooks;
	dst->choice = src->choice;
	dst->ept_view = src->ept_view;
	dst->l2_width = src->l2_width;
	dst->walk_user = src->walk_user;
}

/*
 * Runs one event against st (which the event may change: A/D flags, the
 * PML log and index) and fills out with the first outcome the SDM allows;
 * trace may be NULL.
 */
void model_run_event(const struct nept_scenario *s, struct model_state *st,
		     const struct nept_event *ev, struct nept_outcome *out,
		     struct model_trace *trace);

/*
 * Where the SDM allows several outcomes of one event (two orders of
 * accesses it does not order, facts §5.4, §7.2), every one of them: o[0]
 * is model_run_event's, the others follow.  An implementation agrees when
 * it gives any.  Each outcome carries the PML index it leaves
 * (pml_index); memory after it is the state before plus its writes.
 */
#define MODEL_MAX_OUTCOMES 6
struct model_outcomes {
	uint8_t n;
	struct nept_outcome o[MODEL_MAX_OUTCOMES];
};

/* Runs one event from st (advanced as by o[0]) and lists every outcome
 * the SDM allows; trace (may be NULL) describes o[0]. */
void model_run_event_set(const struct nept_scenario *s, struct model_state *st,
			 const struct nept_event *ev,
			 struct model_outcomes *outs,
			 struct model_trace *trace);

/* The same outcomes, leaving st as it was (the diff, which goes on from
 * each implementation's own writes, not the SDM's). */
void model_event_outcomes(const struct nept_scenario *s,
			  const struct model_state *st,
			  const struct nept_event *ev,
			  struct model_outcomes *outs);

/*
 * Facts §10: what a #PF with error code pfec raised by ev's access gives,
 * delivered or exiting (exception bitmap, mask/match, the class of an
 * exception being delivered).  For predictions that change the error code.
 */
void model_page_fault(const struct nept_scenario *s,
		      const struct nept_event *ev, uint32_t pfec,
		      struct nept_outcome *out);

/* Facts §15: who gets an emulated event's exit from L2. */
enum model_exit_owner {
	MODEL_EXIT_L0 = 0,	   /* L0 emulates: the access happens */
	MODEL_EXIT_L1 = 1,	   /* reflected: L1 gets the exit */
	MODEL_EXIT_UNDECIDED = -1, /* tolerance exit-owner-unmodelled */
};
enum model_exit_owner model_exit_owner(const struct nept_scenario *s,
				       const struct nept_mem *mem,
				       const struct nept_event *ev);
/* The outcome of an exit L1 gets (model_exit_owner() == MODEL_EXIT_L1). */
void model_reflected_exit(const struct nept_event *ev,
			  struct nept_outcome *out);

/*
 * Facts §13: L1's VMLAUNCH/VMRESUME with the vmcs12 fields of s->entry
 * (model_run_event's part for a vm-entry event; vmentry.c).  t->rule
 * names the control check behind a VMfail.
 */
void model_vm_entry(const struct nept_scenario *s, struct model_state *st,
		    struct nept_outcome *out, struct model_trace *t);

/* Prints the L2 part of a trace (nothing without an L2 walk), one line
 * per entry, each prefixed by indent. */
void model_print_l2_trace(FILE *f, const struct model_trace *t,
			  const char *indent);

/* Why an entry is misconfigured at a level (facts §4), NULL if not. */
const char *model_misconfig_rule(uint32_t caps, unsigned maxphyaddr,
				 unsigned level, uint64_t entry);

const char *model_level_name(unsigned level);

/* Qualification bits 0-2 an access reports (facts §6.2), and bits 9-11
 * its linear address reports (facts §6.4). */
uint64_t model_access_bits(const struct nept_scenario *s,
			   const struct nept_event *ev);
uint64_t model_linear_bits(const struct nept_event *ev);

extern const struct nept_impl model_impl;

/* The emulated access an instruction event's outcome belongs to
 * (docs/sdm-rules.md §16): ev's, with the linear address and access of
 * the last access t says it made, and no delivery under way. */
struct nept_event model_insn_last_access(const struct nept_event *ev,
					 const struct model_trace *t);

#endif
