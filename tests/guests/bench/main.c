/*
 * bench: what a guest's requests to its supervisor cost, counted with
 * rdinstret: SBI calls, and the timer interrupt's latency from its deadline
 * to the guest's handler.  Made for QEMU -icount shift=0,align=off,sleep=off
 * -smp 1 (make bench), where instret counts every instruction the hart
 * retires, in every mode (OpenSBI's, Keel's, the guest's), and time is the
 * same clock divided by 100 (README.md).  Runs natively and under Keel.
 *
 * With keel.bench=periodic or keel.bench=vcpu_switch[_peer] in its bootargs
 * it measures, beside a CPU hog or a second bench guest, only the timer
 * latency of a periodic task or the VCPU switch (README.md).
 *
 * Output: "BENCH <name> <avg> instr min <min> max <max> n <runs>" per figure
 * or "BENCH <name> skip <why>", "BENCH info ..." lines, then "BENCH done
 * <figures>" and an SBI shutdown (reason "system failure" after a fatal trap,
 * reported as "BENCH exception FAIL ...").
 */
#include <string.h>
#include "guest.h"

#define RUNS 1000
#define WARMUP 10
/* The timer deadline is this far ahead when armed: more than any path to the wait. */
#define LEAD_TICKS 200
#define NS_PER_S 1000000000ULL
/* keel.bench=periodic: activations, their period and the work each does (in time). */
#define PERIODIC_RUNS 200
#define PERIOD_US 1000
#define WORK_US 100
/* keel.bench=vcpu_switch: the guest's runs and gaps measured; a gap is a jump of more than this. */
#define SWITCH_RUNS 200
#define GAP_MIN 100

struct hart_state {
	unsigned long hartid;
} __attribute__((aligned(1 << HART_STATE_SHIFT)));
_Static_assert(sizeof(struct hart_state) == 1UL << HART_STATE_SHIFT, "struct hart_state size");
struct hart_state harts[MAX_HARTS];

/* wait.S */
uint64_t bench_wait_spin(uint64_t *last);
uint64_t bench_wait_wfi(uint64_t *last);
uint64_t bench_ext_irq(uint64_t *before, volatile uint8_t *ier);

static struct dt_info dt;
static uint64_t ns_per_tick;
/* instret - time * ns_per_tick (clock_offset()) */
static int64_t clock_off;
static int64_t rdinstret_cost;
static unsigned int figures;

struct stats {
	int64_t sum, min, max;
	unsigned int n;
};

static void stats_add(struct stats *s, int64_t v)
{
	if (!s->n || v < s->min)
		s->min = v;
	if (!s->n || v > s->max)
		s->max = v;
	s->sum += v;
	s->n++;
}

static void report(const char *name, const struct stats *s)
{
	int64_t avg = (s->sum + (int64_t)s->n / 2) / (int64_t)s->n;

	printk("BENCH %s %ld instr min %ld max %ld n %u\n", name, (long)avg, (long)s->min,
	       (long)s->max, s->n);
	figures++;
}

/*
 * instret - time * ns_per_tick just after a tick edge, plus 0..2: the edge
 * fell somewhere in the last round of the 3-instruction loop.
 */
static int64_t tick_edge_offset(void)
{
	uint64_t t0 = rdtime(), t, i;

	asm volatile("1: rdtime %0\n\trdinstret %1\n\tbeq %0, %2, 1b"
		     : "=&r"(t), "=&r"(i)
		     : "r"(t0));
	return (int64_t)(i - 1 - t * ns_per_tick);
}

/* Instructions retired from one rdinstret to the next: rdinstret_cost when they are adjacent. */
static int64_t rdinstret_pair(void)
{
	uint64_t t0, t1;

	asm volatile("rdinstret %0\n\trdinstret %1" : "=&r"(t0), "=&r"(t1));
	return (int64_t)(t1 - t0);
}

/* An SBI call's round trip as instret sees it: the ecall, the SBI implementation, the return. */
static int64_t timed_ecall(unsigned long ext, unsigned long fid, unsigned long arg)
{
	register unsigned long a0 asm("a0") = arg;
	register unsigned long a1 asm("a1") = 0;
	register unsigned long a6 asm("a6") = fid;
	register unsigned long a7 asm("a7") = ext;
	uint64_t t0, t1;

	asm volatile("rdinstret %0\n\tecall\n\trdinstret %1"
		     : "=&r"(t0), "=&r"(t1), "+r"(a0), "+r"(a1)
		     : "r"(a6), "r"(a7)
		     : "memory");
	return (int64_t)(t1 - t0) - rdinstret_cost;
}

