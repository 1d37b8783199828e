// SPDX-License-Identifier: GPL-2.0-only
/*
 * The binary encoding the engines feed us (docs/scenario-format.md,
 * "Binary"): records of one tag byte and a fixed-size little-endian payload.
 * No lengths, so every byte a mutator flips means something; stable tags, so
 * a corpus survives changes to the code.  Decoding never allocates and
 * rejects cheaply.
 */
#include "scenario.h"
#include "arch.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum bin_tag {
	TAG_CAPS = 0x01,
	TAG_MAXPHYADDR = 0x02,
	TAG_EPTP = 0x03,
	TAG_PAGE = 0x04,
	TAG_QWORD = 0x05,
	TAG_EVENT = 0x06,
	TAG_EXPECT = 0x07,
	TAG_PATH = 0x08,
	TAG_L2 = 0x09,
	TAG_PDPTE = 0x0a,
	TAG_CONTROLS = 0x0b,
	TAG_DURING = 0x0c,
	TAG_EXPECT_EXC = 0x0d,
	TAG_L2PATH = 0x0e,
	TAG_EXIT_INFO = 0x0f,
	TAG_EXIT_CONTROLS = 0x10,
	TAG_EXPECT_MEM = 0x11,
	TAG_VM_ENTRY = 0x12,
	TAG_MSR_LOAD = 0x13,
	TAG_HOST = 0x14,
	TAG_INSN = 0x15,
	TAG_LAST = TAG_INSN,
};

#define EVENT_BYTES (1 + 1 + 1 + 2 + 8 * 4)
#define EXPECT_BYTES (2 + 1 + 2 + 8 * 4)
#define L2_BYTES (1 + 1 + 2 + 4 + 8)
#define CONTROLS_BYTES (4 * 3 + 2 + 2 + 8)
#define EXIT_INFO_BYTES (1 + 4 + 8)
#define EXIT_CONTROLS_BYTES (8 * 6 + 1 + 8 * 4)
#define VM_ENTRY_BYTES (2 + 1 + 1 + 4 + 8 * NEPT_VMENTRY_QWORDS)
#define MAX_ENCODED                                                            \
	(1 + 4 + 1 + 1 + 1 + 8 + 1 + L2_BYTES + 4 * (1 + 1 + 8) + 1 +          \
	 CONTROLS_BYTES + 1 + EXIT_CONTROLS_BYTES + NEPT_MAX_PAGES * (1 + 8) + \
	 NEPT_MAX_QWORDS * (1 + 16) +                                          \
	 NEPT_MAX_EVENTS * (1 + EVENT_BYTES + 1 + 1 + 1 + EXPECT_BYTES + 1 +   \
			    1 + 4 + 1 + EXIT_INFO_BYTES + 1 + 8) +             \
	 1 + VM_ENTRY_BYTES)
_Static_assert(MAX_ENCODED <= NEPT_BIN_MAX, "NEPT_BIN_MAX too small");

/* Where PATH puts the tables it needs (above the low 1 MiB, by habit). */
#define PATH_FRESH_BASE 0x100000ull

static const char *const tag_names[] = {
	[TAG_CAPS] = "CAPS",
	[TAG_MAXPHYADDR] = "MAXPHYADDR",
	[TAG_EPTP] = "EPTP",
	[TAG_PAGE] = "PAGE",
	[TAG_QWORD] = "QWORD",
	[TAG_EVENT] = "EVENT",
	[TAG_EXPECT] = "EXPECT",
	[TAG_PATH] = "PATH",
	[TAG_L2] = "L2",
	[TAG_PDPTE] = "PDPTE",
	[TAG_CONTROLS] = "CONTROLS",
	[TAG_DURING] = "DURING",
	[TAG_EXPECT_EXC] = "EXPECT_EXC",
	[TAG_L2PATH] = "L2PATH",
	[TAG_EXIT_INFO] = "EXIT_INFO",
	[TAG_EXIT_CONTROLS] = "EXIT_CONTROLS",
	[TAG_EXPECT_MEM] = "EXPECT_MEM",
	[TAG_VM_ENTRY] = "VM_ENTRY",
	[TAG_MSR_LOAD] = "MSR_LOAD",
	[TAG_HOST] = "HOST",
	[TAG_INSN] = "INSN",
};

