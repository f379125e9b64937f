/*
 * Boot, options, result reporting and the secondary harts' jobs.
 *
 * Output contract (the integration tests parse it): every check prints one
 * line "BASIC: <name> ok [details]", "BASIC: <name> FAIL <details>" or
 * "BASIC: <name> skip <why>", and the run ends with "BASIC: done <passed>/<total>"
 * (skips are in neither number) followed by an SBI SRST shutdown.
 */
#include "basic.h"

struct dt_info dt;
unsigned long boot_hartid;
bool has_sstc;
bool has_ext_time, has_ext_ipi, has_ext_rfence, has_ext_hsm, has_ext_legacy;
unsigned long sbi_impl_id;
unsigned long fault_addr;
unsigned long fault_size = 8;

static unsigned int passed, total;

/* Secondary harts: what they do is in the opaque value of hart_start. */
unsigned long sec_up[MAX_HARTS];
unsigned long sec_release[MAX_HARTS];
unsigned long sec_bad_opaque[MAX_HARTS];
unsigned long park_quit;

void check_fail(struct check *c, const char *fmt, ...)
{
	va_list ap;

	if (c->len + 3 >= sizeof(c->why))
		return;
	if (c->failed) {
		c->why[c->len++] = ';';
		c->why[c->len++] = ' ';
	}
	c->failed = true;
	va_start(ap, fmt);
	c->len += vsnprintk(c->why + c->len, sizeof(c->why) - c->len, fmt, ap);
	va_end(ap);
	if (c->len >= sizeof(c->why))
		c->len = sizeof(c->why) - 1;
}

void check_end(struct check *c, const char *name, const char *fmt, ...)
{
	char details[160] = "";
	va_list ap;

	total++;
	if (c->failed) {
		printk("BASIC: %s FAIL %s\n", name, c->why);
		return;
	}
	passed++;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintk(details, sizeof(details), fmt, ap);
		va_end(ap);
	}
	printk("BASIC: %s ok%s%s\n", name, details[0] ? " " : "", details);
}

void report_skip(const char *name, const char *why)
{
	printk("BASIC: %s skip %s\n", name, why);
}

uint64_t ms_to_ticks(uint64_t ms)
{
	return ms * dt.timebase / 1000;
}

void delay_ms(uint64_t ms)
{
	uint64_t end = rdtime() + ms_to_ticks(ms);

	while (rdtime() < end)
		cpu_relax();
}

/*
 * Sleep about 100 us in WFI on a timer, for waits on other harts: a busy
 * loop can starve them (QEMU's single-threaded TCG under -icount runs a
 * halted hart with pending work only when the spinning one sleeps; Keel's
 * VCPUs may share a hart too).  The timer is disarmed again before
 * interrupts are unmasked, so no timer interrupt is taken.  Not for use
 * while a timer check owns the timer.
 */
void nap(void)
{
	uint64_t until = rdtime() + dt.timebase / 10000;
	unsigned long sie = csr_read(CSR_SIE);

	if (!has_ext_time && !has_sstc) {
		while (rdtime() < until)
			cpu_relax();
		return;
	}
	irq_disable();
	csr_set(CSR_SIE, SIE_STIE);
	if (has_ext_time)
		sbi_set_timer(until);
	else
		csr_write(CSR_STIMECMP, until);
	/* WFI also returns for a pending IPI; the loop bounds that to the nap. */
	while (rdtime() < until)
		wfi();
	if (has_ext_time)
		sbi_set_timer(UINT64_MAX);
	else
		csr_write(CSR_STIMECMP, -1UL);
	csr_write(CSR_SIE, sie);
	irq_enable();
}

/* Like wait_ge, sleeping between polls: for flags that other harts set. */
bool wait_ge_idle(volatile unsigned long *p, unsigned long want, uint64_t timeout_ms)
{
	uint64_t end = rdtime() + ms_to_ticks(timeout_ms);

	while (READ_ONCE(*p) < want) {
		if (rdtime() > end)
			return READ_ONCE(*p) >= want;
		nap();
	}
	return true;
}

