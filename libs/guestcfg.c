/*
 * Guest description parser (schema: docs/guest-config.md).
 *
 * Strict on purpose: a property or node that the schema does not know is an
 * error, not something skipped, so that a typo ("cuont") cannot silently
 * leave a guest with a default.  Each node's properties are read in one pass
 * against a table, which finds the unknown and the repeated ones on the way.
 *
 * The blob is a user's file: every value goes through a reader that checks
 * its length, strings must end inside their property, and tree walks stop on
 * libfdt's errors instead of mistaking a damaged tree for a smaller one.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <libfdt.h>

#include "libs/fdtinfo.h"
#include "libs/guestcfg.h"

/* Paths only appear in messages: a longer one is cut, which is harmless. */
#define PATH_LEN 96

static const char *const sbi_names[GUESTCFG_SBI_NR] = {
	[GUESTCFG_SBI_TIME] = "time",	  [GUESTCFG_SBI_IPI] = "ipi",
	[GUESTCFG_SBI_RFENCE] = "rfence", [GUESTCFG_SBI_HSM] = "hsm",
	[GUESTCFG_SBI_SRST] = "srst",	  [GUESTCFG_SBI_DBCN] = "dbcn",
	[GUESTCFG_SBI_LEGACY] = "legacy", [GUESTCFG_SBI_STA] = "sta",
};

struct ctx {
	const void *fdt;
	struct guestcfg *cfg;
	const char *const *known;
	u32 max_vcpus;
	bool named; /* cfg->name is valid and goes into messages */
	char *err;
	size_t errlen;
};

/* One schema property of a node: filled in by scan_props(). */
struct prop {
	const char *name;
	const void *val; /* NULL when absent */
	int len;
};

const char *guestcfg_sbi_name(unsigned int bit)
{
	return bit < GUESTCFG_SBI_NR ? sbi_names[bit] : NULL;
}

/* ------------------------------------------------------------ messages */

/* Messages end up on a console: bytes from the blob must not drive the terminal. */
static void sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

static int vreport(char *err, size_t errlen, const char *name, int ret, const char *fmt, va_list ap)
{
	int n;

	if (!err || !errlen)
		return ret;
	if (name)
		n = snprintf(err, errlen, "guest '%s': ", name);
	else
		n = snprintf(err, errlen, "guest: ");
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - n, fmt, ap);
	sanitize(err);
	return ret;
}

static int __attribute__((format(printf, 5, 6)))
report(char *err, size_t errlen, const char *name, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(err, errlen, name, ret, fmt, ap);
	va_end(ap);
	return ret;
}

static int __attribute__((format(printf, 3, 4))) fail(struct ctx *c, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c->err, c->errlen, c->named ? c->cfg->name : NULL, ret, fmt, ap);
	va_end(ap);
	return ret;
}

static int malformed(struct ctx *c)
{
	return fail(c, -EINVAL, "malformed device tree");
}

/* ------------------------------------------------------------ tree access */

static int no_children(struct ctx *c, int node, const char *path)
{
	const char *name;
	int child;

	child = fdt_next_child(c->fdt, node, 0);
	if (child == -FDT_ERR_NOTFOUND)
		return 0;
	if (child < 0)
		return malformed(c);
	name = fdt_get_name(c->fdt, child, NULL);
	if (!name)
		return malformed(c);
	return fail(c, -EINVAL, "%s: unknown node '%s'", path, name);
}

/* node is name itself or name@unit-address. */
static bool node_is(const char *node, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(node, name, n) && (node[n] == '\0' || node[n] == '@');
}

/*
 * Reads every property of node into the table p[0..n): a name that is not in
 * it, or one that appears twice (dtc merges them, but a blob can hold both),
 * is an error.
 */
static int scan_props(struct ctx *c, int node, const char *path, struct prop *p, unsigned int n)
{
	const char *name;
	const void *val;
	unsigned int i;
	int off, len;

	for (i = 0; i < n; i++)
		p[i].val = NULL;
	fdt_for_each_property_offset (off, c->fdt, node) {
		name = NULL;
		val = fdt_getprop_by_offset(c->fdt, off, &name, &len);
		if (!val || !name || len < 0)
			return malformed(c);
		for (i = 0; i < n && strcmp(name, p[i].name); i++)
			;
		if (i == n)
			return fail(c, -EINVAL, "%s: unknown property '%s'", path, name);
		if (p[i].val)
			return fail(c, -EINVAL, "%s: duplicate property '%s'", path, name);
		p[i].val = val;
		p[i].len = len;
	}
	return off == -FDT_ERR_NOTFOUND ? 0 : malformed(c);
}

