/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The scenario: everything one run of an implementation (the SDM model or a
 * KVM version) needs, in one fixed-size struct.  It is decoded from bytes
 * (scenario_bin.c, for the engines) or from text (scenario_text.c, for
 * people); both encodings describe exactly this struct, so a scenario
 * converts between them without loss.
 *
 * Nothing here allocates: the struct is its own arena.  Limits are chosen so
 * a 5-level walk for every event fits with room to alias and share tables.
 */
#ifndef NEPT_SCENARIO_H
#define NEPT_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arch.h"

#define NEPT_SCENARIO_VERSION 1

#define NEPT_MAX_PAGES 64   /* backed 4-KiB pages of L1 guest-physical memory */
#define NEPT_MAX_QWORDS 256 /* nonzero 8-byte words in those pages */
#define NEPT_MAX_EVENTS 8

/*
 * Capabilities L1 sees in IA32_VMX_EPT_VPID_CAP and the secondary controls
 * (facts §2.1, §2.2).  The bit values are ours, stable: the binary format
 * stores them as is.
 */
enum nept_cap {
	NEPT_CAP_EXEC_ONLY = 1u << 0, /* EPT_VPID_CAP bit 0 */
	NEPT_CAP_PAGE_2M = 1u << 1,   /* bit 16 */
	NEPT_CAP_PAGE_1G = 1u << 2,   /* bit 17 */
	NEPT_CAP_WALK4 = 1u << 3,     /* bit 6 */
	NEPT_CAP_WALK5 = 1u << 4,     /* bit 7 */
	NEPT_CAP_AD = 1u << 5,	      /* bit 21 */
	NEPT_CAP_ADV_INFO = 1u << 6,  /* bit 22: exit-qual bits 9-11 */
	NEPT_CAP_MBEC = 1u << 7,      /* secondary control bit 22, enabled */
	NEPT_CAP_UC = 1u << 8,	      /* bit 8: EPTP memory type UC allowed */
	NEPT_CAP_WB = 1u << 9,	      /* bit 14: EPTP memory type WB allowed */
	NEPT_CAP_ALL = (1u << 10) - 1,
};

/*
 * What the default scenario advertises: what every KVM version under test
 * offers L1, so a default scenario compares on all of them.  MBEC and
 * advanced VM-exit information (cap bit 22) came with Linux 7.2; scenarios
 * ask for them by name.
 */
#define NEPT_CAPS_DEFAULT                                           \
	(NEPT_CAP_EXEC_ONLY | NEPT_CAP_PAGE_2M | NEPT_CAP_PAGE_1G | \
	 NEPT_CAP_WALK4 | NEPT_CAP_AD | NEPT_CAP_WB)

#define NEPT_MAXPHYADDR_MIN 32
#define NEPT_MAXPHYADDR_MAX 52
#define NEPT_MAXPHYADDR_DEFAULT 46

/* Where an event comes from (architecture note, "Events, in order"). */
enum nept_source {
	/* L2's access faulted in L0's shadow EPT; KVM gets the hardware
	 * EXIT_QUALIFICATION in hw_qual and walks EPT12. */
	NEPT_SRC_HW_VIOLATION = 0,
	/* KVM's MMIO path (an EPT misconfiguration in L0's tables), which may
	 * walk EPT12 again. */
	NEPT_SRC_HW_MISCONFIG = 1,
	/* KVM's emulator performs the access while the current exit is
	 * another one (exit_reason / exit_qual describe it in vmcs02). */
	NEPT_SRC_EMULATED = 2,
	/* Not an access: L1 executes VMLAUNCH/VMRESUME with the vmcs12 guest
	 * state in nept_scenario.entry (facts §13).  Always the last event:
	 * after a failed entry there is no L2 to run. */
	NEPT_SRC_VM_ENTRY = 3,
	NEPT_SRC_COUNT,
	/* The sources above that are an L2 access (the walks' events). */
	NEPT_SRC_ACCESS_COUNT = NEPT_SRC_VM_ENTRY,
};

enum nept_access {
	NEPT_ACC_READ = 0,
	NEPT_ACC_WRITE = 1,
	NEPT_ACC_FETCH = 2,
	NEPT_ACC_COUNT
};

