// SPDX-License-Identifier: GPL-2.0-only
/*
 * `neptfuzz diff --baseline A --target B FILE|DIR...`: tree to tree.  Every
 * scenario runs on both builds of KVM (and the model, to say whether a
 * difference is a fix or a regression); where B does something else than A
 * it is listed, and the run ends with the differences grouped by
 * signature: the report a kernel developer reads for a patch under review
 * or a stable update.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "fileio.h"
#include "report.h"
#include "treediff.h"

struct group {
	char sig[256];
	const char *class;
	const char *example;
	unsigned count;
};

static unsigned impl_index(const struct nept_impl *m)
{
	for (unsigned i = 0; i < nept_nimpls; i++)
		if (nept_impls[i] == m)
			return i;
	return 0;
}

static void group_add(struct group *g, unsigned *ng, unsigned max,
		      const char *sig, const char *class, const char *file)
{
	for (unsigned i = 0; i < *ng; i++) {
		if (!strcmp(g[i].sig, sig) && g[i].class == class) {
			g[i].count++;
			return;
		}
	}
	if (*ng == max)
		return;
	snprintf(g[*ng].sig, sizeof(g[*ng].sig), "%s", sig);
	g[*ng].class = class;
	g[*ng].example = file;
	g[*ng].count = 1;
	(*ng)++;
}

static int cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->sig, y->sig);
}

int nept_tree_diff_main(const char *prog, const struct nept_impl *base,
			const struct nept_impl *const *targets,
			unsigned ntargets, bool json, char *const *args,
			int nargs)
{
	enum {
		MAX_GROUPS = 512
	};
	static struct nept_scenario s;
	static struct nept_diff d;
	static struct nept_tree_diff t;
	static struct group groups[MAX_GROUPS];
	unsigned ngroups = 0, nscen = 0, differ = 0, partial = 0,
		 ncls[3] = { 0 };
	size_t nfiles;
	char **files = collect_files(args, nargs, false, &nfiles);
	int rc = 0;

	if (!files) {
		fprintf(stderr, "%s diff: out of memory\n", prog);
		return 2;
	}
	for (size_t i = 0; i < nfiles; i++) {
		if (!load_scenario(files[i], &s)) {
			rc = 2;
			continue;
		}
		nscen++;
		nept_diff_run(&s, &d);
		for (unsigned k = 0; k < ntargets; k++) {
			if (targets[k] == base)
				continue;
			nept_tree_diff(&d, impl_index(base),
				       impl_index(targets[k]), &t);
			partial += t.uncompared != 0;
			if (!t.ndiv)
				continue;
			differ++;
			if (json) {
				printf("{\"file\":");
				report_json_string(stdout, files[i]);
				printf(",\"baseline\":\"%s\",\"target\":\"%s\","
				       "\"divergences\":[",
				       base->name, targets[k]->name);
			} else {
				printf("%s: %s -> %s\n", file_label(files[i]),
				       base->name, targets[k]->name);
			}
			for (unsigned j = 0; j < t.ndiv; j++) {
				const char *class =
					nept_tree_class_name(t.cls[j]);
				char title[256];

				ncls[t.cls[j] % 3]++;
				nept_tree_title(&t, j, title, sizeof(title));
				group_add(groups, &ngroups, MAX_GROUPS, title,
					  class, files[i]);
				if (json) {
					printf("%s{\"event\":%u,\"source\":"
					       "\"%s\",\"field\":\"%s\","
					       "\"class\":\"%s\",\"detail\":",
					       j ? "," : "", t.div[j].event,
					       nept_divergence_source(
						       &t.div[j]),
					       nept_field_name(t.div[j].field),
					       class);
					report_json_string(stdout,
							   t.div[j].detail);
					printf("}");
				} else {
					printf("  event %u %s: %s %s  [%s]\n",
					       t.div[j].event,
					       nept_divergence_source(
						       &t.div[j]),
					       nept_field_name(t.div[j].field),
					       t.div[j].detail, class);
				}
			}
			if (json)
				printf("]}\n");
		}
	}
	qsort(groups, ngroups, sizeof(groups[0]), cmp_group);
	fprintf(json ? stderr : stdout,
		"\ntree diff, baseline %s: %u scenarios, %u differ; "
		"differences: %u fixes, %u regressions, %u changes\n"
		"  (by the model, in that event and field: fix = only the "
		"baseline diverged from the SDM,\n  regression = only the "
		"target does, change = both do, or neither)\n",
		base->name, nscen, differ, ncls[NEPT_TREE_FIX],
		ncls[NEPT_TREE_REGRESSION], ncls[NEPT_TREE_CHANGE]);
	if (partial)
		fprintf(json ? stderr : stdout,
			"  %u comparisons stopped early (an event one of them "
			"could not run, or memory that differs after a "
			"difference)\n",
			partial);
	for (unsigned i = 0; i < ngroups; i++)
		fprintf(json ? stderr : stdout, "  %5u  %-10s %s  (e.g. %s)\n",
			groups[i].count, groups[i].class, groups[i].sig,
			groups[i].example);
	free_files(files, nfiles);
	if (rc)
		return rc;
	return differ ? 1 : 0;
}
