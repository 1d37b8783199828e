// SPDX-License-Identifier: GPL-2.0-only
#include "diff.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "deviation.h"
#include "model.h"
#include "report.h"

static const char *const field_names[] = {
	"kind",	     "reason", "qualification", "gpa",		 "gla",
	"gla_valid", "vector", "error_code",	"from_hardware", "translated",
	"ad_writes", "warn",   "pml_index",	"msrs",
};

const char *nept_divergence_source(const struct nept_divergence *dv)
{
	static const char *const l2[NEPT_SRC_COUNT] = {
		[NEPT_SRC_HW_VIOLATION] = "hw-violation/l2",
		[NEPT_SRC_HW_MISCONFIG] = "hw-misconfig/l2",
		[NEPT_SRC_EMULATED] = "emulated/l2",
	};

	if (dv->l2walk && dv->source < NEPT_SRC_COUNT)
		return l2[dv->source];
	return nept_source_name(dv->source);
}

const char *nept_field_name(uint32_t field)
{
	for (unsigned b = 0; b < sizeof(field_names) / sizeof(field_names[0]);
	     b++)
		if (field == 1u << b)
			return field_names[b];
	return "?";
}

static void record_walk(const struct model_trace *t, struct nept_walk_pages *w)
{
	memset(w, 0, sizeof(*w));
	for (unsigned k = 0; k < t->l2_nread && k < 5; k++)
		if (t->l2e[k].gpa != MODEL_L2_REGISTER)
			w->table[w->ntables++] = t->l2e[k].gpa & ~0xfffull;
	w->has_final = t->l2_stop == MODEL_L2_OK ||
		       t->l2_stop == MODEL_L2_EPT_FINAL ||
		       t->l2_stop == MODEL_L2_EPT_AD;
	w->final = t->l2_final;
}

static void canonicalize(struct nept_scenario *s, struct nept_result *model,
			 struct nept_walk_pages *walk)
{
	struct model_state st;
	struct nept_result scratch;

	if (!model)
		model = &scratch;
	model_state_init(&st, s);
	model->nevents = s->nevents;
	for (unsigned i = 0; i < s->nevents; i++) {
		struct nept_event *ev = &s->event[i];
		struct nept_event e = nept_effective_event(s, ev);
		struct nept_outcome *o = &model->event[i];
		struct model_trace t;
		uint64_t q;

		/* Facts §14: on a processor wider than L1, a #PF exit's
		 * error code and qualification (CR2) are what the processor's
		 * own walk raises (when it raises one; the model leaves the
		 * event open otherwise). */
		if (model_pf_exit_on_wider_host(s, ev)) {
			uint32_t pfec;

			if (model_processor_pf(s, &st, ev, &pfec)) {
				ev->exit_error_code = pfec;
				ev->exit_qual = e.gla;
			}
		}
		/* The walk runs in sequence, so A/D state carries over. */
		model_run_event(s, &st, ev, o, &t);
		if (walk)
			record_walk(&t, &walk[i]);
		if (ev->source != NEPT_SRC_HW_VIOLATION)
			continue;
		/* What L0's CPU reports for this access (facts §6.5), from
		 * the event as it is with L2's paging state (CR0.PG = 0:
		 * linear = GPA, user-mode and writable, §6.4). */
		q = model_access_bits(s, &e);
		q |= e.hw_qual & ((uint64_t)(t.have & 7) << 3);
		if ((s->caps & NEPT_CAP_MBEC) && (t.have & 8))
			q |= e.hw_qual & QUAL_USER_EXEC;
		if (!(e.flags & NEPT_AF_NO_GLA)) {
			q |= QUAL_GLA_VALID;
			if (!(e.flags & NEPT_AF_PAGING)) {
				/* L0's CPU reports advanced information
				 * whatever L1 was told (§6.4). */
				q |= QUAL_GLA_FINAL | model_linear_bits(&e);
			}
		}
		if (e.flags & NEPT_AF_NMI_UNBLOCK)
			q |= QUAL_NMI_UNBLOCK;
		ev->hw_qual = q;
	}
}

void nept_canonicalize(struct nept_scenario *s, struct nept_result *model)
{
	canonicalize(s, model, NULL);
}

/*
 * One comparison: the scenario and walks it is about (d), and where its
 * divergences go: the diff's own list (against the model, known ones
 * looked up), or a tree-to-tree list (nept_tree_diff).  div NULL: only
 * counted, no text made (choosing the closest of the SDM's outcomes, or
 * of a prediction's, needs the number alone; formatting every candidate's
 * text took the printf family's share of the differential from 8.6% to
 * 11.1%, perf on bench_parts).
 */
struct cmp {
	const struct nept_diff *d;
	unsigned *n;
	struct nept_divergence *div;
	bool known;
	/* Whether m's fault is at the final GPA when its bit 8 does not say
	 * (a prediction whose deviation rewrote bits 7-8); -1: bit 8 says. */
	int m_final;
};

/* One divergence, its detail formatted from fmt (only where kept). */
static void __attribute__((format(printf, 5, 6)))
add(struct cmp *c, const struct nept_impl *impl, unsigned event, uint32_t field,
    const char *fmt, ...)
{
	const struct nept_diff *d = c->d;
	struct nept_divergence *dv;
	va_list ap;

	if (*c->n >= NEPT_MAX_DIVERGENCES)
		return;
	if (!c->div) {
		(*c->n)++;
		return;
	}
	dv = &c->div[(*c->n)++];
	dv->impl = impl;
	dv->event = (uint8_t)event;
	dv->source = d->s.event[event].source;
	dv->l2walk = nept_walks_l2(&d->s, &d->s.event[event]);
	dv->field = field;
	va_start(ap, fmt);
	vsnprintf(dv->detail, sizeof(dv->detail), fmt, ap);
	va_end(ap);
	dv->known = 0; /* decided by the prediction (compare_impl) */
}

