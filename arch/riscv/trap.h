#ifndef ARCH_RISCV_TRAP_H
#define ARCH_RISCV_TRAP_H

#include "arch/riscv/csr.h"
#include "core/percpu.h"

struct trap_frame {
	u64 regs[32];
	u64 sepc, sstatus, scause, stval, htval, htinst;
};

/*
 * While percpu probe_active is set, an illegal-instruction trap skips
 * the faulting (4-byte CSR) instruction and sets probe_faulted.
 */

#define csr_probe_read(csr, valp)                                                 \
	({                                                                        \
		unsigned long __f = irq_save(), __v;                              \
		int __r;                                                          \
		this_cpu()->probe_faulted = false;                                \
		this_cpu()->probe_active = true;                                  \
		__asm__ volatile("csrr %0, " csr_str(csr) : "=r"(__v)::"memory"); \
		this_cpu()->probe_active = false;                                 \
		__r = this_cpu()->probe_faulted ? -ENODEV : 0;                    \
		irq_restore(__f);                                                 \
		*(valp) = __v;                                                    \
		__r;                                                              \
	})

#define csr_probe_write(csr, val)                                                    \
	({                                                                           \
		unsigned long __f = irq_save(), __v = (unsigned long)(val);          \
		int __r;                                                             \
		this_cpu()->probe_faulted = false;                                   \
		this_cpu()->probe_active = true;                                     \
		__asm__ volatile("csrw " csr_str(csr) ", %0" ::"r"(__v) : "memory"); \
		this_cpu()->probe_active = false;                                    \
		__r = this_cpu()->probe_faulted ? -ENODEV : 0;                       \
		irq_restore(__f);                                                    \
		__r;                                                                 \
	})

void trap_handler(struct trap_frame *f);
void trap_dump(const struct trap_frame *f, bool symbolize);
const char *trap_cause_name(u64 cause);

#endif
