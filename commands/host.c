/* host info / host cpu / host irq: what Keel found on this machine, and its interrupt routing. */
#include "arch/riscv/gstage.h"
#include "arch/riscv/mmu.h"
#include "arch/riscv/sbi.h"
#include "core/boot.h"
#include "core/cmd.h"
#include "core/driver.h"
#include "core/irq.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/printk.h"
#include "core/smp.h"
#include "libs/args.h"
#include <stdio.h>
#include <string.h>

static int host_info(int argc, char **argv)
{
	char gmodes[48];
	u64 ram = 0;
	const struct driver_binding *b;
	unsigned int nb;

	if (argc != 1)
		return cmd_error("usage: host info");
	for (int i = 0; i < mm_info.nr_ram; i++)
		ram += mm_info.ram[i].size;
	printk("harts: %u online, %u in device tree, boot hart %lu\n", smp_online_count(),
	       nr_harts_dt, (unsigned long)boot_info.boot_hartid);
	printk("isa: %s\n", harts[0].isa ? harts[0].isa : "(not in device tree)");
	printk("mmu: %s, HS page table %u pages\n", mmu_mode_name(), mmu_table_pages());
	gstage_modes(gmodes, sizeof(gmodes));
	printk("g-stage: %s, vmid bits %u\n", gmodes, gstage_vmid_bits());
	printk("guest-physical: up to %lu GiB (%s; sv39x4 for guests within 2048 GiB)\n",
	       (unsigned long)(gstage_gpa_limit() >> 30), gstage_limit_name());
	printk("timer: %s, timebase %lu Hz\n", arch_timer_name(), (unsigned long)timebase_hz);
	printk("wall clock: %lu s since 1970 (from %s at boot)\n",
	       (unsigned long)(wallclock_ns() / 1000000000ULL), wallclock_source());
	printk("sbi: %s %lu.%lu, spec %lu.%lu\n", sbi_impl_name(sbi_info.impl_id),
	       sbi_info.impl_version >> 16, sbi_info.impl_version & 0xffff,
	       (sbi_info.spec_version >> 24) & 0x7f, sbi_info.spec_version & 0xffffff);
	printk("memory: %lu MiB RAM, %lu MiB free\n", (unsigned long)(ram / MiB),
	       (unsigned long)(mm_free_pages() * PAGE_SIZE / MiB));
	for (int i = 0; i < mm_info.nr_ram; i++)
		printk("  ram      %016lx-%016lx\n", (unsigned long)mm_info.ram[i].base,
		       (unsigned long)(mm_info.ram[i].base + mm_info.ram[i].size - 1));
	for (int i = 0; i < mm_info.nr_reserved; i++)
		printk("  reserved %016lx-%016lx %s\n", (unsigned long)mm_info.reserved[i].base,
		       (unsigned long)(mm_info.reserved[i].base + mm_info.reserved[i].size - 1),
		       mm_info.reserved_what[i]);
	nb = driver_bindings(&b);
	for (unsigned int i = 0; i < nb; i++)
		printk("device: %s %s%s\n", b[i].drv->name, b[i].path, b[i].err ? " (failed)" : "");
	return 0;
}

static int host_cpu(int argc, char **argv)
{
	if (argc != 1)
		return cmd_error("usage: host cpu");
	printk("%4s %6s %-8s %-14s %8s %8s %8s %8s\n", "HART", "HARTID", "STATE", "CURRENT", "IRQS",
	       "TIMER", "IPI", "EXT");
	for (unsigned int i = 0; i < nr_cpus; i++) {
		struct percpu *pc = &percpu_data[i];
		char curr[24] = "-";

		if (pc->online)
			sched_curr_name(i, curr, sizeof(curr));
		printk("%4u %6lu %-8s %-14s %8lu %8lu %8lu %8lu\n", i, (unsigned long)pc->hartid,
		       pc->online ? "online" : "offline", curr, (unsigned long)pc->nr_irqs,
		       (unsigned long)pc->nr_timer_irqs, (unsigned long)pc->nr_ipis,
		       (unsigned long)pc->nr_ext_irqs);
	}
	for (unsigned int i = 0; i < nr_unused_harts; i++)
		printk("hart %lu not used: %s\n", (unsigned long)unused_harts[i].hartid,
		       unused_harts[i].why_not);
	return 0;
}

static int irq_list_cmd(void)
{
	const struct irq_info *info;
	unsigned int n = irq_list(&info);

	printk("%4s %4s %-20s", "IRQ", "HART", "HANDLER");
	for (unsigned int c = 0; c < nr_cpus; c++)
		printk(" %9s%u", "HART", c);
	printk("\n");
	for (unsigned int i = 0; i < n; i++) {
		printk("%4u %4u %-20s", info[i].irq, info[i].cpu, info[i].name);
		for (unsigned int c = 0; c < nr_cpus; c++)
			printk(" %10lu", (unsigned long)info[i].count[c]);
		printk("\n");
	}
	return 0;
}

static int host_irq(int argc, char **argv)
{
	char err[96];
	u64 irq, cpu;

	if (argc == 1 || (argc == 2 && !strcmp(argv[1], "list")))
		return irq_list_cmd();
	if (argc != 4 || strcmp(argv[1], "affinity"))
		return cmd_error("usage: host irq [list | affinity <irq> <hart>]");
	if (args_u64(argv[2], &irq) || irq > UINT32_MAX)
		return cmd_error("host irq: '%s' is not an interrupt number (see host irq)",
				 argv[2]);
	if (args_u64(argv[3], &cpu) || cpu >= nr_cpus)
		return cmd_error("host irq: no hart '%s' (harts 0..%u)", argv[3], nr_cpus - 1);
	if (irq_set_affinity((u32)irq, (unsigned int)cpu, err, sizeof(err)))
		return cmd_error("host irq: %s", err);
	printk("irq %lu: hart %lu\n", (unsigned long)irq, (unsigned long)cpu);
	return 0;
}

static const struct subcmd host_subs[] = {
	{ "info", "", "harts, ISA, MMU and G-stage modes, memory, devices", host_info },
	{ "cpu", "", "per-hart state and interrupt counters", host_cpu },
	{ "irq", "[list | affinity <irq> <hart>]",
	  "host interrupts: handler, hart, count per hart; or route one to another hart",
	  host_irq },
};

CMD_DECLARE(host, .name = "host", .summary = "host hardware", .subs = host_subs,
	    .nr_subs = ARRAY_SIZE(host_subs));