/* Properties of one access (facts §5.2, §6.2, §6.4). */
enum nept_access_flag {
	/* The access is to a guest paging-structure entry (exit-qual bit 8 =
	 * 0); otherwise it is to the final translation of the linear
	 * address. */
	NEPT_AF_PAGING = 1u << 0,
	/* The paging-structure access writes a guest A or D flag (a write for
	 * EPT regardless of EPTP bit 6, facts §5.4).  Only with PAGING. */
	NEPT_AF_SETS_AD = 1u << 1,
	/* The linear address is user-mode: U/S = 1 in every guest paging
	 * entry that maps it (facts §5.2, §6.4).  Selects XU for MBEC
	 * fetches; reported in exit-qual bit 9. */
	NEPT_AF_USER = 1u << 2,
	/* The linear address maps a read/write page (exit-qual bit 10). */
	NEPT_AF_WRITABLE = 1u << 3,
	/* The linear address maps an execute-disable page (bit 11). */
	NEPT_AF_XD = 1u << 4,
	/* No guest-linear address (a PAE PDPTE load by MOV CR, facts §7.1):
	 * exit-qual bits 7 and 8 are 0.  Only with PAGING. */
	NEPT_AF_NO_GLA = 1u << 5,
	/* The access is part of executing IRET that unblocked NMIs (§6.3). */
	NEPT_AF_NMI_UNBLOCK = 1u << 6,
	/* An implicit supervisor access (GDT, IDT, LDT, TSS, facts §8.1):
	 * supervisor-mode whatever the CPL.  Only where L2's walk is done by
	 * the implementation (L2 paging on, source not hw-violation). */
	NEPT_AF_IMPLICIT = 1u << 7,
	NEPT_AF_ALL = (1u << 8) - 1, /* every bit of the flags byte */
};

/* The flags that L2 paging off (CR0.PG = 0) decides, never given then:
 * every address user-mode and writable, none execute-disable, no guest
 * paging structures (facts §6.4, §8.3). */
#define NEPT_AF_PAGING_OFF_DERIVED                                            \
	(NEPT_AF_PAGING | NEPT_AF_SETS_AD | NEPT_AF_USER | NEPT_AF_WRITABLE | \
	 NEPT_AF_XD | NEPT_AF_NO_GLA)

/* The flags L2's own walk decides when the implementation walks it. */
#define NEPT_AF_FROM_L2_WALK                                                  \
	(NEPT_AF_PAGING | NEPT_AF_SETS_AD | NEPT_AF_USER | NEPT_AF_WRITABLE | \
	 NEPT_AF_XD | NEPT_AF_NO_GLA)

/*
 * L2's paging mode (facts §8): how an L2 linear address becomes a
 * guest-physical one before EPT12 sees it.  With paging off the linear
 * address is the guest-physical address.
 */
enum nept_l2_paging {
	NEPT_L2_OFF = 0,    /* CR0.PG = 0 */
	NEPT_L2_32BIT = 1,  /* CR0.PG = 1, CR4.PAE = 0: 32-bit paging */
	NEPT_L2_PAE = 2,    /* CR4.PAE = 1, EFER.LMA = 0: PDPTE registers */
	NEPT_L2_4LEVEL = 3, /* EFER.LMA = 1, CR4.LA57 = 0 (64-bit mode) */
	NEPT_L2_5LEVEL = 4, /* EFER.LMA = 1, CR4.LA57 = 1 (64-bit mode) */
	NEPT_L2_PAGING_COUNT
};

/* A linear address as L2's mode holds it: the low 32 bits outside IA-32e
 * mode, canonical (48 or 57 bits) in it, any with paging off. */
static inline uint64_t nept_l2_linear(unsigned paging, uint64_t la)
{
	if (paging == NEPT_L2_32BIT || paging == NEPT_L2_PAE)
		return la & 0xffffffffull;
	if (paging == NEPT_L2_4LEVEL || paging == NEPT_L2_5LEVEL)
		return nept_canonical_at(la,
					 paging == NEPT_L2_5LEVEL ? 57 : 48);
	return la;
}

/* L2's control bits that change its walk (facts §8.2, §8.3). */
enum nept_l2_flag {
	NEPT_L2F_WP = 1u << 0,	 /* CR0.WP */
	NEPT_L2F_PSE = 1u << 1,	 /* CR4.PSE: 4-MiB pages (32-bit paging) */
	NEPT_L2F_NXE = 1u << 2,	 /* EFER.NXE */
	NEPT_L2F_SMEP = 1u << 3, /* CR4.SMEP */
	NEPT_L2F_SMAP = 1u << 4, /* CR4.SMAP */
	NEPT_L2F_PKE = 1u << 5,	 /* CR4.PKE, with pkru (4/5-level only) */
	NEPT_L2F_AC = 1u << 6,	 /* RFLAGS.AC: SMAP off for explicit
				  * supervisor accesses */
	NEPT_L2F_ALL = (1u << 7) - 1,
};

