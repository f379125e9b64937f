/*
 * SBI RFENCE: each VCPU the hart mask names does the fence on its own hart
 * before it next runs guest code; the call returns once none of them can
 * still use what the fence removes.  An address range is widened to the
 * whole of the guest's VMID (HFENCE.VVMA): correct, and one instruction.
 * The HFENCE functions are for guests with the H extension, which Keel's
 * guests do not have.
 */
#include "arch/riscv/sbi_server.h"
#include "core/guest.h"

enum {
	RFENCE_FENCE_I,
	RFENCE_SFENCE_VMA,
	RFENCE_SFENCE_VMA_ASID,
};

static void request(struct vcpu_guest *target, void *arg)
{
	guest_vcpu_request(target, *(const u32 *)arg);
}

long sbi_server_rfence(struct guest *g, unsigned long mask, unsigned long base, u32 req)
{
	return sbi_for_each_hart(g, mask, base, request, &req);
}

static struct sbiret rfence_call(struct guest *g, struct vcpu_guest *vg, struct guest_regs *r)
{
	u32 req;

	switch (r->x[16]) {
	case RFENCE_FENCE_I:
		req = VCPU_REQ_FENCE_I;
		break;
	case RFENCE_SFENCE_VMA:
	case RFENCE_SFENCE_VMA_ASID:
		req = VCPU_REQ_HFENCE_VVMA;
		break;
	default:
		return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
	}
	return (struct sbiret){ sbi_server_rfence(g, r->x[10], r->x[11], req), 0 };
}

SBI_EXT_DECLARE(rfence, .name = "rfence", .eid_min = SBI_EXT_RFENCE, .eid_max = SBI_EXT_RFENCE,
		.disable_bit = GUESTCFG_SBI_RFENCE, .hot = true, .call = rfence_call);
