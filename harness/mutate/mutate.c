// SPDX-License-Identifier: GPL-2.0-only
/*
 * The structure-aware mutator (mutate.h).  Each named mutation is a small
 * function that changes the scenario the way the semantics suggest: the
 * entries it touches are mostly ones an event's walk reads (found by
 * following EPT12 and L2's tables the way a walker would, without checking
 * rights), addresses it picks walk existing tables, and new chains of
 * tables come from the decoder's own PATH and L2PATH records.  Legality is
 * scenario_check's alone: a mutation whose result breaks a rule is undone
 * and another one drawn.
 */
#include "mutate.h"

#include <string.h>

#include "entry_draws.h"
#include "insn.h"
#include "generate.h"
#include "model.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PAGE_SIZE 0x1000ull
#define PAGE_MASK 0xfffull

/* Binary tags the mutator writes (docs/scenario-format.md: tags never
 * change). */
#define TAG_PATH 0x08
#define TAG_L2PATH 0x0e

/* Where new tables go: the decoder's PATH habit, above the low 1 MiB. */
#define FRESH_BASE 0x100000ull

/* ---- randomness: xorshift64*, seeded through splitmix64 ---- */

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

struct site {
	uint64_t addr;	/* where the entry is in L1 memory */
	uint64_t va;	/* the address walked: GPA (EPT12) or linear (L2) */
	uint64_t table; /* its table: L1 address (EPT12), L2-physical (L2) */
	uint8_t level;	/* 5..1 */
	uint8_t l2;	/* an L2 paging entry, else EPT12 */
	uint8_t size;	/* 8, or 4 for 32-bit paging */
};

/* Eight events, each up to five L2 entries with a 5-level EPT12 walk
 * each, plus the final GPA's walk. */
#define MAX_SITES (NEPT_MAX_EVENTS * (5 * 6 + 5))

struct mctx {
	struct nept_scenario *s;
	const struct nept_scenario *other; /* splice partner, or NULL */
	uint64_t rng;
	unsigned nsites;
	struct site site[MAX_SITES];
};

