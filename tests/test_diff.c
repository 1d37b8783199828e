// SPDX-License-Identifier: GPL-2.0-only
/*
 * The comparison, signatures and known divergences, on synthetic
 * outcomes: a divergence must be named by the SDM bits that differ, the
 * model's tolerances must hide exactly the bits they name, and a known
 * divergence must be exactly what a tree's deviations predict.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "diff.h"
#include "model.h"

static const struct nept_impl fake = { .name = "kvm-fake", .version = "test" };

/* Modules that give a canned outcome, on trees with and without the
 * forced-user probe (deviations/kvm.c). */
static struct nept_outcome canned;

static void canned_run(const struct nept_scenario *s, struct nept_result *r)
{
	r->nevents = s->nevents;
	for (unsigned i = 0; i < s->nevents; i++)
		r->event[i] = canned;
}

static const struct nept_impl forced = {
	.name = "kvm-forced",
	.version = "test",
	.caps = NEPT_CAP_ALL,
	.series = "9.9",
	.kernel_version = "9.9.1",
	.probes = "nested_gpa_forces_user qual_in_exception from_hardware",
	.run = canned_run,
};
static const struct nept_impl plain = {
	.name = "kvm-plain",
	.version = "test",
	.caps = NEPT_CAP_ALL,
	.series = "9.9",
	.kernel_version = "9.9.2",
	.probes = "qual_in_exception from_hardware",
	.run = canned_run,
};
static struct nept_diff d;

static void setup(uint8_t source)
{
	memset(&d, 0, sizeof(d));
	scenario_init(&d.s);
	d.s.nevents = 1;
	d.s.event[0].source = source;
}

/* An emulated event whose L2 walk (4-level) read guest entries in pages
 * 0x10000 and 0x13000 and reached the final GPA 0x50123. */
static void l2_walk_setup(void)
{
	setup(NEPT_SRC_EMULATED);
	d.s.l2.paging = NEPT_L2_4LEVEL;
	d.walk[0] = (struct nept_walk_pages){ .ntables = 2,
					      .table = { 0x10000, 0x13000 },
					      .has_final = 1,
					      .final = 0x50123 };
}

static struct nept_outcome violation(uint64_t qual)
{
	struct nept_outcome o = { .kind = NEPT_OUT_EXIT,
				  .reason = 48,
				  .qual = qual,
				  .gpa = 0x5123,
				  .gla = 0x5123,
				  .gla_valid = 1,
				  .from_hardware = 1 };
	return o;
}

