/* SBI calls and the SBI console. */
#include "guest.h"

bool sbi_has_dbcn;
bool sbi_has_srst;

struct sbiret sbi_ecall(unsigned long ext, unsigned long fid, unsigned long a0, unsigned long a1,
			unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)
{
	register unsigned long r0 asm("a0") = a0;
	register unsigned long r1 asm("a1") = a1;
	register unsigned long r2 asm("a2") = a2;
	register unsigned long r3 asm("a3") = a3;
	register unsigned long r4 asm("a4") = a4;
	register unsigned long r5 asm("a5") = a5;
	register unsigned long r6 asm("a6") = fid;
	register unsigned long r7 asm("a7") = ext;

	asm volatile("ecall"
		     : "+r"(r0), "+r"(r1)
		     : "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r6), "r"(r7)
		     : "memory");
	return (struct sbiret){ .error = (long)r0, .value = (long)r1 };
}

/* Legacy (v0.1) calls return in a0 only and may clobber a1..a7. */
long sbi_legacy(unsigned long ext, unsigned long a0)
{
	register unsigned long r0 asm("a0") = a0;
	register unsigned long r7 asm("a7") = ext;

	asm volatile("ecall" : "+r"(r0), "+r"(r7) : : "a1", "a2", "a3", "a4", "a5", "a6", "memory");
	return (long)r0;
}

bool sbi_probe(unsigned long ext)
{
	struct sbiret r = sbi_ecall(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, ext, 0, 0, 0, 0, 0);

	return r.error == SBI_SUCCESS && r.value != 0;
}

void sbi_console_init(void)
{
	sbi_has_dbcn = sbi_probe(SBI_EXT_DBCN);
	sbi_has_srst = sbi_probe(SBI_EXT_SRST);
}

void sbi_console_write(const char *s, size_t n)
{
	if (sbi_has_dbcn) {
		while (n) {
			/* RAM is identity-mapped (satp bare): the pointer is the address. */
			struct sbiret r = sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_WRITE, n,
						    (unsigned long)s, 0, 0, 0, 0);

			if (r.error || r.value <= 0 || (size_t)r.value > n)
				break;
			s += r.value;
			n -= r.value;
		}
		if (!n)
			return;
	}
	while (n--)
		sbi_legacy(SBI_EXT_LEGACY_PUTCHAR, (unsigned char)*s++);
}

long sbi_set_timer(uint64_t deadline)
{
	return sbi_ecall(SBI_EXT_TIME, 0, deadline, 0, 0, 0, 0, 0).error;
}

struct sbiret sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base)
{
	return sbi_ecall(SBI_EXT_IPI, 0, hart_mask, hart_mask_base, 0, 0, 0, 0);
}

struct sbiret sbi_hart_start(unsigned long hartid, unsigned long addr, unsigned long opaque)
{
	return sbi_ecall(SBI_EXT_HSM, SBI_HSM_HART_START, hartid, addr, opaque, 0, 0, 0);
}

long sbi_hart_stop(void)
{
	return sbi_ecall(SBI_EXT_HSM, SBI_HSM_HART_STOP, 0, 0, 0, 0, 0, 0).error;
}

struct sbiret sbi_hart_status(unsigned long hartid)
{
	return sbi_ecall(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, hartid, 0, 0, 0, 0, 0);
}

void sbi_shutdown(unsigned long reason)
{
	if (sbi_has_srst)
		sbi_ecall(SBI_EXT_SRST, 0, SBI_SRST_SHUTDOWN, reason, 0, 0, 0, 0);
	sbi_legacy(SBI_EXT_LEGACY_SHUTDOWN, 0);
	for (;;)
		wfi();
}
