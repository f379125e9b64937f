/*
 * The platform devices of QEMU virt beyond the UART, found through the
 * device tree: the PLIC (priorities, threshold, enables, claim and complete
 * with the UART's interrupt, on the boot hart's S-mode context and on
 * another hart's), the goldfish RTC (time, alarm and its interrupt) and the
 * syscon poweroff.  Natively QEMU's devices, under Keel its emulations,
 * which must answer the same.
 */
#include "basic.h"

#define PLIC_PRIORITY(irq) (4 * (irq))
#define PLIC_PENDING(irq) (0x1000 + 4 * ((irq) / 32))
#define PLIC_ENABLE(ctx, irq) (0x2000 + 0x80 * (ctx) + 4 * ((irq) / 32))
#define PLIC_THRESHOLD(ctx) (0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx) (PLIC_THRESHOLD(ctx) + 4)

#define RTC_TIME_LOW 0x00
#define RTC_TIME_HIGH 0x04
#define RTC_ALARM_LOW 0x08
#define RTC_ALARM_HIGH 0x0c
#define RTC_IRQ_ENABLED 0x10
#define RTC_ALARM_STATUS 0x18
#define RTC_CLEAR_INTERRUPT 0x1c

#define NS_PER_MS 1000000ULL
#define NS_PER_S 1000000000ULL
/* 2023-01-01 and 2100-01-01 UTC: a wall clock outside them is no wall clock. */
#define EPOCH_MIN 1672531200ULL
#define EPOCH_MAX 4102444800ULL
#define ALARM_MS 5
/* Timeouts only bound a failure. */
#define WAIT_MS 1000U

unsigned long poweroff_value;

/* External interrupts by hartid: how many were claimed, the last source, claims of 0. */
static unsigned long ext_irqs[MAX_HARTS], ext_last[MAX_HARTS], ext_none[MAX_HARTS];
/* The UART's received data is left in place this many times (its line stays up). */
static unsigned long rx_leave;
/* The RTC's time when the handler took its alarm interrupt. */
static uint64_t rtc_fired_ns;
/* Set: the handler only counts an external interrupt and masks it (seip_taken). */
static bool ext_peek;
static unsigned long ext_peeks;

static uint32_t plic_rd(uint64_t off)
{
	return *(volatile uint32_t *)(dt.plic_base + off);
}

static void plic_wr(uint64_t off, uint32_t v)
{
	*(volatile uint32_t *)(dt.plic_base + off) = v;
}

static void plic_enable(int ctx, uint32_t irq, bool on)
{
	uint32_t v = plic_rd(PLIC_ENABLE(ctx, irq)), bit = 1u << (irq % 32);

	plic_wr(PLIC_ENABLE(ctx, irq), on ? v | bit : v & ~bit);
}

static bool plic_pending(uint32_t irq)
{
	return (plic_rd(PLIC_PENDING(irq)) >> (irq % 32)) & 1;
}

bool uart_line_pending(void)
{
	return dt.plic_base && dt.uart_irq && plic_pending(dt.uart_irq);
}

static uint32_t rtc_rd(unsigned int off)
{
	return *(volatile uint32_t *)(dt.rtc_base + off);
}

static void rtc_wr(unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(dt.rtc_base + off) = v;
}

/* TIME_LOW first: reading it latches the high half. */
static uint64_t rtc_time(void)
{
	uint64_t lo = rtc_rd(RTC_TIME_LOW);

	return (uint64_t)rtc_rd(RTC_TIME_HIGH) << 32 | lo;
}

/* The UART's interrupt: IIR (which acknowledges THR empty), received data drained. */
static void uart_service(void)
{
	uint8_t id = uart_in(UART_IIR) & 0x0f;

	if (id != IIR_RDI && id != IIR_CTI)
		return;
	/*
	 * Left in place, the line is still up at completion: the spec's gateway
	 * forwards it again.  QEMU's PLIC only takes a level when the device
	 * sets it, so IER is toggled to make QEMU's UART set it again.
	 */
	if (rx_leave) {
		rx_leave--;
		uart_out(UART_IER, 0);
		uart_out(UART_IER, IER_RDI);
		return;
	}
	while (uart_in(UART_LSR) & LSR_DR)
		uart_in(UART_RBR);
}