/* A node that may only have properties: the schema's, and no children. */
static int scan_leaf(struct ctx *c, int node, const char *path, struct prop *p, unsigned int n)
{
	int ret = scan_props(c, node, path, p, n);

	return ret ? ret : no_children(c, node, path);
}

static int require(struct ctx *c, const char *path, const struct prop *p)
{
	if (p->val)
		return 0;
	return fail(c, -ENOENT, "%s: missing required property '%s'", path, p->name);
}

static u64 ld64(const fdt32_t *p)
{
	return (u64)fdt32_ld(p) << 32 | fdt32_ld(p + 1);
}

/*
 * The readers clear their outputs before failing: the compiler cannot see
 * that fail() never returns 0, and would take the caller's use for uninitialized.
 */
static int prop_u32(struct ctx *c, const char *path, const struct prop *p, u32 *v)
{
	*v = 0;
	if (p->len != 4)
		return fail(c, -EINVAL, "%s: property '%s' must be one cell", path, p->name);
	*v = fdt32_ld(p->val);
	return 0;
}

static int prop_u64(struct ctx *c, const char *path, const struct prop *p, u64 *v)
{
	*v = 0;
	if (p->len != 8)
		return fail(c, -EINVAL, "%s: property '%s' must be two cells (high, low)", path,
			    p->name);
	*v = ld64(p->val);
	return 0;
}

static int prop_reg(struct ctx *c, const char *path, const struct prop *p, u64 *base, u64 *size)
{
	const fdt32_t *cells = p->val;

	*base = *size = 0;
	if (p->len != 16)
		return fail(c, -EINVAL, "%s: property '%s' must be four cells (base, size; 2 each)",
			    path, p->name);
	*base = ld64(cells);
	*size = ld64(cells + 2);
	return 0;
}

/* Exactly one string, ending where the property ends. */
static int prop_string(struct ctx *c, const char *path, const struct prop *p, const char **s)
{
	const char *v = p->val;

	*s = "";
	if (p->len <= 0 || v[p->len - 1] != '\0' || strlen(v) != (size_t)p->len - 1)
		return fail(c, -EINVAL, "%s: property '%s' must be one string", path, p->name);
	*s = v;
	return 0;
}

/* One or more non-empty strings, the last one ending where the property ends. */
static int prop_strlist(struct ctx *c, const char *path, const struct prop *p)
{
	const char *v = p->val;
	int i;

	if (p->len <= 0 || v[p->len - 1] != '\0' || v[0] == '\0')
		goto bad;
	for (i = 1; i < p->len; i++)
		if (v[i] == '\0' && v[i - 1] == '\0')
			goto bad;
	return 0;
bad:
	return fail(c, -EINVAL, "%s: property '%s' must be a list of non-empty strings", path,
		    p->name);
}

/* Only the fixed layout of the schema: the cells properties exist to keep dtc quiet. */
static int check_cells(struct ctx *c, const char *path, const struct prop *p, u32 want)
{
	u32 v;
	int ret;

	if (!p->val)
		return 0;
	ret = prop_u32(c, path, p, &v);
	if (ret)
		return ret;
	if (v != want)
		return fail(c, -EINVAL, "%s: %s must be <%u>", path, p->name, want);
	return 0;
}

/* A PLIC source number (or count): one cell, 1..GUESTCFG_MAX_IRQ. */
static int prop_source(struct ctx *c, const char *path, const struct prop *p, const char *what,
		       u32 *v)
{
	int ret = prop_u32(c, path, p, v);

	if (ret)
		return ret;
	if (*v < 1 || *v > GUESTCFG_MAX_IRQ)
		return fail(c, -ERANGE, "%s: %s %u out of range 1..%u", path, what, *v,
			    GUESTCFG_MAX_IRQ);
	return 0;
}

/* [a, a + as) and [b, b + bs), neither of which wraps. */
static bool overlap(u64 a, u64 as, u64 b, u64 bs)
{
	return a < b + bs && b < a + as;
}

static bool in_ram(const struct guestcfg *cfg, u64 addr)
{
	u32 i;

	for (i = 0; i < cfg->nr_mem; i++)
		if (addr >= cfg->mem[i].gpa && addr - cfg->mem[i].gpa < cfg->mem[i].size)
			return true;
	return false;
}

/* ------------------------------------------------------------ root */

static bool name_char_ok(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '-';
}

