// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer's custom mutator hooks for the targets that take the binary
 * encoding (fuzz_diff, fuzz_model).  Most mutations are structured
 * (harness/mutate.c): the output decodes to a legal scenario.  About one
 * in eight is libFuzzer's own byte mutation, so the decoder's rejection
 * paths stay fuzzed; inputs that do not decode and do not become a fresh
 * scenario go to bytes too.
 *
 * NEPTFUZZ_MUTATOR=bytes turns the structured part off: every mutation is
 * LLVMFuzzerMutate and no custom crossover happens, which is libFuzzer's
 * default behaviour, so both can be measured on one binary.
 *
 * NEPTFUZZ_MUTATION_LOG=FILE appends one line per output: the FNV-1a hash
 * of its bytes (16 hex digits) and how it was made (nept_mutate_describe:
 * "ept-rwx+ev-access", "generated+...", "bytes").  libFuzzer keeps an
 * input by writing exactly those bytes to the corpus, so the hashes of the
 * corpus files say which mutations earned their place (scripts/bench
 * mutations).  Off unless set: it costs a line of text per execution.
 *
 * Linked only into libFuzzer (and OSS-Fuzz) builds.  LLVMFuzzerMutate is
 * declared weak so an engine without it still links; the byte fallback is
 * then nept_mutate_bytes.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_hooks.h"
#include "fuzz.h"
#include "mutate.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size)
	__attribute__((weak));

static bool bytes_only(void)
{
	static int mode = -1;

	if (mode < 0) {
		const char *m = getenv("NEPTFUZZ_MUTATOR");

		mode = m && !strcmp(m, "bytes");
	}
	return mode;
}

/* The mutation log (NEPTFUZZ_MUTATION_LOG), or NULL. */
static FILE *mutation_log(void)
{
	static int opened;
	static FILE *f;

	if (!opened) {
		const char *path = getenv("NEPTFUZZ_MUTATION_LOG");

		opened = 1;
		if (path && *path) {
			f = fopen(path, "a");
			if (!f) {
				perror(path);
				exit(2);
			}
			setvbuf(f, NULL, _IOFBF, 1 << 16);
		}
	}
	return f;
}

/* What made data (size bytes): one line of the mutation log. */
static size_t logged(const uint8_t *data, size_t size,
		     const struct nept_mutate_info *info)
{
	FILE *f = mutation_log();
	char desc[160];

	if (!f)
		return size;
	fprintf(f, "%016" PRIx64 " %s\n", fuzz_fnv1a(data, size),
		nept_mutate_describe(info, desc, sizeof(desc)));
	return size;
}

static size_t mutate_bytes(uint8_t *data, size_t size, size_t max_size,
			   unsigned seed)
{
	static const struct nept_mutate_info bytes = {
		.path = NEPT_MUTATE_BYTES
	};

	if (LLVMFuzzerMutate)
		size = LLVMFuzzerMutate(data, size, max_size);
	else
		size = nept_mutate_bytes(data, size, max_size, seed);
	return logged(data, size, &bytes);
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed)
{
	struct nept_mutate_info info;
	size_t n;

	/* libFuzzer draws the seed at random: its low bits choose. */
	if (bytes_only() || seed % 8 == 0)
		return mutate_bytes(data, size, max_size, seed);
	n = nept_mutate_structured(data, size, max_size, seed, &info);
	return n ? logged(data, n, &info)
		 : mutate_bytes(data, size, max_size, seed);
}

/*
 * libFuzzer picks between the custom mutator and the custom crossover
 * evenly, and draws again when one returns 0: declining three crossovers
 * in four makes splices about one mutation in five.
 */
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
				 const uint8_t *data2, size_t size2,
				 uint8_t *out, size_t max_out_size,
				 unsigned int seed)
{
	struct nept_mutate_info info;
	size_t n;

	if (bytes_only() || seed % 4 != 0)
		return 0;
	n = nept_crossover(data1, size1, data2, size2, out, max_out_size, seed,
			   &info);
	return logged(out, n, &info);
}
