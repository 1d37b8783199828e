// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the text parser: any bytes either fail with a
 * located error or give a legal scenario whose written form parses back to
 * it, and whose binary encoding decodes back to it.  The parser is what
 * people feed by hand, so it must never crash or read past its input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finding.h"
#include "fuzz.h"

const bool fuzz_target_takes_text = true;

static struct nept_scenario parsed, again;
static char text[NEPT_TEXT_MAX], text2[NEPT_TEXT_MAX];
static uint8_t bin[NEPT_BIN_MAX];

static _Noreturn void die(const char *what, const char *shown)
{
	char title[160];

	snprintf(title, sizeof(title), "text round trip: %s", what);
	fprintf(stderr, "\n==neptfuzz== FINDING: %s\n%s\n", title, shown);
	fuzz_crash(&(struct fuzz_finding){ title, title, FUZZ_AT_TEXT,
					   FUZZ_WHAT_ROUND_TRIP });
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nept_error err;
	size_t n, n2;

	fuzz_stats_init();
	fuzz_stats.inputs++;
	/* Rejected inputs stay in the corpus: they reach the error paths. */
	if (!scenario_parse_text((const char *)data, size, &parsed, &err))
		return 0;
	fuzz_stats.accepted++;
	if (!scenario_check(&parsed, &err))
		die("parser accepted an illegal scenario", err.msg);

	n = scenario_write_text(&parsed, text, sizeof(text));
	if (!n)
		die("write_text overflowed NEPT_TEXT_MAX", "");
	if (!scenario_parse_text(text, n, &again, &err))
		die("written text rejected", text);
	if (!scenario_equal(&parsed, &again))
		die("written text parses to another scenario", text);
	n2 = scenario_write_text(&again, text2, sizeof(text2));
	if (n2 != n || memcmp(text, text2, n))
		die("written text is not canonical", text2);

	n = scenario_encode_bin(&parsed, bin, sizeof(bin));
	if (!n)
		die("encode_bin overflowed NEPT_BIN_MAX", text);
	if (!scenario_decode_bin(bin, n, &again))
		die("binary encoding rejected", text);
	if (!scenario_equal(&parsed, &again))
		die("binary encoding decodes to another scenario", text);
	return 0;
}
