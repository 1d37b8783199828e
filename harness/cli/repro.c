// SPDX-License-Identifier: GPL-2.0-only
/*
 * `neptfuzz repro`: one finding explained.  From any artifact (text or
 * binary scenario) to: the scenario as text, its signature, then per
 * event the EPT12 walk and L2's walk drawn as trees with every entry
 * decoded (permissions, memory type, page size, A/D, address, reserved
 * bits, misconfiguration), every module's outcome, and each difference
 * by SDM name with the docs/sdm-rules.md section ("facts §N") that decides
 * it; last, the `# verdict:` lines.
 *
 * The walks are drawn from the model's trace (model_run_event) and the
 * scenario's memory as the event found it; drawing never decides
 * anything: the model does.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "deviation.h"
#include "fileio.h"
#include "minimize.h"
#include "model.h"
#include "report.h"

#define EXIT_USAGE 2

void nept_repro_usage(const char *prog, FILE *f)
{
	fprintf(f,
		"usage: %s repro FILE\n"
		"\n"
		"Explains a finding (any artifact: a text scenario, a "
		"libFuzzer crash-*,\nan AFL++ id:* or ClusterFuzz testcase): "
		"the scenario as text, its\nsignature, and per event the "
		"EPT12 and L2 walks drawn as trees with each\nentry decoded, "
		"every version's outcome, and each differing field or bit\nby "
		"SDM name with the rule of docs/sdm-rules.md that decides it "
		"(facts §N);\nlast, the `# verdict:` lines for crashes/.\n"
		"\n"
		"  -h, --help\n"
		"Exit status: 0 the modules agree with the model, 1 a "
		"divergence, 2 bad\ninput or usage.\n",
		prog);
}

/* ------------------------------------------------------------------ */
/* Entries decoded */

static const char *memtype_name(unsigned mt)
{
	static const char *const names[8] = { "UC",	  "WC",	     "reserved",
					      "reserved", "WT",	     "WP",
					      "WB",	  "reserved" };

	return names[mt & 7];
}

static bool ept_present(const struct nept_scenario *s, uint64_t e)
{
	/* Facts §3.2: with MBEC, XU alone makes an entry present. */
	return (e & EPTE_RWX) || ((s->caps & NEPT_CAP_MBEC) && (e & EPTE_XU));
}

static bool ept_leaf(unsigned level, uint64_t e)
{
	return level == 1 || ((level == 2 || level == 3) && (e & EPTE_PS));
}

/* An EPT12 entry, facts §3.3: "R W X mt=6(WB) ipat PS A D XU ->
 * page 0x200000 (2 MiB)", the bits §4 reserves at this level, and why it
 * is misconfigured. */
static void ept_entry_text(FILE *f, const struct nept_scenario *s,
			   unsigned level, uint64_t e)
{
	unsigned m = s->l1_maxphyaddr;
	uint64_t mask = nept_addr_mask(m), other, rsvd = 0;
	bool leaf = ept_leaf(level, e);
	const char *rule;

	if (!ept_present(s, e)) {
		fprintf(f, "not present (facts §3.2)");
		if (e)
			fprintf(f, ", bits 0x%" PRIx64 " ignored", e);
		return;
	}
	fprintf(f, "%s%s%s%s", e & EPTE_R ? "R " : "", e & EPTE_W ? "W " : "",
		e & EPTE_X ? "X " : "", e & EPTE_XU ? "XU " : "");
	if (leaf) {
		unsigned mt = (e >> EPTE_MT_SHIFT) & 7;

		fprintf(f, "mt=%u(%s) ", mt, memtype_name(mt));
		if (e & EPTE_IPAT)
			fprintf(f, "ipat ");
	} else if (e & (level >= 4 ? 0xf8ull : 0x78ull)) {
		rsvd |= e & (level >= 4 ? 0xf8ull : 0x78ull);
	}
	if ((level == 2 || level == 3) && (e & EPTE_PS))
		fprintf(f, "PS ");
	if (e & EPTE_A)
		fprintf(f, "A ");
	if ((e & EPTE_D) && leaf)
		fprintf(f, "D ");
	if (m < 52)
		rsvd |= e & (((1ull << 52) - 1) & ~((1ull << m) - 1));
	if (leaf && level > 1)
		rsvd |= e & mask & ((1ull << (12 + 9 * (level - 1))) - 1);
	if (leaf)
		fprintf(f, "-> page 0x%" PRIx64 " (%s)",
			e & mask &
				~((UINT64_C(1) << (12 + 9 * (level - 1))) - 1),
			level == 1   ? "4 KiB"
			: level == 2 ? "2 MiB"
				     : "1 GiB");
	else
		fprintf(f, "-> table 0x%" PRIx64, e & mask);
	other = e & ~(0x7ffull | mask | rsvd) & ~((1ull << 52) - 1);
	other |= e & (1ull << 11);
	if (!leaf)
		other |= e & EPTE_D;
	if (other)
		fprintf(f, ", ignored bits 0x%" PRIx64, other);
	if (rsvd)
		fprintf(f, ", reserved bits 0x%" PRIx64 " set", rsvd);
	rule = model_misconfig_rule(s->caps, m, level, e);
	if (rule)
		fprintf(f, "; MISCONFIGURED: %s", rule);
}

