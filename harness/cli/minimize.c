// SPDX-License-Identifier: GPL-2.0-only
/*
 * `neptfuzz minimize`: scenario-level reduction of a finding.
 *
 * A byte-level minimizer (libFuzzer's -minimize_crash, afl-tmin) sees the
 * binary encoding; this one sees the scenario: it drops whole events,
 * pages and entries, capabilities, controls and L2 paging, clears bits,
 * shortens walks, and rounds addresses and values, and keeps a candidate
 * only when it is legal (scenario_check) and the differential run gives
 * the same signature (minimize.h says exactly what is kept).
 *
 * Delta debugging in its greedy form: each pass tries its candidates
 * cheapest and largest first, keeps every one that passes and goes on from
 * there; the list of passes repeats until a whole round keeps nothing (a
 * fixed point: no single candidate of any pass is smaller and still
 * fails).  Every choice is made in a fixed order from the current
 * scenario, so the result is a function of the input.
 */
#include "minimize.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fileio.h"
#include "model.h"

/* The same verdict: support, and the divergences as a set. */
static bool same_verdict(const struct nept_verdict *a,
			 const struct nept_verdict *b)
{
	if (a->unsupported != b->unsupported || a->n != b->n)
		return false;
	for (unsigned i = 0; i < a->n; i++) {
		bool found = false;

		for (unsigned j = 0; j < b->n && !found; j++)
			found = a->div[i].field == b->div[j].field &&
				!strcmp(a->div[i].detail, b->div[j].detail);
		if (!found)
			return false;
	}
	return true;
}

void nept_write_verdict_lines(FILE *f, const struct nept_diff *d)
{
	static struct nept_verdict v;

	for (unsigned m = 1; m < nept_nimpls; m++) {
		const char *name = nept_impls[m]->name;

		nept_diff_verdict(d, m, &v);
		if (v.unsupported || !v.n)
			fprintf(f, "# verdict: %s %s\n", name,
				v.unsupported ? "unsupported" : "agrees");
		for (unsigned j = 0; !v.unsupported && j < v.n; j++)
			fprintf(f, "# verdict: %s diverges %s %s\n", name,
				nept_field_name(v.div[j].field),
				v.div[j].detail);
	}
}

/* The divergence the signature names: the first new one, else the first
 * known one; -1 when there is none. */
static int signature_index(const struct nept_diff *d, bool *known)
{
	*known = d->ndiv && nept_diff_new(d) == 0;
	for (unsigned k = 0; k < d->ndiv; k++)
		if ((d->div[k].known != 0) == *known)
			return (int)k;
	return -1;
}

bool nept_min_signature(const struct nept_scenario *s, char *buf, size_t n,
			bool *known)
{
	static struct nept_diff d;

	nept_diff_run(s, &d);
	if (signature_index(&d, known) < 0) {
		snprintf(buf, n, "no divergence");
		return false;
	}
	nept_diff_title(&d, *known, buf, n);
	return true;
}

/* ------------------------------------------------------------------ */
/* The oracle and the loop */

struct goal {
	char title[256];
	bool known;
	struct nept_verdict v[NEPT_MAX_IMPLS];
};

struct ctx {
	struct nept_scenario cur; /* the smallest scenario kept so far */
	struct goal goal;
	const struct nept_min_options *opt;
	struct nept_min_stats *st;
	struct timespec t0;
	unsigned sig_event; /* the signature's event in cur */
	bool changed;	    /* something was kept in this round */
};

static struct nept_diff run_diff;
static struct nept_verdict run_verdict;

static double elapsed(const struct ctx *c)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - c->t0.tv_sec) +
	       (double)(t.tv_nsec - c->t0.tv_nsec) / 1e9;
}

/* Runs s; true when it keeps the goal (run_diff holds the run). */
static bool keeps(struct ctx *c, const struct nept_scenario *s)
{
	char title[256];
	bool known;

	nept_diff_run(s, &run_diff);
	if (signature_index(&run_diff, &known) < 0 || known != c->goal.known)
		return false;
	nept_diff_title(&run_diff, known, title, sizeof(title));
	if (strcmp(title, c->goal.title))
		return false;
	for (unsigned m = 1; c->opt->keep_all && m < nept_nimpls; m++) {
		nept_diff_verdict(&run_diff, m, &run_verdict);
		if (!same_verdict(&run_verdict, &c->goal.v[m]))
			return false;
	}
	return true;
}

/*
 * The size a reduction must lower, compared in order: events, pages,
 * entries, then the set bits of every field and value (so a rounded value
 * or a cleared bit counts, and no sequence of kept candidates can cycle).
 */
struct measure {
	uint64_t v[4];
};

static unsigned pop(uint64_t v)
{
	return (unsigned)__builtin_popcountll(v);
}

static struct measure measure_of(const struct nept_scenario *s)
{
	struct measure m = { { s->nevents, s->mem.npages, s->mem.nqwords, 0 } };
	uint64_t b = pop(s->caps) + pop(s->l1_maxphyaddr) + pop(s->eptp) +
		     pop(s->host_maxphyaddr) + pop(s->l0_flags);

	b += pop(s->l2.paging) + pop(s->l2.cpl) + pop(s->l2.flags) +
	     pop(s->l2.pkru) + pop(s->l2.cr3);
	for (unsigned i = 0; i < 4; i++)
		b += pop(s->l2.pdpte[i]);
	b += pop(s->ctl.exception_bitmap) + pop(s->ctl.pfec_mask) +
	     pop(s->ctl.pfec_match) + pop(s->ctl.flags) +
	     pop(s->ctl.pml_index) + pop(s->ctl.pml_address) +
	     pop(s->ctl.io_bitmap[0]) + pop(s->ctl.io_bitmap[1]) +
	     pop(s->ctl.cr0_mask) + pop(s->ctl.cr0_shadow) +
	     pop(s->ctl.cr4_mask) + pop(s->ctl.cr4_shadow);
	for (unsigned i = 0; i < s->mem.npages; i++)
		b += pop(s->mem.page[i]);
	for (unsigned i = 0; i < s->mem.nqwords; i++)
		b += pop(s->mem.qword[i].gpa) + pop(s->mem.qword[i].val);
	for (unsigned i = 0; i < s->nevents; i++) {
		const struct nept_event *e = &s->event[i];
		const struct nept_expect *x = &e->expect;

		b += pop(e->source) + pop(e->access) + pop(e->flags) +
		     pop(e->during) + pop(e->exit_reason) + pop(e->gpa) +
		     pop(e->gla) + pop(e->hw_qual) + pop(e->exit_qual) +
		     pop(e->exit_vector) + pop(e->exit_error_code) +
		     pop(e->exit_value);
		b += pop(x->fields) + pop(x->kind) + pop(x->vector) +
		     pop(x->reason) + pop(x->error_code) + pop(x->qual) +
		     pop(x->gpa) + pop(x->gla) + pop(x->translated);
	}
	m.v[3] = b;
	return m;
}