/* Poll (interrupts as they are) until *p >= want; false on timeout. */
bool wait_ge(volatile unsigned long *p, unsigned long want, uint64_t timeout_ms)
{
	uint64_t end = rdtime() + ms_to_ticks(timeout_ms);

	while (READ_ONCE(*p) < want) {
		if (rdtime() > end)
			return READ_ONCE(*p) >= want;
		cpu_relax();
	}
	return true;
}

/* Poll hart_get_status until it reads want; *seen collects the states read. */
bool wait_hart_status(unsigned long hartid, long want, uint64_t timeout_ms, unsigned long *seen)
{
	uint64_t end = rdtime() + ms_to_ticks(timeout_ms);

	for (;;) {
		struct sbiret r = sbi_hart_status(hartid);

		if (r.error)
			return false;
		if (seen && r.value >= 0 && r.value < 64)
			*seen |= 1UL << r.value;
		if (r.value == want)
			return true;
		if (rdtime() > end)
			return false;
		nap();
	}
}

unsigned long opaque_for(unsigned long hartid, enum sec_job job)
{
	return OPAQUE_MAGIC | hartid << 8 | job;
}

void secondary_main(unsigned long hartid, unsigned long opaque)
{
	if ((opaque & ~0xffffUL) != OPAQUE_MAGIC || ((opaque >> 8) & 0xff) != hartid) {
		printk("BASIC: hart %lu got opaque 0x%lx in a1\n", hartid, opaque);
		WRITE_ONCE(sec_bad_opaque[hartid], opaque ? opaque : 1);
		__atomic_store_n(&sec_up[hartid], 1, __ATOMIC_RELEASE);
		return; /* head.S stops the hart */
	}

	switch ((enum sec_job)(opaque & 0xff)) {
	case JOB_HSM:
		printk("BASIC: hart %lu up\n", hartid);
		__atomic_store_n(&sec_up[hartid], 1, __ATOMIC_RELEASE);
		while (!__atomic_load_n(&sec_release[hartid], __ATOMIC_ACQUIRE))
			nap();
		break;
	case JOB_FP:
		__atomic_fetch_add(&fp_bad, fp_rounds(hartid), __ATOMIC_SEQ_CST);
		__atomic_fetch_add(&fp_done, 1, __ATOMIC_SEQ_CST);
		break;
	case JOB_PARK:
		/*
		 * Wait in WFI for IPIs (the handler counts them: harts[].ipis,
		 * ipi_acks) and for external interrupts the plic check routes here.
		 */
		csr_write(CSR_SIE, SIE_SSIE | SIE_SEIE);
		__atomic_store_n(&sec_up[hartid], 1, __ATOMIC_RELEASE);
		for (;;) {
			irq_disable();
			if (__atomic_load_n(&park_quit, __ATOMIC_ACQUIRE))
				break;
			wfi(); /* wakes on a pending SSIP or SEIP even with SIE clear */
			irq_enable();
		}
		csr_write(CSR_SIE, 0);
		irq_enable();
		break;
	}
	sbi_hart_stop();
	printk("BASIC: hart %lu FAIL hart_stop returned\n", hartid);
	for (;;)
		wfi();
}

static bool word_is(const char *p, const char *end, const char *w)
{
	while (p < end && *w && *p == *w) {
		p++;
		w++;
	}
	return p == end && !*w;
}

