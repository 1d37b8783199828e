// SPDX-License-Identifier: GPL-2.0-only
/*
 * Table-driven tests of the SDM model: at least one case per rule and per
 * exit-qualification bit, each citing the facts-sheet section it checks
 * (shared/spec/ept-facts.md).  The expected values are worked out from the
 * sheet by hand, never by running the model.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "model.h"

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
	  .gpa = (1ull << 48) | GPA, .e = { RWX, RWX, RWX, RWX, LEAF },
	  .kind = NONE, .translated = PAGE | 0x123 },
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
	{ "emulated-not-from-hardware", "architecture note", .e = { 0 },
	  .source = NEPT_SRC_EMULATED, .kind = EXIT, .reason = 48,
	  .qual = R | GV | GT, .tols = TV },
	{ "misconfig-source-not-from-hardware", "architecture note", .e = { 0 },
	  .source = NEPT_SRC_HW_MISCONFIG, .kind = EXIT, .reason = 48,
	  .qual = R | GV | GT, .tols = TV },
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
	s->event[0].flags = c->flags;
	s->event[0].gpa = gpa;
	s->event[0].gla = 0x7fff00005123ull;
	scenario_normalize(s);
}

static bool run_case(const struct mcase *c)
{
	static struct nept_scenario s;
	struct nept_error err;
	struct nept_outcome o;
	struct nept_mem mem;
	uint64_t def;

	build(c, &s);
	CHECK(scenario_check(&s, &err), "scenario illegal: %s", err.msg);
	mem = s.mem;
	model_run_event(&s, &mem, &s.event[0], &o, NULL);
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
		const char *why = model_eptp_invalid(t[i].caps, 46, t[i].eptp);

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
	struct nept_outcome o;
	struct nept_mem mem;
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
	mem = s.mem;
	model_run_event(&s, &mem, &s.event[0], &o, NULL);
	ok &= o.kind == NONE && o.n_ad_writes == 4 && !o.tolerances;
	ok &= nept_mem_read(&mem, pte, &v) && v == (LEAF | EPTE_A | EPTE_D);
	ok &= nept_mem_read(&mem, 0x1000, &v) && v == (0x2000 | RWX | EPTE_A);
	for (unsigned i = 0; i < o.n_ad_writes; i++)
		ok &= !o.ad_write[i].optional;
	model_run_event(&s, &mem, &s.event[1], &o, NULL);
	ok &= o.kind == NONE && o.n_ad_writes == 0;
	if (!ok) {
		printf("FAIL ad-sequence (§5.3)\n");
		failures++;
	} else {
		passes++;
	}
	/* A read never sets D. */
	s.eptp |= EPTP_AD;
	mem = s.mem;
	model_run_event(&s, &mem, &s.event[1], &o, NULL);
	if (!(nept_mem_read(&mem, pte, &v) && v == (LEAF | EPTE_A))) {
		printf("FAIL ad-read-no-dirty (§5.3): pte 0x%" PRIx64 "\n", v);
		failures++;
	} else {
		passes++;
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
	printf("%u passed, %u failed\n", passes, failures);
	return failures ? 1 : 0;
}
