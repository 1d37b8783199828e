// SPDX-License-Identifier: GPL-2.0-only
/*
 * `neptfuzz verdicts`: holds every KVM module built in to the verdicts a
 * stored finding records, so a finding's status on a version never changes
 * in silence.
 *
 * A reproducer records, per kernel version it was seen on, what that
 * version does with it:
 *
 *   # verdict: kvm-6.12.107 diverges qualification -GLA_VALID -GLA_TRANSLATED
 *   # verdict: kvm-6.12.117 agrees
 *   # verdict: kvm-6.1.176 unsupported
 *
 * "diverges" lines list the exact set of divergences of that version: one
 * more, or one fewer, is a change.  A module with no line of its own is
 * held to the nearest recorded version of its series (the newest below
 * it, else the oldest above), else to the newest recorded version of an
 * older series: behaviour carries forward until a tree changes it, and
 * then the check says so ("kvm-6.12.117 now agrees (diverged on
 * kvm-6.12.107)") and `--record` writes the new version's lines.  A
 * version with a line of its own that no longer matches is a failure
 * `--record` never papers over.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "fileio.h"
#include "verdicts.h"

#define MAX_LINES 128

enum verdict_kind {
	V_AGREES,
	V_DIVERGES,
	V_UNSUPPORTED
};

struct vline {
	char impl[48];
	char field[24];
	char detail[96];
	unsigned kind, line;
};

struct vfile {
	const char *path;
	unsigned n, last_line; /* line number of the last verdict line */
	struct vline v[MAX_LINES];
};

static const char *const kind_names[] = { "agrees", "diverges", "unsupported" };

/* "kvm-6.12.107" -> "6.12.107"; "kvm-6.12.117@tree" -> "6.12.117". */
static void impl_version(const char *impl, char *buf, size_t n)
{
	const char *at;

	if (strncmp(impl, "kvm-", 4)) {
		snprintf(buf, n, "%s", impl);
		return;
	}
	at = strchr(impl, '@');
	snprintf(buf, n, "%.*s", (int)(at ? at - impl - 4 : (long)n), impl + 4);
}

static void version_series(const char *version, char *buf, size_t n)
{
	const char *dot = strchr(version, '.');
	const char *dot2 = dot ? strchr(dot + 1, '.') : NULL;

	snprintf(buf, n, "%.*s", (int)(dot2 ? dot2 - version : (long)n),
		 version);
}

/* Reads the `# verdict:` lines of a reproducer; false (with a message)
 * on a malformed one. */
static bool parse_file(const char *path, struct vfile *vf)
{
	uint8_t *data;
	size_t len;
	unsigned line = 0;
	bool ok = true;

	memset(vf, 0, sizeof(*vf));
	vf->path = path;
	if (!read_file(path, NEPT_TEXT_MAX * 4, &data, &len)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return false;
	}
	for (size_t i = 0; i < len;) {
		size_t j = i;
		char buf[512], kind[24];
		struct vline *v;
		int used = 0;

		while (j < len && data[j] != '\n')
			j++;
		line++;
		snprintf(buf, sizeof(buf), "%.*s", (int)(j - i),
			 (const char *)data + i);
		i = j + 1;
		if (strncmp(buf, "# verdict:", 10))
			continue;
		if (vf->n == MAX_LINES) {
			fprintf(stderr, "%s:%u: more than %d verdict lines\n",
				path, line, MAX_LINES);
			ok = false;
			break;
		}
		v = &vf->v[vf->n];
		v->line = line;
		if (sscanf(buf + 10, " %47s %23s %n", v->impl, kind, &used) <
		    2) {
			fprintf(stderr,
				"%s:%u: expected `# verdict: IMPL agrees|"
				"diverges FIELD DETAIL|unsupported`\n",
				path, line);
			ok = false;
			continue;
		}
		for (v->kind = 0; v->kind < 3; v->kind++)
			if (!strcmp(kind, kind_names[v->kind]))
				break;
		if (v->kind == 3) {
			fprintf(stderr, "%s:%u: unknown verdict '%s'\n", path,
				line, kind);
			ok = false;
			continue;
		}
		if (v->kind == V_DIVERGES) {
			const char *rest = buf + 10 + used;
			int u2 = 0;

			if (sscanf(rest, "%23s %n", v->field, &u2) < 1 ||
			    !rest[u2]) {
				fprintf(stderr,
					"%s:%u: `diverges` needs FIELD and "
					"DETAIL\n",
					path, line);
				ok = false;
				continue;
			}
			snprintf(v->detail, sizeof(v->detail), "%s", rest + u2);
			for (size_t k = strlen(v->detail);
			     k && (v->detail[k - 1] == ' ' ||
				   v->detail[k - 1] == '\r');)
				v->detail[--k] = 0;
		}
		vf->last_line = line;
		vf->n++;
	}
	free(data);
	return ok;
}

