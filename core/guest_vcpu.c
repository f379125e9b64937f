/*
 * A guest VCPU: a normal VCPU whose thread enters the guest (vcpu_enter) and
 * handles its exits.  Its VS-level CSRs and FP registers stay on the hart
 * until another guest's VCPU needs it (percpu.guest_loaded, and the VCPU's
 * loaded_on).  A VCPU that moved to another hart first has the hart holding
 * them save them (IPI_RELEASE) and loads them where it runs now.
 *
 * What crosses VCPUs goes through four words of struct vcpu_guest:
 * pending (interrupts to raise in hvip), levels (interrupt lines held high,
 * mirrored into hvip), requests (fences to do on the VCPU's hart) and
 * in_guest (the hart it is in VS-mode on, or -1).  The VCPU publishes
 * in_guest, then reads pending, levels, requests and the guest state; the
 * other side writes those, then reads in_guest and sends an IPI to that
 * hart: one of the two always sees the other's write.
 */
#include "arch/riscv/csr.h"
#include "arch/riscv/sbi_server.h"
#include "arch/riscv/trap.h"
#include "core/emulator.h"
#include "core/guest.h"
#include "core/percpu.h"
#include "core/printk.h"
#include "core/smp.h"
#include <string.h>

#define WFI_INSN 0x10500073

const char *guest_vcpu_hsm_name(u32 hsm)
{
	switch (hsm) {
	case HSM_STARTED:
		return "started";
	case HSM_STOPPED:
		return "stopped";
	case HSM_START_PENDING:
		return "start-pending";
	case HSM_SUSPENDED:
		return "suspended";
	default:
		return "?";
	}
}

static void wfi_timer_fired(struct timer_event *ev)
{
	struct vcpu_guest *vg = ev->data;

	__atomic_store_n(&vg->wake, 1, __ATOMIC_RELEASE);
	sched_wake(vg->vcpu);
}

/* Without Sstc the guest's timer is a Keel timer event that raises VSTIP. */
static void vtimer_fired(struct timer_event *ev)
{
	struct vcpu_guest *vg = ev->data;

	vg->st.inj_timer++;
	guest_vcpu_inject(vg, HVIP_VSTIP);
}

/* A device's deadline passed (emulator deadline hook): what is due, then the next one. */
static void dev_timer_fired(struct timer_event *ev)
{
	struct vcpu_guest *vg = ev->data;
	u64 next = emu_devs_deadlines(vg->guest);

	if (next != UINT64_MAX)
		timer_event_start(&vg->dev_timer, next);
}

void guest_vcpu_init(struct vcpu_guest *vg, struct guest *g, struct vcpu *v, unsigned int index)
{
	vg->guest = g;
	vg->vcpu = v;
	vg->index = index;
	vg->hsm = HSM_STOPPED;
	vg->in_guest = -1;
	vg->loaded_on = -1;
	vcpu_csrs_init(&vg->csrs);
	timer_event_init(&vg->wfi_timer, wfi_timer_fired, vg);
	timer_event_init(&vg->vtimer, vtimer_fired, vg);
	timer_event_init(&vg->dev_timer, dev_timer_fired, vg);
}

/* ------------------------------------------------------------ across VCPUs */

static void kick_hart(struct vcpu_guest *vg)
{
	int cpu;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	cpu = __atomic_load_n(&vg->in_guest, __ATOMIC_RELAXED);
	if (cpu >= 0 && (unsigned int)cpu != this_cpu()->index)
		smp_send_ipi((unsigned int)cpu, IPI_KICK);
}

void guest_vcpu_kick(struct vcpu_guest *vg)
{
	kick_hart(vg);
	__atomic_store_n(&vg->wake, 1, __ATOMIC_RELEASE);
	/* A thread not started yet must stay so (a reset may still discard it). */
	if (vg->vcpu->started)
		sched_wake(vg->vcpu);
}

void guest_kick_all(struct guest *g)
{
	for (u32 i = 0; i < g->nr_vcpus; i++)
		guest_vcpu_kick(g->vcpus[i]->arg);
}

void guest_vcpu_inject(struct vcpu_guest *vg, u32 hvip)
{
	__atomic_fetch_or(&vg->pending, hvip, __ATOMIC_SEQ_CST);
	guest_vcpu_kick(vg);
}

void guest_vcpu_withdraw(struct vcpu_guest *vg, u32 hvip)
{
	__atomic_fetch_and(&vg->pending, ~hvip, __ATOMIC_SEQ_CST);
	csr_clear(CSR_HVIP, hvip);
}