/* An external interrupt (trap.c): claimed from this hart's context, served, completed. */
void ext_irq(struct hart_state *h)
{
	int ctx = dt.plic_base ? dt.plic_context[h->hartid] : -1;
	uint32_t id;

	if (ctx < 0) {
		printk("BASIC: exception FAIL external interrupt on hart %lu without a PLIC "
		       "context\n",
		       h->hartid);
		sbi_shutdown(SBI_SRST_REASON_FAILURE);
	}
	if (READ_ONCE(ext_peek)) {
		csr_clear(CSR_SIE, SIE_SEIE);
		WRITE_ONCE(ext_peeks, ext_peeks + 1);
		return;
	}
	id = plic_rd(PLIC_CLAIM(ctx));
	if (!id) {
		ext_none[h->hartid]++;
		return;
	}
	if (id == dt.uart_irq) {
		uart_service();
	} else if (id == dt.rtc_irq) {
		rtc_wr(RTC_CLEAR_INTERRUPT, 1);
		WRITE_ONCE(rtc_fired_ns, rtc_time());
	}
	WRITE_ONCE(ext_last[h->hartid], id);
	__atomic_fetch_add(&ext_irqs[h->hartid], 1, __ATOMIC_SEQ_CST);
	plic_wr(PLIC_CLAIM(ctx), id);
	/* Nobody serves any other source: off, or it would come back at once. */
	if (id != dt.uart_irq && id != dt.rtc_irq)
		plic_enable(ctx, id, false);
}

/*
 * Whether this hart's external interrupt is pending, seen by taking it
 * (interrupts off on entry and return): in VS-mode, QEMU 7.2 masks what
 * sip reads with the bits it lets the guest write, so sip.SEIP reads 0
 * there whatever a hypervisor raised.  Waits up to @ms for it.
 */
static bool seip_taken(uint64_t ms)
{
	unsigned long n = READ_ONCE(ext_peeks);
	uint64_t end = rdtime() + ms_to_ticks(ms);

	WRITE_ONCE(ext_peek, true);
	csr_set(CSR_SIE, SIE_SEIE);
	irq_enable();
	while (READ_ONCE(ext_peeks) == n && rdtime() < end)
		cpu_relax();
	irq_disable();
	WRITE_ONCE(ext_peek, false);
	csr_set(CSR_SIE, SIE_SEIE);
	return READ_ONCE(ext_peeks) != n;
}

/* Raised: at once (a hypervisor raises it as the guest enters again); lowered: none in 2 ms. */
static void expect_seip(struct check *c, const char *when, bool want)
{
	if (seip_taken(want ? WAIT_MS : 2) != want)
		check_fail(c, "%s: external interrupt %s", when, want ? "not pending" : "pending");
}

/* A hart other than the boot hart, parked, with a context of its own; ~0 when none. */
static unsigned long other_hart(struct check *c)
{
	unsigned int i;

	for (i = 0; i < dt.nr_harts; i++) {
		unsigned long hid = dt.hartids[i];

		if (hid == boot_hartid || !READ_ONCE(sec_up[hid]))
			continue;
		if (dt.plic_context[hid] < 0) {
			check_fail(c, "no S-mode context for hart %lu in interrupts-extended", hid);
			continue;
		}
		return hid;
	}
	return ~0UL;
}

