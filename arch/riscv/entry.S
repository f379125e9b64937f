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
 * Save the guest, take back Keel's registers and return from vcpu_enter.
 */
trap_from_guest:
	sd	x1, GR_X(1)(sp)
	sd	x3, GR_X(3)(sp)
	sd	x4, GR_X(4)(sp)
	sd	x5, GR_X(5)(sp)
	sd	x6, GR_X(6)(sp)
	sd	x7, GR_X(7)(sp)
	sd	x8, GR_X(8)(sp)
	sd	x9, GR_X(9)(sp)
	sd	x10, GR_X(10)(sp)
	sd	x11, GR_X(11)(sp)
	sd	x12, GR_X(12)(sp)
	sd	x13, GR_X(13)(sp)
	sd	x14, GR_X(14)(sp)
	sd	x15, GR_X(15)(sp)
	sd	x16, GR_X(16)(sp)
	sd	x17, GR_X(17)(sp)
	sd	x18, GR_X(18)(sp)
	sd	x19, GR_X(19)(sp)
	sd	x20, GR_X(20)(sp)
	sd	x21, GR_X(21)(sp)
	sd	x22, GR_X(22)(sp)
	sd	x23, GR_X(23)(sp)
	sd	x24, GR_X(24)(sp)
	sd	x25, GR_X(25)(sp)
	sd	x26, GR_X(26)(sp)
	sd	x27, GR_X(27)(sp)
	sd	x28, GR_X(28)(sp)
	sd	x29, GR_X(29)(sp)
	sd	x30, GR_X(30)(sp)
	sd	x31, GR_X(31)(sp)
	csrrw	t0, sscratch, zero
	sd	t0, GR_X(2)(sp)
	csrr	t0, sepc
	sd	t0, GR_SEPC(sp)
	csrr	t0, scause
	sd	t0, GR_SCAUSE(sp)
	csrr	t0, stval
	sd	t0, GR_STVAL(sp)
	csrr	t0, 0x643		/* htval */
	sd	t0, GR_HTVAL(sp)
	csrr	t0, 0x64a		/* htinst */
	sd	t0, GR_HTINST(sp)
	csrr	t0, 0x600		/* hstatus */
	sd	t0, GR_HSTATUS(sp)
	/*
	 * sstatus.SPP tells whether the guest was in VS- or VU-mode: the sret
	 * that enters it again must go back there (a guest interrupted in user
	 * mode must not resume its user code in VS-mode).
	 */
	csrr	t0, sstatus
	andi	t0, t0, 0x100		/* sstatus.SPP */
	ld	t1, GR_SSTATUS(sp)
	andi	t1, t1, ~0x100
	or	t1, t1, t0
	sd	t1, GR_SSTATUS(sp)
	/* Keel's own sret must not return into the guest's virtualization mode. */
	li	t0, 1 << 7		/* hstatus.SPV */
	csrc	0x600, t0
	mv	a0, sp
	ld	ra, GR_HOST_RA(a0)
	ld	sp, GR_HOST_SP(a0)
	ld	tp, GR_HOST_TP(a0)
	ld	s0, GR_HOST_S(0)(a0)
	ld	s1, GR_HOST_S(1)(a0)
	ld	s2, GR_HOST_S(2)(a0)
	ld	s3, GR_HOST_S(3)(a0)
	ld	s4, GR_HOST_S(4)(a0)
	ld	s5, GR_HOST_S(5)(a0)
	ld	s6, GR_HOST_S(6)(a0)
	ld	s7, GR_HOST_S(7)(a0)
	ld	s8, GR_HOST_S(8)(a0)
	ld	s9, GR_HOST_S(9)(a0)
	ld	s10, GR_HOST_S(10)(a0)
	ld	s11, GR_HOST_S(11)(a0)
	ret

/* void vcpu_enter(struct guest_regs *g): called with interrupts off. */
	.globl vcpu_enter
vcpu_enter:
	sd	ra, GR_HOST_RA(a0)
	sd	sp, GR_HOST_SP(a0)
	sd	tp, GR_HOST_TP(a0)
	sd	s0, GR_HOST_S(0)(a0)
	sd	s1, GR_HOST_S(1)(a0)
	sd	s2, GR_HOST_S(2)(a0)
	sd	s3, GR_HOST_S(3)(a0)
	sd	s4, GR_HOST_S(4)(a0)
	sd	s5, GR_HOST_S(5)(a0)
	sd	s6, GR_HOST_S(6)(a0)
	sd	s7, GR_HOST_S(7)(a0)
	sd	s8, GR_HOST_S(8)(a0)
	sd	s9, GR_HOST_S(9)(a0)
	sd	s10, GR_HOST_S(10)(a0)
	sd	s11, GR_HOST_S(11)(a0)
	ld	t0, GR_SEPC(a0)
	csrw	sepc, t0
	ld	t0, GR_SSTATUS(a0)
	csrw	sstatus, t0
	ld	t0, GR_HSTATUS(a0)
	csrw	0x600, t0		/* hstatus */
	csrw	sscratch, a0
	ld	x1, GR_X(1)(a0)
	ld	x2, GR_X(2)(a0)
	ld	x3, GR_X(3)(a0)
	ld	x4, GR_X(4)(a0)
	ld	x5, GR_X(5)(a0)
	ld	x6, GR_X(6)(a0)
	ld	x7, GR_X(7)(a0)
	ld	x8, GR_X(8)(a0)
	ld	x9, GR_X(9)(a0)
	ld	x11, GR_X(11)(a0)
	ld	x12, GR_X(12)(a0)
	ld	x13, GR_X(13)(a0)
	ld	x14, GR_X(14)(a0)
	ld	x15, GR_X(15)(a0)
	ld	x16, GR_X(16)(a0)
	ld	x17, GR_X(17)(a0)
	ld	x18, GR_X(18)(a0)
	ld	x19, GR_X(19)(a0)
	ld	x20, GR_X(20)(a0)
	ld	x21, GR_X(21)(a0)
	ld	x22, GR_X(22)(a0)
	ld	x23, GR_X(23)(a0)
	ld	x24, GR_X(24)(a0)
	ld	x25, GR_X(25)(a0)
	ld	x26, GR_X(26)(a0)
	ld	x27, GR_X(27)(a0)
	ld	x28, GR_X(28)(a0)
	ld	x29, GR_X(29)(a0)
	ld	x30, GR_X(30)(a0)
	ld	x31, GR_X(31)(a0)
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