void guest_vcpu_set_level(struct vcpu_guest *vg, u32 hvip, bool high)
{
	u32 old = high ? __atomic_fetch_or(&vg->levels, hvip, __ATOMIC_SEQ_CST)
		       : __atomic_fetch_and(&vg->levels, ~hvip, __ATOMIC_SEQ_CST);

	if ((old & hvip) != (high ? hvip : 0))
		guest_vcpu_kick(vg);
}

void guest_vcpu_device_deadline(struct vcpu_guest *vg, u64 deadline)
{
	/* Earlier than the one armed, or none armed: a later one is re-armed when that fires. */
	if (!vg->dev_timer.armed || deadline < vg->dev_timer.deadline)
		timer_event_start(&vg->dev_timer, deadline);
}

void guest_vcpu_request(struct vcpu_guest *vg, u32 req)
{
	__atomic_fetch_or(&vg->requests, req, __ATOMIC_SEQ_CST);
	kick_hart(vg);
	/* Out of guest mode it does them before it enters again. */
	while (__atomic_load_n(&vg->in_guest, __ATOMIC_ACQUIRE) >= 0 &&
	       (__atomic_load_n(&vg->requests, __ATOMIC_ACQUIRE) & req))
		;
}

/* hvip's level bits are Keel's alone: they follow the word, set and cleared; @irqs raised. */
static void set_hvip(struct vcpu_guest *vg, u32 irqs, u32 levels)
{
	csr_clear(CSR_HVIP, HVIP_LEVELS & ~levels);
	csr_set(CSR_HVIP, irqs | levels);
	vg->levels_hw = levels;
}

/* On the VCPU's hart, its CSRs loaded, in_guest published. */
static void take_requests(struct vcpu_guest *vg)
{
	u32 req = __atomic_exchange_n(&vg->requests, 0, __ATOMIC_ACQ_REL);
	u32 irqs = __atomic_exchange_n(&vg->pending, 0, __ATOMIC_ACQ_REL);
	u32 levels = __atomic_load_n(&vg->levels, __ATOMIC_ACQUIRE);

	if (req & VCPU_REQ_HFENCE_VVMA) {
		vcpu_hfence_vvma();
		vg->st.req_hfence++;
	}
	if (req & VCPU_REQ_FENCE_I) {
		__asm__ volatile("fence.i" ::: "memory");
		vg->st.req_fence_i++;
	}
	set_hvip(vg, irqs, levels);
}

/* ------------------------------------------------------------ migration */

/* This hart's VCPU state to memory, and none of its interrupts left here (interrupts off). */
static void unload(struct percpu *pc)
{
	struct vcpu_guest *owner = pc->guest_loaded;

	vcpu_csrs_save(&owner->csrs);
	vcpu_quiesce();
	pc->guest_loaded = NULL;
	__atomic_store_n(&owner->loaded_on, -1, __ATOMIC_RELEASE);
}

void guest_vcpu_idle(void)
{
	struct percpu *pc = this_cpu();

	if (pc->guest_loaded)
		unload(pc);
}

void guest_vcpu_release(void)
{
	struct percpu *pc = this_cpu();
	struct vcpu_guest *owner = pc->guest_loaded;

	/* Its hart changes only while it runs nowhere, so not while it runs here. */
	if (owner && __atomic_load_n(&owner->vcpu->cpu, __ATOMIC_RELAXED) != pc->index)
		unload(pc);
}

/* Is the VCPU's state on this hart or in memory (not on another hart)? */
static bool state_here(struct vcpu_guest *vg)
{
	int on = __atomic_load_n(&vg->loaded_on, __ATOMIC_ACQUIRE);

	return on < 0 || (unsigned int)on == this_cpu()->index;
}

/*
 * Returns with interrupts off and the VCPU's state here or in memory: a hart
 * it left may still hold it, and saves it when asked.  The wait is with
 * interrupts on: two harts may be waiting for each other's state.
 */
static void claim_state(struct vcpu_guest *vg)
{
	irq_disable();
	while (!state_here(vg)) {
		int on = __atomic_load_n(&vg->loaded_on, __ATOMIC_ACQUIRE);

		irq_enable();
		if (on >= 0)
			smp_send_ipi((unsigned int)on, IPI_RELEASE);
		while (__atomic_load_n(&vg->loaded_on, __ATOMIC_ACQUIRE) == on && !state_here(vg))
			;
		irq_disable();
	}
}

/* ------------------------------------------------------------ timer, HSM */

void guest_vcpu_set_vtimer(struct vcpu_guest *vg, u64 deadline)
{
	timer_event_stop(&vg->vtimer);
	guest_vcpu_withdraw(vg, HVIP_VSTIP);
	if (deadline != UINT64_MAX)
		timer_event_start(&vg->vtimer, deadline);
}

int guest_vcpu_hsm_start(struct vcpu_guest *vg, u64 addr, u64 arg)
{
	struct guest *g = vg->guest;
	unsigned long flags = spin_lock_irqsave(&g->hsm_lock);

	if (vg->hsm != HSM_STOPPED) {
		spin_unlock_irqrestore(&g->hsm_lock, flags);
		return -EBUSY;
	}
	vg->start_addr = addr;
	vg->start_arg = arg;
	__atomic_store_n(&vg->hsm, HSM_START_PENDING, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&g->hsm_lock, flags);
	guest_vcpu_kick(vg);
	return 0;
}

void guest_vcpu_hsm_stop(struct vcpu_guest *vg)
{
	timer_event_stop(&vg->vtimer);
	/* A stopped hart's shared memory is its reset state: none. */
	sbi_sta_stop(vg);
	__atomic_store_n(&vg->hsm, HSM_STOPPED, __ATOMIC_RELEASE);
}

void guest_vcpu_suspend(struct vcpu_guest *vg, bool nonret, u64 addr, u64 arg)
{
	vg->suspend_nonret = nonret;
	vg->start_addr = addr;
	vg->start_arg = arg;
	vg->waiting = true;
	__atomic_store_n(&vg->hsm, HSM_SUSPENDED, __ATOMIC_RELEASE);
}

/* ------------------------------------------------------------ the VCPU thread */

/*
 * Sleep until kicked or @deadline (timebase ticks; UINT64_MAX: none).  A
 * kick between the caller's last look and the sleep is never lost: it sets
 * wake before it wakes the thread.
 */
static void park(struct vcpu_guest *vg, u64 deadline)
{
	if (deadline != UINT64_MAX)
		timer_event_start(&vg->wfi_timer, deadline);
	irq_disable();
	sched_set_blocked();
	if (__atomic_exchange_n(&vg->wake, 0, __ATOMIC_ACQ_REL))
		sched_set_runnable();
	else
		schedule();
	irq_enable();
	if (deadline != UINT64_MAX)
		timer_event_stop(&vg->wfi_timer);
}

void guest_regs_dump(const struct guest_regs *r)
{
	struct trap_frame f;

	memcpy(f.regs, r->x, sizeof(f.regs));
	f.sepc = r->sepc;
	f.sstatus = r->sstatus;
	f.scause = r->scause;
	f.stval = r->stval;
	trap_dump(&f, false);
}

static void guest_fault(struct vcpu_guest *vg, const char *what)
{
	struct guest_regs *r = &vg->regs;

	vg->st.faults++;
	guest_stop(vg->guest, GUEST_HALTED, "vcpu %u: %s: %s at 0x%lx (stval 0x%lx, htval 0x%lx)",
		   vg->index, what, trap_cause_name(r->scause), (unsigned long)r->sepc,
		   (unsigned long)r->stval, (unsigned long)r->htval);
	guest_regs_dump(r);
}

static void handle_exit(struct vcpu_guest *vg)
{
	struct guest_regs *r = &vg->regs;

	switch (r->scause) {
	case CAUSE_VS_ECALL:
		r->sepc += 4;
		sbi_server_call(vg->guest, vg, r);
		break;
	case CAUSE_VIRTUAL_INSN:
		if (r->stval == WFI_INSN && (r->sstatus & SSTATUS_SPP)) {
			/* Enters again once an interrupt is pending (see the loop). */
			r->sepc += 4;
			vg->st.wfi++;
			vg->waiting = true;
			break;
		}
		/* Anything else (e.g. a hypervisor CSR, WFI from VU-mode) is the guest's illegal
		 * instruction, as on a hart without the H extension. */
		vg->st.inj_exc++;
		vcpu_inject_exception(r, CAUSE_ILLEGAL_INSN, r->stval);
		break;
	case CAUSE_FETCH_GUEST_PAGE_FAULT:
		guest_fault(vg, "access outside its memory");
		break;
	case CAUSE_LOAD_GUEST_PAGE_FAULT:
	case CAUSE_STORE_GUEST_PAGE_FAULT:
		/* Served (or reported) at the trap entry already: guest_vcpu_mmio. */
		break;
	default:
		guest_fault(vg, "unexpected trap");
		break;
	}
}

