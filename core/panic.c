#include "core/power.h"
#include "core/printk.h"
#include "core/percpu.h"
#include "core/smp.h"
#include "arch/riscv/sbi.h"

extern bool console_panicking;

static void (*fail_hook)(u32 code);

void power_register_fail(void (*fail)(u32 code))
{
	fail_hook = fail;
}

void power_fail(u32 code)
{
	if (fail_hook)
		fail_hook(code);
}

void panic_halt(void)
{
	irq_disable();
	smp_stop_others();
	if (IS_ENABLED(CONFIG_PANIC_POWEROFF)) {
		printk("Keel: all harts stopped; powering off\n");
		power_fail(1);
		sbi_system_reset(SBI_SRST_SHUTDOWN, SBI_SRST_REASON_FAILURE);
	}
	printk("Keel: all harts stopped\n");
	for (;;)
		wfi();
}

void panic(const char *fmt, ...)
{
	va_list ap;

	irq_disable();
	console_panicking = true;
	printk("\nKeel panic on hart %lu: ", (unsigned long)this_cpu()->hartid);
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n");
	/* Start at our caller: its pc, and the frame pointer it had. */
	print_backtrace((u64)__builtin_return_address(0) - 4,
			((u64 *)__builtin_frame_address(0))[-2], 0);
	panic_halt();
}
