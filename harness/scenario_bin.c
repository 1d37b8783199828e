// SPDX-License-Identifier: GPL-2.0-only
/*
 * The binary encoding the engines feed us (docs/scenario-format.md,
 * "Binary"): records of one tag byte and a fixed-size little-endian payload.
 * No lengths, so every byte a mutator flips means something; stable tags, so
 * a corpus survives changes to the code.  Decoding never allocates and
 * rejects cheaply.
 */
#include "scenario.h"
#include "model.h"

enum bin_tag {
	TAG_CAPS = 0x01,
	TAG_MAXPHYADDR = 0x02,
	TAG_EPTP = 0x03,
	TAG_PAGE = 0x04,
	TAG_QWORD = 0x05,
	TAG_EVENT = 0x06,
	TAG_EXPECT = 0x07,
	TAG_PATH = 0x08,
};

#define EVENT_BYTES (1 + 1 + 1 + 2 + 8 * 4)
#define EXPECT_BYTES (2 + 1 + 2 + 8 * 4)
#define MAX_ENCODED                                         \
	(1 + 4 + 1 + 1 + 1 + 8 + NEPT_MAX_PAGES * (1 + 8) + \
	 NEPT_MAX_QWORDS * (1 + 16) +                       \
	 NEPT_MAX_EVENTS * (1 + EVENT_BYTES + 1 + EXPECT_BYTES))
_Static_assert(MAX_ENCODED <= NEPT_BIN_MAX, "NEPT_BIN_MAX too small");

/* Where PATH puts the tables it needs (above the low 1 MiB, by habit). */
#define PATH_FRESH_BASE 0x100000ull

struct reader {
	const uint8_t *p;
	size_t left;
};

static bool get(struct reader *r, unsigned n, uint64_t *v)
{
	unsigned i;

	if (r->left < n)
		return false;
	*v = 0;
	for (i = 0; i < n; i++)
		*v |= (uint64_t)r->p[i] << (8 * i);
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

/*
 * PATH: a chain of EPT entries for gpa from the EPTP root down, so a fuzzer
 * reaches deep walks without having to match table addresses.  Existing
 * tables are reused, which lets later paths share and alias earlier ones.
 */
static bool decode_path(struct reader *r, struct nept_scenario *s)
{
	uint64_t gpa, tmpl, ea, val, mask, table;
	unsigned levels, level, i;
	uint8_t n;

	if (!get64(r, &gpa) || !get8(r, &n))
		return false;
	levels = ((s->eptp >> 3) & 7) + 1;
	/* Facts §1: only 4- and 5-level walks exist; the mask needs a sane
	 * width.  Either way such an EPTP is rejected at the end. */
	if (levels < 4 || levels > 5 || n < 1 || n > levels ||
	    s->l1_maxphyaddr < NEPT_MAXPHYADDR_MIN ||
	    s->l1_maxphyaddr > NEPT_MAXPHYADDR_MAX)
		return false;
	mask = nept_addr_mask(s->l1_maxphyaddr);
	table = s->eptp & mask;
	for (i = 0;; i++) {
		level = levels - i;
		/* Facts §3.1: 9 index bits per level above the 4-KiB offset. */
		ea = table + ((gpa >> (12 + 9 * (level - 1))) & 511) * 8;
		if (!get64(r, &tmpl))
			return false;
		if (i + 1 == n)
			return scenario_set_qword(s, ea, tmpl);
		/* Back the table first so a fresh page is never the table. */
		if (!scenario_add_page(s, ea))
			return false;
		nept_mem_read(&s->mem, ea, &val);
		if (val && page_backed(&s->mem, val & mask))
			table = val & mask;
		else
			table = fresh_page(&s->mem);
		if (!scenario_set_qword(s, ea, (tmpl & ~mask) | table) ||
		    !scenario_add_page(s, table))
			return false;
	}
}

static bool decode_event(struct reader *r, struct nept_scenario *s)
{
	struct nept_event *e;

	if (s->nevents == NEPT_MAX_EVENTS)
		return false;
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
		return false;
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
	case TAG_EPTP:
		return get64(r, &s->eptp);
	case TAG_PAGE:
		return get64(r, &a) && scenario_add_page(s, a);
	case TAG_QWORD:
		return get64(r, &a) && get64(r, &b) &&
		       scenario_set_qword(s, a & ~7ull, b);
	case TAG_EVENT:
		return decode_event(r, s);
	case TAG_EXPECT:
		return decode_expect(r, s);
	case TAG_PATH:
		return decode_path(r, s);
	default:
		return false;
	}
}

bool scenario_decode_bin(const uint8_t *data, size_t len,
			 struct nept_scenario *s)
{
	struct reader r = { data, len };
	struct nept_error err;
	uint8_t tag;

	scenario_init(s);
	while (get8(&r, &tag))
		if (!decode_record(&r, tag, s))
			return false;
	if (s->nevents == 0)
		return false;
	scenario_normalize(s);
	return scenario_check(s, &err);
}

struct writer {
	uint8_t *p;
	size_t cap, n;
};

static void put(struct writer *w, unsigned nbytes, uint64_t v)
{
	unsigned i;

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
	put(&w, 1, TAG_EPTP);
	put(&w, 8, s->eptp);
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
	}
	return w.n <= cap ? w.n : 0;
}