static uint64_t rnd(struct mctx *c)
{
	uint64_t x = c->rng ? c->rng : 0x9e3779b97f4a7c15ull;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	c->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

static unsigned below(struct mctx *c, unsigned n)
{
	return n ? (unsigned)(rnd(c) % n) : 0;
}

static bool chance(struct mctx *c, unsigned percent)
{
	return below(c, 100) < percent;
}

static uint64_t one_of(struct mctx *c, const uint64_t *v, unsigned n)
{
	return v[below(c, n)];
}

#define ONE_OF(c, arr) one_of((c), (arr), ARRAY_SIZE(arr))

/* ---- memory ---- */

static uint64_t qget(const struct nept_scenario *s, uint64_t addr)
{
	uint64_t v;

	nept_mem_read(&s->mem, addr & ~7ull, &v);
	return v;
}

static bool qset(struct nept_scenario *s, uint64_t addr, uint64_t v)
{
	return scenario_set_qword(s, addr & ~7ull, v);
}

static bool backed(const struct nept_scenario *s, uint64_t addr)
{
	uint64_t v;

	return nept_mem_read(&s->mem, addr, &v);
}

/* A guest paging entry of 4 or 8 bytes at an L1 address. */
static uint64_t entry_get(const struct nept_scenario *s, uint64_t ea,
			  unsigned size)
{
	uint64_t q = qget(s, ea);

	return size == 8 ? q : (q >> (8 * (ea & 4))) & 0xffffffffull;
}

static bool entry_set(struct nept_scenario *s, uint64_t ea, unsigned size,
		      uint64_t v)
{
	uint64_t q;

	if (size == 8)
		return qset(s, ea, v);
	q = qget(s, ea);
	q &= ~(0xffffffffull << (8 * (ea & 4)));
	q |= (v & 0xffffffffull) << (8 * (ea & 4));
	return qset(s, ea, q);
}

/* The lowest page at or above FRESH_BASE that is not backed. */
static uint64_t fresh_page(const struct nept_scenario *s)
{
	uint64_t p = FRESH_BASE;
	unsigned i;

	for (i = 0; i < s->mem.npages; i++)
		if (s->mem.page[i] == p)
			p += PAGE_SIZE;
	return p;
}

static uint64_t any_page(struct mctx *c)
{
	const struct nept_mem *m = &c->s->mem;

	return m->npages ? m->page[below(c, m->npages)] : FRESH_BASE;
}

/*
 * The indices of the nonzero entries (size 8, or 4 for 32-bit paging) in
 * the page at page; at most 1024.
 */
static unsigned page_entries(const struct nept_scenario *s, uint64_t page,
			     unsigned size, uint16_t *idx)
{
	const struct nept_mem *m = &s->mem;
	unsigned i, n = 0;

	for (i = 0; i < m->nqwords; i++) {
		const struct nept_qword *q = &m->qword[i];
		unsigned k = (unsigned)((q->gpa - page) / 8);

		if (q->gpa < page || q->gpa >= page + PAGE_SIZE)
			continue;
		if (size == 8) {
			idx[n++] = (uint16_t)k;
			continue;
		}
		if (q->val & 0xffffffffull)
			idx[n++] = (uint16_t)(2 * k);
		if (q->val >> 32)
			idx[n++] = (uint16_t)(2 * k + 1);
	}
	return n;
}

/* ---- walks: EPT12 and L2 tables, followed without checking rights ---- */

static unsigned ept_levels(const struct nept_scenario *s)
{
	unsigned w = ((s->eptp >> 3) & 7) + 1;

	return w == 4 || w == 5 ? w : 0;
}

static uint64_t ept_mask(const struct nept_scenario *s)
{
	return nept_addr_mask(s->l1_maxphyaddr);
}

static bool ept_present(const struct nept_scenario *s, uint64_t v)
{
	return (v & EPTE_RWX) || ((s->caps & NEPT_CAP_MBEC) && (v & EPTE_XU));
}

static bool ept_leaf(unsigned level, uint64_t v)
{
	return level == 1 || ((level == 2 || level == 3) && (v & EPTE_PS));
}

static uint64_t level_size(unsigned level)
{
	return 1ull << (12 + 9 * (level - 1));
}

static unsigned ept_index(uint64_t gpa, unsigned level)
{
	return (unsigned)((gpa >> (12 + 9 * (level - 1))) & 511);
}

static void add_site(struct mctx *c, uint64_t addr, uint64_t va, uint64_t table,
		     unsigned level, bool l2, unsigned size)
{
	struct site *st;

	if (c->nsites == MAX_SITES)
		return;
	st = &c->site[c->nsites++];
	st->addr = addr;
	st->va = va;
	st->table = table;
	st->level = (uint8_t)level;
	st->l2 = l2;
	st->size = (uint8_t)size;
}

/*
 * Follows EPT12 for gpa from the root (recording each entry read when
 * record is set); true with *pa when a leaf translates it.
 */
static bool ept_walk(struct mctx *c, uint64_t gpa, bool record, uint64_t *pa)
{
	const struct nept_scenario *s = c->s;
	unsigned levels = ept_levels(s), level;
	uint64_t mask = ept_mask(s), table, ea, v;

	if (!levels)
		return false;
	table = s->eptp & mask;
	for (level = levels; level >= 1; level--) {
		ea = table + ept_index(gpa, level) * 8;
		if (!nept_mem_read(&s->mem, ea, &v))
			return false;
		if (record)
			add_site(c, ea, gpa, table, level, false, 8);
		if (!ept_present(s, v))
			return false;
		if (ept_leaf(level, v)) {
			uint64_t sz = level_size(level);

			*pa = (v & mask & ~(sz - 1)) | (gpa & (sz - 1));
			return true;
		}
		table = v & mask;
	}
	return false;
}

static bool l2_leaf(const struct nept_scenario *s, unsigned level, uint64_t v)
{
	if (level == 1)
		return true;
	if (!(v & L2E_PS))
		return false;
	if (s->l2.paging == NEPT_L2_32BIT)
		return level == 2 && (s->l2.flags & NEPT_L2F_PSE);
	return level == 2 || (level == 3 && s->l2.paging != NEPT_L2_PAE);
}

static unsigned l2_shift(unsigned paging, unsigned level)
{
	return paging == NEPT_L2_32BIT ? 12 + 10 * (level - 1)
				       : 12 + 9 * (level - 1);
}

/*
 * Follows L2's tables for gla (each through EPT12), recording entries when
 * record is set; true with *final, the guest-physical address reached.
 */
static bool l2_walk(struct mctx *c, uint64_t gla, bool record, uint64_t *final)
{
	const struct nept_scenario *s = c->s;
	unsigned paging = s->l2.paging, level = nept_l2_levels(paging);
	unsigned size = nept_l2_entry_size(paging);
	uint64_t mask = nept_l2_addr_bits(paging), table, v, l1;

	if (!level)
		return false;
	if (paging == NEPT_L2_PAE) {
		v = s->l2.pdpte[(gla >> 30) & 3];
		if (!(v & L2E_P))
			return false;
		table = v & mask;
		level = 2;
	} else {
		table = s->l2.cr3 & mask;
	}
	for (; level >= 1; level--) {
		uint64_t ea = nept_l2_entry_addr(paging, table, level, gla);

		if (!ept_walk(c, ea, record, &l1) || !backed(s, l1))
			return false;
		v = entry_get(s, l1, size);
		if (record)
			add_site(c, l1, gla, table, level, true, size);
		if (!(v & L2E_P))
			return false;
		if (l2_leaf(s, level, v)) {
			uint64_t sz = 1ull << l2_shift(paging, level);

			*final = (v & mask & ~(sz - 1)) | (gla & (sz - 1));
			/* PSE-36: the page is above 4 GiB (facts §8.2). */
			if (paging == NEPT_L2_32BIT && level == 2)
				*final |= nept_pse36_bits(
					v, nept_pse36_low(s->l1_maxphyaddr));
			ept_walk(c, *final, record, &l1);
			return true;
		}
		table = v & mask;
	}
	return false;
}

/* Every entry the events' walks read. */
static void collect_sites(struct mctx *c)
{
	const struct nept_scenario *s = c->s;
	uint64_t out;
	unsigned i;

	c->nsites = 0;
	for (i = 0; i < s->nevents; i++) {
		const struct nept_event *e = &s->event[i];

		if (nept_walks_l2(s, e))
			l2_walk(c, e->gla, true, &out);
		else
			ept_walk(c, e->gpa, true, &out);
		/* The instruction's fetch walks too (docs/sdm-rules.md
		 * §16). */
		if (e->has_rip)
			l2_walk(c, e->rip, true, &out);
	}
}

static const struct site *pick_site(struct mctx *c, bool l2)
{
	unsigned i, n = 0, k;

	for (i = 0; i < c->nsites; i++)
		n += c->site[i].l2 == l2;
	if (!n)
		return NULL;
	k = below(c, n);
	for (i = 0; i < c->nsites; i++)
		if (c->site[i].l2 == l2 && k-- == 0)
			return &c->site[i];
	return NULL;
}

/* An EPT12 entry to change: mostly one a walk reads, else any qword. */
static bool pick_ept(struct mctx *c, struct site *out)
{
	const struct site *st = pick_site(c, false);
	const struct nept_mem *m = &c->s->mem;

	if (st && (!m->nqwords || !chance(c, 15))) {
		*out = *st;
		return true;
	}
	if (!m->nqwords)
		return false;
	memset(out, 0, sizeof(*out));
	out->addr = m->qword[below(c, m->nqwords)].gpa;
	out->table = out->addr & ~PAGE_MASK;
	out->level = (uint8_t)(1 + below(c, ept_levels(c->s) ? ept_levels(c->s)
							     : 4));
	out->size = 8;
	return true;
}

/* ---- addresses that walk existing tables ---- */

/* An index into a table: mostly one of its nonzero entries. */
static unsigned pick_index(struct mctx *c, const uint16_t *idx, unsigned n,
			   unsigned limit, unsigned old)
{
	unsigned k, i;

	if (n && chance(c, 85)) {
		for (k = 0; k < 4; k++) {
			i = idx[below(c, n)];
			if (i < limit)
				return i;
		}
	}
	return chance(c, 50) ? old % limit : below(c, limit);
}

/* The bits below the level a descent stopped at. */
static uint64_t low_bits(struct mctx *c, uint64_t old, unsigned shift)
{
	uint64_t m = (1ull << shift) - 1;

	switch (below(c, 6)) {
	case 0:
	case 1:
		return old & m;
	case 2:
		return 0;
	case 3:
		return m & ~7ull; /* the last qword: page edges */
	default:
		return rnd(c) & m;
	}
}

/* A GPA whose EPT12 walk goes through existing entries as far as they
 * lead. */
static uint64_t descend_ept(struct mctx *c, uint64_t old)
{
	const struct nept_scenario *s = c->s;
	unsigned levels = ept_levels(s), level;
	uint64_t mask = ept_mask(s), table, gpa = 0, v;
	uint16_t idx[1024];

	if (!levels)
		return old;
	table = s->eptp & mask;
	for (level = levels; level >= 1; level--) {
		unsigned n = page_entries(s, table, 8, idx);
		/* a PML5 index at or above 16 would put the GPA beyond 52
		 * bits */
		unsigned i = pick_index(c, idx, n, level == 5 ? 16 : 512,
					ept_index(old, level));

		gpa |= (uint64_t)i << (12 + 9 * (level - 1));
		v = qget(s, table + i * 8);
		if (level == 1 || !ept_present(s, v) || ept_leaf(level, v) ||
		    !backed(s, v & mask))
			break;
		table = v & mask;
	}
	return gpa | low_bits(c, old, 12 + 9 * (level - 1));
}

/* A linear address whose L2 walk goes through existing entries. */
static uint64_t descend_l2(struct mctx *c, uint64_t old)
{
	const struct nept_scenario *s = c->s;
	unsigned paging = s->l2.paging, level = nept_l2_levels(paging);
	unsigned size = nept_l2_entry_size(paging);
	unsigned per = paging == NEPT_L2_32BIT ? 1024 : 512;
	uint64_t mask = nept_l2_addr_bits(paging), table, gla = 0, v, l1;
	uint16_t idx[1024];

	if (!level)
		return old;
	if (paging == NEPT_L2_PAE) {
		unsigned k = below(c, 4), j;

		for (j = 0; j < 4 && !(s->l2.pdpte[k] & L2E_P); j++)
			k = (k + 1) & 3;
		gla = (uint64_t)k << 30;
		v = s->l2.pdpte[k];
		if (!(v & L2E_P))
			return gla | low_bits(c, old, 30);
		table = v & mask;
		level = 2;
	} else {
		table = s->l2.cr3 & mask;
	}
	for (;; level--) {
		unsigned shift = l2_shift(paging, level), n = 0, i;

		if (ept_walk(c, table, false, &l1))
			n = page_entries(s, l1 & ~PAGE_MASK, size, idx);
		i = pick_index(c, idx, n, per,
			       (unsigned)((old >> shift) & (per - 1)));
		gla |= (uint64_t)i << shift;
		if (level == 1 || !n)
			break;
		v = entry_get(s, (l1 & ~PAGE_MASK) + i * size, size);
		if (!(v & L2E_P) || l2_leaf(s, level, v))
			break;
		table = v & mask;
	}
	return nept_l2_linear(paging,
			      gla | low_bits(c, old, l2_shift(paging, level)));
}

/* ---- events ---- */

/*
 * Adapts an event to the scenario: what the L2 walk decides or the source
 * does not use goes to 0, addresses to what the modes can hold.  The
 * legality verdict stays scenario_check's; this only aims the event.
 */
static void fit_event(struct mctx *c, struct nept_event *e)
{
	const struct nept_scenario *s = c->s;
	uint64_t final;

	e->reserved1 = 0;
	nept_event_drop_expectations(e);
	if (e->source != NEPT_SRC_HW_VIOLATION)
		e->hw_qual = 0;
	if (e->source != NEPT_SRC_EMULATED) {
		e->exit_reason = 0;
		e->exit_qual = 0;
		e->exit_vector = 0;
		e->exit_error_code = 0;
		e->exit_value = 0;
	}
	if (nept_walks_l2(s, e)) {
		if (!e->gla)
			e->gla = e->gpa;
		e->gpa = 0;
		e->flags &= (uint8_t)~NEPT_AF_FROM_L2_WALK;
	} else {
		e->flags &= (uint8_t)~NEPT_AF_IMPLICIT;
		/* Paging off: the linear address is the guest-physical
		 * one; on, hardware faulted on where L2's walk leads. */
		if (!e->gpa && s->l2.paging == NEPT_L2_OFF)
			e->gpa = e->gla;
		else if (!e->gpa && l2_walk(c, e->gla, false, &final))
			e->gpa = final;
	}
	if (e->access == NEPT_ACC_FETCH)
		e->flags &= (uint8_t)~NEPT_AF_IMPLICIT;
	if (e->source != NEPT_SRC_HW_VIOLATION || s->l2.paging == NEPT_L2_OFF)
		e->has_rip = 0;
	e->rip = e->has_rip ? nept_l2_linear(s->l2.paging, e->rip) : 0;
	e->gla = nept_l2_linear(s->l2.paging, e->gla);
	e->gpa &= ept_levels(s) == 5 ? (1ull << 52) - 1 : (1ull << 48) - 1;
}

static struct nept_event *pick_event(struct mctx *c)
{
	return c->s->nevents ? &c->s->event[below(c, c->s->nevents)] : NULL;
}

static struct nept_event *pick_event_of(struct mctx *c, unsigned source)
{
	unsigned i, n = 0, k;

	for (i = 0; i < c->s->nevents; i++)
		n += c->s->event[i].source == source;
	if (!n)
		return NULL;
	k = below(c, n);
	for (i = 0; i < c->s->nevents; i++)
		if (c->s->event[i].source == source && k-- == 0)
			return &c->s->event[i];
	return NULL;
}

/* A hardware EPT-violation qualification (SDM 27.2.1): the access, the
 * rights L0's shadow granted, GLA bits, sometimes anything. */
static uint64_t hw_qual(struct mctx *c, const struct nept_event *e)
{
	uint64_t q = 1ull << (e->access % 3);

	if (chance(c, 10))
		return rnd(c) & 0x1fff;
	q |= (uint64_t)below(c, 16) << 3;
	if (chance(c, 70))
		q |= QUAL_GLA_VALID | (chance(c, 70) ? QUAL_GLA_FINAL : 0);
	if (chance(c, 15))
		q |= QUAL_NMI_UNBLOCK;
	return chance(c, 20) ? 0x78 : q;
}

/* The exit's information for its reason (facts §15.2, §15.4): an
 * exception's vector and error code, a MOV to CR's source operand. */
static void exit_info(struct mctx *c, struct nept_event *e)
{
	static const uint64_t vectors[] = { 14, 13, 6, 0, 17, 1, 2 };

	e->exit_vector = 0;
	e->exit_error_code = 0;
	e->exit_value = 0;
	if (e->exit_reason == NEPT_EXIT_EXCEPTION_NMI) {
		unsigned v = (unsigned)ONE_OF(c, vectors);

		e->exit_vector = (uint8_t)(1 + v);
		if (nept_vector_has_error_code(v))
			e->exit_error_code = (uint32_t)(rnd(c) & 0x1f);
	} else if (e->exit_reason == NEPT_EXIT_CR_ACCESS &&
		   !((e->exit_qual >> 4) & 3)) {
		e->exit_value = chance(c, 50) ? rnd(c) : rnd(c) & 0x8000003f;
	}
	if (!nept_exit_saves_qual(e->exit_reason, e->exit_vector))
		e->exit_qual = 0;
}

/* The exit the emulator runs under (a new one when redraw is set), with a
 * qualification of its layout (SDM 27.2.1). */
static void current_exit(struct mctx *c, struct nept_event *e, bool redraw)
{
	uint64_t q;

	if (redraw) {
		static const uint64_t reasons[] = {
			NEPT_EXIT_IO_INSTRUCTION,   NEPT_EXIT_EPT_MISCONFIG,
			NEPT_EXIT_EXCEPTION_NMI,    NEPT_EXIT_CR_ACCESS,
			NEPT_EXIT_TASK_SWITCH,	    NEPT_EXIT_GDTR_IDTR,
			NEPT_EXIT_LDTR_TR,	    NEPT_EXIT_EPT_VIOLATION,
			NEPT_EXIT_PML_FULL,	    NEPT_EXIT_TRIPLE_FAULT,
			NEPT_EXIT_ENTRY_FAIL_GUEST,
		};

		e->exit_reason = (uint16_t)(chance(c, 8) ? below(c, 70)
							 : ONE_OF(c, reasons));
	}
	switch (e->exit_reason) {
	case NEPT_EXIT_IO_INSTRUCTION: /* port, string, rep, in, size */
		q = ((uint64_t)below(c, 0x10000) << 16) |
		    ((uint64_t)below(c, 4) << 4) |
		    ((uint64_t)below(c, 2) << 3) | below(c, 4);
		break;
	case NEPT_EXIT_EXCEPTION_NMI: /* a #PF: the linear address */
		q = e->gla;
		break;
	case NEPT_EXIT_CR_ACCESS: /* MOV to CR0/3/4, or LMSW */
		q = chance(c, 50)
			    ? (3u << 4) | (1u << 6) | (rnd(c) & 0xffff0000)
			    : below(c, 5) | ((uint64_t)below(c, 16) << 8);
		break;
	case NEPT_EXIT_TASK_SWITCH: /* selector, source */
		q = (rnd(c) & 0xffff) | ((uint64_t)below(c, 4) << 30);
		break;
	case NEPT_EXIT_EPT_VIOLATION:
		q = QUAL_GLA_VALID | QUAL_GLA_FINAL | (1ull << below(c, 3)) |
		    ((uint64_t)below(c, 16) << 3);
		break;
	case NEPT_EXIT_GDTR_IDTR:
	case NEPT_EXIT_LDTR_TR:
		/* The instruction's displacement, sign-extended to 64 bits
		 * (SDM 27.2.1): none, 8 or 32 bits of it. */
		switch (below(c, 3)) {
		case 0:
			q = 0;
			break;
		case 1:
			q = (uint64_t)(int64_t)(int8_t)rnd(c);
			break;
		default:
			q = (uint64_t)(int64_t)(int32_t)rnd(c);
			break;
		}
		break;
	default:
		q = chance(c, 50) ? 0 : rnd(c) & 0xffff;
		break;
	}
	e->exit_qual = q;
	exit_info(c, e);
}

/* The exits event delivery can cause (scenario.c's during rule names
 * them): an emulated access during delivery runs under one of them. */
static void exit_for_delivery(struct mctx *c, struct nept_event *e)
{
	static const uint64_t reasons[] = {
		NEPT_EXIT_EXCEPTION_NMI, NEPT_EXIT_TASK_SWITCH,
		NEPT_EXIT_EPT_VIOLATION, NEPT_EXIT_EPT_MISCONFIG,
		NEPT_EXIT_PML_FULL,
	};

	e->exit_reason = (uint16_t)ONE_OF(c, reasons);
	current_exit(c, e, false);
}

/* ---- applying binary records on top of a scenario ---- */

static size_t put(uint8_t *b, size_t n, uint64_t v, unsigned bytes)
{
	unsigned i;

	for (i = 0; i < bytes; i++)
		b[n++] = (uint8_t)(v >> (8 * i));
	return n;
}

/*
 * Runs binary records (PATH, L2PATH) on top of s: encodes s, appends them
 * and decodes, so the decoder's own chain building lays out the tables
 * (docs/scenario-format.md, "PATH").  False, s untouched, when the result
 * does not decode.
 */
static bool apply_records(struct nept_scenario *s, const uint8_t *rec, size_t n)
{
	uint8_t buf[NEPT_BIN_MAX + 128];
	struct nept_scenario t;
	size_t len = scenario_encode_bin(s, buf, NEPT_BIN_MAX);

	if (!len || len + n > sizeof(buf))
		return false;
	memcpy(buf + len, rec, n);
	if (!scenario_decode_bin(buf, len + n, &t))
		return false;
	*s = t;
	return true;
}

/* An EPT12 entry template for a chain: mostly full rights. */
static uint64_t ept_template(struct mctx *c)
{
	static const uint64_t common[] = { 7,	  7,	 7,	7,    7,
					   3,	  5,	 1,	4,    0x107,
					   0x407, 0x507, 0x307, 0x37, 0 };
	uint64_t v = ONE_OF(c, common);

	if (chance(c, 10))
		v |= 1ull << below(c, 64);
	return v;
}

/* An EPT12 leaf for the page at pa (level 1), or a large page. */
static uint64_t ept_leaf_template(struct mctx *c, unsigned level, uint64_t pa)
{
	static const uint64_t flags[] = { 0x37, 0x37, 0x37, 0x31,  0x33, 0x35,
					  0x34, 0x77, 0x07, 0x337, 0x437 };
	uint64_t sz = level_size(level), v;

	v = (pa & ~(sz - 1)) | ONE_OF(c, flags);
	if (level > 1)
		v |= EPTE_PS;
	if (chance(c, 10))
		v |= 1ull << below(c, 64);
	return v;
}

/* An L2 paging entry template (facts §8): present, mostly sane. */
static uint64_t l2_template(struct mctx *c, unsigned size)
{
	static const uint64_t common[] = { 0x67, 0x27, 0x07, 0x03, 0x01,
					   0x05, 0x63, 0x23, 0x25, 0x21,
					   0xe7, 0xa7, 0x00, 0x06 };
	uint64_t v = ONE_OF(c, common);

	if (size == 8 && chance(c, 15))
		v |= L2E_XD;
	if (chance(c, 8))
		v |= 1ull << below(c, size == 8 ? 64 : 32);
	return v;
}

/* Maps the page at pa one to one through EPT12 (a PATH of full rights). */
static bool map_identity(struct mctx *c, uint64_t pa)
{
	unsigned levels = ept_levels(c->s), i;
	uint8_t rec[1 + 8 + 1 + 5 * 8];
	size_t n = 0;

	if (!levels)
		return false;
	rec[n++] = TAG_PATH;
	n = put(rec, n, pa, 8);
	rec[n++] = (uint8_t)levels;
	for (i = 0; i + 1 < levels; i++)
		n = put(rec, n, 7, 8);
	n = put(rec, n, (pa & ~PAGE_MASK) | 0x37, 8);
	return apply_records(c->s, rec, n);
}

/* ==== the mutations ==== */

/* -- EPT12 entries -- */

static bool set_ept(struct mctx *c, const struct site *st, uint64_t v)
{
	return v != qget(c->s, st->addr) && qset(c->s, st->addr, v);
}

static bool m_ept_rwx(struct mctx *c)
{
	struct site st;
	uint64_t v;

	if (!pick_ept(c, &st))
		return false;
	v = qget(c->s, st.addr);
	if (chance(c, 60))
		v ^= 1ull << below(c, 3);
	else
		v = (v & ~EPTE_RWX) | below(c, 8);
	return set_ept(c, &st, v);
}

static bool m_ept_memtype(struct mctx *c)
{
	struct site st;
	uint64_t v;

	if (!pick_ept(c, &st))
		return false;
	v = qget(c->s, st.addr);
	if (chance(c, 75))
		v = (v & ~(7ull << EPTE_MT_SHIFT)) |
		    ((uint64_t)below(c, 8) << EPTE_MT_SHIFT);
	if (chance(c, 30))
		v ^= EPTE_IPAT;
	return set_ept(c, &st, v);
}

static bool m_ept_ps(struct mctx *c)
{
	struct site st;

	if (!pick_ept(c, &st))
		return false;
	return set_ept(c, &st, qget(c->s, st.addr) ^ EPTE_PS);
}

static bool m_ept_ad(struct mctx *c)
{
	static const uint64_t bits[] = { EPTE_A, EPTE_D, EPTE_A | EPTE_D };
	struct site st;

	if (!pick_ept(c, &st))
		return false;
	return set_ept(c, &st, qget(c->s, st.addr) ^ ONE_OF(c, bits));
}

static bool m_ept_xu(struct mctx *c)
{
	struct site st;

	if (!pick_ept(c, &st))
		return false;
	return set_ept(c, &st, qget(c->s, st.addr) ^ EPTE_XU);
}

/* Reserved bits (facts §4 item 3): 51:M, bit M itself, bits 7:3 of a
 * PML5E/PML4E, 6:3 of a non-leaf entry, a large page's alignment bits. */
static bool m_ept_reserved(struct mctx *c)
{
	unsigned m = c->s->l1_maxphyaddr, bit;
	struct site st;
	uint64_t v;

	if (!pick_ept(c, &st))
		return false;
	v = qget(c->s, st.addr);
	switch (below(c, 4)) {
	case 0:
	case 1:
		if (m >= 52)
			return false;
		bit = chance(c, 50) ? m : m + below(c, 52 - m);
		break;
	case 2:
		if (st.level >= 4)
			bit = 3 + below(c, 5);
		else if (!ept_leaf(st.level, v))
			bit = 3 + below(c, 4);
		else if (st.level > 1)
			bit = 12 + below(c, st.level == 3 ? 18 : 9);
		else
			return false;
		break;
	default:
		if (m >= 52)
			return false;
		bit = 51;
		break;
	}
	return set_ept(c, &st, v | 1ull << bit);
}

/* Ignored bits: 11 and 63:52 (bit 63 suppresses #VE in a leaf). */
static bool m_ept_ignored(struct mctx *c)
{
	struct site st;
	unsigned bit = chance(c, 20) ? 11 : 52 + below(c, 12);

	if (!pick_ept(c, &st))
		return false;
	return set_ept(c, &st, qget(c->s, st.addr) ^ 1ull << bit);
}

static bool m_ept_not_present(struct mctx *c)
{
	struct site st;
	uint64_t v;

	if (!pick_ept(c, &st))
		return false;
	v = qget(c->s, st.addr);
	if (!ept_present(c->s, v))
		return false;
	/* Keep the other bits: not-present entries ignore them. */
	return set_ept(c, &st, chance(c, 30) ? 0 : v & ~(EPTE_RWX | EPTE_XU));
}

/* A table address of a walk, the root, or any backed page. */
static uint64_t table_target(struct mctx *c, bool l2)
{
	const struct site *st = pick_site(c, l2);

	switch (below(c, 4)) {
	case 0:
		return l2 ? c->s->l2.cr3 & ~PAGE_MASK
			  : c->s->eptp & ept_mask(c->s);
	case 1:
		return any_page(c);
	default:
		return st ? st->table : any_page(c);
	}
}

static bool m_ept_alias(struct mctx *c)
{
	uint64_t mask = ept_mask(c->s), v, t;
	struct site st;

	if (!pick_ept(c, &st))
		return false;
	v = qget(c->s, st.addr);
	t = chance(c, 25) ? st.table : table_target(c, false);
	if (!ept_present(c->s, v))
		v |= EPTE_RWX;
	return set_ept(c, &st, (v & ~mask) | (t & mask));
}

/* Rights, A, XU and ignored bits: what a non-leaf entry keeps of a leaf. */
#define EPT_NONLEAF_KEEP \
	(EPTE_RWX | EPTE_A | EPTE_XU | (1ull << 11) | 0xfff0000000000000ull)
/* Rights, memory type, IPAT, A, D, XU: what a leaf passes down. */
#define EPT_LEAF_ATTR (0x7full | EPTE_A | EPTE_D | EPTE_XU)

/*
 * One more level: a large page becomes a table holding the same
 * translation for the walked address one level down, or a not-present
 * entry a table with one entry in it.
 */
static bool m_ept_add_level(struct mctx *c)
{
	struct nept_scenario *s = c->s;
	uint64_t mask = ept_mask(s), p = fresh_page(s), v, child = 0;
	const struct site *cand[MAX_SITES];
	const struct site *st;
	unsigned i, n = 0, cl;

	for (i = 0; i < c->nsites; i++) {
		st = &c->site[i];
		v = qget(s, st->addr);
		if (!st->l2 && st->level >= 2 &&
		    (!ept_present(s, v) || ept_leaf(st->level, v)))
			cand[n++] = st;
	}
	if (!n || p & ~mask)
		return false;
	st = cand[below(c, n)];
	v = qget(s, st->addr);
	cl = st->level - 1u;
	if (ept_present(s, v)) {
		uint64_t sz = level_size(st->level), csz = level_size(cl);
		uint64_t base = v & mask & ~(sz - 1);

		child = (base + (st->va & (sz - 1) & ~(csz - 1))) |
			(v & EPT_LEAF_ATTR) | (cl > 1 ? EPTE_PS : 0);
		v = (v & EPT_NONLEAF_KEEP) | p;
	} else {
		if (cl == 1)
			child = ept_leaf_template(c, 1,
						  chance(c, 50) ? st->va & mask
								: any_page(c));
		else if (chance(c, 50))
			child = ept_template(c) | (any_page(c) & mask);
		v = (v & EPT_NONLEAF_KEEP & ~EPTE_RWX) | EPTE_RWX | p;
	}
	if (!scenario_add_page(s, p))
		return false;
	if (child && !qset(s, p + ept_index(st->va, cl) * 8, child))
		return false;
	return set_ept(c, st, v);
}

/*
 * One level less: a PDE or PDPTE pointing at a table becomes the large
 * page the walked address reached through it (or a large page at its
 * table's address).
 */
static bool m_ept_drop_level(struct mctx *c)
{
	struct nept_scenario *s = c->s;
	uint64_t mask = ept_mask(s), v, cv, sz, nv;
	const struct site *cand[MAX_SITES];
	const struct site *st;
	unsigned i, n = 0, cl;

	for (i = 0; i < c->nsites; i++) {
		st = &c->site[i];
		v = qget(s, st->addr);
		if (!st->l2 && (st->level == 2 || st->level == 3) &&
		    ept_present(s, v) && !ept_leaf(st->level, v))
			cand[n++] = st;
	}
	if (!n)
		return false;
	st = cand[below(c, n)];
	v = qget(s, st->addr);
	cl = st->level - 1u;
	sz = level_size(st->level);
	cv = qget(s, (v & mask) + ept_index(st->va, cl) * 8);
	if (ept_present(s, cv) && ept_leaf(cl, cv)) {
		uint64_t csz = level_size(cl);
		uint64_t pa = (cv & mask & ~(csz - 1)) | (st->va & (csz - 1));

		nv = ((pa - (st->va & (sz - 1))) & mask & ~(sz - 1)) |
		     (cv & EPT_LEAF_ATTR) | EPTE_PS;
	} else {
		nv = (v & mask & ~(sz - 1)) | (v & (EPTE_RWX | EPTE_XU)) |
		     6ull << EPTE_MT_SHIFT | EPTE_PS;
	}
	return set_ept(c, st, nv);
}

/* A leaf's address: another page, a table (the walk maps its own
 * tables), the highest the width allows, a neighbour. */
static bool m_ept_address(struct mctx *c)
{
	uint64_t mask = ept_mask(c->s), v, a;
	struct site st;

	if (!pick_ept(c, &st))
		return false;
	v = qget(c->s, st.addr);
	switch (below(c, 5)) {
	case 0:
		a = any_page(c);
		break;
	case 1:
		a = table_target(c, false);
		break;
	case 2:
		a = (v & mask) | 1ull << (c->s->l1_maxphyaddr - 1);
		break;
	case 3:
		a = (v & mask) + (chance(c, 50) ? PAGE_SIZE : -PAGE_SIZE);
		break;
	default:
		a = rnd(c);
		break;
	}
	if (ept_leaf(st.level, v) && st.level > 1 && chance(c, 70))
		a &= ~(level_size(st.level) - 1);
	return set_ept(c, &st, (v & ~mask) | (a & mask));
}

/* A new entry where a walk will find it: at the index an event's address
 * selects in a table of its walk, or anywhere in a backed page. */
static bool m_ept_new_entry(struct mctx *c)
{
	const struct site *st = pick_site(c, false);
	struct nept_scenario *s = c->s;
	uint64_t ea, v;

	if (st && chance(c, 70)) {
		/* The same table, another event's index, or its neighbour. */
		const struct site *o = pick_site(c, false);

		ea = st->table + ept_index(o->va, st->level) * 8;
		if (chance(c, 30))
			ea = st->table + ((ea + 8) & PAGE_MASK);
	} else {
		ea = any_page(c) + below(c, 512) * 8;
	}
	v = chance(c, 50) ? ept_template(c) | (any_page(c) & ept_mask(s))
			  : ept_leaf_template(c, 1, any_page(c));
	return v != qget(s, ea) && qset(s, ea, v);
}

/* A chain of tables for a GPA (the decoder's PATH): new levels under
 * existing ones, or a walk where there was none. */
static bool m_ept_path(struct mctx *c)
{
	struct nept_scenario *s = c->s;
	unsigned levels = ept_levels(s), n, i, last;
	uint8_t rec[1 + 8 + 1 + 5 * 8];
	const struct site *st = pick_site(c, false);
	uint64_t gpa, mask = ept_mask(s);
	size_t len = 0;

	if (!levels)
		return false;
	if (st && chance(c, 50))
		gpa = st->va;
	else if (chance(c, 60))
		gpa = descend_ept(c, st ? st->va : 0);
	else
		gpa = (uint64_t)below(c, 1u << 20) << 12;
	n = chance(c, 50) ? levels : 1 + below(c, levels);
	last = levels + 1 - n;
	rec[len++] = TAG_PATH;
	len = put(rec, len, gpa, 8);
	rec[len++] = (uint8_t)n;
	for (i = 0; i + 1 < n; i++)
		len = put(rec, len, ept_template(c), 8);
	if (last == 1 || chance(c, 40))
		len = put(rec, len,
			  ept_leaf_template(c, last,
					    chance(c, 60) ? gpa & mask
							  : any_page(c)),
			  8);
	else
		len = put(rec, len, ept_template(c), 8);
	return apply_records(s, rec, len);
}

/* -- L2 paging entries -- */

static bool pick_l2(struct mctx *c, struct site *out, uint64_t *v)
{
	const struct site *st = pick_site(c, true);

	if (!st)
		return false;
	*out = *st;
	*v = entry_get(c->s, st->addr, st->size);
	return true;
}

static bool set_l2(struct mctx *c, const struct site *st, uint64_t v)
{
	return v != entry_get(c->s, st->addr, st->size) &&
	       entry_set(c->s, st->addr, st->size, v);
}

/* P, R/W, U/S, A, D, PS, XD, protection key (facts §8). */
static bool m_l2_bits(struct mctx *c)
{
	static const uint64_t bits[] = { L2E_P, L2E_RW, L2E_US, L2E_US, L2E_A,
					 L2E_D, L2E_PS, L2E_XD, L2E_XD, 0 };
	struct site st;
	uint64_t v, b;

	if (!pick_l2(c, &st, &v))
		return false;
	b = ONE_OF(c, bits);
	if (!b) /* the protection key, bits 62:59 */
		b = (uint64_t)(1 + below(c, 15)) << 59;
	if (st.size == 4 && b >> 32)
		b = L2E_US;
	return set_l2(c, &st, v ^ b);
}

/* Reserved bits: M..51, XD without NXE, PS in a PML4E/PML5E, a large
 * page's alignment bits, bit 21 of a 32-bit 4-MiB PDE. */
static bool m_l2_reserved(struct mctx *c)
{
	unsigned m = c->s->l1_maxphyaddr, bit;
	struct site st;
	uint64_t v;

	if (!pick_l2(c, &st, &v))
		return false;
	if (st.size == 4) {
		if (st.level != 2)
			return false;
		bit = (v & L2E_PS) ? 13 + below(c, 9) : 7;
	} else {
		switch (below(c, 5)) {
		case 0:
			if (m >= 52)
				return false;
			bit = m;
			break;
		case 1:
			if (m >= 52)
				return false;
			bit = m + below(c, 52 - m);
			break;
		case 2:
			bit = 63;
			break;
		case 3:
			if (st.level < 4)
				return false;
			bit = 7;
			break;
		default:
			if (!(v & L2E_PS) || st.level == 1)
				return false;
			bit = 13 + below(c, st.level == 3 ? 17 : 8);
			break;
		}
	}
	return set_l2(c, &st, v | 1ull << bit);
}

static bool m_l2_alias(struct mctx *c)
{
	uint64_t mask = nept_l2_addr_bits(c->s->l2.paging), v, t;
	struct site st;

	if (!pick_l2(c, &st, &v))
		return false;
	t = chance(c, 25) ? st.table : table_target(c, true);
	return set_l2(c, &st, (v & ~mask) | (t & mask) | L2E_P);
}

static bool m_l2_not_present(struct mctx *c)
{
	struct site st;
	uint64_t v;

	if (!pick_l2(c, &st, &v) || !(v & L2E_P))
		return false;
	return set_l2(c, &st, chance(c, 30) ? 0 : v & ~L2E_P);
}

/* L2's tables for gla, n levels of them from the root (the decoder's
 * L2PATH), mapped one to one through EPT12 with the entry ept. */
static bool build_l2_path(struct mctx *c, uint64_t gla, unsigned n,
			  uint64_t ept)
{
	unsigned size = nept_l2_entry_size(c->s->l2.paging), i;
	uint8_t rec[1 + 8 + 1 + 8 + 5 * 8];
	size_t len = 0;

	rec[len++] = TAG_L2PATH;
	len = put(rec, len, gla, 8);
	rec[len++] = (uint8_t)n;
	len = put(rec, len, ept, 8);
	for (i = 0; i < n; i++)
		len = put(rec, len, l2_template(c, size), 8);
	return apply_records(c->s, rec, len);
}

static bool m_l2_path(struct mctx *c)
{
	static const uint64_t ept[] = { 7, 7, 0x37, 0x37, 0, 5, 3, 1, 0x137 };
	struct nept_scenario *s = c->s;
	unsigned paging = s->l2.paging, levels = nept_l2_levels(paging), n;
	const struct site *st = pick_site(c, true);
	uint64_t gla;

	if (!levels)
		return false;
	if (st && chance(c, 50))
		gla = st->va;
	else if (chance(c, 60))
		gla = descend_l2(c, st ? st->va : 0);
	else
		gla = nept_l2_linear(paging, rnd(c) & 0xffffffffffffull);
	n = chance(c, 50) ? levels : 1 + below(c, levels);
	return build_l2_path(c, gla, n, ONE_OF(c, ept));
}

/* -- L2 state -- */

/* A page for an L2 root: the old one, a table of a walk, any page. */
static uint64_t l2_root(struct mctx *c, const struct nept_l2 *old)
{
	unsigned i;

	if (old->cr3 && chance(c, 70))
		return old->cr3;
	for (i = 0; i < 4; i++)
		if ((old->pdpte[i] & L2E_P) && chance(c, 70))
			return old->pdpte[i] & nept_l2_addr_bits(NEPT_L2_PAE);
	return chance(c, 50) ? 0x10000 : any_page(c);
}

static bool m_l2_mode(struct mctx *c)
{
	struct nept_scenario *s = c->s;
	struct nept_l2 old = s->l2, *l2 = &s->l2;
	unsigned np = below(c, NEPT_L2_PAGING_COUNT), i;
	uint64_t root, l1, v = 0;

	if (np == old.paging)
		return false;
	root = l2_root(c, &old);
	if (old.paging == NEPT_L2_4LEVEL && np == NEPT_L2_5LEVEL &&
	    chance(c, 60)) {
		/* One level more: a PML5 over the old PML4, mapped through
		 * EPT12 (while the scenario is still the old, legal one).
		 * Both halves of the canonical space lead to it. */
		uint64_t p = fresh_page(s);

		if (!qset(s, p, root | 0x27) ||
		    !qset(s, p + 511 * 8, root | 0x27) || !map_identity(c, p))
			return false;
		root = p;
	}
	if (old.paging == NEPT_L2_5LEVEL && np == NEPT_L2_4LEVEL &&
	    chance(c, 60)) {
		/* One level less: the PML4 under PML5 entry 0. */
		if (ept_walk(c, root, false, &l1))
			v = qget(s, l1);
		if (v & L2E_P)
			root = v & nept_l2_addr_bits(NEPT_L2_4LEVEL);
	}
	memset(l2, 0, sizeof(*l2));
	l2->paging = (uint8_t)np;
	if (np != NEPT_L2_OFF) {
		l2->cpl = old.paging ? old.cpl : (chance(c, 50) ? 3 : 0);
		l2->flags = old.paging ? old.flags
				       : (uint16_t)(rnd(c) & NEPT_L2F_ALL &
						    ~NEPT_L2F_PKE);
		l2->pkru = (l2->flags & NEPT_L2F_PKE) ? old.pkru : 0;
	}
	switch (np) {
	case NEPT_L2_32BIT:
		l2->cr3 = root >> 32 ? 0x10000 : root;
		break;
	case NEPT_L2_PAE:
		/* The PDPTE registers the events' addresses select. */
		for (i = 0; i < s->nevents; i++)
			l2->pdpte[(s->event[i].gla >> 30) & 3] = root | L2E_P;
		if (!s->nevents || chance(c, 30))
			l2->pdpte[below(c, 4)] = root | L2E_P;
		break;
	case NEPT_L2_4LEVEL:
	case NEPT_L2_5LEVEL:
		l2->cr3 = root;
		break;
	default:
		break;
	}
	for (i = 0; i < s->nevents; i++)
		fit_event(c, &s->event[i]);
	return true;
}

static bool m_l2_cpl(struct mctx *c)
{
	if (c->s->l2.paging == NEPT_L2_OFF)
		return false;
	c->s->l2.cpl = (uint8_t)((c->s->l2.cpl + 1 + below(c, 3)) & 3);
	return true;
}

static bool m_l2_cr_flags(struct mctx *c)
{
	struct nept_l2 *l2 = &c->s->l2;

	if (l2->paging == NEPT_L2_OFF)
		return false;
	l2->flags ^= (uint16_t)(1u << below(c, 7));
	if (!(l2->flags & NEPT_L2F_PKE))
		l2->pkru = 0;
	return true;
}

static bool m_l2_pkru(struct mctx *c)
{
	struct nept_l2 *l2 = &c->s->l2;
	unsigned key = below(c, 16);
	static const uint64_t common[] = { 0, 0xffffffff, 0x55555554,
					   0xaaaaaaa8 };

	if (l2->paging == NEPT_L2_OFF)
		return false;
	l2->flags |= NEPT_L2F_PKE;
	switch (below(c, 4)) {
	case 0: /* access-disable or write-disable of one key */
		l2->pkru ^= 1u << (2 * key + below(c, 2));
		break;
	case 1:
		l2->pkru = (uint32_t)ONE_OF(c, common);
		break;
	case 2:
		l2->pkru = 3u << (2 * key);
		break;
	default:
		l2->pkru = (uint32_t)rnd(c);
		break;
	}
	return true;
}

static bool m_l2_cr3(struct mctx *c)
{
	struct nept_l2 *l2 = &c->s->l2;
	uint64_t t;

	if (l2->paging == NEPT_L2_OFF || l2->paging == NEPT_L2_PAE)
		return false;
	t = chance(c, 70) ? table_target(c, true) : fresh_page(c->s);
	t &= ~PAGE_MASK;
	if (t == l2->cr3)
		return false;
	l2->cr3 = t;
	return true;
}

static bool m_l2_pdpte(struct mctx *c)
{
	struct nept_l2 *l2 = &c->s->l2;
	uint64_t *p, mask = nept_l2_addr_bits(NEPT_L2_PAE);

	if (l2->paging != NEPT_L2_PAE)
		return false;
	p = &l2->pdpte[below(c, 4)];
	switch (below(c, 4)) {
	case 0:
		*p ^= L2E_P;
		break;
	case 1:
		*p = (*p & ~mask) | (table_target(c, true) & mask) | L2E_P;
		break;
	case 2: /* PWT, PCD and the ignored bits 11:9 */
		*p ^= 1ull << (chance(c, 40) ? 3 + below(c, 2)
					     : 9 + below(c, 3));
		break;
	default:
		*p = (any_page(c) & mask) | L2E_P;
		break;
	}
	return true;
}

/* -- events -- */

/*
 * The L2 entries L2's walk for gla reads (at most 5, into found, their
 * number in *n), without keeping them among the context's sites; true
 * with *final when the walk reaches a leaf (l2_walk).
 */
static bool l2_walk_sites(struct mctx *c, uint64_t gla, struct site *found,
			  unsigned *n, uint64_t *final)
{
	unsigned saved = c->nsites, i;
	bool done = l2_walk(c, gla, true, final);

	*n = 0;
	for (i = saved; i < c->nsites && *n < 5; i++)
		if (c->site[i].l2)
			found[(*n)++] = c->site[i];
	c->nsites = saved;
	return done;
}

/*
 * Where hardware faulted for gla under L2 paging: for a paging-structure
 * access, the guest-physical address of one of the L2 entries its walk
 * reads; else the final address, when the walk reaches one.
 */
static bool l2_fault_gpa(struct mctx *c, const struct nept_event *e,
			 uint64_t *gpa)
{
	struct site found[5];
	uint64_t final = 0;
	unsigned n;
	bool done = l2_walk_sites(c, e->gla, found, &n, &final);

	if (e->flags & NEPT_AF_PAGING) {
		if (!n)
			return false;
		n = below(c, n);
		*gpa = nept_l2_entry_addr(c->s->l2.paging, found[n].table,
					  found[n].level, e->gla);
		return true;
	}
	*gpa = final;
	return done;
}

static bool m_ev_walk_address(struct mctx *c)
{
	struct nept_event *e = pick_event(c);
	uint64_t gpa;

	if (!e)
		return false;
	if (nept_walks_l2(c->s, e)) {
		e->gla = descend_l2(c, e->gla);
	} else if (c->s->l2.paging != NEPT_L2_OFF && chance(c, 50)) {
		/* Hardware faulted where L2's walk of gla led. */
		e->gla = descend_l2(c, e->gla);
		if (l2_fault_gpa(c, e, &gpa))
			e->gpa = gpa;
	} else {
		e->gpa = descend_ept(c, e->gpa);
	}
	fit_event(c, e);
	return true;
}

static bool m_ev_address(struct mctx *c)
{
	struct nept_event *e = pick_event(c), *o = pick_event(c);
	bool walks;
	uint64_t *a;

	if (!e)
		return false;
	walks = nept_walks_l2(c->s, e);
	a = walks ? &e->gla : &e->gpa;
	switch (below(c, 5)) {
	case 0: /* another event's page, another offset */
		*a = ((walks ? o->gla : o->gpa) & ~PAGE_MASK) |
		     below(c, PAGE_SIZE);
		break;
	case 1:
		*a ^= 1ull << below(c, walks ? 48 : c->s->l1_maxphyaddr + 1);
		break;
	case 2: /* page edges */
		*a = chance(c, 50) ? *a | PAGE_MASK : *a & ~PAGE_MASK;
		break;
	case 3:
		*a += chance(c, 50) ? PAGE_SIZE : -PAGE_SIZE;
		break;
	default: /* the linear address a non-walking event reports */
		if (walks)
			*a = rnd(c);
		else
			e->gla = chance(c, 50) ? e->gpa
					       : rnd(c) & 0xffffffffffff;
		break;
	}
	fit_event(c, e);
	return true;
}

/* The flags an access implies (facts §5.2, §5.4): a paging-structure
 * access is a read, unless it writes A/D flags. */
static void access_flags(struct nept_event *e, unsigned acc)
{
	if (e->flags & NEPT_AF_PAGING) {
		if (acc == NEPT_ACC_READ)
			e->flags &= (uint8_t)~NEPT_AF_SETS_AD;
		else if (acc == NEPT_ACC_WRITE)
			e->flags = (uint8_t)((e->flags | NEPT_AF_SETS_AD) &
					     ~NEPT_AF_NO_GLA);
		else
			e->flags &=
				(uint8_t) ~(NEPT_AF_PAGING | NEPT_AF_SETS_AD |
					    NEPT_AF_NO_GLA);
	}
	if (acc == NEPT_ACC_FETCH)
		e->flags &= (uint8_t)~NEPT_AF_IMPLICIT;
	e->access = (uint8_t)acc;
}

static bool m_ev_access(struct mctx *c)
{
	struct nept_event *e = pick_event(c);

	if (!e)
		return false;
	access_flags(e, (e->access + 1 + below(c, 2)) % NEPT_ACC_COUNT);
	return true;
}

static bool m_ev_source(struct mctx *c)
{
	struct nept_event *e = pick_event(c);

	if (!e)
		return false;
	e->source = (uint8_t)((e->source + 1 + below(c, 2)) %
			      NEPT_SRC_ACCESS_COUNT);
	if (e->source == NEPT_SRC_HW_VIOLATION)
		e->hw_qual = hw_qual(c, e);
	if (e->source == NEPT_SRC_EMULATED)
		current_exit(c, e, true);
	if (e->during && e->source == NEPT_SRC_EMULATED && chance(c, 50))
		exit_for_delivery(c, e);
	fit_event(c, e);
	return true;
}

static bool m_ev_flags(struct mctx *c)
{
	struct nept_event *e = pick_event(c);
	unsigned bit;

	if (!e)
		return false;
	if (nept_walks_l2(c->s, e)) {
		bit = chance(c, 50) ? NEPT_AF_NMI_UNBLOCK : NEPT_AF_IMPLICIT;
		e->flags ^= (uint8_t)bit;
		if ((e->flags & NEPT_AF_IMPLICIT) &&
		    e->access == NEPT_ACC_FETCH)
			e->access = (uint8_t)below(c, 2);
		return true;
	}
	bit = 1u << below(c, 7); /* implicit needs an L2 walk */
	e->flags ^= (uint8_t)bit;
	if (!(e->flags & NEPT_AF_PAGING))
		e->flags &= (uint8_t) ~(NEPT_AF_SETS_AD | NEPT_AF_NO_GLA);
	if (bit == NEPT_AF_NO_GLA && (e->flags & NEPT_AF_NO_GLA))
		e->flags = (uint8_t)((e->flags | NEPT_AF_PAGING) &
				     ~NEPT_AF_SETS_AD);
	if (e->flags & NEPT_AF_SETS_AD)
		e->flags = (uint8_t)((e->flags | NEPT_AF_PAGING) &
				     ~NEPT_AF_NO_GLA);
	if (e->flags & NEPT_AF_PAGING)
		e->access = (e->flags & NEPT_AF_SETS_AD) ? NEPT_ACC_WRITE
							 : NEPT_ACC_READ;
	return true;
}

static bool m_ev_exit(struct mctx *c)
{
	struct nept_event *e = pick_event_of(c, NEPT_SRC_EMULATED);

	if (!e)
		return false;
	if (e->during)
		exit_for_delivery(c, e);
	else
		current_exit(c, e, chance(c, 60));
	return true;
}

/*
 * SMEP or SMAP (facts §8.1): a supervisor-mode access to a translation
 * every level of which allows user mode.  A fetch is SMEP's (an explicit
 * fetch at CPL < 3); a data access SMAP's: implicit (a descriptor table or
 * the TSS; RFLAGS.AC then plays no part, so AC is drawn), or explicit at
 * CPL < 3 with AC clear.
 */
static void l2_supervisor_fault(struct mctx *c, struct nept_event *e,
				const struct site *found, unsigned n)
{
	struct nept_l2 *l2 = &c->s->l2;
	unsigned i;

	for (i = 0; i < n; i++)
		entry_set(c->s, found[i].addr, found[i].size,
			  entry_get(c->s, found[i].addr, found[i].size) |
				  L2E_US);
	if (e->access == NEPT_ACC_FETCH) {
		l2->flags |= NEPT_L2F_SMEP;
		l2->cpl = (uint8_t)below(c, 3);
		return;
	}
	l2->flags |= NEPT_L2F_SMAP;
	if (chance(c, 50)) {
		e->flags |= NEPT_AF_IMPLICIT;
		if (chance(c, 50))
			l2->flags ^= NEPT_L2F_AC;
	} else {
		e->flags &= (uint8_t)~NEPT_AF_IMPLICIT;
		l2->cpl = (uint8_t)below(c, 3);
		l2->flags &= (uint16_t)~NEPT_L2F_AC;
	}
}

/*
 * Makes one entry of L2's walk for e's linear address fault at the
 * processor's width (facts §8.1, §8.2): R/W cleared for a write, U/S
 * flipped (a user access to a supervisor page, or SMEP/SMAP for a
 * supervisor one), XD set for a fetch, a bit at or above the host's
 * MAXPHYADDR set (reserved at both widths), or P cleared; or, on the
 * whole walk, a supervisor access to a user translation with SMEP or SMAP
 * on.  Only entries the walk reaches (EPT12 maps and backs their tables).
 * False if EPT12 stops the walk before a leaf (or memory is full).
 */
static bool l2_fault_on_walk(struct mctx *c, struct nept_event *e)
{
	unsigned host = nept_host_maxphyaddr(c->s), i, n;
	struct site found[5];
	uint64_t final, v, b;
	bool done = l2_walk_sites(c, e->gla, found, &n, &final);

	if (!n) /* EPT12 stops the walk at the root (or no room for sites) */
		return false;
	/* Stopped before a leaf: by a non-present entry (a fault already),
	 * or by EPT12 at a table (none at the processor's walk). */
	if (!done)
		return !(entry_get(c->s, found[n - 1].addr, found[n - 1].size) &
			 L2E_P);
	if (chance(c, 15)) {
		l2_supervisor_fault(c, e, found, n);
		return true;
	}
	/* Mostly the leaf, where the rights of every level meet. */
	i = chance(c, 60) ? n - 1 : below(c, n);
	v = entry_get(c->s, found[i].addr, found[i].size);
	switch (below(c, 6)) {
	case 0:
	case 1: /* the access's own right */
		b = e->access == NEPT_ACC_WRITE ? L2E_RW
		    : e->access == NEPT_ACC_FETCH && found[i].size == 8 &&
				    (c->s->l2.flags & NEPT_L2F_NXE)
			    ? L2E_XD
			    : L2E_US;
		v = b == L2E_XD ? v | b : v ^ b;
		break;
	case 2:
		v ^= L2E_US;
		break;
	case 3:
		v &= ~L2E_RW;
		break;
	case 4:
		if (found[i].size == 8 && host < 52) {
			v |= 1ull << (host + below(c, 52 - host));
			break;
		}
		/* fall through: 4-byte entries have no such bits */
	default:
		v &= ~L2E_P;
		break;
	}
	return entry_set(c->s, found[i].addr, found[i].size, v);
}

/* l2_fault_on_walk, after giving the walk a path of tables where EPT12
 * stopped it: the root mapped (L2PATH maps the tables below it). */
static bool l2_walk_fault(struct mctx *c, struct nept_event *e)
{
	struct nept_scenario *s = c->s;

	if (l2_fault_on_walk(c, e))
		return true;
	if (s->l2.paging != NEPT_L2_PAE)
		map_identity(c, s->l2.cr3 & nept_l2_addr_bits(s->l2.paging) &
					~PAGE_MASK);
	return build_l2_path(c, e->gla, nept_l2_levels(s->l2.paging), 7) &&
	       l2_fault_on_walk(c, e);
}

/*
 * Facts §14: an access of L2's becomes the processor's own #PF exit on a
 * host wider than L1 (an emulated event, exit exception-nmi vector 14,
 * CR2 the linear address; the diff derives the error code from the
 * processor's walk), and L0 mostly runs with allow_smaller_maxphyaddr,
 * so KVM's #PF fix-up walks it again.  The exit is compared only when the
 * processor's walk faults (model_processor_pf), which L2's tables as they
 * were mostly do not make it do (145 of 932 exits made from generated
 * scenarios did, tests/test_mutate.c): mostly one of its entries is made
 * to fault too, after a path of tables where EPT12 stopped the walk.
 */
static bool m_ev_pf_exit_wider_host(struct mctx *c)
{
	struct nept_scenario *s = c->s;
	struct nept_event *e = pick_event(c);
	unsigned m = s->l1_maxphyaddr;

	if (!e || e->source == NEPT_SRC_VM_ENTRY ||
	    s->l2.paging == NEPT_L2_OFF || m >= NEPT_MAXPHYADDR_MAX)
		return false;
	e->source = NEPT_SRC_EMULATED;
	e->exit_reason = NEPT_EXIT_EXCEPTION_NMI;
	e->exit_vector = 1 + VEC_PF;
	e->exit_error_code = PFEC_P;
	e->exit_qual = e->gla;
	e->exit_value = 0;
	e->hw_qual = 0;
	e->gpa = 0;
	e->flags &= (uint8_t)~NEPT_AF_FROM_L2_WALK;
	if (e->access == NEPT_ACC_FETCH)
		e->flags &= (uint8_t)~NEPT_AF_IMPLICIT;
	if (s->host_maxphyaddr <= m)
		s->host_maxphyaddr =
			(uint8_t)(m + 1 + below(c, NEPT_MAXPHYADDR_MAX - m));
	if (chance(c, 80))
		s->l0_flags |= NEPT_L0F_ALLOW_SMALLER;
	if (chance(c, 70))
		l2_walk_fault(c, e);
	return true;
}

/*
 * L2's instruction (docs/sdm-rules.md §16): a hw-violation with L2 paging
 * gets a RIP, or loses it, or its RIP moves: to another event's, near
 * its own access, to just before a page end (an instruction across two
 * pages), or anywhere the mode holds.
 */
static bool m_ev_rip(struct mctx *c)
{
	struct nept_event *e = pick_event_of(c, NEPT_SRC_HW_VIOLATION);
	const struct nept_scenario *s = c->s;
	uint64_t rip;

	if (!e || s->l2.paging == NEPT_L2_OFF)
		return false;
	if (e->has_rip && chance(c, 15)) {
		e->has_rip = 0;
		e->rip = 0;
		return true;
	}
	switch (below(c, 4)) {
	case 0:
		rip = s->event[below(c, s->nevents)].rip;
		if (rip)
			break;
		/* fallthrough */
	case 1:
		rip = (e->gla & ~0xfffull) + (below(c, 512) << 3);
		break;
	case 2:
		rip = (e->rip | 0xfff) - below(c, 12);
		break;
	default:
		rip = rnd(c);
		break;
	}
	e->has_rip = 1;
	e->rip = nept_l2_linear(s->l2.paging, rip);
	return true;
}

/*
 * The instruction at an event's RIP, written where L2's tables and EPT12
 * map it: §16's MOV to or from an absolute address (mostly one an event
 * accesses), load or store, 1 to 8 bytes, or a few bytes of anything.
 */
static bool m_insn(struct mctx *c)
{
	struct nept_scenario *s = c->s;
	struct nept_event *e = pick_event_of(c, NEPT_SRC_HW_VIOLATION);
	bool mode64 = s->l2.paging >= NEPT_L2_4LEVEL;
	uint8_t insn[16];
	unsigned n = 0;
	uint64_t final, pa, addr;

	if (!e || !e->has_rip || !l2_walk(c, e->rip, false, &final) ||
	    !ept_walk(c, final, false, &pa))
		return false;
	addr = chance(c, 70) ? s->event[below(c, s->nevents)].gla : rnd(c);
	if (chance(c, 10)) {
		for (n = 0; n < 4; n++)
			insn[n] = (uint8_t)rnd(c);
	} else {
		uint8_t op = (uint8_t)(0xa0 + below(c, 4));
		bool o16 = chance(c, 25), w = chance(c, 30);

		n = model_insn_encode_mov(mode64, op, o16, w, addr, insn);
	}
	/* Byte by byte into the qwords of the code page (not past it). */
	for (unsigned i = 0; i < n && ((pa + i) & 0xfff) >= (pa & 0xfff); i++) {
		uint64_t a = (pa + i) & ~7ull, q = 0;
		unsigned sh = 8 * (unsigned)((pa + i) & 7);

		nept_mem_read(&s->mem, a, &q);
		q = (q & ~(0xffull << sh)) | ((uint64_t)insn[i] << sh);
		if (!nept_mem_write(&s->mem, a, q))
			return false;
	}
	return true;
}

static bool m_ev_hw_qual(struct mctx *c)
{
	struct nept_event *e = pick_event_of(c, NEPT_SRC_HW_VIOLATION);

	if (!e)
		return false;
	if (chance(c, 70))
		e->hw_qual ^= 1ull << below(c, 13);
	else
		e->hw_qual = hw_qual(c, e);
	return true;
}

/* The vectors delivery can be in the middle of (scenario.c's during rule):
 * #PF and #DF mostly. */
static bool m_ev_during(struct mctx *c)
{
	static const uint64_t vectors[] = { 14, 14, 14, 8,  8,	13, 0,
					    1,	5,  6,	7,  10, 11, 12,
					    16, 17, 18, 19, 20, 21 };
	struct nept_event *e = pick_event(c);

	if (!e)
		return false;
	if (e->during && chance(c, 30))
		e->during = 0;
	else
		e->during = (uint8_t)(1 + ONE_OF(c, vectors));
	if (e->during && e->source == NEPT_SRC_EMULATED)
		exit_for_delivery(c, e);
	return true;
}

static void insert_event(struct nept_scenario *s, unsigned at,
			 const struct nept_event *e)
{
	memmove(&s->event[at + 1], &s->event[at],
		(s->nevents - at) * sizeof(s->event[0]));
	s->event[at] = *e;
	s->nevents++;
}

static bool m_ev_add(struct mctx *c)
{
	struct nept_scenario *s = c->s;
	struct nept_event e;

	if (s->nevents == NEPT_MAX_EVENTS)
		return false;
	if (s->nevents && chance(c, 50)) {
		e = s->event[below(c, s->nevents)];
	} else {
		memset(&e, 0, sizeof(e));
		e.source = (uint8_t)below(c, NEPT_SRC_ACCESS_COUNT);
		e.access = (uint8_t)below(c, NEPT_ACC_COUNT);
		if (e.source == NEPT_SRC_HW_VIOLATION)
			e.hw_qual = hw_qual(c, &e);
		if (e.source == NEPT_SRC_EMULATED)
			current_exit(c, &e, true);
	}
	if (nept_walks_l2(s, &e))
		e.gla = descend_l2(c, e.gla);
	else
		e.gpa = descend_ept(c, e.gpa);
	if (!nept_walks_l2(s, &e) && !e.gla)
		e.gla = e.gpa;
	fit_event(c, &e);
	insert_event(s, below(c, s->nevents + 1), &e);
	return true;
}

static void remove_event(struct nept_scenario *s, unsigned at)
{
	/* Its fields go with the vm-entry event (scenario_check). */
	if (s->event[at].source == NEPT_SRC_VM_ENTRY)
		memset(&s->entry, 0, sizeof(s->entry));
	s->nevents--;
	memmove(&s->event[at], &s->event[at + 1],
		(s->nevents - at) * sizeof(s->event[0]));
	memset(&s->event[s->nevents], 0, sizeof(s->event[0]));
}

static bool m_ev_drop(struct mctx *c)
{
	if (c->s->nevents < 2)
		return false;
	remove_event(c->s, below(c, c->s->nevents));
	return true;
}

/* The same access again: the state the first left (A/D flags, the PML
 * log and index) meets the second. */
static bool m_ev_dup(struct mctx *c)
{
	struct nept_scenario *s = c->s;
	struct nept_event e;
	unsigned i;

	if (!s->nevents || s->nevents == NEPT_MAX_EVENTS)
		return false;
	i = below(c, s->nevents);
	e = s->event[i];
	insert_event(s, i + below(c, s->nevents + 1 - i), &e);
	return true;
}

static bool m_ev_swap(struct mctx *c)
{
	struct nept_scenario *s = c->s;
	struct nept_event t;
	unsigned i, j;

	if (s->nevents < 2)
		return false;
	i = below(c, s->nevents);
	j = (i + 1 + below(c, s->nevents - 1)) % s->nevents;
	t = s->event[i];
	s->event[i] = s->event[j];
	s->event[j] = t;
	return true;
}

/* -- capabilities, MAXPHYADDR, EPTP -- */

static bool m_caps(struct mctx *c)
{
	c->s->caps ^= 1u << below(c, 10);
	if (chance(c, 25))
		c->s->caps ^= 1u << below(c, 10);
	return true;
}

/* The highest address bit any entry on a walk uses. */
static unsigned highest_address_bit(struct mctx *c)
{
	unsigned i, hb = 0;

	for (i = 0; i < c->nsites; i++) {
		uint64_t v =
			qget(c->s, c->site[i].addr) & 0x000ffffffffff000ull;

		while (v >> hb)
			hb++;
	}
	return hb ? hb - 1 : 0;
}

static bool m_maxphyaddr(struct mctx *c)
{
	static const uint64_t widths[] = { 32, 36, 39, 40, 41, 42, 43,
					   45, 46, 47, 48, 49, 51, 52 };
	unsigned m = c->s->l1_maxphyaddr, hb, w;

	switch (below(c, 4)) {
	case 0: /* the highest bit in use becomes reserved, or just fits */
		hb = highest_address_bit(c);
		w = hb + below(c, 2);
		break;
	case 1:
		w = chance(c, 50) ? m - 1 : m + 1;
		break;
	default:
		w = (unsigned)ONE_OF(c, widths);
		break;
	}
	if (w < NEPT_MAXPHYADDR_MIN || w > NEPT_MAXPHYADDR_MAX || w == m)
		return false;
	c->s->l1_maxphyaddr = (uint8_t)w;
	return true;
}

/* Facts §14: the processor's width (above L1's, or L1's again) and KVM's
 * allow_smaller_maxphyaddr. */
static bool m_host(struct mctx *c)
{
	struct nept_scenario *s = c->s;
	unsigned m = s->l1_maxphyaddr;

	if (chance(c, 30)) {
		s->l0_flags ^= NEPT_L0F_ALLOW_SMALLER;
		return true;
	}
	if (s->host_maxphyaddr && chance(c, 30)) {
		s->host_maxphyaddr = 0;
		return true;
	}
	if (m >= NEPT_MAXPHYADDR_MAX)
		return false;
	s->host_maxphyaddr =
		(uint8_t)(m + 1 + below(c, NEPT_MAXPHYADDR_MAX - m));
	return true;
}

/* 4 <-> 5 levels: a new PML5 table over the old root, or the PML4 under
 * the old PML5E 0 as the root. */
static bool m_eptp_walk(struct mctx *c)
{
	struct nept_scenario *s = c->s;
	uint64_t mask = ept_mask(s), root = s->eptp & mask, v;
	unsigned levels = ept_levels(s), i;

	if (levels == 4) {
		uint64_t p = fresh_page(s);

		if (p & ~mask || !scenario_add_page(s, p) ||
		    !qset(s, p, root | EPTE_RWX | (chance(c, 30) ? EPTE_A : 0)))
			return false;
		s->caps |= NEPT_CAP_WALK5;
		s->eptp = (s->eptp & ~mask & ~(7ull << 3)) | 4ull << 3 | p;
		return true;
	}
	if (levels != 5)
		return false;
	v = qget(s, root);
	if (ept_present(s, v) && backed(s, v & mask) && chance(c, 80))
		root = v & mask;
	s->caps |= NEPT_CAP_WALK4;
	s->eptp = (s->eptp & ~mask & ~(7ull << 3)) | 3ull << 3 | root;
	for (i = 0; i < s->nevents; i++)
		s->event[i].gpa &= (1ull << 48) - 1;
	return true;
}

static bool m_eptp_ad(struct mctx *c)
{
	c->s->eptp ^= 1ull << 6;
	if (c->s->eptp & (1ull << 6))
		c->s->caps |= NEPT_CAP_AD;
	return true;
}

static bool m_eptp_memtype(struct mctx *c)
{
	uint64_t mt = (c->s->eptp & 7) == 6 ? 0 : 6;

	if (chance(c, 5))
		mt = below(c, 8);
	c->s->eptp = (c->s->eptp & ~7ull) | mt;
	if (mt == 0)
		c->s->caps |= NEPT_CAP_UC;
	if (mt == 6)
		c->s->caps |= NEPT_CAP_WB;
	return true;
}

static bool m_eptp_root(struct mctx *c)
{
	uint64_t mask = ept_mask(c->s);
	uint64_t t = chance(c, 80) ? table_target(c, false) : fresh_page(c->s);

	c->s->eptp = (c->s->eptp & ~mask) | (t & mask);
	return true;
}

/* -- vmcs12 controls -- */

static bool m_ctl_exception_bitmap(struct mctx *c)
{
	static const uint64_t vectors[] = { 14, 14, 14, 8, 8, 13, 1, 6 };
	struct nept_controls *ctl = &c->s->ctl;

	if (chance(c, 10))
		ctl->exception_bitmap = chance(c, 50) ? 0 : 0xffffffff;
	else
		ctl->exception_bitmap ^= 1u
					 << (chance(c, 80) ? ONE_OF(c, vectors)
							   : below(c, 32));
	return true;
}

static bool m_ctl_pfec(struct mctx *c)
{
	struct nept_controls *ctl = &c->s->ctl;
	uint32_t bits = 0x3f; /* P W U RSVD I/D PK */

	switch (below(c, 4)) {
	case 0:
		ctl->pfec_mask ^= 1u << below(c, 6);
		break;
	case 1:
		ctl->pfec_match ^= 1u << below(c, 6);
		break;
	case 2: /* match within mask: selects errors */
		ctl->pfec_mask = (uint32_t)rnd(c) & bits;
		ctl->pfec_match = (uint32_t)rnd(c) & ctl->pfec_mask;
		break;
	default:
		ctl->pfec_mask = (uint32_t)rnd(c);
		ctl->pfec_match =
			(uint32_t)rnd(c) & (chance(c, 50) ? bits : ~0u);
		break;
	}
	return true;
}

static bool m_ctl_pml(struct mctx *c)
{
	static const uint64_t indices[] = { 0, 1, 2, 511, 511, 512, 0xffff };
	struct nept_controls *ctl = &c->s->ctl;
	uint64_t a;

	if ((ctl->flags & NEPT_CTL_PML) && chance(c, 20)) {
		ctl->flags &= (uint16_t)~NEPT_CTL_PML;
		ctl->pml_index = 0;
		ctl->pml_address = 0;
		return true;
	}
	if (!(ctl->flags & NEPT_CTL_PML) || chance(c, 50))
		ctl->pml_index =
			(uint16_t)(chance(c, 80) ? ONE_OF(c, indices) : rnd(c));
	if (!(ctl->flags & NEPT_CTL_PML) || chance(c, 50)) {
		/* A page of its own, or one holding tables: the log then
		 * writes over entries. */
		a = chance(c, 50) ? fresh_page(c->s) : table_target(c, false);
		ctl->pml_address = a & ~PAGE_MASK;
		if (chance(c, 80))
			scenario_add_page(c->s, ctl->pml_address);
	}
	ctl->flags |= NEPT_CTL_PML;
	/* Without EPT A/D nothing is logged (facts §7.2): mostly turn them
	 * on with the log, so that the log's paths are the ones reached. */
	if (!(c->s->eptp & (1ull << 6)) && chance(c, 75)) {
		c->s->eptp |= 1ull << 6;
		c->s->caps |= NEPT_CAP_AD;
	}
	return true;
}

/* Facts §15: the controls that decide which exits are L1's. */
static bool m_ctl_exits(struct mctx *c)
{
	static const uint64_t masks[] = { 0, 1, 8, 9, 0x20, 0xffffffff };
	struct nept_controls *ctl = &c->s->ctl;

	switch (below(c, 4)) {
	case 0:
		ctl->flags ^= (uint16_t)(NEPT_CTL_IO_EXITING << below(c, 5));
		break;
	case 1:
		ctl->cr0_mask = ONE_OF(c, masks);
		ctl->cr0_shadow = rnd(c) & 0x8000003f;
		break;
	case 2:
		ctl->cr4_mask = ONE_OF(c, masks);
		ctl->cr4_shadow = rnd(c) & 0x3fffff;
		break;
	default:
		/* I/O bitmaps on two backed pages (one bit set in A). */
		ctl->flags |= NEPT_CTL_IO_BITMAPS;
		ctl->io_bitmap[0] = 0x310000;
		ctl->io_bitmap[1] = 0x311000;
		scenario_add_page(c->s, 0x311000);
		scenario_set_qword(c->s, 0x310000 + (below(c, 512) << 3),
				   1ull << below(c, 64));
		break;
	}
	if (!(ctl->flags & NEPT_CTL_IO_BITMAPS))
		ctl->io_bitmap[0] = ctl->io_bitmap[1] = 0;
	return true;
}

static bool m_ctl_nmi(struct mctx *c)
{
	static const uint64_t nmi[] = { 0, NEPT_CTL_NMI_EXITING,
					NEPT_CTL_NMI_EXITING |
						NEPT_CTL_VIRTUAL_NMIS };
	struct nept_controls *ctl = &c->s->ctl;

	ctl->flags = (uint16_t)((ctl->flags & ~(NEPT_CTL_NMI_EXITING |
						NEPT_CTL_VIRTUAL_NMIS)) |
				ONE_OF(c, nmi));
	return true;
}

/* -- splices: two scenarios -- */

/* Drops the events that are not legal in s (each is checked alone by
 * scenario_check); false when none is left. */
static bool keep_legal_events(struct nept_scenario *s)
{
	struct nept_scenario one = *s;
	unsigned i, n = 0;

	one.nevents = 1;
	for (i = 0; i < s->nevents; i++) {
		one.event[0] = s->event[i];
		if (scenario_check(&one, NULL))
			s->event[n++] = s->event[i];
	}
	for (i = n; i < s->nevents; i++)
		memset(&s->event[i], 0, sizeof(s->event[i]));
	s->nevents = (uint8_t)n;
	return n > 0;
}

/* Copies b's memory into s: all of it, or only where s has nothing. */
static void merge_mem(struct nept_scenario *s, const struct nept_mem *b,
		      bool replace)
{
	unsigned i;

	if (replace) {
		s->mem = *b;
		return;
	}
	for (i = 0; i < b->npages; i++)
		scenario_add_page(s, b->page[i]);
	for (i = 0; i < b->nqwords; i++)
		if (!qget(s, b->qword[i].gpa))
			qset(s, b->qword[i].gpa, b->qword[i].val);
}

/* a's events run in b's setting and memory. */
static bool m_splice_events(struct mctx *c)
{
	struct nept_scenario *s = c->s;
	struct nept_event ev[NEPT_MAX_EVENTS];
	unsigned i, n = s->nevents;

	if (!c->other)
		return false;
	memcpy(ev, s->event, sizeof(ev));
	*s = *c->other;
	memcpy(s->event, ev, sizeof(ev));
	s->nevents = (uint8_t)n;
	for (i = 0; i < n; i++)
		fit_event(c, &s->event[i]);
	return keep_legal_events(s);
}

static bool m_splice_memory(struct mctx *c)
{
	if (!c->other)
		return false;
	merge_mem(c->s, &c->other->mem, chance(c, 40));
	return true;
}

/* Some of b's settings: caps, MAXPHYADDR, EPTP, L2 state, controls. */
static bool m_splice_settings(struct mctx *c)
{
	struct nept_scenario *s = c->s;
	const struct nept_scenario *b = c->other;
	unsigned pick = 1 + below(c, 31), i;

	if (!b)
		return false;
	if (pick & 1)
		s->caps = b->caps;
	if (pick & 2)
		s->l1_maxphyaddr = b->l1_maxphyaddr;
	if (pick & 4)
		s->eptp = b->eptp;
	if (pick & 8)
		s->l2 = b->l2;
	if (pick & 16)
		s->ctl = b->ctl;
	for (i = 0; i < s->nevents; i++)
		fit_event(c, &s->event[i]);
	return keep_legal_events(s);
}

/* Events of both, in one run: some of b's between a's. */
static bool m_splice_event_mix(struct mctx *c)
{
	struct nept_scenario *s = c->s;
	const struct nept_scenario *b = c->other;
	unsigned k, n;

	if (!b || !b->nevents || s->nevents == NEPT_MAX_EVENTS)
		return false;
	n = 1 + below(c, NEPT_MAX_EVENTS - s->nevents);
	for (k = 0; k < n; k++) {
		struct nept_event e = b->event[below(c, b->nevents)];

		fit_event(c, &e);
		insert_event(s, below(c, s->nevents + 1), &e);
	}
	if (chance(c, 50))
		merge_mem(s, &b->mem, false);
	return keep_legal_events(s);
}

/* ==== VM entry (facts §13) ==== */

/* The vm-entry event, or NULL. */
static struct nept_event *vm_entry(struct mctx *c)
{
	return (struct nept_event *)nept_vm_entry_event(c->s);
}

/*
 * A vm-entry event after the others (replacing the last when there is no
 * room): a valid guest (nept_entry_guests), as L1 would write it, for the
 * entry mutations below to break.
 */
static bool m_entry_add(struct mctx *c)
{
	struct nept_scenario *s = c->s;
	struct nept_vmentry *en = &s->entry;
	unsigned k;

	if (vm_entry(c))
		return false;
	/* L1's VMRESUME after the events, or (half the time) its VMLAUNCH
	 * alone, the one a KVM module compares (kvm/README.md). */
	if (chance(c, 50)) {
		memset(s->event, 0, s->nevents * sizeof(s->event[0]));
		s->nevents = 0;
	}
	if (s->nevents == NEPT_MAX_EVENTS)
		s->nevents--;
	memset(&s->event[s->nevents], 0, sizeof(s->event[0]));
	s->event[s->nevents++].source = NEPT_SRC_VM_ENTRY;
	memset(en, 0, sizeof(*en));
	/* Mostly the 64-bit guest, else the 32-bit PAE or real-mode one. */
	k = chance(c, 50) ? 0 : below(c, ARRAY_SIZE(nept_entry_guests));
	en->flags = nept_entry_guests[k].flags;
	en->cr0 = nept_entry_guests[k].cr0;
	en->cr3 = any_page(c) & nept_addr_mask(s->l1_maxphyaddr);
	en->cr4 = nept_entry_guests[k].cr4;
	en->efer = nept_entry_guests[k].efer;
	en->link_ptr = ~0ull;
	return true;
}

/* One bit of a guest-state field the §13.2 checks read, or the activity
 * state, or the link pointer. */
static bool m_entry_field(struct mctx *c)
{
	static const uint64_t cr0[] = { 1, 0x20, 1ull << 16, 1ull << 31,
					1ull << 32 };
	static const uint64_t cr4[] = { 0x20,	  0x2000,   1u << 12,
					1u << 17, 1u << 23, 1u << 14 };
	static const uint64_t efer[] = { 1, 2, 0x100, 0x400, 0x800, 0x1000 };
	struct nept_vmentry *en = &c->s->entry;
	unsigned maxphy = c->s->l1_maxphyaddr;

	if (!vm_entry(c))
		return false;
	switch (below(c, 9)) {
	case 0:
		en->cr0 ^= ONE_OF(c, cr0);
		break;
	case 1:
		en->cr4 ^= ONE_OF(c, cr4);
		break;
	case 2:
		en->flags |= NEPT_ENF_LOAD_EFER;
		en->efer ^= ONE_OF(c, efer);
		break;
	case 3:
		en->cr3 ^=
			chance(c, 50) ? 1ull << maxphy : 1ull << below(c, 52);
		break;
	case 4:
		en->flags |= NEPT_ENF_LOAD_PAT;
		en->pat = 0x0007040600070406ull ^
			  ((uint64_t)below(c, 8) << (8 * below(c, 8)));
		break;
	case 5:
		en->flags |= NEPT_ENF_LOAD_DEBUG;
		if (chance(c, 50))
			en->debugctl ^= 1ull << below(c, 16);
		else
			en->dr7 ^= chance(c, 50) ? 1ull << 32 : 0x400;
		break;
	case 6:
		en->activity = below(c, 5);
		if (en->activity)
			en->flags &= (uint16_t) ~(NEPT_ENF_INJECT_NMI |
						  NEPT_ENF_STI_BLOCKING);
		break;
	case 7:
		/* The link pointer: none, or a page holding the revision
		 * identifier with or without the shadow bit, or not aligned
		 * or too wide (facts §13.2). */
		if (chance(c, 25)) {
			en->link_ptr = ~0ull;
			break;
		}
		en->link_ptr = any_page(c) & nept_addr_mask(maxphy);
		if (chance(c, 70) &&
		    !qset(c->s, en->link_ptr,
			  0x11e57ed0u | (chance(c, 30) ? 0x80000000u : 0)))
			return false;
		if (chance(c, 20))
			en->link_ptr |= chance(c, 50) ? 0x10 : 1ull << maxphy;
		break;
	default:
		/* A guest-PDPTE field: present with a reserved bit or not. */
		en->pdpte[below(c, 4)] =
			(any_page(c) & 0xfffff000ull) | 1 |
			(chance(c, 50) ? 1ull << (1 + below(c, 8)) : 0);
		break;
	}
	return true;
}

/* A control the entry reads: one flag of struct nept_vmentry. */
static bool m_entry_flags(struct mctx *c)
{
	struct nept_vmentry *en = &c->s->entry;

	if (!vm_entry(c))
		return false;
	en->flags ^= (uint16_t)(1u << below(c, 10));
	if (!(en->flags & NEPT_ENF_LOAD_EFER))
		en->efer = 0;
	if (!(en->flags & NEPT_ENF_LOAD_PAT))
		en->pat = 0;
	if (!(en->flags & NEPT_ENF_LOAD_DEBUG))
		en->debugctl = en->dr7 = 0;
	if (en->flags & (NEPT_ENF_INJECT_NMI | NEPT_ENF_STI_BLOCKING))
		en->activity = 0;
	/* A PAE guest without EPT: the entry reads its PDPTEs from the PDPT
	 * at CR3[31:5] (facts §13.2); back it if nothing is there, or the
	 * read is unbacked and the entry is not compared. */
	if (!(en->flags & NEPT_ENF_EPT) && nept_vmentry_pae(en) &&
	    !backed(c->s, nept_pae_pdpt_base(en->cr3)))
		return qset(c->s, nept_pae_pdpt_base(en->cr3),
			    (any_page(c) & 0xfffff000ull) | 1);
	return true;
}

static uint64_t entry_value(struct mctx *c)
{
	/* Mostly the values the rules turn on; sometimes any bits, so that
	 * what an entry leaves in the MSR (read back after the entry,
	 * docs/sdm-rules.md §13.3) is not always one of a few. */
	if (chance(c, 15))
		return chance(c, 50) ? (uint32_t)rnd(c) : rnd(c);
	return nept_entry_msr_values[below(c, NEPT_ENTRY_MSR_VALUES)];
}

/*
 * The MSR-load list (facts §13.3): append an entry of the closed set or
 * one the rules refuse, change one's index, value or reserved half, or
 * drop the last.
 */
static bool m_entry_msr(struct mctx *c)
{
	struct nept_scenario *s = c->s;
	struct nept_vmentry *en = &s->entry;
	uint64_t at;

	if (!vm_entry(c))
		return false;
	if (!en->msr_count) {
		en->msr_addr =
			(any_page(c) & nept_addr_mask(s->l1_maxphyaddr)) +
			16 * below(c, 4);
	} else if (chance(c, 15)) {
		en->msr_count--;
		at = en->msr_addr + 16ull * en->msr_count;
		if (!en->msr_count)
			en->msr_addr = 0;
		return qset(s, at, 0) && qset(s, at + 8, 0);
	}
	if (!en->msr_count ||
	    (en->msr_count < NEPT_MAX_MSR_LOAD && chance(c, 40))) {
		at = en->msr_addr + 16ull * en->msr_count++;
		return qset(s, at,
			    nept_entry_msrs[below(c, NEPT_ENTRY_MSRS)]) &&
		       qset(s, at + 8, entry_value(c));
	}
	at = en->msr_addr + 16ull * below(c, en->msr_count);
	switch (below(c, 3)) {
	case 0:
		return qset(s, at, nept_entry_msrs[below(c, NEPT_ENTRY_MSRS)]);
	case 1:
		return qset(s, at + 8, entry_value(c));
	default:
		return qset(s, at, qget(s, at) ^ (1ull << (32 + below(c, 32))));
	}
}

/* ==== the table ====
 *
 * Weights are relative draws within the splices and within the rest.
 * Five were moved by what `scripts/bench mutations` measured (outputs
 * kept per 10,000, 5 minutes from an empty corpus, README "Measuring"):
 * splice-settings 2 -> 5 (36.6 kept), ept-not-present 5 -> 8 (36.1),
 * ev-during 3 -> 5 (15.1) and host 2 -> 4 (15.0) up; ept-rwx 10 -> 6
 * (3.0), ept-reserved 6 -> 4 (1.7) and eptp-memtype 2 -> 1 (1.0) down.
 * On the nine slowest known findings, 10 runs each from an empty corpus,
 * 54 of 90 runs found theirs against 49 before.
 */

struct mutation {
	const char *name;
	bool (*fn)(struct mctx *c);
	uint8_t weight;
	bool partner;
};

static const struct mutation mutations[] = {
	/* EPT12 entries, mostly on the events' walks */
	{ "ept-rwx", m_ept_rwx, 6, false },
	{ "ept-memtype", m_ept_memtype, 5, false },
	{ "ept-ps", m_ept_ps, 5, false },
	{ "ept-ad", m_ept_ad, 5, false },
	{ "ept-xu", m_ept_xu, 4, false },
	{ "ept-reserved", m_ept_reserved, 4, false },
	{ "ept-ignored", m_ept_ignored, 4, false },
	{ "ept-not-present", m_ept_not_present, 8, false },
	{ "ept-alias", m_ept_alias, 5, false },
	{ "ept-add-level", m_ept_add_level, 4, false },
	{ "ept-drop-level", m_ept_drop_level, 4, false },
	{ "ept-address", m_ept_address, 4, false },
	{ "ept-new-entry", m_ept_new_entry, 4, false },
	{ "ept-path", m_ept_path, 4, false },
	/* L2's paging entries */
	{ "l2-bits", m_l2_bits, 8, false },
	{ "l2-reserved", m_l2_reserved, 4, false },
	{ "l2-alias", m_l2_alias, 3, false },
	{ "l2-not-present", m_l2_not_present, 3, false },
	{ "l2-path", m_l2_path, 3, false },
	/* L2 state */
	{ "l2-mode", m_l2_mode, 3, false },
	{ "l2-cpl", m_l2_cpl, 2, false },
	{ "l2-cr-flags", m_l2_cr_flags, 4, false },
	{ "l2-pkru", m_l2_pkru, 2, false },
	{ "l2-cr3", m_l2_cr3, 2, false },
	{ "l2-pdpte", m_l2_pdpte, 2, false },
	/* events */
	{ "ev-walk-address", m_ev_walk_address, 8, false },
	{ "ev-address", m_ev_address, 3, false },
	{ "ev-access", m_ev_access, 5, false },
	{ "ev-source", m_ev_source, 5, false },
	{ "ev-flags", m_ev_flags, 5, false },
	{ "ev-exit", m_ev_exit, 4, false },
	{ "ev-hw-qual", m_ev_hw_qual, 3, false },
	{ "ev-pf-exit-wider-host", m_ev_pf_exit_wider_host, 2, false },
	{ "ev-during", m_ev_during, 5, false },
	{ "ev-rip", m_ev_rip, 2, false },
	{ "insn", m_insn, 3, false },
	{ "ev-add", m_ev_add, 3, false },
	{ "ev-drop", m_ev_drop, 3, false },
	{ "ev-dup", m_ev_dup, 2, false },
	{ "ev-swap", m_ev_swap, 2, false },
	/* capabilities, MAXPHYADDR, EPTP */
	{ "caps", m_caps, 4, false },
	{ "maxphyaddr", m_maxphyaddr, 3, false },
	{ "host", m_host, 4, false },
	{ "eptp-walk", m_eptp_walk, 3, false },
	{ "eptp-ad", m_eptp_ad, 3, false },
	{ "eptp-memtype", m_eptp_memtype, 1, false },
	{ "eptp-root", m_eptp_root, 2, false },
	/* vmcs12 controls */
	{ "ctl-exception-bitmap", m_ctl_exception_bitmap, 3, false },
	{ "ctl-pfec", m_ctl_pfec, 3, false },
	{ "ctl-pml", m_ctl_pml, 3, false },
	{ "ctl-nmi", m_ctl_nmi, 2, false },
	{ "ctl-exits", m_ctl_exits, 2, false },
	/* VM entry (facts §13) */
	{ "entry-add", m_entry_add, 1, false },
	{ "entry-field", m_entry_field, 3, false },
	{ "entry-flags", m_entry_flags, 2, false },
	{ "entry-msr", m_entry_msr, 3, false },
	/* splices (nept_crossover) */
	{ "splice-events", m_splice_events, 4, true },
	{ "splice-memory", m_splice_memory, 3, true },
	{ "splice-settings", m_splice_settings, 5, true },
	{ "splice-event-mix", m_splice_event_mix, 3, true },
};

unsigned nept_mutation_count(void)
{
	return ARRAY_SIZE(mutations);
}

const char *nept_mutation_name(unsigned id)
{
	return id < ARRAY_SIZE(mutations) ? mutations[id].name : NULL;
}

unsigned nept_mutation_weight(unsigned id)
{
	return id < ARRAY_SIZE(mutations) ? mutations[id].weight : 0;
}

bool nept_mutation_needs_partner(unsigned id)
{
	return id < ARRAY_SIZE(mutations) && mutations[id].partner;
}

/* A mutation drawn by weight among the splices or the others. */
static unsigned pick_mutation(struct mctx *c, bool splice)
{
	unsigned i, total = 0, r;

	for (i = 0; i < ARRAY_SIZE(mutations); i++)
		if (mutations[i].partner == splice)
			total += mutations[i].weight;
	r = below(c, total);
	for (i = 0; i < ARRAY_SIZE(mutations); i++) {
		if (mutations[i].partner != splice)
			continue;
		if (r < mutations[i].weight)
			return i;
		r -= mutations[i].weight;
	}
	return 0;
}

/* ==== driving ==== */

/* No error text: a mutation's illegal result is only undone, and the
 * message would be formatted for nothing. */
static bool legal(struct nept_scenario *s)
{
	scenario_normalize(s);
	return scenario_check(s, NULL);
}

/* Expectations describe the input, not what a mutation makes of it. */
static void drop_expectations(struct nept_scenario *s)
{
	unsigned i;

	for (i = 0; i < NEPT_MAX_EVENTS; i++)
		nept_event_drop_expectations(&s->event[i]);
}

/* Applies mutation id once: true when the scenario changed and is
 * legal, else it is restored. */
static bool try_one(struct mctx *c, unsigned id)
{
	struct nept_scenario before = *c->s;

	collect_sites(c);
	if (mutations[id].fn(c) && legal(c->s) &&
	    !scenario_equal(c->s, &before))
		return true;
	*c->s = before;
	return false;
}

/* One step: draws mutations until one takes (-1 after too many). */
static int step(struct mctx *c, bool splice)
{
	unsigned attempt, id;

	for (attempt = 0; attempt < 16; attempt++) {
		id = pick_mutation(c, splice);
		if (try_one(c, id))
			return (int)id;
	}
	return -1;
}

static void ctx_init(struct mctx *c, struct nept_scenario *s,
		     const struct nept_scenario *other, unsigned seed,
		     uint64_t salt)
{
	c->s = s;
	c->other = other;
	c->rng = mix(((uint64_t)seed << 32) ^ salt);
	c->nsites = 0;
}

bool nept_mutate_apply(struct nept_scenario *s,
		       const struct nept_scenario *other, unsigned id,
		       unsigned seed)
{
	struct mctx c;

	if (id >= ARRAY_SIZE(mutations) || (mutations[id].partner && !other))
		return false;
	drop_expectations(s);
	ctx_init(&c, s, other, seed, 0x6170706c79ull);
	return try_one(&c, id);
}

/*
 * Facts §14: a #PF exit on a host wider than L1 is compared only where the
 * processor's own walk raises it (model_processor_pf).  The model leaves
 * any other open, and no later event of the scenario is compared (KVM's
 * fix-up may have walked with state of its own).  Mutations that made the
 * exit (ev-exit, host, splices) or changed L2's tables, mode or the event
 * under it mostly leave one the processor would not raise (three in four
 * of those a minute of fuzz_diff ran: README, "#PF exits other
 * mutations leave behind").  So each is mostly made to fault here, as
 * ev-pf-exit-wider-host makes its own.
 */
static void pf_exits_fault(struct mctx *c)
{
	static struct model_state st;
	struct nept_scenario *s = c->s;
	/* st is the model's state of s's memory as it is now (an undone
	 * change leaves it so): made once, and again after a kept change. */
	bool st_current = false;
	uint32_t pfec;

	for (unsigned k = 0; k < s->nevents; k++) {
		struct nept_event *e = &s->event[k];
		struct nept_scenario before;

		if (!model_pf_exit_on_wider_host(s, e) || !chance(c, 75))
			continue;
		if (!st_current) {
			model_state_init(&st, s);
			st_current = true;
		}
		if (model_processor_pf(s, &st, e, &pfec))
			continue;
		before = *s;
		if (l2_walk_fault(c, e) && legal(s))
			st_current = false;
		else
			*s = before;
	}
}

/* Smaller until the encoding fits: memory no walk reads, then events. */
static bool shrink(struct mctx *c)
{
	struct nept_scenario *s = c->s;
	unsigned i, k;

	collect_sites(c);
	for (i = s->mem.nqwords; i-- > 0;) {
		uint64_t a = s->mem.qword[i].gpa;

		for (k = 0; k < c->nsites; k++)
			if ((c->site[k].addr & ~7ull) == a)
				break;
		if (k == c->nsites)
			return nept_mem_write(&s->mem, a, 0);
	}
	if (s->nevents > 1) {
		remove_event(s, s->nevents - 1u);
		return true;
	}
	for (i = s->mem.npages; i-- > 0;) {
		uint64_t p = s->mem.page[i];

		for (k = 0; k < s->mem.nqwords; k++)
			if ((s->mem.qword[k].gpa & ~PAGE_MASK) == p)
				break;
		if (k == s->mem.nqwords) {
			memmove(&s->mem.page[i], &s->mem.page[i + 1],
				(s->mem.npages - i - 1) * sizeof(p));
			s->mem.npages--;
			return true;
		}
	}
	return false;
}

/* Encodes s into out if it fits max (shrinking it first if need be) and
 * still differs from the input orig; its #PF exits on a wider host mostly
 * made ones the processor raises first (pf_exits_fault). */
static size_t emit(struct mctx *c, const struct nept_scenario *orig,
		   uint8_t *out, size_t max)
{
	uint8_t buf[NEPT_BIN_MAX];
	size_t len;

	pf_exits_fault(c);
	len = scenario_encode_bin(c->s, buf, sizeof(buf));

	while (len > max && shrink(c)) {
		if (!legal(c->s))
			return 0;
		len = scenario_encode_bin(c->s, buf, sizeof(buf));
	}
	if (!len || len > max || (orig && scenario_equal(c->s, orig)))
		return 0;
	memcpy(out, buf, len);
	return len;
}

/*
 * A small legal scenario for an input that does not decode: the
 * generator's (neptfuzz gen) when it fits, else one event over one walk.
 */
static bool build_small(struct mctx *c, size_t max)
{
	struct nept_scenario *s = c->s;
	uint8_t buf[NEPT_BIN_MAX];
	struct nept_event *e;
	unsigned t;

	for (t = 0; t < 3; t++) {
		uint64_t st = rnd(c);

		if (chance(c, 50) && scenario_generate(&st, s)) {
			drop_expectations(s);
			if (scenario_encode_bin(s, buf, sizeof(buf)) <= max)
				return true;
		}
	}
	scenario_init(s);
	s->nevents = 1;
	e = &s->event[0];
	e->source = (uint8_t)below(c, NEPT_SRC_ACCESS_COUNT);
	e->access = (uint8_t)below(c, NEPT_ACC_COUNT);
	e->gpa = ((uint64_t)below(c, 1024) << 12) | below(c, 4096);
	e->gla = e->gpa;
	if (e->source == NEPT_SRC_HW_VIOLATION)
		e->hw_qual = hw_qual(c, e);
	if (e->source == NEPT_SRC_EMULATED)
		current_exit(c, e, true);
	if (chance(c, 75)) {
		struct nept_scenario plain = *s;

		if (!map_identity(c, e->gpa) ||
		    scenario_encode_bin(s, buf, sizeof(buf)) > max)
			*s = plain;
	}
	return legal(s) && scenario_encode_bin(s, buf, sizeof(buf)) <= max;
}

static struct nept_mutate_info *info_init(struct nept_mutate_info *info,
					  struct nept_mutate_info *local)
{
	if (!info)
		info = local;
	memset(info, 0, sizeof(*info));
	return info;
}

size_t nept_mutate_structured(uint8_t *data, size_t size, size_t max_size,
			      unsigned seed, struct nept_mutate_info *info)
{
	struct nept_mutate_info local;
	struct nept_scenario s, orig;
	bool decoded;
	struct mctx c;
	unsigned n, i;
	int id;

	info = info_init(info, &local);
	info->path = NEPT_MUTATE_BYTES;
	ctx_init(&c, &s, NULL, seed, 0x6d7574617465ull);
	decoded = scenario_decode_bin(data, size, &s);
	if (!decoded) {
		/* Mostly a fresh scenario; sometimes the bytes, so inputs
		 * that do not decode still evolve. */
		if (chance(&c, 25) || !build_small(&c, max_size))
			return 0;
		info->path = NEPT_MUTATE_GENERATED;
	} else {
		info->path = NEPT_MUTATE_STRUCTURED;
	}
	drop_expectations(&s);
	orig = s;
	/* 1 to 3 mutations, fewer more often. */
	n = chance(&c, 50) ? 1 : chance(&c, 60) ? 2 : 3;
	for (i = 0; i < n + 2 && info->nsteps < n; i++) {
		id = step(&c, false);
		if (id >= 0)
			info->step[info->nsteps++] = (uint8_t)id;
	}
	if (!info->nsteps && info->path == NEPT_MUTATE_STRUCTURED) {
		info->path = NEPT_MUTATE_BYTES;
		return 0;
	}
	n = emit(&c, decoded ? &orig : NULL, data, max_size);
	if (!n)
		info->path = NEPT_MUTATE_BYTES;
	return n;
}

/* A few byte-level edits, the tags of the binary format among the values
 * written. */
size_t nept_mutate_bytes(uint8_t *data, size_t size, size_t max_size,
			 unsigned seed)
{
	struct mctx c;
	unsigned n, k;

	ctx_init(&c, NULL, NULL, seed, 0x6279746573ull);
	if (!max_size)
		return 0;
	if (size > max_size)
		size = max_size;
	n = 1 + below(&c, 4);
	for (k = 0; k < n; k++) {
		size_t at = size ? below(&c, (unsigned)size) : 0;

		switch (below(&c, 6)) {
		case 0:
			if (size)
				data[at] ^= (uint8_t)(1u << below(&c, 8));
			break;
		case 1:
			if (size)
				data[at] = (uint8_t)rnd(&c);
			break;
		case 2: /* insert a byte, often a tag */
			if (size < max_size) {
				memmove(data + at + 1, data + at, size - at);
				data[at] = (uint8_t)(chance(&c, 50)
							     ? 1 + below(&c, 14)
							     : rnd(&c));
				size++;
			}
			break;
		case 3:
			if (size > 1) {
				memmove(data + at, data + at + 1,
					size - at - 1);
				size--;
			}
			break;
		case 4: /* an interesting value over 8 bytes */
			if (size >= 8) {
				uint64_t v = chance(&c, 50)
						     ? 1ull << below(&c, 64)
						     : (uint64_t)below(&c, 8);

				at = below(&c, (unsigned)size - 7);
				put(data, at, v, 8);
			}
			break;
		default: /* truncate */
			if (size > 1)
				size = 1 + below(&c, (unsigned)size - 1);
			break;
		}
	}
	if (!size) {
		data[0] = (uint8_t)rnd(&c);
		size = 1;
	}
	return size;
}

size_t nept_mutate(uint8_t *data, size_t size, size_t max_size, unsigned seed,
		   struct nept_mutate_info *info)
{
	struct nept_mutate_info local;
	size_t n;

	info = info_init(info, &local);
	n = nept_mutate_structured(data, size, max_size, seed, info);
	if (n)
		return n;
	info->path = NEPT_MUTATE_BYTES;
	info->nsteps = 0;
	return nept_mutate_bytes(data, size, max_size, seed);
}

/* Head of a, tail of b. */
static size_t cross_bytes(const uint8_t *a, size_t na, const uint8_t *b,
			  size_t nb, uint8_t *out, size_t max_out,
			  unsigned seed)
{
	struct mctx c;
	size_t ha, tb, n;

	ctx_init(&c, NULL, NULL, seed, 0x6372627974ull);
	ha = na ? below(&c, (unsigned)na + 1) : 0;
	tb = nb ? below(&c, (unsigned)nb + 1) : 0;
	if (ha > max_out)
		ha = max_out;
	n = nb - tb;
	if (ha + n > max_out)
		n = max_out - ha;
	memcpy(out, a, ha);
	memcpy(out + ha, b + tb, n);
	return ha + n;
}

size_t nept_crossover(const uint8_t *a, size_t na, const uint8_t *b, size_t nb,
		      uint8_t *out, size_t max_out, unsigned seed,
		      struct nept_mutate_info *info)
{
	struct nept_mutate_info local;
	struct nept_scenario sa, sb, orig;
	bool oka, okb;
	struct mctx c;
	size_t n;
	int id;

	info = info_init(info, &local);
	oka = scenario_decode_bin(a, na, &sa);
	okb = scenario_decode_bin(b, nb, &sb);
	if (!oka || !okb) {
		const uint8_t *one = oka ? a : b;
		size_t none = oka ? na : nb;

		if ((oka || okb) && none <= max_out) {
			memcpy(out, one, none);
			n = nept_mutate_structured(out, none, max_out, seed,
						   info);
			if (n)
				return n;
		}
		info->path = NEPT_MUTATE_BYTES;
		info->nsteps = 0;
		return cross_bytes(a, na, b, nb, out, max_out, seed);
	}
	drop_expectations(&sa);
	drop_expectations(&sb);
	orig = sa;
	ctx_init(&c, &sa, &sb, seed, 0x73706c696365ull);
	info->path = NEPT_MUTATE_SPLICED;
	id = step(&c, true);
	if (id < 0) {
		info->path = NEPT_MUTATE_STRUCTURED;
		id = step(&c, false);
	}
	if (id >= 0)
		info->step[info->nsteps++] = (uint8_t)id;
	n = emit(&c, &orig, out, max_out);
	if (!n || id < 0) {
		info->path = NEPT_MUTATE_BYTES;
		info->nsteps = 0;
		return cross_bytes(a, na, b, nb, out, max_out, seed);
	}
	return n;
}

const char *nept_mutate_describe(const struct nept_mutate_info *info, char *buf,
				 size_t cap)
{
	size_t len = 0;
	unsigned i;

	if (!cap)
		return buf;
	buf[0] = 0;
	if (info->path == NEPT_MUTATE_BYTES || !info->nsteps) {
		const char *what = info->path == NEPT_MUTATE_GENERATED ? "gener"
									 "ated"
								       : "byte"
									 "s";

		strncpy(buf, what, cap - 1);
		buf[cap - 1] = 0;
		return buf;
	}
	if (info->path == NEPT_MUTATE_GENERATED) {
		strncpy(buf, "generated+", cap - 1);
		buf[cap - 1] = 0;
		len = strlen(buf);
	}
	for (i = 0; i < info->nsteps && len + 1 < cap; i++) {
		const char *name = nept_mutation_name(info->step[i]);
		size_t nl = strlen(name);

		if (i && len + 1 < cap)
			buf[len++] = '+';
		if (len + nl >= cap)
			nl = cap - 1 - len;
		memcpy(buf + len, name, nl);
		len += nl;
		buf[len] = 0;
	}
	return buf;
}
