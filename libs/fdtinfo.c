/*
 * Platform discovery over a flattened device tree.
 *
 * libfdt bounds every access it makes by the header's totalsize, but a few of
 * its conveniences trust property contents: fdt_get_alias*() hands back alias
 * values without checking that they are NUL-terminated (and recurses forever on
 * an alias whose value names another alias), and fdt_stringlist_contains()
 * reads one byte past a list that ends in an unterminated string.  So aliases,
 * string lists and every cell count are decoded here, with lengths checked.
 */
#include <string.h>
#include <libfdt.h>

#include "libs/fdtinfo.h"

/* Deepest node fdt_node_reg() translates; real trees stay below 10 levels. */
#define MAX_DEPTH 32
/* Bound on interrupt-parent hops, so that a phandle cycle ends. */
#define MAX_IRQ_HOPS 32
/* Largest #interrupt-cells accepted; GICv3 needs 4, nothing needs 8. */
#define MAX_IRQ_CELLS 8
/* A phandle or hart-local irq of all ones marks an interrupts-extended hole. */
#define IRQ_HOLE 0xffffffffu

/*
 * libfdt's tree walkers trust the header; a damaged one must stop every entry
 * point rather than send them walking.  Cheap: a few header compares.
 */
static bool bad_blob(const void *fdt)
{
	if (!fdt || fdt_check_header(fdt))
		return true;
	/*
	 * libfdt loads tags and reservations in place: blocks off their spec
	 * alignment would mean misaligned accesses, which trap on some harts.
	 */
	return fdt_off_dt_struct(fdt) % 4 || fdt_off_mem_rsvmap(fdt) % 8;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool eq_nocase(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return false;
	return true;
}

/* Only strings that end inside their property are safe to hand to str*(). */
static const char *prop_str(const void *fdt, int node, const char *name)
{
	const char *s;
	int len;

	s = fdt_getprop(fdt, node, name, &len);
	if (!s || len <= 0 || s[len - 1] != '\0')
		return NULL;
	return s;
}

static bool prop_str_is(const void *fdt, int node, const char *name, const char *val)
{
	const char *s = prop_str(fdt, node, name);

	return s && !strcmp(s, val);
}

/* A u32 or u64 property, as /chosen and timebase-frequency allow both. */
static int prop_num(const void *fdt, int node, const char *name, u64 *val)
{
	const fdt32_t *p;
	int len;

	p = fdt_getprop(fdt, node, name, &len);
	if (!p)
		return len == -FDT_ERR_NOTFOUND ? -ENOENT : -EINVAL;
	if (len == 4)
		*val = fdt32_ld(p);
	else if (len == 8)
		*val = (u64)fdt32_ld(p) << 32 | fdt32_ld(p + 1);
	else
		return -EINVAL;
	return 0;
}

/* A #...-cells property: def when absent, -EINVAL when malformed or above max. */
static int get_cells(const void *fdt, int node, const char *name, int def, u32 max)
{
	const fdt32_t *p;
	int len;
	u32 v;

	p = fdt_getprop(fdt, node, name, &len);
	if (!p)
		return len == -FDT_ERR_NOTFOUND ? def : -EINVAL;
	if (len != 4)
		return -EINVAL;
	v = fdt32_ld(p);
	return v > max ? -EINVAL : (int)v;
}

/* n <= 2 cells, so the value fits a u64. */
static u64 read_cells(const fdt32_t *p, int n)
{
	u64 v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 32 | fdt32_ld(p + i);
	return v;
}

/* Case-insensitive for ISA names, exact for compatible strings. */
static bool stringlist_has(const char *list, int len, const char *str, bool nocase)
{
	size_t n = strlen(str);
	const char *end;
	int off = 0;

	while (off < len) {
		end = memchr(list + off, '\0', len - off);
		if (!end)
			return false;
		if ((size_t)(end - (list + off)) == n &&
		    (nocase ? eq_nocase(list + off, str, n) : !memcmp(list + off, str, n)))
			return true;
		off = end - list + 1;
	}
	return false;
}

/*
 * Offsets of node and its ancestors, path[0] being the root; returns node's
 * depth.  One pass over the tree instead of one fdt_parent_offset() (itself a
 * pass) per level.
 */
static int node_path(const void *fdt, int node, int *path)
{
	int off = -1, depth = -1;

	if (node < 0)
		return -EINVAL;
	for (;;) {
		off = fdt_next_node(fdt, off, &depth);
		/* A stray END_NODE can drive depth below zero on a corrupt tree. */
		if (off < 0 || depth < 0 || off > node)
			return -EINVAL;
		if (depth < MAX_DEPTH)
			path[depth] = off;
		if (off == node)
			return depth < MAX_DEPTH ? depth : -EINVAL;
	}
}

int fdt_next_child(const void *fdt, int offset, int depth)
{
	do {
		offset = fdt_next_node(fdt, offset, &depth);
		if (offset < 0)
			return offset;
		if (depth < 1)
			return -FDT_ERR_NOTFOUND;
	} while (depth > 1);
	return offset;
}

/* Maps *addr from bus's address space into its parent's through bus's ranges. */
static int translate(const void *fdt, int bus, int parent, u64 *addr)
{
	const fdt32_t *r;
	int len, cac, csc, pac, n, i;
	u64 cb, pb, sz;

	r = fdt_getprop(fdt, bus, "ranges", &len);
	if (!r)
		return -EINVAL;
	if (len == 0)
		return 0;
	cac = get_cells(fdt, bus, "#address-cells", 2, 2);
	csc = get_cells(fdt, bus, "#size-cells", 1, 2);
	pac = get_cells(fdt, parent, "#address-cells", 2, 2);
	if (cac < 1 || csc < 1 || pac < 1)
		return -EINVAL;
	n = cac + pac + csc;
	if (len % (4 * n))
		return -EINVAL;
	for (i = 0; i < len / (4 * n); i++, r += n) {
		cb = read_cells(r, cac);
		pb = read_cells(r + cac, pac);
		sz = read_cells(r + cac + pac, csc);
		/* Subtract first: cb + sz may wrap. */
		if (*addr >= cb && *addr - cb < sz) {
			*addr = pb + (*addr - cb);
			return 0;
		}
	}
	return -EINVAL;
}

int fdt_blob_check(const void *fdt, size_t bufsize)
{
	if (!fdt || bufsize < sizeof(struct fdt_header) || bad_blob(fdt))
		return -EINVAL;
	return fdt_totalsize(fdt) > bufsize ? -EINVAL : 0;
}

bool fdt_node_ok(const void *fdt, int node)
{
	const char *s;
	int len;

	if (node < 0 || bad_blob(fdt))
		return false;
	s = fdt_getprop(fdt, node, "status", &len);
	if (!s)
		return len == -FDT_ERR_NOTFOUND;
	if (len == 5 && !memcmp(s, "okay", 5))
		return true;
	return len == 3 && !memcmp(s, "ok", 3);
}

bool fdt_node_compatible(const void *fdt, int node, const char *compat)
{
	const char *list;
	int len;

	if (node < 0 || !compat || bad_blob(fdt))
		return false;
	list = fdt_getprop(fdt, node, "compatible", &len);
	return list && stringlist_has(list, len, compat, false);
}

int fdt_find_compatible(const void *fdt, int start, const char *compat)
{
	int node;

	if (bad_blob(fdt))
		return -EINVAL;
	for (node = fdt_next_node(fdt, start, NULL); node >= 0;
	     node = fdt_next_node(fdt, node, NULL))
		if (fdt_node_compatible(fdt, node, compat))
			return node;
	return node == -FDT_ERR_NOTFOUND ? -ENOENT : -EINVAL;
}

int fdt_node_reg(const void *fdt, int node, int index, u64 *addr, u64 *size)
{
	int path[MAX_DEPTH];
	int depth, ac, sc, len, d, ret;
	const fdt32_t *reg;
	u64 a;

	if (index < 0 || bad_blob(fdt))
		return -EINVAL;
	/* Before the path walk, which costs a pass over the tree up to node. */
	reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg)
		return len == -FDT_ERR_NOTFOUND ? -ENOENT : -EINVAL;
	depth = node_path(fdt, node, path);
	if (depth < 0)
		return depth;
	/* The root sits on no bus. */
	if (depth == 0)
		return -EINVAL;
	ac = get_cells(fdt, path[depth - 1], "#address-cells", 2, 2);
	sc = get_cells(fdt, path[depth - 1], "#size-cells", 1, 2);
	if (ac < 1 || sc < 0)
		return -EINVAL;
	if (len % (4 * (ac + sc)))
		return -EINVAL;
	if (index >= len / (4 * (ac + sc)))
		return -ENOENT;
	reg += index * (ac + sc);
	a = read_cells(reg, ac);
	for (d = depth - 1; d > 0; d--) {
		ret = translate(fdt, path[d], path[d - 1], &a);
		if (ret)
			return ret;
	}
	*addr = a;
	*size = read_cells(reg + ac, sc);
	return 0;
}

