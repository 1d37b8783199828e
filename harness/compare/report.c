// SPDX-License-Identifier: GPL-2.0-only
#include "report.h"

#include <inttypes.h>

#include "model.h"

/* "NAME|NAME|bitN" for the set bits of v, "0" for none. */
static void bit_names(FILE *f, uint64_t v, unsigned nbits,
		      const char *(*name_of)(unsigned))
{
	const char *sep = "";

	if (!v) {
		fputs("0", f);
		return;
	}
	for (unsigned b = 0; b < nbits; b++) {
		const char *name = name_of(b);

		if (!(v & (1ull << b)))
			continue;
		if (name)
			fprintf(f, "%s%s", sep, name);
		else
			fprintf(f, "%sbit%u", sep, b);
		sep = "|";
	}
}

void report_qual_names(FILE *f, uint64_t qual)
{
	bit_names(f, qual, 64, nept_qual_bit_name);
}

/* #PF error-code bits by name (facts §8.1). */
const char *nept_pfec_bit_name(unsigned bit)
{
	static const char *const names[16] = {
		[0] = "P",  [1] = "W",	[2] = "U",    [3] = "RSVD", [4] = "I/D",
		[5] = "PK", [6] = "SS", [7] = "HLAT", [15] = "SGX",
	};

	return bit < 16 ? names[bit] : NULL;
}

void report_pfec_names(FILE *f, uint32_t ec)
{
	bit_names(f, ec, 32, nept_pfec_bit_name);
}

static void tolerances_text(FILE *f, uint32_t tols)
{
	for (unsigned t = 0; t < NEPT_TOL_COUNT; t++)
		if (tols & (1u << t))
			fprintf(f, "    tolerance %s: %s\n",
				nept_tolerance_name(t),
				nept_tolerance_reason(t));
}

void report_outcome_text(FILE *f, const struct nept_outcome *o)
{
	switch (o->kind) {
	case NEPT_OUT_EXIT: {
		const char *rn = nept_exit_reason_name(o->reason);

		fprintf(f, "exit %u (%s)\n", o->reason, rn ? rn : "?");
		if (o->reason == NEPT_EXIT_EXCEPTION_NMI) {
			/* Facts §10.3: interruption information, and for a
			 * #PF the linear address in the qualification. */
			fprintf(f, "    vector %u", o->vector);
			if (o->has_error_code)
				fprintf(f, " error code 0x%x", o->error_code);
			if (o->has_error_code && o->vector == 14) {
				fprintf(f, " = ");
				report_pfec_names(f, o->error_code);
			}
			fprintf(f, "\n    qualification 0x%" PRIx64 "\n",
				o->qual);
			break;
		}
		if (o->reason != NEPT_EXIT_EPT_VIOLATION &&
		    o->reason != NEPT_EXIT_EPT_MISCONFIG &&
		    o->reason != NEPT_EXIT_PML_FULL) {
			/* Another exit's qualification (facts §15): its own
			 * layout, not the EPT bits. */
			fprintf(f, "    qualification 0x%" PRIx64 "\n",
				o->qual);
			break;
		}
		fprintf(f, "    qualification 0x%" PRIx64 " = ", o->qual);
		report_qual_names(f, o->qual);
		if (o->qual_undefined) {
			fprintf(f, "  (undefined: ");
			report_qual_names(f, o->qual_undefined);
			fputc(')', f);
		}
		if (o->undefined & NEPT_F_GPA)
			fprintf(f, "\n    guest-physical undefined\n");
		else
			fprintf(f, "\n    guest-physical 0x%" PRIx64 "\n",
				o->gpa);
		if (o->undefined & NEPT_F_GLA)
			fprintf(f, "    guest-linear undefined\n");
		else
			fprintf(f, "    guest-linear 0x%" PRIx64 " (%s)\n",
				o->gla, o->gla_valid ? "valid" : "not valid");
		break;
	}
	case NEPT_OUT_EXCEPTION:
		fprintf(f, "exception delivered to L2: vector %u", o->vector);
		if (o->has_error_code) {
			fprintf(f, " error code 0x%x", o->error_code);
			if (o->vector == 14) {
				fprintf(f, " = ");
				report_pfec_names(f, o->error_code);
			}
		}
		if (o->vector == 14)
			fprintf(f, "\n    CR2 0x%" PRIx64, o->gla);
		fputc('\n', f);
		break;
	case NEPT_OUT_UNSUPPORTED:
		fprintf(f, "unsupported: %s\n", o->note);
		return;
	case NEPT_OUT_VMFAIL:
		fprintf(f, "VMfailValid, VM-instruction error %u\n",
			o->error_code);
		break;
	default:
		if (o->undefined == NEPT_F_ALL)
			fprintf(f, "undefined\n");
		else if (o->undefined & NEPT_F_TRANSLATED)
			fprintf(f, "none: the guest runs (a VM entry that "
				   "succeeded, no access)\n");
		else
			fprintf(f, "none: translated to 0x%" PRIx64 "\n",
				o->translated);
		break;
	}
	if (o->from_hardware >= 0)
		fprintf(f, "    from_hardware %d\n", o->from_hardware);
	for (unsigned i = 0; i < o->n_ad_writes; i++) {
		const struct nept_ad_write *w = &o->ad_write[i];

		fprintf(f, "    %s 0x%" PRIx64 ": 0x%" PRIx64 " -> 0x%" PRIx64,
			w->optional ? "may write" : "writes", w->gpa, w->old,
			w->val);
		if (w->may_bits)
			fprintf(f,
				" (bits 0x%" PRIx64 " may stay as they were)",
				w->may_bits);
		fputc('\n', f);
	}
	for (unsigned i = 0; i < o->n_msrs; i++) {
		if (o->msr[i].readable)
			fprintf(f, "    MSR 0x%x reads 0x%" PRIx64 "\n",
				o->msr[i].index, o->msr[i].val);
		else
			fprintf(f, "    MSR 0x%x: RDMSR faults\n",
				o->msr[i].index);
	}
	if (o->warns)
		fprintf(f, "    WARNs fired: %u (first: %s)\n", o->warns,
			o->note);
	tolerances_text(f, o->tolerances);
}

