/* uptime, reset, shutdown. */
#include "arch/riscv/sbi.h"
#include "core/boot.h"
#include "core/cmd.h"
#include "core/printk.h"
#include "core/timer.h"

static int uptime_exec(int argc, char **argv)
{
	u64 ns, boot_ms;

	if (argc != 1)
		return cmd_error("usage: uptime");
	ns = ticks_to_ns(time_ticks() - boot_info.boot_ticks);
	boot_ms = ticks_to_ns(boot_info.ready_ticks - boot_info.boot_ticks) / 1000000;
	printk("up %lu.%03lu s (boot to shell took %lu ms)\n", (unsigned long)(ns / 1000000000),
	       (unsigned long)(ns / 1000000 % 1000), (unsigned long)boot_ms);
	return 0;
}

CMD_DECLARE(uptime, .name = "uptime", .args = "", .summary = "time since Keel started",
	    .exec = uptime_exec);

static int reset_exec(int argc, char **argv)
{
	if (argc != 1)
		return cmd_error("usage: reset");
	printk("Keel: resetting the system\n");
	sbi_system_reset(SBI_SRST_COLD_REBOOT, SBI_SRST_REASON_NONE);
}

CMD_DECLARE(reset, .name = "reset", .args = "", .summary = "reboot the whole system",
	    .exec = reset_exec);

static int shutdown_exec(int argc, char **argv)
{
	if (argc != 1)
		return cmd_error("usage: shutdown");
	printk("Keel: shutting down\n");
	sbi_system_reset(SBI_SRST_SHUTDOWN, SBI_SRST_REASON_NONE);
}

CMD_DECLARE(shutdown, .name = "shutdown", .args = "", .summary = "power the system off",
	    .exec = shutdown_exec);
