// SPDX-License-Identifier: GPL-2.0-only
/*
 * Table-driven tests of the SDM model: at least one case per rule and per
 * exit-qualification bit, each citing the facts-sheet section it checks
 * (docs/sdm-rules.md).  The expected values are worked out from the
 * sheet by hand, never by running the model.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "model.h"
#include "insn.h"

/* Qualification shorthands (facts §6). */
#define R QUAL_READ
#define W QUAL_WRITE
#define F QUAL_FETCH
#define RD QUAL_READABLE
#define WR QUAL_WRITABLE
#define EX QUAL_EXECUTABLE
#define XU QUAL_USER_EXEC
#define GV QUAL_GLA_VALID
#define GT QUAL_GLA_FINAL

/* Entry shorthands (facts §3.3). */
#define RWX 7ull
#define MT(n) ((uint64_t)(n) << 3)
#define PS EPTE_PS
#define BIT(n) (1ull << (n))

#define GPA 0x5123ull  /* indices 0, 0, 0, 5 */
#define PAGE 0x7000ull /* the 4-KiB page the leaf maps */
#define LEAF (PAGE | MT(6) | RWX)
#define NOPTE 0xffffffffffffffffull /* no entry at this level: stop early */

#define WALK5 (1ull << 3) /* a flag: EPTP bits 5:3 = 4 instead of 3 */
#define EPTP_AD BIT(6)

enum {
	NONE = NEPT_OUT_NONE,
	EXIT = NEPT_OUT_EXIT
};
#define TOL(t) (1u << NEPT_TOL_##t)

struct mcase {
	const char *name, *cite;
	uint32_t caps_add, caps_del;
	unsigned maxphy;   /* 0: 46 */
	uint64_t eptp_add; /* WALK5, EPTP_AD */
	uint64_t gpa;	   /* 0: GPA */
	/* Entries root first; non-leaf entries get their table address
	 * filled in.  Levels past the leaf are unused. */
	uint64_t e[5];
	uint8_t access, flags, source;
	int kind;
	uint16_t reason;
	uint64_t qual; /* compared outside the undefined bits */
	uint64_t translated;
	uint32_t tols; /* exactly these tolerances */
};

/* Tolerances every violation of a final access carries with the default
 * caps: bit 6 without MBEC. */
#define TV TOL(QUAL_BIT6_NO_MBEC)
#define TP (TOL(QUAL_BIT6_NO_MBEC) | TOL(QUAL_ADV_UNDEFINED))

static const struct mcase cases[] = {
	/* Facts §3.1, §5.1: a present path translates; page offset kept. */
	{ "read-4k-ok", "§3.1 §5.1", .e = { RWX, RWX, RWX, LEAF }, .kind = NONE,
	  .translated = PAGE | 0x123 },
	/* Facts §6.1 and §11 row 1: not present at any level => 0x181. */
	{ "read-np-pml4e", "§6.1 §11", .e = { 0 }, .kind = EXIT, .reason = 48,
	  .qual = R | GV | GT, .tols = TV },
	{ "read-np-pdpte", "§6.1 §11", .e = { RWX, 0 }, .kind = EXIT,
	  .reason = 48, .qual = R | GV | GT, .tols = TV },
	{ "read-np-pte", "§6.1 §11", .e = { RWX, RWX, RWX, 0 }, .kind = EXIT,
	  .reason = 48, .qual = R | GV | GT, .tols = TV },
	{ "write-np-pde", "§6 bit 1, §11", .e = { RWX, RWX, 0 },
	  .access = NEPT_ACC_WRITE, .kind = EXIT, .reason = 48,
	  .qual = W | GV | GT, .tols = TV },
	{ "fetch-np-pte", "§6 bit 2, §11", .e = { RWX, RWX, RWX, 0 },
	  .access = NEPT_ACC_FETCH, .kind = EXIT, .reason = 48,
	  .qual = F | GV | GT, .tols = TV },
	/* Facts §6.1: bits 5:3 are the AND over the whole path. */
	{ "write-pde-readonly", "§6.1 §11 (0x18A)", .e = { RWX, RWX, 1, LEAF },
	  .access = NEPT_ACC_WRITE, .kind = EXIT, .reason = 48,
	  .qual = W | RD | GV | GT, .tols = TV },
	{ "fetch-pml4e-rw", "§6.1 §11 (0x19C)", .e = { 3, RWX, RWX, LEAF },
	  .access = NEPT_ACC_FETCH, .kind = EXIT, .reason = 48,
	  .qual = F | RD | WR | GV | GT, .tols = TV },
	{ "read-pte-exec-only", "§4.2 §6 bit 5, §11 (0x1A1)",
	  .e = { RWX, RWX, RWX, PAGE | MT(6) | 4 }, .kind = EXIT, .reason = 48,
	  .qual = R | EX | GV | GT, .tols = TV },
	{ "write-leaf-rx-writable-bit", "§6 bit 4",
	  .e = { RWX, RWX, RWX, PAGE | MT(6) | 5 }, .access = NEPT_ACC_WRITE,
	  .kind = EXIT, .reason = 48, .qual = W | RD | EX | GV | GT,
	  .tols = TV },
	{ "and-over-path-000", "§6.1 (000 without not-present)",
	  .e = { 1, RWX, RWX, PAGE | MT(6) | 4 }, .access = NEPT_ACC_WRITE,
	  .kind = EXIT, .reason = 48, .qual = W | GV | GT, .tols = TV },
	/* Facts §4, item 1: W without R. */
	{ "misconfig-write-only", "§4.1", .e = { RWX, RWX, 2 }, .kind = EXIT,
	  .reason = 49, .tols = TOL(GLA_UNDEFINED) },
	{ "misconfig-write-exec", "§4.1", .e = { 6 }, .kind = EXIT,
	  .reason = 49, .tols = TOL(GLA_UNDEFINED) },
	/* Facts §4, item 2: execute-only needs cap bit 0. */
	{ "misconfig-exec-only-no-cap", "§4.2", .caps_del = NEPT_CAP_EXEC_ONLY,
	  .e = { RWX, RWX, RWX, PAGE | MT(6) | 4 }, .kind = EXIT, .reason = 49,
	  .tols = TOL(GLA_UNDEFINED) },
	/* Facts §4, item 3: reserved bits. */
	{ "misconfig-rsvd-above-maxphy", "§4.3 (51:M)",
	  .e = { RWX, RWX, RWX, LEAF | BIT(46) }, .kind = EXIT, .reason = 49,
	  .tols = TOL(GLA_UNDEFINED) },
	{ "maxphy-52-bit46-is-address", "§3.1 §4.3", .maxphy = 52,
	  .e = { RWX, RWX, RWX, LEAF | BIT(46) }, .kind = NONE,
	  .translated = BIT(46) | PAGE | 0x123 },
	{ "misconfig-rsvd-above-maxphy-upper", "§4.3 (51:M, non-leaf)",
	  .maxphy = 40, .e = { RWX | BIT(45) }, .kind = EXIT, .reason = 49,
	  .tols = TOL(GLA_UNDEFINED) },
	{ "misconfig-pml4e-bit3", "§4.3 (7:3 in PML4E)", .e = { RWX | BIT(3) },
	  .kind = EXIT, .reason = 49, .tols = TOL(GLA_UNDEFINED) },
	{ "misconfig-pml4e-ps", "§3.3 bit 7, §4.3", .e = { RWX | PS },
	  .kind = EXIT, .reason = 49, .tols = TOL(GLA_UNDEFINED) },
	{ "misconfig-pdpte-bit6", "§4.3 (6:3 non-leaf)",
	  .e = { RWX, RWX | BIT(6) }, .kind = EXIT, .reason = 49,
	  .tols = TOL(GLA_UNDEFINED) },
	{ "misconfig-pde-memtype-nonleaf", "§4.3 §4.4 note",
	  .e = { RWX, RWX, RWX | MT(6) }, .kind = EXIT, .reason = 49,
	  .tols = TOL(GLA_UNDEFINED) },
	/* Facts §3.1, §3.3: large pages. */
	{ "read-2m-ok", "§3.1 §3.3",
	  .e = { RWX, RWX, 0x200000 | PS | MT(6) | RWX }, .kind = NONE,
	  .translated = 0x205123 },
	{ "misconfig-2m-no-cap", "§4.3 (bit 7 without cap 16)",
	  .caps_del = NEPT_CAP_PAGE_2M,
	  .e = { RWX, RWX, 0x200000 | PS | MT(6) | RWX }, .kind = EXIT,
	  .reason = 49, .tols = TOL(GLA_UNDEFINED) },
	{ "misconfig-2m-unaligned", "§4.3 (20:12 in 2-MiB leaf)",
	  .e = { RWX, RWX, 0x201000 | PS | MT(6) | RWX }, .kind = EXIT,
	  .reason = 49, .tols = TOL(GLA_UNDEFINED) },
	{ "read-1g-ok", "§3.1 §3.3", .gpa = 0x12345678,
	  .e = { RWX, 0x40000000 | PS | MT(6) | RWX }, .kind = NONE,
	  .translated = 0x52345678 },
	{ "misconfig-1g-no-cap", "§4.3 (bit 7 without cap 17)",
	  .caps_del = NEPT_CAP_PAGE_1G,
	  .e = { RWX, 0x40000000 | PS | MT(6) | RWX }, .kind = EXIT,
	  .reason = 49, .tols = TOL(GLA_UNDEFINED) },
	{ "misconfig-1g-unaligned", "§4.3 (29:12 in 1-GiB leaf)",
	  .e = { RWX, 0x60000000 | PS | MT(6) | RWX }, .kind = EXIT,
	  .reason = 49, .tols = TOL(GLA_UNDEFINED) },
	/* Facts §4, item 4: leaf memory types 2, 3, 7; 0, 1, 4, 5 fine. */
	{ "misconfig-leaf-mt2", "§4.4",
	  .e = { RWX, RWX, RWX, PAGE | MT(2) | RWX }, .kind = EXIT,
	  .reason = 49, .tols = TOL(GLA_UNDEFINED) },
	{ "misconfig-leaf-mt3", "§4.4",
	  .e = { RWX, RWX, RWX, PAGE | MT(3) | RWX }, .kind = EXIT,
	  .reason = 49, .tols = TOL(GLA_UNDEFINED) },
	{ "misconfig-leaf-mt7-2m", "§4.4",
	  .e = { RWX, RWX, 0x200000 | PS | MT(7) | RWX }, .kind = EXIT,
	  .reason = 49, .tols = TOL(GLA_UNDEFINED) },
	{ "leaf-mt-wc-ok", "§3.3 memory types",
	  .e = { RWX, RWX, RWX, PAGE | MT(1) | RWX }, .kind = NONE,
	  .translated = PAGE | 0x123 },
	{ "leaf-mt-uc-wp-ok", "§3.3 memory types",
	  .e = { RWX, RWX, RWX, PAGE | MT(5) | RWX }, .kind = NONE,
	  .translated = PAGE | 0x123 },
	/* Facts §3.3: ignored bits. */
	{ "pte-bit7-ignored", "§3.3 (PTE bit 7 I)",
	  .e = { RWX, RWX, RWX, LEAF | PS }, .kind = NONE,
	  .translated = PAGE | 0x123 },
	{ "ignored-high-bits", "§3.3 (11, 52-63 I)",
	  .e = { RWX | BIT(11) | BIT(52) | BIT(63), RWX | BIT(62),
		 RWX | BIT(57), LEAF | BIT(11) | BIT(60) | BIT(63) },
	  .kind = NONE, .translated = PAGE | 0x123 },
	{ "bit10-ignored-without-mbec", "§3.2 §3.3",
	  .e = { RWX, RWX, RWX, PAGE | MT(6) | EPTE_XU }, .kind = EXIT,
	  .reason = 48, .qual = R | GV | GT, .tols = TV },
	/* Facts §3.2: in a not-present entry reserved bits are ignored. */
	{ "not-present-reserved-ignored", "§3.2",
	  .e = { RWX, RWX, 0xfff0000000000ff8ull }, .kind = EXIT, .reason = 48,
	  .qual = R | GV | GT, .tols = TV },
	/* Facts §4 prioritization: upper permissions never preempt a lower
	 * misconfiguration. */
	{ "misconfig-beats-upper-permission", "§4 (prioritization)",
	  .e = { 1, RWX, RWX, PAGE | MT(6) | 2 }, .access = NEPT_ACC_WRITE,
	  .kind = EXIT, .reason = 49, .tols = TOL(GLA_UNDEFINED) },
	{ "upper-not-present-beats-lower", "§5.1 step 2",
	  .e = { RWX, 0, RWX | BIT(3) }, .kind = EXIT, .reason = 48,
	  .qual = R | GV | GT, .tols = TV },
	/* Facts §3.1: 5-level walks use GPA bits 56:48 for the PML5 index. */
	{ "walk5-ok", "§3.1", .caps_add = NEPT_CAP_WALK5, .eptp_add = WALK5,
	  .maxphy = 52, .gpa = (1ull << 48) | GPA,
	  .e = { RWX, RWX, RWX, RWX, LEAF }, .kind = NONE,
	  .translated = PAGE | 0x123 },
	{ "walk5-np-pml5e", "§3.1 §6.1", .caps_add = NEPT_CAP_WALK5,
	  .eptp_add = WALK5, .e = { 0 }, .kind = EXIT, .reason = 48,
	  .qual = R | GV | GT, .tols = TV },
	{ "misconfig-pml5e-bit7", "§4.3 (7:3 in PML5E)",
	  .caps_add = NEPT_CAP_WALK5, .eptp_add = WALK5, .e = { RWX | PS },
	  .kind = EXIT, .reason = 49, .tols = TOL(GLA_UNDEFINED) },
	/* Facts §5.2, §6.2: guest paging-structure accesses. */
	{ "paging-read-np-ad-off", "§6.2 §9 §11 (0x81)",
	  .e = { RWX, RWX, RWX, 0 }, .flags = NEPT_AF_PAGING, .kind = EXIT,
	  .reason = 48, .qual = R | GV, .tols = TP },
	{ "paging-read-np-ad-on", "§5.2 §6.2 §11 (0x83)",
	  .caps_add = NEPT_CAP_AD, .eptp_add = EPTP_AD,
	  .e = { RWX, RWX, RWX, 0 }, .flags = NEPT_AF_PAGING, .kind = EXIT,
	  .reason = 48, .qual = R | W | GV,
	  .tols = TP | TOL(AD_ON_FAULTING_WALK) },
	{ "paging-read-readonly-ad-on", "§5.2 §11 (0x8B)", .eptp_add = EPTP_AD,
	  .e = { RWX, RWX, RWX, PAGE | MT(6) | 1 }, .flags = NEPT_AF_PAGING,
	  .kind = EXIT, .reason = 48, .qual = R | W | RD | GV,
	  .tols = TP | TOL(AD_ON_FAULTING_WALK) },
	{ "paging-read-readonly-ad-off-ok", "§5.2",
	  .e = { RWX, RWX, RWX, PAGE | MT(6) | 1 }, .flags = NEPT_AF_PAGING,
	  .kind = NONE, .translated = PAGE | 0x123 },
	{ "guest-ad-write-readonly", "§5.4 §11 (0x8B, bit 0 impl-specific)",
	  .e = { RWX, RWX, RWX, PAGE | MT(6) | 1 }, .access = NEPT_ACC_WRITE,
	  .flags = NEPT_AF_PAGING | NEPT_AF_SETS_AD, .kind = EXIT, .reason = 48,
	  .qual = W | RD | GV, .tols = TP | TOL(QUAL_RMW_READ) },
	{ "guest-ad-write-rx", "§5.4 §11 (0xAB)",
	  .e = { RWX, RWX, RWX, PAGE | MT(6) | 5 }, .access = NEPT_ACC_WRITE,
	  .flags = NEPT_AF_PAGING | NEPT_AF_SETS_AD, .kind = EXIT, .reason = 48,
	  .qual = W | RD | EX | GV, .tols = TP | TOL(QUAL_RMW_READ) },
	/* Facts §5.2, §7.1: PDPTE loads need R even with A/D; no GLA. */
	{ "pdpte-load-readonly-ad-on-ok", "§5.2 (PDPTE load)",
	  .eptp_add = EPTP_AD, .e = { RWX, RWX, RWX, PAGE | MT(6) | 1 },
	  .flags = NEPT_AF_PAGING | NEPT_AF_NO_GLA, .kind = NONE,
	  .translated = PAGE | 0x123 },
	{ "pdpte-load-np", "§7.1 (bits 7, 8 = 0)", .e = { RWX, 0 },
	  .flags = NEPT_AF_PAGING | NEPT_AF_NO_GLA, .kind = EXIT, .reason = 48,
	  .qual = R, .tols = TP | TOL(GLA_UNDEFINED) },
	/* Facts §3.2, §5.2, §6 bits 5-6, §11: MBEC. */
	{ "mbec-user-fetch-no-xu", "§5.2 §11 (0x1BC)",
	  .caps_add = NEPT_CAP_MBEC, .e = { RWX, RWX, RWX, LEAF },
	  .access = NEPT_ACC_FETCH, .flags = NEPT_AF_USER, .kind = EXIT,
	  .reason = 48, .qual = F | RD | WR | EX | GV | GT | QUAL_LIN_USER },
	{ "mbec-user-exec-only-read", "§3.2 §11 (0x1C1)",
	  .caps_add = NEPT_CAP_MBEC,
	  .e = { RWX | EPTE_XU, RWX | EPTE_XU, RWX | EPTE_XU,
		 PAGE | MT(6) | EPTE_XU },
	  .kind = EXIT, .reason = 48, .qual = R | XU | GV | GT },
	{ "mbec-user-exec-only-no-cap", "§4.2 (MBEC)",
	  .caps_add = NEPT_CAP_MBEC, .caps_del = NEPT_CAP_EXEC_ONLY,
	  .e = { RWX, RWX, RWX, PAGE | MT(6) | EPTE_XU }, .kind = EXIT,
	  .reason = 49, .tols = TOL(GLA_UNDEFINED) },
	{ "mbec-user-fetch-xu-ok", "§5.2", .caps_add = NEPT_CAP_MBEC,
	  .e = { RWX | EPTE_XU, RWX | EPTE_XU, RWX | EPTE_XU,
		 PAGE | MT(6) | 1 | EPTE_XU },
	  .access = NEPT_ACC_FETCH, .flags = NEPT_AF_USER, .kind = NONE,
	  .translated = PAGE | 0x123 },
	{ "mbec-supervisor-fetch-xs-ok", "§5.2", .caps_add = NEPT_CAP_MBEC,
	  .e = { RWX, RWX, RWX, LEAF }, .access = NEPT_ACC_FETCH, .kind = NONE,
	  .translated = PAGE | 0x123 },
	{ "mbec-supervisor-fetch-xu-only", "§5.2 §6 bit 5",
	  .caps_add = NEPT_CAP_MBEC,
	  .e = { RWX | EPTE_XU, RWX | EPTE_XU, RWX | EPTE_XU,
		 PAGE | MT(6) | 3 | EPTE_XU },
	  .access = NEPT_ACC_FETCH, .kind = EXIT, .reason = 48,
	  .qual = F | RD | WR | XU | GV | GT },
	{ "mbec-xu-alone-present", "§3.2 (MBEC presence)",
	  .caps_add = NEPT_CAP_MBEC,
	  .e = { RWX | EPTE_XU, RWX | EPTE_XU, EPTE_XU, LEAF | EPTE_XU },
	  .kind = EXIT, .reason = 48, .qual = R | XU | GV | GT },
	/* Facts §6 bits 9-11, §6.4: advanced information. */
	{ "adv-info-user-rw-xd", "§6 bits 9-11, §6.4", .e = { 0 },
	  .flags = NEPT_AF_USER | NEPT_AF_WRITABLE | NEPT_AF_XD, .kind = EXIT,
	  .reason = 48,
	  .qual = R | GV | GT | QUAL_LIN_USER | QUAL_LIN_RW | QUAL_LIN_XD,
	  .tols = TV },
	{ "adv-info-without-cap", "§6 bits 9-11 (cap 22)",
	  .caps_del = NEPT_CAP_ADV_INFO, .e = { 0 },
	  .flags = NEPT_AF_USER | NEPT_AF_WRITABLE, .kind = EXIT, .reason = 48,
	  .qual = R | GV | GT, .tols = TP },
	/* Facts §6.3: bit 12. */
	{ "nmi-unblocking", "§6.3", .e = { 0 }, .flags = NEPT_AF_NMI_UNBLOCK,
	  .kind = EXIT, .reason = 48, .qual = R | GV | GT | QUAL_NMI_UNBLOCK,
	  .tols = TV },
	/* Facts §5.3: EPT A/D on a faulting walk is a tolerance. */
	{ "ad-on-permission-fault", "§5.3", .eptp_add = EPTP_AD,
	  .e = { RWX, RWX, RWX, PAGE | MT(6) | 1 }, .access = NEPT_ACC_WRITE,
	  .kind = EXIT, .reason = 48, .qual = W | RD | GV | GT,
	  .tols = TV | TOL(AD_ON_FAULTING_WALK) },
	/* from_hardware: only a hardware EPT violation carries a hardware
	 * qualification for this very access (architecture note). */
	/* (L2 paging off for these: facts §6.4, every address user-mode
	 * and writable, bits 9 and 10 set.) */
	{ "emulated-not-from-hardware", "architecture note, §6.4", .e = { 0 },
	  .source = NEPT_SRC_EMULATED, .kind = EXIT, .reason = 48,
	  .qual = R | GV | GT | QUAL_LIN_USER | QUAL_LIN_RW, .tols = TV },
	{ "misconfig-source-not-from-hardware", "architecture note, §6.4",
	  .e = { 0 }, .source = NEPT_SRC_HW_MISCONFIG, .kind = EXIT,
	  .reason = 48, .qual = R | GV | GT | QUAL_LIN_USER | QUAL_LIN_RW,
	  .tols = TV },
	/* An entry with no memory behind it. */
	{ "unbacked-table", "tolerance ept-table-unbacked", .e = { RWX, NOPTE },
	  .kind = NONE, .tols = TOL(UNBACKED_TABLE) },
};

