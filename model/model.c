// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SDM reference model of one access through EPT12.  Every rule cites
 * the section of shared/spec/ept-facts.md it follows ("facts §N").  Where the
 * SDM allows several answers the model names a tolerance (impl.h) instead of
 * picking one.
 */
#include "model.h"

#include <stdio.h>
#include <string.h>

#define PERM_R 1u
#define PERM_W 2u
#define PERM_X 4u  /* bit 2: X, or supervisor-execute under MBEC */
#define PERM_XU 8u /* bit 10 under MBEC */

static const char *const qual_bit_names[] = {
	[0] = "READ",
	[1] = "WRITE",
	[2] = "FETCH",
	[3] = "READABLE",
	[4] = "WRITABLE",
	[5] = "EXECUTABLE",
	[6] = "USER_EXECUTABLE",
	[7] = "GLA_VALID",
	[8] = "GLA_TRANSLATED",
	[9] = "GLA_USER",
	[10] = "GLA_WRITABLE",
	[11] = "GLA_EXECUTE_DISABLE",
	[12] = "NMI_UNBLOCKING",
	[13] = "SHADOW_STACK",
	[14] = "SUPERVISOR_SHADOW_STACK",
	[15] = "GUEST_PAGING_VERIFY",
	[16] = "ASYNCHRONOUS",
};

const char *nept_qual_bit_name(unsigned bit)
{
	if (bit < sizeof(qual_bit_names) / sizeof(qual_bit_names[0]))
		return qual_bit_names[bit];
	return NULL;
}

const char *model_level_name(unsigned level)
{
	static const char *const names[] = { "?",     "PTE",   "PDE",
					     "PDPTE", "PML4E", "PML5E" };
	return level <= 5 ? names[level] : "?";
}

static uint64_t bits(unsigned hi, unsigned lo)
{
	return ((~0ull) >> (63 - hi)) & ~((1ull << lo) - 1);
}

/* Facts §1: EPTP fields and the capabilities each value needs. */
const char *model_eptp_invalid(uint32_t caps, unsigned maxphyaddr,
			       uint64_t eptp)
{
	unsigned mt = eptp & 7, walk = (eptp >> 3) & 7;

	if (mt == 0 && !(caps & NEPT_CAP_UC))
		return "memory type UC (bits 2:0 = 0) needs cap bit 8";
	if (mt == 6 && !(caps & NEPT_CAP_WB))
		return "memory type WB (bits 2:0 = 6) needs cap bit 14";
	if (mt != 0 && mt != 6)
		return "memory type (bits 2:0) must be 0 (UC) or 6 (WB)";
	if (walk == 3 && !(caps & NEPT_CAP_WALK4))
		return "walk length 4 (bits 5:3 = 3) needs cap bit 6";
	if (walk == 4 && !(caps & NEPT_CAP_WALK5))
		return "walk length 5 (bits 5:3 = 4) needs cap bit 7";
	if (walk != 3 && walk != 4)
		return "walk length (bits 5:3) must be 3 or 4";
	if ((eptp & (1ull << 6)) && !(caps & NEPT_CAP_AD))
		return "A/D enable (bit 6) needs cap bit 21";
	/* Bit 7 needs cap bit 23, which the scenario never advertises. */
	if (eptp & bits(11, 7))
		return "bits 11:7 are reserved";
	if (maxphyaddr < 64 && (eptp & bits(63, maxphyaddr)))
		return "bits 63:MAXPHYADDR are reserved";
	return NULL;
}

static bool is_present(uint32_t caps, uint64_t e)
{
	/* Facts §3.2: with MBEC, XU alone makes an entry present. */
	return (e & EPTE_RWX) || ((caps & NEPT_CAP_MBEC) && (e & EPTE_XU));
}

static bool is_leaf(unsigned level, uint64_t e)
{
	/* Facts §3.3: bit 7 is "page size" in PDPTE and PDE, ignored in PTE,
	 * reserved above (caught as a misconfiguration first). */
	return level == 1 || ((level == 2 || level == 3) && (e & EPTE_PS));
}

