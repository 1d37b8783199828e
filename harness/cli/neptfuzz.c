// SPDX-License-Identifier: GPL-2.0-only
/*
 * neptfuzz: the command line.  `eval` runs scenarios through the SDM model,
 * `fmt` converts between the text and binary encodings.  Exit status: 0
 * success, 1 a check failed (`eval --check`), 2 bad input, usage or a
 * failed write (standard output included: a full disk is never a success).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h> /* libbsd overlay: strtonum */
#include <string.h>
#include <sys/stat.h>

#include "deviations_cmd.h"
#include "diff.h"
#include "diffstats.h"
#include "fileio.h"
#include "generate.h"
#include "minimize.h"
#include "model.h"
#include "report.h"
#include "treediff.h"
#include "verdicts.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2
/* diff: only known divergences; nothing compared at all. */
#define EXIT_KNOWN_ONLY 3
#define EXIT_NOTHING_COMPARED 4

static const char *prog = "neptfuzz";

static void usage_main(FILE *f)
{
	fprintf(f,
		"usage: %s COMMAND [OPTIONS] [FILE...]\n"
		"\n"
		"A differential fuzzer for KVM's nested-EPT fault injection.\n"
		"\n"
		"commands:\n"
		"  eval     run scenario files through the SDM reference "
		"model\n"
		"  diff     run scenario files on the model and every "
		"implementation, compare\n"
		"  fmt      convert a scenario between the text and binary "
		"encodings\n"
		"  gen      write random legal scenarios, reproducibly from a "
		"seed\n"
		"  minimize reduce a finding to the smallest scenario with its "
		"signature\n"
		"  repro    a finding explained: walks as trees, every "
		"outcome, the SDM rules\n"
		"  targets  list the implementations built into this binary\n"
		"  verdicts hold every KVM module to the verdicts stored "
		"findings record\n"
		"  deviations  KVM's known deviations from the SDM, and a "
		"check of each\n"
		"  help     show help for a command (%s help eval)\n"
		"\n"
		"Scenario files are described in docs/scenario-format.md; "
		"a FILE of - is\nstandard input.\n"
		"Exit status: 0 success, 1 a check failed, 2 bad input, "
		"usage or a failed\nwrite (standard output included).\n",
		prog, prog);
}

static void usage_eval(FILE *f)
{
	fprintf(f,
		"usage: %s eval [--json] [--check] [--quiet] FILE...\n"
		"\n"
		"Runs each scenario (text or binary) through the SDM model and "
		"prints, per\nevent, what L1 sees: the exit, its qualification "
		"bit by bit, the addresses,\nthe EPT A/D flags written, after "
		"a "
		"VM entry the MSRs its MSR-load list\nleft, and the "
		"tolerances (where the SDM allows more than one answer).\n"
		"\n"
		"  --json    one JSON object per file, one per line: "
		"{\"file\", "
		"\"events\": [...]}\n"
		"  --check   compare each event with its `expect` line; exit 1 "
		"on a mismatch\n"
		"  --quiet   with --check: print only mismatches\n"
		"  -h, --help\n",
		prog);
}

static void usage_fmt(FILE *f)
{
	fprintf(f,
		"usage: %s fmt --to text|bin [-o OUT] FILE\n"
		"\n"
		"Reads a scenario in either encoding and writes it in the "
		"other (or the\nsame, canonicalized) to OUT or standard "
		"output.  The binary encoding is\nwhat the fuzz targets "
		"consume; text is for people.\n"
		"\n"
		"  --to text|bin   output encoding (required)\n"
		"  -o, --output OUT  (- or none: standard output)\n"
		"  -h, --help\n",
		prog);
}

