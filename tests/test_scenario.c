// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scenario encodings: round trips over random legal scenarios, the
 * binary decoder on random bytes, every text error placed at its line and
 * column, and hand-written files parsed to the struct they mean.
 */
#include "scenario.h"
#include "model.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROUND_TRIPS 20000
#define RANDOM_BYTES 200000

static unsigned passed, failed;

static bool expect_true(bool ok, const char *file, int line, const char *fmt,
			...)
{
	va_list ap;

	if (ok) {
		passed++;
		return true;
	}
	/* Enough to see the pattern; the count says how many there were. */
	if (failed++ < 20) {
		fprintf(stderr, "%s:%d: FAIL: ", file, line);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	return false;
}

#define EXPECT(cond, ...) expect_true((cond), __FILE__, __LINE__, __VA_ARGS__)

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* xorshift64*: seeded, so a failure replays. */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t below(uint64_t n)
{
	return rnd() % n;
}

static bool chance(unsigned percent)
{
	return below(100) < percent;
}

/* Values with structure: zeros, small numbers, single bits, anything. */
static uint64_t interesting(void)
{
	switch (below(5)) {
	case 0:
		return 0;
	case 1:
		return below(0x10000);
	case 2:
		return 1ull << below(64);
	case 3:
		return UINT64_MAX - below(4);
	default:
		return rnd();
	}
}

static uint64_t random_page(const struct nept_scenario *s, uint64_t limit)
{
	if (s->mem.npages && chance(50))
		return s->mem.page[below(s->mem.npages)];
	if (chance(60))
		return below(32) * 0x1000; /* a small space, so tables alias */
	if (chance(20))
		return limit - 0x1000;
	return rnd() % limit & ~0xfffull;
}

/* An EPT entry: a pointer to a known page with some rights, or any bits. */
static uint64_t random_entry(const struct nept_scenario *s)
{
	uint64_t v;

	if (chance(20))
		return interesting();
	/* One draw per statement: the order of draws is then fixed. */
	v = random_page(s, 1ull << s->l1_maxphyaddr);
	v |= below(8);
	if (chance(30))
		v |= rnd() & 0xff8ull; /* memory type, ipat, ps, A, D, XU */
	if (chance(10))
		v |= 1ull << (52 + below(12));
	return v;
}

static void random_mem(struct nept_scenario *s, unsigned npages,
		       unsigned nqwords)
{
	uint64_t limit = 1ull << 52, gpa;
	unsigned i;

	for (i = 0; i < npages; i++)
		scenario_add_page(s, random_page(s, limit));
	for (i = 0; i < nqwords; i++) {
		if (s->mem.nqwords && chance(15)) {
			gpa = s->mem.qword[below(s->mem.nqwords)].gpa;
		} else {
			gpa = random_page(s, limit);
			gpa += below(512) * 8;
		}
		/* Full memory is a legal limit, not an error here. */
		scenario_set_qword(s, gpa, chance(5) ? 0 : random_entry(s));
	}
}

static void random_expect(struct nept_expect *x)
{
	static const uint8_t kinds[] = { NEPT_OUT_NONE, NEPT_OUT_EXIT,
					 NEPT_OUT_EXCEPTION };

	memset(x, 0, sizeof(*x));
	if (chance(30))
		return;
	x->kind = kinds[below(3)];
	x->fields = NEPT_EXPECT_KIND;
	if (x->kind == NEPT_OUT_EXIT) {
		x->fields |= NEPT_EXPECT_REASON;
		x->reason = chance(60)	 ? NEPT_EXIT_EPT_VIOLATION + below(2)
			    : chance(30) ? NEPT_EXIT_EXCEPTION_NMI
					 : (uint16_t)rnd();
	}
	if (x->kind == NEPT_OUT_NONE) {
		if (chance(60)) {
			x->fields |= NEPT_EXPECT_TRANSLATED;
			x->translated = interesting();
		}
		return;
	}
	if (chance(60))
		x->fields |= NEPT_EXPECT_QUAL, x->qual = interesting();
	if (chance(60))
		x->fields |= NEPT_EXPECT_GPA, x->gpa = interesting();
	if (chance(40))
		x->fields |= NEPT_EXPECT_GLA, x->gla = interesting();
	if ((x->kind == NEPT_OUT_EXCEPTION ||
	     x->reason == NEPT_EXIT_EXCEPTION_NMI) &&
	    chance(70)) {
		x->fields |= NEPT_EXPECT_VECTOR | NEPT_EXPECT_ERROR_CODE;
		x->vector = (uint8_t)below(32);
		x->error_code = (uint32_t)interesting();
	}
}

/* Memory expectations (qwords, at distinct 8-aligned addresses below
 * 2^52), for any event: the writer must keep them. */
static void random_expect_mem(struct nept_event *e)
{
	unsigned n = chance(25) ? 1 + (unsigned)below(NEPT_MAX_EXPECT_MEM) : 0;

	for (unsigned k = 0; k < n; k++) {
		e->expect_mem[k] = (struct nept_expect_mem){
			.kind = NEPT_EXPECT_QWORD,
			.addr = ((interesting() & 0xffffffffff000ull) | 8 * k),
			.value = interesting(),
		};
		e->nexpect_mem = (uint8_t)(k + 1);
	}
}

static void random_event(const struct nept_scenario *s, struct nept_event *e,
			 uint64_t gpa_limit)
{
	memset(e, 0, sizeof(*e));
	e->source = (uint8_t)below(NEPT_SRC_ACCESS_COUNT);
	e->flags = (uint8_t)(rnd() & NEPT_AF_ALL & ~NEPT_AF_IMPLICIT);
	/* Repair the flags into a combination a CPU can produce. */
	if (e->flags & (NEPT_AF_SETS_AD | NEPT_AF_NO_GLA))
		e->flags |= NEPT_AF_PAGING;
	if (e->flags & NEPT_AF_NO_GLA)
		e->flags &= ~NEPT_AF_SETS_AD;
	if (e->flags & NEPT_AF_SETS_AD)
		e->access = NEPT_ACC_WRITE;
	else if (e->flags & NEPT_AF_PAGING)
		e->access = NEPT_ACC_READ;
	else
		e->access = (uint8_t)below(NEPT_ACC_COUNT);
	e->gpa = chance(20) ? gpa_limit - 1 - below(8) : rnd() % gpa_limit;
	e->gla = interesting();
	if (e->source == NEPT_SRC_HW_VIOLATION)
		e->hw_qual = interesting();
	if (e->source == NEPT_SRC_EMULATED) {
		e->exit_reason =
			(uint16_t)(chance(40)	? NEPT_EXIT_IO_INSTRUCTION
				   : chance(30) ? NEPT_EXIT_EPT_VIOLATION
				   : chance(30) ? NEPT_EXIT_EXCEPTION_NMI
				   : chance(30) ? NEPT_EXIT_CR_ACCESS
						: rnd());
		e->exit_qual = interesting();
		if (e->exit_reason == NEPT_EXIT_EXCEPTION_NMI) {
			/* 1 + vector; those that push an error code get
			 * one (facts §10.3). */
			e->exit_vector = (uint8_t)(1 + below(32));
			if (nept_vector_has_error_code(e->exit_vector - 1u))
				e->exit_error_code = (uint32_t)interesting();
		}
		if (e->exit_reason == NEPT_EXIT_CR_ACCESS &&
		    !((e->exit_qual >> 4) & 3))
			e->exit_value = interesting();
		/* Exits that save no qualification (SDM 27.2.1). */
		if (!nept_exit_saves_qual(e->exit_reason, e->exit_vector))
			e->exit_qual = 0;
	}
	if (chance(20) && (e->source != NEPT_SRC_EMULATED ||
			   e->exit_reason == NEPT_EXIT_EPT_VIOLATION)) {
		static const uint8_t hw[] = { 0,  1,  5,  6,  7,  8,
					      10, 11, 12, 13, 14, 16,
					      17, 18, 19, 20, 21 };

		e->during = (uint8_t)(1 + hw[below(sizeof(hw))]);
	}
	if (nept_walks_l2(s, e)) {
		/* The walk finds these; the event names only the access. */
		e->flags &= (uint8_t)~NEPT_AF_FROM_L2_WALK;
		e->gpa = 0;
		e->access = (uint8_t)below(NEPT_ACC_COUNT);
		if (chance(30) && e->access != NEPT_ACC_FETCH)
			e->flags |= NEPT_AF_IMPLICIT;
	}
	if (s->l2.paging == NEPT_L2_32BIT || s->l2.paging == NEPT_L2_PAE)
		e->gla &= 0xffffffffull;
	else if (s->l2.paging == NEPT_L2_4LEVEL)
		e->gla = (uint64_t)((int64_t)(e->gla << 16) >> 16);
	else if (s->l2.paging == NEPT_L2_5LEVEL)
		e->gla = (uint64_t)((int64_t)(e->gla << 7) >> 7);
	random_expect(&e->expect);
	random_expect_mem(e);
}

/* The last event as a vm-entry (facts §13), legal by construction:
 * random vmcs12 fields, an MSR-load list in memory, an expectation of a
 * kind a VM entry can have. */
static void random_vm_entry(struct nept_scenario *s, struct nept_event *e)
{
	struct nept_vmentry *en = &s->entry;
	struct nept_expect *x = &e->expect;

	memset(e, 0, sizeof(*e));
	e->source = NEPT_SRC_VM_ENTRY;
	en->flags = (uint16_t)(rnd() & NEPT_ENF_ALL);
	en->activity = chance(70) ? 0 : (uint32_t)interesting();
	if (en->activity)
		en->flags &= (uint16_t) ~(NEPT_ENF_INJECT_NMI |
					  NEPT_ENF_STI_BLOCKING);
	en->cr0 = interesting();
	en->cr3 = interesting();
	en->cr4 = interesting();
	if (en->flags & NEPT_ENF_LOAD_EFER)
		en->efer = interesting();
	if (en->flags & NEPT_ENF_LOAD_PAT)
		en->pat = interesting();
	if (en->flags & NEPT_ENF_LOAD_DEBUG)
		en->debugctl = interesting(), en->dr7 = interesting();
	en->link_ptr = chance(50) ? ~0ull : interesting();
	for (unsigned i = 0; i < 4; i++)
		en->pdpte[i] = chance(50) ? 0 : interesting();
	if (chance(60)) {
		en->msr_count = (uint8_t)(1 + below(NEPT_MAX_MSR_LOAD));
		en->msr_addr = random_page(s, 1ull << 40) + 16 * below(4);
		for (unsigned i = 0; i < en->msr_count; i++) {
			scenario_set_qword(s, en->msr_addr + 16 * i,
					   interesting());
			scenario_set_qword(s, en->msr_addr + 16 * i + 8,
					   interesting());
		}
	}
	random_expect_mem(e);
	if (chance(30))
		return;
	x->fields = NEPT_EXPECT_KIND;
	switch (below(3)) {
	case 0:
		x->kind = NEPT_OUT_NONE;
		break;
	case 1:
		x->kind = NEPT_OUT_EXIT;
		x->fields |= NEPT_EXPECT_REASON | NEPT_EXPECT_QUAL;
		x->reason = (uint16_t)(NEPT_EXIT_ENTRY_FAIL_GUEST + below(2));
		x->qual = below(5);
		break;
	default:
		x->kind = NEPT_OUT_VMFAIL;
		if (chance(70))
			x->fields |= NEPT_EXPECT_ERROR_CODE, x->error_code = 7;
	}
}

/* L2's paging state and the vmcs12 controls, legal by construction. */
static void random_l2(struct nept_scenario *s)
{
	struct nept_l2 *l2 = &s->l2;

	if (chance(40)) {
		l2->paging = (uint8_t)(1 + below(NEPT_L2_PAGING_COUNT - 1));
		l2->cpl = (uint8_t)below(4);
		l2->flags = (uint16_t)(rnd() & NEPT_L2F_ALL);
		if (l2->flags & NEPT_L2F_PKE)
			l2->pkru = (uint32_t)interesting();
		if (l2->paging == NEPT_L2_PAE) {
			for (unsigned i = 0; i < 4; i++)
				if (chance(50))
					l2->pdpte[i] =
						(random_page(s, 1ull << 32) &
						 0xfffff000ull) |
						1 | (rnd() & 0xe18ull);
		} else {
			l2->cr3 = random_page(s, 1ull << 32) & 0xfffff000ull;
		}
	}
	if (chance(40)) {
		struct nept_controls *c = &s->ctl;

		c->exception_bitmap = (uint32_t)interesting();
		c->pfec_mask = (uint32_t)interesting();
		c->pfec_match = (uint32_t)interesting();
		c->flags = (uint16_t)(rnd() & NEPT_CTL_ALL);
		if (c->flags & NEPT_CTL_VIRTUAL_NMIS)
			c->flags |= NEPT_CTL_NMI_EXITING;
		if (c->flags & NEPT_CTL_PML) {
			c->pml_index = (uint16_t)interesting();
			c->pml_address =
				random_page(s, 1ull << 32) & 0xfffff000ull;
		}
		if (c->flags & NEPT_CTL_IO_BITMAPS)
			for (unsigned i = 0; i < 2; i++)
				if (chance(80))
					c->io_bitmap[i] =
						random_page(s, 1ull << 32) &
						0xfffff000ull;
		if (chance(50)) {
			c->cr0_mask = interesting();
			c->cr0_shadow = interesting();
			c->cr4_mask = interesting();
			c->cr4_shadow = interesting();
			/* L1 is offered no CR3-target values: the count and
			 * the targets stay 0. */
		}
	}
}

/* A legal scenario by construction; scenario_check must agree. */
static void random_scenario(struct nept_scenario *s)
{
	unsigned walk = chance(50) ? 4 : 5, mt = chance(50) ? 0 : 6, i;
	uint64_t ad = 0, root;

	scenario_init(s);
	s->caps = (uint32_t)(rnd() & NEPT_CAP_ALL);
	s->caps |= walk == 4 ? NEPT_CAP_WALK4 : NEPT_CAP_WALK5;
	s->caps |= mt == 0 ? NEPT_CAP_UC : NEPT_CAP_WB;
	if ((s->caps & NEPT_CAP_AD) && chance(50))
		ad = 1ull << 6;
	s->l1_maxphyaddr =
		(uint8_t)(NEPT_MAXPHYADDR_MIN +
			  below(NEPT_MAXPHYADDR_MAX - NEPT_MAXPHYADDR_MIN + 1));
	root = chance(50) ? 0x1000 * below(16)
			  : rnd() & nept_addr_mask(s->l1_maxphyaddr);
	s->eptp = root | (uint64_t)(walk - 1) << 3 | ad | mt;
	if (chance(10))
		s->host_maxphyaddr = (uint8_t)(s->l1_maxphyaddr +
					       below(NEPT_MAXPHYADDR_MAX -
						     s->l1_maxphyaddr + 1));
	if (chance(10))
		s->l0_flags = NEPT_L0F_ALLOW_SMALLER;
	if (chance(2)) {
		random_mem(s, NEPT_MAX_PAGES, 4 * NEPT_MAX_QWORDS);
	} else {
		i = (unsigned)below(6);
		random_mem(s, i, (unsigned)below(40));
	}
	random_l2(s);
	s->nevents = (uint8_t)(1 + below(NEPT_MAX_EVENTS));
	for (i = 0; i < s->nevents; i++)
		random_event(s, &s->event[i],
			     walk == 4 ? 1ull << 48 : 1ull << 52);
	if (chance(15))
		random_vm_entry(s, &s->event[s->nevents - 1]);
	/* With L2 paging off the walk decides the linear address and the
	 * rights; a scenario that names them is illegal (facts §8.3). */
	scenario_clear_derived(s);
	scenario_normalize(s);
}

static char text[NEPT_TEXT_MAX], text2[NEPT_TEXT_MAX];
static uint8_t bin[NEPT_BIN_MAX];

/* Text and binary round trips of a legal scenario; true if all held. */
static bool round_trips(const struct nept_scenario *s)
{
	struct nept_scenario t;
	struct nept_error err;
	size_t n, n2;
	bool ok;

	n = scenario_write_text(s, text, sizeof(text));
	ok = EXPECT(n > 0 && strlen(text) == n, "write_text returned %zu", n);
	if (ok) {
		ok = EXPECT(scenario_parse_text(text, n, &t, &err),
			    "parse of written text: %d:%d: %s\n%s", err.line,
			    err.col, err.msg, text) &&
		     EXPECT(scenario_equal(s, &t),
			    "text round trip differs:\n%s", text);
		/* The written form is canonical: writing again changes nothing. */
		n2 = scenario_write_text(&t, text2, sizeof(text2));
		ok &= EXPECT(n2 == n && !memcmp(text, text2, n),
			     "text not canonical:\n%s\n---\n%s", text, text2);
	}
	n = scenario_encode_bin(s, bin, sizeof(bin));
	ok &= EXPECT(n > 0, "encode_bin returned 0") &&
	      EXPECT(scenario_decode_bin(bin, n, &t), "decode of encoded "
						      "bytes") &&
	      EXPECT(scenario_equal(s, &t), "binary round trip differs");
	return ok;
}

/*
 * Changes one field of a legal scenario (every field in turn, counted by
 * field); scenario_equal must notice.  The result need not be legal.
 */
static void mutate_one_field(struct nept_scenario *s, unsigned field)
{
	struct nept_event *e = &s->event[below(s->nevents)];
	struct nept_expect *x = &e->expect;
	uint64_t bit = 1ull << below(64);

	switch (field) {
	case 0:
		s->caps ^= 1u << below(10);
		break;
	case 1:
		s->l1_maxphyaddr ^= 1;
		break;
	case 2:
		switch (below(3)) {
		case 0:
			s->host_maxphyaddr ^= 1;
			break;
		case 1:
			s->l0_flags ^= 1;
			break;
		default:
			s->reserved ^= 1;
		}
		break;
	case 3:
		s->eptp ^= bit;
		break;
	case 4:
		s->nevents = s->nevents == 1 ? 2 : s->nevents - 1;
		break;
	case 5:
		e->source = (uint8_t)((e->source + 1) % NEPT_SRC_ACCESS_COUNT);
		break;
	case 6:
		e->access = (uint8_t)((e->access + 1) % NEPT_ACC_COUNT);
		break;
	case 7:
		e->flags ^= (uint8_t)(1u << below(7));
		break;
	case 8:
		e->during ^= 1;
		break;
	case 9:
		e->exit_reason ^= (uint16_t)(1u << below(16));
		break;
	case 10:
		e->reserved1 ^= 1;
		break;
	case 11:
		e->gpa ^= bit;
		break;
	case 12:
		e->gla ^= bit;
		break;
	case 13:
		e->hw_qual ^= bit;
		break;
	case 14:
		e->exit_qual ^= bit;
		break;
	case 15:
		x->fields ^= (uint16_t)(1u << below(6));
		break;
	case 16:
		x->kind ^= 1;
		break;
	case 17:
		x->vector ^= 1;
		break;
	case 18:
		x->reason ^= (uint16_t)(1u << below(16));
		break;
	case 19:
		x->qual ^= bit;
		break;
	case 20:
		x->gpa ^= bit;
		break;
	case 21:
		x->gla ^= bit;
		break;
	case 22:
		x->translated ^= bit;
		break;
	case 23:
		x->error_code ^= (uint32_t)bit | 1;
		break;
	case 24:
		s->l2.paging ^= 1;
		break;
	case 25:
		s->l2.cpl ^= 1;
		break;
	case 26:
		s->l2.flags ^= (uint16_t)(1u << below(7));
		break;
	case 27:
		s->l2.pkru ^= (uint32_t)bit | 1;
		break;
	case 28:
		s->l2.cr3 ^= bit;
		break;
	case 29:
		s->l2.pdpte[below(4)] ^= bit;
		break;
	case 30:
		s->ctl.exception_bitmap ^= (uint32_t)bit | 1;
		break;
	case 31:
		s->ctl.pfec_mask ^= (uint32_t)bit | 1;
		break;
	case 32:
		s->ctl.pfec_match ^= (uint32_t)bit | 1;
		break;
	case 33:
		s->ctl.flags ^= (uint16_t)(1u << below(8));
		break;
	case 34:
		s->ctl.pml_index ^= (uint16_t)bit | 1;
		break;
	case 35:
		s->ctl.pml_address ^= bit;
		break;
	case 37:
		e->exit_vector ^= 1;
		break;
	case 38:
		e->exit_error_code ^= (uint32_t)bit | 1;
		break;
	case 39:
		e->exit_value ^= bit;
		break;
	case 40:
		s->ctl.io_bitmap[below(2)] ^= bit;
		break;
	case 41:
		s->ctl.cr0_mask ^= bit;
		break;
	case 42:
		s->ctl.cr4_shadow ^= bit;
		break;
	case 43:
		s->ctl.cr3_target_count ^= 1;
		break;
	case 44:
		s->ctl.cr3_target[below(4)] ^= bit;
		break;
	default:
		/* Memory: a qword's value, else one page more or less. */
		if (s->mem.nqwords) {
			unsigned q = (unsigned)below(s->mem.nqwords);

			s->mem.qword[q].val ^= bit;
		} else if (s->mem.npages < NEPT_MAX_PAGES) {
			scenario_add_page(s, 0xfffff000000ull);
		} else {
			s->mem.npages--;
		}
		break;
	}
}
#define MUTABLE_FIELDS 45

/* Shuffles memory, repeats some qwords and adds zeros: same memory. */
static void scramble_mem(struct nept_mem *m)
{
	unsigned i, j;

	for (i = m->npages; i > 1; i--) {
		uint64_t t = m->page[i - 1];

		j = (unsigned)below(i);
		m->page[i - 1] = m->page[j];
		m->page[j] = t;
	}
	for (i = m->nqwords; i > 1; i--) {
		struct nept_qword t = m->qword[i - 1];

		j = (unsigned)below(i);
		m->qword[i - 1] = m->qword[j];
		m->qword[j] = t;
	}
	if (m->npages && m->npages < NEPT_MAX_PAGES)
		m->page[m->npages++] = m->page[0];
	/* A stale value first, then the real one: the later write wins. */
	if (m->nqwords && m->nqwords < NEPT_MAX_QWORDS) {
		m->qword[m->nqwords] = m->qword[m->nqwords - 1];
		m->qword[m->nqwords - 1].val ^= 0x40;
		m->nqwords++;
	}
	/* A zero where nothing is stored. */
	if (m->npages && m->nqwords < NEPT_MAX_QWORDS) {
		uint64_t gpa = m->page[0] + 0xff8;

		for (i = 0; i < m->nqwords && m->qword[i].gpa != gpa; i++)
			;
		if (i == m->nqwords)
			m->qword[m->nqwords++] = (struct nept_qword){ gpa, 0 };
	}
}

static void test_round_trips(void)
{
	static struct nept_scenario s, t;
	struct nept_error err;
	unsigned i, bad = 0, big = 0;

	for (i = 0; i < ROUND_TRIPS; i++) {
		random_scenario(&s);
		if (!EXPECT(scenario_check(&s, &err),
			    "generated scenario %u illegal: %s", i, err.msg))
			continue;
		if (s.mem.npages == NEPT_MAX_PAGES)
			big++;
		bad += !round_trips(&s);

		t = s;
		scramble_mem(&t.mem);
		EXPECT(scenario_equal(&s, &t), "equal after scrambling memory");
		scenario_normalize(&t);
		EXPECT(scenario_check(&t, &err) && scenario_equal(&s, &t),
		       "normalize did not restore memory: %s", err.msg);

		t = s;
		mutate_one_field(&t, i % MUTABLE_FIELDS);
		EXPECT(!scenario_equal(&s, &t),
		       "scenario_equal missed a change of field %u",
		       i % MUTABLE_FIELDS);
	}
	EXPECT(bad == 0, "%u of %d scenarios failed a round trip", bad,
	       ROUND_TRIPS);
	/* The text buffer bound matters only for full memory: reach it. */
	EXPECT(big > 50, "only %u scenarios with full page memory", big);
}

/*
 * Inputs a mutating fuzzer would make: a legal scenario's encoding with
 * records appended (PATH most often), bytes flipped, the end cut.
 */
static size_t mutated_encoding(uint8_t *p, size_t cap)
{
	static struct nept_scenario s;
	size_t n, k;
	unsigned i, levels;
	uint64_t v;

	random_scenario(&s);
	n = scenario_encode_bin(&s, p, cap);
	while (n + 64 < cap && chance(40)) {
		p[n++] = chance(80) ? 0x08 : (uint8_t)below(10);
		/* PATH: a gpa on a few table boundaries, mostly RWX entries. */
		v = below(4);
		v <<= 12 + 9 * below(4);
		memcpy(p + n, &v, 8);
		levels = 1 + (unsigned)below(chance(95) ? 4 : 6);
		p[n + 8] = (uint8_t)levels;
		n += 9;
		for (i = 0; i < levels; i++, n += 8) {
			v = chance(80) ? 7 : interesting();
			memcpy(p + n, &v, 8);
		}
	}
	for (k = below(3); k > 0 && n; k--) {
		size_t at = below(n);

		p[at] ^= (uint8_t)(1u << below(8));
	}
	if (n && chance(10))
		n -= 1 + below(n < 8 ? n : 8);
	return n;
}

static void test_random_bytes(void)
{
	static struct nept_scenario s, t;
	static uint8_t in[NEPT_BIN_MAX];
	struct nept_error err;
	unsigned i, accepted = 0, bad = 0;
	size_t n, k;

	for (i = 0; i < RANDOM_BYTES; i++) {
		if (chance(30)) {
			n = below(64);
			for (k = 0; k < n; k++)
				in[k] = (uint8_t)rnd();
		} else {
			n = mutated_encoding(in, sizeof(in));
		}
		if (!scenario_decode_bin(in, n, &s))
			continue;
		accepted++;
		if (!scenario_check(&s, &err)) {
			bad++;
			EXPECT(false, "decoded scenario illegal: %s", err.msg);
			continue;
		}
		EXPECT(scenario_decode_bin(in, n, &t) && scenario_equal(&s, &t),
		       "decode not deterministic");
		bad += !round_trips(&s);
	}
	EXPECT(bad == 0, "%u decoded scenarios failed", bad);
	/* The decoder must not reject everything: that would test nothing. */
	EXPECT(accepted > RANDOM_BYTES / 20, "only %u of %d inputs decoded",
	       accepted, RANDOM_BYTES);
	printf("random bytes: %u of %d decoded\n", accepted, RANDOM_BYTES);
}

/* A minimal legal scenario: the defaults and one read. */
static void one_event(struct nept_scenario *s, uint64_t gpa)
{
	scenario_init(s);
	s->nevents = 1;
	s->event[0].gpa = gpa;
}

static size_t put(uint8_t *p, size_t n, unsigned bytes, uint64_t v)
{
	unsigned i;

	/* Past 8 bytes: zero padding. */
	for (i = 0; i < bytes; i++)
		p[n + i] = i < 8 ? (uint8_t)(v >> (8 * i)) : 0;
	return n + bytes;
}

static size_t put_event(uint8_t *p, size_t n, uint64_t gpa)
{
	n = put(p, n, 1, 0x06);
	n = put(p, n, 5, 0); /* hw-violation read, no flags, exit 0 */
	n = put(p, n, 8, gpa);
	return put(p, n, 24, 0);
}

static size_t put_path(uint8_t *p, size_t n, uint64_t gpa, unsigned levels,
		       const uint64_t *tmpl)
{
	unsigned i;

	n = put(p, n, 1, 0x08);
	n = put(p, n, 8, gpa);
	n = put(p, n, 1, levels);
	for (i = 0; i < levels; i++)
		n = put(p, n, 8, tmpl[i]);
	return n;
}

static void test_bin_edges(void)
{
	static struct nept_scenario s, t;
	static uint8_t b[NEPT_BIN_MAX];
	unsigned i;
	size_t n;

	one_event(&s, 0x1234);
	n = scenario_encode_bin(&s, b, sizeof(b));
	EXPECT(n > 0 && scenario_decode_bin(b, n, &t) && scenario_equal(&s, &t),
	       "minimal scenario round trip");
	EXPECT(!scenario_decode_bin(b, n - 1, &t), "truncated EVENT accepted");
	b[n] = 0x09;
	EXPECT(!scenario_decode_bin(b, n + 1, &t), "unknown tag 0x09 accepted");
	b[n] = 0x00;
	EXPECT(!scenario_decode_bin(b, n + 1, &t), "unknown tag 0x00 accepted");
	EXPECT(scenario_encode_bin(&s, b, n - 1) == 0, "encode into a short "
						       "buffer did not return "
						       "0");
	EXPECT(!scenario_decode_bin(b, 0, &t), "empty input accepted");
	/* Without events a scenario is rejected (nothing to run). */
	EXPECT(!scenario_decode_bin((const uint8_t[]){ 0x02, 46 }, 2, &t),
	       "scenario without events accepted");
	/* EXPECT with no event yet, then an event. */
	n = put(b, 0, 1, 0x07);
	n = put(b, n, 2, NEPT_EXPECT_KIND);
	n = put_event(b, put(b, n, 35, 0), 0);
	EXPECT(!scenario_decode_bin(b, n, &t), "EXPECT before any EVENT "
					       "accepted");
	EXPECT(scenario_decode_bin(b + 38, n - 38, &t), "a lone EVENT "
							"rejected");

	for (i = n = 0; i < NEPT_MAX_EVENTS; i++)
		n = put_event(b, n, i);
	EXPECT(scenario_decode_bin(b, n, &t) && t.nevents == NEPT_MAX_EVENTS,
	       "%d events rejected", NEPT_MAX_EVENTS);
	EXPECT(!scenario_decode_bin(b, put_event(b, n, 0), &t),
	       "more than %d events accepted", NEPT_MAX_EVENTS);

	for (i = 0, n = put_event(b, 0, 0); i < NEPT_MAX_PAGES; i++)
		n = put(b, put(b, n, 1, 0x04), 8, 0x1000ull * i + 0xabc);
	EXPECT(scenario_decode_bin(b, n, &t) &&
		       t.mem.npages == NEPT_MAX_PAGES &&
		       t.mem.page[1] == 0x1000,
	       "%d PAGE records (low bits masked off) rejected",
	       NEPT_MAX_PAGES);
	n = put(b, put(b, n, 1, 0x04), 8, 0x1000ull * i);
	EXPECT(!scenario_decode_bin(b, n, &t), "a page beyond the limit "
					       "accepted");
}

/* The binary decoder's reasons: the record's offset and the rule. */
static void expect_bin_error(const uint8_t *b, size_t n, long offset,
			     const char *msg, const char *what)
{
	static struct nept_scenario t;
	struct nept_error err;

	memset(&err, 0x55, sizeof(err));
	err.msg[sizeof(err.msg) - 1] = 0;
	if (EXPECT(!scenario_decode_bin_err(b, n, &t, &err), "%s: accepted",
		   what))
		EXPECT(err.offset == offset && strstr(err.msg, msg),
		       "%s: got byte %ld: %s; want byte %ld: ...%s...", what,
		       err.offset, err.msg, offset, msg);
}

static void test_bin_errors(void)
{
	static struct nept_scenario s, t;
	static uint8_t b[NEPT_BIN_MAX];
	struct nept_error err;
	size_t n, m;
	unsigned i;

	one_event(&s, 0x1234);
	n = scenario_encode_bin(&s, b, sizeof(b));
	memset(&err, 0, sizeof(err));
	EXPECT(scenario_decode_bin_err(b, n, &t, &err) &&
		       scenario_equal(&s, &t),
	       "decode_bin_err rejects what decode_bin takes");
	expect_bin_error(b, 0, 0, "empty", "empty input");
	expect_bin_error(b, n - 1, (long)(n - 1 - 37),
			 "EVENT record (tag 0x06): truncated: the input ends "
			 "36 "
			 "bytes into the 37-byte payload",
			 "truncated EVENT");
	b[n] = 0xff;
	expect_bin_error(b, n + 1, (long)n,
			 "unknown record tag 0xff (records are 0x01..0x15)",
			 "unknown tag");
	expect_bin_error((const uint8_t[]){ 0x02, 46 }, 2, 2, "no EVENT record",
			 "no event");
	m = put(b, put(b, 0, 1, 0x07), 2, NEPT_EXPECT_KIND);
	expect_bin_error(b, put(b, m, 35, 0), 0,
			 "EXPECT record (tag 0x07): before any EVENT record",
			 "EXPECT first");
	for (i = m = 0; i <= NEPT_MAX_EVENTS; i++)
		m = put_event(b, m, i);
	expect_bin_error(b, m, (long)(m - 38), "more than 8 events",
			 "a ninth event");
	m = put_path(b, put_event(b, 0, 0), 0x5000, 0, NULL);
	expect_bin_error(b, m, 38,
			 "PATH record (tag 0x08): 0 entries: a "
			 "4-level walk takes 1..4",
			 "empty PATH");
	m = put_path(b, put_event(b, 0, 0), 0x5000, 2, (uint64_t[]){ 7, 7 });
	expect_bin_error(b, m - 3, 38,
			 "PATH record (tag 0x08): truncated: the input ends 22 "
			 "bytes into the 25-byte payload",
			 "truncated PATH");
	/* A legal record sequence, an illegal scenario: the check's rule,
	 * no offset. */
	m = put(b, put(b, put_event(b, 0, 0), 1, 0x02), 1, 31);
	expect_bin_error(b, m, -1,
			 "not a legal scenario: l1-maxphyaddr 31: outside "
			 "32..52",
			 "MAXPHYADDR 31");
	/* The fast path formats nothing and agrees. */
	EXPECT(!scenario_decode_bin(b, m, &t), "MAXPHYADDR 31 accepted");
}

static void expect_qword(const struct nept_scenario *s, uint64_t gpa,
			 uint64_t want)
{
	uint64_t v = 0;

	EXPECT(nept_mem_read(&s->mem, gpa, &v) && v == want,
	       "qword 0x%" PRIx64 " = 0x%" PRIx64 ", want 0x%" PRIx64, gpa, v,
	       want);
}

static void test_path(void)
{
	static struct nept_scenario s;
	static const uint64_t rwx4[] = { 7, 7, 7, 0x5037 };
	static const uint64_t rwx5[] = { 3, 7, 7, 7, 0x9000 | 0x37 };
	uint8_t b[256];
	size_t n;

	/* gpa 0x12345678: PML4 0, PDPT 0, PD 0x91, PT 0x145 (facts §3.1). */
	n = put_event(b, 0, 0x12345678);
	n = put_path(b, n, 0x12345678, 4, rwx4);
	EXPECT(scenario_decode_bin(b, n, &s), "4-level PATH rejected");
	expect_qword(&s, 0x1000, 0x100007);
	expect_qword(&s, 0x100000, 0x101007);
	expect_qword(&s, 0x101000 + 0x91 * 8, 0x102007);
	expect_qword(&s, 0x102000 + 0x145 * 8, 0x5037);
	EXPECT(s.mem.nqwords == 4 && s.mem.npages == 4,
	       "PATH wrote %u qwords in %u pages", s.mem.nqwords, s.mem.npages);

	/* A second path through the same PD reuses the upper tables. */
	n = put_path(b, n, 0x12346000, 4, rwx4);
	EXPECT(scenario_decode_bin(b, n, &s), "second PATH rejected");
	expect_qword(&s, 0x102000 + 0x146 * 8, 0x5037);
	EXPECT(s.mem.nqwords == 5 && s.mem.npages == 4,
	       "second PATH wrote %u qwords in %u pages", s.mem.nqwords,
	       s.mem.npages);

	/* A short path ends in the raw template at its level. */
	n = put_event(b, 0, 0);
	n = put_path(b, n, 0x40000000, 2, (const uint64_t[]){ 7, 0x80 | 7 });
	EXPECT(scenario_decode_bin(b, n, &s), "2-entry PATH rejected");
	expect_qword(&s, 0x100000 + 8, 0x87);

	/* An entry pointing to a page with no memory is not followed. */
	n = put_event(b, 0, 0);
	n = put(b, put(b, put(b, n, 1, 0x05), 8, 0x1000), 8, 0x9007);
	n = put_path(b, n, 0, 2, (const uint64_t[]){ 3, 0x42 });
	EXPECT(scenario_decode_bin(b, n, &s), "PATH over a stale entry "
					      "rejected");
	expect_qword(&s, 0x1000, 0x100003);
	expect_qword(&s, 0x100000, 0x42);

	/* 5-level: PML5 index of gpa 1 << 48 is 1. */
	n = put(b, 0, 1, 0x01);
	n = put(b, n, 4, NEPT_CAPS_DEFAULT | NEPT_CAP_WALK5);
	n = put(b, n, 1, 0x03);
	n = put(b, n, 8, 0x1026); /* root 0x1000, walk 5, WB */
	n = put_event(b, n, 1ull << 48);
	n = put_path(b, n, 1ull << 48, 5, rwx5);
	EXPECT(scenario_decode_bin(b, n, &s), "5-level PATH rejected");
	expect_qword(&s, 0x1008, 0x100003);
	expect_qword(&s, 0x103000, 0x9037);

	n = put_event(b, 0, 0);
	EXPECT(!scenario_decode_bin(b, put_path(b, n, 0, 5, rwx5), &s),
	       "PATH longer than a 4-level walk accepted");
	EXPECT(!scenario_decode_bin(b, put_path(b, n, 0, 0, rwx5), &s), "empty "
									"PATH "
									"accept"
									"ed");
	EXPECT(!scenario_decode_bin(b, put_path(b, n, 0, 4, rwx4) - 1, &s),
	       "truncated PATH accepted");
}

static void test_mem(void)
{
	static struct nept_scenario s;
	uint64_t v;
	unsigned i;

	scenario_init(&s);
	EXPECT(!nept_mem_read(&s.mem, 0x1000, &v) && v == 0, "read of unbacked "
							     "memory");
	EXPECT(!nept_mem_write(&s.mem, 0x1000, 1), "write to unbacked memory");
	EXPECT(!scenario_set_qword(&s, 0x1004, 1), "misaligned qword accepted");
	EXPECT(scenario_set_qword(&s, 0x3008, 5) && s.mem.npages == 1,
	       "set_qword did not back its page");
	EXPECT(nept_mem_read(&s.mem, 0x3000, &v) && v == 0, "backed, unwritten "
							    "qword not 0");
	EXPECT(nept_mem_write(&s.mem, 0x3000, 9) &&
		       nept_mem_read(&s.mem, 0x3000, &v) && v == 9 &&
		       s.mem.qword[0].gpa == 0x3000,
	       "write of a new qword not kept sorted");
	EXPECT(scenario_set_qword(&s, 0x3008, 0) && s.mem.nqwords == 1 &&
		       s.mem.npages == 1,
	       "zero qword not removed");
	for (i = 0; i < NEPT_MAX_PAGES - 1; i++)
		scenario_add_page(&s, 0x100000 + 0x1000ull * i);
	EXPECT(s.mem.npages == NEPT_MAX_PAGES &&
		       scenario_add_page(&s, 0x3000) &&
		       !scenario_add_page(&s, 0x5000),
	       "page table limit");
	for (i = 0; s.mem.nqwords < NEPT_MAX_QWORDS; i++)
		scenario_set_qword(&s, 0x100000 + 8ull * i, 1);
	EXPECT(!nept_mem_write(&s.mem, 0x100000 + 8ull * i, 1) &&
		       nept_mem_write(&s.mem, 0x100000, 2),
	       "qword limit");
}

/* A prefix for error tests: magic on line 1, defaults otherwise. */
#define HDR "neptfuzz-scenario 1\n"
#define EV "event hw-violation read gpa=0x1000\n"

static const struct {
	const char *text;
	size_t len; /* 0: strlen */
	int line, col;
	const char *msg;
} bad_texts[] = {
	{ "", 0, 1, 1, "expected 'neptfuzz-scenario 1'" },
	/* Classic Mac OS line endings are named, wherever the first is. */
	{ "neptfuzz-scenario 1\rcaps default\r", 0, 1, 20,
	  "lone CR (classic Mac OS line endings)" },
	{ "# a comment\rneptfuzz-scenario 1\r", 0, 1, 12, "lone CR" },
	{ HDR "caps default\r  \n" EV, 0, 2, 13, "lone CR" },
	/* A byte order mark is accepted only first. */
	{ HDR "\xef\xbb\xbf" EV, 0, 2, 1, "unknown directive ???event" },
	{ "# only a comment\n\n", 0, 3, 1, "expected 'neptfuzz-scenario 1'" },
	{ "caps default\n", 0, 1, 1, "expected 'neptfuzz-scenario 1'" },
	{ "neptfuzz-scenario 2\n", 0, 1, 19,
	  "unsupported version 2 (supported: 1)" },
	{ "neptfuzz-scenario\n", 0, 1, 18, "missing version" },
	{ "neptfuzz-scenario 1 x\n", 0, 1, 21, "trailing x" },
	{ HDR "  cats default\n" EV, 0, 2, 3, "unknown directive cats" },
	{ HDR "caps default foo\n" EV, 0, 2, 14, "unknown capability foo" },
	{ HDR "caps wb\ncaps wb\n" EV, 0, 3, 1,
	  "caps already given on line 2" },
	{ HDR "l1-maxphyaddr 0x2g\n" EV, 0, 2, 15, "bad number 0x2g" },
	{ HDR "l1-maxphyaddr 53\n" EV, 0, 2, 15, "must be 32..52" },
	{ HDR "eptp 18446744073709551616\n" EV, 0, 2, 6, "overflows 64 bits" },
	{ HDR "eptp 0x10000000000000000\n" EV, 0, 2, 6, "overflows 64 bits" },
	{ HDR "eptp 0x\n" EV, 0, 2, 6, "bad number 0x" },
	{ HDR "eptp root=0x1001\n" EV, 0, 2, 11, "not 4-KiB aligned" },
	{ HDR "eptp walk=3\n" EV, 0, 2, 11, "walk must be 4 or 5" },
	{ HDR "eptp ad=2\n" EV, 0, 2, 9, "out of range" },
	{ HDR "eptp mt=wt\n" EV, 0, 2, 9, "bad number wt" },
	{ HDR "eptp mt=uc mt=wb\n" EV, 0, 2, 12, "mt= given twice" },
	{ HDR "eptp color=red\n" EV, 0, 2, 6, "unknown eptp field" },
	{ HDR "event vm-entry cr0=1 cr0=2\n", 0, 2, 22, "cr0= given twice" },
	{ HDR "event vm-entry msr-load-count=17\n", 0, 2, 31, "out of range" },
	{ HDR "event vm-entry hot=1\n", 0, 2, 16,
	  "unknown vm-entry field or flag hot=1" },
	{ HDR "event vm-entry\nexpect vmfail error=7 qual=1\n", 0, 3, 23,
	  "unexpected qual=1" },
	{ HDR "eptp 0x1e 0x1e\n" EV, 0, 2, 11, "trailing" },
	{ HDR "eptp 0x1f\n" EV, 0, 2, 6, "eptp: memory type" },
	{ HDR "eptp mt=uc\n" EV, 0, 2, 6, "needs cap bit 8" },
	{ HDR "caps default -walk4\n" EV, 0, 2, 6, "needs cap bit 6" },
	{ HDR "eptp walk=5\n" EV, 0, 2, 6, "needs cap bit 7" },
	{ HDR "page 0x1800\n" EV, 0, 2, 6, "page 0x1800 is not 4-KiB aligned" },
	{ HDR "page\n" EV, 0, 2, 5, "missing address" },
	{ HDR "page 0x2000\npage 0x2000\n" EV, 0, 3, 6,
	  "already given on line 2" },
	{ HDR EV "page 0x10000000000000\n", 0, 3, 6, "beyond 52 bits" },
	{ HDR "entry 0x1000[512] 7\n" EV, 0, 2, 14, "out of range" },
	{ HDR "entry 0x1008[1] 7\n" EV, 0, 2, 7, "not 4-KiB aligned" },
	{ HDR "entry 0x1000[] 7\n" EV, 0, 2, 14, "missing index" },
	{ HDR "entry 0x1000 7\n" EV, 0, 2, 7, "expected TABLE[INDEX]" },
	{ HDR "entry 0x1000[1]\n" EV, 0, 2, 16,
	  "missing TABLE[INDEX] and value" },
	{ HDR "entry 0x1000[1] 7\nqword 0x1008 3\n" EV, 0, 3, 7,
	  "qword at 0x1008 already set on line 2" },
	{ HDR "qword 0x1004 3\n" EV, 0, 2, 7, "not 8-byte aligned" },
	{ HDR "qword 0x1000 3 4\n" EV, 0, 2, 16, "trailing 4" },
	{ HDR "expect exit ept-violation\n" EV, 0, 2, 1,
	  "expect without an event above it" },
	{ HDR EV "expect none\nexpect none\n", 0, 4, 1,
	  "the event on line 2 already has an expect (line 3)" },
	{ HDR EV "expect exit\n", 0, 3, 12, "missing exit reason" },
	/* Memory expectations: the line that breaks a rule is named. */
	{ HDR EV "expect qword 0x1000 1\nexpect qword 0x1008\n", 0, 4, 20,
	  "missing address and value" },
	{ HDR EV "expect qword 0x1000 1\nexpect pml-entry 512 0\n", 0, 4, 18,
	  "out of range" },
	{ HDR EV "expect qword 0x1000 1\nexpect qword 0x1004 1\n", 0, 4, 1,
	  "expect qword: an 8-aligned" },
	{ HDR EV "expect none\nexpect qword 0x1000 1\nexpect pml-entry 0 0\n",
	  0, 5, 1, "expect pml-entry: PML is off" },
	{ HDR EV "expect qword 0x1000 1\nexpect qword 0x1000 2\n", 0, 4, 1,
	  "two memory expectations for one qword" },
	{ HDR EV "expect exit ept-violatoin\n", 0, 3, 13,
	  "unknown exit reason ept-violatoin" },
	{ HDR EV "expect exit 65536\n", 0, 3, 13, "out of range" },
	{ HDR EV "expect maybe\n", 0, 3, 8, "unknown outcome maybe" },
	{ HDR EV "expect none foo=1\n", 0, 3, 13, "unknown expect field" },
	{ HDR EV "expect none qual=1\n", 0, 3, 1,
	  "event 1: expect: qual, gpa and gla need an exit or exception" },
	{ HDR EV "expect exit 48 translated=0\n", 0, 3, 1,
	  "translated belongs to none" },
	{ HDR "l2 paging=4level cr3=0x1000\nevent emulated read\n"
	      "l2 paging=off\n",
	  0, 4, 1, "l2 already given on line 2" },
	{ HDR "l2 cr3=0x1000\n" EV, 0, 2, 4, "expected paging=MODE first" },
	{ HDR "l2 paging=6level\n" EV, 0, 2, 11, "unknown paging mode 6level" },
	{ HDR "l2 paging=4level cpl=4\n" EV, 0, 2, 22, "out of range" },
	{ HDR "l2 paging=4level wp wp\n" EV, 0, 2, 21, "flag wp given twice" },
	{ HDR "l2 paging=4level cr3=0x1008\n" EV, 0, 2, 4,
	  "cr3 0x1008: not 4-KiB aligned" },
	{ HDR "l2 paging=pae\npdpte 1 0x2003\n" EV, 0, 3, 1,
	  "pdpte 1 has reserved bits" },
	{ HDR "pdpte 4 0x2001\n" EV, 0, 2, 7, "out of range" },
	{ HDR "controls virtual-nmis\n" EV, 0, 2, 10,
	  "virtual-nmis needs nmi-exiting" },
	{ HDR "controls pml-index=65536\n" EV, 0, 2, 20, "out of range" },
	{ HDR "controls nmi\n" EV, 0, 2, 10, "unknown field or flag nmi" },
	{ HDR "l2 paging=4level\nevent emulated read gpa=0x1000\n", 0, 3, 1,
	  "the walk finds the gpa" },
	{ HDR "event emulated read gpa=0 during=32\n", 0, 2, 34,
	  "out of range" },
	{ HDR EV "expect exception vector=14 cr2=1 gla=1\n", 0, 3, 34,
	  "gla=/cr2= given twice" },
	{ HDR EV "expect exit 48 vector=14\n", 0, 3, 1,
	  "vector and error-code need an exception" },
	{ HDR "event hw-violation peek gpa=0\n", 0, 2, 20,
	  "unknown access peek" },
	{ HDR "event cosmic-ray read gpa=0\n", 0, 2, 7, "unknown source" },
	{ HDR "event hw-violation read gpa=0 uesr\n", 0, 2, 31,
	  "unknown event field or flag uesr" },
	{ HDR "event hw-violation read gpa=0 user user\n", 0, 2, 36,
	  "flag user given twice" },
	{ HDR "event hw-violation read gpa=0 gpa=1\n", 0, 2, 31,
	  "gpa= given twice" },
	{ HDR "event hw-violation read gpa=\n", 0, 2, 29, "missing value" },
	{ HDR "event emulated write gpa=0 exit=io\n", 0, 2, 33,
	  "unknown exit reason io" },
	{ HDR "event hw-violation write gpa=0 sets-ad\n", 0, 2, 1,
	  "event 1: sets-ad needs paging" },
	{ HDR "event hw-violation write gpa=0 paging\n", 0, 2, 1,
	  "paging without sets-ad is a walk read" },
	{ HDR "event hw-violation read gpa=0 paging sets-ad\n", 0, 2, 1,
	  "sets-ad is a write" },
	{ HDR "event hw-violation read gpa=0 paging no-gla sets-ad\n", 0, 2, 1,
	  "no-gla excludes sets-ad" },
	{ HDR "event hw-violation read gpa=0 no-gla\n", 0, 2, 1,
	  "no-gla needs paging" },
	{ HDR EV "event hw-violation read gpa=0x1000000000000\n", 0, 3, 1,
	  "event 2: gpa at or above 2^48 with a 4-level EPTP" },
	{ HDR "caps default walk5\neptp walk=5\n"
	      "event hw-violation read gpa=0x10000000000000\n",
	  0, 4, 1, "gpa beyond 52 bits" },
	{ HDR "event hw-misconfig read gpa=0 hw-qual=1\n", 0, 2, 1,
	  "hw-qual belongs to hw-violation" },
	{ HDR "event hw-violation read gpa=0 exit=io-instruction\n", 0, 2, 1,
	  "exit and exit-qual belong to emulated" },
	{ HDR, 0, 0, 0, "no events" },
	{ HDR "ev\0nt\n", sizeof(HDR "ev\0nt\n") - 1, 2, 3, "NUL byte" },
	{ HDR "# c \0 x\n" EV, sizeof(HDR "# c \0 x\n" EV) - 1, 2, 5,
	  "NUL byte" },
	{ HDR "page 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 "
	      "23 24 25 26 27 28 29 30 31 32 33\n",
	  0, 2, 90, "too many tokens" },
	{ HDR "eptp root=\n" EV, 0, 2, 11, "missing value" },
	{ HDR "eptp 0x\n" EV, 0, 2, 6, "bad number 0x" },
	{ HDR "entry [1] 7\n" EV, 0, 2, 7, "missing table address" },
	{ HDR "entry 0x1000[1] 7x\n" EV, 0, 2, 17, "bad number 7x" },
	{ HDR "event emulated read gpa=0 exit=\n", 0, 2, 32,
	  "missing exit reason" },
	{ HDR EV "expect exception qual=1 qual=2\n", 0, 3, 25,
	  "qual= given twice" },
	{ HDR "page 0x5000\nentry 0x10000000000000[0] 1\n" EV, 0, 3, 7,
	  "page 0x10000000000000: beyond 52 bits" },
	{ HDR EV EV EV EV EV EV EV EV EV, 0, 10, 1, "too many events" },
	{ HDR "caps default x23456789012345678901234567890123456789012\n" EV, 0,
	  2, 14, "unknown capability x23456789012345678901234567890123456..." },
	/* The text ends mid-token, without a newline: no read past it. */
	{ HDR "eptp 0x1e", sizeof(HDR "eptp 0x") - 1, 2, 6, "bad number 0x" },
};

static void test_bad_texts(void)
{
	static struct nept_scenario s;
	struct nept_error err;
	unsigned i;
	size_t len;
	char *p;

	for (i = 0; i < sizeof(bad_texts) / sizeof(bad_texts[0]); i++) {
		len = bad_texts[i].len ? bad_texts[i].len
				       : strlen(bad_texts[i].text);
		/* An exact-size heap copy lets ASan catch a read past len. */
		p = malloc(len ? len : 1);
		memcpy(p, bad_texts[i].text, len);
		memset(&err, 0x55, sizeof(err));
		if (EXPECT(!scenario_parse_text(p, len, &s, &err),
			   "bad text %u accepted", i)) {
			/* A message left unwritten still prints safely. */
			err.msg[sizeof(err.msg) - 1] = 0;
			EXPECT(err.line == bad_texts[i].line &&
				       err.col == bad_texts[i].col &&
				       strstr(err.msg, bad_texts[i].msg),
			       "bad text %u: got %d:%d: %s; want %d:%d: "
			       "...%s...",
			       i, err.line, err.col, err.msg, bad_texts[i].line,
			       bad_texts[i].col, bad_texts[i].msg);
		}
		free(p);
	}
}

/* Text that fills memory past its limits, built line by line. */
static void test_text_limits(void)
{
	static struct nept_scenario s;
	static char t[NEPT_TEXT_MAX];
	struct nept_error err;
	size_t n = 0;
	unsigned i;

	n += (size_t)snprintf(t + n, sizeof(t) - n, HDR EV);
	for (i = 0; i < NEPT_MAX_PAGES; i++)
		n += (size_t)snprintf(t + n, sizeof(t) - n, "page 0x%x\n",
				      0x1000 * (i + 1));
	EXPECT(scenario_parse_text(t, n, &s, &err) &&
		       s.mem.npages == NEPT_MAX_PAGES,
	       "%d pages rejected: %s", NEPT_MAX_PAGES, err.msg);
	n += (size_t)snprintf(t + n, sizeof(t) - n, "page 0x100000\n");
	EXPECT(!scenario_parse_text(t, n, &s, &err) &&
		       err.line == NEPT_MAX_PAGES + 3 && err.col == 6 &&
		       strstr(err.msg, "memory full"),
	       "page beyond the limit: %d:%d: %s", err.line, err.col, err.msg);

	n = (size_t)snprintf(t, sizeof(t), HDR EV);
	for (i = 0; i < NEPT_MAX_QWORDS; i++)
		n += (size_t)snprintf(t + n, sizeof(t) - n,
				      "entry 0x1000[%u] 1\n", i);
	EXPECT(scenario_parse_text(t, n, &s, &err) &&
		       s.mem.nqwords == NEPT_MAX_QWORDS,
	       "%d qwords rejected: %s", NEPT_MAX_QWORDS, err.msg);
	n += (size_t)snprintf(t + n, sizeof(t) - n, "qword 0x2000 1\n");
	EXPECT(!scenario_parse_text(t, n, &s, &err) &&
		       err.line == NEPT_MAX_QWORDS + 3 && err.col == 7 &&
		       strstr(err.msg, "memory full"),
	       "qword beyond the limit: %d:%d: %s", err.line, err.col, err.msg);
}

/*
 * Every scenario_check rule, broken on its own in a legal scenario: the
 * check must fail, with the rule's message.
 */
/* Appends a memory expectation to e. */
static void add_mem(struct nept_event *e, uint8_t kind, uint16_t index,
		    uint64_t addr, uint64_t value)
{
	e->expect_mem[e->nexpect_mem++] = (struct nept_expect_mem){
		.kind = kind, .index = index, .addr = addr, .value = value
	};
}

static void break_rule(unsigned rule, struct nept_scenario *s)
{
	struct nept_event *e = &s->event[0];
	struct nept_expect *x = &e->expect;

	switch (rule) {
	case 0:
		s->caps |= 1u << 10;
		break;
	case 1:
		s->l1_maxphyaddr = 31;
		break;
	case 2:
		s->l1_maxphyaddr = 53;
		break;
	case 3:
		s->reserved = 1;
		break;
	case 4:
		s->eptp |= 1ull << 46;
		break;
	case 5:
		s->mem.npages = NEPT_MAX_PAGES + 1;
		break;
	case 6:
		s->mem.page[0] |= 8;
		break;
	case 7:
		s->mem.page[1] = s->mem.page[0];
		break;
	case 8:
		s->mem.qword[0].gpa |= 4;
		break;
	case 9:
		s->mem.qword[1].gpa = s->mem.qword[0].gpa;
		break;
	case 10:
		s->mem.qword[0].val = 0;
		break;
	case 11:
		s->mem.npages = 1;
		break;
	case 12:
		s->nevents = 0;
		break;
	case 13:
		s->nevents = NEPT_MAX_EVENTS + 1;
		break;
	case 14:
		e->source = NEPT_SRC_COUNT;
		break;
	case 15:
		e->access = NEPT_ACC_COUNT;
		break;
	case 16:
		e->flags = NEPT_AF_IMPLICIT;
		break;
	case 17:
		e->reserved1 = 1;
		break;
	case 18:
		x->fields = 0, x->kind = 0, x->reason = 0, x->gpa = 1;
		break;
	case 19:
		x->fields |= 1u << 8;
		break;
	case 20:
		x->fields &= (uint16_t)~NEPT_EXPECT_KIND;
		break;
	case 21:
		x->kind = NEPT_OUT_UNSUPPORTED;
		break;
	case 22:
		x->fields |= NEPT_EXPECT_VECTOR, x->vector = 14;
		break;
	case 23:
		x->fields &= (uint16_t)~NEPT_EXPECT_REASON, x->reason = 0;
		break;
	case 24:
		x->fields |= NEPT_EXPECT_TRANSLATED;
		break;
	case 25:
		x->kind = NEPT_OUT_NONE,
		x->fields = NEPT_EXPECT_KIND | NEPT_EXPECT_GPA, x->reason = 0;
		break;
	case 26:
		x->fields &= (uint16_t)~NEPT_EXPECT_GLA;
		break;
	case 27:
		e->during = 1 + 2; /* NMI: not a hardware exception */
		break;
	case 28:
		s->l2.paging = NEPT_L2_4LEVEL, e->flags = NEPT_AF_USER;
		e->source = NEPT_SRC_EMULATED;
		break;
	case 29:
		s->l2.paging = NEPT_L2_4LEVEL, e->source = NEPT_SRC_EMULATED;
		e->gpa = 0x1000;
		break;
	case 30:
		/* Hardware did L2's walk: nothing for the flag to change. */
		s->l2.paging = NEPT_L2_4LEVEL, e->flags = NEPT_AF_IMPLICIT;
		break;
	case 31:
		s->l2.paging = NEPT_L2_32BIT, e->gla = 1ull << 32;
		break;
	case 32:
		s->l2.paging = NEPT_L2_4LEVEL, e->gla = 1ull << 47;
		break;
	case 33:
		s->l2.paging = NEPT_L2_PAGING_COUNT;
		break;
	case 34:
		s->l2.cr3 = 0x1000;
		break;
	case 35:
		s->l2.paging = NEPT_L2_4LEVEL, s->l2.cpl = 4;
		break;
	case 36:
		s->l2.paging = NEPT_L2_4LEVEL, s->l2.flags = 1u << 7;
		break;
	case 37:
		s->l2.paging = NEPT_L2_4LEVEL, s->l2.pkru = 1;
		break;
	case 38:
		s->l2.paging = NEPT_L2_PAE, s->l2.cr3 = 0x1000;
		break;
	case 39:
		s->l2.paging = NEPT_L2_PAE, s->l2.pdpte[2] = 0x2003;
		break;
	case 40:
		s->l2.paging = NEPT_L2_4LEVEL, s->l2.pdpte[0] = 0x2001;
		break;
	case 41:
		s->l2.paging = NEPT_L2_4LEVEL, s->l2.cr3 = 0x1008;
		break;
	case 42:
		s->l2.paging = NEPT_L2_32BIT, s->l2.cr3 = 1ull << 32;
		break;
	case 43:
		s->ctl.flags = 1u << 8;
		break;
	case 44:
		s->ctl.flags = NEPT_CTL_VIRTUAL_NMIS;
		break;
	case 45:
		s->ctl.pml_index = 3;
		break;
	case 46:
		s->ctl.flags = NEPT_CTL_PML, s->ctl.pml_address = 0x1010;
		break;
	case 48:
		s->l2.paging = NEPT_L2_4LEVEL, e->source = NEPT_SRC_EMULATED;
		e->flags = NEPT_AF_IMPLICIT, e->access = NEPT_ACC_FETCH;
		break;
	case 49:
		e->source = NEPT_SRC_EMULATED;
		e->exit_reason = NEPT_EXIT_IO_INSTRUCTION, e->during = 1 + 14;
		break;
	case 50:
		e->exit_value = 1;
		break;
	case 51:
		e->source = NEPT_SRC_EMULATED;
		e->exit_reason = NEPT_EXIT_IO_INSTRUCTION, e->exit_vector = 15;
		break;
	case 52:
		e->source = NEPT_SRC_EMULATED;
		e->exit_reason = NEPT_EXIT_EXCEPTION_NMI, e->exit_vector = 33;
		break;
	case 53:
		e->source = NEPT_SRC_EMULATED;
		e->exit_reason = NEPT_EXIT_EXCEPTION_NMI,
		e->exit_vector = 1 + 6;
		e->exit_error_code = 4;
		break;
	case 54:
		e->source = NEPT_SRC_EMULATED;
		e->exit_reason = NEPT_EXIT_CR_ACCESS, e->exit_qual = 0x10;
		e->exit_value = 8;
		break;
	case 55:
		s->ctl.io_bitmap[1] = 0x5000;
		break;
	case 56:
		s->ctl.flags = NEPT_CTL_IO_BITMAPS,
		s->ctl.io_bitmap[0] = 0x5008;
		break;
	case 57:
		s->ctl.cr3_target_count = 1;
		break;
	case 58:
		s->ctl.cr3_target[1] = 0x1000;
		break;
	case 59:
		e->source = NEPT_SRC_EMULATED;
		e->exit_reason = NEPT_EXIT_TRIPLE_FAULT, e->exit_qual = 0x8fc2;
		break;
	case 60:
		e->source = NEPT_SRC_EMULATED;
		e->exit_reason = NEPT_EXIT_EXCEPTION_NMI, e->exit_qual = 0x10;
		e->exit_vector = 1 + 13;
		break;
	/* Memory expectations, each broken alone. */
	case 61:
		e->nexpect_mem = NEPT_MAX_EXPECT_MEM + 1;
		break;
	case 62:
		add_mem(e, NEPT_EXPECT_QWORD, 0, 0, 0);
		e->expect_mem[1].value = 1;
		break;
	case 63:
		add_mem(e, NEPT_EXPECT_QWORD, 0, 0x1004, 0);
		break;
	case 64:
		add_mem(e, NEPT_EXPECT_PML_ENTRY, 3, 0, 0);
		break;
	case 65:
		s->ctl.flags |= NEPT_CTL_PML;
		add_mem(e, NEPT_EXPECT_PML_ENTRY, 512, 0, 0);
		break;
	case 66:
		s->ctl.flags |= NEPT_CTL_PML;
		add_mem(e, NEPT_EXPECT_PML_ENTRY, 0, 0, 0x1008);
		break;
	case 67:
		add_mem(e, 4, 0, 0, 0);
		break;
	case 68:
		/* Slot 2 of a log at 0 is the qword at 0x10. */
		s->ctl.flags |= NEPT_CTL_PML;
		add_mem(e, NEPT_EXPECT_PML_ENTRY, 2, 0, 0);
		add_mem(e, NEPT_EXPECT_QWORD, 0, 0x10, 0);
		break;
	case 47:
		x->vector = 32, x->fields |= NEPT_EXPECT_VECTOR;
		x->kind = NEPT_OUT_EXCEPTION;
		x->fields &= (uint16_t)~NEPT_EXPECT_REASON, x->reason = 0;
		break;
	/* Facts §13: the vm-entry event and its fields. */
	case 69:
		s->nevents = 2;
		e->source = NEPT_SRC_VM_ENTRY;
		break;
	case 70:
		e->source = NEPT_SRC_VM_ENTRY;
		e->gpa = 0x5000;
		break;
	case 71:
		x->kind = NEPT_OUT_VMFAIL;
		x->fields = NEPT_EXPECT_KIND, x->reason = 0, x->gla = 0;
		break;
	case 72:
		e->source = NEPT_SRC_VM_ENTRY;
		x->kind = NEPT_OUT_EXCEPTION;
		x->fields = NEPT_EXPECT_KIND, x->reason = 0, x->gla = 0;
		break;
	case 73:
		s->entry.cr0 = 1;
		break;
	case 74:
		e->source = NEPT_SRC_VM_ENTRY;
		s->entry.msr_count = NEPT_MAX_MSR_LOAD + 1;
		break;
	case 75:
		e->source = NEPT_SRC_VM_ENTRY;
		s->entry.flags = NEPT_ENF_INJECT_NMI;
		s->entry.activity = 1;
		break;
	case 76:
		e->source = NEPT_SRC_VM_ENTRY;
		s->entry.efer = 0x500;
		break;
	case 77:
		e->source = NEPT_SRC_VM_ENTRY;
		s->entry.msr_addr = 0x5000;
		break;
	case 78:
		s->eptp |= 1ull << 7;
		break;
	case 79:
		e->source = NEPT_SRC_VM_ENTRY;
		x->kind = NEPT_OUT_VMFAIL, x->reason = 0, x->gla = 0;
		x->fields = NEPT_EXPECT_KIND | NEPT_EXPECT_QUAL, x->qual = 7;
		break;
	case 80:
		s->host_maxphyaddr = (uint8_t)(s->l1_maxphyaddr - 1);
		break;
	case 81:
		s->host_maxphyaddr = 53;
		break;
	case 82:
		s->l0_flags = 2;
		break;
	/* docs/sdm-rules.md §13.3: MSR expectations. */
	case 83:
		add_mem(e, NEPT_EXPECT_MSR, 0, NEPT_MSR_STAR, 1);
		break;
	case 84:
		e->source = NEPT_SRC_VM_ENTRY;
		add_mem(e, NEPT_EXPECT_MSR, 0, NEPT_MSR_SYSENTER_CS, 1);
		break;
	case 85:
		e->source = NEPT_SRC_VM_ENTRY;
		add_mem(e, NEPT_EXPECT_MSR, 0, NEPT_MSR_STAR, 1);
		add_mem(e, NEPT_EXPECT_MSR, 0, NEPT_MSR_STAR, 2);
		break;
	}
}

static const char *const rule_msgs[] = {
	"caps: unknown bits 0x400",
	"l1-maxphyaddr 31: outside 32..52",
	"l1-maxphyaddr 53",
	"reserved fields must be 0",
	"eptp: bits 63:MAXPHYADDR",
	"memory: more than 64 pages",
	"page 0x1008: not 4-KiB aligned",
	"pages not sorted and unique",
	"qword 0x1004: not 8-byte aligned",
	"qwords not sorted and unique",
	"zero qwords are not stored",
	"qword 0x5000: its page is not backed",
	"no events",
	"more than 8 events",
	"event 1: unknown source",
	"event 1: unknown access",
	"implicit needs L2 paging",
	"event 1: reserved fields",
	"no expectation, yet a value is set",
	"expect: unknown fields",
	"always names the outcome kind",
	"kind must be none, exit, exception or vmfail",
	"vector and error-code need an exception",
	"a reason is expected for an exit",
	"translated belongs to none",
	"qual, gpa and gla need an exit or exception",
	"a field not expected must be 0",
	"during: a hardware exception vector",
	"with L2 paging the walk decides paging",
	"with L2 paging the walk finds the gpa",
	"implicit needs L2 paging",
	"gla beyond 32 bits outside 64-bit mode",
	"gla not canonical",
	"l2: unknown paging mode 5",
	"l2: with paging off every other field is 0",
	"l2: cpl 4: outside 0..3",
	"l2: unknown flags 0x80",
	"l2: pkru without pke",
	"l2: cr3 with PAE paging",
	"l2: pdpte 2 has reserved bits",
	"l2: pdpte without PAE paging",
	"l2: cr3 0x1008: not 4-KiB aligned",
	"l2: cr3 0x100000000: beyond",
	"controls: unknown flags 0x100",
	"controls: virtual-nmis needs nmi-exiting",
	"controls: pml-index and pml-address without pml",
	"controls: pml-address 0x1010: not 4-KiB aligned",
	"vector: 0..31",
	"implicit accesses are data accesses",
	"during needs an exit event delivery can cause",
	"exit-vector, exit-error-code and exit-value belong to emulated",
	"exit-vector (0-31) needs exit=exception-nmi",
	"exit-vector (0-31) needs exit=exception-nmi",
	"exit-error-code needs an exit-vector that pushes one",
	"exit-value is the source operand of a MOV to CR",
	"controls: io-bitmap-b without io-bitmaps",
	"controls: io-bitmap-a 0x5008: not 4-KiB aligned",
	"controls: cr3-target-count 1: L1 is offered no CR3-target",
	"controls: cr3-target1 beyond cr3-target-count",
	"exit-qual: a triple fault, an EPT misconfiguration",
	"exit-qual: a triple fault, an EPT misconfiguration",
	"more than 4 memory expectations",
	"an unused memory expectation must be 0",
	"expect qword: an 8-aligned L1-physical address",
	"expect pml-entry: PML is off",
	"expect pml-entry: a slot 0..511",
	"expect pml-entry: a slot 0..511 and a page-aligned GPA",
	"unknown memory expectation",
	"two memory expectations for one qword",
	"event 1: vm-entry must be the last event",
	"event 1: vm-entry is no access",
	"event 1: expect vmfail belongs to vm-entry events",
	"expect exception to the others",
	"vm-entry fields without a vm-entry event",
	"vm-entry: msr-load-count 17: at most 16",
	"inject-nmi and sti-blocking need activity state 0",
	"vm-entry: efer needs load-efer",
	"vm-entry: msr-load-addr needs a msr-load-count",
	"with an invalid EPTP the only event is a vm-entry",
	"a vmfail reports its error number only",
	"host-maxphyaddr 45: outside l1-maxphyaddr (46)..52",
	"host-maxphyaddr 53",
	"host: unknown L0 flags 0x2",
	"expect msr: only after a vm-entry",
	"expect msr: one of STAR, LSTAR",
	"two expectations for one MSR",
};

static void test_check_rules(void)
{
	static struct nept_scenario base, s;
	struct nept_error err;
	unsigned i;

	scenario_init(&base);
	scenario_set_qword(&base, 0x1000, 0x2007);
	scenario_set_qword(&base, 0x5000, 0x6007);
	base.nevents = 1;
	base.event[0].expect = (struct nept_expect){
		.fields =
			NEPT_EXPECT_KIND | NEPT_EXPECT_REASON | NEPT_EXPECT_GLA,
		.kind = NEPT_OUT_EXIT,
		.reason = NEPT_EXIT_EPT_VIOLATION,
		.gla = 0x1234,
	};
	EXPECT(scenario_check(&base, &err), "base scenario illegal: %s",
	       err.msg);
	for (i = 0; i < sizeof(rule_msgs) / sizeof(rule_msgs[0]); i++) {
		s = base;
		break_rule(i, &s);
		memset(&err, 0x55, sizeof(err));
		EXPECT(!scenario_check(&s, &err) && err.line == 0 &&
			       err.col == 0 && strstr(err.msg, rule_msgs[i]),
		       "rule %u: got '%s', want '%s'", i,
		       scenario_check(&s, &err) ? "legal" : err.msg,
		       rule_msgs[i]);
	}
}

/* Fields a legal scenario never has still come out as written. */
static void test_write_illegal(void)
{
	static struct nept_scenario s;
	static char t[NEPT_TEXT_MAX];
	struct nept_error err;

	one_event(&s, 0);
	s.eptp = 0x181e; /* bit 11 set: only the raw form says so */
	EXPECT(scenario_write_text(&s, t, sizeof(t)) &&
		       strstr(t, "\neptp 0x181e\n") &&
		       !scenario_parse_text(t, strlen(t), &s, &err) &&
		       strstr(err.msg, "eptp: bits 11:7 are reserved"),
	       "raw eptp: %s", t);
	one_event(&s, 0);
	s.eptp = 0x2024; /* memory type 4 (WT): key form with a number */
	EXPECT(scenario_write_text(&s, t, sizeof(t)) &&
		       strstr(t, "\neptp root=0x2000 walk=5 ad=0 mt=4\n") &&
		       !scenario_parse_text(t, strlen(t), &s, &err) &&
		       err.line == 5 && strstr(err.msg, "eptp: memory type"),
	       "eptp with mt=4: %d: %s\n%s", err.line, err.msg, t);
	/* An entry's comment names its bits, the rest as other=. */
	one_event(&s, 0);
	scenario_set_qword(&s, 0x1000, 0x8000000000002ff7ull);
	EXPECT(scenario_write_text(&s, t, sizeof(t)) &&
		       strstr(t, "entry 0x1000[0] 0x8000000000002ff7  # R W X "
				 "mt=6 ipat ps A D XU other=0x8000000000000800 "
				 "-> 0x2000\n"),
	       "entry comment:\n%s", t);
}

/* Worked examples of docs/scenario-format.md, byte for byte. */
static const char example_walk[] =
	"neptfuzz-scenario 1\n"
	"# A 4-level walk for gpa 0x12345678 whose PTE is execute-only:\n"
	"# a read is an EPT violation (facts §5.1, §6.1).\n"
	"caps default\n"
	"eptp root=0x1000 walk=4 ad=0 mt=wb\n"
	"l2 paging=4level cr3=0x100000  # the GLA is L2's, not the GPA\n"
	"entry 0x1000[0] 0x2007        # PML4E: RWX -> PDPT at 0x2000\n"
	"entry 0x2000[0] 0x3007        # PDPTE: RWX -> PD at 0x3000\n"
	"entry 0x3000[0x91] 0x4007     # PDE: RWX -> PT at 0x4000\n"
	"entry 0x4000[0x145] 0x50034   # PTE: X only, WB -> page 0x50000\n"
	"\n"
	"event hw-violation read gpa=0x12345678 gla=0x401678 hw-qual=0x181\n"
	"expect exit ept-violation qual=0x1a1 gpa=0x12345678 gla=0x401678\n";

static const char example_2m[] =
	"neptfuzz-scenario 1\n"
	"# A 2-MiB leaf with memory type 2 (reserved): misconfiguration\n"
	"# (facts §4 item 4), qualification 0 (facts §4).\n"
	"caps exec-only 2m 1g walk4 ad adv-info wb\n"
	"l1-maxphyaddr 39\n"
	"eptp 0x101e\n"
	"entry 0x1000[0] 0x2007\n"
	"qword 0x2000 0x3007\n"
	"entry 0x3000[17] 0x200097     # PDE: RWX mt=2 ps -> 0x200000\n"
	"\n"
	"event hw-misconfig read gpa=0x2345678\n"
	"expect exit ept-misconfig qual=0 gpa=0x2345678\n";

static const char example_io[] =
	"neptfuzz-scenario 1\n"
	"# INS to a page L1 maps read-only: KVM's emulator writes for L2\n"
	"# while the current exit is the I/O instruction (facts §5.2, §6).\n"
	"# L2 paging is off, so the linear address is the GPA and the\n"
	"# access is user-mode and writable (facts §8.3).\n"
	"caps default adv-info\n"
	"eptp root=0x1000 walk=4\n"
	"entry 0x1000[0] 0x2007\n"
	"entry 0x2000[0] 0x3007\n"
	"entry 0x3000[0] 0x4007\n"
	"entry 0x4000[0x10] 0x7031     # PTE: R only, WB -> 0x7000\n"
	"\n"
	"event emulated write gpa=0x10040 exit=io-instruction "
	"exit-qual=0x600018\n"
	"expect exit ept-violation qual=0x78a gpa=0x10040 gla=0x10040\n";

static bool parse_ok(const char *src, struct nept_scenario *s)
{
	struct nept_error err = { 0 };

	return EXPECT(scenario_parse_text(src, strlen(src), s, &err),
		      "example rejected: %d:%d: %s", err.line, err.col,
		      err.msg);
}

static void test_examples(void)
{
	static struct nept_scenario s, want;
	struct nept_event *e = &want.event[0];

	scenario_init(&want);
	want.l2.paging = NEPT_L2_4LEVEL;
	want.l2.cr3 = 0x100000;
	scenario_set_qword(&want, 0x1000, 0x2007);
	scenario_set_qword(&want, 0x2000, 0x3007);
	scenario_set_qword(&want, 0x3000 + 0x91 * 8, 0x4007);
	scenario_set_qword(&want, 0x4000 + 0x145 * 8, 0x50034);
	want.nevents = 1;
	*e = (struct nept_event){ .source = NEPT_SRC_HW_VIOLATION,
				  .access = NEPT_ACC_READ,
				  .gpa = 0x12345678,
				  .gla = 0x401678,
				  .hw_qual = 0x181 };
	e->expect = (struct nept_expect){
		.fields = NEPT_EXPECT_KIND | NEPT_EXPECT_REASON |
			  NEPT_EXPECT_QUAL | NEPT_EXPECT_GPA | NEPT_EXPECT_GLA,
		.kind = NEPT_OUT_EXIT,
		.reason = NEPT_EXIT_EPT_VIOLATION,
		.qual = 0x1a1,
		.gpa = 0x12345678,
		.gla = 0x401678,
	};
	EXPECT(parse_ok(example_walk, &s) && scenario_equal(&s, &want),
	       "4-level walk example parsed to another scenario");

	scenario_init(&want);
	want.caps |= NEPT_CAP_ADV_INFO;
	want.l1_maxphyaddr = 39;
	scenario_set_qword(&want, 0x1000, 0x2007);
	scenario_set_qword(&want, 0x2000, 0x3007);
	scenario_set_qword(&want, 0x3000 + 17 * 8, 0x200097);
	want.nevents = 1;
	*e = (struct nept_event){ .source = NEPT_SRC_HW_MISCONFIG,
				  .access = NEPT_ACC_READ,
				  .gpa = 0x2345678 };
	e->expect = (struct nept_expect){
		.fields = NEPT_EXPECT_KIND | NEPT_EXPECT_REASON |
			  NEPT_EXPECT_QUAL | NEPT_EXPECT_GPA,
		.kind = NEPT_OUT_EXIT,
		.reason = NEPT_EXIT_EPT_MISCONFIG,
		.gpa = 0x2345678,
	};
	EXPECT(parse_ok(example_2m, &s) && scenario_equal(&s, &want),
	       "2-MiB example parsed to another scenario");

	scenario_init(&want);
	want.caps |= NEPT_CAP_ADV_INFO;
	scenario_set_qword(&want, 0x1000, 0x2007);
	scenario_set_qword(&want, 0x2000, 0x3007);
	scenario_set_qword(&want, 0x3000, 0x4007);
	scenario_set_qword(&want, 0x4000 + 0x10 * 8, 0x7031);
	want.nevents = 1;
	*e = (struct nept_event){ .source = NEPT_SRC_EMULATED,
				  .access = NEPT_ACC_WRITE,
				  .exit_reason = NEPT_EXIT_IO_INSTRUCTION,
				  .gpa = 0x10040,
				  .exit_qual = 0x600018 };
	e->expect = (struct nept_expect){
		.fields = NEPT_EXPECT_KIND | NEPT_EXPECT_REASON |
			  NEPT_EXPECT_QUAL | NEPT_EXPECT_GPA | NEPT_EXPECT_GLA,
		.kind = NEPT_OUT_EXIT,
		.reason = NEPT_EXIT_EPT_VIOLATION,
		.qual = 0x78a,
		.gpa = 0x10040,
		.gla = 0x10040,
	};
	EXPECT(parse_ok(example_io, &s) && scenario_equal(&s, &want),
	       "I/O example parsed to another scenario");
}

/* Caps lists, the eptp key form, names and numbers, CRLF line ends. */
static void test_text_forms(void)
{
	static struct nept_scenario s;

	EXPECT(parse_ok(HDR "caps default -ad mbec walk5 -walk5\n" EV, &s) &&
		       s.caps == ((NEPT_CAPS_DEFAULT & ~NEPT_CAP_AD) |
				  NEPT_CAP_MBEC),
	       "caps left to right");
	EXPECT(parse_ok(HDR "caps wb walk4\n" EV, &s) &&
		       s.caps == (NEPT_CAP_WB | NEPT_CAP_WALK4),
	       "caps start from the empty set");
	EXPECT(parse_ok(HDR EV, &s) && s.caps == NEPT_CAPS_DEFAULT &&
		       s.eptp == 0x101e &&
		       s.l1_maxphyaddr == NEPT_MAXPHYADDR_DEFAULT,
	       "defaults without caps, eptp, l1-maxphyaddr");
	EXPECT(parse_ok(HDR "caps default walk5 uc\n"
			    "eptp mt=uc ad=1 walk=5 root=0x7000\n" EV,
			&s) &&
		       s.eptp == (0x7000 | 4 << 3 | 1 << 6 | 0),
	       "eptp key form");
	EXPECT(parse_ok(HDR "eptp mt=6\n" EV, &s) && s.eptp == 0x101e, "eptp "
								       "mt as "
								       "a "
								       "numbe"
								       "r");
	EXPECT(parse_ok(HDR "event emulated read gpa=0X1A exit=30 exit-qual=7\n"
			    "event emulated read gpa=26 exit=io-instruction "
			    "exit-qual=0x7\n",
			&s) &&
		       s.nevents == 2 &&
		       s.event[0].exit_reason == NEPT_EXIT_IO_INSTRUCTION &&
		       s.event[0].gpa == 26 && s.event[1].gpa == 26 &&
		       s.event[1].exit_reason == NEPT_EXIT_IO_INSTRUCTION,
	       "exit by name and number, hex and decimal");
	EXPECT(parse_ok("# comments and blank lines first\n\n" HDR EV, &s) &&
		       s.nevents == 1,
	       "magic after comments");
	EXPECT(parse_ok("neptfuzz-scenario 1\r\n  \t# x\r\n"
			"event hw-violation read gpa=1#c\r\n",
			&s) &&
		       s.event[0].gpa == 1,
	       "CRLF, indentation and comments right after a token");
	EXPECT(parse_ok(HDR "page 0x5000\nentry 0x5000[3] 0\n" EV, &s) &&
		       s.mem.npages == 1 && s.mem.nqwords == 0,
	       "a zero entry backs its page and stores nothing");
	EXPECT(parse_ok(HDR EV "expect none translated=0\n", &s) &&
		       s.event[0].expect.fields ==
			       (NEPT_EXPECT_KIND | NEPT_EXPECT_TRANSLATED) &&
		       s.event[0].expect.kind == NEPT_OUT_NONE,
	       "expect none translated=0 keeps the field");
	EXPECT(parse_ok(HDR EV "expect exception gla=0x10\n", &s) &&
		       s.event[0].expect.kind == NEPT_OUT_EXCEPTION &&
		       s.event[0].expect.gla == 0x10,
	       "expect exception");
}

/* Names: the tables the text format, JSON and reports share. */
static void test_names(void)
{
	static const char *const exits[] = {
		"exception-nmi",  "triple-fault",   "task-switch",
		"cr-access",	  "io-instruction", "entry-fail-guest",
		"entry-fail-msr", "gdtr-idtr",	    "ldtr-tr",
		"ept-violation",  "ept-misconfig",  "pml-full",
	};
	static const unsigned reasons[] = { 0,	2,  9,	28, 30, 33,
					    34, 46, 47, 48, 49, 62 };
	unsigned i, n;

	for (i = 0; i < 12; i++) {
		const char *name = nept_exit_reason_name(reasons[i]);

		EXPECT(name && !strcmp(name, exits[i]) &&
			       nept_exit_reason_by_name(exits[i],
							strlen(exits[i])) ==
				       (int)reasons[i],
		       "exit name %s", exits[i]);
	}
	EXPECT(!nept_exit_reason_name(1) &&
		       nept_exit_reason_by_name("ept", 3) == -1,
	       "unnamed exits");
	EXPECT(!strcmp(nept_source_name(NEPT_SRC_EMULATED), "emulated") &&
		       !strcmp(nept_access_name(NEPT_ACC_FETCH), "fetch"),
	       "source and access names");
	for (n = 0; nept_cap_names[n].name; n++)
		;
	EXPECT(n == 10, "%u cap names", n);
	for (n = 0; nept_access_flag_names[n].name; n++)
		;
	EXPECT(n == 8, "%u flag names", n);
	for (n = 0; nept_l2_flag_names[n].name; n++)
		;
	EXPECT(n == 7, "%u L2 flag names", n);
	for (n = 0; nept_ctl_flag_names[n].name; n++)
		;
	EXPECT(n == 8, "%u control flag names", n);
}

int main(void)
{
	test_names();
	test_mem();
	test_bin_edges();
	test_bin_errors();
	test_path();
	test_bad_texts();
	test_text_limits();
	test_check_rules();
	test_write_illegal();
	test_text_forms();
	test_examples();
	test_round_trips();
	test_random_bytes();
	printf("%u passed, %u failed\n", passed, failed);
	return failed != 0;
}