/* Facts §4, items 1-4, for a present entry. */
const char *model_misconfig_rule(uint32_t caps, unsigned maxphyaddr,
				 unsigned level, uint64_t e)
{
	unsigned rwx = e & EPTE_RWX, mt = (e >> EPTE_MT_SHIFT) & 7;

	if ((rwx & 2) && !(rwx & 1))
		return "W without R (facts §4 item 1)";
	if (!(caps & NEPT_CAP_EXEC_ONLY)) {
		if (rwx == 4)
			return "execute-only without cap bit 0 (facts §4 item "
			       "2)";
		if ((caps & NEPT_CAP_MBEC) && rwx == 0 && (e & EPTE_XU))
			return "user-execute-only without cap bit 0 (facts §4 "
			       "item 2)";
	}
	if (maxphyaddr < 52 && (e & bits(51, maxphyaddr)))
		return "reserved bits 51:MAXPHYADDR (facts §4 item 3)";
	switch (level) {
	case 5:
	case 4:
		if (e & bits(7, 3))
			return "reserved bits 7:3 in PML5E/PML4E (facts §4 "
			       "item 3)";
		break;
	case 3:
	case 2:
		if (!(e & EPTE_PS)) {
			if (e & bits(6, 3))
				return "reserved bits 6:3 in a non-leaf entry "
				       "(facts §4 item 3)";
			break;
		}
		if (level == 3 && !(caps & NEPT_CAP_PAGE_1G))
			return "1-GiB page without cap bit 17 (facts §4 item "
			       "3)";
		if (level == 2 && !(caps & NEPT_CAP_PAGE_2M))
			return "2-MiB page without cap bit 16 (facts §4 item "
			       "3)";
		if (e & bits(level == 3 ? 29 : 20, 12))
			return "reserved alignment bits of a large page (facts "
			       "§4 item 3)";
		break;
	}
	if (is_leaf(level, e) && (mt == 2 || mt == 3 || mt == 7))
		return "leaf memory type 2, 3 or 7 (facts §4 item 4)";
	return NULL;
}

static unsigned entry_perms(uint64_t e)
{
	return (unsigned)(e & EPTE_RWX) | ((e & EPTE_XU) ? PERM_XU : 0);
}

/*
 * What the access needs (facts §5.2) and what it reports in qualification
 * bits 0-2 (facts §6.2).
 */
static void access_needs(const struct nept_scenario *s,
			 const struct nept_event *ev, unsigned *need,
			 uint64_t *acc_bits)
{
	bool ad = s->eptp & (1ull << 6);

	if (ev->flags & NEPT_AF_PAGING) {
		if (ev->flags & NEPT_AF_SETS_AD) {
			/* A guest A/D write: W, reported as read + write. */
			*need = PERM_W;
			*acc_bits = QUAL_READ | QUAL_WRITE;
		} else if (ad && !(ev->flags & NEPT_AF_NO_GLA)) {
			/* EPTP bit 6: guest paging reads count as writes. */
			*need = PERM_W;
			*acc_bits = QUAL_READ | QUAL_WRITE;
		} else {
			/* A walk read, or a PDPTE load (R even with A/D). */
			*need = PERM_R;
			*acc_bits = QUAL_READ;
		}
		return;
	}
	switch (ev->access) {
	case NEPT_ACC_READ:
		*need = PERM_R;
		*acc_bits = QUAL_READ;
		break;
	case NEPT_ACC_WRITE:
		*need = PERM_W;
		*acc_bits = QUAL_WRITE;
		break;
	default:
		/* MBEC: the U/S of the linear address picks XU or XS. */
		if ((s->caps & NEPT_CAP_MBEC) && (ev->flags & NEPT_AF_USER))
			*need = PERM_XU;
		else
			*need = PERM_X;
		*acc_bits = QUAL_FETCH;
		break;
	}
}

uint64_t model_access_bits(const struct nept_scenario *s,
			   const struct nept_event *ev)
{
	unsigned need;
	uint64_t acc;

	access_needs(s, ev, &need, &acc);
	return acc;
}

/* Facts §6.4: what the guest paging rights of the linear address report. */
uint64_t model_linear_bits(const struct nept_event *ev)
{
	return ((ev->flags & NEPT_AF_USER) ? QUAL_LIN_USER : 0) |
	       ((ev->flags & NEPT_AF_WRITABLE) ? QUAL_LIN_RW : 0) |
	       ((ev->flags & NEPT_AF_XD) ? QUAL_LIN_XD : 0);
}

