// SPDX-License-Identifier: GPL-2.0-only
/*
 * The model of a nested VM entry (facts §13, docs/sdm-rules.md §13): L1
 * executes VMLAUNCH/VMRESUME with the vmcs12 fields of s->entry.  In the
 * SDM's order: the controls (VMfailValid, no exit), the guest state
 * (exit 33 with a failure code), the VM-entry MSR-load area (exit 34 with
 * the 1-based index of the failing entry), then the guest runs.
 *
 * Where the SDM allows several outcomes (guest-state checks "in any
 * order", the implementation-specific code 3), the event offers them as
 * alternatives (model_trace.alts, chosen by model_state.choice), like the
 * access events' unordered writes.
 */
#include "model.h"

/*
 * The VMX capability MSRs of the vCPU L1 runs on (the scenario's fixed
 * environment, docs/scenario-format.md "vm-entry"): what the SDM's "not
 * supported in VMX operation" and "the CPU supports" mean here.
 */
#define CR0_PE (1ull << 0)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_VMXE (1ull << 13)
#define CR4_PCIDE (1ull << 17)
/* IA32_VMX_CR0_FIXED0/1 (SDM A.7). */
#define CR0_FIXED0 (CR0_PG | CR0_NE | CR0_PE)
#define CR0_FIXED1 0xffffffffull
/* IA32_VMX_CR4_FIXED0/1 (SDM A.8): the CR4 bits of the CPUID L1 sees (VME
 * PVI TSD DE PSE PAE MCE PGE PCE OSFXSR OSXMMEXCPT UMIP LA57 VMXE
 * FSGSBASE PCIDE OSXSAVE SMEP SMAP PKE). */
#define CR4_FIXED0 CR4_VMXE
#define CR4_FIXED1 0x773fffull
/* L1's IA32_EFER (docs/sdm-rules.md §13): a 64-bit L1 with SYSCALL and
 * NX on. */
#define L1_EFER (NEPT_EFER_SCE | NEPT_EFER_LME | NEPT_EFER_LMA | NEPT_EFER_NXE)
/* IA32_DEBUGCTL bits the CPU implements: LBR and BTF (SDM 18.4.1). */
#define DEBUGCTL_VALID 0x3ull
/* IA32_VMX_MISC bits 8:6: HLT (1) and wait-for-SIPI (3), not shutdown. */
#define ACTIVITY_SUPPORTED ((1u << 0) | (1u << 1) | (1u << 3))
/* IA32_VMX_BASIC bits 30:0: the VMCS revision identifier. */
#define VMCS_REVISION 0x11e57ed0u

/* VM-instruction error 7 (SDM 31.4): invalid control fields. */
#define VMXERR_ENTRY_INVALID_CONTROLS 7

/* Exit-33 qualifications (facts §7.4). */
enum entry_fail_code {
	ENTRY_FAIL_DEFAULT = 0,
	ENTRY_FAIL_PDPTE = 2,
	ENTRY_FAIL_NMI_STI = 3,
	ENTRY_FAIL_LINK_PTR = 4,
};

static bool beyond(uint64_t v, unsigned maxphyaddr)
{
	return maxphyaddr < 64 && (v >> maxphyaddr);
}

static void exit_for(struct nept_outcome *out, unsigned reason, uint64_t qual)
{
	unsigned kept = 0;

	out->kind = NEPT_OUT_EXIT;
	out->reason = (uint16_t)reason;
	out->qual = qual;
	/* Facts §7.4: a failed entry writes the exit reason and the
	 * qualification only; the address fields keep the last exit's. */
	out->undefined |= NEPT_F_GPA | NEPT_F_GLA | NEPT_F_GLA_VALID;
	/* docs/sdm-rules.md §13.3: after exit 34 the MSRs host-state loading
	 * leaves alone still read what the entries loaded; after exit 33 no
	 * MSR is read back. */
	for (unsigned i = 0; i < out->n_msrs; i++)
		if (reason == NEPT_EXIT_ENTRY_FAIL_MSR &&
		    nept_msr_read_back(out->msr[i].index, true))
			out->msr[kept++] = out->msr[i];
	out->n_msrs = (uint8_t)kept;
}

static void undefined_for(struct nept_outcome *out, enum nept_tolerance t)
{
	out->kind = NEPT_OUT_NONE;
	out->undefined = NEPT_F_ALL;
	out->tolerances |= 1u << t;
}

