/*
 * Memory discovery and the locked front ends of the buddy allocator and the
 * heap.  RAM comes from /memory; OpenSBI's region (/reserved-memory), the
 * DTB, the initrd and Keel's own image are never handed out.
 */
#include "core/mm.h"
#include "core/printk.h"
#include "core/spinlock.h"
#include "arch/riscv/mmu.h"
#include "libs/buddy.h"
#include "libs/fdtinfo.h"
#include "libs/heap.h"
#include "libs/ranges.h"
#include <libfdt.h>
#include <string.h>

struct mm_info mm_info;
static struct buddy_zone zones[MM_MAX_RANGES];
static int nr_zones;
static spinlock_t page_lock = SPINLOCK_INIT;
static struct heap heap;
static spinlock_t heap_lock = SPINLOCK_INIT;

static void add_reserved(u64 base, u64 size, const char *what)
{
	if (mm_info.nr_reserved >= MM_MAX_RANGES)
		panic("too many reserved memory ranges");
	mm_info.reserved[mm_info.nr_reserved].base = base;
	mm_info.reserved[mm_info.nr_reserved].size = size;
	mm_info.reserved_what[mm_info.nr_reserved] = what;
	mm_info.nr_reserved++;
}

int mm_init(const void *fdt, u64 image_start, u64 image_end)
{
	struct fdt_range r[MM_MAX_RANGES];
	struct range free_r[2 * MM_MAX_RANGES];
	u64 initrd_start, initrd_end, meta_bytes = 0;
	int n, nr_free;

	n = fdt_memory_ranges(fdt, r, MM_MAX_RANGES);
	if (n <= 0)
		panic("device tree describes no usable /memory (%d)", n);
	for (int i = 0; i < n; i++) {
		mm_info.ram[i].base = r[i].base;
		mm_info.ram[i].size = r[i].size;
	}
	mm_info.nr_ram = n;

	n = fdt_reserved_ranges(fdt, r, MM_MAX_RANGES - 4);
	if (n < 0)
		panic("cannot read reserved memory from the device tree (%d)", n);
	for (int i = 0; i < n; i++)
		add_reserved(r[i].base, r[i].size, "firmware");
	add_reserved(image_start, image_end - image_start, "keel");
	add_reserved((u64)fdt, fdt_totalsize(fdt), "dtb");
	if (fdt_initrd(fdt, &initrd_start, &initrd_end) == 0 && initrd_end > initrd_start)
		add_reserved(initrd_start, initrd_end - initrd_start, "initrd");

	nr_free = range_subtract(mm_info.ram, mm_info.nr_ram, mm_info.reserved, mm_info.nr_reserved,
				 free_r, ARRAY_SIZE(free_r), PAGE_SIZE);
	if (nr_free <= 0)
		panic("no free memory left after reservations");

	/* Zone metadata comes out of the first free range large enough. */
	for (int i = 0; i < mm_info.nr_ram; i++)
		meta_bytes += ALIGN_UP(buddy_meta_bytes(mm_info.ram[i].size >> PAGE_SHIFT), 64);
	meta_bytes = ALIGN_UP(meta_bytes, PAGE_SIZE);
	u8 *meta = NULL;
	for (int i = 0; i < nr_free && !meta; i++) {
		if (free_r[i].size >= meta_bytes) {
			meta = (u8 *)free_r[i].base;
			free_r[i].base += meta_bytes;
			free_r[i].size -= meta_bytes;
		}
	}
	if (!meta)
		panic("no room for page allocator metadata (%lu bytes)", (unsigned long)meta_bytes);
	add_reserved((u64)meta, meta_bytes, "page-meta");

	for (int i = 0; i < mm_info.nr_ram; i++) {
		u64 base = ALIGN_UP(mm_info.ram[i].base, PAGE_SIZE);
		u64 npages =
			(ALIGN_DOWN(mm_info.ram[i].base + mm_info.ram[i].size, PAGE_SIZE) - base) >>
			PAGE_SHIFT;

		buddy_init(&zones[i], base, npages, meta);
		meta += ALIGN_UP(buddy_meta_bytes(npages), 64);
		mm_info.total_pages += npages;
	}
	nr_zones = mm_info.nr_ram;
	for (int i = 0; i < nr_free; i++)
		for (int z = 0; z < nr_zones; z++)
			buddy_release(&zones[z], free_r[i].base, free_r[i].size >> PAGE_SHIFT);
	mm_info.free_pages_boot = mm_free_pages();

	/* The heap: one physically contiguous block. */
	unsigned int order = buddy_order_for_size(CONFIG_HEAP_KB * KiB);
	void *hmem = page_alloc(order);
	if (!hmem || heap_init(&heap, hmem, PAGE_SIZE << order))
		panic("cannot allocate the %u KiB heap", CONFIG_HEAP_KB);
	return 0;
}