/* Hex with or without 0x; false (and *out untouched) unless all of it is hex. */
static bool parse_hex(const char *p, const char *end, unsigned long *out)
{
	unsigned long v = 0;

	if (end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	if (p >= end)
		return false;
	for (; p < end; p++) {
		char c = *p;

		if (c >= '0' && c <= '9')
			v = v << 4 | (c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v << 4 | (c - 'A' + 10);
		else
			return false;
	}
	*out = v;
	return true;
}

/* "all" runs every check but those that wait for typed input or never end. */
static const struct {
	const char *name;
	void (*fn)(void);
	bool named_only;
} checks[] = {
	{ "sbi_base", check_sbi_base, false },
	{ "console", check_console, false },
	{ "timer_sbi", check_timer_sbi, false },
	{ "timer_sstc", check_timer_sstc, false },
	{ "hsm", check_hsm, false },
	{ "hsm_suspend", check_hsm_suspend, false },
	{ "ipi", check_ipi, false },
	{ "rfence", check_rfence, false },
	{ "legacy", check_legacy, false },
	{ "uart", check_uart, false },
	{ "plic", check_plic, false },
	{ "rtc", check_rtc, false },
	{ "uart_rx", check_uart_rx, true },
	{ "console_rx", check_console_rx, true },
	{ "fp", check_fp, false },
	{ "virt_insn", check_virt_insn, false },
	{ "memory", check_memory, false },
	{ "sta", check_sta, false },
	{ "heartbeat", check_heartbeat, true },
	{ "spin", check_spin, true },
	{ "sta_spin", check_sta_spin, true },
	{ "migrate", check_migrate, true },
	{ "reboot", check_reboot, true },
	{ "poweroff", check_poweroff, true },
};
#define NR_CHECKS (sizeof(checks) / sizeof(checks[0]))

/* Starts with key: the length of key, else 0. */
static size_t key_len(const char *tok, const char *end, const char *key)
{
	size_t kl;

	for (kl = 0; key[kl] && tok + kl < end && tok[kl] == key[kl]; kl++)
		;
	return key[kl] ? 0 : kl;
}

/*
 * keel.test=all | fault | NAME[,NAME...]; keel.fault_addr=HEX; keel.fault_size=1|2|4|8;
 * keel.poweroff_value=HEX
 */
static bool parse_options(const char *args, bool *selected, unsigned int *unknown)
{
	const char *p = args, *key_test = "keel.test=", *key_addr = "keel.fault_addr=";
	const char *key_size = "keel.fault_size=", *key_poweroff = "keel.poweroff_value=";
	bool any = false;

	while (p && *p) {
		const char *tok = p, *end;
		size_t i, kl;

		while (*p && *p != ' ')
			p++;
		end = p;
		while (*p == ' ')
			p++;

		kl = key_len(tok, end, key_addr);
		if (kl) {
			if (!parse_hex(tok + kl, end, &fault_addr))
				(*unknown)++;
			continue;
		}
		kl = key_len(tok, end, key_poweroff);
		if (kl) {
			if (!parse_hex(tok + kl, end, &poweroff_value))
				(*unknown)++;
			continue;
		}
		kl = key_len(tok, end, key_size);
		if (kl) {
			if (!parse_hex(tok + kl, end, &fault_size) ||
			    (fault_size != 1 && fault_size != 2 && fault_size != 4 &&
			     fault_size != 8))
				(*unknown)++;
			continue;
		}
		kl = key_len(tok, end, key_test);
		if (!kl)
			continue;
		tok += kl;
		while (tok < end) {
			const char *comma = tok;
			bool found = false;

			while (comma < end && *comma != ',')
				comma++;
			if (word_is(tok, comma, "all")) {
				for (i = 0; i < NR_CHECKS; i++)
					selected[i] |= !checks[i].named_only;
				found = any = true;
			} else if (word_is(tok, comma, "fault")) {
				fault_mode = found = true;
			}
			for (i = 0; i < NR_CHECKS; i++) {
				if (word_is(tok, comma, checks[i].name)) {
					selected[i] = found = any = true;
				}
			}
			if (!found && comma > tok)
				(*unknown)++;
			tok = comma < end ? comma + 1 : end;
		}
	}
	return any;
}

static void probe_sbi(void)
{
	sbi_impl_id = sbi_ecall(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID, 0, 0, 0, 0, 0, 0).value;
	has_ext_time = sbi_probe(SBI_EXT_TIME);
	has_ext_ipi = sbi_probe(SBI_EXT_IPI);
	has_ext_rfence = sbi_probe(SBI_EXT_RFENCE);
	has_ext_hsm = sbi_probe(SBI_EXT_HSM);
	has_ext_legacy = sbi_probe(SBI_EXT_LEGACY_SET_TIMER);
	has_sstc = csr_probe_stimecmp();
}

static void touch_outside_ram(void)
{
	uint64_t v;

	printk("BASIC: touching outside RAM at 0x%lx (%lu-byte load)\n", fault_addr, fault_size);
	switch (fault_size) {
	case 1:
		v = *(volatile uint8_t *)fault_addr;
		break;
	case 2:
		v = *(volatile uint16_t *)fault_addr;
		break;
	case 4:
		v = *(volatile uint32_t *)fault_addr;
		break;
	default:
		v = *(volatile uint64_t *)fault_addr;
		break;
	}
	/* Natively this is a load access fault (see trap.c); under Keel the guest stops. */
	printk("BASIC: fault FAIL load from 0x%lx returned 0x%lx without a trap\n", fault_addr,
	       (unsigned long)v);
	sbi_shutdown(SBI_SRST_REASON_FAILURE);
}

void boot_main(unsigned long hartid, const void *fdt)
{
	bool selected[NR_CHECKS] = { false };
	unsigned int unknown = 0, i;
	uint64_t ram_end;

	boot_hartid = hartid;
	sbi_console_init();
	printk("BASIC: basic guest on hart %lu, DTB at %p\n", hartid, fdt);

	if (fdt_parse(fdt, &dt) || !dt.timebase || !dt.ram_size) {
		printk("BASIC: dt FAIL no usable device tree (harts %u timebase %u RAM 0x%lx)\n",
		       dt.nr_harts, dt.timebase, (unsigned long)dt.ram_size);
		sbi_shutdown(SBI_SRST_REASON_FAILURE);
	}
	ram_end = dt.ram_base + dt.ram_size;
	/* Above RAM, below QEMU virt's high PCIe window (which starts at a 16 GiB boundary). */
	fault_addr = (ram_end + 0xffffffffULL) & ~0xffffffffULL;
	if (!parse_options(dt.bootargs, selected, &unknown) && !fault_mode)
		for (i = 0; i < NR_CHECKS; i++)
			selected[i] = !checks[i].named_only;

	printk("BASIC: info harts %u (", dt.nr_harts);
	for (i = 0; i < dt.nr_harts; i++)
		printk("%s%lu", i ? " " : "", dt.hartids[i]);
	printk(") boot hart %lu timebase %u Hz RAM 0x%lx+0x%lx bootargs \"%s\"\n", hartid,
	       dt.timebase, (unsigned long)dt.ram_base, (unsigned long)dt.ram_size,
	       dt.bootargs ? dt.bootargs : "");
	if (dt.harts_ignored)
		printk("BASIC: info %u cpu node(s) ignored (hartid >= %u or too many)\n",
		       dt.harts_ignored, MAX_HARTS);

	probe_sbi();
	csr_write(CSR_SIE, SIE_SSIE | SIE_STIE);
	irq_enable();

	if (unknown) {
		struct check c = { 0 };

		check_fail(&c, "%u unknown name(s) in keel.test= or bad keel.fault_addr=", unknown);
		check_end(&c, "options", NULL);
	}
	if (fault_mode)
		touch_outside_ram();

	for (i = 0; i < NR_CHECKS; i++)
		if (selected[i])
			checks[i].fn();

	printk("BASIC: done %u/%u\n", passed, total);
	sbi_shutdown(passed == total ? SBI_SRST_REASON_NONE : SBI_SRST_REASON_FAILURE);
}
