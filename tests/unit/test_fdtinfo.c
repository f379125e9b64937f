/*
 * libs/fdtinfo against the device trees of real boards (../shared/dts, values
 * checked against `dtc -I dtb -O dts`) and against small trees built here to
 * reach the corners the boards do not: translation through non-identity
 * ranges, initrd, aliases that loop, and malformed properties and headers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libfdt.h>

#include "libs/fdtinfo.h"
#include "tests/unit/load_file.h"

#define DTS_DIR "../shared/dts/"

/* ------------------------------------------------------------ helpers */

static void *load_dtb(const char *name)
{
	char path[256];
	size_t size;
	void *fdt;

	snprintf(path, sizeof(path), DTS_DIR "%s.dtb", name);
	fdt = load_file(path, &size);
	assert_int_equal(fdt_blob_check(fdt, size), 0);
	return fdt;
}

static int path(const void *fdt, const char *p)
{
	int node = fdt_path_offset(fdt, p);

	if (node < 0)
		fail_msg("no node %s", p);
	return node;
}

static void assert_reg(const void *fdt, int node, int index, u64 addr, u64 size)
{
	u64 a = 0, s = 0;

	assert_int_equal(fdt_node_reg(fdt, node, index, &a, &s), 0);
	assert_int_equal(a, addr);
	assert_int_equal(s, size);
}

/* Sequential-write tree builder: the blob is finished into a tight copy. */
#define BUILD_SIZE 16384

static void *tree_begin(void)
{
	void *fdt = malloc(BUILD_SIZE);

	assert_non_null(fdt);
	assert_int_equal(fdt_create(fdt, BUILD_SIZE), 0);
	return fdt;
}

static void *tree_end(void *fdt)
{
	void *out;

	assert_int_equal(fdt_finish(fdt), 0);
	out = malloc(fdt_totalsize(fdt));
	assert_non_null(out);
	memcpy(out, fdt, fdt_totalsize(fdt));
	free(fdt);
	assert_int_equal(fdt_blob_check(out, fdt_totalsize(out)), 0);
	return out;
}

static void node_begin(void *fdt, const char *name)
{
	assert_int_equal(fdt_begin_node(fdt, name), 0);
}

static void node_end(void *fdt)
{
	assert_int_equal(fdt_end_node(fdt), 0);
}

static void prop_str(void *fdt, const char *name, const char *val)
{
	assert_int_equal(fdt_property_string(fdt, name, val), 0);
}

static void prop_raw(void *fdt, const char *name, const void *val, int len)
{
	assert_int_equal(fdt_property(fdt, name, val, len), 0);
}

static void prop_cells_(void *fdt, const char *name, const u32 *cells, int n)
{
	fdt32_t be[64];
	int i;

	assert_true(n <= 64);
	for (i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	prop_raw(fdt, name, be, n * 4);
}

#define PROP_CELLS(fdt, name, ...)                           \
	prop_cells_(fdt, name, (const u32[]){ __VA_ARGS__ }, \
		    sizeof((const u32[]){ __VA_ARGS__ }) / sizeof(u32))

/* An empty reservation map and an open root node with 2/2 cells. */
static void *minimal_root(void)
{
	void *fdt = tree_begin();

	assert_int_equal(fdt_finish_reservemap(fdt), 0);
	node_begin(fdt, "");
	PROP_CELLS(fdt, "#address-cells", 2);
	PROP_CELLS(fdt, "#size-cells", 2);
	return fdt;
}

/* ------------------------------------------------------------ real boards */

struct board {
	const char *name;
	int nmem;
	struct fdt_range mem[2];
	int nres;
	struct fdt_range res[2];
	int nharts;
	u64 timebase;
	const char *uart;
	u64 uart_base, uart_size;
	u32 uart_irq;
	/* PLIC contexts of plic_hart; -ENOENT where the DT hides the context. */
	u64 plic_hart;
	int plic_s, plic_m;
	bool h, sstc;
};

static const struct board boards[] = {
	{
		.name = "qemu-virt-smp1",
		.nmem = 1,
		.mem = { { 0x80000000, 0x20000000 } },
		.nharts = 1,
		.timebase = 10000000,
		.uart = "/soc/serial@10000000",
		.uart_base = 0x10000000,
		.uart_size = 0x100,
		.uart_irq = 10,
		.plic_hart = 0,
		.plic_s = 1,
		.plic_m = 0,
		.h = true,
		.sstc = true,
	},
	{
		.name = "qemu-virt-smp4",
		.nmem = 1,
		.mem = { { 0x80000000, 0x20000000 } },
		.nharts = 4,
		.timebase = 10000000,
		.uart = "/soc/serial@10000000",
		.uart_base = 0x10000000,
		.uart_size = 0x100,
		.uart_irq = 10,
		.plic_hart = 3,
		.plic_s = 7,
		.plic_m = 6,
		.h = true,
		.sstc = true,
	},
	/* No PLIC: APLIC + IMSIC, checked separately. */
	{
		.name = "qemu-virt-aia-smp4",
		.nmem = 1,
		.mem = { { 0x80000000, 0x20000000 } },
		.nharts = 4,
		.timebase = 10000000,
		.uart = "/soc/serial@10000000",
		.uart_base = 0x10000000,
		.uart_size = 0x100,
		.uart_irq = 10,
		.plic_hart = 0,
		.plic_s = -ENOENT,
		.plic_m = -ENOENT,
		.h = true,
		.sstc = true,
	},
	/* The M-mode contexts are written as holes (irq 0xffffffff). */
	{
		.name = "hifive-unleashed-a00",
		.nmem = 1,
		.mem = { { 0x80000000, 0x200000000 } },
		.nharts = 5,
		.timebase = 1000000,
		.uart = "/soc/serial@10010000",
		.uart_base = 0x10010000,
		.uart_size = 0x1000,
		.uart_irq = 4,
		.plic_hart = 1,
		.plic_s = 2,
		.plic_m = -ENOENT,
	},
	{
		.name = "hifive-unmatched-a00",
		.nmem = 1,
		.mem = { { 0x80000000, 0x400000000 } },
		.nharts = 5,
		.timebase = 1000000,
		.uart = "/soc/serial@10010000",
		.uart_base = 0x10010000,
		.uart_size = 0x1000,
		.uart_irq = 39,
		.plic_hart = 4,
		.plic_s = 8,
		.plic_m = -ENOENT,
	},
	{
		.name = "jh7110-starfive-visionfive-2-v1.3b",
		.nmem = 1,
		.mem = { { 0x40000000, 0x100000000 } },
		.nharts = 5,
		.timebase = 4000000,
		.uart = "/soc/serial@10000000",
		.uart_base = 0x10000000,
		.uart_size = 0x10000,
		.uart_irq = 32,
		.plic_hart = 1,
		.plic_s = 2,
		.plic_m = 1,
	},
	{
		.name = "jh7110-milkv-mars",
		.nmem = 1,
		.mem = { { 0x40000000, 0x100000000 } },
		.nharts = 5,
		.timebase = 4000000,
		.uart = "/soc/serial@10000000",
		.uart_base = 0x10000000,
		.uart_size = 0x10000,
		.uart_irq = 32,
		.plic_hart = 4,
		.plic_s = 8,
		.plic_m = 7,
	},
	/* stdout-path is serial1, the ns16550 at 0x20100000. */
	{
		.name = "mpfs-icicle-kit",
		.nmem = 2,
		.mem = { { 0x80000000, 0x40000000 }, { 0x1040000000, 0x40000000 } },
		.nres = 1,
		.res = { { 0xbfc00000, 0x400000 } },
		.nharts = 5,
		.timebase = 1000000,
		.uart = "/soc/serial@20100000",
		.uart_base = 0x20100000,
		.uart_size = 0x400,
		.uart_irq = 91,
		.plic_hart = 2,
		.plic_s = 4,
		.plic_m = 3,
	},
	/* 1/1 cells at the root; UART irq has two cells, parent inherited from /soc. */
	{
		.name = "cv1800b-milkv-duo",
		.nmem = 1,
		.mem = { { 0x80000000, 0x4000000 } },
		.nres = 1,
		.res = { { 0x83f40000, 0xc0000 } },
		.nharts = 1,
		.timebase = 25000000,
		.uart = "/soc/serial@4140000",
		.uart_base = 0x4140000,
		.uart_size = 0x100,
		.uart_irq = 44,
		.plic_hart = 0,
		.plic_s = 1,
		.plic_m = 0,
	},
	{
		.name = "th1520-lichee-pi-4a",
		.nmem = 1,
		.mem = { { 0x0, 0x200000000 } },
		.nharts = 4,
		.timebase = 3000000,
		.uart = "/soc/serial@ffe7014000",
		.uart_base = 0xffe7014000,
		.uart_size = 0x100,
		.uart_irq = 36,
		.plic_hart = 3,
		.plic_s = 7,
		.plic_m = 6,
	},
	/* No memory node: the bootloader adds it. */
	{
		.name = "sg2042-milkv-pioneer",
		.nharts = 64,
		.timebase = 50000000,
		.uart = "/soc/serial@7040000000",
		.uart_base = 0x7040000000,
		.uart_size = 0x1000,
		.uart_irq = 112,
		.plic_hart = 63,
		.plic_s = 127,
		.plic_m = 126,
	},
};

static int plic_of(const void *fdt)
{
	static const char *const compat[] = { "riscv,plic0", "sifive,plic-1.0.0",
					      "thead,c900-plic" };
	size_t i;
	int node;

	for (i = 0; i < ARRAY_SIZE(compat); i++) {
		node = fdt_find_compatible(fdt, -1, compat[i]);
		if (node >= 0)
			return node;
	}
	return -ENOENT;
}

static void check_board(const struct board *b)
{
	struct fdt_range r[4];
	struct fdt_hart harts[64];
	int i, n, uart, plic;
	u64 hz, s, e;
	u32 irq;

	void *fdt = load_dtb(b->name);

	n = fdt_memory_ranges(fdt, r, ARRAY_SIZE(r));
	assert_int_equal(n, b->nmem);
	for (i = 0; i < n; i++) {
		assert_int_equal(r[i].base, b->mem[i].base);
		assert_int_equal(r[i].size, b->mem[i].size);
	}
	assert_int_equal(fdt_memory_ranges(fdt, NULL, 0), b->nmem);

	n = fdt_reserved_ranges(fdt, r, ARRAY_SIZE(r));
	assert_int_equal(n, b->nres);
	for (i = 0; i < n; i++) {
		assert_int_equal(r[i].base, b->res[i].base);
		assert_int_equal(r[i].size, b->res[i].size);
	}

	n = fdt_harts(fdt, harts, ARRAY_SIZE(harts));
	assert_int_equal(n, b->nharts);
	for (i = 0; i < n; i++) {
		/* Every board numbers its harts 0..n-1 in tree order. */
		assert_int_equal(harts[i].hartid, i);
		assert_true(fdt_isa_has(harts[i].isa, "i"));
		assert_true(fdt_hart_has_ext(fdt, harts[i].node, "a"));
		/* A hart running Keel needs an MMU; the monitor cores have none. */
		if (harts[i].enabled)
			assert_true(harts[i].has_mmu);
		assert_int_equal(fdt_hart_has_ext(fdt, harts[i].node, "h"),
				 b->h && harts[i].has_mmu);
		assert_int_equal(fdt_isa_has(harts[i].isa, "h"), b->h && harts[i].has_mmu);
		assert_int_equal(fdt_hart_has_ext(fdt, harts[i].node, "sstc"), b->sstc);
	}

	assert_int_equal(fdt_timebase_hz(fdt, &hz), 0);
	assert_int_equal(hz, b->timebase);

	uart = fdt_stdout_node(fdt);
	assert_int_equal(uart, path(fdt, b->uart));
	assert_true(fdt_node_ok(fdt, uart));
	assert_reg(fdt, uart, 0, b->uart_base, b->uart_size);
	assert_int_equal(fdt_node_reg(fdt, uart, 1, &s, &e), -ENOENT);
	assert_int_equal(fdt_irq_number(fdt, uart, 0, &irq), 0);
	assert_int_equal(irq, b->uart_irq);
	assert_int_equal(fdt_irq_number(fdt, uart, 1, &irq), -ENOENT);

	assert_int_equal(fdt_initrd(fdt, &s, &e), -ENOENT);
	assert_null(fdt_bootargs(fdt));

	plic = plic_of(fdt);
	if (b->plic_s == -ENOENT && b->plic_m == -ENOENT) {
		assert_int_equal(plic, -ENOENT);
	} else {
		assert_true(plic >= 0);
		assert_int_equal(fdt_plic_context(fdt, plic, b->plic_hart, FDT_IRQ_S_EXT),
				 b->plic_s);
		assert_int_equal(fdt_plic_context(fdt, plic, b->plic_hart, FDT_IRQ_M_EXT),
				 b->plic_m);
		assert_int_equal(fdt_plic_context(fdt, plic, 1000, FDT_IRQ_S_EXT), -ENOENT);
		assert_int_equal(fdt_plic_context(fdt, plic, b->plic_hart, FDT_IRQ_S_TIMER),
				 -ENOENT);
	}
	free(fdt);
}

static void test_boards(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(boards); i++) {
		print_message("  %s\n", boards[i].name);
		check_board(&boards[i]);
	}
}

