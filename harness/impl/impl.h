/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One interface for every implementation: the SDM model, each KVM version,
 * anything added later.  An implementation is a name, what it can express,
 * and run(scenario) -> one outcome per event.  The driver never knows which
 * module it talks to (architecture note, "Data flow").
 */
#ifndef NEPT_IMPL_H
#define NEPT_IMPL_H

#include <stdbool.h>
#include <stdio.h>

#include "scenario.h"

/*
 * Named tolerances: where the SDM allows several answers, the model says
 * which fields or bits may differ and why (tolerance.c holds the table).
 * Bit numbers are stable: they are counted per run and named in reports.
 */
enum nept_tolerance {
	/* Exit-qual bit 6 is undefined when MBEC = 0 (facts §6). */
	NEPT_TOL_QUAL_BIT6_NO_MBEC = 0,
	/* Exit-qual bits 9-11 are undefined unless bit 7 = bit 8 = 1 and L1
	 * has cap bit 22 (facts §6, §6.4). */
	NEPT_TOL_QUAL_ADV_UNDEFINED,
	/* Bit 0 of a read-modify-write's qualification (a guest A/D flag
	 * write) is implementation-specific (facts §5.5, §6.2). */
	NEPT_TOL_QUAL_RMW_READ,
	/* The guest-linear-address field is undefined when bit 7 = 0 and for
	 * exits other than EPT violations (facts §4, §7.1). */
	NEPT_TOL_GLA_UNDEFINED,
	/* Hardware may set EPT accessed flags on entries of a walk that then
	 * faults (kvm-userspace note, "Pitfalls"): the A/D writes of a faulting
	 * walk may include accessed flags on the entries it read. */
	NEPT_TOL_AD_ON_FAULTING_WALK,
	/* The walk read an EPT entry at an address with no memory behind it:
	 * the SDM does not say what such a read returns (an abort on real
	 * hardware), so every field is undefined. */
	NEPT_TOL_UNBACKED_TABLE,
	/* Exit-qual bit 12 (EPT violation, PML full) is undefined with NMI
	 * exiting = 1 and virtual NMIs = 0, and when the exit happens during
	 * event delivery (facts §6.3, §7.2). */
	NEPT_TOL_QUAL_BIT12_UNDEFINED,
	/* A PML-full exit defines only bit 12 of its qualification (facts
	 * §7.2). */
	NEPT_TOL_PML_QUAL_UNDEFINED,
	/* The SDM does not order guest A/D-flag writes against the final
	 * GPA access or among themselves (facts §5.4, §12 item 1): each
	 * failing access may be the first (one outcome each), and those that
	 * succeed may have been done before it. */
	NEPT_TOL_AD_FINAL_ORDER,
	/* A guest paging-structure entry or the PML log lies where L1 has no
	 * memory (behind an EPT12 mapping): what the access does is not the
	 * SDM's to say. */
	NEPT_TOL_L2_UNBACKED,
	/* The PML log entry lands on an EPT entry the same walk uses: the
	 * log write and the walk's accessed/dirty updates then write one
	 * location, in an order the SDM does not give (facts §5.3, §7.2):
	 * two outcomes. */
	NEPT_TOL_PML_LOG_ON_WALK,
	/* Who gets an emulated event's exit is not decided by the model
	 * (facts §15): a #PF or NMI exit L1's controls do not ask for,
	 * CR8 and MOV from CR0/CR4, an I/O bitmap byte with no memory behind
	 * it, or an exit reason whose controls the scenario does not have;
	 * or (facts §14) a #PF exit on a wider host that the processor's own
	 * walk would not raise. */
	NEPT_TOL_EXIT_OWNER,
	/* The event's own writes changed EPT12 entries a later translation
	 * of the same event uses: that translation may come from what the
	 * processor cached before (facts §5.7): two outcomes, every walk
	 * from memory as it is, or as it was when the event began. */
	NEPT_TOL_EPT_CACHED,
	/* A VM entry reads L1 memory that has no page behind it: the MSR-load
	 * area, the 32 bits at the VMCS link pointer, the PDPTEs at CR3 with
	 * EPT off (facts §13.2, §13.3): what the read returns is not the
	 * SDM's to say, so the whole outcome is undefined. */
	NEPT_TOL_ENTRY_UNBACKED,
	/* Injecting an NMI into a guest with blocking by STI may fail VM entry
	 * with qualification 3 or enter (implementation-specific, facts
	 * §7.4, §13.2): both outcomes. */
	NEPT_TOL_ENTRY_NMI_STI,
	/* Several guest-state checks of one VM entry fail: the SDM lets them
	 * run in any order, so the exit-33 qualification may be the code of
	 * any (facts §13.1): one outcome per code. */
	NEPT_TOL_ENTRY_CHECK_ORDER,
	/* An MSR-load entry names an MSR outside the closed set the model
	 * knows (facts §13.3): whether WRMSR of it faults depends on the
	 * MSRs the CPU implements, so the outcome is undefined from there. */
	NEPT_TOL_ENTRY_MSR_UNMODELLED,
	/* A #PF exit the processor raised itself on a host wider than L1
	 * (facts §14): its walk read L2's tables through L0's shadow of
	 * EPT12, and L0 set EPT12's accessed and dirty flags (and logged
	 * PML entries) for them when it built that shadow, before the exit
	 * or in this event: the walk's EPT12 writes are allowed, not
	 * required, and the guest PML index may be either. */
	NEPT_TOL_PF_EXIT_EPT_AD,
	/* L2's instruction at RIP (docs/sdm-rules.md §16) is not one the
	 * model decodes, or its bytes are where L1 has no memory: what it
	 * does is not the model's to say, so the whole outcome is
	 * undefined. */
	NEPT_TOL_INSN_UNMODELLED,
	/* The instruction's data access spans two pages (or leaves its
	 * address space): the SDM does not order the two translations, nor
	 * say which fault a wrapping access raises, so the whole outcome is
	 * undefined. */
	NEPT_TOL_INSN_ACCESS_SPLIT,
	NEPT_TOL_COUNT
};

