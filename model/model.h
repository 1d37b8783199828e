/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The SDM reference model: what L1 sees when L2's access goes through EPT12.
 * It follows docs/sdm-rules.md (cited as "facts §N"), never KVM.
 */
#ifndef NEPT_MODEL_H
#define NEPT_MODEL_H

#include "impl.h"

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

/* The SDM name of each qualification bit, NULL where reserved (§6). */
const char *nept_qual_bit_name(unsigned bit);

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

/* Bits M-1:12 of an entry or EPTP: the next table or the page. */
static inline uint64_t nept_addr_mask(unsigned maxphyaddr)
{
	return ((1ull << maxphyaddr) - 1) & ~0xfffull;
}

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
	MODEL_L2_PSE36,	      /* PSE-36 high bits set: undefined (§8.2) */
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
	uint8_t have;	/* the AND over the path, same encoding */
	/* the walk succeeded but its dirty flag needed a PML entry and the
	 * index was full (facts §7.2) */
	uint8_t pml_full;
	uint8_t acc_flags; /* the walked access's enum nept_access_flag */
	const char *rule;  /* the misconfiguration rule, facts §4 item */
	uint64_t gpa;	   /* the guest-physical address walked */
	struct {
		uint64_t addr, val;
		uint8_t level; /* 5 = PML5E ... 1 = PTE */
	} e[5];

	/* L2's walk (nept_walks_l2), facts §8.3. */
	uint8_t l2_stop; /* enum model_l2_stop */
	uint8_t l2_nread;
	uint8_t l2_leaf;     /* index in l2e of the entry that maps the page */
	uint32_t pfec;	     /* the #PF error code, when one was raised */
	const char *l2_rule; /* the reserved-bit or rights rule broken */
	uint64_t l2_final;   /* the final GPA, once the walk reached it */
	struct {
		/* gpa: the entry's guest-physical address, through EPT12;
		 * l1pa: where EPT12 put it in L1 memory (MODEL_L2_REGISTER
		 * for both: a PAE PDPTE register) */
		uint64_t gpa, l1pa, val;
		uint8_t level; /* 5 = PML5E ... 1 = PTE */
	} l2e[5];
};

/*
 * What a run carries from one event to the next: L1 memory (A/D flags, PML
 * log) and the guest PML index (facts §7.2).
 */
struct model_state {
	struct nept_mem mem;
	uint16_t pml_index;
};

void model_state_init(struct model_state *st, const struct nept_scenario *s);

/*
 * Runs one event against st (which the event may change: A/D flags, the
 * PML log and index) and fills out; trace may be NULL.
 */
void model_run_event(const struct nept_scenario *s, struct model_state *st,
		     const struct nept_event *ev, struct nept_outcome *out,
		     struct model_trace *trace);

/* Prints the L2 part of a trace (nothing without an L2 walk), one line
 * per entry, each prefixed by indent. */
void model_print_l2_trace(FILE *f, const struct model_trace *t,
			  const char *indent);

/* EPTP validity (facts §1): NULL if valid, else the rule broken. */
const char *model_eptp_invalid(uint32_t caps, unsigned maxphyaddr,
			       uint64_t eptp);

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

#endif
