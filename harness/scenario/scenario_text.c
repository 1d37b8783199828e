// SPDX-License-Identifier: GPL-2.0-only
/*
 * The text encoding, for people (docs/scenario-format.md): one directive
 * per line, '#' comments, names instead of bits.  The parser reports
 * line:col for every mistake and never reads past len (the text is not
 * NUL-terminated); the writer emits the one canonical form, with every EPT
 * entry's bits decoded in a comment.
 */
#include "scenario.h"
#include "arch.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_TOKENS 32
#define PAGE_MASK 0xfffull

/* EPTP fields (facts §1) for the key form of `eptp`. */
#define EPTP_MT 7ull
#define EPTP_WALK_SHIFT 3
#define EPTP_AD (1ull << 6)
#define EPTP_MT_UC 0
#define EPTP_MT_WB 6

struct token {
	const char *p;
	size_t len;
	int col;
};

/* Where each part of the scenario came from, to place check errors. */
struct origin {
	int line, col;
};

struct addr_origin {
	uint64_t addr;
	struct origin at;
};

struct parser {
	struct nept_scenario *s;
	struct nept_error *err;
	int line;
	struct token tok[MAX_TOKENS];
	unsigned ntok;

	bool magic;
	struct origin caps, maxphyaddr, host, eptp, l2, controls, pdpte[4];
	struct origin event[NEPT_MAX_EVENTS], expect[NEPT_MAX_EVENTS];
	struct origin expect_mem[NEPT_MAX_EVENTS][NEPT_MAX_EXPECT_MEM];
	/* Every qword or entry line, zero values included, for duplicates. */
	struct addr_origin qword[NEPT_MAX_QWORDS];
	unsigned nqword;
	struct addr_origin page[NEPT_MAX_PAGES];
	unsigned npage;
};

static bool error_at(struct nept_error *err, int line, int col, const char *fmt,
		     ...)
{
	va_list ap;

	err->line = line;
	err->col = col;
	err->offset = -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return false;
}

#define perr(ps, t, ...) error_at((ps)->err, (ps)->line, (t)->col, __VA_ARGS__)

/* A token as it may be quoted in a message: short, printable. */
static const char *quote(const struct token *t, char *buf, size_t cap)
{
	size_t i, n = t->len < cap - 4 ? t->len : cap - 4;

	for (i = 0; i < n; i++)
		buf[i] = t->p[i] > ' ' && t->p[i] < 0x7f ? t->p[i] : '?';
	if (n < t->len)
		buf[i++] = '.', buf[i++] = '.', buf[i++] = '.';
	buf[i] = 0;
	return buf;
}

#define Q(t) quote((t), (char[40]){ 0 }, 40)

static bool tok_is(const struct token *t, const char *word)
{
	return t->len == strlen(word) && !memcmp(t->p, word, t->len);
}

enum num {
	NUM_OK,
	NUM_BAD,
	NUM_OVERFLOW
};

/* 0x-hex or decimal; overflow is told apart so the message can say so. */
static enum num parse_u64(const char *p, size_t len, uint64_t *v)
{
	enum num r = NUM_OK;
	unsigned base = 10, d;
	size_t i = 0;