/* "+NAME" for bits only the implementation set, "-NAME" for bits it
 * lacks; empty where c only counts. */
static void bits_detail(const struct cmp *c, uint64_t want, uint64_t got,
			uint64_t defined, unsigned nbits,
			const char *(*name_of)(unsigned), char *buf, size_t n)
{
	uint64_t diff = (want ^ got) & defined;
	size_t len = 0;

	buf[0] = 0;
	if (!c->div)
		return;
	for (unsigned b = 0; b < nbits && len < n; b++) {
		const char *name = name_of(b);
		char sign = (got >> b) & 1 ? '+' : '-';

		if (!(diff & (1ull << b)))
			continue;
		if (name)
			len += (size_t)snprintf(buf + len, n - len, "%s%c%s",
						len ? " " : "", sign, name);
		else
			len += (size_t)snprintf(buf + len, n - len, "%s%cbit%u",
						len ? " " : "", sign, b);
	}
}

static void qual_detail(const struct cmp *c, uint64_t want, uint64_t got,
			uint64_t defined, char *buf, size_t n)
{
	bits_detail(c, want, got, defined, 64, nept_qual_bit_name, buf, n);
}

/* "+RSVD -P": error-code bits only one side has (facts §8.1). */
static void pfec_detail(const struct cmp *c, uint32_t want, uint32_t got,
			char *buf, size_t n)
{
	bits_detail(c, want, got, ~0ull, 32, nept_pfec_bit_name, buf, n);
}

/*
 * Qualification bits in the groups facts §6 defines them by: the access
 * (0-2), the EPT permissions (3-6), the guest-linear address (7-8), the
 * advanced information (9-11), NMI unblocking (12), the rest.  One
 * divergence per group, so independent causes keep separate signatures
 * however an input combines them.
 */
static void compare_qual(struct cmp *d, const struct nept_impl *impl,
			 unsigned event, const struct nept_outcome *m,
			 const struct nept_outcome *g)
{
	static const uint64_t groups[] = { 0x7,	  0x78,	  0x180,
					   0xe00, 0x1000, ~0x1fffull };
	uint64_t defined = ~m->qual_undefined;
	char buf[96];

	if (!((m->qual ^ g->qual) & defined))
		return;
	if (!(m->qual & defined) && !m->qual_undefined) {
		/* The SDM says the whole field is 0 (a misconfiguration). */
		add(d, impl, event, NEPT_F_QUAL, "nonzero");
		return;
	}
	for (unsigned i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (!((m->qual ^ g->qual) & defined & groups[i]))
			continue;
		qual_detail(d, m->qual, g->qual, defined & groups[i], buf,
			    sizeof(buf));
		add(d, impl, event, NEPT_F_QUAL, "%s", buf);
	}
}

/* Vector and error code of an exception, delivered or exiting (§10). */
static void compare_exception(struct cmp *d, const struct nept_impl *impl,
			      unsigned event, const struct nept_outcome *m,
			      const struct nept_outcome *g)
{
	uint32_t u = m->undefined;
	char buf[96];

	if (!(u & NEPT_F_VECTOR) && m->vector != g->vector) {
		add(d, impl, event, NEPT_F_VECTOR, "%u->%u", m->vector,
		    g->vector);
		return; /* another exception: its error code says nothing */
	}
	if (u & NEPT_F_ERROR_CODE)
		return;
	if (m->has_error_code != g->has_error_code)
		add(d, impl, event, NEPT_F_ERROR_CODE,
		    g->has_error_code ? "+valid" : "-valid");
	else if (m->error_code != g->error_code && m->vector == 14) {
		pfec_detail(d, m->error_code, g->error_code, buf, sizeof(buf));
		add(d, impl, event, NEPT_F_ERROR_CODE, "%s", buf);
	} else if (m->error_code != g->error_code)
		add(d, impl, event, NEPT_F_ERROR_CODE, "0x%x->0x%x",
		    m->error_code, g->error_code);
}

static bool ad_writes_match(const struct nept_outcome *m,
			    const struct nept_outcome *g)
{
	/* Every required write happened with the same value... */
	for (unsigned i = 0; i < m->n_ad_writes; i++) {
		bool found = m->ad_write[i].optional;

		for (unsigned j = 0; j < g->n_ad_writes; j++)
			if (g->ad_write[j].gpa == m->ad_write[i].gpa &&
			    !((g->ad_write[j].val ^ m->ad_write[i].val) &
			      ~m->ad_write[i].may_bits))
				found = true;
		if (!found)
			return false;
	}
	/* ...and nothing else was written but what the model allows. */
	for (unsigned j = 0; j < g->n_ad_writes; j++) {
		bool allowed = false;

		for (unsigned i = 0; i < m->n_ad_writes; i++)
			if (g->ad_write[j].gpa == m->ad_write[i].gpa &&
			    (g->ad_write[j].val & ~m->ad_write[i].val) == 0)
				allowed = true;
		if (!allowed)
			return false;
	}
	return true;
}

/* The model's outcome carries the misconfiguration rule in its note. */
static void kind_name(const struct nept_outcome *o, bool rule, char *buf,
		      size_t n)
{
	if (o->kind == NEPT_OUT_EXIT && rule && o->note[0])
		snprintf(buf, n, "exit %u (%s)", o->reason, o->note);
	else if (o->kind == NEPT_OUT_EXIT &&
		 o->reason == NEPT_EXIT_EXCEPTION_NMI)
		snprintf(buf, n, "exit 0 vector %u", o->vector);
	else if (o->kind == NEPT_OUT_EXIT)
		snprintf(buf, n, "exit %u", o->reason);
	else if (o->kind == NEPT_OUT_EXCEPTION)
		snprintf(buf, n, "exception vector %u", o->vector);
	else if (o->kind == NEPT_OUT_VMFAIL)
		snprintf(buf, n, "vmfail %u", o->error_code);
	else
		snprintf(buf, n, "%s", nept_outcome_kind_name(o->kind));
}