static void test_qemu_virt(void **state)
{
	struct fdt_hart harts[4];
	u64 hartid, a, s;
	int cpus, node, h;
	u32 irq;
	void *fdt = load_dtb("qemu-virt-smp4");

	assert_int_equal(fdt_harts(fdt, harts, 4), 4);
	for (h = 0; h < 4; h++) {
		assert_true(harts[h].enabled);
		assert_true(harts[h].has_mmu);
		assert_string_equal(harts[h].isa,
				    "rv64imafdch_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc");
		assert_true(fdt_hart_has_ext(fdt, harts[h].node, "zba"));
		assert_false(fdt_hart_has_ext(fdt, harts[h].node, "svpbmt"));
		assert_false(fdt_hart_has_ext(fdt, harts[h].node, "v"));
	}
	assert_int_equal(fdt_harts(fdt, harts, 3), -E2BIG);
	assert_int_equal(fdt_harts(fdt, NULL, 0), 4);

	/* cpu@3's intc has phandle 2, cpu@0's phandle 8: tree order is not phandle order. */
	assert_int_equal(fdt_cpu_hartid_of_intc(fdt, 2, &hartid), 0);
	assert_int_equal(hartid, 3);
	assert_int_equal(fdt_cpu_hartid_of_intc(fdt, 8, &hartid), 0);
	assert_int_equal(hartid, 0);
	/* phandle 9 is the PLIC, 1 is cpu@3 itself: neither is a cpu's intc. */
	assert_int_equal(fdt_cpu_hartid_of_intc(fdt, 9, &hartid), -ENOENT);
	assert_int_equal(fdt_cpu_hartid_of_intc(fdt, 1, &hartid), -ENOENT);
	assert_int_equal(fdt_cpu_hartid_of_intc(fdt, 0x1234, &hartid), -ENOENT);

	for (h = 0; h < 4; h++) {
		node = plic_of(fdt);
		assert_int_equal(fdt_plic_context(fdt, node, h, FDT_IRQ_M_EXT), 2 * h);
		assert_int_equal(fdt_plic_context(fdt, node, h, FDT_IRQ_S_EXT), 2 * h + 1);
	}

	/* CLINT: <intc 3 intc 7> per hart, found by the same walk. */
	node = fdt_find_compatible(fdt, -1, "riscv,clint0");
	assert_true(node >= 0);
	assert_int_equal(fdt_plic_context(fdt, node, 2, FDT_IRQ_M_TIMER), 5);
	assert_int_equal(fdt_irq_number(fdt, node, 5, &irq), 0);
	assert_int_equal(irq, FDT_IRQ_M_TIMER);

	/* Second flash bank; the root's ranges are never needed. */
	node = path(fdt, "/flash@20000000");
	assert_reg(fdt, node, 1, 0x22000000, 0x2000000);
	assert_int_equal(fdt_node_reg(fdt, node, 2, &a, &s), -ENOENT);
	assert_int_equal(fdt_node_reg(fdt, node, -1, &a, &s), -EINVAL);

	/* A cpu's reg is a hartid, not an address: /cpus has no ranges. */
	cpus = path(fdt, "/cpus/cpu@1");
	assert_int_equal(fdt_node_reg(fdt, cpus, 0, &a, &s), -EINVAL);
	assert_int_equal(fdt_node_reg(fdt, 0, 0, &a, &s), -ENOENT);
	/* A node without reg. */
	assert_int_equal(fdt_node_reg(fdt, path(fdt, "/chosen"), 0, &a, &s), -ENOENT);
	/* pci@30000000: own reg is fine; it has 3 address cells below. */
	assert_reg(fdt, path(fdt, "/soc/pci@30000000"), 0, 0x30000000, 0x10000000);

	assert_true(fdt_node_compatible(fdt, 0, "riscv-virtio"));
	assert_int_equal(fdt_find_compatible(fdt, -1, "riscv-virtio"), 0);
	assert_false(fdt_node_compatible(fdt, 0, "riscv-virti"));
	assert_int_equal(fdt_find_compatible(fdt, -1, "no,such-device"), -ENOENT);
	free(fdt);
}