	if (len >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		base = 16, i = 2;
	if (i == len)
		return NUM_BAD;
	for (*v = 0; i < len; i++) {
		char c = p[i];

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return NUM_BAD;
		if (*v > (UINT64_MAX - d) / base)
			r = NUM_OVERFLOW;
		*v = *v * base + d;
	}
	return r;
}

static bool number(struct parser *ps, const struct token *t, uint64_t max,
		   uint64_t *v)
{
	switch (parse_u64(t->p, t->len, v)) {
	case NUM_OK:
		if (*v <= max)
			return true;
		return perr(ps, t, "%s is out of range (at most %llu)", Q(t),
			    (unsigned long long)max);
	case NUM_OVERFLOW:
		return perr(ps, t, "%s overflows 64 bits", Q(t));
	default:
		return perr(ps, t, "bad number %s (expected decimal or 0x-hex)",
			    Q(t));
	}
}

/* Splits KEY=VALUE; false when the token is not of that key. */
static bool key_value(const struct token *t, const char *key, struct token *val)
{
	size_t k = strlen(key);

	if (t->len <= k || memcmp(t->p, key, k) || t->p[k] != '=')
		return false;
	val->p = t->p + k + 1;
	val->len = t->len - k - 1;
	val->col = t->col + (int)k + 1;
	return true;
}

static bool value(struct parser *ps, const struct token *val, uint64_t max,
		  uint64_t *v)
{
	if (!val->len)
		return perr(ps, val, "missing value");
	return number(ps, val, max, v);
}

static bool name_bit(const struct nept_name_bit *names, const char *p,
		     size_t len, uint32_t *bit)
{
	for (; names->name; names++) {
		if (strlen(names->name) == len &&
		    !memcmp(names->name, p, len)) {
			*bit = names->bit;
			return true;
		}
	}
	return false;
}

static bool no_more(struct parser *ps, unsigned from)
{
	if (ps->ntok > from)
		return perr(ps, &ps->tok[from], "trailing %s",
			    Q(&ps->tok[from]));
	return true;
}

static bool need(struct parser *ps, unsigned n, const char *what)
{
	if (ps->ntok >= n)
		return true;
	return error_at(ps->err, ps->line,
			ps->tok[ps->ntok - 1].col +
				(int)ps->tok[ps->ntok - 1].len,
			"missing %s", what);
}

static bool once(struct parser *ps, struct origin *o)
{
	if (o->line)
		return perr(ps, &ps->tok[0], "%s already given on line %d",
			    Q(&ps->tok[0]), o->line);
	o->line = ps->line;
	o->col = ps->ntok > 1 ? ps->tok[1].col : ps->tok[0].col;
	return true;
}

static bool d_magic(struct parser *ps)
{
	uint64_t v;

	if (!tok_is(&ps->tok[0], NEPT_TEXT_MAGIC))
		return perr(ps, &ps->tok[0],
			    "expected '" NEPT_TEXT_MAGIC " %d' first",
			    NEPT_SCENARIO_VERSION);
	if (!need(ps, 2, "version") || !number(ps, &ps->tok[1], UINT64_MAX, &v))
		return false;
	if (v != NEPT_SCENARIO_VERSION)
		return perr(ps, &ps->tok[1],
			    "unsupported version %s (supported: %d)",
			    Q(&ps->tok[1]), NEPT_SCENARIO_VERSION);
	ps->magic = true;
	return no_more(ps, 2);
}

static bool d_caps(struct parser *ps)
{
	unsigned i;
	uint32_t bit;

	if (!once(ps, &ps->caps))
		return false;
	/* An explicit list, so a file means the same when defaults change. */
	ps->s->caps = 0;
	for (i = 1; i < ps->ntok; i++) {
		const struct token *t = &ps->tok[i];

		if (tok_is(t, "default"))
			ps->s->caps |= NEPT_CAPS_DEFAULT;
		else if (name_bit(nept_cap_names, t->p, t->len, &bit))
			ps->s->caps |= bit;
		else if (t->p[0] == '-' &&
			 name_bit(nept_cap_names, t->p + 1, t->len - 1, &bit))
			ps->s->caps &= ~bit;
		else
			return perr(ps, t, "unknown capability %s", Q(t));
	}
	return true;
}

static bool d_maxphyaddr(struct parser *ps)
{
	uint64_t v;

	if (!once(ps, &ps->maxphyaddr) || !need(ps, 2, "width") ||
	    !number(ps, &ps->tok[1], UINT64_MAX, &v))
		return false;
	if (v < NEPT_MAXPHYADDR_MIN || v > NEPT_MAXPHYADDR_MAX)
		return perr(ps, &ps->tok[1], "l1-maxphyaddr must be %d..%d",
			    NEPT_MAXPHYADDR_MIN, NEPT_MAXPHYADDR_MAX);
	ps->s->l1_maxphyaddr = (uint8_t)v;
	return no_more(ps, 2);
}

/* eptp VALUE, or eptp [root=A] [walk=4|5] [ad=0|1] [mt=uc|wb|N]. */
static bool d_eptp(struct parser *ps)
{
	uint64_t root = 0x1000, walk = 4, ad = 0, mt = EPTP_MT_WB;
	bool seen[4] = { false };
	static const char *const keys[4] = { "root", "walk", "ad", "mt" };
	struct token val;
	unsigned i, k;

	if (!once(ps, &ps->eptp) || !need(ps, 2, "value"))
		return false;
	if (!memchr(ps->tok[1].p, '=', ps->tok[1].len)) {
		if (!number(ps, &ps->tok[1], UINT64_MAX, &ps->s->eptp))
			return false;
		return no_more(ps, 2);
	}
	for (i = 1; i < ps->ntok; i++) {
		const struct token *t = &ps->tok[i];

		for (k = 0; k < 4 && !key_value(t, keys[k], &val); k++)
			;
		if (k == 4)
			return perr(ps, t, "unknown eptp field %s", Q(t));
		if (seen[k])
			return perr(ps, t, "%s= given twice", keys[k]);
		seen[k] = true;
		if (k == 0) {
			if (!value(ps, &val, UINT64_MAX, &root))
				return false;
			if (root & PAGE_MASK)
				return perr(ps, &val,
					    "root %s is not 4-KiB aligned",
					    Q(&val));
		} else if (k == 1) {
			if (!value(ps, &val, 5, &walk))
				return false;
			if (walk != 4 && walk != 5)
				return perr(ps, &val, "walk must be 4 or 5");
		} else if (k == 2) {
			if (!value(ps, &val, 1, &ad))
				return false;
		} else if (tok_is(&val, "uc")) {
			mt = EPTP_MT_UC;
		} else if (tok_is(&val, "wb")) {
			mt = EPTP_MT_WB;
		} else if (!value(ps, &val, EPTP_MT, &mt)) {
			return false;
		}
	}
	ps->s->eptp =
		root | (walk - 1) << EPTP_WALK_SHIFT | (ad ? EPTP_AD : 0) | mt;
	return true;
}

static bool d_page(struct parser *ps)
{
	const struct token *t = &ps->tok[1];
	uint64_t a;
	unsigned i;

	if (!need(ps, 2, "address") || !number(ps, t, UINT64_MAX, &a))
		return false;
	if (a & PAGE_MASK)
		return perr(ps, t, "page %s is not 4-KiB aligned", Q(t));
	for (i = 0; i < ps->npage; i++)
		if (ps->page[i].addr == a)
			return perr(ps, t,
				    "page 0x%llx already given on line %d",
				    (unsigned long long)a, ps->page[i].at.line);
	if (ps->npage == NEPT_MAX_PAGES || !scenario_add_page(ps->s, a))
		return perr(ps, t, "memory full (at most %d pages)",
			    NEPT_MAX_PAGES);
	ps->page[ps->npage].addr = a;
	ps->page[ps->npage].at = (struct origin){ ps->line, t->col };
	ps->npage++;
	return no_more(ps, 2);
}

static bool set_qword(struct parser *ps, const struct token *where,
		      uint64_t gpa, const struct token *vt)
{
	uint64_t v;
	unsigned i;

	if (!number(ps, vt, UINT64_MAX, &v))
		return false;
	for (i = 0; i < ps->nqword; i++)
		if (ps->qword[i].addr == gpa)
			return perr(ps, where,
				    "qword at 0x%llx already set on line %d",
				    (unsigned long long)gpa,
				    ps->qword[i].at.line);
	if (ps->nqword == NEPT_MAX_QWORDS || !scenario_set_qword(ps->s, gpa, v))
		return perr(ps, where,
			    "memory full (at most %d pages, %d qwords)",
			    NEPT_MAX_PAGES, NEPT_MAX_QWORDS);
	ps->qword[ps->nqword].addr = gpa;
	ps->qword[ps->nqword].at = (struct origin){ ps->line, where->col };
	ps->nqword++;
	return no_more(ps, 3);
}

static bool d_qword(struct parser *ps)
{
	const struct token *t = &ps->tok[1];
	uint64_t a;

	if (!need(ps, 3, "address and value") || !number(ps, t, UINT64_MAX, &a))
		return false;
	if (a & 7)
		return perr(ps, t, "qword address %s is not 8-byte aligned",
			    Q(t));
	return set_qword(ps, t, a, &ps->tok[2]);
}

/* entry TABLE[INDEX] VALUE: the qword at TABLE + 8 * INDEX (facts §3.1). */
static bool d_entry(struct parser *ps)
{
	const struct token *t = &ps->tok[1];
	struct token table, index;
	const char *open;
	uint64_t base, i;

	if (!need(ps, 3, "TABLE[INDEX] and value"))
		return false;
	open = memchr(t->p, '[', t->len);
	if (!open || t->p[t->len - 1] != ']')
		return perr(ps, t, "expected TABLE[INDEX], got %s", Q(t));
	table = (struct token){ t->p, (size_t)(open - t->p), t->col };
	index = (struct token){ open + 1, t->len - table.len - 2,
				t->col + (int)table.len + 1 };
	if (!table.len)
		return perr(ps, t, "missing table address");
	if (!number(ps, &table, UINT64_MAX, &base))
		return false;
	if (base & PAGE_MASK)
		return perr(ps, &table, "table %s is not 4-KiB aligned",
			    Q(&table));
	if (!index.len)
		return perr(ps, &index, "missing index");
	if (!number(ps, &index, 511, &i))
		return false;
	return set_qword(ps, t, base + i * 8, &ps->tok[2]);
}

/* KEY=VALUE pairs (each at most once) and flag names, in any order. */
struct kv {
	const char *key;
	uint64_t max;
	uint64_t val;
	bool seen;
};

static bool keys_and_flags(struct parser *ps, unsigned from, struct kv *kv,
			   unsigned nkv, const struct nept_name_bit *names,
			   uint32_t *flags)
{
	struct token val;
	uint32_t bit;
	unsigned i, k;

	for (i = from; i < ps->ntok; i++) {
		const struct token *t = &ps->tok[i];

		for (k = 0; k < nkv && !key_value(t, kv[k].key, &val); k++)
			;
		if (k < nkv) {
			if (kv[k].seen)
				return perr(ps, t, "%s= given twice",
					    kv[k].key);
			if (!value(ps, &val, kv[k].max, &kv[k].val))
				return false;
			kv[k].seen = true;
		} else if (name_bit(names, t->p, t->len, &bit)) {
			if (*flags & bit)
				return perr(ps, t, "flag %s given twice", Q(t));
			*flags |= bit;
		} else {
			return perr(ps, t, "unknown field or flag %s", Q(t));
		}
	}
	return true;
}

/* l2 paging=MODE [cr3=A] [cpl=N] [pkru=V] [FLAG...] (facts §8). */
static bool d_l2(struct parser *ps)
{
	struct kv kv[] = {
		{ "cr3", UINT64_MAX, 0, false },
		{ "cpl", 3, 0, false },
		{ "pkru", UINT32_MAX, 0, false },
	};
	struct nept_l2 *l2 = &ps->s->l2;
	struct token mode;
	uint32_t flags = 0;
	unsigned k;

	if (!once(ps, &ps->l2) || !need(ps, 2, "paging=MODE"))
		return false;
	if (!key_value(&ps->tok[1], "paging", &mode))
		return perr(ps, &ps->tok[1], "expected paging=MODE first");
	for (k = 0; k < NEPT_L2_PAGING_COUNT; k++)
		if (tok_is(&mode, nept_l2_paging_name(k)))
			break;
	if (k == NEPT_L2_PAGING_COUNT)
		return perr(ps, &mode,
			    "unknown paging mode %s (off, 32bit, pae, 4level, "
			    "5level)",
			    Q(&mode));
	if (!keys_and_flags(ps, 2, kv, 3, nept_l2_flag_names, &flags))
		return false;
	l2->paging = (uint8_t)k;
	l2->cr3 = kv[0].val;
	l2->cpl = (uint8_t)kv[1].val;
	l2->pkru = (uint32_t)kv[2].val;
	l2->flags = (uint16_t)flags;
	return true;
}

/* pdpte N VALUE: PAE's PDPTE register N, from vmcs12 (facts §7.1). */
static bool d_pdpte(struct parser *ps)
{
	uint64_t i, v;

	if (!need(ps, 3, "index and value") ||
	    !number(ps, &ps->tok[1], 3, &i) ||
	    !number(ps, &ps->tok[2], UINT64_MAX, &v))
		return false;
	if (ps->pdpte[i].line)
		return perr(ps, &ps->tok[1],
			    "pdpte %u already given on line %d", (unsigned)i,
			    ps->pdpte[i].line);
	ps->pdpte[i] = (struct origin){ ps->line, ps->tok[0].col };
	ps->s->l2.pdpte[i] = v;
	return no_more(ps, 3);
}

/* controls [exception-bitmap=V] [pfec-mask=V] [pfec-match=V]
 * [pml-index=N] [pml-address=A] [io-bitmap-a=A] [io-bitmap-b=A]
 * [cr0-mask=V] [cr0-shadow=V] [cr4-mask=V] [cr4-shadow=V]
 * [cr3-target-count=N] [cr3-target0..3=V] [FLAG...] (facts §6.3, §7.2,
 * §10.3, §15). */
static bool d_controls(struct parser *ps)
{
	struct kv kv[] = {
		{ "exception-bitmap", UINT32_MAX, 0, false },
		{ "pfec-mask", UINT32_MAX, 0, false },
		{ "pfec-match", UINT32_MAX, 0, false },
		{ "pml-index", UINT16_MAX, 0, false },
		{ "pml-address", UINT64_MAX, 0, false },
		{ "io-bitmap-a", UINT64_MAX, 0, false },
		{ "io-bitmap-b", UINT64_MAX, 0, false },
		{ "cr0-mask", UINT64_MAX, 0, false },
		{ "cr0-shadow", UINT64_MAX, 0, false },
		{ "cr4-mask", UINT64_MAX, 0, false },
		{ "cr4-shadow", UINT64_MAX, 0, false },
		{ "cr3-target-count", 4, 0, false },
		{ "cr3-target0", UINT64_MAX, 0, false },
		{ "cr3-target1", UINT64_MAX, 0, false },
		{ "cr3-target2", UINT64_MAX, 0, false },
		{ "cr3-target3", UINT64_MAX, 0, false },
	};
	struct nept_controls *c = &ps->s->ctl;
	uint32_t flags = 0;

	if (!once(ps, &ps->controls) ||
	    !keys_and_flags(ps, 1, kv, 16, nept_ctl_flag_names, &flags))
		return false;
	c->exception_bitmap = (uint32_t)kv[0].val;
	c->pfec_mask = (uint32_t)kv[1].val;
	c->pfec_match = (uint32_t)kv[2].val;
	c->pml_index = (uint16_t)kv[3].val;
	c->pml_address = kv[4].val;
	c->io_bitmap[0] = kv[5].val;
	c->io_bitmap[1] = kv[6].val;
	c->cr0_mask = kv[7].val;
	c->cr0_shadow = kv[8].val;
	c->cr4_mask = kv[9].val;
	c->cr4_shadow = kv[10].val;
	c->cr3_target_count = kv[11].val;
	for (unsigned i = 0; i < 4; i++)
		c->cr3_target[i] = kv[12 + i].val;
	c->flags = (uint16_t)flags;
	return true;
}

/* host [maxphyaddr=N] [allow-smaller-maxphyaddr] (facts §14). */
static bool d_host(struct parser *ps)
{
	struct kv kv[] = {
		{ "maxphyaddr", UINT8_MAX, 0, false },
	};
	uint32_t flags = 0;

	if (!once(ps, &ps->host) ||
	    !keys_and_flags(ps, 1, kv, 1, nept_l0_flag_names, &flags))
		return false;
	if (kv[0].seen && (kv[0].val < NEPT_MAXPHYADDR_MIN ||
			   kv[0].val > NEPT_MAXPHYADDR_MAX))
		return perr(ps, &ps->tok[1], "host maxphyaddr must be %d..%d",
			    NEPT_MAXPHYADDR_MIN, NEPT_MAXPHYADDR_MAX);
	ps->s->host_maxphyaddr = (uint8_t)kv[0].val;
	ps->s->l0_flags = (uint8_t)flags;
	return true;
}

static bool exit_reason(struct parser *ps, const struct token *t,
			uint16_t *reason)
{
	int r = nept_exit_reason_by_name(t->p, t->len);
	uint64_t v;

	if (r >= 0) {
		*reason = (uint16_t)r;
		return true;
	}
	if (!t->len)
		return perr(ps, t, "missing exit reason");
	if (!(t->p[0] >= '0' && t->p[0] <= '9'))
		return perr(ps, t, "unknown exit reason %s", Q(t));
	if (!number(ps, t, UINT16_MAX, &v))
		return false;
	*reason = (uint16_t)v;
	return true;
}

/*
 * event vm-entry [KEY=V...] [FLAG...]: L1's VMLAUNCH/VMRESUME with these
 * vmcs12 fields (facts §13.2); no access.  The link pointer defaults to
 * none (all ones).
 */
static bool d_event_vm_entry(struct parser *ps, struct nept_event *e)
{
	/* Keys past the 64-bit fields. */
	enum {
		ACTIVITY = NEPT_VMENTRY_QWORDS,
		MSR_COUNT,
		NKEYS
	};
	struct nept_vmentry *en = &ps->s->entry;
	bool seen[NKEYS] = { false };
	struct token val;
	uint32_t bit;
	uint64_t v;
	unsigned k;

	e->source = NEPT_SRC_VM_ENTRY;
	en->link_ptr = ~0ull;
	for (unsigned i = 2; i < ps->ntok; i++) {
		const struct token *t = &ps->tok[i];

		for (k = 0; k < NEPT_VMENTRY_QWORDS &&
			    !key_value(t, nept_vmentry_qwords[k].key, &val);
		     k++)
			;
		if (k == NEPT_VMENTRY_QWORDS && !key_value(t, "activity", &val))
			k = key_value(t, "msr-load-count", &val) ? MSR_COUNT
								 : NKEYS;
		if (k < NKEYS && seen[k]) /* the key with its '=' */
			return perr(ps, t, "%.*s given twice",
				    (int)(val.p - t->p), t->p);
		if (k < NEPT_VMENTRY_QWORDS) {
			if (!value(ps, &val, UINT64_MAX,
				   nept_vmentry_field(en, k)))
				return false;
		} else if (k == ACTIVITY) {
			if (!value(ps, &val, UINT32_MAX, &v))
				return false;
			en->activity = (uint32_t)v;
		} else if (k == MSR_COUNT) {
			if (!value(ps, &val, NEPT_MAX_MSR_LOAD, &v))
				return false;
			en->msr_count = (uint8_t)v;
		} else if (name_bit(nept_entry_flag_names, t->p, t->len,
				    &bit)) {
			if (en->flags & bit)
				return perr(ps, t, "flag %s given twice", Q(t));
			en->flags |= (uint16_t)bit;
			continue;
		} else {
			return perr(ps, t, "unknown vm-entry field or flag %s",
				    Q(t));
		}
		seen[k] = true;
	}
	return true;
}

static bool d_event(struct parser *ps)
{
	static const char *const keys[] = { "gpa",	   "gla",
					    "hw-qual",	   "exit-qual",
					    "exit-value",  "exit",
					    "during",	   "exit-error-code",
					    "exit-vector", "rip" };
	enum {
		NKEYS = 10
	};
	struct nept_event *e;
	bool seen[NKEYS] = { false };
	unsigned i, k;
	uint32_t bit;
	struct token val;
	uint64_t *dst[5];

	if (ps->s->nevents == NEPT_MAX_EVENTS)
		return perr(ps, &ps->tok[0], "too many events (at most %d)",
			    NEPT_MAX_EVENTS);
	e = &ps->s->event[ps->s->nevents];
	if (ps->ntok > 1 && tok_is(&ps->tok[1], "vm-entry")) {
		if (!d_event_vm_entry(ps, e))
			return false;
		ps->event[ps->s->nevents] =
			(struct origin){ ps->line, ps->tok[0].col };
		ps->s->nevents++;
		return true;
	}
	if (!need(ps, 3, "source and access"))
		return false;
	for (k = 0; k < NEPT_SRC_COUNT; k++)
		if (tok_is(&ps->tok[1], nept_source_name(k)))
			break;
	if (k == NEPT_SRC_COUNT)
		return perr(ps, &ps->tok[1], "unknown source %s",
			    Q(&ps->tok[1]));
	e->source = (uint8_t)k;
	for (k = 0; k < NEPT_ACC_COUNT; k++)
		if (tok_is(&ps->tok[2], nept_access_name(k)))
			break;
	if (k == NEPT_ACC_COUNT)
		return perr(ps, &ps->tok[2], "unknown access %s",
			    Q(&ps->tok[2]));
	e->access = (uint8_t)k;

	dst[0] = &e->gpa, dst[1] = &e->gla, dst[2] = &e->hw_qual;
	dst[3] = &e->exit_qual, dst[4] = &e->exit_value;
	for (i = 3; i < ps->ntok; i++) {
		const struct token *t = &ps->tok[i];

		for (k = 0; k < NKEYS && !key_value(t, keys[k], &val); k++)
			;
		if (k < NKEYS && seen[k])
			return perr(ps, t, "%s= given twice", keys[k]);
		if (k < 5) {
			if (!value(ps, &val, UINT64_MAX, dst[k]))
				return false;
		} else if (k == 5) {
			if (!exit_reason(ps, &val, &e->exit_reason))
				return false;
		} else if (k == 6 || k == 8) {
			uint64_t v;

			if (!value(ps, &val, 31, &v))
				return false;
			if (k == 6)
				e->during = (uint8_t)(v + 1);
			else
				e->exit_vector = (uint8_t)(v + 1);
		} else if (k == 7) {
			uint64_t v;

			if (!value(ps, &val, UINT32_MAX, &v))
				return false;
			e->exit_error_code = (uint32_t)v;
		} else if (k == 9) {
			if (!value(ps, &val, UINT64_MAX, &e->rip))
				return false;
			e->has_rip = 1;
		} else if (name_bit(nept_access_flag_names, t->p, t->len,
				    &bit)) {
			if (e->flags & bit)
				return perr(ps, t, "flag %s given twice", Q(t));
			e->flags |= (uint8_t)bit;
			continue;
		} else {
			return perr(ps, t, "unknown event field or flag %s",
				    Q(t));
		}
		seen[k] = true;
	}
	ps->event[ps->s->nevents] = (struct origin){ ps->line, ps->tok[0].col };
	ps->s->nevents++;
	return true;
}

/*
 * expect exit REASON [qual=V] [gpa=V] [gla=V] | expect none [translated=V]
 * | expect exception [qual=V] [gpa=V] [gla=V].  Which fields go with which
 * kind is scenario_check's rule; here every key is accepted.
 */
/* expect qword ADDR VALUE | expect pml-entry N GPA | expect msr INDEX
 * VALUE: what L1 memory holds, or RDMSR reads, after the event above (any
 * number up to NEPT_MAX_EXPECT_MEM, beside its one outcome expectation). */
static bool d_expect_mem(struct parser *ps, unsigned n)
{
	struct nept_event *e = &ps->s->event[n - 1];
	struct nept_expect_mem *m;
	bool pml = tok_is(&ps->tok[1], "pml-entry"),
	     msr = tok_is(&ps->tok[1], "msr");
	uint64_t where, val;

	if (!need(ps, 4,
		  pml	? "slot and GPA"
		  : msr ? "MSR index and value"
			: "address and value"))
		return false;
	if (ps->ntok > 4)
		return perr(ps, &ps->tok[4], "unexpected %s", Q(&ps->tok[4]));
	if (e->nexpect_mem >= NEPT_MAX_EXPECT_MEM)
		return perr(ps, &ps->tok[0],
			    "more than %d memory expectations for the event "
			    "on line %d",
			    NEPT_MAX_EXPECT_MEM, ps->event[n - 1].line);
	if (!value(ps, &ps->tok[2],
		   pml	 ? 511
		   : msr ? UINT32_MAX
			 : UINT64_MAX,
		   &where) ||
	    !value(ps, &ps->tok[3], UINT64_MAX, &val))
		return false;
	ps->expect_mem[n - 1][e->nexpect_mem] =
		(struct origin){ ps->line, ps->tok[0].col };
	m = &e->expect_mem[e->nexpect_mem++];
	m->kind = pml	? NEPT_EXPECT_PML_ENTRY
		  : msr ? NEPT_EXPECT_MSR
			: NEPT_EXPECT_QWORD;
	if (pml)
		m->index = (uint16_t)where;
	else
		m->addr = where;
	m->value = val;
	return true;
}

static bool d_expect(struct parser *ps)
{
	static const char *const keys[] = { "qual",   "gpa",
					    "gla",    "translated",
					    "vector", "error-code",
					    "cr2" };
	static const uint16_t field[] = {
		NEPT_EXPECT_QUAL,   NEPT_EXPECT_GPA,
		NEPT_EXPECT_GLA,    NEPT_EXPECT_TRANSLATED,
		NEPT_EXPECT_VECTOR, NEPT_EXPECT_ERROR_CODE,
		NEPT_EXPECT_GLA,
	};
	static const uint64_t max[] = { UINT64_MAX, UINT64_MAX, UINT64_MAX,
					UINT64_MAX, 31,		UINT32_MAX,
					UINT64_MAX };
	struct nept_expect *x;
	struct token val;
	unsigned i = 2, k, n = ps->s->nevents;
	uint64_t *dst[7], vector = 0, error_code = 0;

	if (!n)
		return perr(ps, &ps->tok[0],
			    "expect without an event above it");
	if (ps->ntok > 1 &&
	    (tok_is(&ps->tok[1], "qword") || tok_is(&ps->tok[1], "pml-entry") ||
	     tok_is(&ps->tok[1], "msr")))
		return d_expect_mem(ps, n);
	if (ps->expect[n - 1].line)
		return perr(ps, &ps->tok[0],
			    "the event on line %d already has an expect (line "
			    "%d)",
			    ps->event[n - 1].line, ps->expect[n - 1].line);
	if (!need(ps, 2, "outcome (exit, none, exception or vmfail)"))
		return false;
	x = &ps->s->event[n - 1].expect;
	x->fields = NEPT_EXPECT_KIND;
	if (tok_is(&ps->tok[1], "exit")) {
		x->kind = NEPT_OUT_EXIT;
		if (!need(ps, 3, "exit reason") ||
		    !exit_reason(ps, &ps->tok[2], &x->reason))
			return false;
		x->fields |= NEPT_EXPECT_REASON;
		i = 3;
	} else if (tok_is(&ps->tok[1], "none")) {
		x->kind = NEPT_OUT_NONE;
	} else if (tok_is(&ps->tok[1], "exception")) {
		x->kind = NEPT_OUT_EXCEPTION;
	} else if (tok_is(&ps->tok[1], "vmfail")) {
		/* expect vmfail [error=N]: the VM-instruction error (§13.1) */
		uint64_t v;

		x->kind = NEPT_OUT_VMFAIL;
		if (ps->ntok > 2) {
			if (!key_value(&ps->tok[2], "error", &val))
				return perr(ps, &ps->tok[2],
					    "unknown expect field %s",
					    Q(&ps->tok[2]));
			if (!value(ps, &val, UINT32_MAX, &v))
				return false;
			x->fields |= NEPT_EXPECT_ERROR_CODE;
			x->error_code = (uint32_t)v;
			if (ps->ntok > 3)
				return perr(ps, &ps->tok[3], "unexpected %s",
					    Q(&ps->tok[3]));
		}
		ps->expect[n - 1] = (struct origin){ ps->line, ps->tok[0].col };
		return true;
	} else {
		return perr(ps, &ps->tok[1], "unknown outcome %s",
			    Q(&ps->tok[1]));
	}
	dst[0] = &x->qual, dst[1] = &x->gpa, dst[2] = &x->gla;
	dst[3] = &x->translated, dst[4] = &vector, dst[5] = &error_code;
	dst[6] = &x->gla; /* cr2: where an exception delivered to L2 has it */
	for (; i < ps->ntok; i++) {
		const struct token *t = &ps->tok[i];

		for (k = 0; k < 7 && !key_value(t, keys[k], &val); k++)
			;
		if (k == 7)
			return perr(ps, t, "unknown expect field %s", Q(t));
		if (x->fields & field[k])
			return perr(ps, t, "%s= given twice",
				    field[k] == NEPT_EXPECT_GLA ? "gla=/cr2"
								: keys[k]);
		if (!value(ps, &val, max[k], dst[k]))
			return false;
		x->fields |= field[k];
	}
	x->vector = (uint8_t)vector;
	x->error_code = (uint32_t)error_code;
	ps->expect[n - 1] = (struct origin){ ps->line, ps->tok[0].col };
	return true;
}

static const struct {
	const char *name;
	bool (*parse)(struct parser *ps);
} directives[] = {
	{ "caps", d_caps },	{ "l1-maxphyaddr", d_maxphyaddr },
	{ "host", d_host },	{ "eptp", d_eptp },
	{ "page", d_page },	{ "qword", d_qword },
	{ "entry", d_entry },	{ "event", d_event },
	{ "expect", d_expect }, { "l2", d_l2 },
	{ "pdpte", d_pdpte },	{ "controls", d_controls },
};

/* Splits one line (without its '\n') into tokens; false on a NUL byte. */
static bool tokenize(struct parser *ps, const char *p, size_t len)
{
	size_t i = 0, start;

	ps->ntok = 0;
	while (i < len) {
		if (p[i] == 0)
			return error_at(ps->err, ps->line, (int)i + 1,
					"NUL byte");
		if (p[i] == '#')
			break;
		if (p[i] == ' ' || p[i] == '\t' || p[i] == '\r') {
			i++;
			continue;
		}
		if (ps->ntok == MAX_TOKENS)
			return error_at(ps->err, ps->line, (int)i + 1,
					"too many tokens on one line (at most "
					"%d)",
					MAX_TOKENS);
		start = i;
		while (i < len && p[i] && p[i] != '#' && p[i] != ' ' &&
		       p[i] != '\t' && p[i] != '\r')
			i++;
		ps->tok[ps->ntok++] =
			(struct token){ p + start, i - start, (int)start + 1 };
	}
	/* A comment may hold anything but NUL. */
	if (i < len && memchr(p + i, 0, len - i))
		return error_at(
			ps->err, ps->line,
			(int)((const char *)memchr(p + i, 0, len - i) - p) + 1,
			"NUL byte");
	return true;
}

static bool directive(struct parser *ps)
{
	unsigned i;

	if (!ps->magic)
		return d_magic(ps);
	for (i = 0; i < sizeof(directives) / sizeof(directives[0]); i++)
		if (tok_is(&ps->tok[0], directives[i].name))
			return directives[i].parse(ps);
	return perr(ps, &ps->tok[0], "unknown directive %s", Q(&ps->tok[0]));
}

/*
 * scenario_check names the first broken rule but not the line it came
 * from: check the parts one by one, in its order, to find the directive.
 */
static struct origin blame(const struct parser *ps)
{
	const struct nept_scenario *s = ps->s;
	struct nept_scenario t = *s;
	struct nept_error err;
	uint64_t page;
	unsigned i, j;

