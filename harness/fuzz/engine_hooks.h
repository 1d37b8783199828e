/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The entry points the fuzz engines call into the structured mutator: the
 * AFL++ custom mutator API (afl_mutator.c, built as
 * libnept_afl_mutator.so) and libFuzzer's custom mutator hooks
 * (fuzz_mutator.c).  One declaration for the definitions and for
 * tests/test_mutate.c, which calls them without an engine.
 */
#ifndef NEPT_ENGINE_HOOKS_H
#define NEPT_ENGINE_HOOKS_H

#include <stddef.h>
#include <stdint.h>

void *afl_custom_init(void *afl, unsigned int seed);
unsigned int afl_custom_fuzz_count(void *data, const unsigned char *buf,
				   size_t buf_size);
size_t afl_custom_fuzz(void *data, unsigned char *buf, size_t buf_size,
		       unsigned char **out_buf, unsigned char *add_buf,
		       size_t add_buf_size, size_t max_size);
const char *afl_custom_describe(void *data, size_t max_description_len);
size_t afl_custom_post_process(void *data, unsigned char *buf, size_t buf_size,
			       unsigned char **out_buf);
void afl_custom_deinit(void *data);

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
				 const uint8_t *data2, size_t size2,
				 uint8_t *out, size_t max_out_size,
				 unsigned int seed);

#endif
