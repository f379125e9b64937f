/*
 * The single trap entry.  sscratch is 0 while Keel runs; a non-zero value is
 * reserved for guest VCPU contexts.  Traps from Keel itself save a full frame
 * on the current stack, after checking it has room, so an overflow into the
 * guard page becomes a panic report instead of a recursive fault.
 */
#include "arch/riscv/asm.h"

	.macro SAVE_GPRS
	sd	x1, TF_REG(1)(sp)
	sd	x3, TF_REG(3)(sp)
	sd	x4, TF_REG(4)(sp)
	sd	x5, TF_REG(5)(sp)
	sd	x6, TF_REG(6)(sp)
	sd	x7, TF_REG(7)(sp)
	sd	x8, TF_REG(8)(sp)
	sd	x9, TF_REG(9)(sp)
	sd	x10, TF_REG(10)(sp)
	sd	x11, TF_REG(11)(sp)
	sd	x12, TF_REG(12)(sp)
	sd	x13, TF_REG(13)(sp)
	sd	x14, TF_REG(14)(sp)
	sd	x15, TF_REG(15)(sp)
	sd	x16, TF_REG(16)(sp)
	sd	x17, TF_REG(17)(sp)
	sd	x18, TF_REG(18)(sp)
	sd	x19, TF_REG(19)(sp)
	sd	x20, TF_REG(20)(sp)
	sd	x21, TF_REG(21)(sp)
	sd	x22, TF_REG(22)(sp)
	sd	x23, TF_REG(23)(sp)
	sd	x24, TF_REG(24)(sp)
	sd	x25, TF_REG(25)(sp)
	sd	x26, TF_REG(26)(sp)
	sd	x27, TF_REG(27)(sp)
	sd	x28, TF_REG(28)(sp)
	sd	x29, TF_REG(29)(sp)
	sd	x30, TF_REG(30)(sp)
	sd	x31, TF_REG(31)(sp)
	csrr	t0, sepc
	sd	t0, TF_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, TF_SSTATUS(sp)
	csrr	t0, scause
	sd	t0, TF_SCAUSE(sp)
	csrr	t0, stval
	sd	t0, TF_STVAL(sp)
	.endm

	/* A guest's registers that a C call may clobber, tp and s0, in its guest_regs at sp. */
	.macro GUEST_FAST_REGS op
	.irp n, 1,4,5,6,7,8,10,11,12,13,14,15,16,17,28,29,30,31
	\op	x\n, GR_X(\n)(sp)
	.endr
	.endm

	/* The rest of a guest's registers: those Keel's C code preserves (x2 apart). */
	.macro GUEST_KEPT_REGS op
	.irp n, 3,9,18,19,20,21,22,23,24,25,26,27
	\op	x\n, GR_X(\n)(sp)
	.endr
	.endm

	/* Keel's registers around a guest's run (vcpu_enter), in the guest_regs at a0. */
	.macro HOST_REGS op
	\op	ra, GR_HOST_RA(a0)
	\op	sp, GR_HOST_SP(a0)
	\op	tp, GR_HOST_TP(a0)
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11
	\op	s\n, GR_HOST_S(\n)(a0)
	.endr
	.endm

/*
 * From the trap entry, a guest's registers at sp (GUEST_FAST_REGS saved at
 * least): \fn(guest_regs) on the VCPU thread's stack with Keel's tp, s0
 * keeping the guest_regs; on to \none when it returns 0.
 */
	.macro FAST_CALL fn, none
	mv	s0, sp
	ld	tp, GR_HOST_TP(s0)
	ld	sp, GR_HOST_SP(s0)
	mv	a0, s0
	call	\fn
	mv	sp, s0
	beqz	a0, \none
	.endm

	.text
	.globl trap_entry
	.align 2