static void usage_diff(FILE *f)
{
	fprintf(f,
		"usage: %s diff [--target NAME]... [--json] FILE|DIR...\n"
		"       %s diff --baseline NAME [--target NAME]... [--json] "
		"FILE|DIR...\n"
		"\n"
		"Runs each scenario (a directory: each file in it) on the SDM "
		"model and on\nevery implementation in this binary (or those "
		"named with --target),\ncompares them field by field with the "
		"model's tolerances applied, and\nprints each outcome and "
		"every "
		"divergence by SDM bit name.  A divergence is known when the\n"
		"implementation gives exactly what the known deviations of "
		"its tree\npredict (deviations/, `%s deviations`); anything "
		"else is new.  The\nscenario is first made concrete as the "
		"fuzzer does (hardware\nqualifications derived from the "
		"access).  An event is compared when\nthe implementation ran "
		"it and the SDM says something about it (not\nevery field "
		"left undefined); the last line counts them.\n"
		"\n"
		"With --baseline, tree to tree: each scenario whose outcome on "
		"a target\nmodule differs from the baseline module's, field by "
		"field with no\ntolerance, then every difference grouped by "
		"signature and classed as a\nfix (only the target agrees with "
		"the model), a regression (only the\nbaseline does) or a "
		"change. "
		" Without --target, every other module.\n"
		"\n"
		"  --target NAME    compare only this implementation "
		"(repeatable); NAME is a\n                   module "
		"(kvm-6.12.117) or a series (kvm-6.12: its newest)\n"
		"  --baseline NAME  tree to tree against this module\n"
		"  --json           one JSON object per file, one per line\n"
		"  --stats          at the end: per module, events compared "
		"and why others\n                   were not; how often each "
		"scenario dimension occurred\n"
		"  -q, --quiet      report only files with a new divergence\n"
		"  -h, --help\n"
		"Exit status: 0 something was compared and all agree, 1 a new "
		"divergence\n(with --baseline: a difference), 2 bad input or "
		"usage, 3 only known\ndivergences, 4 nothing compared (every "
		"event unsupported or undefined).\nThe first that applies, "
		"in that order, wins.\n",
		prog, prog, prog);
}

static bool target_selected(const struct nept_impl *const *targets, unsigned n,
			    const struct nept_impl *impl)
{
	if (!n)
		return true;
	for (unsigned i = 0; i < n; i++)
		if (targets[i] == impl)
			return true;
	return false;
}

