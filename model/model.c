// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SDM reference model of one access through EPT12.  Every rule cites
 * the section of docs/sdm-rules.md it follows ("facts §N").  Where the
 * SDM allows several answers the model names a tolerance (impl.h) instead of
 * picking one.
 */
#include "model.h"
#include "insn.h"

#include <stdio.h>
#include <string.h>

#define PERM_R 1u
#define PERM_W 2u
#define PERM_X 4u  /* bit 2: X, or supervisor-execute under MBEC */
#define PERM_XU 8u /* bit 10 under MBEC */

static const char *const qual_bit_names[] = {
	[0] = "READ",
	[1] = "WRITE",
	[2] = "FETCH",
	[3] = "READABLE",
	[4] = "WRITABLE",
	[5] = "EXECUTABLE",
	[6] = "USER_EXECUTABLE",
	[7] = "GLA_VALID",
	[8] = "GLA_TRANSLATED",
	[9] = "GLA_USER",
	[10] = "GLA_WRITABLE",
	[11] = "GLA_EXECUTE_DISABLE",
	[12] = "NMI_UNBLOCKING",
	[13] = "SHADOW_STACK",
	[14] = "SUPERVISOR_SHADOW_STACK",
	[15] = "GUEST_PAGING_VERIFY",
	[16] = "ASYNCHRONOUS",
};

const char *nept_qual_bit_name(unsigned bit)
{
	if (bit < sizeof(qual_bit_names) / sizeof(qual_bit_names[0]))
		return qual_bit_names[bit];
	return NULL;
}

const char *model_level_name(unsigned level)
{
	static const char *const names[] = { "?",     "PTE",   "PDE",
					     "PDPTE", "PML4E", "PML5E" };
	return level <= 5 ? names[level] : "?";
}

static bool is_present(uint32_t caps, uint64_t e)
{
	/* Facts §3.2: with MBEC, XU alone makes an entry present. */
	return (e & EPTE_RWX) || ((caps & NEPT_CAP_MBEC) && (e & EPTE_XU));
}

static bool is_leaf(unsigned level, uint64_t e)
{
	/* Facts §3.3: bit 7 is "page size" in PDPTE and PDE, ignored in PTE,
	 * reserved above (caught as a misconfiguration first). */
	return level == 1 || ((level == 2 || level == 3) && (e & EPTE_PS));
}

/* Facts §4, items 1-4, for a present entry. */
const char *model_misconfig_rule(uint32_t caps, unsigned maxphyaddr,
				 unsigned level, uint64_t e)
{
	unsigned rwx = e & EPTE_RWX, mt = (e >> EPTE_MT_SHIFT) & 7;

	if ((rwx & 2) && !(rwx & 1))
		return "W without R (facts §4 item 1)";
	if (!(caps & NEPT_CAP_EXEC_ONLY)) {
		if (rwx == 4)
			return "execute-only without cap bit 0 (facts §4 item "
			       "2)";
		if ((caps & NEPT_CAP_MBEC) && rwx == 0 && (e & EPTE_XU))
			return "user-execute-only without cap bit 0 (facts §4 "
			       "item 2)";
	}
	if (maxphyaddr < 52 && (e & nept_bits(51, maxphyaddr)))
		return "reserved bits 51:MAXPHYADDR (facts §4 item 3)";
	switch (level) {
	case 5:
	case 4:
		if (e & nept_bits(7, 3))
			return "reserved bits 7:3 in PML5E/PML4E (facts §4 "
			       "item 3)";
		break;
	case 3:
	case 2:
		if (!(e & EPTE_PS)) {
			if (e & nept_bits(6, 3))
				return "reserved bits 6:3 in a non-leaf entry "
				       "(facts §4 item 3)";
			break;
		}
		if (level == 3 && !(caps & NEPT_CAP_PAGE_1G))
			return "1-GiB page without cap bit 17 (facts §4 item "
			       "3)";
		if (level == 2 && !(caps & NEPT_CAP_PAGE_2M))
			return "2-MiB page without cap bit 16 (facts §4 item "
			       "3)";
		if (e & nept_bits(level == 3 ? 29 : 20, 12))
			return "reserved alignment bits of a large page (facts "
			       "§4 item 3)";
		break;
	}
	if (is_leaf(level, e) && (mt == 2 || mt == 3 || mt == 7))
		return "leaf memory type 2, 3 or 7 (facts §4 item 4)";
	return NULL;
}

static unsigned entry_perms(uint64_t e)
{
	return (unsigned)(e & EPTE_RWX) | ((e & EPTE_XU) ? PERM_XU : 0);
}

/*
 * What an access needs (facts §5.2) and what it reports in qualification
 * bits 0-2 (facts §6.2), by the SDM; then the hooks, if any (a KVM
 * deviation's prediction, deviations/), may change both.
 */
static void access_needs(const struct nept_scenario *s, struct model_access *a)
{
	bool ad = s->eptp & (1ull << 6);

	if (a->flags & NEPT_AF_PAGING) {
		if (a->flags & NEPT_AF_SETS_AD) {
			/* A guest A/D write: W, reported as read + write. */
			a->need = PERM_W;
			a->acc_bits = QUAL_READ | QUAL_WRITE;
		} else if (ad && !(a->flags & NEPT_AF_NO_GLA)) {
			/* EPTP bit 6: guest paging reads count as writes. */
			a->need = PERM_W;
			a->acc_bits = QUAL_READ | QUAL_WRITE;
		} else {
			/* A walk read, or a PDPTE load (R even with A/D). */
			a->need = PERM_R;
			a->acc_bits = QUAL_READ;
		}
		return;
	}
	switch (a->access) {
	case NEPT_ACC_READ:
		a->need = PERM_R;
		a->acc_bits = QUAL_READ;
		break;
	case NEPT_ACC_WRITE:
		a->need = PERM_W;
		a->acc_bits = QUAL_WRITE;
		break;
	default:
		/* MBEC: the U/S of the linear address picks XU or XS. */
		if ((s->caps & NEPT_CAP_MBEC) && (a->flags & NEPT_AF_USER))
			a->need = PERM_XU;
		else
			a->need = PERM_X;
		a->acc_bits = QUAL_FETCH;
		break;
	}
}

static struct model_access make_access(const struct nept_scenario *s,
				       const struct model_state *st,
				       const struct nept_event *ev,
				       unsigned kind, uint64_t gpa,
				       unsigned access, unsigned flags)
{
	struct model_access a = { .gpa = gpa,
				  .kind = (uint8_t)kind,
				  .access = (uint8_t)access,
				  .flags = (uint8_t)flags };

	access_needs(s, &a);
	if (st && st->hooks && st->hooks->access)
		st->hooks->access(st->hooks->ctx, s, ev, &a);
	return a;
}

uint64_t model_access_bits(const struct nept_scenario *s,
			   const struct nept_event *ev)
{
	struct model_access a = { .gpa = ev->gpa,
				  .access = ev->access,
				  .flags = ev->flags };

	access_needs(s, &a);
	return a.acc_bits;
}

/* Facts §6.4: what the guest paging rights of the linear address report. */
static uint64_t linear_bits(unsigned flags)
{
	return ((flags & NEPT_AF_USER) ? QUAL_LIN_USER : 0) |
	       ((flags & NEPT_AF_WRITABLE) ? QUAL_LIN_RW : 0) |
	       ((flags & NEPT_AF_XD) ? QUAL_LIN_XD : 0);
}

uint64_t model_linear_bits(const struct nept_event *ev)
{
	return linear_bits(ev->flags);
}

/* Facts §5.3: does a successful translation set the leaf's dirty flag? */
static bool access_dirties(const struct model_access *a)
{
	if (a->flags & NEPT_AF_NO_GLA)
		return false; /* PDPTE loads never set D */
	if (a->flags & NEPT_AF_PAGING)
		return true; /* a write in A/D mode, or an A/D flag write */
	return a->access == NEPT_ACC_WRITE;
}

static void add_ad_write(struct nept_outcome *out, uint64_t gpa, uint64_t old,
			 uint64_t val, bool optional)
{
	struct nept_ad_write *w;

	if (old == val)
		return;
	/* A table may alias itself: one qword read at two levels is one
	 * location, written once with both flags. */
	for (unsigned i = 0; i < out->n_ad_writes; i++) {
		if (out->ad_write[i].gpa == gpa) {
			struct nept_ad_write *e = &out->ad_write[i];

			/* Bits only an optional write sets stay optional in
			 * a required one. */
			if (e->optional && !optional)
				e->may_bits |= e->val & ~val & ~e->old;
			else if (!e->optional && optional)
				e->may_bits |= val & ~e->val;
			e->val |= val;
			e->optional &= optional;
			return;
		}
	}
	if (out->n_ad_writes >= NEPT_MAX_AD_WRITES) {
		out->writes_lost = 1;
		return;
	}
	w = &out->ad_write[out->n_ad_writes++];
	*w = (struct nept_ad_write){
		.gpa = gpa, .old = old, .val = val, .optional = optional
	};
}

/* A write that replaces its qword (a PML log entry), where add_ad_write
 * only sets flags: the qword ends with val whatever was written before. */
static void replace_write(struct nept_outcome *out, uint64_t gpa, uint64_t old,
			  uint64_t val)
{
	for (unsigned i = 0; i < out->n_ad_writes; i++) {
		if (out->ad_write[i].gpa == gpa) {
			out->ad_write[i].val = val;
			out->ad_write[i].may_bits = 0;
			out->ad_write[i].optional = 0;
			return;
		}
	}
	add_ad_write(out, gpa, old, val, false);
}

static void set_tolerance(struct nept_outcome *out, enum nept_tolerance t)
{
	out->tolerances |= 1u << t;
}

/* The SDM leaves the whole outcome open (no memory behind an access). */
static void all_undefined(struct nept_outcome *out, enum nept_tolerance t)
{
	out->kind = NEPT_OUT_NONE;
	out->undefined = NEPT_F_ALL;
	set_tolerance(out, t);
}

