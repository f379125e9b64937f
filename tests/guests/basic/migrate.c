/*
 * migrate (by name only, never ends): state a hypervisor keeps for a VCPU
 * must follow it when it moves between host harts.  Round after round it
 * fills f0-f31 and fcsr (when it has F and D) and sscratch with the round's
 * pattern, arms its timer 1 ms ahead and waits for the interrupt (polling in
 * even rounds, in WFI in odd ones), then checks the pattern.  It counts
 * rounds in the doubleword at RAM base + 0x1000 (where heartbeat counts) and
 * failed rounds in the next one, and prints the first failure: a host moves
 * the VCPU meanwhile (Keel: vcpu affinity) and reads both from guest memory.
 */
#include "basic.h"

#define TIMER_WAIT_MS 1000

static void arm(uint64_t deadline)
{
	if (has_sstc)
		csr_write(CSR_STIMECMP, deadline);
	else
		sbi_set_timer(deadline);
}

void check_migrate(void)
{
	volatile uint64_t *rounds = (volatile uint64_t *)(dt.ram_base + HEARTBEAT_OFFSET);
	volatile uint64_t *failed = rounds + 1;
	struct hart_state *h = this_hart();
	bool fp;

	csr_set(sstatus, SSTATUS_FS_INITIAL);
	fp = csr_read(sstatus) & SSTATUS_FS;
	timer_mode = has_sstc ? TIMER_SSTC : TIMER_SBI;
	csr_set(CSR_SIE, SIE_STIE);
	irq_enable();
	printk("BASIC: migrate checking at 0x%lx (FP %s)\n", (unsigned long)rounds,
	       fp ? "yes" : "no");
	for (unsigned long round = 0;; round++) {
		unsigned long seed = (round << 20) ^ 0x6b65656c0000UL, irqs = h->timer_irqs;
		uint64_t end = rdtime() + ms_to_ticks(TIMER_WAIT_MS);
		unsigned long bad_fp = 0, scratch;

		if (fp)
			fp_fill(seed);
		csr_write(sscratch, seed);
		arm(rdtime() + ms_to_ticks(1));
		while (READ_ONCE(h->timer_irqs) == irqs && rdtime() < end) {
			if (!(round & 1))
				continue;
			/* Checked with interrupts masked: WFI still wakes for a pending one. */
			irq_disable();
			if (READ_ONCE(h->timer_irqs) == irqs)
				wfi();
			irq_enable();
		}
		if (fp)
			bad_fp = fp_compare(seed);
		scratch = csr_read(sscratch);
		if (bad_fp || scratch != seed || READ_ONCE(h->timer_irqs) == irqs) {
			if (!*failed)
				printk("BASIC: migrate FAIL round %lu: %lu FP registers changed, "
				       "sscratch 0x%lx for 0x%lx, timer interrupt %s\n",
				       round, bad_fp, scratch, seed,
				       READ_ONCE(h->timer_irqs) == irqs ? "lost" : "taken");
			*failed += 1;
		}
		*rounds += 1;
	}
}
