// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_parts: what one scenario costs in the differential, part by part,
 * with no fuzzing engine.  scripts/bench parts runs it; nothing in the fuzz
 * targets calls it, and nothing here is compiled into them.
 *
 *   bench_parts [--rounds R] [--min-time S] FILE|DIR...
 *
 * Every file is read once (a text scenario is encoded to the binary form
 * the fuzz targets take; a file that does not decode is left out); then
 * each part runs over the whole set, pass
 * after pass for at least S seconds (default 0.3), R times (default 5),
 * and the median of the R rounds is printed in ns per scenario:
 *
 *   decode        scenario_decode_bin on the input bytes
 *   canonicalize  a copy of the scenario and nept_canonicalize (the
 *                 model's reference run is part of it)
 *   model         the SDM model alone (model_impl.run), canonical scenario
 *   kvm-X         one KVM module's run of the canonical scenario, as
 *                 nept_diff_run calls it (not for a scenario whose
 *                 capabilities it never advertises); "setup" is the same
 *                 run with no events (the vCPU, vmcs12 and memory setup),
 *                 "events" the rest: KVM's walks and injections
 *   compare       what nept_diff_run spends beyond canonicalize and the
 *                 modules' runs: the SDM outcome sets from each module's
 *                 memory, the predictions, matching and resync
 *   differential  nept_diff_run, everything above but decode, as
 *                 fuzz_diff runs it (skip_attribution)
 *   target        what fuzz_diff does per input without an engine: decode,
 *                 nept_diff_run and the statistics (fuzz_count,
 *                 fuzz_count_diff); new findings are not reported here
 *
 * The lower bound is KVM's own work: the events of every module.  The
 * floor adds what no differential of the scenario can skip besides:
 * decoding the input and the SDM model's run (the reference every module
 * is held to).  1e9 / floor is the most scenarios a second any fuzz
 * target running the full differential on one core could reach, with a
 * free comparison and a free engine.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diff.h"
#include "fileio.h"
#include "fuzz.h"
#include "model.h"

struct input {
	uint8_t *bytes;
	size_t len;
};

static struct input *inputs;
static size_t ninputs;
static struct nept_scenario *decoded, *canonical, *setup_only;
static size_t nscen, skipped;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static bool add_file(const char *path)
{
	static uint8_t bin[NEPT_BIN_MAX];
	uint8_t *data;
	size_t len;

	if (!read_file(path, 1u << 20, &data, &len)) {
		fprintf(stderr, "bench_parts: %s: %s\n", path, strerror(errno));
		return false;
	}
	if (looks_like_text(data, len)) {
		static struct nept_scenario s;
		struct nept_error err;

		if (!scenario_parse_text((const char *)data, len, &s, &err)) {
			fprintf(stderr, "bench_parts: %s:%d:%d: %s\n", path,
				err.line, err.col, err.msg);
			free(data);
			return false;
		}
		free(data);
		len = scenario_encode_bin(&s, bin, sizeof(bin));
		data = malloc(len ? len : 1);
		if (!data)
			return false;
		memcpy(data, bin, len);
	}
	inputs[ninputs].bytes = data;
	inputs[ninputs++].len = len;
	return true;
}

/* One pass of a part over every scenario. */
enum part {
	P_DECODE,
	P_CANON,
	P_MODEL,
	P_IMPL,
	P_SETUP,
	P_DIFF,
	P_TARGET
};

static volatile unsigned sink;

static void pass(enum part p, const struct nept_impl *impl)
{
	static struct nept_scenario s;
	static struct nept_result r;
	static struct nept_diff d;

	/* As fuzz_diff runs it (without the state feedback). */
	d.skip_attribution = true;
	switch (p) {
	case P_DECODE:
		for (size_t i = 0; i < ninputs; i++)
			sink += scenario_decode_bin(inputs[i].bytes,
						    inputs[i].len, &s);
		break;
	case P_CANON:
		for (size_t i = 0; i < nscen; i++) {
			s = decoded[i];
			nept_canonicalize(&s, &r);
			sink += r.nevents;
		}
		break;
	case P_MODEL:
		for (size_t i = 0; i < nscen; i++) {
			model_impl.run(&canonical[i], &r);
			sink += r.nevents;
		}
		break;
	case P_IMPL:
	case P_SETUP:
		for (size_t i = 0; i < nscen; i++) {
			const struct nept_scenario *c =
				p == P_IMPL ? &canonical[i] : &setup_only[i];

			if (c->caps & ~impl->caps)
				continue;
			impl->run(c, &r);
			sink += r.nevents;
		}
		break;
	case P_DIFF:
		for (size_t i = 0; i < nscen; i++) {
			nept_diff_run(&decoded[i], &d);
			sink += d.ndiv;
		}
		break;
	case P_TARGET:
		for (size_t i = 0; i < ninputs; i++) {
			if (!scenario_decode_bin(inputs[i].bytes, inputs[i].len,
						 &s))
				continue;
			nept_diff_run(&s, &d);
			fuzz_count(&d.model);
			fuzz_count_diff(&d);
			sink += d.ndiv;
		}
		break;
	}
}

static unsigned rounds = 5;
static const char *only;
static double min_time = 0.3;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median over the rounds of ns per scenario. */
static double measure(enum part p, const struct nept_impl *impl)
{
	double per[64];
	size_t n = nscen;

	pass(p, impl); /* warm */
	for (unsigned k = 0; k < rounds; k++) {
		double t0 = now(), t;
		unsigned long passes = 0;

		do {
			pass(p, impl);
			passes++;
			t = now() - t0;
		} while (t < min_time);
		per[k] = t * 1e9 / ((double)passes * (double)n);
	}
	qsort(per, rounds, sizeof(per[0]), cmp_double);
	return per[rounds / 2];
}

