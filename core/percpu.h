/* Per-hart state.  tp points at the hart's struct percpu while Keel runs;
 * it is per hart and never follows a thread to another hart. */
#ifndef CORE_PERCPU_H
#define CORE_PERCPU_H

#include "core/sched.h"
#include "core/timer.h"

struct hart_boot {
	u64 sp;
	u64 tp;
	u64 satp;
	u64 stack_limit;
};

struct percpu {
	/* Read by arch/riscv/entry.S at fixed offsets (asm.h PC_*). */
	u64 trap_stack_limit;
	u64 trap_emergency_sp;
	bool probe_active, probe_faulted;
	unsigned int index;
	u64 hartid;
	volatile bool online;
	struct hart_boot boot;
	struct sched_rq rq;
	struct timer_queue timers;
	volatile u32 ipi_pending;
	unsigned int irq_depth;
	/*
	 * The guest VCPU (struct vcpu_guest) whose VS-level CSRs are on this
	 * hart: they are saved only when another guest's VCPU needs the hart.
	 */
	void *guest_loaded;
	u64 nr_irqs, nr_timer_irqs, nr_ipis, nr_ext_irqs;
};

extern struct percpu percpu_data[CONFIG_MAX_HARTS];
extern unsigned int nr_cpus;

/*
 * Volatile: a thread may continue on another hart after any call that can
 * schedule, so the compiler must not reuse an earlier read across it.
 */
static inline struct percpu *this_cpu(void)
{
	struct percpu *pc;

	__asm__ volatile("mv %0, tp" : "=r"(pc));
	return pc;
}

static inline bool in_interrupt(void)
{
	return this_cpu()->irq_depth > 0;
}

/* Boot hart: point tp at percpu_data[@index]. */
void percpu_setup(unsigned int index, u64 hartid);
/* Any hart whose tp is set: per-hart fields Keel's entry path needs. */
void percpu_attach(struct percpu *pc);

#endif