void report_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void report_outcome_json(FILE *f, const struct nept_outcome *o)
{
	report_outcome_json_also(f, o, NULL, 0);
}

void report_outcome_json_also(FILE *f, const struct nept_outcome *o,
			      const struct nept_outcome *also, unsigned nalso)
{
	const char *sep = "";

	fprintf(f, "{\"kind\":\"%s\"", nept_outcome_kind_name(o->kind));
	if (o->kind == NEPT_OUT_UNSUPPORTED) {
		fprintf(f, ",\"note\":");
		report_json_string(f, o->note);
		fputc('}', f);
		return;
	}
	if (o->kind == NEPT_OUT_EXIT)
		fprintf(f,
			",\"reason\":%u,\"qualification\":\"0x%" PRIx64
			"\",\"qualification_undefined\":\"0x%" PRIx64
			"\",\"gpa\":\"0x%" PRIx64 "\"",
			o->reason, o->qual, o->qual_undefined, o->gpa);
	else
		fprintf(f, ",\"reason\":null,\"qualification\":null,\"gpa\":"
			   "null");
	if (o->kind == NEPT_OUT_EXIT && !(o->undefined & NEPT_F_GLA))
		fprintf(f, ",\"gla\":\"0x%" PRIx64 "\",\"gla_valid\":%s",
			o->gla, o->gla_valid ? "true" : "false");
	else
		fprintf(f, ",\"gla\":null,\"gla_valid\":%s",
			(o->undefined & NEPT_F_GLA_VALID) ? "null" : "false");
	if (o->kind == NEPT_OUT_EXCEPTION) {
		fprintf(f, ",\"vector\":%u", o->vector);
		if (o->has_error_code)
			fprintf(f, ",\"error_code\":\"0x%x\"", o->error_code);
		else
			fprintf(f, ",\"error_code\":null");
	} else if (o->kind == NEPT_OUT_VMFAIL) {
		/* Facts §13.1: the VM-instruction error number. */
		fprintf(f, ",\"vector\":null,\"error_code\":%u", o->error_code);
	} else {
		fprintf(f, ",\"vector\":null,\"error_code\":null");
	}
	if (o->kind == NEPT_OUT_NONE && !(o->undefined & NEPT_F_TRANSLATED))
		fprintf(f, ",\"translated\":\"0x%" PRIx64 "\"", o->translated);
	else
		fprintf(f, ",\"translated\":null");
	if (o->from_hardware >= 0)
		fprintf(f, ",\"from_hardware\":%s",
			o->from_hardware ? "true" : "false");
	else
		fprintf(f, ",\"from_hardware\":null");
	fprintf(f, ",\"ad_writes\":[");
	for (unsigned i = 0; i < o->n_ad_writes; i++) {
		const struct nept_ad_write *w = &o->ad_write[i];

		fprintf(f,
			"%s{\"gpa\":\"0x%" PRIx64 "\",\"old\":\"0x%" PRIx64
			"\",\"new\":\"0x%" PRIx64 "\",\"optional\":%s}",
			sep, w->gpa, w->old, w->val,
			w->optional ? "true" : "false");
		sep = ",";
	}
	fprintf(f, "],\"warns\":%u,\"tolerances\":[", o->warns);
	sep = "";
	for (unsigned t = 0; t < NEPT_TOL_COUNT; t++) {
		if (!(o->tolerances & (1u << t)))
			continue;
		fprintf(f, "%s\"%s\"", sep, nept_tolerance_name(t));
		sep = ",";
	}
	fprintf(f, "],\"pml_index\":%u", o->pml_index);
	if (o->n_msrs) {
		/* What RDMSR reads after a VM entry (null: it faults). */
		fprintf(f, ",\"msrs\":{");
		for (unsigned i = 0; i < o->n_msrs; i++) {
			fprintf(f, "%s\"0x%x\":", i ? "," : "",
				o->msr[i].index);
			if (o->msr[i].readable)
				fprintf(f, "\"0x%" PRIx64 "\"", o->msr[i].val);
			else
				fprintf(f, "null");
		}
		fprintf(f, "}");
	}
	if (nalso) {
		/* The other outcomes the SDM allows for the event. */
		fprintf(f, ",\"also_allowed\":[");
		for (unsigned k = 0; k < nalso; k++) {
			fprintf(f, "%s", k ? "," : "");
			report_outcome_json(f, &also[k]);
		}
		fprintf(f, "]");
	}
	fprintf(f, "}");
}