static unsigned failures, passes;

#define CHECK(cond, ...)                                            \
	do {                                                        \
		if (!(cond)) {                                      \
			printf("FAIL %s (%s): ", c->name, c->cite); \
			printf(__VA_ARGS__);                        \
			putchar('\n');                              \
			return false;                               \
		}                                                   \
	} while (0)

/* Builds tables at 0x1000 (root), 0x2000, ... holding the path for gpa;
 * a table entry without an address points at the next table. */
static void build(const struct mcase *c, struct nept_scenario *s)
{
	unsigned levels = (c->eptp_add & WALK5) ? 5 : 4;
	uint64_t gpa = c->gpa ? c->gpa : GPA;

	scenario_init(s);
	/* The baseline is a modern host's L1: defaults plus advanced
	 * VM-exit information (cap bit 22). */
	s->caps = (s->caps | NEPT_CAP_ADV_INFO | c->caps_add) & ~c->caps_del;
	if (c->maxphy)
		s->l1_maxphyaddr = (uint8_t)c->maxphy;
	s->eptp |= c->eptp_add & ~WALK5;
	if (c->eptp_add & WALK5)
		s->eptp = (s->eptp & ~0x38ull) | (4ull << 3);
	for (unsigned i = 0; i < levels && c->e[i] != NOPTE; i++) {
		unsigned level = levels - i;
		uint64_t table = 0x1000ull * (i + 1);
		uint64_t ea =
			table + ((gpa >> (12 + 9 * (level - 1))) & 511) * 8;
		uint64_t v = c->e[i];
		bool leaf =
			level == 1 || ((level == 2 || level == 3) && (v & PS));

		if (!leaf && v && !(v & 0x000ffffffffff000ull))
			v |= table + 0x1000;
		scenario_add_page(s, table);
		scenario_set_qword(s, ea, v);
	}
	s->nevents = 1;
	memset(&s->event[0], 0, sizeof(s->event[0]));
	s->event[0].source = c->source;
	s->event[0].access = c->access;
	s->event[0].gpa = gpa;
	if (c->source == NEPT_SRC_EMULATED) {
		/* An OUTSB L1 does not intercept: L0 emulates it (§15.3). */
		s->event[0].exit_reason = NEPT_EXIT_IO_INSTRUCTION;
		s->event[0].exit_qual = 0x3f80010;
	}
	if (c->source == NEPT_SRC_HW_VIOLATION) {
		/* Hardware walked L2's (4-level) tables and reports the
		 * linear address and its rights (facts §9: what hardware
		 * gives L0 for an L2 access). */
		s->l2.paging = NEPT_L2_4LEVEL;
		s->l2.cr3 = 0x100000;
		s->event[0].flags = c->flags;
		s->event[0].gla = 0x7fff00005123ull;
	}
	scenario_normalize(s);
}

