// SPDX-License-Identifier: GPL-2.0-only
/*
 * Known divergences: findings that are understood (a bug fixed upstream
 * that an old version still has, an SDM ambiguity).  They are counted and
 * reported but do not stop a fuzzing run.  The list is known-divergences.txt
 * at the top of the tree, compiled in (known_text.c) so fuzz binaries need
 * no file at run time.
 */
#include <fnmatch.h>
#include <string.h>

#include "diff.h"

#define MAX_KNOWN 128

static struct {
	char impl[32], source[16], field[16], detail[64];
	char reason[400];
} known[MAX_KNOWN];
static unsigned nknown;
static bool loaded;

unsigned long nept_known_hits;

extern const char nept_known_text[];

static bool word(const char **p, char *out, size_t n)
{
	size_t len = 0;

	while (**p == ' ' || **p == '\t')
		(*p)++;
	while (**p && **p != ' ' && **p != '\t' && **p != '\n' && **p != '|') {
		if (len + 1 < n)
			out[len++] = **p;
		(*p)++;
	}
	out[len] = 0;
	return len > 0;
}

bool nept_known_load(const char *text, const char *name, FILE *err)
{
	const char *p = text;
	unsigned line = 0;
	bool ok = true;

	nknown = 0;
	while (*p) {
		const char *eol = strchr(p, '\n');
		const char *bar;
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char buf[512];

		line++;
		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, p, len);
		buf[len] = 0;
		p = eol ? eol + 1 : p + len;
		if (strchr(buf, '#'))
			*strchr(buf, '#') = 0;
		if (strspn(buf, " \t\r") == strlen(buf))
			continue;
		bar = strchr(buf, '|');
		if (!bar || nknown >= MAX_KNOWN) {
			fprintf(err, "%s:%u: %s\n", name, line,
				bar ? "too many entries"
				    : "expected IMPL SOURCE FIELD DETAIL | "
				      "reason");
			ok = false;
			continue;
		}
		{
			const char *q = buf;
			size_t dl;
			char *d = known[nknown].detail;

			if (!word(&q, known[nknown].impl,
				  sizeof(known[0].impl)) ||
			    !word(&q, known[nknown].source,
				  sizeof(known[0].source)) ||
			    !word(&q, known[nknown].field,
				  sizeof(known[0].field))) {
				fprintf(err,
					"%s:%u: expected IMPL SOURCE FIELD "
					"DETAIL | reason\n",
					name, line);
				ok = false;
				continue;
			}
			while (*q == ' ' || *q == '\t')
				q++;
			dl = (size_t)(bar - q);
			while (dl && (q[dl - 1] == ' ' || q[dl - 1] == '\t'))
				dl--;
			if (!dl || dl >= sizeof(known[0].detail)) {
				fprintf(err,
					"%s:%u: DETAIL missing or too long\n",
					name, line);
				ok = false;
				continue;
			}
			memcpy(d, q, dl);
			d[dl] = 0;
			q = bar + 1;
			while (*q == ' ' || *q == '\t')
				q++;
			if (!*q) {
				fprintf(err,
					"%s:%u: every known divergence needs a "
					"reason after '|'\n",
					name, line);
				ok = false;
				continue;
			}
			snprintf(known[nknown].reason, sizeof(known[0].reason),
				 "%s", q);
			nknown++;
		}
	}
	loaded = true;
	return ok;
}

const char *nept_known_match(const struct nept_divergence *dv)
{
	if (!loaded)
		nept_known_load(nept_known_text, "known-divergences.txt",
				stderr);
	for (unsigned i = 0; i < nknown; i++) {
		if (fnmatch(known[i].impl, dv->impl->name, 0) ||
		    fnmatch(known[i].source, nept_divergence_source(dv), 0) ||
		    fnmatch(known[i].field, nept_field_name(dv->field), 0) ||
		    fnmatch(known[i].detail, dv->detail, 0))
			continue;
		nept_known_hits++;
		return known[i].reason;
	}
	return NULL;
}
