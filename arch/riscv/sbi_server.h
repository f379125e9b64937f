/*
 * The SBI server for guests (SBI v2.0): one file per extension in
 * arch/riscv/sbi/, each ending in SBI_EXT_DECLARE.  A call is served on the
 * VCPU's own thread without locks, allocation or the scheduler.
 */
#ifndef ARCH_RISCV_SBI_SERVER_H
#define ARCH_RISCV_SBI_SERVER_H

#include "arch/riscv/sbi.h"
#include "arch/riscv/vcpu.h"

struct guest;
struct vcpu_guest;

struct sbi_ext {
	const char *name;
	unsigned long eid_min, eid_max;
	int disable_bit; /* GUESTCFG_SBI_* a guest description can turn off, or -1 */
	bool legacy;	 /* v0.1: the result is a0 alone */
	bool hot;	 /* called often (timers, IPIs, fences): looked up first */
	/*
	 * Set when a call can be served from the trap entry (sbi_fast_call):
	 * no lock, no allocation, no scheduler, nothing but registers and CSRs.
	 */
	bool (*fast)(void);
	bool (*available)(void);
	struct sbiret (*call)(struct guest *g, struct vcpu_guest *vg, struct guest_regs *r);
};

#define SBI_EXT_DECLARE(id, ...)                 \
	static const struct sbi_ext sbi_ext_##id \
		__attribute__((section("keel_sbi_exts." #id), used, aligned(8))) = { __VA_ARGS__ }

/* Extensions Keel can have (keel.lds checks); vcpu stats count calls per extension. */
#define SBI_SERVER_MAX_EXTS 16
#define SBI_EXT_SIZE 56 /* sizeof(struct sbi_ext), for keel.lds */

/* The guest's table of extensions it may call (create, once its description is known). */
void sbi_server_guest_init(struct guest *g);

/* The i-th extension in link order, or NULL. */
const struct sbi_ext *sbi_server_ext(unsigned int i);

/*
 * The VCPUs an SBI hart mask names (hart_mask_base -1: all of them): fn for
 * each, in order.  SBI_ERR_INVALID_PARAM, and fn for none, when one of the
 * named harts does not exist.
 */
long sbi_for_each_hart(struct guest *g, unsigned long mask, unsigned long base,
		       void (*fn)(struct vcpu_guest *target, void *arg), void *arg);

/* IPI and RFENCE for a hart mask, shared by their extensions and the legacy calls. */
long sbi_server_ipi(struct guest *g, unsigned long mask, unsigned long base);
long sbi_server_rfence(struct guest *g, unsigned long mask, unsigned long base, u32 req);

/*
 * From trap_from_guest (entry.S) on an ecall, interrupts off, on the VCPU
 * thread's stack: serve it there and return 1, or 0 for the normal exit.
 */
int sbi_fast_call(struct guest_regs *r);
/* For sbi_ext.fast: always. */
bool sbi_fast_always(void);

/* After an ecall from VS-mode: a7 = extension, a6 = function, results in a0/a1. */
void sbi_server_call(struct guest *g, struct vcpu_guest *vg, struct guest_regs *r);
/*
 * The extension of @eid in a guest's table (struct guest's sbi, nr_sbi), or
 * NULL: inline, for the probe (BASE) as for the call.
 */
static inline const struct sbi_ext *sbi_find(const struct sbi_ext *const *tab, unsigned int n,
					     unsigned long eid)
{
	for (unsigned int i = 0; i < n; i++)
		if (eid >= tab[i]->eid_min && eid <= tab[i]->eid_max)
			return tab[i];
	return NULL;
}
/*
 * SBI STA, on the VCPU's own thread: before it enters the guest (interrupts
 * off, after any switch to it), the steal time into its record if it moved;
 * when it stops (HSM), no more reporting.
 */
void sbi_sta_update(struct vcpu_guest *vg);
void sbi_sta_stop(struct vcpu_guest *vg);
/* Guests' timers are the hart's vstimecmp (arch/riscv/timer.c probes Sstc). */
extern bool use_sstc;
static inline bool sbi_server_sstc(void)
{
	return use_sstc;
}

#define SBI_SPEC_VERSION ((2UL << 24) | 0) /* 2.0 */
/* Not a registered implementation ID: "KEEL" in ASCII, far from the assigned ones. */
#define SBI_IMPL_ID_KEEL 0x4b45454cUL

#endif