static void test_qemu_virt_aia(void **state)
{
	int imsic, aplic, uart;
	u32 irq;
	void *fdt = load_dtb("qemu-virt-aia-smp4");

	assert_true(fdt_hart_has_ext(fdt, path(fdt, "/cpus/cpu@0"), "ssaia"));
	assert_true(fdt_hart_has_ext(fdt, path(fdt, "/cpus/cpu@0"), "smaia"));

	/* The S-level IMSIC has one interrupts-extended entry per hart. */
	imsic = path(fdt, "/soc/imsics@28000000");
	assert_int_equal(fdt_plic_context(fdt, imsic, 0, FDT_IRQ_S_EXT), 0);
	assert_int_equal(fdt_plic_context(fdt, imsic, 3, FDT_IRQ_S_EXT), 3);
	assert_int_equal(fdt_plic_context(fdt, imsic, 3, FDT_IRQ_M_EXT), -ENOENT);

	/* APLIC uses <irq type>: only the first cell is the number. */
	aplic = path(fdt, "/soc/aplic@d000000");
	uart = fdt_stdout_node(fdt);
	assert_int_equal(fdt_irq_number(fdt, uart, 0, &irq), 0);
	assert_int_equal(irq, 10);
	assert_true(fdt_node_compatible(fdt, aplic, "riscv,aplic"));
	assert_int_equal(fdt_plic_context(fdt, aplic, 0, FDT_IRQ_S_EXT), -ENOENT);
	free(fdt);
}

static void test_sifive(void **state)
{
	struct fdt_hart harts[5];
	int plic, h;
	void *fdt = load_dtb("hifive-unleashed-a00");

	assert_int_equal(fdt_harts(fdt, harts, 5), 5);
	/* hart 0 is the E51 monitor core: disabled, no MMU, no FPU. */
	assert_false(harts[0].enabled);
	assert_false(harts[0].has_mmu);
	assert_string_equal(harts[0].isa, "rv64imac");
	assert_false(fdt_isa_has(harts[0].isa, "f"));
	assert_true(fdt_isa_has(harts[0].isa, "c"));
	for (h = 1; h < 5; h++) {
		assert_true(harts[h].enabled);
		assert_string_equal(harts[h].isa, "rv64imafdc");
		/* riscv,isa lacks zicsr; riscv,isa-extensions has it and wins. */
		assert_false(fdt_isa_has(harts[h].isa, "zicsr"));
		assert_true(fdt_hart_has_ext(fdt, harts[h].node, "zicsr"));
		assert_true(fdt_hart_has_ext(fdt, harts[h].node, "ZIHPM"));
		assert_true(fdt_hart_has_ext(fdt, harts[h].node, "d"));
		assert_false(fdt_hart_has_ext(fdt, harts[h].node, "h"));
	}

	plic = plic_of(fdt);
	assert_int_equal(fdt_plic_context(fdt, plic, 0, FDT_IRQ_S_EXT), -ENOENT);
	for (h = 1; h < 5; h++)
		assert_int_equal(fdt_plic_context(fdt, plic, h, FDT_IRQ_S_EXT), 2 * h);
	free(fdt);
}

static void test_jh7110(void **state)
{
	struct fdt_hart harts[5];
	int plic, usb, h;
	u64 a, s;
	u32 irq;
	void *fdt = load_dtb("jh7110-starfive-visionfive-2-v1.3b");

	assert_int_equal(fdt_harts(fdt, harts, 5), 5);
	assert_false(harts[0].enabled);
	assert_string_equal(harts[0].isa, "rv64imac_zba_zbb");
	for (h = 1; h < 5; h++) {
		assert_true(harts[h].enabled);
		assert_true(harts[h].has_mmu);
		/* The U74 has neither H nor Sstc: Keel cannot host guests here. */
		assert_false(fdt_isa_has(harts[h].isa, "h"));
		assert_false(fdt_hart_has_ext(fdt, harts[h].node, "sstc"));
		assert_true(fdt_isa_has(harts[h].isa, "zbb"));
		assert_true(fdt_isa_has(harts[h].isa, "ZBA"));
	}

	/* Contexts: 0 = hart 0 M, then M and S for harts 1..4. */
	plic = plic_of(fdt);
	assert_int_equal(fdt_plic_context(fdt, plic, 0, FDT_IRQ_M_EXT), 0);
	assert_int_equal(fdt_plic_context(fdt, plic, 0, FDT_IRQ_S_EXT), -ENOENT);
	for (h = 1; h < 5; h++) {
		assert_int_equal(fdt_plic_context(fdt, plic, h, FDT_IRQ_M_EXT), 2 * h - 1);
		assert_int_equal(fdt_plic_context(fdt, plic, h, FDT_IRQ_S_EXT), 2 * h);
	}

	/* usb@0 sits behind usb@10100000's ranges = <0 0 0x10100000 0x100000>. */
	usb = path(fdt, "/soc/usb@10100000/usb@0");
	assert_reg(fdt, usb, 0, 0x10100000, 0x10000);
	assert_reg(fdt, usb, 2, 0x10120000, 0x10000);
	assert_int_equal(fdt_node_reg(fdt, usb, 3, &a, &s), -ENOENT);
	/* Its interrupt parent is inherited from /soc two levels up. */
	assert_int_equal(fdt_irq_number(fdt, usb, 2, &irq), 0);
	assert_int_equal(irq, 0x6e);
	free(fdt);
}

static void test_mpfs(void **state)
{
	struct fdt_range r[2];
	int pcie;
	u64 a, s;
	void *fdt = load_dtb("mpfs-icicle-kit");

	assert_int_equal(fdt_memory_ranges(fdt, r, 1), -E2BIG);
	assert_int_equal(fdt_reserved_ranges(fdt, r, 0), -E2BIG);
	/* The PCIe root port sits at the root: two reg entries, 2/2 cells. */
	pcie = fdt_find_compatible(fdt, -1, "microchip,pcie-host-1.0");
	assert_true(pcie >= 0);
	assert_reg(fdt, pcie, 0, 0x3000000000, 0x8000000);
	assert_reg(fdt, pcie, 1, 0x43000000, 0x10000);
	/* Its interrupt-controller child sits on a 3-cell PCI bus but has no reg. */
	assert_int_equal(fdt_node_reg(fdt, fdt_first_subnode(fdt, pcie), 0, &a, &s), -ENOENT);
	free(fdt);
}

static void test_sg2042(void **state)
{
	struct fdt_hart harts[64];
	int plic, h;
	void *fdt = load_dtb("sg2042-milkv-pioneer");

	assert_int_equal(fdt_harts(fdt, harts, 63), -E2BIG);
	assert_int_equal(fdt_harts(fdt, harts, 64), 64);
	plic = plic_of(fdt);
	for (h = 0; h < 64; h++)
		assert_int_equal(fdt_plic_context(fdt, plic, h, FDT_IRQ_S_EXT), 2 * h + 1);
	free(fdt);
}

/* ------------------------------------------------------------ ISA strings */