/*
 * The recorded version a module is held to: its own, else the nearest of
 * its series (newest below, else oldest above), else the newest of an older
 * series, else the oldest of a newer one.  NULL if the file records none.
 * *exact says whether it is the module's own.
 */
static const char *held_to(const struct vfile *vf, const struct nept_impl *impl,
			   bool *exact)
{
	const char *below_s = NULL, *above_s = NULL, *below = NULL,
		   *above = NULL;
	char mv[48], vv[48], ms[16], vs[16], bv[48];

	*exact = false;
	impl_version(impl->name, mv, sizeof(mv));
	version_series(mv, ms, sizeof(ms));
	for (unsigned i = 0; i < vf->n; i++) {
		const char *name = vf->v[i].impl;
		int c;

		if (!strcmp(name, impl->name)) {
			*exact = true;
			return name;
		}
		if (strncmp(name, "kvm-", 4))
			continue;
		impl_version(name, vv, sizeof(vv));
		version_series(vv, vs, sizeof(vs));
		c = nept_version_cmp(vv, mv);
#define PICK(slot, better)                                    \
	do {                                                  \
		if (!(slot)) {                                \
			(slot) = name;                        \
		} else {                                      \
			impl_version((slot), bv, sizeof(bv)); \
			if (better)                           \
				(slot) = name;                \
		}                                             \
	} while (0)
		if (!strcmp(vs, ms)) {
			if (c < 0)
				PICK(below_s, nept_version_cmp(vv, bv) > 0);
			else
				PICK(above_s, nept_version_cmp(vv, bv) < 0);
		} else if (c < 0) {
			PICK(below, nept_version_cmp(vv, bv) > 0);
		} else {
			PICK(above, nept_version_cmp(vv, bv) < 0);
		}
#undef PICK
	}
	return below_s ? below_s : above_s ? above_s : below ? below : above;
}

/* Whether the recorded lines of version `impl` describe what was observed. */
static bool matches(const struct vfile *vf, const char *impl,
		    const struct nept_verdict *o)
{
	unsigned ndiv = 0;
	bool agrees = false, unsupported = false;

	for (unsigned i = 0; i < vf->n; i++) {
		const struct vline *v = &vf->v[i];
		bool seen = false;

		if (strcmp(v->impl, impl))
			continue;
		if (v->kind == V_AGREES)
			agrees = true;
		else if (v->kind == V_UNSUPPORTED)
			unsupported = true;
		else
			ndiv++;
		for (unsigned j = 0; v->kind == V_DIVERGES && j < o->n; j++)
			seen |= !strcmp(nept_field_name(o->div[j].field),
					v->field) &&
				!strcmp(o->div[j].detail, v->detail);
		if (v->kind == V_DIVERGES && !seen)
			return false;
	}
	if (unsupported)
		return o->unsupported;
	if (o->unsupported)
		return false;
	if (agrees)
		return o->n == 0 && ndiv == 0;
	return ndiv == o->n && o->n > 0;
}

