#ifndef ARCH_RISCV_TRAP_H
#define ARCH_RISCV_TRAP_H

#include "arch/riscv/csr.h"
#include "core/percpu.h"

struct trap_frame {
	u64 regs[32];
	u64 sepc, sstatus, scause, stval, htval, htinst;
};

/*
 * While percpu probe_active is set, an illegal-instruction trap or a load
 * fault (misaligned, access, page or guest-page fault) skips the faulting
 * 4-byte instruction and sets probe_faulted.  __probe_insn runs @insn (a CSR
 * access, or an HLV/HLVX load of guest memory) so: 0, or -ENODEV if it trapped.
 */
#define __probe_insn(insn)                                     \
	({                                                     \
		unsigned long __f = irq_save();                \
		int __r;                                       \
		this_cpu()->probe_faulted = false;             \
		this_cpu()->probe_active = true;               \
		insn;                                          \
		this_cpu()->probe_active = false;              \
		__r = this_cpu()->probe_faulted ? -ENODEV : 0; \
		irq_restore(__f);                              \
		__r;                                           \
	})

#define csr_probe_read(csr, valp)                                                 \
	({                                                                        \
		unsigned long __v = 0;                                            \
		int __pr = __probe_insn(__asm__ volatile("csrr %0, " csr_str(csr) \
							 : "=r"(__v)::"memory")); \
		*(valp) = __v;                                                    \
		__pr;                                                             \
	})

#define csr_probe_write(csr, val)                                                             \
	__probe_insn(__asm__ volatile("csrw " csr_str(csr) ", %0" ::"r"((unsigned long)(val)) \
				      : "memory"))

void trap_handler(struct trap_frame *f);
void trap_dump(const struct trap_frame *f, bool symbolize);
const char *trap_cause_name(u64 cause);

#endif
