// SPDX-License-Identifier: GPL-2.0-only
/*
 * The model's named tolerances: each is a place where the SDM lets hardware
 * give more than one answer.  Names are stable (reports, known-divergence
 * files and JSON use them); the reason cites the facts sheet.
 */
#include "impl.h"

static const struct {
	const char *name, *reason;
} tolerances[NEPT_TOL_COUNT] = {
	[NEPT_TOL_QUAL_BIT6_NO_MBEC] = {
		"qual-bit6-without-mbec",
		"exit-qualification bit 6 is undefined when MBEC is off (facts §6)",
	},
	[NEPT_TOL_QUAL_ADV_UNDEFINED] = {
		"qual-bits9-11-undefined",
		"bits 9-11 are defined only for the final GPA (bits 7 and 8 set) "
		"with advanced VM-exit information, cap bit 22 (facts §6, §6.4)",
	},
	[NEPT_TOL_QUAL_RMW_READ] = {
		"qual-rmw-read-bit",
		"bit 0 of a read-modify-write (a guest A/D flag write) is "
		"implementation-specific (facts §5.5, §6.2)",
	},
	[NEPT_TOL_GLA_UNDEFINED] = {
		"gla-undefined",
		"the guest-linear-address field is undefined for EPT "
		"misconfigurations, exits other than EPT violations, and when "
		"bit 7 is 0 (facts §4, §7.1)",
	},
	[NEPT_TOL_AD_ON_FAULTING_WALK] = {
		"ept-accessed-on-faulting-walk",
		"hardware may set EPT accessed flags on entries of a walk that then "
		"faults (facts §5.3; kvm-userspace note)",
	},
	[NEPT_TOL_UNBACKED_TABLE] = {
		"ept-table-unbacked",
		"an EPT entry lies where L1 has no memory; the SDM does not say what "
		"such a read returns, so the whole outcome is undefined",
	},
	[NEPT_TOL_QUAL_BIT12_UNDEFINED] = {
		"qual-bit12-undefined",
		"bit 12 (NMI unblocking due to IRET) is undefined with NMI exiting "
		"= 1 and virtual NMIs = 0, and for exits during event delivery "
		"(facts §6.3, §7.2)",
	},
	[NEPT_TOL_PML_QUAL_UNDEFINED] = {
		"pml-full-qual-undefined",
		"a PML-full exit defines only bit 12 of its qualification "
		"(facts §7.2)",
	},
	[NEPT_TOL_AD_FINAL_ORDER] = {
		"guest-ad-vs-final-gpa-order",
		"the SDM does not order guest A/D-flag writes against the final GPA "
		"access or among themselves: each failing one may be the first to "
		"fault (an outcome each), and the effects of those that succeed are "
		"allowed, not required (facts §5.4, §12 item 1)",
	},
	[NEPT_TOL_L2_UNBACKED] = {
		"l2-table-unbacked",
		"a guest paging-structure entry or the PML log lies where L1 has "
		"no memory; the SDM does not say what the access returns",
	},
	[NEPT_TOL_PML_LOG_ON_WALK] = {
		"pml-log-on-walk",
		"the PML log entry is written over an EPT entry the same walk uses; "
		"the SDM does not order the log write and the accessed/dirty "
		"updates of that location, so either order's outcome (facts §5.3, "
		"§7.2)",
	},
	[NEPT_TOL_EXIT_OWNER] = {
		"exit-owner-unmodelled",
		"whether L1 or L0 gets the emulated event's exit is not decided "
		"by the model (a #PF or NMI L1 does not intercept, CR8, "
		"an unbacked I/O-bitmap byte, another exit reason; facts §15), "
		"or a #PF exit on a wider host the processor would not raise "
		"(facts §14)",
	},
	[NEPT_TOL_EPT_CACHED] = {
		"ept-translation-cached",
		"the event's own writes changed EPT12 entries a later "
		"translation of the same event uses; that translation may come "
		"from what the processor cached before the change: either "
		"outcome, every walk from memory as it is or as the event found "
		"it (facts §5.7)",
	},
	[NEPT_TOL_ENTRY_UNBACKED] = {
		"entry-memory-unbacked",
		"VM entry reads L1 memory with no page behind it (the MSR-load "
		"area, the VMCS link pointer's target, the PDPTEs at CR3); the "
		"SDM does not say what the read returns (facts §13.2, §13.3)",
	},
	[NEPT_TOL_ENTRY_NMI_STI] = {
		"entry-nmi-sti-blocking",
		"an NMI injected into a guest with blocking by STI may fail VM "
		"entry with qualification 3 or enter: implementation-specific "
		"(facts §7.4, §13.2)",
	},
	[NEPT_TOL_ENTRY_CHECK_ORDER] = {
		"entry-check-order",
		"several guest-state checks of one VM entry fail and the SDM "
		"performs them in any order: the exit-33 qualification may be "
		"the code of any (facts §13.1)",
	},
	[NEPT_TOL_ENTRY_MSR_UNMODELLED] = {
		"entry-msr-unmodelled",
		"an MSR-load entry names an MSR outside the closed set the model "
		"knows; whether loading it faults depends on the MSRs the CPU "
		"implements (facts §13.3)",
	},
	[NEPT_TOL_PF_EXIT_EPT_AD] = {
		"pf-exit-ept-ad-earlier",
		"a #PF exit the processor raised on a host wider than L1 read "
		"L2's tables through L0's shadow of EPT12; L0 set their EPT12 "
		"A/D flags (and PML entries) when it built it, before the exit "
		"or now: allowed, not required (facts §5.3, §14)",
	},
	[NEPT_TOL_INSN_UNMODELLED] = {
		"insn-unmodelled",
		"L2's instruction at RIP is not one of the MOV moffs forms the "
		"model executes, or its bytes are where L1 has no memory: the "
		"whole outcome is undefined (docs/sdm-rules.md §16)",
	},
	[NEPT_TOL_INSN_ACCESS_SPLIT] = {
		"insn-access-spans-pages",
		"the instruction's data access spans two pages or wraps its "
		"address space: the SDM orders neither translation, so the "
		"whole outcome is undefined (docs/sdm-rules.md §16)",
	},
};

unsigned long nept_tolerance_count[NEPT_TOL_COUNT];

const char *nept_tolerance_name(unsigned tol)
{
	return tol < NEPT_TOL_COUNT ? tolerances[tol].name : "?";
}

const char *nept_tolerance_reason(unsigned tol)
{
	return tol < NEPT_TOL_COUNT ? tolerances[tol].reason : "?";
}

void nept_count_tolerances(const struct nept_result *r)
{
	for (unsigned i = 0; i < r->nevents; i++)
		for (unsigned t = 0; t < NEPT_TOL_COUNT; t++)
			if (r->event[i].tolerances & (1u << t))
				nept_tolerance_count[t]++;
}

const char *nept_outcome_kind_name(unsigned kind)
{
	static const char *const names[NEPT_OUT_KIND_COUNT] = {
		"none", "exit", "exception", "unsupported", "vmfail"
	};
	return kind < NEPT_OUT_KIND_COUNT ? names[kind] : "?";
}