/*
 * Where an implementation's L2 walk faulted in EPT12, from the GPA it
 * reported and the pages the model's walk used: at a guest entry (a page
 * holding the guest entries read), at the final GPA, or on another page;
 * and whether it reported a write the SDM does not need there (the model
 * reads guest entries, and writes their A/D flags only after the final
 * GPA, facts §8.3; at the final GPA only a write access writes).  Not from
 * bits 7-8, which some versions take from other exits.
 */
enum walk_site {
	SITE_NONE, /* not an EPT exit of an L2 walk */
	SITE_FINAL,
	SITE_ENTRY,
	SITE_OTHER,
};

struct fault_site {
	enum walk_site where;
	bool as_write;
};

static struct fault_site walk_fault_site(const struct nept_diff *d,
					 unsigned event,
					 const struct nept_outcome *g)
{
	const struct nept_event *ev = &d->s.event[event];
	const struct nept_walk_pages *w = &d->walk[event];
	uint64_t page = g->gpa & ~0xfffull;
	struct fault_site f = { SITE_NONE, false };
	bool table = false, final;

	if (!nept_walks_l2(&d->s, ev) || g->kind != NEPT_OUT_EXIT ||
	    (g->reason != NEPT_EXIT_EPT_VIOLATION &&
	     g->reason != NEPT_EXIT_EPT_MISCONFIG))
		return f;
	for (unsigned k = 0; k < w->ntables; k++)
		table |= w->table[k] == page;
	final = w->has_final && (w->final & ~0xfffull) == page;
	/* A page both holds a guest entry and is the final one: the write
	 * a read or fetch reports can only be the guest entry's, and for a
	 * write access read and write together are the entry's
	 * read-modify-write (facts §5.5), not the final GPA's store. */
	if (table && final)
		table = (g->qual & QUAL_WRITE) &&
			(ev->access != NEPT_ACC_WRITE || (g->qual & QUAL_READ));
	f.where = table ? SITE_ENTRY : final ? SITE_FINAL : SITE_OTHER;
	f.as_write = g->reason == NEPT_EXIT_EPT_VIOLATION &&
		     (g->qual & QUAL_WRITE) &&
		     (table || ev->access != NEPT_ACC_WRITE);
	return f;
}

static const char *site_text(struct fault_site f)
{
	static const char *const text[2][4] = {
		{ "", " at the final GPA", " at a guest entry",
		  " on another page" },
		{ "", " at the final GPA as a write",
		  " at a guest entry as a write",
		  " on another page as a write" },
	};

	return text[f.as_write][f.where];
}

/* Another access than the model's faulted: another page, or a guest
 * entry where the model's fault is at the final GPA on the same page. */
static bool other_access(const struct cmp *c, const struct nept_outcome *m,
			 const struct nept_outcome *g, struct fault_site f)
{
	bool final =
		c->m_final >= 0 ? c->m_final : !!(m->qual & QUAL_GLA_FINAL);

	/* The same address names the same access, even where a guest
	 * entry's page is also the final page (tables that map themselves):
	 * then the fields say the rest. */
	if (g->kind != NEPT_OUT_EXIT || g->reason != NEPT_EXIT_EPT_VIOLATION ||
	    m->gpa == g->gpa)
		return false;
	return ((m->gpa ^ g->gpa) & ~0xfffull) ||
	       (final && f.where == SITE_ENTRY);
}

static bool is_pf(const struct nept_outcome *o)
{
	return o->vector == 14 && (o->kind == NEPT_OUT_EXCEPTION ||
				   (o->kind == NEPT_OUT_EXIT &&
				    o->reason == NEPT_EXIT_EXCEPTION_NMI));
}

/*
 * Both raise a #PF (no event in delivery) with different error codes, and
 * the implementation's exit-or-deliver decision is the one facts §10.3
 * gives for its own error code: the decision follows from the error code,
 * which is then the one difference to name.
 */
static bool pf_decision_follows(const struct nept_diff *d, unsigned event,
				const struct nept_outcome *m,
				const struct nept_outcome *g)
{
	const struct nept_controls *c = &d->s.ctl;
	bool bit14 = c->exception_bitmap & (1u << 14), exits;

	if (d->s.event[event].during || !is_pf(m) || !is_pf(g) ||
	    m->error_code == g->error_code || m->kind == g->kind ||
	    (m->undefined & (NEPT_F_KIND | NEPT_F_ERROR_CODE)))
		return false;
	exits = bit14 == ((g->error_code & c->pfec_mask) == c->pfec_match);
	return exits == (g->kind == NEPT_OUT_EXIT);
}

/* "WARN in FUNCTION" from a note "WARN in FUNCTION at FILE:LINE". */
static void warn_name(const struct nept_outcome *o, char *buf, size_t n)
{
	const char *at = strstr(o->note, " at ");

	if (at && !strncmp(o->note, "WARN in ", 8))
		snprintf(buf, n, "%.*s", (int)(at - o->note), o->note);
	else
		snprintf(buf, n, "WARN");
}

/* Each MSR the SDM's entry loaded, as the implementation reads it back
 * (it may read more: MSRs of entries after a failing one). */
static void compare_msrs(struct cmp *c, const struct nept_impl *impl,
			 unsigned event, const struct nept_outcome *m,
			 const struct nept_outcome *g)
{
	for (unsigned i = 0; i < m->n_msrs; i++) {
		const struct nept_msr_value *w = &m->msr[i], *r = NULL;

		for (unsigned k = 0; k < g->n_msrs && !r; k++)
			if (g->msr[k].index == w->index)
				r = &g->msr[k];
		if (r && r->readable == w->readable && r->val == w->val)
			continue;
		add(c, impl, event, NEPT_F_MSRS, "MSR 0x%x %s", w->index,
		    !r		   ? "not read"
		    : !r->readable ? "not readable"
				   : "value");
	}
}

