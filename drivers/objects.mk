# objects built into keel.elf from drivers/
obj-$(CONFIG_SERIAL_NS16550) += drivers/serial/ns16550.o
obj-$(CONFIG_IRQCHIP_PLIC) += drivers/irqchip/plic.o
obj-$(CONFIG_POWER_SIFIVE_TEST) += drivers/power/sifive_test.o
obj-$(CONFIG_RTC_GOLDFISH) += drivers/rtc/goldfish.o
