/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Architectural constants the SDM defines (bits of EPT and guest paging
 * entries, exit qualifications, #PF error codes): facts, not model logic,
 * so the scenario layer (its text comments) and the model share them.
 */
#ifndef NEPT_ARCH_H
#define NEPT_ARCH_H

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

/* Bits M-1:12 of an entry or EPTP: the next table or the page. */
static inline uint64_t nept_addr_mask(unsigned maxphyaddr)
{
	return ((1ull << maxphyaddr) - 1) & ~0xfffull;
}

#endif
