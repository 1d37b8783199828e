// SPDX-License-Identifier: GPL-2.0-only
/*
 * The structure-aware mutator over the corpus/ scenarios (converted with
 * scenario_parse_text) and random bytes: every output fits max_size, an
 * output not made by bytes decodes to a legal scenario other than its
 * input, a seed always gives the same output, and every named mutation
 * both fires from the weighted table and changes a scenario on its own.
 * The AFL++ entry points and the libFuzzer hooks (without libFuzzer, the
 * weak LLVMFuzzerMutate is absent) run over the same inputs.
 *
 * usage: test_mutate CORPUS_DIR
 */
#include "engine_hooks.h"
#include "fuzz.h"
#include "generate.h"
#include "model.h"
#include "mutate.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"

#define MAX_INPUTS 256
#define SEEDS 24      /* nept_mutate calls per corpus input */
#define APPLY_SEEDS 6 /* nept_mutate_apply calls per input and mutation */
#define RANDOM_INPUTS 3000
/* A mutation must change a scenario at least this often over the corpus. */
#define MIN_APPLIED 3

static unsigned passed, failed;

static bool expect_true(bool ok, int line, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		passed++;
		return true;
	}
	if (failed++ < 25) {
		fprintf(stderr, "test_mutate.c:%d: FAIL: ", line);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	return false;
}

#define EXPECT(cond, ...) expect_true((cond), __LINE__, __VA_ARGS__)

struct input {
	char name[96];
	uint8_t *bin;
	size_t len;
	struct nept_scenario s; /* decoded, expectations dropped */
};

static struct input inputs[MAX_INPUTS];
static unsigned ninputs;

static void no_expectations(struct nept_scenario *s)
{
	for (unsigned i = 0; i < NEPT_MAX_EVENTS; i++)
		nept_event_drop_expectations(&s->event[i]);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct input *)a)->name,
		      ((const struct input *)b)->name);
}

static void load_corpus(const char *dir)
{
	static uint8_t bin[NEPT_BIN_MAX];
	struct nept_error err;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!EXPECT(d != NULL, "cannot open %s", dir))
		return;
	while ((de = readdir(d)) && ninputs < MAX_INPUTS) {
		size_t nl = strlen(de->d_name), len, n;
		struct input *in = &inputs[ninputs];
		char path[4096];
		uint8_t *text;

		if (nl < 4 || strcmp(de->d_name + nl - 4, ".scn"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!EXPECT(read_file(path, 1u << 20, &text, &len),
			    "cannot read %s", path))
			continue;
		if (EXPECT(scenario_parse_text((const char *)text, len, &in->s,
					       &err),
			   "%s:%d:%d: %s", path, err.line, err.col, err.msg)) {
			no_expectations(&in->s);
			n = scenario_encode_bin(&in->s, bin, sizeof(bin));
			in->bin = malloc(n);
			memcpy(in->bin, bin, n);
			in->len = n;
			snprintf(in->name, sizeof(in->name), "%s", de->d_name);
			ninputs++;
		}
		free(text);
	}
	closedir(d);
	qsort(inputs, ninputs, sizeof(inputs[0]), by_name);
	EXPECT(ninputs >= 20, "only %u corpus scenarios in %s", ninputs, dir);
}

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

/* Room the engine gives (never less than the input): often plenty,
 * sometimes just the input, or tight (libFuzzer's length control starts
 * small). */
static size_t pick_max(size_t len, unsigned seed)
{
	switch (seed % 6) {
	case 0:
		return len;
	case 1:
		return len + 64;
	case 2:
		return len > 160 ? len : 160;
	default:
		return len > 4096 ? len : 4096;
	}
}

static unsigned long fired[64], changed_apply[64];
static unsigned long outputs, by_bytes, by_generated, fresh_scenarios;

/* One nept_mutate call and its checks; the decoded output in *out when it
 * is a scenario. */