static int add_range(struct fdt_range *out, int max, int *n, u64 base, u64 size)
{
	if (out) {
		if (*n >= max)
			return -E2BIG;
		out[*n].base = base;
		out[*n].size = size;
	}
	(*n)++;
	return 0;
}

/* Tables are a handful of entries: insertion sort is enough. */
static void sort_ranges(struct fdt_range *r, int n)
{
	struct fdt_range t;
	int i, j;

	if (!r)
		return;
	for (i = 1; i < n; i++) {
		t = r[i];
		for (j = i; j > 0 && r[j - 1].base > t.base; j--)
			r[j] = r[j - 1];
		r[j] = t;
	}
}

static int add_node_regs(const void *fdt, int node, struct fdt_range *out, int max, int *n)
{
	u64 base, size;
	int i, ret;

	for (i = 0;; i++) {
		ret = fdt_node_reg(fdt, node, i, &base, &size);
		if (ret == -ENOENT)
			return 0;
		if (ret)
			return ret;
		if (!size)
			continue;
		ret = add_range(out, max, n, base, size);
		if (ret)
			return ret;
	}
}

int fdt_memory_ranges(const void *fdt, struct fdt_range *out, int max)
{
	int node, ret, depth = -1, n = 0;

	if (bad_blob(fdt))
		return -EINVAL;
	/* Tracking depth makes libfdt report a truncated tree instead of its end. */
	for (node = fdt_next_node(fdt, -1, &depth); node >= 0 && depth >= 0;
	     node = fdt_next_node(fdt, node, &depth)) {
		if (!prop_str_is(fdt, node, "device_type", "memory") || !fdt_node_ok(fdt, node))
			continue;
		ret = add_node_regs(fdt, node, out, max, &n);
		if (ret)
			return ret;
	}
	if (node < 0 && node != -FDT_ERR_NOTFOUND)
		return -EINVAL;
	sort_ranges(out, n);
	return n;
}