static bool run_case(const struct mcase *c)
{
	static struct nept_scenario s;
	struct nept_error err;
	static struct model_state st;
	struct nept_outcome o;
	uint64_t def;

	build(c, &s);
	CHECK(scenario_check(&s, &err), "scenario illegal: %s", err.msg);
	model_state_init(&st, &s);
	model_run_event(&s, &st, &s.event[0], &o, NULL);
	CHECK(o.kind == c->kind, "kind %s, want %s",
	      nept_outcome_kind_name(o.kind), nept_outcome_kind_name(c->kind));
	CHECK(o.tolerances == c->tols, "tolerances 0x%x, want 0x%x",
	      o.tolerances, c->tols);
	if (c->kind == EXIT) {
		def = ~o.qual_undefined;
		CHECK(o.reason == c->reason, "reason %u, want %u", o.reason,
		      c->reason);
		CHECK((o.qual & def) == (c->qual & def),
		      "qualification 0x%" PRIx64 ", want 0x%" PRIx64
		      " (undefined 0x%" PRIx64 ")",
		      o.qual, c->qual, o.qual_undefined);
		/* Facts §7.1: the GPA field is the access's GPA, byte exact. */
		CHECK(o.gpa == s.event[0].gpa, "gpa 0x%" PRIx64, o.gpa);
	}
	if (c->kind == NONE && !(c->tols & TOL(UNBACKED_TABLE)))
		CHECK(o.translated == c->translated,
		      "translated 0x%" PRIx64 ", want 0x%" PRIx64, o.translated,
		      c->translated);
	CHECK(o.from_hardware == (c->source == NEPT_SRC_HW_VIOLATION),
	      "from_hardware %d", o.from_hardware);
	return true;
}

/* Facts §1: EPTP validity. */
static void test_eptp(void)
{
	static const struct {
		const char *name;
		uint32_t caps;
		uint64_t eptp;
		bool valid;
	} t[] = {
		{ "default", NEPT_CAPS_DEFAULT, 0x101e, true },
		{ "mt-wc", NEPT_CAPS_DEFAULT, 0x1019, false },
		{ "mt-uc-no-cap", NEPT_CAPS_DEFAULT, 0x1018, false },
		{ "mt-uc-cap", NEPT_CAPS_DEFAULT | NEPT_CAP_UC, 0x1018, true },
		{ "mt-wb-no-cap", NEPT_CAPS_DEFAULT & ~NEPT_CAP_WB, 0x101e,
		  false },
		{ "walk5-no-cap", NEPT_CAPS_DEFAULT, 0x1026, false },
		{ "walk5-cap", NEPT_CAPS_DEFAULT | NEPT_CAP_WALK5, 0x1026,
		  true },
		{ "walk3", NEPT_CAPS_DEFAULT, 0x1016, false },
		{ "ad-cap", NEPT_CAPS_DEFAULT, 0x105e, true },
		{ "ad-no-cap", NEPT_CAPS_DEFAULT & ~NEPT_CAP_AD, 0x105e,
		  false },
		{ "bit7-sss", NEPT_CAPS_DEFAULT, 0x109e, false },
		{ "bit11", NEPT_CAPS_DEFAULT, 0x181e, false },
		{ "above-maxphy", NEPT_CAPS_DEFAULT, (1ull << 46) | 0x101e,
		  false },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *why = nept_eptp_invalid(t[i].caps, 46, t[i].eptp);

		if ((why == NULL) != t[i].valid) {
			printf("FAIL eptp-%s (§1): %s\n", t[i].name,
			       why ? why : "valid");
			failures++;
		} else {
			passes++;
		}
	}
}

/* Facts §5.3: A on every entry, D on the leaf for writes; a later event
 * sees the flags (no second write). */
static void test_ad_sequence(void)
{
	static struct nept_scenario s;
	static struct model_state st;
	struct nept_outcome o;
	const uint64_t pte = 0x4000 + 5 * 8;
	uint64_t v;
	bool ok = true;

	scenario_init(&s);
	s.eptp |= EPTP_AD;
	for (uint64_t t = 0x1000; t < 0x4000; t += 0x1000)
		scenario_set_qword(&s, t, (t + 0x1000) | RWX);
	scenario_set_qword(&s, pte, LEAF);
	s.nevents = 2;
	s.event[0].access = NEPT_ACC_WRITE;
	s.event[0].gpa = GPA;
	s.event[1].gpa = GPA;
	scenario_normalize(&s);
	model_state_init(&st, &s);
	model_run_event(&s, &st, &s.event[0], &o, NULL);
	ok &= o.kind == NONE && o.n_ad_writes == 4 && !o.tolerances;
	ok &= nept_mem_read(&st.mem, pte, &v) && v == (LEAF | EPTE_A | EPTE_D);
	ok &= nept_mem_read(&st.mem, 0x1000, &v) &&
	      v == (0x2000 | RWX | EPTE_A);
	for (unsigned i = 0; i < o.n_ad_writes; i++)
		ok &= !o.ad_write[i].optional;
	model_run_event(&s, &st, &s.event[1], &o, NULL);
	ok &= o.kind == NONE && o.n_ad_writes == 0;
	if (!ok) {
		printf("FAIL ad-sequence (§5.3)\n");
		failures++;
	} else {
		passes++;
	}
	/* A read never sets D. */
	s.eptp |= EPTP_AD;
	model_state_init(&st, &s);
	model_run_event(&s, &st, &s.event[1], &o, NULL);
	if (!(nept_mem_read(&st.mem, pte, &v) && v == (LEAF | EPTE_A))) {
		printf("FAIL ad-read-no-dirty (§5.3): pte 0x%" PRIx64 "\n", v);
		failures++;
	} else {
		passes++;
	}
}

/* ------------------------------------------------------------------ */
/*
 * L2 paging (facts §8, §9, §10).  Layout, L2-physical: the table for guest
 * level n at L2T(n), the data page at L2DATA.  EPT12 maps each such page
 * to L1 page + L1OFF (a 4-KiB PTE in the EPT PT at 0x4000), and GPAs
 * 2-4 MiB, 4-6 MiB and 1-2 GiB 1:1 with large pages.
 */
#define L2T(n) (0x10000ull + (5 - (n)) * 0x1000ull)
#define L2DATA 0x18000ull
#define L1OFF 0x40000ull
#define EPT_PT 0x4000ull

/* Guest entry bits. */
#define GP 0x1ull
#define GRW 0x2ull
#define GUS 0x4ull
#define GA 0x20ull
#define GD 0x40ull
#define GPS 0x80ull
#define GXD BIT(63)
#define DEF (GP | GRW | GUS | GA | GD)
#define G0 (~0ull)  /* an entry that is 0: not present */
#define ENP (~0ull) /* EPT12: the page is not present */

/* Default linear addresses: indices 1, 2, 3, 4 (PML5 index 1), offset
 * 0x123; PAE: PDPTE 1, PD 3, PT 4; 32-bit: PD 5, PT 6. */
#define LA4 0x8080604123ull
#define LA5 ((1ull << 48) | LA4)
#define LAPAE 0x40604123ull
#define LA32 0x1406123ull

/* The guest entries' GPAs with those addresses (facts §7.1). */
#define E5 (L2T(5) + 8)
#define E4 (L2T(4) + 8)
#define E3 (L2T(3) + 16)
#define E2 (L2T(2) + 24)
#define E1 (L2T(1) + 32)
#define E2_32 (L2T(2) + 5 * 4)
#define E1_32 (L2T(1) + 6 * 4)

#define EXC NEPT_OUT_EXCEPTION
#define M4 NEPT_L2_4LEVEL
#define M5 NEPT_L2_5LEVEL
#define MPAE NEPT_L2_PAE
#define M32 NEPT_L2_32BIT
#define ADV(u, w, x)                                           \
	(((u) ? QUAL_LIN_USER : 0) | ((w) ? QUAL_LIN_RW : 0) | \
	 ((x) ? QUAL_LIN_XD : 0))
#define NMI QUAL_NMI_UNBLOCK

struct l2case {
	const char *name, *cite;
	uint8_t mode, cpl, access, evflags, during, maxphy;
	uint16_t l2f, ctlf;
	uint32_t pkru, bitmap, mask, match;
	uint32_t caps_add;
	uint64_t eptp_add;
	/* Guest entries root first (PAE: the PDPTE register first); 0: the
	 * walk has no such level; an entry without address bits points at
	 * the next table, or at L2DATA when it is the last one. */
	uint64_t g[5];
	/* EPT12 PTE low bits for the page of guest level n's table ([n])
	 * and the data page ([0]); 0: RWX WB; with address bits: as is. */
	uint64_t ept[6];
	int kind;
	uint16_t reason;
	uint8_t vector;
	uint32_t err;
	uint64_t qual, gpa, translated;
	uint32_t tols;
	uint32_t undef; /* fields expected undefined (beyond the usual) */
};

