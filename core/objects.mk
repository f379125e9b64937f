# objects built into keel.elf from core/
obj-y += core/main.o core/console.o core/panic.o core/ksyms.o core/mm.o core/timer.o
obj-y += core/package.o core/guest.o core/guest_vcpu.o core/sched.o core/thread.o core/waitqueue.o core/irq.o core/driver.o core/cmd.o
obj-$(CONFIG_SCHED_PRIO_RR) += core/sched/prio_rr.o
obj-y += core/emulator.o core/mmio.o core/vserial.o
