// SPDX-License-Identifier: GPL-2.0-only
/*
 * AFL++ persistent-mode driver (AFL++ docs, "persistent mode"): the target
 * runs many inputs per fork, reading them from shared memory.  Built only
 * with afl-clang-fast, which defines the __AFL_* macros.
 */
#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"

__AFL_FUZZ_INIT();

int main(void)
{
	unsigned char *buf;

	__AFL_INIT();
	buf = __AFL_FUZZ_TESTCASE_BUF;
	while (__AFL_LOOP(100000)) {
		int len = __AFL_FUZZ_TESTCASE_LEN;

		LLVMFuzzerTestOneInput(buf, (size_t)len);
	}
	return 0;
}