static const struct l2case l2cases[] = {
	/* Facts §8.3: a full walk translates; final GPA through EPT12. */
	{ "l2-4level-ok", "§8.3 §9", M4, .g = { DEF, DEF, DEF, DEF },
	  .kind = NONE, .translated = L2DATA + L1OFF + 0x123 },
	{ "l2-5level-ok", "§8.3", M5, .g = { DEF, DEF, DEF, DEF, DEF },
	  .kind = NONE, .translated = L2DATA + L1OFF + 0x123 },
	{ "l2-pae-ok", "§8.3 (PDPTE registers)", MPAE, .g = { GP, DEF, DEF },
	  .ept = { [3] = ENP }, .kind = NONE,
	  .translated = L2DATA + L1OFF + 0x123 },
	{ "l2-32bit-ok", "§8.3", M32, .g = { DEF, DEF }, .kind = NONE,
	  .translated = L2DATA + L1OFF + 0x123 },
	/* Facts §8.2: reserved bits (#PF, P | RSVD = 0x9). */
	{ "rsvd-4l-pml4e-ps", "§8.2 (PML4E bit 7)", M4,
	  .g = { DEF | GPS, DEF, DEF, DEF }, .kind = EXC, .vector = 14,
	  .err = 0x9 },
	{ "rsvd-5l-pml5e-ps", "§8.2 (PML5E bit 7)", M5,
	  .g = { DEF | GPS, DEF, DEF, DEF, DEF }, .kind = EXC, .vector = 14,
	  .err = 0x9 },
	{ "rsvd-4l-51-m", "§8.2 (51:M)", M4,
	  .g = { DEF, DEF, DEF, DEF | L2DATA | BIT(46) }, .kind = EXC,
	  .vector = 14, .err = 0x9 },
	{ "rsvd-4l-xd-without-nxe", "§8.2 (63 without NXE)", M4,
	  .g = { DEF, DEF, DEF, DEF | GXD }, .kind = EXC, .vector = 14,
	  .err = 0x9 },
	{ "xd-with-nxe-read-ok", "§8.2", M4, .l2f = NEPT_L2F_NXE,
	  .g = { DEF, DEF, DEF, DEF | GXD }, .kind = NONE,
	  .translated = L2DATA + L1OFF + 0x123 },
	{ "4l-bit52-ignored", "§8.2 (only 51:M)", M4,
	  .g = { DEF, DEF, DEF, DEF | BIT(52) }, .kind = NONE,
	  .translated = L2DATA + L1OFF + 0x123 },
	{ "rsvd-4l-1g-bit13", "§8.2 (1-GiB 29:13)", M4,
	  .g = { DEF, DEF | GPS | 0x40000000 | BIT(13) }, .kind = EXC,
	  .vector = 14, .err = 0x9 },
	{ "4l-1g-ok", "§8.2 (1-GiB page)", M4,
	  .g = { DEF, DEF | GPS | 0x40000000 }, .kind = NONE,
	  .translated = 0x40604123 },
	{ "rsvd-4l-2m-bit13", "§8.2 (2-MiB 20:13)", M4,
	  .g = { DEF, DEF, DEF | GPS | 0x200000 | BIT(13) }, .kind = EXC,
	  .vector = 14, .err = 0x9 },
	{ "4l-2m-ok", "§8.2 (2-MiB page)", M4,
	  .g = { DEF, DEF, DEF | GPS | 0x200000 }, .kind = NONE,
	  .translated = 0x204123 },
	{ "rsvd-pae-bit52", "§8.2 (PAE 62:M)", MPAE,
	  .g = { GP, DEF, DEF | L2DATA | BIT(52) }, .kind = EXC, .vector = 14,
	  .err = 0x9 },
	{ "rsvd-pae-2m-bit20", "§8.2 (PAE 2-MiB 20:13)", MPAE,
	  .g = { GP, DEF | GPS | 0x200000 | BIT(20) }, .kind = EXC,
	  .vector = 14, .err = 0x9 },
	{ "rsvd-pae-xd-without-nxe", "§8.2 (PAE 63)", MPAE,
	  .g = { GP, DEF | GXD, DEF }, .kind = EXC, .vector = 14, .err = 0x9 },
	{ "rsvd-32-4m-bit21", "§8.2 (4-MiB bit 21)", M32, .l2f = NEPT_L2F_PSE,
	  .g = { DEF | GPS | 0x400000 | BIT(21) }, .kind = EXC, .vector = 14,
	  .err = 0x9 },
	{ "32-4m-ok", "§8.2 (4-MiB page)", M32, .l2f = NEPT_L2F_PSE,
	  .g = { DEF | GPS | 0x400000 }, .kind = NONE, .translated = 0x406123 },
	/* PSE-36: PDE bits 16:13 are PA bits 35:32 (M = 46, M' = 40);
	 * 4 GiB + 4 MiB is not mapped in EPT12: a final-GPA violation. */
	{ "32-4m-pse36-address", "§8.2 §9 (final GPA)", M32,
	  .l2f = NEPT_L2F_PSE, .g = { DEF | GPS | 0x400000 | BIT(13) },
	  .kind = EXIT, .reason = 48, .qual = R | GV | GT | ADV(1, 1, 0),
	  .gpa = 0x100406123ull, .tols = TV },
	{ "rsvd-32-4m-m36-bit17", "§8.2 (21:(M'-19), M = 36)", M32,
	  .maxphy = 36, .l2f = NEPT_L2F_PSE,
	  .g = { DEF | GPS | 0x400000 | BIT(17) }, .kind = EXC, .vector = 14,
	  .err = 0x9 },
	/* M = 46, M' = 40: PDE bits 20:13 are PA bits 39:32, bit 21 alone
	 * is reserved; bit 17 is PA bit 36, unmapped in EPT12. */
	{ "32-4m-m46-bit17-address", "§8.2 (M' = 40: 21 reserved)", M32,
	  .l2f = NEPT_L2F_PSE, .g = { DEF | GPS | 0x400000 | BIT(17) },
	  .kind = EXIT, .reason = 48, .qual = R | GV | GT | ADV(1, 1, 0),
	  .gpa = 0x1000406123ull, .tols = TV },
	/* libFuzzer found the model treating bit 21 of a PS = 1 PDE as
	 * reserved with CR4.PSE = 0, where bit 7 is ignored: bits 21 and 16
	 * are then address bits of the page table, which lies where L1 has
	 * no memory here (not a reserved-bit #PF). */
	{ "32-ps-without-pse-bit21-is-table", "§8.2 (CR4.PSE = 0)", M32,
	  .g = { DEF | GPS | BIT(21) | BIT(16), DEF }, .kind = NONE,
	  .tols = TOL(L2_UNBACKED), .undef = NEPT_F_ALL },
	/* M = 33 (M' = 33): 21:(M'-19) = 21:14 are reserved, so bit 16 is
	 * (PSE-36 would make it an address bit with 36 bits). */
	{ "rsvd-32-4m-m33-bit16", "§8.2 (21:(M'-19), M' = 33)", M32,
	  .maxphy = 33, .l2f = NEPT_L2F_PSE,
	  .g = { DEF | GPS | 0x400000 | BIT(16) }, .kind = EXC, .vector = 14,
	  .err = 0x9 },
	/* ... and bit 13 is PA bit 32 there. */
	{ "32-4m-m33-bit13-address", "§8.2 (M' = 33: 13 maps PA bit 32)", M32,
	  .maxphy = 33, .l2f = NEPT_L2F_PSE,
	  .g = { DEF | GPS | 0x400000 | BIT(13) }, .kind = EXIT, .reason = 48,
	  .qual = R | GV | GT | ADV(1, 1, 0), .gpa = 0x100406123ull,
	  .tols = TV },
	{ "rsvd-32-4m-m33-bit17", "§8.2 (20:17 with M' <= 36)", M32,
	  .maxphy = 33, .l2f = NEPT_L2F_PSE,
	  .g = { DEF | GPS | 0x400000 | BIT(17) }, .kind = EXC, .vector = 14,
	  .err = 0x9 },
	{ "32-ps-without-pse-is-table", "§8.2 (CR4.PSE = 0)", M32,
	  .g = { DEF | GPS, DEF }, .kind = NONE,
	  .translated = L2DATA + L1OFF + 0x123 },
	/* Facts §8.1 bit 0, §3.2-like rule for guest entries: P = 0. */
	{ "np-4l-pte", "§8.1 (P = 0)", M4, .g = { DEF, DEF, DEF, G0 },
	  .kind = EXC, .vector = 14, .err = 0 },
	{ "np-ignores-reserved", "§8.2 (checked only when P = 1)", M4,
	  .g = { DEF, DEF, DEF, BIT(46) | GXD | GPS | 0x1000 }, .kind = EXC,
	  .vector = 14, .err = 0 },
	{ "np-pae-pdpte-register", "§8.3 (PDPTE registers)", MPAE,
	  .g = { L2T(2) }, .kind = EXC, .vector = 14, .err = 0 },
	{ "np-write-w-bit", "§8.1 bit 1", M4, .access = NEPT_ACC_WRITE,
	  .g = { DEF, DEF, G0 }, .kind = EXC, .vector = 14, .err = 0x2 },
	/* Facts §8.1 bit 4: I/D only with SMEP, or PAE+ with NXE. */
	{ "np-fetch-no-id", "§8.1 bit 4", M4, .access = NEPT_ACC_FETCH,
	  .g = { DEF, DEF, DEF, G0 }, .kind = EXC, .vector = 14, .err = 0 },
	{ "np-fetch-nxe-id", "§8.1 bit 4", M4, .access = NEPT_ACC_FETCH,
	  .l2f = NEPT_L2F_NXE, .g = { DEF, DEF, DEF, G0 }, .kind = EXC,
	  .vector = 14, .err = 0x10 },
	{ "np-fetch-32bit-nxe-no-id", "§8.1 bit 4 (CR4.PAE = 0)", M32,
	  .access = NEPT_ACC_FETCH, .l2f = NEPT_L2F_NXE, .g = { DEF, G0 },
	  .kind = EXC, .vector = 14, .err = 0 },
	{ "np-fetch-32bit-smep-id", "§8.1 bit 4 (SMEP)", M32,
	  .access = NEPT_ACC_FETCH, .l2f = NEPT_L2F_SMEP, .g = { DEF, G0 },
	  .kind = EXC, .vector = 14, .err = 0x10 },
	/* Facts §8.3 step 4: access rights. */
	{ "user-to-supervisor", "§8.1 bits 0, 2", M4, .cpl = 3,
	  .g = { DEF, DEF, DEF & ~GUS, DEF }, .kind = EXC, .vector = 14,
	  .err = 0x5 },
	{ "user-write-readonly", "§8.1 bits 0-2", M4, .cpl = 3,
	  .access = NEPT_ACC_WRITE, .g = { DEF, DEF, DEF, DEF & ~GRW },
	  .kind = EXC, .vector = 14, .err = 0x7 },
	{ "supervisor-write-readonly-wp0", "§8.3 (CR0.WP)", M4,
	  .access = NEPT_ACC_WRITE, .g = { DEF, DEF, DEF, DEF & ~GRW },
	  .kind = NONE, .translated = L2DATA + L1OFF + 0x123 },
	{ "supervisor-write-readonly-wp1", "§8.3 (CR0.WP)", M4,
	  .l2f = NEPT_L2F_WP, .access = NEPT_ACC_WRITE,
	  .g = { DEF, DEF, DEF, DEF & ~GRW }, .kind = EXC, .vector = 14,
	  .err = 0x3 },
	{ "fetch-xd", "§8.3 (XD with NXE)", M4, .l2f = NEPT_L2F_NXE,
	  .access = NEPT_ACC_FETCH, .g = { DEF, DEF | GXD, DEF, DEF },
	  .kind = EXC, .vector = 14, .err = 0x11 },
	{ "smep", "§8.3 (SMEP)", M4, .l2f = NEPT_L2F_SMEP,
	  .access = NEPT_ACC_FETCH, .g = { DEF, DEF, DEF, DEF }, .kind = EXC,
	  .vector = 14, .err = 0x11 },
	{ "smep-off-fetch-ok", "§8.3", M4, .access = NEPT_ACC_FETCH,
	  .g = { DEF, DEF, DEF, DEF }, .kind = NONE,
	  .translated = L2DATA + L1OFF + 0x123 },
	{ "smap-explicit", "§8.3 (SMAP, AC = 0)", M4, .l2f = NEPT_L2F_SMAP,
	  .g = { DEF, DEF, DEF, DEF }, .kind = EXC, .vector = 14, .err = 0x1 },
	{ "smap-explicit-ac-ok", "§8.3 (SMAP, AC = 1)", M4,
	  .l2f = NEPT_L2F_SMAP | NEPT_L2F_AC, .g = { DEF, DEF, DEF, DEF },
	  .kind = NONE, .translated = L2DATA + L1OFF + 0x123 },
	{ "smap-implicit-ignores-ac", "§8.1 bit 2, §8.3 (implicit)", M4,
	  .cpl = 3, .evflags = NEPT_AF_IMPLICIT,
	  .l2f = NEPT_L2F_SMAP | NEPT_L2F_AC, .g = { DEF, DEF, DEF, DEF },
	  .kind = EXC, .vector = 14, .err = 0x1 },
	{ "implicit-cpl3-supervisor-page-ok", "§8.1 bit 2 (implicit)", M4,
	  .cpl = 3, .evflags = NEPT_AF_IMPLICIT,
	  .g = { DEF, DEF, DEF, DEF & ~GUS }, .kind = NONE,
	  .translated = L2DATA + L1OFF + 0x123 },
	/* Facts §8.1 bit 5: protection keys (key 1 in PTE bits 62:59). */
	{ "pk-read-ad", "§8.1 bit 5", M4, .cpl = 3, .l2f = NEPT_L2F_PKE,
	  .pkru = 1u << 2, .g = { DEF, DEF, DEF, DEF | BIT(59) }, .kind = EXC,
	  .vector = 14, .err = 0x25 },
	{ "pk-user-write-wd", "§8.1 bit 5", M4, .cpl = 3, .l2f = NEPT_L2F_PKE,
	  .pkru = 1u << 3, .access = NEPT_ACC_WRITE,
	  .g = { DEF, DEF, DEF, DEF | BIT(59) }, .kind = EXC, .vector = 14,
	  .err = 0x27 },
	{ "pk-supervisor-write-wd-wp0-ok", "§8.1 bit 5 (CR0.WP)", M4,
	  .l2f = NEPT_L2F_PKE, .pkru = 1u << 3, .access = NEPT_ACC_WRITE,
	  .g = { DEF, DEF, DEF, DEF | BIT(59) }, .kind = NONE,
	  .translated = L2DATA + L1OFF + 0x123 },
	{ "pk-supervisor-write-wd-wp1", "§8.1 bit 5 (CR0.WP)", M4,
	  .l2f = NEPT_L2F_PKE | NEPT_L2F_WP, .pkru = 1u << 3,
	  .access = NEPT_ACC_WRITE, .g = { DEF, DEF, DEF, DEF | BIT(59) },
	  .kind = EXC, .vector = 14, .err = 0x23 },
	{ "pk-not-for-fetches", "§8.1 bit 5 (data only)", M4, .cpl = 3,
	  .l2f = NEPT_L2F_PKE, .pkru = 1u << 2, .access = NEPT_ACC_FETCH,
	  .g = { DEF, DEF, DEF, DEF | BIT(59) }, .kind = NONE,
	  .translated = L2DATA + L1OFF + 0x123 },
	{ "pk-not-for-supervisor-pages", "§8.1 bit 5 (user addresses)", M4,
	  .l2f = NEPT_L2F_PKE, .pkru = 1u << 2,
	  .g = { DEF, DEF, DEF, (DEF & ~GUS) | BIT(59) }, .kind = NONE,
	  .translated = L2DATA + L1OFF + 0x123 },
	{ "pk-not-in-pae", "§8.1 bit 5 (4/5-level only)", MPAE, .cpl = 3,
	  .l2f = NEPT_L2F_PKE, .pkru = 1u << 0, .g = { GP, DEF, DEF },
	  .kind = NONE, .translated = L2DATA + L1OFF + 0x123 },
	/* Facts §8.3 step 1, §9, §11: EPT12 on a guest entry (bit 8 = 0,
	 * GPA of the entry, byte exact). */
	{ "ept-np-pte-page", "§11 (0x81)", M4, .g = { DEF, DEF, DEF, DEF },
	  .ept = { [1] = ENP }, .kind = EXIT, .reason = 48, .qual = R | GV,
	  .gpa = E1, .tols = TP },
	{ "ept-np-pte-page-ad", "§11 (0x83)", M4, .eptp_add = EPTP_AD,
	  .g = { DEF, DEF, DEF, DEF }, .ept = { [1] = ENP }, .kind = EXIT,
	  .reason = 48, .qual = R | W | GV, .gpa = E1, .tols = TP },
	{ "ept-ro-pte-page-guest-a0", "§11 (0x8B, A/D write)", M4,
	  .g = { DEF, DEF, DEF, DEF & ~GA }, .ept = { [1] = MT(6) | 1 },
	  .kind = EXIT, .reason = 48, .qual = W | RD | GV, .gpa = E1,
	  .tols = TP | TOL(QUAL_RMW_READ) },
	{ "ept-ro-pte-page-ad-on", "§11 (0x8B, A/D on)", M4,
	  .eptp_add = EPTP_AD, .g = { DEF, DEF, DEF, DEF },
	  .ept = { [1] = MT(6) | 1 }, .kind = EXIT, .reason = 48,
	  .qual = R | W | RD | GV, .gpa = E1,
	  .tols = TP | TOL(AD_ON_FAULTING_WALK) },
	{ "ept-rx-pte-page-guest-a0", "§11 (0xAB)", M4,
	  .g = { DEF, DEF, DEF, DEF & ~GA }, .ept = { [1] = MT(6) | 5 },
	  .kind = EXIT, .reason = 48, .qual = W | RD | EX | GV, .gpa = E1,
	  .tols = TP | TOL(QUAL_RMW_READ) },
	{ "ept-ro-pte-page-a1-d0-read-ok", "§5.4 (no write needed)", M4,
	  .g = { DEF, DEF, DEF, DEF & ~GD }, .ept = { [1] = MT(6) | 1 },
	  .kind = NONE, .translated = L2DATA + L1OFF + 0x123 },
	{ "ept-ro-pte-page-a1-d0-write", "§5.4 (D write)", M4,
	  .access = NEPT_ACC_WRITE, .g = { DEF, DEF, DEF, DEF & ~GD },
	  .ept = { [1] = MT(6) | 1 }, .kind = EXIT, .reason = 48,
	  .qual = W | RD | GV, .gpa = E1, .tols = TP | TOL(QUAL_RMW_READ) },
	{ "ept-misconfig-pde-page", "§4.1 §9 (49)", M4,
	  .g = { DEF, DEF, DEF, DEF }, .ept = { [2] = MT(6) | 2 }, .kind = EXIT,
	  .reason = 49, .gpa = E2, .tols = TOL(GLA_UNDEFINED) },
	{ "ept-np-pml5e-page", "§9 (0x81)", M5,
	  .g = { DEF, DEF, DEF, DEF, DEF }, .ept = { [5] = ENP }, .kind = EXIT,
	  .reason = 48, .qual = R | GV, .gpa = E5, .tols = TP },
	{ "ept-np-32bit-pde-page", "§7.1 (x 4 in 32-bit paging)", M32,
	  .g = { DEF, DEF }, .ept = { [2] = ENP }, .kind = EXIT, .reason = 48,
	  .qual = R | GV, .gpa = E2_32, .tols = TP },
	{ "ept-np-32bit-pte-page", "§7.1 (x 4 in 32-bit paging)", M32,
	  .g = { DEF, DEF }, .ept = { [1] = ENP }, .kind = EXIT, .reason = 48,
	  .qual = R | GV, .gpa = E1_32, .tols = TP },
	/* Facts §8.3 step 5, §6.4: the final GPA (bit 8 = 1, bits 9-11). */
	{ "final-np", "§9 §6.4", M4, .g = { DEF, DEF, DEF, DEF },
	  .ept = { [0] = ENP }, .kind = EXIT, .reason = 48,
	  .qual = R | GV | GT | ADV(1, 1, 0), .gpa = L2DATA + 0x123,
	  .tols = TV },
	{ "final-adv-xd", "§6.4 (XD with NXE)", M4, .l2f = NEPT_L2F_NXE,
	  .g = { DEF, DEF | GXD, DEF, DEF }, .ept = { [0] = ENP }, .kind = EXIT,
	  .reason = 48, .qual = R | GV | GT | ADV(1, 1, 1),
	  .gpa = L2DATA + 0x123, .tols = TV },
	{ "final-adv-supervisor-readonly", "§6.4 (AND over levels)", M4,
	  .g = { DEF, DEF, DEF & ~GUS, DEF & ~GRW }, .ept = { [0] = ENP },
	  .kind = EXIT, .reason = 48, .qual = R | GV | GT,
	  .gpa = L2DATA + 0x123, .tols = TV },
	{ "final-adv-pae-pdpte-counts-1", "§6.4 (PDPTEs: 1, 1, 0)", MPAE,
	  .l2f = NEPT_L2F_NXE, .g = { GP, DEF, DEF }, .ept = { [0] = ENP },
	  .kind = EXIT, .reason = 48, .qual = R | GV | GT | ADV(1, 1, 0),
	  .gpa = L2DATA + 0x123, .tols = TV },
	{ "final-write-readonly", "§9 §6.1", M4, .access = NEPT_ACC_WRITE,
	  .g = { DEF, DEF, DEF, DEF }, .ept = { [0] = MT(6) | 1 }, .kind = EXIT,
	  .reason = 48, .qual = W | RD | GV | GT | ADV(1, 1, 0),
	  .gpa = L2DATA + 0x123, .tols = TV },
	{ "final-mbec-user-fetch", "§9 (MBEC uses L2 U/S)", M4, .cpl = 3,
	  .caps_add = NEPT_CAP_MBEC, .access = NEPT_ACC_FETCH,
	  .g = { DEF, DEF, DEF, DEF }, .kind = EXIT, .reason = 48,
	  .qual = F | RD | WR | EX | GV | GT | ADV(1, 1, 0),
	  .gpa = L2DATA + 0x123 },
	{ "final-mbec-supervisor-page-cpl3-implicit", "§9 (not CPL)", M4,
	  .cpl = 3, .caps_add = NEPT_CAP_MBEC, .evflags = NEPT_AF_IMPLICIT,
	  .g = { DEF, DEF, DEF, DEF & ~GUS }, .kind = NONE,
	  .translated = L2DATA + L1OFF + 0x123 },
	/* Facts §5.4, §12 item 1: final GPA and A/D write both fault; the
	 * first outcome is the final GPA's, the other the flag write's
	 * (order_outcomes below checks it). */
	{ "final-and-ad-both-violate", "§5.4 (order unconfirmed)", M4,
	  .g = { DEF, DEF, DEF, DEF & ~GA },
	  .ept = { [0] = ENP, [1] = MT(6) | 1 }, .kind = EXIT, .reason = 48,
	  .qual = R | GV | GT | ADV(1, 1, 0), .gpa = L2DATA + 0x123,
	  .tols = TV | TOL(AD_FINAL_ORDER) },
	{ "final-np-guest-a0-write-allowed", "§5.4 (order unconfirmed)", M4,
	  .g = { DEF, DEF, DEF, DEF & ~GA }, .ept = { [0] = ENP }, .kind = EXIT,
	  .reason = 48, .qual = R | GV | GT | ADV(1, 1, 0),
	  .gpa = L2DATA + 0x123, .tols = TV | TOL(AD_FINAL_ORDER) },
	{ "final-misconfig-ad-violation", "§5.4 (order unconfirmed)", M4,
	  .g = { DEF, DEF, DEF, DEF & ~GA },
	  .ept = { [0] = MT(6) | 2, [1] = MT(6) | 1 }, .kind = EXIT,
	  .reason = 49, .gpa = L2DATA + 0x123,
	  .tols = TOL(GLA_UNDEFINED) | TOL(AD_FINAL_ORDER) },
	/* Facts §10.3: bitmap bit 14 with the error-code mask/match. */
	{ "pf-bit14-mask-match-0-exits", "§10.3 example 1", M4,
	  .bitmap = 1u << 14, .g = { DEF, G0 }, .kind = EXIT, .reason = 0,
	  .vector = 14, .err = 0, .qual = LA4, .tols = TOL(GLA_UNDEFINED) },
	{ "pf-bit14-0-mask-match-0-delivers", "§10.3 example 2", M4,
	  .g = { DEF, G0 }, .kind = EXC, .vector = 14, .err = 0 },
	{ "pf-bit14-0-match-nonzero-exits", "§10.3 example 3", M4, .match = 1,
	  .g = { DEF, G0 }, .kind = EXIT, .reason = 0, .vector = 14, .err = 0,
	  .qual = LA4, .tols = TOL(GLA_UNDEFINED) },
	{ "pf-mask-w-read-no-match-delivers", "§10.3 (bit14 = 1, no match)", M4,
	  .bitmap = 1u << 14, .mask = 2, .match = 2, .g = { DEF, G0 },
	  .kind = EXC, .vector = 14, .err = 0 },
	{ "pf-mask-w-write-match-exits", "§10.3 (bit14 = 1, match)", M4,
	  .bitmap = 1u << 14, .mask = 2, .match = 2, .access = NEPT_ACC_WRITE,
	  .g = { DEF, G0 }, .kind = EXIT, .reason = 0, .vector = 14, .err = 2,
	  .qual = LA4, .tols = TOL(GLA_UNDEFINED) },
	{ "pf-exit-32bit-qual", "§7.3 (qualification = linear address)", M32,
	  .bitmap = 1u << 14, .g = { G0 }, .kind = EXIT, .reason = 0,
	  .vector = 14, .err = 0, .qual = LA32, .tols = TOL(GLA_UNDEFINED) },
	/* Facts §10.2: each cell with a #PF second. */
	{ "during-benign-db-serial", "§10.2 (benign, page fault)", M4,
	  .during = 1 + 1, .g = { DEF, G0 }, .kind = EXC, .vector = 14,
	  .err = 0 },
	{ "during-benign-ud-serial", "§10.2 (benign)", M4, .during = 1 + 6,
	  .g = { DEF, G0 }, .kind = EXC, .vector = 14, .err = 0 },
	{ "during-contributory-gp-serial", "§10.2 (contributory, pf)", M4,
	  .during = 1 + 13, .g = { DEF, G0 }, .kind = EXC, .vector = 14,
	  .err = 0 },
	{ "during-contributory-cp-serial", "§10.1 (#CP contributory)", M4,
	  .during = 1 + 21, .g = { DEF, G0 }, .kind = EXC, .vector = 14,
	  .err = 0 },
	{ "during-pf-df", "§10.2 (page fault, page fault)", M4,
	  .during = 1 + 14, .g = { DEF, G0 }, .kind = EXC, .vector = 8,
	  .err = 0, .undef = NEPT_F_GLA },
	{ "during-ve-df", "§10.1 (#VE page-fault class)", M4, .during = 1 + 20,
	  .g = { DEF, G0 }, .kind = EXC, .vector = 8, .err = 0,
	  .undef = NEPT_F_GLA },
	{ "during-pf-df-bit8-exits", "§10.2 (#DF checks bit 8)", M4,
	  .during = 1 + 14, .bitmap = 1u << 8, .g = { DEF, G0 }, .kind = EXIT,
	  .reason = 0, .vector = 8, .err = 0, .qual = 0,
	  .tols = TOL(GLA_UNDEFINED) },
	{ "during-pf-bit14-exits-first", "§10.2 (bitmap first)", M4,
	  .during = 1 + 14, .bitmap = (1u << 8) | (1u << 14), .g = { DEF, G0 },
	  .kind = EXIT, .reason = 0, .vector = 14, .err = 0, .qual = LA4,
	  .tols = TOL(GLA_UNDEFINED) },
	{ "during-df-triple-fault", "§10.2 (#DF row)", M4, .during = 1 + 8,
	  .bitmap = 1u << 8, .g = { DEF, G0 }, .kind = EXIT, .reason = 2,
	  .qual = 0, .tols = TOL(GLA_UNDEFINED) },
	{ "during-df-bit14-exits", "§10.2 (bitmap first)", M4, .during = 1 + 8,
	  .bitmap = 1u << 14, .g = { DEF, G0 }, .kind = EXIT, .reason = 0,
	  .vector = 14, .err = 0, .qual = LA4, .tols = TOL(GLA_UNDEFINED) },
	/* Facts §6.3: bit 12 during an L2 walk. */
	{ "bit12-l2-entry-violation", "§6.3", M4,
	  .evflags = NEPT_AF_NMI_UNBLOCK, .g = { DEF, DEF, DEF, DEF },
	  .ept = { [1] = ENP }, .kind = EXIT, .reason = 48,
	  .qual = R | GV | NMI, .gpa = E1, .tols = TP },
	{ "bit12-during-undefined-l2", "§6.3 (IDT-vectoring valid)", M4,
	  .during = 1 + 14, .evflags = NEPT_AF_NMI_UNBLOCK,
	  .g = { DEF, DEF, DEF, DEF }, .ept = { [1] = ENP }, .kind = EXIT,
	  .reason = 48, .qual = R | GV, .gpa = E1,
	  .tols = TP | TOL(QUAL_BIT12_UNDEFINED) },
	/* Unbacked guest entry: EPT12 maps the PT page where L1 has no
	 * memory. */
	{ "l2-entry-unbacked", "tolerance l2-table-unbacked", M4,
	  .g = { DEF, DEF, DEF, DEF }, .ept = { [1] = 0x7f000 | MT(6) | RWX },
	  .kind = NONE, .tols = TOL(L2_UNBACKED), .undef = NEPT_F_ALL },
};

