// SPDX-License-Identifier: GPL-2.0-only
/*
 * Coverage of differential runs: which events each implementation had
 * compared with the SDM, why the others were not, and how often each
 * scenario dimension the generator is meant to reach occurred.
 */
#include <stdlib.h>
#include <string.h>

#include "diffstats.h"
#include "scenario.h"

/* n events of m not compared, the first for reason why. */
static void count_reason(struct nept_impl_stats *m, const char *why,
			 unsigned long n)
{
	unsigned r;

	if (!why || !why[0])
		why = "(no reason recorded)";
	for (r = 0; r < m->nreasons; r++)
		if (!strncmp(m->unsupported_by[r].why, why,
			     sizeof(m->unsupported_by[r].why) - 1))
			break;
	if (r == m->nreasons) {
		if (r == NEPT_STATS_REASONS) {
			m->unsupported_other += n;
			return;
		}
		snprintf(m->unsupported_by[r].why,
			 sizeof(m->unsupported_by[r].why), "%s", why);
		m->nreasons++;
	}
	m->unsupported_by[r].events += n;
}

void nept_diff_stats_add(struct nept_diff_stats *st, const struct nept_diff *d)
{
	const struct nept_scenario *s = &d->s;
	uint16_t pml = s->ctl.pml_index;

	st->scenarios++;
	st->events += s->nevents;
	st->s_adv_info += !!(s->caps & NEPT_CAP_ADV_INFO);
	st->s_uc_eptp += (s->eptp & 7) == 0;
	st->s_ad += !!(s->eptp & (1u << 6));
	st->s_walk5 += ((s->eptp >> 3) & 7) == 4;
	st->s_mbec += !!(s->caps & NEPT_CAP_MBEC);
	st->s_pml += !!(s->ctl.flags & NEPT_CTL_PML);
	if (s->l2.paging < NEPT_L2_PAGING_COUNT)
		st->s_l2[s->l2.paging]++;
	for (unsigned e = 0; e < s->nevents; e++) {
		const struct nept_outcome *m = &d->model.event[e];

		if (s->event[e].source < NEPT_SRC_COUNT)
			st->e_source[s->event[e].source]++;
		st->e_during += s->event[e].during != 0;
		if (m->kind < NEPT_OUT_KIND_COUNT)
			st->e_kind[m->kind]++;
		if (m->kind == NEPT_OUT_EXIT) {
			st->e_exit48 += m->reason == NEPT_EXIT_EPT_VIOLATION;
			st->e_exit49 += m->reason == NEPT_EXIT_EPT_MISCONFIG;
			st->e_pml_full += m->reason == NEPT_EXIT_PML_FULL;
		}
		st->e_pf += (m->kind == NEPT_OUT_EXCEPTION ||
			     (m->kind == NEPT_OUT_EXIT &&
			      m->reason == NEPT_EXIT_EXCEPTION_NMI)) &&
			    m->vector == 14;
		/* A log entry written: the index went down (facts §7.2). */
		st->e_pml_logged += (s->ctl.flags & NEPT_CTL_PML) &&
				    !(m->undefined & NEPT_F_PML_INDEX) &&
				    m->pml_index != pml;
		pml = m->pml_index;
	}
	for (unsigned i = 1; i < d->nimpls; i++) {
		const struct nept_impl *impl = d->impls[i];
		unsigned k;

		for (k = 0; k < st->nimpls && st->impl[k].impl != impl; k++)
			;
		if (k == st->nimpls) {
			if (k == NEPT_MAX_IMPLS - 1)
				continue;
			st->impl[k].impl = impl;
			st->nimpls++;
		}
		if (s->caps & ~impl->caps) {
			st->impl[k].caps_missing += s->nevents;
			continue;
		}
		st->impl[k].events += s->nevents;
		if (nept_vm_entry_event(s)) {
			st->impl[k].vm_entry++;
			st->impl[k].vm_entry_compared +=
				nept_diff_last_compared(d, i);
		}
		st->impl[k].unsupported += s->nevents - d->compared[i - 1];
		if (d->compared[i - 1] < s->nevents)
			count_reason(&st->impl[k], d->why_uncompared[i - 1],
				     s->nevents - d->compared[i - 1]);
		st->impl[k].compared += d->checked[i - 1];
		for (unsigned e = 0; e < d->compared[i - 1]; e++) {
			const struct nept_outcome *r = &d->ref[i - 1].event[e];

			if (r->undefined != NEPT_F_ALL)
				continue;
			st->impl[k].undefined++;
			for (unsigned t = 0; t < NEPT_TOL_COUNT; t++)
				st->impl[k].undefined_by[t] +=
					r->tolerances >> t & 1;
		}
		for (unsigned e = 0; e < d->compared[i - 1]; e++) {
			bool fresh = false, any = false;

			for (unsigned v = 0; v < d->ndiv; v++) {
				if (d->div[v].impl != impl ||
				    d->div[v].event != e)
					continue;
				any = true;
				fresh |= !d->div[v].known;
			}
			st->impl[k].diverged += fresh;
			st->impl[k].known += any && !fresh;
		}
	}
}

