/* host info / host cpu: what Keel found on this machine. */
#include "arch/riscv/gstage.h"
#include "arch/riscv/mmu.h"
#include "arch/riscv/sbi.h"
#include "core/boot.h"
#include "core/cmd.h"
#include "core/driver.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/printk.h"
#include "core/smp.h"

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

static const struct subcmd host_subs[] = {
	{ "info", "", "harts, ISA, MMU and G-stage modes, memory, devices", host_info },
	{ "cpu", "", "per-hart state and interrupt counters", host_cpu },
};

CMD_DECLARE(host, .name = "host", .summary = "host hardware", .subs = host_subs,
	    .nr_subs = ARRAY_SIZE(host_subs));
