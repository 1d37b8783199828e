// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_diff's coverage save and restore (harness/fuzz/coverage_map.c) in
 * an AFL++ build: this program defines the two symbols of AFL++'s runtime
 * the weak references find there (`nm` of an afl-clang-fast fuzz_diff:
 * D __afl_area_ptr, D __afl_map_size), so the map found is this one.
 * Edges counted between save and restore are gone after it; the map's
 * bytes beyond __afl_map_size are not touched.
 */
#include <stdio.h>
#include <string.h>

#include "coverage_map.h"
#include "expect.h"

static uint8_t area[4096];
uint8_t *__afl_area_ptr = area;
uint32_t __afl_map_size = 1024;

int main(void)
{
	static uint8_t before[sizeof(area)];
	size_t n;
	uint8_t *map = fuzz_coverage_map(&n);

	EXPECT(map == area && n == 1024,
	       "the map found is %p, %zu bytes (AFL++'s: %p, 1024)",
	       (void *)map, n, (void *)area);
	for (size_t i = 0; i < sizeof(area); i++)
		area[i] = (uint8_t)(i * 7);
	memcpy(before, area, sizeof(area));
	fuzz_coverage_save();
	for (size_t i = 0; i < sizeof(area); i += 3)
		area[i]++; /* the second differential's edges */
	area[1500] = 0xee;
	fuzz_coverage_restore();
	EXPECT(memcmp(area, before, 1024) == 0, "the map's first 1024 bytes "
						"differ from before the save");
	EXPECT(area[1500] == 0xee, "a byte beyond __afl_map_size was restored");
	printf("test_coverage_map: %u passed, %u failed\n", passes, failures);
	return failures != 0;
}
