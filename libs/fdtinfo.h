/*
 * Platform discovery over a flattened device tree: memory, reserved memory,
 * harts and their ISA, timebase, console, initrd and interrupt routing.
 *
 * Pure helpers: no locks, no printing, no global state.  They read the DTB
 * that firmware hands over, which Keel cannot trust, so every property length
 * is checked and a malformed tree yields a negative error code, never an
 * out-of-bounds read.  The one precondition is fdt_blob_check(): libfdt bounds
 * every access by the header's totalsize, so that size must lie inside the
 * buffer.  A blob whose header is damaged gets -EINVAL (false, NULL) from
 * every helper.
 */
#ifndef LIBS_FDTINFO_H
#define LIBS_FDTINFO_H

#include "libs/types.h"

struct fdt_range {
	u64 base, size;
};

struct fdt_hart {
	u64 hartid;
	int node;
	const char *isa; /* riscv,isa, NUL-terminated inside the blob, or NULL */
	bool enabled;
	bool has_mmu;
};

/* Hart-local interrupt numbers as they appear in interrupts-extended. */
#define FDT_IRQ_S_SOFT 1
#define FDT_IRQ_M_SOFT 3
#define FDT_IRQ_S_TIMER 5
#define FDT_IRQ_M_TIMER 7
#define FDT_IRQ_S_EXT 9
#define FDT_IRQ_M_EXT 11

/*
 * 0 when the header is sane, the struct and reservation blocks are aligned as
 * the spec requires (libfdt loads them in place), and the whole blob lies
 * within bufsize bytes; else -EINVAL.  Call once on the blob firmware passed.
 */
int fdt_blob_check(const void *fdt, size_t bufsize);

/* status absent, "okay" or "ok". */
bool fdt_node_ok(const void *fdt, int node);
/*
 * Next child of a node: from the parent (@depth 0) or from a sibling (@depth 1).
 * Unlike fdt_next_subnode(), a damaged tree ends in its error instead of
 * looking like the last child, so a cut-off /cpus is not a smaller machine.
 */
int fdt_next_child(const void *fdt, int offset, int depth);

/* compatible stringlist of node contains compat (exact match). */
bool fdt_node_compatible(const void *fdt, int node, const char *compat);

/* Next node after start (-1: from the top) compatible with compat; -ENOENT at the end. */
int fdt_find_compatible(const void *fdt, int start, const char *compat);

/*
 * reg entry #index of node, decoded with the parent's #address-cells and
 * #size-cells (defaults 2 and 1) and translated to a CPU physical address
 * through every ancestor bus's "ranges" (empty = identity).  -ENOENT when
 * there is no such entry, -EINVAL when the entry cannot be decoded or
 * translated (more than 2 address cells, bus without ranges, address outside
 * every range, bad lengths).
 */
int fdt_node_reg(const void *fdt, int node, int index, u64 *addr, u64 *size);

/*
 * Every reg entry of every usable device_type = "memory" node, sorted by base
 * (entries of size 0 are dropped).  Returns the count, -E2BIG when out has
 * fewer than the needed entries, or -EINVAL for a malformed tree.  out may be
 * NULL to only count.
 */
int fdt_memory_ranges(const void *fdt, struct fdt_range *out, int max);

/* /memreserve/ entries, then reg of usable /reserved-memory children; sorted by base. */
int fdt_reserved_ranges(const void *fdt, struct fdt_range *out, int max);

/*
 * /cpus children with device_type = "cpu", in tree order.  Count, -E2BIG,
 * -ENOENT without /cpus, -EINVAL for a cpu without a usable reg.  out may be
 * NULL to only count.
 */
int fdt_harts(const void *fdt, struct fdt_hart *out, int max);

/*
 * Does an ISA string name ext?  Single letters are looked up in the base part
 * ("rv64imafdch", with "g" standing for imafd_zicsr_zifencei and version
 * suffixes such as "2p1" skipped); longer names ("sstc", "zicsr") must match a
 * whole '_'-separated extension.  Case-insensitive; a NULL isa has nothing.
 */
bool fdt_isa_has(const char *isa, const char *ext);

/* ext in the cpu's riscv,isa-extensions when that list is present, else in riscv,isa. */
bool fdt_hart_has_ext(const void *fdt, int cpu_node, const char *ext);

/* /cpus timebase-frequency (u32 or u64), else the first cpu node's. -ENOENT, -EINVAL (0 or bad
 * length). */
int fdt_timebase_hz(const void *fdt, u64 *hz);

/* /chosen stdout-path (or linux,stdout-path): path or alias, ":options" ignored. Node or -ENOENT.
 */
int fdt_stdout_node(const void *fdt);

/* /chosen linux,initrd-start/-end, each u32 or u64.  -ENOENT, -EINVAL (bad length, end < start). */
int fdt_initrd(const void *fdt, u64 *start, u64 *end);

/* /chosen bootargs when present and NUL-terminated, else NULL. */
const char *fdt_bootargs(const void *fdt);

/* hartid of the cpu whose interrupt-controller child has intc_phandle; -ENOENT. */
int fdt_cpu_hartid_of_intc(const void *fdt, u32 intc_phandle, u64 *hartid);

/*
 * Index of the interrupts-extended entry of an interrupt controller (PLIC,
 * also IMSIC/ACLINT) that targets hartid's cpu-intc with cpu_irq
 * (FDT_IRQ_S_EXT, FDT_IRQ_M_EXT, ...).  For a PLIC this is the context
 * number.  Entries with a 0xffffffff phandle or irq are holes: they take an
 * index but never match.  -ENOENT when no entry matches, -EINVAL when the
 * property is malformed.
 */
int fdt_plic_context(const void *fdt, int plic_node, u64 hartid, u32 cpu_irq);

/*
 * First cell of interrupt specifier #index: from interrupts-extended when
 * present, else from interrupts sized by the interrupt parent's
 * #interrupt-cells (interrupt-parent searched up the tree).  -ENOENT when
 * there is no such entry (or it is a hole), -EINVAL when malformed.
 */
int fdt_irq_number(const void *fdt, int node, int index, u32 *irq);

#endif
