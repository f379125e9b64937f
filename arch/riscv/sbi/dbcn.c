/* SBI DBCN (debug console): the guest's console, its virtual serial line (core/vserial). */
#include "arch/riscv/sbi_server.h"
#include "core/guest.h"

#define CHUNK 64

static struct sbiret dbcn_call(struct guest *g, struct vcpu_guest *vg, struct guest_regs *r)
{
	u64 n = r->x[10], gpa = r->x[11];
	char buf[CHUNK], c;
	size_t got;

	/* On RV64 base_hi holds address bits 64 and up: anything there is outside the guest. */
	if (r->x[16] <= 1 && r->x[12])
		return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
	switch (r->x[16]) {
	case 0: /* console_write(num_bytes, base_lo, base_hi) */
		for (u64 done = 0; done < n; done += CHUNK) {
			u64 len = MIN((u64)CHUNK, n - done);

			if (guest_read(g, gpa + done, buf, len))
				return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
			vserial_write(&g->vserial, buf, len);
		}
		return (struct sbiret){ 0, (long)n };
	case 1: /* console_read(num_bytes, base_lo, base_hi): what was typed, maybe nothing */
		n = MIN((u64)CHUNK, n);
		/* Where the bytes go must be guest RAM, even when nothing was typed. */
		if (guest_read(g, gpa, buf, n))
			return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
		got = guest_console_read(g, (u8 *)buf, n);
		guest_write(g, gpa, buf, got);
		return (struct sbiret){ 0, (long)got };
	case 2: /* console_write_byte */
		c = (char)r->x[10];
		vserial_write(&g->vserial, &c, 1);
		return (struct sbiret){ 0, 0 };
	default:
		return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
	}
}

SBI_EXT_DECLARE(dbcn, .name = "dbcn", .eid_min = SBI_EXT_DBCN, .eid_max = SBI_EXT_DBCN,
		.disable_bit = GUESTCFG_SBI_DBCN, .call = dbcn_call);
