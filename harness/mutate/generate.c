// SPDX-License-Identifier: GPL-2.0-only
/*
 * Random legal scenarios, reproducible from a seed (`neptfuzz gen`).  The
 * generator writes binary records, mostly PATH records so walks reach every
 * level, and lets the decoder apply the legality rules: what it returns is
 * exactly what a fuzzer could have produced.
 */
#include <string.h>

#include "generate.h"
#include "entry_draws.h"
#include "insn.h"

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

static size_t zeros(uint8_t *buf, size_t len, unsigned bytes)
{
	memset(buf + len, 0, bytes);
	return len + bytes;
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

/* A guest (L2) paging entry template: present, mostly sane. */
static uint64_t l2_entry(uint64_t *st)
{
	static const uint64_t common[] = { 0x67, 0x27, 0x07, 0x03, 0x01, 0x05,
					   0x63, 0x23, 0xe7, 0xa7, 0x00, 0x06 };
	uint64_t v = common[below(st, sizeof(common) / sizeof(common[0]))];

	if (below(st, 6) == 0)
		v |= 1ull << 63; /* XD */
	if (below(st, 10) == 0)
		v |= 1ull << below(st, 64); /* maybe a reserved bit */
	if (below(st, 12) == 0)
		v = next(st);
	return v;
}

/*
 * The current exit of an emulated event and its qualification (SDM
 * 27.2.1 layouts): what leaves state behind for a later synthesized fault
 * to read (architecture note, "Events, in order").
 */
static void current_exit(uint64_t *st, uint16_t *reason, uint64_t *qual,
			 uint64_t gla)
{
	/* Mostly exits L0 handles when L1's controls do not ask for them
	 * (I/O, CR access, descriptor tables, L0's own EPT: facts §15), so
	 * the access is emulated; exceptions and task switches, which L1
	 * gets (or the model does not decide), less often: every case once,
	 * I/O twice more, CR access, descriptor tables and EPT once more. */
	static const uint8_t cases[] = { 0, 1, 2, 3, 4, 5, 6,
					 7, 8, 0, 3, 5, 7, 0 };

	unsigned pick = cases[below(st, sizeof(cases))];

	switch (pick) {
	case 0: /* OUT/IN, maybe string (bit 4), port in 31:16 */
		*reason = NEPT_EXIT_IO_INSTRUCTION;
		*qual = (next(st) & 0xffff0000ull) | (below(st, 2) << 4) |
			(below(st, 2) << 3) | below(st, 4);
		break;
	case 1: /* MMIO: an EPT misconfiguration in L0's tables */
		*reason = NEPT_EXIT_EPT_MISCONFIG;
		*qual = 0;
		break;
	case 2: /* an exception: #PF's qualification is the address
		 * (the vector comes with the EXIT_INFO record) */
		*reason = NEPT_EXIT_EXCEPTION_NMI;
		*qual = gla;
		break;
	case 3: /* CR access: MOV to CR0/3/4, or LMSW with a memory operand */
		*reason = NEPT_EXIT_CR_ACCESS;
		*qual = below(st, 2) ? (3u << 4) | (1u << 6) |
					       (next(st) & 0xffff0000ull)
				     : below(st, 5) | (below(st, 16) << 8);
		break;
	case 4: /* task switch: selector and source */
		*reason = NEPT_EXIT_TASK_SWITCH;
		*qual = (next(st) & 0xffff) | (below(st, 4) << 30);
		break;
	case 5: /* LGDT...SIDT, LLDT...STR: the instruction's displacement,
		 * sign-extended to 64 bits (SDM 27.2.1), 8 or 32 bits */
	case 6:
		*reason = (uint16_t)(pick == 5 ? NEPT_EXIT_GDTR_IDTR
					       : NEPT_EXIT_LDTR_TR);
		*qual = below(st, 2) ? (uint64_t)(int64_t)(int8_t)next(st)
				     : (uint64_t)(int64_t)(int32_t)next(st);
		break;
	case 7: /* an EPT violation itself, handled by L0 */
		*reason = NEPT_EXIT_EPT_VIOLATION;
		*qual = 0x181 | (below(st, 8) << 3) | (below(st, 2) << 1);
		break;
	default:
		*reason = (uint16_t)below(st, 70);
		*qual = next(st) & 0xffff;
		break;
	}
}

/*
 * A vm-entry event with its VM_ENTRY and MSR_LOAD records (facts §13),
 * appended to buf at len: a valid guest of one of three kinds (64-bit,
 * 32-bit PAE, unrestricted real mode), then at times one field broken the
 * way a check of §13.2 looks at it, and an MSR-load list of the closed
 * set of §13.3 whose entries are mostly loadable.
 */
static size_t gen_vm_entry(uint64_t *st, uint8_t *buf, size_t len)
{
	/* Bits the §13.2 checks look at: CR0 PE NE PG bit 32, CR4 PAE VMXE
	 * PCIDE CET, EFER SCE bit 1 LME LMA. */
	static const uint64_t cr0_bits[] = { 1, 0x20, 1ull << 31, 1ull << 32 };
	static const uint64_t cr4_bits[] = { 0x20, 0x2000, 1u << 17, 1u << 23 };
	static const uint64_t efer_bits[] = { 1, 2, 0x100, 0x400 };
	unsigned k = below(st, sizeof(nept_entry_guests) /
				       sizeof(nept_entry_guests[0])),
		 n = below(st, 4);
	uint16_t flags = nept_entry_guests[k].flags;
	uint64_t cr0 = nept_entry_guests[k].cr0, cr4 = nept_entry_guests[k].cr4;
	uint64_t efer = nept_entry_guests[k].efer;
	uint64_t link = ~0ull, pat = 0, msr_addr = n ? 0x20000 : 0;
	uint64_t cr3 = 0x10000;
	/* One field broken, or (a third of the time) two: some rules only
	 * show with two together (a PAE guest's PDPT at CR3[31:5] is read
	 * from memory only with EPT off). */
	unsigned breaks = below(st, 3) ? 1 : 2;

	while (breaks--)
		switch (below(st, 9)) {
		case 0:
			cr0 ^= cr0_bits[below(st, 4)];
			break;
		case 1:
			cr4 ^= cr4_bits[below(st, 4)];
			break;
		case 2:
			if (flags & NEPT_ENF_LOAD_EFER)
				efer ^= efer_bits[below(st, 4)];
			break;
		case 3:
			/* A link pointer at a page holding the revision (or
			 * not). */
			if (link != ~0ull)
				break;
			link = 0x21000;
			buf[len++] = 0x05; /* QWORD */
			len = put(buf, len, link, 8);
			len = put(buf, len,
				  below(st, 2) ? 0x11e57ed0 : 0x91e57ed0, 8);
			break;
		case 4:
			flags |= NEPT_ENF_LOAD_PAT;
			pat = below(st, 2) ? 0x0007040600070406ull
					   : 0x0007040602070406ull;
			break;
		case 5:
			flags |= NEPT_ENF_X2APIC;
			break;
		case 6:
			/* EPT off: unrestricted guest, PML or MBEC then fail
			 * the controls checks; a PAE guest's PDPTEs come from
			 * memory. */
			flags &= (uint16_t)~NEPT_ENF_EPT;
			break;
		case 7:
			if (n)
				msr_addr += 8; /* not 16-aligned */
			break;
		case 8:
			/* CR3 with a bit above 31: legal below MAXPHYADDR (bit
			 * 32), code 0 beyond it (bit 52).  A PAE guest's PDPT
			 * is still at bits 31:5, read from memory with EPT off
			 * only (facts §13.2): half the time turn EPT off so
			 * that the rule is the one tested. */
			cr3 |= below(st, 2) ? 1ull << 32 : 1ull << 52;
			if (k == 1 && below(st, 2))
				flags &= (uint16_t)~NEPT_ENF_EPT;
			break;
		}
	if (k == 1 && !(flags & NEPT_ENF_EPT)) {
		/* Without EPT the entry reads the PAE guest's PDPTEs from
		 * its PDPT at CR3[31:5] (facts §13.2): back it, with the
		 * PDPTE the field below holds for the EPT case, or the
		 * read is unbacked and nothing is compared. */
		buf[len++] = 0x05; /* QWORD */
		len = put(buf, len, nept_pae_pdpt_base(cr3), 8);
		len = put(buf, len, 0x30001, 8);
	}
	buf[len++] = 0x12; /* VM_ENTRY */
	len = put(buf, len, flags, 2);
	len = zeros(buf, len, 2); /* count (MSR_LOAD adds), reserved */
	len = put(buf, len, below(st, 8) ? 0 : below(st, 5), 4);
	len = put(buf, len, cr0, 8);
	len = put(buf, len, cr3, 8);
	len = put(buf, len, cr4, 8);
	len = put(buf, len, efer, 8);
	len = put(buf, len, pat, 8);
	len = zeros(buf, len, 8 * 2); /* DEBUGCTL, DR7 */
	len = put(buf, len, link, 8);
	len = put(buf, len, k == 1 ? 0x30001 : 0, 8); /* PDPTE 0 */
	len = zeros(buf, len, 8 * 3);
	len = put(buf, len, msr_addr, 8);
	for (unsigned i = 0; i < n; i++) {
		buf[len++] = 0x13; /* MSR_LOAD */
		len = put(buf, len,
			  nept_entry_msrs[below(
				  st, below(st, 4) ? NEPT_ENTRY_MSRS_LOADABLE
						   : NEPT_ENTRY_MSRS)],
			  8);
		len = put(
			buf, len,
			nept_entry_msr_values[below(st, NEPT_ENTRY_MSR_VALUES)],
			8);
	}
	buf[len++] = 0x06; /* EVENT: source vm-entry, nothing else */
	buf[len++] = NEPT_SRC_VM_ENTRY;
	len = zeros(buf, len, 2 + 2 + 8 * 4);
	return len;
}

/*
 * L2's instruction for a hw-violation (INSN, docs/sdm-rules.md §16): a
 * RIP mapped by a full L2PATH to a code page (event i's own, mapped one
 * to one in EPT12 mostly), and there, mostly, MOV AL/EAX/RAX to or from
 * the event's linear address, the access the processor was making; else
 * another address, or any bytes (the emulator decodes what it finds).
 */
static size_t gen_insn(uint64_t *st, uint8_t *buf, size_t len, unsigned paging,
		       unsigned levels, unsigned i, uint64_t gla, uint8_t acc)
{
	static const uint64_t leaf[] = { 0x25, 0x27, 0x05, 0x01, 0x67 };
	bool mode64 = paging >= 3;
	uint64_t rip = next(st) & (mode64 ? 0x7fffffffffffull : 0xffffffffull);
	uint64_t code = 0x400000 + ((uint64_t)i << 12), addr = gla;
	uint8_t insn[16] = { 0 };
	unsigned n = 0, at;

	if (below(st, 8))
		rip &= ~7ull; /* else anywhere: maybe across the page end */
	buf[len++] = 0x15;    /* INSN */
	len = put(buf, len, rip, 8);
	buf[len++] = 0x0e; /* L2PATH for rip */
	len = put(buf, len, rip, 8);
	buf[len++] = (uint8_t)levels;
	len = put(buf, len, below(st, 8) ? 7 : entry(st), 8);
	for (unsigned k = 0; k + 1 < levels; k++)
		/* (A PAE PDPTE register has P alone: bits 1, 2, 5, 6 are
		 * reserved there, facts §8.2.) */
		len = put(buf, len,
			  !below(st, 8)	      ? l2_entry(st)
			  : paging == 2 && !k ? 0x01
					      : 0x27,
			  8);
	len = put(buf, len,
		  code | (below(st, 8) ? leaf[below(st, 5)] : l2_entry(st)), 8);
	if (below(st, 4) == 0)
		addr = next(st) & (mode64 ? 0x7fffffffffffull : 0xffffffffull);
	if (below(st, 16) == 0) {
		for (n = 0; n < 15; n++)
			insn[n] = (uint8_t)next(st);
	} else {
		uint8_t op = (uint8_t)((acc == NEPT_ACC_WRITE ? 0xa2 : 0xa0) |
				       below(st, 2));
		bool o16 = below(st, 4) == 0, w = below(st, 3) == 0;

		n = model_insn_encode_mov(mode64, op, o16, w, addr, insn);
	}
	/* The bytes, qword by qword, on the code page (those past its end
	 * would be on rip's next page, which nothing maps). */
	at = (unsigned)(rip & 0xfff);
	for (unsigned q = at & ~7u; q < at + n && q < 0x1000; q += 8) {
		uint64_t v = 0;

		for (unsigned b = 0; b < 8; b++)
			if (q + b >= at && q + b < at + n)
				v |= (uint64_t)insn[q + b - at] << (8 * b);
		buf[len++] = 0x05; /* QWORD */
		len = put(buf, len, code + q, 8);
		len = put(buf, len, v, 8);
	}
	return len;
}

bool scenario_generate(uint64_t *st, struct nept_scenario *s)
{
	uint8_t buf[4096];
	size_t len = 0;
	unsigned nev = 1 + below(st, 4);
	size_t events_at; /* where the EVENT records start in buf */
	uint64_t gpa[4];
	uint8_t maxphy, allow_smaller = 0;
	bool walk5 = below(st, 4) == 0;
	/* L2 paging in half the scenarios (facts §8): off, 32-bit, PAE,
	 * 4-level, 5-level. */
	unsigned paging = below(st, 2) ? 0 : 1 + below(st, 4);
	static const uint8_t l2_levels[] = { 0, 2, 3, 4, 5 };

	/* EPTP memory type UC in one in eight (cap bit 8: no KVM offers it
	 * to L1, so only the model runs those), EPT A/D in half and in most
	 * PML scenarios, which log only with A/D (facts §1, §7.2).  Adv-info
	 * and MBEC are offered by newer trees only: kept to a fifth each. */
	bool uc = below(st, 8) == 0, pml = below(st, 4) == 0;
	bool ad = pml ? below(st, 8) != 0 : below(st, 2) != 0;
	uint32_t caps = NEPT_CAPS_DEFAULT | (walk5 ? NEPT_CAP_WALK5 : 0) |
			(uc ? NEPT_CAP_UC : 0) |
			(below(st, 5) == 0 ? NEPT_CAP_ADV_INFO : 0) |
			(below(st, 5) == 0 ? NEPT_CAP_MBEC : 0);

	buf[len++] = 0x01; /* CAPS */
	len = put(buf, len,
		  caps & ~(below(st, 4) == 0 ? 1u << below(st, 7) : 0), 4);
	buf[len++] = 0x02; /* MAXPHYADDR */
	buf[len++] = maxphy = (uint8_t)(below(st, 2) ? 46 : 36 + below(st, 17));
	if (below(st, paging ? 3 : 6) == 0) {
		/* HOST: a processor wider than L1 (facts §14), with KVM's
		 * allow_smaller_maxphyaddr in half; more often with L2
		 * paging, whose entries then may hold bits between the two
		 * widths. */
		buf[len++] = 0x14;
		buf[len++] = (uint8_t)(maxphy + below(st, 52u - maxphy + 1));
		buf[len++] = allow_smaller = (uint8_t)below(st, 2);
	}
	buf[len++] = 0x03; /* EPTP: root 0x1000, walk 4 or 5 */
	len = put(buf, len,
		  0x1000 | (uc ? 0u : 6u) | (walk5 ? 4u << 3 : 3u << 3) |
			  (ad ? 1u << 6 : 0),
		  8);
	if (paging) {
		buf[len++] = 0x09; /* L2: paging, cpl, flags, pkru, cr3 */
		buf[len++] = (uint8_t)paging;
		buf[len++] = (uint8_t)(below(st, 2) ? 0 : 3);
		len = put(buf, len, next(st) & NEPT_L2F_ALL, 2);
		len = put(buf, len, 0, 4);
		len = put(buf, len, paging == 2 ? 0 : 0x200000, 8);
	}
	if (pml || below(st, 2)) {
		static const uint32_t bitmaps[] = { 0, 1u << 14, 1u << 8,
						    (1u << 14) | (1u << 8),
						    0xffffffff };
		uint16_t ctl = (uint16_t)(below(st, 8) & ~NEPT_CTL_PML);
		/* Which exits are L1's (facts §15): sometimes I/O exiting,
		 * I/O bitmaps, descriptor-table and CR3 exiting, and CR0/CR4
		 * masks, so that L1 gets some exits and L0 others. */
		bool exits = below(st, 3) == 0;

		if (exits)
			ctl |= (uint16_t)(below(st, 32) << 3);

		if (ctl & NEPT_CTL_VIRTUAL_NMIS)
			ctl |= NEPT_CTL_NMI_EXITING;
		buf[len++] = 0x0b; /* CONTROLS */
		len = put(buf, len, bitmaps[below(st, 5)], 4);
		len = put(buf, len, below(st, 2) ? 0 : next(st) & 0x1f, 4);
		len = put(buf, len, below(st, 2) ? 0 : next(st) & 0x1f, 4);
		if (pml)
			ctl |= NEPT_CTL_PML;
		len = put(buf, len, ctl, 2);
		/* The index: mostly room to log, sometimes full or the last
		 * entry (facts §7.2). */
		len = put(buf, len,
			  !pml		      ? 0
			  : below(st, 4) == 0 ? (below(st, 2) ? 0xffff : 0)
					      : below(st, 512),
			  2);
		len = put(buf, len, pml ? 0x300000 : 0, 8);
		if (exits) {
			static const uint64_t masks[] = { 0, 1, 8, 0x80000001,
							  0xffffffff };

			buf[len++] = 0x10; /* EXIT_CONTROLS */
			len = put(buf, len,
				  ctl & NEPT_CTL_IO_BITMAPS ? 0x310000 : 0, 8);
			len = put(buf, len,
				  ctl & NEPT_CTL_IO_BITMAPS ? 0x311000 : 0, 8);
			len = put(buf, len, masks[below(st, 5)], 8);
			len = put(buf, len, next(st) & 0x8000003f, 8);
			len = put(buf, len, masks[below(st, 5)], 8);
			len = put(buf, len, next(st) & 0x3fffff, 8);
			buf[len++] = 0; /* no CR3-target values (facts §15.4) */
			for (unsigned k = 0; k < 4; k++)
				len = put(buf, len, 0, 8);
			if (ctl & NEPT_CTL_IO_BITMAPS) {
				/* Bitmap A backed with a random qword at a
				 * random place, mostly; B mostly unbacked. */
				buf[len++] = 0x05; /* QWORD */
				len = put(buf, len,
					  0x310000 + (below(st, 512) << 3), 8);
				len = put(buf, len,
					  below(st, 2) ? next(st) : ~0ull, 8);
				if (below(st, 4) == 0) {
					buf[len++] = 0x04; /* PAGE */
					len = put(buf, len, 0x311000, 8);
				}
			}
		}
		if (pml && below(st, 8)) {
			/* L1 backs the log page, mostly: where it does not,
			 * the SDM has nothing to say (l2-table-unbacked). */
			buf[len++] = 0x04; /* PAGE */
			len = put(buf, len, 0x300000, 8);
		}
	}
	for (unsigned i = 0; i < nev; i++) {
		gpa[i] = (next(st) &
			  (walk5 ? 0xfffffffffffffull : 0xffffffffffffull)) &
			 ~(below(st, 2) ? 0xfffffff000ull : 0);
		/* With allow_smaller_maxphyaddr KVM gives a hw-violation
		 * beyond L1's width to its emulator, which is not compiled
		 * (unsupported): mostly within it, then. */
		if (allow_smaller && below(st, 4))
			gpa[i] &= (1ull << maxphy) - 1;
		if (paging) {
			/* A linear address the mode can hold, and L2's
			 * tables for it, mapped one to one in EPT12. */
			uint64_t gla =
				next(st) & (paging <= 2 ? 0xffffffffull
							: 0x7fffffffffffull);
			unsigned n = 1 + below(st, l2_levels[paging]);

			if (below(st, 3))
				n = l2_levels[paging];
			gpa[i] = gla;
			buf[len++] = 0x0e; /* L2PATH */
			len = put(buf, len, gla, 8);
			buf[len++] = (uint8_t)n;
			len = put(buf, len, below(st, 8) ? 7 : entry(st), 8);
			for (unsigned k = 0; k < n; k++)
				len = put(buf, len, l2_entry(st), 8);
			continue;
		}
		buf[len++] = 0x08; /* PATH */
		len = put(buf, len, gpa[i], 8);
		{
			unsigned levels = walk5 ? 5 : 4;
			unsigned n =
				below(st, 3) ? levels : 1 + below(st, levels);
			uint64_t t = 0;

			buf[len++] = (uint8_t)n;
			for (unsigned k = 0; k < n; k++) {
				t = entry(st);
				len = put(buf, len, t, 8);
			}
			/* A path that ends above the leaf: back the page its
			 * last entry names, so the walk reads zeros (not
			 * present) there rather than memory the scenario does
			 * not have (ept-table-unbacked), mostly. */
			if (n < levels && below(st, 8)) {
				buf[len++] = 0x04; /* PAGE */
				len = put(buf, len, t & 0xffffffffff000ull, 8);
			}
		}
	}
	events_at = len;
	for (unsigned i = 0; i < nev; i++) {
		static const uint8_t flags[] = { 0,    0,    0,	   0x04, 0x0c,
						 0x1c, 0x40, 0x01, 0x03, 0x21 };
		uint8_t f = flags[below(st, sizeof(flags))];
		uint8_t acc = (f & 0x02)   ? 1
			      : (f & 0x01) ? 0
					   : (uint8_t)below(st, 3);
		uint8_t src = (uint8_t)below(st, NEPT_SRC_ACCESS_COUNT);
		uint16_t reason = 0;
		uint64_t qual = 0;
		uint8_t vec;
		bool walks = paging && src != NEPT_SRC_HW_VIOLATION;
		bool insn_now;

		if (walks) {
			acc = (uint8_t)below(st, 3);
			f = below(st, 4) || acc == NEPT_ACC_FETCH
				    ? 0
				    : NEPT_AF_IMPLICIT;
		}
		if (src == NEPT_SRC_EMULATED)
			current_exit(st, &reason, &qual, gpa[i]);
		/* Keep the MOV-to-CR qualifications to CR0, CR3 and CR4,
		 * whose exits the model decides (facts §15.4). */
		if (reason == NEPT_EXIT_CR_ACCESS && !((qual >> 4) & 3) &&
		    (qual & 15) != 0 && (qual & 15) != 3)
			qual = (qual & ~15ull) | 4;
		/* An exception exit's vector (EXIT_INFO below): only #PF
		 * (and #DB) save a qualification, and a triple fault or an
		 * EPT misconfiguration none (SDM 27.2.1). */
		{
			static const uint8_t vectors[] = { 14, 13, 6, 0, 17 };

			vec = vectors[below(st, 5)];
		}
		if (!nept_exit_saves_qual(reason, 1u + vec))
			qual = 0;
		/* L2's instruction (INSN, after its EVENT): mostly, where
		 * the processor is wider than L1 and KVM emulates beyond
		 * L1's width (facts §14). */
		insn_now = src == NEPT_SRC_HW_VIOLATION && paging &&
			   below(st, allow_smaller ? 8 : 2) != 0;
		buf[len++] = 0x06; /* EVENT */
		buf[len++] = src;
		buf[len++] = acc;
		buf[len++] = f;
		len = put(buf, len, reason, 2);
		len = put(buf, len, walks ? 0 : gpa[i], 8);
		len = put(buf, len, gpa[i], 8);
		/* Hardware's bits 3-6: canonicalization keeps those EPT12
		 * grants (L0's shadow never grants more). */
		len = put(buf, len, src == NEPT_SRC_HW_VIOLATION ? 0x78 : 0, 8);
		len = put(buf, len, qual, 8);
		/* During delivery: mostly where KVM redoes the delivery (an
		 * EPT violation, an intercepted exception); rarely where it
		 * gives up with an internal error (an MMIO exit, page-fault
		 * emulation on 7.2: kvm/STANDINS.md). */
		if (below(st, 6) == 0 &&
		    (src == NEPT_SRC_HW_VIOLATION ||
		     (src == NEPT_SRC_EMULATED &&
		      reason == NEPT_EXIT_EXCEPTION_NMI) ||
		     (below(st, 8) == 0 &&
		      (src == NEPT_SRC_HW_MISCONFIG ||
		       reason == NEPT_EXIT_EPT_VIOLATION ||
		       reason == NEPT_EXIT_EPT_MISCONFIG)))) {
			static const uint8_t vectors[] = { 14, 8, 13, 1, 20, 0 };

			buf[len++] = 0x0c; /* DURING */
			buf[len++] = (uint8_t)(1 + vectors[below(st, 6)]);
		}
		if (src == NEPT_SRC_EMULATED &&
		    (reason == NEPT_EXIT_EXCEPTION_NMI ||
		     (reason == NEPT_EXIT_CR_ACCESS && !((qual >> 4) & 3)))) {
			/* The exception's vector and error code, or the
			 * MOV-to-CR source operand (facts §15.2, §15.4). */
			bool err = nept_vector_has_error_code(vec);

			buf[len++] = 0x0f; /* EXIT_INFO */
			buf[len++] = reason == NEPT_EXIT_EXCEPTION_NMI
					     ? (uint8_t)(1 + vec)
					     : 0;
			len = put(buf, len,
				  reason == NEPT_EXIT_EXCEPTION_NMI && err
					  ? next(st) & 0x1f
					  : 0,
				  4);
			len = put(buf, len,
				  reason == NEPT_EXIT_CR_ACCESS ? next(st) : 0,
				  8);
		}
		if (insn_now)
			len = gen_insn(st, buf, len, paging, l2_levels[paging],
				       i, gpa[i], acc);
	}
	/* A VM entry in one scenario in sixteen (facts §13): L1's VMRESUME
	 * after the accesses, or, half the time, its VMLAUNCH at the start
	 * (the accesses dropped), which every module compares. */
	if (below(st, 16) == 0) {
		if (below(st, 2) == 0)
			len = events_at;
		len = gen_vm_entry(st, buf, len);
	}
	return scenario_decode_bin(buf, len, s);
}