/* Facts §13.1 step 1: the checks behind VMfailValid with error 7. */
static const char *controls_invalid(const struct nept_scenario *s)
{
	const struct nept_vmentry *en = &s->entry;
	uint64_t last;

	if (en->flags & NEPT_ENF_EPT) {
		if (nept_eptp_invalid(s->caps, s->l1_maxphyaddr, s->eptp))
			return "invalid EPTP (facts §1)";
	} else if (s->ctl.flags & NEPT_CTL_PML) {
		return "PML without enable EPT";
	} else if (s->caps & NEPT_CAP_MBEC) {
		return "mode-based execute control without enable EPT";
	} else if (en->flags & NEPT_ENF_UNRESTRICTED) {
		return "unrestricted guest without enable EPT";
	}
	/* SDM 26.2.1.2: with a nonzero count, the MSR-load address is
	 * 16-aligned and the area lies below 2^MAXPHYADDR. */
	last = en->msr_addr + 16ull * en->msr_count - 1;
	if (en->msr_count &&
	    ((en->msr_addr & 15) || beyond(en->msr_addr, s->l1_maxphyaddr) ||
	     beyond(last, s->l1_maxphyaddr) || last < en->msr_addr))
		return "VM-entry MSR-load address";
	return NULL;
}

/* Facts §13.2: whether any check behind code 0 fails. */
static bool default_check_fails(const struct nept_scenario *s,
				const struct model_state *st)
{
	const struct nept_vmentry *en = &s->entry;
	bool ia32e = en->flags & NEPT_ENF_IA32E;
	uint64_t fixed0 = CR0_FIXED0, debugctl_valid = DEBUGCTL_VALID;

	if (st->hooks && st->hooks->entry_debugctl)
		debugctl_valid = st->hooks->entry_debugctl(st->hooks->ctx,
							   debugctl_valid);

	if (en->flags & NEPT_ENF_UNRESTRICTED)
		fixed0 &= ~(CR0_PE | CR0_PG);
	if ((en->cr0 & fixed0) != fixed0 || (en->cr0 & ~CR0_FIXED1))
		return true;
	if ((en->cr0 & CR0_PG) && !(en->cr0 & CR0_PE))
		return true;
	if ((en->cr4 & CR4_FIXED0) != CR4_FIXED0 || (en->cr4 & ~CR4_FIXED1))
		return true;
	if (beyond(en->cr3, s->l1_maxphyaddr))
		return true;
	if (ia32e && (!(en->cr0 & CR0_PG) || !(en->cr4 & CR4_PAE)))
		return true;
	if ((en->flags & NEPT_ENF_LOAD_DEBUG) &&
	    ((en->dr7 >> 32) || (en->debugctl & ~debugctl_valid)))
		return true;
	if ((en->flags & NEPT_ENF_LOAD_PAT) && !nept_pat_valid(en->pat))
		return true;
	if ((en->flags & NEPT_ENF_LOAD_EFER) &&
	    ((en->efer & ~NEPT_EFER_VALID) ||
	     ia32e != !!(en->efer & NEPT_EFER_LMA) ||
	     ((en->cr0 & CR0_PG) && ia32e != !!(en->efer & NEPT_EFER_LME))))
		return true;
	return en->activity > 3 || !(ACTIVITY_SUPPORTED & (1u << en->activity));
}

/* SDM 26.3.1.1: CR4.PCIDE needs IA-32e mode (code 0 too). */
static bool pcide_check_fails(const struct nept_scenario *s)
{
	const struct nept_vmentry *en = &s->entry;

	return !(en->flags & NEPT_ENF_IA32E) && (en->cr4 & CR4_PCIDE);
}

enum read_result {
	READ_OK,
	READ_FAILS,
	READ_UNBACKED
};

/* Facts §13.2: the VMCS link pointer (code 4). */
static enum read_result link_ptr_check(const struct nept_scenario *s,
				       const struct model_state *st)
{
	const struct nept_vmentry *en = &s->entry;
	uint64_t q;
	uint32_t hdr;

	if (en->link_ptr == ~0ull)
		return READ_OK;
	if ((en->link_ptr & 0xfff) || beyond(en->link_ptr, s->l1_maxphyaddr))
		return READ_FAILS;
	if (!nept_mem_read(&st->mem, en->link_ptr, &q))
		return READ_UNBACKED;
	hdr = (uint32_t)q;
	if ((hdr & 0x7fffffffu) != VMCS_REVISION ||
	    !(hdr >> 31) != !(en->flags & NEPT_ENF_SHADOW_VMCS))
		return READ_FAILS;
	return READ_OK;
}

/* Facts §13.2, §7.4: the PDPTEs of a PAE guest (code 2), from the
 * guest-PDPTE fields with EPT, else from memory at CR3. */
