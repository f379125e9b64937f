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

/* struct guest_regs: a guest VCPU's registers and the host state around it. */
#define GR_X(n) ((n)*8)
#define GR_SEPC (32 * 8)
#define GR_SSTATUS (33 * 8)
#define GR_HSTATUS (34 * 8)
#define GR_SCAUSE (35 * 8)
#define GR_STVAL (36 * 8)
#define GR_HTVAL (37 * 8)
#define GR_HTINST (38 * 8)
#define GR_HOST_RA (39 * 8)
#define GR_HOST_SP (40 * 8)
#define GR_HOST_TP (41 * 8)
#define GR_HOST_S(n) ((42 + (n)) * 8)
#define GR_SIZE (54 * 8)

#endif
