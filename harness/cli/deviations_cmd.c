// SPDX-License-Identifier: GPL-2.0-only
/*
 * `neptfuzz deviations`: the known KVM deviations (deviations/kvm.c), the
 * modules each applies to, and --check: every deviation's reproducer is
 * wholly explained with all deviations on, and diverges in a new way with
 * that one deviation off (on some module it applies to).  A deviation that
 * explains nothing its reproducer shows would be a pattern, not a cause.
 */
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deviation.h"
#include "deviations_cmd.h"
#include "diff.h"
#include "fileio.h"

void nept_deviations_usage(const char *prog, FILE *f)
{
	fprintf(f,
		"usage: %s deviations [--check] [--root DIR]\n"
		"\n"
		"Lists KVM's known deviations from the SDM: each is code that "
		"turns the\nSDM's outcome into KVM's under one cause "
		"(deviations/kvm.c), with the\ntrees it applies to (probes of "
		"kvm/recipe.txt), the rule it departs "
		"from\n(docs/sdm-rules.md) "
		"and its reproducer in crashes/; then the modules in\nthis "
		"binary it applies to.  A divergence is known only when an\n"
		"implementation gives exactly what its tree's deviations "
		"predict.\n"
		"\n"
		"  --check     replay each reproducer: with every deviation "
		"on, "
		"no new\n              divergence on the modules it applies "
		"to; "
		"with that one off,\n              a new divergence on at "
		"least "
		"one of them\n"
		"  --root DIR  where crashes/ is (default: .)\n"
		"  -h, --help\n"
		"Exit status: 0 listed (or every check held), 1 a check "
		"failed, "
		"2 usage or\na reproducer that does not load.\n",
		prog);
}

/* The names of the modules deviation d applies to, into buf. */
static unsigned applies_to(unsigned d, char *buf, size_t n)
{
	unsigned count = 0;
	size_t len = 0;

	buf[0] = 0;
	for (unsigned i = 1; i < nept_nimpls; i++) {
		if (!(nept_deviations_of(nept_impls[i]) >> d & 1))
			continue;
		if (len < n)
			len += (size_t)snprintf(buf + len, n - len, "%s%s",
						count ? " " : "",
						nept_impls[i]->name);
		count++;
	}
	return count;
}

/* Whether the diff has a divergence on a module d applies to: new ones
 * (fresh) or known ones whose prediction used d. */
static bool diverges_on(const struct nept_diff *diff, unsigned d, bool fresh)
{
	uint64_t off = nept_deviations_off;
	bool found = false;

	nept_deviations_off = 0; /* which modules d applies to */
	for (unsigned k = 0; k < diff->ndiv && !found; k++) {
		const struct nept_divergence *v = &diff->div[k];

		if (!(nept_deviations_of(v->impl) >> d & 1))
			continue;
		found = fresh ? !v->known : (v->known >> d & 1) != 0;
	}
	nept_deviations_off = off;
	return found;
}

static int check(const char *root)
{
	static struct nept_scenario s;
	static struct nept_diff diff;
	unsigned failed = 0, skipped = 0;

	for (unsigned d = 0; d < nept_ndeviations; d++) {
		const struct nept_deviation *dv = nept_deviations[d];
		char path[PATH_MAX], mods[256];
		bool used, fresh_on, fresh_off;

		if (!applies_to(d, mods, sizeof(mods))) {
			printf("skip  %-34s no module built in has its trees "
			       "(%s)\n",
			       dv->name, dv->trees);
			skipped++;
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", root, dv->reproducer);
		if (!load_scenario(path, &s))
			return 2;
		nept_deviations_off = 0;
		nept_diff_run(&s, &diff);
		used = diverges_on(&diff, d, false);
		fresh_on = diverges_on(&diff, d, true);
		nept_deviations_off = 1ull << d;
		nept_diff_run(&s, &diff);
		fresh_off = diverges_on(&diff, d, true);
		nept_deviations_off = 0;
		if (used && !fresh_on && fresh_off) {
			printf("ok    %-34s %s\n", dv->name, dv->reproducer);
			continue;
		}
		failed++;
		printf("FAIL  %-34s %s: %s\n", dv->name, dv->reproducer,
		       fresh_on ? "a new divergence with every deviation on"
		       : !used	? "no known divergence its prediction made"
				: "nothing new with it off: it explains "
				  "nothing");
	}
	printf("%u deviations: %u checked, %u failed, %u with no module "
	       "built in\n",
	       nept_ndeviations, nept_ndeviations - skipped - failed, failed,
	       skipped);
	return failed ? 1 : 0;
}

int nept_deviations_main(const char *prog, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "check", no_argument, NULL, 'c' },
		{ "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *root = ".";
	bool want_check = false;
	int c;

	while ((c = getopt_long(argc, argv, "cr:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			want_check = true;
			break;
		case 'r':
			root = optarg;
			break;
		case 'h':
			nept_deviations_usage(prog, stdout);
			return 0;
		default:
			nept_deviations_usage(prog, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s deviations: unexpected argument '%s'\n",
			prog, argv[optind]);
		return 2;
	}
	if (want_check)
		return check(root);
	for (unsigned d = 0; d < nept_ndeviations; d++) {
		const struct nept_deviation *dv = nept_deviations[d];
		char mods[256];

		applies_to(d, mods, sizeof(mods));
		printf("%s\n  facts %s; trees: %s\n  %s\n  reproducer: %s\n"
		       "  modules: %s\n",
		       dv->name, dv->facts, dv->trees[0] ? dv->trees : "all",
		       dv->why, dv->reproducer, mods[0] ? mods : "none");
	}
	return 0;
}