static void bench_ecall(const char *name, unsigned long ext, unsigned long fid, unsigned long arg)
{
	struct stats s = { 0 };

	for (unsigned int i = 0; i < WARMUP + RUNS; i++) {
		int64_t v = timed_ecall(ext, fid, arg);

		if (i >= WARMUP)
			stats_add(&s, v);
	}
	report(name, &s);
}

/* An emulated MMIO read: one byte load from the UART's line status register. */
static void bench_mmio_read(const char *name, uint64_t addr)
{
	struct stats s = { 0 };

	for (unsigned int i = 0; i < WARMUP + RUNS; i++) {
		uint64_t t0, t1;
		unsigned long v;

		asm volatile("rdinstret %0\n\tlbu %2, 0(%3)\n\trdinstret %1"
			     : "=&r"(t0), "=&r"(t1), "=&r"(v)
			     : "r"(addr)
			     : "memory");
		if (i >= WARMUP)
			stats_add(&s, (int64_t)(t1 - t0) - rdinstret_cost);
	}
	report(name, &s);
}

/* PLIC registers (QEMU virt layout) for this hart's S-mode context. */
#define PLIC_PRIORITY(src) (4 * (src))
#define PLIC_ENABLE(ctx) (0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx) (0x200004 + 0x1000 * (ctx))
#define UART_IER 1

static volatile uint32_t *plic_reg(uint64_t off)
{
	return (volatile uint32_t *)(dt.plic_base + off);
}

/*
 * The PLIC's claim and complete (nothing pending: claim reads 0), and the
 * latency of a device interrupt: from the store that makes the UART raise
 * its THR-empty interrupt to the guest's vector, through the PLIC.
 */
static void bench_plic(unsigned long hartid)
{
	int ctx = hartid < MAX_HARTS ? dt.plic_context[hartid] : -1;
	volatile uint8_t *uart = (volatile uint8_t *)dt.uart_base;
	struct stats cc = { 0 }, lat = { 0 };
	uint32_t src = dt.uart_irq;

	if (!dt.plic_base || ctx < 0 || !dt.uart_base || !src) {
		printk("BENCH plic_claim_complete skip no PLIC context or UART interrupt\n");
		printk("BENCH ext_irq_latency skip no PLIC context or UART interrupt\n");
		return;
	}
	for (unsigned int i = 0; i < WARMUP + RUNS; i++) {
		uint64_t t0, t1;
		uint32_t id;

		asm volatile("rdinstret %0\n\tlw %2, 0(%3)\n\tsw %2, 0(%3)\n\trdinstret %1"
			     : "=&r"(t0), "=&r"(t1), "=&r"(id)
			     : "r"(plic_reg(PLIC_CLAIM(ctx)))
			     : "memory");
		if (i >= WARMUP)
			stats_add(&cc, (int64_t)(t1 - t0) - rdinstret_cost);
	}
	report("plic_claim_complete", &cc);

	*plic_reg(PLIC_PRIORITY(src)) = 1;
	plic_reg(PLIC_ENABLE(ctx))[src / 32] = 1u << (src % 32);
	*plic_reg(PLIC_THRESHOLD(ctx)) = 0;
	csr_write(CSR_SIE, SIE_SEIE);
	for (unsigned int i = 0; i < WARMUP + RUNS; i++) {
		uint64_t before, at = bench_ext_irq(&before, uart + UART_IER);
		uint32_t id = *plic_reg(PLIC_CLAIM(ctx));

		uart[UART_IER] = 0;
		*plic_reg(PLIC_CLAIM(ctx)) = id;
		csr_set(CSR_SIE, SIE_SEIE);
		if (i >= WARMUP)
			stats_add(&lat, (int64_t)(at - before) - rdinstret_cost);
	}
	csr_write(CSR_SIE, 0);
	plic_reg(PLIC_ENABLE(ctx))[src / 32] = 0;
	report("ext_irq_latency", &lat);
}

/* Instructions from a timer deadline (in ticks) to instret @at, the handler's first instruction. */
static int64_t timer_latency(uint64_t at, uint64_t deadline)
{
	return (int64_t)(at - deadline * ns_per_tick) - clock_off - rdinstret_cost;
}

/*
 * Arm the timer LEAD_TICKS ahead (SBI set_timer), wait, and count from the
 * deadline to the handler's first instruction.  For the spin wait, the info
 * line gives the part from the last spin sample to the handler.
 */