/* May this VCPU enter the guest: the guest is running and the VCPU not HSM-stopped? */
static bool may_run(const struct vcpu_guest *vg)
{
	return vg->guest->state == GUEST_RUNNING &&
	       __atomic_load_n(&vg->hsm, __ATOMIC_ACQUIRE) != HSM_STOPPED;
}

/*
 * After an exit served on the VCPU's hart, in_guest published: may the guest
 * go straight back?  Not when the loop has work: a reschedule, or what was
 * posted while it ran the guest (a state change, interrupts, requests; other
 * harts' words come with an IPI, in_guest).  Else an interrupt line of its
 * own that the exit moved (an MMIO access, its SBI console's input) goes to
 * hvip.  Inlined: it is on the MMIO fast path.
 */
static inline __attribute__((always_inline)) bool resume_now(struct vcpu_guest *vg)
{
	u32 levels;

	if (this_cpu()->rq.need_resched || !may_run(vg) ||
	    __atomic_load_n(&vg->pending, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&vg->requests, __ATOMIC_RELAXED))
		return false;
	levels = __atomic_load_n(&vg->levels, __ATOMIC_ACQUIRE);
	if (levels != vg->levels_hw)
		set_hvip(vg, 0, levels);
	return true;
}

int guest_vcpu_mmio(struct guest_regs *r)
{
	struct vcpu_guest *vg = container_of(r, struct vcpu_guest, regs);
	char why[128];
	/* Still on the hart it trapped on: the instruction read needs its vsatp/hgatp. */
	int rd = guest_mmio(vg, why, sizeof(why));

	if (rd < 0) {
		__atomic_store_n(&vg->in_guest, -1, __ATOMIC_RELAXED);
		guest_fault(vg, why);
		return 0;
	}
	if (!resume_now(vg))
		return 0;
	vg->st.exits++;
	/* The trap entry reloads only what a C call may clobber, unless the load wrote another. */
	return (GUEST_REGS_KEPT_BY_CALLS >> rd) & 1 ? 2 : 1;
}

/*
 * Nothing else can run on this hart: wait for an interrupt in place (wfi,
 * interrupts masked: a pending one ends it) instead of blocking, which would
 * switch to the idle VCPU and back.  What ends the wait: the guest's own
 * interrupts as the hart raises them (the wfi wakes on hip & hie whatever
 * the delegation, so under Sstc on vstimecmp), a kick from another hart as
 * an IPI (in_guest stays published), a wake-up of another VCPU here as a
 * reschedule (sched_wait_begin), any host interrupt.  False when it must
 * block instead.
 */
static bool wait_here(void)
{
	if (!sched_wait_begin())
		return false;
	wfi();
	sched_wait_end();
	return true;
}

/* What prepare_entry found. */
enum entry {
	ENTRY_GO,   /* enter the guest */
	ENTRY_PARK, /* park until *until or a kick */
};

/*
 * With interrupts off, on this hart: load the VCPU, publish in_guest, take
 * requests, and while it waits for an interrupt, wait here if it may.
 */
static enum entry prepare_entry(struct vcpu_guest *vg, u64 *until)
{
	struct percpu *pc = this_cpu();
	struct guest *g = vg->guest;
	bool waited = false;

