/*
 * Floating-point registers as raw 64-bit patterns (no arithmetic): the fp
 * check fills them, lets the hypervisor run other VCPUs, and compares.
 */
	.option push
	.option arch, +d
	.text

/* void fp_fill(unsigned long seed) */
	.globl fp_fill
fp_fill:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	addi	t0, a0, \n
	fmv.d.x	f\n, t0
	.endr
	andi	t0, a0, 0xff
	fscsr	t0
	ret

/* unsigned long fp_compare(unsigned long seed): how many registers differ */
	.globl fp_compare
fp_compare:
	li	t2, 0
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	addi	t0, a0, \n
	fmv.x.d	t1, f\n
	beq	t0, t1, 1f
	addi	t2, t2, 1
1:
	.endr
	andi	t0, a0, 0xff
	frcsr	t1
	beq	t0, t1, 2f
	addi	t2, t2, 1
2:
	mv	a0, t2
	ret

	.option pop