static void bench_timer(const char *name, uint64_t (*wait)(uint64_t *last))
{
	struct stats lat = { 0 }, entry = { 0 };

	for (unsigned int i = 0; i < WARMUP + RUNS; i++) {
		uint64_t deadline = rdtime() + LEAD_TICKS, at, last;

		sbi_set_timer(deadline);
		csr_set(CSR_SIE, SIE_STIE);
		at = wait(&last);
		if (i >= WARMUP) {
			stats_add(&lat, timer_latency(at, deadline));
			stats_add(&entry, (int64_t)(at - last));
		}
	}
	sbi_set_timer(UINT64_MAX);
	report(name, &lat);
	if (wait == bench_wait_spin)
		printk("BENCH info %s: handler entry %ld instr after the last spin sample (avg; "
		       "min %ld max %ld)\n",
		       name, (long)((entry.sum + entry.n / 2) / entry.n), (long)entry.min,
		       (long)entry.max);
}

/*
 * A periodic task: released every PERIOD_US (deadline D, D + P, ...), it waits
 * in WFI for its timer, then works WORK_US.  Latency: D to the handler's first
 * instruction; an activation whose work ends after the next release is
 * missed.
 */
static void bench_periodic(void)
{
	uint64_t period = PERIOD_US * (uint64_t)dt.timebase / 1000000, deadline = rdtime() + period;
	uint64_t work = WORK_US * (uint64_t)dt.timebase / 1000000;
	struct stats lat = { 0 };
	unsigned int missed = 0;

	for (unsigned int i = 0; i < WARMUP + PERIODIC_RUNS; i++, deadline += period) {
		uint64_t at, last, start;

		sbi_set_timer(deadline);
		csr_set(CSR_SIE, SIE_STIE);
		at = bench_wait_wfi(&last);
		for (start = rdtime(); rdtime() - start < work;)
			;
		if (i < WARMUP)
			continue;
		stats_add(&lat, timer_latency(at, deadline));
		if (rdtime() > deadline + period)
			missed++;
	}
	sbi_set_timer(UINT64_MAX);
	report("timer_irq_latency_periodic", &lat);
	printk("BENCH info timer_irq_latency_periodic: %u activations every %u us, %u us of work, "
	       "%u missed\n",
	       lat.n, PERIOD_US, WORK_US, missed);
}

/*
 * Spin sampling instret (a 4-instruction loop) until two samples are more
 * than GAP_MIN apart, i.e. the guest did not run in between: *out = the last
 * sample before, returns the first one after.
 */
static uint64_t next_gap(uint64_t *out)
{
	uint64_t prev, cur, d;

	asm volatile("rdinstret %1\n"
		     "1:\tmv %0, %1\n\trdinstret %1\n\tsub %2, %1, %0\n\tbltu %2, %3, 1b"
		     : "=&r"(prev), "=&r"(cur), "=&r"(d)
		     : "r"((uint64_t)GAP_MIN));
	*out = prev;
	return cur;
}

/*
 * Two such guests share a hart under round-robin: "vcpu_switch" measures
 * the gaps in its run (the switch out, the other guest's run, the switch
 * back), "vcpu_switch_peer" its runs between gaps.  instret is the hart's
 * clock, the same for both, so the two switches of each gap are the
 * differences of their samples: each prints its sums (the tool pairs them).
 * Gaps and runs 0..WARMUP-1 are skipped.  The peer prints as its next run
 * starts and spins on; the other guest waits two more gaps, so that the
 * peer's lines are out before it shuts down.
 */
static void bench_vcpu_switch(bool peer)
{
	uint64_t out, in = next_gap(&out), first_out = 0, first_in = 0, sum_out = 0, sum_in = 0;
	struct stats len = { 0 };

	for (unsigned int i = 1; i < WARMUP + SWITCH_RUNS + (peer ? 0 : 2); i++) {
		uint64_t run_in = in; /* run i: from the end of gap i - 1 to the start of gap i */

		in = next_gap(&out);
		if (i < WARMUP || i >= WARMUP + SWITCH_RUNS)
			continue;
		if (!len.n) {
			first_out = out;
			first_in = peer ? run_in : in;
		}
		sum_out += out;
		sum_in += peer ? run_in : in;
		stats_add(&len, peer ? (int64_t)(out - run_in) : (int64_t)(in - out));
	}
	printk("BENCH info vcpu_switch %s n %u first_out %lu first_in %lu sum_out %lu sum_in %lu "
	       "min %ld max %ld\n",
	       peer ? "runs" : "gaps", len.n, (unsigned long)first_out, (unsigned long)first_in,
	       (unsigned long)sum_out, (unsigned long)sum_in, (long)len.min, (long)len.max);
	if (peer)
		for (;;)
			cpu_relax();
}