/* "agrees", "unsupported" or "diverges F D; F D" into buf. */
static void describe_observed(const struct nept_verdict *o, char *buf, size_t n)
{
	size_t len = 0;

	if (o->unsupported) {
		snprintf(buf, n, "unsupported");
		return;
	}
	if (!o->n) {
		snprintf(buf, n, "agrees");
		return;
	}
	len = (size_t)snprintf(buf, n, "diverges ");
	for (unsigned j = 0; j < o->n && len < n; j++)
		len += (size_t)snprintf(
			buf + len, n - len, "%s%s %s", j ? "; " : "",
			nept_field_name(o->div[j].field), o->div[j].detail);
}

static void describe_recorded(const struct vfile *vf, const char *impl,
			      char *buf, size_t n)
{
	size_t len = 0;
	unsigned k = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < vf->n && len < n; i++) {
		const struct vline *v = &vf->v[i];

		if (strcmp(v->impl, impl))
			continue;
		if (v->kind != V_DIVERGES)
			len += (size_t)snprintf(buf + len, n - len, "%s%s",
						k++ ? "; " : "",
						kind_names[v->kind]);
		else
			len += (size_t)snprintf(buf + len, n - len, "%s%s%s %s",
						k++ ? "; " : "diverges ", "",
						v->field, v->detail);
	}
}

/* Appends the observed lines of module impl after the file's last verdict
 * line. */
static bool record(const struct vfile *vf, const struct nept_impl *impl,
		   const struct nept_verdict *o)
{
	uint8_t *data;
	size_t len, at = 0;
	unsigned line = 0;
	char add[4096];
	size_t alen = 0;
	FILE *f;
	char tmp[4096];

	if (!strcmp(vf->path, "-")) {
		fprintf(stderr, "<stdin>: cannot record verdicts into standard "
				"input: name the file\n");
		return false;
	}
	if (o->unsupported || !o->n)
		alen = (size_t)snprintf(
			add, sizeof(add), "# verdict: %s %s\n", impl->name,
			o->unsupported ? "unsupported" : "agrees");
	for (unsigned j = 0; !o->unsupported && j < o->n; j++)
		alen += (size_t)snprintf(
			add + alen, sizeof(add) - alen,
			"# verdict: %s diverges %s %s\n", impl->name,
			nept_field_name(o->div[j].field), o->div[j].detail);
	if (!read_file(vf->path, NEPT_TEXT_MAX * 4, &data, &len))
		return false;
	while (at < len && line < vf->last_line) {
		if (data[at++] == '\n')
			line++;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", vf->path);
	f = fopen(tmp, "wb");
	if (!f || fwrite(data, 1, at, f) != at ||
	    fwrite(add, 1, alen, f) != alen ||
	    fwrite(data + at, 1, len - at, f) != len - at || fclose(f) != 0 ||
	    rename(tmp, vf->path) != 0) {
		fprintf(stderr, "%s: cannot record: %s\n", vf->path,
			strerror(errno));
		free(data);
		return false;
	}
	free(data);
	return true;
}

struct options {
	bool record, status, quiet;
	const char *require[NEPT_MAX_IMPLS], *allow[NEPT_MAX_IMPLS];
	unsigned nrequire, nallow;
};

static bool listed(const char *const *list, unsigned n, const char *s)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(list[i], s))
			return true;
	return false;
}

static bool series_built(const char *series)
{
	for (unsigned m = 1; m < nept_nimpls; m++)
		if (nept_impls[m]->series &&
		    !strcmp(nept_impls[m]->series, series))
			return true;
	return false;
}

static void status_cell(const struct nept_verdict *o, char *buf, size_t n)
{
	snprintf(buf, n, "%s",
		 o->unsupported ? "unsupported"
		 : o->n		? "**diverges**"
				: "agrees");
}

