/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The unit tests' check: EXPECT(cond, fmt, ...) counts a pass, or counts a
 * failure and prints the line and what was expected; main returns
 * failures != 0.
 */
#ifndef NEPT_TESTS_EXPECT_H
#define NEPT_TESTS_EXPECT_H

#include <stdio.h>

static unsigned passes, failures;

#define EXPECT(cond, ...)                                   \
	do {                                                \
		if (cond) {                                 \
			passes++;                           \
		} else {                                    \
			failures++;                         \
			printf("FAIL line %d: ", __LINE__); \
			printf(__VA_ARGS__);                \
			putchar('\n');                      \
		}                                           \
	} while (0)

#endif
