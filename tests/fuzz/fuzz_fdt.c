/*
 * libFuzzer harness for libs/fdtinfo: any blob that passes fdt_blob_check()
 * must survive every discovery helper.  The blob is copied into a buffer of
 * exactly totalsize bytes so that ASan flags any read past what the header
 * promises.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>

#include "libs/fdtinfo.h"

/*
 * Each per-node helper walks the tree, so checking every node is quadratic:
 * trees up to this many nodes are checked whole, larger ones evenly sampled.
 */
#define DEEP_NODES 48

/* Single letters (with the 'g' shorthand) and names, some prefixes of others. */
static const char letters[] = "imafdchvgp";
static const char *const names[] = { "zicsr", "zifencei", "sstc", "svpbmt", "ssaia", "zba" };

static volatile u64 sink;

/* Against isa, and against a cpu node's properties when node >= 0. */
static void check_exts(const void *fdt, int node, const char *isa)
{
	char letter[2] = { 0, 0 };
	size_t i;

	for (i = 0; letters[i]; i++) {
		letter[0] = letters[i];
		sink += fdt_isa_has(isa, letter);
		if (node >= 0)
			sink += fdt_hart_has_ext(fdt, node, letter);
	}
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		sink += fdt_isa_has(isa, names[i]);
		if (node >= 0)
			sink += fdt_hart_has_ext(fdt, node, names[i]);
	}
}

static void check_harts(const void *fdt)
{
	struct fdt_hart harts[8];
	int n, h;

	sink += fdt_harts(fdt, NULL, 0);
	n = fdt_harts(fdt, harts, 8);
	for (h = 0; h < n; h++) {
		sink += harts[h].hartid + harts[h].enabled + harts[h].has_mmu;
		if (harts[h].isa)
			sink += strlen(harts[h].isa);
		check_exts(fdt, harts[h].node, harts[h].isa);
	}
}

static void check_node(const void *fdt, int node, const struct fdt_hart *harts, int nharts)
{
	u64 addr, size, hartid;
	const fdt32_t *ph;
	int i, len;
	u32 irq;

	sink += fdt_node_ok(fdt, node) + fdt_node_compatible(fdt, node, "riscv,plic0");
	/* Each call walks the tree: stop at the first missing entry. */
	for (i = 0; i < 4 && !fdt_node_reg(fdt, node, i, &addr, &size); i++)
		sink += addr + size;
	for (i = 0; i < 3 && !fdt_irq_number(fdt, node, i, &irq); i++)
		sink += irq;
	ph = fdt_getprop(fdt, node, "phandle", &len);
	if (ph && len == 4 && fdt_getprop(fdt, node, "interrupt-controller", NULL) &&
	    !fdt_cpu_hartid_of_intc(fdt, fdt32_ld(ph), &hartid))
		sink += hartid;
	if (!fdt_getprop(fdt, node, "interrupts-extended", NULL))
		return;
	/* A few harts only: each call walks the tree once per controller run. */
	sink += fdt_plic_context(fdt, node, 0, FDT_IRQ_S_EXT);
	if (nharts) {
		sink += fdt_plic_context(fdt, node, harts[0].hartid, FDT_IRQ_M_EXT);
		sink += fdt_plic_context(fdt, node, harts[nharts - 1].hartid, FDT_IRQ_S_EXT);
	}
}

static void check_blob(const void *fdt)
{
	struct fdt_range ranges[8];
	struct fdt_hart harts[8];
	int node, nharts, step, count = 0;
	u64 a, b;
	const char *s;

	sink += fdt_memory_ranges(fdt, NULL, 0);
	sink += fdt_memory_ranges(fdt, ranges, 8);
	sink += fdt_memory_ranges(fdt, ranges, 1);
	sink += fdt_reserved_ranges(fdt, NULL, 0);
	sink += fdt_reserved_ranges(fdt, ranges, 8);
	check_harts(fdt);
	if (!fdt_timebase_hz(fdt, &a))
		sink += a;
	node = fdt_stdout_node(fdt);
	if (node >= 0 && !fdt_node_reg(fdt, node, 0, &a, &b))
		sink += a + b;
	if (!fdt_initrd(fdt, &a, &b))
		sink += a + b;
	s = fdt_bootargs(fdt);
	if (s)
		sink += strlen(s);
	for (node = -1; (node = fdt_find_compatible(fdt, node, "riscv,plic0")) >= 0;)
		sink += fdt_plic_context(fdt, node, 0, FDT_IRQ_S_EXT);

	nharts = fdt_harts(fdt, harts, 8);
	if (nharts < 0)
		nharts = 0;
	for (node = fdt_next_node(fdt, -1, NULL); node >= 0; node = fdt_next_node(fdt, node, NULL))
		count++;
	step = count / DEEP_NODES + 1;
	count = 0;
	for (node = fdt_next_node(fdt, -1, NULL); node >= 0;
	     node = fdt_next_node(fdt, node, NULL), count++)
		if (count % step == 0)
			check_node(fdt, node, harts, nharts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char isa[65];
	void *fdt;
	size_t n;

	/* The same bytes as an ISA string, so the parser sees arbitrary text too. */
	n = size < sizeof(isa) - 1 ? size : sizeof(isa) - 1;
	memcpy(isa, data, n);
	isa[n] = '\0';
	check_exts(NULL, -1, isa);

	if (size < sizeof(struct fdt_header))
		return 0;
	/* malloc gives the 8-byte alignment libfdt insists on. */
	fdt = malloc(size);
	if (!fdt)
		return 0;
	memcpy(fdt, data, size);
	if (fdt_blob_check(fdt, size)) {
		free(fdt);
		return 0;
	}
	n = fdt_totalsize(fdt);
	free(fdt);
	fdt = malloc(n);
	if (!fdt)
		return 0;
	memcpy(fdt, data, n);
	check_blob(fdt);
	free(fdt);
	return 0;
}
