/*
 * The timer benchmarks' waits and their interrupt vector.  The vector's first
 * instruction reads instret: the moment the interrupt reached the guest, which
 * the latency is measured to.
 */
#include "guest.h"

/*
 * u64 bench_wait_spin(u64 *last): interrupts on, spin reading instret until
 * the timer interrupt; *last = the last spin sample.
 * u64 bench_wait_wfi(u64 *last): the same waiting in WFI; *last = instret
 * just before it.
 * Both return instret at the vector's first instruction, with interrupts off
 * and stvec back at trap_vector.  On entry sie must enable only the timer
 * interrupt and sstatus.SIE must be clear.
 */
	.text
	.globl bench_wait_spin
bench_wait_spin:
	lla	t0, bench_irq_vector
	csrw	stvec, t0
	csrsi	sstatus, 2		/* SIE */
1:	rdinstret t3
	j	1b

	.globl bench_wait_wfi
bench_wait_wfi:
	lla	t0, bench_irq_vector
	csrw	stvec, t0
	rdinstret t3
	csrsi	sstatus, 2		/* SIE */
2:	wfi
	j	2b

bench_woke:
	sd	t3, 0(a0)
	mv	a0, t6
	lla	t0, trap_vector
	csrw	stvec, t0
	ret

/*
 * stvec while waiting, when only the timer interrupt can come: mask it (the
 * caller re-arms) and return to bench_woke with interrupts off.
 */
	.align 2
bench_irq_vector:
	rdinstret t6
	li	t5, 1 << 5		/* sie.STIE */
	csrc	sie, t5
	lla	t5, bench_woke
	csrw	sepc, t5
	li	t5, 1 << 5		/* sstatus.SPIE: stay masked after sret */
	csrc	sstatus, t5
	sret

/*
 * u64 bench_ext_irq(u64 *before, volatile u8 *ier): with sie enabling only
 * the external interrupt and sstatus.SIE set here, *before = instret just
 * before the store of IER.THRI (the UART's THR-empty interrupt, at once),
 * then wait; returns instret at the vector's first instruction, interrupts
 * off, stvec back at trap_vector.
 */
	.globl bench_ext_irq
bench_ext_irq:
	lla	t0, bench_ext_vector
	csrw	stvec, t0
	li	t1, 2			/* IER.THRI */
	csrsi	sstatus, 2		/* SIE */
	rdinstret t3
	sb	t1, 0(a1)
3:	j	3b

/* The external interrupt: mask it (the caller claims, quiets the UART and completes). */
	.align 2
bench_ext_vector:
	rdinstret t6
	li	t5, 1 << 9		/* sie.SEIE */
	csrc	sie, t5
	lla	t5, bench_woke
	csrw	sepc, t5
	li	t5, 1 << 5		/* sstatus.SPIE: stay masked after sret */
	csrc	sstatus, t5
	sret
