// SPDX-License-Identifier: GPL-2.0-only
/*
 * The structured mutator as an AFL++ custom mutator library
 * (libnept_afl_mutator.so, AFL++ docs/custom_mutators.md; the entry points
 * afl-fuzz 4.04c looks up):
 *
 *   AFL_CUSTOM_MUTATOR_LIBRARY=$PWD/build/engines/afl/libnept_afl_mutator.so \
 *     afl-fuzz -i seeds -o out -- build/engines/afl/fuzz_diff
 *
 * Leave AFL_CUSTOM_MUTATOR_ONLY unset: afl-fuzz then runs this mutator's
 * stage and its own havoc and splice stages on each queue entry, so the
 * decoder keeps seeing byte-level mutations.  afl_custom_fuzz_count sizes
 * this stage so that about seven executions in eight are structured: it
 * counts every execution through afl_custom_post_process (which changes
 * nothing) and the ones it made itself.  NEPTFUZZ_MUTATOR=bytes makes the
 * stage empty: plain AFL++ with the same library loaded.
 *
 * afl_custom_fuzz splices with the second input afl-fuzz offers one time in
 * five, and mutates otherwise; afl_custom_describe names what it did (the
 * queue file names carry it).  The library is built without the target's
 * instrumentation or sanitizers: afl-fuzz loads it into its own process.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine_hooks.h"
#include "mutate.h"

/* At least and at most this many structured mutations per queue entry
 * (AFL++'s own havoc stage does at least 16). */
#define STAGE_MIN 16
#define STAGE_MAX 4096
/* Structured executions per other one. */
#define SHARE 7

struct nept_afl {
	uint64_t seed;
	uint8_t *buf;
	size_t cap;
	bool bytes_only;
	unsigned long structured; /* afl_custom_fuzz calls */
	unsigned long execs;	  /* every execution (post_process calls) */
	struct nept_mutate_info info;
	char desc[160];
};

void *afl_custom_init(void *afl, unsigned int seed)
{
	struct nept_afl *st = calloc(1, sizeof(*st));
	const char *m = getenv("NEPTFUZZ_MUTATOR");

	(void)afl;
	if (!st)
		return NULL;
	st->seed = seed;
	st->bytes_only = m && !strcmp(m, "bytes");
	return st;
}

unsigned int afl_custom_fuzz_count(void *data, const unsigned char *buf,
				   size_t buf_size)
{
	struct nept_afl *st = data;
	unsigned long others, want;

	(void)buf;
	(void)buf_size;
	if (st->bytes_only)
		return 0;
	others = st->execs > st->structured ? st->execs - st->structured : 0;
	want = SHARE * others > st->structured ? SHARE * others - st->structured
					       : 0;
	if (want < STAGE_MIN)
		want = STAGE_MIN;
	if (want > STAGE_MAX)
		want = STAGE_MAX;
	return (unsigned int)want;
}

size_t afl_custom_fuzz(void *data, unsigned char *buf, size_t buf_size,
		       unsigned char **out_buf, unsigned char *add_buf,
		       size_t add_buf_size, size_t max_size)
{
	struct nept_afl *st = data;
	size_t need = buf_size + 64, lim;
	unsigned seed;

	if (need < NEPT_BIN_MAX)
		need = NEPT_BIN_MAX;
	if (need > st->cap) {
		uint8_t *nb = realloc(st->buf, need);

		if (!nb) {
			*out_buf = buf;
			return buf_size;
		}
		st->buf = nb;
		st->cap = need;
	}
	lim = max_size < st->cap ? max_size : st->cap;
	/* LCG step: a new seed per call, reproducible from init's. */
	st->seed = st->seed * 6364136223846793005ull + 1442695040888963407ull;
	seed = (unsigned)(st->seed >> 32);
	st->structured++;
	if (add_buf && add_buf_size && seed % 5 == 0) {
		*out_buf = st->buf;
		return nept_crossover(buf, buf_size, add_buf, add_buf_size,
				      st->buf, lim, seed, &st->info);
	}
	if (buf_size > lim)
		buf_size = lim;
	memcpy(st->buf, buf, buf_size);
	*out_buf = st->buf;
	return nept_mutate(st->buf, buf_size, lim, seed, &st->info);
}

const char *afl_custom_describe(void *data, size_t max_description_len)
{
	struct nept_afl *st = data;
	size_t cap = max_description_len + 1;

	if (cap > sizeof(st->desc))
		cap = sizeof(st->desc);
	return nept_mutate_describe(&st->info, st->desc, cap);
}

/* Changes nothing: counts executions for afl_custom_fuzz_count. */
size_t afl_custom_post_process(void *data, unsigned char *buf, size_t buf_size,
			       unsigned char **out_buf)
{
	struct nept_afl *st = data;

	st->execs++;
	*out_buf = buf;
	return buf_size;
}

void afl_custom_deinit(void *data)
{
	struct nept_afl *st = data;

	if (!st)
		return;
	free(st->buf);
	free(st);
}
