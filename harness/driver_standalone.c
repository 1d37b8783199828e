// SPDX-License-Identifier: GPL-2.0-only
/*
 * Replays files through a fuzz target with no engine: how ctest runs
 * corpus/ and crashes/, and how a developer reproduces a finding.  Text
 * scenarios are converted to the binary encoding first, so reproducers can
 * stay readable.  Directories are walked (one level, sorted).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "fuzz.h"

static unsigned long replayed;

static int run_file(const char *path)
{
	static uint8_t bin[NEPT_BIN_MAX];
	uint8_t *data;
	size_t len;

	if (!read_file(path, 1u << 20, &data, &len)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 2;
	}
	if (!fuzz_target_takes_text && looks_like_text(data, len)) {
		static struct nept_scenario s;
		struct nept_error err;

		if (!scenario_parse_text((const char *)data, len, &s, &err)) {
			fprintf(stderr, "%s:%d:%d: %s\n", path, err.line,
				err.col, err.msg);
			free(data);
			return 2;
		}
		free(data);
		len = scenario_encode_bin(&s, bin, sizeof(bin));
		data = malloc(len ? len : 1);
		if (!data)
			return 2;
		memcpy(data, bin, len);
	}
	fprintf(stderr, "replaying %s (%zu bytes)\n", path, len);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	replayed++;
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
		int r = run_file(names[i]);

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
			"usage: %s FILE|DIR...\n"
			"Replays each file (text or binary scenario) through "
			"this "
			"fuzz target with\nno fuzzing engine; a directory "
			"means "
			"every regular file in it.\nExit status: 0 all "
			"replayed, "
			"2 unreadable or malformed input; a finding\naborts.\n",
			argv[0]);
		return argc < 2 ? 2 : 0;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;
		int r;

		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			rc = 2;
			continue;
		}
		r = S_ISDIR(st.st_mode) ? run_dir(argv[i]) : run_file(argv[i]);
		if (r)
			rc = r;
	}
	fprintf(stderr, "replayed %lu inputs\n", replayed);
	return rc;
}