static void compare(struct cmp *c, const struct nept_impl *impl, unsigned event,
		    const struct nept_outcome *m, const struct nept_outcome *g)
{
	const struct nept_diff *d = c->d;
	uint32_t u = m->undefined;
	struct fault_site site = walk_fault_site(d, event, g);
	char buf[160];

	if (g->kind == NEPT_OUT_UNSUPPORTED || u == NEPT_F_ALL)
		return;
	/* A WARN is named by the kernel function it fired in ("WARN in
	 * nested_ept_inject_page_fault"; the note adds file:line, which
	 * moves between versions), so each WARN site is its own signature. */
	if (g->warns) {
		warn_name(g, buf, sizeof(buf));
		/* Against another tree, the same WARN on both is no
		 * difference. */
		if (m->warns) {
			char mw[96];

			warn_name(m, mw, sizeof(mw));
			if (!strcmp(mw, buf))
				buf[0] = 0;
		}
		if (buf[0])
			add(c, impl, event, NEPT_F_WARNS, "%s", buf);
	}
	if (pf_decision_follows(d, event, m, g)) {
		char ec[96];

		pfec_detail(c, m->error_code, g->error_code, ec, sizeof(ec));
		add(c, impl, event, NEPT_F_ERROR_CODE, "%s", ec);
		return;
	}
	if (m->kind != g->kind ||
	    (m->kind == NEPT_OUT_EXIT && m->reason != g->reason)) {
		/* Name the exit that went missing, appeared or changed, with
		 * the SDM rule behind it: "exit 49 (W without R)->none". */
		char a[64] = "", b[64] = "";

		if (c->div) {
			kind_name(m, c->known, a, sizeof(a));
			kind_name(g, false, b, sizeof(b));
		}
		add(c, impl, event,
		    m->kind != g->kind ? NEPT_F_KIND : NEPT_F_REASON,
		    "%s->%s%s", a, b, site_text(site));
		return;
	}
	if (m->kind == NEPT_OUT_EXCEPTION ||
	    (m->kind == NEPT_OUT_EXIT && m->reason == NEPT_EXIT_EXCEPTION_NMI))
		compare_exception(c, impl, event, m, g);
	if (m->kind == NEPT_OUT_EXIT && m->reason == NEPT_EXIT_EXCEPTION_NMI) {
		/* Facts §7.3: a #PF exit's qualification is the linear
		 * address, other exceptions' 0; the address fields are not
		 * written. */
		if (!(u & NEPT_F_QUAL) && m->qual != g->qual)
			add(c, impl, event, NEPT_F_QUAL,
			    m->qual ? "linear address" : "nonzero");
	} else if (m->kind == NEPT_OUT_EXIT &&
		   m->reason == NEPT_EXIT_EPT_VIOLATION && !(u & NEPT_F_GPA) &&
		   other_access(c, m, g, site)) {
		/* The qualification and addresses describe that other
		 * access, so one divergence says it. */
		add(c, impl, event, NEPT_F_GPA, "page%s%s",
		    site.where == SITE_NONE    ? ""
		    : m->qual & QUAL_GLA_FINAL ? ", not the final GPA:"
					       : ", not this guest entry:",
		    site_text(site));
	} else if (m->kind == NEPT_OUT_EXIT &&
		   (m->reason == NEPT_EXIT_ENTRY_FAIL_GUEST ||
		    m->reason == NEPT_EXIT_ENTRY_FAIL_MSR)) {
		/* A failed VM entry's qualification is a number (facts
		 * §7.4): exit 33's failure code; exit 34's 1-based index of
		 * the MSR-load entry that failed, said as later or earlier
		 * (one signature wherever in the list the cause sits).  The
		 * addresses are not written. */
		if (!(u & NEPT_F_QUAL) && m->qual != g->qual) {
			if (m->reason == NEPT_EXIT_ENTRY_FAIL_MSR)
				add(c, impl, event, NEPT_F_QUAL,
				    "failing entry %s",
				    g->qual > m->qual ? "later" : "earlier");
			else
				add(c, impl, event, NEPT_F_QUAL,
				    "code %llu->%llu",
				    (unsigned long long)m->qual,
				    (unsigned long long)g->qual);
		}
	} else if (m->kind == NEPT_OUT_EXIT) {
		compare_qual(c, impl, event, m, g);
		if (!(u & NEPT_F_GPA) && m->gpa != g->gpa) {
			bool same_page = !((m->gpa ^ g->gpa) & ~0xfffull);

			add(c, impl, event, NEPT_F_GPA,
			    same_page ? "page offset" : "page");
		}
		if (!(u & NEPT_F_GLA_VALID) && m->gla_valid != g->gla_valid)
			add(c, impl, event, NEPT_F_GLA_VALID,
			    g->gla_valid ? "+valid" : "-valid");
		if (!(u & NEPT_F_GLA) && m->gla_valid && g->gla_valid &&
		    m->gla != g->gla)
			add(c, impl, event, NEPT_F_GLA, "value");
	} else if (m->kind == NEPT_OUT_EXCEPTION) {
		/* CR2 (facts §10.3: written only when delivered to L2). */
		if (!(u & NEPT_F_GLA) && m->vector == 14 && g->vector == 14 &&
		    m->gla != g->gla)
			add(c, impl, event, NEPT_F_GLA, "cr2");
	} else if (!(u & NEPT_F_TRANSLATED) && m->translated != g->translated) {
		add(c, impl, event, NEPT_F_TRANSLATED, "value");
	}
	/* from_hardware belongs to the injection of EPT exits (7.2's
	 * __kvm_inject_emulated_page_fault): compared only there. */
	if (g->from_hardware >= 0 && m->from_hardware >= 0 &&
	    !(u & NEPT_F_FROM_HW) && m->kind == NEPT_OUT_EXIT &&
	    (m->reason == NEPT_EXIT_EPT_VIOLATION ||
	     m->reason == NEPT_EXIT_EPT_MISCONFIG ||
	     m->reason == NEPT_EXIT_PML_FULL) &&
	    m->from_hardware != g->from_hardware)
		add(c, impl, event, NEPT_F_FROM_HW, "%d->%d", m->from_hardware,
		    g->from_hardware);
	if (!(u & NEPT_F_AD_WRITES) && !ad_writes_match(m, g))
		add(c, impl, event, NEPT_F_AD_WRITES, "differ");
	/* docs/sdm-rules.md §13.3: what the MSR loading left, where the
	 * failing entry (if any) is the same one. */
	if (!(u & NEPT_F_MSRS) && m->qual == g->qual)
		compare_msrs(c, impl, event, m, g);
	/* Facts §7.2: one PML entry per dirty flag set; the guest PML index
	 * L1 reads back says how many were written. */
	if (!(u & NEPT_F_PML_INDEX) && m->pml_index != g->pml_index)
		add(c, impl, event, NEPT_F_PML_INDEX, "%+d entries",
		    (int16_t)(uint16_t)(m->pml_index - g->pml_index));
}

