// SPDX-License-Identifier: GPL-2.0-only
/*
 * The prediction: the SDM model's run of an event with the access and PML
 * hooks of a tree's deviations, then their outcome changes; and the state
 * KVM keeps from one event to the next.
 */
#include <stdio.h>
#include <string.h>

#include "deviation.h"

/* Whether one atom ("p" or "!p") holds for impl. */
static bool atom_holds(const struct nept_impl *impl, const char *a, size_t n)
{
	char probe[64];
	bool neg = *a == '!';

	if (neg) {
		a++;
		n--;
	}
	snprintf(probe, sizeof(probe), "%.*s", (int)n, a);
	return nept_impl_has_probe(impl, probe) != neg;
}

/* trees: terms separated by spaces, all must hold; a term is atoms
 * separated by '|', one must hold. */
static bool trees_hold(const struct nept_impl *impl, const char *trees)
{
	const char *p = trees;

	while (*p) {
		bool any = false;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		for (;;) {
			size_t n = strcspn(p, " |");

			any |= atom_holds(impl, p, n);
			p += n;
			if (*p != '|')
				break;
			p++;
		}
		if (!any)
			return false;
	}
	return true;
}

uint64_t nept_deviations_off;

uint64_t nept_deviations_of(const struct nept_impl *impl)
{
	static const struct nept_impl *seen[NEPT_MAX_IMPLS];
	static uint64_t masks[NEPT_MAX_IMPLS];
	uint64_t m = 0;
	unsigned i;

	if (!impl->probes)
		return 0;
	for (i = 0; i < NEPT_MAX_IMPLS && seen[i]; i++)
		if (seen[i] == impl)
			return masks[i] & ~nept_deviations_off;
	for (unsigned d = 0; d < nept_ndeviations; d++)
		if (trees_hold(impl, nept_deviations[d]->trees))
			m |= 1ull << d;
	if (i < NEPT_MAX_IMPLS) {
		seen[i] = impl;
		masks[i] = m;
	}
	return m & ~nept_deviations_off;
}

void nept_history_init(struct kvm_history *h)
{
	memset(h, 0, sizeof(*h));
}

/*
 * The deviations whose `member` hook is set, as a mask, found on first use
 * (the table is constant).  The hooks run at every step of every predicted
 * walk: testing all of nept_deviations there, each one's hook pointer a
 * load from its own struct, was 4% of each fuzz_diff execution (perf).
 */
#define DEVIATIONS_WITH(member)                                            \
	__extension__({                                                    \
		static uint64_t with_;                                     \
		static bool found_;                                        \
                                                                           \
		if (!found_) {                                             \
			for (unsigned i_ = 0; i_ < nept_ndeviations; i_++) \
				if (nept_deviations[i_]->member)           \
					with_ |= 1ull << i_;               \
			found_ = true;                                     \
		}                                                          \
		with_;                                                     \
	})

/* d through each deviation of mask, lowest first (table order). */
#define FOR_EACH_DEVIATION(d, mask)                                   \
	for (uint64_t left_ = (mask);                                 \
	     left_ && ((d) = (unsigned)__builtin_ctzll(left_), true); \
	     left_ &= left_ - 1)

/* What the hooks need: the event and the deviations, and where to say
 * which changed something. */
struct hook_ctx {
	const struct dev_event *e;
	uint64_t mask;
	uint64_t *fired;
	/* The deviations whose PSE-36 bits, PDPT address, late entry
	 * checks, DEBUGCTL bits or MSR writes differ from the SDM's (whether
	 * they decide the outcome is found by running again without
	 * them). */
	uint64_t rerun;
	/* The deviations of mask that set EPT12's flags, and L2's, KVM's
	 * way (cmpxchg_mask). */
	uint64_t ept_cmpxchg, l2_cmpxchg;
};

static void hook_access(const void *ctx, const struct nept_scenario *s,
			const struct nept_event *ev, struct model_access *a)
{
	const struct hook_ctx *c = ctx;
	unsigned d;

	(void)s;
	(void)ev;
	FOR_EACH_DEVIATION (d, c->mask & DEVIATIONS_WITH(access)) {
		unsigned need = a->need;
		uint64_t bits = a->acc_bits;

		nept_deviations[d]->access(c->e, a);
		if (a->need != need || a->acc_bits != bits)
			*c->fired |= 1ull << d;
	}
}

/* The deviations of mask that set flags KVM's way, for EPT12 walks
 * (l2 = false) or for L2's walk. */
static uint64_t cmpxchg_mask(uint64_t mask, bool l2)
{
	return mask & (l2 ? DEVIATIONS_WITH(l2_ad_cmpxchg)
			  : DEVIATIONS_WITH(ept_ad_cmpxchg));
}

