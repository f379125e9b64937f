/*
 * G-stage page tables, Sv39x4 (three levels, a 41-bit guest-physical space)
 * or Sv48x4 (four levels, 50 bits): a 16 KiB root table (2048 entries, two
 * more index bits than the host format), then Sv39's or Sv48's levels.
 * Leaves are U (guest accesses are user-level at the G-stage), RWX, A and D
 * set.  Table pages come from the
 * caller's allocator; a table page's address is its physical address (Keel
 * runs identity-mapped, and host tests use malloc'ed pages).
 *
 * Pure logic: no locks, no printing, no global state (host unit tests).
 */
#ifndef LIBS_GPT_H
#define LIBS_GPT_H

#include "libs/types.h"

#define GPT_PTE_V (1UL << 0)
#define GPT_PTE_R (1UL << 1)
#define GPT_PTE_W (1UL << 2)
#define GPT_PTE_X (1UL << 3)
#define GPT_PTE_U (1UL << 4)
#define GPT_PTE_A (1UL << 6)
#define GPT_PTE_D (1UL << 7)
#define GPT_PAGE_SHIFT 12 /* table pages and the smallest leaf */
#define GPT_PAGE_SIZE (1UL << GPT_PAGE_SHIFT)
#define GPT_ROOT_ENTRIES 2048
#define GPT_ROOT_SIZE (GPT_ROOT_ENTRIES * sizeof(u64)) /* and its alignment */
#define GPT_SV39X4_LEVELS 3
#define GPT_SV48X4_LEVELS 4
/* The guest-physical address bits a format of @levels levels translates: 41 or 50. */
#define GPT_GPA_BITS(levels) (GPT_PAGE_SHIFT + 9 * (levels) + 2)

struct gpt {
	u64 *root;	     /* GPT_ROOT_SIZE bytes, as aligned */
	unsigned int levels; /* GPT_SV39X4_LEVELS or GPT_SV48X4_LEVELS */
};

struct gpt_ops {
	/* A zeroed, 4 KiB-aligned 4 KiB table page, or NULL. */
	void *(*alloc)(void *ctx);
	void (*free)(void *ctx, void *page);
	void *ctx;
};

/*
 * Map [gpa, gpa+size) to [hpa, ...) with the largest pages that fit (4 KiB,
 * 2 MiB, 1 GiB, and 512 GiB in Sv48x4).  -EINVAL when a bound is not 4 KiB
 * aligned or the range leaves the format's guest-physical space; -EEXIST when any of it is mapped
 * already; -ENOMEM when a table page could not be had.  On failure no
 * translation changed (table pages allocated on the way stay, for gpt_free).
 */
int gpt_map(const struct gpt *t, u64 gpa, u64 hpa, u64 size, const struct gpt_ops *ops);

/* Give every table page but the root back to ops->free. */
void gpt_free(const struct gpt *t, const struct gpt_ops *ops);

struct gpt_leaf {
	u64 hpa;  /* where gpa lands */
	u64 size; /* of the leaf page */
	u64 pte;
};

/* 0 with @leaf filled, or -ENOENT when @gpa is not mapped. */
int gpt_lookup(const struct gpt *t, u64 gpa, struct gpt_leaf *leaf);

#endif
