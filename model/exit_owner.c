// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which exits from L2 are L1's (docs/sdm-rules.md §15, "facts §15"): an
 * emulated event starts with an exit from L2 to L0; if vmcs12's controls
 * make the same thing in L2 an exit for L1, L1 gets that exit and the
 * access the instruction would have made never happens.  Otherwise L0
 * emulates the instruction and the rest of the model applies.
 */
#include "model.h"

/*
 * Facts §15.3: IN/INS/OUT/OUTS.  With "use I/O bitmaps" the bitmaps decide
 * (a port past 0xFFFF - a wrap - exits); else "unconditional I/O exiting".
 */
static enum model_exit_owner io_exits(const struct nept_scenario *s,
				      const struct nept_mem *mem,
				      const struct nept_event *ev)
{
	const struct nept_controls *c = &s->ctl;
	unsigned port = (unsigned)(ev->exit_qual >> 16) & 0xffff;
	unsigned size = (unsigned)(ev->exit_qual & 7) + 1;

	if (!(c->flags & NEPT_CTL_IO_BITMAPS))
		return (c->flags & NEPT_CTL_IO_EXITING) ? MODEL_EXIT_L1
							: MODEL_EXIT_L0;
	if (port + size - 1 > 0xffff) /* wraps: exits, whatever the bits */
		return MODEL_EXIT_L1;
	for (unsigned p = port; p < port + size; p++) {
		uint64_t byte_gpa, q;

		byte_gpa = c->io_bitmap[p >= 0x8000] + (p & 0x7fff) / 8;
		if (!nept_mem_read(mem, byte_gpa & ~7ull, &q))
			return MODEL_EXIT_UNDECIDED;
		if ((q >> ((byte_gpa & 7) * 8 + (p & 7))) & 1)
			return MODEL_EXIT_L1;
	}
	return MODEL_EXIT_L0;
}

/*
 * The source operand of a MOV to CR: the register's 64 bits in 64-bit
 * mode, its low 32 bits otherwise.  The scenario has no CS.L: an L2 with
 * 4- or 5-level paging (IA-32e mode) is taken to run 64-bit code.
 */
static uint64_t mov_source(const struct nept_scenario *s,
			   const struct nept_event *ev)
{
	bool ia32e = s->l2.paging == NEPT_L2_4LEVEL ||
		     s->l2.paging == NEPT_L2_5LEVEL;

	return ia32e ? ev->exit_value : (uint32_t)ev->exit_value;
}

/* Facts §15.4: CLTS, LMSW, MOV to CR0/CR3/CR4, MOV from CR3. */
static enum model_exit_owner cr_exits(const struct nept_scenario *s,
				      const struct nept_event *ev)
{
	const struct nept_controls *c = &s->ctl;
	unsigned cr = (unsigned)ev->exit_qual & 15;
	unsigned type = (unsigned)(ev->exit_qual >> 4) & 3;
	uint64_t v;

	switch (type) {
	case 0: /* MOV to CR */
		v = mov_source(s, ev);
		if (cr == 0)
			return ((v ^ c->cr0_shadow) & c->cr0_mask)
				       ? MODEL_EXIT_L1
				       : MODEL_EXIT_L0;
		if (cr == 4)
			return ((v ^ c->cr4_shadow) & c->cr4_mask)
				       ? MODEL_EXIT_L1
				       : MODEL_EXIT_L0;
		if (cr == 3) {
			if (!(c->flags & NEPT_CTL_CR3_LOAD))
				return MODEL_EXIT_L0;
			for (unsigned i = 0; i < c->cr3_target_count && i < 4;
			     i++)
				if (c->cr3_target[i] == v)
					return MODEL_EXIT_L0;
			return MODEL_EXIT_L1;
		}
		return MODEL_EXIT_UNDECIDED; /* CR8, or no such register */
	case 1:				     /* MOV from CR */
		if (cr == 3)
			return (c->flags & NEPT_CTL_CR3_STORE) ? MODEL_EXIT_L1
							       : MODEL_EXIT_L0;
		return MODEL_EXIT_UNDECIDED;
	case 2: /* CLTS: TS set in both the mask and the read shadow */
		return (c->cr0_mask & c->cr0_shadow & 8) ? MODEL_EXIT_L1
							 : MODEL_EXIT_L0;
	default: { /* LMSW: bits 3:0 of the source data */
		uint64_t data = (ev->exit_qual >> 16) & 0xf;

		if ((c->cr0_mask & 1) && (data & 1) && !(c->cr0_shadow & 1))
			return MODEL_EXIT_L1;
		if (c->cr0_mask & 0xe & (data ^ c->cr0_shadow))
			return MODEL_EXIT_L1;
		return MODEL_EXIT_L0;
	}
	}
}

