/* SPDX-License-Identifier: GPL-2.0-only */
/* `neptfuzz diff --baseline`: tree to tree (treediff.c). */
#ifndef NEPT_TREEDIFF_H
#define NEPT_TREEDIFF_H

#include <stdbool.h>

#include "impl.h"

/* Exit status: 0 no difference, 1 a difference, 2 bad input. */
int nept_tree_diff_main(const char *prog, const struct nept_impl *base,
			const struct nept_impl *const *targets,
			unsigned ntargets, bool json, char *const *args,
			int nargs);

#endif