int main(void)
{
	struct nept_outcome m, g;
	char title[256];
	FILE *quiet = fopen("/dev/null", "w");

	/* Bits named with their direction, facts §6 names. */
	setup(NEPT_SRC_EMULATED);
	m = violation(QUAL_READ | QUAL_GLA_VALID | QUAL_GLA_FINAL);
	g = violation(QUAL_READ);
	nept_compare(&d, &fake, 0, &m, &g);
	EXPECT(d.ndiv == 1 && d.div[0].field == NEPT_F_QUAL &&
		       !strcmp(d.div[0].detail, "-GLA_VALID -GLA_TRANSLATED"),
	       "qual detail '%s'", d.ndiv ? d.div[0].detail : "");
	nept_diff_title(&d, false, title, sizeof(title));
	EXPECT(!strcmp(title, "divergence: kvm-fake: emulated: qualification "
			      "-GLA_VALID -GLA_TRANSLATED"),
	       "title '%s'", title);

	/* Independent causes keep separate signatures: one divergence per
	 * facts §6 bit group, whatever the input combines. */
	setup(NEPT_SRC_EMULATED);
	m = violation(QUAL_READ | QUAL_GLA_VALID | QUAL_GLA_FINAL |
		      QUAL_LIN_USER | QUAL_NMI_UNBLOCK);
	g = violation(QUAL_READ | QUAL_GLA_VALID | QUAL_GLA_FINAL);
	nept_compare(&d, &fake, 0, &m, &g);
	EXPECT(d.ndiv == 2 && !strcmp(d.div[0].detail, "-GLA_USER") &&
		       !strcmp(d.div[1].detail, "-NMI_UNBLOCKING"),
	       "groups: %u divergences", d.ndiv);

	/* Undefined bits (a tolerance) never diverge. */
	setup(NEPT_SRC_HW_VIOLATION);
	m = violation(QUAL_READ | QUAL_GLA_VALID | QUAL_GLA_FINAL);
	m.qual_undefined = QUAL_USER_EXEC | QUAL_LIN_USER;
	g = m;
	g.qual |= QUAL_USER_EXEC | QUAL_LIN_USER;
	nept_compare(&d, &fake, 0, &m, &g);
	EXPECT(d.ndiv == 0, "undefined bits diverged: %s",
	       d.ndiv ? d.div[0].detail : "");

	/* A misconfiguration must have qualification 0: "nonzero",
	 * whatever stale bits the implementation reported. */
	setup(NEPT_SRC_HW_VIOLATION);
	m = (struct nept_outcome){ .kind = NEPT_OUT_EXIT,
				   .reason = 49,
				   .gpa = 0x5123,
				   .from_hardware = 1,
				   .undefined = NEPT_F_GLA | NEPT_F_GLA_VALID };
	g = m;
	g.qual = 0x181;
	nept_compare(&d, &fake, 0, &m, &g);
	EXPECT(d.ndiv == 1 && !strcmp(d.div[0].detail, "nonzero"),
	       "misconfig detail '%s'", d.ndiv ? d.div[0].detail : "");

	/* Kind and reason differences stop the field comparison. */
	setup(NEPT_SRC_EMULATED);
	m = violation(QUAL_READ);
	g = m;
	g.reason = 49;
	nept_compare(&d, &fake, 0, &m, &g);
	EXPECT(d.ndiv == 1 && d.div[0].field == NEPT_F_REASON &&
		       !strcmp(d.div[0].detail, "exit 48->exit 49"),
	       "reason detail");

	/* GPA: a page-aligned report is told apart from a wrong page. */
	setup(NEPT_SRC_EMULATED);
	m = violation(QUAL_READ);
	g = m;
	g.gpa = 0x5000;
	nept_compare(&d, &fake, 0, &m, &g);
	EXPECT(d.ndiv == 1 && !strcmp(d.div[0].detail, "page offset"), "gpa "
								       "detai"
								       "l");

	/* from_hardware only where the implementation has the notion. */
	setup(NEPT_SRC_EMULATED);
	m = violation(QUAL_READ);
	m.from_hardware = 0;
	g = m;
	g.from_hardware = -1;
	nept_compare(&d, &fake, 0, &m, &g);
	EXPECT(d.ndiv == 0, "from_hardware -1 compared");
	g.from_hardware = 1;
	nept_compare(&d, &fake, 0, &m, &g);
	EXPECT(d.ndiv == 1 && d.div[0].field == NEPT_F_FROM_HW, "from_hardware "
								"not compared");

	/* A WARN is a divergence of its own. */
	setup(NEPT_SRC_HW_VIOLATION);
	m = violation(QUAL_READ);
	g = m;
	g.warns = 1;
	nept_compare(&d, &fake, 0, &m, &g);
	EXPECT(d.ndiv == 1 && d.div[0].field == NEPT_F_WARNS, "WARN missed");

	/* A/D writes: optional ones may be skipped or made; others not. */
	setup(NEPT_SRC_HW_VIOLATION);
	m = violation(QUAL_WRITE);
	m.n_ad_writes = 1;
	m.ad_write[0] = (struct nept_ad_write){ 0x1000, 0x2007, 0x2107, 1, 0 };
	g = m;
	g.n_ad_writes = 0;
	nept_compare(&d, &fake, 0, &m, &g);
	EXPECT(d.ndiv == 0, "optional A write required");
	g.n_ad_writes = 1;
	g.ad_write[0] = (struct nept_ad_write){ 0x1000, 0x2007, 0x2307, 0, 0 };
	nept_compare(&d, &fake, 0, &m, &g);
	EXPECT(d.ndiv == 1 && d.div[0].field == NEPT_F_AD_WRITES, "D flag on a "
								  "faulting "
								  "walk "
								  "accepted");

	/* A required write with bits an aliasing optional write added: the
	 * implementation may leave those bits as they were. */
	setup(NEPT_SRC_EMULATED);
	m = violation(QUAL_WRITE);
	m.n_ad_writes = 1;
	m.ad_write[0] =
		(struct nept_ad_write){ 0x3000, 0x4007, 0x4127, 0, 0x20 };
	g = m;
	g.ad_write[0].val = 0x4107;
	nept_compare(&d, &fake, 0, &m, &g);
	EXPECT(d.ndiv == 0, "may_bits required");
	g.ad_write[0].val = 0x4027;
	nept_compare(&d, &fake, 0, &m, &g);
	EXPECT(d.ndiv == 1 && d.div[0].field == NEPT_F_AD_WRITES, "required "
								  "bit of a "
								  "write with "
								  "may_bits "
								  "missed");

	/* Unsupported is never a divergence. */
	setup(NEPT_SRC_EMULATED);
	m = violation(QUAL_READ);
	g = (struct nept_outcome){ .kind = NEPT_OUT_UNSUPPORTED };
	nept_compare(&d, &fake, 0, &m, &g);
	EXPECT(d.ndiv == 0, "unsupported compared");

	/* Exceptions (facts §8.1, §10.3): the vector, then the error code by
	 * #PF bit name; CR2 when delivered; a #PF exit's qualification is
	 * the linear address. */
	setup(NEPT_SRC_EMULATED);
	m = (struct nept_outcome){ .kind = NEPT_OUT_EXCEPTION,
				   .vector = 14,
				   .has_error_code = 1,
				   .error_code = 0x5,
				   .gla = 0x401123 };
	g = m;
	g.error_code = 0xd;
	g.gla = 0x401000;
	nept_compare(&d, &fake, 0, &m, &g);
	EXPECT(d.ndiv == 2 && d.div[0].field == NEPT_F_ERROR_CODE &&
		       !strcmp(d.div[0].detail, "+RSVD") &&
		       d.div[1].field == NEPT_F_GLA &&
		       !strcmp(d.div[1].detail, "cr2"),
	       "exception: %u divergences, '%s'", d.ndiv,
	       d.ndiv ? d.div[0].detail : "");
	setup(NEPT_SRC_EMULATED);
	g = m;
	g.vector = 8;
	g.error_code = 0;
	nept_compare(&d, &fake, 0, &m, &g);
	EXPECT(d.ndiv == 1 && d.div[0].field == NEPT_F_VECTOR &&
		       !strcmp(d.div[0].detail, "14->8"),
	       "vector: %u divergences", d.ndiv);
	setup(NEPT_SRC_EMULATED);
	m.kind = g.kind = NEPT_OUT_EXIT;
	m.reason = g.reason = NEPT_EXIT_EXCEPTION_NMI;
	m.qual = 0x401123;
	g = m;
	g.qual = 0x401000;
	g.from_hardware = 1; /* not compared for exception exits */
	nept_compare(&d, &fake, 0, &m, &g);
	EXPECT(d.ndiv == 1 && d.div[0].field == NEPT_F_QUAL &&
		       !strcmp(d.div[0].detail, "linear address"),
	       "#PF exit qualification: %u divergences", d.ndiv);

	/* An L2 walk: where the implementation faulted and whether it
	 * needed a write the SDM does not (a read whose walk KVM stops at a
	 * table page). */
	l2_walk_setup();
	m = (struct nept_outcome){ .kind = NEPT_OUT_NONE,
				   .translated = 0x1050123 };
	g = violation(QUAL_READ | QUAL_WRITE | QUAL_GLA_VALID);
	g.gpa = 0x13000;
	nept_compare(&d, &fake, 0, &m, &g);
	nept_divergence_title(&d, 0, title, sizeof(title));
	EXPECT(d.ndiv == 1 && !strcmp(title, "divergence: kvm-fake: "
					     "emulated/l2: kind none->exit "
					     "48 at a guest entry as a write"),
	       "walk site: '%s'", title);
	/* Another page than the model's: one divergence, not a cascade. */
	l2_walk_setup();
	m = violation(QUAL_READ | QUAL_GLA_VALID | QUAL_GLA_FINAL);
	m.gpa = 0x50123;
	nept_compare(&d, &fake, 0, &m, &g);
	EXPECT(d.ndiv == 1 && d.div[0].field == NEPT_F_GPA &&
		       !strcmp(d.div[0].detail, "page, not the final GPA: at "
						"a guest entry as a write"),
	       "other page: %u divergences, '%s'", d.ndiv,
	       d.ndiv ? d.div[0].detail : "");
	/* A PML-full exit defines bit 12 alone: named, not "nonzero". */
	setup(NEPT_SRC_EMULATED);
	m = (struct nept_outcome){ .kind = NEPT_OUT_EXIT,
				   .reason = NEPT_EXIT_PML_FULL,
				   .qual_undefined = ~QUAL_NMI_UNBLOCK };
	g = m;
	g.qual = QUAL_NMI_UNBLOCK | QUAL_READ;
	nept_compare(&d, &fake, 0, &m, &g);
	EXPECT(d.ndiv == 1 && !strcmp(d.div[0].detail, "+NMI_UNBLOCKING"),
	       "PML-full bit 12: '%s'", d.ndiv ? d.div[0].detail : "");

	/* Known divergences are exact predictions (deviations/): an
	 * emulated write to a page EPT12 does not map, on trees whose
	 * translate_nested_gpa forces PFERR_USER_MASK, is reported with
	 * READ too, and vmcs12's guest-linear address is vmcs02's (0: no
	 * exit saved one). */
	{
		struct nept_scenario s;
		static struct nept_diff dd;
		const struct nept_impl *impls[] = { &model_impl, &forced,
						    &plain };

		scenario_init(&s);
		scenario_set_qword(&s, 0x1000, 0x2007);
		scenario_set_qword(&s, 0x2000, 0x3007);
		scenario_set_qword(&s, 0x3000, 0x4007);
		scenario_add_page(&s, 0x4000);
		s.nevents = 1;
		s.event[0].source = NEPT_SRC_EMULATED;
		s.event[0].access = NEPT_ACC_WRITE;
		s.event[0].gpa = 0x5123;
		s.event[0].exit_reason = NEPT_EXIT_IO_INSTRUCTION;
		scenario_normalize(&s);

		canned = violation(QUAL_READ | QUAL_WRITE | QUAL_GLA_VALID |
				   QUAL_GLA_FINAL);
		canned.gla = 0;
		canned.from_hardware = -1;
		nept_diff_run_with(&s, &dd, impls, 3);
		EXPECT(dd.ndiv == 4 && dd.div[0].impl == &forced &&
			       dd.div[0].known &&
			       !strcmp(dd.div[0].detail, "+READ") &&
			       dd.div[1].known &&
			       !strcmp(dd.div[1].detail, "value") &&
			       dd.div[2].impl == &plain && !dd.div[2].known &&
			       !dd.div[3].known,
		       "forced-user prediction: %u divergences", dd.ndiv);
		/* A finding's version set holds only the trees where the
		 * same difference is new. */
		nept_diff_title(&dd, false, title, sizeof(title));
		EXPECT(!strcmp(title, "divergence: kvm-plain: emulated: "
				      "qualification +READ"),
		       "new-divergence title: '%s'", title);
		/* One more bit than predicted is new, on the same tree, and
		 * the report says what the prediction was and how it missed. */
		canned.qual |= QUAL_READABLE;
		nept_diff_run_with(&s, &dd, impls, 2);
		EXPECT(dd.ndiv == 3 && !dd.div[0].known && !dd.div[1].known &&
			       !dd.div[2].known,
		       "an outcome beyond the prediction was known");
		{
			char *text = NULL;
			size_t len = 0;
			FILE *mem = open_memstream(&text, &len);

			nept_diff_report(mem, &dd, false);
			fclose(mem);
			EXPECT(strstr(text, "event 0 kvm-forced, by "
					    "nested-gpa-forced-user") &&
				       strstr(text, "it gave instead: "
						    "qualification "
						    "+READABLE\n"),
			       "missed prediction not reported:\n%s", text);
			free(text);
		}
		/* The stale guest-linear address is predicted too: the SDM's
		 * own address is now a difference from it. */
		canned.qual &= ~QUAL_READABLE;
		canned.gla = 0x5123;
		nept_diff_run_with(&s, &dd, impls, 2);
		EXPECT(dd.ndiv == 1 && !dd.div[0].known, "a guest-linear "
							 "address KVM does not "
							 "give was known");
	}

	/* Canonicalization: no L2 paging, so linear == physical; hardware
	 * qualifications follow the access and never exceed EPT12. */
	{
		struct nept_scenario s;

		scenario_init(&s);
		scenario_set_qword(&s, 0x1000, 0x2001); /* PML4E: R only */
		scenario_set_qword(&s, 0x2000, 0x3007);
		scenario_set_qword(&s, 0x3000, 0x4007);
		scenario_set_qword(&s, 0x4028, 0x7037);
		s.nevents = 1;
		s.event[0].access = NEPT_ACC_WRITE;
		s.event[0].gpa = 0x5123;
		s.event[0].hw_qual = 0x38 | QUAL_FETCH;
		scenario_normalize(&s);
		nept_canonicalize(&s, NULL);
		EXPECT(nept_effective_event(&s, &s.event[0]).gla == 0x5123,
		       "gla not gpa");
		EXPECT(s.event[0].hw_qual ==
			       (QUAL_WRITE | QUAL_READABLE | QUAL_GLA_VALID |
				QUAL_GLA_FINAL | QUAL_LIN_USER | QUAL_LIN_RW),
		       "hw_qual 0x%llx",
		       (unsigned long long)s.event[0].hw_qual);
		{
			struct nept_scenario again = s;

			nept_canonicalize(&again, NULL);
			EXPECT(scenario_equal(&s, &again), "canonicalize is "
							   "not idempotent");
		}
	}

	fclose(quiet);
	printf("%u passed, %u failed\n", passes, failures);
	return failures ? 1 : 0;
}
