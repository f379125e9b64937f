/*
 * What Keel's bare-metal S-mode test guests share (tests/guests/common): the
 * entry and trap vector (head.S), SBI calls and console (sbi.c), printk
 * (print.c), the FDT walker (fdt.c) and fatal-trap reporting (trap.c).  They
 * share no code with Keel, so they can judge Keel's SBI server and traps.
 */
#ifndef GUEST_COMMON_H
#define GUEST_COMMON_H

/*
 * Shared with head.S: one stack of STACK_SIZE per possible hartid, and each
 * guest's harts[MAX_HARTS] array of per-hart state, 1 << HART_STATE_SHIFT
 * bytes each, whose first member is the hartid (setup_hart stores it).
 */
#define MAX_HARTS 16
#define MAX_MEM 8 /* /memory ranges fdt_parse records */
#define STACK_SIZE 8192
#define HART_STATE_SHIFT 6

/* SBI extension ids (SBI v2.0 numbering) and the legacy v0.1 calls used. */
#define SBI_EXT_LEGACY_SET_TIMER 0x00
#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_LEGACY_GETCHAR 0x02
#define SBI_EXT_LEGACY_SEND_IPI 0x04
#define SBI_EXT_LEGACY_REMOTE_FENCE_I 0x05
#define SBI_EXT_LEGACY_SHUTDOWN 0x08
#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494d45
#define SBI_EXT_IPI 0x735049
#define SBI_EXT_RFENCE 0x52464e43
#define SBI_EXT_HSM 0x48534d
#define SBI_EXT_SRST 0x53525354
#define SBI_EXT_DBCN 0x4442434e
#define SBI_EXT_STA 0x535441

#define SBI_BASE_GET_SPEC_VERSION 0
#define SBI_BASE_GET_IMPL_ID 1
#define SBI_BASE_GET_IMPL_VERSION 2
#define SBI_BASE_PROBE_EXT 3
#define SBI_BASE_GET_MVENDORID 4
#define SBI_BASE_GET_MARCHID 5
#define SBI_BASE_GET_MIMPID 6

#define SBI_HSM_HART_START 0
#define SBI_HSM_HART_STOP 1
#define SBI_HSM_HART_GET_STATUS 2
#define SBI_HSM_HART_SUSPEND 3

#define SBI_HSM_STARTED 0
#define SBI_HSM_STOPPED 1
#define SBI_HSM_START_PENDING 2
#define SBI_HSM_STOP_PENDING 3
#define SBI_HSM_SUSPENDED 4

#define SBI_HSM_SUSPEND_RET_DEFAULT 0

#define SBI_DBCN_WRITE 0
#define SBI_DBCN_READ 1
#define SBI_DBCN_WRITE_BYTE 2

#define SBI_STA_SET_SHMEM 0

#define SBI_RFENCE_FENCE_I 0
#define SBI_RFENCE_SFENCE_VMA 1
#define SBI_RFENCE_SFENCE_VMA_ASID 2

#define SBI_SRST_SHUTDOWN 0
#define SBI_SRST_COLD_REBOOT 1
#define SBI_SRST_REASON_NONE 0
#define SBI_SRST_REASON_FAILURE 1

#define SBI_SUCCESS 0
#define SBI_ERR_FAILED -1
#define SBI_ERR_NOT_SUPPORTED -2
#define SBI_ERR_INVALID_PARAM -3
#define SBI_ERR_DENIED -4
#define SBI_ERR_INVALID_ADDRESS -5
#define SBI_ERR_ALREADY_AVAILABLE -6

#define SBI_IMPL_OPENSBI 1

/* CSRs and bits. */
#define CSR_SIE 0x104
#define CSR_SIP 0x144
#define CSR_STIMECMP 0x14d
#define CSR_HSTATUS 0x600

#define SSTATUS_SIE (1UL << 1)
#define SSTATUS_FS (3UL << 13)
#define SSTATUS_FS_INITIAL (1UL << 13)
#define SSTATUS_FS_DIRTY (3UL << 13)
#define SIP_SSIP (1UL << 1)
#define SIP_STIP (1UL << 5)
#define SIP_SEIP (1UL << 9)
#define SIE_SSIE SIP_SSIP
#define SIE_STIE SIP_STIP
#define SIE_SEIE SIP_SEIP

#define CAUSE_IRQ_FLAG (1UL << 63)
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT 9
#define CAUSE_ILLEGAL_INSN 2
#define CAUSE_LOAD_ACCESS 5
#define CAUSE_LOAD_PAGE_FAULT 13
#define CAUSE_LOAD_GUEST_PAGE_FAULT 21