trap_entry:
	csrrw	sp, sscratch, sp
	bnez	sp, trap_from_guest
	csrrw	sp, sscratch, zero

	/* Room for a frame above this hart's current stack limit? */
	csrw	sscratch, t0
	ld	t0, PC_STACK_LIMIT(tp)
	addi	t0, t0, TF_SIZE
	bltu	sp, t0, trap_stack_overflow
	csrrw	t0, sscratch, zero

	addi	sp, sp, -TF_SIZE
	SAVE_GPRS
	addi	t0, sp, TF_SIZE
	sd	t0, TF_REG(2)(sp)
	mv	a0, sp
	call	trap_handler

	.globl trap_return
trap_return:
	ld	t0, TF_SEPC(sp)
	csrw	sepc, t0
	ld	t0, TF_SSTATUS(sp)
	csrw	sstatus, t0
	ld	x1, TF_REG(1)(sp)
	ld	x3, TF_REG(3)(sp)
	/* x4 (tp) is per hart and never restored: a thread may resume elsewhere. */
	ld	x5, TF_REG(5)(sp)
	ld	x6, TF_REG(6)(sp)
	ld	x7, TF_REG(7)(sp)
	ld	x8, TF_REG(8)(sp)
	ld	x9, TF_REG(9)(sp)
	ld	x10, TF_REG(10)(sp)
	ld	x11, TF_REG(11)(sp)
	ld	x12, TF_REG(12)(sp)
	ld	x13, TF_REG(13)(sp)
	ld	x14, TF_REG(14)(sp)
	ld	x15, TF_REG(15)(sp)
	ld	x16, TF_REG(16)(sp)
	ld	x17, TF_REG(17)(sp)
	ld	x18, TF_REG(18)(sp)
	ld	x19, TF_REG(19)(sp)
	ld	x20, TF_REG(20)(sp)
	ld	x21, TF_REG(21)(sp)
	ld	x22, TF_REG(22)(sp)
	ld	x23, TF_REG(23)(sp)
	ld	x24, TF_REG(24)(sp)
	ld	x25, TF_REG(25)(sp)
	ld	x26, TF_REG(26)(sp)
	ld	x27, TF_REG(27)(sp)
	ld	x28, TF_REG(28)(sp)
	ld	x29, TF_REG(29)(sp)
	ld	x30, TF_REG(30)(sp)
	ld	x31, TF_REG(31)(sp)
	ld	sp, TF_REG(2)(sp)
	sret

trap_stack_overflow:
	/* sscratch holds the interrupted t0: swap it back, park the old sp there. */
	csrrw	t0, sscratch, sp
	ld	sp, PC_EMERGENCY_SP(tp)
	addi	sp, sp, -TF_SIZE
	SAVE_GPRS
	csrr	t0, sscratch
	sd	t0, TF_REG(2)(sp)
	csrw	sscratch, zero
	mv	a0, sp
	call	trap_stack_overflow_panic
1:	wfi
	j	1b

/*
 * A trap while a guest runs: sp = its struct guest_regs, sscratch = its sp.
 * SBI fast calls and MMIO are served here; otherwise save the guest, take
 * back Keel's registers and return from vcpu_enter.
 */
trap_from_guest:
	/* What a C call may clobber, tp, and s0: all the SBI fast path needs saved. */
	GUEST_FAST_REGS sd
	csrrw	t0, sscratch, zero
	sd	t0, GR_X(2)(sp)
	/*
	 * An ecall: sbi_fast_call serves BASE and TIME (under Sstc) on the VCPU
	 * thread's stack with Keel's tp, and the guest goes straight back.
	 * s0 (saved above) keeps the guest_regs across the call.
	 */
	csrr	t0, scause
	li	t1, 10			/* CAUSE_VS_ECALL */
	bne	t0, t1, 1f
	FAST_CALL sbi_fast_call, 1f
	/* Straight back to the guest: its registers a C call preserves are still in place. */
4:	csrw	sscratch, sp
	GUEST_FAST_REGS ld
	ld	x2, GR_X(2)(sp)
	sret
