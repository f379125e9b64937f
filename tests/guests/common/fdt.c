/*
 * A tiny flattened-device-tree walker: just what the guest needs (harts,
 * timebase, the first RAM range, bootargs, the first ns16550a UART, PLIC and
 * goldfish RTC, /poweroff).  Phandles are followed where the checks depend
 * on them: the PLIC's interrupts-extended to the harts' interrupt
 * controllers, /poweroff's regmap to its device.  Deliberately not libfdt,
 * so the guest shares no code with Keel.
 */
#include "guest.h"

#define FDT_MAGIC 0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9
#define MAX_DEPTH 16
#define MAX_REGMAPS 16
#define IRQ_S_EXT_CELL 9 /* a cpu-intc input in interrupts-extended */

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

enum kind { K_OTHER, K_UART, K_PLIC, K_RTC, K_POWEROFF };

struct node {
	const char *name;
	uint32_t addr_cells, size_cells; /* for this node's children */
	bool has_reg, has_phandle;
	uint64_t reg, reg_size; /* the first entry of reg */
	uint32_t phandle, irq;	/* irq: the first cell of interrupts, 0 without */
	/* cpu node state */
	bool is_cpu, disabled;
	enum kind kind;
	uint32_t ndev;			/* PLIC: riscv,ndev */
	const uint8_t *ext;		/* PLIC: interrupts-extended */
	uint32_t ext_len;		/* its bytes */
	uint32_t value, offset, regmap; /* /poweroff */
};

/* What phandles point at, and who points, until the walk has seen every node. */
struct refs {
	unsigned int nr_intcs, nr_regmaps;
	uint32_t intc_phandle[MAX_HARTS];
	unsigned long intc_hartid[MAX_HARTS];
	uint32_t regmap_phandle[MAX_REGMAPS];
	uint64_t regmap_reg[MAX_REGMAPS];
	const uint8_t *ext;
	uint32_t ext_len, poweroff_regmap, poweroff_offset;
};

static enum kind kind_of(const uint8_t *val, uint32_t len)
{
	if (list_has(val, len, "ns16550a"))
		return K_UART;
	if (list_has(val, len, "sifive,plic-1.0.0") || list_has(val, len, "riscv,plic0"))
		return K_PLIC;
	if (list_has(val, len, "google,goldfish-rtc"))
		return K_RTC;
	if (list_has(val, len, "syscon-poweroff"))
		return K_POWEROFF;
	return K_OTHER;
}

/* The properties of a node the walk keeps (reg and the cells are its parent's business). */
static void node_prop(struct node *n, const char *name, const uint8_t *val, uint32_t len)
{
	if (streq(name, "compatible")) {
		n->kind = kind_of(val, len);
	} else if (streq(name, "interrupts-extended")) {
		n->ext = val;
		n->ext_len = len;
	} else if (len == 4 && streq(name, "phandle")) {
		n->has_phandle = true;
		n->phandle = be32(val);
	} else if (len >= 4 && streq(name, "interrupts")) {
		n->irq = be32(val);
	} else if (len == 4 && streq(name, "riscv,ndev")) {
		n->ndev = be32(val);
	} else if (len == 4 && streq(name, "value")) {
		n->value = be32(val);
	} else if (len == 4 && streq(name, "offset")) {
		n->offset = be32(val);
	} else if (len == 4 && streq(name, "regmap")) {
		n->regmap = be32(val);
	}
}

/* A node's end: the first device of each kind, and what phandles lead to. */
static void node_done(const struct node *stack, int depth, struct dt_info *info, struct refs *refs)
{
	const struct node *n = &stack[depth];

	/* /cpus/cpu@N/interrupt-controller: its phandle is hart N's */
	if (depth == 3 && n->has_phandle && node_is(n->name, "interrupt-controller") &&
	    stack[2].is_cpu && stack[2].has_reg && refs->nr_intcs < MAX_HARTS) {
		refs->intc_phandle[refs->nr_intcs] = n->phandle;
		refs->intc_hartid[refs->nr_intcs++] = stack[2].reg;
	}
	if (n->has_phandle && n->has_reg && refs->nr_regmaps < MAX_REGMAPS) {
		refs->regmap_phandle[refs->nr_regmaps] = n->phandle;
		refs->regmap_reg[refs->nr_regmaps++] = n->reg;
	}
	if (n->kind == K_UART && n->has_reg && !info->uart_base && n->reg) {
		info->uart_base = n->reg;
		info->uart_size = n->reg_size;
		info->uart_irq = n->irq;
	}
	if (n->kind == K_PLIC && n->has_reg && !info->plic_base && n->reg) {
		info->plic_base = n->reg;
		info->plic_ndev = n->ndev;
		refs->ext = n->ext;
		refs->ext_len = n->ext_len;
	}
	if (n->kind == K_RTC && n->has_reg && !info->rtc_base && n->reg) {
		info->rtc_base = n->reg;
		info->rtc_irq = n->irq;
	}
	if (n->kind == K_POWEROFF && depth == 1 && n->regmap && !refs->poweroff_regmap) {
		refs->poweroff_regmap = n->regmap;
		refs->poweroff_offset = n->offset;
		info->poweroff_value = n->value;
	}
}

/* The PLIC's S-mode context of each hart, and the poweroff register. */
static void resolve(const struct refs *refs, struct dt_info *info)
{
	unsigned int i, k;

	for (i = 0; i < MAX_HARTS; i++)
		info->plic_context[i] = -1;
	for (k = 0; k + 8 <= refs->ext_len; k += 8) {
		uint32_t phandle = be32(refs->ext + k), irq = be32(refs->ext + k + 4);

		for (i = 0; i < refs->nr_intcs; i++)
			if (refs->intc_phandle[i] == phandle && irq == IRQ_S_EXT_CELL &&
			    refs->intc_hartid[i] < MAX_HARTS)
				info->plic_context[refs->intc_hartid[i]] = (int)(k / 8);
	}
	for (i = 0; i < refs->nr_regmaps; i++)
		if (refs->poweroff_regmap && refs->regmap_phandle[i] == refs->poweroff_regmap)
			info->poweroff_addr = refs->regmap_reg[i] + refs->poweroff_offset;
}

int fdt_parse(const void *fdt, struct dt_info *info)
{
	const uint8_t *base = fdt;
	uint32_t total, off_struct, off_strings, size_strings, size_struct;
	struct node stack[MAX_DEPTH];
	struct refs refs = { 0 };
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
			node_done(stack, depth, info, &refs);
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
			node_prop(n, pname, val, len);

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
			    len >= 4 * (parent->addr_cells + parent->size_cells)) {
				if (info->nr_mem < MAX_MEM) {
					info->mem[info->nr_mem].base =
						read_cells(val, parent->addr_cells);
					info->mem[info->nr_mem].size = read_cells(
						val + 4 * parent->addr_cells, parent->size_cells);
				}
				if (!info->nr_mem++) {
					info->ram_base = info->mem[0].base;
					info->ram_size = info->mem[0].size;
				}
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
	resolve(&refs, info);
	return info->nr_harts ? 0 : -1;
}
