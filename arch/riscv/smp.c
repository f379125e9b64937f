/*
 * Secondary harts: every usable hart in the DT is started through SBI HSM
 * into secondary_entry, with its own guarded stack and TLS block.  Guests
 * get F/D when every hart Keel uses has them.
 */
#include "core/smp.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/mmu.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/vcpu.h"
#include "core/irq.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/printk.h"
#include "core/boot.h"
#include "core/guest.h"
#include "core/thread.h"
#include "libs/fdtinfo.h"

void secondary_entry(void);
void idle_loop(void) __attribute__((noreturn));

struct hart_desc harts[CONFIG_MAX_HARTS];
struct hart_desc unused_harts[CONFIG_MAX_HARTS];
unsigned int nr_harts_dt, nr_unused_harts;

int smp_discover(const void *fdt, u64 boot_hartid)
{
	int n = fdt_harts(fdt, NULL, 0);
	struct fdt_hart *dt;
	unsigned int idx = 1;
	bool found_boot = false, fp = true;

	if (n < 0)
		return n;
	/* However many harts the DT has: those beyond CONFIG_MAX_HARTS are listed as unused. */
	dt = kmalloc(n * sizeof(*dt));
	if (!dt)
		return -ENOMEM;
	n = fdt_harts(fdt, dt, n);
	nr_harts_dt = n;
	percpu_data[0].hartid = boot_hartid;
	for (int i = 0; i < n; i++) {
		const char *why = NULL;
		unsigned int slot;

		if (!dt[i].enabled)
			why = "disabled in DT";
		else if (!dt[i].has_mmu)
			why = "no MMU";
		else if (!fdt_hart_has_ext(fdt, dt[i].node, "h"))
			why = "no H extension";
		if (dt[i].hartid != boot_hartid && !why && idx >= CONFIG_MAX_HARTS)
			why = "beyond CONFIG_MAX_HARTS";
		if (dt[i].hartid != boot_hartid && why) {
			if (nr_unused_harts < CONFIG_MAX_HARTS) {
				unused_harts[nr_unused_harts].hartid = dt[i].hartid;
				unused_harts[nr_unused_harts].isa = dt[i].isa;
				unused_harts[nr_unused_harts].why_not = why;
				nr_unused_harts++;
			}
			continue;
		}
		found_boot |= dt[i].hartid == boot_hartid;
		slot = dt[i].hartid == boot_hartid ? 0 : idx++;
		harts[slot].hartid = dt[i].hartid;
		harts[slot].isa = dt[i].isa;
		fp &= fdt_hart_has_ext(fdt, dt[i].node, "f") &&
		      fdt_hart_has_ext(fdt, dt[i].node, "d");
		percpu_data[slot].hartid = dt[i].hartid;
		percpu_data[slot].index = slot;
	}
	kfree(dt);
	if (!found_boot)
		return -ENOENT;
	nr_cpus = idx;
	vcpu_fp = fp;
	return (int)idx;
}

/* Runs on the new hart with tp, sp and satp already set. */
void secondary_main(struct hart_boot *boot)
{
	struct percpu *pc = container_of(boot, struct percpu, boot);
	unsigned int cpu = pc->index;

	percpu_attach(pc);
	pc->trap_stack_limit = boot->stack_limit;
	timer_queue_init(&pc->timers);
	sched_init_cpu(cpu, thread_init_idle(cpu, boot->stack_limit));
	if (irqchip_get() && irqchip_get()->init_cpu)
		irqchip_get()->init_cpu(cpu);
	hart_init_csrs();
	__atomic_store_n(&pc->online, true, __ATOMIC_RELEASE);
	idle_loop();
}

static void wait_status(u64 hartid, long status, u64 ticks)
{
	u64 deadline = time_ticks() + ticks;

	while (sbi_hart_status(hartid) != status && time_ticks() < deadline)
		;
}

static bool wait_online(struct percpu *pc, u64 ticks)
{
	u64 deadline = time_ticks() + ticks;

	while (!__atomic_load_n(&pc->online, __ATOMIC_ACQUIRE) && time_ticks() < deadline)
		;
	return pc->online;
}

/*
 * Start one hart and see it come online.  OpenSBI 1.1 can race a start
 * against a hart that is still initialising (seen on QEMU with more harts
 * than host cores): the hart either jumps to Keel's boot entry (the boot
 * lottery sends it back to stopped) or forgets the start and stays stopped.
 * So: start only a stopped hart, and start it again if it falls back.
 */
static int start_hart(struct percpu *pc)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		int err;

		wait_status(pc->hartid, SBI_HSM_STOPPED, timebase_hz);
		err = sbi_hart_start(pc->hartid, (u64)secondary_entry, (u64)&pc->boot);
		if (err == -EBUSY)
			continue;
		if (err)
			return err;
		if (wait_online(pc, 2 * timebase_hz))
			return 0;
		if (sbi_hart_status(pc->hartid) != SBI_HSM_STOPPED)
			return -ETIMEDOUT;
	}
	return -ETIMEDOUT;
}

void smp_boot_secondaries(void)
{
	for (unsigned int cpu = 1; cpu < nr_cpus; cpu++) {
		struct percpu *pc = &percpu_data[cpu];
		unsigned int order;
		u64 limit;
		void *stack = stack_alloc(&order, &limit);
		int err;

		if (!stack) {
			printk("smp: no memory for hart %lu's stack\n", (unsigned long)pc->hartid);
			break;
		}
		pc->boot.sp = (u64)stack + (PAGE_SIZE << order);
		pc->boot.tp = (u64)pc;
		pc->boot.satp = mmu_satp();
		pc->boot.stack_limit = limit;
		err = start_hart(pc);
		if (err) {
			printk("smp: hart %lu did not start (%d)\n", (unsigned long)pc->hartid,
			       err);
			/* A hart that may still be running on it keeps its stack. */
			if (sbi_hart_status(pc->hartid) == SBI_HSM_STOPPED)
				stack_free(stack, order);
		}
	}
}

unsigned int smp_online_count(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < nr_cpus; i++)
		n += percpu_data[i].online;
	return n;
}

void smp_send_ipi(unsigned int cpu, u32 what)
{
	struct percpu *pc = &percpu_data[cpu];

	__atomic_fetch_or(&pc->ipi_pending, what, __ATOMIC_RELEASE);
	sbi_send_ipi(1, pc->hartid);
}

void smp_handle_ipi(void)
{
	struct percpu *pc = this_cpu();
	u32 what;

	csr_clear(CSR_SIP, SIE_SSIE);
	pc->nr_ipis++;
	what = __atomic_exchange_n(&pc->ipi_pending, 0, __ATOMIC_ACQUIRE);
	if (what & IPI_STOP) {
		pc->online = false;
		for (;;) {
			irq_disable();
			wfi();
		}
	}
	if (what & IPI_RESCHED)
		sched_handle_resched_ipi();
	if (what & IPI_RELEASE)
		guest_vcpu_release();
}

void smp_stop_others(void)
{
	unsigned int self = this_cpu()->index;

	for (unsigned int i = 0; i < nr_cpus; i++)
		if (i != self && percpu_data[i].online)
			smp_send_ipi(i, IPI_STOP);
}
