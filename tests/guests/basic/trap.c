/* The trap handler: timer and software interrupts, CSR probes, fatal exceptions. */
#include "basic.h"

/* head.S finds a hart's state by shifting its hartid. */
_Static_assert(sizeof(struct hart_state) == 1UL << HART_STATE_SHIFT, "struct hart_state size");

struct hart_state harts[MAX_HARTS];
volatile enum timer_mode timer_mode;
unsigned long ipi_acks;
bool fault_mode;

static void timer_irq(struct hart_state *h)
{
	uint64_t now = rdtime();

	/* Disarm the way the current test armed it. */
	switch (timer_mode) {
	case TIMER_SSTC:
		csr_write(CSR_STIMECMP, -1UL);
		break;
	case TIMER_LEGACY:
		sbi_legacy(SBI_EXT_LEGACY_SET_TIMER, -1UL);
		break;
	default:
		sbi_set_timer(UINT64_MAX);
		break;
	}
	h->timer_at = now;
	h->timer_irqs++;
	if (csr_read(CSR_SIP) & SIP_STIP) {
		/* Disarming did not clear STIP: mask it so the test can report that. */
		h->timer_still_pending++;
		csr_clear(CSR_SIE, SIE_STIE);
	}
}

static void soft_irq(struct hart_state *h)
{
	csr_clear(CSR_SIP, SIP_SSIP);
	h->ipis++;
	__atomic_fetch_add(&ipi_acks, 1, __ATOMIC_SEQ_CST);
}

void trap_handler(void)
{
	struct hart_state *h = this_hart();
	unsigned long cause = csr_read(scause);
	unsigned long epc = csr_read(sepc);
	unsigned long tval = csr_read(stval);

	if (cause & CAUSE_IRQ_FLAG) {
		switch (cause & ~CAUSE_IRQ_FLAG) {
		case IRQ_S_TIMER:
			timer_irq(h);
			return;
		case IRQ_S_SOFT:
			soft_irq(h);
			return;
		case IRQ_S_EXT:
			ext_irq(h);
			return;
		}
		printk("BASIC: exception FAIL unexpected interrupt scause 0x%lx on hart %lu\n",
		       cause, h->hartid);
		sbi_shutdown(SBI_SRST_REASON_FAILURE);
	}

	if (cause == CAUSE_ILLEGAL_INSN && h->probing) {
		/* Skip the probed instruction: 2 or 4 bytes (read as halfwords). */
		uint16_t lo = *(volatile uint16_t *)epc;

		csr_write(sepc, epc + ((lo & 3) == 3 ? 4 : 2));
		h->probe_traps++;
		return;
	}

	if (fault_mode && (cause == CAUSE_LOAD_ACCESS || cause == CAUSE_LOAD_PAGE_FAULT ||
			   cause == CAUSE_LOAD_GUEST_PAGE_FAULT)) {
		printk("BASIC: fault trapped scause %lu (%s) sepc 0x%lx stval 0x%lx\n", cause,
		       trap_cause_name(cause), epc, tval);
		sbi_shutdown(SBI_SRST_REASON_FAILURE);
	}
	trap_fatal("BASIC:", cause, epc, tval);
}

/* Sstc: writing stimecmp traps as illegal when absent (or not enabled by M-mode). */
/* Runs op with illegal instructions skipped: false if one trapped. */
static bool probe(void (*op)(void))
{
	struct hart_state *h = this_hart();
	unsigned long before = h->probe_traps;

	h->probing = true;
	asm volatile("" ::: "memory");
	op();
	asm volatile("" ::: "memory");
	h->probing = false;
	return h->probe_traps == before;
}

static void write_stimecmp(void)
{
	csr_write(CSR_STIMECMP, -1UL);
}

static void read_hstatus(void)
{
	(void)csr_read(CSR_HSTATUS);
}

bool csr_probe_stimecmp(void)
{
	return probe(write_stimecmp);
}

bool csr_probe_hstatus(void)
{
	return probe(read_hstatus);
}
