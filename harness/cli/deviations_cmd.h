/* SPDX-License-Identifier: GPL-2.0-only */
/* `neptfuzz deviations`: KVM's known deviations, and a check that each is
 * needed (deviations_cmd.c). */
#ifndef NEPT_DEVIATIONS_CMD_H
#define NEPT_DEVIATIONS_CMD_H

#include <stdio.h>

int nept_deviations_main(const char *prog, int argc, char **argv);
void nept_deviations_usage(const char *prog, FILE *f);

#endif