static bool check_mutate(const uint8_t *in, size_t len, size_t max,
			 unsigned seed, const struct nept_scenario *before,
			 const char *what)
{
	static uint8_t a[NEPT_BIN_MAX + 4096], b[NEPT_BIN_MAX + 4096];
	static struct nept_scenario out;
	struct nept_mutate_info ia, ib;
	struct nept_error err;
	size_t n, n2;

	memcpy(a, in, len);
	memset(a + len, 0xa5, sizeof(a) - len);
	n = nept_mutate(a, len, max, seed, &ia);
	outputs++;
	EXPECT(n > 0 && n <= max, "%s seed %u: size %zu, max %zu", what, seed,
	       n, max);
	EXPECT(a[max] == 0xa5, "%s seed %u: wrote past max_size", what, seed);
	memcpy(b, in, len);
	n2 = nept_mutate(b, len, max, seed, &ib);
	EXPECT(n2 == n && !memcmp(a, b, n) && !memcmp(&ia, &ib, sizeof(ia)),
	       "%s seed %u: not deterministic", what, seed);
	if (ia.path == NEPT_MUTATE_BYTES) {
		by_bytes++;
		EXPECT(ia.nsteps == 0, "%s: bytes with named steps", what);
		return false;
	}
	if (ia.path == NEPT_MUTATE_GENERATED)
		by_generated++;
	EXPECT(ia.nsteps >= 1 && ia.nsteps <= NEPT_MUTATE_MAX_STEPS,
	       "%s seed %u: %u steps", what, seed, ia.nsteps);
	for (unsigned i = 0; i < ia.nsteps; i++) {
		EXPECT(ia.step[i] < nept_mutation_count() &&
			       !nept_mutation_needs_partner(ia.step[i]),
		       "%s seed %u: step %u is %u", what, seed, i, ia.step[i]);
		if (ia.step[i] < 64)
			fired[ia.step[i]]++;
	}
	if (!EXPECT(scenario_decode_bin(a, n, &out),
		    "%s seed %u: output does not decode", what, seed))
		return false;
	EXPECT(scenario_check(&out, &err), "%s seed %u: illegal: %s", what,
	       seed, err.msg);
	if (before)
		EXPECT(!scenario_equal(&out, before),
		       "%s seed %u: scenario unchanged", what, seed);
	fresh_scenarios++;
	return true;
}

static void test_mutate_corpus(void)
{
	for (unsigned i = 0; i < ninputs; i++)
		for (unsigned seed = 0; seed < SEEDS; seed++)
			check_mutate(inputs[i].bin, inputs[i].len,
				     pick_max(inputs[i].len, seed),
				     seed * 7919 + i, &inputs[i].s,
				     inputs[i].name);
	/* With room, a decodable input is nearly always mutated as a
	 * scenario: bytes only when no step took or nothing fits. */
	EXPECT(by_bytes * 10 < outputs,
	       "%lu of %lu corpus mutations fell back to bytes", by_bytes,
	       outputs);
}

/* Random bytes and mangled corpus files: never past max_size, and what is
 * not bytes decodes (checked in check_mutate). */
static void test_mutate_random(void)
{
	static uint8_t buf[8192];
	unsigned long gen_before = by_generated;

	for (unsigned k = 0; k < RANDOM_INPUTS; k++) {
		size_t len = rnd() % 300, max = len + rnd() % 4096;

		if (k % 3 == 0 && ninputs) {
			const struct input *in = &inputs[rnd() % ninputs];

			len = in->len < sizeof(buf) ? in->len : sizeof(buf);
			memcpy(buf, in->bin, len);
			buf[rnd() % len] ^= (uint8_t)(1 + rnd() % 255);
			max = len + 512;
		} else {
			for (size_t j = 0; j < len; j++)
				buf[j] = (uint8_t)rnd();
		}
		if (!max)
			max = 1;
		check_mutate(buf, len, max, k, NULL, "random bytes");
	}
	EXPECT(by_generated > gen_before, "no fresh scenario built for inputs "
					  "that do not decode");
}

/* Each named mutation fires from the weighted table (splices from
 * nept_crossover). */