/* An L2 paging entry (facts §8.2): "P RW US A D PS XD pkey=3 -> 0x...". */
static void l2_entry_text(FILE *f, const struct nept_scenario *s,
			  unsigned level, bool reg, uint64_t e)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} names[] = {
		{ 1ull << 0, "P" },   { 1ull << 1, "RW" },  { 1ull << 2, "US" },
		{ 1ull << 3, "PWT" }, { 1ull << 4, "PCD" }, { 1ull << 5, "A" },
		{ 1ull << 6, "D" },   { 1ull << 7, "PS" },  { 1ull << 8, "G" },
		{ 1ull << 63, "XD" },
	};
	unsigned mode = s->l2.paging;
	uint64_t amask = nept_l2_addr_bits(mode);

	if (!(e & L2E_P)) {
		fprintf(f, "not present (facts §8.3 step 2)");
		return;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		/* PAE PDPTE registers have no RW, US, A, D, PS, G or XD. */
		if (reg && names[i].bit != 1 && names[i].bit != 8 &&
		    names[i].bit != 16)
			continue;
		if (e & names[i].bit)
			fprintf(f, "%s ", names[i].name);
	}
	if (mode >= NEPT_L2_4LEVEL && (e >> 59) & 15)
		fprintf(f, "pkey=%u ", (unsigned)(e >> 59) & 15);
	if (mode == NEPT_L2_32BIT && level == 2 && (e & L2E_PS) &&
	    (s->l2.flags & NEPT_L2F_PSE))
		fprintf(f, "-> page 0x%" PRIx64 " (4 MiB)",
			e & UINT64_C(0xffc00000));
	else if (level == 1 ||
		 (!reg && (e & L2E_PS) && level <= 3 && mode != NEPT_L2_32BIT))
		fprintf(f, "-> page 0x%" PRIx64 " (%s)",
			e & amask &
				~((UINT64_C(1) << (12 + 9 * (level - 1))) - 1),
			level == 1   ? "4 KiB"
			: level == 2 ? "2 MiB"
				     : "1 GiB");
	else
		fprintf(f, "-> table 0x%" PRIx64, e & amask);
}

/* ------------------------------------------------------------------ */
/* Walks as trees */

/* The tree prefix for depth d: two spaces per level above, then the
 * branch. */
static void branch(FILE *f, const char *indent, unsigned depth)
{
	fprintf(f, "%s%*s└─ ", indent, (int)(3 * depth), "");
}

static void under(FILE *f, const char *indent, unsigned depth)
{
	fprintf(f, "%s%*s", indent, (int)(3 * depth + 3), "");
}

/*
 * The EPT12 walk for gpa on mem (facts §3.1, §5.1), one line per entry
 * read, each a child of the one above, until an entry ends it.  Returns
 * the L1-physical address reached, or ~0 when the walk stops.
 */
static uint64_t draw_ept(FILE *f, const struct nept_scenario *s,
			 const struct nept_mem *mem, uint64_t gpa,
			 const char *indent)
{
	unsigned m = s->l1_maxphyaddr, levels = ((s->eptp >> 3) & 7) + 1;
	uint64_t mask = nept_addr_mask(m), table = s->eptp & mask;

	fprintf(f,
		"%sEPTP 0x%" PRIx64 ": %u levels, root 0x%" PRIx64 ", A/D %s\n",
		indent, s->eptp, levels, table,
		(s->eptp & (1ull << 6)) ? "on" : "off");
	for (unsigned level = levels, depth = 0; level >= 1; level--, depth++) {
		unsigned idx =
			(unsigned)((gpa >> (12 + 9 * (level - 1))) & 511);
		uint64_t ea = table + idx * 8ull, e;

		branch(f, indent, depth);
		fprintf(f, "%s 0x%" PRIx64 "[%u] ", model_level_name(level),
			table, idx);
		if (!nept_mem_read(mem, ea, &e)) {
			fprintf(f,
				"no memory at 0x%" PRIx64 ": the walk reads "
				"nothing the SDM "
				"defines (tolerance ept-table-unbacked)\n",
				ea);
			return ~0ull;
		}
		fprintf(f, "= 0x%" PRIx64 "  ", e);
		ept_entry_text(f, s, level, e);
		fputc('\n', f);
		if (!ept_present(s, e) ||
		    model_misconfig_rule(s->caps, m, level, e))
			return ~0ull;
		if (ept_leaf(level, e)) {
			unsigned sh = 12 + 9 * (level - 1);
			uint64_t pa = (e & mask & ~((1ull << sh) - 1)) |
				      (gpa & ((1ull << sh) - 1));

			under(f, indent, depth);
			fprintf(f, "=> L1-physical 0x%" PRIx64 "\n", pa);
			return pa;
		}
		table = e & mask;
	}
	return ~0ull;
}