int nept_verdicts_main(const char *prog, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "record", no_argument, NULL, 'r' },
		{ "status", no_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "require", required_argument, NULL, 'R' },
		{ "allow-missing", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct nept_diff d;
	static struct vfile vf;
	struct options opt = { 0 };
	char **files;
	size_t nfiles;
	unsigned pass = 0, carried = 0, fail = 0, recorded = 0,
		 checked_files = 0;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "rsqR:a:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			opt.record = true;
			break;
		case 's':
			opt.status = true;
			break;
		case 'q':
			opt.quiet = true;
			break;
		case 'R':
		case 'a':
			if ((c == 'R' ? opt.nrequire : opt.nallow) ==
			    NEPT_MAX_IMPLS) {
				nept_verdicts_usage(prog, stderr);
				return 2;
			}
			if (c == 'R')
				opt.require[opt.nrequire++] = optarg;
			else
				opt.allow[opt.nallow++] = optarg;
			break;
		case 'h':
			nept_verdicts_usage(prog, stdout);
			return 0;
		default:
			nept_verdicts_usage(prog, stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "%s verdicts: no reproducer given\n", prog);
		nept_verdicts_usage(prog, stderr);
		return 2;
	}
	for (int i = optind; opt.record && i < argc; i++) {
		if (!strcmp(argv[i], "-")) {
			fprintf(stderr,
				"%s verdicts: --record writes into the "
				"reproducer: name a file, not - (standard "
				"input)\n",
				prog);
			return 2;
		}
	}
	files = collect_files(argv + optind, argc - optind, true, &nfiles);
	if (!files) {
		fprintf(stderr, "%s verdicts: out of memory\n", prog);
		return 2;
	}

	/* The matrix: every required series must have a module, or be
	 * allowed to be missing (and say so). */
	for (unsigned i = 0; i < opt.nrequire; i++) {
		if (series_built(opt.require[i]))
			continue;
		if (listed(opt.allow, opt.nallow, opt.require[i]))
			continue;
		printf("FAIL kernel series %s has no module in this binary: "
		       "its tree is missing or did not build (scripts/"
		       "fetch-kernel; allow it with --allow-missing %s)\n",
		       opt.require[i], opt.require[i]);
		fail++;
	}
	if (nept_nimpls < 2 && !opt.nallow) {
		printf("FAIL no KVM module in this binary: nothing can be "
		       "checked (build with kernel trees: scripts/fetch-kernel)"
		       "\n");
		fail++;
	}

	if (opt.status) {
		printf("| finding |");
		for (unsigned m = 1; m < nept_nimpls; m++)
			printf(" %s |", nept_impls[m]->name);
		printf("\n|---|");
		for (unsigned m = 1; m < nept_nimpls; m++)
			printf("---|");
		printf("\n");
	}
	for (size_t i = 0; i < nfiles; i++) {
		static struct nept_scenario s;

		if (!parse_file(files[i], &vf)) {
			rc = 2;
			continue;
		}
		if (!vf.n)
			continue;
		if (!load_scenario(files[i], &s)) {
			rc = 2;
			continue;
		}
		checked_files++;
		nept_diff_run(&s, &d);
		if (opt.status) {
			const char *base = strrchr(files[i], '/');

			printf("| %s |", base ? base + 1 : files[i]);
		}
		for (unsigned m = 1; m < nept_nimpls; m++) {
			const struct nept_impl *impl = nept_impls[m];
			struct nept_verdict o;
			bool exact;
			const char *held = held_to(&vf, impl, &exact);
			char got[1024], want[1024];

			nept_diff_verdict(&d, m, &o);
			if (opt.status) {
				status_cell(&o, got, sizeof(got));
				printf(" %s |", got);
			}
			describe_observed(&o, got, sizeof(got));
			if (!held) {
				if (opt.record && record(&vf, impl, &o)) {
					printf("RECORDED %s: %s %s\n", files[i],
					       impl->name, got);
					recorded++;
					parse_file(files[i], &vf);
					continue;
				}
				printf("FAIL %s: no verdict for %s or any "
				       "version it could be held to; observed: "
				       "%s (record it: %s verdicts --record "
				       "%s)\n",
				       files[i], impl->name, got, prog,
				       files[i]);
				fail++;
				continue;
			}
			if (matches(&vf, held, &o)) {
				pass++;
				carried += !exact;
				continue;
			}
			describe_recorded(&vf, held, want, sizeof(want));
			if (exact) {
				printf("FAIL %s: %s %s; recorded: %s\n",
				       files[i], impl->name, got, want);
				fail++;
				continue;
			}
			/* A tree changed what it does with this finding. */
			if (opt.record && record(&vf, impl, &o)) {
				printf("RECORDED %s: %s now %s (%s on %s)\n",
				       files[i], impl->name, got, want, held);
				recorded++;
				parse_file(files[i], &vf);
				continue;
			}
			printf("FAIL %s: %s now %s (%s on %s); if that is "
			       "understood, record it: %s verdicts --record "
			       "%s\n",
			       files[i], impl->name, got, want, held, prog,
			       files[i]);
			fail++;
		}
		if (opt.status)
			printf("\n");
	}
	free_files(files, nfiles);
	if (!opt.status || !opt.quiet) {
		FILE *out = opt.status ? stderr : stdout;

		fprintf(out,
			"%u reproducers, %u verdicts held (%u carried from "
			"an older version), %u failed%s",
			checked_files, pass, carried, fail,
			opt.record ? "" : "\n");
		if (opt.record)
			fprintf(out, ", %u recorded\n", recorded);
		fprintf(out, "modules:");
		for (unsigned m = 1; m < nept_nimpls; m++)
			fprintf(out, " %s", nept_impls[m]->name);
		fprintf(out, "\n");
		for (unsigned i = 0; i < opt.nallow; i++)
			fprintf(out,
				"allowed missing: series %s%s (not checked)\n",
				opt.allow[i],
				series_built(opt.allow[i]) ? " (but built)"
							   : "");
		for (unsigned i = 0; nept_missing[i]; i++)
			fprintf(out, "MISSING from this build: %s\n",
				nept_missing[i]);
	}
	if (rc)
		return rc;
	return fail ? 1 : 0;
}