/* Each record's payload size (PATH and L2PATH: before their entries). */
static const uint8_t payload_bytes[] = {
	[TAG_CAPS] = 4,
	[TAG_MAXPHYADDR] = 1,
	[TAG_EPTP] = 8,
	[TAG_PAGE] = 8,
	[TAG_QWORD] = 16,
	[TAG_EVENT] = EVENT_BYTES,
	[TAG_EXPECT] = EXPECT_BYTES,
	[TAG_PATH] = 8 + 1,
	[TAG_L2] = L2_BYTES,
	[TAG_PDPTE] = 1 + 8,
	[TAG_CONTROLS] = CONTROLS_BYTES,
	[TAG_DURING] = 1,
	[TAG_EXPECT_EXC] = 1 + 4,
	[TAG_L2PATH] = 8 + 1 + 8,
	[TAG_EXIT_INFO] = EXIT_INFO_BYTES,
	[TAG_EXIT_CONTROLS] = EXIT_CONTROLS_BYTES,
	[TAG_EXPECT_MEM] = 1 + 2 + 8 + 8,
	[TAG_VM_ENTRY] = VM_ENTRY_BYTES,
	[TAG_MSR_LOAD] = 16,
	[TAG_HOST] = 1 + 1,
	[TAG_INSN] = 8,
};

struct reader {
	const uint8_t *p;
	size_t left;
	const uint8_t *payload; /* where the current record's payload starts */
	unsigned size;		/* its size, once known */
	/* Why decoding stopped, for people; NULL (the fuzz targets): no
	 * message is ever formatted. */
	struct nept_error *err;
	size_t at; /* offset of the record being decoded */
	uint8_t tag;
};

/*
 * The decoder's one way to reject: false, and with an error struct the
 * record (offset and tag) and the rule it broke.  The first rejection
 * wins.
 */
static bool bad(struct reader *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!r->err || r->err->offset >= 0)
		return false;
	r->err->line = r->err->col = 0;
	r->err->offset = (long)r->at;
	n = snprintf(r->err->msg, sizeof(r->err->msg),
		     "%s record (tag 0x%02x): ", tag_names[r->tag], r->tag);
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(r->err->msg))
		vsnprintf(r->err->msg + n, sizeof(r->err->msg) - (size_t)n, fmt,
			  ap);
	va_end(ap);
	return false;
}

static __attribute__((noinline, cold)) bool truncated(struct reader *r)
{
	return bad(r,
		   "truncated: the input ends %zu byte%s into the "
		   "%u-byte payload",
		   (size_t)(r->p - r->payload) + r->left,
		   (size_t)(r->p - r->payload) + r->left == 1 ? "" : "s",
		   r->size);
}

/* Always inlined: every caller gives a constant n, so the copy below is
 * one load.  Called, it was a memcpy of a variable size, which ASan
 * intercepts and range-checks: 3% of a fuzz_diff execution under ASan
 * with put (perf, 2026-12-03), for loads of 1 to 8 bytes. */
static inline __attribute__((always_inline)) bool get(struct reader *r,
						      unsigned n, uint64_t *v)
{
	if (r->left < n)
		return truncated(r);
	*v = 0;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* The encoding's byte order: one copy, where a loop was 4% of a
	 * fuzz_diff execution under ASan, which checks every byte's load. */
	memcpy(v, r->p, n);
#else
	for (unsigned i = 0; i < n; i++)
		*v |= (uint64_t)r->p[i] << (8 * i);
#endif
	r->p += n;
	r->left -= n;
	return true;
}

static bool get8(struct reader *r, uint8_t *v)
{
	uint64_t x;

	if (!get(r, 1, &x))
		return false;
	*v = (uint8_t)x;
	return true;
}

static bool get16(struct reader *r, uint16_t *v)
{
	uint64_t x;

	if (!get(r, 2, &x))
		return false;
	*v = (uint16_t)x;
	return true;
}

static bool get64(struct reader *r, uint64_t *v)
{
	return get(r, 8, v);
}