static void build_l2(const struct l2case *c, struct nept_scenario *s)
{
	static const uint8_t levels[][5] = {
		[M32] = { 2, 1 },
		[MPAE] = { 3, 2, 1 },
		[M4] = { 4, 3, 2, 1 },
		[M5] = { 5, 4, 3, 2, 1 },
	};
	static const uint64_t las[] = {
		[M32] = LA32, [MPAE] = LAPAE, [M4] = LA4, [M5] = LA5
	};
	uint64_t la = las[c->mode];

	scenario_init(s);
	s->caps |= NEPT_CAP_ADV_INFO | c->caps_add;
	if (c->maxphy)
		s->l1_maxphyaddr = c->maxphy;
	s->eptp |= c->eptp_add;
	/* EPT12 (facts §3): 4-KiB mappings below 2 MiB, large pages for
	 * 2-6 MiB and 1-2 GiB, 1:1. */
	scenario_set_qword(s, 0x1000, 0x2000 | RWX);
	scenario_set_qword(s, 0x2000, 0x3000 | RWX);
	scenario_set_qword(s, 0x2008, 0x40000000 | PS | MT(6) | RWX);
	scenario_set_qword(s, 0x3000, EPT_PT | RWX);
	scenario_set_qword(s, 0x3008, 0x200000 | PS | MT(6) | RWX);
	scenario_set_qword(s, 0x3010, 0x400000 | PS | MT(6) | RWX);
	scenario_add_page(s, EPT_PT);
	for (unsigned n = 0; n <= 5; n++) {
		uint64_t g = n ? L2T(n) : L2DATA, e = c->ept[n];

		if (e == ENP)
			continue;
		if (!(e & 0x000ffffffffff000ull))
			e = (e ? e : MT(6) | RWX) | (g + L1OFF);
		scenario_set_qword(s, EPT_PT + (g >> 12) * 8, e);
	}
	/* L2's tables (facts §8.2 layouts). */
	s->l2.paging = c->mode;
	s->l2.cpl = c->cpl;
	s->l2.flags = c->l2f;
	s->l2.pkru = c->pkru;
	for (unsigned i = 0; i < 5 && c->g[i]; i++) {
		unsigned level = levels[c->mode][i];
		bool last = i == 4 || !c->g[i + 1];
		uint64_t v = c->g[i], ea, l1;
		unsigned shift;

		if (v == G0)
			v = 0;
		else if (!(v & 0x000ffffffffff000ull))
			v |= last ? L2DATA : L2T(level - 1);
		if (c->mode == MPAE && level == 3) {
			s->l2.pdpte[(la >> 30) & 3] = v;
			continue;
		}
		if (c->mode == M32)
			ea = L2T(level) +
			     ((la >> (12 + 10 * (level - 1))) & 1023) * 4;
		else
			ea = L2T(level) +
			     ((la >> (12 + 9 * (level - 1))) & 511) * 8;
		l1 = ea + L1OFF;
		shift = (c->mode == M32 && (ea & 4)) ? 32 : 0;
		scenario_add_page(s, l1);
		scenario_set_qword(s, l1 & ~7ull, v << shift);
	}
	if (c->mode != MPAE)
		s->l2.cr3 = L2T(levels[c->mode][0]);
	s->ctl.flags = c->ctlf;
	s->ctl.exception_bitmap = c->bitmap;
	s->ctl.pfec_mask = c->mask;
	s->ctl.pfec_match = c->match;
	s->nevents = 1;
	memset(&s->event[0], 0, sizeof(s->event[0]));
	s->event[0].source = NEPT_SRC_EMULATED;
	/* A descriptor-table exit L1 does not intercept: L0 emulates the
	 * instruction, whose access this is (§15.5). */
	s->event[0].exit_reason = NEPT_EXIT_GDTR_IDTR;
	if (c->during) {
		/* Delivery cannot cause that exit: an EPT violation of L0's
		 * own tables can, and is L0's (§15.6). */
		s->event[0].exit_reason = NEPT_EXIT_EPT_VIOLATION;
		s->event[0].exit_qual = 0x181;
	}
	s->event[0].access = c->access;
	s->event[0].flags = c->evflags;
	s->event[0].during = c->during;
	s->event[0].gla = la;
	scenario_normalize(s);
}

