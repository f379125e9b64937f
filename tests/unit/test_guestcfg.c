/*
 * libs/guestcfg against guest descriptions compiled at build time from the
 * .dts files in tests/unit/guestcfg/ (valid ones checked field by field,
 * one file per error with its exact message), and against blobs built or
 * damaged here for what dtc cannot write: repeated properties and nodes,
 * control bytes in names, truncated and corrupted trees.
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

#include "libs/guestcfg.h"
#include "tests/unit/load_file.h"

#define DTB_DIR "build/unit/guestcfg/"

static const char *const known[] = { "ns16550a",	  "virtio,mmio",  "google,goldfish-rtc",
				     "sifive,plic-1.0.0", "sifive,test1", NULL };

/* A struct guestcfg is a few KiB: one, not one per stack frame. */
static struct guestcfg cfg;
static char err[256];

/* ------------------------------------------------------------ helpers */

static void *load_dtb(const char *name, size_t *size)
{
	char path[256];

	snprintf(path, sizeof(path), DTB_DIR "%s.dtb", name);
	return load_file(path, size);
}

static int parse_file(const char *name, u32 max_vcpus, const char *const *compat, void **blob,
		      size_t *size)
{
	*blob = load_dtb(name, size);
	memset(err, 'Z', sizeof(err));
	return guestcfg_parse(*blob, *size, max_vcpus, compat, &cfg, err, sizeof(err));
}

/* Parses a file that must be valid; the caller frees the blob. */
static void *parse_ok(const char *name, size_t *size)
{
	void *blob;
	int ret;

	ret = parse_file(name, 0, known, &blob, size);
	if (ret)
		fail_msg("%s: %d %s", name, ret, err);
	assert_string_equal(err, "");
	return blob;
}

static void assert_in_blob(const void *p, const void *blob, size_t size)
{
	assert_non_null(p);
	assert_true((const char *)p >= (const char *)blob);
	assert_true((const char *)p + strlen(p) < (const char *)blob + size);
}

static void assert_vcpu(u32 i, u32 prio, u64 slice_ns, u64 affinity)
{
	assert_int_equal(cfg.vcpu[i].priority, prio);
	assert_int_equal(cfg.vcpu[i].slice_ns, slice_ns);
	assert_int_equal(cfg.vcpu[i].affinity, affinity);
}

static void assert_rsv(u32 i, u64 budget_ns, u64 period_ns)
{
	assert_int_equal(cfg.vcpu[i].budget_ns, budget_ns);
	assert_int_equal(cfg.vcpu[i].period_ns, period_ns);
}

static void assert_mem(u32 i, u64 gpa, u64 size, bool fixed, u64 hpa)
{
	assert_int_equal(cfg.mem[i].gpa, gpa);
	assert_int_equal(cfg.mem[i].size, size);
	assert_int_equal(cfg.mem[i].fixed, fixed);
	assert_int_equal(cfg.mem[i].hpa, hpa);
}

static void assert_dev(u32 i, const char *name, const char *compat, u64 base, u64 size,
		       bool has_irq, u32 irq)
{
	assert_string_equal(cfg.dev[i].name, name);
	assert_string_equal(cfg.dev[i].compatible, compat);
	assert_int_equal(cfg.dev[i].base, base);
	assert_int_equal(cfg.dev[i].size, size);
	assert_int_equal(cfg.dev[i].has_irq, has_irq);
	assert_int_equal(cfg.dev[i].irq, irq);
}

/* Sequential-write tree builder, for blobs dtc will not produce. */
#define BUILD_SIZE 4096

static void *tree_begin(void)
{
	void *fdt = malloc(BUILD_SIZE);

	assert_non_null(fdt);
	assert_int_equal(fdt_create(fdt, BUILD_SIZE), 0);
	assert_int_equal(fdt_finish_reservemap(fdt), 0);
	assert_int_equal(fdt_begin_node(fdt, ""), 0);
	assert_int_equal(fdt_property_string(fdt, "compatible", GUESTCFG_COMPATIBLE), 0);
	assert_int_equal(fdt_property_string(fdt, "guest-name", "x"), 0);
	return fdt;
}

