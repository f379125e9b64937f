/* Physical pages (buddy zones, one per RAM range) and the heap. */
#ifndef CORE_MM_H
#define CORE_MM_H

#include "libs/ranges.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define MM_MAX_RANGES 16

struct mm_info {
	struct range ram[MM_MAX_RANGES];
	int nr_ram;
	struct range reserved[MM_MAX_RANGES];
	const char *reserved_what[MM_MAX_RANGES];
	int nr_reserved;
	u64 total_pages, free_pages_boot;
};

extern struct mm_info mm_info;

int mm_init(const void *fdt, u64 image_start, u64 image_end);
void *page_alloc(unsigned int order);
void *page_zalloc(unsigned int order);
/* Zero whole pages fast (picolibc's memset stores one byte at a time). */
void zero_pages(void *p, size_t bytes);
void page_free(void *p, unsigned int order);
/* Take a specific free range (fixed guest placement): 0, -EBUSY or -EINVAL. */
int page_claim(u64 addr, u64 npages);
u64 mm_free_pages(void);
u64 mm_total_pages(void);
/* Free blocks per order, summed over zones, into counts[0..nr-1]. */
void mm_free_blocks(u64 *counts, unsigned int nr);

void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);
struct heap_stats;
void heap_get_stats(struct heap_stats *st);
/* Walk every zone and the heap checking their invariants: 0 or -EFAULT. */
int mm_check(void);

/* Stacks: a block whose lowest page is an unmapped guard page. */
void *stack_alloc(unsigned int *order, u64 *limit);
void stack_free(void *stack, unsigned int order);

#endif
