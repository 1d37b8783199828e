/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef NEPT_FILEIO_H
#define NEPT_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

/* Reads a whole file (at most max bytes) into a malloc'd buffer; false with
 * errno set on failure, or EFBIG when it is larger than max.  "-" is
 * standard input, read once: every read of "-" gives the same bytes. */
bool read_file(const char *path, size_t max, uint8_t **data, size_t *len);
/* How messages name a file: "<stdin>" for "-". */
const char *file_label(const char *path);

/* Is this a text scenario (it starts, after a UTF-8 byte order mark,
 * blanks and comments, with the magic)?  Anything else is treated as the
 * binary encoding. */
bool looks_like_text(const uint8_t *data, size_t len);

/*
 * A scenario from a file's bytes, in either encoding.  On failure prints
 * why to stderr, naming the file as label: "label:line:col: message" for
 * text, "label: ... byte N: RECORD: rule" for the binary encoding, and
 * returns false.
 */
bool scenario_from_bytes(const char *label, const uint8_t *data, size_t len,
			 struct nept_scenario *s);

/* Loads a scenario file ("-": standard input) with scenario_from_bytes. */
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