static void node(void *fdt, const char *name)
{
	assert_int_equal(fdt_begin_node(fdt, name), 0);
}

static void end(void *fdt)
{
	assert_int_equal(fdt_end_node(fdt), 0);
}

static void cell(void *fdt, const char *name, u32 v)
{
	assert_int_equal(fdt_property_u32(fdt, name, v), 0);
}

static void str(void *fdt, const char *name, const char *v)
{
	assert_int_equal(fdt_property_string(fdt, name, v), 0);
}

/* The nodes every guest needs, each with its minimum. */
static void valid_body(void *fdt)
{
	const fdt32_t reg[] = { 0, cpu_to_fdt32(0x80000000), 0, cpu_to_fdt32(0x8000000) };

	node(fdt, "vcpus");
	cell(fdt, "count", 1);
	end(fdt);
	node(fdt, "memory@80000000");
	assert_int_equal(fdt_property(fdt, "reg", reg, sizeof(reg)), 0);
	end(fdt);
	node(fdt, "images");
	node(fdt, "kernel");
	str(fdt, "file", "k.bin");
	end(fdt);
	end(fdt);
}

/* Closes the root and parses a tight copy of the blob. */
static int tree_parse(void *fdt)
{
	void *out;
	int ret;

	end(fdt);
	assert_int_equal(fdt_finish(fdt), 0);
	out = malloc(fdt_totalsize(fdt));
	assert_non_null(out);
	memcpy(out, fdt, fdt_totalsize(fdt));
	free(fdt);
	ret = guestcfg_parse(out, fdt_totalsize(out), 0, known, &cfg, err, sizeof(err));
	free(out);
	return ret;
}

/* ------------------------------------------------------------ valid files */

static void test_full(void **state)
{
	size_t size;
	void *blob = parse_ok("full", &size);

	assert_string_equal(cfg.name, "full_guest-1");
	assert_string_equal(cfg.bootargs, "console=ttyS0 earlycon=sbi");
	assert_in_blob(cfg.bootargs, blob, size);
	assert_int_equal(cfg.sbi_disabled, GUESTCFG_SBI_BIT(GUESTCFG_SBI_IPI) |
						   GUESTCFG_SBI_BIT(GUESTCFG_SBI_HSM) |
						   GUESTCFG_SBI_BIT(GUESTCFG_SBI_LEGACY));

	/* /vcpus defaults, then the vcpu@N overrides on top of them. */
	assert_int_equal(cfg.nr_vcpus, 4);
	assert_vcpu(0, 2, 20000000, 0x3);
	assert_vcpu(1, 3, 5000000, 0x2);
	assert_vcpu(2, 2, 20000000, 0x3);
	assert_vcpu(3, 2, 20000000, 0x8000000000000000ULL | 0xc);
	assert_rsv(0, 3000000, 10000000);
	assert_rsv(1, 1000000, 10000000);
	assert_rsv(2, 25000000, 100000000);
	assert_rsv(3, 3000000, 10000000);

	/* Sorted by guest-physical address, whatever the tree order. */
	assert_int_equal(cfg.nr_mem, 2);
	assert_mem(0, 0x80000000, 0x8000000, true, 0x90000000);
	assert_mem(1, 0x100000000, 0x1000000, true, 0x100000000);

	assert_true(cfg.kernel.present && cfg.kernel.load_given);
	assert_string_equal(cfg.kernel.file, "basic.bin");
	assert_in_blob(cfg.kernel.file, blob, size);
	assert_int_equal(cfg.kernel.load, 0x80400000);
	assert_true(cfg.initrd.present && cfg.initrd.load_given);
	assert_string_equal(cfg.initrd.file, "rootfs.cpio");
	assert_int_equal(cfg.initrd.load, 0x84000000);
	assert_true(cfg.dtb.present && cfg.dtb.load_given);
	assert_string_equal(cfg.dtb.file, "guest.dtb");
	assert_int_equal(cfg.dtb.load, 0x100000000);

	assert_int_equal(cfg.nr_devices, 3);
	assert_dev(0, "uart@10000000", "ns16550a", 0x10000000, 0x100, true, 10);
	assert_dev(1, "virtio@10001000", "virtio,mmio", 0x10001000, 0x1000, true, 1);
	/* The first entry of the list that the caller knows. */
	assert_dev(2, "rtc@101000", "google,goldfish-rtc", 0x101000, 0x1000, false, 0);
	for (u32 i = 0; i < cfg.nr_devices; i++) {
		assert_in_blob(cfg.dev[i].name, blob, size);
		assert_in_blob(cfg.dev[i].compatible, blob, size);
	}
	free(blob);
}