static const char *perms(unsigned p, bool mbec, char *buf)
{
	snprintf(buf, 8, "%s%s%s%s", p & 1 ? "R" : "-", p & 2 ? "W" : "-",
		 p & 4 ? "X" : "-", mbec ? (p & 8 ? "U" : "-") : "");
	return buf;
}

/* Why the event's last EPT12 walk stopped, from the model's trace. */
static void walk_stop(FILE *f, const struct nept_scenario *s,
		      const struct model_trace *t, const char *indent)
{
	bool mbec = s->caps & NEPT_CAP_MBEC;
	char a[8], b[8];

	if (!t->nread)
		return;
	fprintf(f, "%sEPT12 (GPA 0x%" PRIx64 "): ", indent, t->gpa);
	switch (t->stop) {
	case MODEL_STOP_OK:
		fprintf(f, "translated; needs %s, the path allows %s",
			perms(t->need, mbec, a), perms(t->have, mbec, b));
		if (t->pml_full)
			fprintf(f, "; the PML log is full (facts §7.2)");
		fprintf(f, " (facts §5.1, §5.2)\n");
		break;
	case MODEL_STOP_NOT_PRESENT:
		fprintf(f,
			"EPT violation: the %s is not present (facts §3.2, "
			"§5.1 step 2); permission bits 5:3 are 0 (facts "
			"§6.1)\n",
			model_level_name(t->e[t->nread - 1].level));
		break;
	case MODEL_STOP_MISCONFIG:
		fprintf(f, "EPT misconfiguration at the %s: %s\n",
			model_level_name(t->e[t->nread - 1].level), t->rule);
		break;
	case MODEL_STOP_PERMISSION:
		fprintf(f,
			"EPT violation: the access needs %s, the path allows "
			"%s (facts §5.1 step 3, §5.2, §6.1)\n",
			perms(t->need, mbec, a), perms(t->have, mbec, b));
		break;
	default:
		fprintf(f, "an entry has no memory behind it: undefined "
			   "(tolerance ept-table-unbacked)\n");
	}
}

static const char *l2_level_name(unsigned level)
{
	static const char *const names[] = {
		"?", "L2-PTE", "L2-PDE", "L2-PDPTE", "L2-PML4E", "L2-PML5E"
	};

	return level <= 5 ? names[level] : "?";
}

static const char *l2_stop_text(unsigned stop)
{
	static const char *const stops[] = {
		[MODEL_L2_NONE] = "no L2 walk",
		[MODEL_L2_OK] = "translated, guest A/D flags set (facts §8.3 "
				"steps 5-6)",
		[MODEL_L2_EPT_ENTRY] = "EPT12 stopped a guest entry read "
				       "(facts §8.3 step 1, §9 rows 1-6)",
		[MODEL_L2_NOT_PRESENT] = "#PF: an entry is not present "
					 "(facts §8.3 step 2)",
		[MODEL_L2_RESERVED] = "#PF: a reserved bit (facts §8.2, §8.3 "
				      "step 2)",
		[MODEL_L2_RIGHTS] = "#PF: the access rights (facts §8.3 step "
				    "4)",
		[MODEL_L2_EPT_FINAL] = "EPT12 stopped the final GPA (facts "
				       "§8.3 step 5, §9 row 8)",
		[MODEL_L2_EPT_AD] = "EPT12 stopped a guest A/D-flag write "
				    "(facts §8.3 step 6, §5.4)",
		[MODEL_L2_UNBACKED] = "no memory behind a guest entry or the "
				      "PML log (tolerance l2-table-unbacked)",
		[MODEL_L2_BEYOND_WIDTH] = "the processor's walk reached a GPA "
					  "beyond L1's MAXPHYADDR (facts §14)",
		[MODEL_L2_PROCESSOR_PF] = "the processor's not-present #PF, "
					  "the same at L1's width (facts §14)",
	};

	return stop < sizeof(stops) / sizeof(stops[0]) ? stops[stop] : "?";
}

/* L2's walk (facts §8.3): each guest entry with its own EPT12 walk under
 * it, then the final GPA's. */
