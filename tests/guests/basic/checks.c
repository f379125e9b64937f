/*
 * The checks.  Each one prints exactly one "BASIC: <name> ok|FAIL|skip" line;
 * informational lines start with "BASIC: info".
 *
 * Error codes are those of the SBI v2.0 spec.  Where OpenSBI 1.1 (the native
 * reference) does not follow it, the check accepts OpenSBI's answer only
 * when the implementation id says OpenSBI, and says so in a comment.
 */
#include "basic.h"

#define NOT_AN_EXTENSION 0x4e4f5045UL /* "NOPE": no such SBI extension */
#define TIMER_ROUNDS 20
/* Timeouts only bound a failure; QEMU vCPU threads share a loaded host. */
#define WAIT_MS 1000U

static const char *impl_name(unsigned long id)
{
	static const char *const names[] = { "BBL",	"OpenSBI", "Xvisor", "KVM",
					     "RustSBI", "Diosix",  "Coffer", "Xen" };

	return id < sizeof(names) / sizeof(names[0]) ? names[id] : "unknown";
}

static unsigned long max_hartid(void)
{
	unsigned long m = 0;
	unsigned int i;

	for (i = 0; i < dt.nr_harts; i++)
		if (dt.hartids[i] > m)
			m = dt.hartids[i];
	return m;
}

/* ------------------------------------------------------------------ BASE */

void check_sbi_base(void)
{
	static const struct {
		const char *name;
		unsigned long eid;
	} exts[] = {
		{ "TIME", SBI_EXT_TIME },
		{ "IPI", SBI_EXT_IPI },
		{ "RFNC", SBI_EXT_RFENCE },
		{ "HSM", SBI_EXT_HSM },
		{ "SRST", SBI_EXT_SRST },
		{ "DBCN", SBI_EXT_DBCN },
		{ "LEGACY", SBI_EXT_LEGACY_SET_TIMER },
	};
	struct check c = { 0 };
	char line[160];
	size_t n, i;
	struct sbiret r;
	unsigned long spec, impl, impl_ver;

	r = sbi_ecall(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0, 0, 0, 0);
	spec = r.value;
	if (r.error)
		check_fail(&c, "get_spec_version error %ld", r.error);
	if (spec & (1UL << 31))
		check_fail(&c, "spec version bit 31 set (0x%lx)", spec);
	if (spec < 2) /* (major 0 << 24) | minor 2 */
		check_fail(&c, "spec version 0x%lx < 0.2", spec);

	r = sbi_ecall(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID, 0, 0, 0, 0, 0, 0);
	impl = r.value;
	if (r.error)
		check_fail(&c, "get_impl_id error %ld", r.error);
	r = sbi_ecall(SBI_EXT_BASE, SBI_BASE_GET_IMPL_VERSION, 0, 0, 0, 0, 0, 0);
	impl_ver = r.value;
	if (r.error)
		check_fail(&c, "get_impl_version error %ld", r.error);
	for (i = SBI_BASE_GET_MVENDORID; i <= SBI_BASE_GET_MIMPID; i++) {
		r = sbi_ecall(SBI_EXT_BASE, i, 0, 0, 0, 0, 0, 0);
		if (r.error)
			check_fail(&c, "BASE fid %lu error %ld", (unsigned long)i, r.error);
	}
	printk("BASIC: info sbi spec %lu.%lu impl %s (%lu) version 0x%lx\n", (spec >> 24) & 0x7f,
	       spec & 0xffffff, impl_name(impl), impl, impl_ver);

	n = snprintk(line, sizeof(line), "BASIC: info sbi extensions");
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		r = sbi_ecall(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, exts[i].eid, 0, 0, 0, 0, 0);
		if (r.error)
			check_fail(&c, "probe %s error %ld", exts[i].name, r.error);
		if (n < sizeof(line))
			n += snprintk(line + n, sizeof(line) - n, " %s=%s", exts[i].name,
				      r.value ? "yes" : "no");
	}
	printk("%s sstc=%s\n", line, has_sstc ? "yes" : "no");

	r = sbi_ecall(SBI_EXT_BASE, SBI_BASE_PROBE_EXT, NOT_AN_EXTENSION, 0, 0, 0, 0, 0);
	if (r.error || r.value)
		check_fail(&c, "probe of unknown extension: error %ld value %ld", r.error, r.value);
	r = sbi_ecall(SBI_EXT_BASE, 0x7fff, 0, 0, 0, 0, 0, 0);
	if (r.error != SBI_ERR_NOT_SUPPORTED)
		check_fail(&c, "BASE unknown fid: error %ld, want -2", r.error);
	r = sbi_ecall(NOT_AN_EXTENSION, 0, 0, 0, 0, 0, 0, 0);
	if (r.error != SBI_ERR_NOT_SUPPORTED)
		check_fail(&c, "unknown extension: error %ld, want -2", r.error);

	check_end(&c, "sbi_base", "spec %lu.%lu impl %lu", (spec >> 24) & 0x7f, spec & 0xffffff,
		  impl);
}

/* --------------------------------------------------------------- console */

