// SPDX-License-Identifier: GPL-2.0-only
/*
 * The abort path of the fuzz targets (finding.h): a finding's signature in
 * the SUMMARY line, in an assertion line ClusterFuzz parses, and in the
 * names of the frames SIGABRT is raised from.
 */
#include "finding.h"
#include "fuzz.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Every frame of the chain must stay a frame of its own: never inlined,
 * never replaced by a jump to the next one. */
#if defined(__has_attribute)
#if __has_attribute(disable_tail_calls)
#define FRAME __attribute__((noinline, disable_tail_calls))
#endif
#endif
#ifndef FRAME
#define FRAME __attribute__((noinline, optimize("no-optimize-sibling-calls")))
#endif

struct crash {
	unsigned where, what, bucket;
};

typedef void frame_fn(const struct crash *);

/* Written by the innermost frame (and so different in each), read by no
 * one: a debugger shows the bucket. */
volatile unsigned fuzz_crash_bucket;

/*
 * SIGABRT with the calling frame as the interrupted one, so the sanitizer's
 * stack starts there rather than in the C library's raise() and abort()
 * (whose frames every finding would share: DEDUP_TOKEN is the first three
 * frames, whatever they are).  The direct tgkill system call is what
 * raise() does; a macro, as even an inlined function is a frame to the
 * symbolizer.  Elsewhere, or if the signal comes back (blocked, or a
 * handler that returns), abort().
 */
#if defined(__x86_64__) && defined(__linux__)
#define RAISE_ABRT_HERE()                                               \
	do {                                                            \
		long pid_ = getpid(), tid_ = syscall(SYS_gettid), ret_; \
		__asm__ volatile("syscall"                              \
				 : "=a"(ret_)                           \
				 : "0"((long)SYS_tgkill), "D"(pid_),    \
				   "S"(tid_), "d"((long)SIGABRT)        \
				 : "rcx", "r11", "memory");             \
		(void)ret_;                                             \
		abort();                                                \
	} while (0)
#else
#define RAISE_ABRT_HERE() abort()
#endif

/* Calls the next frame; the barrier after the call keeps it a call. */
#define NEXT(table, index, c)                      \
	do {                                       \
		(table)[(index)](c);               \
		__asm__ volatile("" ::: "memory"); \
	} while (0)

/* The innermost frames: neptfuzz_sig_00 .. neptfuzz_sig_ff. */
#define SIG(h)                                                    \
	static FRAME void neptfuzz_sig_##h(const struct crash *c) \
	{                                                         \
		(void)c;                                          \
		fuzz_crash_bucket = 0x##h;                        \
		RAISE_ABRT_HERE();                                \
	}