/* The UART's THR-empty interrupt routed to another hart's context only. */
static unsigned long plic_route(struct check *c, int ctx, uint32_t irq)
{
	unsigned long other, base, mine = READ_ONCE(ext_irqs[boot_hartid]);

	park_start(c);
	other = other_hart(c);
	if (other != ~0UL) {
		base = READ_ONCE(ext_irqs[other]);
		plic_enable(ctx, irq, false);
		plic_enable(dt.plic_context[other], irq, true);
		/* OpenSBI leaves a started hart's S-mode threshold at 7. */
		plic_wr(PLIC_THRESHOLD(dt.plic_context[other]), 0);
		uart_out(UART_IER, IER_THRI);
		if (!wait_ge_idle(&ext_irqs[other], base + 1, WAIT_MS))
			check_fail(c, "hart %lu took no interrupt on context %d", other,
				   dt.plic_context[other]);
		else if (READ_ONCE(ext_last[other]) != irq)
			check_fail(c, "hart %lu claimed %lu, want %u", other,
				   READ_ONCE(ext_last[other]), irq);
		if (READ_ONCE(ext_irqs[boot_hartid]) != mine)
			check_fail(c, "the boot hart took the other hart's interrupt");
		plic_enable(dt.plic_context[other], irq, false);
		uart_out(UART_IER, 0);
	}
	park_stop(c);
	return other;
}

void check_plic(void)
{
	struct check c = { 0 };
	unsigned long me = boot_hartid, n, other = ~0UL;
	uint32_t irq = dt.uart_irq, v;
	int ctx = dt.plic_context[me];

	if (!dt.plic_base) {
		report_skip("plic", "no PLIC in the device tree");
		return;
	}
	if (!uart_find("plic"))
		return;
	if (!irq || irq > dt.plic_ndev || ctx < 0) {
		report_skip("plic", "no UART interrupt or no S-mode context for the boot hart");
		return;
	}
	if (!uart_reset())
		check_fail(&c, "UART transmitter not idle within %u ms", WAIT_MS);
	irq_disable();
	csr_set(CSR_SIE, SIE_SEIE);
	plic_enable(ctx, irq, false);
	plic_wr(PLIC_THRESHOLD(ctx), 0);

	/* Priorities and thresholds hold 3 bits (QEMU virt: 7 levels). */
	plic_wr(PLIC_PRIORITY(irq), 7);
	v = plic_rd(PLIC_PRIORITY(irq));
	if (v != 7)
		check_fail(&c, "priority 7 reads %u", v);
	plic_wr(PLIC_PRIORITY(irq), 1);
	if (plic_rd(PLIC_CLAIM(ctx)))
		check_fail(&c, "claim with nothing pending is not 0");

	/* THR empty: the line rises, the source is pending, sip.SEIP follows the context. */
	plic_enable(ctx, irq, true);
	uart_out(UART_IER, IER_THRI);
	if (!plic_pending(irq))
		check_fail(&c, "source %u not pending with THR empty", irq);
	expect_seip(&c, "enabled", true);
	plic_wr(PLIC_THRESHOLD(ctx), 1);
	expect_seip(&c, "threshold 1 (= priority)", false);
	if (plic_rd(PLIC_CLAIM(ctx)))
		check_fail(&c, "claim under the threshold is not 0");
	if (!plic_pending(irq))
		check_fail(&c, "source %u not pending under the threshold", irq);
	plic_wr(PLIC_THRESHOLD(ctx), 0);
	expect_seip(&c, "threshold 0", true);
	/*
	 * Disabled: nothing to claim.  QEMU 7.2's PLIC moves its outputs on
	 * claims, threshold and priority writes, not on enable writes: the
	 * claim lowers SEIP there, the threshold write raises it again.
	 */
	plic_enable(ctx, irq, false);
	if (plic_rd(PLIC_CLAIM(ctx)))
		check_fail(&c, "claim of a disabled source is not 0");
	expect_seip(&c, "disabled", false);
	plic_enable(ctx, irq, true);
	plic_wr(PLIC_THRESHOLD(ctx), 0);
	expect_seip(&c, "enabled again", true);

	/* Taken: the handler claims it, reads IIR (the line drops) and completes. */
	n = READ_ONCE(ext_irqs[me]);
	irq_enable();
	if (!wait_ge(&ext_irqs[me], n + 1, WAIT_MS))
		check_fail(&c, "no interrupt taken");
	irq_disable();
	if (READ_ONCE(ext_irqs[me]) != n + 1 || READ_ONCE(ext_last[me]) != irq)
		check_fail(&c, "%lu interrupts, last source %lu; want 1 of source %u",
			   READ_ONCE(ext_irqs[me]) - n, READ_ONCE(ext_last[me]), irq);
	if (plic_pending(irq))
		check_fail(&c, "source %u still pending after IIR was read", irq);
	expect_seip(&c, "served", false);
	/* Completing a source that is not in service changes nothing. */
	plic_wr(PLIC_CLAIM(ctx), irq);
	if (plic_rd(PLIC_CLAIM(ctx)))
		check_fail(&c, "claim after a stray completion is not 0");

	/* Received data left in place at completion comes back (the line is still high). */
	uart_out(UART_MCR, MCR_LOOP);
	uart_out(UART_IER, IER_RDI);
	n = READ_ONCE(ext_irqs[me]);
	WRITE_ONCE(rx_leave, 1);
	uart_out(UART_THR, 'P');
	irq_enable();
	if (!wait_ge(&ext_irqs[me], n + 2, WAIT_MS))
		check_fail(&c, "received data: %lu interrupts, want 2",
			   READ_ONCE(ext_irqs[me]) - n);
	irq_disable();
	if (uart_in(UART_LSR) & LSR_DR)
		check_fail(&c, "received data not drained");
	uart_out(UART_IER, 0);
	uart_out(UART_MCR, 0);

	if (dt.nr_harts > 1 && has_ext_hsm)
		other = plic_route(&c, ctx, irq);
	plic_enable(ctx, irq, false);
	plic_wr(PLIC_PRIORITY(irq), 0);
	csr_clear(CSR_SIE, SIE_SEIE);
	irq_enable();
	if (other == ~0UL)
		check_end(&c, "plic", "%u sources at 0x%lx, UART source %u on context %d",
			  dt.plic_ndev, (unsigned long)dt.plic_base, irq, ctx);
	else
		check_end(&c, "plic",
			  "%u sources at 0x%lx, UART source %u on context %d and hart %lu's %d",
			  dt.plic_ndev, (unsigned long)dt.plic_base, irq, ctx, other,
			  dt.plic_context[other]);
}