void check_console(void)
{
	static const char legacy_msg[] = "BASIC: info console legacy putchar prints\n";
	static const char byte_msg[] = "BASIC: info console DBCN write_byte prints\n";
	static const char write_msg[] = "BASIC: info console DBCN write prints\n";
	static char rx[8];
	struct check c = { 0 };
	struct sbiret r;
	size_t i;
	long e;

	for (i = 0; i < sizeof(legacy_msg) - 1; i++) {
		e = sbi_legacy(SBI_EXT_LEGACY_PUTCHAR, legacy_msg[i]);
		if (e) {
			check_fail(&c, "legacy putchar returned %ld", e);
			break;
		}
	}

	if (!sbi_has_dbcn) {
		check_end(&c, "console", "legacy only (no DBCN: DBCN checks skipped)");
		return;
	}
	for (i = 0; i < sizeof(byte_msg) - 1; i++) {
		r = sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_WRITE_BYTE, byte_msg[i], 0, 0, 0, 0, 0);
		if (r.error) {
			check_fail(&c, "DBCN write_byte error %ld", r.error);
			break;
		}
	}
	r = sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_WRITE, sizeof(write_msg) - 1, (unsigned long)write_msg,
		      0, 0, 0, 0);
	if (r.error || r.value != sizeof(write_msg) - 1)
		check_fail(&c, "DBCN write error %ld value %ld", r.error, r.value);
	r = sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_WRITE, 16, fault_addr, 0, 0, 0, 0);
	if (r.error != SBI_ERR_INVALID_PARAM && r.error != SBI_ERR_INVALID_ADDRESS)
		check_fail(&c, "DBCN write from 0x%lx outside RAM: error %ld, want -3 or -5",
			   fault_addr, r.error);
	/* Nothing is typed during the test: a read returns 0 bytes. */
	r = sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_READ, sizeof(rx), (unsigned long)rx, 0, 0, 0, 0);
	if (r.error || r.value != 0)
		check_fail(&c, "DBCN read with no input: error %ld value %ld, want 0/0", r.error,
			   r.value);
	r = sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_READ, 16, fault_addr, 0, 0, 0, 0);
	if (r.error != SBI_ERR_INVALID_PARAM && r.error != SBI_ERR_INVALID_ADDRESS)
		check_fail(&c, "DBCN read to 0x%lx outside RAM: error %ld, want -3 or -5",
			   fault_addr, r.error);
	check_end(&c, "console", "legacy and DBCN");
}

/* ----------------------------------------------------------------- timers */

static long timer_arm(enum timer_mode mode, uint64_t deadline)
{
	switch (mode) {
	case TIMER_SSTC:
		csr_write(CSR_STIMECMP, deadline);
		return 0;
	case TIMER_LEGACY:
		return sbi_legacy(SBI_EXT_LEGACY_SET_TIMER, deadline);
	default:
		return sbi_set_timer(deadline);
	}
}

/*
 * Wait until the timer interrupt count reaches want.  with_wfi sleeps in WFI
 * (interrupts masked between the test and the WFI, so a wake-up cannot be
 * lost); it relies on the armed timer to wake the hart.
 */
static bool wait_timer_irq(struct hart_state *h, unsigned long want, bool with_wfi)
{
	if (!with_wfi)
		return wait_ge(&h->timer_irqs, want, WAIT_MS);
	irq_disable();
	while (READ_ONCE(h->timer_irqs) < want) {
		wfi();
		irq_enable();
		irq_disable();
	}
	irq_enable();
	return true;
}

/* Twenty one-shot deadlines 1 ms ahead, one in the past, and a disarm. */
static void timer_check(const char *name, enum timer_mode mode)
{
	struct hart_state *h = this_hart();
	uint64_t sum = 0, max = 0, min = UINT64_MAX, deadline, lat;
	struct check c = { 0 };
	unsigned int i;
	long e;

	timer_mode = mode;
	csr_set(CSR_SIE, SIE_STIE);
	for (i = 0; i < TIMER_ROUNDS && !c.failed; i++) {
		WRITE_ONCE(h->timer_irqs, 0);
		WRITE_ONCE(h->timer_still_pending, 0);
		deadline = rdtime() + ms_to_ticks(1);
		e = timer_arm(mode, deadline);
		if (e) {
			check_fail(&c, "arming returned %ld", e);
			break;
		}
		if (!wait_timer_irq(h, 1, i & 1)) {
			check_fail(&c, "round %u: no interrupt within %u ms", i, WAIT_MS);
			break;
		}
		if (h->timer_at < deadline) {
			check_fail(&c, "round %u: interrupt %lu ticks before the deadline", i,
				   (unsigned long)(deadline - h->timer_at));
			break;
		}
		lat = h->timer_at - deadline;
		sum += lat;
		if (lat > max)
			max = lat;
		if (lat < min)
			min = lat;
		delay_ms(2); /* a second delivery would show here */
		if (READ_ONCE(h->timer_irqs) != 1)
			check_fail(&c, "round %u: %lu interrupts for one deadline", i,
				   READ_ONCE(h->timer_irqs));
		if (READ_ONCE(h->timer_still_pending)) {
			check_fail(&c, "round %u: STIP still pending after disarming", i);
			csr_set(CSR_SIE, SIE_STIE);
		}
	}

	/* A deadline in the past fires at once. */
	if (!c.failed) {
		WRITE_ONCE(h->timer_irqs, 0);
		deadline = rdtime();
		timer_arm(mode, deadline - 1);
		if (!wait_ge(&h->timer_irqs, 1, WAIT_MS))
			check_fail(&c, "deadline in the past: no interrupt");
		delay_ms(1);
	}

	/*
	 * Disarm: arm 1 ms ahead, then UINT64_MAX; nothing may arrive within
	 * 20 ms.  Interrupts are masked between the two, as QEMU's clock follows
	 * the host's and a descheduled vCPU thread can miss the 1 ms legitimately;
	 * the second call must then clear the pending STIP.
	 */
	WRITE_ONCE(h->timer_irqs, 0);
	irq_disable();
	timer_arm(mode, rdtime() + ms_to_ticks(1));
	e = timer_arm(mode, UINT64_MAX);
	irq_enable();
	if (e)
		check_fail(&c, "arming UINT64_MAX returned %ld", e);
	delay_ms(20);
	if (READ_ONCE(h->timer_irqs))
		check_fail(&c, "%lu interrupt(s) after disarming with UINT64_MAX",
			   READ_ONCE(h->timer_irqs));
	if (csr_read(CSR_SIP) & SIP_STIP)
		check_fail(&c, "STIP pending after disarming");

	timer_mode = TIMER_SBI;
	if (c.failed) {
		check_end(&c, name, NULL);
		return;
	}
	check_end(&c, name, "latency avg %lu min %lu max %lu ticks (%u rounds, timebase %u Hz)",
		  (unsigned long)(sum / TIMER_ROUNDS), (unsigned long)min, (unsigned long)max,
		  TIMER_ROUNDS, dt.timebase);
}

