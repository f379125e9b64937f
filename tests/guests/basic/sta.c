/*
 * SBI STA (steal-time accounting): the `sta` check of set_shmem's arguments
 * and the record, and `sta_spin` (by name only, never ends), a CPU hog like
 * `spin` that reports the steal time the hypervisor gives it.
 */
#include "basic.h"

#define STA_SIZE 64
#define STA_OFF (~0UL) /* shmem_phys_lo and _hi: stop reporting */
#define STA_TRIES 1000 /* reads of a record whose sequence stays odd: a failure */

/* The SBI v2.0 record (little-endian, as the guest is). */
struct sta_shmem {
	uint32_t sequence;
	uint32_t flags;
	uint64_t steal;
	uint8_t preempted;
	uint8_t pad[47];
};

static struct sta_shmem sta __attribute__((aligned(STA_SIZE)));

static long sta_set(unsigned long lo, unsigned long hi, unsigned long flags)
{
	return sbi_ecall(SBI_EXT_STA, SBI_STA_SET_SHMEM, lo, hi, flags, 0, 0, 0).error;
}

/* Whole seconds first: ticks times 10^9 would overflow after half an hour at 10 MHz. */
static uint64_t ticks_to_ns(uint64_t t)
{
	return t / dt.timebase * 1000000000ULL + t % dt.timebase * 1000000000ULL / dt.timebase;
}

/* steal as the spec says to read it: sequence even and the same before and after. */
static bool sta_steal(uint64_t *steal, uint32_t *seq)
{
	for (unsigned int i = 0; i < STA_TRIES; i++) {
		uint32_t s = __atomic_load_n(&sta.sequence, __ATOMIC_ACQUIRE);

		*steal = __atomic_load_n(&sta.steal, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (!(s & 1) && s == __atomic_load_n(&sta.sequence, __ATOMIC_RELAXED)) {
			*seq = s;
			return true;
		}
	}
	return false;
}

static void sta_fill(uint8_t v)
{
	volatile uint8_t *p = (volatile uint8_t *)&sta;

	for (unsigned int i = 0; i < STA_SIZE; i++)
		p[i] = v;
}

static void expect_err(struct check *c, const char *what, long got, long want)
{
	if (got != want)
		check_fail(c, "%s returned %ld, want %ld", what, got, want);
}

void check_sta(void)
{
	unsigned long pa = (unsigned long)&sta;
	volatile uint8_t *bytes = (volatile uint8_t *)&sta;
	struct check c = { 0 };
	uint64_t t0, steal = 0, elapsed;
	uint32_t seq = 0;
	unsigned int i;

	if (!sbi_probe(SBI_EXT_STA)) {
		report_skip("sta", "no STA (probe 0)");
		return;
	}
	expect_err(&c, "flags 1", sta_set(pa, 0, 1), SBI_ERR_INVALID_PARAM);
	expect_err(&c, "an address 8 bytes off 64", sta_set(pa + 8, 0, 0), SBI_ERR_INVALID_PARAM);
	expect_err(&c, "fault_addr", sta_set(fault_addr, 0, 0), SBI_ERR_INVALID_ADDRESS);
	expect_err(&c, "shmem_phys_hi 1", sta_set(pa, 1, 0), SBI_ERR_INVALID_ADDRESS);
	expect_err(&c, "function 1", sbi_ecall(SBI_EXT_STA, 1, 0, 0, 0, 0, 0, 0).error,
		   SBI_ERR_NOT_SUPPORTED);
	expect_err(&c, "disable", sta_set(STA_OFF, STA_OFF, 0), SBI_SUCCESS);

	/* The implementation zeroes the record; then only sequence, steal and preempted move. */
	sta_fill(0xa5);
	t0 = rdtime();
	expect_err(&c, "set", sta_set(pa, 0, 0), SBI_SUCCESS);
	delay_ms(50); /* busy: preempted if the hart is shared */
	if (!sta_steal(&steal, &seq))
		check_fail(&c, "sequence odd %u times in a row", STA_TRIES);
	elapsed = ticks_to_ns(rdtime() - t0);
	if (steal > elapsed)
		check_fail(&c, "steal %lu ns in %lu ns", (unsigned long)steal,
			   (unsigned long)elapsed);
	if (sta.flags)
		check_fail(&c, "flags 0x%x", sta.flags);
	/* Zero before the VCPU runs again: it is running. */
	if (sta.preempted)
		check_fail(&c, "preempted %u while running", sta.preempted);
	for (i = offsetof(struct sta_shmem, pad); i < STA_SIZE; i++)
		if (bytes[i]) {
			check_fail(&c, "pad byte %u is 0x%x", i, bytes[i]);
			break;
		}

	/* Disabled, the record is the guest's again. */
	expect_err(&c, "disable", sta_set(STA_OFF, STA_OFF, 0), SBI_SUCCESS);
	sta_fill(0x5a);
	delay_ms(20);
	for (i = 0; i < STA_SIZE; i++)
		if (bytes[i] != 0x5a) {
			check_fail(&c, "byte %u written after disable", i);
			break;
		}
	check_end(&c, "sta", "steal %lu ns in %lu ms, sequence %u", (unsigned long)steal,
		  (unsigned long)(elapsed / 1000000), seq);
}

void check_sta_spin(void)
{
	volatile uint64_t *count = (volatile uint64_t *)(dt.ram_base + HEARTBEAT_OFFSET);
	uint64_t t0, next, steal, period = ms_to_ticks(500);
	struct check c = { 0 };
	uint32_t seq;
	long err;

	err = sbi_probe(SBI_EXT_STA) ? sta_set((unsigned long)&sta, 0, 0) : SBI_ERR_NOT_SUPPORTED;
	if (err) {
		check_fail(&c, "set_shmem returned %ld", err);
		check_end(&c, "sta_spin", NULL);
		return;
	}
	printk("BASIC: sta_spin counting at 0x%lx\n", (unsigned long)count);
	t0 = rdtime();
	next = t0 + period;
	for (;;) {
		*count += 1;
		if (rdtime() < next)
			continue;
		if (!sta_steal(&steal, &seq))
			steal = ~0ULL; /* a record never consistent: the host's test fails on it */
		printk("BASIC: info sta_spin steal %lu ns in %lu ns\n", (unsigned long)steal,
		       (unsigned long)ticks_to_ns(rdtime() - t0));
		next += period;
	}
}