/* clang-format off */
#define SIG16(h) SIG(h##0) SIG(h##1) SIG(h##2) SIG(h##3) SIG(h##4) SIG(h##5) \
	SIG(h##6) SIG(h##7) SIG(h##8) SIG(h##9) SIG(h##a) SIG(h##b) SIG(h##c) \
	SIG(h##d) SIG(h##e) SIG(h##f)
SIG16(0) SIG16(1) SIG16(2) SIG16(3) SIG16(4) SIG16(5) SIG16(6) SIG16(7)
SIG16(8) SIG16(9) SIG16(a) SIG16(b) SIG16(c) SIG16(d) SIG16(e) SIG16(f)

#define REF(h) neptfuzz_sig_##h
#define REF16(h) REF(h##0), REF(h##1), REF(h##2), REF(h##3), REF(h##4), \
	REF(h##5), REF(h##6), REF(h##7), REF(h##8), REF(h##9), REF(h##a), \
	REF(h##b), REF(h##c), REF(h##d), REF(h##e), REF(h##f)
static frame_fn *const sig_frame[256] = {
	REF16(0), REF16(1), REF16(2), REF16(3), REF16(4), REF16(5), REF16(6),
	REF16(7), REF16(8), REF16(9), REF16(a), REF16(b), REF16(c), REF16(d),
	REF16(e), REF16(f),
};
/* clang-format on */

/* The middle frames: one per field (enum nept_field's order), then one per
 * kind of check of the other targets. */
#define WHAT(name)                                               \
	static FRAME void neptfuzz_##name(const struct crash *c) \
	{                                                        \
		NEXT(sig_frame, c->bucket, c);                   \
	}
WHAT(kind)
WHAT(reason)
WHAT(qualification)
WHAT(gpa)
WHAT(gla)
WHAT(gla_valid)
WHAT(vector)
WHAT(error_code)
WHAT(from_hardware)
WHAT(translated)
WHAT(ad_writes)
WHAT(warn)
WHAT(pml_index)
WHAT(msrs)
WHAT(invariant)
WHAT(round_trip)

static frame_fn *const what_frame[FUZZ_WHAT_COUNT] = {
	neptfuzz_kind,	     neptfuzz_reason,	  neptfuzz_qualification,
	neptfuzz_gpa,	     neptfuzz_gla,	  neptfuzz_gla_valid,
	neptfuzz_vector,     neptfuzz_error_code, neptfuzz_from_hardware,
	neptfuzz_translated, neptfuzz_ad_writes,  neptfuzz_warn,
	neptfuzz_pml_index,  neptfuzz_msrs,	  neptfuzz_invariant,
	neptfuzz_round_trip,
};
_Static_assert(FUZZ_WHAT_FIELDS == 14 && NEPT_F_ALL == (1u << 14) - 1,
	       "one middle frame per field of enum nept_field");

/* The outer frames: one per event source (and L2 walk), then the model's
 * and the parser's targets. */
#define WHERE(name)                                              \
	static FRAME void neptfuzz_##name(const struct crash *c) \
	{                                                        \
		NEXT(what_frame, c->what, c);                    \
	}
WHERE(hw_violation)
WHERE(hw_misconfig)
WHERE(emulated)
WHERE(hw_violation_l2)
WHERE(hw_misconfig_l2)
WHERE(emulated_l2)
WHERE(model)
WHERE(text)

static frame_fn *const where_frame[FUZZ_AT_COUNT] = {
	[FUZZ_AT_HW_VIOLATION] = neptfuzz_hw_violation,
	[FUZZ_AT_HW_MISCONFIG] = neptfuzz_hw_misconfig,
	[FUZZ_AT_EMULATED] = neptfuzz_emulated,
	[FUZZ_AT_HW_VIOLATION_L2] = neptfuzz_hw_violation_l2,
	[FUZZ_AT_HW_MISCONFIG_L2] = neptfuzz_hw_misconfig_l2,
	[FUZZ_AT_EMULATED_L2] = neptfuzz_emulated_l2,
	[FUZZ_AT_MODEL] = neptfuzz_model,
	[FUZZ_AT_TEXT] = neptfuzz_text,
};

/* FNV-1a, folded to a byte: stable across builds and machines. */
static unsigned bucket_of(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return (h ^ h >> 8 ^ h >> 16 ^ h >> 24) & 0xff;
}

_Noreturn void fuzz_crash(const struct fuzz_finding *f)
{
	struct crash c = {
		.where = f->where < FUZZ_AT_COUNT ? f->where : FUZZ_AT_MODEL,
		.what = f->what < FUZZ_WHAT_COUNT ? f->what
						  : FUZZ_WHAT_INVARIANT,
		.bucket = bucket_of(f->state),
	};

	/* The counts up to this input: an abort never reaches atexit. */
	fuzz_stats_flush();
	fprintf(stderr, "SUMMARY: neptfuzz: %s\n", f->title);
	/* Last before the signal: ClusterFuzz takes the last assertion it
	 * sees, then the stack frames that follow it. */
	fprintf(stderr, "[neptfuzz] ASSERTION FAILED: %s\n", f->state);
	fflush(stderr);
	NEXT(where_frame, c.where, &c);
	abort();
}

void fuzz_divergence_state(const struct nept_divergence *dv, const char *kind,
			   char *buf, size_t n)
{
	snprintf(buf, n, "%s: %s: %s %s", kind, nept_divergence_source(dv),
		 nept_field_name(dv->field), dv->detail);
}

unsigned fuzz_where_of(const struct nept_divergence *dv)
{
	unsigned src =
		dv->source < NEPT_SRC_COUNT ? dv->source : NEPT_SRC_EMULATED;

	return src + (dv->l2walk ? FUZZ_AT_HW_VIOLATION_L2 : 0);
}

unsigned fuzz_what_of(const struct nept_divergence *dv)
{
	for (unsigned b = 0; b < FUZZ_WHAT_FIELDS; b++)
		if (dv->field == 1u << b)
			return b;
	return FUZZ_WHAT_INVARIANT;
}