/* Before anything else: every later message starts with this name. */
static int parse_name(struct ctx *c, int root)
{
	struct prop p = { .name = "guest-name" };
	const char *s;
	size_t i, n;
	int ret;

	p.val = fdt_getprop(c->fdt, root, p.name, &p.len);
	if (!p.val) {
		if (p.len != -FDT_ERR_NOTFOUND)
			return malformed(c);
		return require(c, "/", &p);
	}
	ret = prop_string(c, "/", &p, &s);
	if (ret)
		return ret;
	n = strlen(s);
	for (i = 0; i < n && name_char_ok(s[i]); i++)
		;
	if (n < 1 || n > GUESTCFG_NAME_LEN || i < n)
		return fail(c, -EINVAL,
			    "/: invalid guest-name '%s' (1..%u characters from A-Z a-z 0-9 _ -)", s,
			    GUESTCFG_NAME_LEN);
	memcpy(c->cfg->name, s, n + 1);
	c->named = true;
	return 0;
}

static int parse_sbi_disable(struct ctx *c, const struct prop *p)
{
	const char *s = p->val, *end = s + p->len;
	unsigned int i;
	int ret;

	ret = prop_strlist(c, "/", p);
	if (ret)
		return ret;
	/* prop_strlist() made sure that every string ends before end. */
	for (; s < end; s += strlen(s) + 1) {
		if (!strcmp(s, "base"))
			return fail(c, -EINVAL,
				    "/: sbi-disable: SBI extension 'base' cannot be disabled");
		for (i = 0; i < GUESTCFG_SBI_NR && strcmp(s, sbi_names[i]); i++)
			;
		if (i == GUESTCFG_SBI_NR)
			return fail(c, -EINVAL,
				    "/: sbi-disable: unknown SBI extension '%s' (known: time ipi "
				    "rfence hsm srst dbcn legacy sta)",
				    s);
		c->cfg->sbi_disabled |= GUESTCFG_SBI_BIT(i);
	}
	return 0;
}

/* ------------------------------------------------------------ vcpus */

