# objects built into keel.elf from emulators/: guest-visible device models
obj-$(CONFIG_EMU_NS16550) += emulators/ns16550.o