void report_scenario_text(FILE *f, const struct nept_scenario *s)
{
	static char buf[NEPT_TEXT_MAX];

	if (scenario_write_text(s, buf, sizeof(buf)))
		fputs(buf, f);
	else
		fputs("# (scenario too large to print)\n", f);
}

bool report_expect_mem_met(const struct nept_scenario *s,
			   const struct nept_expect_mem *m,
			   const struct nept_mem *before,
			   const struct nept_outcome *o, char *why, size_t n)
{
	uint64_t addr = nept_expect_mem_addr(s, m), was = 0;

	if (m->kind == NEPT_EXPECT_MSR) {
		/* docs/sdm-rules.md §13.3: what RDMSR reads after the entry
		 * (anything, where the SDM leaves it open). */
		if (o->undefined & NEPT_F_MSRS)
			return true;
		for (unsigned k = 0; k < o->n_msrs; k++) {
			if (o->msr[k].index != m->addr)
				continue;
			if (o->msr[k].readable && o->msr[k].val == m->value)
				return true;
			snprintf(why, n, "MSR 0x%llx reads 0x%llx, not 0x%llx",
				 (unsigned long long)m->addr,
				 (unsigned long long)o->msr[k].val,
				 (unsigned long long)m->value);
			return false;
		}
		snprintf(why, n, "MSR 0x%llx: not loaded by the entry",
			 (unsigned long long)m->addr);
		return false;
	}
	nept_mem_read(before, addr, &was);
	/* Where the SDM leaves everything open, it leaves memory open. */
	if (o->undefined == NEPT_F_ALL)
		return true;
	for (unsigned k = 0; k < o->n_ad_writes; k++) {
		const struct nept_ad_write *w = &o->ad_write[k];

		if (w->gpa != addr)
			continue;
		if (((w->val ^ m->value) & ~w->may_bits) == 0 ||
		    (w->optional && was == m->value))
			return true;
		snprintf(why, n, "qword 0x%llx: 0x%llx, not 0x%llx",
			 (unsigned long long)addr, (unsigned long long)w->val,
			 (unsigned long long)m->value);
		return false;
	}
	if (was == m->value)
		return true;
	snprintf(why, n, "qword 0x%llx: 0x%llx (not written), not 0x%llx",
		 (unsigned long long)addr, (unsigned long long)was,
		 (unsigned long long)m->value);
	return false;
}

bool report_expect_met(const struct nept_expect *e,
		       const struct nept_outcome *o, const char **field)
{
	/* What the model leaves undefined is not held to the expectation:
	 * qualification bits, and whole fields (facts §4: the GLA of a
	 * misconfiguration; everything when a table is unbacked). */
	uint64_t qmask = ~o->qual_undefined;
	uint32_t u = o->undefined;

	*field = NULL;
	if ((e->fields & NEPT_EXPECT_KIND) && !(u & NEPT_F_KIND) &&
	    e->kind != o->kind)
		*field = "kind";
	else if ((e->fields & NEPT_EXPECT_REASON) && !(u & NEPT_F_REASON) &&
		 e->reason != o->reason)
		*field = "reason";
	else if ((e->fields & NEPT_EXPECT_QUAL) && !(u & NEPT_F_QUAL) &&
		 (e->qual & qmask) != (o->qual & qmask))
		*field = "qualification";
	else if ((e->fields & NEPT_EXPECT_GPA) && !(u & NEPT_F_GPA) &&
		 e->gpa != o->gpa)
		*field = "gpa";
	else if ((e->fields & NEPT_EXPECT_GLA) && !(u & NEPT_F_GLA) &&
		 ((!o->gla_valid && o->kind != NEPT_OUT_EXCEPTION) ||
		  e->gla != o->gla))
		*field = o->kind == NEPT_OUT_EXCEPTION ? "cr2" : "gla";
	else if ((e->fields & NEPT_EXPECT_VECTOR) && !(u & NEPT_F_VECTOR) &&
		 e->vector != o->vector)
		*field = "vector";
	else if ((e->fields & NEPT_EXPECT_ERROR_CODE) &&
		 !(u & NEPT_F_ERROR_CODE) &&
		 (!o->has_error_code || e->error_code != o->error_code))
		*field = "error_code";
	else if ((e->fields & NEPT_EXPECT_TRANSLATED) &&
		 !(u & NEPT_F_TRANSLATED) && e->translated != o->translated)
		*field = "translated";
	return *field == NULL;
}
