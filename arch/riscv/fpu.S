/*
 * Guest floating-point registers: f0..f31 then fcsr, at a 33-doubleword area.
 * Keel has no FP code of its own; these run with sstatus.FS on.
 */
	.option push
	.option arch, +d
	.text

/* void fp_save(u64 *f) */
	.globl fp_save
fp_save:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fsd	f\n, (\n * 8)(a0)
	.endr
	frcsr	t0
	sd	t0, (32 * 8)(a0)
	ret

/* void fp_load(const u64 *f) */
	.globl fp_load
fp_load:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fld	f\n, (\n * 8)(a0)
	.endr
	ld	t0, (32 * 8)(a0)
	fscsr	t0
	ret

	.option pop