static bool page_backed(const struct nept_mem *m, uint64_t gpa)
{
	uint64_t v;

	return nept_mem_read(m, gpa & ~7ull, &v);
}

/* The lowest page at or above PATH_FRESH_BASE that is not backed. */
static uint64_t fresh_page(const struct nept_mem *m)
{
	uint64_t p = PATH_FRESH_BASE;
	unsigned i;

	/* Pages are sorted, so one pass finds the first gap. */
	for (i = 0; i < m->npages; i++)
		if (m->page[i] == p)
			p += 0x1000;
	return p;
}

/* Writes a guest paging entry of 4 or 8 bytes (32-bit paging: 4). */
static bool set_entry(struct nept_scenario *s, uint64_t ea, unsigned size,
		      uint64_t v)
{
	uint64_t q = 0;

	if (size == 8)
		return scenario_set_qword(s, ea, v);
	if (!scenario_add_page(s, ea))
		return false;
	nept_mem_read(&s->mem, ea & ~7ull, &q);
	q &= ~(0xffffffffull << (8 * (ea & 4)));
	q |= (v & 0xffffffffull) << (8 * (ea & 4));
	return scenario_set_qword(s, ea & ~7ull, q);
}

static bool get_entry(const struct nept_scenario *s, uint64_t ea, unsigned size,
		      uint64_t *v)
{
	uint64_t q = 0;

	nept_mem_read(&s->mem, ea & ~7ull, &q);
	*v = size == 8 ? q : (q >> (8 * (ea & 4))) & 0xffffffffull;
	return *v != 0;
}

/*
 * One step down a chain of tables (PATH, L2PATH and the EPT12 mappings
 * L2PATH makes): the entry at ea (size bytes) leads to *table, the page
 * it already points at when that page is backed, else a fresh one, backed
 * now.  The entry gets the template's other bits and the table's address,
 * unless keep is set and it already led somewhere.
 */
static bool chain_step(struct nept_scenario *s, uint64_t ea, unsigned size,
		       uint64_t tmpl, uint64_t mask, bool keep, uint64_t *table)
{
	uint64_t val;

	/* Back the table first so a fresh page is never the table. */
	if (!scenario_add_page(s, ea))
		return false;
	if (get_entry(s, ea, size, &val) && page_backed(&s->mem, val & mask)) {
		*table = val & mask;
		if (keep)
			return true;
	} else {
		*table = fresh_page(&s->mem);
	}
	return set_entry(s, ea, size, (tmpl & ~mask) | *table) &&
	       scenario_add_page(s, *table);
}

/* Facts §1: only 4- and 5-level walks exist, and the address mask needs a
 * sane width; either way such a scenario is rejected at the end. */
static unsigned ept_levels(const struct nept_scenario *s)
{
	unsigned levels = ((s->eptp >> 3) & 7) + 1;

	if (levels < 4 || levels > 5 ||
	    s->l1_maxphyaddr < NEPT_MAXPHYADDR_MIN ||
	    s->l1_maxphyaddr > NEPT_MAXPHYADDR_MAX)
		return 0;
	return levels;
}

/* Facts §3.1: 9 index bits per level above the 4-KiB offset. */
static uint64_t ept_entry_addr(uint64_t table, unsigned level, uint64_t gpa)
{
	return table + ((gpa >> (12 + 9 * (level - 1))) & 511) * 8;
}

/*
 * PATH: a chain of EPT entries for gpa from the EPTP root down, so a fuzzer
 * reaches deep walks without having to match table addresses.  Existing
 * tables are reused, which lets later paths share and alias earlier ones.
 */