static void draw_l2(FILE *f, const struct nept_scenario *s,
		    const struct nept_mem *mem, const struct nept_event *ev,
		    const struct model_trace *t)
{
	unsigned n = t->l2_nread < 5 ? t->l2_nread : 5;

	fprintf(f, "L2 walk of linear address 0x%" PRIx64 " (%s paging",
		ev->gla, nept_l2_paging_name(s->l2.paging));
	if (s->l2.paging != NEPT_L2_PAE)
		fprintf(f, ", CR3 0x%" PRIx64, s->l2.cr3);
	fprintf(f, ", CPL %u", s->l2.cpl);
	for (unsigned b = 0, shown = 0; nept_l2_flag_names[b].name; b++)
		if (s->l2.flags & nept_l2_flag_names[b].bit)
			fprintf(f, "%s%s", shown++ ? " " : ", ",
				nept_l2_flag_names[b].name);
	if (s->l2.flags & NEPT_L2F_PKE)
		fprintf(f, " pkru=0x%x", s->l2.pkru);
	fprintf(f, "):\n");
	for (unsigned k = 0; k < n; k++) {
		bool reg = t->l2e[k].gpa == MODEL_L2_REGISTER;
		char indent[64];

		branch(f, "  ", k);
		if (reg)
			fprintf(f, "%s register %u = 0x%" PRIx64 "  ",
				l2_level_name(t->l2e[k].level),
				(unsigned)((ev->gla >> 30) & 3), t->l2e[k].val);
		else if (k + 1 == n && t->l2_stop == MODEL_L2_EPT_ENTRY)
			fprintf(f, "%s at GPA 0x%" PRIx64 "  ",
				l2_level_name(t->l2e[k].level), t->l2e[k].gpa);
		else
			fprintf(f,
				"%s at GPA 0x%" PRIx64 " (L1 0x%" PRIx64
				") = 0x%" PRIx64 "  ",
				l2_level_name(t->l2e[k].level), t->l2e[k].gpa,
				t->l2e[k].l1pa, t->l2e[k].val);
		if (!reg && k + 1 == n && t->l2_stop == MODEL_L2_EPT_ENTRY)
			fprintf(f, "not read: EPT12 stopped the read");
		else if (!reg && k + 1 == n &&
			 t->l2_stop == MODEL_L2_UNBACKED && !t->l2e[k].val)
			fprintf(f, "(no memory behind it)");
		else
			l2_entry_text(f, s, t->l2e[k].level, reg,
				      t->l2e[k].val);
		fputc('\n', f);
		if (k + 1 == n && t->l2_rule) {
			under(f, "  ", k);
			fprintf(f, "%s\n", t->l2_rule);
		}
		if (reg)
			continue;
		snprintf(indent, sizeof(indent), "  %*s  via ",
			 (int)(3 * k + 3), "");
		fputs(indent, f);
		snprintf(indent, sizeof(indent), "  %*s      ",
			 (int)(3 * k + 3), "");
		fprintf(f, "EPT12 for GPA 0x%" PRIx64 ":\n", t->l2e[k].gpa);
		draw_ept(f, s, mem, t->l2e[k].gpa, indent);
	}
	if (t->l2_stop == MODEL_L2_OK || t->l2_stop == MODEL_L2_EPT_FINAL ||
	    t->l2_stop == MODEL_L2_EPT_AD) {
		fprintf(f, "  final GPA 0x%" PRIx64 ", via EPT12:\n",
			t->l2_final);
		draw_ept(f, s, mem, t->l2_final, "      ");
	}
	fprintf(f, "  L2 stopped: %s", l2_stop_text(t->l2_stop));
	if ((t->l2_stop >= MODEL_L2_NOT_PRESENT &&
	     t->l2_stop <= MODEL_L2_RIGHTS) ||
	    t->l2_stop == MODEL_L2_PROCESSOR_PF) {
		fprintf(f, "; error code 0x%x = ", t->pfec);
		report_pfec_names(f, t->pfec);
		fprintf(f, " (facts §8.1)");
	}
	fputc('\n', f);
}

/* ------------------------------------------------------------------ */
/* Differences, each with the rule that decides it */

static const char *qual_bit_rule(unsigned b, bool pml)
{
	if (b <= 2)
		return "bits 0-2 say what the access was: a data read, a "
		       "write, a fetch (facts §6.2, §5.2)";
	if (b <= 5)
		return "the EPT12 path's permissions ANDed (facts §6.1)";
	if (b == 6)
		return "XU ANDed, defined with MBEC only (facts §6, §6.1)";
	if (b == 7)
		return "the guest-linear-address field is valid (facts §6, "
		       "§7.1, §9)";
	if (b == 8)
		return "1 for the final translation, 0 for a guest "
		       "paging-structure entry (facts §6, §9)";
	if (b <= 11)
		return "the linear address's user/writable/execute-disable "
		       "rights, with cap bit 22 (facts §6.4)";
	if (b == 12)
		return pml ? "NMI unblocking due to IRET, the only bit a "
			     "PML-full exit defines (facts §7.2, §6.3)"
			   : "NMI unblocking due to IRET (facts §6.3)";
	if (b <= 16)
		return "a feature the scenario never turns on: 0 (facts §6)";
	return "reserved: 0 (facts §6)";
}