/*
 * Facts §6.3, §7.2: exit-qual bit 12 of an EPT violation or a PML-full
 * exit.  Undefined with NMI exiting and no virtual NMIs, and when the exit
 * happens during event delivery (IDT-vectoring information valid).
 */
static uint64_t nmi_bit(const struct nept_scenario *s,
			const struct nept_event *ev, struct nept_outcome *out)
{
	unsigned f = s->ctl.flags;

	if (((f & NEPT_CTL_NMI_EXITING) && !(f & NEPT_CTL_VIRTUAL_NMIS)) ||
	    ev->during) {
		out->qual_undefined |= QUAL_NMI_UNBLOCK;
		set_tolerance(out, NEPT_TOL_QUAL_BIT12_UNDEFINED);
		return 0;
	}
	return (ev->flags & NEPT_AF_NMI_UNBLOCK) ? QUAL_NMI_UNBLOCK : 0;
}

/* Facts §6.5, the qualification of an EPT violation. */
static void violation(const struct nept_scenario *s,
		      const struct nept_event *ev, const struct model_access *a,
		      unsigned have, struct nept_outcome *out)
{
	bool mbec = s->caps & NEPT_CAP_MBEC;
	bool lin = !(a->flags & NEPT_AF_NO_GLA);
	bool fin = !(a->flags & NEPT_AF_PAGING);
	uint64_t q = a->acc_bits;

	q |= (uint64_t)(have & 7) << 3;
	if (mbec) {
		if (have & PERM_XU)
			q |= QUAL_USER_EXEC;
	} else {
		out->qual_undefined |= QUAL_USER_EXEC;
		set_tolerance(out, NEPT_TOL_QUAL_BIT6_NO_MBEC);
	}
	if (lin) {
		/* Facts §7.1: outside 64-bit mode bits 63:32 are clear; the
		 * scenario keeps such linear addresses below 4 GiB. */
		q |= QUAL_GLA_VALID;
		out->gla_valid = 1;
		out->gla = ev->gla;
	} else {
		out->undefined |= NEPT_F_GLA;
		set_tolerance(out, NEPT_TOL_GLA_UNDEFINED);
	}
	if (lin && fin)
		q |= QUAL_GLA_FINAL;
	if (lin && fin && (s->caps & NEPT_CAP_ADV_INFO)) {
		q |= linear_bits(a->flags);
	} else {
		out->qual_undefined |=
			QUAL_LIN_USER | QUAL_LIN_RW | QUAL_LIN_XD;
		set_tolerance(out, NEPT_TOL_QUAL_ADV_UNDEFINED);
	}
	/* Facts §5.5: bit 0 of a read-modify-write is the implementation's
	 * choice, but not where EPTP bit 6 makes every guest paging access
	 * a write: both bits then. */
	if ((a->flags & NEPT_AF_SETS_AD) && !(s->eptp & (1ull << 6))) {
		out->qual_undefined |= QUAL_READ;
		set_tolerance(out, NEPT_TOL_QUAL_RMW_READ);
	}
	q |= nmi_bit(s, ev, out);
	out->kind = NEPT_OUT_EXIT;
	out->reason = NEPT_EXIT_EPT_VIOLATION;
	out->gpa = a->gpa;
	out->qual = q & ~out->qual_undefined;
}

/* Facts §4: qualification cleared; GLA undefined. */
static void misconfig(const struct model_access *a, const struct model_trace *t,
		      struct nept_outcome *out)
{
	const char *cite = strstr(t->rule, " (facts");
	size_t len = cite ? (size_t)(cite - t->rule) : strlen(t->rule);

	out->kind = NEPT_OUT_EXIT;
	out->reason = NEPT_EXIT_EPT_MISCONFIG;
	out->gpa = a->gpa;
	out->undefined |= NEPT_F_GLA | NEPT_F_GLA_VALID;
	set_tolerance(out, NEPT_TOL_GLA_UNDEFINED);
	/* The rule without its citation: "W without R" (a copy, not a
	 * snprintf: every misconfiguration the model sees makes one). */
	if (len >= sizeof(out->note))
		len = sizeof(out->note) - 1;
	memcpy(out->note, t->rule, len);
	out->note[len] = 0;
}

/* Facts §7.2: only bit 12 of a PML-full exit's qualification is defined;
 * the GPA and GLA fields are not among those it writes. */
static void pml_full_exit(const struct nept_scenario *s,
			  const struct nept_event *ev, struct nept_outcome *out)
{
	uint64_t q = nmi_bit(s, ev, out);

	out->kind = NEPT_OUT_EXIT;
	out->reason = NEPT_EXIT_PML_FULL;
	out->qual_undefined |= ~QUAL_NMI_UNBLOCK;
	set_tolerance(out, NEPT_TOL_PML_QUAL_UNDEFINED);
	out->qual = q & ~out->qual_undefined;
	out->undefined |= NEPT_F_GPA | NEPT_F_GLA | NEPT_F_GLA_VALID;
	set_tolerance(out, NEPT_TOL_GLA_UNDEFINED);
}

static void reset_walk(struct model_trace *t)
{
	t->levels = t->nread = t->stop = t->need = t->have = 0;
	t->pml_full = t->acc_flags = 0;
	t->rule = NULL;
	t->gpa = 0;
	memset(t->e, 0, sizeof(t->e));
}

/*
 * Facts §5.1: the EPT12 walk for a->gpa on mem, top-down; the first
 * not-present or misconfigured entry ends it.  Changes nothing; returns the
 * L1-physical address reached when the walk succeeds.
 */
static uint64_t ept_walk(const struct nept_scenario *s,
			 const struct nept_mem *mem,
			 const struct model_access *a, struct model_trace *t)
{
	unsigned m = s->l1_maxphyaddr, level, need = a->need, off_bits,
		 have = PERM_R | PERM_W | PERM_X | PERM_XU;
	uint64_t amask = nept_addr_mask(m), table = s->eptp & amask, e = 0;

	reset_walk(t);
	t->gpa = a->gpa;
	t->acc_flags = a->flags;
	t->acc_kind = a->kind;
	t->acc_bits = a->acc_bits;
	t->levels = ((s->eptp >> 3) & 7) + 1;
	t->need = (uint8_t)need;
	for (level = t->levels; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		uint64_t ea = table + ((a->gpa >> shift) & 511) * 8;

		t->e[t->nread].addr = ea;
		t->e[t->nread].level = (uint8_t)level;
		if (!nept_mem_read(mem, ea, &e)) {
			/* The rights of the entries read before it: the
			 * outcome is open, but a walker's error path may
			 * report them (qualification-in-vcpu-arch). */
			t->nread++;
			t->stop = MODEL_STOP_UNBACKED;
			t->have = (uint8_t)have;
			return 0;
		}
		t->e[t->nread++].val = e;
		if (!is_present(s->caps, e)) {
			/* Facts §6.1: a not-present entry contributes 000. */
			t->stop = MODEL_STOP_NOT_PRESENT;
			have = 0;
			break;
		}
		t->rule = model_misconfig_rule(s->caps, m, level, e);
		if (t->rule) {
			t->stop = MODEL_STOP_MISCONFIG;
			break;
		}
		have &= entry_perms(e);
		if (is_leaf(level, e))
			break;
		table = e & amask;
	}
	t->have = (uint8_t)have;
	if (t->stop == MODEL_STOP_OK && (need & ~have))
		t->stop = MODEL_STOP_PERMISSION;
	if (t->stop != MODEL_STOP_OK)
		return 0;
	/* Facts §3.1: the leaf's address bits above the page offset. */
	off_bits = 12 + 9 * (level - 1);
	return (e & amask & ~((1ull << off_bits) - 1)) |
	       (a->gpa & ((1ull << off_bits) - 1));
}

/* Hardware may set A on entries a faulting walk used (facts §5.3). */
static void faulting_walk_ad(const struct nept_scenario *s,
			     const struct model_trace *t,
			     struct nept_outcome *out, bool leaf_used)
{
	unsigned n = 0;

	if (!(s->eptp & (1ull << 6)))
		return;
	for (unsigned i = 0; i < t->nread; i++) {
		uint64_t v = t->e[i].val;

		/* The entry that stopped the walk was not used. */
		if (i + 1 == t->nread && !leaf_used)
			break;
		if (!(v & EPTE_A))
			n++;
		add_ad_write(out, t->e[i].addr, v, v | EPTE_A, true);
	}
	if (n)
		set_tolerance(out, NEPT_TOL_AD_ON_FAULTING_WALK);
}

enum acc_result {
	ACC_OK,	    /* translated; EPT A/D set, PML logged */
	ACC_EXIT,   /* out holds the exit (48, 49 or 62) */
	ACC_UNDEF,  /* out is all undefined (no memory behind an access) */
	ACC_REWALK, /* a hook's: the walk starts again on memory as it is */
};

/*
 * Where the SDM allows n outcomes at a point of an event, which one this
 * run takes: the first such point of the event records n (the trace's
 * alts) and takes st->choice; any later point of the same event takes its
 * first outcome (so an event offers the outcomes of one point).
 */
static unsigned take_choice(const struct model_state *st, struct model_trace *t,
			    unsigned n)
{
	if (t->alts_point)
		return 0;
	t->alts_point = 1;
	t->alts = (uint8_t)(n - 1);
	return st->choice < n ? st->choice : 0;
}

/* Facts §5.3: A on every entry of a successful walk, D on its leaf for a
 * dirtying access; the entries are re-read, since an earlier access of the
 * same event (or the PML log) may have changed them. */
static void set_walk_ad(struct model_state *st, const struct model_trace *t,
			struct nept_outcome *out, bool dirty, unsigned upto)
{
	for (unsigned i = 0; i < upto; i++) {
		uint64_t v = 0, nv;

		nept_mem_read(&st->mem, t->e[i].addr, &v);
		nv = v | EPTE_A;
		if (i + 1 == t->nread && dirty)
			nv |= EPTE_D;
		if (nv != v)
			nept_mem_write(&st->mem, t->e[i].addr, nv);
		add_ad_write(out, t->e[i].addr, v, nv, false);
	}
}

