/*
 * SBI HSM: a guest starts, stops and suspends its own VCPUs (hartid = VCPU
 * index).  Suspend waits as WFI does; a non-retentive one resumes at
 * resume_addr like a start.
 */
#include "arch/riscv/sbi_server.h"
#include "core/guest.h"

static struct sbiret hsm_call(struct guest *g, struct vcpu_guest *vg, struct guest_regs *r)
{
	unsigned long a0 = r->x[10], a1 = r->x[11], a2 = r->x[12];
	struct vcpu_guest *target;
	enum sbi_suspend kind;
	long err;

	switch (r->x[16]) {
	case 0: /* hart_start(hartid, start_addr, opaque) */
		target = guest_vcpu(g, a0);
		if (!target)
			return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
		if (!guest_ram_contains(g, a1))
			return (struct sbiret){ SBI_ERR_INVALID_ADDRESS, 0 };
		if (guest_vcpu_hsm_start(target, a1, a2))
			return (struct sbiret){ SBI_ERR_ALREADY_AVAILABLE, 0 };
		return (struct sbiret){ 0, 0 };
	case 1: /* hart_stop() */
		guest_vcpu_hsm_stop(vg);
		return (struct sbiret){ 0, 0 };
	case 2: /* hart_get_status(hartid) */
		target = guest_vcpu(g, a0);
		if (!target)
			return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
		return (struct sbiret){ 0, (long)__atomic_load_n(&target->hsm, __ATOMIC_ACQUIRE) };
	case 3: /* hart_suspend(suspend_type, resume_addr, opaque) */
		err = sbi_suspend_type(a0, &kind);
		if (err)
			return (struct sbiret){ err, 0 };
		if (kind == SBI_SUSPEND_RETENTIVE) {
			guest_vcpu_suspend(vg, false, 0, 0);
			return (struct sbiret){ 0, 0 };
		}
		if (!guest_ram_contains(g, a1))
			return (struct sbiret){ SBI_ERR_INVALID_ADDRESS, 0 };
		guest_vcpu_suspend(vg, true, a1, a2);
		return (struct sbiret){ 0, 0 };
	default:
		return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
	}
}

SBI_EXT_DECLARE(hsm, .name = "hsm", .eid_min = SBI_EXT_HSM, .eid_max = SBI_EXT_HSM,
		.disable_bit = GUESTCFG_SBI_HSM, .call = hsm_call);