static const char *pfec_bit_rule(unsigned b)
{
	switch (b) {
	case 0:
		return "0 for a not-present entry, 1 for any other fault "
		       "(facts §8.1)";
	case 1:
		return "the access was a write (facts §8.1)";
	case 2:
		return "a user-mode access: CPL 3 and not implicit (facts "
		       "§8.1)";
	case 3:
		return "a reserved bit in a present entry (facts §8.1, §8.2)";
	case 4:
		return "an instruction fetch, reported only with CR4.SMEP, or "
		       "CR4.PAE and EFER.NXE (facts §8.1)";
	case 5:
		return "a protection key refused a data access (facts §8.1)";
	default:
		return "not modelled: 0 (facts §8.1)";
	}
}

static int bit_by_name(const char *name, size_t len, bool pfec)
{
	for (unsigned b = 0; b < 64; b++) {
		const char *n =
			pfec ? nept_pfec_bit_name(b) : nept_qual_bit_name(b);

		if (n && strlen(n) == len && !strncmp(n, name, len))
			return (int)b;
	}
	if (len > 3 && !strncmp(name, "bit", 3))
		return atoi(name + 3);
	return -1;
}

/* The SDM answer for the event's outcome: what the model did and why. */
static void sdm_basis(FILE *f, const struct nept_scenario *s,
		      const struct nept_event *ev, const struct nept_outcome *m,
		      const struct model_trace *t)
{
	fprintf(f, "      SDM: ");
	if (m->kind == NEPT_OUT_EXIT && m->reason == NEPT_EXIT_EPT_MISCONFIG)
		fprintf(f, "EPT misconfiguration, %s\n",
			t->rule ? t->rule : m->note);
	else if (m->kind == NEPT_OUT_EXIT &&
		 m->reason == NEPT_EXIT_EPT_VIOLATION)
		fprintf(f, "EPT violation (facts §5.1; the qualification by "
			   "facts §6.5)\n");
	else if (m->kind == NEPT_OUT_EXIT && m->reason == NEPT_EXIT_PML_FULL)
		fprintf(f, "PML full: the leaf's dirty flag needs a log entry "
			   "and the index is not in 0-511 (facts §7.2)\n");
	else if (m->kind == NEPT_OUT_EXIT &&
		 m->reason == NEPT_EXIT_TRIPLE_FAULT)
		fprintf(f, "triple fault: a fault while delivering #DF "
			   "(facts §10.2)\n");
	else if (m->kind == NEPT_OUT_EXIT || m->kind == NEPT_OUT_EXCEPTION)
		fprintf(f,
			"vector %u %s: %s; exit or delivery by the exception "
			"bitmap and the #PF mask/match (facts §10.3)%s\n",
			m->vector,
			m->kind == NEPT_OUT_EXIT ? "exits to L1"
						 : "is delivered to L2",
			t->l2_stop != MODEL_L2_NONE ? l2_stop_text(t->l2_stop)
						    : "an exception",
			ev->during ? ", during the delivery of another "
				     "(facts §10.1, §10.2)"
				   : "");
	else if (m->undefined == NEPT_F_ALL)
		fprintf(f, "undefined (a tolerance: any outcome is allowed)\n");
	else
		fprintf(f,
			"no exit: the access goes on to L1 0x%" PRIx64 " ("
			"facts "
			"§5.1%s)"
			"\n",
			m->translated, nept_walks_l2(s, ev) ? ", §8.3" : "");
}

static unsigned impl_index(const struct nept_impl *impl)
{
	for (unsigned i = 1; i < nept_nimpls; i++)
		if (nept_impls[i] == impl)
			return i;
	return 0;
}

/* An outcome as report_outcome_text writes it, every line indented. */
static void outcome_indented(FILE *f, const char *name,
			     const struct nept_outcome *o, const char *indent)
{
	char *buf = NULL, *line, *save = NULL;
	size_t size = 0;
	FILE *m = open_memstream(&buf, &size);
	bool first = true;

	if (!m)
		return;
	report_outcome_text(m, o);
	fclose(m);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (first)
			fprintf(f, "%s%-13s %s\n", indent, name, line);
		else
			fprintf(f, "%s%-13s%s\n", indent, "", line);
		first = false;
	}
	free(buf);
}