/*
 * L2's state at the start of the run, as vmcs12 holds it.  L2 runs on the
 * vCPU L1 was given, so its MAXPHYADDR is l1_maxphyaddr (KVM keeps one
 * CPUID per vCPU; reserved bits of L2's entries are checked against it,
 * facts §9 "Further nested rules").
 */
struct nept_l2 {
	uint8_t paging; /* enum nept_l2_paging */
	uint8_t cpl;	/* 0..3: user-mode accesses at CPL 3 (facts §8.1) */
	uint16_t flags; /* enum nept_l2_flag */
	uint32_t pkru;
	uint64_t cr3;	   /* L2-physical address of the root table */
	uint64_t pdpte[4]; /* PAE: vmcs12's guest-PDPTE fields (facts §7.1,
			    * §8.3: no EPT access at walk time) */
};

/* vmcs12 controls beyond EPT (facts §2.2, §6.3, §7.2, §10.3). */
enum nept_ctl_flag {
	NEPT_CTL_NMI_EXITING = 1u << 0,	 /* pin-based control bit 3 */
	NEPT_CTL_VIRTUAL_NMIS = 1u << 1, /* pin-based control bit 5 */
	NEPT_CTL_PML = 1u << 2,		 /* secondary control bit 17 */
	/* Which exits from L2 are L1's (facts §15). */
	NEPT_CTL_IO_EXITING = 1u << 3,	 /* primary bit 24: unconditional */
	NEPT_CTL_IO_BITMAPS = 1u << 4,	 /* primary bit 25: use I/O bitmaps */
	NEPT_CTL_DESC_EXITING = 1u << 5, /* secondary bit 2 */
	NEPT_CTL_CR3_LOAD = 1u << 6,	 /* primary bit 15 */
	NEPT_CTL_CR3_STORE = 1u << 7,	 /* primary bit 16 */
	NEPT_CTL_ALL = (1u << 8) - 1,
};

struct nept_controls {
	uint32_t exception_bitmap; /* bit n: exit on vector n (§10.3) */
	uint32_t pfec_mask, pfec_match;
	uint16_t flags;	      /* enum nept_ctl_flag */
	uint16_t pml_index;   /* guest PML index; outside 0..511: full */
	uint64_t pml_address; /* L1 GPA of the 4-KiB PML log */
	/* Facts §15: the I/O bitmaps A and B (L1 GPAs of 4-KiB pages, with
	 * NEPT_CTL_IO_BITMAPS), CR0/CR4 guest/host masks and read shadows,
	 * and the CR3-target values (the first cr3_target_count, 0..4). */
	uint64_t io_bitmap[2];
	uint64_t cr0_mask, cr0_shadow, cr4_mask, cr4_shadow;
	uint64_t cr3_target_count;
	uint64_t cr3_target[4];
};

/* Exit reasons the scenario names for "the current exit" (facts §0). */
enum nept_exit_reason {
	NEPT_EXIT_EXCEPTION_NMI = 0,
	NEPT_EXIT_TRIPLE_FAULT = 2,
	NEPT_EXIT_TASK_SWITCH = 9,
	NEPT_EXIT_CR_ACCESS = 28,
	NEPT_EXIT_IO_INSTRUCTION = 30,
	NEPT_EXIT_ENTRY_FAIL_GUEST = 33,
	NEPT_EXIT_ENTRY_FAIL_MSR = 34,
	NEPT_EXIT_GDTR_IDTR = 46,
	NEPT_EXIT_LDTR_TR = 47,
	NEPT_EXIT_EPT_VIOLATION = 48,
	NEPT_EXIT_EPT_MISCONFIG = 49,
	NEPT_EXIT_PML_FULL = 62,
};

/*
 * The vmcs12 fields a vm-entry event (NEPT_SRC_VM_ENTRY) runs VM entry
 * with (facts §13.2): L1 writes them after the last exit, so they are
 * independent of struct nept_l2, which describes L2 for the access events
 * before.  The VMX controls not here are those of the scenario (eptp, caps
 * MBEC, controls PML).  All 0 in a scenario without a vm-entry event.
 */
