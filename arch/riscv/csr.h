/* CSR numbers and accessors.  H-extension CSRs are named by number so the
 * assembler needs no 'h' in -march (GCC 12 has none). */
#ifndef ARCH_RISCV_CSR_H
#define ARCH_RISCV_CSR_H

#include "libs/types.h"

#define CSR_SSTATUS 0x100
#define CSR_SIE 0x104
#define CSR_STVEC 0x105
#define CSR_SCOUNTEREN 0x106
#define CSR_SENVCFG 0x10a
#define CSR_SSCRATCH 0x140
#define CSR_SEPC 0x141
#define CSR_SCAUSE 0x142
#define CSR_STVAL 0x143
#define CSR_SIP 0x144
#define CSR_STIMECMP 0x14d
#define CSR_VSTIMECMP 0x24d
#define CSR_SATP 0x180
#define CSR_HSTATUS 0x600
#define CSR_HEDELEG 0x602
#define CSR_HIDELEG 0x603
#define CSR_HIE 0x604
#define CSR_HCOUNTEREN 0x606
#define CSR_HGEIE 0x607
#define CSR_HENVCFG 0x60a
#define CSR_HTVAL 0x643
#define CSR_HIP 0x644
#define CSR_HVIP 0x645
#define CSR_HTINST 0x64a
#define CSR_HGATP 0x680
#define CSR_TIME 0xc01

#define SSTATUS_SIE (1UL << 1)
#define SSTATUS_SPIE (1UL << 5)
#define SSTATUS_SPP (1UL << 8)
#define SSTATUS_FS (3UL << 13)
#define SSTATUS_FS_INITIAL (1UL << 13)
#define SSTATUS_SUM (1UL << 18)

#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT 9
#define SIE_SSIE (1UL << IRQ_S_SOFT)
#define SIE_STIE (1UL << IRQ_S_TIMER)
#define SIE_SEIE (1UL << IRQ_S_EXT)

#define CAUSE_IRQ_FLAG (1UL << 63)
#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS 1
#define CAUSE_ILLEGAL_INSN 2
#define CAUSE_BREAKPOINT 3
#define CAUSE_MISALIGNED_LOAD 4
#define CAUSE_LOAD_ACCESS 5
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_STORE_ACCESS 7
#define CAUSE_USER_ECALL 8
#define CAUSE_SUPERVISOR_ECALL 9
#define CAUSE_VS_ECALL 10
#define CAUSE_MACHINE_ECALL 11
#define CAUSE_FETCH_PAGE_FAULT 12
#define CAUSE_LOAD_PAGE_FAULT 13
#define CAUSE_STORE_PAGE_FAULT 15
#define CAUSE_FETCH_GUEST_PAGE_FAULT 20
#define CAUSE_LOAD_GUEST_PAGE_FAULT 21
#define CAUSE_VIRTUAL_INSN 22
#define CAUSE_STORE_GUEST_PAGE_FAULT 23

#define SATP_MODE_SHIFT 60
#define SATP_MODE_SV39 8UL
#define SATP_MODE_SV48 9UL
#define HGATP_MODE_SHIFT 60
#define HGATP_VMID_SHIFT 44
#define HGATP_VMID_MASK (0x3fffUL << HGATP_VMID_SHIFT)

#define __csr_str(x) #x
#define csr_str(x) __csr_str(x)

#define csr_read(csr)                                                             \
	({                                                                        \
		unsigned long __v;                                                \
		__asm__ volatile("csrr %0, " csr_str(csr) : "=r"(__v)::"memory"); \
		__v;                                                              \
	})
#define csr_write(csr, val)                                                           \
	({                                                                            \
		unsigned long __v = (unsigned long)(val);                             \
		__asm__ volatile("csrw " csr_str(csr) ", %0" ::"rK"(__v) : "memory"); \
	})
#define csr_swap(csr, val)                                        \
	({                                                        \
		unsigned long __v = (unsigned long)(val);         \
		__asm__ volatile("csrrw %0, " csr_str(csr) ", %1" \
				 : "=r"(__v)                      \
				 : "rK"(__v)                      \
				 : "memory");                     \
		__v;                                              \
	})
#define csr_set(csr, val)                                                             \
	({                                                                            \
		unsigned long __v = (unsigned long)(val);                             \
		__asm__ volatile("csrs " csr_str(csr) ", %0" ::"rK"(__v) : "memory"); \
	})
#define csr_clear(csr, val)                                                           \
	({                                                                            \
		unsigned long __v = (unsigned long)(val);                             \
		__asm__ volatile("csrc " csr_str(csr) ", %0" ::"rK"(__v) : "memory"); \
	})
#define csr_read_clear(csr, val)                                  \
	({                                                        \
		unsigned long __v = (unsigned long)(val);         \
		__asm__ volatile("csrrc %0, " csr_str(csr) ", %1" \
				 : "=r"(__v)                      \
				 : "rK"(__v)                      \
				 : "memory");                     \
		__v;                                              \
	})

static inline u64 rdtime(void)
{
	u64 t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

static inline void wfi(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

static inline unsigned long irq_save(void)
{
	return csr_read_clear(CSR_SSTATUS, SSTATUS_SIE) & SSTATUS_SIE;
}

static inline void irq_restore(unsigned long flags)
{
	if (flags)
		csr_set(CSR_SSTATUS, SSTATUS_SIE);
}

static inline void irq_enable(void)
{
	csr_set(CSR_SSTATUS, SSTATUS_SIE);
}

static inline void irq_disable(void)
{
	csr_clear(CSR_SSTATUS, SSTATUS_SIE);
}

static inline bool irq_enabled(void)
{
	return csr_read(CSR_SSTATUS) & SSTATUS_SIE;
}

#endif
