/* SBI BASE (EID 0x10): versions, implementation, probing. */
#include "arch/riscv/sbi_server.h"
#include "core/guest.h"

static struct sbiret base_call(struct guest *g, struct vcpu_guest *vg, struct guest_regs *r)
{
	/* The probe first: of BASE's calls the one guests make most (one per extension). */
	if (r->x[16] == 3)
		return (struct sbiret){ 0, sbi_find(g->sbi, g->nr_sbi, r->x[10]) != NULL };
	switch (r->x[16]) {
	case 0:
		return (struct sbiret){ 0, SBI_SPEC_VERSION };
	case 1:
		return (struct sbiret){ 0, SBI_IMPL_ID_KEEL };
	case 2:
		return (struct sbiret){ 0, 1 }; /* implementation version 0.1 */
	case 4: /* mvendorid, marchid, mimpid: 0 is a legal value for each */
	case 5:
	case 6:
		return (struct sbiret){ 0, 0 };
	default:
		return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
	}
}

SBI_EXT_DECLARE(base, .name = "base", .eid_min = SBI_EXT_BASE, .eid_max = SBI_EXT_BASE,
		.disable_bit = -1, .fast = sbi_fast_always, .call = base_call);