void check_timer_sbi(void)
{
	if (!has_ext_time) {
		report_skip("timer_sbi", "no TIME extension");
		return;
	}
	timer_check("timer_sbi", TIMER_SBI);
}

void check_timer_sstc(void)
{
	if (!has_sstc) {
		report_skip("timer_sstc", "no sstc");
		return;
	}
	timer_check("timer_sstc", TIMER_SSTC);
}

/* -------------------------------------------------------------------- HSM */

static const char *hsm_state_name(long s)
{
	static const char *const names[] = { "STARTED",	      "STOPPED",   "START_PENDING",
					     "STOP_PENDING",  "SUSPENDED", "SUSPEND_PENDING",
					     "RESUME_PENDING" };

	return s >= 0 && s < 7 ? names[s] : "?";
}

static void hsm_one_hart(struct check *c, unsigned long hartid)
{
	unsigned long seen = 0;
	struct sbiret r;

	r = sbi_hart_status(hartid);
	if (r.error || r.value != SBI_HSM_STOPPED) {
		/* e.g. a hart that firmware sent to the entry too and that is still stopping */
		if (!wait_hart_status(hartid, SBI_HSM_STOPPED, WAIT_MS, NULL)) {
			check_fail(c, "hart %lu: status %ld (%s) before start, want STOPPED",
				   hartid, r.value, hsm_state_name(r.value));
			return;
		}
	}
	WRITE_ONCE(sec_up[hartid], 0);
	WRITE_ONCE(sec_release[hartid], 0);
	WRITE_ONCE(sec_bad_opaque[hartid], 0);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	r = sbi_hart_start(hartid, (unsigned long)secondary_entry, opaque_for(hartid, JOB_HSM));
	if (r.error) {
		check_fail(c, "hart %lu: hart_start error %ld", hartid, r.error);
		return;
	}
	if (!wait_hart_status(hartid, SBI_HSM_STARTED, WAIT_MS, &seen)) {
		check_fail(c, "hart %lu: never STARTED (seen mask 0x%lx)", hartid, seen);
		return;
	}
	if (!wait_ge_idle(&sec_up[hartid], 1, WAIT_MS)) {
		check_fail(c, "hart %lu: STARTED but did not run", hartid);
		return;
	}
	if (READ_ONCE(sec_bad_opaque[hartid]))
		check_fail(c, "hart %lu: a1 was 0x%lx, want opaque 0x%lx", hartid,
			   READ_ONCE(sec_bad_opaque[hartid]), opaque_for(hartid, JOB_HSM));

	/* It waits for release, so it is certainly STARTED now. */
	r = sbi_hart_start(hartid, (unsigned long)secondary_entry, opaque_for(hartid, JOB_HSM));
	if (r.error != SBI_ERR_ALREADY_AVAILABLE)
		check_fail(c, "hart %lu: second hart_start error %ld, want -6", hartid, r.error);

	__atomic_store_n(&sec_release[hartid], 1, __ATOMIC_RELEASE);
	seen = 0;
	if (!wait_hart_status(hartid, SBI_HSM_STOPPED, WAIT_MS, &seen))
		check_fail(c, "hart %lu: did not reach STOPPED after hart_stop (seen mask 0x%lx)",
			   hartid, seen);
}

void check_hsm(void)
{
	unsigned long invalid = max_hartid() + 1;
	struct check c = { 0 };
	unsigned int i, started = 0;
	struct sbiret r;

	if (!has_ext_hsm) {
		report_skip("hsm", "no HSM extension");
		return;
	}
	r = sbi_hart_status(boot_hartid);
	if (r.error || r.value != SBI_HSM_STARTED)
		check_fail(&c, "own status error %ld value %ld, want STARTED", r.error, r.value);
	r = sbi_hart_start(boot_hartid, (unsigned long)secondary_entry,
			   opaque_for(boot_hartid, JOB_HSM));
	if (r.error != SBI_ERR_ALREADY_AVAILABLE)
		check_fail(&c, "hart_start of the running boot hart: error %ld, want -6", r.error);

	for (i = 0; i < dt.nr_harts; i++) {
		if (dt.hartids[i] == boot_hartid)
			continue;
		hsm_one_hart(&c, dt.hartids[i]);
		started++;
	}

	r = sbi_hart_start(invalid, (unsigned long)secondary_entry, 0);
	if (r.error != SBI_ERR_INVALID_PARAM)
		check_fail(&c, "hart_start of hartid %lu: error %ld, want -3", invalid, r.error);
	r = sbi_hart_start(-1UL, (unsigned long)secondary_entry, 0);
	if (r.error != SBI_ERR_INVALID_PARAM)
		check_fail(&c, "hart_start of hartid -1: error %ld, want -3", r.error);
	r = sbi_hart_status(invalid);
	if (r.error != SBI_ERR_INVALID_PARAM)
		check_fail(&c, "hart_get_status of hartid %lu: error %ld, want -3", invalid,
			   r.error);
	r = sbi_hart_status(-1UL);
	if (r.error != SBI_ERR_INVALID_PARAM)
		check_fail(&c, "hart_get_status of hartid -1: error %ld, want -3", r.error);

	check_end(&c, "hsm", "%u hart(s) started and stopped", started);
}

