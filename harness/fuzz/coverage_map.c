// SPDX-License-Identifier: GPL-2.0-only
/*
 * Where each engine counts edges (coverage_map.h).  Both are found by
 * weak references, so one object serves every build.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coverage_map.h"

/* libFuzzer (-fsanitize=fuzzer, and OSS-Fuzz's libFuzzer builds): the
 * linker's bounds of the inline counters' section. */
extern uint8_t __start___sancov_cntrs[] __attribute__((weak));
extern uint8_t __stop___sancov_cntrs[] __attribute__((weak));
/* AFL++ (afl-clang-fast's runtime, afl-compiler-rt): the map its
 * instrumentation counts into, and how many bytes of it are in use. */
extern uint8_t *__afl_area_ptr __attribute__((weak));
extern uint32_t __afl_map_size __attribute__((weak));

static uint8_t *saved;
static size_t saved_cap, saved_n;

uint8_t *fuzz_coverage_map(size_t *n)
{
	if (__start___sancov_cntrs && __stop___sancov_cntrs) {
		*n = (size_t)(__stop___sancov_cntrs - __start___sancov_cntrs);
		return __start___sancov_cntrs;
	}
	if (&__afl_area_ptr && &__afl_map_size && __afl_area_ptr) {
		*n = __afl_map_size;
		return __afl_area_ptr;
	}
	*n = 0;
	return NULL;
}

void fuzz_coverage_save(void)
{
	uint8_t *map = fuzz_coverage_map(&saved_n);

	if (saved_n > saved_cap) {
		free(saved);
		saved = malloc(saved_n);
		if (!saved) {
			fprintf(stderr, "neptfuzz: out of memory\n");
			exit(2);
		}
		saved_cap = saved_n;
	}
	if (saved_n)
		memcpy(saved, map, saved_n);
}

void fuzz_coverage_restore(void)
{
	size_t n;
	uint8_t *map = fuzz_coverage_map(&n);

	/* AFL++ sizes its map once, before the first input. */
	if (n > saved_n)
		n = saved_n;
	if (n)
		memcpy(map, saved, n);
}
