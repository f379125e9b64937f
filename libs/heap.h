/*
 * General-purpose heap over one memory region: first fit over an
 * address-ordered free list, boundary tags (header + footer) on every block
 * and immediate coalescing, so freeing everything restores a single block.
 */
#ifndef LIBS_HEAP_H
#define LIBS_HEAP_H

#include "libs/types.h"
#include "libs/list.h"

#define HEAP_MIN_ALIGN 16
#define HEAP_MAX_ALIGN 4096

struct heap_stats {
	size_t total;	     /* bytes of the region under management */
	size_t used;	     /* payload bytes of allocated blocks */
	size_t free;	     /* payload bytes of free blocks */
	size_t largest_free; /* largest payload a 16-aligned request could get */
	size_t allocs;	     /* successful heap_alloc() calls, cumulative */
	size_t frees;	     /* successful non-NULL heap_free() calls, cumulative */
	size_t failures;     /* heap_alloc() calls that found no space, cumulative */
	size_t blocks_used;
	size_t blocks_free;
};

struct heap {
	u8 *start, *end; /* blocks tile [start, end) exactly */
	struct list_head free_list;
	size_t used, free;
	size_t blocks_used, blocks_free;
	size_t allocs, frees, failures;
};

/* -EINVAL if the region cannot hold one minimal block. */
int heap_init(struct heap *h, void *mem, size_t size);

/*
 * align 0 means HEAP_MIN_ALIGN.  NULL on size 0, an alignment that is not a
 * power of two or exceeds HEAP_MAX_ALIGN, or no space; only the last counts
 * as a failure.
 */
void *heap_alloc(struct heap *h, size_t size, size_t align);

/* NULL => 0; -EINVAL for foreign pointers and double frees, which change nothing. */
int heap_free(struct heap *h, void *p);

/* Payload bytes usable by the block behind @p (>= the requested size); 0 if not ours. */
size_t heap_usable_size(const struct heap *h, const void *p);

void heap_stats(const struct heap *h, struct heap_stats *st);

/* Walk all blocks and the free list, verify tags and counters; 0 or -EFAULT. */
int heap_check(const struct heap *h);

#endif