/* Facts §15.2: an exception exit by the bitmap and #PF mask/match. */
static enum model_exit_owner exception_exits(const struct nept_scenario *s,
					     const struct nept_event *ev)
{
	const struct nept_controls *c = &s->ctl;
	unsigned vec;
	bool wants;

	if (!ev->exit_vector)
		return MODEL_EXIT_UNDECIDED;
	vec = ev->exit_vector - 1u;
	if (vec == 2) /* NMI: the pin control, not the bitmap */
		return MODEL_EXIT_UNDECIDED;
	wants = (c->exception_bitmap >> vec) & 1;
	if (vec == VEC_PF &&
	    (ev->exit_error_code & c->pfec_mask) != c->pfec_match)
		wants = !wants;
	if (wants)
		return MODEL_EXIT_L1;
	/* An exception L1's controls do not ask for is L0's own intercept:
	 * L0 emulates the instruction, invisibly to L1, and its accesses
	 * are the SDM's.  A #PF cannot be one (with EPT, vmcs02 intercepts
	 * #PF as vmcs12 does): undecided.  (On a processor wider than L1,
	 * model_run_event takes every #PF exit first, facts §14.) */
	return vec == VEC_PF ? MODEL_EXIT_UNDECIDED : MODEL_EXIT_L0;
}

enum model_exit_owner model_exit_owner(const struct nept_scenario *s,
				       const struct nept_mem *mem,
				       const struct nept_event *ev)
{
	if (ev->source != NEPT_SRC_EMULATED)
		return MODEL_EXIT_L0;
	switch (ev->exit_reason) {
	case NEPT_EXIT_TRIPLE_FAULT:
	case NEPT_EXIT_TASK_SWITCH: /* facts §15.1 */
		return MODEL_EXIT_L1;
	case NEPT_EXIT_EXCEPTION_NMI:
		return exception_exits(s, ev);
	case NEPT_EXIT_CR_ACCESS:
		return cr_exits(s, ev);
	case NEPT_EXIT_IO_INSTRUCTION:
		return io_exits(s, mem, ev);
	case NEPT_EXIT_GDTR_IDTR:
	case NEPT_EXIT_LDTR_TR: /* facts §15.5 */
		return (s->ctl.flags & NEPT_CTL_DESC_EXITING) ? MODEL_EXIT_L1
							      : MODEL_EXIT_L0;
	case NEPT_EXIT_EPT_VIOLATION:
	case NEPT_EXIT_EPT_MISCONFIG: /* facts §15.6: L0's own EPT */
		return MODEL_EXIT_L0;
	default:
		return MODEL_EXIT_UNDECIDED;
	}
}

void model_reflected_exit(const struct nept_event *ev, struct nept_outcome *out)
{
	out->kind = NEPT_OUT_EXIT;
	out->reason = ev->exit_reason;
	/* Facts §7.3: what hardware saved for this exit (0 for an exit that
	 * saves none: scenario_check holds the scenario to it). */
	out->qual = ev->exit_qual;
	if (ev->exit_reason == NEPT_EXIT_EXCEPTION_NMI && ev->exit_vector) {
		unsigned vec = ev->exit_vector - 1u;

		out->vector = (uint8_t)vec;
		out->has_error_code = nept_vector_has_error_code(vec);
		out->error_code = out->has_error_code ? ev->exit_error_code : 0;
	}
	/* Facts §7.1: the address fields belong to EPT exits. */
	out->undefined |= NEPT_F_GPA | NEPT_F_GLA | NEPT_F_GLA_VALID;
	out->tolerances |= 1u << NEPT_TOL_GLA_UNDEFINED;
}