static void test_minimal(void **state)
{
	size_t size;
	void *blob = parse_ok("minimal", &size);

	assert_string_equal(cfg.name, "min");
	assert_null(cfg.bootargs);
	assert_int_equal(cfg.sbi_disabled, 0);
	assert_int_equal(cfg.nr_vcpus, 1);
	assert_vcpu(0, GUESTCFG_DEFAULT_PRIO, 10000000, 0);
	assert_rsv(0, 0, 0);
	assert_int_equal(cfg.nr_mem, 1);
	assert_mem(0, 0x80000000, 0x4000000, false, 0);
	/* RAM base + 2 MiB, as OpenSBI and Linux expect. */
	assert_true(cfg.kernel.present);
	assert_false(cfg.kernel.load_given);
	assert_int_equal(cfg.kernel.load, 0x80200000);
	assert_string_equal(cfg.kernel.file, "Image");
	assert_false(cfg.initrd.present);
	assert_false(cfg.dtb.present);
	assert_int_equal(cfg.nr_devices, 0);
	free(blob);
}

static void test_identity(void **state)
{
	size_t size;
	void *blob = parse_ok("identity", &size);

	assert_string_equal(cfg.name, "ident");
	assert_int_equal(cfg.nr_vcpus, GUESTCFG_MAX_VCPUS);
	assert_vcpu(63, GUESTCFG_DEFAULT_PRIO, 10000000, 0);
	assert_mem(0, 0xc0000000, 0x10000000, true, 0xc0000000);
	assert_int_equal(cfg.kernel.load, 0xc0200000);
	/* Present without an address: the loader places it. */
	assert_true(cfg.dtb.present);
	assert_false(cfg.dtb.load_given);
	assert_int_equal(cfg.dtb.load, 0);
	free(blob);
}

/* The schema's example in docs/guest-config.md, kept here so that it stays true. */
static void test_doc_example(void **state)
{
	size_t size;
	void *blob = parse_ok("example", &size);

	assert_string_equal(cfg.name, "basic");
	assert_int_equal(cfg.nr_vcpus, 2);
	assert_vcpu(1, 3, 5000000, 0x2);
	assert_rsv(0, 2000000, 10000000);
	assert_rsv(1, 5000000, 10000000);
	assert_int_equal(cfg.nr_devices, 4);
	assert_string_equal(cfg.dev[2].compatible, "sifive,test1");
	assert_false(cfg.dev[2].has_irq);
	assert_string_equal(cfg.dev[3].compatible, "sifive,plic-1.0.0");
	assert_int_equal(cfg.dev[3].ndev, 96);
	assert_int_equal(cfg.dev[0].ndev, 0);
	free(blob);
}

/* ------------------------------------------------------------ error files */

struct bad_case {
	const char *file;
	int ret;
	const char *msg;
};