static bool decode_path(struct reader *r, struct nept_scenario *s)
{
	uint64_t gpa, tmpl, mask, table;
	unsigned levels = ept_levels(s), level;
	uint8_t n;

	if (!get64(r, &gpa) || !get8(r, &n))
		return false;
	r->size += 8u * n;
	if (!levels)
		return bad(r,
			   "the EPTP's walk length must be 4 or 5 and "
			   "l1-maxphyaddr %d..%d before a PATH (facts §1)",
			   NEPT_MAXPHYADDR_MIN, NEPT_MAXPHYADDR_MAX);
	if (n < 1 || n > levels)
		return bad(r, "%u entries: a %u-level walk takes 1..%u", n,
			   levels, levels);
	mask = nept_addr_mask(s->l1_maxphyaddr);
	table = s->eptp & mask;
	for (level = levels;; level--) {
		uint64_t ea = ept_entry_addr(table, level, gpa);

		if (!get64(r, &tmpl))
			return false;
		if (level == levels + 1 - n)
			return scenario_set_qword(s, ea, tmpl) ||
			       bad(r,
				   "memory full (at most %d pages, %d "
				   "qwords)",
				   NEPT_MAX_PAGES, NEPT_MAX_QWORDS);
		if (!chain_step(s, ea, 8, tmpl, mask, false, &table))
			return bad(r,
				   "memory full (at most %d pages, %d qwords)",
				   NEPT_MAX_PAGES, NEPT_MAX_QWORDS);
	}
}

/*
 * EPT12 mapping for one L2 page (L2PATH): an identity chain from the EPTP
 * root, every entry from one template; existing entries are kept.
 */
static bool map_identity(struct nept_scenario *s, uint64_t gpa, uint64_t tmpl)
{
	unsigned levels = ept_levels(s), level;
	uint64_t mask, table, ea, val;

	if (!levels)
		return false;
	mask = nept_addr_mask(s->l1_maxphyaddr);
	if (gpa & ~0xfffull & ~mask)
		return false; /* beyond MAXPHYADDR: no mapping */
	table = s->eptp & mask;
	for (level = levels; level > 1; level--)
		if (!chain_step(s, ept_entry_addr(table, level, gpa), 8, tmpl,
				mask, true, &table))
			return false;
	ea = ept_entry_addr(table, 1, gpa);
	nept_mem_read(&s->mem, ea, &val);
	return val || scenario_set_qword(s, ea, (tmpl & ~mask) | (gpa & mask));
}

/* PAE's top level: a PDPTE register (no memory, no EPT access, facts
 * §8.3), pointed at a fresh page unless it leads to a backed one. */
static bool pdpte_step(struct nept_scenario *s, uint64_t gla, uint64_t tmpl,
		       bool last, uint64_t *table)
{
	uint64_t mask = nept_l2_addr_bits(NEPT_L2_PAE);
	uint64_t *reg = &s->l2.pdpte[(gla >> 30) & 3];

	if (!*reg || !page_backed(&s->mem, *reg & mask))
		*reg = (tmpl & 0xfff & ~0x1e6ull) | fresh_page(&s->mem);
	*table = *reg & mask;
	return last || scenario_add_page(s, *table);
}

/*
 * L2PATH: L2's paging entries for a linear address from CR3 (or the PDPTE
 * registers) down, like PATH for EPT12 (facts §8.2 geometry), so engines
 * reach deep L2 walks without matching addresses.  Each table is a fresh
 * page unless the entry already points at a backed one; a nonzero EPT
 * template also maps every table page below the root (and the final page,
 * when the chain reaches the leaf) through EPT12 one to one.  Not the root
 * at CR3: inputs already stored decode as they did (docs/scenario-format.md,
 * Stability), so a mutator that wants it mapped adds a PATH.
 */
