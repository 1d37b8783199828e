/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef NEPT_FILEIO_H
#define NEPT_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

/* Reads a whole file (at most max bytes) into a malloc'd buffer; false with
 * errno set on failure, or EFBIG when it is larger than max. */
bool read_file(const char *path, size_t max, uint8_t **data, size_t *len);

/* Is this a text scenario (it starts, after blanks and comments, with the
 * magic)?  Anything else is treated as the binary encoding. */
bool looks_like_text(const uint8_t *data, size_t len);

/*
 * Loads a scenario file in either encoding.  On failure prints
 * "path:line:col: message" (or "path: message") to stderr and returns
 * false.
 */
bool load_scenario(const char *path, struct nept_scenario *s);

/*
 * The files named by args: each file as given; for a directory, its
 * regular files (only *.scn ones with scn_only), sorted by name.  Returns a
 * malloc'd array of malloc'd paths (free with free_files) and its length in
 * *n; NULL when memory runs out.
 */
char **collect_files(char *const *args, int nargs, bool scn_only, size_t *n);
void free_files(char **files, size_t n);

#endif
