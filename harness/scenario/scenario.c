// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scenario: defaults, sparse L1 memory, canonical form, the legality
 * rules both decoders and the generator share, and the names the text
 * format, JSON and reports use.
 */
#include "scenario.h"
#include "arch.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define PAGE_MASK 0xfffull
#define GPA_LIMIT (1ull << 52) /* facts §3.1: GPAs are at most 52 bits */

void scenario_init(struct nept_scenario *s)
{
	/* All but the memory arrays, which are most of the struct and are
	 * read only up to their counts: every decode starts here. */
	memset(s, 0, offsetof(struct nept_scenario, mem));
	s->mem.npages = 0;
	s->mem.nqwords = 0;
	memset(&s->nevents, 0,
	       sizeof(*s) - offsetof(struct nept_scenario, nevents));
	s->caps = NEPT_CAPS_DEFAULT;
	s->l1_maxphyaddr = NEPT_MAXPHYADDR_DEFAULT;
	/* Root 0x1000, walk length 4 (bits 5:3 = 3), memory type WB: valid
	 * with the default caps (facts §1). */
	s->eptp = 0x1000 | 3 << 3 | 6;
}

/*
 * Binary searches: the index of key, or where it would be inserted.  Both
 * arrays are kept sorted, so the walkers' reads are O(log n).
 */
