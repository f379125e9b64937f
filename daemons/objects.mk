# objects built into keel.elf from daemons/
obj-$(CONFIG_MTERM) += daemons/mterm.o