static void ad_list(FILE *f, const char *who, const struct nept_outcome *o)
{
	fprintf(f, "      %-13s", who);
	if (!o->n_ad_writes)
		fprintf(f, " no writes");
	for (unsigned i = 0; i < o->n_ad_writes; i++)
		fprintf(f, " %s0x%" PRIx64 ":0x%" PRIx64 "->0x%" PRIx64 "%s",
			i ? "; " : "", o->ad_write[i].gpa, o->ad_write[i].old,
			o->ad_write[i].val, o->ad_write[i].optional ? "?" : "");
	fputc('\n', f);
}

static void explain(FILE *f, const struct nept_diff *d, unsigned k,
		    const struct model_trace *t)
{
	const struct nept_divergence *dv = &d->div[k];
	const struct nept_event *ev = &d->s.event[dv->event];
	const struct nept_outcome *m = &d->model.event[dv->event];
	bool pml = m->kind == NEPT_OUT_EXIT && m->reason == NEPT_EXIT_PML_FULL;
	const char *p;

	switch (dv->field) {
	case NEPT_F_QUAL:
		if (!strcmp(dv->detail, "nonzero")) {
			fprintf(f, "      SDM: 0: %s\n",
				m->reason == NEPT_EXIT_EPT_MISCONFIG
					? "an EPT misconfiguration saves no "
					  "exit qualification (facts §4, §7.3)"
					: "this exit saves no qualification "
					  "(facts §7.3)");
			break;
		}
		if (!strcmp(dv->detail, "linear address")) {
			fprintf(f,
				"      SDM: 0x%" PRIx64 ": a #PF exit's "
				"qualification is the "
				"linear "
				"address (facts §7.3)\n",
				m->qual);
			break;
		}
		fprintf(f, "      SDM qualification 0x%" PRIx64 " = ", m->qual);
		report_qual_names(f, m->qual);
		fputc('\n', f);
		for (p = dv->detail; *p;) {
			size_t len = strcspn(p + 1, " ");
			int b = bit_by_name(p + 1, len, false);

			if (b >= 0)
				fprintf(f,
					"      bit %d %.*s: SDM %d, these "
					"versions %d; %s\n",
					b, (int)len, p + 1, *p == '+' ? 0 : 1,
					*p == '+' ? 1 : 0,
					qual_bit_rule((unsigned)b, pml));
			p += 1 + len;
			p += strspn(p, " ");
		}
		break;
	case NEPT_F_ERROR_CODE:
		if (dv->detail[0] != '+' && dv->detail[0] != '-') {
			fprintf(f,
				"      SDM error code 0x%x (facts §10.2: a #DF "
				"pushes 0)\n",
				m->error_code);
			break;
		}
		if (!strcmp(dv->detail + 1, "valid")) {
			fprintf(f,
				"      SDM: %s error code (facts §10.2, "
				"§10.3)\n",
				m->has_error_code ? "an" : "no");
			break;
		}
		fprintf(f, "      SDM error code 0x%x = ", m->error_code);
		report_pfec_names(f, m->error_code);
		fputc('\n', f);
		for (p = dv->detail; *p;) {
			size_t len = strcspn(p + 1, " ");
			int b = bit_by_name(p + 1, len, true);

			if (b >= 0)
				fprintf(f,
					"      bit %d %.*s: SDM %d, these "
					"versions %d; %s\n",
					b, (int)len, p + 1, *p == '+' ? 0 : 1,
					*p == '+' ? 1 : 0,
					pfec_bit_rule((unsigned)b));
			p += 1 + len;
			p += strspn(p, " ");
		}
		break;
	case NEPT_F_KIND:
	case NEPT_F_REASON:
		sdm_basis(f, &d->s, ev, m, t);
		break;
	case NEPT_F_GPA:
		fprintf(f,
			"      SDM guest-physical address 0x%" PRIx64
			": the access's GPA, byte-exact; a guest "
			"paging-structure entry's own address (facts §7.1, §9 "
			"first row)\n",
			m->gpa);
		break;
	case NEPT_F_GLA:
		if (m->kind == NEPT_OUT_EXCEPTION)
			fprintf(f,
				"      SDM CR2 0x%" PRIx64 ": the linear "
				"address, written "
				"only when the "
				"#PF is delivered (facts §10.3, §7.3)\n",
				m->gla);
		else
			fprintf(f,
				"      SDM guest-linear address 0x%" PRIx64
				": the address whose translation faulted "
				"(facts §7.1)\n",
				m->gla);
		break;
	case NEPT_F_GLA_VALID:
		fprintf(f,
			"      SDM: the guest-linear address is %s (bit 7, "
			"facts §6, §7.1)\n",
			m->gla_valid ? "valid" : "not valid");
		break;
	case NEPT_F_VECTOR:
		if (ev->during)
			fprintf(f,
				"      SDM vector %u: the fault came while "
				"vector %u was delivered; the classes of the "
				"two decide (facts §10.1, §10.2)\n",
				m->vector, ev->during - 1u);
		else
			fprintf(f, "      SDM vector %u (facts §10.1, §10.3)\n",
				m->vector);
		break;
	case NEPT_F_FROM_HW:
		fprintf(f,
			"      SDM: from_hardware %d: %s (what KVM takes from "
			"hardware's qualification, facts §9)\n",
			m->from_hardware,
			m->from_hardware ? "hardware reported this EPT exit"
					 : "the exit is synthesized");
		break;
	case NEPT_F_TRANSLATED:
		fprintf(f,
			"      SDM: the access goes on to L1 0x%" PRIx64
			" (facts §3.1, §5.1)\n",
			m->translated);
		break;
	case NEPT_F_AD_WRITES:
		fprintf(f, "      A/D and PML writes: EPT12 A/D (facts §5.3), "
			   "guest A/D (facts §5.4), PML log (facts §7.2); ? = "
			   "allowed, not required\n");
		ad_list(f, "SDM", m);
		break;
	case NEPT_F_WARNS:
		fprintf(f, "      no SDM field: KVM asserted something a guest "
			   "can reach; the SDM outcome is the model's:\n");
		sdm_basis(f, &d->s, ev, m, t);
		break;
	case NEPT_F_MSRS:
		fprintf(f, "      SDM: RDMSR after the entry reads the last "
			   "value an MSR-load entry before the failing one "
			   "(if any) wrote (docs/sdm-rules.md §13.3):\n");
		for (unsigned j = 0; j < m->n_msrs; j++)
			fprintf(f, "        MSR 0x%x: 0x%" PRIx64 "\n",
				m->msr[j].index, m->msr[j].val);
		break;
	}
	/* What each version with this divergence gave instead. */
	for (unsigned i = 0; i < d->ndiv; i++) {
		const struct nept_divergence *o = &d->div[i];
		const struct nept_outcome *g;

		if (o->event != dv->event || o->field != dv->field ||
		    strcmp(o->detail, dv->detail))
			continue;
		g = &d->impl[impl_index(o->impl) - 1].event[dv->event];
		switch (dv->field) {
		case NEPT_F_QUAL:
			fprintf(f, "      %-13s 0x%" PRIx64 " = ",
				o->impl->name, g->qual);
			report_qual_names(f, g->qual);
			fputc('\n', f);
			break;
		case NEPT_F_ERROR_CODE:
			fprintf(f, "      %-13s 0x%x = ", o->impl->name,
				g->error_code);
			report_pfec_names(f, g->error_code);
			fputc('\n', f);
			break;
		case NEPT_F_GPA:
			fprintf(f, "      %-13s 0x%" PRIx64 "\n", o->impl->name,
				g->gpa);
			break;
		case NEPT_F_GLA:
		case NEPT_F_GLA_VALID:
			fprintf(f, "      %-13s 0x%" PRIx64 " (%s)\n",
				o->impl->name, g->gla,
				g->gla_valid ? "valid" : "not valid");
			break;
		case NEPT_F_AD_WRITES:
			ad_list(f, o->impl->name, g);
			break;
		case NEPT_F_WARNS:
			fprintf(f, "      %-13s %s\n", o->impl->name, g->note);
			break;
		default:
			outcome_indented(f, o->impl->name, g, "      ");
		}
	}
}

