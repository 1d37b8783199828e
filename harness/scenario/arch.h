/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Architectural constants the SDM defines (bits of EPT and guest paging
 * entries, exit qualifications, #PF error codes): facts, not model logic,
 * so the scenario layer (its text comments) and the model share them.
 */
#ifndef NEPT_ARCH_H
#define NEPT_ARCH_H

#include <stdbool.h>
#include <stdint.h>

/* EXIT_QUALIFICATION bits for EPT violations (facts §6). */
#define QUAL_READ (1ull << 0)
#define QUAL_WRITE (1ull << 1)
#define QUAL_FETCH (1ull << 2)
#define QUAL_READABLE (1ull << 3)
#define QUAL_WRITABLE (1ull << 4)
#define QUAL_EXECUTABLE (1ull << 5)
#define QUAL_USER_EXEC (1ull << 6)
#define QUAL_GLA_VALID (1ull << 7)
#define QUAL_GLA_FINAL (1ull << 8)
#define QUAL_LIN_USER (1ull << 9)
#define QUAL_LIN_RW (1ull << 10)
#define QUAL_LIN_XD (1ull << 11)
#define QUAL_NMI_UNBLOCK (1ull << 12)

/* #PF error-code bits (facts §8.1). */
#define PFEC_P (1u << 0)
#define PFEC_W (1u << 1)
#define PFEC_U (1u << 2)
#define PFEC_RSVD (1u << 3)
#define PFEC_ID (1u << 4)
#define PFEC_PK (1u << 5)

/* Guest (L2) paging-entry bits (facts §8). */
#define L2E_P (1ull << 0)
#define L2E_RW (1ull << 1)
#define L2E_US (1ull << 2)
#define L2E_A (1ull << 5)
#define L2E_D (1ull << 6)
#define L2E_PS (1ull << 7)
#define L2E_XD (1ull << 63)

/* Exception vectors (facts §10.1). */
#define VEC_DF 8
#define VEC_PF 14

/* EPT entry bits (facts §3.3). */
#define EPTE_R (1ull << 0)
#define EPTE_W (1ull << 1)
#define EPTE_X (1ull << 2)
#define EPTE_RWX 7ull
#define EPTE_MT_SHIFT 3
#define EPTE_IPAT (1ull << 6)
#define EPTE_PS (1ull << 7)
#define EPTE_A (1ull << 8)
#define EPTE_D (1ull << 9)
#define EPTE_XU (1ull << 10)

/* Bits hi..lo set (hi <= 63, lo <= hi): reserved-bit ranges as the SDM
 * writes them, "bits 51:M". */
static inline uint64_t nept_bits(unsigned hi, unsigned lo)
{
	return ((~0ull) >> (63 - hi)) & ~((1ull << lo) - 1);
}

/* PSE-36 (facts §8.2): a 4-MiB PDE's bits 20:13 are physical bits
 * 39:32 up to M' = min(MAXPHYADDR, 40); the lowest bit it reserves is
 * M' - 19 (bit 21 for M' = 40, 13 for M' = 32). */
static inline unsigned nept_pse36_low(unsigned maxphyaddr)
{
	return (maxphyaddr < 40 ? maxphyaddr : 40) - 19;
}

/* The physical bits 39:32 a 4-MiB PDE maps, below its bit low. */
static inline uint64_t nept_pse36_bits(uint64_t pde, unsigned low)
{
	return ((pde >> 13) & ((1ull << (low - 13)) - 1)) << 32;
}

/* Under PAE paging the PDPT is at CR3 bits 31:5; bits 63:32 are ignored
 * (SDM Vol. 3A table 4-7). */
static inline uint64_t nept_pae_pdpt_base(uint64_t cr3)
{
	return cr3 & 0xffffffe0ull;
}

/* Bits M-1:12 of an entry or EPTP: the next table or the page. */
static inline uint64_t nept_addr_mask(unsigned maxphyaddr)
{
	return ((1ull << maxphyaddr) - 1) & ~0xfffull;
}

/*
 * WRMSR (facts §13.3): the MSRs a VM-entry MSR-load entry may load, and
 * when WRMSR of a value to them at CPL 0 raises #GP.  The model's rule
 * for item 6 of the MSR-load checks, and the processor the KVM harness
 * plays for the WRMSRs KVM itself makes to the host's user-return MSRs:
 * one CPU, so one rule.  NEPT_ names: kernel headers define MSR_* too.
 */
#define NEPT_MSR_BIOS_UPDT_TRIG 0x79u
#define NEPT_MSR_BIOS_SIGN_ID 0x8bu
#define NEPT_MSR_SMM_MONITOR_CTL 0x9bu
#define NEPT_MSR_SYSENTER_CS 0x174u
#define NEPT_MSR_SYSENTER_ESP 0x175u
#define NEPT_MSR_SYSENTER_EIP 0x176u
#define NEPT_MSR_PAT 0x277u
#define NEPT_MSR_EFER 0xc0000080u
#define NEPT_MSR_STAR 0xc0000081u
#define NEPT_MSR_LSTAR 0xc0000082u
#define NEPT_MSR_CSTAR 0xc0000083u
#define NEPT_MSR_FMASK 0xc0000084u
#define NEPT_MSR_FS_BASE 0xc0000100u
#define NEPT_MSR_GS_BASE 0xc0000101u
#define NEPT_MSR_KERNEL_GS_BASE 0xc0000102u
#define NEPT_MSR_TSC_AUX 0xc0000103u

/* IA32_EFER bits WRMSR accepts here: SCE, LME, LMA (ignored on write),
 * NXE. */
#define NEPT_EFER_SCE (1ull << 0)
#define NEPT_EFER_LME (1ull << 8)
#define NEPT_EFER_LMA (1ull << 10)
#define NEPT_EFER_NXE (1ull << 11)
#define NEPT_EFER_VALID \
	(NEPT_EFER_SCE | NEPT_EFER_LME | NEPT_EFER_LMA | NEPT_EFER_NXE)

/* v made canonical at a linear-address width of bits (48 or 57): bits
 * 63:bits copies of bit bits-1, as KVM's __canonical_address does. */
static inline uint64_t nept_canonical_at(uint64_t v, unsigned bits)
{
	return (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits));
}

