/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The engine's edge coverage of the current input, kept aside and put
 * back around work whose edges must not count: fuzz_diff's second
 * differential with deviations switched off (NEPTFUZZ_STOP_ON_DEVIATION),
 * so that a measurement fuzzes as a run without it does.
 */
#ifndef NEPT_COVERAGE_MAP_H
#define NEPT_COVERAGE_MAP_H

#include <stddef.h>
#include <stdint.h>

/* libFuzzer's inline 8-bit counters, else AFL++'s edge map; NULL with
 * *n = 0 in a build with neither (standalone). */
uint8_t *fuzz_coverage_map(size_t *n);

/* Keeps a copy of the map (exits with status 2 when out of memory). */
void fuzz_coverage_save(void);

/* Puts the copy fuzz_coverage_save kept back into the map. */
void fuzz_coverage_restore(void);

#endif