static void test_all_fire(void)
{
	static uint8_t out[NEPT_BIN_MAX];
	static struct nept_scenario s;
	struct nept_mutate_info info;
	unsigned k, n = nept_mutation_count();

	for (k = 0; k < 4000 && ninputs > 1; k++) {
		const struct input *a = &inputs[k % ninputs];
		const struct input *b = &inputs[(k * 31 + 7) % ninputs];
		size_t len = nept_crossover(a->bin, a->len, b->bin, b->len, out,
					    sizeof(out), k, &info);
		size_t again;
		static uint8_t out2[NEPT_BIN_MAX];
		struct nept_mutate_info info2;

		again = nept_crossover(a->bin, a->len, b->bin, b->len, out2,
				       sizeof(out2), k, &info2);
		EXPECT(len == again && !memcmp(out, out2, len),
		       "crossover %s x %s seed %u: not deterministic", a->name,
		       b->name, k);
		if (!EXPECT(len > 0 && info.path != NEPT_MUTATE_BYTES,
			    "crossover %s x %s seed %u: fell back to bytes",
			    a->name, b->name, k))
			continue;
		EXPECT(scenario_decode_bin(out, len, &s),
		       "crossover %s x %s seed %u: does not decode", a->name,
		       b->name, k);
		EXPECT(!scenario_equal(&s, &a->s),
		       "crossover %s x %s seed %u: equals the first", a->name,
		       b->name, k);
		if (info.path == NEPT_MUTATE_SPLICED)
			fired[info.step[0]]++;
	}
	/* Bounded output even when the room is tiny. */
	for (k = 0; k < 200 && ninputs > 1; k++) {
		const struct input *a = &inputs[k % ninputs];
		size_t max = 1 + k % 97;

		size_t len;

		memset(out, 0xa5, sizeof(out));
		len = nept_crossover(a->bin, a->len, inputs[0].bin,
				     inputs[0].len, out, max, k, NULL);
		EXPECT(len <= max && out[max] == 0xa5,
		       "crossover into %zu bytes wrote %zu", max, len);
	}
	for (k = 0; k < n; k++)
		EXPECT(fired[k] > 0, "mutation %s never fired",
		       nept_mutation_name(k));
}

/* Each mutation on its own changes scenarios and keeps them legal. */
static void test_each_changes(void)
{
	static struct nept_scenario s, before, other;
	struct nept_error err;
	unsigned id, i, seed, n = nept_mutation_count();

	for (id = 0; id < n; id++) {
		for (i = 0; i < ninputs; i++) {
			for (seed = 0; seed < APPLY_SEEDS; seed++) {
				bool ok;

				s = inputs[i].s;
				before = s;
				other = inputs[(i + 1 + seed) % ninputs].s;
				ok = nept_mutate_apply(&s, &other, id,
						       seed * 131 + i);
				if (!ok) {
					EXPECT(scenario_equal(&s, &before),
					       "%s on %s: refused but changed",
					       nept_mutation_name(id),
					       inputs[i].name);
					continue;
				}
				changed_apply[id]++;
				EXPECT(!scenario_equal(&s, &before),
				       "%s on %s seed %u: reported a change, "
				       "none made",
				       nept_mutation_name(id), inputs[i].name,
				       seed);
				EXPECT(scenario_check(&s, &err),
				       "%s on %s seed %u: illegal: %s",
				       nept_mutation_name(id), inputs[i].name,
				       seed, err.msg);
			}
		}
		EXPECT(changed_apply[id] >= MIN_APPLIED,
		       "mutation %s changed only %lu scenarios",
		       nept_mutation_name(id), changed_apply[id]);
	}
	/* Splices need a partner. */
	s = inputs[0].s;
	for (id = 0; id < n; id++)
		if (nept_mutation_needs_partner(id))
			EXPECT(!nept_mutate_apply(&s, NULL, id, 1),
			       "%s without a partner", nept_mutation_name(id));
}

/* How many of s's #PF exits on a wider host there are (*exits) and how many
 * of them the processor's own walk raises (the return), each counted in
 * cause[] by its kind when cause is given: not present, user, supervisor,
 * RSVD. */
static unsigned pf_exits_raised(const struct nept_scenario *s, unsigned *exits,
				unsigned *cause)
{
	static struct model_state st;
	unsigned raised = 0;
	uint32_t pfec;

	model_state_init(&st, s);
	*exits = 0;
	for (unsigned k = 0; k < s->nevents; k++) {
		if (!model_pf_exit_on_wider_host(s, &s->event[k]))
			continue;
		(*exits)++;
		if (!model_processor_pf(s, &st, &s->event[k], &pfec))
			continue;
		raised++;
		if (cause)
			cause[pfec & PFEC_RSVD	 ? 3
			      : !(pfec & PFEC_P) ? 0
			      : pfec & PFEC_U	 ? 1
						 : 2]++;
	}
	return raised;
}