void check_hsm_suspend(void)
{
	struct hart_state *h = this_hart();
	struct check c = { 0 };
	uint64_t deadline, woke;
	struct sbiret r;

	if (!has_ext_hsm || !has_ext_time) {
		report_skip("hsm_suspend", "no HSM or TIME extension");
		return;
	}
	timer_mode = TIMER_SBI;
	csr_set(CSR_SIE, SIE_STIE);

	/*
	 * A reserved suspend type must fail with -3.  The timer is armed first,
	 * masked, so a wrong implementation that suspends anyway still wakes.
	 */
	irq_disable();
	WRITE_ONCE(h->timer_irqs, 0);
	sbi_set_timer(rdtime() + ms_to_ticks(5));
	r = sbi_ecall(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, 1, 0, 0, 0, 0, 0);
	sbi_set_timer(UINT64_MAX);
	irq_enable();
	if (r.error == SBI_ERR_NOT_SUPPORTED) {
		report_skip("hsm_suspend", "hart_suspend not supported");
		return;
	}
	if (r.error != SBI_ERR_INVALID_PARAM)
		check_fail(&c, "suspend type 1 (reserved): error %ld, want -3", r.error);

	/*
	 * Retentive suspend, woken by a timer interrupt.  Interrupts are masked
	 * (sstatus.SIE) across the call so the wake-up cannot be taken before the
	 * hart suspends; sie.STIE alone is enough to wake it.
	 */
	irq_disable();
	WRITE_ONCE(h->timer_irqs, 0);
	deadline = rdtime() + ms_to_ticks(5);
	sbi_set_timer(deadline);
	r = sbi_ecall(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, SBI_HSM_SUSPEND_RET_DEFAULT, 0, 0, 0, 0,
		      0);
	woke = rdtime();
	irq_enable();
	if (r.error == SBI_ERR_NOT_SUPPORTED) {
		sbi_set_timer(UINT64_MAX);
		report_skip("hsm_suspend", "retentive suspend not supported");
		return;
	}
	if (r.error) {
		sbi_set_timer(UINT64_MAX);
		check_fail(&c, "retentive suspend error %ld", r.error);
	} else {
		if (!wait_ge(&h->timer_irqs, 1, WAIT_MS))
			check_fail(&c, "no timer interrupt after resuming");
		if (woke < deadline)
			check_fail(&c, "resumed %lu ticks before the timer deadline",
				   (unsigned long)(deadline - woke));
	}
	r = sbi_hart_status(boot_hartid);
	if (r.error || r.value != SBI_HSM_STARTED)
		check_fail(&c, "status after resume: error %ld value %ld, want STARTED", r.error,
			   r.value);
	check_end(&c, "hsm_suspend", "retentive, woke %lu ticks after the deadline",
		  (unsigned long)(woke - deadline));
}

/* ------------------------------------------------------- parked secondaries */

/* Start every other hart into the WFI loop of JOB_PARK; returns how many run. */
unsigned int park_start(struct check *c)
{
	unsigned int i, n = 0;

	__atomic_store_n(&park_quit, 0, __ATOMIC_SEQ_CST);
	for (i = 0; i < dt.nr_harts; i++) {
		unsigned long hid = dt.hartids[i];
		struct sbiret r;

		if (hid == boot_hartid)
			continue;
		if (!wait_hart_status(hid, SBI_HSM_STOPPED, WAIT_MS, NULL)) {
			check_fail(c, "hart %lu not STOPPED before parking", hid);
			continue;
		}
		WRITE_ONCE(sec_up[hid], 0);
		WRITE_ONCE(sec_bad_opaque[hid], 0);
		WRITE_ONCE(harts[hid].ipis, 0);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		r = sbi_hart_start(hid, (unsigned long)secondary_entry, opaque_for(hid, JOB_PARK));
		if (r.error) {
			check_fail(c, "hart_start of hart %lu: error %ld", hid, r.error);
			continue;
		}
		if (!wait_ge_idle(&sec_up[hid], 1, WAIT_MS) || READ_ONCE(sec_bad_opaque[hid])) {
			check_fail(c, "hart %lu did not park", hid);
			continue;
		}
		n++;
	}
	return n;
}

void park_stop(struct check *c)
{
	unsigned int i;

	__atomic_store_n(&park_quit, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < dt.nr_harts; i++) {
		unsigned long hid = dt.hartids[i];

		if (hid == boot_hartid)
			continue;
		if (READ_ONCE(sec_up[hid]))
			sbi_send_ipi(1, hid);
		if (!wait_hart_status(hid, SBI_HSM_STOPPED, WAIT_MS, NULL))
			check_fail(c, "hart %lu did not stop after parking", hid);
	}
}

/* -------------------------------------------------------------------- IPI */

/* Wait for each hart's IPI count to reach want[] and stay there. */
static void ipi_expect(struct check *c, const char *what, const unsigned long *want)
{
	unsigned int i;

	for (i = 0; i < dt.nr_harts; i++)
		wait_ge_idle(&harts[dt.hartids[i]].ipis, want[i], WAIT_MS);
	delay_ms(2);
	for (i = 0; i < dt.nr_harts; i++) {
		unsigned long got = READ_ONCE(harts[dt.hartids[i]].ipis);

		if (got != want[i])
			check_fail(c, "%s: hart %lu has %lu IPIs, want %lu", what, dt.hartids[i],
				   got, want[i]);
	}
}

