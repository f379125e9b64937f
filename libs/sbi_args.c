#include "libs/sbi_args.h"

#define SUSPEND_RETENTIVE 0x00000000UL
#define SUSPEND_NON_RETENTIVE 0x80000000UL
#define SUSPEND_PLATFORM_RET 0x10000000UL    /* ..0x7fffffff */
#define SUSPEND_PLATFORM_NONRET 0x90000000UL /* ..0xffffffff */
#define SRST_TYPE_VENDOR 0xf0000000U	     /* ..0xffffffff */
#define SRST_REASON_IMPL 0xe0000000U	     /* SBI-implementation, then vendor-specific */

long sbi_hart_mask_check(unsigned long mask, unsigned long base, unsigned long nr_harts)
{
	if (base == SBI_HART_MASK_ALL || !mask)
		return SBI_SUCCESS;
	/* base + the highest bit set, which cannot overflow once base < nr_harts. */
	if (base >= nr_harts || 63UL - __builtin_clzl(mask) >= nr_harts - base)
		return SBI_ERR_INVALID_PARAM;
	return SBI_SUCCESS;
}

bool sbi_hart_mask_has(unsigned long mask, unsigned long base, unsigned long hart)
{
	return base == SBI_HART_MASK_ALL ||
	       (hart >= base && hart - base < 64 && (mask >> (hart - base)) & 1);
}

long sbi_suspend_type(unsigned long type, enum sbi_suspend *kind)
{
	if (type == SUSPEND_RETENTIVE || type == SUSPEND_NON_RETENTIVE) {
		*kind = type == SUSPEND_RETENTIVE ? SBI_SUSPEND_RETENTIVE
						  : SBI_SUSPEND_NON_RETENTIVE;
		return SBI_SUCCESS;
	}
	if ((type >= SUSPEND_PLATFORM_RET && type < SUSPEND_NON_RETENTIVE) ||
	    (type >= SUSPEND_PLATFORM_NONRET && type <= 0xffffffffUL))
		return SBI_ERR_NOT_SUPPORTED;
	return SBI_ERR_INVALID_PARAM;
}

long sbi_srst_check(u32 type, u32 reason)
{
	if (type > SBI_SRST_WARM_REBOOT && type < SRST_TYPE_VENDOR)
		return SBI_ERR_INVALID_PARAM;
	if (reason > SBI_SRST_REASON_FAILURE && reason < SRST_REASON_IMPL)
		return SBI_ERR_INVALID_PARAM;
	/* Vendor reset types are not ours (vendor reasons are just reported). */
	if (type >= SRST_TYPE_VENDOR)
		return SBI_ERR_NOT_SUPPORTED;
	return SBI_SUCCESS;
}

long sbi_sta_shmem_check(unsigned long lo, unsigned long hi, unsigned long flags, u64 *gpa)
{
	if (flags)
		return SBI_ERR_INVALID_PARAM;
	if (lo == ~0UL && hi == ~0UL) {
		*gpa = SBI_STA_SHMEM_OFF;
		return SBI_SUCCESS;
	}
	if (lo & (SBI_STA_SHMEM_SIZE - 1))
		return SBI_ERR_INVALID_PARAM;
	if (hi)
		return SBI_ERR_INVALID_ADDRESS;
	*gpa = lo;
	return SBI_SUCCESS;
}
