/* SBI IPI: a supervisor software interrupt (VSSIP) on each VCPU the hart mask names. */
#include "arch/riscv/sbi_server.h"
#include "core/guest.h"

static void raise_ssip(struct vcpu_guest *target, void *arg)
{
	__atomic_fetch_add(&target->st.inj_ipi, 1, __ATOMIC_RELAXED); /* from any hart */
	guest_vcpu_inject(target, HVIP_VSSIP);
}

long sbi_server_ipi(struct guest *g, unsigned long mask, unsigned long base)
{
	return sbi_for_each_hart(g, mask, base, raise_ssip, NULL);
}

static struct sbiret ipi_call(struct guest *g, struct vcpu_guest *vg, struct guest_regs *r)
{
	if (r->x[16] != 0)
		return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
	return (struct sbiret){ sbi_server_ipi(g, r->x[10], r->x[11]), 0 };
}

SBI_EXT_DECLARE(ipi, .name = "ipi", .eid_min = SBI_EXT_IPI, .eid_max = SBI_EXT_IPI,
		.disable_bit = GUESTCFG_SBI_IPI, .hot = true, .call = ipi_call);