/* Facts §5.3: does a successful translation set the leaf's dirty flag? */
static bool access_dirties(const struct nept_scenario *s,
			   const struct nept_event *ev)
{
	if (ev->flags & NEPT_AF_NO_GLA)
		return false; /* PDPTE loads never set D */
	if (ev->flags & NEPT_AF_PAGING)
		return true; /* a write in A/D mode, or an A/D flag write */
	(void)s;
	return ev->access == NEPT_ACC_WRITE;
}

static void add_ad_write(struct nept_outcome *out, uint64_t gpa, uint64_t old,
			 uint64_t val, bool optional)
{
	struct nept_ad_write *w;

	if (old == val)
		return;
	/* A table may alias itself: one qword read at two levels is one
	 * location, written once with both flags. */
	for (unsigned i = 0; i < out->n_ad_writes; i++) {
		if (out->ad_write[i].gpa == gpa) {
			out->ad_write[i].val |= val;
			return;
		}
	}
	if (out->n_ad_writes >= NEPT_MAX_AD_WRITES)
		return;
	w = &out->ad_write[out->n_ad_writes++];
	w->gpa = gpa;
	w->old = old;
	w->val = val;
	w->optional = optional;
}

static void set_tolerance(struct nept_outcome *out, enum nept_tolerance t)
{
	out->tolerances |= 1u << t;
}

/* Facts §6.5, the qualification of an EPT violation. */
static void violation(const struct nept_scenario *s,
		      const struct nept_event *ev, uint64_t acc_bits,
		      unsigned have, struct nept_outcome *out)
{
	bool mbec = s->caps & NEPT_CAP_MBEC;
	bool lin = !(ev->flags & NEPT_AF_NO_GLA);
	bool fin = !(ev->flags & NEPT_AF_PAGING);
	uint64_t q = acc_bits;

	q |= (uint64_t)(have & 7) << 3;
	if (mbec) {
		if (have & PERM_XU)
			q |= QUAL_USER_EXEC;
	} else {
		out->qual_undefined |= QUAL_USER_EXEC;
		set_tolerance(out, NEPT_TOL_QUAL_BIT6_NO_MBEC);
	}
	if (lin) {
		q |= QUAL_GLA_VALID;
		out->gla_valid = 1;
		out->gla = ev->gla;
	} else {
		out->undefined |= NEPT_F_GLA;
		set_tolerance(out, NEPT_TOL_GLA_UNDEFINED);
	}
	if (lin && fin)
		q |= QUAL_GLA_FINAL;
	if (lin && fin && (s->caps & NEPT_CAP_ADV_INFO)) {
		q |= model_linear_bits(ev);
	} else {
		out->qual_undefined |=
			QUAL_LIN_USER | QUAL_LIN_RW | QUAL_LIN_XD;
		set_tolerance(out, NEPT_TOL_QUAL_ADV_UNDEFINED);
	}
	if (ev->flags & NEPT_AF_SETS_AD) {
		out->qual_undefined |= QUAL_READ;
		set_tolerance(out, NEPT_TOL_QUAL_RMW_READ);
	}
	/* Facts §6.3: with no NMI controls in the scenario, bit 12 is defined
	 * and reports whether the access unblocked NMIs during IRET. */
	if (ev->flags & NEPT_AF_NMI_UNBLOCK)
		q |= QUAL_NMI_UNBLOCK;
	out->kind = NEPT_OUT_EXIT;
	out->reason = NEPT_EXIT_EPT_VIOLATION;
	out->qual = q & ~out->qual_undefined;
}

void model_run_event(const struct nept_scenario *s, struct nept_mem *mem,
		     const struct nept_event *ev, struct nept_outcome *out,
		     struct model_trace *trace)
{
	struct model_trace local;
	struct model_trace *t = trace ? trace : &local;
	unsigned m = s->l1_maxphyaddr, level, need,
		 have = PERM_R | PERM_W | PERM_X | PERM_XU;
	uint64_t table = s->eptp & nept_addr_mask(m), acc_bits, e = 0;
	uint64_t amask = nept_addr_mask(m);
	bool ad = s->eptp & (1ull << 6);

	memset(out, 0, sizeof(*out));
	memset(t, 0, sizeof(*t));
	out->from_hardware = ev->source == NEPT_SRC_HW_VIOLATION;
	out->gpa = ev->gpa;
	t->levels = ((s->eptp >> 3) & 7) + 1;
	access_needs(s, ev, &need, &acc_bits);
	t->need = need;