	/* A read at gpa 0 from hardware is legal under any legal EPTP. */
	t.mem.npages = t.mem.nqwords = 0;
	t.nevents = 1;
	memset(&t.event[0], 0, sizeof(t.event[0]));
	memset(&t.l2, 0, sizeof(t.l2));
	memset(&t.ctl, 0, sizeof(t.ctl));
	memset(&t.entry, 0, sizeof(t.entry));
	if (!scenario_check(&t, &err)) {
		t.host_maxphyaddr = 0;
		if (ps->host.line && scenario_check(&t, &err))
			return ps->host;
		return ps->eptp.line   ? ps->eptp
		       : ps->caps.line ? ps->caps
				       : ps->maxphyaddr;
	}
	t.ctl = s->ctl;
	if (!scenario_check(&t, &err))
		return ps->controls;
	t.l2 = s->l2;
	if (!scenario_check(&t, &err)) {
		for (i = 0; i < 4; i++) {
			t.l2 = s->l2;
			t.l2.pdpte[i] = 0;
			if (ps->pdpte[i].line && scenario_check(&t, &err))
				return ps->pdpte[i];
		}
		return ps->l2.line ? ps->l2 : ps->pdpte[0];
	}
	t.l2 = s->l2;
	t.mem.npages = 1;
	for (i = 0; i < s->mem.npages; i++) {
		t.mem.page[0] = page = s->mem.page[i];
		if (scenario_check(&t, &err))
			continue;
		for (j = 0; j < ps->npage; j++)
			if (ps->page[j].addr == page)
				return ps->page[j].at;
		for (j = 0; j < ps->nqword; j++)
			if ((ps->qword[j].addr & ~PAGE_MASK) == page)
				return ps->qword[j].at;
	}
	t.mem.npages = 0;
	for (i = 0; i < s->nevents; i++) {
		t.event[0] = s->event[i];
		/* Its fields are the scenario's (facts §13). */
		if (t.event[0].source == NEPT_SRC_VM_ENTRY)
			t.entry = s->entry;
		if (scenario_check(&t, &err))
			continue;
		/* The event's own line, its expect line, or the first
		 * memory expectation that makes it illegal. */
		nept_event_drop_expectations(&t.event[0]);
		if (!scenario_check(&t, &err))
			return ps->event[i];
		t.event[0].expect = s->event[i].expect;
		if (!scenario_check(&t, &err))
			return ps->expect[i];
		for (j = 0;
		     j < s->event[i].nexpect_mem && j < NEPT_MAX_EXPECT_MEM;
		     j++) {
			t.event[0].expect_mem[j] = s->event[i].expect_mem[j];
			t.event[0].nexpect_mem = (uint8_t)(j + 1);
			if (!scenario_check(&t, &err))
				return ps->expect_mem[i][j];
		}
		return ps->event[i];
	}
	return (struct origin){ 0, 0 };
}

bool scenario_parse_text(const char *text, size_t len, struct nept_scenario *s,
			 struct nept_error *err)
{
	struct parser ps = { .s = s, .err = err };
	size_t pos = 0, n;
	const char *nl;
	struct origin at;

