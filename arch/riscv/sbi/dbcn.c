/* SBI DBCN (debug console): the guest's console output through Keel. */
#include "arch/riscv/sbi_server.h"
#include "core/guest.h"

#define CHUNK 64

static struct sbiret dbcn_call(struct guest *g, struct vcpu_guest *vg, struct guest_regs *r)
{
	u64 n = r->x[10], gpa = r->x[11];
	char buf[CHUNK];

	/* On RV64 base_hi holds address bits 64 and up: anything there is outside the guest. */
	if (r->x[16] <= 1 && r->x[12])
		return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
	switch (r->x[16]) {
	case 0: /* console_write(num_bytes, base_lo, base_hi) */
		for (u64 done = 0; done < n; done += CHUNK) {
			u64 len = MIN((u64)CHUNK, n - done);

			if (guest_read(g, gpa + done, buf, len))
				return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
			for (u64 i = 0; i < len; i++)
				guest_console_putc(g, buf[i]);
		}
		return (struct sbiret){ 0, (long)n };
	case 1: /* console_read: no input path to guests yet; the buffer must still be valid */
		if (n && guest_read(g, gpa, buf, 1))
			return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
		return (struct sbiret){ 0, 0 };
	case 2: /* console_write_byte */
		guest_console_putc(g, (char)r->x[10]);
		return (struct sbiret){ 0, 0 };
	default:
		return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
	}
}

SBI_EXT_DECLARE(dbcn, .name = "dbcn", .eid_min = SBI_EXT_DBCN, .eid_max = SBI_EXT_DBCN,
		.disable_bit = GUESTCFG_SBI_DBCN, .call = dbcn_call);