/* Fields of an outcome, for "undefined" masks and divergence reports. */
enum nept_field {
	NEPT_F_KIND = 1u << 0,
	NEPT_F_REASON = 1u << 1,
	NEPT_F_QUAL = 1u << 2,
	NEPT_F_GPA = 1u << 3,
	NEPT_F_GLA = 1u << 4,
	NEPT_F_GLA_VALID = 1u << 5,
	NEPT_F_VECTOR = 1u << 6,
	NEPT_F_ERROR_CODE = 1u << 7,
	NEPT_F_FROM_HW = 1u << 8,
	NEPT_F_TRANSLATED = 1u << 9,
	NEPT_F_AD_WRITES = 1u << 10,
	NEPT_F_WARNS = 1u << 11,
	NEPT_F_PML_INDEX = 1u << 12,
	NEPT_F_MSRS = 1u << 13,
	NEPT_F_ALL = (1u << 14) - 1,
};

/* Distinct qwords one event writes: a 5-level L2 walk makes 6 EPT12
 * accesses of up to 5 entries each, 5 guest flag writes and a PML entry per
 * dirtied leaf, each walk again after a retry: 48 holds them.  More is
 * never dropped quietly: the outcome says writes_lost. */
#define NEPT_MAX_AD_WRITES 48

/* An MSR as RDMSR reads it after a VM entry that loaded it (facts §13.3). */
struct nept_msr_value {
	uint32_t index;
	uint32_t readable; /* 0: the read faulted (an implementation's) */
	uint64_t val;
};

struct nept_ad_write {
	uint64_t gpa; /* the qword written */
	uint64_t old, val;
	/* Allowed, not required (a tolerance, e.g. A flags on a faulting
	 * walk): another implementation may or may not do it. */
	uint8_t optional;
	/* In a required write, bits that are allowed but not required (an
	 * optional write merged into it where tables alias). */
	uint64_t may_bits;
};

/* Fixed-size, self-describing: everything L1 or L2 would observe. */
struct nept_outcome {
	uint8_t kind; /* enum nept_outcome_kind */
	uint8_t gla_valid;
	int8_t from_hardware; /* -1: the implementation has no such notion */
	uint8_t vector;
	uint8_t has_error_code;
	uint8_t n_ad_writes;
	/* More qwords were written than ad_write holds: the event cannot be
	 * compared (the diff counts it, never passes it). */
	uint8_t writes_lost;
	/* A VM entry (success or exit 34): the MSRs of msr[] (docs/
	 * sdm-rules.md §13.3, "what the loading leaves"). */
	uint8_t n_msrs;
	uint16_t reason;    /* basic exit reason */
	uint16_t pml_index; /* vmcs12's guest PML index after the event */
	uint32_t error_code;
	uint32_t warns; /* KVM WARN_ON / KVM_BUG_ON fired during the event */
	uint32_t tolerances; /* 1u << enum nept_tolerance */
	uint32_t undefined;  /* enum nept_field: any value accepted */
	uint64_t qual;
	uint64_t qual_undefined; /* qualification bits any value accepted */
	uint64_t gpa;
	uint64_t gla;
	uint64_t translated; /* NONE: the L1-physical address reached */
	/* UNSUPPORTED: what could not be expressed.  The model: the rule
	 * behind an EPT misconfiguration, which names kind differences. */
	char note[80];
	/* Last: only the first n_ad_writes are meaningful, and the hot paths
	 * clear and copy only those (nept_outcome_clear, _copy). */
	struct nept_ad_write ad_write[NEPT_MAX_AD_WRITES];
	/* Only the first n_msrs are meaningful; after ad_write, so that the
	 * hot paths' prefix stays as short as it was. */
	struct nept_msr_value msr[NEPT_MAX_MSR_LOAD];
};