static int cmd_diff(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "stats", no_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct nept_diff_stats stats;
	bool want_stats = false, quiet = false;
	const struct nept_impl *targets[NEPT_MAX_IMPLS], *baseline = NULL;
	unsigned ntargets = 0;
	bool json = false;
	char **files;
	size_t nfiles;
	int c;
	struct {
		unsigned agree, known, fresh, nothing, bad;
		unsigned long checked, events;
	} n = { 0 };

	while ((c = getopt_long(argc, argv, "t:b:jsqh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			want_stats = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'b':
			baseline = nept_impl_resolve(optarg);
			if (!baseline || !baseline->series) {
				fprintf(stderr,
					"%s diff: no KVM module '%s' (see %s "
					"targets)\n",
					prog, optarg, prog);
				return EXIT_USAGE;
			}
			break;
		case 't':
			if (!nept_impl_resolve(optarg) ||
			    ntargets == NEPT_MAX_IMPLS) {
				fprintf(stderr,
					"%s diff: no implementation '%s' "
					"(see %s targets)\n",
					prog, optarg, prog);
				return EXIT_USAGE;
			}
			targets[ntargets++] = nept_impl_resolve(optarg);
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage_diff(stdout);
			return 0;
		default:
			usage_diff(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "%s diff: no scenario file given\n", prog);
		usage_diff(stderr);
		return EXIT_USAGE;
	}
	if (baseline) {
		if (!ntargets)
			for (unsigned i = 1; i < nept_nimpls; i++)
				if (nept_impls[i] != baseline)
					targets[ntargets++] = nept_impls[i];
		if (!ntargets) {
			fprintf(stderr,
				"%s diff: --baseline needs another KVM module "
				"to compare with\n",
				prog);
			return EXIT_USAGE;
		}
		return nept_tree_diff_main(prog, baseline, targets, ntargets,
					   json, argv + optind, argc - optind);
	}
	if (nept_nimpls < 2)
		fprintf(stderr,
			"%s diff: only the model is built in; build with "
			"kernel trees to compare KVM\n",
			prog);
	files = collect_files(argv + optind, argc - optind, false, &nfiles);
	if (!files) {
		fprintf(stderr, "%s diff: out of memory\n", prog);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < nfiles; i++) {
		static struct nept_scenario s;
		static struct nept_diff d;
		unsigned kept = 0, checked = 0, events = 0;
		const char *verdict;

		if (!load_scenario(files[i], &s)) {
			n.bad++;
			continue;
		}
		nept_diff_run(&s, &d);
		/* Keep only the divergences of the selected implementations. */
		for (unsigned k = 0; k < d.ndiv; k++)
			if (target_selected(targets, ntargets, d.div[k].impl))
				d.div[kept++] = d.div[k];
		d.ndiv = kept;
		for (unsigned k = 1; k < d.nimpls; k++)
			if (target_selected(targets, ntargets, d.impls[k])) {
				checked += d.checked[k - 1];
				events += d.s.nevents;
			}
		n.checked += checked;
		n.events += events;
		if (want_stats)
			nept_diff_stats_add(&stats, &d);
		if (nept_diff_new(&d)) {
			n.fresh++;
			verdict = "DIVERGENCE";
		} else if (d.ndiv) {
			n.known++;
			verdict = "known divergence";
		} else if (!checked) {
			n.nothing++;
			verdict = "nothing compared";
		} else {
			n.agree++;
			verdict = "all agree";
		}
		if (json) {
			printf("{\"file\":");
			report_json_string(stdout, file_label(files[i]));
			printf(",\"verdict\":\"%s\",\"compared\":%u,"
			       "\"impl_events\":%u,",
			       verdict, checked, events);
			nept_diff_json(stdout, &d);
			printf("}\n");
			continue;
		}
		if (quiet && !nept_diff_new(&d))
			continue;
		printf("%s: %s\n", file_label(files[i]), verdict);
		if (d.ndiv) {
			char title[256];

			nept_diff_title(&d, nept_diff_new(&d) == 0, title,
					sizeof(title));
			printf("  signature: %s\n", title);
		}
		nept_diff_report(stdout, &d, d.ndiv != 0);
	}
	free_files(files, nfiles);
	if (want_stats)
		nept_diff_stats_print(json ? stderr : stdout, &stats);
	if (!json)
		printf("%zu files: %u all agree, %u known divergence, %u "
		       "DIVERGENCE, %u nothing compared, %u bad; %lu of %lu "
		       "implementation events compared\n",
		       nfiles, n.agree, n.known, n.fresh, n.nothing, n.bad,
		       n.checked, n.events);
	if (n.fresh)
		return EXIT_FAILED;
	if (n.bad)
		return EXIT_USAGE;
	if (n.known)
		return EXIT_KNOWN_ONLY;
	if (!n.checked)
		return EXIT_NOTHING_COMPARED;
	return 0;
}

static void usage_gen(FILE *f)
{
	fprintf(f,
		"usage: %s gen [--seed N] [--count N] [--to text|bin] -o DIR\n"
		"\n"
		"Writes COUNT random legal scenarios (default 10) drawn from "
		"SEED "
		"(default 1)\nto DIR/gen-SEED-I.scn (or .bin): the same seed "
		"gives "
		"the same files on\nevery machine.  Useful as a starting "
		"corpus "
		"or for a quick look at what\nthe model says.\n"
		"\n"
		"  --seed N        0 .. 2^63-1\n"
		"  --count N       1 .. 100000\n"
		"  --to text|bin   encoding (default text)\n"
		"  -o, --output DIR  created (with its parents) if missing\n"
		"  -h, --help\n",
		prog);
}

/* mkdir -p: DIR and its missing parents. */
static bool make_dirs(const char *dir)
{
	char path[4096];
	size_t n = strlen(dir);
	struct stat st;

	if (n == 0 || n >= sizeof(path)) {
		errno = n ? ENAMETOOLONG : ENOENT;
		return false;
	}
	memcpy(path, dir, n + 1);
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;

		*p = 0;
		if (mkdir(path, 0777) != 0 && errno != EEXIST)
			return false;
		*p = c;
		if (!c)
			break;
	}
	if (stat(dir, &st) != 0)
		return false;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return false;
	}
	return true;
}

