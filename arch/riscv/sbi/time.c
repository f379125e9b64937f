/*
 * SBI TIME: under Sstc the guest's timer is the hart's vstimecmp, set
 * directly; without it a Keel timer event raises VSTIP (core/guest_vcpu.c).
 */
#include "arch/riscv/sbi_server.h"
#include "core/guest.h"

static struct sbiret time_call(struct guest *g, struct vcpu_guest *vg, struct guest_regs *r)
{
	if (r->x[16] != 0)
		return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
	guest_vcpu_set_timer(vg, r->x[10]);
	return (struct sbiret){ 0, 0 };
}

SBI_EXT_DECLARE(time, .name = "time", .eid_min = SBI_EXT_TIME, .eid_max = SBI_EXT_TIME,
		.disable_bit = GUESTCFG_SBI_TIME, .hot = true, .fast = sbi_server_sstc,
		.call = time_call);