static bool decode_l2path(struct reader *r, struct nept_scenario *s)
{
	unsigned paging = s->l2.paging, levels = nept_l2_levels(paging);
	unsigned size = nept_l2_entry_size(paging), i;
	uint64_t gla, ept, tmpl, table, mask = nept_l2_addr_bits(paging);
	uint8_t n;

	if (!get64(r, &gla) || !get8(r, &n))
		return false;
	r->size += 8u * n;
	if (!get64(r, &ept))
		return false;
	if (!levels)
		return bad(r, "L2 paging is off (an L2 record must come "
			      "first)");
	if (n < 1 || n > levels)
		return bad(r, "%u entries: %s paging has 1..%u levels", n,
			   nept_l2_paging_name(paging), levels);
	table = s->l2.cr3 & mask;
	for (i = 0; i < n; i++) {
		unsigned level = levels - i;
		bool last = i + 1 == n;

		if (!get64(r, &tmpl))
			return false;
		if (paging == NEPT_L2_PAE && level == 3) {
			if (!pdpte_step(s, gla, tmpl, last, &table))
				return bad(r, "memory full");
		} else if (!last) {
			if (!chain_step(s,
					nept_l2_entry_addr(paging, table, level,
							   gla),
					size, tmpl, mask, true, &table))
				return bad(r, "memory full");
		} else {
			uint64_t ea =
				nept_l2_entry_addr(paging, table, level, gla);
			unsigned shift = size == 4 ? 12 + 10 * (level - 1)
						   : 12 + 9 * (level - 1);
			uint64_t off = (1ull << shift) - 1;

			if (!scenario_add_page(s, ea) ||
			    !set_entry(s, ea, size, tmpl))
				return bad(r, "memory full");
			if (level > 1 && !(tmpl & 0x80))
				return true; /* ends at a table: nothing to map */
			/* The page the linear address reaches. */
			table = ((tmpl & mask & ~off) | (gla & off)) &
				~0xfffull;
		}
		if (ept && !map_identity(s, table, ept))
			return bad(r,
				   "EPT12 mapping of page 0x%llx: memory "
				   "full, or beyond MAXPHYADDR, or the EPTP's "
				   "walk length is not 4 or 5",
				   (unsigned long long)table);
	}
	return true;
}

static bool decode_event(struct reader *r, struct nept_scenario *s)
{
	struct nept_event *e;

	if (s->nevents == NEPT_MAX_EVENTS)
		return bad(r, "more than %d events", NEPT_MAX_EVENTS);
	e = &s->event[s->nevents++];
	return get8(r, &e->source) && get8(r, &e->access) &&
	       get8(r, &e->flags) && get16(r, &e->exit_reason) &&
	       get64(r, &e->gpa) && get64(r, &e->gla) &&
	       get64(r, &e->hw_qual) && get64(r, &e->exit_qual);
}

static bool decode_expect(struct reader *r, struct nept_scenario *s)
{
	struct nept_expect *x;

	if (s->nevents == 0)
		return bad(r, "before any EVENT record: nothing to expect of");
	x = &s->event[s->nevents - 1].expect;
	return get16(r, &x->fields) && get8(r, &x->kind) &&
	       get16(r, &x->reason) && get64(r, &x->qual) &&
	       get64(r, &x->gpa) && get64(r, &x->gla) &&
	       get64(r, &x->translated);
}

static bool decode_record(struct reader *r, uint8_t tag,
			  struct nept_scenario *s)
{
	uint64_t a, b;