static void test_isa_has(void **state)
{
	static const struct {
		const char *isa, *ext;
		bool has;
	} cases[] = {
		{ "rv64imafdch_zicsr_zifencei_sstc", "h", true },
		{ "rv64imafdch_zicsr_zifencei_sstc", "sstc", true },
		{ "rv64imafdch_zicsr_zifencei_sstc", "zicsr", true },
		{ "rv64imafdch_zicsr_zifencei_sstc", "zifencei", true },
		{ "rv64imafdch_zicsr_zifencei_sstc", "v", false },
		{ "rv64imafdch_zicsr_zifencei_sstc", "svpbmt", false },
		/* Parts of a name are not the name. */
		{ "rv64imafdch_zicsr_zifencei_sstc", "zic", false },
		{ "rv64imafdch_zicsr_zifencei_sstc", "sst", false },
		{ "rv64imafdch_zicsr_zifencei_ssstc", "sstc", false },
		/* Letters of multi-letter names are not single letters. */
		{ "rv64i_zicsr", "c", false },
		{ "rv64i_zicsr", "s", false },
		{ "rv64imafdc", "h", false },
		{ "rv64imafdc", "c", true },
		{ "RV64IMAFDCH_ZICSR_SSTC", "h", true },
		{ "rv64imafdch_zicsr_sstc", "SSTC", true },
		{ "rv64imafdch_zicsr_sstc", "H", true },
		/* g = imafd_zicsr_zifencei. */
		{ "rv64gc", "i", true },
		{ "rv64gc", "d", true },
		{ "rv64gc", "zicsr", true },
		{ "rv64gc", "zifencei", true },
		{ "rv64gc", "h", false },
		{ "rv64gch_svpbmt", "svpbmt", true },
		/* Versions are skipped and are not the packed-SIMD 'p'. */
		{ "rv64i2p1m2p0a2p1c_zicsr2p0_zba1", "m", true },
		{ "rv64i2p1m2p0a2p1c_zicsr2p0_zba1", "c", true },
		{ "rv64i2p1m2p0a2p1c_zicsr2p0_zba1", "p", false },
		{ "rv64i2p1m2p0a2p1c_zicsr2p0_zba1", "zicsr", true },
		{ "rv64i2p1m2p0a2p1c_zicsr2p0_zba1", "zba", true },
		{ "rv64imacp", "p", true },
		/* A multi-letter name may follow the letters without '_'. */
		{ "rv64imafdczicsr_zifencei", "zicsr", true },
		{ "rv64imafdczicsr_zifencei", "c", true },
		{ "rv64imafdczicsr_zifencei", "z", false },
		{ "rv32imc", "c", true },
		{ "rv64imac__zba_", "zba", true },
		/* Not an ISA string at all. */
		{ "imafdch", "h", false },
		{ "", "h", false },
		{ "r", "h", false },
		{ "rv64imafdch", "", false },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (fdt_isa_has(cases[i].isa, cases[i].ext) != cases[i].has)
			fail_msg("fdt_isa_has(\"%s\", \"%s\") != %d", cases[i].isa, cases[i].ext,
				 cases[i].has);
	}
	assert_false(fdt_isa_has(NULL, "h"));
	assert_false(fdt_isa_has("rv64h", NULL));
}

/* ------------------------------------------------------------ built trees */

/*
 * / { chosen, aliases, three memory nodes, reserved-memory, cpus with two
 * harts, and bus@10000000 > sub@1000 > uart@200 behind two non-identity
 * ranges, an interrupt controller, a PLIC with holes }.
 */
static void *platform_tree(const char *stdout_path)
{
	void *fdt = tree_begin();

	assert_int_equal(fdt_add_reservemap_entry(fdt, 0x80000000, 0x200000), 0);
	assert_int_equal(fdt_add_reservemap_entry(fdt, 0x70000000, 0x1000), 0);
	assert_int_equal(fdt_finish_reservemap(fdt), 0);
	node_begin(fdt, "");
	PROP_CELLS(fdt, "#address-cells", 2);
	PROP_CELLS(fdt, "#size-cells", 2);

	node_begin(fdt, "chosen");
	prop_str(fdt, "bootargs", "console=hvc0 keel.guests=2");
	PROP_CELLS(fdt, "linux,initrd-start", 0x88000000);
	PROP_CELLS(fdt, "linux,initrd-end", 0x1, 0x00100000);
	if (stdout_path)
		prop_str(fdt, "stdout-path", stdout_path);
	node_end(fdt);

	node_begin(fdt, "aliases");
	prop_str(fdt, "serial0", "/bus@10000000/sub@1000/uart@200");
	prop_str(fdt, "bus", "/bus@10000000");
	prop_str(fdt, "loop", "loop");
	prop_str(fdt, "rel", "bus@10000000");
	prop_raw(fdt, "unterminated", "/bus@10000000", 13);
	node_end(fdt);

	/* Entries out of order, and one of size 0. */
	node_begin(fdt, "memory@c0000000");
	prop_str(fdt, "device_type", "memory");
	PROP_CELLS(fdt, "reg", 0, 0xc0000000, 0, 0x1000000, 0, 0x80000000, 0, 0x40000000);
	node_end(fdt);
	node_begin(fdt, "memory@100000000");
	prop_str(fdt, "device_type", "memory");
	prop_str(fdt, "status", "ok");
	PROP_CELLS(fdt, "reg", 1, 0, 0, 0x1000, 0, 0x90000000, 0, 0);
	node_end(fdt);
	node_begin(fdt, "memory@0");
	prop_str(fdt, "device_type", "memory");
	prop_str(fdt, "status", "disabled");
	PROP_CELLS(fdt, "reg", 0, 0, 0, 0x1000);
	node_end(fdt);

	node_begin(fdt, "reserved-memory");
	PROP_CELLS(fdt, "#address-cells", 1);
	PROP_CELLS(fdt, "#size-cells", 1);
	prop_raw(fdt, "ranges", "", 0);
	node_begin(fdt, "sbi@80000000");
	PROP_CELLS(fdt, "reg", 0x80000000, 0x80000, 0x80100000, 0x1000);
	node_end(fdt);
	node_begin(fdt, "off@90000000");
	prop_str(fdt, "status", "disabled");
	PROP_CELLS(fdt, "reg", 0x90000000, 0x1000);
	node_end(fdt);
	node_begin(fdt, "pool");
	PROP_CELLS(fdt, "size", 0x100000);
	node_end(fdt);
	node_end(fdt);

	node_begin(fdt, "cpus");
	PROP_CELLS(fdt, "#address-cells", 1);
	PROP_CELLS(fdt, "#size-cells", 0);
	node_begin(fdt, "cpu@0");
	prop_str(fdt, "device_type", "cpu");
	PROP_CELLS(fdt, "reg", 0);
	prop_str(fdt, "riscv,isa", "rv64gch_sstc");
	prop_str(fdt, "mmu-type", "riscv,none");
	/* u64 timebase on the cpu, none on /cpus. */
	PROP_CELLS(fdt, "timebase-frequency", 0, 24000000);
	node_begin(fdt, "interrupt-controller");
	prop_raw(fdt, "interrupt-controller", "", 0);
	PROP_CELLS(fdt, "#interrupt-cells", 1);
	PROP_CELLS(fdt, "phandle", 1);
	node_end(fdt);
	node_end(fdt);
	node_begin(fdt, "cpu-map");
	node_end(fdt);
	node_begin(fdt, "cpu@5");
	prop_str(fdt, "device_type", "cpu");
	PROP_CELLS(fdt, "reg", 5);
	prop_str(fdt, "status", "disabled");
	prop_str(fdt, "riscv,isa", "rv64imac");
	prop_raw(fdt, "riscv,isa-extensions", "i\0m\0a\0c\0h\0sstc", sizeof("i\0m\0a\0c\0h\0sstc"));
	prop_str(fdt, "mmu-type", "riscv,sv57");
	node_begin(fdt, "interrupt-controller");
	PROP_CELLS(fdt, "#interrupt-cells", 1);
	PROP_CELLS(fdt, "phandle", 2);
	node_end(fdt);
	node_end(fdt);
	node_end(fdt);

	node_begin(fdt, "bus@10000000");
	PROP_CELLS(fdt, "#address-cells", 1);
	PROP_CELLS(fdt, "#size-cells", 1);
	PROP_CELLS(fdt, "ranges", 0x0, 0x0, 0x10000000, 0x100000);
	PROP_CELLS(fdt, "interrupt-parent", 3);
	node_begin(fdt, "sub@1000");
	PROP_CELLS(fdt, "#address-cells", 1);
	PROP_CELLS(fdt, "#size-cells", 1);
	PROP_CELLS(fdt, "ranges", 0x0, 0x1000, 0x1000);
	node_begin(fdt, "uart@200");
	PROP_CELLS(fdt, "reg", 0x200, 0x100);
	PROP_CELLS(fdt, "interrupts", 7, 4, 8, 1);
	node_end(fdt);
	node_begin(fdt, "far@5000");
	PROP_CELLS(fdt, "reg", 0x5000, 0x10);
	node_end(fdt);
	node_begin(fdt, "nobus");
	PROP_CELLS(fdt, "#address-cells", 1);
	PROP_CELLS(fdt, "#size-cells", 1);
	node_begin(fdt, "dev@0");
	PROP_CELLS(fdt, "reg", 0, 4);
	node_end(fdt);
	node_end(fdt);
	node_end(fdt);
	node_begin(fdt, "intc@20000");
	PROP_CELLS(fdt, "reg", 0x20000, 0x1000);
	PROP_CELLS(fdt, "#interrupt-cells", 2);
	PROP_CELLS(fdt, "phandle", 3);
	node_end(fdt);
	node_begin(fdt, "plic@40000");
	prop_raw(fdt, "compatible", "vendor,plic\0riscv,plic0", sizeof("vendor,plic\0riscv,plic0"));
	PROP_CELLS(fdt, "reg", 0x40000, 0x4000);
	PROP_CELLS(fdt, "#interrupt-cells", 1);
	PROP_CELLS(fdt, "phandle", 4);
	PROP_CELLS(fdt, "interrupts-extended", 1, 11, 1, 9, 0xffffffff, 0xffffffff, 2, 0xffffffff,
		   2, 9);
	node_end(fdt);
	node_end(fdt);

	node_end(fdt);
	return tree_end(fdt);
}