static const struct bad_case bad_cases[] = {
	{ "err_unknown_prop", -EINVAL, "guest 'x': /vcpus: unknown property 'cuont'" },
	{ "err_unknown_root_prop", -EINVAL, "guest 'x': /: unknown property 'model'" },
	{ "err_unknown_node", -EINVAL, "guest 'x': /: unknown node 'cpus'" },
	{ "err_no_memory", -ENOENT, "guest 'x': no memory region" },
	{ "err_mem_overlap", -EINVAL,
	  "guest 'x': memory regions 0x80000000+0x8000000 and 0x84000000+0x1000000 overlap" },
	{ "err_vcpus_zero", -ERANGE, "guest 'x': vcpus count 0 out of range 1..64" },
	{ "err_vcpus_1000", -ERANGE, "guest 'x': vcpus count 1000 out of range 1..64" },
	{ "err_unknown_compat", -ENODEV, "guest 'x': unknown device compatible 'foo,bar'" },
	{ "err_missing_name", -ENOENT, "guest: /: missing required property 'guest-name'" },
	{ "err_bad_name", -EINVAL,
	  "guest: /: invalid guest-name 'my guest' (1..31 characters from A-Z a-z 0-9 _ -)" },
	{ "err_long_name", -EINVAL,
	  "guest: /: invalid guest-name 'abcdefghijklmnopqrstuvwxyz012345' (1..31 characters "
	  "from A-Z a-z 0-9 _ -)" },
	{ "err_not_guest", -EINVAL,
	  "guest: not a Keel guest description (/ compatible must include 'keel,guest-v1')" },
	{ "err_sbi_base", -EINVAL,
	  "guest 'x': /: sbi-disable: SBI extension 'base' cannot be disabled" },
	{ "err_sbi_unknown", -EINVAL,
	  "guest 'x': /: sbi-disable: unknown SBI extension 'pmu' (known: time ipi rfence hsm "
	  "srst dbcn legacy sta)" },
	{ "err_missing_count", -ENOENT, "guest 'x': /vcpus: missing required property 'count'" },
	{ "err_missing_vcpus", -ENOENT, "guest 'x': /: missing required node 'vcpus'" },
	{ "err_missing_images", -ENOENT, "guest 'x': /: missing required node 'images'" },
	{ "err_missing_kernel", -ENOENT, "guest 'x': /images: missing required node 'kernel'" },
	{ "err_missing_file", -ENOENT,
	  "guest 'x': /images/kernel: missing required property 'file'" },
	{ "err_image_unknown", -EINVAL, "guest 'x': /images: unknown node 'kernal'" },
	{ "err_mem_unaligned", -EINVAL,
	  "guest 'x': /memory@80000800: memory region 0x80000800+0x8000000 is not page aligned" },
	{ "err_mem_zero", -EINVAL, "guest 'x': /memory@90000000: memory region size is 0" },
	{ "err_mem_limit", -ERANGE,
	  "guest 'x': /memory@3ffff00000000: memory region 0x3ffff00000000+0x200000000 ends "
	  "beyond the guest-physical limit 0x4000000000000 (Sv48x4)" },
	{ "err_mem_too_many", -E2BIG, "guest 'x': too many memory regions (max 8)" },
	{ "err_mem_reg_cells", -EINVAL,
	  "guest 'x': /memory@80000000: property 'reg' must be four cells (base, size; 2 each)" },
	{ "err_host_overlap", -EINVAL,
	  "guest 'x': memory regions 0x80000000+0x1000000 and 0x90000000+0x1000000 overlap in "
	  "host memory (0xa0000000 and 0xa0800000)" },
	{ "err_host_unaligned", -EINVAL,
	  "guest 'x': /memory@80000000: host-address 0xa0000010 is not page aligned" },
	{ "err_dev_ram", -EINVAL,
	  "guest 'x': device 'uart@80001000' (0x80001000+0x100) overlaps RAM "
	  "0x80000000+0x8000000" },
	{ "err_dev_overlap", -EINVAL,
	  "guest 'x': devices 'uart@10000000' (0x10000000+0x100) and 'virtio@10000000' "
	  "(0x10000000+0x1000) overlap" },
	{ "err_dev_irq_shared", -EINVAL,
	  "guest 'x': devices 'uart@10000000' and 'virtio@10001000' share interrupt 10" },
	{ "err_dev_irq_range", -ERANGE,
	  "guest 'x': /devices/uart@10000000: interrupt 0 out of range 1..1023" },
	{ "err_dev_ndev_range", -ERANGE,
	  "guest 'x': /devices/plic@c000000: riscv,ndev 1024 out of range 1..1023" },
	{ "err_dev_no_compat", -ENOENT,
	  "guest 'x': /devices/uart@10000000: missing required property 'compatible'" },
	{ "err_dev_child", -EINVAL, "guest 'x': /devices/uart@10000000: unknown node 'port'" },
	{ "err_dev_too_many", -E2BIG, "guest 'x': too many devices (max 16)" },
	{ "err_vcpu_index", -ERANGE, "guest 'x': /vcpus/vcpu@2: VCPU index 2 out of range 0..1" },
	{ "err_vcpu_dup", -EINVAL, "guest 'x': /vcpus/vcpu@01: VCPU 1 is described twice" },
	{ "err_vcpu_name", -EINVAL, "guest 'x': /vcpus: unknown node 'cpu@1'" },
	{ "err_vcpu_unit", -EINVAL,
	  "guest 'x': /vcpus/vcpu@one: unit address must be a VCPU index (hex)" },
	{ "err_vcpu_reg", -EINVAL,
	  "guest 'x': /vcpus/vcpu@1: reg <0> does not match the unit address" },
	{ "err_affinity_range", -ERANGE,
	  "guest 'x': /vcpus/vcpu@1: affinity hart 64 out of range 0..63" },
	{ "err_affinity_empty", -EINVAL,
	  "guest 'x': /vcpus: property 'affinity' must be a list of cells" },
	{ "err_prio_range", -ERANGE, "guest 'x': /vcpus: priority 32 out of range 0..31" },
	{ "err_slice_range", -ERANGE,
	  "guest 'x': /vcpus: time-slice-us 50 out of range 100..1000000" },
	{ "err_budget_alone", -EINVAL, "guest 'x': /vcpus: budget-us without period-us" },
	{ "err_period_alone", -EINVAL, "guest 'x': /vcpus/vcpu@1: period-us without budget-us" },
	{ "err_budget_period", -EINVAL,
	  "guest 'x': /vcpus: budget-us 20000 exceeds period-us 10000" },
	{ "err_budget_range", -ERANGE,
	  "guest 'x': /vcpus: budget-us 50 out of range 100..1000000" },
	{ "err_period_range", -ERANGE,
	  "guest 'x': /vcpus: period-us 20000000 out of range 100..10000000" },
	{ "err_budget_override", -EINVAL,
	  "guest 'x': /vcpus/vcpu@1: budget-us 12000 exceeds period-us 10000" },
	{ "err_count_cells", -EINVAL, "guest 'x': /vcpus: property 'count' must be one cell" },
	{ "err_string_unterminated", -EINVAL,
	  "guest 'x': /: property 'bootargs' must be one string" },
	{ "err_string_list", -EINVAL,
	  "guest 'x': /images/kernel: property 'file' must be one string" },
	{ "err_file_empty", -EINVAL, "guest 'x': /images/kernel: property 'file' is empty" },
	{ "err_root_cells", -EINVAL, "guest 'x': /: #address-cells must be <2>" },
	{ "err_kernel_not_ram", -ERANGE,
	  "guest 'x': /images/kernel: load address 0x40000000 is not in RAM" },
	{ "err_kernel_default", -ERANGE,
	  "guest 'x': /images/kernel: load address 0x80200000 (default: RAM base + 2 MiB) is not "
	  "in RAM" },
	{ "err_dtb_unaligned", -EINVAL,
	  "guest 'x': /images/dtb: load address 0x87000004 is not 8-byte aligned" },
};