int fdt_reserved_ranges(const void *fdt, struct fdt_range *out, int max)
{
	int i, nrsv, rm, child, ret, n = 0;
	u64 base, size;

	if (bad_blob(fdt))
		return -EINVAL;
	nrsv = fdt_num_mem_rsv(fdt);
	if (nrsv < 0)
		return -EINVAL;
	for (i = 0; i < nrsv; i++) {
		if (fdt_get_mem_rsv(fdt, i, &base, &size))
			return -EINVAL;
		ret = add_range(out, max, &n, base, size);
		if (ret)
			return ret;
	}

	rm = fdt_path_offset(fdt, "/reserved-memory");
	if (rm == -FDT_ERR_NOTFOUND)
		goto out;
	if (rm < 0)
		return -EINVAL;
	for (child = fdt_next_child(fdt, rm, 0); child >= 0;
	     child = fdt_next_child(fdt, child, 1)) {
		if (!fdt_node_ok(fdt, child))
			continue;
		/* Children without reg are allocated by the OS later: nothing to keep out. */
		ret = add_node_regs(fdt, child, out, max, &n);
		if (ret)
			return ret;
	}
	if (child != -FDT_ERR_NOTFOUND)
		return -EINVAL;
out:
	sort_ranges(out, n);
	return n;
}

/* The hartid is the cpu's reg, #address-cells of /cpus wide. */
static int cpu_hartid(const void *fdt, int cpus, int cpu, u64 *hartid)
{
	const fdt32_t *reg;
	int ac, len;

	ac = get_cells(fdt, cpus, "#address-cells", 2, 2);
	if (ac < 1)
		return -EINVAL;
	reg = fdt_getprop(fdt, cpu, "reg", &len);
	if (!reg || len < 4 * ac)
		return -EINVAL;
	*hartid = read_cells(reg, ac);
	return 0;
}

