# objects built into keel.elf from core/
obj-y += core/main.o core/console.o core/panic.o core/ksyms.o core/mm.o core/timer.o
obj-y += core/package.o core/guest.o core/guest_vcpu.o core/sched.o core/thread.o core/waitqueue.o core/irq.o core/driver.o core/cmd.o
obj-y += core/sched/prio_rr.o core/sched/rr.o
obj-$(CONFIG_SCHED_POLICY_RM) += core/sched/rm.o
obj-$(CONFIG_SCHED_POLICY_EDF) += core/sched/edf.o
obj-$(CONFIG_SCHED_POLICY_CYCLIC) += core/sched/cyclic.o
obj-$(if $(CONFIG_SCHED_POLICY_RM)$(CONFIG_SCHED_POLICY_EDF),y) += core/sched/rsv.o
obj-y += core/emulator.o core/mmio.o core/vserial.o