	scenario_init(s);
	/* A UTF-8 byte order mark, as some editors write, is not text. */
	if (len >= 3 && !memcmp(text, NEPT_UTF8_BOM, 3))
		pos = 3;
	while (pos < len) {
		const char *cr;

		nl = memchr(text + pos, '\n', len - pos);
		n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		ps.line++;
		/* CR is a blank only as the CR of CR LF (or at the very end):
		 * a CR inside a line ends lines the classic Mac OS way, which
		 * would otherwise read as one long line. */
		cr = memchr(text + pos, '\r', n);
		if (cr && (size_t)(cr - (text + pos)) + 1 < n)
			return error_at(err, ps.line,
					(int)(cr - (text + pos)) + 1,
					"line ends in a lone CR (classic Mac "
					"OS "
					"line endings): convert the file to LF "
					"(or CR LF) line endings");
		if (!tokenize(&ps, text + pos, n))
			return false;
		if (ps.ntok && !directive(&ps))
			return false;
		pos += n + 1;
	}
	if (!ps.magic)
		return error_at(err, ps.line + 1, 1,
				"expected '" NEPT_TEXT_MAGIC " %d' first",
				NEPT_SCENARIO_VERSION);
	scenario_normalize(s);
	if (scenario_check(s, err))
		return true;
	at = blame(&ps);
	err->line = at.line;
	err->col = at.col;
	return false;
}

struct out {
	char *p;
	size_t cap, n;
};

static void emit(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(o->n < o->cap ? o->p + o->n : NULL,
		      o->n < o->cap ? o->cap - o->n : 0, fmt, ap);
	va_end(ap);
	o->n += (size_t)(r > 0 ? r : 0);
}

static void emit_names(struct out *o, const struct nept_name_bit *names,
		       uint32_t bits)
{
	for (; names->name; names++)
		if (bits & names->bit)
			emit(o, " %s", names->name);
}

static void emit_exit(struct out *o, const char *prefix, unsigned reason)
{
	const char *name = nept_exit_reason_name(reason);

	if (name)
		emit(o, "%s%s", prefix, name);
	else
		emit(o, "%s%u", prefix, reason);
}

/* The bits of an EPT entry by name (facts §3.3), for the reader. */
static void emit_entry_bits(struct out *o, uint64_t v, unsigned maxphyaddr)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} named[] = {
		{ EPTE_R, "R" },       { EPTE_W, "W" },	  { EPTE_X, "X" },
		{ EPTE_IPAT, "ipat" }, { EPTE_PS, "ps" }, { EPTE_A, "A" },
		{ EPTE_D, "D" },       { EPTE_XU, "XU" },
	};
	uint64_t mask = nept_addr_mask(maxphyaddr);
	uint64_t known = mask | 7ull << EPTE_MT_SHIFT;
	unsigned i;

	emit(o, "  #");
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		known |= named[i].bit;
		if (v & named[i].bit)
			emit(o, " %s", named[i].name);
		if (i == 2 && (v >> EPTE_MT_SHIFT & 7))
			emit(o, " mt=%u", (unsigned)(v >> EPTE_MT_SHIFT & 7));
	}
	if (v & ~known)
		emit(o, " other=0x%llx", (unsigned long long)(v & ~known));
	emit(o, " -> 0x%llx", (unsigned long long)(v & mask));
}

