/*
 * debug fault <kind>: make Keel fault on purpose so the panic path (report,
 * backtrace, stopping every hart) can be tested.  CONFIG_CMD_DEBUG only.
 */
#include "core/cmd.h"
#include "core/printk.h"
#include "core/thread.h"
#include <string.h>

extern char boot_stack_guard[];

static volatile u64 sink;

static u64 __attribute__((noinline)) recurse(u64 depth)
{
	volatile u8 pad[512];

	pad[0] = (u8)depth;
	if (depth == UINT64_MAX)
		return pad[0];
	return recurse(depth + 1) + pad[0];
}

static int debug_fault(int argc, char **argv)
{
	if (argc != 2)
		return cmd_error("usage: debug fault load|store|illegal|stack|panic");
	if (!strcmp(argv[1], "load")) {
		/* The boot stack's guard page is never mapped. */
		sink = *(volatile u64 *)boot_stack_guard;
	} else if (!strcmp(argv[1], "store")) {
		*(volatile u64 *)boot_stack_guard = 1;
	} else if (!strcmp(argv[1], "illegal")) {
		__asm__ volatile(".word 0" ::: "memory");
	} else if (!strcmp(argv[1], "stack")) {
		sink = recurse(0);
	} else if (!strcmp(argv[1], "panic")) {
		panic("requested from the shell by %s", current_vcpu()->name);
	} else {
		return cmd_error("debug fault: unknown kind '%s' (load, store, illegal, stack, panic)",
				 argv[1]);
	}
	return cmd_error("debug fault %s: Keel did not fault", argv[1]);
}

static const struct subcmd debug_subs[] = {
	{ "fault", "load|store|illegal|stack|panic", "fault on purpose (tests the panic path)",
	  debug_fault },
};

CMD_DECLARE(debug, .name = "debug", .summary = "fault injection for testing",
	    .subs = debug_subs, .nr_subs = ARRAY_SIZE(debug_subs));
