/* heap info: heap and page-allocator statistics. */
#include "core/cmd.h"
#include "core/mm.h"
#include "core/printk.h"
#include "libs/buddy.h"
#include "libs/heap.h"

static int heap_info(int argc, char **argv)
{
	struct heap_stats st;
	u64 blocks[BUDDY_ORDERS];

	if (argc != 1)
		return cmd_error("usage: heap info");
	heap_get_stats(&st);
	printk("heap: total %lu bytes, used %lu, free %lu, largest free %lu\n",
	       (unsigned long)st.total, (unsigned long)st.used, (unsigned long)st.free,
	       (unsigned long)st.largest_free);
	printk("heap: %lu allocations, %lu frees, %lu failures, %lu blocks in use\n",
	       (unsigned long)st.allocs, (unsigned long)st.frees, (unsigned long)st.failures,
	       (unsigned long)st.blocks_used);
	printk("pages: total %lu, free %lu (%lu KiB), free at boot %lu\n",
	       (unsigned long)mm_total_pages(), (unsigned long)mm_free_pages(),
	       (unsigned long)(mm_free_pages() * PAGE_SIZE / KiB),
	       (unsigned long)mm_info.free_pages_boot);
	mm_free_blocks(blocks, BUDDY_ORDERS);
	printk("free blocks by order:");
	for (unsigned int o = 0; o < BUDDY_ORDERS; o++)
		if (blocks[o])
			printk(" %u:%lu", o, (unsigned long)blocks[o]);
	printk("\n");
	printk("integrity: %s\n", mm_check() ? "CORRUPTED" : "ok");
	return 0;
}

static const struct subcmd heap_subs[] = {
	{ "info", "", "heap and page allocator statistics", heap_info },
};

CMD_DECLARE(heap, .name = "heap", .summary = "memory allocator state", .subs = heap_subs,
	    .nr_subs = ARRAY_SIZE(heap_subs));