static bool smaller(const struct measure *a, const struct measure *b)
{
	for (unsigned i = 0; i < 4; i++)
		if (a->v[i] != b->v[i])
			return a->v[i] < b->v[i];
	return false;
}

static size_t bin_size(const struct nept_scenario *s)
{
	static uint8_t buf[NEPT_BIN_MAX];

	return scenario_encode_bin(s, buf, sizeof(buf));
}

/*
 * One candidate: kept (and made current) when it is legal, smaller than
 * the current scenario (struct measure) and keeps the goal.  Illegal and
 * larger candidates cost no step.
 */
static bool try_candidate(struct ctx *c, struct nept_scenario *t,
			  const char *pass, const char *fmt, ...)
{
	struct nept_error err;
	bool known;
	va_list ap;
	struct measure mt, mc;

	if (c->st->stopped)
		return false;
	scenario_normalize(t);
	mt = measure_of(t);
	mc = measure_of(&c->cur);
	if (!smaller(&mt, &mc) || !scenario_check(t, &err))
		return false;
	if (c->opt->max_steps && c->st->steps >= c->opt->max_steps) {
		c->st->stopped = "--max-steps";
		return false;
	}
	if (c->opt->max_seconds > 0 && elapsed(c) >= c->opt->max_seconds) {
		c->st->stopped = "--time";
		return false;
	}
	c->st->steps++;
	if (!keeps(c, t))
		return false;
	c->cur = *t;
	c->sig_event = run_diff.div[signature_index(&run_diff, &known)].event;
	c->st->reductions++;
	c->changed = true;
	if (c->opt->log) {
		fprintf(c->opt->log,
			"step %lu (run %lu) %s: ", c->st->reductions,
			c->st->steps, pass);
		va_start(ap, fmt);
		vfprintf(c->opt->log, fmt, ap);
		va_end(ap);
		fprintf(c->opt->log,
			": %zu bytes, %u pages, %u entries, %u events\n",
			bin_size(&c->cur), c->cur.mem.npages,
			c->cur.mem.nqwords, c->cur.nevents);
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Edits on a copy */

static void remove_event(struct nept_scenario *s, unsigned i)
{
	memmove(&s->event[i], &s->event[i + 1],
		(s->nevents - i - 1) * sizeof(s->event[0]));
	s->nevents--;
	memset(&s->event[s->nevents], 0, sizeof(s->event[0]));
}

static void remove_qwords(struct nept_mem *m, unsigned from, unsigned n)
{
	if (from + n > m->nqwords)
		n = m->nqwords - from;
	memmove(&m->qword[from], &m->qword[from + n],
		(m->nqwords - from - n) * sizeof(m->qword[0]));
	m->nqwords = (uint16_t)(m->nqwords - n);
}

/* Unbacks a page and drops the qwords in it. */
static void remove_page(struct nept_mem *m, uint64_t page)
{
	unsigned i, j;

	for (i = j = 0; i < m->nqwords; i++)
		if ((m->qword[i].gpa & ~0xfffull) != page)
			m->qword[j++] = m->qword[i];
	m->nqwords = (uint16_t)j;
	for (i = j = 0; i < m->npages; i++)
		if (m->page[i] != page)
			m->page[j++] = m->page[i];
	m->npages = (uint16_t)j;
}

static bool page_backed(const struct nept_mem *m, uint64_t page)
{
	for (unsigned i = 0; i < m->npages; i++)
		if (m->page[i] == page)
			return true;
	return false;
}

/* An integer field of the scenario, by offset and width, so one helper
 * rounds any of them in a copy. */
static uint64_t get_field(const struct nept_scenario *s, size_t off,
			  unsigned width)
{
	uint64_t v = 0;

	switch (width) {
	case 1: {
		uint8_t x;

		memcpy(&x, (const char *)s + off, 1);
		v = x;
		break;
	}
	case 2: {
		uint16_t x;

		memcpy(&x, (const char *)s + off, 2);
		v = x;
		break;
	}
	case 4: {
		uint32_t x;

		memcpy(&x, (const char *)s + off, 4);
		v = x;
		break;
	}
	default:
		memcpy(&v, (const char *)s + off, 8);
	}
	return v;
}

static void set_field(struct nept_scenario *s, size_t off, unsigned width,
		      uint64_t v)
{
	uint8_t b = (uint8_t)v;
	uint16_t h = (uint16_t)v;
	uint32_t w = (uint32_t)v;

	switch (width) {
	case 1:
		memcpy((char *)s + off, &b, 1);
		break;
	case 2:
		memcpy((char *)s + off, &h, 2);
		break;
	case 4:
		memcpy((char *)s + off, &w, 4);
		break;
	default:
		memcpy((char *)s + off, &v, 8);
	}
}

/*
 * Rounds a value: 0; then, for an address, the page offset cleared; then
 * each set bit cleared, highest first (fewer set bits, lower values).
 */
static void round_field(struct ctx *c, const char *pass, const char *name,
			size_t off, unsigned width, bool address)
{
	struct nept_scenario t;
	uint64_t v = get_field(&c->cur, off, width);

	if (!v)
		return;
	t = c->cur;
	set_field(&t, off, width, 0);
	if (try_candidate(c, &t, pass, "%s 0x%" PRIx64 " -> 0", name, v))
		return;
	if (address && (v & 0xfff) && (v & ~0xfffull)) {
		t = c->cur;
		set_field(&t, off, width, v & ~0xfffull);
		try_candidate(c, &t, pass, "%s 0x%" PRIx64 " -> 0x%" PRIx64,
			      name, v, v & ~0xfffull);
	}
	for (int b = (int)width * 8 - 1; b >= 0 && !c->st->stopped; b--) {
		v = get_field(&c->cur, off, width);
		if (!(v >> b & 1) || v == (1ull << b))
			continue;
		t = c->cur;
		set_field(&t, off, width, v & ~(1ull << b));
		try_candidate(c, &t, pass, "%s 0x%" PRIx64 " -> 0x%" PRIx64,
			      name, v, v & ~(1ull << b));
	}
}

#define EV_OFF(i, field)                         \
	(offsetof(struct nept_scenario, event) + \
	 (i) * sizeof(struct nept_event) + offsetof(struct nept_event, field))
#define FIELD(s, f) offsetof(struct nept_scenario, f), sizeof(((s *)0)->f)

/* The model's trace of event i on the current scenario (as run). */
static void model_trace_of(const struct nept_scenario *s, unsigned i,
			   struct model_trace *t)
{
	static struct nept_scenario canon;
	static struct model_state st;
	struct nept_outcome o;

	canon = *s;
	nept_canonicalize(&canon, NULL);
	model_state_init(&st, &canon);
	for (unsigned e = 0; e <= i && e < canon.nevents; e++)
		model_run_event(&canon, &st, &canon.event[e], &o, t);
}

/* ------------------------------------------------------------------ */
/* The passes, cheapest first */

/* Events: the signature's alone, then each one dropped, last first. */
static void pass_events(struct ctx *c)
{
	struct nept_scenario t;

	if (c->cur.nevents > 1) {
		unsigned k = c->sig_event;

		t = c->cur;
		t.event[0] = t.event[k];
		t.nevents = 1;
		memset(&t.event[1], 0, sizeof(t.event) - sizeof(t.event[0]));
		try_candidate(c, &t, "events", "keep event %u alone", k);
	}
	for (int i = (int)c->cur.nevents - 1; i >= 0 && c->cur.nevents > 1;
	     i--) {
		t = c->cur;
		remove_event(&t, (unsigned)i);
		try_candidate(c, &t, "events", "drop event %d", i);
	}
}

/* Expectations: no implementation sees them. */
static void pass_expect(struct ctx *c)
{
	struct nept_scenario t = c->cur;

	for (unsigned i = 0; i < t.nevents; i++)
		nept_event_drop_expectations(&t.event[i]);
	try_candidate(c, &t, "expect", "drop the expect lines");
}

/* L2 paging off: the whole `l2` line and the flags it allowed. */
static void pass_l2_off(struct ctx *c)
{
	struct nept_scenario t = c->cur;

	if (!t.l2.paging)
		return;
	memset(&t.l2, 0, sizeof(t.l2));
	for (unsigned i = 0; i < t.nevents; i++)
		t.event[i].flags &= (uint8_t)~NEPT_AF_IMPLICIT;
	try_candidate(c, &t, "l2", "L2 paging off");
}

static void pass_controls(struct ctx *c)
{
	struct nept_scenario t;
	struct nept_controls *x = &t.ctl;

	if (!nept_controls_set(&c->cur.ctl))
		return;
	t = c->cur;
	memset(x, 0, sizeof(*x));
	if (try_candidate(c, &t, "controls", "drop every control"))
		return;
	if (c->cur.ctl.flags & NEPT_CTL_PML) {
		t = c->cur;
		x->flags &= (uint16_t)~NEPT_CTL_PML;
		x->pml_index = 0;
		x->pml_address = 0;
		try_candidate(c, &t, "controls", "drop pml");
	}
	if (c->cur.ctl.flags & NEPT_CTL_NMI_EXITING) {
		t = c->cur;
		x->flags &= (uint16_t) ~(NEPT_CTL_NMI_EXITING |
					 NEPT_CTL_VIRTUAL_NMIS);
		try_candidate(c, &t, "controls", "drop nmi-exiting");
	}
	if (c->cur.ctl.flags & NEPT_CTL_VIRTUAL_NMIS) {
		t = c->cur;
		x->flags &= (uint16_t)~NEPT_CTL_VIRTUAL_NMIS;
		try_candidate(c, &t, "controls", "drop virtual-nmis");
	}
	if (c->cur.ctl.pfec_mask || c->cur.ctl.pfec_match) {
		t = c->cur;
		x->pfec_mask = x->pfec_match = 0;
		try_candidate(c, &t, "controls", "drop pfec-mask and match");
	}
	round_field(c, "controls", "exception-bitmap",
		    FIELD(struct nept_scenario, ctl.exception_bitmap), false);
	round_field(c, "controls", "pfec-mask",
		    FIELD(struct nept_scenario, ctl.pfec_mask), false);
	round_field(c, "controls", "pfec-match",
		    FIELD(struct nept_scenario, ctl.pfec_match), false);
	round_field(c, "controls", "pml-index",
		    FIELD(struct nept_scenario, ctl.pml_index), false);
	round_field(c, "controls", "pml-address",
		    FIELD(struct nept_scenario, ctl.pml_address), true);
	/* Facts §15: the controls that decide which exits are L1's. */
	round_field(c, "controls", "cr0-mask",
		    FIELD(struct nept_scenario, ctl.cr0_mask), false);
	round_field(c, "controls", "cr0-shadow",
		    FIELD(struct nept_scenario, ctl.cr0_shadow), false);
	round_field(c, "controls", "cr4-mask",
		    FIELD(struct nept_scenario, ctl.cr4_mask), false);
	round_field(c, "controls", "cr4-shadow",
		    FIELD(struct nept_scenario, ctl.cr4_shadow), false);
}

static void pass_caps(struct ctx *c)
{
	struct nept_scenario t = c->cur;

	t.caps &= NEPT_CAPS_DEFAULT;
	try_candidate(c, &t, "caps", "caps within the default");
	for (unsigned b = 0; nept_cap_names[b].name; b++) {
		if (!(c->cur.caps & nept_cap_names[b].bit) ||
		    nept_cap_names[b].bit & (nept_cap_names[b].bit - 1))
			continue;
		t = c->cur;
		t.caps &= ~nept_cap_names[b].bit;
		try_candidate(c, &t, "caps", "drop cap %s",
			      nept_cap_names[b].name);
	}
}

/* L0's configuration (facts §14): the host's width back to L1's, KVM's
 * allow_smaller_maxphyaddr off. */
static void pass_host(struct ctx *c)
{
	struct nept_scenario t;

	if (c->cur.host_maxphyaddr) {
		t = c->cur;
		t.host_maxphyaddr = 0;
		try_candidate(c, &t, "host", "host width = L1's");
	}
	if (c->cur.l0_flags) {
		t = c->cur;
		t.l0_flags = 0;
		try_candidate(c, &t, "host", "drop allow-smaller-maxphyaddr");
	}
}

/* Whole pages, their entries with them (highest address first), and
 * pages that hold nothing. */
static void pass_pages(struct ctx *c)
{
	for (int i = (int)c->cur.mem.npages - 1; i >= 0; i--) {
		struct nept_scenario t;
		uint64_t page;

		if (i >= c->cur.mem.npages)
			continue;
		page = c->cur.mem.page[i];
		t = c->cur;
		remove_page(&t.mem, page);
		try_candidate(c, &t, "pages", "drop page 0x%" PRIx64, page);
	}
}

/* Entries (nonzero qwords), in halving chunks down to one. */
static void pass_entries(struct ctx *c)
{
	unsigned size = c->cur.mem.nqwords / 2;

	if (!size)
		size = 1;
	for (; size >= 1 && c->cur.mem.nqwords; size /= 2) {
		for (unsigned i = 0; i < c->cur.mem.nqwords;) {
			struct nept_scenario t = c->cur;
			uint64_t gpa = t.mem.qword[i].gpa;

			bool kept;

			remove_qwords(&t.mem, i, size);
			if (size == 1)
				kept = try_candidate(c, &t, "entries",
						     "drop entry 0x%" PRIx64,
						     gpa);
			else
				kept = try_candidate(c, &t, "entries",
						     "drop %u entries from "
						     "0x%" PRIx64,
						     size, gpa);
			if (!kept)
				i += size;
			if (c->st->stopped)
				return;
		}
	}
}

/*
 * Shorter walks: a 5-level EPT12 walk made 4-level from the PML4 table the
 * first event's walk used, and the same for L2's 5-level paging (the
 * linear addresses made canonical at 48 bits).
 */
static void pass_shorten(struct ctx *c)
{
	struct nept_scenario t;
	struct model_trace tr;
	uint64_t mask = nept_addr_mask(c->cur.l1_maxphyaddr);

	if (((c->cur.eptp >> 3) & 7) == 4 && c->cur.nevents) {
		model_trace_of(&c->cur, 0, &tr);
		/* The first EPT12 walk of the event: for an L2 walk the
		 * trace keeps the last one, which starts at the same root. */
		if (tr.nread && tr.e[0].level == 5 && (tr.e[0].val & mask)) {
			t = c->cur;
			remove_page(&t.mem, t.eptp & mask);
			t.eptp = (t.eptp & ~(mask | 0x38ull)) | (3ull << 3) |
				 (tr.e[0].val & mask);
			try_candidate(c, &t, "tables",
				      "4-level EPT12 from 0x%" PRIx64,
				      tr.e[0].val & mask);
		}
	}
	if (c->cur.l2.paging == NEPT_L2_5LEVEL) {
		for (unsigned i = 0; i < c->cur.nevents; i++) {
			if (!nept_walks_l2(&c->cur, &c->cur.event[i]))
				continue;
			model_trace_of(&c->cur, i, &tr);
			if (!tr.l2_nread || tr.l2e[0].level != 5 ||
			    !(tr.l2e[0].val & L2E_P))
				break;
			t = c->cur;
			remove_page(&t.mem, tr.l2e[0].l1pa & ~0xfffull);
			t.l2.paging = NEPT_L2_4LEVEL;
			t.l2.cr3 = tr.l2e[0].val & mask;
			for (unsigned e = 0; e < t.nevents; e++)
				t.event[e].gla =
					(uint64_t)((int64_t)(t.event[e].gla
							     << 16) >>
						   16);
			try_candidate(c, &t, "tables",
				      "4-level L2 paging from 0x%" PRIx64,
				      t.l2.cr3);
			break;
		}
	}
}

/* The EPT12 entries a walk for gpa reads, down to the one that ends it. */
struct path {
	unsigned n;
	uint64_t addr[5], val[5];
	uint8_t level[5];
};

static void ept_path(const struct nept_scenario *s, uint64_t gpa,
		     struct path *p)
{
	unsigned m = s->l1_maxphyaddr;
	uint64_t mask = nept_addr_mask(m), table = s->eptp & mask;

	p->n = 0;
	for (unsigned level = ((s->eptp >> 3) & 7) + 1; level >= 1; level--) {
		uint64_t ea = table +
			      ((gpa >> (12 + 9 * (level - 1))) & 511) * 8,
			 e;

		if (!nept_mem_read(&s->mem, ea, &e))
			return;
		p->addr[p->n] = ea;
		p->val[p->n] = e;
		p->level[p->n++] = (uint8_t)level;
		if (!((e & EPTE_RWX) ||
		      ((s->caps & NEPT_CAP_MBEC) && (e & EPTE_XU))) ||
		    model_misconfig_rule(s->caps, m, level, e) || level == 1 ||
		    ((level == 2 || level == 3) && (e & EPTE_PS)))
			return;
		table = e & mask;
	}
}

/*
 * Shorter walks: the entry that ends a walk (not present, misconfigured,
 * or the leaf) moved up to each entry above it, the entries between
 * dropped; a leaf PTE also as a 2-MiB or 1-GiB leaf.
 */
static void hoist_ept(struct ctx *c, uint64_t gpa)
{
	uint64_t mask = nept_addr_mask(c->cur.l1_maxphyaddr);
	struct path p;

	ept_path(&c->cur, gpa, &p);
	for (unsigned k = 0; k + 1 < p.n && !c->st->stopped; k++) {
		uint64_t last = p.val[p.n - 1];
		struct nept_scenario t = c->cur;

		for (unsigned j = k + 1; j < p.n; j++)
			nept_mem_write(&t.mem, p.addr[j], 0);
		nept_mem_write(&t.mem, p.addr[k], last);
		if (try_candidate(c, &t, "tables",
				  "walk of 0x%" PRIx64 ": %s moved up to the "
				  "%s",
				  gpa, model_level_name(p.level[p.n - 1]),
				  model_level_name(p.level[k])))
			return;
		if (p.level[p.n - 1] == 1 && (last & EPTE_RWX) &&
		    (p.level[k] == 2 || p.level[k] == 3)) {
			uint64_t size =
				p.level[k] == 2 ? 1ull << 21 : 1ull << 30;

			t = c->cur;
			for (unsigned j = k + 1; j < p.n; j++)
				nept_mem_write(&t.mem, p.addr[j], 0);
			nept_mem_write(&t.mem, p.addr[k],
				       (last & ~(mask & (size - 1))) | EPTE_PS);
			if (try_candidate(c, &t, "tables",
					  "walk of 0x%" PRIx64 ": a %s leaf "
					  "instead of the "
					  "PTE",
					  gpa, model_level_name(p.level[k])))
				return;
		}
	}
}

/* Writes an L2 entry (4 bytes in 32-bit paging) at L1 address pa. */
static void l2_write(struct nept_mem *m, unsigned mode, uint64_t pa, uint64_t v)
{
	uint64_t q = v;

	if (mode == NEPT_L2_32BIT) {
		nept_mem_read(m, pa & ~7ull, &q);
		if (pa & 4)
			q = (q & 0xffffffffull) | (v << 32);
		else
			q = (q & ~0xffffffffull) | (v & 0xffffffffull);
	}
	nept_mem_write(m, pa & ~7ull, q);
}

/* The same for L2's walk: the entry that ends it moved up, the entries
 * between cleared; a leaf also as a large page. */
static void hoist_l2(struct ctx *c, const struct model_trace *tr)
{
	unsigned n = tr->l2_nread < 5 ? tr->l2_nread : 5,
		 mode = c->cur.l2.paging;

	for (unsigned k = 0; k + 1 < n && !c->st->stopped; k++) {
		uint64_t last = tr->l2e[n - 1].val, big;
		struct nept_scenario t;
		unsigned lvl = tr->l2e[k].level;

		if (tr->l2e[k].l1pa == MODEL_L2_REGISTER)
			continue;
		t = c->cur;
		for (unsigned j = k + 1; j < n; j++)
			if (tr->l2e[j].l1pa != MODEL_L2_REGISTER)
				l2_write(&t.mem, mode, tr->l2e[j].l1pa, 0);
		l2_write(&t.mem, mode, tr->l2e[k].l1pa, last);
		if (try_candidate(c, &t, "tables",
				  "L2 walk: its last entry moved up to level "
				  "%u",
				  lvl))
			return;
		if (tr->l2e[n - 1].level != 1 || !(last & L2E_P) ||
		    (lvl != 2 && !(lvl == 3 && mode >= NEPT_L2_4LEVEL)))
			continue;
		big = mode == NEPT_L2_32BIT ? 0x3ff000ull
		      : lvl == 2	    ? 0x1ff000ull
					    : 0x3ffff000ull;
		t = c->cur;
		if (mode == NEPT_L2_32BIT)
			t.l2.flags |= NEPT_L2F_PSE;
		for (unsigned j = k + 1; j < n; j++)
			if (tr->l2e[j].l1pa != MODEL_L2_REGISTER)
				l2_write(&t.mem, mode, tr->l2e[j].l1pa, 0);
		l2_write(&t.mem, mode, tr->l2e[k].l1pa, (last & ~big) | L2E_PS);
		if (try_candidate(c, &t, "tables",
				  "L2 walk: a large leaf at level %u", lvl))
			return;
	}
}

static void pass_hoist(struct ctx *c)
{
	for (unsigned i = 0; i < c->cur.nevents && !c->st->stopped; i++) {
		struct model_trace tr;

		if (!nept_walks_l2(&c->cur, &c->cur.event[i])) {
			hoist_ept(c, c->cur.event[i].gpa);
			continue;
		}
		model_trace_of(&c->cur, i, &tr);
		hoist_l2(c, &tr);
		model_trace_of(&c->cur, i, &tr);
		for (unsigned k = 0; k < tr.l2_nread && k < 5; k++)
			if (tr.l2e[k].gpa != MODEL_L2_REGISTER)
				hoist_ept(c, tr.l2e[k].gpa);
		if (tr.l2_stop == MODEL_L2_OK ||
		    tr.l2_stop == MODEL_L2_EPT_FINAL ||
		    tr.l2_stop == MODEL_L2_EPT_AD)
			hoist_ept(c, tr.l2_final);
	}
}

static unsigned ept_table_pages(const struct nept_scenario *s, uint64_t *pages,
				unsigned max);

/* Rewrites every reference to page `from` (an address field equal to it)
 * as `to`: in every entry, or only in EPT12's (ept_only). */
static void retarget(struct nept_scenario *t, uint64_t from, uint64_t to,
		     const uint64_t *ept, unsigned ne, bool ept_only)
{
	uint64_t mask = nept_addr_mask(t->l1_maxphyaddr);

	for (unsigned k = 0; k < t->mem.nqwords; k++) {
		uint64_t *v = &t->mem.qword[k].val;
		bool in_ept = false;

		for (unsigned j = 0; j < ne; j++)
			in_ept |= (t->mem.qword[k].gpa & ~0xfffull) == ept[j];
		if ((in_ept || !ept_only) && (*v & mask) == from)
			*v = (*v & ~mask) | to;
	}
	if ((t->eptp & mask) == from)
		t->eptp = (t->eptp & ~mask) | to;
	if ((t->ctl.pml_address & ~0xfffull) == from)
		t->ctl.pml_address = to | (t->ctl.pml_address & 0xfff);
	if (ept_only)
		return;
	if ((t->l2.cr3 & ~0xfffull) == from)
		t->l2.cr3 = to | (t->l2.cr3 & 0xfff);
	for (unsigned i = 0; i < 4; i++)
		if ((t->l2.pdpte[i] & mask) == from)
			t->l2.pdpte[i] = (t->l2.pdpte[i] & ~mask) | to;
}

/*
 * Fewer pages: page `from` merged into a lower page `to` (its entries
 * moved there where the slots are free or equal, every reference
 * retargeted), so two tables share one page.
 */
static void pass_merge(struct ctx *c)
{
	for (int i = (int)c->cur.mem.npages - 1; i > 0 && !c->st->stopped;
	     i--) {
		for (int j = 0; j < i && i < c->cur.mem.npages; j++) {
			uint64_t from = c->cur.mem.page[i],
				 to = c->cur.mem.page[j], ept[NEPT_MAX_PAGES];
			unsigned ne =
				ept_table_pages(&c->cur, ept, NEPT_MAX_PAGES);
			struct nept_scenario t;
			bool clash = false, kept = false;

			for (unsigned k = 0; k < c->cur.mem.nqwords; k++) {
				const struct nept_qword *q =
					&c->cur.mem.qword[k];
				uint64_t there;

				if ((q->gpa & ~0xfffull) != from)
					continue;
				nept_mem_read(&c->cur.mem,
					      to | (q->gpa & 0xfff), &there);
				clash |= there && there != q->val;
			}
			if (clash)
				continue;
			for (int ept_only = 0; ept_only < 2 && !kept;
			     ept_only++) {
				t = c->cur;
				for (unsigned k = 0; k < c->cur.mem.nqwords;
				     k++) {
					const struct nept_qword *q =
						&c->cur.mem.qword[k];

					if ((q->gpa & ~0xfffull) == from)
						nept_mem_write(
							&t.mem,
							to | (q->gpa & 0xfff),
							q->val);
				}
				remove_page(&t.mem, from);
				retarget(&t, from, to, ept, ne, ept_only);
				kept = try_candidate(c, &t, "merge",
						     "page 0x%" PRIx64
						     " into 0x%" PRIx64 "%s",
						     from, to,
						     ept_only ? " (EPT12 "
								"references)"
							      : "");
			}
			if (kept)
				break;
		}
	}
}

static void pass_eptp(struct ctx *c)
{
	struct nept_scenario t = c->cur;

	if (t.eptp & (1ull << 6)) {
		t.eptp &= ~(1ull << 6);
		try_candidate(c, &t, "eptp", "EPT A/D off");
	}
}

static void pass_l2_fields(struct ctx *c)
{
	struct nept_scenario t;

	if (!c->cur.l2.paging)
		return;
	if (c->cur.l2.flags & NEPT_L2F_PKE) {
		t = c->cur;
		t.l2.flags &= (uint16_t)~NEPT_L2F_PKE;
		t.l2.pkru = 0;
		try_candidate(c, &t, "l2", "drop pke");
	}
	for (unsigned b = 0; nept_l2_flag_names[b].name; b++) {
		if (!(c->cur.l2.flags & nept_l2_flag_names[b].bit))
			continue;
		t = c->cur;
		t.l2.flags &= (uint16_t)~nept_l2_flag_names[b].bit;
		try_candidate(c, &t, "l2", "drop %s",
			      nept_l2_flag_names[b].name);
	}
	round_field(c, "l2", "cpl", FIELD(struct nept_scenario, l2.cpl), false);
	round_field(c, "l2", "pkru", FIELD(struct nept_scenario, l2.pkru),
		    false);
	for (unsigned i = 0; i < 4; i++) {
		char name[16];

		snprintf(name, sizeof(name), "pdpte %u", i);
		round_field(c, "l2", name,
			    offsetof(struct nept_scenario, l2.pdpte) + 8 * i, 8,
			    false);
	}
	round_field(c, "l2", "cr3", FIELD(struct nept_scenario, l2.cr3), true);
}

static void pass_event_fields(struct ctx *c)
{
	for (int i = (int)c->cur.nevents - 1; i >= 0 && !c->st->stopped; i--) {
		const struct nept_name_bit *fl = nept_access_flag_names;
		struct nept_scenario t;
		char name[32];

		for (unsigned b = 0; fl[b].name; b++) {
			if (!(c->cur.event[i].flags & fl[b].bit))
				continue;
			t = c->cur;
			t.event[i].flags &= (uint8_t)~fl[b].bit;
			try_candidate(c, &t, "event", "event %d: drop %s", i,
				      fl[b].name);
		}
		if (c->cur.event[i].during) {
			t = c->cur;
			t.event[i].during = 0;
			try_candidate(c, &t, "event", "event %d: drop during",
				      i);
		}
		if (c->cur.event[i].access != NEPT_ACC_READ) {
			t = c->cur;
			t.event[i].access = NEPT_ACC_READ;
			try_candidate(c, &t, "event", "event %d: a read", i);
		}
		snprintf(name, sizeof(name), "event %d exit-qual", i);
		round_field(c, "event", name, EV_OFF(i, exit_qual), 8, false);
		snprintf(name, sizeof(name), "event %d exit-error-code", i);
		round_field(c, "event", name, EV_OFF(i, exit_error_code), 4,
			    false);
		snprintf(name, sizeof(name), "event %d exit-value", i);
		round_field(c, "event", name, EV_OFF(i, exit_value), 8, false);
		snprintf(name, sizeof(name), "event %d hw-qual", i);
		round_field(c, "event", name, EV_OFF(i, hw_qual), 8, false);
		snprintf(name, sizeof(name), "event %d gla", i);
		round_field(c, "event", name, EV_OFF(i, gla), 8, true);
		snprintf(name, sizeof(name), "event %d gpa", i);
		round_field(c, "event", name, EV_OFF(i, gpa), 8, true);
	}
}

/* Each set bit of each entry, highest first. */
static void pass_bits(struct ctx *c)
{
	for (unsigned i = 0; i < c->cur.mem.nqwords && !c->st->stopped; i++) {
		uint64_t gpa = c->cur.mem.qword[i].gpa;

		for (int b = 63; b >= 0; b--) {
			struct nept_scenario t;
			uint64_t v;

			/* Kept candidates may have moved or dropped it. */
			while (i < c->cur.mem.nqwords &&
			       c->cur.mem.qword[i].gpa < gpa)
				i++;
			if (i >= c->cur.mem.nqwords ||
			    c->cur.mem.qword[i].gpa != gpa || c->st->stopped)
				break;
			v = c->cur.mem.qword[i].val;
			if (!(v >> b & 1) || v == (1ull << b))
				continue;
			t = c->cur;
			t.mem.qword[i].val = v & ~(1ull << b);
			try_candidate(c, &t, "bits",
				      "entry 0x%" PRIx64 ": 0x%" PRIx64
				      " -> 0x%" PRIx64,
				      gpa, v, v & ~(1ull << b));
		}
	}
}

/*
 * The pages EPT12's tables occupy: from the EPTP root down, every page a
 * present non-leaf entry points to.  Their entries hold L1-physical
 * addresses; every other page may be L2's, whose addresses are L2's own.
 */
static unsigned ept_table_pages(const struct nept_scenario *s, uint64_t *pages,
				unsigned max)
{
	uint64_t mask = nept_addr_mask(s->l1_maxphyaddr);
	uint8_t level[NEPT_MAX_PAGES];
	unsigned n = 0;

	if (!max)
		return 0;
	pages[n] = s->eptp & mask;
	level[n++] = (uint8_t)(((s->eptp >> 3) & 7) + 1);
	for (unsigned k = 0; k < n; k++) {
		for (unsigned q = 0; q < s->mem.nqwords && level[k] > 1; q++) {
			uint64_t v = s->mem.qword[q].val, next = v & mask;
			bool dup = false;

			if ((s->mem.qword[q].gpa & ~0xfffull) != pages[k] ||
			    !(v & 7) || ((level[k] <= 3) && (v & EPTE_PS)))
				continue;
			for (unsigned j = 0; j < n; j++)
				dup |= pages[j] == next;
			if (dup || n == max || n == NEPT_MAX_PAGES)
				continue;
			pages[n] = next;
			level[n++] = (uint8_t)(level[k] - 1);
		}
	}
	return n;
}

static bool referenced(const struct nept_scenario *s, uint64_t page)
{
	uint64_t mask = nept_addr_mask(s->l1_maxphyaddr);

	if (page_backed(&s->mem, page) || (s->eptp & mask) == page ||
	    (s->l2.cr3 & ~0xfffull) == page ||
	    (s->ctl.pml_address & ~0xfffull) == page)
		return true;
	for (unsigned q = 0; q < s->mem.nqwords; q++)
		if ((s->mem.qword[q].val & mask) == page)
			return true;
	for (unsigned e = 0; e < s->nevents; e++)
		if ((s->event[e].gpa & ~0xfffull) == page)
			return true;
	return false;
}

/* Where EPT12 maps gpa (no permission checks); false if it does not. */
static bool ept_translate(const struct nept_scenario *s, uint64_t gpa,
			  uint64_t *l1)
{
	uint64_t mask = nept_addr_mask(s->l1_maxphyaddr),
		 table = s->eptp & mask;

	for (unsigned level = ((s->eptp >> 3) & 7) + 1; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		uint64_t e;

		if (!nept_mem_read(&s->mem, table + ((gpa >> shift) & 511) * 8,
				   &e) ||
		    !((e & EPTE_RWX) ||
		      ((s->caps & NEPT_CAP_MBEC) && (e & EPTE_XU))))
			return false;
		if (level == 1 ||
		    ((level == 2 || level == 3) && (e & EPTE_PS))) {
			*l1 = (e & mask & ~((1ull << shift) - 1)) |
			      (gpa & ((1ull << shift) - 1));
			return true;
		}
		table = e & mask;
	}
	return false;
}

/*
 * Round addresses: an L1 page moved to a rounder free page (fewer set bits;
 * the lowest such from 0x1000), with every L1-physical reference to it:
 * the EPTP root, EPT12 entries, the PML address.  L2's addresses stay:
 * they go through EPT12.  A page EPT12 maps one to one stays where it is,
 * so L2-physical and L1-physical addresses keep reading the same.
 */
static void pass_relocate(struct ctx *c)
{
	uint64_t pages[NEPT_MAX_PAGES];
	unsigned np = c->cur.mem.npages;

	memcpy(pages, c->cur.mem.page, np * sizeof(pages[0]));
	for (unsigned i = 0; i < np && !c->st->stopped; i++) {
		uint64_t p = pages[i], q, mask, ept[NEPT_MAX_PAGES];
		struct nept_scenario t;
		unsigned ne;
		bool is_ept = false;

		uint64_t l1;

		if (!page_backed(&c->cur.mem, p) ||
		    (ept_translate(&c->cur, p, &l1) && l1 == p))
			continue;
		for (q = 0x1000; q < p; q += 0x1000)
			if (__builtin_popcountll(q) < __builtin_popcountll(p) &&
			    !referenced(&c->cur, q))
				break;
		if (q >= p)
			continue;
		t = c->cur;
		mask = nept_addr_mask(t.l1_maxphyaddr);
		ne = ept_table_pages(&c->cur, ept, NEPT_MAX_PAGES);
		for (unsigned k = 0; k < t.mem.nqwords; k++) {
			uint64_t *v = &t.mem.qword[k].val;
			bool in_ept = false;

			for (unsigned j = 0; j < ne; j++)
				in_ept |= (t.mem.qword[k].gpa & ~0xfffull) ==
					  ept[j];
			if (in_ept && (*v & mask) == p)
				*v = (*v & ~mask) | q;
			if ((t.mem.qword[k].gpa & ~0xfffull) == p)
				t.mem.qword[k].gpa =
					q | (t.mem.qword[k].gpa & 0xfff);
		}
		for (unsigned k = 0; k < t.mem.npages; k++)
			if (t.mem.page[k] == p)
				t.mem.page[k] = q;
		for (unsigned j = 0; j < ne; j++)
			is_ept |= ept[j] == p;
		if ((t.eptp & mask) == p)
			t.eptp = (t.eptp & ~mask) | q;
		if ((t.ctl.pml_address & ~0xfffull) == p)
			t.ctl.pml_address = q | (t.ctl.pml_address & 0xfff);
		try_candidate(c, &t, "addresses",
			      "%s page 0x%" PRIx64 " -> 0x%" PRIx64,
			      is_ept ? "EPT12 table" : "L1", p, q);
	}
}

static const struct {
	const char *name;
	void (*run)(struct ctx *c);
} passes[] = {
	{ "events", pass_events }, { "expect", pass_expect },
	{ "l2", pass_l2_off },	   { "controls", pass_controls },
	{ "caps", pass_caps },	   { "host", pass_host },
	{ "pages", pass_pages },   { "entries", pass_entries },
	{ "tables", pass_hoist },  { "tables", pass_shorten },
	{ "pages", pass_pages },   { "eptp", pass_eptp },
	{ "l2", pass_l2_fields },  { "event", pass_event_fields },
	{ "bits", pass_bits },	   { "merge", pass_merge },
	{ "pages", pass_pages },   { "addresses", pass_relocate },
};

bool nept_minimize(const struct nept_scenario *in, struct nept_scenario *out,
		   const struct nept_min_options *opt,
		   struct nept_min_stats *st)
{
	static struct ctx c;
	int k;

	memset(&c, 0, sizeof(c));
	memset(st, 0, sizeof(*st));
	c.opt = opt;
	c.st = st;
	clock_gettime(CLOCK_MONOTONIC, &c.t0);
	c.cur = *in;
	scenario_normalize(&c.cur);
	*out = c.cur;
	nept_diff_run(&c.cur, &run_diff);
	k = signature_index(&run_diff, &c.goal.known);
	if (k < 0)
		return false;
	c.sig_event = run_diff.div[k].event;
	nept_diff_title(&run_diff, c.goal.known, c.goal.title,
			sizeof(c.goal.title));
	for (unsigned m = 1; m < nept_nimpls; m++)
		nept_diff_verdict(&run_diff, m, &c.goal.v[m]);
	do {
		c.changed = false;
		st->rounds++;
		for (size_t p = 0;
		     p < sizeof(passes) / sizeof(passes[0]) && !st->stopped;
		     p++)
			passes[p].run(&c);
	} while (c.changed && !st->stopped);
	st->seconds = elapsed(&c);
	*out = c.cur;
	return true;
}

/* ------------------------------------------------------------------ */
/* The command */

void nept_minimize_usage(const char *prog, FILE *f)
{
	fprintf(f,
		"usage: %s minimize [-o OUT] [--keep-all-divergences] "
		"[--max-steps N] [--time S] [-q] FILE\n"
		"\n"
		"Reduces a finding (any artifact: a text scenario, a libFuzzer "
		"crash-*,\nan AFL++ id:* or ClusterFuzz testcase in the binary "
		"encoding) to a smaller\nscenario with the same signature: the "
		"title `neptfuzz diff` gives it (its\nfirst new divergence, or "
		"first known one when all are known), with the\nsame version "
		"set, source, field and detail, new or known as before.  It\n"
		"drops events, pages, entries, capabilities, controls and L2 "
		"paging, clears\nbits, shortens 5-level walks and rounds "
		"addresses and values, keeping only\nlegal scenarios, pass "
		"after pass until none is smaller (docs/minimize.md).\n"
		"Writes the text scenario with a header (# signature: and one "
		"# verdict:\nline per module built in) ready for crashes/; "
		"each kept reduction and\na summary go to standard error.\n"
		"\n"
		"  -o, --output OUT         write there (default: standard "
		"output)\n"
		"  --keep-all-divergences   also keep every module's verdict "
		"(unsupported,\n"
		"                           agrees, or its exact set of "
		"divergences)\n"
		"  --max-steps N            run at most N candidates\n"
		"  --time S                 stop after S seconds (the result "
		"so far is kept)\n"
		"  -q, --quiet              no step log, no summary\n"
		"  -h, --help\n"
		"Exit status: 0 minimized, 1 the input has no divergence to "
		"keep, 2 bad input\nor usage.\n",
		prog);
}

static void counts(const struct nept_scenario *s, char *buf, size_t n)
{
	snprintf(buf, n, "%zu bytes, %u pages, %u entries, %u events",
		 bin_size(s), s->mem.npages, s->mem.nqwords, s->nevents);
}

int nept_minimize_main(const char *prog, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "keep-all-divergences", no_argument, NULL, 'k' },
		{ "max-steps", required_argument, NULL, 's' },
		{ "time", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct nept_scenario in, out;
	static struct nept_diff d;
	static char text[NEPT_TEXT_MAX];
	struct nept_min_options opt = { .log = stderr };
	struct nept_min_stats st;
	const char *output = NULL, *base, *errstr;
	char before[128], after[128];
	bool quiet = false, known;
	int c;
	FILE *f;

	while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'k':
			opt.keep_all = true;
			break;
		case 's':
			opt.max_steps = (unsigned long)strtonum(
				optarg, 1, 1000000000, &errstr);
			if (errstr) {
				fprintf(stderr,
					"%s minimize: --max-steps %s: %s\n",
					prog, optarg, errstr);
				return 2;
			}
			break;
		case 't': {
			char *end;

			errno = 0;
			opt.max_seconds = strtod(optarg, &end);
			if (errno || *end || end == optarg ||
			    !(opt.max_seconds > 0)) {
				fprintf(stderr,
					"%s minimize: --time %s: not a "
					"positive "
					"number of seconds\n",
					prog, optarg);
				return 2;
			}
			break;
		}
		case 'q':
			quiet = true;
			break;
		case 'h':
			nept_minimize_usage(prog, stdout);
			return 0;
		default:
			nept_minimize_usage(prog, stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "%s minimize: %s\n", prog,
			optind >= argc ? "no file given"
				       : "one file at a time");
		nept_minimize_usage(prog, stderr);
		return 2;
	}
	if (!load_scenario(argv[optind], &in))
		return 2;
	if (quiet)
		opt.log = NULL;
	if (nept_nimpls < 2) {
		fprintf(stderr,
			"%s minimize: only the model is built in: there is no "
			"divergence to keep (build with kernel trees)\n",
			prog);
		return 2;
	}
	if (!nept_minimize(&in, &out, &opt, &st)) {
		fprintf(stderr,
			"%s minimize: %s: no divergence on any module: nothing "
			"to keep (a model invariant or parser finding replays "
			"through fuzz_model or fuzz_text)\n",
			prog, argv[optind]);
		return 1;
	}
	counts(&in, before, sizeof(before));
	counts(&out, after, sizeof(after));
	nept_diff_run(&out, &d);
	if (!scenario_write_text(&out, text, sizeof(text))) {
		fprintf(stderr, "%s minimize: scenario too large to write\n",
			prog);
		return 2;
	}
	f = output ? fopen(output, "w") : stdout;
	if (!f) {
		fprintf(stderr, "%s: %s\n", output, strerror(errno));
		return 2;
	}
	base = strrchr(argv[optind], '/');
	base = base ? base + 1 : argv[optind];
	fprintf(f,
		"# Minimized by `neptfuzz minimize` from %s\n# (%s; now "
		"%s).\n",
		base, before, after);
	{
		char title[256];
		int k = signature_index(&d, &known);

		nept_diff_title(&d, known, title, sizeof(title));
		fprintf(f, "# signature: %s\n", title);
		if (k >= 0)
			fprintf(f, "# status: %s\n",
				known ? "known (the prediction of its tree's "
					"deviations holds)"
				      : "new");
	}
	nept_write_verdict_lines(f, &d);
	fputs(text, f);
	if (ferror(f) || (output && fclose(f) != 0)) {
		fprintf(stderr, "%s: write failed: %s\n",
			output ? output : "stdout", strerror(errno));
		return 2;
	}
	if (!quiet)
		fprintf(stderr,
			"minimized %s: %lu reductions in %lu runs, %u rounds, "
			"%.2f s%s%s%s\n  before: %s\n  after:  %s\n",
			argv[optind], st.reductions, st.steps, st.rounds,
			st.seconds, st.stopped ? " (stopped by " : "",
			st.stopped ? st.stopped : "", st.stopped ? ")" : "",
			before, after);
	return 0;
}