static void test_platform_tree(void **state)
{
	struct fdt_range r[4];
	struct fdt_hart harts[2];
	int uart, plic, node;
	u64 a, s, hz;
	u32 irq;
	void *fdt = platform_tree("serial0:115200n8");

	assert_int_equal(fdt_memory_ranges(fdt, r, 4), 3);
	assert_int_equal(r[0].base, 0x80000000);
	assert_int_equal(r[0].size, 0x40000000);
	assert_int_equal(r[1].base, 0xc0000000);
	assert_int_equal(r[1].size, 0x1000000);
	assert_int_equal(r[2].base, 0x100000000);
	assert_int_equal(r[2].size, 0x1000);
	assert_int_equal(fdt_memory_ranges(fdt, r, 2), -E2BIG);
	assert_int_equal(fdt_memory_ranges(fdt, NULL, 0), 3);

	assert_int_equal(fdt_reserved_ranges(fdt, r, 4), 4);
	assert_int_equal(r[0].base, 0x70000000);
	assert_int_equal(r[0].size, 0x1000);
	assert_int_equal(r[1].base, 0x80000000);
	assert_int_equal(r[1].size, 0x200000);
	assert_int_equal(r[2].base, 0x80000000);
	assert_int_equal(r[2].size, 0x80000);
	assert_int_equal(r[3].base, 0x80100000);
	assert_int_equal(r[3].size, 0x1000);
	assert_int_equal(fdt_reserved_ranges(fdt, r, 3), -E2BIG);

	assert_int_equal(fdt_harts(fdt, harts, 2), 2);
	assert_int_equal(harts[0].hartid, 0);
	assert_true(harts[0].enabled);
	assert_false(harts[0].has_mmu);
	assert_string_equal(harts[0].isa, "rv64gch_sstc");
	assert_int_equal(harts[1].hartid, 5);
	assert_false(harts[1].enabled);
	assert_true(harts[1].has_mmu);
	assert_true(fdt_hart_has_ext(fdt, harts[0].node, "zifencei"));
	assert_true(fdt_hart_has_ext(fdt, harts[0].node, "h"));
	/* riscv,isa-extensions overrides riscv,isa ("rv64imac"). */
	assert_true(fdt_hart_has_ext(fdt, harts[1].node, "h"));
	assert_true(fdt_hart_has_ext(fdt, harts[1].node, "SSTC"));
	assert_false(fdt_hart_has_ext(fdt, harts[1].node, "zicsr"));
	assert_false(fdt_hart_has_ext(fdt, harts[1].node, ""));
	assert_false(fdt_hart_has_ext(fdt, -1, "h"));

	assert_int_equal(fdt_timebase_hz(fdt, &hz), 0);
	assert_int_equal(hz, 24000000);

	/* 0x200 + 0x1000 (sub) + 0x10000000 (bus). */
	uart = fdt_stdout_node(fdt);
	assert_int_equal(uart, path(fdt, "/bus@10000000/sub@1000/uart@200"));
	assert_reg(fdt, uart, 0, 0x10001200, 0x100);
	assert_int_equal(fdt_irq_number(fdt, uart, 0, &irq), 0);
	assert_int_equal(irq, 7);
	assert_int_equal(fdt_irq_number(fdt, uart, 1, &irq), 0);
	assert_int_equal(irq, 8);
	assert_int_equal(fdt_irq_number(fdt, uart, 2, &irq), -ENOENT);
	assert_int_equal(fdt_irq_number(fdt, uart, -1, &irq), -EINVAL);
	assert_int_equal(fdt_irq_number(fdt, path(fdt, "/chosen"), 0, &irq), -ENOENT);

	/* Outside sub@1000's only range; below a bus without ranges; a hartid. */
	node = path(fdt, "/bus@10000000/sub@1000/far@5000");
	assert_int_equal(fdt_node_reg(fdt, node, 0, &a, &s), -EINVAL);
	node = path(fdt, "/bus@10000000/sub@1000/nobus/dev@0");
	assert_int_equal(fdt_node_reg(fdt, node, 0, &a, &s), -EINVAL);
	assert_int_equal(fdt_node_reg(fdt, harts[0].node, 0, &a, &s), -EINVAL);
	assert_int_equal(fdt_node_reg(fdt, -1, 0, &a, &s), -EINVAL);
	assert_int_equal(fdt_node_reg(fdt, 3, 0, &a, &s), -EINVAL);
	assert_reg(fdt, path(fdt, "/bus@10000000/plic@40000"), 0, 0x10040000, 0x4000);

	plic = fdt_find_compatible(fdt, -1, "riscv,plic0");
	assert_int_equal(plic, path(fdt, "/bus@10000000/plic@40000"));
	assert_int_equal(fdt_find_compatible(fdt, plic, "riscv,plic0"), -ENOENT);
	assert_int_equal(fdt_plic_context(fdt, plic, 0, FDT_IRQ_M_EXT), 0);
	assert_int_equal(fdt_plic_context(fdt, plic, 0, FDT_IRQ_S_EXT), 1);
	/* Context 2 is a bare hole, 3 hides hart 5's M context. */
	assert_int_equal(fdt_plic_context(fdt, plic, 5, FDT_IRQ_S_EXT), 4);
	assert_int_equal(fdt_plic_context(fdt, plic, 5, FDT_IRQ_M_EXT), -ENOENT);
	assert_int_equal(fdt_plic_context(fdt, plic, 5, 0xffffffff), -ENOENT);
	assert_int_equal(fdt_plic_context(fdt, plic, 7, FDT_IRQ_S_EXT), -ENOENT);
	assert_int_equal(fdt_plic_context(fdt, uart, 0, FDT_IRQ_S_EXT), -ENOENT);
	assert_int_equal(fdt_irq_number(fdt, plic, 1, &irq), 0);
	assert_int_equal(irq, 9);
	assert_int_equal(fdt_irq_number(fdt, plic, 2, &irq), -ENOENT);
	assert_int_equal(fdt_irq_number(fdt, plic, 3, &irq), -ENOENT);
	assert_int_equal(fdt_irq_number(fdt, plic, 5, &irq), -ENOENT);

	assert_int_equal(fdt_cpu_hartid_of_intc(fdt, 2, &a), 0);
	assert_int_equal(a, 5);
	assert_int_equal(fdt_cpu_hartid_of_intc(fdt, 3, &a), -ENOENT);
	assert_int_equal(fdt_cpu_hartid_of_intc(fdt, 0, &a), -ENOENT);
	assert_int_equal(fdt_cpu_hartid_of_intc(fdt, 0xffffffff, &a), -ENOENT);

	assert_int_equal(fdt_initrd(fdt, &a, &s), 0);
	assert_int_equal(a, 0x88000000);
	assert_int_equal(s, 0x100100000);
	assert_string_equal(fdt_bootargs(fdt), "console=hvc0 keel.guests=2");
	free(fdt);
}

