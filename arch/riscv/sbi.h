/* SBI client: Keel's calls down to OpenSBI (M-mode). */
#ifndef ARCH_RISCV_SBI_H
#define ARCH_RISCV_SBI_H

#include "libs/sbi_args.h" /* error codes, SRST numbers */
#include "libs/types.h"

#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494d45
#define SBI_EXT_IPI 0x735049
#define SBI_EXT_RFENCE 0x52464e43
#define SBI_EXT_HSM 0x48534d
#define SBI_EXT_SRST 0x53525354
#define SBI_EXT_DBCN 0x4442434e
#define SBI_EXT_STA 0x535441
#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_LEGACY_GETCHAR 0x02

#define SBI_HSM_STARTED 0
#define SBI_HSM_STOPPED 1
#define SBI_HSM_START_PENDING 2

struct sbiret {
	long error;
	long value;
};

struct sbi_info {
	unsigned long spec_version;
	unsigned long impl_id;
	unsigned long impl_version;
	bool time, ipi, rfence, hsm, srst, dbcn;
};

extern struct sbi_info sbi_info;

struct sbiret sbi_ecall(unsigned long ext, unsigned long fid, unsigned long a0, unsigned long a1,
			unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);
void sbi_init(void);
const char *sbi_impl_name(unsigned long impl_id);
void sbi_console_write(const char *s, size_t n);
int sbi_set_timer(u64 deadline);
int sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base);
int sbi_remote_sfence_vma(unsigned long hart_mask, unsigned long base, unsigned long start,
			  unsigned long size);
int sbi_hart_start(unsigned long hartid, unsigned long start, unsigned long opaque);
long sbi_hart_status(unsigned long hartid);
void sbi_system_reset(unsigned long type, unsigned long reason) __attribute__((noreturn));
int sbi_err_to_errno(long err);

#endif