	switch (tag) {
	case TAG_CAPS:
		if (!get(r, 4, &a))
			return false;
		s->caps = (uint32_t)a;
		return true;
	case TAG_MAXPHYADDR:
		return get8(r, &s->l1_maxphyaddr);
	case TAG_HOST:
		return get8(r, &s->host_maxphyaddr) && get8(r, &s->l0_flags);
	case TAG_EPTP:
		return get64(r, &s->eptp);
	case TAG_PAGE:
		return get64(r, &a) && (scenario_add_page(s, a) ||
					bad(r, "memory full (at most %d pages)",
					    NEPT_MAX_PAGES));
	case TAG_QWORD:
		return get64(r, &a) && get64(r, &b) &&
		       (scenario_set_qword(s, a & ~7ull, b) ||
			bad(r, "memory full (at most %d pages, %d qwords)",
			    NEPT_MAX_PAGES, NEPT_MAX_QWORDS));
	case TAG_EVENT:
		return decode_event(r, s);
	case TAG_EXPECT:
		return decode_expect(r, s);
	case TAG_PATH:
		return decode_path(r, s);
	case TAG_L2: {
		uint8_t paging, cpl;
		uint16_t flags;

		if (!get8(r, &paging) || !get8(r, &cpl) || !get16(r, &flags) ||
		    !get(r, 4, &a) || !get64(r, &b))
			return false;
		s->l2.paging = paging;
		s->l2.cpl = cpl;
		s->l2.flags = flags;
		s->l2.pkru = (uint32_t)a;
		s->l2.cr3 = b;
		return true;
	}
	case TAG_PDPTE: {
		uint8_t i;

		return get8(r, &i) && get64(r, &s->l2.pdpte[i & 3]);
	}
	case TAG_CONTROLS: {
		uint64_t bm, mask, match;

		if (!get(r, 4, &bm) || !get(r, 4, &mask) ||
		    !get(r, 4, &match) || !get16(r, &s->ctl.flags) ||
		    !get16(r, &s->ctl.pml_index) ||
		    !get64(r, &s->ctl.pml_address))
			return false;
		s->ctl.exception_bitmap = (uint32_t)bm;
		s->ctl.pfec_mask = (uint32_t)mask;
		s->ctl.pfec_match = (uint32_t)match;
		return true;
	}
	case TAG_DURING:
		if (!s->nevents)
			return bad(r, "before any EVENT record");
		return get8(r, &s->event[s->nevents - 1].during);
	case TAG_EXPECT_EXC: {
		struct nept_expect *x;

		if (!s->nevents)
			return bad(r, "before any EVENT record");
		x = &s->event[s->nevents - 1].expect;
		if (!get8(r, &x->vector) || !get(r, 4, &a))
			return false;
		x->error_code = (uint32_t)a;
		return true;
	}
	case TAG_L2PATH:
		return decode_l2path(r, s);
	case TAG_EXPECT_MEM: {
		struct nept_event *e;
		struct nept_expect_mem *m;

		if (!s->nevents)
			return bad(r, "before any EVENT record");
		e = &s->event[s->nevents - 1];
		if (e->nexpect_mem >= NEPT_MAX_EXPECT_MEM)
			return bad(r, "more than 4 for one event");
		m = &e->expect_mem[e->nexpect_mem++];
		if (!get8(r, &m->kind) || !get(r, 2, &a) ||
		    !get64(r, &m->addr) || !get64(r, &m->value))
			return false;
		m->index = (uint16_t)a;
		return true;
	}
	case TAG_EXIT_INFO: {
		struct nept_event *e;

		if (!s->nevents)
			return bad(r, "before any EVENT record");
		e = &s->event[s->nevents - 1];
		if (!get8(r, &e->exit_vector) || !get(r, 4, &a) ||
		    !get64(r, &e->exit_value))
			return false;
		e->exit_error_code = (uint32_t)a;
		return true;
	}
	case TAG_INSN: {
		struct nept_event *e;

		if (!s->nevents)
			return bad(r, "before any EVENT record");
		e = &s->event[s->nevents - 1];
		e->has_rip = 1;
		return get64(r, &e->rip);
	}
	case TAG_EXIT_CONTROLS: {
		struct nept_controls *c = &s->ctl;
		uint8_t n;

		if (!get64(r, &c->io_bitmap[0]) ||
		    !get64(r, &c->io_bitmap[1]) || !get64(r, &c->cr0_mask) ||
		    !get64(r, &c->cr0_shadow) || !get64(r, &c->cr4_mask) ||
		    !get64(r, &c->cr4_shadow) || !get8(r, &n))
			return false;
		c->cr3_target_count = n;
		for (unsigned i = 0; i < 4; i++)
			if (!get64(r, &c->cr3_target[i]))
				return false;
		return true;
	}
	case TAG_VM_ENTRY: {
		struct nept_vmentry *en = &s->entry;

		if (!get16(r, &en->flags) || !get8(r, &en->msr_count) ||
		    !get8(r, &en->reserved) || !get(r, 4, &a))
			return false;
		en->activity = (uint32_t)a;
		for (unsigned k = 0; k < NEPT_VMENTRY_QWORDS; k++)
			if (!get64(r, nept_vmentry_field(en, k)))
				return false;
		return true;
	}
	case TAG_MSR_LOAD: {
		/* One more VM-entry MSR-load entry (facts §13.3) after those
		 * counted, so engines reach the list without matching its
		 * address. */
		struct nept_vmentry *en = &s->entry;
		uint64_t at = en->msr_addr + 16ull * en->msr_count;

		if (!get64(r, &a) || !get64(r, &b))
			return false;
		if (en->msr_count >= NEPT_MAX_MSR_LOAD)
			return bad(r, "more than %d MSR-load entries",
				   NEPT_MAX_MSR_LOAD);
		if ((at & 7) || !scenario_set_qword(s, at, a) ||
		    !scenario_set_qword(s, at + 8, b))
			return bad(r, "memory full, or the MSR-load address "
				      "is not 8-aligned");
		en->msr_count++;
		return true;
	}
	default:
		return false; /* reported by the caller */
	}
}