void nept_compare(struct nept_diff *d, const struct nept_impl *impl,
		  unsigned event, const struct nept_outcome *m,
		  const struct nept_outcome *g)
{
	struct cmp c = { d, &d->ndiv, d->div, true, -1 };

	compare(&c, impl, event, m, g);
}

/* The divergences of g against outcome m, into a scratch list (not the
 * diff's), or only counted when out is NULL. */
static unsigned diverges(struct nept_diff *d, const struct nept_impl *impl,
			 unsigned event, const struct nept_outcome *m,
			 const struct nept_outcome *g,
			 struct nept_divergence *out, int m_final)
{
	unsigned n = 0;
	struct cmp c = { d, &n, out, false, m_final };

	compare(&c, impl, event, m, g);
	return n;
}

/* "field detail; field detail" of g against prediction m. */
static void miss_text(struct nept_diff *d, const struct nept_impl *impl,
		      unsigned event, const struct nept_outcome *m, int m_final,
		      const struct nept_outcome *g, char buf[120])
{
	static struct nept_divergence out[NEPT_MAX_DIVERGENCES];
	unsigned n = diverges(d, impl, event, m, g, out, m_final);
	size_t len = 0;

	buf[0] = 0;
	for (unsigned k = 0; k < n && len < 120; k++)
		len += (size_t)snprintf(
			buf + len, 120 - len, "%s%s %s", k ? "; " : "",
			nept_field_name(out[k].field), out[k].detail);
}

/* The memory an implementation has after an event: the state before
 * (st) plus its own writes, and its guest PML index (what it gave, where
 * the SDM allowed it; where not, the difference is reported at that event
 * and later events are judged from where it left L1). */
static void resync(struct model_state *st, const struct nept_outcome *g)
{
	for (unsigned i = 0; i < g->n_ad_writes; i++)
		nept_mem_write(&st->mem, g->ad_write[i].gpa,
			       g->ad_write[i].val);
	st->pml_index = g->pml_index;
}

static bool sdm_writes_lost(const struct model_outcomes *set)
{
	for (unsigned k = 0; k < set->n; k++)
		if (set->o[k].writes_lost)
			return true;
	return false;
}

/* The SDM's outcomes per module and event, kept for the modules after
 * it: a module whose writes so far equal an earlier one's starts each event
 * from the same state, so the SDM allows it the same outcomes.
 * sdm_ncached[i]: how many events of module i are kept (this run). */
static struct model_outcomes sdm_cache[NEPT_MAX_IMPLS][NEPT_MAX_EVENTS];
static uint8_t sdm_ncached[NEPT_MAX_IMPLS];

/* Whether two outcomes leave the model's state alike (resync). */
static bool same_memory_effect(const struct nept_outcome *a,
			       const struct nept_outcome *b)
{
	if (a->n_ad_writes != b->n_ad_writes || a->pml_index != b->pml_index)
		return false;
	for (unsigned k = 0; k < a->n_ad_writes; k++)
		if (a->ad_write[k].gpa != b->ad_write[k].gpa ||
		    a->ad_write[k].val != b->ad_write[k].val)
			return false;
	return true;
}

/* Why the events after event e are not compared: its exit is left wholly
 * open, or (lost) a deviation cannot follow what KVM kept from it. */
static const char *why_open(const struct nept_diff *d, unsigned e, bool lost)
{
	if (lost)
		return "after an event whose effect on KVM's state its "
		       "deviations cannot follow";
	if (model_pf_exit_on_wider_host(&d->s, &d->s.event[e]))
		return "after a #PF exit on a host wider than L1 that the "
		       "model leaves open";
	return "after an exit whose owner the model leaves open";
}

/*
 * One implementation's events against the SDM, each from the memory the
 * implementation left (so a difference is reported once, where it
 * happens): agrees when it gives one of the outcomes the SDM allows;
 * otherwise each difference from the closest one is a divergence, known
 * when the implementation gives exactly what its tree's deviations
 * predict (nept_predict), new otherwise.
 */
