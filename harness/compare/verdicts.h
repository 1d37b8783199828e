/* SPDX-License-Identifier: GPL-2.0-only */
/* `neptfuzz verdicts`: stored findings against every module (verdicts.c). */
#ifndef NEPT_VERDICTS_H
#define NEPT_VERDICTS_H

#include <stdio.h>

int nept_verdicts_main(const char *prog, int argc, char **argv);
void nept_verdicts_usage(const char *prog, FILE *f);

#endif