/* CHECK (above) serves run_l2case too: c names the case there. */
/*
 * Facts §5.4, §12 item 1: where the final GPA and a guest A/D-flag write
 * both fault, either may be first: the second outcome is the flag write's
 * EPT violation (bit 8 = 0, read-modify-write: bit 0 the implementation's,
 * facts §5.5), at the guest PTE's GPA.
 */
static bool order_outcomes(const char *name, const struct l2case *c)
{
	static struct nept_scenario s;
	static struct model_state st;
	static struct model_outcomes os;
	const struct nept_outcome *o = &os.o[1];
	/* The guest PTE: L2T(1) + ((LA4 >> 12) & 511) * 8. */
	uint64_t pte = L2T(1) + ((LA4 >> 12) & 511) * 8;

	build_l2(c, &s);
	model_state_init(&st, &s);
	model_run_event_set(&s, &st, &s.event[0], &os, NULL);
	(void)name;
	return os.n == 2 && o->kind == EXIT && o->reason == 48 &&
	       (o->qual & ~o->qual_undefined) == (W | RD | GV) &&
	       (o->qual_undefined & R) && o->gpa == pte &&
	       os.o[0].reason == c->reason && os.o[0].gpa == c->gpa;
}

static bool run_l2case(const struct l2case *c)
{
	static struct nept_scenario s;
	static struct model_state st;
	struct nept_error err;
	struct nept_outcome o;
	uint64_t def;

	build_l2(c, &s);
	CHECK(scenario_check(&s, &err), "scenario illegal: %s", err.msg);
	model_state_init(&st, &s);
	model_run_event(&s, &st, &s.event[0], &o, NULL);
	CHECK(o.tolerances == c->tols, "tolerances 0x%x, want 0x%x",
	      o.tolerances, c->tols);
	CHECK((o.undefined & c->undef) == c->undef,
	      "undefined 0x%x, want at least 0x%x", o.undefined, c->undef);
	if (c->undef == NEPT_F_ALL)
		return true;
	CHECK(o.kind == c->kind, "kind %s, want %s",
	      nept_outcome_kind_name(o.kind), nept_outcome_kind_name(c->kind));
	def = ~o.qual_undefined;
	if (c->kind == EXIT) {
		CHECK(o.reason == c->reason, "reason %u, want %u", o.reason,
		      c->reason);
		CHECK((o.qual & def) == (c->qual & def),
		      "qualification 0x%" PRIx64 ", want 0x%" PRIx64
		      " (undefined 0x%" PRIx64 ")",
		      o.qual, c->qual, o.qual_undefined);
	}
	if (c->kind == EXIT && (c->reason == 48 || c->reason == 49) &&
	    !(o.undefined & NEPT_F_GPA))
		CHECK(o.gpa == c->gpa, "gpa 0x%" PRIx64 ", want 0x%" PRIx64,
		      o.gpa, c->gpa);
	if (c->kind == EXIT && c->reason == 48 && !(o.undefined & NEPT_F_GLA))
		CHECK(o.gla_valid && o.gla == s.event[0].gla, "gla 0x%" PRIx64,
		      o.gla);
	if (c->kind == EXC || (c->kind == EXIT && c->reason == 0)) {
		CHECK(o.vector == c->vector, "vector %u, want %u", o.vector,
		      c->vector);
		CHECK(o.has_error_code && o.error_code == c->err,
		      "error code 0x%x, want 0x%x", o.error_code, c->err);
	}
	if (c->kind == EXC && !(c->undef & NEPT_F_GLA))
		CHECK(o.gla == s.event[0].gla, "cr2 0x%" PRIx64, o.gla);
	if (c->kind == NONE)
		CHECK(o.translated == c->translated,
		      "translated 0x%" PRIx64 ", want 0x%" PRIx64, o.translated,
		      c->translated);
	return true;
}

static void tally(const char *name, const char *cite, bool ok)
{
	if (ok) {
		passes++;
	} else {
		printf("FAIL %s (%s)\n", name, cite);
		failures++;
	}
}

static bool has_write(const struct nept_outcome *o, uint64_t gpa, uint64_t old,
		      uint64_t val, bool optional)
{
	for (unsigned i = 0; i < o->n_ad_writes; i++)
		if (o->ad_write[i].gpa == gpa && o->ad_write[i].old == old &&
		    o->ad_write[i].val == val &&
		    !!o->ad_write[i].optional == optional)
			return true;
	return false;
}

/* Facts §8.3 step 6, §5.4: guest A on every entry used, D on the leaf for
 * writes, each written through EPT12 to L1 memory. */
static void test_guest_ad(void)
{
	static const struct l2case c4 = {
		"guest-ad-4level",
		"§8.3 step 6",
		M4,
		.access = NEPT_ACC_WRITE,
		.g = { GP | GRW, GP | GRW, GP | GRW, GP | GRW | GA },
	};
	static const struct l2case c32 = {
		"guest-ad-32bit",
		"§8.3 step 6",
		M32,
		.g = { GP | GRW, GP | GRW },
	};
	static struct nept_scenario s;
	static struct model_state st;
	struct nept_outcome o;
	uint64_t v, pml4e = E4 + L1OFF, pte = E1 + L1OFF;
	bool ok;

	build_l2(&c4, &s);
	model_state_init(&st, &s);
	model_run_event(&s, &st, &s.event[0], &o, NULL);
	ok = o.kind == NONE && o.n_ad_writes == 4 && !o.tolerances;
	ok &= has_write(&o, pml4e, GP | GRW | L2T(3), GP | GRW | GA | L2T(3),
			false);
	ok &= has_write(&o, pte, GP | GRW | GA | L2DATA,
			GP | GRW | GA | GD | L2DATA, false);
	ok &= nept_mem_read(&st.mem, E2 + L1OFF, &v) &&
	      v == (GP | GRW | GA | L2T(1));
	tally(c4.name, c4.cite, ok);
	/* A second identical event writes nothing. */
	model_run_event(&s, &st, &s.event[0], &o, NULL);
	tally("guest-ad-second-event", "§8.3 step 6",
	      o.kind == NONE && o.n_ad_writes == 0);

	/* 32-bit paging: the PDE is the upper half of its qword; a read
	 * sets no D. */
	build_l2(&c32, &s);
	model_state_init(&st, &s);
	model_run_event(&s, &st, &s.event[0], &o, NULL);
	ok = o.kind == NONE && o.n_ad_writes == 2;
	ok &= has_write(&o, (E2_32 + L1OFF) & ~7ull, (GP | GRW | L2T(1)) << 32,
			(GP | GRW | GA | L2T(1)) << 32, false);
	ok &= has_write(&o, E1_32 + L1OFF, GP | GRW | L2DATA,
			GP | GRW | GA | L2DATA, false);
	tally(c32.name, c32.cite, ok);
}