enum nept_entry_flag {
	NEPT_ENF_IA32E = 1u << 0,      /* entry control 9: IA-32e mode guest */
	NEPT_ENF_LOAD_DEBUG = 1u << 1, /* entry control 2: DR7, DEBUGCTL */
	NEPT_ENF_LOAD_PAT = 1u << 2,   /* entry control 14 */
	NEPT_ENF_LOAD_EFER = 1u << 3,  /* entry control 15 */
	NEPT_ENF_EPT = 1u << 4,	       /* secondary control 1: enable EPT */
	NEPT_ENF_UNRESTRICTED = 1u << 5, /* secondary control 7 */
	NEPT_ENF_SHADOW_VMCS = 1u << 6,	 /* secondary control 14 */
	/* L1's IA32_APIC_BASE.EXTD (x2APIC mode): the SDM's MSR-load rules
	 * do not depend on it (facts §13.3); KVM's do. */
	NEPT_ENF_X2APIC = 1u << 7,
	/* Entry interruption information: inject an NMI (type 2, vector 2). */
	NEPT_ENF_INJECT_NMI = 1u << 8,
	/* Guest interruptibility state bit 0: blocking by STI. */
	NEPT_ENF_STI_BLOCKING = 1u << 9,
	NEPT_ENF_ALL = (1u << 10) - 1,
};

/* VM-entry MSR-load entries a scenario may list (16 bytes each). */
#define NEPT_MAX_MSR_LOAD 16

struct nept_vmentry {
	uint16_t flags;	   /* enum nept_entry_flag */
	uint8_t msr_count; /* VM-entry MSR-load count, 0..NEPT_MAX_MSR_LOAD */
	uint8_t reserved;
	uint32_t activity; /* guest activity-state field */
	uint64_t cr0, cr3, cr4;
	uint64_t efer;	   /* with NEPT_ENF_LOAD_EFER */
	uint64_t pat;	   /* with NEPT_ENF_LOAD_PAT */
	uint64_t debugctl; /* with NEPT_ENF_LOAD_DEBUG */
	uint64_t dr7;	   /* with NEPT_ENF_LOAD_DEBUG */
	uint64_t link_ptr; /* VMCS link pointer; ~0: none */
	uint64_t pdpte[4]; /* guest-PDPTE fields (read with EPT on) */
	uint64_t msr_addr; /* VM-entry MSR-load address, in L1 memory */
};

/*
 * The 64-bit fields of struct nept_vmentry in the encodings' order (the
 * binary VM_ENTRY record, the text keys of `event vm-entry`): one list
 * for both codecs.
 */
struct nept_vmentry_qword {
	const char *key; /* the text key, "cr0" ... */
	size_t offset;	 /* in struct nept_vmentry */
};
#define NEPT_VMENTRY_QWORDS 13
extern const struct nept_vmentry_qword nept_vmentry_qwords[NEPT_VMENTRY_QWORDS];

static inline uint64_t *nept_vmentry_field(struct nept_vmentry *en, unsigned k)
{
	return (uint64_t *)((char *)en + nept_vmentry_qwords[k].offset);
}

static inline uint64_t nept_vmentry_get(const struct nept_vmentry *en,
					unsigned k)
{
	return *(const uint64_t *)((const char *)en +
				   nept_vmentry_qwords[k].offset);
}

/* A PAE guest (CR0.PG, CR4.PAE, not IA-32e mode): the entry checks its
 * PDPTEs, from the guest-PDPTE fields with EPT, else from the PDPT at
 * nept_pae_pdpt_base(cr3) (facts §13.2). */
static inline bool nept_vmentry_pae(const struct nept_vmentry *en)
{
	return (en->cr0 >> 31 & 1) && (en->cr4 & 0x20) &&
	       !(en->flags & NEPT_ENF_IA32E);
}

/* What an event does (an expectation names one; implementations report
 * one, struct nept_outcome in impl.h). */
enum nept_outcome_kind {
	NEPT_OUT_NONE = 0,	/* no exit, no exception: the access went on */
	NEPT_OUT_EXIT = 1,	/* VM exit to L1 */
	NEPT_OUT_EXCEPTION = 2, /* exception delivered to L2 */
	NEPT_OUT_UNSUPPORTED = 3, /* this implementation cannot express it */
	/* VMLAUNCH/VMRESUME failed without a VM exit (VMfailValid, facts
	 * §13.1): error_code holds the VM-instruction error number. */
	NEPT_OUT_VMFAIL = 4,
	NEPT_OUT_KIND_COUNT
};

/*
 * What the SDM says the outcome of an event is, written by the author of a
 * scenario (text `expect` lines); `neptfuzz eval --check` holds the model to
 * it.  Implementations never see it.
 */
enum nept_expect_field {
	NEPT_EXPECT_KIND = 1u << 0, /* always set when an expectation exists */
	NEPT_EXPECT_REASON = 1u << 1,
	NEPT_EXPECT_QUAL = 1u << 2,
	NEPT_EXPECT_GPA = 1u << 3,
	NEPT_EXPECT_GLA = 1u << 4,
	NEPT_EXPECT_TRANSLATED = 1u << 5,
	/* An exception delivered to L2, or an exit for one (§10.3). */
	NEPT_EXPECT_VECTOR = 1u << 6,
	NEPT_EXPECT_ERROR_CODE = 1u << 7,
	NEPT_EXPECT_ALL = (1u << 8) - 1,
};