/* Facts §7.2: where the next PML entry goes (the index is not full). */
static uint64_t pml_slot(const struct nept_scenario *s,
			 const struct model_state *st)
{
	return s->ctl.pml_address + 8ull * st->pml_index;
}

/* Facts §7.2: logs the page of a's GPA in the next PML entry and moves
 * the index on.  The log sits in L1 memory (no EPT12 translation); where
 * there is none, or the scenario's memory is full, what the write does is
 * not the SDM's to say. */
static enum acc_result pml_log(const struct nept_scenario *s,
			       struct model_state *st,
			       const struct model_access *a,
			       struct nept_outcome *out)
{
	uint64_t slot = pml_slot(s, st), old = 0, logged = a->gpa & ~0xfffull;

	if (!nept_mem_read(&st->mem, slot, &old) ||
	    !nept_mem_write(&st->mem, slot, logged)) {
		all_undefined(out, NEPT_TOL_L2_UNBACKED);
		return ACC_UNDEF;
	}
	replace_write(out, slot, old, logged);
	/* A u16: 0 wraps to 0xffff, which is full. */
	st->pml_index--;
	return ACC_OK;
}

/*
 * Facts §5.3, §7.2: after a successful walk, A on every entry used and D
 * on the leaf for writes; with PML, a dirty flag that was clear first
 * needs a log entry.
 */
static enum acc_result
set_ept_ad(const struct nept_scenario *s, struct model_state *st,
	   const struct nept_event *ev, const struct model_access *a,
	   struct model_trace *t, struct nept_outcome *out)
{
	bool dirty = access_dirties(a), done = false;
	uint64_t leaf = 0;

	if (!(s->eptp & (1ull << 6)))
		return ACC_OK;
	nept_mem_read(&st->mem, t->e[t->nread - 1].addr, &leaf);
	if (dirty && !(leaf & EPTE_D) && (s->ctl.flags & NEPT_CTL_PML)) {
		bool on_walk = false;

		if (st->pml_index > 511) {
			/* Facts §7.2: the exit comes instead of setting D;
			 * the walk that led there may have set A flags. */
			t->pml_full = 1;
			pml_full_exit(s, ev, out);
			faulting_walk_ad(s, t, out, true);
			return ACC_EXIT;
		}
		for (unsigned i = 0; i < t->nread; i++)
			on_walk |= t->e[i].addr == pml_slot(s, st);
		/* The log entry lands on an entry this walk updates: the SDM
		 * orders neither write before the other (facts §5.3, §7.2),
		 * so both outcomes: the log first, then the flags ORed into
		 * it; or the flags first, then the log over them. */
		if (on_walk) {
			set_tolerance(out, NEPT_TOL_PML_LOG_ON_WALK);
			if (take_choice(st, t, 2) == 1) {
				set_walk_ad(st, t, out, dirty, t->nread);
				done = true;
			}
		}
		if (pml_log(s, st, a, out) != ACC_OK)
			return ACC_UNDEF;
	}
	if (!done)
		set_walk_ad(st, t, out, dirty, t->nread);
	return ACC_OK;
}

/*
 * The same flags as a hook's prediction sets them (model_hooks.
 * ept_ad_cmpxchg): entry by entry from the root, each as read with A (and
 * D on a dirtied leaf, logged in PML first), by a compare-exchange against
 * the value the walk read; an entry no longer as read makes the walk start
 * again (ACC_REWALK) with what this pass wrote left in place.
 */
static enum acc_result
set_ept_ad_cmpxchg(const struct nept_scenario *s, struct model_state *st,
		   const struct nept_event *ev, const struct model_access *a,
		   struct model_trace *t, struct nept_outcome *out)
{
	bool dirty = access_dirties(a);

	if (!(s->eptp & (1ull << 6)))
		return ACC_OK;
	for (unsigned i = 0; i < t->nread; i++) {
		uint64_t rd = t->e[i].val, nv = rd | EPTE_A, cur = 0;

		if (i + 1 == t->nread && dirty && !(rd & EPTE_D)) {
			if ((s->ctl.flags & NEPT_CTL_PML) &&
			    st->pml_index > 511) {
				t->pml_full = 1;
				pml_full_exit(s, ev, out);
				return ACC_EXIT;
			}
			if ((s->ctl.flags & NEPT_CTL_PML) &&
			    pml_log(s, st, a, out) != ACC_OK)
				return ACC_UNDEF;
			nv |= EPTE_D;
		}
		if (nv == rd)
			continue;
		nept_mem_read(&st->mem, t->e[i].addr, &cur);
		if (cur != rd)
			return ACC_REWALK;
		nept_mem_write(&st->mem, t->e[i].addr, nv);
		add_ad_write(out, t->e[i].addr, cur, nv, false);
	}
	return ACC_OK;
}

static enum acc_result ept_access_end(const struct nept_scenario *s,
				      const struct nept_event *ev,
				      const struct model_access *a,
				      struct nept_outcome *out,
				      struct model_trace *t);

/*
 * One access through EPT12 (facts §5.1-§5.3, §7.2): fills out when it
 * fails; when it succeeds sets the EPT A/D flags and *l1pa.
 */
static enum acc_result
ept_access(const struct nept_scenario *s, struct model_state *st,
	   const struct nept_event *ev, const struct model_access *a,
	   struct nept_outcome *out, struct model_trace *t, uint64_t *l1pa)
{
	enum acc_result r;

	/* A hook's prediction may have the walk start again: only when
	 * its own flag writes or PML entry changed an entry it read; flags
	 * only get set and the log only fills, so that ends.  Past this
	 * many tries the prediction gives up (the access completes, and a
	 * difference shows). */
	for (unsigned tries = 0;; tries++) {
		bool cmpxchg =
			st->hooks && st->hooks->ept_ad_cmpxchg &&
			st->hooks->ept_ad_cmpxchg(st->hooks->ctx, s, tries);

		*l1pa = ept_walk(s, st->ept_view ? st->ept_view : &st->mem, a,
				 t);
		if (t->stop != MODEL_STOP_OK) {
			r = ept_access_end(s, ev, a, out, t);
			break;
		}
		r = cmpxchg ? set_ept_ad_cmpxchg(s, st, ev, a, t, out)
			    : set_ept_ad(s, st, ev, a, t, out);
		if (r != ACC_REWALK)
			break;
		if (tries == 16) {
			r = ACC_OK;
			break;
		}
	}
	return r;
}

/* A walk that stopped short of a translation (facts §5.1, §5.2, §4). */
static enum acc_result ept_access_end(const struct nept_scenario *s,
				      const struct nept_event *ev,
				      const struct model_access *a,
				      struct nept_outcome *out,
				      struct model_trace *t)
{
	switch (t->stop) {
	case MODEL_STOP_UNBACKED:
		all_undefined(out, NEPT_TOL_UNBACKED_TABLE);
		return ACC_UNDEF;
	case MODEL_STOP_MISCONFIG:
		misconfig(a, t, out);
		faulting_walk_ad(s, t, out, false);
		return ACC_EXIT;
	case MODEL_STOP_NOT_PRESENT:
	case MODEL_STOP_PERMISSION:
		violation(s, ev, a, t->have, out);
		faulting_walk_ad(s, t, out, t->stop == MODEL_STOP_PERMISSION);
		return ACC_EXIT;
	default:
		return ACC_OK;
	}
}

/*
 * Whether an access would fail in EPT12 on the current memory, without
 * doing it: 0 if not, else the exit reason; -1 if it reads no memory.
 */