/*
 * The alarm ALARM_MS ahead; through the PLIC when there is one for it.  An RTC
 * promises that the alarm runs until its time, not that the guest reads its
 * status before then: a host that deschedules QEMU's thread for ALARM_MS
 * between reading the time and reading ALARM_STATUS lets it fire, natively as
 * under Keel.  So "not running" is a failure while the time read after the
 * status is still before the alarm; past it, the interrupt (or the status,
 * polled) still has to come, at or after the alarm, and once.
 */
static void rtc_alarm(struct check *c, bool plic)
{
	unsigned long n = READ_ONCE(ext_irqs[boot_hartid]);
	int ctx = dt.plic_context[boot_hartid];
	uint64_t alarm, seen, end = rdtime() + ms_to_ticks(WAIT_MS);
	uint32_t running;
	bool taken = false;

	if (plic) {
		plic_wr(PLIC_PRIORITY(dt.rtc_irq), 1);
		plic_enable(ctx, dt.rtc_irq, true);
		/* OpenSBI leaves the boot hart's S-mode threshold at 7 as well. */
		plic_wr(PLIC_THRESHOLD(ctx), 0);
		csr_set(CSR_SIE, SIE_SEIE);
	}
	/*
	 * Volatile, so it stays before the alarm is armed: the compiler moved a
	 * plain store past the MMIO accesses, over the time the handler wrote
	 * when the alarm fired at once (reported as an interrupt 1.8e18 ns early).
	 */
	WRITE_ONCE(rtc_fired_ns, 0);
	rtc_wr(RTC_IRQ_ENABLED, 1);
	alarm = rtc_time() + ALARM_MS * NS_PER_MS;
	rtc_wr(RTC_ALARM_HIGH, (uint32_t)(alarm >> 32));
	rtc_wr(RTC_ALARM_LOW, (uint32_t)alarm);
	running = rtc_rd(RTC_ALARM_STATUS);
	seen = rtc_time();
	if (running != 1 && seen < alarm)
		check_fail(c, "alarm %u ms ahead not running %lu ns before its time", ALARM_MS,
			   (unsigned long)(alarm - seen));
	else if (running != 1)
		printk("BASIC: info rtc alarm status read %lu us after the alarm's time "
		       "(the guest was not running)\n",
		       (unsigned long)((seen - alarm) / 1000));
	if (plic) {
		if (!wait_ge(&ext_irqs[boot_hartid], n + 1, WAIT_MS))
			check_fail(c, "no alarm interrupt within %u ms", WAIT_MS);
		else if (READ_ONCE(ext_last[boot_hartid]) != dt.rtc_irq)
			check_fail(c, "interrupt from source %lu, want %u",
				   READ_ONCE(ext_last[boot_hartid]), dt.rtc_irq);
		else if (READ_ONCE(rtc_fired_ns) < alarm)
			check_fail(c, "alarm interrupt %lu ns early",
				   (unsigned long)(alarm - READ_ONCE(rtc_fired_ns)));
		else
			taken = true;
	}
	while (rtc_rd(RTC_ALARM_STATUS) && rdtime() < end)
		cpu_relax();
	if (rtc_rd(RTC_ALARM_STATUS))
		check_fail(c, "alarm still running after %u ms", WAIT_MS);
	if (plic) {
		/* An alarm that fires again, or a line that stays up, interrupts meanwhile. */
		delay_ms(ALARM_MS);
		if (taken && READ_ONCE(ext_irqs[boot_hartid]) != n + 1)
			check_fail(c, "%lu alarm interrupts, want 1",
				   READ_ONCE(ext_irqs[boot_hartid]) - n);
		csr_clear(CSR_SIE, SIE_SEIE);
		plic_enable(ctx, dt.rtc_irq, false);
		plic_wr(PLIC_PRIORITY(dt.rtc_irq), 0);
	}
	rtc_wr(RTC_IRQ_ENABLED, 0);
	rtc_wr(RTC_CLEAR_INTERRUPT, 1);
}