/* A message without the "guest 'x': " of the others. */
static int __attribute__((format(printf, 4, 5)))
say(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

int guestcfg_check_sched(const struct guestcfg_vcpu *v, char *err, size_t errlen)
{
	unsigned long slice = v->slice_ns / 1000, budget = v->budget_ns / 1000,
		      period = v->period_ns / 1000;

	if (v->priority > GUESTCFG_MAX_PRIO)
		return say(err, errlen, -ERANGE, "priority %u out of range 0..%u", v->priority,
			   GUESTCFG_MAX_PRIO);
	/* Too short a slice would let one guest keep a hart busy with timer interrupts. */
	if (slice < GUESTCFG_MIN_SLICE_US || slice > GUESTCFG_MAX_SLICE_US)
		return say(err, errlen, -ERANGE, "time-slice-us %lu out of range %u..%u", slice,
			   GUESTCFG_MIN_SLICE_US, GUESTCFG_MAX_SLICE_US);
	if (!budget != !period)
		return say(err, errlen, -EINVAL, "%s without %s",
			   budget ? "budget-us" : "period-us", budget ? "period-us" : "budget-us");
	if (!budget)
		return 0;
	if (budget < GUESTCFG_MIN_BUDGET_US || budget > GUESTCFG_MAX_BUDGET_US)
		return say(err, errlen, -ERANGE, "budget-us %lu out of range %u..%u", budget,
			   GUESTCFG_MIN_BUDGET_US, GUESTCFG_MAX_BUDGET_US);
	if (period < GUESTCFG_MIN_PERIOD_US || period > GUESTCFG_MAX_PERIOD_US)
		return say(err, errlen, -ERANGE, "period-us %lu out of range %u..%u", period,
			   GUESTCFG_MIN_PERIOD_US, GUESTCFG_MAX_PERIOD_US);
	if (budget > period)
		return say(err, errlen, -EINVAL, "budget-us %lu exceeds period-us %lu", budget,
			   period);
	return 0;
}

/* The scheduling properties, the same in /vcpus and in each vcpu@N. */
enum { S_PRIO, S_SLICE, S_BUDGET, S_PERIOD, S_AFF, S_NR };
#define SCHED_PROPS(base)                                           \
	[(base) + S_PRIO] = { .name = "priority" },                 \
		  [(base) + S_SLICE] = { .name = "time-slice-us" }, \
		  [(base) + S_BUDGET] = { .name = "budget-us" },    \
		  [(base) + S_PERIOD] = { .name = "period-us" },    \
		  [(base) + S_AFF] = { .name = "affinity" }

/* One cell in microseconds, given: into *ns. */
static int prop_us(struct ctx *c, const char *path, const struct prop *p, u64 *ns)
{
	u32 x;
	int ret;

	if (!p->val)
		return 0;
	ret = prop_u32(c, path, p, &x);
	if (!ret)
		*ns = (u64)x * 1000;
	return ret;
}

/* @p: the S_NR scheduling properties of the node at @path, applied over what @v holds. */
static int parse_sched(struct ctx *c, const char *path, const struct prop *p,
		       struct guestcfg_vcpu *v)
{
	const struct prop *aff = &p[S_AFF];
	const fdt32_t *cells;
	char msg[96];
	u64 mask = 0;
	int i, ret;
	u32 x;

	if (p[S_PRIO].val) {
		ret = prop_u32(c, path, &p[S_PRIO], &v->priority);
		if (ret)
			return ret;
	}
	ret = prop_us(c, path, &p[S_SLICE], &v->slice_ns);
	if (!ret)
		ret = prop_us(c, path, &p[S_BUDGET], &v->budget_ns);
	if (!ret)
		ret = prop_us(c, path, &p[S_PERIOD], &v->period_ns);
	if (ret)
		return ret;
	ret = guestcfg_check_sched(v, msg, sizeof(msg));
	if (ret)
		return fail(c, ret, "%s: %s", path, msg);
	if (aff->val) {
		/* An empty list would read as mask 0, "any hart": the opposite of what it says. */
		if (aff->len <= 0 || aff->len % 4)
			return fail(c, -EINVAL, "%s: property 'affinity' must be a list of cells",
				    path);
		cells = aff->val;
		for (i = 0; i < aff->len / 4; i++) {
			x = fdt32_ld(cells + i);
			if (x >= GUESTCFG_MAX_HARTS)
				return fail(c, -ERANGE, "%s: affinity hart %u out of range 0..%u",
					    path, x, GUESTCFG_MAX_HARTS - 1);
			mask |= 1ULL << x;
		}
		v->affinity = mask;
	}
	return 0;
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Unit addresses are hex in every device tree: vcpu@a is VCPU 10. */
static int parse_unit(const char *s, u32 *out)
{
	u32 v = 0;
	int d, n;

	for (n = 0; s[n]; n++) {
		d = hex_digit(s[n]);
		if (d < 0 || n >= 8)
			return -EINVAL;
		v = v << 4 | d;
	}
	if (!n)
		return -EINVAL;
	*out = v;
	return 0;
}

enum { VC_REG, VC_SCHED, VC_NR = VC_SCHED + S_NR };

static int parse_vcpu(struct ctx *c, int node, const char *name, u64 *seen)
{
	struct prop p[VC_NR] = {
		[VC_REG] = { .name = "reg" },
		SCHED_PROPS(VC_SCHED),
	};
	char path[PATH_LEN];
	u32 idx, reg;
	int ret;

	snprintf(path, sizeof(path), "/vcpus/%s", name);
	if (!node_is(name, "vcpu"))
		return fail(c, -EINVAL, "/vcpus: unknown node '%s'", name);
	if (!strchr(name, '@') || parse_unit(strchr(name, '@') + 1, &idx))
		return fail(c, -EINVAL, "%s: unit address must be a VCPU index (hex)", path);
	if (idx >= c->cfg->nr_vcpus)
		return fail(c, -ERANGE, "%s: VCPU index %u out of range 0..%u", path, idx,
			    c->cfg->nr_vcpus - 1);
	/* nr_vcpus <= 64, so one bit per VCPU. */
	if (*seen & (1ULL << idx))
		return fail(c, -EINVAL, "%s: VCPU %u is described twice", path, idx);
	*seen |= 1ULL << idx;

	ret = scan_props(c, node, path, p, VC_NR);
	if (ret)
		return ret;
	if (p[VC_REG].val) {
		ret = prop_u32(c, path, &p[VC_REG], &reg);
		if (ret)
			return ret;
		if (reg != idx)
			return fail(c, -EINVAL, "%s: reg <%u> does not match the unit address",
				    path, reg);
	}
	ret = parse_sched(c, path, &p[VC_SCHED], &c->cfg->vcpu[idx]);
	if (ret)
		return ret;
	return no_children(c, node, path);
}

enum { V_ACELLS, V_SCELLS, V_COUNT, V_SCHED, V_NR = V_SCHED + S_NR };

static int parse_vcpus(struct ctx *c, int node)
{
	struct prop p[V_NR] = {
		[V_ACELLS] = { .name = "#address-cells" },
		[V_SCELLS] = { .name = "#size-cells" },
		[V_COUNT] = { .name = "count" },
		SCHED_PROPS(V_SCHED),
	};
	struct guestcfg_vcpu def = {
		.priority = GUESTCFG_DEFAULT_PRIO,
		.slice_ns = (u64)GUESTCFG_DEFAULT_SLICE_US * 1000,
	};
	struct guestcfg *cfg = c->cfg;
	const char *name;
	int child, ret;
	u64 seen = 0;
	u32 count, i;

	ret = scan_props(c, node, "/vcpus", p, V_NR);
	if (ret)
		return ret;
	ret = check_cells(c, "/vcpus", &p[V_ACELLS], 1);
	if (!ret)
		ret = check_cells(c, "/vcpus", &p[V_SCELLS], 0);
	if (!ret)
		ret = require(c, "/vcpus", &p[V_COUNT]);
	if (!ret)
		ret = prop_u32(c, "/vcpus", &p[V_COUNT], &count);
	if (ret)
		return ret;
	if (count < 1 || count > c->max_vcpus)
		return fail(c, -ERANGE, "vcpus count %u out of range 1..%u", count, c->max_vcpus);
	ret = parse_sched(c, "/vcpus", &p[V_SCHED], &def);
	if (ret)
		return ret;
	for (i = 0; i < count; i++)
		cfg->vcpu[i] = def;
	cfg->nr_vcpus = count;

	for (child = fdt_next_child(c->fdt, node, 0); child >= 0;
	     child = fdt_next_child(c->fdt, child, 1)) {
		name = fdt_get_name(c->fdt, child, NULL);
		if (!name)
			return malformed(c);
		ret = parse_vcpu(c, child, name, &seen);
		if (ret)
			return ret;
	}
	return child == -FDT_ERR_NOTFOUND ? 0 : malformed(c);
}

/* ------------------------------------------------------------ memory */

enum { M_REG, M_HOST, M_NR };

static int parse_mem(struct ctx *c, int node, const char *name)
{
	struct prop p[M_NR] = {
		[M_REG] = { .name = "reg" },
		[M_HOST] = { .name = "host-address" },
	};
	struct guestcfg *cfg = c->cfg;
	struct guestcfg_mem m = { 0 };
	char path[PATH_LEN];
	int ret;

	snprintf(path, sizeof(path), "/%s", name);
	ret = scan_leaf(c, node, path, p, M_NR);
	if (!ret)
		ret = require(c, path, &p[M_REG]);
	if (!ret)
		ret = prop_reg(c, path, &p[M_REG], &m.gpa, &m.size);
	if (ret)
		return ret;
	if (cfg->nr_mem == GUESTCFG_MAX_MEM)
		return fail(c, -E2BIG, "too many memory regions (max %u)", GUESTCFG_MAX_MEM);
	if (!m.size)
		return fail(c, -EINVAL, "%s: memory region size is 0", path);
	if (!IS_ALIGNED(m.gpa | m.size, GUESTCFG_PAGE_SIZE))
		return fail(c, -EINVAL, "%s: memory region 0x%lx+0x%lx is not page aligned", path,
			    m.gpa, m.size);
	if (m.gpa >= GUESTCFG_GPA_LIMIT || m.size > GUESTCFG_GPA_LIMIT - m.gpa)
		return fail(c, -ERANGE,
			    "%s: memory region 0x%lx+0x%lx ends beyond the guest-physical limit "
			    "0x%lx (Sv48x4)",
			    path, m.gpa, m.size, (u64)GUESTCFG_GPA_LIMIT);
	if (p[M_HOST].val) {
		ret = prop_u64(c, path, &p[M_HOST], &m.hpa);
		if (ret)
			return ret;
		if (!IS_ALIGNED(m.hpa, GUESTCFG_PAGE_SIZE))
			return fail(c, -EINVAL, "%s: host-address 0x%lx is not page aligned", path,
				    m.hpa);
		/* Ending exactly at 2^64 counts too: end addresses must be representable. */
		if (m.hpa + m.size < m.hpa)
			return fail(c, -ERANGE, "%s: host range 0x%lx+0x%lx wraps", path, m.hpa,
				    m.size);
		m.fixed = true;
	}
	cfg->mem[cfg->nr_mem++] = m;
	return 0;
}

/* After every memory node is read: order, then overlaps in both address spaces. */
static int check_mem(struct ctx *c)
{
	struct guestcfg *cfg = c->cfg;
	struct guestcfg_mem t, *a, *b;
	u32 i, j;

	if (!cfg->nr_mem)
		return fail(c, -ENOENT, "no memory region");
	/* At most GUESTCFG_MAX_MEM entries: insertion sort. */
	for (i = 1; i < cfg->nr_mem; i++) {
		t = cfg->mem[i];
		for (j = i; j > 0 && cfg->mem[j - 1].gpa > t.gpa; j--)
			cfg->mem[j] = cfg->mem[j - 1];
		cfg->mem[j] = t;
	}
	/* Sorted, so a clash always shows between neighbours. */
	for (i = 1; i < cfg->nr_mem; i++) {
		a = &cfg->mem[i - 1];
		b = &cfg->mem[i];
		if (a->gpa + a->size > b->gpa)
			return fail(c, -EINVAL,
				    "memory regions 0x%lx+0x%lx and 0x%lx+0x%lx overlap", a->gpa,
				    a->size, b->gpa, b->size);
	}
	for (i = 0; i < cfg->nr_mem; i++) {
		for (j = i + 1; j < cfg->nr_mem; j++) {
			a = &cfg->mem[i];
			b = &cfg->mem[j];
			if (a->fixed && b->fixed && overlap(a->hpa, a->size, b->hpa, b->size))
				return fail(c, -EINVAL,
					    "memory regions 0x%lx+0x%lx and 0x%lx+0x%lx overlap in "
					    "host memory (0x%lx and 0x%lx)",
					    a->gpa, a->size, b->gpa, b->size, a->hpa, b->hpa);
		}
	}
	return 0;
}

/* ------------------------------------------------------------ images */

enum { I_FILE, I_LOAD, I_NR };

/*
 * align: what the guest needs at that address, no more: 4 for a kernel's
 * first instruction, 8 for a DTB (the FDT spec), 1 for an initrd.
 */
static int parse_image(struct ctx *c, int node, const char *what, struct guestcfg_image *img,
		       u64 align)
{
	struct prop p[I_NR] = {
		[I_FILE] = { .name = "file" },
		[I_LOAD] = { .name = "load-address" },
	};
	bool is_kernel = img == &c->cfg->kernel;
	char path[PATH_LEN];
	int ret;

	snprintf(path, sizeof(path), "/images/%s", what);
	if (img->present)
		return fail(c, -EINVAL, "/images: duplicate node '%s'", what);
	ret = scan_leaf(c, node, path, p, I_NR);
	if (!ret)
		ret = require(c, path, &p[I_FILE]);
	if (!ret)
		ret = prop_string(c, path, &p[I_FILE], &img->file);
	if (ret)
		return ret;
	if (!img->file[0])
		return fail(c, -EINVAL, "%s: property 'file' is empty", path);
	if (p[I_LOAD].val) {
		ret = prop_u64(c, path, &p[I_LOAD], &img->load);
		if (ret)
			return ret;
		img->load_given = true;
	} else if (is_kernel) {
		img->load = c->cfg->mem[0].gpa + GUESTCFG_KERNEL_OFFSET;
	}
	if (img->load_given || is_kernel) {
		if (!IS_ALIGNED(img->load, align))
			return fail(c, -EINVAL, "%s: load address 0x%lx is not %lu-byte aligned",
				    path, img->load, (unsigned long)align);
		if (!in_ram(c->cfg, img->load))
			return fail(c, -ERANGE, "%s: load address 0x%lx%s is not in RAM", path,
				    img->load,
				    img->load_given ? "" : " (default: RAM base + 2 MiB)");
	}
	img->present = true;
	return 0;
}

static int parse_images(struct ctx *c, int node)
{
	struct guestcfg *cfg = c->cfg;
	const char *name;
	int child, ret;

	ret = scan_props(c, node, "/images", NULL, 0);
	if (ret)
		return ret;
	for (child = fdt_next_child(c->fdt, node, 0); child >= 0;
	     child = fdt_next_child(c->fdt, child, 1)) {
		name = fdt_get_name(c->fdt, child, NULL);
		if (!name)
			return malformed(c);
		if (!strcmp(name, "kernel"))
			ret = parse_image(c, child, name, &cfg->kernel, 4);
		else if (!strcmp(name, "initrd"))
			ret = parse_image(c, child, name, &cfg->initrd, 1);
		else if (!strcmp(name, "dtb"))
			ret = parse_image(c, child, name, &cfg->dtb, 8);
		else
			ret = fail(c, -EINVAL, "/images: unknown node '%s'", name);
		if (ret)
			return ret;
	}
	if (child != -FDT_ERR_NOTFOUND)
		return malformed(c);
	if (!cfg->kernel.present)
		return fail(c, -ENOENT, "/images: missing required node 'kernel'");
	return 0;
}

/* ------------------------------------------------------------ devices */

/* The first entry of the list the caller knows; any first entry without a list. */
static const char *pick_compat(const char *const *known, const char *list, int len)
{
	const char *s, *end = list + len;
	const char *const *k;

	if (!known)
		return list;
	for (s = list; s < end; s += strlen(s) + 1)
		for (k = known; *k; k++)
			if (!strcmp(s, *k))
				return s;
	return NULL;
}

enum { D_COMPAT, D_REG, D_IRQ, D_NDEV, D_NR };

static int parse_device(struct ctx *c, int node, const char *name)
{
	struct prop p[D_NR] = {
		[D_COMPAT] = { .name = "compatible" },
		[D_REG] = { .name = "reg" },
		[D_IRQ] = { .name = "interrupts" },
		[D_NDEV] = { .name = "riscv,ndev" },
	};
	struct guestcfg *cfg = c->cfg;
	struct guestcfg_device d = { .name = name };
	const struct guestcfg_device *o;
	const struct guestcfg_mem *m;
	char path[PATH_LEN];
	int ret;
	u32 i;

	snprintf(path, sizeof(path), "/devices/%s", name);
	ret = scan_leaf(c, node, path, p, D_NR);
	if (!ret)
		ret = require(c, path, &p[D_COMPAT]);
	if (!ret)
		ret = require(c, path, &p[D_REG]);
	if (!ret)
		ret = prop_strlist(c, path, &p[D_COMPAT]);
	if (!ret)
		ret = prop_reg(c, path, &p[D_REG], &d.base, &d.size);
	if (ret)
		return ret;
	if (cfg->nr_devices == GUESTCFG_MAX_DEVICES)
		return fail(c, -E2BIG, "too many devices (max %u)", GUESTCFG_MAX_DEVICES);
	d.compatible = pick_compat(c->known, p[D_COMPAT].val, p[D_COMPAT].len);
	if (!d.compatible)
		return fail(c, -ENODEV, "unknown device compatible '%s'",
			    (const char *)p[D_COMPAT].val);
	if (!d.size)
		return fail(c, -EINVAL, "%s: device size is 0", path);
	if (d.base >= GUESTCFG_GPA_LIMIT || d.size > GUESTCFG_GPA_LIMIT - d.base)
		return fail(c, -ERANGE,
			    "%s: device 0x%lx+0x%lx ends beyond the guest-physical limit 0x%lx "
			    "(Sv48x4)",
			    path, d.base, d.size, (u64)GUESTCFG_GPA_LIMIT);
	if (p[D_IRQ].val) {
		ret = prop_source(c, path, &p[D_IRQ], "interrupt", &d.irq);
		if (ret)
			return ret;
		d.has_irq = true;
	}
	if (p[D_NDEV].val) {
		ret = prop_source(c, path, &p[D_NDEV], "riscv,ndev", &d.ndev);
		if (ret)
			return ret;
	}

	for (i = 0; i < cfg->nr_mem; i++) {
		m = &cfg->mem[i];
		if (overlap(d.base, d.size, m->gpa, m->size))
			return fail(c, -EINVAL,
				    "device '%s' (0x%lx+0x%lx) overlaps RAM 0x%lx+0x%lx", name,
				    d.base, d.size, m->gpa, m->size);
	}
	for (i = 0; i < cfg->nr_devices; i++) {
		o = &cfg->dev[i];
		if (overlap(d.base, d.size, o->base, o->size))
			return fail(c, -EINVAL,
				    "devices '%s' (0x%lx+0x%lx) and '%s' (0x%lx+0x%lx) overlap",
				    o->name, o->base, o->size, name, d.base, d.size);
		/* Emulated models drive their line on their own: a shared one would lose edges. */
		if (d.has_irq && o->has_irq && d.irq == o->irq)
			return fail(c, -EINVAL, "devices '%s' and '%s' share interrupt %u", o->name,
				    name, d.irq);
	}
	cfg->dev[cfg->nr_devices++] = d;
	return 0;
}

enum { DS_ACELLS, DS_SCELLS, DS_NR };

static int parse_devices(struct ctx *c, int node)
{
	struct prop p[DS_NR] = {
		[DS_ACELLS] = { .name = "#address-cells" },
		[DS_SCELLS] = { .name = "#size-cells" },
	};
	const char *name;
	int child, ret;

	ret = scan_props(c, node, "/devices", p, DS_NR);
	if (!ret)
		ret = check_cells(c, "/devices", &p[DS_ACELLS], 2);
	if (!ret)
		ret = check_cells(c, "/devices", &p[DS_SCELLS], 2);
	if (ret)
		return ret;
	for (child = fdt_next_child(c->fdt, node, 0); child >= 0;
	     child = fdt_next_child(c->fdt, child, 1)) {
		name = fdt_get_name(c->fdt, child, NULL);
		if (!name)
			return malformed(c);
		ret = parse_device(c, child, name);
		if (ret)
			return ret;
	}
	return child == -FDT_ERR_NOTFOUND ? 0 : malformed(c);
}

/* ------------------------------------------------------------ entry points */

enum { R_ACELLS, R_SCELLS, R_COMPAT, R_NAME, R_BOOTARGS, R_SBI, R_NR };

static int parse_root(struct ctx *c, int root)
{
	struct prop p[R_NR] = {
		[R_ACELLS] = { .name = "#address-cells" }, [R_SCELLS] = { .name = "#size-cells" },
		[R_COMPAT] = { .name = "compatible" },	   [R_NAME] = { .name = "guest-name" },
		[R_BOOTARGS] = { .name = "bootargs" },	   [R_SBI] = { .name = "sbi-disable" },
	};
	int child, vcpus = -1, images = -1, devices = -1, *slot;
	const char *name;
	int ret;

	/* A host DTB handed to "guest create" by mistake should say so, not "no guest-name". */
	if (!fdt_node_compatible(c->fdt, root, GUESTCFG_COMPATIBLE))
		return fail(c, -EINVAL,
			    "not a Keel guest description (/ compatible must include '%s')",
			    GUESTCFG_COMPATIBLE);
	ret = parse_name(c, root);
	if (ret)
		return ret;
	ret = scan_props(c, root, "/", p, R_NR);
	if (!ret)
		ret = check_cells(c, "/", &p[R_ACELLS], 2);
	if (!ret)
		ret = check_cells(c, "/", &p[R_SCELLS], 2);
	if (!ret && p[R_BOOTARGS].val)
		ret = prop_string(c, "/", &p[R_BOOTARGS], &c->cfg->bootargs);
	if (!ret && p[R_SBI].val)
		ret = parse_sbi_disable(c, &p[R_SBI]);
	if (ret)
		return ret;

	/* Memory first: images and devices are checked against it. */
	for (child = fdt_next_child(c->fdt, root, 0); child >= 0;
	     child = fdt_next_child(c->fdt, child, 1)) {
		name = fdt_get_name(c->fdt, child, NULL);
		if (!name)
			return malformed(c);
		if (!strcmp(name, "vcpus")) {
			slot = &vcpus;
		} else if (!strcmp(name, "images")) {
			slot = &images;
		} else if (!strcmp(name, "devices")) {
			slot = &devices;
		} else if (node_is(name, "memory")) {
			ret = parse_mem(c, child, name);
			if (ret)
				return ret;
			continue;
		} else {
			return fail(c, -EINVAL, "/: unknown node '%s'", name);
		}
		if (*slot >= 0)
			return fail(c, -EINVAL, "/: duplicate node '%s'", name);
		*slot = child;
	}
	if (child != -FDT_ERR_NOTFOUND)
		return malformed(c);

	if (vcpus < 0)
		return fail(c, -ENOENT, "/: missing required node 'vcpus'");
	ret = parse_vcpus(c, vcpus);
	if (!ret)
		ret = check_mem(c);
	if (ret)
		return ret;
	if (images < 0)
		return fail(c, -ENOENT, "/: missing required node 'images'");
	ret = parse_images(c, images);
	if (!ret && devices >= 0)
		ret = parse_devices(c, devices);
	return ret;
}

int guestcfg_parse(const void *fdt, size_t size, u32 max_vcpus, const char *const *known_compat,
		   struct guestcfg *cfg, char *err, size_t errlen)
{
	struct ctx c = {
		.fdt = fdt,
		.cfg = cfg,
		.known = known_compat,
		.max_vcpus = max_vcpus,
		.err = err,
		.errlen = errlen,
	};
	int root, depth = -1;

	if (err && errlen)
		err[0] = '\0';
	if (!cfg)
		return report(err, errlen, NULL, -EINVAL, "no config to fill");
	memset(cfg, 0, sizeof(*cfg));
	if (!c.max_vcpus || c.max_vcpus > GUESTCFG_MAX_VCPUS)
		c.max_vcpus = GUESTCFG_MAX_VCPUS;
	if (fdt_blob_check(fdt, size))
		return fail(&c, -EINVAL, "invalid device tree blob");
	root = fdt_next_node(fdt, -1, &depth);
	if (root < 0 || depth != 0)
		return malformed(&c);
	return parse_root(&c, root);
}

int guestcfg_check_image(const struct guestcfg *cfg, const char *what,
			 const struct guestcfg_image *img, u64 size, char *err, size_t errlen)
{
	struct ctx c = {
		.cfg = (struct guestcfg *)cfg, .named = true, .err = err, .errlen = errlen
	};
	const struct guestcfg_mem *m;
	u64 off;
	u32 i;

	if (!img->present)
		return fail(&c, -ENOENT, "image '%s' is not configured", what);
	if (!size)
		return fail(&c, -EINVAL, "image '%s' is empty", what);
	for (i = 0; i < cfg->nr_mem; i++) {
		m = &cfg->mem[i];
		/* Offsets, not end addresses: load + size may wrap. */
		if (img->load < m->gpa)
			continue;
		off = img->load - m->gpa;
		if (off < m->size && size <= m->size - off)
			return 0;
	}
	return fail(&c, -ENOSPC, "image '%s' (%lu bytes at 0x%lx) does not fit in RAM", what, size,
		    img->load);
}