static enum read_result pdpte_check(const struct nept_scenario *s,
				    const struct model_state *st)
{
	const struct nept_vmentry *en = &s->entry;
	uint64_t rsvd = 0x1e6ull, pdpte;
	uint64_t base = nept_pae_pdpt_base(en->cr3);

	if (!nept_vmentry_pae(en))
		return READ_OK;
	if (s->l1_maxphyaddr < 64)
		rsvd |= ~0ull << s->l1_maxphyaddr;
	if (st->hooks && st->hooks->pdpt_base)
		base = st->hooks->pdpt_base(st->hooks->ctx, base, en->cr3);
	for (unsigned i = 0; i < 4; i++) {
		if (en->flags & NEPT_ENF_EPT)
			pdpte = en->pdpte[i];
		else if (!nept_mem_read(&st->mem, base + 8 * i, &pdpte))
			return READ_UNBACKED;
		if ((pdpte & 1) && (pdpte & rsvd))
			return READ_FAILS;
	}
	return READ_OK;
}

/* Facts §13.3 items 1-5: entries that fail whatever their value. */
static bool entry_refused(uint32_t index, uint32_t reserved)
{
	return index == NEPT_MSR_FS_BASE || index == NEPT_MSR_GS_BASE ||
	       (index >> 8) == 0x8 || index == NEPT_MSR_SMM_MONITOR_CTL ||
	       index == NEPT_MSR_BIOS_UPDT_TRIG ||
	       index == NEPT_MSR_BIOS_SIGN_ID || reserved;
}

/* An entry that loaded index: its value is what RDMSR reads after, unless
 * a later entry loads the same MSR. */
static void msr_loaded(struct nept_outcome *out, uint32_t index, uint64_t value)
{
	unsigned i = 0;

	while (i < out->n_msrs && out->msr[i].index != index)
		i++;
	if (i == NEPT_MAX_MSR_LOAD)
		return; /* cannot be: one per entry at most */
	out->msr[i] = (struct nept_msr_value){ index, 1, value };
	if (i == out->n_msrs)
		out->n_msrs++;
}

/* Facts §13.1 step 3: loads the MSR-load area, entry by entry. */
static void load_msrs(const struct nept_scenario *s,
		      const struct model_state *st, struct nept_outcome *out)
{
	const struct nept_vmentry *en = &s->entry;
	bool paging = en->cr0 & CR0_PG;
	/* SDM 26.3.2.1: with CR0.PG = 1, EFER.LME is "IA-32e mode guest"
	 * after the guest state is loaded (load-efer: checked equal). */
	bool lme = en->flags & NEPT_ENF_IA32E, known;
	/* The guest's IA32_EFER when the loading starts (SDM 26.3.2.1:
	 * vmcs12's with load-efer, else L1's with LMA and LME from "IA-32e
	 * mode guest"), for a prediction's eyes only (entry_wrmsr). */
	uint64_t ia32e_bits = NEPT_EFER_LMA | NEPT_EFER_LME,
		 efer = en->flags & NEPT_ENF_LOAD_EFER
				? en->efer
				: (L1_EFER & ~ia32e_bits) |
					  (en->flags & NEPT_ENF_IA32E
						   ? ia32e_bits
						   : 0);

	for (unsigned i = 0; i < en->msr_count; i++) {
		uint64_t at = en->msr_addr + 16ull * i, lo, value;
		bool faults;

		if (!nept_mem_read(&st->mem, at, &lo) ||
		    !nept_mem_read(&st->mem, at + 8, &value)) {
			undefined_for(out, NEPT_TOL_ENTRY_UNBACKED);
			return;
		}
		if (entry_refused((uint32_t)lo, (uint32_t)(lo >> 32))) {
			exit_for(out, NEPT_EXIT_ENTRY_FAIL_MSR, i + 1ull);
			return;
		}
		faults = nept_wrmsr_faults((uint32_t)lo, value, paging, &lme,
					   &known);
		if (!known) {
			undefined_for(out, NEPT_TOL_ENTRY_MSR_UNMODELLED);
			return;
		}
		if (st->hooks && st->hooks->entry_wrmsr) {
			struct model_wrmsr w = { (uint32_t)lo, value, en->cr4,
						 efer };

			faults = st->hooks->entry_wrmsr(st->hooks->ctx, faults,
							&w);
		}
		if (faults) {
			exit_for(out, NEPT_EXIT_ENTRY_FAIL_MSR, i + 1ull);
			return;
		}
		/* WRMSR to IA32_EFER ignores LMA (facts §13.3). */
		if ((uint32_t)lo == NEPT_MSR_EFER)
			efer = (value & ~NEPT_EFER_LMA) |
			       (efer & NEPT_EFER_LMA);
		/* What RDMSR reads back after the entry, should it succeed
		 * (docs/sdm-rules.md §13.3); exit_for keeps, on exit 34, the
		 * MSRs host-state loading leaves alone. */
		if (nept_msr_read_back((uint32_t)lo, false)) {
			uint64_t kept =
				(uint32_t)lo == NEPT_MSR_EFER ? efer : value;

			if (st->hooks && st->hooks->entry_msr_value) {
				struct model_wrmsr w = { (uint32_t)lo, value,
							 en->cr4, efer };

				kept = st->hooks->entry_msr_value(
					st->hooks->ctx, kept, &w);
			}
			msr_loaded(out, (uint32_t)lo, kept);
		}
	}
	/* Facts §13.1 step 4: the guest runs; no access, so no address
	 * reached either. */
	out->kind = NEPT_OUT_NONE;
	out->undefined |=
		NEPT_F_GPA | NEPT_F_GLA | NEPT_F_GLA_VALID | NEPT_F_TRANSLATED;
}