static void row(const char *name, double ns, double total)
{
	printf("%-28s %10.1f %6.1f%%\n", name, ns, 100.0 * ns / total);
}

int main(int argc, char **argv)
{
	char **files;
	size_t nfiles;
	int first = 1;
	double t_decode, t_canon, t_model, t_diff, t_target, t_runs = 0,
							     t_events = 0;
	double t_impl[NEPT_MAX_IMPLS], t_setup[NEPT_MAX_IMPLS];

	while (first < argc && argv[first][0] == '-' && argv[first][1]) {
		if (!strcmp(argv[first], "--rounds") && first + 1 < argc) {
			rounds = (unsigned)atoi(argv[first + 1]);
			first += 2;
		} else if (!strcmp(argv[first], "--min-time") &&
			   first + 1 < argc) {
			min_time = atof(argv[first + 1]);
			first += 2;
		} else if (!strcmp(argv[first], "--only") && first + 1 < argc) {
			only = argv[first + 1];
			first += 2;
		} else {
			fprintf(stderr,
				"usage: %s [--rounds R] [--min-time S] "
				"[--only decode|diff|target] FILE|DIR...\n",
				argv[0]);
			return !strcmp(argv[first], "--help") ? 0 : 2;
		}
	}
	if (first == argc || rounds < 1 || rounds > 64 || min_time <= 0) {
		fprintf(stderr,
			"usage: %s [--rounds R (1-64)] [--min-time S] "
			"FILE|DIR...\n",
			argv[0]);
		return 2;
	}
	files = collect_files(argv + first, argc - first, false, &nfiles);
	if (!files)
		return 2;
	inputs = calloc(nfiles ? nfiles : 1, sizeof(*inputs));
	decoded = calloc(nfiles ? nfiles : 1, sizeof(*decoded));
	canonical = calloc(nfiles ? nfiles : 1, sizeof(*canonical));
	setup_only = calloc(nfiles ? nfiles : 1, sizeof(*setup_only));
	if (!inputs || !decoded || !canonical || !setup_only)
		return 2;
	for (size_t i = 0; i < nfiles; i++)
		if (!add_file(files[i]))
			return 2;
	free_files(files, nfiles);
	/* Only inputs that decode: every part is then per scenario. */
	for (size_t i = 0; i < ninputs; i++) {
		if (!scenario_decode_bin(inputs[i].bytes, inputs[i].len,
					 &decoded[nscen])) {
			free(inputs[i].bytes);
			continue;
		}
		inputs[nscen] = inputs[i];
		canonical[nscen] = decoded[nscen];
		nept_canonicalize(&canonical[nscen], NULL);
		setup_only[nscen] = canonical[nscen];
		setup_only[nscen].nevents = 0;
		nscen++;
	}
	if (!nscen) {
		fprintf(stderr, "bench_parts: no input decodes to a "
				"scenario\n");
		return 2;
	}
	skipped = ninputs - nscen;
	ninputs = nscen;

	/* One part alone, for a profiler (perf record -g bench_parts
	 * --only diff ...): nothing else in the samples. */
	if (only) {
		static const struct {
			const char *name;
			enum part part;
		} parts[] = { { "decode", P_DECODE },
			      { "diff", P_DIFF },
			      { "target", P_TARGET } };

		for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
			if (!strcmp(only, parts[i].name)) {
				printf("%s: %.1f ns per scenario\n", only,
				       measure(parts[i].part, NULL));
				return 0;
			}
		fprintf(stderr,
			"bench_parts: --only %s: not one of decode, "
			"diff, target\n",
			only);
		return 2;
	}
	t_decode = measure(P_DECODE, NULL);
	t_canon = measure(P_CANON, NULL);
	t_model = measure(P_MODEL, NULL);
	for (unsigned i = 1; i < nept_nimpls && i < NEPT_MAX_IMPLS; i++) {
		t_impl[i] = measure(P_IMPL, nept_impls[i]);
		t_setup[i] = measure(P_SETUP, nept_impls[i]);
		t_runs += t_impl[i];
		t_events += t_impl[i] - t_setup[i];
	}
	t_diff = measure(P_DIFF, NULL);
	t_target = measure(P_TARGET, NULL);

	printf("%zu scenarios (%zu files that do not decode left out), %u "
	       "rounds of >= %.2f s, median ns per scenario\n",
	       nscen, skipped, rounds, min_time);
	printf("%-28s %10s %7s\n", "part", "ns", "share");
	row("decode", t_decode, t_target);
	row("canonicalize (+model ref)", t_canon, t_target);
	row("model alone", t_model, t_target);
	for (unsigned i = 1; i < nept_nimpls && i < NEPT_MAX_IMPLS; i++) {
		char name[64];

		snprintf(name, sizeof(name), "%s run", nept_impls[i]->name);
		row(name, t_impl[i], t_target);
		snprintf(name, sizeof(name), "  setup");
		row(name, t_setup[i], t_target);
		snprintf(name, sizeof(name), "  events");
		row(name, t_impl[i] - t_setup[i], t_target);
	}
	row("compare (remainder)", t_diff - t_canon - t_runs, t_target);
	row("differential", t_diff, t_target);
	row("target (decode+diff+stats)", t_target, t_target);
	row("lower bound: KVM events", t_events, t_target);
	row("floor: decode+model+events", t_decode + t_model + t_events,
	    t_target);
	printf("scenarios/s (target): %.0f\n", 1e9 / t_target);
	printf("scenarios/s (lower bound): %.0f\n", 1e9 / t_events);
	printf("scenarios/s (floor): %.0f\n",
	       1e9 / (t_decode + t_model + t_events));
	return 0;
}
