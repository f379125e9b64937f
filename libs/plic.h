/*
 * A PLIC (RISC-V Platform-Level Interrupt Controller, spec 1.0.0) laid out as
 * on QEMU virt: the state machine and its register file, for the guest's
 * virtual PLIC (emulators/plic.c).
 *
 * Sources 1..ndev (at most 1023) each have a priority (3 bits, 0 = never),
 * a gateway and a pending bit; every context (a hart's M- or S-mode input:
 * QEMU virt numbers hart h's M context 2h and its S context 2h+1) has an
 * enable bit per source and a threshold.  A context's output is raised while
 * a pending, enabled, unclaimed source has a priority above its threshold;
 * reading its claim register returns the highest such source (ties: the
 * lowest id) and clears its pending bit, writing that id back completes it.
 *
 * Gateways: a level-triggered source (plic_set_level) is pending while its
 * line is high and it is not claimed, so a line that drops before the claim
 * withdraws the request (as QEMU does), and a line still high at completion
 * makes it pending again.  An edge (plic_edge) sets the pending bit; one
 * that comes while the source is claimed is kept until completion.
 *
 * Pure logic: no locks, no allocation (the caller provides the memory).
 */
#ifndef LIBS_PLIC_H
#define LIBS_PLIC_H

#include "libs/types.h"

#define PLIC_MAX_SOURCES 1023
#define PLIC_DEFAULT_SOURCES 96 /* QEMU virt's riscv,ndev */
/* Priorities and thresholds hold 3 bits (QEMU virt): written values are taken modulo 8. */
#define PLIC_PRIORITY_MASK 7

#define PLIC_PRIORITY_BASE 0x0
#define PLIC_PENDING_BASE 0x1000
#define PLIC_ENABLE_BASE 0x2000
#define PLIC_ENABLE_STRIDE 0x80
#define PLIC_CONTEXT_BASE 0x200000
#define PLIC_CONTEXT_STRIDE 0x1000
#define PLIC_CLAIM 0x4 /* in a context's block; its threshold is at 0 */
/* The register window on QEMU virt; an access past it is refused. */
#define PLIC_SIZE 0x600000
#define PLIC_MAX_CONTEXTS ((PLIC_SIZE - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE)

struct plic {
	u32 ndev, nr_contexts;
	u32 words;     /* in each source bitmap: sources 0..ndev */
	u8 *priority;  /* [ndev + 1] */
	u8 *threshold; /* [nr_contexts] */
	u32 *pending, *claimed;
	u32 *level;  /* the lines of level-triggered sources */
	u32 *edge;   /* an edge came while the source was claimed */
	u32 *enable; /* [nr_contexts][words] */
	u32 *out;    /* each context's output as last reported by plic_update */
};

/* Bytes of memory plic_init needs for @ndev sources (1..1023) and @nr_contexts (1..1024). */
size_t plic_mem_size(u32 ndev, u32 nr_contexts);
/* The state after a reset; @mem: plic_mem_size() zeroed bytes, 4-byte aligned. */
void plic_init(struct plic *p, void *mem, u32 ndev, u32 nr_contexts);

/* A level-triggered source's line; ids outside 1..ndev are ignored. */
void plic_set_level(struct plic *p, u32 irq, bool high);
/* An edge on an edge-triggered source; ids outside 1..ndev are ignored. */
void plic_edge(struct plic *p, u32 irq);
/* The source a claim by @ctx would return now, without claiming it; 0: none. */
u32 plic_best(const struct plic *p, u32 ctx);
/* A claim by @ctx: the source (then in service), or 0 when nothing is claimable. */
u32 plic_claim(struct plic *p, u32 ctx);
/* A completion: ignored unless @irq is claimed and enabled for @ctx (the spec's rule). */
void plic_complete(struct plic *p, u32 ctx, u32 irq);

/*
 * A guest access at offset @off of the window: 0, or -EINVAL for one QEMU
 * would not take (a size other than 4, a misaligned offset, past PLIC_SIZE).
 * Offsets without a register read 0 and ignore writes, as on QEMU.
 */
int plic_read(struct plic *p, u64 off, unsigned int size, u32 *val);
/* Does a read at @off change the state (a claim), so that outputs may move? */
bool plic_read_changes(const struct plic *p, u64 off);
int plic_write(struct plic *p, u64 off, unsigned int size, u32 val);

/* Calls @notify for every context whose output changed since the last call. */
void plic_update(struct plic *p, void (*notify)(void *arg, u32 ctx, bool high), void *arg);
static inline bool plic_output(const struct plic *p, u32 ctx)
{
	return (p->out[ctx / 32] >> (ctx % 32)) & 1;
}

#endif