int fdt_harts(const void *fdt, struct fdt_hart *out, int max)
{
	int cpus, cpu, ret, n = 0;
	const char *mmu;
	u64 hartid;

	if (bad_blob(fdt))
		return -EINVAL;
	cpus = fdt_path_offset(fdt, "/cpus");
	if (cpus < 0)
		return cpus == -FDT_ERR_NOTFOUND ? -ENOENT : -EINVAL;
	for (cpu = fdt_next_child(fdt, cpus, 0); cpu >= 0; cpu = fdt_next_child(fdt, cpu, 1)) {
		if (!prop_str_is(fdt, cpu, "device_type", "cpu"))
			continue;
		ret = cpu_hartid(fdt, cpus, cpu, &hartid);
		if (ret)
			return ret;
		if (out) {
			if (n >= max)
				return -E2BIG;
			mmu = prop_str(fdt, cpu, "mmu-type");
			out[n].hartid = hartid;
			out[n].node = cpu;
			out[n].isa = prop_str(fdt, cpu, "riscv,isa");
			out[n].enabled = fdt_node_ok(fdt, cpu);
			out[n].has_mmu = mmu && strcmp(mmu, "riscv,none");
		}
		n++;
	}
	if (cpu != -FDT_ERR_NOTFOUND)
		return -EINVAL;
	return n;
}

/* "2", "2p1": the version an ISA string may append to an extension name. */
static bool is_version(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && is_digit(s[i]))
		i++;
	if (i == 0)
		return false;
	if (i == n)
		return true;
	if (lower((unsigned char)s[i]) != 'p' || ++i == n)
		return false;
	while (i < n && is_digit(s[i]))
		i++;
	return i == n;
}

static bool ext_token_is(const char *tok, size_t toklen, const char *ext, size_t extlen)
{
	if (toklen < extlen || !eq_nocase(tok, ext, extlen))
		return false;
	if (toklen == extlen)
		return true;
	/* Without a trailing letter, "zve32" + "2p0" would be ambiguous. */
	return !is_digit(ext[extlen - 1]) && is_version(tok + extlen, toklen - extlen);
}

bool fdt_isa_has(const char *isa, const char *ext)
{
	bool g = false, after_digit = false;
	const char *p, *tok;
	size_t extlen;
	int c;

	if (!isa || !ext || !ext[0])
		return false;
	if (lower((unsigned char)isa[0]) != 'r' || lower((unsigned char)isa[1]) != 'v')
		return false;
	extlen = strlen(ext);
	for (p = isa + 2; is_digit(*p); p++)
		;

	/*
	 * Single letters run up to the first '_' or the first multi-letter name
	 * (s, x, z prefixes), which the ISA spec lets follow them directly.
	 */
	for (; *p && *p != '_'; p++) {
		c = lower((unsigned char)*p);
		if (c == 's' || c == 'x' || c == 'z')
			break;
		if (is_digit(c) || (c == 'p' && after_digit && is_digit(p[1]))) {
			after_digit = is_digit(c);
			continue;
		}
		after_digit = false;
		if (c == 'g')
			g = true;
		if (extlen == 1 && c == lower((unsigned char)ext[0]))
			return true;
	}
	if (extlen == 1)
		return g && strchr("imafd", lower((unsigned char)ext[0]));
	if (g &&
	    (ext_token_is("zicsr", 5, ext, extlen) || ext_token_is("zifencei", 8, ext, extlen)))
		return true;

	while (*p) {
		if (*p == '_') {
			p++;
			continue;
		}
		for (tok = p; *p && *p != '_'; p++)
			;
		if (ext_token_is(tok, p - tok, ext, extlen))
			return true;
	}
	return false;
}

bool fdt_hart_has_ext(const void *fdt, int cpu_node, const char *ext)
{
	const char *list;
	int len;

	if (cpu_node < 0 || !ext || !ext[0] || bad_blob(fdt))
		return false;
	list = fdt_getprop(fdt, cpu_node, "riscv,isa-extensions", &len);
	if (list && len > 0) {
		if (stringlist_has(list, len, ext, true))
			return true;
		/* A broken list is no authority: let riscv,isa answer. */
		if (list[len - 1] == '\0')
			return false;
	}
	return fdt_isa_has(prop_str(fdt, cpu_node, "riscv,isa"), ext);
}

