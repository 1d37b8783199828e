// SPDX-License-Identifier: GPL-2.0-only
#include "fileio.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *file_label(const char *path)
{
	return strcmp(path, "-") ? path : "<stdin>";
}

/* Standard input, read once: "-" may be read again (verdicts reads a file
 * twice) and gives the same bytes. */
static uint8_t *stdin_data;
static size_t stdin_len;
static bool stdin_read;

static bool read_stream(FILE *f, size_t max, uint8_t **data, size_t *len)
{
	uint8_t *buf = malloc(max + 1);
	size_t n;

	if (!buf) {
		errno = ENOMEM;
		return false;
	}
	errno = 0;
	n = fread(buf, 1, max + 1, f);
	if (ferror(f)) {
		int e = errno;

		free(buf);
		errno = e ? e : EIO;
		return false;
	}
	if (n > max) {
		free(buf);
		errno = EFBIG;
		return false;
	}
	*data = buf;
	*len = n;
	return true;
}

bool read_file(const char *path, size_t max, uint8_t **data, size_t *len)
{
	FILE *f;
	bool ok;

	if (!strcmp(path, "-")) {
		if (!stdin_read) {
			if (!read_stream(stdin, max, &stdin_data, &stdin_len))
				return false;
			stdin_read = true;
		}
		if (stdin_len > max) {
			errno = EFBIG;
			return false;
		}
		*data = malloc(stdin_len ? stdin_len : 1);
		if (!*data) {
			errno = ENOMEM;
			return false;
		}
		memcpy(*data, stdin_data, stdin_len);
		*len = stdin_len;
		return true;
	}
	f = fopen(path, "rb");
	if (!f)
		return false;
	ok = read_stream(f, max, data, len);
	fclose(f);
	return ok;
}

bool looks_like_text(const uint8_t *data, size_t len)
{
	size_t mlen = strlen(NEPT_TEXT_MAGIC);
	size_t i = len >= 3 && !memcmp(data, NEPT_UTF8_BOM, 3) ? 3 : 0;

	while (i < len) {
		if (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' ||
		    data[i] == '\n') {
			i++;
		} else if (data[i] == '#') {
			/* A comment ends at CR too: a CR-only file is still
			 * text, and the parser names its line endings. */
			while (i < len && data[i] != '\n' && data[i] != '\r')
				i++;
		} else {
			break;
		}
	}
	return len - i >= mlen && memcmp(data + i, NEPT_TEXT_MAGIC, mlen) == 0;
}

bool scenario_from_bytes(const char *label, const uint8_t *data, size_t len,
			 struct nept_scenario *s)
{
	struct nept_error err;

	if (len == 0) {
		fprintf(stderr, "%s: empty file: not a scenario\n", label);
		return false;
	}
	if (looks_like_text(data, len)) {
		if (scenario_parse_text((const char *)data, len, s, &err))
			return true;
		if (err.line)
			fprintf(stderr, "%s:%d:%d: %s\n", label, err.line,
				err.col, err.msg);
		else
			fprintf(stderr, "%s: %s\n", label, err.msg);
		return false;
	}
	if (scenario_decode_bin_err(data, len, s, &err))
		return true;
	if (err.offset < 0)
		fprintf(stderr, "%s: binary scenario: %s\n", label, err.msg);
	else
		fprintf(stderr,
			"%s: not a scenario: no '%s %d' line (text) and not "
			"the binary encoding: byte %ld: %s\n",
			label, NEPT_TEXT_MAGIC, NEPT_SCENARIO_VERSION,
			err.offset, err.msg);
	return false;
}

bool load_scenario(const char *path, struct nept_scenario *s)
{
	uint8_t *data;
	size_t len;
	bool ok;

	if (!read_file(path, NEPT_TEXT_MAX * 4, &data, &len)) {
		fprintf(stderr, "%s: %s\n", file_label(path), strerror(errno));
		return false;
	}
	ok = scenario_from_bytes(file_label(path), data, len, s);
	free(data);
	return ok;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool push(char ***v, size_t *n, size_t *cap, const char *dir,
		 const char *name)
{
	size_t dl = dir ? strlen(dir) : 0;
	char *p;

	if (*n == *cap) {
		size_t nc = *cap ? 2 * *cap : 64;
		char **nv = realloc(*v, nc * sizeof(*nv));

		if (!nv)
			return false;
		*v = nv;
		*cap = nc;
	}
	p = malloc(dl + strlen(name) + 2);
	if (!p)
		return false;
	if (dir)
		sprintf(p, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/",
			name);
	else
		strcpy(p, name);
	(*v)[(*n)++] = p;
	return true;
}

char **collect_files(char *const *args, int nargs, bool scn_only, size_t *n)
{
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	for (int i = 0; i < nargs; i++) {
		struct stat st;
		struct dirent *de;
		size_t first = *n;
		DIR *dir;

		if (stat(args[i], &st) || !S_ISDIR(st.st_mode)) {
			/* A missing file is the reader's to report. */
			if (!push(&v, n, &cap, NULL, args[i]))
				goto oom;
			continue;
		}
		dir = opendir(args[i]);
		while (dir && (de = readdir(dir)) != NULL) {
			size_t l = strlen(de->d_name);
			char path[4096];

			/* Hidden files and notes (README.md) are not
			 * scenarios. */
			if (de->d_name[0] == '.' ||
			    (l > 3 && !strcmp(de->d_name + l - 3, ".md")))
				continue;
			if (scn_only &&
			    (l < 5 || strcmp(de->d_name + l - 4, ".scn")))
				continue;
			snprintf(path, sizeof(path), "%s/%s", args[i],
				 de->d_name);
			if (stat(path, &st) || !S_ISREG(st.st_mode))
				continue;
			if (!push(&v, n, &cap, args[i], de->d_name)) {
				closedir(dir);
				goto oom;
			}
		}
		if (dir)
			closedir(dir);
		qsort(v + first, *n - first, sizeof(*v), cmp_path);
	}
	return v ? v : calloc(1, sizeof(*v));
oom:
	free_files(v, *n);
	*n = 0;
	return NULL;
}

void free_files(char **files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
}
