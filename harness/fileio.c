// SPDX-License-Identifier: GPL-2.0-only
#include "fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
