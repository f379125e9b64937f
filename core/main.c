/*
 * Boot flow of the boot hart: console, H-extension check, memory, page
 * table, timer, drivers, scheduler, secondary harts, then the shell.  The
 * boot context becomes this hart's idle VCPU.
 */
#include "arch/riscv/csr.h"
#include "arch/riscv/gstage.h"
#include "arch/riscv/mmu.h"
#include "arch/riscv/sbi_server.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/trap.h"
#include "core/boot.h"
#include "core/driver.h"
#include "core/guest.h"
#include "core/irq.h"
#include "core/mm.h"
#include "core/package.h"
#include "core/percpu.h"
#include "core/printk.h"
#include "core/smp.h"
#include "core/thread.h"
#include "libs/fdtinfo.h"
#include <libfdt.h>

extern char _start[], _end[], boot_stack[];
void trap_entry(void);

struct boot_info boot_info;

/*
 * Per-hart interrupt set-up: IPIs always, external interrupts only with an
 * interrupt controller; no guest state may raise anything yet (the
 * delegations come from vcpu_hart_init).
 */
void hart_init_csrs(void)
{
	csr_write(CSR_HVIP, 0);
	csr_write(CSR_HIE, 0);
	csr_write(CSR_SIE, SIE_SSIE | (irqchip_get() ? SIE_SEIE : 0));
	vcpu_hart_init(sbi_server_sstc());
}

void idle_loop(void)
{
	for (;;) {
		irq_disable();
		guest_vcpu_idle();
		if (!this_cpu()->rq.need_resched)
			wfi();
		irq_enable();
		/* A pending interrupt is taken here and may reschedule. */
		if (this_cpu()->rq.need_resched)
			sched_preempt();
	}
}

static void check_hypervisor_extension(void)
{
	unsigned long v;

	if (csr_probe_read(CSR_HSTATUS, &v) == 0 && csr_probe_read(CSR_HGATP, &v) == 0)
		return;
	printk("Keel needs the RISC-V H extension: this hart (%lu) does not have it\n",
	       (unsigned long)boot_info.boot_hartid);
	sbi_system_reset(SBI_SRST_SHUTDOWN, SBI_SRST_REASON_FAILURE);
}

void boot_main(u64 hartid, void *fdt)
{
	struct percpu *pc;
	int n;

	percpu_setup(0, hartid);
	pc = this_cpu();
	pc->trap_stack_limit = (u64)boot_stack;
	csr_write(CSR_STVEC, (u64)trap_entry);
	boot_info.boot_hartid = hartid;
	boot_info.fdt = fdt;
	boot_info.load_addr = (u64)_start;
	boot_info.boot_ticks = rdtime();

	sbi_init();
	printk("\nKeel %s: RISC-V hypervisor, booting on hart %lu at %p\n", CONFIG_VERSION,
	       (unsigned long)hartid, _start);
	check_hypervisor_extension();
	if (fdt_check_header(fdt) != 0 || fdt_blob_check(fdt, fdt_totalsize(fdt)) != 0)
		panic("no valid device tree at %p", fdt);

	mm_init(fdt, (u64)_start, (u64)_end);
	mmu_init();
	package_init(fdt);
	timer_queue_init(&pc->timers);
	arch_timer_init(fdt);
	gstage_probe();
	n = smp_discover(fdt, hartid);
	if (n <= 0)
		panic("boot hart %lu not found in the device tree (%d)", (unsigned long)hartid, n);
	drivers_probe(fdt);
	if (!irqchip_get())
		printk("Keel: no interrupt controller found: no console input, no devices\n");

	sched_init_cpu(0, thread_init_idle(0, (u64)boot_stack));
	pc->online = true;
	hart_init_csrs();
	smp_boot_secondaries();
	printk("Keel: %u of %u harts online, %s paging, timer %s, console %s\n", smp_online_count(),
	       nr_harts_dt, mmu_mode_name(), arch_timer_name(), console_name());
	boot_info.ready_ticks = rdtime();
#ifdef CONFIG_MTERM
	mterm_start();
#else
	printk("Keel: built without the management terminal\n");
#endif
	idle_loop();
}
