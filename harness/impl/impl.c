// SPDX-License-Identifier: GPL-2.0-only
/*
 * Finding implementations: by exact name, or a KVM module by its series
 * alias, and what a module's tree contains (its probes).
 */
#include <stdlib.h>
#include <string.h>

#include "impl.h"

/* -1, 0, 1 as version a ("6.12.117") sorts before, with or after b. */
int nept_version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		char *ea, *eb;
		unsigned long x = strtoul(a, &ea, 10), y = strtoul(b, &eb, 10);

		if (x != y)
			return x < y ? -1 : 1;
		if (ea == a || eb == b)
			return strcmp(a, b) < 0 ? -1 : strcmp(a, b) > 0;
		a = *ea == '.' ? ea + 1 : ea;
		b = *eb == '.' ? eb + 1 : eb;
		if (*ea != '.' || *eb != '.')
			return strcmp(a, b) < 0 ? -1 : strcmp(a, b) > 0;
	}
	return 0;
}

const struct nept_impl *nept_impl_resolve(const char *name)
{
	const struct nept_impl *best = nept_impl_find(name);

	if (best || strncmp(name, "kvm-", 4))
		return best;
	for (unsigned i = 1; i < nept_nimpls; i++) {
		const struct nept_impl *m = nept_impls[i];

		if (!m->series || strcmp(m->series, name + 4))
			continue;
		if (!best || nept_version_cmp(m->kernel_version,
					      best->kernel_version) > 0)
			best = m;
	}
	return best;
}

bool nept_impl_has_probe(const struct nept_impl *impl, const char *probe)
{
	size_t n = strlen(probe);

	for (const char *p = impl->probes; p && *p;) {
		const char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && !memcmp(p, probe, n))
			return true;
		p += len;
		while (*p == ' ')
			p++;
	}
	return false;
}