/* Both cmpxchg hooks: KVM's way wherever a deviation of m says so, which
 * changed something only once a walk started over. */
static bool cmpxchg_hook(const struct hook_ctx *c, uint64_t m, unsigned again)
{
	if (m && again)
		*c->fired |= m;
	return m != 0;
}

static bool hook_ept_ad_cmpxchg(const void *ctx, const struct nept_scenario *s,
				unsigned tries)
{
	const struct hook_ctx *c = ctx;

	(void)s;
	return cmpxchg_hook(c, c->ept_cmpxchg, tries);
}

static bool hook_l2_ad_cmpxchg(const void *ctx, const struct nept_scenario *s,
			       unsigned restarts)
{
	const struct hook_ctx *c = ctx;

	(void)s;
	return cmpxchg_hook(c, c->l2_cmpxchg, restarts);
}

/*
 * Applies each deviation of c's `member` in turn to value (a value the
 * SDM gives, which a deviation may change); a deviation that changes it
 * goes to c->rerun, for the second run that finds whether it decided the
 * outcome.  Further arguments follow the value.
 */
#define APPLY_VALUE_HOOKS(c, member, value, ...)                               \
	do {                                                                   \
		unsigned d_;                                                   \
                                                                               \
		FOR_EACH_DEVIATION (d_, (c)->mask & DEVIATIONS_WITH(member)) { \
			__typeof__(value) before_ = (value);                   \
                                                                               \
			(value) = nept_deviations[d_]->member((value),         \
							      ##__VA_ARGS__);  \
			if ((value) != before_)                                \
				(c)->rerun |= 1ull << d_;                      \
		}                                                              \
	} while (0)

static unsigned hook_pse36_low(const void *ctx, unsigned sdm_low)
{
	struct hook_ctx *c = (struct hook_ctx *)ctx;
	unsigned low = sdm_low;

	APPLY_VALUE_HOOKS(c, pse36_low, low);
	return low;
}

static uint64_t hook_entry_debugctl(const void *ctx, uint64_t sdm_valid)
{
	struct hook_ctx *c = (struct hook_ctx *)ctx;
	uint64_t valid = sdm_valid;

	APPLY_VALUE_HOOKS(c, entry_debugctl, valid);
	return valid;
}

static bool hook_entry_wrmsr(const void *ctx, bool sdm_faults,
			     const struct model_wrmsr *w)
{
	struct hook_ctx *c = (struct hook_ctx *)ctx;
	bool faults = sdm_faults;

	APPLY_VALUE_HOOKS(c, entry_wrmsr, faults, w);
	return faults;
}

static uint64_t hook_entry_msr_value(const void *ctx, uint64_t sdm_value,
				     const struct model_wrmsr *w)
{
	struct hook_ctx *c = (struct hook_ctx *)ctx;
	uint64_t value = sdm_value;

	APPLY_VALUE_HOOKS(c, entry_msr_value, value, w);
	return value;
}

static unsigned hook_l2_gpa_width(const void *ctx,
				  const struct nept_scenario *s,
				  unsigned sdm_width)
{
	struct hook_ctx *c = (struct hook_ctx *)ctx;
	unsigned width = sdm_width;

	APPLY_VALUE_HOOKS(c, l2_gpa_width, width, s);
	return width;
}

static bool hook_pf_fixup_walk(const void *ctx, const struct nept_scenario *s,
			       uint32_t hw)
{
	struct hook_ctx *c = (struct hook_ctx *)ctx;
	bool walks = false;

	APPLY_VALUE_HOOKS(c, pf_fixup_walk, walks, s, hw);
	return walks;
}

static bool hook_insn_drops_delivery(const void *ctx,
				     const struct nept_scenario *s)
{
	struct hook_ctx *c = (struct hook_ctx *)ctx;
	bool drops = false;

	APPLY_VALUE_HOOKS(c, insn_drops_delivery, drops, s);
	return drops;
}

static uint64_t hook_pdpt_base(const void *ctx, uint64_t sdm_base, uint64_t cr3)
{
	struct hook_ctx *c = (struct hook_ctx *)ctx;
	uint64_t base = sdm_base;

	APPLY_VALUE_HOOKS(c, pdpt_base, base, cr3);
	return base;
}

static unsigned hook_entry_late(const void *ctx)
{
	struct hook_ctx *c = (struct hook_ctx *)ctx;
	unsigned late = 0, d;

	FOR_EACH_DEVIATION (d, c->mask & DEVIATIONS_WITH(entry_late)) {
		late |= nept_deviations[d]->entry_late;
		c->rerun |= 1ull << d;
	}
	return late;
}

/* The model's hooks, each calling the deviations of c. */
static struct model_hooks hooks_of(struct hook_ctx *c)
{
	return (struct model_hooks){
		.ctx = c,
		.access = hook_access,
		.pse36_low = hook_pse36_low,
		.ept_ad_cmpxchg = hook_ept_ad_cmpxchg,
		.l2_ad_cmpxchg = hook_l2_ad_cmpxchg,
		.pdpt_base = hook_pdpt_base,
		.entry_late = hook_entry_late,
		.entry_debugctl = hook_entry_debugctl,
		.entry_wrmsr = hook_entry_wrmsr,
		.entry_msr_value = hook_entry_msr_value,
		.l2_gpa_width = hook_l2_gpa_width,
		.pf_fixup_walk = hook_pf_fixup_walk,
		.insn_drops_delivery = hook_insn_drops_delivery,
	};
}

/* Whether two runs of an event end differently (kind, exit, vector,
 * error code, addresses). */
static bool ends_differently(const struct nept_outcome *a,
			     const struct nept_outcome *b)
{
	/* A failed VM entry ends at its code or MSR-load entry (exit 33's
	 * and 34's qualification, facts §7.4). */
	bool entry_fail = a->kind == NEPT_OUT_EXIT &&
			  (a->reason == NEPT_EXIT_ENTRY_FAIL_GUEST ||
			   a->reason == NEPT_EXIT_ENTRY_FAIL_MSR);

	return a->kind != b->kind || a->reason != b->reason ||
	       a->vector != b->vector || a->error_code != b->error_code ||
	       a->gpa != b->gpa || a->translated != b->translated ||
	       (entry_fail && a->qual != b->qual) || a->n_msrs != b->n_msrs ||
	       memcmp(a->msr, b->msr, a->n_msrs * sizeof(a->msr[0]));
}

/* Whether event i ends otherwise than o when the deviations in `without`
 * are left out of the run that gave o. */
static bool ends_without(const struct nept_scenario *sp,
			 const struct nept_scenario *s, unsigned i,
			 const struct model_state *st, const struct hook_ctx *c,
			 uint64_t without, const struct nept_outcome *o)
{
	struct hook_ctx c2 = {
		c->e, c->mask & ~without,	 &(uint64_t){ 0 },
		0,    c->ept_cmpxchg & ~without, c->l2_cmpxchg & ~without
	};
	struct model_hooks h2 = hooks_of(&c2);
	static struct model_state sdm;
	struct nept_outcome other;

	model_state_copy(&sdm, st);
	sdm.hooks = &h2;
	model_run_event(sp, &sdm, &s->event[i], &other, NULL);
	return ends_differently(&other, o);
}

/* vmcs02's exit fields at the event's hardware exit (the harness plays
 * that hardware: kvm/kvm_impl.c's nept_hw_exit). */
static void current_exit(const struct nept_event *ev, uint16_t *reason,
			 uint64_t *qual)
{
	switch (ev->source) {
	case NEPT_SRC_HW_VIOLATION:
		*reason = NEPT_EXIT_EPT_VIOLATION;
		*qual = ev->hw_qual;
		break;
	case NEPT_SRC_HW_MISCONFIG:
		*reason = NEPT_EXIT_EPT_MISCONFIG;
		*qual = 0;
		break;
	default:
		*reason = ev->exit_reason;
		*qual = ev->exit_qual;
		break;
	}
}

/* vmcs02's guest-linear address after the event's hardware exit. */
static uint64_t vmcs02_gla_after(const struct nept_event *ev, uint64_t before)
{
	if (ev->source == NEPT_SRC_HW_VIOLATION ||
	    (ev->source == NEPT_SRC_EMULATED && nept_exit_saves_gla(ev)))
		return ev->gla;
	return before;
}

/*
 * The deviations a value hook changed (c->rerun) and, where the capabilities
 * KVM reads differ from L1's (sp != s), those of the capabilities: which of
 * them decided o, the outcome of event i as the walk with every deviation
 * gave it.  Each takes one more run of the event.
 */
static uint64_t decided(const struct nept_scenario *sp,
			const struct nept_scenario *s, unsigned i,
			const struct model_state *st, struct hook_ctx *c,
			const struct nept_outcome *o)
{
	uint64_t mask = c->mask, fired = 0;
	unsigned d;

	if (sp != s) {
		/* Did the capabilities matter?  Only if the SDM's walk with
		 * L1's own gives another outcome. */
		struct model_hooks hooks = hooks_of(c);
		static struct model_state sdm;
		struct nept_outcome so;

		model_state_copy(&sdm, st);
		sdm.hooks = &hooks;
		model_run_event(s, &sdm, &s->event[i], &so, NULL);
		if (so.kind != o->kind || so.reason != o->reason)
			fired |= mask & DEVIATIONS_WITH(caps);
	}
	if (c->rerun) {
		/* Did the PSE-36 bits, the PDPT address, the late entry
		 * checks or an MSR write matter?  A deviation did if the event
		 * without it ends otherwise; if none does alone but all of
		 * them together do, they decided together. */
		uint64_t alone = 0;

		FOR_EACH_DEVIATION (d, c->rerun)
			if (ends_without(sp, s, i, st, c, 1ull << d, o))
				alone |= 1ull << d;
		if (!alone && ends_without(sp, s, i, st, c, c->rerun, o))
			alone = c->rerun;
		fired |= alone;
	}
	return fired;
}

void nept_predict(const struct nept_scenario *s, unsigned i,
		  const struct nept_impl *impl, const struct model_state *st,
		  const struct kvm_history *h, bool attribute,
		  struct nept_prediction *p)
{
	static struct nept_scenario ks;
	const struct nept_scenario *sp = s;
	uint64_t mask = nept_deviations_of(impl), fired = 0;
	struct nept_event ev = nept_effective_event(s, &s->event[i]);
	struct kvm_history now = *h;
	struct dev_event e = { .ev = &ev, .impl = impl, .h = &now, .t = &p->t };
	struct hook_ctx c = { &e,
			      mask,
			      &fired,
			      0,
			      cmpxchg_mask(mask, false),
			      cmpxchg_mask(mask, true) };
	struct model_hooks hooks = hooks_of(&c);
	static struct model_state ms;
	uint32_t caps = s->caps;
	unsigned d;

	/* The capabilities as KVM's code reads L1's MSR. */
	FOR_EACH_DEVIATION (d, mask & DEVIATIONS_WITH(caps))
		nept_deviations[d]->caps(&caps);
	if (caps != s->caps) {
		ks = *s;
		ks.caps = caps;
		sp = &ks;
	}
	e.s = sp;
	current_exit(&ev, &p->exit_reason, &p->exit_qual);
	e.exit_reason = p->exit_reason;
	e.exit_qual = p->exit_qual;
	now.vmcs02_gla = vmcs02_gla_after(&ev, h->vmcs02_gla);

	model_state_copy(&ms, st);
	ms.hooks = &hooks;
	model_run_event_set(sp, &ms, &s->event[i], &p->set, &p->t);
	for (unsigned k = 0; k < p->set.n; k++)
		p->at_final[k] = !!(p->set.o[k].qual & QUAL_GLA_FINAL);
	/* Before the outcome hooks turn p->set (ends_without compares with
	 * the outcome as the walk gave it). */
	if (attribute) {
		/* Its runs' hooks add to fired as well. */
		uint64_t dec = decided(sp, s, i, st, &c, &p->set.o[0]);

		fired |= dec;
	} else {
		/* Every deviation that changed a value, whether or not it
		 * decided the outcome: a superset of what decided() finds. */
		fired |= c.rerun;
		if (sp != s)
			fired |= mask & DEVIATIONS_WITH(caps);
	}
	for (unsigned k = 0; k < p->set.n; k++)
		FOR_EACH_DEVIATION (d, mask & DEVIATIONS_WITH(outcome))
			if (nept_deviations[d]->outcome(&e, &p->set.o[k]))
				fired |= 1ull << d;
	p->fired = fired;
}

bool nept_history_needs_prediction(const struct nept_impl *impl,
				   const struct nept_scenario *s)
{
	uint64_t mask = nept_deviations_of(impl);
	unsigned d;

	FOR_EACH_DEVIATION (d, mask & DEVIATIONS_WITH(history)) {
		const struct nept_deviation *dv = nept_deviations[d];

		if (!dv->history_applies || dv->history_applies(s))
			return true;
	}
	return false;
}

void nept_history_next(const struct nept_scenario *s, unsigned i,
		       const struct nept_impl *impl,
		       const struct nept_prediction *p,
		       const struct nept_outcome *got, struct kvm_history *h)
{
	uint64_t mask = nept_deviations_of(impl);
	struct nept_event ev = nept_effective_event(s, &s->event[i]);
	struct kvm_history before = *h;
	struct dev_event e = { .s = s, .ev = &ev, .impl = impl, .h = &before };
	unsigned d;

	h->vmcs02_gla = vmcs02_gla_after(&ev, before.vmcs02_gla);
	if (!p)
		return;
	e.exit_reason = p->exit_reason;
	e.exit_qual = p->exit_qual;
	e.t = &p->t;
	FOR_EACH_DEVIATION (d, mask & DEVIATIONS_WITH(history))
		nept_deviations[d]->history(&e, got, h);
}

void nept_deviation_names(uint64_t mask, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = 0;
	for (unsigned d = 0; d < nept_ndeviations && len < n; d++)
		if (mask >> d & 1)
			len += (size_t)snprintf(buf + len, n - len, "%s%s",
						len ? ", " : "",
						nept_deviations[d]->name);
}