	/* Facts §5.1: top-down; the first not-present or misconfigured entry
	 * ends the walk. */
	for (level = t->levels; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		uint64_t ea = table + ((ev->gpa >> shift) & 511) * 8;

		t->e[t->nread].addr = ea;
		t->e[t->nread].level = level;
		if (!nept_mem_read(mem, ea, &e)) {
			t->nread++;
			t->stop = MODEL_STOP_UNBACKED;
			out->kind = NEPT_OUT_NONE;
			out->undefined = NEPT_F_ALL;
			set_tolerance(out, NEPT_TOL_UNBACKED_TABLE);
			return;
		}
		t->e[t->nread++].val = e;
		if (!is_present(s->caps, e)) {
			/* Facts §6.1: a not-present entry contributes 000. */
			t->stop = MODEL_STOP_NOT_PRESENT;
			have = 0;
			break;
		}
		t->rule = model_misconfig_rule(s->caps, m, level, e);
		if (t->rule) {
			t->stop = MODEL_STOP_MISCONFIG;
			break;
		}
		have &= entry_perms(e);
		if (is_leaf(level, e))
			break;
		table = e & amask;
	}
	t->have = have;

	if (t->stop == MODEL_STOP_MISCONFIG) {
		/* Facts §4: qualification cleared; GLA undefined. */
		out->kind = NEPT_OUT_EXIT;
		out->reason = NEPT_EXIT_EPT_MISCONFIG;
		out->undefined |= NEPT_F_GLA | NEPT_F_GLA_VALID;
		set_tolerance(out, NEPT_TOL_GLA_UNDEFINED);
		/* The rule without its citation: "W without R". */
		snprintf(out->note, sizeof(out->note), "%.*s",
			 (int)(strstr(t->rule, " (facts")
				       ? strstr(t->rule, " (facts") - t->rule
				       : (long)strlen(t->rule)),
			 t->rule);
	} else if (t->stop == MODEL_STOP_NOT_PRESENT || (need & ~have)) {
		if (t->stop == MODEL_STOP_OK)
			t->stop = MODEL_STOP_PERMISSION;
		violation(s, ev, acc_bits, have, out);
	}

	if (t->stop != MODEL_STOP_OK) {
		/* Hardware may set A on entries it read before faulting. */
		if (ad) {
			for (unsigned i = 0; i < t->nread; i++) {
				uint64_t v = t->e[i].val;

				if (i + 1 == t->nread &&
				    t->stop != MODEL_STOP_PERMISSION)
					break;
				add_ad_write(out, t->e[i].addr, v, v | EPTE_A,
					     true);
			}
			if (out->n_ad_writes)
				set_tolerance(out,
					      NEPT_TOL_AD_ON_FAULTING_WALK);
		}
		return;
	}

	/* Facts §3.1: the leaf's address bits above the page offset. */
	{
		unsigned off_bits = 12 + 9 * (level - 1);
		uint64_t page = e & amask & ~((1ull << off_bits) - 1);

		out->kind = NEPT_OUT_NONE;
		out->translated = page | (ev->gpa & ((1ull << off_bits) - 1));
	}
	out->undefined |= NEPT_F_GPA | NEPT_F_GLA | NEPT_F_GLA_VALID;

	/* Facts §5.3: A on every entry used, D on the leaf for writes. */
	if (ad) {
		for (unsigned i = 0; i < t->nread; i++) {
			uint64_t v = t->e[i].val, nv = v | EPTE_A;

			if (i + 1 == t->nread && access_dirties(s, ev))
				nv |= EPTE_D;
			if (nv != v)
				nept_mem_write(mem, t->e[i].addr, nv);
			add_ad_write(out, t->e[i].addr, v, nv, false);
		}
	}
}

static void model_run(const struct nept_scenario *s, struct nept_result *r)
{
	struct nept_mem mem = s->mem;

	r->nevents = s->nevents;
	for (unsigned i = 0; i < s->nevents; i++)
		model_run_event(s, &mem, &s->event[i], &r->event[i], NULL);
}

const struct nept_impl model_impl = {
	.name = "model",
	.version = "SDM facts sheet (shared/spec/ept-facts.md)",
	.caps = NEPT_CAP_ALL,
	.run = model_run,
};
