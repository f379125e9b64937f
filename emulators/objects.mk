# objects built into keel.elf from emulators/: guest-visible device models
obj-$(CONFIG_EMU_NS16550) += emulators/ns16550.o
obj-$(CONFIG_EMU_PLIC) += emulators/plic.o
obj-$(CONFIG_EMU_GOLDFISH_RTC) += emulators/goldfish_rtc.o
obj-$(CONFIG_EMU_SIFIVE_TEST) += emulators/sifive_test.o