/*
 * Facts §14: a #PF exit on a host wider than L1 is compared only when the
 * processor's own walk raises that #PF (model_processor_pf); elsewhere
 * the model leaves the event open.  ev-pf-exit-wider-host makes L2's walk
 * fault as well, so most of the exits it makes are compared: here 145 of
 * 932 were before it did (2026-12-03), 643 of 1,037 since (650 with
 * its own SMEP and SMAP faults).
 */
static void test_pf_exit_faults(void)
{
	static struct nept_scenario s;
	unsigned id = ~0u, events = 0, raised = 0, k, n;
	unsigned cause[4] = { 0 }; /* not present, user, supervisor, RSVD */
	uint64_t seed;

	for (k = 0; k < nept_mutation_count(); k++)
		if (!strcmp(nept_mutation_name(k), "ev-pf-exit-wider-host"))
			id = k;
	if (!EXPECT(id != ~0u, "no mutation ev-pf-exit-wider-host"))
		return;
	for (seed = 1; seed <= 3000; seed++) {
		uint64_t g = seed;

		if (!scenario_generate(&g, &s) || s.l2.paging == NEPT_L2_OFF ||
		    !nept_mutate_apply(&s, NULL, id, (unsigned)seed))
			continue;
		raised += pf_exits_raised(&s, &n, cause);
		events += n;
	}
	EXPECT(events >= 500, "ev-pf-exit-wider-host made %u #PF exits",
	       events);
	EXPECT(raised * 2 >= events,
	       "the processor's walk raises only %u of %u #PF exits "
	       "ev-pf-exit-wider-host made",
	       raised, events);
	/* Each kind of fault (facts §8.1) a good share of them: a
	 * supervisor access's protection fault (SMEP, SMAP, or a write with
	 * CR0.WP) was 26 of 643 before the mutation made SMEP and SMAP
	 * faults of its own, 57 of 650 since. */
	for (k = 0; k < 4; k++)
		EXPECT(cause[k] * 100 >= raised * 6,
		       "#PF exits of fault kind %u: %u of %u", k, cause[k],
		       raised);
	printf("ev-pf-exit-wider-host: the processor raises %u of %u #PF "
	       "exits (not present %u, user %u, supervisor %u, RSVD %u)\n",
	       raised, events, cause[0], cause[1], cause[2], cause[3]);
}

/*
 * A #PF exit on a wider host as other mutations leave one (ev-exit making
 * an emulated event's exit a #PF, host widening the host under it, a
 * splice): the processor's walk mostly raises no such #PF, the model
 * leaves the exit open and no later event is compared.  The mutator's
 * output mostly has one the processor raises (pf_exits_fault): here 108
 * of 680 made, and after one mutation 99 of 629 without that step, 363
 * of 629 with it (2026-12-03).
 */
static void test_pf_exits_raised(void)
{
	static struct nept_scenario s, out;
	static uint8_t bin[NEPT_BIN_MAX];
	unsigned exits_in = 0, raised_in = 0, exits_out = 0, raised_out = 0;

	for (uint64_t seed = 1; seed <= 3000; seed++) {
		uint64_t g = seed;
		struct nept_event *e = NULL;
		unsigned n, k;
		size_t len;

		if (!scenario_generate(&g, &s) || s.l2.paging == NEPT_L2_OFF)
			continue;
		for (k = 0; k < s.nevents && !e; k++)
			if (s.event[k].source == NEPT_SRC_EMULATED)
				e = &s.event[k];
		if (!e || s.l1_maxphyaddr >= NEPT_MAXPHYADDR_MAX)
			continue;
		e->exit_reason = NEPT_EXIT_EXCEPTION_NMI;
		e->exit_vector = 1 + VEC_PF;
		e->exit_error_code = PFEC_P;
		e->exit_qual = e->gla;
		e->exit_value = 0;
		e->during = 0;
		s.host_maxphyaddr = NEPT_MAXPHYADDR_MAX;
		s.l0_flags |= NEPT_L0F_ALLOW_SMALLER;
		scenario_normalize(&s);
		if (!scenario_check(&s, NULL))
			continue;
		raised_in += pf_exits_raised(&s, &n, NULL);
		exits_in += n;
		len = scenario_encode_bin(&s, bin, sizeof(bin));
		len = len ? nept_mutate_structured(bin, len, sizeof(bin),
						   (unsigned)seed, NULL)
			  : 0;
		if (!len || !scenario_decode_bin(bin, len, &out))
			continue;
		raised_out += pf_exits_raised(&out, &n, NULL);
		exits_out += n;
	}
	EXPECT(exits_in >= 500 && exits_out >= 500,
	       "#PF exits on a wider host: %u made, %u after mutation",
	       exits_in, exits_out);
	EXPECT(raised_out * 2 >= exits_out,
	       "after one mutation the processor raises only %u of %u #PF "
	       "exits on a wider host (%u of %u before)",
	       raised_out, exits_out, raised_in, exits_in);
	printf("#PF exits on a wider host: the processor raises %u of %u, "
	       "%u of %u after one mutation\n",
	       raised_in, exits_in, raised_out, exits_out);
}