/*
 * The pages L2's walks use as paging structures, for the comments: the
 * tables reached from CR3 (or the PDPTE registers) for each event's linear
 * address through present non-leaf entries (facts §8.2 geometry).
 */
struct l2_tables {
	unsigned n;
	uint64_t page[NEPT_MAX_EVENTS * 5];
};

static void l2_note(struct l2_tables *t, uint64_t page)
{
	for (unsigned i = 0; i < t->n; i++)
		if (t->page[i] == page)
			return;
	if (t->n < sizeof(t->page) / sizeof(t->page[0]))
		t->page[t->n++] = page;
}

static void l2_tables_of(const struct nept_scenario *s, struct l2_tables *t)
{
	const struct nept_l2 *l2 = &s->l2;
	unsigned size = nept_l2_entry_size(l2->paging);
	uint64_t amask = nept_l2_addr_bits(l2->paging);

	t->n = 0;
	for (unsigned i = 0; nept_l2_levels(l2->paging) && i < s->nevents;
	     i++) {
		uint64_t la = s->event[i].gla, table = l2->cr3 & amask, e, q;
		unsigned level = nept_l2_levels(l2->paging);

		if (l2->paging == NEPT_L2_PAE) {
			e = l2->pdpte[(la >> 30) & 3];
			if (!(e & 1))
				continue;
			table = e & amask;
			level = 2;
		}
		for (; level >= 1; level--) {
			uint64_t ea = nept_l2_entry_addr(l2->paging, table,
							 level, la);

			l2_note(t, table);
			if (!nept_mem_read(&s->mem, ea & ~7ull, &q))
				break;
			e = size == 4 ? (q >> (8 * (ea & 4))) & 0xffffffffull
				      : q;
			if (!(e & 1) || level == 1 || (e & 0x80))
				break;
			table = e & amask;
		}
	}
}