bool scenario_decode_bin_err(const uint8_t *data, size_t len,
			     struct nept_scenario *s, struct nept_error *err)
{
	struct reader r = { .p = data, .left = len, .err = err };

	if (err)
		err->offset = -1;
	scenario_init(s);
	for (; r.left; r.at = len - r.left) {
		r.tag = *r.p++;
		r.left--;
		if (r.tag == 0 ||
		    r.tag >= sizeof(tag_names) / sizeof(*tag_names)) {
			if (err) {
				err->line = err->col = 0;
				err->offset = (long)r.at;
				snprintf(err->msg, sizeof(err->msg),
					 "unknown record tag 0x%02x (records "
					 "are 0x01..0x%02x)",
					 r.tag, TAG_LAST);
			}
			return false;
		}
		r.payload = r.p;
		r.size = payload_bytes[r.tag];
		if (!decode_record(&r, r.tag, s))
			return false;
	}
	if (s->nevents == 0) {
		if (err) {
			err->line = err->col = 0;
			err->offset = (long)len;
			snprintf(err->msg, sizeof(err->msg),
				 len ? "no EVENT record: a scenario runs at "
				       "least one"
				     : "empty: no records");
		}
		return false;
	}
	/* Memory came through scenario_set_qword and scenario_add_page:
	 * sorted already, and scenario_check says so once. */
	scenario_normalize_events(s);
	scenario_clear_derived(s);
	if (scenario_check(s, err))
		return true;
	if (err) {
		char rule[sizeof(err->msg)];

		memcpy(rule, err->msg, sizeof(rule));
		snprintf(err->msg, sizeof(err->msg), "not a legal scenario: %s",
			 rule);
		err->offset = -1;
	}
	return false;
}

bool scenario_decode_bin(const uint8_t *data, size_t len,
			 struct nept_scenario *s)
{
	return scenario_decode_bin_err(data, len, s, NULL);
}

struct writer {
	uint8_t *p;
	size_t cap, n;
};

/* Always inlined, as get is. */
static inline __attribute__((always_inline)) void
put(struct writer *w, unsigned nbytes, uint64_t v)
{
	unsigned i;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* As in get: one copy when it fits. */
	if (w->n + nbytes <= w->cap) {
		memcpy(w->p + w->n, &v, nbytes);
		w->n += nbytes;
		return;
	}
#endif
	for (i = 0; i < nbytes; i++, w->n++)
		if (w->n < w->cap)
			w->p[w->n] = (uint8_t)(v >> (8 * i));
}