1:	/* The rest of the guest's registers, for the exit to vcpu_enter's caller. */
	GUEST_KEPT_REGS sd
	csrr	t0, sepc
	sd	t0, GR_SEPC(sp)
	csrr	t0, stval
	sd	t0, GR_STVAL(sp)
	csrr	t0, 0x643		/* htval */
	sd	t0, GR_HTVAL(sp)
	csrr	t0, 0x64a		/* htinst */
	sd	t0, GR_HTINST(sp)
	csrr	t0, 0x600		/* hstatus */
	sd	t0, GR_HSTATUS(sp)
	/* SPP: the guest's own privilege (VS or VU) at the trap, restored by vcpu_enter. */
	csrr	t0, sstatus
	sd	t0, GR_SSTATUS(sp)
	csrr	t0, scause
	sd	t0, GR_SCAUSE(sp)
	/*
	 * A load or store guest-page fault (scause 21 or 23: scause - 21 is 0
	 * or 2): guest_vcpu_mmio serves the access (every guest register saved:
	 * rs2 may be any), and when the VCPU's loop has nothing to do the guest
	 * goes straight back at its new sepc: with the registers a C call may
	 * clobber reloaded (1), and the others too when the load wrote one (2).
	 */
	addi	t0, t0, -21
	andi	t0, t0, ~2
	bnez	t0, 3f
	FAST_CALL guest_vcpu_mmio, 3f
	ld	t0, GR_SEPC(sp)
	csrw	sepc, t0
	addi	a0, a0, -1
	beqz	a0, 4b
	GUEST_KEPT_REGS ld
	j	4b
3:	/* Keel's own sret must not return into the guest's virtualization mode. */
	li	t0, 1 << 7		/* hstatus.SPV */
	csrc	0x600, t0
	mv	a0, sp
	HOST_REGS ld
	ret

/* void vcpu_enter(struct guest_regs *g): called with interrupts off. */
	.globl vcpu_enter
vcpu_enter:
	HOST_REGS sd
	ld	t0, GR_SEPC(a0)
	csrw	sepc, t0
	ld	t0, GR_SSTATUS(a0)
	csrw	sstatus, t0
	ld	t0, GR_HSTATUS(a0)
	csrw	0x600, t0		/* hstatus */
	csrw	sscratch, a0
	/* Every guest register, a0 (the base) last. */
	.irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\n, GR_X(\n)(a0)
	.endr
	ld	x10, GR_X(10)(a0)
	sret

/*
 * void switch_context(struct cpu_context *from, struct cpu_context *to)
 */
	.globl switch_context
switch_context:
	sd	ra, CTX_RA(a0)
	sd	sp, CTX_SP(a0)
	sd	s0, CTX_S(0)(a0)
	sd	s1, CTX_S(1)(a0)
	sd	s2, CTX_S(2)(a0)
	sd	s3, CTX_S(3)(a0)
	sd	s4, CTX_S(4)(a0)
	sd	s5, CTX_S(5)(a0)
	sd	s6, CTX_S(6)(a0)
	sd	s7, CTX_S(7)(a0)
	sd	s8, CTX_S(8)(a0)
	sd	s9, CTX_S(9)(a0)
	sd	s10, CTX_S(10)(a0)
	sd	s11, CTX_S(11)(a0)
	ld	ra, CTX_RA(a1)
	ld	sp, CTX_SP(a1)
	ld	s0, CTX_S(0)(a1)
	ld	s1, CTX_S(1)(a1)
	ld	s2, CTX_S(2)(a1)
	ld	s3, CTX_S(3)(a1)
	ld	s4, CTX_S(4)(a1)
	ld	s5, CTX_S(5)(a1)
	ld	s6, CTX_S(6)(a1)
	ld	s7, CTX_S(7)(a1)
	ld	s8, CTX_S(8)(a1)
	ld	s9, CTX_S(9)(a1)
	ld	s10, CTX_S(10)(a1)
	ld	s11, CTX_S(11)(a1)
	ret

/* First run of a thread: s0 = entry, s1 = argument. */
	.globl thread_trampoline
thread_trampoline:
	call	sched_finish_switch
	csrsi	sstatus, 2
	mv	a0, s1
	jalr	s0
	call	thread_exit