/* A guest paging entry's bits by name (facts §8.1, §8.2). */
static void emit_l2_entry_bits(struct out *o, uint64_t v, bool b32)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} named[] = {
		{ 1ull << 0, "P" },   { 1ull << 1, "RW" },  { 1ull << 2, "US" },
		{ 1ull << 3, "PWT" }, { 1ull << 4, "PCD" }, { 1ull << 5, "A" },
		{ 1ull << 6, "D" },   { 1ull << 7, "PS" },  { 1ull << 8, "G" },
		{ 1ull << 63, "XD" },
	};
	uint64_t amask =
		nept_l2_addr_bits(b32 ? NEPT_L2_32BIT : NEPT_L2_4LEVEL);
	uint64_t known = amask | 0xe00ull;

	for (unsigned i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		if (b32 && named[i].bit >> 32)
			continue;
		known |= named[i].bit;
		if (v & named[i].bit)
			emit(o, " %s", named[i].name);
	}
	if (v & ~known)
		emit(o, " other=0x%llx", (unsigned long long)(v & ~known));
	emit(o, " -> 0x%llx", (unsigned long long)(v & amask));
}

static bool page_has_qword(const struct nept_mem *m, uint64_t page)
{
	unsigned i;

	for (i = 0; i < m->nqwords; i++)
		if ((m->qword[i].gpa & ~PAGE_MASK) == page)
			return true;
	return false;
}