static int cmd_gen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "to", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static char buf[NEPT_TEXT_MAX];
	long long seed = 1, count = 10;
	const char *to = "text", *dir = NULL, *errstr;
	uint64_t state;
	int c;

	while ((c = getopt_long(argc, argv, "s:n:t:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			seed = strtonum(optarg, 0, INT64_MAX, &errstr);
			if (errstr) {
				fprintf(stderr, "%s gen: --seed %s: %s\n", prog,
					optarg, errstr);
				return EXIT_USAGE;
			}
			break;
		case 'n':
			count = strtonum(optarg, 1, 100000, &errstr);
			if (errstr) {
				fprintf(stderr, "%s gen: --count %s: %s\n",
					prog, optarg, errstr);
				return EXIT_USAGE;
			}
			break;
		case 't':
			to = optarg;
			break;
		case 'o':
			dir = optarg;
			break;
		case 'h':
			usage_gen(stdout);
			return 0;
		default:
			usage_gen(stderr);
			return EXIT_USAGE;
		}
	}
	if (!dir || optind != argc ||
	    (strcmp(to, "text") && strcmp(to, "bin"))) {
		usage_gen(stderr);
		return EXIT_USAGE;
	}
	if (!make_dirs(dir)) {
		fprintf(stderr, "%s gen: -o %s: %s\n", prog, dir,
			strerror(errno));
		return EXIT_USAGE;
	}
	state = (uint64_t)seed * 0x9e3779b97f4a7c15ull + 1;
	for (long long i = 0; i < count; i++) {
		static struct nept_scenario s;
		char path[4096];
		size_t n;
		FILE *f;

		while (!scenario_generate(&state, &s))
			;
		n = strcmp(to, "text")
			    ? scenario_encode_bin(&s, (uint8_t *)buf,
						  sizeof(buf))
			    : scenario_write_text(&s, buf, sizeof(buf));
		snprintf(path, sizeof(path), "%s/gen-%lld-%lld.%s", dir, seed,
			 i, strcmp(to, "text") ? "bin" : "scn");
		f = fopen(path, "wb");
		if (!f || fwrite(buf, 1, n, f) != n || fclose(f) != 0) {
			fprintf(stderr, "%s: %s\n", path, strerror(errno));
			return EXIT_USAGE;
		}
	}
	return 0;
}

static void usage_targets(FILE *f)
{
	fprintf(f,
		"usage: %s targets [--names | --matrix]\n\n"
		"Lists the implementations linked into this binary, each once: "
		"for each KVM\nmodule (named by its tree's full version, "
		"kvm-6.12.117; `kvm-6.12` names\nthe newest of a series "
		"wherever a module is named) the kernel version,\nDebian "
		"package and tarball checksum, the probes of kvm/recipe.txt "
		"that hold\nfor its tree, and the extracted kernel functions "
		"with their file:line.\nTrees allowed to be missing "
		"(NEPT_ALLOW_MISSING) are listed as MISSING.\n\n"
		"  --names   names only, one a line\n"
		"  --matrix  one line per module: name, series, version, "
		"probes; then any\n            MISSING tree\n",
		prog);
}

static void print_trace(const struct nept_scenario *s,
			const struct model_trace *t)
{
	static const char *const stops[] = { "translated", "not present",
					     "misconfigured",
					     "permission violation",
					     "unbacked" };

	printf("    walk (%u levels):", t->levels);
	for (unsigned i = 0; i < t->nread; i++)
		printf(" %s@0x%" PRIx64 "=0x%" PRIx64,
		       model_level_name(t->e[i].level), t->e[i].addr,
		       t->e[i].val);
	printf("\n    stopped: %s", stops[t->stop]);
	if (t->rule)
		printf(" (%s)", t->rule);
	if (t->stop == MODEL_STOP_PERMISSION || t->stop == MODEL_STOP_OK)
		printf("; needs %s%s%s%s, path allows %s%s%s%s",
		       t->need & 1 ? "R" : "", t->need & 2 ? "W" : "",
		       t->need & 4 ? "X" : "", t->need & 8 ? "XU" : "",
		       t->have & 1 ? "R" : "-", t->have & 2 ? "W" : "-",
		       t->have & 4 ? "X" : "-",
		       (s->caps & NEPT_CAP_MBEC) ? (t->have & 8 ? "XU" : "-")
						 : "");
	putchar('\n');
}

