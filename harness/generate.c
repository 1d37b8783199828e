// SPDX-License-Identifier: GPL-2.0-only
/*
 * Random legal scenarios, reproducible from a seed (`neptfuzz gen`).  The
 * generator writes binary records, mostly PATH records so walks reach every
 * level, and lets the decoder apply the legality rules: what it returns is
 * exactly what a fuzzer could have produced.
 */
#include <string.h>

#include "generate.h"

static uint64_t next(uint64_t *state)
{
	/* xorshift64*: small, fast, and the same on every machine. */
	uint64_t x = *state ? *state : 0x9e3779b97f4a7c15ull;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

static unsigned below(uint64_t *st, unsigned n)
{
	return (unsigned)(next(st) % n);
}

static size_t put(uint8_t *buf, size_t len, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		buf[len++] = (uint8_t)(v >> (8 * i));
	return len;
}

/* An EPT entry template: mostly sane, sometimes anything. */
static uint64_t entry(uint64_t *st)
{
	static const uint64_t common[] = { 7,	 7,	7,     7,    1, 3,
					   5,	 4,	0,     2,    6, 0x37,
					   0xb7, 0x407, 0x400, 0x107 };

	if (below(st, 16) == 0)
		return next(st);
	return common[below(st, sizeof(common) / sizeof(common[0]))] |
	       (below(st, 8) == 0 ? 1ull << below(st, 64) : 0);
}

bool scenario_generate(uint64_t *st, struct nept_scenario *s)
{
	uint8_t buf[2048];
	size_t len = 0;
	unsigned nev = 1 + below(st, 4);
	uint64_t gpa[4];
	bool walk5 = below(st, 4) == 0;

	buf[len++] = 0x01; /* CAPS */
	len = put(buf, len,
		  (NEPT_CAPS_DEFAULT | (walk5 ? NEPT_CAP_WALK5 : 0) |
		   (below(st, 3) == 0 ? NEPT_CAP_MBEC : 0)) &
			  ~(below(st, 4) == 0 ? 1u << below(st, 7) : 0),
		  4);
	buf[len++] = 0x02; /* MAXPHYADDR */
	buf[len++] = (uint8_t)(below(st, 2) ? 46 : 36 + below(st, 17));
	buf[len++] = 0x03; /* EPTP: root 0x1000, WB, walk 4 or 5, A/D */
	len = put(buf, len,
		  0x1006 | (walk5 ? 4u << 3 : 3u << 3) |
			  (below(st, 2) ? 1u << 6 : 0),
		  8);
	for (unsigned i = 0; i < nev; i++) {
		gpa[i] = (next(st) &
			  (walk5 ? 0xfffffffffffffull : 0xffffffffffffull)) &
			 ~(below(st, 2) ? 0xfffffff000ull : 0);
		buf[len++] = 0x08; /* PATH */
		len = put(buf, len, gpa[i], 8);
		{
			unsigned n = 1 + below(st, walk5 ? 5 : 4);

			buf[len++] = (uint8_t)n;
			for (unsigned k = 0; k < n; k++)
				len = put(buf, len, entry(st), 8);
		}
	}
	for (unsigned i = 0; i < nev; i++) {
		static const uint8_t flags[] = { 0,    0,    0,	   0x04, 0x0c,
						 0x1c, 0x40, 0x01, 0x03, 0x21 };
		uint8_t f = flags[below(st, sizeof(flags))];
		uint8_t acc = (f & 0x02)   ? 1
			      : (f & 0x01) ? 0
					   : (uint8_t)below(st, 3);
		uint8_t src = (uint8_t)below(st, NEPT_SRC_COUNT);

		buf[len++] = 0x06; /* EVENT */
		buf[len++] = src;
		buf[len++] = acc;
		buf[len++] = f;
		len = put(buf, len, src == NEPT_SRC_EMULATED ? 30 : 0, 2);
		len = put(buf, len, gpa[i], 8);
		len = put(buf, len, gpa[i], 8);
		len = put(buf, len, 0, 8);
		len = put(buf, len,
			  src == NEPT_SRC_EMULATED ? next(st) & 0xffff : 0, 8);
	}
	return scenario_decode_bin(buf, len, s);
}