static void emit_eptp(struct out *o, uint64_t eptp)
{
	unsigned walk = (eptp >> EPTP_WALK_SHIFT & 7) + 1;
	unsigned mt = eptp & EPTP_MT;

	/* The key form only where it says exactly the same value. */
	if ((eptp & 0xf80) || (walk != 4 && walk != 5)) {
		emit(o, "eptp 0x%llx\n", (unsigned long long)eptp);
		return;
	}
	emit(o, "eptp root=0x%llx walk=%u ad=%d mt=",
	     (unsigned long long)(eptp & ~PAGE_MASK), walk, !!(eptp & EPTP_AD));
	if (mt == EPTP_MT_UC)
		emit(o, "uc\n");
	else if (mt == EPTP_MT_WB)
		emit(o, "wb\n");
	else
		emit(o, "%u\n", mt);
}

static void emit_expect(struct out *o, const struct nept_expect *x);

/* The vm-entry event's fields in the codecs' order, those that differ
 * from their default: 0, none (all ones) for the link pointer; the
 * MSR-load address goes with its count. */
static void emit_vm_entry(struct out *o, const struct nept_vmentry *en)
{
	emit(o, "\nevent vm-entry");
	for (unsigned k = 0; k < NEPT_VMENTRY_QWORDS; k++) {
		size_t at = nept_vmentry_qwords[k].offset;
		uint64_t v = nept_vmentry_get(en, k);

		if (at == offsetof(struct nept_vmentry, msr_addr) ||
		    v == (at == offsetof(struct nept_vmentry, link_ptr) ? ~0ull
									: 0))
			continue;
		emit(o, " %s=0x%llx", nept_vmentry_qwords[k].key,
		     (unsigned long long)v);
	}
	if (en->activity)
		emit(o, " activity=%u", en->activity);
	if (en->msr_count)
		emit(o, " msr-load-addr=0x%llx msr-load-count=%u",
		     (unsigned long long)en->msr_addr, en->msr_count);
	emit_names(o, nept_entry_flag_names, en->flags);
	emit(o, "\n");
}
/* An access event's line. */
static void emit_access_event(struct out *o, const struct nept_scenario *s,
			      const struct nept_event *e)
{
	emit(o, "\nevent %s %s", nept_source_name(e->source),
	     nept_access_name(e->access));
	if (!nept_walks_l2(s, e) || e->gpa)
		emit(o, " gpa=0x%llx", (unsigned long long)e->gpa);
	if (e->gla)
		emit(o, " gla=0x%llx", (unsigned long long)e->gla);
	if (e->hw_qual)
		emit(o, " hw-qual=0x%llx", (unsigned long long)e->hw_qual);
	if (e->has_rip)
		emit(o, " rip=0x%llx", (unsigned long long)e->rip);
	if (e->source == NEPT_SRC_EMULATED || e->exit_reason)
		emit_exit(o, " exit=", e->exit_reason);
	if (e->exit_qual)
		emit(o, " exit-qual=0x%llx", (unsigned long long)e->exit_qual);
	if (e->exit_vector)
		emit(o, " exit-vector=%u", e->exit_vector - 1u);
	if (e->exit_error_code)
		emit(o, " exit-error-code=0x%x", e->exit_error_code);
	if (e->exit_value)
		emit(o, " exit-value=0x%llx",
		     (unsigned long long)e->exit_value);
	if (e->during)
		emit(o, " during=%u", e->during - 1u);
	emit_names(o, nept_access_flag_names, e->flags);
	emit(o, "\n");
}

static void emit_event(struct out *o, const struct nept_scenario *s,
		       const struct nept_event *e)
{
	const struct nept_expect *x = &e->expect;

	if (e->source == NEPT_SRC_VM_ENTRY)
		emit_vm_entry(o, &s->entry);
	else
		emit_access_event(o, s, e);
	if (x->fields)
		emit_expect(o, x);
	for (unsigned k = 0; k < e->nexpect_mem; k++) {
		const struct nept_expect_mem *m = &e->expect_mem[k];

		if (m->kind == NEPT_EXPECT_PML_ENTRY)
			emit(o, "expect pml-entry %u 0x%llx\n", m->index,
			     (unsigned long long)m->value);
		else if (m->kind == NEPT_EXPECT_MSR)
			emit(o, "expect msr 0x%llx 0x%llx\n",
			     (unsigned long long)m->addr,
			     (unsigned long long)m->value);
		else
			emit(o, "expect qword 0x%llx 0x%llx\n",
			     (unsigned long long)m->addr,
			     (unsigned long long)m->value);
	}
}

static void emit_expect(struct out *o, const struct nept_expect *x)
{
	if (x->kind == NEPT_OUT_VMFAIL) {
		/* Facts §13.1: its one field, the VM-instruction error. */
		emit(o, "expect vmfail");
		if (x->fields & NEPT_EXPECT_ERROR_CODE)
			emit(o, " error=%u", x->error_code);
		emit(o, "\n");
		return;
	}
	if (x->kind == NEPT_OUT_EXIT)
		emit_exit(o, "expect exit ", x->reason);
	else if (x->kind == NEPT_OUT_NONE)
		emit(o, "expect none");
	else
		emit(o, "expect exception");
	if (x->fields & NEPT_EXPECT_QUAL)
		emit(o, " qual=0x%llx", (unsigned long long)x->qual);
	if (x->fields & NEPT_EXPECT_GPA)
		emit(o, " gpa=0x%llx", (unsigned long long)x->gpa);
	if (x->fields & NEPT_EXPECT_VECTOR)
		emit(o, " vector=%u", x->vector);
	if (x->fields & NEPT_EXPECT_ERROR_CODE)
		emit(o, " error-code=0x%x", x->error_code);
	if (x->fields & NEPT_EXPECT_GLA)
		emit(o, " %s=0x%llx",
		     x->kind == NEPT_OUT_EXCEPTION ? "cr2" : "gla",
		     (unsigned long long)x->gla);
	if (x->fields & NEPT_EXPECT_TRANSLATED)
		emit(o, " translated=0x%llx",
		     (unsigned long long)x->translated);
	emit(o, "\n");
}