static void test_stdout_paths(void **state)
{
	static const struct {
		const char *path;
		bool found;
	} cases[] = {
		{ "/bus@10000000/sub@1000/uart@200", true },
		{ "/bus@10000000/sub@1000/uart@200:115200n8", true },
		{ "//bus@10000000//sub@1000/uart@200/", true },
		/* Unit addresses may be left out when the name is unique. */
		{ "/bus/sub/uart", true },
		{ "serial0", true },
		{ "serial0:", true },
		{ "bus/sub@1000/uart@200:9600", true },
		{ "/bus@10000000/sub@1000/uart@300", false },
		{ "serial1", false },
		/* An alias naming an alias: libfdt would recurse without end. */
		{ "loop", false },
		{ "rel/sub@1000/uart@200", false },
		{ "unterminated", false },
		{ ":115200", false },
		{ "", false },
	};
	size_t i;
	int uart, got;
	void *fdt;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		fdt = platform_tree(cases[i].path);
		uart = path(fdt, "/bus@10000000/sub@1000/uart@200");
		got = fdt_stdout_node(fdt);
		if (got != (cases[i].found ? uart : -ENOENT))
			fail_msg("stdout-path \"%s\": %d", cases[i].path, got);
		free(fdt);
	}

	/* No stdout-path at all. */
	fdt = platform_tree(NULL);
	assert_int_equal(fdt_stdout_node(fdt), -ENOENT);
	free(fdt);

	/* linux,stdout-path, and no /chosen. */
	fdt = minimal_root();
	node_begin(fdt, "chosen");
	prop_str(fdt, "linux,stdout-path", "/uart@0");
	node_end(fdt);
	node_begin(fdt, "uart@0");
	node_end(fdt);
	node_end(fdt);
	fdt = tree_end(fdt);
	assert_int_equal(fdt_stdout_node(fdt), path(fdt, "/uart@0"));
	free(fdt);

	fdt = minimal_root();
	node_end(fdt);
	fdt = tree_end(fdt);
	assert_int_equal(fdt_stdout_node(fdt), -ENOENT);
	assert_int_equal(fdt_initrd(fdt, NULL, NULL), -ENOENT);
	assert_null(fdt_bootargs(fdt));
	assert_int_equal(fdt_harts(fdt, NULL, 0), -ENOENT);
	assert_int_equal(fdt_timebase_hz(fdt, NULL), -ENOENT);
	assert_int_equal(fdt_memory_ranges(fdt, NULL, 0), 0);
	assert_int_equal(fdt_reserved_ranges(fdt, NULL, 0), 0);
	free(fdt);
}

/* ------------------------------------------------------------ malformed */

static void test_bad_chosen(void **state)
{
	u64 a, b;
	void *fdt = minimal_root();

	node_begin(fdt, "chosen");
	/* Two bytes are neither u32 nor u64. */
	prop_raw(fdt, "linux,initrd-start", "\x12\x34", 2);
	PROP_CELLS(fdt, "linux,initrd-end", 0x1000);
	prop_raw(fdt, "bootargs", "console", 7);
	prop_raw(fdt, "stdout-path", "/", 1);
	node_end(fdt);
	node_end(fdt);
	fdt = tree_end(fdt);
	assert_int_equal(fdt_initrd(fdt, &a, &b), -EINVAL);
	assert_null(fdt_bootargs(fdt));
	assert_int_equal(fdt_stdout_node(fdt), -ENOENT);
	free(fdt);

	fdt = minimal_root();
	node_begin(fdt, "chosen");
	PROP_CELLS(fdt, "linux,initrd-start", 0x2000);
	PROP_CELLS(fdt, "linux,initrd-end", 0x1000);
	node_end(fdt);
	node_end(fdt);
	fdt = tree_end(fdt);
	assert_int_equal(fdt_initrd(fdt, &a, &b), -EINVAL);
	free(fdt);

	fdt = minimal_root();
	node_begin(fdt, "chosen");
	PROP_CELLS(fdt, "linux,initrd-start", 0x2000);
	node_end(fdt);
	node_end(fdt);
	fdt = tree_end(fdt);
	assert_int_equal(fdt_initrd(fdt, &a, &b), -ENOENT);
	free(fdt);
}

static void test_bad_cpus(void **state)
{
	struct fdt_hart harts[2];
	u64 hz;
	void *fdt;

	/* #address-cells of 8 bytes: neither hartids nor anything else decode. */
	fdt = minimal_root();
	node_begin(fdt, "cpus");
	PROP_CELLS(fdt, "#address-cells", 0, 1);
	PROP_CELLS(fdt, "timebase-frequency", 1, 2, 3);
	node_begin(fdt, "cpu@0");
	prop_str(fdt, "device_type", "cpu");
	PROP_CELLS(fdt, "reg", 0);
	node_end(fdt);
	node_end(fdt);
	node_end(fdt);
	fdt = tree_end(fdt);
	assert_int_equal(fdt_harts(fdt, harts, 2), -EINVAL);
	assert_int_equal(fdt_timebase_hz(fdt, &hz), -EINVAL);
	free(fdt);

	/* A cpu without reg; a zero timebase. */
	fdt = minimal_root();
	node_begin(fdt, "cpus");
	PROP_CELLS(fdt, "#address-cells", 1);
	PROP_CELLS(fdt, "timebase-frequency", 0);
	node_begin(fdt, "cpu@0");
	prop_str(fdt, "device_type", "cpu");
	node_end(fdt);
	node_end(fdt);
	node_end(fdt);
	fdt = tree_end(fdt);
	assert_int_equal(fdt_harts(fdt, harts, 2), -EINVAL);
	assert_int_equal(fdt_timebase_hz(fdt, &hz), -EINVAL);
	free(fdt);

	/*
	 * Unterminated strings: status "okay" without NUL is not ok, riscv,isa
	 * is dropped, a broken riscv,isa-extensions defers to riscv,isa.
	 * #address-cells absent: hartids are two cells by default.
	 */
	fdt = minimal_root();
	node_begin(fdt, "cpus");
	node_begin(fdt, "cpu@0");
	prop_str(fdt, "device_type", "cpu");
	PROP_CELLS(fdt, "reg", 0x1, 0x2);
	prop_raw(fdt, "status", "okay", 4);
	prop_raw(fdt, "riscv,isa", "rv64imafdch", 11);
	prop_raw(fdt, "mmu-type", "riscv,sv39", 10);
	prop_raw(fdt, "riscv,isa-extensions", "i\0m\0h", 5);
	node_end(fdt);
	node_begin(fdt, "cpu@1");
	prop_str(fdt, "device_type", "cpu");
	PROP_CELLS(fdt, "reg", 0, 1);
	prop_str(fdt, "riscv,isa", "rv64imafdc_sstc");
	prop_raw(fdt, "riscv,isa-extensions", "i\0m\0a\0sst", 9);
	node_end(fdt);
	node_begin(fdt, "cpu@2");
	prop_raw(fdt, "device_type", "cpu", 3);
	node_end(fdt);
	node_end(fdt);
	node_end(fdt);
	fdt = tree_end(fdt);
	assert_int_equal(fdt_harts(fdt, harts, 2), 2);
	assert_int_equal(harts[0].hartid, 0x100000002);
	assert_false(harts[0].enabled);
	assert_null(harts[0].isa);
	assert_false(harts[0].has_mmu);
	/* "h" sits unterminated at the end of the list, and riscv,isa is unusable. */
	assert_true(fdt_hart_has_ext(fdt, harts[0].node, "m"));
	assert_false(fdt_hart_has_ext(fdt, harts[0].node, "h"));
	assert_int_equal(harts[1].hartid, 1);
	assert_true(fdt_hart_has_ext(fdt, harts[1].node, "sstc"));
	assert_false(fdt_hart_has_ext(fdt, harts[1].node, "sst"));
	assert_int_equal(fdt_timebase_hz(fdt, &hz), -ENOENT);
	free(fdt);
}