struct nept_expect {
	uint16_t fields; /* enum nept_expect_field; 0: no expectation */
	uint8_t kind;	 /* enum nept_outcome_kind (impl.h) */
	uint8_t vector;
	uint16_t reason;
	uint32_t error_code;
	/* gla: for an exception delivered to L2, CR2 */
	uint64_t qual, gpa, gla, translated;
};

/*
 * What L1 memory holds after an event, as the author of a scenario reads
 * it from the SDM (text `expect qword` / `expect pml-entry` lines): EPT and
 * guest A/D flags, PML log entries; and after a VM entry, what RDMSR reads
 * of an MSR its MSR loading wrote (`expect msr`).  `neptfuzz eval --check`
 * holds the model to them, like struct nept_expect.
 */
#define NEPT_MAX_EXPECT_MEM 4

enum nept_expect_mem_kind {
	NEPT_EXPECT_QWORD = 1,	   /* the qword at addr holds value */
	NEPT_EXPECT_PML_ENTRY = 2, /* PML log slot index holds the GPA value */
	NEPT_EXPECT_MSR = 3,	   /* RDMSR of MSR addr reads value */
};

struct nept_expect_mem {
	uint8_t kind;	/* enum nept_expect_mem_kind */
	uint16_t index; /* PML_ENTRY: the slot, 0..511 (pml-address + 8 x N) */
	uint64_t addr;	/* QWORD: the L1-physical address, 8-aligned; MSR:
			 * the MSR's index */
	uint64_t value;
};

struct nept_event {
	uint8_t source; /* enum nept_source */
	uint8_t access; /* enum nept_access */
	uint8_t flags;	/* enum nept_access_flag */
	/* 0: none; else 1 + the vector of the hardware exception being
	 * delivered when the access happens (IDT-vectoring information,
	 * facts §10.2: the access's own fault is the second exception) */
	uint8_t during;
	uint16_t exit_reason; /* NEPT_SRC_EMULATED: the current exit */
	/* 1: rip below is given (hw-violation with L2 paging on): L2's
	 * instruction, which KVM's emulator fetches and decodes when it
	 * emulates the access (facts §14) */
	uint8_t has_rip;
	uint8_t reserved1;
	/* The L1-physical (L2 guest-physical) address; 0 where the
	 * implementation walks L2's tables (L2 paging on, source not
	 * hw-violation): the walk finds the addresses. */
	uint64_t gpa;
	uint64_t gla;	  /* the L2 linear address being translated */
	uint64_t hw_qual; /* NEPT_SRC_HW_VIOLATION: hardware's qualification */
	uint64_t exit_qual; /* NEPT_SRC_EMULATED: vmcs02's qualification */
	/* NEPT_SRC_EMULATED, the current exit's interruption information
	 * (exit exception-nmi: 1 + the vector, and the error code for the
	 * vectors that push one; facts §10.3) and, for a MOV to CR, the
	 * source operand in the register the qualification names (§15.4). */
	uint8_t exit_vector;
	uint32_t exit_error_code;
	uint64_t exit_value;
	/* With has_rip: L2's RIP, the linear address of the instruction
	 * whose access this is (CS base 0: docs/sdm-rules.md §16). */
	uint64_t rip;
	struct nept_expect expect;
	uint8_t nexpect_mem;
	struct nept_expect_mem expect_mem[NEPT_MAX_EXPECT_MEM];
};

struct nept_scenario;

/* The L1-physical qword a memory expectation reads. */
uint64_t nept_expect_mem_addr(const struct nept_scenario *s,
			      const struct nept_expect_mem *m);

/* Drops an event's expectations, of its outcome and of memory. */
static inline void nept_event_drop_expectations(struct nept_event *e)
{
	memset(&e->expect, 0, sizeof(e->expect));
	e->nexpect_mem = 0;
	memset(e->expect_mem, 0, sizeof(e->expect_mem));
}

struct nept_qword {
	uint64_t gpa; /* 8-byte aligned, inside a backed page */
	uint64_t val;
};

/*
 * L1 guest-physical memory, sparse: a set of backed pages and the nonzero
 * qwords in them (everything else in a backed page reads 0).  An address
 * outside every backed page is unbacked: there is no memory behind it.
 * Both arrays are kept sorted and unique (scenario_normalize).
 */
struct nept_mem {
	uint16_t npages;
	uint16_t nqwords;
	uint64_t page[NEPT_MAX_PAGES]; /* page-aligned GPAs */
	struct nept_qword qword[NEPT_MAX_QWORDS];
};