static void test_errors(void **state)
{
	const struct bad_case *b;
	size_t size;
	void *blob;
	int ret;

	for (b = bad_cases; b < bad_cases + ARRAY_SIZE(bad_cases); b++) {
		ret = parse_file(b->file, 0, known, &blob, &size);
		if (ret != b->ret || strcmp(err, b->msg))
			fail_msg("%s: got %d \"%s\", want %d \"%s\"", b->file, ret, err, b->ret,
				 b->msg);
		free(blob);
	}
}

/* ------------------------------------------------------------ parameters */

static void test_max_vcpus(void **state)
{
	size_t size;
	void *blob;

	assert_int_equal(parse_file("full", 2, known, &blob, &size), -ERANGE);
	assert_string_equal(err, "guest 'full_guest-1': vcpus count 4 out of range 1..2");
	free(blob);
	assert_int_equal(parse_file("full", 4, known, &blob, &size), 0);
	free(blob);
	/* 0 and anything above what struct guestcfg holds mean GUESTCFG_MAX_VCPUS. */
	assert_int_equal(parse_file("identity", 0, known, &blob, &size), 0);
	free(blob);
	assert_int_equal(parse_file("identity", 1000, known, &blob, &size), 0);
	assert_int_equal(cfg.nr_vcpus, 64);
	free(blob);
	assert_int_equal(parse_file("err_vcpus_1000", 1000, known, &blob, &size), -ERANGE);
	assert_string_equal(err, "guest 'x': vcpus count 1000 out of range 1..64");
	free(blob);
}

