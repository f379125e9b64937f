/* SBI client (SBI v2.0 calling convention, legacy v0.1 fallbacks). */
#include "arch/riscv/sbi.h"
#include "arch/riscv/csr.h"

struct sbi_info sbi_info;

struct sbiret sbi_ecall(unsigned long ext, unsigned long fid, unsigned long a0, unsigned long a1,
			unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)
{
	register unsigned long r0 __asm__("a0") = a0;
	register unsigned long r1 __asm__("a1") = a1;
	register unsigned long r2 __asm__("a2") = a2;
	register unsigned long r3 __asm__("a3") = a3;
	register unsigned long r4 __asm__("a4") = a4;
	register unsigned long r5 __asm__("a5") = a5;
	register unsigned long r6 __asm__("a6") = fid;
	register unsigned long r7 __asm__("a7") = ext;

	__asm__ volatile("ecall"
			 : "+r"(r0), "+r"(r1)
			 : "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r6), "r"(r7)
			 : "memory");
	return (struct sbiret){ .error = (long)r0, .value = (long)r1 };
}

static long sbi_base(unsigned long fid, unsigned long arg)
{
	struct sbiret r = sbi_ecall(SBI_EXT_BASE, fid, arg, 0, 0, 0, 0, 0);

	return r.error ? 0 : r.value;
}

void sbi_init(void)
{
	sbi_info.spec_version = sbi_base(0, 0);
	sbi_info.impl_id = sbi_base(1, 0);
	sbi_info.impl_version = sbi_base(2, 0);
	sbi_info.time = sbi_base(3, SBI_EXT_TIME) > 0;
	sbi_info.ipi = sbi_base(3, SBI_EXT_IPI) > 0;
	sbi_info.rfence = sbi_base(3, SBI_EXT_RFENCE) > 0;
	sbi_info.hsm = sbi_base(3, SBI_EXT_HSM) > 0;
	sbi_info.srst = sbi_base(3, SBI_EXT_SRST) > 0;
	sbi_info.dbcn = sbi_base(3, SBI_EXT_DBCN) > 0;
}

const char *sbi_impl_name(unsigned long impl_id)
{
	static const char *const names[] = { "BBL",    "OpenSBI", "Xvisor",
					     "KVM",    "RustSBI", "Diosix",
					     "Coffer", "Xen",	  "PolarFire HSS" };

	return impl_id < ARRAY_SIZE(names) ? names[impl_id] : "unknown";
}

int sbi_err_to_errno(long err)
{
	switch (err) {
	case SBI_SUCCESS:
		return 0;
	case SBI_ERR_NOT_SUPPORTED:
		return -ENOTSUP;
	case SBI_ERR_INVALID_PARAM:
	case SBI_ERR_INVALID_ADDRESS:
		return -EINVAL;
	case SBI_ERR_DENIED:
		return -EPERM;
	case SBI_ERR_ALREADY_AVAILABLE:
	case SBI_ERR_ALREADY_STARTED:
	case SBI_ERR_ALREADY_STOPPED:
		return -EBUSY;
	default:
		return -EIO;
	}
}

void sbi_console_write(const char *s, size_t n)
{
	if (sbi_info.dbcn) {
		/* Identity-mapped: the virtual address is the physical one. */
		sbi_ecall(SBI_EXT_DBCN, 0, n, (unsigned long)s, 0, 0, 0, 0);
		return;
	}
	for (size_t i = 0; i < n; i++)
		sbi_ecall(SBI_EXT_LEGACY_PUTCHAR, 0, (u8)s[i], 0, 0, 0, 0, 0);
}

int sbi_set_timer(u64 deadline)
{
	if (sbi_info.time)
		return sbi_err_to_errno(sbi_ecall(SBI_EXT_TIME, 0, deadline, 0, 0, 0, 0, 0).error);
	sbi_ecall(0x00, 0, deadline, 0, 0, 0, 0, 0);
	return 0;
}

int sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base)
{
	return sbi_err_to_errno(
		sbi_ecall(SBI_EXT_IPI, 0, hart_mask, hart_mask_base, 0, 0, 0, 0).error);
}

int sbi_remote_sfence_vma(unsigned long hart_mask, unsigned long base, unsigned long start,
			  unsigned long size)
{
	return sbi_err_to_errno(
		sbi_ecall(SBI_EXT_RFENCE, 1, hart_mask, base, start, size, 0, 0).error);
}

int sbi_hart_start(unsigned long hartid, unsigned long start, unsigned long opaque)
{
	return sbi_err_to_errno(sbi_ecall(SBI_EXT_HSM, 0, hartid, start, opaque, 0, 0, 0).error);
}

long sbi_hart_status(unsigned long hartid)
{
	struct sbiret r = sbi_ecall(SBI_EXT_HSM, 2, hartid, 0, 0, 0, 0, 0);

	return r.error ? r.error : r.value;
}

void sbi_system_reset(unsigned long type, unsigned long reason)
{
	if (sbi_info.srst)
		sbi_ecall(SBI_EXT_SRST, 0, type, reason, 0, 0, 0, 0);
	else if (type == SBI_SRST_SHUTDOWN)
		sbi_ecall(0x08, 0, 0, 0, 0, 0, 0, 0);
	for (;;) {
		irq_disable();
		wfi();
	}
}