size_t scenario_encode_bin(const struct nept_scenario *s, uint8_t *buf,
			   size_t cap)
{
	struct writer w = { buf, cap, 0 };
	unsigned i;

	put(&w, 1, TAG_CAPS);
	put(&w, 4, s->caps);
	put(&w, 1, TAG_MAXPHYADDR);
	put(&w, 1, s->l1_maxphyaddr);
	if (s->host_maxphyaddr || s->l0_flags) {
		put(&w, 1, TAG_HOST);
		put(&w, 1, s->host_maxphyaddr);
		put(&w, 1, s->l0_flags);
	}
	put(&w, 1, TAG_EPTP);
	put(&w, 8, s->eptp);
	if (s->l2.paging) {
		put(&w, 1, TAG_L2);
		put(&w, 1, s->l2.paging);
		put(&w, 1, s->l2.cpl);
		put(&w, 2, s->l2.flags);
		put(&w, 4, s->l2.pkru);
		put(&w, 8, s->l2.cr3);
		for (i = 0; i < 4; i++) {
			if (!s->l2.pdpte[i])
				continue;
			put(&w, 1, TAG_PDPTE);
			put(&w, 1, i);
			put(&w, 8, s->l2.pdpte[i]);
		}
	}
	if (nept_controls_set(&s->ctl)) {
		put(&w, 1, TAG_CONTROLS);
		put(&w, 4, s->ctl.exception_bitmap);
		put(&w, 4, s->ctl.pfec_mask);
		put(&w, 4, s->ctl.pfec_match);
		put(&w, 2, s->ctl.flags);
		put(&w, 2, s->ctl.pml_index);
		put(&w, 8, s->ctl.pml_address);
	}
	if (nept_exit_controls_set(&s->ctl)) {
		const struct nept_controls *c = &s->ctl;

		put(&w, 1, TAG_EXIT_CONTROLS);
		put(&w, 8, c->io_bitmap[0]);
		put(&w, 8, c->io_bitmap[1]);
		put(&w, 8, c->cr0_mask);
		put(&w, 8, c->cr0_shadow);
		put(&w, 8, c->cr4_mask);
		put(&w, 8, c->cr4_shadow);
		put(&w, 1, c->cr3_target_count);
		for (i = 0; i < 4; i++)
			put(&w, 8, c->cr3_target[i]);
	}
	if (nept_vm_entry_event(s)) {
		const struct nept_vmentry *en = &s->entry;

		put(&w, 1, TAG_VM_ENTRY);
		put(&w, 2, en->flags);
		put(&w, 1, en->msr_count);
		put(&w, 1, en->reserved);
		put(&w, 4, en->activity);
		for (i = 0; i < NEPT_VMENTRY_QWORDS; i++)
			put(&w, 8, nept_vmentry_get(en, i));
	}
	for (i = 0; i < s->mem.npages; i++) {
		put(&w, 1, TAG_PAGE);
		put(&w, 8, s->mem.page[i]);
	}
	for (i = 0; i < s->mem.nqwords; i++) {
		put(&w, 1, TAG_QWORD);
		put(&w, 8, s->mem.qword[i].gpa);
		put(&w, 8, s->mem.qword[i].val);
	}
	for (i = 0; i < s->nevents; i++) {
		const struct nept_event *e = &s->event[i];
		const struct nept_expect *x = &e->expect;

		put(&w, 1, TAG_EVENT);
		put(&w, 1, e->source);
		put(&w, 1, e->access);
		put(&w, 1, e->flags);
		put(&w, 2, e->exit_reason);
		put(&w, 8, e->gpa);
		put(&w, 8, e->gla);
		put(&w, 8, e->hw_qual);
		put(&w, 8, e->exit_qual);
		if (e->during) {
			put(&w, 1, TAG_DURING);
			put(&w, 1, e->during);
		}
		if (e->exit_vector || e->exit_error_code || e->exit_value) {
			put(&w, 1, TAG_EXIT_INFO);
			put(&w, 1, e->exit_vector);
			put(&w, 4, e->exit_error_code);
			put(&w, 8, e->exit_value);
		}
		if (e->has_rip) {
			put(&w, 1, TAG_INSN);
			put(&w, 8, e->rip);
		}
		for (unsigned k = 0; k < e->nexpect_mem; k++) {
			put(&w, 1, TAG_EXPECT_MEM);
			put(&w, 1, e->expect_mem[k].kind);
			put(&w, 2, e->expect_mem[k].index);
			put(&w, 8, e->expect_mem[k].addr);
			put(&w, 8, e->expect_mem[k].value);
		}
		if (!x->fields)
			continue;
		put(&w, 1, TAG_EXPECT);
		put(&w, 2, x->fields);
		put(&w, 1, x->kind);
		put(&w, 2, x->reason);
		put(&w, 8, x->qual);
		put(&w, 8, x->gpa);
		put(&w, 8, x->gla);
		put(&w, 8, x->translated);
		if (x->vector || x->error_code) {
			put(&w, 1, TAG_EXPECT_EXC);
			put(&w, 1, x->vector);
			put(&w, 4, x->error_code);
		}
	}
	return w.n <= cap ? w.n : 0;
}
