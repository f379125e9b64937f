/*
 * Entry points and the trap vector.  The image starts with the 64-byte
 * RISC-V Linux Image header so that loaders which want one (U-Boot booti)
 * take it; fw_jump and Keel just jump to offset 0 at RAM base + 2 MiB.
 */
#include "guest.h"

	.section .head.text, "ax"
	.globl _start
_start:
	.option push
	.option norvc
	j	boot_entry		/* code0 */
	.word	0			/* code1 */
	.option pop
	.dword	0x200000		/* text_offset */
	.dword	_end - _start		/* image_size, bss included */
	.dword	0			/* flags: little endian */
	.word	2			/* header version 0.2 */
	.word	0
	.dword	0
	.ascii	"RISCV\0\0\0"		/* magic (deprecated) */
	.ascii	"RSC\x05"		/* magic2 */
	.word	0			/* no PE/COFF header */

/* a0 = hartid, a1 = DTB; only the boot hart is meant to come here. */
boot_entry:
	csrw	sie, zero
	csrw	sip, zero
	/*
	 * One hart runs the guest.  A second arrival (Keel saw OpenSBI 1.1
	 * send one now and then) would clear bss under the first: it goes
	 * back to the stopped state and is started later like any other.
	 * The flag is in .data, so it reads 0 after every load.
	 */
	lla	t0, boot_lottery
	li	t1, 1
	amoswap.w.aq t1, t1, (t0)
	bnez	t1, hart_park

	li	t0, MAX_HARTS
	bgeu	a0, t0, hart_park	/* no stack for such a hartid */

	lla	t1, __bss_start
	lla	t2, __bss_end
1:	bgeu	t1, t2, 2f
	sd	zero, 0(t1)
	addi	t1, t1, 8
	j	1b
2:	fence	rw, rw
	call	setup_hart		/* sp, tp, stvec for hart a0 */
	call	boot_main
3:	wfi
	j	3b

/*
 * sp = top of hart a0's stack, tp = &harts[a0] (the guest's per-hart state,
 * whose first member gets the hartid), stvec = trap_vector.  Keeps a0/a1.
 * No stack use until sp is set, so it works on a fresh hart.
 */
	.text
	.globl setup_hart
setup_hart:
	lla	sp, stacks
	li	t0, STACK_SIZE
	addi	t1, a0, 1
	mul	t0, t0, t1
	add	sp, sp, t0
	lla	tp, harts
	slli	t0, a0, HART_STATE_SHIFT
	add	tp, tp, t0
	sd	a0, 0(tp)
	lla	t0, trap_vector
	csrw	stvec, t0
	csrw	sscratch, zero
	ret

	.globl hart_park
hart_park:
	li	a7, SBI_EXT_HSM
	li	a6, SBI_HSM_HART_STOP
	ecall
4:	wfi
	j	4b

	.data
	.align 2
boot_lottery:
	.word	0

/*
 * Trap vector (direct mode).  S-mode only, so the trap runs on the stack of
 * whatever was interrupted; the C handler preserves the callee-saved
 * registers, so only the caller-saved ones are saved here.
 */
	.text
	.globl trap_vector
	.align 4
trap_vector:
	addi	sp, sp, -128
	sd	ra, 0(sp)
	sd	t0, 8(sp)
	sd	t1, 16(sp)
	sd	t2, 24(sp)
	sd	t3, 32(sp)
	sd	t4, 40(sp)
	sd	t5, 48(sp)
	sd	t6, 56(sp)
	sd	a0, 64(sp)
	sd	a1, 72(sp)
	sd	a2, 80(sp)
	sd	a3, 88(sp)
	sd	a4, 96(sp)
	sd	a5, 104(sp)
	sd	a6, 112(sp)
	sd	a7, 120(sp)
	call	trap_handler
	ld	ra, 0(sp)
	ld	t0, 8(sp)
	ld	t1, 16(sp)
	ld	t2, 24(sp)
	ld	t3, 32(sp)
	ld	t4, 40(sp)
	ld	t5, 48(sp)
	ld	t6, 56(sp)
	ld	a0, 64(sp)
	ld	a1, 72(sp)
	ld	a2, 80(sp)
	ld	a3, 88(sp)
	ld	a4, 96(sp)
	ld	a5, 104(sp)
	ld	a6, 112(sp)
	ld	a7, 120(sp)
	addi	sp, sp, 128
	sret

	.section .bss.stacks, "aw", @nobits
	.align 4
	.globl stacks
stacks:
	.space	STACK_SIZE * MAX_HARTS
