/*
 * fp: every hart fills its FP registers and fcsr with its own pattern, lets
 * time pass (a hypervisor runs other VCPUs, possibly on the same hart), and
 * checks nothing changed.  Also: a write to an FP register makes sstatus.FS
 * Dirty, and the DT's riscv,isa names F and D exactly when FS is writable.
 */
#include "basic.h"

#define FP_ROUNDS 10
#define FP_ROUND_MS 20
#define WAIT_MS 2000

unsigned long fp_done, fp_bad;

unsigned long fp_rounds(unsigned long hartid)
{
	unsigned long bad = 0;

	csr_set(sstatus, SSTATUS_FS_INITIAL);
	for (unsigned long round = 0; round < FP_ROUNDS; round++) {
		unsigned long seed = (hartid + 1) << 40 | round << 16 | (hartid % 5) << 5 | round;

		fp_fill(seed);
		if ((csr_read(sstatus) & SSTATUS_FS) != SSTATUS_FS_DIRTY)
			bad++;
		delay_ms(FP_ROUND_MS);
		bad += fp_compare(seed);
	}
	return bad;
}

/* Single letters of the ISA string's base ("rv64imafdc_..."). */
static bool isa_has(const char *isa, char letter)
{
	if (!isa || (isa[0] != 'r' && isa[0] != 'R'))
		return false;
	for (const char *p = isa + 4; *p && *p != '_'; p++)
		if (*p == letter)
			return true;
	return false;
}

void check_fp(void)
{
	struct check c = { 0 };
	unsigned int started = 0;
	bool isa_fd = isa_has(dt.isa, 'f') && isa_has(dt.isa, 'd');
	unsigned long fs;

	csr_set(sstatus, SSTATUS_FS_INITIAL);
	fs = csr_read(sstatus) & SSTATUS_FS;
	if (!isa_fd && !fs) {
		report_skip("fp", "no F and D in riscv,isa");
		return;
	}
	if (isa_fd != !!fs) {
		check_fail(&c, "riscv,isa \"%s\" but sstatus.FS %s", dt.isa ? dt.isa : "",
			   fs ? "writable" : "stays Off");
		check_end(&c, "fp", NULL);
		return;
	}
	__atomic_store_n(&fp_done, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&fp_bad, 0, __ATOMIC_SEQ_CST);
	for (unsigned int i = 0; has_ext_hsm && i < dt.nr_harts; i++) {
		unsigned long hid = dt.hartids[i];

		if (hid == boot_hartid)
			continue;
		if (!wait_hart_status(hid, SBI_HSM_STOPPED, WAIT_MS, NULL) ||
		    sbi_hart_start(hid, (unsigned long)secondary_entry, opaque_for(hid, JOB_FP))
			    .error)
			check_fail(&c, "hart %lu did not start", hid);
		else
			started++;
	}
	__atomic_fetch_add(&fp_bad, fp_rounds(boot_hartid), __ATOMIC_SEQ_CST);
	if (!wait_ge_idle(&fp_done, started, WAIT_MS))
		check_fail(&c, "%lu of %u harts finished", READ_ONCE(fp_done), started);
	if (READ_ONCE(fp_bad))
		check_fail(&c, "%lu registers or fcsr values changed, or FS not Dirty",
			   READ_ONCE(fp_bad));
	for (unsigned int i = 0; i < dt.nr_harts; i++)
		if (dt.hartids[i] != boot_hartid &&
		    !wait_hart_status(dt.hartids[i], SBI_HSM_STOPPED, WAIT_MS, NULL))
			check_fail(&c, "hart %lu did not stop", dt.hartids[i]);
	check_end(&c, "fp", "%u hart(s) x %d rounds kept f0-f31 and fcsr", started + 1, FP_ROUNDS);
}
