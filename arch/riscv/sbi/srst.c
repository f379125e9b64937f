/* SBI SRST: a guest's shutdown stops that guest only, its reboot resets it. */
#include "arch/riscv/sbi_server.h"
#include "core/guest.h"
#include <stdio.h>

static struct sbiret srst_call(struct guest *g, struct vcpu_guest *vg, struct guest_regs *r)
{
	u32 type = (u32)r->x[10], reason = (u32)r->x[11]; /* uint32 in the spec */
	const char *why;
	char what[64];
	long err;

	if (r->x[16] != 0)
		return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
	err = sbi_srst_check(type, reason);
	if (err)
		return (struct sbiret){ err, 0 };
	why = reason == SBI_SRST_REASON_FAILURE ? "system failure"
	      : reason == SBI_SRST_REASON_NONE	? "no reason"
						: "vendor reason";
	if (type == SBI_SRST_SHUTDOWN) {
		guest_stop(g, GUEST_STOPPED, "vcpu %u: shut down (%s)", vg->index, why);
	} else {
		snprintf(what, sizeof(what), "vcpu %u: %s reboot (%s)", vg->index,
			 type == SBI_SRST_COLD_REBOOT ? "cold" : "warm", why);
		guest_request_reset(g, what);
	}
	return (struct sbiret){ 0, 0 };
}

SBI_EXT_DECLARE(srst, .name = "srst", .eid_min = SBI_EXT_SRST, .eid_max = SBI_EXT_SRST,
		.disable_bit = GUESTCFG_SBI_SRST, .call = srst_call);