int fdt_timebase_hz(const void *fdt, u64 *hz)
{
	int cpus, cpu, ret;
	u64 v;

	if (bad_blob(fdt))
		return -EINVAL;
	cpus = fdt_path_offset(fdt, "/cpus");
	if (cpus < 0)
		return cpus == -FDT_ERR_NOTFOUND ? -ENOENT : -EINVAL;
	ret = prop_num(fdt, cpus, "timebase-frequency", &v);
	if (ret == -ENOENT) {
		for (cpu = fdt_next_child(fdt, cpus, 0); cpu >= 0;
		     cpu = fdt_next_child(fdt, cpu, 1)) {
			if (!prop_str_is(fdt, cpu, "device_type", "cpu"))
				continue;
			ret = prop_num(fdt, cpu, "timebase-frequency", &v);
			if (ret != -ENOENT)
				break;
		}
		if (cpu < 0 && cpu != -FDT_ERR_NOTFOUND)
			return -EINVAL;
	}
	if (ret)
		return ret;
	/* Everyone divides by it. */
	if (!v)
		return -EINVAL;
	*hz = v;
	return 0;
}

/* Follows '/'-separated names of p[0..len) down from node. */
static int path_walk(const void *fdt, int node, const char *p, size_t len)
{
	const char *end = p + len, *q;

	while (p < end && node >= 0) {
		if (*p == '/') {
			p++;
			continue;
		}
		q = memchr(p, '/', end - p);
		if (!q)
			q = end;
		node = fdt_subnode_offset_namelen(fdt, node, p, q - p);
		p = q;
	}
	return node;
}

int fdt_stdout_node(const void *fdt)
{
	int chosen, aliases, node, vlen;
	const char *s, *val, *q;
	size_t len, alen;

	if (bad_blob(fdt))
		return -EINVAL;
	chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen < 0)
		return -ENOENT;
	s = prop_str(fdt, chosen, "stdout-path");
	if (!s)
		s = prop_str(fdt, chosen, "linux,stdout-path");
	if (!s)
		return -ENOENT;
	len = strcspn(s, ":");
	if (!len)
		return -ENOENT;

	if (s[0] == '/') {
		node = path_walk(fdt, 0, s, len);
	} else {
		q = memchr(s, '/', len);
		alen = q ? (size_t)(q - s) : len;
		aliases = fdt_path_offset(fdt, "/aliases");
		if (aliases < 0)
			return -ENOENT;
		val = fdt_getprop_namelen(fdt, aliases, s, alen, &vlen);
		/* Only a terminated absolute path: an alias of an alias could loop. */
		if (!val || vlen <= 0 || val[vlen - 1] != '\0' || val[0] != '/')
			return -ENOENT;
		node = path_walk(fdt, 0, val, strlen(val));
		node = path_walk(fdt, node, s + alen, len - alen);
	}
	return node < 0 ? -ENOENT : node;
}

int fdt_initrd(const void *fdt, u64 *start, u64 *end)
{
	int chosen, ret;
	u64 s, e;

	if (bad_blob(fdt))
		return -EINVAL;
	chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen < 0)
		return -ENOENT;
	ret = prop_num(fdt, chosen, "linux,initrd-start", &s);
	if (ret)
		return ret;
	ret = prop_num(fdt, chosen, "linux,initrd-end", &e);
	if (ret)
		return ret;
	if (e < s)
		return -EINVAL;
	*start = s;
	*end = e;
	return 0;
}

const char *fdt_bootargs(const void *fdt)
{
	int chosen;

	if (bad_blob(fdt))
		return NULL;
	chosen = fdt_path_offset(fdt, "/chosen");
	return chosen < 0 ? NULL : prop_str(fdt, chosen, "bootargs");
}

/*
 * fdt_node_offset_by_phandle() string-compares the name of every property in
 * the tree; comparing the 4-byte value first leaves one name compare per hit.
 */