void model_vm_entry(const struct nept_scenario *s, struct model_state *st,
		    struct nept_outcome *out, struct model_trace *t)
{
	const struct nept_vmentry *en = &s->entry;
	enum read_result link = link_ptr_check(s, st);
	enum read_result pdpte = pdpte_check(s, st);
	uint8_t codes[4], n = 0, late[2], nlate = 0;
	bool nmi_sti, may_enter;
	/* Rules a prediction checks after the MSR loading (deviations/;
	 * the SDM checks every rule first). */
	unsigned after = st->hooks && st->hooks->entry_late
				 ? st->hooks->entry_late(st->hooks->ctx)
				 : 0;
	bool pcide = pcide_check_fails(s),
	     pcide_late = pcide && (after & MODEL_ENTRY_LATE_PCIDE),
	     pdpte_late = pdpte == READ_FAILS && (en->flags & NEPT_ENF_EPT) &&
			  (after & MODEL_ENTRY_LATE_PDPTE_FIELDS);

	out->from_hardware = -1;
	out->pml_index = st->pml_index;
	t->rule = controls_invalid(s);
	if (t->rule) {
		out->kind = NEPT_OUT_VMFAIL;
		out->has_error_code = 1;
		out->error_code = VMXERR_ENTRY_INVALID_CONTROLS;
		return;
	}
	/* Facts §13.2: the guest-state checks, each failing one a code;
	 * with several, any of them (the SDM does not order them). */
	if (default_check_fails(s, st) || (pcide && !pcide_late))
		codes[n++] = ENTRY_FAIL_DEFAULT;
	else if (pcide_late)
		late[nlate++] = ENTRY_FAIL_DEFAULT;
	if (pdpte_late)
		late[nlate++] = ENTRY_FAIL_PDPTE;
	else if (pdpte == READ_FAILS)
		codes[n++] = ENTRY_FAIL_PDPTE;
	if (link == READ_FAILS)
		codes[n++] = ENTRY_FAIL_LINK_PTR;
	nmi_sti = (en->flags & NEPT_ENF_INJECT_NMI) &&
		  (en->flags & NEPT_ENF_STI_BLOCKING);
	if (nmi_sti)
		codes[n++] = ENTRY_FAIL_NMI_STI;
	if (link == READ_UNBACKED || pdpte == READ_UNBACKED) {
		undefined_for(out, NEPT_TOL_ENTRY_UNBACKED);
		return;
	}
	/* One outcome per code; code 3 alone may also be no failure, and
	 * then the entry goes on (choice n). */
	may_enter = n == 1 && nmi_sti;
	t->alts = (uint8_t)(n ? n - 1 + may_enter : 0);
	if (nmi_sti)
		out->tolerances |= 1u << NEPT_TOL_ENTRY_NMI_STI;
	if (n - nmi_sti > 1)
		out->tolerances |= 1u << NEPT_TOL_ENTRY_CHECK_ORDER;
	if (n && st->choice < n) {
		exit_for(out, NEPT_EXIT_ENTRY_FAIL_GUEST, codes[st->choice]);
		return;
	}
	load_msrs(s, st, out);
	/* The rules left for after the MSRs, where those all loaded: one
	 * outcome per failing rule, in any order. */
	if (nlate && !n && out->kind == NEPT_OUT_NONE &&
	    out->undefined != NEPT_F_ALL) {
		t->alts = (uint8_t)(nlate - 1);
		exit_for(out, NEPT_EXIT_ENTRY_FAIL_GUEST,
			 late[st->choice < nlate ? st->choice : 0]);
		out->undefined &= ~NEPT_F_TRANSLATED;
	}
}