/* Canonical for WRMSR's checks: bits 63:56 all equal, the CPU having LA57
 * (facts §13.3). */
static inline bool nept_canonical(uint64_t v)
{
	return nept_canonical_at(v, 57) == v;
}

/* SDM 11.12.2: each IA32_PAT entry is 0, 1, 4, 5, 6 or 7. */
static inline bool nept_pat_valid(uint64_t pat)
{
	for (unsigned i = 0; i < 8; i++) {
		unsigned t = (pat >> (8 * i)) & 0xff;

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

/*
 * Whether WRMSR of value to index at CPL 0 raises #GP, for the MSRs of
 * facts §13.3's table; *known false outside it.  *lme is IA32_EFER.LME as
 * written so far (SDM 10.8.5: LME does not change while CR0.PG = 1).
 */
static inline bool nept_wrmsr_faults(uint32_t index, uint64_t value,
				     bool paging, bool *lme, bool *known)
{
	*known = true;
	switch (index) {
	case NEPT_MSR_SYSENTER_CS:
	case NEPT_MSR_STAR:
		return false;
	case NEPT_MSR_SYSENTER_ESP:
	case NEPT_MSR_SYSENTER_EIP:
	case NEPT_MSR_LSTAR:
	case NEPT_MSR_CSTAR:
	case NEPT_MSR_KERNEL_GS_BASE:
		return !nept_canonical(value);
	case NEPT_MSR_PAT:
		return !nept_pat_valid(value);
	case NEPT_MSR_EFER:
		if ((value & ~NEPT_EFER_VALID) ||
		    (paging && !!(value & NEPT_EFER_LME) != *lme))
			return true;
		*lme = value & NEPT_EFER_LME;
		return false;
	case NEPT_MSR_FMASK:
	case NEPT_MSR_TSC_AUX:
		return value >> 32;
	}
	*known = false;
	return false;
}

/*
 * Whether RDMSR after a VM entry reads back what the entry's MSR loading
 * wrote to index (docs/sdm-rules.md §13.3, "what the loading leaves").
 * After a success, every MSR of facts §13.3's table but IA32_SYSENTER_CS
 * (whose upper half WRMSR ignores: what RDMSR then reads is not settled).
 * After exit 34 (failed: true), only those VM-exit host-state loading (SDM
 * 28.5, which a failed entry also does, SDM 27.8 step 2) never writes: a
 * scenario has no VM-exit MSR-load list, and SYSENTER, PAT and EFER are
 * host state.
 */
static inline bool nept_msr_read_back(uint32_t index, bool failed)
{
	switch (index) {
	case NEPT_MSR_STAR:
	case NEPT_MSR_LSTAR:
	case NEPT_MSR_CSTAR:
	case NEPT_MSR_FMASK:
	case NEPT_MSR_KERNEL_GS_BASE:
	case NEPT_MSR_TSC_AUX:
		return true;
	case NEPT_MSR_SYSENTER_ESP:
	case NEPT_MSR_SYSENTER_EIP:
	case NEPT_MSR_PAT:
	case NEPT_MSR_EFER:
		return !failed;
	}
	return false;
}

#endif