static unsigned page_index(const struct nept_mem *m, uint64_t page)
{
	unsigned lo = 0, hi = m->npages;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (m->page[mid] < page)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static unsigned qword_index(const struct nept_mem *m, uint64_t gpa)
{
	unsigned lo = 0, hi = m->nqwords;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (m->qword[mid].gpa < gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool page_backed(const struct nept_mem *m, uint64_t gpa)
{
	unsigned i = page_index(m, gpa & ~PAGE_MASK);

	return i < m->npages && m->page[i] == (gpa & ~PAGE_MASK);
}

static bool mem_add_page(struct nept_mem *m, uint64_t gpa)
{
	uint64_t page = gpa & ~PAGE_MASK;
	unsigned i = page_index(m, page);

	if (i < m->npages && m->page[i] == page)
		return true;
	if (m->npages == NEPT_MAX_PAGES)
		return false;
	if (i < m->npages) /* not at the end: make room */
		memmove(&m->page[i + 1], &m->page[i],
			(m->npages - i) * sizeof(m->page[0]));
	m->page[i] = page;
	m->npages++;
	return true;
}

bool scenario_add_page(struct nept_scenario *s, uint64_t gpa)
{
	return mem_add_page(&s->mem, gpa);
}

bool nept_mem_read(const struct nept_mem *m, uint64_t gpa, uint64_t *val)
{
	unsigned i;

	gpa &= ~7ull;
	i = qword_index(m, gpa);
	if (i < m->nqwords && m->qword[i].gpa == gpa) {
		/* A stored qword lies in a backed page (scenario_check, and
		 * nept_mem_write stores none elsewhere): one search, not two,
		 * for most of the walkers' reads. */
		*val = m->qword[i].val;
		return true;
	}
	*val = 0;
	return page_backed(m, gpa);
}

bool nept_mem_write(struct nept_mem *m, uint64_t gpa, uint64_t val)
{
	unsigned i;
	bool found;

	gpa &= ~7ull;
	if (!page_backed(m, gpa))
		return false;
	i = qword_index(m, gpa);
	found = i < m->nqwords && m->qword[i].gpa == gpa;
	if (found && val) {
		m->qword[i].val = val;
	} else if (found) {
		/* A zero qword is not stored: memory stays canonical. */
		m->nqwords--;
		memmove(&m->qword[i], &m->qword[i + 1],
			(m->nqwords - i) * sizeof(m->qword[0]));
	} else if (val) {
		if (m->nqwords == NEPT_MAX_QWORDS)
			return false;
		if (i < m->nqwords) /* not at the end: make room */
			memmove(&m->qword[i + 1], &m->qword[i],
				(m->nqwords - i) * sizeof(m->qword[0]));
		m->qword[i].gpa = gpa;
		m->qword[i].val = val;
		m->nqwords++;
	}
	return true;
}

bool scenario_set_qword(struct nept_scenario *s, uint64_t gpa, uint64_t val)
{
	if (gpa & 7)
		return false;
	return mem_add_page(&s->mem, gpa) && nept_mem_write(&s->mem, gpa, val);
}

static bool check_mem(const struct nept_mem *m, struct nept_error *err);

/*
 * Canonical memory from arrays filled in any order: insertion sorts (they
 * are stable, so of two qwords at one address the later wins, as a second
 * write would), then duplicates and zeros go and every qword's page is
 * backed if there is room (scenario_check rejects it otherwise).
 */
static void mem_normalize(struct nept_mem *m)
{
	unsigned i, j, n;

	/* Memory the legality check accepts is canonical already (what the
	 * decoder and nept_mem_write build): checking is cheaper than
	 * sorting again. */
	if (check_mem(m, NULL))
		return;
	for (i = 1; i < m->npages; i++) {
		uint64_t p = m->page[i];

		for (j = i; j > 0 && m->page[j - 1] > p; j--)
			m->page[j] = m->page[j - 1];
		m->page[j] = p;
	}
	for (i = n = 0; i < m->npages; i++)
		if (n == 0 || m->page[n - 1] != m->page[i])
			m->page[n++] = m->page[i];
	m->npages = n;

	for (i = 1; i < m->nqwords; i++) {
		struct nept_qword q = m->qword[i];

		for (j = i; j > 0 && m->qword[j - 1].gpa > q.gpa; j--)
			m->qword[j] = m->qword[j - 1];
		m->qword[j] = q;
	}
	for (i = n = 0; i < m->nqwords; i++) {
		if (n > 0 && m->qword[n - 1].gpa == m->qword[i].gpa)
			m->qword[n - 1] = m->qword[i];
		else
			m->qword[n++] = m->qword[i];
	}
	for (i = j = 0; i < n; i++)
		if (m->qword[i].val)
			m->qword[j++] = m->qword[i];
	m->nqwords = j;

	for (i = 0; i < m->nqwords; i++)
		mem_add_page(m, m->qword[i].gpa);
}

void scenario_normalize(struct nept_scenario *s)
{
	mem_normalize(&s->mem);
	scenario_normalize_events(s);
}

void scenario_normalize_events(struct nept_scenario *s)
{
	/* An exception exit without its vector is a #PF (what the first
	 * scenarios meant by exit=exception-nmi; facts §15.2). */
	for (unsigned i = 0; i < s->nevents && i < NEPT_MAX_EVENTS; i++)
		if (s->event[i].source == NEPT_SRC_EMULATED &&
		    s->event[i].exit_reason == NEPT_EXIT_EXCEPTION_NMI &&
		    !s->event[i].exit_vector)
			s->event[i].exit_vector = 1 + 14;
}

void scenario_clear_derived(struct nept_scenario *s)
{
	if (s->l2.paging != NEPT_L2_OFF) {
		/* hw_gpa_beyond_host: what the processor's walk can reach. */
		for (unsigned i = 0; i < s->nevents && i < NEPT_MAX_EVENTS;
		     i++) {
			struct nept_event *e = &s->event[i];
			/* Any byte as the host's width: legality comes
			 * after. */
			unsigned w = nept_hw_walk_width(s, e);

			if (e->source == NEPT_SRC_HW_VIOLATION && w < 64)
				e->gpa &= (1ull << w) - 1;
			/* bad_rip, stray_rip: RIP in L2's mode, on a
			 * hw-violation. */
			if (e->source != NEPT_SRC_HW_VIOLATION)
				e->has_rip = 0, e->rip = 0;
			else
				e->rip = nept_l2_linear(s->l2.paging, e->rip);
		}
		return;
	}
	for (unsigned i = 0; i < s->nevents && i < NEPT_MAX_EVENTS; i++) {
		s->event[i].gla = 0;
		s->event[i].flags &= (uint8_t)~NEPT_AF_PAGING_OFF_DERIVED;
		s->event[i].has_rip = 0;
		s->event[i].rip = 0;
	}
}

/* Facts §1: EPTP fields and the capabilities each value needs. */
const char *nept_eptp_invalid(uint32_t caps, unsigned maxphyaddr, uint64_t eptp)
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
	if (eptp & nept_bits(11, 7))
		return "bits 11:7 are reserved";
	if (maxphyaddr < 64 && (eptp & nept_bits(63, maxphyaddr)))
		return "bits 63:MAXPHYADDR are reserved";
	return NULL;
}

static bool fail(struct nept_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return false;
	err->line = 0;
	err->col = 0;
	err->offset = -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return false;
}

/*
 * Per-event rules: each names what it forbids and why.  They prune
 * combinations no CPU can produce, and keep fields an event does not use
 * at 0 so each scenario has exactly one binary and one text encoding.
 */
struct event_rule {
	bool (*broken)(const struct nept_scenario *s,
		       const struct nept_event *e);
	const char *why;
};

static bool has(const struct nept_event *e, unsigned flags)
{
	return (e->flags & flags) == flags;
}

static bool bad_source(const struct nept_scenario *s,
		       const struct nept_event *e)
{
	(void)s;
	return e->source >= NEPT_SRC_COUNT;
}

static bool bad_access(const struct nept_scenario *s,
		       const struct nept_event *e)
{
	(void)s;
	return e->access >= NEPT_ACC_COUNT;
}

static bool reserved_set(const struct nept_scenario *s,
			 const struct nept_event *e)
{
	(void)s;
	return e->reserved1 || e->has_rip > 1 || (!e->has_rip && e->rip);
}

/* An instruction at L2's RIP is what KVM's emulator decodes for an access
 * the processor's own walk of L2's tables made (facts §14). */
static bool stray_rip(const struct nept_scenario *s, const struct nept_event *e)
{
	return e->has_rip && (e->source != NEPT_SRC_HW_VIOLATION ||
			      s->l2.paging == NEPT_L2_OFF);
}

/* RIP is a linear address of L2's mode: canonical in IA-32e mode, 32 bits
 * wide otherwise (SDM 3.3.7.1). */
static bool bad_rip(const struct nept_scenario *s, const struct nept_event *e)
{
	return e->has_rip && nept_l2_linear(s->l2.paging, e->rip) != e->rip;
}

/*
 * The vectors hardware delivers as hardware exceptions (interruption type
 * 3, SDM Vol. 3 Table 6-1): not NMI (2, its own type), #BP and #OF (3, 4:
 * software exceptions from INT3/INTO), 9 (never generated) and the
 * reserved 15 and 22-31.
 */
#define HW_EXCEPTION_VECTORS 0x003f7de3u

static bool bad_during(const struct nept_scenario *s,
		       const struct nept_event *e)
{
	(void)s;
	return e->during && (e->during > 32 ||
			     !(HW_EXCEPTION_VECTORS & (1u << (e->during - 1))));
}

/* SDM 27.2.4: exits that can interrupt event delivery (IDT-vectoring
 * valid) are those the delivery itself causes. */
static bool during_impossible_exit(const struct nept_scenario *s,
				   const struct nept_event *e)
{
	(void)s;
	if (!e->during || e->source != NEPT_SRC_EMULATED)
		return false;
	switch (e->exit_reason) {
	case NEPT_EXIT_EXCEPTION_NMI:
	case NEPT_EXIT_TASK_SWITCH:
	case NEPT_EXIT_EPT_VIOLATION:
	case NEPT_EXIT_EPT_MISCONFIG:
	case NEPT_EXIT_PML_FULL:
		return false;
	}
	return true;
}

static bool implicit_fetch(const struct nept_scenario *s,
			   const struct nept_event *e)
{
	(void)s;
	return has(e, NEPT_AF_IMPLICIT) && e->access == NEPT_ACC_FETCH;
}

static bool walk_flags_given(const struct nept_scenario *s,
			     const struct nept_event *e)
{
	return nept_walks_l2(s, e) && (e->flags & NEPT_AF_FROM_L2_WALK);
}

static bool walk_gpa_given(const struct nept_scenario *s,
			   const struct nept_event *e)
{
	return nept_walks_l2(s, e) && e->gpa;
}

static bool implicit_without_walk(const struct nept_scenario *s,
				  const struct nept_event *e)
{
	return has(e, NEPT_AF_IMPLICIT) && !nept_walks_l2(s, e);
}

static bool gla_beyond_32(const struct nept_scenario *s,
			  const struct nept_event *e)
{
	return (s->l2.paging == NEPT_L2_32BIT || s->l2.paging == NEPT_L2_PAE) &&
	       e->gla >> 32;
}

static bool gla_not_canonical(const struct nept_scenario *s,
			      const struct nept_event *e)
{
	unsigned bits = s->l2.paging == NEPT_L2_5LEVEL	 ? 57
			: s->l2.paging == NEPT_L2_4LEVEL ? 48
							 : 0;
	int64_t v = (int64_t)e->gla;

	return bits && (v >> (bits - 1)) != 0 && (v >> (bits - 1)) != -1;
}

static bool ad_without_paging(const struct nept_scenario *s,
			      const struct nept_event *e)
{
	(void)s;
	return has(e, NEPT_AF_SETS_AD) && !has(e, NEPT_AF_PAGING);
}

static bool no_gla_without_paging(const struct nept_scenario *s,
				  const struct nept_event *e)
{
	(void)s;
	return has(e, NEPT_AF_NO_GLA) && !has(e, NEPT_AF_PAGING);
}

static bool no_gla_sets_ad(const struct nept_scenario *s,
			   const struct nept_event *e)
{
	(void)s;
	return has(e, NEPT_AF_NO_GLA | NEPT_AF_SETS_AD);
}

static bool walk_read_not_read(const struct nept_scenario *s,
			       const struct nept_event *e)
{
	(void)s;
	return has(e, NEPT_AF_PAGING) && !has(e, NEPT_AF_SETS_AD) &&
	       e->access != NEPT_ACC_READ;
}

static bool ad_not_write(const struct nept_scenario *s,
			 const struct nept_event *e)
{
	(void)s;
	return has(e, NEPT_AF_SETS_AD) && e->access != NEPT_ACC_WRITE;
}

static bool gpa_beyond_52(const struct nept_scenario *s,
			  const struct nept_event *e)
{
	(void)s;
	return e->gpa >= GPA_LIMIT;
}

static bool gpa_beyond_4level(const struct nept_scenario *s,
			      const struct nept_event *e)
{
	return ((s->eptp >> 3) & 7) == 3 && e->gpa >= 1ull << 48;
}

/* Facts §6.4, §8.3: with CR0.PG = 0 the linear address is the GPA, every
 * address is user-mode and writable and none execute-disable, and there
 * are no guest paging structures: nothing of that is given. */
static bool paging_off_given(const struct nept_scenario *s,
			     const struct nept_event *e)
{
	return s->l2.paging == NEPT_L2_OFF &&
	       (e->gla || (e->flags & NEPT_AF_PAGING_OFF_DERIVED));
}

static bool stray_hw_qual(const struct nept_scenario *s,
			  const struct nept_event *e)
{
	(void)s;
	return e->hw_qual && e->source != NEPT_SRC_HW_VIOLATION;
}

static bool stray_exit(const struct nept_scenario *s,
		       const struct nept_event *e)
{
	(void)s;
	return (e->exit_reason || e->exit_qual) &&
	       e->source != NEPT_SRC_EMULATED;
}

static bool stray_exit_info(const struct nept_scenario *s,
			    const struct nept_event *e)
{
	(void)s;
	return (e->exit_vector || e->exit_error_code || e->exit_value) &&
	       e->source != NEPT_SRC_EMULATED;
}

static bool bad_exit_vector(const struct nept_scenario *s,
			    const struct nept_event *e)
{
	(void)s;
	if (!e->exit_vector)
		return false;
	return e->exit_reason != NEPT_EXIT_EXCEPTION_NMI || e->exit_vector > 32;
}

static bool stray_exit_error_code(const struct nept_scenario *s,
				  const struct nept_event *e)
{
	(void)s;
	return e->exit_error_code &&
	       (!e->exit_vector ||
		!nept_vector_has_error_code(e->exit_vector - 1u));
}

/* Facts §15.4: only a MOV to CR (access type 0 in qualification bits
 * 5:4) has a source operand in a register. */
static bool stray_exit_value(const struct nept_scenario *s,
			     const struct nept_event *e)
{
	(void)s;
	return e->exit_value && (e->exit_reason != NEPT_EXIT_CR_ACCESS ||
				 ((e->exit_qual >> 4) & 3) != 0);
}

/* SDM 27.2.1: a triple fault, an EPT misconfiguration and an exception
 * other than #DB or #PF save no exit qualification (the field is
 * cleared), so vmcs02 holds 0 there. */
static bool stray_exit_qual(const struct nept_scenario *s,
			    const struct nept_event *e)
{
	(void)s;
	return e->exit_qual && e->source == NEPT_SRC_EMULATED &&
	       !nept_exit_saves_qual(e->exit_reason, e->exit_vector);
}

/* Facts §13.1: a failed entry leaves no L2 to run (and what a successful
 * one changes, the MSRs it loads, is not carried to later events). */
static bool vm_entry_not_last(const struct nept_scenario *s,
			      const struct nept_event *e)
{
	return e->source == NEPT_SRC_VM_ENTRY && e != nept_vm_entry_event(s);
}

/* A vm-entry event is L1's VMLAUNCH/VMRESUME, no access of L2's: its
 * fields are in the scenario's entry. */
static bool vm_entry_access(const struct nept_scenario *s,
			    const struct nept_event *e)
{
	(void)s;
	return e->source == NEPT_SRC_VM_ENTRY &&
	       (e->access || e->flags || e->during || e->gpa || e->gla);
}

/* Facts §13.1: only VMLAUNCH/VMRESUME fails with VMfail; a VM entry
 * never delivers an exception to L2 of its own (its event injection is
 * not modelled). */
static bool expect_kind_of_source(const struct nept_scenario *s,
				  const struct nept_event *e)
{
	(void)s;
	if (!e->expect.fields)
		return false;
	if (e->source == NEPT_SRC_VM_ENTRY)
		return e->expect.kind == NEPT_OUT_EXCEPTION;
	return e->expect.kind == NEPT_OUT_VMFAIL;
}

/* Facts §14: the processor walks L2's tables with its own width, so an
 * address its walk reached is below it (a wider entry is a reserved-bit
 * #PF the processor raises itself, no EPT violation). */
static bool hw_gpa_beyond_host(const struct nept_scenario *s,
			       const struct nept_event *e)
{
	if (e->source != NEPT_SRC_HW_VIOLATION || s->l2.paging == NEPT_L2_OFF)
		return false;
	return e->gpa >> nept_hw_walk_width(s, e);
}

static const struct event_rule event_rules[] = {
	{ bad_source, "unknown source" },
	{ vm_entry_not_last, "vm-entry must be the last event: after a failed "
			     "entry there is no L2 to run (facts §13.1)" },
	{ vm_entry_access, "vm-entry is no access: access read, no flags, "
			   "gpa, gla or during" },
	{ expect_kind_of_source, "expect vmfail belongs to vm-entry events, "
				 "expect exception to the others (facts "
				 "§13.1)" },
	{ bad_access, "unknown access" },
	{ reserved_set, "reserved fields must be 0" },
	{ bad_during, "during: a hardware exception vector (0, 1, 5-8, "
		      "10-14, 16-21)" },
	{ during_impossible_exit, "during needs an exit event delivery can "
				  "cause: exception-nmi, task-switch, "
				  "ept-violation, ept-misconfig, pml-full" },
	{ implicit_fetch, "implicit accesses are data accesses, never "
			  "fetches (facts §8.1)" },
	{ walk_flags_given, "with L2 paging the walk decides paging, sets-ad, "
			    "user, writable, xd and no-gla (facts §8.3); only "
			    "hw-violation events name them" },
	{ walk_gpa_given, "with L2 paging the walk finds the gpa (facts "
			  "§8.3); only hw-violation events name it" },
	{ implicit_without_walk, "implicit needs L2 paging and a source other "
				 "than hw-violation: it changes L2's walk "
				 "(facts §8.1)" },
	{ gla_beyond_32, "gla beyond 32 bits outside 64-bit mode (32-bit and "
			 "PAE paging)" },
	{ gla_not_canonical, "gla not canonical for the paging mode (a #GP, "
			     "not a page walk)" },
	{ ad_without_paging, "sets-ad needs paging: only guest "
			     "paging-structure entries have A/D flags (facts "
			     "§5.4)" },
	{ no_gla_without_paging, "no-gla needs paging: only a PDPTE load has "
				 "no linear address (facts §7.1)" },
	{ no_gla_sets_ad, "no-gla excludes sets-ad: a PDPTE load never writes "
			  "A/D flags (facts §5.2)" },
	{ walk_read_not_read, "paging without sets-ad is a walk read, so the "
			      "access is read (facts §5.2)" },
	{ ad_not_write, "sets-ad is a write to the guest entry, so the access "
			"is write (facts §5.4)" },
	{ gpa_beyond_52, "gpa beyond 52 bits: no guest-physical address is "
			 "that wide (facts §3.1)" },
	{ gpa_beyond_4level, "gpa at or above 2^48 with a 4-level EPTP: the "
			     "walk uses only bits 47:0 (facts §3.1)" },
	{ hw_gpa_beyond_host, "hw-violation with L2 paging: the processor's "
			      "walk reaches no gpa at or above 2^host "
			      "MAXPHYADDR (2^32 for a PDPTE load, facts "
			      "§14)" },
	{ paging_off_given, "L2 paging off (CR0.PG = 0) decides gla (= gpa), "
			    "user, writable, xd, paging, sets-ad and no-gla: "
			    "none is given (facts §6.4, §8.3)" },
	{ stray_hw_qual, "hw-qual belongs to hw-violation events only" },
	{ stray_rip, "rip belongs to hw-violation events with L2 paging on "
		     "(facts §14)" },
	{ bad_rip, "rip is a linear address of L2's mode: canonical with "
		   "4-level (48 bits) or 5-level (57 bits) paging, below 2^32 "
		   "otherwise" },
	{ stray_exit, "exit and exit-qual belong to emulated events only" },
	{ stray_exit_info, "exit-vector, exit-error-code and exit-value "
			   "belong to emulated events only" },
	{ bad_exit_vector, "exit-vector (0-31) needs exit=exception-nmi" },
	{ stray_exit_error_code, "exit-error-code needs an exit-vector that "
				 "pushes one (8, 10-14, 17, 21)" },
	{ stray_exit_value, "exit-value is the source operand of a MOV to CR: "
			    "exit=cr-access with access type 0 (facts "
			    "§15.4)" },
	{ stray_exit_qual, "exit-qual: a triple fault, an EPT "
			   "misconfiguration and an exception other than #DB "
			   "or #PF save none (SDM 27.2.1: the field is "
			   "cleared)" },
};

/*
 * Expectations: the outcome kinds the SDM can produce, and only the fields
 * that kind reports, so the text format (expect exit|none|exception)
 * expresses every legal expectation.
 */
struct expect_rule {
	bool (*broken)(const struct nept_expect *x);
	const char *why;
};

static bool x_empty_not_zero(const struct nept_expect *x)
{
	return !x->fields &&
	       (x->kind || x->vector || x->error_code || x->reason || x->qual ||
		x->gpa || x->gla || x->translated);
}

static bool x_bad_fields(const struct nept_expect *x)
{
	return x->fields & ~NEPT_EXPECT_ALL;
}

static bool x_no_kind(const struct nept_expect *x)
{
	return x->fields && !(x->fields & NEPT_EXPECT_KIND);
}

static bool x_bad_kind(const struct nept_expect *x)
{
	return x->kind != NEPT_OUT_NONE && x->kind != NEPT_OUT_EXIT &&
	       x->kind != NEPT_OUT_EXCEPTION && x->kind != NEPT_OUT_VMFAIL;
}

/* Facts §10.3: a vector is reported by an exception delivered to L2 or an
 * exit for one (reason 0); facts §13.1: a VMfail's error number is its
 * error code. */
static bool x_vector_misplaced(const struct nept_expect *x)
{
	bool exc = x->kind == NEPT_OUT_EXCEPTION ||
		   (x->kind == NEPT_OUT_EXIT &&
		    x->reason == NEPT_EXIT_EXCEPTION_NMI);

	if (x->kind == NEPT_OUT_VMFAIL)
		return x->fields & NEPT_EXPECT_VECTOR;
	return (x->fields & (NEPT_EXPECT_VECTOR | NEPT_EXPECT_ERROR_CODE)) &&
	       !exc;
}

/* A VMfail reports its error number and nothing else. */
static bool x_vmfail_fields(const struct nept_expect *x)
{
	return x->kind == NEPT_OUT_VMFAIL &&
	       (x->fields & ~(NEPT_EXPECT_KIND | NEPT_EXPECT_ERROR_CODE));
}

static bool x_bad_vector(const struct nept_expect *x)
{
	return x->vector > 31;
}

static bool x_reason_mismatch(const struct nept_expect *x)
{
	return !(x->fields & NEPT_EXPECT_REASON) != (x->kind != NEPT_OUT_EXIT);
}

static bool x_translated_not_none(const struct nept_expect *x)
{
	return (x->fields & NEPT_EXPECT_TRANSLATED) && x->kind != NEPT_OUT_NONE;
}

static bool x_report_on_none(const struct nept_expect *x)
{
	return (x->fields &
		(NEPT_EXPECT_QUAL | NEPT_EXPECT_GPA | NEPT_EXPECT_GLA)) &&
	       x->kind == NEPT_OUT_NONE;
}

static bool x_unset_not_zero(const struct nept_expect *x)
{
	return (!(x->fields & NEPT_EXPECT_REASON) && x->reason) ||
	       (!(x->fields & NEPT_EXPECT_QUAL) && x->qual) ||
	       (!(x->fields & NEPT_EXPECT_GPA) && x->gpa) ||
	       (!(x->fields & NEPT_EXPECT_GLA) && x->gla) ||
	       (!(x->fields & NEPT_EXPECT_TRANSLATED) && x->translated) ||
	       (!(x->fields & NEPT_EXPECT_VECTOR) && x->vector) ||
	       (!(x->fields & NEPT_EXPECT_ERROR_CODE) && x->error_code);
}

/* Order matters: the first rules make the later ones meaningful. */
static const struct expect_rule expect_rules[] = {
	{ x_empty_not_zero, "no expectation, yet a value is set" },
	{ x_bad_fields, "unknown fields" },
	{ x_no_kind, "an expectation always names the outcome kind" },
	{ x_bad_kind, "kind must be none, exit, exception or vmfail" },
	{ x_vmfail_fields, "a vmfail reports its error number only "
			   "(error-code)" },
	{ x_vector_misplaced, "vector and error-code need an exception or an "
			      "exit for one (exception-nmi, facts §10.3)" },
	{ x_bad_vector, "vector: 0..31" },
	{ x_reason_mismatch, "a reason is expected for an exit, and only "
			     "there" },
	{ x_translated_not_none, "translated belongs to none: only an access "
				 "that went on reaches an address" },
	{ x_report_on_none, "qual, gpa and gla need an exit or exception: "
			    "nothing else reports them" },
	{ x_unset_not_zero, "a field not expected must be 0" },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static bool check_mem(const struct nept_mem *m, struct nept_error *err)
{
	unsigned i, pg = 0;

	if (m->npages > NEPT_MAX_PAGES || m->nqwords > NEPT_MAX_QWORDS)
		return fail(err, "memory: more than %d pages or %d qwords",
			    NEPT_MAX_PAGES, NEPT_MAX_QWORDS);
	for (i = 0; i < m->npages; i++) {
		uint64_t p = m->page[i];

		if (p & PAGE_MASK)
			return fail(err, "page 0x%llx: not 4-KiB aligned",
				    (unsigned long long)p);
		if (p >= GPA_LIMIT)
			return fail(err,
				    "page 0x%llx: beyond 52 bits, no "
				    "guest-physical address is that wide "
				    "(facts §3.1)",
				    (unsigned long long)p);
		/* Binary search needs it; one encoding per scenario. */
		if (i && m->page[i - 1] >= p)
			return fail(err,
				    "page 0x%llx: pages not sorted and unique "
				    "(scenario_normalize)",
				    (unsigned long long)p);
	}
	for (i = 0; i < m->nqwords; i++) {
		const struct nept_qword *q = &m->qword[i];

		if (q->gpa & 7)
			return fail(err, "qword 0x%llx: not 8-byte aligned",
				    (unsigned long long)q->gpa);
		if (i && m->qword[i - 1].gpa >= q->gpa)
			return fail(err,
				    "qword 0x%llx: qwords not sorted and "
				    "unique (scenario_normalize)",
				    (unsigned long long)q->gpa);
		if (!q->val)
			return fail(err,
				    "qword 0x%llx: zero qwords are not stored "
				    "(scenario_normalize)",
				    (unsigned long long)q->gpa);
		/* Also keeps qwords below 2^52, as their pages are.  Both
		 * arrays are sorted (checked above and here), so one pass
		 * over the pages finds every qword's: a binary search per
		 * qword was a quarter of decoding, which checks memory twice
		 * (scenario_normalize, scenario_check). */
		while (pg < m->npages && m->page[pg] < (q->gpa & ~PAGE_MASK))
			pg++;
		if (pg == m->npages || m->page[pg] != (q->gpa & ~PAGE_MASK))
			return fail(err, "qword 0x%llx: its page is not backed",
				    (unsigned long long)q->gpa);
	}
	return true;
}

/* Facts §8.2, §7.4: the PDPTE-register rules a VM entry checks (bits 2:1,
 * 8:5 and 63:M reserved in a present PDPTE). */
static bool pdpte_invalid(uint64_t v, unsigned maxphyaddr)
{
	uint64_t rsvd = 0x6ull | 0x1e0ull | ~((1ull << maxphyaddr) - 1);

	return (v & 1) && (v & rsvd);
}

static bool check_l2(const struct nept_scenario *s, struct nept_error *err)
{
	const struct nept_l2 *l2 = &s->l2;
	static const struct nept_l2 off;
	unsigned i;

	if (l2->paging >= NEPT_L2_PAGING_COUNT)
		return fail(err, "l2: unknown paging mode %u", l2->paging);
	/* One encoding per scenario: nothing else matters without paging. */
	if (l2->paging == NEPT_L2_OFF)
		return memcmp(l2, &off, sizeof(off)) == 0 ||
		       fail(err, "l2: with paging off every other field is 0");
	if (l2->cpl > 3)
		return fail(err, "l2: cpl %u: outside 0..3", l2->cpl);
	if (l2->flags & ~NEPT_L2F_ALL)
		return fail(err, "l2: unknown flags 0x%x",
			    l2->flags & ~NEPT_L2F_ALL);
	if (!(l2->flags & NEPT_L2F_PKE) && l2->pkru)
		return fail(err, "l2: pkru without pke is never read");
	if (l2->paging == NEPT_L2_PAE) {
		if (l2->cr3)
			return fail(err, "l2: cr3 with PAE paging: with EPT "
					 "the "
					 "walk starts from the PDPTE registers "
					 "(facts §8.3), so cr3 is 0");
		for (i = 0; i < 4; i++)
			if (pdpte_invalid(l2->pdpte[i], s->l1_maxphyaddr))
				return fail(err,
					    "l2: pdpte %u has reserved bits "
					    "set: VM entry fails (facts §7.4)",
					    i);
		return true;
	}
	for (i = 0; i < 4; i++)
		if (l2->pdpte[i])
			return fail(err, "l2: pdpte without PAE paging");
	if (l2->cr3 & PAGE_MASK)
		return fail(err, "l2: cr3 0x%llx: not 4-KiB aligned",
			    (unsigned long long)l2->cr3);
	if (l2->cr3 >> s->l1_maxphyaddr ||
	    (l2->paging == NEPT_L2_32BIT && l2->cr3 >> 32))
		return fail(err,
			    "l2: cr3 0x%llx: beyond what the paging mode "
			    "and MAXPHYADDR address",
			    (unsigned long long)l2->cr3);
	return true;
}

static bool check_controls(const struct nept_scenario *s,
			   struct nept_error *err)
{
	const struct nept_controls *c = &s->ctl;

	if (c->flags & ~NEPT_CTL_ALL)
		return fail(err, "controls: unknown flags 0x%x",
			    c->flags & ~NEPT_CTL_ALL);
	/* SDM 26.2.1.1: virtual NMIs need NMI exiting, else VM entry
	 * fails. */
	if ((c->flags & NEPT_CTL_VIRTUAL_NMIS) &&
	    !(c->flags & NEPT_CTL_NMI_EXITING))
		return fail(err, "controls: virtual-nmis needs nmi-exiting "
				 "(VM entry would fail)");
	/* Facts §15.3: the I/O bitmaps are 4-KiB pages L1 names. */
	for (unsigned i = 0; i < 2; i++) {
		if (!(c->flags & NEPT_CTL_IO_BITMAPS) && c->io_bitmap[i])
			return fail(err,
				    "controls: io-bitmap-%c without "
				    "io-bitmaps is never read",
				    'a' + i);
		if ((c->io_bitmap[i] & PAGE_MASK) ||
		    c->io_bitmap[i] >> s->l1_maxphyaddr)
			return fail(err,
				    "controls: io-bitmap-%c 0x%llx: not 4-KiB "
				    "aligned or beyond MAXPHYADDR (VM entry "
				    "would fail)",
				    'a' + i,
				    (unsigned long long)c->io_bitmap[i]);
	}
	/* Facts §15.4: the CR3-target count is at most what IA32_VMX_MISC
	 * bits 24:16 offer L1 (the SDM's limit is 4), and those past the
	 * count are never read.  The L1 of these scenarios is offered none,
	 * as KVM offers it (nested_vmx_setup_misc_data): any count fails VM
	 * entry. */
	if (c->cr3_target_count > 0)
		return fail(err,
			    "controls: cr3-target-count %llu: L1 is "
			    "offered no CR3-target values (IA32_VMX_MISC "
			    "bits 24:16 = 0; VM entry would fail)",
			    (unsigned long long)c->cr3_target_count);
	for (unsigned i = (unsigned)c->cr3_target_count; i < 4; i++)
		if (c->cr3_target[i])
			return fail(err,
				    "controls: cr3-target%u beyond "
				    "cr3-target-count is never read",
				    i);
	if (!(c->flags & NEPT_CTL_PML))
		return (!c->pml_index && !c->pml_address) ||
		       fail(err, "controls: pml-index and pml-address "
				 "without pml are never read");
	if ((c->pml_address & PAGE_MASK) || c->pml_address >> s->l1_maxphyaddr)
		return fail(err,
			    "controls: pml-address 0x%llx: not 4-KiB aligned "
			    "or beyond MAXPHYADDR (VM entry would fail)",
			    (unsigned long long)c->pml_address);
	return true;
}

static const char *expect_mem_broken(const struct nept_scenario *s,
				     const struct nept_event *e);

/* The vm-entry event's fields (facts §13): all 0 without one, so each
 * scenario has one encoding. */
static bool check_entry(const struct nept_scenario *s, struct nept_error *err)
{
	static const struct nept_vmentry zero;
	const struct nept_vmentry *en = &s->entry;

	if (!nept_vm_entry_event(s)) {
		if (memcmp(en, &zero, sizeof(zero)))
			return fail(err, "vm-entry fields without a vm-entry "
					 "event");
		return true;
	}
	if (en->flags & ~NEPT_ENF_ALL)
		return fail(err, "vm-entry: unknown flags 0x%x",
			    en->flags & ~NEPT_ENF_ALL);
	if (en->reserved)
		return fail(err, "vm-entry: reserved fields must be 0");
	if (en->msr_count > NEPT_MAX_MSR_LOAD)
		return fail(err, "vm-entry: msr-load-count %u: at most %d",
			    en->msr_count, NEPT_MAX_MSR_LOAD);
	/* SDM 26.3.1.5 ties event injection and interruptibility to the
	 * activity state in ways facts §13.2 does not cover: kept apart. */
	if ((en->flags & (NEPT_ENF_INJECT_NMI | NEPT_ENF_STI_BLOCKING)) &&
	    en->activity)
		return fail(err, "vm-entry: inject-nmi and sti-blocking need "
				 "activity state 0 (active)");
	if (!(en->flags & NEPT_ENF_LOAD_EFER) && en->efer)
		return fail(err, "vm-entry: efer needs load-efer");
	if (!(en->flags & NEPT_ENF_LOAD_PAT) && en->pat)
		return fail(err, "vm-entry: pat needs load-pat");
	if (!(en->flags & NEPT_ENF_LOAD_DEBUG) && (en->debugctl || en->dr7))
		return fail(err, "vm-entry: debugctl and dr7 need load-debug");
	if (!en->msr_count && en->msr_addr)
		return fail(err, "vm-entry: msr-load-addr needs a "
				 "msr-load-count");
	return true;
}

bool scenario_check(const struct nept_scenario *s, struct nept_error *err)
{
	const char *why;
	unsigned i, r;

	if (s->caps & ~NEPT_CAP_ALL)
		return fail(err, "caps: unknown bits 0x%x",
			    s->caps & ~NEPT_CAP_ALL);
	if (s->l1_maxphyaddr < NEPT_MAXPHYADDR_MIN ||
	    s->l1_maxphyaddr > NEPT_MAXPHYADDR_MAX)
		return fail(err, "l1-maxphyaddr %u: outside %d..%d",
			    s->l1_maxphyaddr, NEPT_MAXPHYADDR_MIN,
			    NEPT_MAXPHYADDR_MAX);
	/* Facts §14: the processor's width is at least the guest's (KVM
	 * gives a guest no more than the host has). */
	if (s->host_maxphyaddr && (s->host_maxphyaddr < s->l1_maxphyaddr ||
				   s->host_maxphyaddr > NEPT_MAXPHYADDR_MAX))
		return fail(err,
			    "host-maxphyaddr %u: outside l1-maxphyaddr "
			    "(%u)..%d (facts §14)",
			    s->host_maxphyaddr, s->l1_maxphyaddr,
			    NEPT_MAXPHYADDR_MAX);
	if (s->l0_flags & ~NEPT_L0F_ALL)
		return fail(err, "host: unknown L0 flags 0x%x",
			    s->l0_flags & ~NEPT_L0F_ALL);
	if (s->reserved)
		return fail(err, "reserved fields must be 0");
	if (!check_mem(&s->mem, err))
		return false;
	if (!check_l2(s, err) || !check_controls(s, err))
		return false;
	if (s->nevents == 0)
		return fail(err, "no events: a scenario runs at least one");
	if (s->nevents > NEPT_MAX_EVENTS)
		return fail(err, "more than %d events", NEPT_MAX_EVENTS);
	/* Facts §1, §13.1: an invalid EPTP fails the VM entry that would run
	 * L2 (VMfailValid), so only a vm-entry event can follow it. */
	why = nept_eptp_invalid(s->caps, s->l1_maxphyaddr, s->eptp);
	if (why && (s->nevents != 1 || !nept_vm_entry_event(s)))
		return fail(err,
			    "eptp: %s; with an invalid EPTP the only event "
			    "is a vm-entry (it fails, facts §13.1)",
			    why);
	if (!check_entry(s, err))
		return false;
	for (i = 0; i < s->nevents; i++) {
		const struct nept_event *e = &s->event[i];

		for (r = 0; r < ARRAY_SIZE(event_rules); r++)
			if (event_rules[r].broken(s, e))
				return fail(err, "event %u: %s", i + 1,
					    event_rules[r].why);
		for (r = 0; r < ARRAY_SIZE(expect_rules); r++)
			if (expect_rules[r].broken(&e->expect))
				return fail(err, "event %u: expect: %s", i + 1,
					    expect_rules[r].why);
		why = expect_mem_broken(s, e);
		if (why)
			return fail(err, "event %u: %s", i + 1, why);
	}
	return true;
}

uint64_t nept_expect_mem_addr(const struct nept_scenario *s,
			      const struct nept_expect_mem *m)
{
	return m->kind == NEPT_EXPECT_PML_ENTRY
		       ? s->ctl.pml_address + 8ull * m->index
		       : m->addr;
}

/* Memory expectations: a known kind each, their own fields only, a
 * PML entry only with PML and for a page-aligned GPA (facts §7.2 logs
 * bits 11:0 as 0), one expectation per qword, and the unused ones 0. */
static const char *expect_mem_broken(const struct nept_scenario *s,
				     const struct nept_event *e)
{
	static const struct nept_expect_mem zero;

	if (e->nexpect_mem > NEPT_MAX_EXPECT_MEM)
		return "more than 4 memory expectations";
	for (unsigned k = e->nexpect_mem; k < NEPT_MAX_EXPECT_MEM; k++)
		if (memcmp(&e->expect_mem[k], &zero, sizeof(zero)))
			return "an unused memory expectation must be 0";
	for (unsigned k = 0; k < e->nexpect_mem; k++) {
		const struct nept_expect_mem *m = &e->expect_mem[k];

		switch (m->kind) {
		case NEPT_EXPECT_QWORD:
			if (m->index || (m->addr & 7) || m->addr >= GPA_LIMIT)
				return "expect qword: an 8-aligned L1-physical "
				       "address below 2^52, no slot";
			break;
		case NEPT_EXPECT_PML_ENTRY:
			if (!(s->ctl.flags & NEPT_CTL_PML))
				return "expect pml-entry: PML is off";
			if (m->addr || m->index > 511 || (m->value & PAGE_MASK))
				return "expect pml-entry: a slot 0..511 and a "
				       "page-aligned GPA";
			break;
		case NEPT_EXPECT_MSR:
			/* docs/sdm-rules.md §13.3: the MSRs read back. */
			if (e->source != NEPT_SRC_VM_ENTRY)
				return "expect msr: only after a vm-entry";
			if (m->index || m->addr > UINT32_MAX ||
			    !nept_msr_read_back((uint32_t)m->addr, false))
				return "expect msr: one of STAR, LSTAR, CSTAR, "
				       "FMASK, KERNEL_GS_BASE, TSC_AUX, "
				       "SYSENTER_ESP/EIP, PAT, EFER";
			break;
		default:
			return "unknown memory expectation";
		}
		for (unsigned j = 0; j < k; j++)
			if ((e->expect_mem[j].kind == NEPT_EXPECT_MSR) ==
				    (m->kind == NEPT_EXPECT_MSR) &&
			    nept_expect_mem_addr(s, &e->expect_mem[j]) ==
				    nept_expect_mem_addr(s, m))
				return m->kind == NEPT_EXPECT_MSR
					       ? "two expectations for one MSR"
					       : "two memory expectations for "
						 "one qword";
	}
	return NULL;
}

static bool expect_equal(const struct nept_expect *a,
			 const struct nept_expect *b)
{
	return a->fields == b->fields && a->kind == b->kind &&
	       a->vector == b->vector && a->error_code == b->error_code &&
	       a->reason == b->reason && a->qual == b->qual &&
	       a->gpa == b->gpa && a->gla == b->gla &&
	       a->translated == b->translated;
}

static bool event_equal(const struct nept_event *a, const struct nept_event *b)
{
	return a->source == b->source && a->access == b->access &&
	       a->flags == b->flags && a->during == b->during &&
	       a->exit_reason == b->exit_reason &&
	       a->reserved1 == b->reserved1 && a->has_rip == b->has_rip &&
	       a->rip == b->rip && a->gpa == b->gpa && a->gla == b->gla &&
	       a->hw_qual == b->hw_qual && a->exit_qual == b->exit_qual &&
	       a->exit_vector == b->exit_vector &&
	       a->exit_error_code == b->exit_error_code &&
	       a->exit_value == b->exit_value &&
	       expect_equal(&a->expect, &b->expect) &&
	       a->nexpect_mem == b->nexpect_mem &&
	       !memcmp(a->expect_mem, b->expect_mem,
		       a->nexpect_mem * sizeof(a->expect_mem[0]));
}

static bool mem_equal(const struct nept_mem *a, const struct nept_mem *b)
{
	return a->npages == b->npages && a->nqwords == b->nqwords &&
	       !memcmp(a->page, b->page, a->npages * sizeof(a->page[0])) &&
	       !memcmp(a->qword, b->qword, a->nqwords * sizeof(a->qword[0]));
}

bool scenario_equal(const struct nept_scenario *a,
		    const struct nept_scenario *b)
{
	struct nept_mem ma, mb;
	unsigned i;

	if (a->caps != b->caps || a->l1_maxphyaddr != b->l1_maxphyaddr ||
	    a->host_maxphyaddr != b->host_maxphyaddr ||
	    a->l0_flags != b->l0_flags || a->reserved != b->reserved ||
	    a->eptp != b->eptp || a->nevents != b->nevents ||
	    memcmp(&a->l2, &b->l2, sizeof(a->l2)) ||
	    memcmp(&a->ctl, &b->ctl, sizeof(a->ctl)) ||
	    memcmp(&a->entry, &b->entry, sizeof(a->entry)))
		return false;
	for (i = 0; i < a->nevents; i++)
		if (!event_equal(&a->event[i], &b->event[i]))
			return false;

	/* Canonical memory (what the decoder, nept_mem_write and the
	 * mutator's legality check leave) compares in place: copying both
	 * whole nept_mems (9 KB) to normalize them was about 1% of an ASan
	 * fuzz_diff execution: the mutator compares at every step. */
	if (check_mem(&a->mem, NULL) && check_mem(&b->mem, NULL))
		return mem_equal(&a->mem, &b->mem);
	/* The same memory may be listed in another order. */
	nept_mem_copy(&ma, &a->mem);
	nept_mem_copy(&mb, &b->mem);
	mem_normalize(&ma);
	mem_normalize(&mb);
	return mem_equal(&ma, &mb);
}

const char *nept_source_name(unsigned src)
{
	static const char *const names[NEPT_SRC_COUNT] = {
		[NEPT_SRC_VM_ENTRY] = "vm-entry",
		[NEPT_SRC_HW_VIOLATION] = "hw-violation",
		[NEPT_SRC_HW_MISCONFIG] = "hw-misconfig",
		[NEPT_SRC_EMULATED] = "emulated",
	};

	return src < NEPT_SRC_COUNT ? names[src] : "?";
}

const char *nept_access_name(unsigned acc)
{
	static const char *const names[NEPT_ACC_COUNT] = {
		[NEPT_ACC_READ] = "read",
		[NEPT_ACC_WRITE] = "write",
		[NEPT_ACC_FETCH] = "fetch",
	};

	return acc < NEPT_ACC_COUNT ? names[acc] : "?";
}

static const struct {
	const char *name;
	unsigned reason;
} exit_names[] = {
	{ "exception-nmi", NEPT_EXIT_EXCEPTION_NMI },
	{ "triple-fault", NEPT_EXIT_TRIPLE_FAULT },
	{ "task-switch", NEPT_EXIT_TASK_SWITCH },
	{ "cr-access", NEPT_EXIT_CR_ACCESS },
	{ "io-instruction", NEPT_EXIT_IO_INSTRUCTION },
	{ "entry-fail-guest", NEPT_EXIT_ENTRY_FAIL_GUEST },
	{ "entry-fail-msr", NEPT_EXIT_ENTRY_FAIL_MSR },
	{ "gdtr-idtr", NEPT_EXIT_GDTR_IDTR },
	{ "ldtr-tr", NEPT_EXIT_LDTR_TR },
	{ "ept-violation", NEPT_EXIT_EPT_VIOLATION },
	{ "ept-misconfig", NEPT_EXIT_EPT_MISCONFIG },
	{ "pml-full", NEPT_EXIT_PML_FULL },
};

const char *nept_exit_reason_name(unsigned reason)
{
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(exit_names); i++)
		if (exit_names[i].reason == reason)
			return exit_names[i].name;
	return NULL;
}

int nept_exit_reason_by_name(const char *name, size_t len)
{
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(exit_names); i++)
		if (strlen(exit_names[i].name) == len &&
		    !memcmp(exit_names[i].name, name, len))
			return (int)exit_names[i].reason;
	return -1;
}

const struct nept_name_bit nept_cap_names[] = {
	{ "exec-only", NEPT_CAP_EXEC_ONLY },
	{ "2m", NEPT_CAP_PAGE_2M },
	{ "1g", NEPT_CAP_PAGE_1G },
	{ "walk4", NEPT_CAP_WALK4 },
	{ "walk5", NEPT_CAP_WALK5 },
	{ "ad", NEPT_CAP_AD },
	{ "adv-info", NEPT_CAP_ADV_INFO },
	{ "mbec", NEPT_CAP_MBEC },
	{ "uc", NEPT_CAP_UC },
	{ "wb", NEPT_CAP_WB },
	{ NULL, 0 },
};

const struct nept_name_bit nept_access_flag_names[] = {
	{ "paging", NEPT_AF_PAGING },
	{ "sets-ad", NEPT_AF_SETS_AD },
	{ "user", NEPT_AF_USER },
	{ "writable", NEPT_AF_WRITABLE },
	{ "xd", NEPT_AF_XD },
	{ "no-gla", NEPT_AF_NO_GLA },
	{ "nmi-unblock", NEPT_AF_NMI_UNBLOCK },
	{ "implicit", NEPT_AF_IMPLICIT },
	{ NULL, 0 },
};

const struct nept_name_bit nept_l2_flag_names[] = {
	{ "wp", NEPT_L2F_WP },	   { "pse", NEPT_L2F_PSE },
	{ "nxe", NEPT_L2F_NXE },   { "smep", NEPT_L2F_SMEP },
	{ "smap", NEPT_L2F_SMAP }, { "pke", NEPT_L2F_PKE },
	{ "ac", NEPT_L2F_AC },	   { NULL, 0 },
};

#define VMENTRY_QWORD(key, field)                         \
	{                                                 \
		key, offsetof(struct nept_vmentry, field) \
	}
const struct nept_vmentry_qword nept_vmentry_qwords[NEPT_VMENTRY_QWORDS] = {
	VMENTRY_QWORD("cr0", cr0),
	VMENTRY_QWORD("cr3", cr3),
	VMENTRY_QWORD("cr4", cr4),
	VMENTRY_QWORD("efer", efer),
	VMENTRY_QWORD("pat", pat),
	VMENTRY_QWORD("debugctl", debugctl),
	VMENTRY_QWORD("dr7", dr7),
	VMENTRY_QWORD("link", link_ptr),
	VMENTRY_QWORD("pdpte0", pdpte[0]),
	VMENTRY_QWORD("pdpte1", pdpte[1]),
	VMENTRY_QWORD("pdpte2", pdpte[2]),
	VMENTRY_QWORD("pdpte3", pdpte[3]),
	VMENTRY_QWORD("msr-load-addr", msr_addr),
};

const struct nept_name_bit nept_entry_flag_names[] = {
	{ "ia32e", NEPT_ENF_IA32E },
	{ "load-debug", NEPT_ENF_LOAD_DEBUG },
	{ "load-pat", NEPT_ENF_LOAD_PAT },
	{ "load-efer", NEPT_ENF_LOAD_EFER },
	{ "ept", NEPT_ENF_EPT },
	{ "unrestricted", NEPT_ENF_UNRESTRICTED },
	{ "shadow-vmcs", NEPT_ENF_SHADOW_VMCS },
	{ "x2apic", NEPT_ENF_X2APIC },
	{ "inject-nmi", NEPT_ENF_INJECT_NMI },
	{ "sti-blocking", NEPT_ENF_STI_BLOCKING },
	{ NULL, 0 },
};

const struct nept_name_bit nept_ctl_flag_names[] = {
	{ "nmi-exiting", NEPT_CTL_NMI_EXITING },
	{ "virtual-nmis", NEPT_CTL_VIRTUAL_NMIS },
	{ "pml", NEPT_CTL_PML },
	{ "io-exiting", NEPT_CTL_IO_EXITING },
	{ "io-bitmaps", NEPT_CTL_IO_BITMAPS },
	{ "desc-exiting", NEPT_CTL_DESC_EXITING },
	{ "cr3-load-exiting", NEPT_CTL_CR3_LOAD },
	{ "cr3-store-exiting", NEPT_CTL_CR3_STORE },
	{ NULL, 0 },
};

const struct nept_name_bit nept_l0_flag_names[] = {
	{ "allow-smaller-maxphyaddr", NEPT_L0F_ALLOW_SMALLER },
	{ NULL, 0 },
};

const char *nept_l2_paging_name(unsigned paging)
{
	static const char *const names[NEPT_L2_PAGING_COUNT] = {
		[NEPT_L2_OFF] = "off",	     [NEPT_L2_32BIT] = "32bit",
		[NEPT_L2_PAE] = "pae",	     [NEPT_L2_4LEVEL] = "4level",
		[NEPT_L2_5LEVEL] = "5level",
	};

	return paging < NEPT_L2_PAGING_COUNT ? names[paging] : "?";
}