void *page_alloc(unsigned int order)
{
	unsigned long flags = spin_lock_irqsave(&page_lock);
	void *p = NULL;

	for (int z = 0; z < nr_zones && !p; z++)
		p = buddy_alloc(&zones[z], order);
	spin_unlock_irqrestore(&page_lock, flags);
	return p;
}

void zero_pages(void *p, size_t bytes)
{
	volatile u64 *w = p, *end = (u64 *)((u8 *)p + bytes);

	for (; w < end; w += 8) {
		w[0] = 0;
		w[1] = 0;
		w[2] = 0;
		w[3] = 0;
		w[4] = 0;
		w[5] = 0;
		w[6] = 0;
		w[7] = 0;
	}
}

void *page_zalloc(unsigned int order)
{
	void *p = page_alloc(order);

	if (p)
		zero_pages(p, PAGE_SIZE << order);
	return p;
}

void page_free(void *p, unsigned int order)
{
	unsigned long flags = spin_lock_irqsave(&page_lock);
	int err = -EINVAL;

	for (int z = 0; z < nr_zones; z++)
		if (buddy_contains(&zones[z], p))
			err = buddy_free(&zones[z], p, order);
	spin_unlock_irqrestore(&page_lock, flags);
	if (err)
		panic("page_free(%p, order %u): invalid free (%d)", p, order, err);
}

int page_claim(u64 addr, u64 npages)
{
	unsigned long flags = spin_lock_irqsave(&page_lock);
	int err = -EINVAL;

	for (int z = 0; z < nr_zones; z++)
		if (buddy_contains(&zones[z], (void *)addr))
			err = buddy_claim(&zones[z], addr, npages);
	spin_unlock_irqrestore(&page_lock, flags);
	return err;
}

u64 mm_free_pages(void)
{
	u64 n = 0;

	for (int z = 0; z < nr_zones; z++)
		n += zones[z].free_pages;
	return n;
}

u64 mm_total_pages(void)
{
	return mm_info.total_pages;
}

void mm_free_blocks(u64 *counts, unsigned int nr)
{
	unsigned long flags = spin_lock_irqsave(&page_lock);

	for (unsigned int o = 0; o < nr && o < BUDDY_ORDERS; o++) {
		counts[o] = 0;
		for (int z = 0; z < nr_zones; z++)
			counts[o] += zones[z].nfree[o];
	}
	spin_unlock_irqrestore(&page_lock, flags);
}

void *kmalloc(size_t size)
{
	unsigned long flags = spin_lock_irqsave(&heap_lock);
	void *p = heap_alloc(&heap, size, 0);

	spin_unlock_irqrestore(&heap_lock, flags);
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	unsigned long flags = spin_lock_irqsave(&heap_lock);
	int err = heap_free(&heap, p);

	spin_unlock_irqrestore(&heap_lock, flags);
	if (err)
		panic("kfree(%p): not a live heap block", p);
}

int mm_check(void)
{
	unsigned long flags = spin_lock_irqsave(&page_lock);
	int err = 0;

	for (int z = 0; z < nr_zones && !err; z++)
		err = buddy_check(&zones[z]);
	spin_unlock_irqrestore(&page_lock, flags);
	if (err)
		return err;
	flags = spin_lock_irqsave(&heap_lock);
	err = heap_check(&heap);
	spin_unlock_irqrestore(&heap_lock, flags);
	return err;
}

void heap_get_stats(struct heap_stats *st)
{
	unsigned long flags = spin_lock_irqsave(&heap_lock);

	heap_stats(&heap, st);
	spin_unlock_irqrestore(&heap_lock, flags);
}

void *stack_alloc(unsigned int *order, u64 *limit)
{
	unsigned int o = buddy_order_for_size(CONFIG_STACK_KB * KiB + PAGE_SIZE);
	void *p = page_alloc(o);
	if (!p)
		return NULL;
	mmu_set_guard((u64)p, true);
	*order = o;
	*limit = (u64)p + PAGE_SIZE;
	return p;
}

void stack_free(void *stack, unsigned int order)
{
	mmu_set_guard((u64)stack, false);
	page_free(stack, order);
}
