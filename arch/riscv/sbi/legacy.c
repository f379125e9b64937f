/* SBI v0.1 legacy calls that still make sense for a guest. */
#include "arch/riscv/sbi_server.h"
#include "core/guest.h"

static struct sbiret legacy_call(struct guest *g, struct vcpu_guest *vg, struct guest_regs *r)
{
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
		return (struct sbiret){ vserial_read(&g->vserial, &c, 1) ? c : -1, 0 };
	case 0x08: /* shutdown */
		guest_stop(g, GUEST_STOPPED, "vcpu %u: shut down (legacy SBI)", vg->index);
		return (struct sbiret){ 0, 0 };
	default:
		return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
	}
}

SBI_EXT_DECLARE(legacy, .name = "legacy", .eid_min = 0x00, .eid_max = 0x0f,
		.disable_bit = GUESTCFG_SBI_LEGACY, .legacy = true, .call = legacy_call);