/* ------------------------------------------------------------------ */

static void event_line(FILE *f, const struct nept_scenario *s,
		       const struct nept_event *ev)
{
	if (ev->source == NEPT_SRC_VM_ENTRY) {
		fprintf(f, "vm-entry (L1's VMLAUNCH/VMRESUME)");
		return;
	}
	fprintf(f, "%s %s", nept_source_name(ev->source),
		nept_access_name(ev->access));
	if (!nept_walks_l2(s, ev))
		fprintf(f, " gpa=0x%" PRIx64, ev->gpa);
	fprintf(f, " gla=0x%" PRIx64, ev->gla);
	for (unsigned b = 0; nept_access_flag_names[b].name; b++)
		if (ev->flags & nept_access_flag_names[b].bit)
			fprintf(f, " %s", nept_access_flag_names[b].name);
	if (ev->source == NEPT_SRC_EMULATED) {
		const char *rn = nept_exit_reason_name(ev->exit_reason);

		fprintf(f, " exit=%s exit-qual=0x%" PRIx64, rn ? rn : "?",
			ev->exit_qual);
	}
	if (ev->source == NEPT_SRC_HW_VIOLATION)
		fprintf(f, " hw-qual=0x%" PRIx64, ev->hw_qual);
	if (ev->during)
		fprintf(f, " during=%u", ev->during - 1u);
}

