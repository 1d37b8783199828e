// SPDX-License-Identifier: GPL-2.0-only
#include "minimize.h"

void nept_repro_usage(const char *prog, FILE *f)
{
	fprintf(f, "usage: %s repro FILE\n", prog);
}

int nept_repro_main(const char *prog, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	nept_repro_usage(prog, stderr);
	return 2;
}
