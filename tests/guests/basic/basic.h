/*
 * basic: Keel's own bare-metal S-mode test guest.  Self-contained on purpose:
 * it shares no code with Keel, so it can judge Keel's SBI server and traps.
 */
#ifndef GUEST_BASIC_H
#define GUEST_BASIC_H

/* Shared with head.S. */
#define MAX_HARTS 16
#define STACK_SIZE 8192
#define HEARTBEAT_OFFSET 0x1000 /* from RAM base: the heartbeat check's counter */
#define HART_STATE_SHIFT 6	/* sizeof(struct hart_state) == 64 */

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
	uint64_t ram_base, ram_size;
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
enum timer_mode { TIMER_SBI, TIMER_SSTC, TIMER_LEGACY };

struct hart_state {
	unsigned long hartid;
	/* interrupt bookkeeping, written by this hart's trap handler */
	unsigned long ipis;
	unsigned long timer_irqs;
	uint64_t timer_at;		   /* rdtime at the last timer interrupt */
	unsigned long timer_still_pending; /* STIP still set after the handler disarmed */
	/* a CSR probe in progress: an illegal instruction is skipped and counted */
	bool probing;
	unsigned long probe_traps;
} __attribute__((aligned(64)));

extern struct hart_state harts[MAX_HARTS];
extern volatile enum timer_mode timer_mode;
extern unsigned long ipi_acks;
extern bool fault_mode;

void trap_vector(void);
void trap_handler(void);
bool csr_probe_stimecmp(void);

static inline struct hart_state *this_hart(void)
{
	struct hart_state *h;

	asm volatile("mv %0, tp" : "=r"(h));
	return h;
}

/* main.c */
struct check {
	bool failed;
	size_t len;
	char why[200];
};

void check_fail(struct check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void check_end(struct check *c, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void report_skip(const char *name, const char *why);

/* The opaque value of hart_start: magic, the hartid it is meant for, the job. */
#define OPAQUE_MAGIC 0x6b65656c00000000UL /* "keel" */
enum sec_job { JOB_HSM = 1, JOB_PARK = 2, JOB_FP = 3 };

extern struct dt_info dt;
extern unsigned long boot_hartid;
extern bool has_sstc;
extern bool has_ext_time, has_ext_ipi, has_ext_rfence, has_ext_hsm, has_ext_legacy;
extern unsigned long sbi_impl_id;
extern unsigned long fault_addr, fault_size;
extern unsigned long sec_up[MAX_HARTS];
extern unsigned long sec_release[MAX_HARTS];
extern unsigned long sec_bad_opaque[MAX_HARTS];
extern unsigned long park_quit;
extern unsigned long fp_done, fp_bad;

void boot_main(unsigned long hartid, const void *fdt);
void secondary_main(unsigned long hartid, unsigned long opaque);
void secondary_entry(void);
unsigned long opaque_for(unsigned long hartid, enum sec_job job);
uint64_t ms_to_ticks(uint64_t ms);
void delay_ms(uint64_t ms);
bool wait_ge(volatile unsigned long *p, unsigned long want, uint64_t timeout_ms);
void nap(void);
bool wait_ge_idle(volatile unsigned long *p, unsigned long want, uint64_t timeout_ms);
bool wait_hart_status(unsigned long hartid, long want, uint64_t timeout_ms, unsigned long *seen);

/* checks.c */
/*
 * The ns16550a named by the device tree (QEMU virt: 0x10000000, reg-shift 0),
 * driven through plain byte loads and stores: natively QEMU's UART, under
 * Keel its emulation, which must answer the same.
 */
#define UART_RBR 0 /* THR on write, DLL with DLAB */
#define UART_IER 1 /* DLM with DLAB */
#define UART_IIR 2 /* FCR on write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7
#define UART_THR UART_RBR
#define UART_FCR UART_IIR
#define UART_DLL UART_RBR
#define UART_DLM UART_IER

#define IER_RDI 0x01
#define IER_THRI 0x02
#define IIR_NONE 0xc1 /* FIFOs on, no interrupt */
#define IIR_THRI 0xc2
#define IIR_RDI 0x04
#define IIR_CTI 0x0c /* character timeout: QEMU's once data sat in the FIFO a while */
#define FCR_FIFO 0x01
#define FCR_CLEAR 0x06 /* both FIFOs */
#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define MCR_LOOP 0x10
#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define LSR_IDLE (LSR_THRE | LSR_TEMT)
/* Modem status with nothing attached (QEMU's stdio back end has no modem lines). */
#define MSR_IDLE 0xb0
#define UART_FIFO 16

uint8_t uart_in(unsigned int reg);
void uart_out(unsigned int reg, uint8_t v);
bool uart_find(const char *name);
bool uart_reset(void);
/* Every other hart waits in WFI (JOB_PARK) for IPIs and external interrupts. */
unsigned int park_start(struct check *c);
void park_stop(struct check *c);

void check_sbi_base(void);
void check_console(void);
void check_timer_sbi(void);
void check_timer_sstc(void);
void check_hsm(void);
void check_hsm_suspend(void);
void check_ipi(void);
void check_rfence(void);
void check_legacy(void);
void check_fp(void);
void check_heartbeat(void);
void check_reboot(void);

/* fp.S: f0..f31 = seed + i (raw bits), fcsr = seed & 0xff; fp_compare counts mismatches. */
void fp_fill(unsigned long seed);
unsigned long fp_compare(unsigned long seed);
/* fpcheck.c: the FP round trips every hart runs in check_fp; returns the failures. */
unsigned long fp_rounds(unsigned long hartid);
void check_uart(void);
void check_uart_rx(void);
void check_console_rx(void);

/* devices.c */
extern unsigned long poweroff_value; /* keel.poweroff_value; 0: the DT's /poweroff value */
void check_plic(void);
void check_rtc(void);
void check_poweroff(void);
void ext_irq(struct hart_state *h);

#endif /* __ASSEMBLER__ */
#endif