void check_ipi(void)
{
	unsigned long want[MAX_HARTS] = { 0 }, mask = 0, acks0, acks, sum, maxid = max_hartid();
	unsigned int i, parked, self = 0;
	struct check c = { 0 };
	struct sbiret r;

	if (!has_ext_ipi) {
		report_skip("ipi", "no IPI extension");
		return;
	}
	if (dt.nr_harts > 1 && !has_ext_hsm) {
		report_skip("ipi", "no HSM extension to start the other harts");
		return;
	}
	csr_set(CSR_SIE, SIE_SSIE);
	parked = park_start(&c);
	WRITE_ONCE(harts[boot_hartid].ipis, 0);
	acks0 = __atomic_load_n(&ipi_acks, __ATOMIC_SEQ_CST);
	for (i = 0; i < dt.nr_harts; i++) {
		if (dt.hartids[i] == boot_hartid)
			self = i;
		else
			mask |= 1UL << dt.hartids[i];
	}

	if (parked) {
		/* hart_mask style, base 0: every other hart, not this one. */
		r = sbi_send_ipi(mask, 0);
		if (r.error)
			check_fail(&c, "send_ipi(mask 0x%lx, base 0) error %ld", mask, r.error);
		for (i = 0; i < dt.nr_harts; i++)
			want[i] = i == self ? 0 : 1;
		ipi_expect(&c, "mask", want);

		/* hart_mask_base style: one hart at a time, mask 1. */
		for (i = 0; i < dt.nr_harts; i++) {
			if (i == self)
				continue;
			r = sbi_send_ipi(1, dt.hartids[i]);
			if (r.error)
				check_fail(&c, "send_ipi(1, base %lu) error %ld", dt.hartids[i],
					   r.error);
			want[i]++;
			ipi_expect(&c, "base", want);
		}
	}

	/* To itself, through a mask relative to its own hartid. */
	r = sbi_send_ipi(1, boot_hartid);
	if (r.error)
		check_fail(&c, "send_ipi to self error %ld", r.error);
	want[self]++;
	ipi_expect(&c, "self", want);

	/* hart_mask_base = -1: every hart, this one included; the mask is ignored. */
	r = sbi_send_ipi(0, -1UL);
	if (r.error)
		check_fail(&c, "send_ipi(base -1) error %ld", r.error);
	for (i = 0; i < dt.nr_harts; i++)
		want[i]++;
	ipi_expect(&c, "all", want);

	/* Invalid: a base past the last hart names no valid hart. */
	r = sbi_send_ipi(1, maxid + 1);
	if (r.error != SBI_ERR_INVALID_PARAM)
		check_fail(&c, "send_ipi(1, base %lu) error %ld, want -3", maxid + 1, r.error);
	/*
	 * Invalid: base 0, a mask naming only hartids that do not exist.  SBI
	 * v2.0 §7.1: SBI_ERR_INVALID_PARAM.  OpenSBI 1.1 only checks the base
	 * (sbi_hsm_hart_interruptible_mask) and drops the unknown bits: it
	 * returns 0, accepted from OpenSBI only.
	 */
	if (maxid + 1 < 64) {
		r = sbi_send_ipi(1UL << (maxid + 1), 0);
		if (r.error != SBI_ERR_INVALID_PARAM &&
		    !(sbi_impl_id == SBI_IMPL_OPENSBI && r.error == 0))
			check_fail(&c, "send_ipi(mask 0x%lx, base 0) error %ld, want -3",
				   1UL << (maxid + 1), r.error);
		if (r.error != SBI_ERR_INVALID_PARAM)
			printk("BASIC: info ipi: mask naming no hart returned %ld (spec: -3)\n",
			       r.error);
	}
	ipi_expect(&c, "invalid masks deliver nothing", want);

	/* Every hart also acknowledged in the shared counter: the sum of all counts. */
	for (i = 0, sum = 0; i < dt.nr_harts; i++)
		sum += want[i];
	acks = __atomic_load_n(&ipi_acks, __ATOMIC_SEQ_CST) - acks0;
	if (acks != sum)
		check_fail(&c, "shared counter has %lu acknowledgements, want %lu", acks, sum);

	if (parked)
		park_stop(&c);
	check_end(&c, "ipi", "%u hart(s), %lu acknowledgements", dt.nr_harts, acks);
}

/* ----------------------------------------------------------------- RFENCE */

void check_rfence(void)
{
	unsigned long mask = 0, maxid = max_hartid();
	struct check c = { 0 };
	unsigned int i, parked = 0;
	struct sbiret r;

	if (!has_ext_rfence) {
		report_skip("rfence", "no RFNC extension");
		return;
	}
	/* Fences to running harts go through their M-mode: park the others first. */
	if (dt.nr_harts > 1 && has_ext_hsm)
		parked = park_start(&c);
	for (i = 0; i < dt.nr_harts; i++)
		mask |= 1UL << dt.hartids[i];

	r = sbi_ecall(SBI_EXT_RFENCE, SBI_RFENCE_FENCE_I, 0, -1UL, 0, 0, 0, 0);
	if (r.error)
		check_fail(&c, "remote_fence_i(all) error %ld", r.error);
	r = sbi_ecall(SBI_EXT_RFENCE, SBI_RFENCE_FENCE_I, mask, 0, 0, 0, 0, 0);
	if (r.error)
		check_fail(&c, "remote_fence_i(mask 0x%lx) error %ld", mask, r.error);
	/* start 0, size -1: the whole address space */
	r = sbi_ecall(SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA, 0, -1UL, 0, -1UL, 0, 0);
	if (r.error)
		check_fail(&c, "remote_sfence_vma(all, everything) error %ld", r.error);
	r = sbi_ecall(SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA, mask, 0, 0x80200000UL, 0x2000, 0, 0);
	if (r.error)
		check_fail(&c, "remote_sfence_vma(mask, range) error %ld", r.error);
	r = sbi_ecall(SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA_ASID, 0, -1UL, 0, -1UL, 0, 0);
	if (r.error)
		check_fail(&c, "remote_sfence_vma_asid(all, asid 0) error %ld", r.error);
	r = sbi_ecall(SBI_EXT_RFENCE, SBI_RFENCE_FENCE_I, 1, maxid + 1, 0, 0, 0, 0);
	if (r.error != SBI_ERR_INVALID_PARAM)
		check_fail(&c, "remote_fence_i(1, base %lu) error %ld, want -3", maxid + 1,
			   r.error);

	if (parked)
		park_stop(&c);
	check_end(&c, "rfence", "fence.i and sfence.vma to %u hart(s)", parked + 1);
}

/* ----------------------------------------------------------------- legacy */