enum bench_mode { MODE_FIGURES, MODE_PERIODIC, MODE_SWITCH, MODE_SWITCH_PEER, MODE_UNKNOWN };

/* keel.bench=<mode> in the bootargs; without it, the SBI, MMIO and timer figures. */
static enum bench_mode bench_mode(void)
{
	static const char *const names[] = { "periodic", "vcpu_switch", "vcpu_switch_peer" };
	const char *key = "keel.bench=", *p = dt.bootargs ? strstr(dt.bootargs, key) : NULL;
	size_t len;

	if (!p)
		return MODE_FIGURES;
	p += strlen(key);
	len = strcspn(p, " ");
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == len && !strncmp(p, names[i], len))
			return MODE_PERIODIC + i;
	return MODE_UNKNOWN;
}

void trap_handler(void)
{
	trap_fatal("BENCH", csr_read(scause), csr_read(sepc), csr_read(stval));
}

void boot_main(unsigned long hartid, const void *fdt)
{
	int64_t off_max;
	long impl;

	sbi_console_init();
	if (fdt_parse(fdt, &dt) || !dt.timebase || NS_PER_S % dt.timebase) {
		printk("BENCH FAIL no usable device tree (timebase %u Hz)\n", dt.timebase);
		sbi_shutdown(SBI_SRST_REASON_FAILURE);
	}
	ns_per_tick = NS_PER_S / dt.timebase;
	impl = sbi_ecall(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID, 0, 0, 0, 0, 0, 0).value;
	printk("BENCH info bench guest on hart %lu, timebase %u Hz, sbi impl %ld%s, %u runs after "
	       "%u warm-up\n",
	       hartid, dt.timebase, impl, impl == SBI_IMPL_OPENSBI ? " (OpenSBI)" : "", RUNS,
	       WARMUP);

	rdinstret_cost = rdinstret_pair();
	for (int i = 0; i < 100; i++) {
		int64_t c = rdinstret_pair();

		if (c < rdinstret_cost)
			rdinstret_cost = c;
	}
	clock_off = off_max = tick_edge_offset();
	/* Successive edges fall at other points of the loop: the least is the offset. */
	for (int i = 0; i < 8; i++) {
		int64_t off = tick_edge_offset();

		clock_off = off < clock_off ? off : clock_off;
		off_max = off > off_max ? off : off_max;
	}
	/* Under -icount shift=0, instret counts the nanoseconds of time's clock. */
	if (off_max - clock_off <= 2)
		printk("BENCH info clock: instret = time * %lu + %ld (icount)\n",
		       (unsigned long)ns_per_tick, (long)clock_off);
	else
		printk("BENCH info clock: instret is not locked to time (no -icount?): the figures "
		       "are not instruction counts\n");

	switch (bench_mode()) {
	case MODE_FIGURES:
		break;
	case MODE_PERIODIC:
		bench_periodic();
		goto done;
	case MODE_SWITCH:
	case MODE_SWITCH_PEER:
		bench_vcpu_switch(bench_mode() == MODE_SWITCH_PEER);
		goto done;
	default:
		printk("BENCH FAIL bootargs \"%s\": keel.bench= takes periodic, vcpu_switch or "
		       "vcpu_switch_peer\n",
		       dt.bootargs);
		sbi_shutdown(SBI_SRST_REASON_FAILURE);
	}
	bench_ecall("sbi_base_probe", SBI_EXT_BASE, SBI_BASE_PROBE_EXT, SBI_EXT_TIME);
	bench_ecall("sbi_set_timer", SBI_EXT_TIME, 0, rdtime() + 1000ULL * dt.timebase);
	sbi_set_timer(UINT64_MAX);
	if (sbi_has_dbcn)
		/* '\r' reaches the console handler but prints nothing (Keel drops it). */
		bench_ecall("sbi_dbcn_write_byte", SBI_EXT_DBCN, SBI_DBCN_WRITE_BYTE, '\r');
	else
		printk("BENCH sbi_dbcn_write_byte skip no DBCN\n");
	if (dt.uart_base)
		bench_mmio_read("mmio_uart_lsr_read", dt.uart_base + 5);
	else
		printk("BENCH mmio_uart_lsr_read skip no ns16550a in the device tree\n");
	bench_plic(hartid);
	bench_timer("timer_irq_latency_spin", bench_wait_spin);
	bench_timer("timer_irq_latency_wfi", bench_wait_wfi);
done:
	printk("BENCH done %u\n", figures);
	sbi_shutdown(SBI_SRST_REASON_NONE);
}