static int cmd_eval(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "check", no_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool json = false, check = false, quiet = false;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "jcqh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'c':
			check = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage_eval(stdout);
			return 0;
		default:
			usage_eval(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "%s eval: no scenario file given\n", prog);
		usage_eval(stderr);
		return EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		static struct nept_scenario s;
		static struct model_state st;
		const char *path = file_label(argv[i]);

		if (!load_scenario(argv[i], &s)) {
			rc = EXIT_USAGE;
			continue;
		}
		model_state_init(&st, &s);
		if (json) {
			printf("{\"file\":");
			report_json_string(stdout, path);
			printf(",\"events\":[");
		} else if (!quiet) {
			printf("%s:\n", path);
		}
		for (unsigned e = 0; e < s.nevents; e++) {
			const struct nept_event *ev = &s.event[e];
			struct nept_outcome o;
			struct model_trace t;
			const char *field = NULL;
			bool met = true;

			static struct model_outcomes os;

			/* Every outcome the SDM allows: an expectation is
			 * met by any of them. */
			bool l1s = model_exit_owner(&s, &st.mem, ev) ==
				   MODEL_EXIT_L1;

			static struct nept_mem mem_before;
			char mem_why[120] = "";

			nept_mem_copy(&mem_before, &st.mem);
			model_run_event_set(&s, &st, ev, &os, &t);
			o = os.o[0];
			if (check && (ev->expect.fields || ev->nexpect_mem)) {
				/* One outcome the SDM allows must meet them
				 * all. */
				met = false;
				for (unsigned k = 0; k < os.n && !met; k++) {
					met = !ev->expect.fields ||
					      report_expect_met(&ev->expect,
								&os.o[k],
								&field);
					for (unsigned x = 0;
					     met && x < ev->nexpect_mem; x++)
						met = report_expect_mem_met(
							&s, &ev->expect_mem[x],
							&mem_before, &os.o[k],
							mem_why,
							sizeof(mem_why));
					if (!met && !field)
						field = mem_why;
				}
			}
			if (!met)
				rc = rc ? rc : EXIT_FAILED;
			if (json) {
				printf("%s", e ? "," : "");
				report_outcome_json_also(stdout, &o, os.o + 1,
							 os.n - 1u);
				continue;
			}
			if (!met)
				printf("%s: event %u: expectation not met: "
				       "%s\n",
				       path, e, field);
			if (quiet && met)
				continue;
			if (ev->source == NEPT_SRC_VM_ENTRY)
				printf("  event %u (vm-entry): ", e);
			else
				printf("  event %u (%s %s 0x%" PRIx64 "): ", e,
				       nept_source_name(ev->source),
				       (ev->flags & NEPT_AF_PAGING)
					       ? ((ev->flags & NEPT_AF_SETS_AD)
							  ? "guest-A/D-write"
							  : "guest-paging-read")
					       : nept_access_name(ev->access),
				       ev->gpa);
			report_outcome_text(stdout, &o);
			if (ev->source == NEPT_SRC_VM_ENTRY) {
				/* No walk: the entry's checks (facts §13). */
				if (t.rule)
					printf("    failed control check: %s\n",
					       t.rule);
			} else if (l1s) {
				printf("    no access: the exit is L1's "
				       "(facts §15)\n");
			} else {
				print_trace(&s, &t);
			}
			model_print_l2_trace(stdout, &t, "    ");
			for (unsigned k = 1; k < os.n; k++) {
				printf("    or, as the SDM also allows: ");
				report_outcome_text(stdout, &os.o[k]);
			}
		}
		if (json)
			printf("]}\n");
		if (check && !json && !quiet) {
			unsigned n = 0;

			for (unsigned e = 0; e < s.nevents; e++)
				n += s.event[e].expect.fields != 0 ||
				     s.event[e].nexpect_mem;
			printf("  %u of %u events have an expectation%s\n", n,
			       s.nevents, rc == EXIT_FAILED ? "" : ", all met");
		}
	}
	return rc;
}

static int cmd_fmt(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct nept_scenario s;
	static char out[NEPT_TEXT_MAX > NEPT_BIN_MAX ? NEPT_TEXT_MAX
						     : NEPT_BIN_MAX];
	const char *to = NULL, *output = NULL;
	size_t n;
	FILE *f;
	int c;

	while ((c = getopt_long(argc, argv, "t:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			to = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			usage_fmt(stdout);
			return 0;
		default:
			usage_fmt(stderr);
			return EXIT_USAGE;
		}
	}
	if (!to || (strcmp(to, "text") && strcmp(to, "bin"))) {
		fprintf(stderr, "%s fmt: --to text or --to bin is required\n",
			prog);
		usage_fmt(stderr);
		return EXIT_USAGE;
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "%s fmt: exactly one input file\n", prog);
		usage_fmt(stderr);
		return EXIT_USAGE;
	}
	if (!load_scenario(argv[optind], &s))
		return EXIT_USAGE;
	if (output && !strcmp(output, "-"))
		output = NULL;
	if (!strcmp(to, "text"))
		n = scenario_write_text(&s, out, sizeof(out));
	else
		n = scenario_encode_bin(&s, (uint8_t *)out, sizeof(out));
	if (!n) {
		fprintf(stderr, "%s fmt: scenario too large to encode\n", prog);
		return EXIT_USAGE;
	}
	f = output ? fopen(output, "wb") : stdout;
	if (!f) {
		fprintf(stderr, "%s: %s\n", output, strerror(errno));
		return EXIT_USAGE;
	}
	if (fwrite(out, 1, n, f) != n || (output && fclose(f) != 0)) {
		fprintf(stderr, "%s: write failed: %s\n",
			output ? output : "stdout", strerror(errno));
		return EXIT_USAGE;
	}
	return 0;
}