void check_legacy(void)
{
	struct hart_state *h = this_hart();
	struct check c = { 0 };
	uint64_t deadline = 0;
	unsigned long mask, ipis;
	long ch;

	if (!has_ext_legacy) {
		report_skip("legacy", "legacy extensions not probed");
		return;
	}
	timer_mode = TIMER_LEGACY;
	csr_set(CSR_SIE, SIE_STIE);
	WRITE_ONCE(h->timer_irqs, 0);
	deadline = rdtime() + ms_to_ticks(1);
	sbi_legacy(SBI_EXT_LEGACY_SET_TIMER, deadline);
	if (!wait_ge(&h->timer_irqs, 1, WAIT_MS))
		check_fail(&c, "legacy set_timer: no interrupt");
	else if (h->timer_at < deadline)
		check_fail(&c, "legacy set_timer: interrupt before the deadline");
	delay_ms(2);
	if (READ_ONCE(h->timer_irqs) > 1)
		check_fail(&c, "legacy set_timer: %lu interrupts", READ_ONCE(h->timer_irqs));
	timer_mode = TIMER_SBI;

	/* Nothing is typed during the test: no input is -1. */
	ch = sbi_legacy(SBI_EXT_LEGACY_GETCHAR, 0);
	if (ch != -1)
		check_fail(&c, "legacy getchar returned %ld, want -1 (no input)", ch);

	/* send_ipi and remote_fence_i take a pointer to the hart mask. */
	mask = 1UL << boot_hartid;
	ipis = READ_ONCE(h->ipis);
	csr_set(CSR_SIE, SIE_SSIE);
	if ((ch = sbi_legacy(SBI_EXT_LEGACY_SEND_IPI, (unsigned long)&mask)) != 0)
		check_fail(&c, "legacy send_ipi to itself returned %ld", ch);
	else if (!wait_ge(&h->ipis, ipis + 1, WAIT_MS))
		check_fail(&c, "legacy send_ipi to itself: no interrupt");
	if ((ch = sbi_legacy(SBI_EXT_LEGACY_REMOTE_FENCE_I, (unsigned long)&mask)) != 0)
		check_fail(&c, "legacy remote_fence_i returned %ld", ch);
	check_end(&c, "legacy", "set_timer latency %lu ticks, getchar -1, send_ipi, remote_fence_i",
		  (unsigned long)(h->timer_at - deadline));
}

/* ------------------------------------------------------- virt_insn */

/* A hypervisor CSR from the guest's S-mode: an illegal instruction the guest itself takes. */
void check_virt_insn(void)
{
	struct check c = { 0 };
	unsigned long traps = this_hart()->probe_traps;

	if (csr_probe_hstatus()) {
		report_skip("virt_insn", "hstatus readable: running in HS-mode, not in a VM");
		return;
	}
	if (this_hart()->probe_traps != traps + 1)
		check_fail(&c, "%lu traps for one instruction", this_hart()->probe_traps - traps);
	check_end(&c, "virt_insn", "reading hstatus is the guest's illegal instruction");
}

/* ---------------------------------------------------------- memory */

/*
 * Every /memory range after the first (which holds this image and the DTB):
 * zero when the guest first reads it, and what is written reads back, at both
 * ends and in the middle.  Under Keel a range above 2^41 needs the Sv48x4
 * G-stage.
 */
void check_memory(void)
{
	struct check c = { 0 };
	char ranges[160];
	size_t n = 0;

	if (dt.nr_mem < 2) {
		report_skip("memory", "one /memory range");
		return;
	}
	ranges[0] = '\0';
	for (unsigned int i = 1; i < dt.nr_mem && i < MAX_MEM; i++) {
		uint64_t base = dt.mem[i].base, size = dt.mem[i].size;
		volatile uint64_t *at[] = { (uint64_t *)base,
					    (uint64_t *)(base + (size / 2 & ~7UL)),
					    (uint64_t *)(base + size - 8) };

		for (unsigned int j = 0; j < 3; j++) {
			if (*at[j])
				check_fail(&c, "0x%lx reads 0x%lx before any write",
					   (unsigned long)at[j], (unsigned long)*at[j]);
			*at[j] = base ^ (0x5a5a000000000000UL + j);
		}
		for (unsigned int j = 0; j < 3; j++)
			if (*at[j] != (base ^ (0x5a5a000000000000UL + j)))
				check_fail(&c, "0x%lx reads 0x%lx after writing 0x%lx",
					   (unsigned long)at[j], (unsigned long)*at[j],
					   (unsigned long)(base ^ (0x5a5a000000000000UL + j)));
		if (n < sizeof(ranges))
			n += snprintk(ranges + n, sizeof(ranges) - n, " 0x%lx+0x%lx",
				      (unsigned long)base, (unsigned long)size);
	}
	check_end(&c, "memory", "zero, then read back:%s", ranges);
}

/* ------------------------------------------------- heartbeat, reboot */

/*
 * Never ends: counts up every 10 ms in the doubleword at RAM base + 0x1000
 * (below the image), sleeping in between, and prints one line when it
 * starts.  A host reads the count from guest memory: quiet on the console,
 * so a shell can be used meanwhile (pause/resume/halt tests).
 */
void check_heartbeat(void)
{
	volatile uint64_t *count = (volatile uint64_t *)(dt.ram_base + HEARTBEAT_OFFSET);

	printk("BASIC: heartbeat counting at 0x%lx\n", (unsigned long)count);
	for (;;) {
		uint64_t until = rdtime() + ms_to_ticks(10);

		while (rdtime() < until)
			nap();
		*count += 1;
	}
}

/* SRST cold reboot: does not return when the platform (or hypervisor) reboots. */
void check_reboot(void)
{
	struct check c = { 0 };
	struct sbiret r;

	printk("BASIC: rebooting\n");
	r = sbi_ecall(SBI_EXT_SRST, 0, SBI_SRST_COLD_REBOOT, SBI_SRST_REASON_NONE, 0, 0, 0, 0);
	check_fail(&c, "system_reset(cold reboot) returned error %ld", r.error);
	check_end(&c, "reboot", NULL);
}

/* ------------------------------------------------------------------- UART */

/* The registers are in basic.h.  Interactive checks wait this long for a line (guest time). */
#define RX_WAIT_MS 60000U

static volatile uint8_t *uart;

uint8_t uart_in(unsigned int reg)
{
	return uart[reg];
}

void uart_out(unsigned int reg, uint8_t v)
{
	uart[reg] = v;
}