static double pct(unsigned long a, unsigned long b)
{
	return b ? 100.0 * (double)a / (double)b : 0.0;
}

static int more_events(const void *a, const void *b)
{
	unsigned long x = ((const struct nept_reason_count *)a)->events,
		      y = ((const struct nept_reason_count *)b)->events;

	return (x < y) - (x > y);
}

/* The unsupp column of m by reason, most events first. */
static void print_reasons(FILE *f, const struct nept_impl_stats *m)
{
	struct nept_reason_count by[NEPT_STATS_REASONS];

	memcpy(by, m->unsupported_by, m->nreasons * sizeof(by[0]));
	qsort(by, m->nreasons, sizeof(by[0]), more_events);
	for (unsigned r = 0; r < m->nreasons; r++)
		fprintf(f, "  %s: unsupported from: %s: %lu\n", m->impl->name,
			by[r].why, by[r].events);
	if (m->unsupported_other)
		fprintf(f, "  %s: unsupported from: other reasons: %lu\n",
			m->impl->name, m->unsupported_other);
}

void nept_diff_stats_print(FILE *f, const struct nept_diff_stats *st)
{
	static const char *const l2[] = { "off", "32bit", "pae", "4level",
					  "5level" };

	fprintf(f, "== coverage: %lu scenarios, %lu events\n", st->scenarios,
		st->events);
	fprintf(f, "%-14s %8s %8s %6s %8s %8s %8s %8s %8s %8s\n", "module",
		"events", "compared", "%", "undef", "unsupp", "no-caps", "new",
		"known", "vm-entry");
	for (unsigned k = 0; k < st->nimpls; k++) {
		const struct nept_impl_stats *m = &st->impl[k];

		char entries[24];

		snprintf(entries, sizeof(entries), "%lu/%lu",
			 m->vm_entry_compared, m->vm_entry);
		fprintf(f,
			"%-14s %8lu %8lu %5.1f%% %8lu %8lu %8lu %8lu %8lu "
			"%8s\n",
			m->impl->name, m->events, m->compared,
			pct(m->compared, m->events), m->undefined,
			m->unsupported, m->caps_missing, m->diverged, m->known,
			entries);
	}
	fprintf(f, "(events: of scenarios whose capabilities the module "
		   "advertises; undef: the SDM leaves every field open;\n"
		   " unsupp: the module cannot run it (or it writes more "
		   "than an outcome holds), or an earlier event\n was; "
		   "no-caps: scenarios it does not support; vm-entry: of "
		   "events, VM entries compared/all\n (a VM entry after "
		   "other events runs on L1 as set up for a first one: "
		   "kvm/README.md))\n");
	for (unsigned k = 0; k < st->nimpls; k++)
		for (unsigned t = 0; t < NEPT_TOL_COUNT; t++)
			if (st->impl[k].undefined_by[t])
				fprintf(f, "  %s: undefined by %s: %lu\n",
					st->impl[k].impl->name,
					nept_tolerance_name(t),
					st->impl[k].undefined_by[t]);
	for (unsigned k = 0; k < st->nimpls; k++)
		print_reasons(f, &st->impl[k]);
	fprintf(f, "== dimensions\n");
	fprintf(f,
		"scenarios: adv-info cap %lu, UC EPTP %lu, EPT A/D %lu, "
		"5-level EPT %lu, MBEC %lu, PML %lu\n",
		st->s_adv_info, st->s_uc_eptp, st->s_ad, st->s_walk5,
		st->s_mbec, st->s_pml);
	fprintf(f, "L2 paging:");
	for (unsigned i = 0; i < 5; i++)
		fprintf(f, " %s %lu", l2[i], st->s_l2[i]);
	fprintf(f, "\nevents:");
	for (unsigned i = 0; i < NEPT_SRC_COUNT; i++)
		fprintf(f, " %s %lu", nept_source_name(i), st->e_source[i]);
	fprintf(f, ", during delivery %lu\n", st->e_during);
	fprintf(f,
		"model outcomes: none %lu, exit %lu (48: %lu, 49: %lu, "
		"62: %lu), exception %lu, vmfail %lu; #PF %lu; PML entries "
		"logged in %lu events\n",
		st->e_kind[NEPT_OUT_NONE], st->e_kind[NEPT_OUT_EXIT],
		st->e_exit48, st->e_exit49, st->e_pml_full,
		st->e_kind[NEPT_OUT_EXCEPTION], st->e_kind[NEPT_OUT_VMFAIL],
		st->e_pf, st->e_pml_logged);
}