/* L0's configuration (KVM module parameters the SDM does not know of). */
enum nept_l0_flag {
	/* kvm.allow_smaller_maxphyaddr: KVM intercepts L2's #PF and
	 * checks faulting GPAs to give a smaller guest width (facts §14). */
	NEPT_L0F_ALLOW_SMALLER = 1u << 0,
	NEPT_L0F_ALL = (1u << 1) - 1,
};

/* The width the processor walks with (facts §14). */
static inline unsigned nept_host_maxphyaddr(const struct nept_scenario *s);

struct nept_scenario {
	uint32_t caps;	       /* enum nept_cap */
	uint8_t l1_maxphyaddr; /* physical-address width L1 sees (EPT12 checks) */
	/* The processor's own width (facts §14): 0 = l1_maxphyaddr, else
	 * l1_maxphyaddr..52.  It walks with it, so bits between the two
	 * widths reach L0 instead of faulting. */
	uint8_t host_maxphyaddr;
	uint8_t l0_flags; /* enum nept_l0_flag: how L0 is configured */
	uint8_t reserved;
	uint64_t eptp; /* vmcs12 EPT pointer, facts §1 */
	struct nept_l2 l2;
	struct nept_controls ctl;
	struct nept_vmentry entry; /* the vm-entry event's vmcs12 fields */
	struct nept_mem mem;
	uint8_t nevents;
	struct nept_event event[NEPT_MAX_EVENTS];
};

static inline unsigned nept_host_maxphyaddr(const struct nept_scenario *s)
{
	return s->host_maxphyaddr ? s->host_maxphyaddr : s->l1_maxphyaddr;
}

/* Facts §14: the width of the GPAs the processor's own walk of L2's
 * tables can reach (a hw-violation with L2 paging on): the host's, and
 * 32 bits for a PAE PDPTE load (at CR3). */
static inline unsigned nept_hw_walk_width(const struct nept_scenario *s,
					  const struct nept_event *e)
{
	return e->flags & NEPT_AF_NO_GLA ? 32 : nept_host_maxphyaddr(s);
}

/* Parse and validity errors: where and what, for people. */
struct nept_error {
	int line, col; /* text: 1-based; 0 when not tied to a place */
	long offset;   /* binary: the offending record's first byte; -1: none */
	char msg[160];
};

void scenario_init(struct nept_scenario *s);

/*
 * Puts mem in canonical order (sorted, unique, zero qwords dropped) so two
 * scenarios that describe the same memory compare equal with
 * scenario_equal.
 */
void scenario_normalize(struct nept_scenario *s);

/*
 * scenario_normalize without memory, for memory built only through
 * scenario_add_page and scenario_set_qword (canonical at every step): the
 * binary decoder, which runs at every fuzz input.
 */
void scenario_normalize_events(struct nept_scenario *s);

/*
 * With L2 paging off, clears what CR0.PG = 0 decides (gla, the derived
 * flags); with it on, cuts a hw-violation's gpa to what the processor's
 * walk can reach (the host's width, 32 bits for a PDPTE load, facts §14):
 * the binary decoder's way to a legal scenario from any bytes.  The text
 * parser rejects them instead (scenario_check names the rule).
 */
void scenario_clear_derived(struct nept_scenario *s);

/* Backs the page holding gpa; false when the page table is full. */
bool scenario_add_page(struct nept_scenario *s, uint64_t gpa);
/* Writes a qword (backing its page); false when memory is full or gpa is
 * not 8-byte aligned. */
bool scenario_set_qword(struct nept_scenario *s, uint64_t gpa, uint64_t val);

/*
 * The scenario's legality rules (each with a reason, facts section cited),
 * shared by both decoders and the generator.  Returns false for the first
 * rule broken, and fills err unless it is NULL (no message is formatted).
 */
bool scenario_check(const struct nept_scenario *s, struct nept_error *err);

/*
 * L1 memory as the walkers see it.  mem_read: false when no page backs gpa
 * (*val = 0); otherwise the qword at gpa (8-byte aligned).  mem_write:
 * false when gpa is unbacked or memory is full.
 */
bool nept_mem_read(const struct nept_mem *m, uint64_t gpa, uint64_t *val);
/* *dst = *src for the pages and qwords in use only (a whole struct
 * nept_mem is 4.6 KB; nothing reads past the counts). */
static inline void nept_mem_copy(struct nept_mem *dst,
				 const struct nept_mem *src)
{
	dst->npages = src->npages;
	dst->nqwords = src->nqwords;
	memcpy(dst->page, src->page, src->npages * sizeof(src->page[0]));
	memcpy(dst->qword, src->qword, src->nqwords * sizeof(src->qword[0]));
}