static void uart_expect(struct check *c, const char *what, unsigned int reg, uint8_t want)
{
	uint8_t v = uart_in(reg);

	if (v != want)
		check_fail(c, "%s 0x%02x, want 0x%02x", what, v, want);
}

/* The UART, or a skip line for check @name when the device tree has none. */
bool uart_find(const char *name)
{
	if (!dt.uart_base) {
		report_skip(name, "no ns16550a in the device tree");
		return false;
	}
	uart = (volatile uint8_t *)dt.uart_base;
	return true;
}

/* 8N1, interrupts off, FIFOs on and empty, modem outputs low, nothing being sent. */
bool uart_reset(void)
{
	uint64_t end = rdtime() + ms_to_ticks(WAIT_MS);

	uart_out(UART_LCR, LCR_8N1);
	uart_out(UART_IER, 0);
	uart_out(UART_FCR, FCR_FIFO | FCR_CLEAR);
	uart_out(UART_MCR, 0);
	while ((uart_in(UART_LSR) & LSR_IDLE) != LSR_IDLE)
		if (rdtime() > end)
			return false;
	return true;
}

/* Polled output: each byte once LSR says THR is empty; '\n' goes out as CR LF. */
static bool uart_putc(char ch)
{
	uint64_t end = rdtime() + ms_to_ticks(WAIT_MS);

	if (ch == '\n' && !uart_putc('\r'))
		return false;
	while (!(uart_in(UART_LSR) & LSR_THRE))
		if (rdtime() > end)
			return false;
	uart_out(UART_THR, (uint8_t)ch);
	return true;
}

static bool uart_puts(const char *s)
{
	while (*s)
		if (!uart_putc(*s++))
			return false;
	return true;
}

/*
 * SCR through gp, s1, s2, s11, t6, a7 in turn (each load a new value), then
 * from s3 by a store; gp is the guest's again before anything else runs.
 */
static void uart_regs(struct check *c)
{
	static const char *const names[] = { "gp", "s1", "s2", "s11", "t6", "a7", "store from s3" };
	uint64_t got[7];

	asm volatile(
		"mv t0, gp\n"
		"li t1, 0x11\n sb t1, %[scr](%[u])\n lbu gp, %[scr](%[u])\n sd gp, 0(%[g])\n"
		"mv gp, t0\n"
		"li t1, 0x22\n sb t1, %[scr](%[u])\n lbu s1, %[scr](%[u])\n sd s1, 8(%[g])\n"
		"li t1, 0x33\n sb t1, %[scr](%[u])\n lbu s2, %[scr](%[u])\n sd s2, 16(%[g])\n"
		"li t1, 0x44\n sb t1, %[scr](%[u])\n lbu s11, %[scr](%[u])\n sd s11, 24(%[g])\n"
		"li t1, 0x55\n sb t1, %[scr](%[u])\n lbu t6, %[scr](%[u])\n sd t6, 32(%[g])\n"
		"li t1, 0x66\n sb t1, %[scr](%[u])\n lbu a7, %[scr](%[u])\n sd a7, 40(%[g])\n"
		"li s3, 0x77\n sb s3, %[scr](%[u])\n lbu t1, %[scr](%[u])\n sd t1, 48(%[g])\n"
		:
		: [u] "r"(uart), [g] "r"(got), [scr] "i"(UART_SCR)
		: "t0", "t1", "s1", "s2", "s3", "s11", "t6", "a7", "memory");
	for (unsigned int i = 0; i < 7; i++)
		if (got[i] != 0x11 * (i + 1))
			check_fail(c, "SCR by lbu into %s: 0x%lx, want 0x%x", names[i],
				   (unsigned long)got[i], 0x11 * (i + 1));
}

