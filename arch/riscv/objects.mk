# objects built into keel.elf from arch/riscv/
obj-y += arch/riscv/head.o arch/riscv/entry.o arch/riscv/trap.o arch/riscv/percpu.o
obj-y += arch/riscv/sbi.o arch/riscv/mmu.o arch/riscv/timer.o arch/riscv/smp.o
obj-y += arch/riscv/gstage.o arch/riscv/vcpu.o arch/riscv/fpu.o arch/riscv/sbi_server.o
obj-y += arch/riscv/sbi/base.o arch/riscv/sbi/dbcn.o arch/riscv/sbi/legacy.o
obj-y += arch/riscv/sbi/srst.o arch/riscv/sbi/time.o arch/riscv/sbi/hsm.o
obj-y += arch/riscv/sbi/ipi.o arch/riscv/sbi/rfence.o arch/riscv/sbi/sta.o