/* memset(o, 0, sizeof(*o)) as far as it matters: the entries of ad_write
 * past n_ad_writes (0 now) are never read. */
static inline void nept_outcome_clear(struct nept_outcome *o)
{
	memset(o, 0, offsetof(struct nept_outcome, ad_write));
}

/* *dst = *src, the writes in use only. */
static inline void nept_outcome_copy(struct nept_outcome *dst,
				     const struct nept_outcome *src)
{
	memcpy(dst, src,
	       offsetof(struct nept_outcome, ad_write) +
		       src->n_ad_writes * sizeof(src->ad_write[0]));
	if (src->n_msrs)
		memcpy(dst->msr, src->msr, src->n_msrs * sizeof(src->msr[0]));
}

/* Whether two outcomes say the same, field for field. */
static inline bool nept_outcome_same(const struct nept_outcome *a,
				     const struct nept_outcome *b)
{
	return !memcmp(a, b, offsetof(struct nept_outcome, ad_write)) &&
	       !memcmp(a->ad_write, b->ad_write,
		       a->n_ad_writes * sizeof(a->ad_write[0])) &&
	       !memcmp(a->msr, b->msr, a->n_msrs * sizeof(a->msr[0]));
}

struct nept_result {
	uint8_t nevents;
	struct nept_outcome event[NEPT_MAX_EVENTS];
};

struct nept_impl {
	const char *name;    /* "model", "kvm-6.12.117", ... */
	const char *version; /* what it is built from, for people */
	/*
	 * KVM modules: the kernel series ("6.12") and full version
	 * ("6.12.117") of the tree, and the probes of kvm/recipe.txt that
	 * hold for it, space-separated ("from_hardware regs_h ...").  NULL
	 * for the model.
	 */
	const char *series, *kernel_version, *probes;
	/*
	 * Scenario capabilities this implementation can express (enum
	 * nept_cap); a scenario that uses others is unsupported as a whole.
	 */
	uint32_t caps;
	/* Runs every event in order on a private copy of the scenario. */
	void (*run)(const struct nept_scenario *s, struct nept_result *out);
	/* Optional: what it is built from, for `neptfuzz targets` (kernel
	 * version, package, tarball checksum, extracted functions). */
	void (*describe)(FILE *f);
};

/* Every module linked into this binary, model first, then KVM modules in
 * version order (impl_registry.c). */
extern const struct nept_impl *const nept_impls[];
extern const unsigned nept_nimpls;
#define NEPT_MAX_IMPLS 16 /* the model and up to 15 kernel trees */
/* Kernel trees NEPT_ALLOW_MISSING let go, "kvm-X: why"; NULL-terminated. */
extern const char *const nept_missing[];
/* The module named exactly so, or NULL. */
const struct nept_impl *nept_impl_find(const char *name);
/*
 * A module by name or by its series alias ("kvm-6.12": the newest module of
 * series 6.12 in this binary), or NULL (impl.c).
 */
const struct nept_impl *nept_impl_resolve(const char *name);
/* Orders kernel versions ("6.12.107" < "6.12.117" < "7.2.13"): <0, 0, >0. */
int nept_version_cmp(const char *a, const char *b);
/* Whether a probe (kvm/recipe.txt) holds for a module's tree. */
bool nept_impl_has_probe(const struct nept_impl *impl, const char *probe);

/* Tolerances: names and reasons (tolerance.c). */
const char *nept_tolerance_name(unsigned tol);
const char *nept_tolerance_reason(unsigned tol);

/* Process-wide counters, reported by the fuzzer's summary. */
extern unsigned long nept_tolerance_count[NEPT_TOL_COUNT];
void nept_count_tolerances(const struct nept_result *r);

const char *nept_outcome_kind_name(unsigned kind);

#endif