	if (pc->guest_loaded != vg) {
		struct vcpu_guest *owner = pc->guest_loaded;

		/* Another VCPU left its state here: keep it before ours goes in. */
		if (owner)
			unload(pc);
		/*
		 * Loading fences this hart's G-stage and VS-stage translations:
		 * those it cached for this VMID before (another VCPU, or this one
		 * before it moved) missed the remote fences done meanwhile.
		 */
		vcpu_csrs_load(&vg->csrs, gstage_hgatp(&g->gs));
		pc->guest_loaded = vg;
		__atomic_store_n(&vg->loaded_on, (int)pc->index, __ATOMIC_RELAXED);
	}
	if (__atomic_load_n(&vg->hsm, __ATOMIC_ACQUIRE) == HSM_START_PENDING) {
		/* Nothing from before a stop survives a start. */
		timer_event_stop(&vg->vtimer);
		__atomic_store_n(&vg->pending, 0, __ATOMIC_RELAXED);
		vcpu_quiesce();
		vcpu_boot(&vg->regs, vg->start_addr, vg->index, vg->start_arg);
		vg->waiting = false;
		__atomic_store_n(&vg->hsm, HSM_STARTED, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&vg->in_guest, (int)pc->index, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (;;) {
		take_requests(vg);
		*until = UINT64_MAX;
		if (!may_run(vg))
			return ENTRY_PARK;
		/*
		 * Waiting here, only an interrupt the hart raised itself lets it
		 * in: QEMU's vstimecmp callback has then run, and cannot raise
		 * VSTIP again after the guest disarmed (see vstimecmp_write in
		 * arch/riscv/vcpu.c).
		 */
		if (!vg->waiting || vcpu_irq_raised())
			break;
		/*
		 * Something else for the hart ended the wait (the host interrupt
		 * is still pending): the VCPU blocks, as a WFI that cannot wait
		 * here does.  Taken while it was runnable, the interrupt would
		 * preempt it, queue it (steal time) or move it to another hart.
		 */
		if (waited) {
			*until = vcpu_wake_deadline();
			return ENTRY_PARK;
		}
		if (!wait_here()) {
			if (vcpu_irq_pending())
				break;
			*until = vcpu_wake_deadline();
			return ENTRY_PARK;
		}
		waited = true;
	}
	if (vg->waiting) {
		vg->waiting = false;
		if (vg->hsm == HSM_SUSPENDED) {
			if (vg->suspend_nonret)
				vcpu_boot(&vg->regs, vg->start_addr, vg->index, vg->start_arg);
			__atomic_store_n(&vg->hsm, HSM_STARTED, __ATOMIC_RELEASE);
		}
	}
	/* Every switch to this thread comes through here before the guest runs again. */
	sbi_sta_update(vg);
	return ENTRY_GO;
}

/*
 * Enter the guest and serve the exits that need nothing else (SBI calls;
 * MMIO is served at the trap entry, guest_vcpu_mmio, and comes here only
 * when this loop has work) without leaving: interrupts off, in_guest
 * published.  Returns when
 * the loop has work: a host interrupt, WFI, a state change, a reschedule,
 * or something another VCPU posted.  in_guest is withdrawn while an exit is
 * served (a remote fence may wait for another VCPU that waits for this one)
 * and published again, with the same ordering as prepare_entry, before the
 * VCPU goes back in.
 */
static void run(struct vcpu_guest *vg)
{
	struct percpu *pc = this_cpu();

	for (;;) {
		vcpu_enter(&vg->regs);
		__atomic_store_n(&vg->in_guest, -1, __ATOMIC_RELAXED);
		vg->st.exits++;
		if (vg->regs.scause & CAUSE_IRQ_FLAG) {
			vg->st.host_irqs++; /* taken through the normal path by the caller */
			return;
		}
		handle_exit(vg);
		if (vg->waiting)
			return;
		__atomic_store_n(&vg->in_guest, (int)pc->index, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (!resume_now(vg))
			return;
	}
}

void guest_vcpu_loop(void *arg)
{
	struct vcpu_guest *vg = arg;
	struct guest *g = vg->guest;

	for (;;) {
		enum guest_state st = g->state;
		enum entry e;
		u64 until;

		if (st != GUEST_RUNNING && st != GUEST_PAUSED)
			break;
		if (!may_run(vg)) {
			park(vg, UINT64_MAX);
			continue;
		}
		claim_state(vg);
		if (this_cpu()->rq.need_resched)
			sched_preempt();
		/* Preempted, it may have moved again. */
		if (!state_here(vg)) {
			irq_enable();
			continue;
		}
		e = prepare_entry(vg, &until);
		if (e != ENTRY_GO) {
			__atomic_store_n(&vg->in_guest, -1, __ATOMIC_RELEASE);
			/* Blocked before a pending host interrupt is taken. */
			park(vg, until);
			continue;
		}
		run(vg);
		__atomic_store_n(&vg->in_guest, -1, __ATOMIC_RELEASE);
		irq_enable();
	}
	/* Gone for good: nothing of it is worth saving later, no device deadline runs for it. */
	timer_event_stop(&vg->vtimer);
	timer_event_stop(&vg->dev_timer);
	claim_state(vg);
	/* Saved for nothing, but its interrupts must not stay armed on the hart. */
	if (this_cpu()->guest_loaded == vg)
		unload(this_cpu());
	irq_enable();
}