static int node_by_phandle(const void *fdt, u32 phandle)
{
	const struct fdt_property *prop;
	int off = 0, next, node = -1, len;
	const char *name;

	if (!phandle || phandle == IRQ_HOLE)
		return -ENOENT;
	for (;; off = next) {
		switch (fdt_next_tag(fdt, off, &next)) {
		case FDT_BEGIN_NODE:
			node = off;
			break;
		case FDT_PROP:
			prop = fdt_get_property_by_offset(fdt, off, &len);
			if (!prop || len != 4 || node < 0 ||
			    fdt32_ld((const fdt32_t *)prop->data) != phandle)
				break;
			name = fdt_get_string(fdt, fdt32_ld(&prop->nameoff), NULL);
			if (name && (!strcmp(name, "phandle") || !strcmp(name, "linux,phandle")))
				return node;
			break;
		case FDT_END:
			return next < 0 ? -EINVAL : -ENOENT;
		}
		if (next < 0)
			return -EINVAL;
	}
}

int fdt_cpu_hartid_of_intc(const void *fdt, u32 intc_phandle, u64 *hartid)
{
	int path[MAX_DEPTH];
	int intc, depth;

	if (bad_blob(fdt))
		return -EINVAL;
	intc = node_by_phandle(fdt, intc_phandle);
	if (intc < 0)
		return -ENOENT;
	depth = node_path(fdt, intc, path);
	/* /cpus/cpu@N/interrupt-controller, so at least two levels down. */
	if (depth < 2 || !prop_str_is(fdt, path[depth - 1], "device_type", "cpu"))
		return -ENOENT;
	return cpu_hartid(fdt, path[depth - 2], path[depth - 1], hartid);
}

struct irq_ext {
	const fdt32_t *cells;
	int ncells, pos;
	u32 phandle;
	const fdt32_t *spec;
	int nspec;
	/* Entries come in runs per controller; each lookup is a tree walk. */
	u32 last_phandle;
	int last_cells;
};

static int irq_ext_init(struct irq_ext *it, const void *fdt, int node)
{
	int len;

	it->cells = fdt_getprop(fdt, node, "interrupts-extended", &len);
	if (!it->cells)
		return len == -FDT_ERR_NOTFOUND ? -ENOENT : -EINVAL;
	if (len % 4)
		return -EINVAL;
	it->ncells = len / 4;
	it->pos = 0;
	it->last_phandle = 0;
	return 0;
}

static bool irq_ext_hole(const struct irq_ext *it)
{
	return !it->phandle || it->phandle == IRQ_HOLE || it->nspec < 1 ||
	       fdt32_ld(it->spec) == IRQ_HOLE;
}

/* Decodes the next <phandle specifier...> entry: 1, 0 at the end, -EINVAL. */
static int irq_ext_next(struct irq_ext *it, const void *fdt)
{
	int ctrl, n;

	if (it->pos >= it->ncells)
		return 0;
	it->phandle = fdt32_ld(it->cells + it->pos);
	if (!it->phandle || it->phandle == IRQ_HOLE) {
		/* No controller to size it: assume the one cell of a cpu-intc. */
		n = 1;
	} else if (it->phandle == it->last_phandle) {
		n = it->last_cells;
	} else {
		ctrl = node_by_phandle(fdt, it->phandle);
		if (ctrl < 0)
			return -EINVAL;
		n = get_cells(fdt, ctrl, "#interrupt-cells", -EINVAL, MAX_IRQ_CELLS);
		if (n < 0)
			return n;
		it->last_phandle = it->phandle;
		it->last_cells = n;
	}
	if (n > it->ncells - it->pos - 1)
		return -EINVAL;
	it->spec = it->cells + it->pos + 1;
	it->nspec = n;
	it->pos += 1 + n;
	return 1;
}

/*
 * phandle of the interrupt-controller child of hartid's cpu.  Resolved once,
 * so that matching an entry is a compare rather than a walk back up the tree.
 */
