/*
 * SBI v0.1 legacy calls that still make sense for a guest.  send_ipi and the
 * remote fences take the guest-virtual address of a hart mask (NULL: every
 * hart), read with HLV as the guest sees it.
 */
#include "arch/riscv/sbi_server.h"
#include "core/guest.h"

/* The mask at @va as (mask, base) for sbi_for_each_hart: 0, or an SBI error. */
static long hart_mask(u64 va, unsigned long *mask, unsigned long *base)
{
	u64 m;

	*mask = 0;
	*base = va ? 0 : -1UL;
	if (!va)
		return 0;
	if (vcpu_read_guest_u64(va, &m))
		return SBI_ERR_INVALID_ADDRESS;
	*mask = m;
	return 0;
}

static struct sbiret legacy_call(struct guest *g, struct vcpu_guest *vg, struct guest_regs *r)
{
	unsigned long mask, base;
	long err;
	u8 c;

	switch (r->x[17]) {
	case 0x00: /* set_timer */
		guest_vcpu_set_timer(vg, r->x[10]);
		return (struct sbiret){ 0, 0 };
	case 0x01: /* console_putchar */
		c = (char)r->x[10];
		vserial_write(&g->vserial, (const char *)&c, 1);
		return (struct sbiret){ 0, 0 };
	case 0x02: /* console_getchar: a typed byte, or -1 */
		return (struct sbiret){ guest_console_read(g, (u8 *)&c, 1) ? c : -1, 0 };
	case 0x03: /* clear_ipi */
		guest_vcpu_withdraw(vg, HVIP_VSSIP);
		return (struct sbiret){ 0, 0 };
	case 0x04: /* send_ipi(hart_mask) */
	case 0x05: /* remote_fence_i(hart_mask) */
	case 0x06: /* remote_sfence_vma(hart_mask, start, size) */
	case 0x07: /* remote_sfence_vma_asid(hart_mask, start, size, asid) */
		err = hart_mask(r->x[10], &mask, &base);
		if (!err)
			err = r->x[17] == 0x04 ? sbi_server_ipi(g, mask, base)
			      : r->x[17] == 0x05
				      ? sbi_server_rfence(g, mask, base, VCPU_REQ_FENCE_I)
				      : sbi_server_rfence(g, mask, base, VCPU_REQ_HFENCE_VVMA);
		return (struct sbiret){ err, 0 };
	case 0x08: /* shutdown */
		guest_stop(g, GUEST_STOPPED, "vcpu %u: shut down (legacy SBI)", vg->index);
		return (struct sbiret){ 0, 0 };
	default:
		return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
	}
}

SBI_EXT_DECLARE(legacy, .name = "legacy", .eid_min = 0x00, .eid_max = 0x08,
		.disable_bit = GUESTCFG_SBI_LEGACY, .legacy = true, .call = legacy_call);