void nept_verdicts_usage(const char *prog, FILE *f)
{
	fprintf(f,
		"usage: %s verdicts [--record] [--status] [--require "
		"SERIES]... "
		"[--allow-missing SERIES]... FILE|DIR...\n"
		"\n"
		"Replays each stored finding (a .scn file with `# verdict:` "
		"lines; a\ndirectory: its *.scn files) on every KVM module in "
		"this binary and holds\neach module to the verdict recorded "
		"for its version:\n"
		"  # verdict: kvm-6.12.107 diverges qualification "
		"-GLA_VALID -GLA_TRANSLATED\n"
		"  # verdict: kvm-6.12.117 agrees\n"
		"`diverges` lines list the exact set of divergences.  A module "
		"with no line\nof its own is held to the nearest recorded "
		"version of its series, else\nof an older series; when it "
		"behaves differently the check fails and says\nso "
		"(\"kvm-6.12.117 now agrees (diverges ... on "
		"kvm-6.12.107)\").\n"
		"\n"
		"  --record             append the lines of a module that has "
		"none and differs\n"
		"                       from the version it is held to (never "
		"changes a line)\n"
		"  --status             print a Markdown table: each finding "
		"x each module\n"
		"  --require SERIES     fail unless a module of SERIES is "
		"built in\n"
		"  --allow-missing SERIES  a required series may be missing "
		"(said in the summary)\n"
		"  -q, --quiet          with --status: no summary\n"
		"  -h, --help\n"
		"Exit status: 0 every verdict held, 1 a verdict failed or a "
		"required series\nis missing, 2 bad input or usage.\n",
		prog);
}