static void compare_impl(struct nept_diff *d, unsigned i)
{
	const struct model_outcomes *sdm;
	static struct nept_prediction p;
	/* L1's state before each event, as this implementation left it. */
	static struct model_state st;
	const struct nept_impl *impl = d->impls[i];
	const struct nept_result *r = &d->impl[i - 1];
	struct kvm_history h;

	unsigned twin = 0;
	/* Whether the tree's deviations keep state that needs every event's
	 * prediction (else only a departing module's is run). */
	bool history = nept_history_needs_prediction(impl, &d->s);

	model_state_init(&st, &d->s);
	nept_history_init(&h);
	/* The modules before this one that start from the same state: all
	 * of them, at event 0. */
	for (unsigned j = 1; j < i && !twin; j++)
		twin = sdm_ncached[j] ? j : 0;
	sdm_ncached[i] = 0;
	d->compared[i - 1] = 0;
	d->checked[i - 1] = 0;
	d->why_uncompared[i - 1] = NULL;
	for (unsigned e = 0; e < d->s.nevents; e++) {
		const struct nept_outcome *g = &r->event[e];
		unsigned best = 0, nbest = ~0u, from = d->ndiv;
		bool kept = false; /* the divergences are in d->div already */
		bool keep;	   /* a history to keep for later events */

		if (g->kind == NEPT_OUT_UNSUPPORTED) {
			d->uncompared += d->s.nevents - e;
			d->why_uncompared[i - 1] = g->note;
			break;
		}
		if (twin && sdm_ncached[twin] > e) {
			/* Same state as the twin's before this event: the
			 * same outcomes, already run. */
			sdm = &sdm_cache[twin][e];
		} else {
			model_event_outcomes(&d->s, &st, &d->s.event[e],
					     &sdm_cache[i][e]);
			sdm = &sdm_cache[i][e];
			sdm_ncached[i] = (uint8_t)(e + 1);
		}
		if (sdm_writes_lost(sdm)) {
			/* Its writes cannot all be compared: counted with
			 * the events the module could not run. */
			d->uncompared += d->s.nevents - e;
			d->why_uncompared[i - 1] = "the SDM's writes: more "
						   "than an outcome holds";
			break;
		}
		if (sdm->n == 1 && d->ndiv < NEPT_MAX_DIVERGENCES) {
			/* One outcome: its divergences are the ones to
			 * keep, found (and their text made) once. */
			nept_compare(d, impl, e, &sdm->o[0], g);
			nbest = d->ndiv - from;
			kept = true;
		}
		for (unsigned k = 0; !kept && k < sdm->n && nbest; k++) {
			unsigned n =
				diverges(d, impl, e, &sdm->o[k], g, NULL, -1);

			if (n < nbest) {
				nbest = n;
				best = k;
			}
		}
		nept_outcome_copy(&d->ref[i - 1].event[e], &sdm->o[best]);
		d->ref[i - 1].nevents = (uint8_t)(e + 1);
		d->compared[i - 1]++;
		d->checked[i - 1] += sdm->o[best].undefined != NEPT_F_ALL;
		d->pred_fired[i - 1][e] = 0;
		d->pred_miss[i - 1][e][0] = 0;
		d->pred[i - 1].nevents = (uint8_t)(e + 1);
		/* The prediction decides only where the module departs from
		 * the SDM, and for the state a tree's deviations keep across
		 * events; elsewhere it would cost as much as the SDM's run
		 * again, for nothing. */
		/* History is for the events after this one: none after the
		 * last. */
		keep = history && e + 1u < d->s.nevents;
		if (nbest || keep) {
			/* Which deviations decided is asked only where the
			 * module departs: for the known divergence's names,
			 * NEPTFUZZ_STOP_ON_DEVIATION and the state feedback's
			 * departed modules.  A prediction for the history
			 * alone keeps the superset, which nothing reads. */
			nept_predict(&d->s, e, impl, &st, &h,
				     nbest && !d->skip_attribution, &p);
			d->pred_fired[i - 1][e] = nbest ? p.fired : 0;
			nept_outcome_copy(&d->pred[i - 1].event[e],
					  &p.set.o[0]);
		}
		if (nbest) {
			uint64_t known = 0;
			unsigned pbest = ~0u, pk = 0;

			if (!kept)
				nept_compare(d, impl, e, &sdm->o[best], g);
			for (unsigned k = 0; k < p.set.n && pbest; k++) {
				unsigned n = diverges(d, impl, e, &p.set.o[k],
						      g, NULL, p.at_final[k]);

				if (n < pbest) {
					pbest = n;
					pk = k;
				}
			}
			nept_outcome_copy(&d->pred[i - 1].event[e],
					  &p.set.o[pk]);
			if (!pbest)
				known = p.fired ? p.fired : 1;
			else
				miss_text(d, impl, e, &p.set.o[pk],
					  p.at_final[pk], g,
					  d->pred_miss[i - 1][e]);
			for (unsigned k = from; k < d->ndiv; k++)
				d->div[k].known = known;
		}
		nept_history_next(&d->s, e, impl, nbest || keep ? &p : NULL, g,
				  &h);
		/* An exit the model leaves wholly open (one the processor
		 * would not make, or whose owner it cannot tell) walked
		 * nothing on the model's side, while KVM may have run code
		 * with state of its own (L0's #PF fix-up re-walks EPT12,
		 * facts §14): later events are not compared. */
		if (h.lost ||
		    (sdm->o[best].undefined == NEPT_F_ALL &&
		     (sdm->o[best].tolerances & (1u << NEPT_TOL_EXIT_OWNER)))) {
			/* What KVM kept from this event is not known: the
			 * rest are counted as not compared. */
			d->uncompared += d->s.nevents - e - 1;
			if (e + 1u < d->s.nevents)
				d->why_uncompared[i - 1] =
					why_open(d, e, h.lost);
			break;
		}
		resync(&st, g);
		/* The twin stays one while both left the same memory. */
		if (twin && !same_memory_effect(g, &d->impl[twin - 1].event[e]))
			twin = 0;
	}
}

void nept_diff_run(const struct nept_scenario *s, struct nept_diff *d)
{
	nept_diff_run_with(s, d, nept_impls, nept_nimpls);
}