/* *dst = *src, copying only the memory in use (a struct nept_scenario is
 * mostly its memory arrays; the differential copies scenarios per run). */
static inline void nept_scenario_copy(struct nept_scenario *dst,
				      const struct nept_scenario *src)
{
	memcpy(dst, src, offsetof(struct nept_scenario, mem));
	nept_mem_copy(&dst->mem, &src->mem);
	/* The events in use only: dst's past nevents keep what they held,
	 * so dst is for running, not for scenario_check or encoding. */
	memcpy(&dst->nevents, &src->nevents,
	       offsetof(struct nept_scenario, event) -
		       offsetof(struct nept_scenario, nevents) +
		       src->nevents * sizeof(src->event[0]));
}

bool nept_mem_write(struct nept_mem *m, uint64_t gpa, uint64_t val);

bool scenario_equal(const struct nept_scenario *a,
		    const struct nept_scenario *b);

/*
 * Binary encoding (docs/scenario-format.md, "Binary"): decode accepts any
 * byte string and returns true with a legal scenario, or false cheaply.
 * decode_bin_err does the same and, when err is not NULL, says why not:
 * err->offset is the first byte of the record at fault (the input's length
 * when records are missing; -1 when the records decoded to an illegal
 * scenario) and err->msg names the record and the rule.  With err NULL no
 * message is formatted (the fuzz targets' fast path).  encode returns the
 * length written, 0 if cap is too small; its output decodes to an equal
 * scenario.
 */
bool scenario_decode_bin(const uint8_t *data, size_t len,
			 struct nept_scenario *s);
bool scenario_decode_bin_err(const uint8_t *data, size_t len,
			     struct nept_scenario *s, struct nept_error *err);
size_t scenario_encode_bin(const struct nept_scenario *s, uint8_t *buf,
			   size_t cap);
#define NEPT_BIN_MAX 16384 /* enough for any scenario */

/*
 * Text encoding: parse fills err (line:col: message) on failure; write
 * returns the length written (NUL-terminated), or 0 if cap is too small.
 */
bool scenario_parse_text(const char *text, size_t len, struct nept_scenario *s,
			 struct nept_error *err);
size_t scenario_write_text(const struct nept_scenario *s, char *buf,
			   size_t cap);
#define NEPT_TEXT_MAX 65536 /* enough for any scenario */
#define NEPT_TEXT_MAGIC "neptfuzz-scenario"
#define NEPT_UTF8_BOM "\xef\xbb\xbf" /* accepted before the text */

/* Names used by the text format, JSON and reports. */
const char *nept_source_name(unsigned src);
const char *nept_access_name(unsigned acc);
const char *nept_exit_reason_name(unsigned reason); /* NULL if unnamed */
int nept_exit_reason_by_name(const char *name, size_t len);

struct nept_name_bit {
	const char *name;
	uint32_t bit;
};
extern const struct nept_name_bit nept_cap_names[];
extern const struct nept_name_bit nept_access_flag_names[];
extern const struct nept_name_bit nept_l2_flag_names[];
extern const struct nept_name_bit nept_ctl_flag_names[];
extern const struct nept_name_bit nept_entry_flag_names[];
extern const struct nept_name_bit nept_l0_flag_names[];
const char *nept_l2_paging_name(unsigned paging);

/*
 * L2 paging geometry (facts §8.2): the levels of the walk (PAE's top one
 * is the PDPTE registers), the entry size, the address bits of an entry,
 * and where the entry for linear address la at level lies in a table.
 */
static inline unsigned nept_l2_levels(unsigned paging)
{
	static const unsigned char levels[NEPT_L2_PAGING_COUNT] = { 0, 2, 3, 4,
								    5 };

	return paging < NEPT_L2_PAGING_COUNT ? levels[paging] : 0;
}

static inline unsigned nept_l2_entry_size(unsigned paging)
{
	return paging == NEPT_L2_32BIT ? 4 : 8;
}

static inline uint64_t nept_l2_addr_bits(unsigned paging)
{
	return paging == NEPT_L2_32BIT ? 0xfffff000ull : 0x000ffffffffff000ull;
}

static inline uint64_t nept_l2_entry_addr(unsigned paging, uint64_t table,
					  unsigned level, uint64_t la)
{
	if (paging == NEPT_L2_32BIT)
		return table + ((la >> (12 + 10 * (level - 1))) & 1023) * 4;
	return table + ((la >> (12 + 9 * (level - 1))) & 511) * 8;
}