static void test_known_compat(void **state)
{
	static const char *const uart_only[] = { "ns16550a", "virtio,mmio", NULL };
	static const char *const none[] = { NULL };
	size_t size;
	void *blob;

	/* No list: any compatible, the first entry kept. */
	assert_int_equal(parse_file("err_unknown_compat", 0, NULL, &blob, &size), 0);
	assert_int_equal(cfg.nr_devices, 1);
	assert_string_equal(cfg.dev[0].compatible, "foo,bar");
	free(blob);
	assert_int_equal(parse_file("full", 0, NULL, &blob, &size), 0);
	assert_string_equal(cfg.dev[2].compatible, "vendor,rtc-v2");
	free(blob);
	/* The message names the first entry when none is known. */
	assert_int_equal(parse_file("full", 0, uart_only, &blob, &size), -ENODEV);
	assert_string_equal(err, "guest 'full_guest-1': unknown device compatible 'vendor,rtc-v2'");
	free(blob);
	assert_int_equal(parse_file("full", 0, none, &blob, &size), -ENODEV);
	assert_string_equal(err, "guest 'full_guest-1': unknown device compatible 'ns16550a'");
	free(blob);
	/* A guest without devices needs no list at all. */
	assert_int_equal(parse_file("minimal", 0, none, &blob, &size), 0);
	free(blob);
}

/* ------------------------------------------------------------ damaged blobs */