/* Facts §7.2: PML logging and PML-full exits. */
static void test_pml(void)
{
	static struct nept_scenario s;
	static struct model_state st;
	struct nept_outcome o;
	const uint64_t pml = 0x9000;
	bool ok;

	/* Non-L2 accesses: pages 0x5000 and 0x6000 through 4-KiB leaves. */
	scenario_init(&s);
	s.eptp |= EPTP_AD;
	scenario_set_qword(&s, 0x1000, 0x2000 | RWX);
	scenario_set_qword(&s, 0x2000, 0x3000 | RWX);
	scenario_set_qword(&s, 0x3000, 0x4000 | RWX);
	scenario_set_qword(&s, 0x4000 + 5 * 8, 0x7000 | MT(6) | RWX);
	scenario_set_qword(&s, 0x4000 + 6 * 8, 0x8000 | MT(6) | RWX);
	scenario_add_page(&s, pml);
	s.ctl.flags = NEPT_CTL_PML;
	s.ctl.pml_address = pml;
	s.ctl.pml_index = 0;
	s.nevents = 4;
	s.event[0].access = NEPT_ACC_WRITE;
	s.event[0].gpa = 0x5123;
	s.event[1].access = NEPT_ACC_WRITE;
	s.event[1].gpa = 0x6123;
	s.event[2].access = NEPT_ACC_WRITE;
	s.event[2].gpa = 0x5456;
	s.event[3].gpa = 0x6123;
	scenario_normalize(&s);
	model_state_init(&st, &s);
	/* Index 0: log the page-aligned GPA at slot 0, index wraps. */
	model_run_event(&s, &st, &s.event[0], &o, NULL);
	ok = o.kind == NONE && has_write(&o, pml, 0, 0x5000, false) &&
	     st.pml_index == 0xffff && o.n_ad_writes == 5;
	tally("pml-log-slot-0", "§7.2", ok);
	/* Index 0xffff is full: exit 62, only bit 12 defined, D not set,
	 * accessed flags allowed. */
	model_run_event(&s, &st, &s.event[1], &o, NULL);
	ok = o.kind == EXIT && o.reason == 62 && o.qual == 0 &&
	     o.qual_undefined == ~QUAL_NMI_UNBLOCK &&
	     o.tolerances == (TOL(PML_QUAL_UNDEFINED) | TOL(GLA_UNDEFINED) |
			      TOL(AD_ON_FAULTING_WALK)) &&
	     has_write(&o, 0x4000 + 6 * 8, 0x8000 | MT(6) | RWX,
		       0x8000 | MT(6) | RWX | EPTE_A, true);
	for (unsigned i = 0; i < o.n_ad_writes; i++)
		ok &= !(o.ad_write[i].val & EPTE_D & ~o.ad_write[i].old);
	tally("pml-full", "§7.2", ok);
	/* D already set: no log entry needed, no exit. */
	model_run_event(&s, &st, &s.event[2], &o, NULL);
	tally("pml-dirty-already-set", "§7.2", o.kind == NONE);
	/* Reads set no D: no exit with the log full. */
	model_run_event(&s, &st, &s.event[3], &o, NULL);
	tally("pml-read-no-log", "§7.2 §5.3", o.kind == NONE);

	/* Bit 12 of a PML-full exit (facts §6.3, §7.2). */
	s.ctl.pml_index = 512;
	s.event[1].flags = NEPT_AF_NMI_UNBLOCK;
	model_state_init(&st, &s);
	model_run_event(&s, &st, &s.event[1], &o, NULL);
	tally("pml-full-bit12", "§6.3 §7.2",
	      o.kind == EXIT && o.reason == 62 && o.qual == QUAL_NMI_UNBLOCK);
	s.ctl.flags |= NEPT_CTL_NMI_EXITING;
	model_state_init(&st, &s);
	model_run_event(&s, &st, &s.event[1], &o, NULL);
	tally("pml-full-bit12-undefined", "§6.3 §7.2",
	      o.kind == EXIT && o.reason == 62 && o.qual_undefined == ~0ull &&
		      (o.tolerances & TOL(QUAL_BIT12_UNDEFINED)));
	/* The log page has no memory behind it. */
	s.ctl.flags = NEPT_CTL_PML;
	s.ctl.pml_address = 0xa000;
	s.ctl.pml_index = 3;
	model_state_init(&st, &s);
	model_run_event(&s, &st, &s.event[1], &o, NULL);
	tally("pml-log-unbacked", "tolerance l2-table-unbacked",
	      o.undefined == NEPT_F_ALL && o.tolerances == TOL(L2_UNBACKED));
	/* The log slot is the EPT PDE this walk uses (libFuzzer: KVM and
	 * the model ordered the log write and the accessed flag apart). */
	s.ctl.pml_address = 0x3000;
	s.ctl.pml_index = 0;
	model_state_init(&st, &s);
	model_run_event(&s, &st, &s.event[1], &o, NULL);
	{
		/* Two outcomes (facts §5.3, §7.2 order neither write): the
		 * log first, then the accessed flag ORed into the slot; or
		 * the flag first, then the log over it. */
		static struct model_outcomes os;
		uint64_t logged = s.event[1].gpa & ~0xfffull, v[2] = { 0, 0 };

		model_state_init(&st, &s);
		model_run_event_set(&s, &st, &s.event[1], &os, NULL);
		for (unsigned k = 0; k < os.n && k < 2; k++)
			for (unsigned i = 0; i < os.o[k].n_ad_writes; i++)
				if (os.o[k].ad_write[i].gpa == 0x3000)
					v[k] = os.o[k].ad_write[i].val;
		tally("pml-log-on-walk", "tolerance pml-log-on-walk",
		      os.n == 2 && os.o[0].kind == NONE &&
			      os.o[1].kind == NONE &&
			      (os.o[0].tolerances & TOL(PML_LOG_ON_WALK)) &&
			      v[0] == (logged | EPTE_A) && v[1] == logged);
	}

	/* L2 walk with EPT A/D: guest entry reads are writes (facts §5.2,
	 * §5.3), so each table page's EPT PTE gets D and a log entry: index
	 * 1 logs the PML4 and PDPT pages, then the PD page's read is full. */
	{
		static const struct l2case c = {
			"pml-l2-walk",
			"§5.3 §7.2",
			M4,
			.eptp_add = EPTP_AD,
			.g = { DEF, DEF, DEF, DEF },
		};

		build_l2(&c, &s);
		scenario_add_page(&s, pml);
		s.ctl.flags = NEPT_CTL_PML;
		s.ctl.pml_address = pml;
		s.ctl.pml_index = 1;
		model_state_init(&st, &s);
		model_run_event(&s, &st, &s.event[0], &o, NULL);
		ok = o.kind == EXIT && o.reason == 62 &&
		     has_write(&o, pml + 8, 0, L2T(4), false) &&
		     has_write(&o, pml, 0, L2T(3), false) &&
		     st.pml_index == 0xffff;
		tally(c.name, c.cite, ok);
	}
}

/* Facts §6.3: bit 12 for accesses without an L2 walk. */
static void test_bit12(void)
{
	static const struct {
		const char *name;
		uint16_t ctl;
		uint8_t during;
		bool defined;
	} t[] = {
		{ "bit12-defined", 0, 0, true },
		{ "bit12-nmi-exiting-no-vnmi", NEPT_CTL_NMI_EXITING, 0, false },
		{ "bit12-virtual-nmis",
		  NEPT_CTL_NMI_EXITING | NEPT_CTL_VIRTUAL_NMIS, 0, true },
		{ "bit12-during-delivery", 0, 1 + 14, false },
	};
	static struct nept_scenario s;
	static struct model_state st;
	struct nept_outcome o;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		scenario_init(&s);
		scenario_add_page(&s, 0x1000);
		s.ctl.flags = t[i].ctl;
		s.nevents = 1;
		s.event[0].gpa = GPA;
		s.event[0].flags = NEPT_AF_NMI_UNBLOCK;
		s.event[0].during = t[i].during;
		model_state_init(&st, &s);
		model_run_event(&s, &st, &s.event[0], &o, NULL);
		tally(t[i].name, "§6.3",
		      o.kind == EXIT && o.reason == 48 &&
			      !!(o.qual_undefined & QUAL_NMI_UNBLOCK) ==
				      !t[i].defined &&
			      !!(o.tolerances & TOL(QUAL_BIT12_UNDEFINED)) ==
				      !t[i].defined &&
			      (!t[i].defined || (o.qual & QUAL_NMI_UNBLOCK)));
	}
}

static void test_l2(void)
{
	for (size_t i = 0; i < sizeof(l2cases) / sizeof(l2cases[0]); i++) {
		if (run_l2case(&l2cases[i]))
			passes++;
		else
			failures++;
	}
	test_guest_ad();
	test_pml();
	test_bit12();
	for (size_t i = 0; i < sizeof(l2cases) / sizeof(l2cases[0]); i++)
		if (!strncmp(l2cases[i].name, "final-and-ad", 12) ||
		    !strncmp(l2cases[i].name, "final-misconfig-ad", 18))
			tally(l2cases[i].name, "§5.4 §12 item 1 (both orders)",
			      order_outcomes(l2cases[i].name, &l2cases[i]));
}

/*
 * Facts §15: who gets an emulated event's exit, rule by rule; each row
 * breaks or meets one condition, derived from docs/sdm-rules.md §15.
 */
