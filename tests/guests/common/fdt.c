/*
 * A tiny flattened-device-tree walker: just what the guest needs (harts,
 * timebase, the first RAM range, bootargs, the first ns16550a UART).  Deliberately not libfdt, so
 * the guest shares no code with Keel.
 */
#include "guest.h"

#define FDT_MAGIC 0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9
#define MAX_DEPTH 16

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint64_t read_cells(const uint8_t *p, uint32_t cells)
{
	uint64_t v = 0;

	while (cells--) {
		v = v << 32 | be32(p);
		p += 4;
	}
	return v;
}

static bool streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* A NUL-terminated string property value equal to s. */
static bool prop_is(const uint8_t *val, uint32_t len, const char *s)
{
	return len > 0 && val[len - 1] == '\0' && streq((const char *)val, s);
}

/* A string-list property (compatible) that holds s. */
static bool list_has(const uint8_t *val, uint32_t len, const char *s)
{
	uint32_t i = 0;

	if (!len || val[len - 1] != '\0')
		return false;
	while (i < len) {
		const char *str = (const char *)val + i;

		if (streq(str, s))
			return true;
		while (val[i])
			i++;
		i++;
	}
	return false;
}

/* "cpu@1" matches "cpu"; "cpus" does not. */
static bool node_is(const char *name, const char *base)
{
	while (*base && *name == *base) {
		name++;
		base++;
	}
	return !*base && (!*name || *name == '@');
}

struct node {
	const char *name;
	uint32_t addr_cells, size_cells; /* for this node's children */
	bool has_reg;
	uint64_t reg, reg_size; /* the first entry of reg */
	/* cpu node state */
	bool is_cpu, disabled;
	bool is_uart; /* compatible holds "ns16550a" */
};

int fdt_parse(const void *fdt, struct dt_info *info)
{
	const uint8_t *base = fdt;
	uint32_t total, off_struct, off_strings, size_strings, size_struct;
	struct node stack[MAX_DEPTH];
	int depth = -1;
	uint32_t pos;

	if (!fdt || be32(base) != FDT_MAGIC)
		return -1;
	/* Bounds are checked so that a bad tree is refused, not followed off its end. */
	total = be32(base + 4);
	off_struct = be32(base + 8);
	off_strings = be32(base + 12);
	size_strings = be32(base + 32);
	size_struct = be32(base + 36);
	if (total < 40 || off_struct > total || size_struct > total - off_struct ||
	    off_strings > total || size_strings > total - off_strings)
		return -1;

	for (pos = 0; pos + 4 <= size_struct;) {
		const uint8_t *p = base + off_struct + pos;
		uint32_t tok = be32(p);

		pos += 4;
		if (tok == FDT_BEGIN_NODE) {
			const char *name = (const char *)p + 4;
			size_t len = 0;

			while (pos + len < size_struct && name[len])
				len++;
			if (pos + len >= size_struct)
				return -1;
			pos += (len + 1 + 3) & ~3U;
			if (++depth >= MAX_DEPTH)
				return -1;
			stack[depth] =
				(struct node){ .name = name, .addr_cells = 2, .size_cells = 1 };
		} else if (tok == FDT_END_NODE) {
			struct node *n;

			if (depth < 0)
				return -1;
			n = &stack[depth];
			/* a cpu node: /cpus/cpu@N with device_type = "cpu" */
			if (depth == 2 && n->is_cpu && n->has_reg && !n->disabled &&
			    node_is(stack[1].name, "cpus")) {
				if (info->nr_harts < MAX_HARTS && n->reg < MAX_HARTS)
					info->hartids[info->nr_harts++] = n->reg;
				else
					info->harts_ignored++;
			}
			if (n->is_uart && n->has_reg && !info->uart_base && n->reg) {
				info->uart_base = n->reg;
				info->uart_size = n->reg_size;
			}
			depth--;
		} else if (tok == FDT_PROP) {
			uint32_t len, nameoff, i;
			const char *pname;
			const uint8_t *val = p + 12;
			struct node *n, *parent;

			if (size_struct - pos < 8)
				return -1;
			len = be32(p + 4);
			nameoff = be32(p + 8);
			if (len > size_struct - pos - 8 || nameoff >= size_strings || depth < 0)
				return -1;
			pname = (const char *)base + off_strings + nameoff;
			for (i = nameoff; i < size_strings && base[off_strings + i]; i++)
				;
			if (i == size_strings)
				return -1;
			pos += 8 + ((len + 3) & ~3U);
			n = &stack[depth];
			parent = depth ? &stack[depth - 1] : NULL;
			if (streq(pname, "#address-cells") && len == 4)
				n->addr_cells = be32(val);
			else if (streq(pname, "#size-cells") && len == 4)
				n->size_cells = be32(val);
			if (n->addr_cells > 4 || n->size_cells > 4)
				return -1;
			if (parent && streq(pname, "reg") &&
			    len >= 4 * (parent->addr_cells + parent->size_cells)) {
				n->reg = read_cells(val, parent->addr_cells);
				n->reg_size = read_cells(val + 4 * parent->addr_cells,
							 parent->size_cells);
				n->has_reg = true;
			}
			if (streq(pname, "compatible") && list_has(val, len, "ns16550a"))
				n->is_uart = true;

			if (depth == 1 && node_is(n->name, "cpus") &&
			    streq(pname, "timebase-frequency") && len >= 4)
				info->timebase = be32(val);
			if (depth == 2 && node_is(stack[1].name, "cpus")) {
				if (streq(pname, "device_type") && prop_is(val, len, "cpu"))
					n->is_cpu = true;
				else if (streq(pname, "status") && !prop_is(val, len, "okay") &&
					 !prop_is(val, len, "ok"))
					n->disabled = true;
				else if (streq(pname, "timebase-frequency") && len >= 4 &&
					 !info->timebase)
					info->timebase = be32(val);
				else if (streq(pname, "riscv,isa") && len > 0 &&
					 val[len - 1] == '\0' && !info->isa)
					info->isa = (const char *)val;
			}
			if (depth == 1 && node_is(n->name, "memory") && streq(pname, "reg") &&
			    !info->ram_size &&
			    len >= 4 * (parent->addr_cells + parent->size_cells)) {
				info->ram_base = read_cells(val, parent->addr_cells);
				info->ram_size = read_cells(val + 4 * parent->addr_cells,
							    parent->size_cells);
			}
			if (depth == 1 && node_is(n->name, "chosen") && streq(pname, "bootargs") &&
			    len > 0 && val[len - 1] == '\0')
				info->bootargs = (const char *)val;
		} else if (tok == FDT_NOP) {
			continue;
		} else if (tok == FDT_END) {
			break;
		} else {
			return -1;
		}
	}
	return info->nr_harts ? 0 : -1;
}