void check_rtc(void)
{
	struct check c = { 0 };
	uint64_t t1, t2, us;
	bool plic = dt.plic_base && dt.rtc_irq && dt.rtc_irq <= dt.plic_ndev &&
		    dt.plic_context[boot_hartid] >= 0;

	if (!dt.rtc_base) {
		report_skip("rtc", "no google,goldfish-rtc in the device tree");
		return;
	}
	t1 = rtc_time();
	delay_ms(10);
	t2 = rtc_time();
	us = (t2 - t1) / 1000;
	if (t2 <= t1 || us < 5000 || us > 1000000)
		check_fail(&c, "10 ms of timebase read as %lu us of RTC time", (unsigned long)us);
	if (t1 / NS_PER_S < EPOCH_MIN || t1 / NS_PER_S > EPOCH_MAX)
		check_fail(&c, "%lu s since 1970 is not a plausible date",
			   (unsigned long)(t1 / NS_PER_S));
	rtc_alarm(&c, plic);
	check_end(&c, "rtc", "%lu s since 1970, 10 ms read as %lu us, alarm %s",
		  (unsigned long)(t1 / NS_PER_S), (unsigned long)us,
		  plic ? "interrupt taken" : "polled");
}

/* By name only: natively QEMU exits, under Keel the guest stops. */
void check_poweroff(void)
{
	struct check c = { 0 };
	uint32_t value = poweroff_value ? (uint32_t)poweroff_value : dt.poweroff_value;

	if (!dt.poweroff_addr) {
		report_skip("poweroff", "no /poweroff with a regmap in the device tree");
		return;
	}
	printk("BASIC: info poweroff: writing 0x%x to 0x%lx\n", value,
	       (unsigned long)dt.poweroff_addr);
	*(volatile uint32_t *)dt.poweroff_addr = value;
	delay_ms(100);
	check_fail(&c, "still running 100 ms after writing 0x%x", value);
	check_end(&c, "poweroff", NULL);
}