/*
 * A qword a vm-entry event reads (facts §13): an entry of its MSR-load
 * area (index, or value) or the 32 bits at its VMCS link pointer, named
 * so rather than decoded as an EPT entry.  False for any other qword.
 */
static bool emit_entry_memory(struct out *o, const struct nept_scenario *s,
			      uint64_t gpa, uint64_t v)
{
	const struct nept_vmentry *en = &s->entry;
	uint64_t off = gpa - en->msr_addr;

	if (!nept_vm_entry_event(s))
		return false;
	if (en->msr_count && gpa >= en->msr_addr &&
	    off < 16ull * en->msr_count) {
		if (off & 8)
			emit(o, "  # MSR-load entry %u: value",
			     (unsigned)(off / 16) + 1);
		else
			emit(o, "  # MSR-load entry %u: index 0x%x%s",
			     (unsigned)(off / 16) + 1, (unsigned)v,
			     v >> 32 ? ", reserved bits 63:32 set" : "");
		return true;
	}
	if (en->link_ptr == gpa) {
		emit(o, "  # VMCS link target: revision 0x%x, shadow bit %u",
		     (unsigned)(v & 0x7fffffff), (unsigned)(v >> 31) & 1);
		return true;
	}
	return false;
}

static bool l2_page(const struct l2_tables *t, uint64_t page)
{
	for (unsigned i = 0; i < t->n; i++)
		if (t->page[i] == page)
			return true;
	return false;
}

size_t scenario_write_text(const struct nept_scenario *s, char *buf, size_t cap)
{
	struct l2_tables l2t;
	struct out o = { buf, cap, 0 };
	const struct nept_mem *m = &s->mem;
	unsigned i;

	l2_tables_of(s, &l2t);
	emit(&o, NEPT_TEXT_MAGIC " %d\n", NEPT_SCENARIO_VERSION);
	emit(&o,
	     "# pages: %u, nonzero qwords: %u, events: %u "
	     "(docs/scenario-format.md)\n",
	     m->npages, m->nqwords, s->nevents);
	emit(&o, "caps");
	emit_names(&o, nept_cap_names, s->caps);
	emit(&o, "\nl1-maxphyaddr %u\n", s->l1_maxphyaddr);
	if (s->host_maxphyaddr || s->l0_flags) {
		emit(&o, "host");
		if (s->host_maxphyaddr)
			emit(&o, " maxphyaddr=%u", s->host_maxphyaddr);
		emit_names(&o, nept_l0_flag_names, s->l0_flags);
		emit(&o, "\n");
	}
	emit_eptp(&o, s->eptp);
	if (s->l2.paging) {
		emit(&o, "l2 paging=%s", nept_l2_paging_name(s->l2.paging));
		if (s->l2.cr3)
			emit(&o, " cr3=0x%llx", (unsigned long long)s->l2.cr3);
		if (s->l2.cpl)
			emit(&o, " cpl=%u", s->l2.cpl);
		if (s->l2.pkru)
			emit(&o, " pkru=0x%x", s->l2.pkru);
		emit_names(&o, nept_l2_flag_names, s->l2.flags);
		emit(&o, "\n");
		for (i = 0; i < 4; i++)
			if (s->l2.pdpte[i])
				emit(&o, "pdpte %u 0x%llx\n", i,
				     (unsigned long long)s->l2.pdpte[i]);
	}
	if (nept_controls_set(&s->ctl)) {
		const struct nept_controls *c = &s->ctl;

		emit(&o, "controls");
		if (c->exception_bitmap)
			emit(&o, " exception-bitmap=0x%x", c->exception_bitmap);
		if (c->pfec_mask)
			emit(&o, " pfec-mask=0x%x", c->pfec_mask);
		if (c->pfec_match)
			emit(&o, " pfec-match=0x%x", c->pfec_match);
		emit_names(&o, nept_ctl_flag_names, c->flags);
		if (c->pml_index)
			emit(&o, " pml-index=%u", c->pml_index);
		if (c->pml_address)
			emit(&o, " pml-address=0x%llx",
			     (unsigned long long)c->pml_address);
		{
			static const char *const key[] = {
				"io-bitmap-a", "io-bitmap-b", "cr0-mask",
				"cr0-shadow",  "cr4-mask",    "cr4-shadow",
			};
			const uint64_t val[] = {
				c->io_bitmap[0], c->io_bitmap[1], c->cr0_mask,
				c->cr0_shadow,	 c->cr4_mask,	  c->cr4_shadow,
			};

			for (i = 0; i < 6; i++)
				if (val[i])
					emit(&o, " %s=0x%llx", key[i],
					     (unsigned long long)val[i]);
		}
		if (c->cr3_target_count)
			emit(&o, " cr3-target-count=%u",
			     (unsigned)c->cr3_target_count);
		for (i = 0; i < 4; i++)
			if (c->cr3_target[i])
				emit(&o, " cr3-target%u=0x%llx", i,
				     (unsigned long long)c->cr3_target[i]);
		emit(&o, "\n");
	}
	for (i = 0; i < m->npages; i++)
		if (!page_has_qword(m, m->page[i]))
			emit(&o, "page 0x%llx\n",
			     (unsigned long long)m->page[i]);
	for (i = 0; i < m->nqwords; i++) {
		uint64_t gpa = m->qword[i].gpa;

		emit(&o, "entry 0x%llx[%u] 0x%llx",
		     (unsigned long long)(gpa & ~PAGE_MASK),
		     (unsigned)(gpa & PAGE_MASK) / 8,
		     (unsigned long long)m->qword[i].val);
		if (emit_entry_memory(&o, s, gpa, m->qword[i].val)) {
			/* a VM entry's MSR-load area or link target */
		} else if (l2_page(&l2t, gpa & ~PAGE_MASK)) {
			uint64_t v = m->qword[i].val;

			if (s->l2.paging != NEPT_L2_32BIT) {
				emit(&o, "  # L2:");
				emit_l2_entry_bits(&o, v, false);
			} else {
				emit(&o, "  # L2 [%u]:",
				     (unsigned)(gpa & PAGE_MASK) / 4);
				emit_l2_entry_bits(&o, v & 0xffffffffull, true);
				emit(&o, ", [%u]:",
				     (unsigned)(gpa & PAGE_MASK) / 4 + 1);
				emit_l2_entry_bits(&o, v >> 32, true);
			}
		} else {
			emit_entry_bits(&o, m->qword[i].val, s->l1_maxphyaddr);
		}
		emit(&o, "\n");
	}
	for (i = 0; i < s->nevents; i++)
		emit_event(&o, s, &s->event[i]);
	return o.n < cap ? o.n : 0;
}