static void test_bad_reg(void **state)
{
	struct fdt_range r[4];
	u64 a, s;
	int node;
	void *fdt;

	/* reg of 3 cells under 2/2; a bus with 3 address cells; ranges of bad size. */
	fdt = minimal_root();
	node_begin(fdt, "memory@0");
	prop_str(fdt, "device_type", "memory");
	PROP_CELLS(fdt, "reg", 0, 0, 0x1000);
	node_end(fdt);
	node_begin(fdt, "pci");
	PROP_CELLS(fdt, "#address-cells", 3);
	PROP_CELLS(fdt, "#size-cells", 2);
	prop_raw(fdt, "ranges", "", 0);
	node_begin(fdt, "dev");
	PROP_CELLS(fdt, "reg", 0, 0, 0, 0, 0x10);
	node_end(fdt);
	node_end(fdt);
	node_begin(fdt, "bus");
	PROP_CELLS(fdt, "#address-cells", 1);
	PROP_CELLS(fdt, "#size-cells", 1);
	PROP_CELLS(fdt, "ranges", 0, 0, 0x1000);
	node_begin(fdt, "dev@0");
	PROP_CELLS(fdt, "reg", 0, 0x10);
	node_end(fdt);
	node_end(fdt);
	node_begin(fdt, "cells");
	prop_raw(fdt, "#address-cells", "\0\0\0\1\0", 5);
	node_begin(fdt, "dev@0");
	PROP_CELLS(fdt, "reg", 0, 0x10);
	node_end(fdt);
	node_end(fdt);
	node_begin(fdt, "zero");
	PROP_CELLS(fdt, "#address-cells", 0);
	PROP_CELLS(fdt, "#size-cells", 0);
	node_begin(fdt, "dev@0");
	PROP_CELLS(fdt, "reg", 0);
	node_end(fdt);
	node_end(fdt);
	node_end(fdt);
	fdt = tree_end(fdt);

	assert_int_equal(fdt_memory_ranges(fdt, r, 4), -EINVAL);
	node = path(fdt, "/memory@0");
	assert_int_equal(fdt_node_reg(fdt, node, 0, &a, &s), -EINVAL);
	node = path(fdt, "/pci/dev");
	assert_int_equal(fdt_node_reg(fdt, node, 0, &a, &s), -EINVAL);
	node = path(fdt, "/bus/dev@0");
	assert_int_equal(fdt_node_reg(fdt, node, 0, &a, &s), -EINVAL);
	node = path(fdt, "/cells/dev@0");
	assert_int_equal(fdt_node_reg(fdt, node, 0, &a, &s), -EINVAL);
	node = path(fdt, "/zero/dev@0");
	assert_int_equal(fdt_node_reg(fdt, node, 0, &a, &s), -EINVAL);
	free(fdt);

	/* /reserved-memory without ranges: its children cannot be placed. */
	fdt = minimal_root();
	node_begin(fdt, "reserved-memory");
	PROP_CELLS(fdt, "#address-cells", 1);
	PROP_CELLS(fdt, "#size-cells", 1);
	node_begin(fdt, "fw@80000000");
	PROP_CELLS(fdt, "reg", 0x80000000, 0x1000);
	node_end(fdt);
	node_end(fdt);
	node_end(fdt);
	fdt = tree_end(fdt);
	assert_int_equal(fdt_reserved_ranges(fdt, r, 4), -EINVAL);
	free(fdt);
}

static void test_bad_interrupts(void **state)
{
	u32 irq;
	int node;
	void *fdt = minimal_root();

	node_begin(fdt, "cpus");
	PROP_CELLS(fdt, "#address-cells", 1);
	node_begin(fdt, "cpu@0");
	prop_str(fdt, "device_type", "cpu");
	PROP_CELLS(fdt, "reg", 0);
	node_begin(fdt, "interrupt-controller");
	PROP_CELLS(fdt, "#interrupt-cells", 1);
	PROP_CELLS(fdt, "phandle", 1);
	node_end(fdt);
	node_end(fdt);
	node_end(fdt);
	/* Not a whole number of cells. */
	node_begin(fdt, "odd");
	prop_raw(fdt, "interrupts-extended", "\0\0\0\1\0\0\0\x09\0", 9);
	node_end(fdt);
	/* A phandle without its specifier. */
	node_begin(fdt, "short");
	PROP_CELLS(fdt, "interrupts-extended", 1, 9, 1);
	node_end(fdt);
	/* A phandle that names nothing. */
	node_begin(fdt, "dangling");
	PROP_CELLS(fdt, "interrupts-extended", 1, 9, 77, 9);
	PROP_CELLS(fdt, "interrupt-parent", 77);
	node_end(fdt);
	/* A controller without #interrupt-cells. */
	node_begin(fdt, "nocells");
	PROP_CELLS(fdt, "phandle", 5);
	PROP_CELLS(fdt, "interrupts-extended", 5, 9);
	node_end(fdt);
	/* interrupt-parent of 8 bytes; then one naming itself with no #interrupt-cells. */
	node_begin(fdt, "wide-parent");
	PROP_CELLS(fdt, "interrupt-parent", 0, 1);
	PROP_CELLS(fdt, "interrupts", 3);
	node_end(fdt);
	node_begin(fdt, "cycle");
	PROP_CELLS(fdt, "phandle", 6);
	PROP_CELLS(fdt, "interrupt-parent", 6);
	PROP_CELLS(fdt, "interrupts", 3);
	node_end(fdt);
	/* Nothing up the tree has #interrupt-cells. */
	node_begin(fdt, "orphan");
	PROP_CELLS(fdt, "interrupts", 3);
	node_end(fdt);
	/* interrupts not a multiple of the parent's 2 cells. */
	node_begin(fdt, "intc");
	PROP_CELLS(fdt, "phandle", 7);
	PROP_CELLS(fdt, "#interrupt-cells", 2);
	node_begin(fdt, "dev");
	PROP_CELLS(fdt, "interrupts", 3, 4, 5);
	node_end(fdt);
	node_end(fdt);
	node_begin(fdt, "toomany");
	PROP_CELLS(fdt, "phandle", 8);
	PROP_CELLS(fdt, "#interrupt-cells", 100);
	PROP_CELLS(fdt, "interrupts-extended", 8, 9);
	node_end(fdt);
	node_end(fdt);
	fdt = tree_end(fdt);

	node = path(fdt, "/odd");
	assert_int_equal(fdt_plic_context(fdt, node, 0, FDT_IRQ_S_EXT), -EINVAL);
	assert_int_equal(fdt_irq_number(fdt, node, 0, &irq), -EINVAL);
	node = path(fdt, "/short");
	assert_int_equal(fdt_plic_context(fdt, node, 0, FDT_IRQ_S_EXT), 0);
	assert_int_equal(fdt_plic_context(fdt, node, 0, FDT_IRQ_M_EXT), -EINVAL);
	assert_int_equal(fdt_irq_number(fdt, node, 0, &irq), 0);
	assert_int_equal(irq, 9);
	assert_int_equal(fdt_irq_number(fdt, node, 1, &irq), -EINVAL);
	node = path(fdt, "/dangling");
	assert_int_equal(fdt_plic_context(fdt, node, 0, FDT_IRQ_M_EXT), -EINVAL);
	assert_int_equal(fdt_irq_number(fdt, node, 1, &irq), -EINVAL);
	node = path(fdt, "/nocells");
	assert_int_equal(fdt_plic_context(fdt, node, 0, FDT_IRQ_S_EXT), -EINVAL);
	node = path(fdt, "/toomany");
	assert_int_equal(fdt_irq_number(fdt, node, 0, &irq), -EINVAL);
	assert_int_equal(fdt_irq_number(fdt, path(fdt, "/wide-parent"), 0, &irq), -EINVAL);
	assert_int_equal(fdt_irq_number(fdt, path(fdt, "/cycle"), 0, &irq), -EINVAL);
	assert_int_equal(fdt_irq_number(fdt, path(fdt, "/orphan"), 0, &irq), -ENOENT);
	assert_int_equal(fdt_irq_number(fdt, path(fdt, "/intc/dev"), 0, &irq), -EINVAL);
	free(fdt);
}