static void test_table(void)
{
	unsigned n = nept_mutation_count();
	char buf[64];
	struct nept_mutate_info info = { NEPT_MUTATE_STRUCTURED, 2, { 0, 1 } };

	EXPECT(n >= 40 && n <= 64, "%u mutations", n);
	for (unsigned i = 0; i < n; i++) {
		EXPECT(nept_mutation_name(i) && nept_mutation_weight(i) > 0,
		       "mutation %u unnamed or weightless", i);
		for (unsigned j = 0; j < i; j++)
			EXPECT(strcmp(nept_mutation_name(i),
				      nept_mutation_name(j)),
			       "two mutations named %s", nept_mutation_name(i));
	}
	EXPECT(nept_mutation_name(n) == NULL, "name past the table");
	nept_mutate_describe(&info, buf, sizeof(buf));
	snprintf(buf + 32, 32, "%s+%s", nept_mutation_name(0),
		 nept_mutation_name(1));
	EXPECT(!strcmp(buf, buf + 32), "describe: '%s'", buf);
	nept_mutate_describe(&info, buf, 5);
	EXPECT(strlen(buf) == 4, "describe cut to 5: '%s'", buf);
	info.path = NEPT_MUTATE_BYTES;
	info.nsteps = 0;
	EXPECT(!strcmp(nept_mutate_describe(&info, buf, sizeof(buf)), "bytes"),
	       "describe bytes: '%s'", buf);
}

static void test_afl(void)
{
	static struct nept_scenario s;
	unsigned long decoded = 0, calls = 0;
	void *st;
	unsigned k;

	unsetenv("NEPTFUZZ_MUTATOR");
	st = afl_custom_init(NULL, 42);
	if (!EXPECT(st != NULL, "afl_custom_init"))
		return;
	/* Before anything ran, a queue entry gets at least the minimum. */
	EXPECT(afl_custom_fuzz_count(st, inputs[0].bin, inputs[0].len) >= 16,
	       "fuzz_count at start");
	for (k = 0; k < 600 && ninputs > 1; k++) {
		const struct input *a = &inputs[k % ninputs];
		const struct input *b = &inputs[(k + 3) % ninputs];
		unsigned char *out = NULL, *pp;
		const char *desc;
		size_t max = k % 4 ? 1u << 20 : a->len + 32, n;

		n = afl_custom_fuzz(st, a->bin, a->len, &out, b->bin, b->len,
				    max);
		calls++;
		EXPECT(out && n > 0 && n <= max, "afl fuzz: %zu of %zu", n,
		       max);
		if (!out)
			continue;
		decoded += scenario_decode_bin(out, n, &s);
		desc = afl_custom_describe(st, 40);
		EXPECT(desc && *desc && strlen(desc) <= 40 &&
			       !strchr(desc, '/') && !strchr(desc, ','),
		       "afl describe: '%s'", desc ? desc : "(null)");
		EXPECT(afl_custom_post_process(st, out, n, &pp) == n &&
			       pp == out,
		       "post_process changed the input");
	}
	EXPECT(decoded * 10 >= calls * 9, "afl: %lu of %lu outputs decode",
	       decoded, calls);
	/* Every execution so far was structured: the next stage is small.
	 * After many others, it grows toward seven in eight. */
	EXPECT(afl_custom_fuzz_count(st, NULL, 0) == 16,
	       "fuzz_count when ahead: %u", afl_custom_fuzz_count(st, NULL, 0));
	for (k = 0; k < 1000; k++) {
		unsigned char *pp;

		afl_custom_post_process(st, inputs[0].bin, inputs[0].len, &pp);
	}
	EXPECT(afl_custom_fuzz_count(st, NULL, 0) == 7 * 1000 - 600 ||
		       afl_custom_fuzz_count(st, NULL, 0) == 4096,
	       "fuzz_count after 1000 others: %u",
	       afl_custom_fuzz_count(st, NULL, 0));
	afl_custom_deinit(st);

	setenv("NEPTFUZZ_MUTATOR", "bytes", 1);
	st = afl_custom_init(NULL, 1);
	EXPECT(afl_custom_fuzz_count(st, NULL, 0) == 0, "NEPTFUZZ_MUTATOR="
							"bytes: the custom "
							"stage must be empty");
	afl_custom_deinit(st);
	unsetenv("NEPTFUZZ_MUTATOR");
}

