// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvm_selftest: runs scenario files through the model and one kvm-<version>
 * module and prints both outcomes of every event side by side, with the
 * fields that differ once the model's undefined fields and bits are set
 * aside.  A difference is what the fuzzer looks for, not a failure here:
 * the exit status is 0 unless a file does not load or a module breaks its
 * interface (an outcome of an unknown kind, or a wrong event count).
 *
 *   kvm_selftest [-q] FILE|DIR...
 *   kvm_selftest --describe
 *
 * -q prints one line per scenario only.  Scenarios run as the fuzzer runs
 * them: nept_canonicalize first (L2 paging off: linear = L2-physical, the
 * hardware qualification derived from the access), then nept_compare.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diff.h"
#include "fileio.h"
#include "model.h"
#include "report.h"

extern const struct nept_impl NEPT_KVM_SYMBOL;

static bool quiet;
static unsigned nfiles, nagree, ndiffer, nunsupported, nbroken;

static void indent(FILE *f, const char *who, const struct nept_outcome *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	char *line, *save = NULL;
	bool first = true;

	report_outcome_text(m, o);
	fclose(m);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		fprintf(f, "      %-6s %s\n", first ? who : "", line);
		first = false;
	}
	if (o->kind != NEPT_OUT_UNSUPPORTED && o->note[0])
		fprintf(f, "      %-6s note: %s\n", "", o->note);
	free(buf);
}

static void run_file(const char *path)
{
	static struct nept_scenario s;
	static struct nept_result kr;
	static struct nept_diff d;
	unsigned unsupported = 0;

	if (!load_scenario(path, &s)) {
		nbroken++;
		return;
	}
	nfiles++;
	d.s = s;
	nept_canonicalize(&d.s, &d.model);
	d.ndiv = 0;
	memset(&kr, 0xa5, sizeof(kr));
	NEPT_KVM_SYMBOL.run(&d.s, &kr);
	if (kr.nevents != d.s.nevents) {
		printf("%s: %s returned %u events for %u\n", path,
		       NEPT_KVM_SYMBOL.name, kr.nevents, d.s.nevents);
		nbroken++;
		return;
	}
	for (unsigned i = 0; i < d.s.nevents; i++) {
		if (kr.event[i].kind >= NEPT_OUT_KIND_COUNT) {
			printf("%s: event %u: outcome kind %u\n", path, i,
			       kr.event[i].kind);
			nbroken++;
			return;
		}
		if (kr.event[i].kind == NEPT_OUT_UNSUPPORTED)
			unsupported++;
		else
			nept_compare(&d, &NEPT_KVM_SYMBOL, i, &d.model.event[i],
				     &kr.event[i]);
	}
	if (d.ndiv)
		ndiffer++;
	else if (unsupported == d.s.nevents)
		nunsupported++;
	else
		nagree++;

	if (quiet) {
		printf("%-60s %s", path,
		       d.ndiv			    ? "DIFFER"
		       : unsupported == d.s.nevents ? "unsupported"
		       : unsupported		    ? "agree (some unsupported)"
						    : "agree");
		for (unsigned i = 0; i < d.ndiv; i++)
			printf(" e%u:%s:%s", d.div[i].event,
			       nept_field_name(d.div[i].field),
			       d.div[i].detail);
		printf("\n");
		return;
	}
	printf("%s\n", path);
	for (unsigned i = 0; i < d.s.nevents; i++) {
		const struct nept_event *ev = &d.s.event[i];
		bool differ = false;

		for (unsigned j = 0; j < d.ndiv; j++)
			differ |= d.div[j].event == i;
		printf("  event %u: %s %s gpa=0x%" PRIx64 " gla=0x%" PRIx64, i,
		       nept_source_name(ev->source),
		       nept_access_name(ev->access), ev->gpa, ev->gla);
		if (ev->source == NEPT_SRC_HW_VIOLATION)
			printf(" hw-qual=0x%" PRIx64, ev->hw_qual);
		if (ev->source == NEPT_SRC_EMULATED)
			printf(" exit=%u exit-qual=0x%" PRIx64, ev->exit_reason,
			       ev->exit_qual);
		printf("  [%s]\n", kr.event[i].kind == NEPT_OUT_UNSUPPORTED
					   ? "unsupported"
				   : differ ? "DIFFER"
					    : "agree");
		indent(stdout, "model", &d.model.event[i]);
		indent(stdout, NEPT_KVM_SYMBOL.name, &kr.event[i]);
		for (unsigned j = 0; j < d.ndiv; j++)
			if (d.div[j].event == i)
				printf("      differ: %s %s\n",
				       nept_field_name(d.div[j].field),
				       d.div[j].detail);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_path(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;

	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		run_file(path);
		return;
	}
	d = opendir(path);
	if (!d) {
		perror(path);
		nbroken++;
		return;
	}
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (l < 5 || strcmp(e->d_name + l - 4, ".scn") != 0)
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (!names || asprintf(&names[n], "%s/%s", path, e->d_name) < 0)
			abort();
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		run_file(names[i]);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	int i = 1;

	if (argc == 2 && strcmp(argv[1], "--describe") == 0) {
		printf("%s\n", NEPT_KVM_SYMBOL.name);
		NEPT_KVM_SYMBOL.describe(stdout);
		return 0;
	}
	if (i < argc && strcmp(argv[i], "-q") == 0) {
		quiet = true;
		i++;
	}
	if (i >= argc) {
		fprintf(stderr,
			"usage: %s [-q] FILE|DIR...\n       %s --describe\n",
			argv[0], argv[0]);
		return 2;
	}
	printf("%s: %s\n", NEPT_KVM_SYMBOL.name, NEPT_KVM_SYMBOL.version);
	for (; i < argc; i++)
		run_path(argv[i]);
	printf("%u scenarios: %u agree, %u differ, %u unsupported; %u broken\n",
	       nfiles, nagree, ndiffer, nunsupported, nbroken);
	return nbroken ? 1 : 0;
}
