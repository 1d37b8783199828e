// SPDX-License-Identifier: GPL-2.0-only
#include "fileio.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

bool read_file(const char *path, size_t max, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (!f)
		return false;
	buf = malloc(max + 1);
	if (!buf) {
		fclose(f);
		errno = ENOMEM;
		return false;
	}
	n = fread(buf, 1, max + 1, f);
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		free(buf);
		errno = e ? e : EIO;
		return false;
	}
	fclose(f);
	if (n > max) {
		free(buf);
		errno = EFBIG;
		return false;
	}
	*data = buf;
	*len = n;
	return true;
}

bool looks_like_text(const uint8_t *data, size_t len)
{
	size_t i = 0, mlen = strlen(NEPT_TEXT_MAGIC);

	while (i < len) {
		if (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' ||
		    data[i] == '\n') {
			i++;
		} else if (data[i] == '#') {
			while (i < len && data[i] != '\n')
				i++;
		} else {
			break;
		}
	}
	return len - i >= mlen && memcmp(data + i, NEPT_TEXT_MAGIC, mlen) == 0;
}

bool load_scenario(const char *path, struct nept_scenario *s)
{
	uint8_t *data;
	size_t len;
	bool ok;

	if (!read_file(path, NEPT_TEXT_MAX * 4, &data, &len)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return false;
	}
	if (looks_like_text(data, len)) {
		struct nept_error err;

		ok = scenario_parse_text((const char *)data, len, s, &err);
		if (!ok) {
			if (err.line)
				fprintf(stderr, "%s:%d:%d: %s\n", path,
					err.line, err.col, err.msg);
			else
				fprintf(stderr, "%s: %s\n", path, err.msg);
		}
	} else {
		ok = scenario_decode_bin(data, len, s);
		if (!ok)
			fprintf(stderr,
				"%s: not a text scenario (no '%s' line) and "
				"not a "
				"valid binary scenario\n",
				path, NEPT_TEXT_MAGIC);
	}
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