/*
 * The libFuzzer hooks (harness/fuzz/fuzz_mutator.c), here without
 * libFuzzer: the byte fallback is nept_mutate_bytes.  With
 * NEPTFUZZ_MUTATION_LOG on: one log line per output, in order, naming the
 * output's bytes by their FNV-1a hash (scripts/bench mutations matches
 * corpus files by it).
 */
static void test_libfuzzer_hooks(void)
{
	static uint8_t buf[NEPT_BIN_MAX + 1];
	static struct nept_scenario s;
	static uint64_t made[1600];
	unsigned long decoded = 0, crossed = 0, nmade = 0, nlines = 0,
		      matched = 0;
	char log[] = "/tmp/test_mutate_log.XXXXXX", line[256];
	int fd = mkstemp(log);
	unsigned k;
	FILE *f;

	if (!EXPECT(fd >= 0, "mkstemp"))
		return;
	close(fd);
	setenv("NEPTFUZZ_MUTATION_LOG", log, 1);
	for (k = 0; k < 800 && ninputs; k++) {
		const struct input *a = &inputs[k % ninputs];
		size_t n;

		memcpy(buf, a->bin, a->len);
		buf[4096] = 0x5a;
		n = LLVMFuzzerCustomMutator(buf, a->len, 4096, k * 2654435761u);
		EXPECT(n > 0 && n <= 4096 && buf[4096] == 0x5a,
		       "custom mutator: %zu", n);
		made[nmade++] = fuzz_fnv1a(buf, n);
		decoded += scenario_decode_bin(buf, n, &s);
		n = LLVMFuzzerCustomCrossOver(a->bin, a->len, inputs[0].bin,
					      inputs[0].len, buf, 4096, k);
		EXPECT(n <= 4096, "custom crossover: %zu", n);
		if (n)
			made[nmade++] = fuzz_fnv1a(buf, n);
		crossed += n > 0;
	}
	/* Seven in eight are structured, and nearly all of those decode. */
	EXPECT(decoded >= 800 * 3 / 4, "hooks: %lu of 800 decode", decoded);
	/* One crossover in four is taken, the others declined. */
	EXPECT(crossed == 200, "hooks: %lu of 800 crossovers taken", crossed);
	fflush(NULL);
	f = fopen(log, "r");
	if (EXPECT(f != NULL, "mutation log %s not written", log)) {
		while (fgets(line, sizeof(line), f)) {
			unsigned long long h;
			char how[160];

			if (sscanf(line, "%16llx %159s", &h, how) == 2 &&
			    nlines < nmade && h == made[nlines])
				matched++;
			nlines++;
		}
		fclose(f);
	}
	unlink(log);
	EXPECT(nlines == nmade && matched == nmade,
	       "mutation log: %lu lines, %lu outputs, %lu matched", nlines,
	       nmade, matched);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	load_corpus(argv[1]);
	test_table();
	test_mutate_corpus();
	test_mutate_random();
	test_all_fire();
	test_each_changes();
	test_pf_exit_faults();
	test_pf_exits_raised();
	test_afl();
	test_libfuzzer_hooks();
	printf("%lu outputs: %lu scenarios, %lu generated, %lu bytes\n",
	       outputs, fresh_scenarios, by_generated, by_bytes);
	for (unsigned i = 0; i < nept_mutation_count(); i++)
		printf("  %-22s weight %2u  fired %5lu  changed alone %5lu\n",
		       nept_mutation_name(i), nept_mutation_weight(i), fired[i],
		       changed_apply[i]);
	printf("%u passed, %u failed\n", passed, failed);
	return failed != 0;
}