static void test_truncated(void **state)
{
	size_t size, cut;
	void *blob, *part;

	blob = load_dtb("full", &size);
	for (cut = 0; cut < size; cut += cut < 64 ? 1 : 37) {
		/* Exactly cut bytes, so that ASan sees a read past them. */
		part = malloc(cut ? cut : 1);
		assert_non_null(part);
		memcpy(part, blob, cut);
		assert_int_equal(guestcfg_parse(part, cut, 0, known, &cfg, err, sizeof(err)),
				 -EINVAL);
		assert_string_equal(err, "guest: invalid device tree blob");
		free(part);
	}
	assert_int_equal(guestcfg_parse(NULL, size, 0, known, &cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "guest: invalid device tree blob");
	/* A header that promises more than the buffer holds. */
	((fdt32_t *)blob)[1] = cpu_to_fdt32(size + 8);
	assert_int_equal(guestcfg_parse(blob, size, 0, known, &cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "guest: invalid device tree blob");
	free(blob);
}

/*
 * Every byte of a valid blob, damaged three ways: the parser must either
 * accept (with every string still inside the blob) or give one line.
 */
static void test_corrupt_sweep(void **state)
{
	static const u8 flips[] = { 0xff, 0x01, 0x80 };
	size_t size, i, f, j;
	u8 *blob, *copy;
	int ret;

	blob = load_dtb("full", &size);
	copy = malloc(size);
	assert_non_null(copy);
	for (i = 0; i < size; i++) {
		for (f = 0; f < ARRAY_SIZE(flips); f++) {
			memcpy(copy, blob, size);
			copy[i] ^= flips[f];
			ret = guestcfg_parse(copy, size, 0, known, &cfg, err, sizeof(err));
			if (ret) {
				assert_true(ret < 0);
				assert_int_equal(strncmp(err, "guest", 5), 0);
				assert_null(strchr(err, '\n'));
				continue;
			}
			assert_in_blob(cfg.kernel.file, copy, size);
			for (j = 0; j < cfg.nr_devices; j++)
				assert_in_blob(cfg.dev[j].compatible, copy, size);
		}
	}
	free(copy);
	free(blob);
}

/* What dtc merges or refuses, but a blob can hold. */
static void test_built_blobs(void **state)
{
	void *fdt;

	fdt = tree_begin();
	valid_body(fdt);
	assert_int_equal(tree_parse(fdt), 0);

	fdt = tree_begin();
	str(fdt, "guest-name", "y");
	valid_body(fdt);
	assert_int_equal(tree_parse(fdt), -EINVAL);
	assert_string_equal(err, "guest 'x': /: duplicate property 'guest-name'");

	fdt = tree_begin();
	valid_body(fdt);
	node(fdt, "vcpus");
	end(fdt);
	assert_int_equal(tree_parse(fdt), -EINVAL);
	assert_string_equal(err, "guest 'x': /: duplicate node 'vcpus'");

	fdt = tree_begin();
	valid_body(fdt);
	node(fdt, "images");
	end(fdt);
	assert_int_equal(tree_parse(fdt), -EINVAL);
	assert_string_equal(err, "guest 'x': /: duplicate node 'images'");

	/* Control bytes from the blob never reach the console. */
	fdt = tree_begin();
	cell(fdt, "\x1b[2J\x7f", 1);
	valid_body(fdt);
	assert_int_equal(tree_parse(fdt), -EINVAL);
	assert_string_equal(err, "guest 'x': /: unknown property '?[2J?'");

	/* A node with children deeper than the schema goes. */
	fdt = tree_begin();
	valid_body(fdt);
	node(fdt, "devices");
	node(fdt, "uart@10000000");
	node(fdt, "a");
	node(fdt, "b");
	end(fdt);
	end(fdt);
	end(fdt);
	end(fdt);
	assert_int_equal(tree_parse(fdt), -EINVAL);
	assert_string_equal(err, "guest 'x': /devices/uart@10000000: unknown node 'a'");
}

static void test_err_buffer(void **state)
{
	char small[10];
	size_t size;
	void *blob;

	blob = load_dtb("err_no_memory", &size);
	assert_int_equal(guestcfg_parse(blob, size, 0, known, &cfg, small, sizeof(small)), -ENOENT);
	assert_string_equal(small, "guest 'x'");
	small[0] = 'Z';
	assert_int_equal(guestcfg_parse(blob, size, 0, known, &cfg, small, 1), -ENOENT);
	assert_int_equal(small[0], '\0');
	assert_int_equal(guestcfg_parse(blob, size, 0, known, &cfg, NULL, 0), -ENOENT);
	assert_int_equal(guestcfg_parse(blob, size, 0, known, NULL, err, sizeof(err)), -EINVAL);
	free(blob);
}

/* ------------------------------------------------------------ images, SBI names */

static void test_check_image(void **state)
{
	struct guestcfg_image img;
	size_t size;
	void *blob = parse_ok("full", &size);

	/* Regions: 0x80000000+128 MiB and 0x100000000+16 MiB. */
	assert_int_equal(
		guestcfg_check_image(&cfg, "kernel", &cfg.kernel, 1 << 20, err, sizeof(err)), 0);
	/* Up to the last byte of the region, and not one more. */
	assert_int_equal(
		guestcfg_check_image(&cfg, "kernel", &cfg.kernel, 0x7c00000, err, sizeof(err)), 0);
	assert_int_equal(
		guestcfg_check_image(&cfg, "kernel", &cfg.kernel, 0x7c00001, err, sizeof(err)),
		-ENOSPC);
	assert_string_equal(err, "guest 'full_guest-1': image 'kernel' (130023425 bytes at "
				 "0x80400000) does not fit in RAM");
	assert_int_equal(guestcfg_check_image(&cfg, "dtb", &cfg.dtb, 0x1000000, err, sizeof(err)),
			 0);
	assert_int_equal(guestcfg_check_image(&cfg, "dtb", &cfg.dtb, 0x1000001, err, sizeof(err)),
			 -ENOSPC);

	/* A loader's own placement, passed as a copy. */
	img = cfg.initrd;
	img.load = 0x87fff000;
	assert_int_equal(guestcfg_check_image(&cfg, "initrd", &img, 0x1000, err, sizeof(err)), 0);
	/* Past the end of one region, into a gap. */
	assert_int_equal(guestcfg_check_image(&cfg, "initrd", &img, 0x1001, err, sizeof(err)),
			 -ENOSPC);
	assert_string_equal(err, "guest 'full_guest-1': image 'initrd' (4097 bytes at "
				 "0x87fff000) does not fit in RAM");
	/* load + size wraps around. */
	img.load = 0xfffffffffffff000ULL;
	assert_int_equal(guestcfg_check_image(&cfg, "initrd", &img, 0x2000, err, sizeof(err)),
			 -ENOSPC);
	img.load = 0x80000000;
	assert_int_equal(guestcfg_check_image(&cfg, "initrd", &img, ~0ULL, err, sizeof(err)),
			 -ENOSPC);
	img.load = 0x7ffff000;
	assert_int_equal(guestcfg_check_image(&cfg, "initrd", &img, 0x2000, err, sizeof(err)),
			 -ENOSPC);

	assert_int_equal(guestcfg_check_image(&cfg, "kernel", &cfg.kernel, 0, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "guest 'full_guest-1': image 'kernel' is empty");
	img.present = false;
	assert_int_equal(guestcfg_check_image(&cfg, "initrd", &img, 1, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "guest 'full_guest-1': image 'initrd' is not configured");
	free(blob);
}

static void test_check_image_adjacent(void **state)
{
	struct guestcfg c = { .name = "adj", .nr_mem = 2 };
	struct guestcfg_image img = { .present = true, .load = 0x80000000 };

	/* Contiguous in guest space, but two regions: an image may not span them. */
	c.mem[0] = (struct guestcfg_mem){ .gpa = 0x80000000, .size = 0x100000 };
	c.mem[1] = (struct guestcfg_mem){ .gpa = 0x80100000, .size = 0x100000 };
	assert_int_equal(guestcfg_check_image(&c, "kernel", &img, 0x100000, err, sizeof(err)), 0);
	assert_int_equal(guestcfg_check_image(&c, "kernel", &img, 0x100001, err, sizeof(err)),
			 -ENOSPC);
	img.load = 0x80100000;
	assert_int_equal(guestcfg_check_image(&c, "kernel", &img, 0x100000, err, sizeof(err)), 0);
}

/* The rules `vcpu sched` shares with descriptions. */
static void test_check_sched(void **state)
{
	struct guestcfg_vcpu v = { .priority = 31, .slice_ns = 100000 };
	char err[96];

	assert_int_equal(guestcfg_check_sched(&v, err, sizeof(err)), 0);
	v.budget_ns = 1000000;
	v.period_ns = 1000000;
	assert_int_equal(guestcfg_check_sched(&v, err, sizeof(err)), 0);
	v.period_ns = 999000;
	assert_int_equal(guestcfg_check_sched(&v, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "budget-us 1000 exceeds period-us 999");
	v.budget_ns = 0;
	assert_int_equal(guestcfg_check_sched(&v, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "period-us without budget-us");
	v.period_ns = 0;
	v.slice_ns = 1000001000;
	assert_int_equal(guestcfg_check_sched(&v, err, sizeof(err)), -ERANGE);
	assert_string_equal(err, "time-slice-us 1000001 out of range 100..1000000");
	v.priority = 32;
	assert_int_equal(guestcfg_check_sched(&v, NULL, 0), -ERANGE);
}

static void test_sbi_names(void **state)
{
	static const char *const want[] = { "time", "ipi",  "rfence", "hsm",
					    "srst", "dbcn", "legacy", "sta" };
	unsigned int i;

	assert_int_equal(ARRAY_SIZE(want), GUESTCFG_SBI_NR);
	for (i = 0; i < GUESTCFG_SBI_NR; i++)
		assert_string_equal(guestcfg_sbi_name(i), want[i]);
	assert_null(guestcfg_sbi_name(GUESTCFG_SBI_NR));
	assert_null(guestcfg_sbi_name(~0u));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_doc_example),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_max_vcpus),
		cmocka_unit_test(test_known_compat),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupt_sweep),
		cmocka_unit_test(test_built_blobs),
		cmocka_unit_test(test_err_buffer),
		cmocka_unit_test(test_check_image),
		cmocka_unit_test(test_check_image_adjacent),
		cmocka_unit_test(test_check_sched),
		cmocka_unit_test(test_sbi_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