/* Runs every helper; on a damaged blob any result is fine but a crash. */
static void poke_all(const void *fdt)
{
	struct fdt_range r[8];
	struct fdt_hart harts[8];
	int i, n, node, count = 0;
	u64 a, b;
	u32 irq;

	assert_true(fdt_memory_ranges(fdt, r, 8) <= 8);
	assert_true(fdt_reserved_ranges(fdt, r, 8) <= 8);
	n = fdt_harts(fdt, harts, 8);
	assert_true(n <= 8);
	for (i = 0; i < n; i++) {
		fdt_isa_has(harts[i].isa, "h");
		fdt_hart_has_ext(fdt, harts[i].node, "sstc");
	}
	fdt_timebase_hz(fdt, &a);
	fdt_initrd(fdt, &a, &b);
	fdt_bootargs(fdt);
	node = fdt_stdout_node(fdt);
	if (node >= 0)
		fdt_node_reg(fdt, node, 0, &a, &b);
	for (node = fdt_next_node(fdt, -1, NULL); node >= 0 && count < 256;
	     node = fdt_next_node(fdt, node, NULL), count++) {
		fdt_node_ok(fdt, node);
		fdt_node_reg(fdt, node, 0, &a, &b);
		fdt_irq_number(fdt, node, 0, &irq);
		fdt_plic_context(fdt, node, 1, FDT_IRQ_S_EXT);
	}
}

static void test_bad_header(void **state)
{
	struct fdt_range r[4];
	struct fdt_hart harts[4];
	struct fdt_header *h;
	u32 size;
	u64 a, b;
	char *copy;
	void *fdt = load_dtb("qemu-virt-smp1");

	size = fdt_totalsize(fdt);
	h = fdt;

	/* A blob cut short of its totalsize, or shorter than a header. */
	assert_int_equal(fdt_blob_check(fdt, size - 1), -EINVAL);
	assert_int_equal(fdt_blob_check(fdt, 16), -EINVAL);
	assert_int_equal(fdt_blob_check(NULL, size), -EINVAL);

	/* libfdt wants 8-byte alignment. */
	copy = malloc(size + 4);
	assert_non_null(copy);
	memcpy(copy + 4, fdt, size);
	assert_int_equal(fdt_blob_check(copy + 4, size), -EINVAL);
	free(copy);

	/* A struct block off its 4-byte alignment (libfdt would load tags misaligned). */
	h->off_dt_struct = cpu_to_fdt32(fdt_off_dt_struct(fdt) + 2);
	assert_int_equal(fdt_blob_check(fdt, size), -EINVAL);
	assert_int_equal(fdt_memory_ranges(fdt, r, 4), -EINVAL);
	assert_int_equal(fdt_harts(fdt, harts, 4), -EINVAL);
	free(fdt);
	fdt = load_dtb("qemu-virt-smp1");
	h = fdt;

	/* Blocks that point past totalsize. */
	h->off_dt_struct = cpu_to_fdt32(size + 8);
	assert_int_equal(fdt_blob_check(fdt, size), -EINVAL);
	free(fdt);
	fdt = load_dtb("qemu-virt-smp1");
	h = fdt;
	h->totalsize = cpu_to_fdt32(0x7fffffff);
	assert_int_equal(fdt_blob_check(fdt, size), -EINVAL);
	free(fdt);

	/* Bad magic or version: every helper refuses, none reads on. */
	fdt = load_dtb("qemu-virt-smp1");
	h = fdt;
	h->magic = cpu_to_fdt32(0xd00dfeee);
	assert_int_equal(fdt_blob_check(fdt, size), -EINVAL);
	assert_int_equal(fdt_memory_ranges(fdt, r, 4), -EINVAL);
	assert_int_equal(fdt_reserved_ranges(fdt, r, 4), -EINVAL);
	assert_int_equal(fdt_harts(fdt, harts, 4), -EINVAL);
	assert_int_equal(fdt_timebase_hz(fdt, &a), -EINVAL);
	assert_int_equal(fdt_stdout_node(fdt), -EINVAL);
	assert_int_equal(fdt_initrd(fdt, &a, &b), -EINVAL);
	assert_null(fdt_bootargs(fdt));
	assert_false(fdt_node_ok(fdt, 0));
	assert_int_equal(fdt_plic_context(fdt, 0, 0, FDT_IRQ_S_EXT), -EINVAL);
	assert_int_equal(fdt_cpu_hartid_of_intc(fdt, 1, &a), -EINVAL);
	assert_int_equal(fdt_node_reg(fdt, 0x38, 0, &a, &b), -EINVAL);
	assert_int_equal(fdt_find_compatible(fdt, -1, "riscv,plic0"), -EINVAL);
	h->magic = cpu_to_fdt32(FDT_MAGIC);
	h->version = cpu_to_fdt32(1);
	assert_int_equal(fdt_blob_check(fdt, size), -EINVAL);
	assert_int_equal(fdt_harts(fdt, harts, 4), -EINVAL);
	free(fdt);

	/*
	 * A struct block cut inside /cpus/cpu@0 (at struct offset 996): the
	 * walks end in errors, not in a smaller machine.
	 */
	fdt = load_dtb("qemu-virt-smp1");
	h = fdt;
	assert_int_equal(fdt_path_offset(fdt, "/cpus/cpu@0"), 996);
	h->size_dt_struct = cpu_to_fdt32(1000);
	assert_int_equal(fdt_blob_check(fdt, size), 0);
	assert_int_equal(fdt_memory_ranges(fdt, r, 4), -EINVAL);
	assert_int_equal(fdt_harts(fdt, harts, 4), -EINVAL);
	poke_all(fdt);
	free(fdt);
}

/*
 * Corrupt the struct and strings blocks of real trees one byte at a time,
 * in a buffer of exactly totalsize: every helper must come back.
 */
static void test_corrupt_sweep(void **state)
{
	static const char *const names[] = { "qemu-virt-smp4", "hifive-unleashed-a00",
					     "cv1800b-milkv-duo" };
	static const u8 patterns[] = { 0xff, 0x01, 0x80 };
	size_t i, k;
	u32 off, size;
	u8 *fdt, *copy;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		fdt = load_dtb(names[i]);
		size = fdt_totalsize(fdt);
		copy = malloc(size);
		assert_non_null(copy);
		for (off = fdt_off_dt_struct(fdt); off < size; off += 7) {
			for (k = 0; k < ARRAY_SIZE(patterns); k++) {
				memcpy(copy, fdt, size);
				copy[off] ^= patterns[k];
				if (!fdt_blob_check(copy, size))
					poke_all(copy);
			}
		}
		free(copy);
		free(fdt);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boards),	      cmocka_unit_test(test_qemu_virt),
		cmocka_unit_test(test_qemu_virt_aia), cmocka_unit_test(test_sifive),
		cmocka_unit_test(test_jh7110),	      cmocka_unit_test(test_mpfs),
		cmocka_unit_test(test_sg2042),	      cmocka_unit_test(test_isa_has),
		cmocka_unit_test(test_platform_tree), cmocka_unit_test(test_stdout_paths),
		cmocka_unit_test(test_bad_chosen),    cmocka_unit_test(test_bad_cpus),
		cmocka_unit_test(test_bad_reg),	      cmocka_unit_test(test_bad_interrupts),
		cmocka_unit_test(test_bad_header),    cmocka_unit_test(test_corrupt_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