static void test_exit_owner(void)
{
	enum {
		L0 = MODEL_EXIT_L0,
		L1 = MODEL_EXIT_L1,
		UND = MODEL_EXIT_UNDECIDED
	};
	static const struct {
		const char *name;
		uint16_t flags;
		uint32_t bitmap, mask, match;
		uint64_t cr0_mask, cr0_shadow, cr4_mask, cr4_shadow;
		unsigned paging;
		uint16_t reason;
		uint64_t qual, value;
		uint8_t vector; /* 1 + vector */
		uint32_t error_code;
		int want;
	} rows[] = {
		{ "task switch (15.1)", .reason = 9, .want = L1 },
		{ "triple fault (15.1)", .reason = 2, .want = L1 },
		{ "EPT violation is L0's (15.6)", .reason = 48, .want = L0 },
		{ "EPT misconfig is L0's (15.6)", .reason = 49, .want = L0 },
		{ "#GP not in bitmap is L0's (15.2)", .reason = 0, .vector = 14,
		  .want = L0 },
		{ "#PF not wanted: impossible (15.2)", .bitmap = ~(1u << 14),
		  .reason = 0, .vector = 15, .want = UND },
		{ "#GP in bitmap (15.2)", .bitmap = 1u << 13, .reason = 0,
		  .vector = 14, .want = L1 },
		{ "#PF bit 14, match (10.3)", .bitmap = 1u << 14, .reason = 0,
		  .vector = 15, .want = L1 },
		{ "#PF bit 14, mismatch inverts (10.3)", .bitmap = 1u << 14,
		  .mask = 1, .match = 1, .reason = 0, .vector = 15,
		  .want = UND },
		{ "#PF no bit 14, mismatch inverts (10.3)", .mask = 1,
		  .match = 1, .reason = 0, .vector = 15, .error_code = 2,
		  .want = L1 },
		{ "NMI undecided (15.2)", .bitmap = ~0u, .reason = 0,
		  .vector = 3, .want = UND },
		{ "I/O, no controls (15.3)", .reason = 30, .qual = 0x600010,
		  .want = L0 },
		{ "I/O unconditional (15.3)", .flags = NEPT_CTL_IO_EXITING,
		  .reason = 30, .qual = 0x600010, .want = L1 },
		{ "I/O bitmaps win over unconditional (15.3)",
		  .flags = NEPT_CTL_IO_EXITING | NEPT_CTL_IO_BITMAPS,
		  .reason = 30, .qual = 0x600010, .want = L0 },
		{ "I/O bitmap A bit (15.3)", .flags = NEPT_CTL_IO_BITMAPS,
		  .reason = 30, .qual = 0x3f80010, .want = L1 },
		{ "I/O 4 bytes reach the bit (15.3)",
		  .flags = NEPT_CTL_IO_BITMAPS, .reason = 30, .qual = 0x3f50013,
		  .want = L1 },
		{ "I/O 2 bytes stop short (15.3)", .flags = NEPT_CTL_IO_BITMAPS,
		  .reason = 30, .qual = 0x3f50011, .want = L0 },
		{ "I/O wrap (15.3)", .flags = NEPT_CTL_IO_BITMAPS, .reason = 30,
		  .qual = 0xffff0011, .want = L1 },
		{ "I/O bitmap B unbacked (15.3)", .flags = NEPT_CTL_IO_BITMAPS,
		  .reason = 30, .qual = 0x80000010, .want = UND },
		{ "MOV to CR0 = shadow under mask (15.4)", .cr0_mask = 9,
		  .cr0_shadow = 1, .reason = 28, .qual = 0x0, .value = 0x11,
		  .want = L0 },
		{ "MOV to CR0 differs (15.4)", .cr0_mask = 9, .cr0_shadow = 1,
		  .reason = 28, .qual = 0x0, .value = 0x9, .want = L1 },
		{ "MOV to CR4, high bits dropped outside IA-32e (15.4)",
		  .cr4_mask = 1ull << 32, .reason = 28, .qual = 0x4,
		  .value = 1ull << 32, .want = L0 },
		{ "MOV to CR4, 64 bits in IA-32e (15.4)",
		  .cr4_mask = 1ull << 32, .paging = NEPT_L2_4LEVEL,
		  .reason = 28, .qual = 0x4, .value = 1ull << 32, .want = L1 },
		{ "MOV to CR3 without load exiting (15.4)", .reason = 28,
		  .qual = 0x3, .want = L0 },
		{ "MOV to CR3 with load exiting (15.4)",
		  .flags = NEPT_CTL_CR3_LOAD, .reason = 28, .qual = 0x3,
		  .want = L1 },
		{ "MOV from CR3 with store exiting (15.4)",
		  .flags = NEPT_CTL_CR3_STORE, .reason = 28, .qual = 0x13,
		  .want = L1 },
		{ "MOV to CR8 undecided (15.4)", .reason = 28, .qual = 0x8,
		  .want = UND },
		{ "CLTS, TS in mask only (15.4)", .cr0_mask = 8, .reason = 28,
		  .qual = 0x20, .want = L0 },
		{ "CLTS, TS in mask and shadow (15.4)", .cr0_mask = 8,
		  .cr0_shadow = 8, .reason = 28, .qual = 0x20, .want = L1 },
		{ "LMSW sets PE over a clear shadow (15.4)", .cr0_mask = 1,
		  .reason = 28, .qual = 0x10030, .want = L1 },
		{ "LMSW cannot clear PE (15.4)", .cr0_mask = 1, .cr0_shadow = 1,
		  .reason = 28, .qual = 0x30, .want = L0 },
		{ "descriptor tables off (15.5)", .reason = 46, .want = L0 },
		{ "descriptor tables on (15.5)", .flags = NEPT_CTL_DESC_EXITING,
		  .reason = 47, .want = L1 },
		{ "other reason undecided (15)", .reason = 31, .want = UND },
	};
	static struct nept_scenario s;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct nept_event ev;
		int got;

		memset(&s, 0, sizeof(s));
		memset(&ev, 0, sizeof(ev));
		s.l2.paging = (uint8_t)rows[i].paging;
		s.ctl.flags = rows[i].flags;
		s.ctl.exception_bitmap = rows[i].bitmap;
		s.ctl.pfec_mask = rows[i].mask;
		s.ctl.pfec_match = rows[i].match;
		s.ctl.cr0_mask = rows[i].cr0_mask;
		s.ctl.cr0_shadow = rows[i].cr0_shadow;
		s.ctl.cr4_mask = rows[i].cr4_mask;
		s.ctl.cr4_shadow = rows[i].cr4_shadow;
		if (rows[i].flags & NEPT_CTL_IO_BITMAPS) {
			/* Bitmap A backed, port 0x3f8's bit set (byte 0x7f,
			 * bit 0); bitmap B unbacked. */
			s.ctl.io_bitmap[0] = 0x20000;
			s.ctl.io_bitmap[1] = 0x21000;
			scenario_add_page(&s, 0x20000);
			scenario_set_qword(&s, 0x20078, 1ull << 56);
			scenario_add_page(&s, 0x1f000);
		}
		ev.source = NEPT_SRC_EMULATED;
		ev.exit_reason = rows[i].reason;
		ev.exit_qual = rows[i].qual;
		ev.exit_value = rows[i].value;
		ev.exit_vector = rows[i].vector;
		ev.exit_error_code = rows[i].error_code;
		got = model_exit_owner(&s, &s.mem, &ev);
		if (got == rows[i].want) {
			passes++;
			continue;
		}
		printf("FAIL exit owner: %s: got %d, want %d\n", rows[i].name,
		       got, rows[i].want);
		failures++;
	}
}

/*
 * Facts §13.3: for lists of 1..6 MSR-load entries where only entry K
 * breaks a rule, the model exits 34 with qualification K, for every rule
 * (items 1-5 and each #GP row of item 6), and with no entry breaking one
 * the guest runs.  A 0-based or wrapped index fails here.
 */
static void test_msr_load_index(void)
{
	static const struct {
		const char *rule;
		uint64_t lo, value;
	} bad[] = {
		{ "item 1: FS_BASE", 0xc0000100, 0 },
		{ "item 1: GS_BASE", 0xc0000101, 0 },
		{ "item 2: x2APIC 800H", 0x800, 0 },
		{ "item 2: x2APIC 8FFH", 0x8ff, 0 },
		{ "item 3: SMM_MONITOR_CTL", 0x9b, 0 },
		{ "item 4: BIOS_UPDT_TRIG", 0x79, 0 },
		{ "item 4: BIOS_SIGN_ID", 0x8b, 0 },
		{ "item 5: reserved bit 32", 0x1c0000081, 0 },
		{ "item 5: reserved bit 63", 0x8000000000000174, 0 },
		{ "item 6: SYSENTER_ESP", 0x175, 1ull << 60 },
		{ "item 6: SYSENTER_EIP", 0x176, 1ull << 56 },
		{ "item 6: PAT byte 2", 0x277, 0x0007040600070402 },
		{ "item 6: PAT byte 8", 0x277, 0x0807040600070406 },
		{ "item 6: EFER bit 1", 0xc0000080, 0x502 },
		{ "item 6: EFER LME off while paging", 0xc0000080, 0x400 },
		{ "item 6: LSTAR", 0xc0000082, 0x0100000000000000 },
		{ "item 6: CSTAR", 0xc0000083, 0x8000000000000000 },
		{ "item 6: FMASK bit 32", 0xc0000084, 1ull << 32 },
		{ "item 6: KERNEL_GS_BASE", 0xc0000102, 0x7f00000000000000 },
		{ "item 6: TSC_AUX bit 63", 0xc0000103, 1ull << 63 },
	};
	/* Entries that load, cycled through around the bad one. */
	static const uint64_t good[][2] = {
		{ 0x174, 0xffffffffffffffff },	    { 0xc0000081, ~0ull },
		{ 0x277, 0x0007040600070406 },	    { 0xc0000080, 0xd01 },
		{ 0xc0000102, 0xff00000000000000 }, { 0xc0000103, 0xffffffff },
	};
	static struct nept_scenario s;
	static struct model_state st;
	struct nept_outcome o;
	struct model_trace t;

	for (unsigned r = 0; r <= sizeof(bad) / sizeof(bad[0]); r++) {
		for (unsigned n = 1; n <= 6; n++) {
			for (unsigned k = 1; k <= n; k++) {
				struct nept_vmentry *en = &s.entry;
				bool none = r == sizeof(bad) / sizeof(bad[0]);

				scenario_init(&s);
				s.nevents = 1;
				s.event[0].source = NEPT_SRC_VM_ENTRY;
				en->flags = NEPT_ENF_IA32E |
					    NEPT_ENF_LOAD_EFER | NEPT_ENF_EPT;
				en->cr0 = 0x80000031, en->cr4 = 0x2020;
				en->efer = 0x500, en->link_ptr = ~0ull;
				en->msr_addr = 0x20000,
				en->msr_count = (uint8_t)n;
				for (unsigned i = 0; i < n; i++) {
					uint64_t at = 0x20000 + 16 * i;
					const uint64_t *g = good[(i + r) % 6];
					bool b = !none && i + 1 == k;

					scenario_set_qword(
						&s, at, b ? bad[r].lo : g[0]);
					scenario_set_qword(&s, at + 8,
							   b ? bad[r].value
							     : g[1]);
				}
				scenario_add_page(&s, 0x20000);
				model_state_init(&st, &s);
				model_run_event(&s, &st, &s.event[0], &o, &t);
				if (none ? o.kind == NEPT_OUT_NONE
					 : o.kind == NEPT_OUT_EXIT &&
						    o.reason == 34 &&
						    o.qual == k) {
					passes++;
					continue;
				}
				failures++;
				printf("FAIL msr-load %s, %u entries, entry "
				       "%u: "
				       "kind %u reason %u qual %llu\n",
				       none ? "all loadable" : bad[r].rule, n,
				       k, o.kind, o.reason,
				       (unsigned long long)o.qual);
				if (none)
					break;
			}
		}
	}
}

/* docs/sdm-rules.md §16: what the generator and the mutator write with
 * model_insn_encode_mov, the decoder reads back (size from opcode bit 0,
 * 66H and REX.W; store for A2/A3; every address byte), and a REX outside
 * 64-bit mode or another opcode is not decoded. */
struct insn_bytes {
	const uint8_t *p;
	unsigned n;
};

static bool insn_byte_of(void *ctx, unsigned i, uint8_t *b)
{
	const struct insn_bytes *ib = ctx;

	if (i >= ib->n)
		return false;
	*b = ib->p[i];
	return true;
}

static void test_insn_decode(void)
{
	static const uint64_t addrs[] = { 0x401123, 0x7f0000401123,
					  0xffffff8000000ff8 };

	for (unsigned m = 0; m < 2; m++)
		for (unsigned op = 0xa0; op <= 0xa3; op++)
			for (unsigned f = 0; f < 4; f++)
				for (unsigned a = 0; a < 3; a++) {
					bool o16 = f & 1, w = f & 2;
					uint64_t addr =
						m ? addrs[a]
						  : addrs[a] & 0xffffffffull;
					unsigned size = !(op & 1) ? 1
							: m && w  ? 8
							: o16	  ? 2
								  : 4;
					uint8_t buf[16];
					struct insn_bytes ib = { buf, 0 };
					struct model_insn in;
					bool ok;

					ib.n = model_insn_encode_mov(
						m, (uint8_t)op, o16, w, addr,
						buf);
					ok = model_insn_decode(m, insn_byte_of,
							       &ib, &in) ==
						     MODEL_INSN_OK &&
					     in.len == ib.n &&
					     in.size == size &&
					     in.write == (op >= 0xa2) &&
					     in.addr == addr;
					tally("insn round trip", "§16", ok);
				}
	{
		/* 48 A0 outside 64-bit mode: DEC EAX, not a prefix. */
		static const uint8_t dec[] = { 0x48, 0xa0, 0, 0, 0, 0 };
		static const uint8_t nop[] = { 0x90 };
		struct insn_bytes a = { dec, sizeof(dec) },
				  b = { nop, sizeof(nop) };
		struct model_insn in;

		tally("insn REX outside 64-bit mode", "§16",
		      model_insn_decode(false, insn_byte_of, &a, &in) ==
			      MODEL_INSN_UNMODELLED);
		tally("insn other opcode", "§16",
		      model_insn_decode(true, insn_byte_of, &b, &in) ==
			      MODEL_INSN_UNMODELLED);
		b.n = 0;
		tally("insn no byte", "§16",
		      model_insn_decode(true, insn_byte_of, &b, &in) ==
			      MODEL_INSN_NO_BYTE);
	}
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (run_case(&cases[i]))
			passes++;
		else
			failures++;
	}
	test_eptp();
	test_ad_sequence();
	test_l2();
	test_exit_owner();
	test_msr_load_index();
	test_insn_decode();
	printf("%u passed, %u failed\n", passes, failures);
	return failures ? 1 : 0;
}