void nept_diff_run_with(const struct nept_scenario *s, struct nept_diff *d,
			const struct nept_impl *const *impls, unsigned nimpls)
{
	d->impls = impls;
	d->nimpls = nimpls < NEPT_MAX_IMPLS ? nimpls : NEPT_MAX_IMPLS;
	nept_scenario_copy(&d->s, s);
	/* The model's run on the canonical scenario is the reference for
	 * reports: it reads no hw_qual, so the run that derives it serves. */
	canonicalize(&d->s, &d->model, d->walk);
	d->ndiv = 0;
	d->uncompared = 0;
	for (unsigned i = 1; i < d->nimpls; i++) {
		const struct nept_impl *impl = d->impls[i];
		struct nept_result *r = &d->impl[i - 1];

		if (d->s.caps & ~impl->caps) {
			/* Capabilities this version never advertises to L1
			 * (a tenth of the generated scenarios): the note is
			 * formatted once, only the outcomes' used part is
			 * cleared. */
			char note[sizeof(r->event[0].note)];

			snprintf(note, sizeof(note),
				 "capabilities 0x%x not advertised",
				 d->s.caps & ~impl->caps);
			r->nevents = d->s.nevents;
			for (unsigned e = 0; e < d->s.nevents; e++) {
				nept_outcome_clear(&r->event[e]);
				r->event[e].kind = NEPT_OUT_UNSUPPORTED;
				memcpy(r->event[e].note, note, sizeof(note));
			}
		} else {
			impl->run(&d->s, r);
		}
		compare_impl(d, i);
	}
}

/* Whether module m's comparison with the model has a divergence in this
 * event and field. */
static bool model_diverges(const struct nept_diff *d, unsigned m,
			   unsigned event, uint32_t field)
{
	for (unsigned k = 0; k < d->ndiv; k++)
		if (d->div[k].impl == d->impls[m] && d->div[k].event == event &&
		    d->div[k].field == field)
			return true;
	return false;
}

void nept_tree_diff(const struct nept_diff *d, unsigned base, unsigned target,
		    struct nept_tree_diff *t)
{
	const struct nept_result *rb = &d->impl[base - 1],
				 *rt = &d->impl[target - 1];
	struct cmp c = { d, &t->ndiv, t->div, false, -1 };

	t->base = d->impls[base];
	t->target = d->impls[target];
	t->ndiv = t->compared = t->uncompared = 0;
	for (unsigned e = 0; e < d->s.nevents; e++) {
		unsigned before = t->ndiv;
		bool stop = false;

		/* As against the model: once either could not run an event,
		 * or their kinds or memory writes differ, their states are
		 * their own and later events would echo the difference. */
		if (rb->event[e].kind == NEPT_OUT_UNSUPPORTED ||
		    rt->event[e].kind == NEPT_OUT_UNSUPPORTED) {
			t->uncompared += d->s.nevents - e;
			break;
		}
		t->compared++;
		compare(&c, t->target, e, &rb->event[e], &rt->event[e]);
		for (unsigned k = before; k < t->ndiv; k++) {
			const struct nept_divergence *dv = &t->div[k];
			bool b = model_diverges(d, base, e, dv->field),
			     g = model_diverges(d, target, e, dv->field);

			const struct nept_outcome
				*mb = &d->ref[base - 1].event[e],
				*mt = &d->ref[target - 1].event[e];

			if (dv->field == NEPT_F_QUAL) {
				/* By the bits that changed: whether each side
				 * has the SDM's value there. */
				uint64_t mask = (rb->event[e].qual ^
						 rt->event[e].qual) &
						~mb->qual_undefined &
						~mt->qual_undefined;

				b = (rb->event[e].qual ^ mb->qual) & mask;
				g = (rt->event[e].qual ^ mt->qual) & mask;
			}

			/* Against the model, in that field: a fix where
			 * only the baseline diverged, a regression where
			 * only the target does. */
			if (!(dv->field & (NEPT_F_KIND | NEPT_F_REASON)) &&
			    (model_diverges(d, base, e, NEPT_F_KIND) ||
			     model_diverges(d, base, e, NEPT_F_REASON) ||
			     model_diverges(d, target, e, NEPT_F_KIND) ||
			     model_diverges(d, target, e, NEPT_F_REASON)))
				/* Another outcome than the SDM's: its fields
				 * say nothing against the model's. */
				b = g = true;
			if ((mb->undefined | mt->undefined) & dv->field)
				b = g = false; /* the SDM allows either */
			if (e >= d->compared[base - 1] ||
			    e >= d->compared[target - 1])
				/* Past what the model was compared with. */
				b = g = true;
			t->cls[k] = b && !g   ? NEPT_TREE_FIX
				    : !b && g ? NEPT_TREE_REGRESSION
					      : NEPT_TREE_CHANGE;
			stop |= dv->field & (NEPT_F_KIND | NEPT_F_AD_WRITES);
		}
		if (stop) {
			t->uncompared += d->s.nevents - e - 1;
			return;
		}
	}
}

const char *nept_tree_class_name(unsigned cls)
{
	static const char *const names[] = { "change", "fix", "regression" };

	return cls < 3 ? names[cls] : "?";
}

void nept_tree_title(const struct nept_tree_diff *t, unsigned k, char *buf,
		     size_t n)
{
	snprintf(buf, n, "tree: %s -> %s: %s: %s %s", t->base->name,
		 t->target->name, nept_divergence_source(&t->div[k]),
		 nept_field_name(t->div[k].field), t->div[k].detail);
}

unsigned nept_diff_new(const struct nept_diff *d)
{
	unsigned n = 0;

	for (unsigned i = 0; i < d->ndiv; i++)
		n += !d->div[i].known;
	return n;
}

static bool same_signature(const struct nept_divergence *a,
			   const struct nept_divergence *b)
{
	return a->event == b->event && a->field == b->field &&
	       !strcmp(a->detail, b->detail);
}

void nept_divergence_title(const struct nept_diff *d, unsigned k, char *buf,
			   size_t n)
{
	const struct nept_divergence *first = &d->div[k];
	size_t len;

	/* The version set: every implementation with this same difference,
	 * new or known as this one is. */
	len = (size_t)snprintf(buf, n, "divergence: ");
	for (unsigned i = 0, c = 0; i < d->ndiv && len < n; i++) {
		if (!same_signature(&d->div[i], first) ||
		    !d->div[i].known != !first->known)
			continue;
		len += (size_t)snprintf(buf + len, n - len, "%s%s",
					c++ ? "," : "", d->div[i].impl->name);
	}
	if (len < n)
		snprintf(buf + len, n - len, ": %s: %s %s",
			 nept_divergence_source(first),
			 nept_field_name(first->field), first->detail);
}

