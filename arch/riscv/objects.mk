# objects built into keel.elf from arch/riscv/
obj-y += arch/riscv/head.o arch/riscv/entry.o arch/riscv/trap.o arch/riscv/percpu.o
obj-y += arch/riscv/sbi.o arch/riscv/mmu.o arch/riscv/timer.o arch/riscv/smp.o
