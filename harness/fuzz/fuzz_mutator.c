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
 * Linked only into libFuzzer (and OSS-Fuzz) builds.  LLVMFuzzerMutate is
 * declared weak so an engine without it still links; the byte fallback is
 * then nept_mutate_bytes.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "engine_hooks.h"
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

static size_t mutate_bytes(uint8_t *data, size_t size, size_t max_size,
			   unsigned seed)
{
	if (LLVMFuzzerMutate)
		return LLVMFuzzerMutate(data, size, max_size);
	return nept_mutate_bytes(data, size, max_size, seed);
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed)
{
	size_t n;

	/* libFuzzer draws the seed at random: its low bits choose. */
	if (bytes_only() || seed % 8 == 0)
		return mutate_bytes(data, size, max_size, seed);
	n = nept_mutate_structured(data, size, max_size, seed, NULL);
	return n ? n : mutate_bytes(data, size, max_size, seed);
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
	if (bytes_only() || seed % 4 != 0)
		return 0;
	return nept_crossover(data1, size1, data2, size2, out, max_out_size,
			      seed, NULL);
}
