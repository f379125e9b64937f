/*
 * Boot entry.  The first 64 bytes are the RISC-V Linux Image header so that
 * OpenSBI fw_jump and U-Boot booti load Keel like a kernel.
 */
#include "arch/riscv/asm.h"

#define R_RISCV_RELATIVE 3
#define DT_RELA 7
#define DT_RELASZ 8
#define SBI_EXT_HSM 0x48534d

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

/* a0 = hartid, a1 = DTB physical address; only the boot hart comes here. */
boot_entry:
	csrw	sie, zero
	csrw	sscratch, zero
	mv	s0, a0
	mv	s1, a1

	/*
	 * One hart boots Keel.  Firmware is meant to send only one here, but
	 * a second arrival (seen with OpenSBI 1.1 on QEMU) would redo the
	 * relocations and clear bss under the first: such a hart goes back to
	 * the firmware's stopped state, and Keel starts it later like any other.
	 * The flag is in .data, so it reads as 0 after every (re)load.
	 */
	lla	t0, boot_lottery
	li	t1, 1
	amoswap.w.aq t1, t1, (t0)
	bnez	t1, boot_lost_lottery

	/*
	 * Apply our own R_RISCV_RELATIVE relocations: we are linked at 0.  The
	 * table is found through _DYNAMIC (DT_RELA, DT_RELASZ), as the linker
	 * sizes .rela.dyn only after script symbols are fixed.
	 */
	lla	t0, _start
	lla	t5, _DYNAMIC
	li	t1, 0
	li	t2, 0
0:	ld	t3, 0(t5)
	beqz	t3, 1f
	ld	t4, 8(t5)
	addi	t5, t5, 16
	li	t6, DT_RELA
	bne	t3, t6, 9f
	mv	t1, t4
9:	li	t6, DT_RELASZ
	bne	t3, t6, 0b
	mv	t2, t4
	j	0b
1:	add	t2, t2, t1
	add	t1, t1, t0
	add	t2, t2, t0
10:	bgeu	t1, t2, 3f
	ld	t3, 8(t1)
	li	t4, R_RISCV_RELATIVE
	bne	t3, t4, 2f
	ld	t3, 0(t1)
	ld	t4, 16(t1)
	add	t3, t3, t0
	add	t4, t4, t0
	sd	t4, 0(t3)
2:	addi	t1, t1, 24
	j	10b
3:
	/* Clear .bss (stacks included). */
	lla	t1, __bss_start
	lla	t2, __bss_end
4:	bgeu	t1, t2, 5f
	sd	zero, 0(t1)
	addi	t1, t1, 8
	j	4b
5:
	fence.i
	lla	sp, boot_stack_top
	lla	t0, early_trap_entry
	csrw	stvec, t0
	mv	tp, zero
	mv	a0, s0
	mv	a1, s1
	call	boot_main
6:	wfi
	j	6b

boot_lost_lottery:
	li	a7, SBI_EXT_HSM
	li	a6, 1			/* HART_STOP */
	ecall
11:	wfi
	j	11b

	.data
	.align 2
boot_lottery:
	.word	0

/* Secondary harts, started through SBI HSM with a1 = struct hart_boot *. */
	.text
	.globl secondary_entry
	.align 2
secondary_entry:
	csrw	sie, zero
	csrw	sscratch, zero
	ld	sp, HB_SP(a1)
	ld	tp, HB_TP(a1)
	lla	t0, trap_entry
	csrw	stvec, t0
	ld	t0, HB_SATP(a1)
	sfence.vma
	csrw	satp, t0
	sfence.vma
	mv	a0, a1
	call	secondary_main
7:	wfi
	j	7b

/* Before the real trap path exists, any trap is fatal: report via SBI. */
	.align 2
early_trap_entry:
	csrr	a0, scause
	csrr	a1, sepc
	csrr	a2, stval
	lla	sp, boot_stack_top
	call	early_trap
8:	wfi
	j	8b

	.section .bss.stack, "aw", @nobits
	.align 12
	.globl boot_stack_guard
boot_stack_guard:
	.space 4096
	.globl boot_stack
boot_stack:
	.space CONFIG_STACK_KB * 1024
	.globl boot_stack_top
boot_stack_top:
	.globl trap_emergency_stacks
trap_emergency_stacks:
	.space 4096 * CONFIG_MAX_HARTS
	.globl trap_emergency_stacks_end
trap_emergency_stacks_end:
