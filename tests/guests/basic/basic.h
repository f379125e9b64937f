/*
 * basic: Keel's own bare-metal S-mode test guest (the SBI calls, interrupts
 * and harts a guest sees); the code it shares with the other test guests is
 * in tests/guests/common.
 */
#ifndef GUEST_BASIC_H
#define GUEST_BASIC_H

#include "guest.h"

#define HEARTBEAT_OFFSET 0x1000 /* from RAM base: the heartbeat check's counter */

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
} __attribute__((aligned(1 << HART_STATE_SHIFT)));

extern struct hart_state harts[MAX_HARTS];
extern volatile enum timer_mode timer_mode;
extern unsigned long ipi_acks;
extern bool fault_mode;

bool csr_probe_stimecmp(void);
/* Natively the guest is in HS-mode and reads hstatus; in a VM it gets an illegal instruction. */
bool csr_probe_hstatus(void);

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
/* The UART's interrupt source is pending at the PLIC: its line is high (false without a PLIC). */
bool uart_line_pending(void);
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
void check_virt_insn(void);
void check_memory(void);
void check_heartbeat(void);
void check_reboot(void);
/* spin.c */
void check_spin(void);
/* migrate.c */
void check_migrate(void);
/* sta.c */
void check_sta(void);
void check_sta_spin(void);

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

#endif
