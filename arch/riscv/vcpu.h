/* A guest VCPU's architectural state (VS-mode) and the world switch. */
#ifndef ARCH_RISCV_VCPU_H
#define ARCH_RISCV_VCPU_H

#include "libs/types.h"

struct guest_regs {
	u64 x[32];
	u64 sepc, sstatus, hstatus;
	u64 scause, stval, htval, htinst; /* of the last exit */
	u64 host_ra, host_sp, host_tp, host_s[12];
};

/* VS-level CSRs, saved while another VCPU uses the hart; hvip is what Keel injects. */
struct guest_csrs {
	u64 vsstatus, vsie, vstvec, vsscratch, vsepc, vscause, vstval, vsatp, vstimecmp, hvip;
};

/* Enter the guest; returns (interrupts still off) when it traps to Keel. */
void vcpu_enter(struct guest_regs *g);

void vcpu_set_timer(u64 deadline);
u64 vcpu_timer(void);
void vcpu_csrs_init(struct guest_csrs *c);
void vcpu_csrs_load(const struct guest_csrs *c, u64 hgatp);
void vcpu_csrs_save(struct guest_csrs *c);
/*
 * The instruction at guest-virtual @pc, read with HLVX.HU as the guest that
 * just trapped sees it (hstatus.SPVP, its vsatp and hgatp on this hart):
 * a 16-bit instruction in the low half.  0, or -EFAULT when the read faults
 * (the fault is Keel's to report, not the guest's).
 */
int vcpu_fetch_insn(u64 pc, u32 *insn);
/* Per hart: delegate guest exceptions and VS interrupts to VS-mode, counters, Sstc. */
void vcpu_hart_init(bool sstc);

#endif
