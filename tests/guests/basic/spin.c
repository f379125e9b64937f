/*
 * spin (by name only, never ends): a CPU hog.  It prints one line, then adds
 * 1 as fast as it can to the doubleword at RAM base + 0x1000 (where
 * heartbeat counts), never sleeping: a host reads the count from guest
 * memory (Keel: guest dumpmem) to see what share of a hart the guest got.
 */
#include "basic.h"

void check_spin(void)
{
	volatile uint64_t *count = (volatile uint64_t *)(dt.ram_base + HEARTBEAT_OFFSET);

	printk("BASIC: spin counting at 0x%lx\n", (unsigned long)count);
	for (;;)
		*count += 1;
}