/* Whether any vmcs12 control beyond EPT is set (writers omit them
 * otherwise). */
/* Whether a facts §15 field beyond the flags is set (binary: the
 * EXIT_CONTROLS record). */
static inline bool nept_exit_controls_set(const struct nept_controls *c)
{
	return c->io_bitmap[0] || c->io_bitmap[1] || c->cr0_mask ||
	       c->cr0_shadow || c->cr4_mask || c->cr4_shadow ||
	       c->cr3_target_count || c->cr3_target[0] || c->cr3_target[1] ||
	       c->cr3_target[2] || c->cr3_target[3];
}

static inline bool nept_controls_set(const struct nept_controls *c)
{
	return c->exception_bitmap || c->pfec_mask || c->pfec_match ||
	       c->flags || c->pml_index || c->pml_address ||
	       nept_exit_controls_set(c);
}

/*
 * The event as every implementation runs it: with L2 paging off (CR0.PG =
 * 0) the linear address is the GPA and the address is user-mode and
 * writable, never execute-disable (facts §6.4, §8.3); with paging on, as
 * given (hw-violation) or as L2's walk will decide.
 */
static inline struct nept_event
nept_effective_event(const struct nept_scenario *s, const struct nept_event *e)
{
	struct nept_event r = *e;

	if (s->l2.paging == NEPT_L2_OFF) {
		r.gla = r.gpa;
		r.flags = (uint8_t)((r.flags & ~NEPT_AF_PAGING_OFF_DERIVED) |
				    NEPT_AF_USER | NEPT_AF_WRITABLE);
	}
	return r;
}

/* Whether delivering exception vector `vec` pushes an error code (SDM
 * Vol. 3A Table 6-1: 8, 10-14, 17, 21). */
static inline bool nept_vector_has_error_code(unsigned vec)
{
	return vec < 32 && ((0x00227d00u >> vec) & 1);
}

/*
 * Whether an exit saves an exit qualification (SDM 27.2.1): a triple
 * fault, an EPT misconfiguration and an exception other than #DB or #PF
 * clear the field.  exit_vector is the event's (1 + vector; 0: none).
 */
static inline bool nept_exit_saves_qual(unsigned reason, unsigned exit_vector)
{
	if (reason == NEPT_EXIT_TRIPLE_FAULT ||
	    reason == NEPT_EXIT_EPT_MISCONFIG)
		return false;
	if (reason == NEPT_EXIT_EXCEPTION_NMI)
		return exit_vector == 1 + 1 || exit_vector == 1 + 14;
	return true;
}

/*
 * What hardware writes to vmcs02 at an emulated event's exit (the harness
 * plays that hardware): besides EPT violations, the guest-linear address
 * for INS/OUTS and for LMSW with a memory operand (SDM 27.2.1): the linear
 * address of that operand, the data access being emulated.  The
 * qualification layouts are the SDM's (I/O: bit 4 = string instruction;
 * CR access: bits 5:4 = 3 for LMSW, bit 6 = memory operand).
 */
static inline bool nept_exit_saves_gla(const struct nept_event *ev)
{
	if (ev->access == NEPT_ACC_FETCH)
		return false;
	if (ev->exit_reason == NEPT_EXIT_IO_INSTRUCTION)
		return ev->exit_qual & (1u << 4);
	if (ev->exit_reason == NEPT_EXIT_CR_ACCESS)
		return ((ev->exit_qual >> 4) & 3) == 3 &&
		       (ev->exit_qual & (1u << 6));
	return false;
}

/* Whether the implementation walks L2's tables for this event. */
static inline bool nept_walks_l2(const struct nept_scenario *s,
				 const struct nept_event *e)
{
	return s->l2.paging != NEPT_L2_OFF &&
	       e->source != NEPT_SRC_HW_VIOLATION &&
	       e->source != NEPT_SRC_VM_ENTRY;
}

/* The scenario's vm-entry event, or NULL (it can only be the last). */
static inline const struct nept_event *
nept_vm_entry_event(const struct nept_scenario *s)
{
	return s->nevents && s->nevents <= NEPT_MAX_EVENTS &&
			       s->event[s->nevents - 1].source ==
				       NEPT_SRC_VM_ENTRY
		       ? &s->event[s->nevents - 1]
		       : NULL;
}

/*
 * EPTP validity (facts §1), a rule of the scenario's legality (an invalid
 * EPTP fails VM entry: only a vm-entry event can follow) and of the model.
 * NULL if valid, else the rule broken.
 */
const char *nept_eptp_invalid(uint32_t caps, unsigned maxphyaddr,
			      uint64_t eptp);

#endif
