// SPDX-License-Identifier: GPL-2.0-only
/*
 * Replays files through a fuzz target with no engine: how ctest runs
 * corpus/ and crashes/, and how a developer reproduces a finding.  Text
 * scenarios are converted to the binary encoding first, so reproducers can
 * stay readable.  Directories are walked (one level, sorted); "-" is
 * standard input.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "fuzz.h"

static unsigned long replayed, scenarios, skipped;

/*
 * Says why a file the target rejected is not a scenario, in the target's
 * own encoding (fuzz_text: the parser's line:col; the others: the binary
 * decoder's byte offset and rule, or the text parser's when it is text).
 */
static void explain(const char *label, const uint8_t *data, size_t len)
{
	static struct nept_scenario s;
	struct nept_error err;

	if (!fuzz_target_takes_text || !len) {
		scenario_from_bytes(label, data, len, &s);
		return;
	}
	if (scenario_parse_text((const char *)data, len, &s, &err))
		fprintf(stderr, "%s: rejected by the target\n", label);
	else if (err.line)
		fprintf(stderr, "%s:%d:%d: %s\n", label, err.line, err.col,
			err.msg);
	else
		fprintf(stderr, "%s: %s\n", label, err.msg);
}

/*
 * Replays one file.  Every file runs through the target, even one that is
 * not a scenario (a reproducer may crash the decoder); then, if the target
 * did not take it as a scenario, says why: for a file named on the command
 * line that is an error (2), in a directory it is counted and skipped.
 */
static int run_file(const char *path, bool named)
{
	static uint8_t bin[NEPT_BIN_MAX];
	const char *label = file_label(path);
	unsigned long accepted = fuzz_stats.accepted;
	uint8_t *data, *raw = NULL;
	size_t len, rawlen = 0;

	if (!read_file(path, 1u << 20, &data, &len)) {
		fprintf(stderr, "%s: %s\n", label, strerror(errno));
		return 2;
	}
	if (!fuzz_target_takes_text && looks_like_text(data, len)) {
		static struct nept_scenario s;
		struct nept_error err;

		/* Text with the magic is meant as a scenario: a mistake in
		 * it is an error wherever the file is. */
		if (!scenario_parse_text((const char *)data, len, &s, &err)) {
			fprintf(stderr, "%s:%d:%d: %s\n", label, err.line,
				err.col, err.msg);
			free(data);
			return 2;
		}
		raw = data;
		rawlen = len;
		len = scenario_encode_bin(&s, bin, sizeof(bin));
		data = malloc(len ? len : 1);
		if (!data) {
			free(raw);
			return 2;
		}
		memcpy(data, bin, len);
	}
	fprintf(stderr, "replaying %s (%zu bytes)\n", label, len);
	LLVMFuzzerTestOneInput(data, len);
	replayed++;
	if (fuzz_stats.accepted != accepted) {
		scenarios++;
		free(data);
		free(raw);
		return 0;
	}
	explain(label, raw ? raw : data, raw ? rawlen : len);
	free(data);
	free(raw);
	if (named)
		return 2;
	fprintf(stderr, "%s: skipped: not a scenario\n", label);
	skipped++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!d) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 2;
	}
	while ((de = readdir(d))) {
		char *full;
		struct stat st;

		size_t nl = strlen(de->d_name);

		/* Dot files and a directory's README are not inputs. */
		if (de->d_name[0] == '.' ||
		    (nl > 3 && !strcmp(de->d_name + nl - 3, ".md")))
			continue;
		if (asprintf(&full, "%s/%s", path, de->d_name) < 0)
			break;
		if (stat(full, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(full);
			continue;
		}
		if (n == cap) {
			char **nn = reallocarray(names, cap ? cap * 2 : 64,
						 sizeof(*names));

			if (!nn) {
				free(full);
				break;
			}
			names = nn;
			cap = cap ? cap * 2 : 64;
		}
		names[n++] = full;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		int r = run_file(names[i], false);

		if (r)
			rc = r;
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fprintf(argc < 2 ? stderr : stdout,
			"usage: %s FILE|DIR|-...\n"
			"Replays each file (text or binary scenario; - is "
			"standard input) through\nthis fuzz target with no "
			"fuzzing engine; a directory means every regular\n"
			"file in it.  A file named here that is not a scenario "
			"is an error that\nsays why (the text line:col, or the "
			"binary byte offset and rule); in a\ndirectory such "
			"files are skipped, counted and named.\n"
			"Exit status: 0 all replayed, 2 unreadable input, a "
			"malformed scenario or\na named file that is not one; "
			"a finding aborts.\n",
			argv[0]);
		return argc < 2 ? 2 : 0;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;
		int r;

		if (!strcmp(argv[i], "-")) {
			r = run_file(argv[i], true);
			if (r)
				rc = r;
			continue;
		}
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			rc = 2;
			continue;
		}
		r = S_ISDIR(st.st_mode) ? run_dir(argv[i])
					: run_file(argv[i], true);
		if (r)
			rc = r;
	}
	fprintf(stderr, "replayed %lu input%s: %lu scenario%s", replayed,
		replayed == 1 ? "" : "s", scenarios, scenarios == 1 ? "" : "s");
	if (replayed > scenarios)
		fprintf(stderr, ", %lu not %s (named above%s)",
			replayed - scenarios,
			replayed - scenarios == 1 ? "a scenario" : "scenarios",
			skipped ? "; files of a directory are skipped" : "");
	fputc('\n', stderr);
	return rc;
}