static int hart_intc(const void *fdt, u64 hartid, u32 *phandle)
{
	int cpus, cpu, child;
	u64 h;
	u32 ph;

	cpus = fdt_path_offset(fdt, "/cpus");
	if (cpus < 0)
		return cpus == -FDT_ERR_NOTFOUND ? -ENOENT : -EINVAL;
	for (cpu = fdt_next_child(fdt, cpus, 0); cpu >= 0; cpu = fdt_next_child(fdt, cpu, 1)) {
		if (!prop_str_is(fdt, cpu, "device_type", "cpu") ||
		    cpu_hartid(fdt, cpus, cpu, &h) || h != hartid)
			continue;
		for (child = fdt_next_child(fdt, cpu, 0); child >= 0;
		     child = fdt_next_child(fdt, child, 1)) {
			ph = fdt_get_phandle(fdt, child);
			if (ph && ph != IRQ_HOLE &&
			    (fdt_getprop(fdt, child, "interrupt-controller", NULL) ||
			     fdt_getprop(fdt, child, "#interrupt-cells", NULL))) {
				*phandle = ph;
				return 0;
			}
		}
		return -ENOENT;
	}
	return cpu == -FDT_ERR_NOTFOUND ? -ENOENT : -EINVAL;
}

int fdt_plic_context(const void *fdt, int plic_node, u64 hartid, u32 cpu_irq)
{
	struct irq_ext it;
	int ctx, ret;
	u32 intc;

	if (bad_blob(fdt))
		return -EINVAL;
	ret = irq_ext_init(&it, fdt, plic_node);
	if (ret)
		return ret;
	ret = hart_intc(fdt, hartid, &intc);
	if (ret)
		return ret;
	for (ctx = 0; (ret = irq_ext_next(&it, fdt)) > 0; ctx++)
		if (!irq_ext_hole(&it) && it.phandle == intc && fdt32_ld(it.spec) == cpu_irq)
			return ctx;
	return ret < 0 ? ret : -ENOENT;
}

/*
 * The controller that interprets node's interrupts: interrupt-parent, else the
 * tree parent, repeated until a node with #interrupt-cells (as Linux does).
 */
static int irq_parent(const void *fdt, int node)
{
	int path[MAX_DEPTH];
	int hop, len, p, depth = -1;
	const fdt32_t *ph;

	for (hop = 0; hop < MAX_IRQ_HOPS; hop++) {
		ph = fdt_getprop(fdt, node, "interrupt-parent", &len);
		if (ph) {
			if (len != 4)
				return -EINVAL;
			p = node_by_phandle(fdt, fdt32_ld(ph));
			if (p < 0)
				return -EINVAL;
			/* Elsewhere in the tree: the ancestors known so far are not p's. */
			depth = -1;
		} else if (len != -FDT_ERR_NOTFOUND) {
			return -EINVAL;
		} else {
			/* One walk yields every ancestor; climbing needs no more. */
			if (depth < 0)
				depth = node_path(fdt, node, path);
			if (depth < 0)
				return depth;
			if (depth == 0)
				return -ENOENT;
			p = path[--depth];
		}
		if (fdt_getprop(fdt, p, "#interrupt-cells", NULL))
			return p;
		node = p;
	}
	return -EINVAL;
}

int fdt_irq_number(const void *fdt, int node, int index, u32 *irq)
{
	const fdt32_t *cells;
	struct irq_ext it;
	int i, len, n, ctrl, ret;

	if (node < 0 || index < 0 || bad_blob(fdt))
		return -EINVAL;
	ret = irq_ext_init(&it, fdt, node);
	if (!ret) {
		for (i = 0; (ret = irq_ext_next(&it, fdt)) > 0; i++) {
			if (i < index)
				continue;
			if (irq_ext_hole(&it))
				return -ENOENT;
			*irq = fdt32_ld(it.spec);
			return 0;
		}
		return ret < 0 ? ret : -ENOENT;
	}
	if (ret != -ENOENT)
		return ret;

	cells = fdt_getprop(fdt, node, "interrupts", &len);
	if (!cells)
		return len == -FDT_ERR_NOTFOUND ? -ENOENT : -EINVAL;
	ctrl = irq_parent(fdt, node);
	if (ctrl < 0)
		return ctrl;
	n = get_cells(fdt, ctrl, "#interrupt-cells", -EINVAL, MAX_IRQ_CELLS);
	if (n < 1 || len % (4 * n))
		return -EINVAL;
	if (index >= len / (4 * n))
		return -ENOENT;
	*irq = fdt32_ld(cells + index * n);
	return 0;
}
