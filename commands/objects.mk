# objects built into keel.elf from commands/
obj-y += commands/help.o
obj-$(CONFIG_CMD_HOST) += commands/host.o
obj-$(CONFIG_CMD_PKG) += commands/pkg.o
obj-$(CONFIG_CMD_GUEST) += commands/guest.o
obj-$(CONFIG_CMD_HEAP) += commands/heap.o
obj-$(CONFIG_CMD_THREAD) += commands/thread.o
obj-$(CONFIG_CMD_VCPU) += commands/vcpu.o
obj-$(CONFIG_CMD_SCHED) += commands/sched.o
obj-$(CONFIG_CMD_SYSTEM) += commands/system.o
obj-$(CONFIG_CMD_DEBUG) += commands/debug.o
obj-$(CONFIG_CMD_VSERIAL) += commands/vserial.o
