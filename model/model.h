/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The SDM reference model: what L1 sees when L2's access goes through EPT12.
 * It follows shared/spec/ept-facts.md (cited as "facts §N"), never KVM.
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

/* How the walk went, for invariants and for people (`neptfuzz eval`). */
struct model_trace {
	uint8_t levels; /* 4 or 5, from EPTP bits 5:3 */
	uint8_t nread;	/* entries read, root first */
	uint8_t stop;	/* enum model_stop */
	uint8_t need;	/* permission bits the access needs: R=1 W=2 X=4 XU=8 */
	uint8_t have;	/* the AND over the path, same encoding */
	const char *rule; /* the misconfiguration rule, facts §4 item */
	struct {
		uint64_t addr, val;
		uint8_t level; /* 5 = PML5E ... 1 = PTE */
	} e[5];
};

/*
 * Runs one event against mem (which the event may change: A/D flags) and
 * fills out; trace may be NULL.
 */
void model_run_event(const struct nept_scenario *s, struct nept_mem *mem,
		     const struct nept_event *ev, struct nept_outcome *out,
		     struct model_trace *trace);

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
