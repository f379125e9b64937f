/*
 * SBI v2.0 argument checks Keel's SBI server makes before acting: hart masks
 * (IPI, RFENCE), HSM suspend types, SRST reset types and reasons and the STA
 * shared memory.  The SBI error codes and SRST numbers are the spec's.
 *
 * Pure logic: no locks, no printing, no global state (host unit tests).
 */
#ifndef LIBS_SBI_ARGS_H
#define LIBS_SBI_ARGS_H

#include "libs/types.h"

#define SBI_SUCCESS 0
#define SBI_ERR_FAILED -1
#define SBI_ERR_NOT_SUPPORTED -2
#define SBI_ERR_INVALID_PARAM -3
#define SBI_ERR_DENIED -4
#define SBI_ERR_INVALID_ADDRESS -5
#define SBI_ERR_ALREADY_AVAILABLE -6
#define SBI_ERR_ALREADY_STARTED -7
#define SBI_ERR_ALREADY_STOPPED -8

#define SBI_SRST_SHUTDOWN 0
#define SBI_SRST_COLD_REBOOT 1
#define SBI_SRST_WARM_REBOOT 2
#define SBI_SRST_REASON_NONE 0
#define SBI_SRST_REASON_FAILURE 1

#define SBI_HART_MASK_ALL (-1UL) /* hart_mask_base: every hart */

/*
 * (hart_mask, hart_mask_base) among harts 0..@nr_harts-1: 0 when every hart
 * it names exists (base -1 names all, an empty mask none), else
 * SBI_ERR_INVALID_PARAM.
 */
long sbi_hart_mask_check(unsigned long mask, unsigned long base, unsigned long nr_harts);

/* Whether a mask that passed sbi_hart_mask_check names @hart. */
bool sbi_hart_mask_has(unsigned long mask, unsigned long base, unsigned long hart);

enum sbi_suspend {
	SBI_SUSPEND_RETENTIVE,	   /* 0x00000000 */
	SBI_SUSPEND_NON_RETENTIVE, /* 0x80000000 */
};

/*
 * HSM hart_suspend's suspend_type: 0 with *@kind set, SBI_ERR_NOT_SUPPORTED
 * for a platform-specific type (0x10000000..0x7fffffff,
 * 0x90000000..0xffffffff), else SBI_ERR_INVALID_PARAM (the reserved ones and
 * anything above 32 bits).
 */
long sbi_suspend_type(unsigned long type, enum sbi_suspend *kind);

/*
 * SRST system_reset(reset_type, reset_reason), both uint32 in the spec: 0
 * for shutdown, cold and warm reboot with any reason that is not reserved
 * (SBI-defined 0 and 1, implementation- and vendor-specific 0xe0000000..); SBI_ERR_INVALID_PARAM
 * for a reserved type or reason; else SBI_ERR_NOT_SUPPORTED (a vendor-specific
 * type, 0xf0000000..).
 */
long sbi_srst_check(u32 type, u32 reason);

#define SBI_STA_SHMEM_SIZE 64	  /* the steal-time record, and its alignment */
#define SBI_STA_SHMEM_OFF (~0ULL) /* what sbi_sta_shmem_check gives for "disable" */

/*
 * STA steal_time_set_shmem(shmem_phys_lo, shmem_phys_hi, flags) on RV64: 0
 * with *@gpa the record's address, or SBI_STA_SHMEM_OFF when lo and hi are
 * both all-ones (stop reporting); SBI_ERR_INVALID_PARAM for flags other than
 * 0 or an address not 64-byte aligned; SBI_ERR_INVALID_ADDRESS when hi has a
 * bit set (an address above 64 bits).  Whether the record is in writable
 * guest RAM is the caller's to check.
 */
long sbi_sta_shmem_check(unsigned long lo, unsigned long hi, unsigned long flags, u64 *gpa);

#endif