int nept_repro_main(const char *prog, int argc, char **argv)
{
	static struct nept_scenario s;
	static struct nept_diff d;
	static struct model_state st;
	static struct nept_mem before;
	const char *path;
	uint8_t *data;
	size_t len;
	bool known;
	int rc;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--"
								     "help"))) {
		nept_repro_usage(prog, stdout);
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "%s repro: %s\n", prog,
			argc < 2 ? "no file given" : "exactly one file");
		nept_repro_usage(prog, stderr);
		return EXIT_USAGE;
	}
	path = argv[1];
	if (!load_scenario(path, &s))
		return EXIT_USAGE;
	if (!read_file(path, NEPT_TEXT_MAX * 4, &data, &len))
		return EXIT_USAGE;
	printf("== %s: %s scenario, %zu bytes ==\n", path,
	       looks_like_text(data, len) ? "text" : "binary", len);
	free(data);
	printf("modules:");
	for (unsigned i = 1; i < nept_nimpls; i++)
		printf(" %s", nept_impls[i]->name);
	printf("%s\n", nept_nimpls < 2 ? " none (only the model is built "
					 "in)"
				       : "");

	nept_diff_run(&s, &d);
	printf("\n== scenario (as run: docs/scenario-format.md) ==\n");
	report_scenario_text(stdout, &d.s);

	printf("\n== signature ==\n");
	unsigned checked = 0;

	for (unsigned i = 1; i < nept_nimpls; i++)
		checked += d.checked[i - 1];
	if (!d.ndiv && !checked) {
		printf("nothing compared: no module ran an event the SDM "
		       "decides (each outcome below says why)\n");
	} else if (!d.ndiv) {
		printf("no divergence: every module agrees with the model\n");
	} else {
		char title[256];

		known = nept_diff_new(&d) == 0;
		nept_diff_title(&d, known, title, sizeof(title));
		printf("%s\n%s\n", title,
		       known ? "known: every module gives exactly what the "
			       "deviations of its tree predict"
			     : "NEW: no known deviation predicts it");
	}

	model_state_init(&st, &d.s);
	for (unsigned e = 0; e < d.s.nevents; e++) {
		const struct nept_event *ev = &d.s.event[e];
		struct model_trace t;
		struct nept_outcome o;
		bool any = false;

		before = st.mem;
		model_run_event(&d.s, &st, ev, &o, &t);
		printf("\n== event %u: ", e);
		event_line(stdout, &d.s, ev);
		printf(" ==\n");
		if (ev->source == NEPT_SRC_VM_ENTRY) {
			/* No walk: the VM entry's checks (facts §13). */
			if (t.rule)
				printf("failed control check: %s\n", t.rule);
		} else if (nept_walks_l2(&d.s, ev)) {
			draw_l2(stdout, &d.s, &before, ev, &t);
			walk_stop(stdout, &d.s, &t, "");
		} else {
			printf("EPT12 walk of GPA 0x%" PRIx64 ":\n", ev->gpa);
			draw_ept(stdout, &d.s, &before, ev->gpa, "  ");
			walk_stop(stdout, &d.s, &t, "");
		}

		printf("outcomes:\n");
		printf("  %-13s ", "model (SDM)");
		report_outcome_text(stdout, &d.model.event[e]);
		for (unsigned i = 1; i < nept_nimpls; i++) {
			printf("  %-13s ", nept_impls[i]->name);
			if (e >= d.compared[i - 1] &&
			    d.impl[i - 1].event[e].kind != NEPT_OUT_UNSUPPORTED)
				printf("(not compared: an earlier event left "
				       "its memory unlike the model's) ");
			report_outcome_text(stdout, &d.impl[i - 1].event[e]);
		}

		for (unsigned k = 0; k < d.ndiv; k++) {
			char title[256];
			bool seen = false;

			if (d.div[k].event != e)
				continue;
			for (unsigned j = 0; j < k && !seen; j++)
				seen = d.div[j].event == e &&
				       d.div[j].field == d.div[k].field &&
				       !strcmp(d.div[j].detail,
					       d.div[k].detail);
			if (seen)
				continue;
			if (!any)
				printf("differences (the SDM rule that decides "
				       "each):\n");
			any = true;
			nept_divergence_title(&d, k, title, sizeof(title));
			printf("  %s\n", title + strlen("divergence: "));
			if (d.div[k].known) {
				char names[512];

				nept_deviation_names(d.div[k].known, names,
						     sizeof(names));
				printf("    known: the prediction holds (%s)\n",
				       names[0] ? names
						: "the SDM's own outcome");
			}
			explain(stdout, &d, k, &t);
		}
	}

	printf("\n== verdicts (for crashes/) ==\n");
	nept_write_verdict_lines(stdout, &d);
	rc = d.ndiv ? 1 : 0;
	return rc;
}