#ifndef __ASSEMBLER__
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define __stringify_1(x) #x
#define __stringify(x) __stringify_1(x)

#define csr_read(csr)                                                             \
	({                                                                        \
		unsigned long __v;                                                \
		asm volatile("csrr %0, " __stringify(csr) : "=r"(__v)::"memory"); \
		__v;                                                              \
	})
#define csr_write(csr, val) asm volatile("csrw " __stringify(csr) ", %0" ::"rK"(val) : "memory")
#define csr_set(csr, val) asm volatile("csrs " __stringify(csr) ", %0" ::"rK"(val) : "memory")
#define csr_clear(csr, val) asm volatile("csrc " __stringify(csr) ", %0" ::"rK"(val) : "memory")

#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

static inline uint64_t rdtime(void)
{
	uint64_t t;

	asm volatile("rdtime %0" : "=r"(t));
	return t;
}

static inline void irq_enable(void)
{
	csr_set(sstatus, SSTATUS_SIE);
}

static inline void irq_disable(void)
{
	csr_clear(sstatus, SSTATUS_SIE);
}

static inline void wfi(void)
{
	asm volatile("wfi" ::: "memory");
}

static inline void cpu_relax(void)
{
	asm volatile("nop; nop; nop; nop" ::: "memory");
}

/* sbi.c */
struct sbiret {
	long error;
	long value;
};

struct sbiret sbi_ecall(unsigned long ext, unsigned long fid, unsigned long a0, unsigned long a1,
			unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);
long sbi_legacy(unsigned long ext, unsigned long a0);
bool sbi_probe(unsigned long ext);
void sbi_console_init(void);
void sbi_console_write(const char *s, size_t n);
long sbi_set_timer(uint64_t deadline);
struct sbiret sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base);
struct sbiret sbi_hart_start(unsigned long hartid, unsigned long addr, unsigned long opaque);
long sbi_hart_stop(void);
struct sbiret sbi_hart_status(unsigned long hartid);
void sbi_shutdown(unsigned long reason) __attribute__((noreturn));

extern bool sbi_has_dbcn;
extern bool sbi_has_srst;

/* print.c */
int vsnprintk(char *buf, size_t size, const char *fmt, va_list ap);
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int snprintk(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* fdt.c */
struct dt_info {
	unsigned int nr_harts;
	unsigned long hartids[MAX_HARTS];
	unsigned int harts_ignored; /* cpu nodes beyond MAX_HARTS or hartid >= MAX_HARTS */
	uint32_t timebase;
	uint64_t ram_base, ram_size; /* the first /memory range */
	unsigned int nr_mem;	     /* /memory ranges, the first MAX_MEM in mem[] */
	struct {
		uint64_t base, size;
	} mem[MAX_MEM];
	const char *bootargs;
	const char *isa;	       /* riscv,isa of the first cpu node */
	uint64_t uart_base, uart_size; /* the first ns16550a; base 0 when there is none */
	uint32_t uart_irq;	       /* its interrupts; 0 without */
	uint64_t plic_base;	       /* the first PLIC; 0 when there is none */
	uint32_t plic_ndev;
	int plic_context[MAX_HARTS]; /* by hartid: its S-mode context (interrupts-extended), or -1
				      */
	uint64_t rtc_base;	     /* the first google,goldfish-rtc; 0 when there is none */
	uint32_t rtc_irq;
	uint64_t poweroff_addr; /* /poweroff: its regmap's address + offset; 0 without */
	uint32_t poweroff_value;
};

int fdt_parse(const void *fdt, struct dt_info *info);

/* trap.c */
const char *trap_cause_name(unsigned long cause);
void trap_fatal(const char *tag, unsigned long cause, unsigned long epc, unsigned long tval)
	__attribute__((noreturn));

/* head.S, and what each guest provides for it */
void trap_vector(void);
void trap_handler(void);			       /* called by trap_vector */
void boot_main(unsigned long hartid, const void *fdt); /* the boot hart, from _start */
void setup_hart(void); /* sp, tp, stvec for hartid a0 (asm calling convention) */
void hart_park(void) __attribute__((noreturn));

/* The hartid of the hart running this, from its state (tp). */
static inline unsigned long this_hartid(void)
{
	const unsigned long *state;

	asm volatile("mv %0, tp" : "=r"(state));
	return *state;
}

#endif /* __ASSEMBLER__ */
#endif