void nept_diff_title(const struct nept_diff *d, bool known, char *buf, size_t n)
{
	for (unsigned i = 0; i < d->ndiv; i++) {
		if ((d->div[i].known != 0) == known) {
			nept_divergence_title(d, i, buf, n);
			return;
		}
	}
	snprintf(buf, n, "no divergence");
}

static void outcome_line(FILE *f, const char *name,
			 const struct nept_outcome *o)
{
	fprintf(f, "  %-12s ", name);
	report_outcome_text(f, o);
}

/* For each event and implementation with a new divergence where the
 * tree's deviations turned the SDM's outcome: what they predicted, so a
 * reader sees whether a known cause nearly explains it. */
static void predictions_missed(FILE *f, const struct nept_diff *d)
{
	bool title = false;

	for (unsigned e = 0; e < d->s.nevents; e++) {
		for (unsigned i = 1; i < d->nimpls; i++) {
			uint64_t fired = d->pred_fired[i - 1][e];
			bool fresh = false;
			char names[512];

			for (unsigned k = 0; k < d->ndiv; k++)
				fresh |= d->div[k].event == e &&
					 d->div[k].impl == d->impls[i] &&
					 !d->div[k].known;
			if (!fresh || !fired || e >= d->pred[i - 1].nevents)
				continue;
			if (!title)
				fprintf(f, "---- predictions that missed "
					   "----\n");
			title = true;
			nept_deviation_names(fired, names, sizeof(names));
			fprintf(f, "  event %u %s, by %s:\n", e,
				d->impls[i]->name, names);
			outcome_line(f, "predicted", &d->pred[i - 1].event[e]);
			fprintf(f, "    it gave instead: %s\n",
				d->pred_miss[i - 1][e]);
		}
	}
}

void nept_diff_report(FILE *f, const struct nept_diff *d, bool scenario)
{
	if (scenario) {
		fprintf(f, "---- scenario (as run) ----\n");
		report_scenario_text(f, &d->s);
	}
	for (unsigned e = 0; e < d->s.nevents; e++) {
		fprintf(f, "---- event %u (%s) ----\n", e,
			nept_source_name(d->s.event[e].source));
		outcome_line(f, "model", &d->model.event[e]);
		for (unsigned i = 1; i < d->nimpls; i++)
			outcome_line(f, d->impls[i]->name,
				     &d->impl[i - 1].event[e]);
	}
	if (d->ndiv)
		fprintf(f, "---- divergences ----\n");
	for (unsigned i = 0; i < d->ndiv; i++) {
		const struct nept_divergence *dv = &d->div[i];

		fprintf(f, "  event %u %s: %s %s\n", dv->event, dv->impl->name,
			nept_field_name(dv->field), dv->detail);
		if (dv->known) {
			char names[512];

			nept_deviation_names(dv->known, names, sizeof(names));
			fprintf(f, "    known: the prediction holds (%s)\n",
				names[0] ? names : "the SDM's own outcome");
		}
	}
	predictions_missed(f, d);
}

void nept_diff_json(FILE *f, const struct nept_diff *d)
{
	fprintf(f, "\"events\":[");
	for (unsigned e = 0; e < d->s.nevents; e++) {
		fprintf(f, "%s", e ? "," : "");
		report_outcome_json(f, &d->model.event[e]);
	}
	fprintf(f, "],\"implementations\":{");
	for (unsigned i = 1; i < d->nimpls; i++) {
		fprintf(f, "%s\"%s\":[", i > 1 ? "," : "", d->impls[i]->name);
		for (unsigned e = 0; e < d->s.nevents; e++) {
			fprintf(f, "%s", e ? "," : "");
			report_outcome_json(f, &d->impl[i - 1].event[e]);
		}
		fprintf(f, "]");
	}
	fprintf(f, "},\"divergences\":[");
	for (unsigned i = 0; i < d->ndiv; i++) {
		const struct nept_divergence *dv = &d->div[i];

		fprintf(f,
			"%s{\"implementation\":\"%s\",\"event\":%u,"
			"\"source\":\"%s\",\"field\":\"%s\",\"detail\":",
			i ? "," : "", dv->impl->name, dv->event,
			nept_divergence_source(dv), nept_field_name(dv->field));
		report_json_string(f, dv->detail);
		fprintf(f, ",\"known\":");
		if (dv->known) {
			fprintf(f, "[");
			for (unsigned k = 0, c = 0; k < nept_ndeviations; k++)
				if (dv->known >> k & 1)
					fprintf(f, "%s\"%s\"", c++ ? "," : "",
						nept_deviations[k]->name);
			fprintf(f, "]");
		} else {
			fprintf(f, "null");
		}
		fprintf(f, "}");
	}
	fprintf(f, "]");
}

bool nept_diff_last_compared(const struct nept_diff *d, unsigned i)
{
	unsigned last = d->s.nevents - 1u;

	return d->s.nevents && last < d->compared[i - 1] &&
	       d->ref[i - 1].event[last].undefined != NEPT_F_ALL;
}

void nept_diff_verdict(const struct nept_diff *d, unsigned i,
		       struct nept_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->unsupported = d->compared[i - 1] < d->s.nevents;
	for (unsigned k = 0; k < d->ndiv; k++) {
		const struct nept_divergence *dv = &d->div[k];
		unsigned j;

		if (dv->impl != d->impls[i])
			continue;
		for (j = 0; j < v->n; j++)
			if (v->div[j].field == dv->field &&
			    !strcmp(v->div[j].detail, dv->detail))
				break;
		if (j < v->n)
			continue;
		v->div[v->n].field = dv->field;
		snprintf(v->div[v->n].detail, sizeof(v->div[v->n].detail), "%s",
			 dv->detail);
		v->n++;
	}
}
