/* A guest VCPU's architectural state (VS-mode) and the world switch. */
#ifndef ARCH_RISCV_VCPU_H
#define ARCH_RISCV_VCPU_H

#include "arch/riscv/csr.h"
#include "libs/types.h"

struct guest_regs {
	u64 x[32];
	u64 sepc, sstatus, hstatus;
	u64 scause, stval, htval, htinst; /* of the last exit */
	u64 host_ra, host_sp, host_tp, host_s[12];
};

/* hvip bits: the VS-level interrupts Keel raises. */
#define HVIP_VSSIP (1UL << 2)
#define HVIP_VSTIP (1UL << 6)
#define HVIP_VSEIP (1UL << 10)
/*
 * Those that follow a level Keel keeps per VCPU (struct vcpu_guest.levels):
 * written into hvip before each entry, never saved with the CSRs.
 */
#define HVIP_LEVELS HVIP_VSEIP

/*
 * A guest VCPU's state that stays on the hart until another guest VCPU needs
 * it: VS-level CSRs, hvip (interrupts Keel injects, and the guest's own
 * VSSIP; not HVIP_LEVELS), and the F/D registers when the host has them.
 */
struct guest_csrs {
	u64 vsstatus, vsie, vstvec, vsscratch, vsepc, vscause, vstval, vsatp, vstimecmp, hvip;
	u64 scounteren, senvcfg;
	u64 f[32], fcsr;
};

/* Enter the guest; returns (interrupts still off) when it traps to Keel. */
void vcpu_enter(struct guest_regs *g);

/* The running guest's timer (its stimecmp is the hart's vstimecmp under Sstc). */
static inline void vcpu_set_timer(u64 deadline)
{
	csr_write(CSR_VSTIMECMP, deadline);
}
void vcpu_csrs_init(struct guest_csrs *c);
void vcpu_csrs_load(const struct guest_csrs *c, u64 hgatp);
void vcpu_csrs_save(struct guest_csrs *c);
/* Set a VCPU up as SBI HSM start defines it (on the hart holding its CSRs). */
void vcpu_boot(struct guest_regs *r, u64 pc, u64 a0, u64 a1);
/*
 * No guest interrupt pending, enabled or armed on this hart: for a start after
 * a stop, and once a VCPU's CSRs are saved (else the hart's wfi, which wakes on
 * any pending and enabled interrupt, would keep waking for a guest that is
 * not here).
 */
void vcpu_quiesce(void);
/* An exception the guest's S-mode handles (e.g. an illegal instruction). */
void vcpu_inject_exception(struct guest_regs *r, u64 cause, u64 tval);
/* The hart raises a VS interrupt the guest enabled (what ends a wfi for it). */
bool vcpu_irq_raised(void);
/* Also a due vstimecmp interrupt QEMU did not raise yet, raised now. */
bool vcpu_irq_pending(void);
u64 vcpu_wake_deadline(void);
void vcpu_hfence_vvma(void);
/*
 * The instruction at guest-virtual @pc, read with HLVX.HU as the guest that
 * just trapped sees it (hstatus.SPVP, its vsatp and hgatp on this hart):
 * a 16-bit instruction in the low half.  0, or -EFAULT when the read faults
 * (the fault is Keel's to report, not the guest's).
 */
int vcpu_fetch_insn(u64 pc, u32 *insn);
/* A doubleword at guest-virtual @va, read with HLV.D likewise: 0, or -EFAULT. */
int vcpu_read_guest_u64(u64 va, u64 *out);
/* Per hart: delegate guest exceptions and VS interrupts to VS-mode, counters, Sstc. */
void vcpu_hart_init(bool sstc);

/*
 * Guests get F and D when every hart Keel runs on has them.  Keel itself is
 * built without floating point (the build checks keel.elf for FP
 * instructions), so a guest's FP registers stay on the hart with its CSRs.
 */
extern bool vcpu_fp;
void fp_save(u64 *f); /* f0..f31 then fcsr */
void fp_load(const u64 *f);

#endif