static int cmd_targets(int argc, char **argv)
{
	bool names = false, matrix = false;

	if (argc > 1) {
		if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			usage_targets(stdout);
			return 0;
		}
		names = !strcmp(argv[1], "--names");
		matrix = !strcmp(argv[1], "--matrix");
		if (argc > 2 || (!names && !matrix)) {
			usage_targets(stderr);
			return EXIT_USAGE;
		}
	}
	for (unsigned i = 0; i < nept_nimpls; i++) {
		const struct nept_impl *m = nept_impls[i];

		if (names) {
			printf("%s\n", m->name);
		} else if (matrix) {
			if (m->series)
				printf("%s %s %s %s\n", m->name, m->series,
				       m->kernel_version, m->probes);
		} else {
			printf("%-14s %s\n", m->name, m->version);
			if (m->probes)
				printf("probes: %s\n", m->probes);
			if (m->describe)
				m->describe(stdout);
		}
	}
	if (names)
		return 0;
	for (unsigned i = 0; nept_missing[i]; i++)
		printf("MISSING %s\n", nept_missing[i]);
	return 0;
}

static int cmd_verdicts(int argc, char **argv)
{
	return nept_verdicts_main(prog, argc, argv);
}

static void usage_verdicts(FILE *f)
{
	nept_verdicts_usage(prog, f);
}

static int cmd_deviations(int argc, char **argv)
{
	return nept_deviations_main(prog, argc, argv);
}

static void usage_deviations(FILE *f)
{
	nept_deviations_usage(prog, f);
}

static int cmd_minimize(int argc, char **argv)
{
	return nept_minimize_main(prog, argc, argv);
}

static void usage_minimize(FILE *f)
{
	nept_minimize_usage(prog, f);
}

static int cmd_repro(int argc, char **argv)
{
	return nept_repro_main(prog, argc, argv);
}

static void usage_repro(FILE *f)
{
	nept_repro_usage(prog, f);
}

static const struct {
	const char *name;
	int (*run)(int, char **);
	void (*usage)(FILE *);
} commands[] = {
	{ "eval", cmd_eval, usage_eval },
	{ "diff", cmd_diff, usage_diff },
	{ "fmt", cmd_fmt, usage_fmt },
	{ "gen", cmd_gen, usage_gen },
	{ "minimize", cmd_minimize, usage_minimize },
	{ "repro", cmd_repro, usage_repro },
	{ "targets", cmd_targets, usage_targets },
	{ "verdicts", cmd_verdicts, usage_verdicts },
	{ "deviations", cmd_deviations, usage_deviations },
};

/*
 * Everything written to standard output must have reached it: a failed
 * write (a full disk, a closed pipe's EIO) sets the stream's error flag,
 * and the final flush and close may fail too.
 */
static int close_stdout(int rc)
{
	int e;
	bool bad;

	errno = 0;
	bad = fflush(stdout) != 0;
	e = errno;
	bad |= ferror(stdout) != 0;
	if (fclose(stdout) != 0 && !bad) {
		bad = true;
		e = errno;
	}
	if (!bad)
		return rc;
	fprintf(stderr, "%s: writing standard output: %s\n", prog,
		e ? strerror(e) : "write error");
	return EXIT_USAGE;
}

static int run(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		usage_main(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		usage_main(stdout);
		return 0;
	}
	if (!strcmp(cmd, "help")) {
		if (argc < 3) {
			usage_main(stdout);
			return 0;
		}
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]);
		     i++)
			if (!strcmp(argv[2], commands[i].name)) {
				commands[i].usage(stdout);
				return 0;
			}
		fprintf(stderr, "%s: no such command: %s\n", prog, argv[2]);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "%s: no such command: %s\n", prog, cmd);
	usage_main(stderr);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	return close_stdout(run(argc, argv));
}
