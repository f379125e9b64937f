/* SBI SRST: a guest's shutdown stops that guest only. */
#include "arch/riscv/sbi_server.h"
#include "core/guest.h"

static struct sbiret srst_call(struct guest *g, struct vcpu_guest *vg, struct guest_regs *r)
{
	unsigned long type = r->x[10], reason = r->x[11];

	if (r->x[16] != 0)
		return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
	if (type > SBI_SRST_WARM_REBOOT && type < 0xf0000000UL)
		return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
	if (reason > SBI_SRST_REASON_FAILURE && reason < 0xe0000000UL)
		return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
	/* Guest reboot comes with guest reset; vendor types are not ours. */
	if (type != SBI_SRST_SHUTDOWN)
		return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
	guest_stop(g, GUEST_STOPPED, "vcpu %u: shut down (%s)", vg->index,
		   reason == SBI_SRST_REASON_FAILURE ? "system failure" : "no reason");
	return (struct sbiret){ 0, 0 };
}

SBI_EXT_DECLARE(srst, .name = "srst", .eid_min = SBI_EXT_SRST, .eid_max = SBI_EXT_SRST,
		.disable_bit = GUESTCFG_SBI_SRST, .call = srst_call);
