/* Layout shared by the assembly entry paths and C. */
#ifndef ARCH_RISCV_ASM_H
#define ARCH_RISCV_ASM_H

/* struct trap_frame: x0..x31 (x0 slot unused), then the trap CSRs. */
#define TF_REG(n) ((n)*8)
#define TF_SEPC (32 * 8)
#define TF_SSTATUS (33 * 8)
#define TF_SCAUSE (34 * 8)
#define TF_STVAL (35 * 8)
#define TF_HTVAL (36 * 8)
#define TF_HTINST (37 * 8)
#define TF_SIZE (38 * 8)

/* struct percpu: fields the trap entry reads through tp. */
#define PC_STACK_LIMIT 0
#define PC_EMERGENCY_SP 8

/* struct cpu_context: callee-saved registers for thread switches. */
#define CTX_RA 0
#define CTX_SP 8
#define CTX_S(n) (16 + (n)*8)
#define CTX_SIZE (16 + 12 * 8)

/* struct hart_boot: what a secondary hart loads before touching C. */
#define HB_SP 0
#define HB_TP 8
#define HB_SATP 16

#endif
