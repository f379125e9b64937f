# objects built into keel.elf from libs/
obj-y += libs/buddy.o libs/heap.o libs/fdtinfo.o libs/ranges.o libs/cpio.o
obj-y += libs/guestcfg.o libs/insn.o libs/plic.o libs/gpt.o libs/sbi_args.o libs/hartset.o
obj-$(CONFIG_MTERM) += libs/linedit.o libs/args.o
