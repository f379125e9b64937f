/*
 * Binary buddy allocator for physical pages of one contiguous zone.
 *
 * Blocks are naturally aligned to their size in physical address space (not
 * relative to the zone base), so a zone that starts or ends off a large
 * boundary simply has smaller blocks near its edges.  Memory is identity
 * mapped: block addresses are usable pointers, and the free lists are
 * threaded through the free pages themselves.
 */
#ifndef LIBS_BUDDY_H
#define LIBS_BUDDY_H

#include "libs/types.h"
#include "libs/list.h"

#define BUDDY_PAGE_SHIFT 12
#define BUDDY_PAGE_SIZE (1UL << BUDDY_PAGE_SHIFT)
#define BUDDY_MAX_ORDER 18 /* 1 GiB blocks */
#define BUDDY_ORDERS (BUDDY_MAX_ORDER + 1)

struct buddy_zone {
	u64 base; /* page aligned */
	u64 npages;
	u8 *meta; /* one byte per page, caller provided, buddy_meta_bytes(npages) bytes */
	struct list_head free[BUDDY_ORDERS]; /* nodes live inside the free pages themselves */
	u64 nfree[BUDDY_ORDERS];	     /* free blocks per order */
	u64 free_pages;
};

size_t buddy_meta_bytes(u64 npages);

/* All pages start allocated (reserved) as order-0 blocks. */
void buddy_init(struct buddy_zone *z, u64 base, u64 npages, u8 *meta);

/*
 * Boot: make the whole pages of [addr, addr + npages pages) free, merging,
 * clamped to the zone.  Pages that are already free, or that belong to an
 * allocated block larger than one page, are left as they are.
 */
void buddy_release(struct buddy_zone *z, u64 addr, u64 npages);

void *buddy_alloc(struct buddy_zone *z, unsigned order); /* NULL when no block */

/* -EINVAL: outside zone, misaligned, order too big, wrong order or double free. */
int buddy_free(struct buddy_zone *z, void *p, unsigned order);

/*
 * Take a specific, page aligned range out of the free pool, all or nothing.
 * Each page becomes an allocated order-0 block.  -EINVAL if the range is
 * empty, misaligned or not inside the zone; -EBUSY if any page is not free.
 */
int buddy_claim(struct buddy_zone *z, u64 addr, u64 npages);

bool buddy_contains(const struct buddy_zone *z, const void *p);

/* Smallest order whose block holds @bytes; -E2BIG beyond BUDDY_MAX_ORDER. */
int buddy_order_for_size(u64 bytes);

/* Order of the largest free block, or -ENOMEM when the zone is exhausted. */
int buddy_largest_free_order(const struct buddy_zone *z);

/*
 * Verify metadata, free lists and counters against each other, and that no
 * two free buddies were left unmerged.  O(npages); 0 or -EFAULT.
 */
int buddy_check(const struct buddy_zone *z);

#endif