static int ept_would_fail(const struct nept_scenario *s,
			  const struct model_state *st,
			  const struct model_access *a)
{
	struct model_trace t;
	uint64_t leaf = 0;

	ept_walk(s, &st->mem, a, &t);
	if (t.stop == MODEL_STOP_UNBACKED)
		return -1;
	if (t.stop == MODEL_STOP_MISCONFIG)
		return NEPT_EXIT_EPT_MISCONFIG;
	if (t.stop != MODEL_STOP_OK)
		return NEPT_EXIT_EPT_VIOLATION;
	nept_mem_read(&st->mem, t.e[t.nread - 1].addr, &leaf);
	if ((s->eptp & (1ull << 6)) && (s->ctl.flags & NEPT_CTL_PML) &&
	    access_dirties(a) && !(leaf & EPTE_D) && st->pml_index > 511)
		return NEPT_EXIT_PML_FULL;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Exceptions (facts §10) */

enum exc_class {
	EXC_BENIGN,
	EXC_CONTRIBUTORY,
	EXC_PAGE_FAULT,
	EXC_DF
};

/* Facts §10.1.  #VE (20) is page-fault class, #CP (21) contributory; the
 * reserved vectors (15, 22-31) behave as benign (Bochs). */
static enum exc_class exc_class(unsigned vec)
{
	switch (vec) {
	case 0:
	case 10:
	case 11:
	case 12:
	case 13:
	case 21:
		return EXC_CONTRIBUTORY;
	case VEC_PF:
	case 20:
		return EXC_PAGE_FAULT;
	case VEC_DF:
		return EXC_DF;
	default:
		return EXC_BENIGN;
	}
}

/* A VM exit for an exception (reason 0, facts §10.3, §7.3). */
static void exception_exit(unsigned vec, uint32_t err, uint64_t qual,
			   struct nept_outcome *out)
{
	out->kind = NEPT_OUT_EXIT;
	out->reason = NEPT_EXIT_EXCEPTION_NMI;
	out->vector = (uint8_t)vec;
	out->has_error_code = 1;
	out->error_code = err;
	out->qual = qual;
	/* Facts §7.1: the address fields belong to EPT exits only. */
	out->undefined |= NEPT_F_GPA | NEPT_F_GLA | NEPT_F_GLA_VALID;
	set_tolerance(out, NEPT_TOL_GLA_UNDEFINED);
}

static void deliver(unsigned vec, uint32_t err, struct nept_outcome *out)
{
	out->kind = NEPT_OUT_EXCEPTION;
	out->vector = (uint8_t)vec;
	out->has_error_code = 1;
	out->error_code = err;
	out->undefined |= NEPT_F_GPA | NEPT_F_GLA_VALID;
}

/*
 * The access raised #PF (the second exception when ev->during names one
 * being delivered).  Facts §10.3: the bitmap is consulted for #PF first,
 * with the error-code mask/match rule; only if it does not exit is it
 * combined with the first exception per facts §10.2.
 */
static void page_fault(const struct nept_scenario *s,
		       const struct nept_event *ev, uint32_t pfec,
		       struct nept_outcome *out, struct model_trace *t)
{
	const struct nept_controls *c = &s->ctl;
	bool match = (pfec & c->pfec_mask) == c->pfec_match;
	bool bit14 = c->exception_bitmap & (1u << VEC_PF);

	t->pfec = pfec;
	if (bit14 == match) {
		/* Facts §7.3: qualification = linear address; no CR2. */
		exception_exit(VEC_PF, pfec, ev->gla, out);
		return;
	}
	switch (ev->during ? exc_class(ev->during - 1u) : EXC_BENIGN) {
	case EXC_DF:
		/* Facts §10.2: a fault delivering #DF shuts down; in VMX
		 * non-root that is exit 2, qualification 0. */
		out->kind = NEPT_OUT_EXIT;
		out->reason = NEPT_EXIT_TRIPLE_FAULT;
		out->qual = 0;
		out->undefined |= NEPT_F_GPA | NEPT_F_GLA | NEPT_F_GLA_VALID;
		set_tolerance(out, NEPT_TOL_GLA_UNDEFINED);
		break;
	case EXC_PAGE_FAULT:
		/* #PF while delivering a page-fault-class exception: #DF,
		 * error code 0, which checks bitmap bit 8 itself.  The sheet
		 * does not say what CR2 holds then: left undefined. */
		if (c->exception_bitmap & (1u << VEC_DF)) {
			exception_exit(VEC_DF, 0, 0, out);
		} else {
			deliver(VEC_DF, 0, out);
			out->undefined |= NEPT_F_GLA;
		}
		break;
	default:
		/* Serial: the #PF is delivered, CR2 = the linear address. */
		deliver(VEC_PF, pfec, out);
		out->gla = ev->gla;
		break;
	}
}

/* ------------------------------------------------------------------ */
/* L2's walk (facts §8, §8.3, §9) */

struct l2_walk {
	unsigned mode, m;
	unsigned pse36_low; /* facts §8.2: lowest reserved bit, 4-MiB PDE */
	bool nxe, pse, user, write, fetch, implicit;
	/* facts §6.4: U/S and R/W ANDed, XD ORed (with NXE) */
	bool us, rw, xd;
};

/* Facts §8.2: why a present guest entry is reserved, NULL if it is not. */
static const char *l2_reserved(const struct l2_walk *w, unsigned level,
			       uint64_t e)
{
	unsigned m = w->m;

	if (w->mode == NEPT_L2_32BIT) {
		/* No reserved bits but in a 4-MiB PDE (CR4.PSE = 1 and bit
		 * 7; with PSE = 0 bit 7 is ignored): PSE-36 maps physical
		 * bits (M'-1):32 from PDE bits (M'-20):13 and reserves
		 * 21:(M'-19), M' = min(MAXPHYADDR, 40) (bit 21 alone for
		 * M' = 40, 21:13 for M' = 32): w->pse36_low = M'-19. */
		if (level != 2 || !(e & L2E_PS) || !w->pse)
			return NULL;
		if (e & nept_bits(21, w->pse36_low))
			return "4-MiB PDE bits 21:(M'-19) (facts §8.2)";
		return NULL;
	}
	if (!w->nxe && (e & L2E_XD))
		return "XD (bit 63) with EFER.NXE = 0 (facts §8.2)";
	if (w->mode == NEPT_L2_PAE) {
		if (m < 63 && (e & nept_bits(62, m)))
			return "PAE bits 62:MAXPHYADDR (facts §8.2)";
		if (level == 2 && (e & L2E_PS) && (e & nept_bits(20, 13)))
			return "PAE 2-MiB PDE bits 20:13 (facts §8.2)";
		return NULL;
	}
	if (m < 52 && (e & nept_bits(51, m)))
		return "bits 51:MAXPHYADDR (facts §8.2)";
	if (level >= 4 && (e & L2E_PS))
		return "PML5E/PML4E bit 7 (facts §8.2)";
	if (level == 3 && (e & L2E_PS) && (e & nept_bits(29, 13)))
		return "1-GiB PDPTE bits 29:13 (facts §8.2)";
	if (level == 2 && (e & L2E_PS) && (e & nept_bits(20, 13)))
		return "2-MiB PDE bits 20:13 (facts §8.2)";
	return NULL;
}

static bool l2_is_leaf(const struct nept_scenario *s, const struct l2_walk *w,
		       unsigned level, uint64_t e)
{
	if (level == 1)
		return true;
	if (!(e & L2E_PS))
		return false;
	if (w->mode == NEPT_L2_32BIT)
		return level == 2 && (s->l2.flags & NEPT_L2F_PSE);
	/* PAE: 2-MiB PDEs; 4/5-level also 1-GiB PDPTEs (the vCPU has them,
	 * facts §8.2); bit 7 above is reserved, caught before. */
	return level == 2 || level == 3;
}

/* Facts §8.3 step 4: the guest access rights, NULL if allowed.  *pk says
 * whether the protection key forbids the access (error-code bit 5). */
static const char *l2_rights(const struct nept_scenario *s,
			     const struct l2_walk *w, uint64_t leaf, bool *pk)
{
	unsigned f = s->l2.flags;
	bool wp = f & NEPT_L2F_WP;
	const char *why = NULL;

	*pk = false;
	if (w->user) {
		if (!w->us)
			why = "user access to a supervisor-mode address";
		else if (w->write && !w->rw)
			why = "user write to a read-only address";
	} else if (w->fetch) {
		if (w->us && (f & NEPT_L2F_SMEP))
			why = "SMEP: supervisor fetch from a user-mode address";
	} else {
		/* SMAP: implicit accesses always, explicit ones unless
		 * RFLAGS.AC = 1. */
		if (w->us && (f & NEPT_L2F_SMAP) &&
		    (w->implicit || !(f & NEPT_L2F_AC)))
			why = "SMAP: supervisor data access to a user-mode "
			      "address";
		else if (w->write && !w->rw && wp)
			why = "supervisor write to a read-only address with "
			      "CR0.WP = 1";
	}
	if (!why && w->fetch && w->xd)
		why = "fetch from an execute-disable address";
	/* Protection keys: 4/5-level paging, CR4.PKE, data accesses to
	 * user-mode addresses; WD stops user writes, and supervisor writes
	 * with CR0.WP = 1 (facts §8.1 bit 5). */
	if ((f & NEPT_L2F_PKE) && w->mode >= NEPT_L2_4LEVEL && !w->fetch &&
	    w->us) {
		unsigned key = (unsigned)(leaf >> 59) & 15;
		bool ad = (s->l2.pkru >> (2 * key)) & 1;
		bool wd = (s->l2.pkru >> (2 * key + 1)) & 1;

		*pk = ad || (w->write && wd && (w->user || wp));
		if (*pk && !why)
			why = "protection key (PKRU)";
	}
	return why;
}

/* Reads the guest entry at L1-physical address pa (4 bytes in 32-bit
 * paging, else 8); false when no memory is behind it. */
static bool l2_read(const struct nept_mem *mem, unsigned mode, uint64_t pa,
		    uint64_t *val)
{
	uint64_t q;

	if (!nept_mem_read(mem, pa & ~7ull, &q))
		return false;
	if (mode == NEPT_L2_32BIT)
		q = (pa & 4) ? q >> 32 : q & 0xffffffffull;
	*val = q;
	return true;
}

/* Facts §8.1: the error-code bits that describe the access. */
static uint32_t pfec_access(const struct nept_scenario *s,
			    const struct l2_walk *w)
{
	unsigned f = s->l2.flags;
	uint32_t e = 0;

	if (w->write)
		e |= PFEC_W;
	if (w->user)
		e |= PFEC_U;
	/* I/D only with SMEP, or with PAE-or-longer paging and NXE. */
	if (w->fetch && ((f & NEPT_L2F_SMEP) ||
			 (w->mode >= NEPT_L2_PAE && (f & NEPT_L2F_NXE))))
		e |= PFEC_ID;
	return e;
}

/* The guest A/D-flag writes step 6 needs: entry index and flags. */
struct ad_step {
	uint8_t i;
	uint64_t set;
};

struct ad_plan {
	unsigned n;
	struct ad_step set[5];
};

struct l2_walk;
static void l2_finish(const struct nept_scenario *s, struct model_state *st,
		      const struct nept_event *ev, const struct l2_walk *w,
		      const struct ad_plan *plan,
		      const struct model_access *acc, struct nept_outcome *out,
		      struct model_trace *t);
static bool
l2_finish_cmpxchg(const struct nept_scenario *s, struct model_state *st,
		  const struct nept_event *ev, const struct l2_walk *w,
		  const struct ad_plan *plan, const struct model_access *acc,
		  struct nept_outcome *out, struct model_trace *t);

/* One walk of L2's paging structures for ev (facts §8.3), its flags set
 * the SDM's way or, with cmpxchg, a hook's (l2_finish_cmpxchg); true when
 * that says the walk starts again (the model's own walk never does). */
/* The processor's walk (st->l2_width set) reached a GPA L1 cannot have. */
static bool beyond_l1_width(const struct nept_scenario *s,
			    const struct model_state *st, uint64_t gpa)
{
	return st->l2_width && gpa >> s->l1_maxphyaddr;
}

static bool l2_walk_once(const struct nept_scenario *s, struct model_state *st,
			 const struct nept_event *ev, struct nept_outcome *out,
			 struct model_trace *t, bool cmpxchg)
{
	const struct nept_l2 *l2 = &s->l2;
	struct l2_walk w = {
		.mode = l2->paging,
		.m = st->l2_width ? st->l2_width : s->l1_maxphyaddr,
		.nxe = l2->flags & NEPT_L2F_NXE,
		.pse = l2->flags & NEPT_L2F_PSE,
		.implicit = ev->flags & NEPT_AF_IMPLICIT,
		.write = ev->access == NEPT_ACC_WRITE,
		.fetch = ev->access == NEPT_ACC_FETCH,
		.us = true,
		.rw = true,
	};
	unsigned level, levels;
	uint64_t la = ev->gla, amask = nept_addr_mask(w.m), table, e = 0, pa;
	uint64_t final, off_mask;
	struct ad_plan plan = { 0 };
	struct model_access acc[6];
	enum acc_result r;
	bool pk;
	const char *why;
	uint32_t pfec;

	t->l2_access = ev->access;
	w.user = st->walk_user >= 0 ? st->walk_user
				    : l2->cpl == 3 && !w.implicit;
	pfec = pfec_access(s, &w);
	w.pse36_low = nept_pse36_low(w.m);
	if (st->hooks && st->hooks->pse36_low)
		w.pse36_low = st->hooks->pse36_low(st->hooks->ctx, w.pse36_low);

	switch (w.mode) {
	case NEPT_L2_32BIT:
		levels = 2;
		table = l2->cr3 & 0xfffff000ull;
		break;
	case NEPT_L2_PAE: {
		/* Facts §8.3: the walk starts from the PDPTE registers, no
		 * memory access; they have no U/S, R/W or XD (§6.4). */
		uint64_t pdpte = l2->pdpte[(la >> 30) & 3];

		t->l2e[0].gpa = t->l2e[0].l1pa = MODEL_L2_REGISTER;
		t->l2e[0].val = pdpte;
		t->l2e[0].level = 3;
		t->l2_nread = 1;
		if (!(pdpte & L2E_P)) {
			t->l2_stop = MODEL_L2_NOT_PRESENT;
			t->l2_rule = "PDPTE register not present";
			page_fault(s, ev, pfec, out, t);
			return false;
		}
		levels = 2;
		table = pdpte & amask;
		break;
	}
	case NEPT_L2_4LEVEL:
		levels = 4;
		table = l2->cr3 & amask;
		break;
	default:
		levels = 5;
		table = l2->cr3 & amask;
		break;
	}

	/* Facts §8.3 steps 1-3, top-down. */
	for (level = levels;; level--) {
		unsigned n = t->l2_nread;
		struct model_access a = make_access(
			s, st, ev, MODEL_ACC_L2_ENTRY,
			nept_l2_entry_addr(w.mode, table, level, la),
			NEPT_ACC_READ, NEPT_AF_PAGING);

		t->l2e[n].gpa = a.gpa;
		t->l2e[n].level = (uint8_t)level;
		t->l2_nread++;
		if (beyond_l1_width(s, st, a.gpa)) {
			t->l2_stop = MODEL_L2_BEYOND_WIDTH;
			return false;
		}
		/* Step 1: the entry's GPA through EPT12 (bit 8 = 0). */
		r = ept_access(s, st, ev, &a, out, t, &pa);
		if (r != ACC_OK) {
			t->l2_stop = r == ACC_EXIT ? MODEL_L2_EPT_ENTRY
						   : MODEL_L2_UNBACKED;
			return false;
		}
		t->l2e[n].l1pa = pa;
		if (!l2_read(&st->mem, w.mode, pa, &e)) {
			t->l2_stop = MODEL_L2_UNBACKED;
			all_undefined(out, NEPT_TOL_L2_UNBACKED);
			return false;
		}
		t->l2e[n].val = e;
		/* Step 2: P = 0 or a reserved bit: #PF. */
		if (!(e & L2E_P)) {
			t->l2_stop = MODEL_L2_NOT_PRESENT;
			page_fault(s, ev, pfec, out, t);
			return false;
		}
		why = l2_reserved(&w, level, e);
		if (why) {
			t->l2_stop = MODEL_L2_RESERVED;
			t->l2_rule = why;
			page_fault(s, ev, pfec | PFEC_P | PFEC_RSVD, out, t);
			return false;
		}
		w.us &= !!(e & L2E_US);
		w.rw &= !!(e & L2E_RW);
		if (w.nxe && w.mode != NEPT_L2_32BIT && (e & L2E_XD))
			w.xd = true;
		if (l2_is_leaf(s, &w, level, e))
			break;
		table = e & (w.mode == NEPT_L2_32BIT ? 0xfffff000ull : amask);
	}
	t->l2_leaf = (uint8_t)(t->l2_nread - 1);

	/* Step 4: the access rights. */
	why = l2_rights(s, &w, e, &pk);
	if (why) {
		t->l2_stop = MODEL_L2_RIGHTS;
		t->l2_rule = why;
		page_fault(s, ev, pfec | PFEC_P | (pk ? PFEC_PK : 0), out, t);
		return false;
	}

	/* The page the leaf maps (facts §8.2 layouts). */
	off_mask = (1ull << (12 + (w.mode == NEPT_L2_32BIT ? 10 : 9) *
					  (level - 1))) -
		   1;
	if (w.mode == NEPT_L2_32BIT && level == 2) {
		final = (e & 0xffc00000ull) | nept_pse36_bits(e, w.pse36_low);
	} else if (w.mode == NEPT_L2_32BIT) {
		final = e & 0xfffff000ull;
	} else {
		final = e & amask & ~off_mask;
	}
	final |= la & off_mask;
	t->l2_final = final;
	if (beyond_l1_width(s, st, final)) {
		t->l2_stop = MODEL_L2_BEYOND_WIDTH;
		return false;
	}

	/* Step 6's writes, decided by the entries as read (facts §5.4: with
	 * A = D = 1 nothing is written). */
	for (unsigned i = 0; i < t->l2_nread; i++) {
		uint64_t set = L2E_A;

		if (t->l2e[i].gpa == MODEL_L2_REGISTER)
			continue;
		if (i == t->l2_leaf && w.write)
			set |= L2E_D;
		if ((t->l2e[i].val & set) != set)
			plan.set[plan.n++] =
				(struct ad_step){ (uint8_t)i, set };
	}

	/* Step 5: the final GPA through EPT12 (bit 8 = 1, bits 9-11 from
	 * the walk, facts §6.4); step 6: each flag write to its entry
	 * through EPT12 (bit 8 = 0 on failure). */
	acc[0] = make_access(s, st, ev, MODEL_ACC_L2_FINAL, final, ev->access,
			     (w.us ? NEPT_AF_USER : 0) |
				     (w.rw ? NEPT_AF_WRITABLE : 0) |
				     (w.xd ? NEPT_AF_XD : 0));
	for (unsigned k = 0; k < plan.n; k++)
		acc[k + 1] = make_access(
			s, st, ev, MODEL_ACC_L2_AD, t->l2e[plan.set[k].i].gpa,
			NEPT_ACC_WRITE, NEPT_AF_PAGING | NEPT_AF_SETS_AD);
	if (cmpxchg)
		return l2_finish_cmpxchg(s, st, ev, &w, &plan, acc, out, t);
	l2_finish(s, st, ev, &w, &plan, acc, out, t);
	return false;
}

/* A walk restarted by a hook's prediction may restart again only because
 * its own writes changed an entry it read; the flags only get set and the
 * PML log only fills, so it ends; past this many restarts the prediction
 * gives up (the walk ends the SDM's way and a difference shows). */
#define L2_MAX_RESTARTS 16

static void l2_event(const struct nept_scenario *s, struct model_state *st,
		     const struct nept_event *ev, struct nept_outcome *out,
		     struct model_trace *t)
{
	for (unsigned restarts = 0;; restarts++) {
		bool cmpxchg =
			st->hooks && st->hooks->l2_ad_cmpxchg &&
			st->hooks->l2_ad_cmpxchg(st->hooks->ctx, s, restarts);

		if (!l2_walk_once(s, st, ev, out, t, cmpxchg) ||
		    restarts == L2_MAX_RESTARTS)
			break;
		/* Again from the top: the writes so far stay (in memory and
		 * in out), the trace of the L2 walk starts over. */
		t->l2_nread = 0;
		t->l2_stop = MODEL_L2_NONE;
		t->l2_rule = NULL;
		t->l2_final = 0;
	}
}

/* L2's walk is through: the access goes on at out->translated. */
static void l2_translated(struct nept_outcome *out, struct model_trace *t)
{
	t->l2_stop = MODEL_L2_OK;
	out->kind = NEPT_OUT_NONE;
	out->undefined |= NEPT_F_GPA | NEPT_F_GLA | NEPT_F_GLA_VALID;
}

/* The guest flag write of step `k` of plan, once its EPT12 access is
 * through to L1-physical pa: the entry's A (and D) bits. */
static bool write_flags(struct model_state *st, const struct l2_walk *w,
			const struct ad_plan *plan, unsigned k, uint64_t pa,
			struct nept_outcome *out)
{
	unsigned shift = (w->mode == NEPT_L2_32BIT && (pa & 4)) ? 32 : 0;
	uint64_t q, nq;

	if (!nept_mem_read(&st->mem, pa & ~7ull, &q))
		return false;
	nq = q | (plan->set[k].set << shift);
	if (nq != q)
		nept_mem_write(&st->mem, pa & ~7ull, nq);
	add_ad_write(out, pa & ~7ull, q, nq, false);
	return true;
}

/* Whether out still says exactly w: no other write merged into its qword. */
static bool holds_write(const struct nept_outcome *out,
			const struct nept_ad_write *w)
{
	for (unsigned i = 0; i < out->n_ad_writes; i++)
		if (out->ad_write[i].gpa == w->gpa)
			return out->ad_write[i].old == w->old &&
			       out->ad_write[i].val == w->val &&
			       out->ad_write[i].optional;
	return false;
}

/* Adds w to out as allowed, not required; one that replaces its qword
 * (a PML entry: bits cleared) is kept in replace[] to check once out is
 * complete (holds_write). */
static void optional_write(struct nept_outcome *out,
			   const struct nept_ad_write *w, unsigned *nreplace,
			   struct nept_ad_write *replace)
{
	uint64_t changed = w->old ^ w->val;

	if ((w->val & changed) != changed && *nreplace < NEPT_MAX_AD_WRITES)
		replace[(*nreplace)++] = *w;
	add_ad_write(out, w->gpa, w->old, w->val, true);
}

/*
 * Steps 5 and 6 (facts §8.3): acc[0] is the final GPA, acc[1..plan->n]
 * the guest A/D-flag writes.  Done in that order when none of them fails.
 * The SDM orders neither the flag writes against the final access nor
 * among themselves (facts §5.4, §12 item 1): when some fail, each failing
 * one may be the first, so each gives an outcome (take_choice); the
 * accesses that succeed may have been done before it, so their effects
 * (EPT A/D flags, PML entries, the guest flags) are allowed, not
 * required.  The first outcome is the final GPA's when it fails, else the
 * first failing flag write's.
 */
static void l2_finish(const struct nept_scenario *s, struct model_state *st,
		      const struct nept_event *ev, const struct l2_walk *w,
		      const struct ad_plan *plan,
		      const struct model_access *acc, struct nept_outcome *out,
		      struct model_trace *t)
{
	int fails[6];
	unsigned nacc = plan->n + 1, nfail = 0, pick = 0, x = 0;
	struct nept_ad_write replace[NEPT_MAX_AD_WRITES];
	unsigned nreplace = 0;
	struct model_state scratch;
	struct model_trace tt;
	uint64_t pa;
	enum acc_result r;

	for (unsigned k = 0; k < nacc; k++) {
		fails[k] = ept_would_fail(s, st, &acc[k]);
		nfail += fails[k] != 0;
	}
	if (!nfail) {
		/* All through, in the model's order. */
		for (unsigned k = 0; k < nacc; k++) {
			r = ept_access(s, st, ev, &acc[k], out, t, &pa);
			if (r != ACC_OK) {
				/* PML full on a later access: an exit. */
				t->l2_stop = r == ACC_EXIT
						     ? (k ? MODEL_L2_EPT_AD
							  : MODEL_L2_EPT_FINAL)
						     : MODEL_L2_UNBACKED;
				return;
			}
			if (!k) {
				out->translated = pa;
			} else if (!write_flags(st, w, plan, k - 1, pa, out)) {
				t->l2_stop = MODEL_L2_UNBACKED;
				all_undefined(out, NEPT_TOL_L2_UNBACKED);
				return;
			}
		}
		l2_translated(out, t);
		return;
	}
	if (nacc > 1)
		pick = take_choice(st, t, nfail);
	for (unsigned k = 0, seen = 0; k < nacc; k++)
		if (fails[k] && seen++ == pick)
			x = k;

	/* The accesses that succeed, each maybe done before x. */
	model_state_copy(&scratch, st);
	for (unsigned k = 0; k < nacc; k++) {
		struct nept_outcome side;
		unsigned pml = scratch.pml_index;

		if (fails[k])
			continue;
		nept_outcome_clear(&side);
		if (ept_access(s, &scratch, ev, &acc[k], &side, &tt, &pa) !=
			    ACC_OK ||
		    (k && !write_flags(&scratch, w, plan, k - 1, pa, &side)) ||
		    !side.n_ad_writes)
			continue;
		/* Counted by what the access wrote, not by how many qwords
		 * out gained: it may write only qwords out writes already
		 * (one page both the walks' tables and the PML log). */
		set_tolerance(out, NEPT_TOL_AD_FINAL_ORDER);
		/* What the access met (the log over an entry of its walk,
		 * pml-log-on-walk) holds for its writes here too. */
		out->tolerances |= side.tolerances;
		/* Whether a PML entry was among them decides the index. */
		if (scratch.pml_index != pml)
			out->undefined |= NEPT_F_PML_INDEX;
		for (unsigned i = 0; i < side.n_ad_writes; i++)
			optional_write(out, &side.ad_write[i], &nreplace,
				       replace);
	}
	if (nfail > 1)
		set_tolerance(out, NEPT_TOL_AD_FINAL_ORDER);

	/* The exit of x, from the state before any of them. */
	r = ept_access(s, st, ev, &acc[x], out, t, &pa);
	if (r == ACC_OK) {
		/* ept_would_fail and the access disagree: cannot be. */
		all_undefined(out, NEPT_TOL_L2_UNBACKED);
		return;
	}
	/* A replacing write (a PML entry) that is only allowed: add_ad_write
	 * ORs what else lands on its qword, before or after, into it, so
	 * "either this qword or the PML entry" is no longer what out says.
	 * The write set cannot hold both; the SDM allows either (facts §5.4,
	 * §12 item 1). */
	for (unsigned i = 0; i < nreplace; i++)
		if (!holds_write(out, &replace[i]))
			out->undefined |= NEPT_F_AD_WRITES;
	t->l2_stop = r == ACC_UNDEF ? MODEL_L2_UNBACKED
		     : x	    ? MODEL_L2_EPT_AD
				    : MODEL_L2_EPT_FINAL;
}

/*
 * Steps 5 and 6 as a hook's prediction orders them (model_hooks.
 * l2_ad_cmpxchg): the final GPA through EPT12, then each guest flag write,
 * top-down, as a compare-exchange against the entry as the walk read it,
 * at the L1-physical address that read found (no EPT12 translation of its
 * own).  An entry no longer as read makes the walk start again: returns
 * true.
 */
static bool
l2_finish_cmpxchg(const struct nept_scenario *s, struct model_state *st,
		  const struct nept_event *ev, const struct l2_walk *w,
		  const struct ad_plan *plan, const struct model_access *acc,
		  struct nept_outcome *out, struct model_trace *t)
{
	uint64_t pa, cur;
	enum acc_result r;

	r = ept_access(s, st, ev, &acc[0], out, t, &pa);
	if (r != ACC_OK) {
		t->l2_stop =
			r == ACC_EXIT ? MODEL_L2_EPT_FINAL : MODEL_L2_UNBACKED;
		return false;
	}
	out->translated = pa;
	for (unsigned k = 0; k < plan->n; k++) {
		unsigned i = plan->set[k].i;
		uint64_t l1pa = t->l2e[i].l1pa;

		if (!l2_read(&st->mem, w->mode, l1pa, &cur)) {
			t->l2_stop = MODEL_L2_UNBACKED;
			all_undefined(out, NEPT_TOL_L2_UNBACKED);
			return false;
		}
		if (cur != t->l2e[i].val)
			return true;
		/* The qword was just read: the write has memory behind it. */
		(void)write_flags(st, w, plan, k, l1pa, out);
	}
	l2_translated(out, t);
	return false;
}

/*
 * Facts §14: a hw-violation with L2 paging on is an access the processor's
 * own walk of L2's tables reached.  A GPA at or above L1's width got there
 * through an L2 entry holding address bits the SDM, at L1's width, calls
 * reserved: the walk stopped there with #PF before this access.  (CR3 and
 * the PDPTE registers are below the width by the scenario's rules, so it
 * was an entry in memory.)
 */
static bool gpa_beyond_l2_width(const struct nept_scenario *s,
				const struct model_state *st,
				const struct nept_event *ev)
{
	unsigned width = s->l1_maxphyaddr;

	if (ev->source != NEPT_SRC_HW_VIOLATION || s->l2.paging == NEPT_L2_OFF)
		return false;
	if (st->hooks && st->hooks->l2_gpa_width)
		width = st->hooks->l2_gpa_width(st->hooks->ctx, s, width);
	return width < 64 && ev->gpa >> width;
}

static void l2_reserved_by_width(const struct nept_scenario *s,
				 const struct nept_event *ev,
				 struct nept_outcome *out,
				 struct model_trace *t)
{
	struct l2_walk w = {
		.mode = s->l2.paging,
		.write = ev->access == NEPT_ACC_WRITE,
		.fetch = ev->access == NEPT_ACC_FETCH,
		.user = s->l2.cpl == 3,
	};

	out->gpa = 0;
	t->l2_stop = MODEL_L2_RESERVED;
	t->l2_rule = "address bits at or above L1's MAXPHYADDR (facts §14)";
	page_fault(s, ev, pfec_access(s, &w) | PFEC_P | PFEC_RSVD, out, t);
}

/*
 * docs/sdm-rules.md §16: the event's access, as the instruction at L2's
 * RIP makes it.  KVM's emulator performs it through its own walk of L2's
 * tables (from here on, each of its accesses is an emulated one: an
 * EPT12 fault is KVM's walker's, not the processor's), at the width L1
 * sees: the processor would have executed the instruction so.
 */
static struct nept_event insn_access(const struct nept_event *ev, uint64_t gla,
				     uint8_t access)
{
	struct nept_event a = *ev;

	a.source = NEPT_SRC_EMULATED;
	/* The current exit: the processor's EPT violation (§16: what the
	 * emulated accesses' EPT12 faults are reported beside). */
	a.exit_reason = NEPT_EXIT_EPT_VIOLATION;
	a.exit_qual = ev->hw_qual;
	a.hw_qual = 0;
	a.gpa = 0;
	a.gla = gla;
	a.access = access;
	a.flags = 0; /* the walk decides them; no IRET, nothing implicit */
	a.has_rip = 0;
	a.rip = 0;
	a.nexpect_mem = 0;
	return a;
}

/* Between two accesses of one instruction: the outcome becomes the next
 * one's, with the writes, the tolerances and the open write set and PML
 * index of those before (they happened). */
static void insn_next_access(struct nept_outcome *out, struct model_trace *t)
{
	static struct nept_outcome keep;
	uint8_t alts_point = t->alts_point, alts = t->alts;
	struct model_insn_trace insn = t->insn;

	nept_outcome_copy(&keep, out);
	nept_outcome_clear(out);
	out->tolerances = keep.tolerances;
	out->undefined = keep.undefined & (NEPT_F_AD_WRITES | NEPT_F_PML_INDEX);
	out->n_ad_writes = keep.n_ad_writes;
	out->writes_lost = keep.writes_lost;
	memcpy(out->ad_write, keep.ad_write,
	       keep.n_ad_writes * sizeof(out->ad_write[0]));
	memset(t, 0, sizeof(*t));
	t->alts_point = alts_point;
	t->alts = alts;
	t->insn = insn;
}

struct nept_event model_insn_last_access(const struct nept_event *ev,
					 const struct model_trace *t)
{
	struct nept_event a = insn_access(ev, t->insn.gla, t->insn.acc);

	/* An instruction runs outside any delivery (insn_runs). */
	a.during = 0;
	return a;
}

struct insn_fetch {
	const struct nept_scenario *s;
	struct model_state *st;
	const struct nept_event *ev;
	struct nept_outcome *out;
	struct model_trace *t;
	uint64_t page;	  /* the linear page fetched from, ~0: none yet */
	uint64_t page_pa; /* its L1-physical address */
	bool faulted;	  /* the fetch's outcome stands */
};

/*
 * The instruction's byte i: each page of it is fetched once, in order,
 * through L2's tables as an instruction fetch at CPL (§16; the emulator's
 * kvm_fetch_guest_virt does the same).  A fetch that does not translate
 * is the event's outcome.
 */
static bool insn_byte(void *ctx, unsigned i, uint8_t *byte)
{
	struct insn_fetch *f = ctx;
	uint64_t la = f->ev->rip + i, q;

	if (f->s->l2.paging < NEPT_L2_4LEVEL)
		la &= 0xffffffffull;
	if ((la & ~0xfffull) != f->page) {
		struct nept_event fe = insn_access(f->ev, la, NEPT_ACC_FETCH);

		if (f->page != ~0ull)
			insn_next_access(f->out, f->t);
		f->t->insn.gla = la;
		f->t->insn.acc = NEPT_ACC_FETCH;
		l2_event(f->s, f->st, &fe, f->out, f->t);
		if (f->out->kind != NEPT_OUT_NONE ||
		    f->t->l2_stop != MODEL_L2_OK) {
			f->faulted = true;
			return false;
		}
		f->page = la & ~0xfffull;
		f->page_pa = f->out->translated & ~0xfffull;
		f->t->insn.page[f->t->insn.page[0] != ~0ull] = f->page_pa;
	}
	if (!nept_mem_read(&f->st->mem, f->page_pa | (la & 0xff8), &q))
		return false;
	*byte = (uint8_t)(q >> (8 * (la & 7)));
	return true;
}

static void insn_event(const struct nept_scenario *s, struct model_state *st,
		       const struct nept_event *ev, struct nept_outcome *out,
		       struct model_trace *t)
{
	bool mode64 = s->l2.paging >= NEPT_L2_4LEVEL;
	struct insn_fetch f = { s, st, ev, out, t, ~0ull, 0, false };
	struct model_insn insn;
	struct nept_event de;
	uint64_t end;

	out->gpa = 0;
	switch (model_insn_decode(mode64, insn_byte, &f, &insn)) {
	case MODEL_INSN_NO_BYTE:
		if (f.faulted)
			return; /* the fetch's fault or exit */
				/* fallthrough: bytes where L1 has no memory */
	case MODEL_INSN_UNMODELLED:
		all_undefined(out, NEPT_TOL_INSN_UNMODELLED);
		return;
	case MODEL_INSN_OK:
		break;
	}
	/* One page, canonical (64-bit) or inside the 4-GiB segment limit
	 * (32-bit): else a #GP or two translations, §16's tolerance. */
	end = insn.addr + insn.size - 1;
	if ((insn.addr ^ end) & ~0xfffull || end < insn.addr ||
	    nept_l2_linear(s->l2.paging, insn.addr) != insn.addr ||
	    nept_l2_linear(s->l2.paging, end) != end) {
		all_undefined(out, NEPT_TOL_INSN_ACCESS_SPLIT);
		return;
	}
	insn_next_access(out, t);
	de = insn_access(ev, insn.addr,
			 insn.write ? NEPT_ACC_WRITE : NEPT_ACC_READ);
	t->insn.gla = de.gla;
	t->insn.acc = de.access;
	l2_event(s, st, &de, out, t);
}

/*
 * §16: the instruction at RIP makes the event's access, unless the access
 * was made while an event was delivered: then it was the delivery's (an
 * IDT, GDT or stack access), no instruction runs, and §14's reserved-bit
 * #PF is the delivery's second exception (facts §10.2).
 */
static bool insn_runs(const struct nept_scenario *s,
		      const struct model_state *st, const struct nept_event *ev)
{
	if (!ev->has_rip)
		return false;
	if (!ev->during)
		return true;
	return st->hooks && st->hooks->insn_drops_delivery &&
	       st->hooks->insn_drops_delivery(st->hooks->ctx, s);
}

void model_state_init(struct model_state *st, const struct nept_scenario *s)
{
	nept_mem_copy(&st->mem, &s->mem);
	st->pml_index = s->ctl.pml_index;
	st->hooks = NULL;
	st->choice = 0;
	st->ept_view = NULL;
	st->l2_width = 0;
	st->walk_user = -1;
}

bool model_processor_pf(const struct nept_scenario *s,
			const struct model_state *st,
			const struct nept_event *ev, uint32_t *pfec)
{
	static struct model_state proc;
	struct nept_outcome out;
	struct model_trace t;
	struct nept_event e = nept_effective_event(s, ev);

	if (s->l2.paging == NEPT_L2_OFF)
		return false;
	model_state_copy(&proc, st);
	proc.hooks = NULL;
	proc.choice = 0;
	proc.ept_view = NULL;
	proc.l2_width = (uint8_t)nept_host_maxphyaddr(s);
	e.during = 0; /* the error code is the walk's, whatever follows */
	nept_outcome_clear(&out);
	memset(&t, 0, sizeof(t));
	l2_walk_once(s, &proc, &e, &out, &t, false);
	if (t.l2_stop < MODEL_L2_NOT_PRESENT || t.l2_stop > MODEL_L2_RIGHTS)
		return false;
	*pfec = t.pfec;
	return true;
}

/*
 * Facts §14: a #PF exit from L2 (an emulated event's exit exception-nmi
 * vector 14) on a processor wider than L1.  L0 cannot let the processor's
 * #PF stand, since it was raised at the host's width: the SDM's walk at
 * L1's width decides what L2 (or, by vmcs12's bitmap, L1) sees, whoever
 * vmcs02 sent the exit to.  An implementation that leaves the width to
 * the processor (model_hooks.l2_gpa_width at or above the host's) keeps
 * the exit as the processor gave it: facts §15.2.
 */
static bool pf_exit_at_l1_width(const struct nept_scenario *s,
				const struct model_state *st,
				const struct nept_event *ev)
{
	unsigned width = s->l1_maxphyaddr;

	if (!model_pf_exit_on_wider_host(s, ev))
		return false;
	if (st->hooks && st->hooks->l2_gpa_width)
		width = st->hooks->l2_gpa_width(st->hooks->ctx, s, width);
	return width < nept_host_maxphyaddr(s);
}

/*
 * pf_exit_at_l1_width's event.  The exit is the processor's #PF for this
 * access, as the scenario gives it (the harness derives it the same way,
 * model_processor_pf); another is no exit this processor makes.  The
 * SDM's walk at L1's width faults too (its reserved bits include the
 * host's), at the same entry or before, so it writes only the EPT12 flags
 * of its table reads, which L0 may have set before the exit.  A
 * not-present fault (P = 0) is the same at both widths (an entry with bits
 * between them would have led the processor's walk beyond L1's width
 * first): that #PF stands as the processor raised it, and L0's fix-up
 * (kvm_fixup_and_inject_pf_error) walks nothing for it.
 */
static void pf_exit_event(const struct nept_scenario *s, struct model_state *st,
			  const struct nept_event *ev, struct nept_outcome *out,
			  struct model_trace *t)
{
	uint16_t pml_before = st->pml_index;
	uint32_t hw;

	out->pml_index = st->pml_index;
	if (!model_processor_pf(s, st, ev, &hw) || hw != ev->exit_error_code ||
	    ev->exit_qual != ev->gla) {
		all_undefined(out, NEPT_TOL_EXIT_OWNER);
		return;
	}
	if (!(hw & PFEC_P)) {
		t->l2_stop = MODEL_L2_PROCESSOR_PF;
		page_fault(s, ev, hw, out, t);
		return;
	}
	if (st->hooks && st->hooks->pf_fixup_walk &&
	    st->hooks->pf_fixup_walk(st->hooks->ctx, s, hw)) {
		/* An implementation walks the access the error code names,
		 * explicit; a walk that then finds the translation leaves
		 * the processor's #PF standing, after its flag writes. */
		struct nept_event kw = *ev;

		kw.flags &= (uint8_t)~NEPT_AF_IMPLICIT;
		kw.access = (hw & PFEC_W)    ? NEPT_ACC_WRITE
			    : (hw & PFEC_ID) ? NEPT_ACC_FETCH
					     : NEPT_ACC_READ;
		st->walk_user = !!(hw & PFEC_U);
		l2_event(s, st, &kw, out, t);
		st->walk_user = -1;
		if (t->l2_stop == MODEL_L2_OK) {
			model_page_fault(s, ev, hw, out);
			t->l2_stop = MODEL_L2_PROCESSOR_PF;
			t->pfec = hw;
		}
	} else {
		l2_event(s, st, ev, out, t);
	}
	out->pml_index = st->pml_index;
	if (!out->n_ad_writes && st->pml_index == pml_before)
		return;
	for (unsigned i = 0; i < out->n_ad_writes; i++) {
		out->ad_write[i].optional = 1;
		out->ad_write[i].may_bits = 0;
	}
	if (st->pml_index != pml_before)
		out->undefined |= NEPT_F_PML_INDEX;
	set_tolerance(out, NEPT_TOL_PF_EXIT_EPT_AD);
}

void model_page_fault(const struct nept_scenario *s,
		      const struct nept_event *ev, uint32_t pfec,
		      struct nept_outcome *out)
{
	static struct nept_outcome keep;
	struct model_trace t;
	struct nept_event e = nept_effective_event(s, ev);

	/* Only the exception's routing changes: the walk's memory writes,
	 * the PML index and the tolerances stay. */
	nept_outcome_copy(&keep, out);
	nept_outcome_clear(out);
	memset(&t, 0, sizeof(t));
	out->from_hardware = e.source == NEPT_SRC_HW_VIOLATION;
	page_fault(s, &e, pfec, out, &t);
	out->pml_index = keep.pml_index;
	out->tolerances |= keep.tolerances;
	out->n_ad_writes = keep.n_ad_writes;
	memcpy(out->ad_write, keep.ad_write,
	       keep.n_ad_writes * sizeof(out->ad_write[0]));
}

void model_run_event(const struct nept_scenario *s, struct model_state *st,
		     const struct nept_event *event, struct nept_outcome *out,
		     struct model_trace *trace)
{
	struct model_trace local;
	struct model_trace *t = trace ? trace : &local;
	struct nept_event e = nept_effective_event(s, event);
	const struct nept_event *ev = &e;
	uint64_t l1pa;

	nept_outcome_clear(out);
	memset(t, 0, sizeof(*t));
	if (ev->source == NEPT_SRC_VM_ENTRY) {
		model_vm_entry(s, st, out, t);
		return;
	}
	out->from_hardware = ev->source == NEPT_SRC_HW_VIOLATION;
	out->gpa = ev->gpa;
	if (pf_exit_at_l1_width(s, st, ev)) {
		pf_exit_event(s, st, ev, out, t);
		return;
	}
	/* Facts §15: the exit L0 got may be L1's; then no access happens. */
	switch (model_exit_owner(s, &st->mem, ev)) {
	case MODEL_EXIT_L1:
		model_reflected_exit(ev, out);
		out->pml_index = st->pml_index;
		return;
	case MODEL_EXIT_UNDECIDED:
		all_undefined(out, NEPT_TOL_EXIT_OWNER);
		out->pml_index = st->pml_index;
		return;
	case MODEL_EXIT_L0:
		break;
	}
	if (nept_walks_l2(s, ev)) {
		out->gpa = 0;
		l2_event(s, st, ev, out, t);
	} else if (gpa_beyond_l2_width(s, st, ev)) {
		if (insn_runs(s, st, ev)) {
			/* (An implementation that runs it during a delivery
			 * forgets the delivery.) */
			struct nept_event ie = *ev;

			ie.during = 0;
			/* Before: implementations' hooks ask. */
			t->insn = (struct model_insn_trace){
				.on = 1, .page = { ~0ull, ~0ull }
			};
			insn_event(s, st, &ie, out, t);
			out->from_hardware = 0;
		} else {
			l2_reserved_by_width(s, ev, out, t);
		}
	} else {
		/* L2 paging off, or a hardware violation: one access, whose
		 * GPA and guest-paging properties the event names (facts
		 * §8.3: with CR0.PG = 0 only step 5 applies). */
		struct model_access a =
			make_access(s, st, ev, MODEL_ACC_EVENT, ev->gpa,
				    ev->access, ev->flags);

		if (ept_access(s, st, ev, &a, out, t, &l1pa) == ACC_OK) {
			out->kind = NEPT_OUT_NONE;
			out->translated = l1pa;
			out->undefined |=
				NEPT_F_GPA | NEPT_F_GLA | NEPT_F_GLA_VALID;
		}
	}
	/* Facts §7.2: the guest PML index L1 reads back after the event. */
	out->pml_index = st->pml_index;
}

/*
 * model_run_event_set's work: o[0] runs on st, every other outcome on a
 * copy of start, the state before the event (which nothing here writes).
 */
static void run_set(const struct nept_scenario *s, struct model_state *st,
		    const struct model_state *start,
		    const struct nept_event *ev, struct model_outcomes *outs,
		    struct model_trace *trace)
{
	struct model_trace local;
	struct model_trace *t = trace ? trace : &local;
	static struct model_state sc;
	unsigned alts;

	outs->n = 1;
	st->choice = 0;
	model_run_event(s, st, ev, &outs->o[0], t);
	alts = t->alts;
	for (unsigned c = 1; c <= alts && outs->n < MODEL_MAX_OUTCOMES; c++) {
		struct model_trace tt;

		model_state_copy(&sc, start);
		sc.choice = (uint8_t)c;
		model_run_event(s, &sc, ev, &outs->o[outs->n++], &tt);
	}
	/*
	 * Facts §5.7: where the event's own writes (guest A/D flags, EPT
	 * A/D flags, a PML entry) change EPT12 entries a later translation
	 * of the same event uses, the processor may translate from what it
	 * cached before the change: the event with every EPT12 walk reading
	 * the memory as it was when the event began.  Added only where it
	 * gives something else.
	 */
	if (outs->n < MODEL_MAX_OUTCOMES && outs->o[0].n_ad_writes &&
	    !(st->hooks && st->hooks->ept_ad_cmpxchg &&
	      st->hooks->ept_ad_cmpxchg(st->hooks->ctx, s, 0))) {
		/* (With no write, memory never changed: nothing to add.) */
		struct model_trace tt;
		struct nept_outcome *o = &outs->o[outs->n];
		bool same = false;

		model_state_copy(&sc, start);
		sc.ept_view = &start->mem;
		sc.choice = 0;
		model_run_event(s, &sc, ev, o, &tt);
		for (unsigned k = 0; k < outs->n && !same; k++)
			same = nept_outcome_same(o, &outs->o[k]);
		if (!same) {
			o->tolerances |= 1u << NEPT_TOL_EPT_CACHED;
			for (unsigned k = 0; k < outs->n; k++)
				outs->o[k].tolerances |= 1u
							 << NEPT_TOL_EPT_CACHED;
			outs->n++;
		}
	}
}

void model_run_event_set(const struct nept_scenario *s, struct model_state *st,
			 const struct nept_event *ev,
			 struct model_outcomes *outs, struct model_trace *trace)
{
	static struct model_state start;

	model_state_copy(&start, st);
	run_set(s, st, &start, ev, outs, trace);
}

void model_event_outcomes(const struct nept_scenario *s,
			  const struct model_state *st,
			  const struct nept_event *ev,
			  struct model_outcomes *outs)
{
	static struct model_state run;

	model_state_copy(&run, st);
	run_set(s, &run, st, ev, outs, NULL);
}

void model_print_l2_trace(FILE *f, const struct model_trace *t,
			  const char *indent)
{
	static const char *const stops[] = {
		[MODEL_L2_NONE] = "none",
		[MODEL_L2_OK] = "translated",
		[MODEL_L2_EPT_ENTRY] = "EPT12 fault on a guest entry",
		[MODEL_L2_NOT_PRESENT] = "#PF not present",
		[MODEL_L2_RESERVED] = "#PF reserved bit",
		[MODEL_L2_RIGHTS] = "#PF access rights",
		[MODEL_L2_EPT_FINAL] = "EPT12 fault on the final GPA",
		[MODEL_L2_EPT_AD] = "EPT12 fault on a guest A/D write",
		[MODEL_L2_UNBACKED] = "no memory behind an entry",
		[MODEL_L2_BEYOND_WIDTH] = "a GPA beyond L1's MAXPHYADDR",
		[MODEL_L2_PROCESSOR_PF] = "the processor's #PF (not present)",
	};
	static const char *const names[] = {
		"?", "L2-PTE", "L2-PDE", "L2-PDPTE", "L2-PML4E", "L2-PML5E"
	};

	if (t->l2_stop == MODEL_L2_NONE)
		return;
	fprintf(f, "%sL2 walk:", indent);
	for (unsigned i = 0; i < t->l2_nread && i < 5; i++) {
		const char *name =
			t->l2e[i].level <= 5 ? names[t->l2e[i].level] : "?";

		if (t->l2e[i].gpa == MODEL_L2_REGISTER)
			fprintf(f, " %s(register)=0x%llx", name,
				(unsigned long long)t->l2e[i].val);
		else
			fprintf(f, " %s@0x%llx(l1 0x%llx)=0x%llx", name,
				(unsigned long long)t->l2e[i].gpa,
				(unsigned long long)t->l2e[i].l1pa,
				(unsigned long long)t->l2e[i].val);
	}
	fprintf(f, "\n%sL2 stopped: %s", indent,
		t->l2_stop < sizeof(stops) / sizeof(stops[0])
			? stops[t->l2_stop]
			: "?");
	if (t->l2_rule)
		fprintf(f, " (%s)", t->l2_rule);
	if ((t->l2_stop >= MODEL_L2_NOT_PRESENT &&
	     t->l2_stop <= MODEL_L2_RIGHTS) ||
	    t->l2_stop == MODEL_L2_PROCESSOR_PF)
		fprintf(f, ", error code 0x%x", t->pfec);
	if (t->l2_stop == MODEL_L2_OK || t->l2_stop == MODEL_L2_EPT_FINAL ||
	    t->l2_stop == MODEL_L2_EPT_AD)
		fprintf(f, ", final GPA 0x%llx",
			(unsigned long long)t->l2_final);
	fputc('\n', f);
}

static void model_run(const struct nept_scenario *s, struct nept_result *r)
{
	struct model_state st;

	model_state_init(&st, s);
	r->nevents = s->nevents;
	for (unsigned i = 0; i < s->nevents; i++)
		model_run_event(s, &st, &s->event[i], &r->event[i], NULL);
}

const struct nept_impl model_impl = {
	.name = "model",
	.version = "SDM facts sheet (docs/sdm-rules.md)",
	.caps = NEPT_CAP_ALL,
	.run = model_run,
};