void check_uart(void)
{
	static const uint8_t scratch[] = { 0x00, 0xff, 0xa5, 0x5a };
	struct check c = { 0 };
	uint8_t dll, dlm, v;
	unsigned long zx;
	long sx;
	unsigned int i;

	if (!uart_find("uart"))
		return;
	if (!uart_reset())
		check_fail(&c, "transmitter not idle within %u ms", WAIT_MS);
	uart_expect(&c, "LCR", UART_LCR, LCR_8N1);
	uart_expect(&c, "IER", UART_IER, 0);
	uart_expect(&c, "IIR", UART_IIR, IIR_NONE);
	uart_expect(&c, "LSR", UART_LSR, LSR_IDLE);
	uart_expect(&c, "MCR", UART_MCR, 0);
	uart_expect(&c, "MSR", UART_MSR, MSR_IDLE);
	for (i = 0; i < sizeof(scratch); i++) {
		uart_out(UART_SCR, scratch[i]);
		uart_expect(&c, "SCR", UART_SCR, scratch[i]);
	}

	/* LB sign-extends the register's value, LBU does not. */
	uart_out(UART_SCR, 0xa5);
	asm volatile("lb %0, %1(%2)" : "=r"(sx) : "i"(UART_SCR), "r"(uart) : "memory");
	asm volatile("lbu %0, %1(%2)" : "=r"(zx) : "i"(UART_SCR), "r"(uart) : "memory");
	if (sx != (int8_t)0xa5 || zx != 0xa5)
		check_fail(&c, "SCR 0xa5 by lb %ld (want -91), by lbu %lu (want 165)", sx, zx);

	/*
	 * Loads into registers of every kind (Keel's MMIO exit reloads gp, s1
	 * and s2..s11 only when a load wrote one), and a store from one.
	 */
	uart_regs(&c);

	/* The divisor latch sits behind LCR.DLAB; IER comes back without it. */
	uart_out(UART_LCR, LCR_DLAB | LCR_8N1);
	dll = uart_in(UART_DLL);
	dlm = uart_in(UART_DLM);
	uart_out(UART_DLL, 0x34);
	uart_out(UART_DLM, 0x12);
	uart_expect(&c, "DLL", UART_DLL, 0x34);
	uart_expect(&c, "DLM", UART_DLM, 0x12);
	uart_expect(&c, "LCR with DLAB", UART_LCR, LCR_DLAB | LCR_8N1);
	uart_out(UART_DLL, dll);
	uart_out(UART_DLM, dlm);
	uart_out(UART_LCR, LCR_8N1);
	uart_expect(&c, "IER after DLAB", UART_IER, 0);

	/* Enabling the THR-empty interrupt raises it; reading IIR acknowledges it. */
	uart_out(UART_IER, IER_THRI);
	uart_expect(&c, "IIR with THRI enabled", UART_IIR, IIR_THRI);
	uart_expect(&c, "IIR once read", UART_IIR, IIR_NONE);

	/* Loopback: modem outputs come back as inputs, THR into the receive FIFO. */
	uart_out(UART_MCR, MCR_LOOP);
	uart_expect(&c, "MSR in loopback", UART_MSR, 0x00);
	uart_out(UART_MCR, MCR_LOOP | 0x0f);
	uart_expect(&c, "MSR in loopback, outputs high", UART_MSR, 0xf0);
	uart_out(UART_MCR, MCR_LOOP);
	/* Received data takes priority over THR empty. */
	uart_out(UART_IER, IER_RDI | IER_THRI);
	uart_out(UART_THR, 'K');
	v = uart_in(UART_IIR);
	if ((v & 0xf0) != 0xc0 || ((v & 0x0f) != IIR_RDI && (v & 0x0f) != IIR_CTI))
		check_fail(&c, "IIR with data and THR empty 0x%02x, want 0xc4 or 0xcc", v);
	uart_expect(&c, "LSR with data", UART_LSR, LSR_IDLE | LSR_DR);
	uart_expect(&c, "RBR", UART_RBR, 'K');
	uart_expect(&c, "IIR after RBR", UART_IIR, IIR_THRI);
	uart_expect(&c, "IIR once read", UART_IIR, IIR_NONE);
	uart_out(UART_IER, 0);
	/* Sixteen bytes fit in the FIFO, the seventeenth is an overrun. */
	for (i = 0; i <= UART_FIFO; i++)
		uart_out(UART_THR, (uint8_t)('a' + i));
	uart_expect(&c, "LSR after 17 bytes", UART_LSR, LSR_IDLE | LSR_DR | LSR_OE);
	uart_expect(&c, "LSR once read", UART_LSR, LSR_IDLE | LSR_DR);
	for (i = 0; i < UART_FIFO; i++)
		uart_expect(&c, "RBR from the FIFO", UART_RBR, (uint8_t)('a' + i));
	uart_expect(&c, "LSR with the FIFO read", UART_LSR, LSR_IDLE);
	uart_out(UART_MCR, 0);

	if (!uart_puts("BASIC: info uart THR prints\n"))
		check_fail(&c, "THR not empty within %u ms", WAIT_MS);
	check_end(&c, "uart", "ns16550a at 0x%lx", (unsigned long)dt.uart_base);
}

/* Interactive: a line typed on the console, through RBR (echoed through THR). */
void check_uart_rx(void)
{
	struct check c = { 0 };
	uint64_t end = rdtime() + ms_to_ticks(RX_WAIT_MS);
	char line[64];
	size_t n = 0;
	uint8_t ch;

	if (!uart_find("uart_rx"))
		return;
	if (!uart_reset())
		check_fail(&c, "transmitter not idle within %u ms", WAIT_MS);
	printk("BASIC: info uart_rx: type a line\n");
	for (;;) {
		if (!(uart_in(UART_LSR) & LSR_DR)) {
			if (rdtime() > end) {
				check_fail(&c, "no line within %u ms", RX_WAIT_MS);
				break;
			}
			delay_ms(1);
			continue;
		}
		ch = uart_in(UART_RBR);
		/* A CR LF terminal ends a line twice: empty lines do not count. */
		if (ch == '\r' || ch == '\n') {
			if (n)
				break;
			continue;
		}
		if (n < sizeof(line) - 1)
			line[n++] = (char)ch;
		uart_putc((char)ch);
	}
	line[n] = '\0';
	uart_putc('\n');
	check_end(&c, "uart_rx", "read \"%s\"", line);
}

/* Interactive: a line typed on the console, through SBI DBCN console_read. */
void check_console_rx(void)
{
	struct check c = { 0 };
	uint64_t end = rdtime() + ms_to_ticks(RX_WAIT_MS);
	char line[64], buf[16];
	size_t n = 0;
	bool done = false, uart_irq;
	struct sbiret r;
	long i;

	if (!sbi_has_dbcn) {
		report_skip("console_rx", "no DBCN");
		return;
	}
	/*
	 * With a UART whose receive interrupt is on, typed bytes are its
	 * received data too: once SBI took them, its line must fall.
	 */
	uart_irq = dt.uart_base && dt.plic_base && dt.uart_irq && uart_find("console_rx");
	if (uart_irq)
		uart_out(UART_IER, IER_RDI);
	printk("BASIC: info console_rx: type a line\n");
	while (!done) {
		r = sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_READ, sizeof(buf), (unsigned long)buf, 0, 0, 0,
			      0);
		if (r.error || r.value < 0 || r.value > (long)sizeof(buf)) {
			check_fail(&c, "DBCN read error %ld value %ld", r.error, r.value);
			break;
		}
		if (!r.value) {
			if (rdtime() > end) {
				check_fail(&c, "no line within %u ms", RX_WAIT_MS);
				break;
			}
			delay_ms(1);
			continue;
		}
		for (i = 0; i < r.value && !done; i++) {
			if (buf[i] == '\r' || buf[i] == '\n')
				done = n > 0;
			else if (n < sizeof(line) - 1)
				line[n++] = buf[i];
		}
	}
	line[n] = '\0';
	if (uart_irq) {
		if (uart_line_pending())
			check_fail(&c,
				   "the UART's interrupt still pending once SBI took the input");
		uart_out(UART_IER, 0);
	}
	check_end(&c, "console_rx", "read \"%s\"", line);
}
