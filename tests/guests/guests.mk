# Test guests: bare-metal S-mode programs that run natively on QEMU + OpenSBI
# and as Keel guests.  Included by the top Makefile; also usable on its own:
#   make -f tests/guests/guests.mk BUILD=build guests
#   make -f tests/guests/guests.mk guest-native-basic GUEST_SMP=4 GUEST_APPEND=keel.test=all
#   make -f tests/guests/guests.mk guest-native-linux GUEST_SMP=4
# Independent of Keel's configuration: no autoconf.h, no Keel CFLAGS.

BUILD         ?= build
GUEST_CC      ?= riscv64-unknown-elf-gcc
GUEST_OBJCOPY ?= $(patsubst %gcc,%objcopy,$(GUEST_CC))
Q             ?= @
KEEL_CACHE    ?= $(HOME)/.cache/keel

GUEST_CFLAGS := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany \
	--specs=picolibc.specs -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-ffreestanding -fno-common -fno-stack-protector -fno-pic -mno-relax \
	-ffunction-sections -fdata-sections -MMD -MP
GUEST_LDFLAGS := -march=rv64imac -mabi=lp64 -mcmodel=medany --specs=picolibc.specs \
	-nostartfiles -static -Wl,--gc-sections -Wl,--no-relax -Wl,--build-id=none \
	-Wl,--no-warn-rwx-segments

GUESTS := basic

# basic: every .c and .S in tests/guests/basic, linked at 0x80200000.
GUEST_BASIC_DIR  := tests/guests/basic
GUEST_BASIC_SRCS := $(sort $(wildcard $(GUEST_BASIC_DIR)/*.c $(GUEST_BASIC_DIR)/*.S))
GUEST_BASIC_OBJS := $(patsubst $(GUEST_BASIC_DIR)/%,$(BUILD)/guests/basic/%.o,$(GUEST_BASIC_SRCS))

.PHONY: guests guest-native-basic guest-linux guest-native-linux
guests: $(foreach g,$(GUESTS),$(BUILD)/guests/$(g).elf $(BUILD)/guests/$(g).bin) guest-linux

# linux: a Linux 6.1 Image with /init (tests/guests/linux) built in.  The script
# decides, from a hash of its inputs, whether the Image cached in $(KEEL_CACHE)
# is current: quiet when it is, about 6 minutes when it is not.
guest-linux:
	$(Q)KEEL_CACHE=$(KEEL_CACHE) tools/build-linux-guest $(BUILD)/guests/linux

$(GUEST_BASIC_OBJS): $(BUILD)/guests/basic/%.o: $(GUEST_BASIC_DIR)/% tests/guests/guests.mk
	@echo "  GUESTCC $<"
	$(Q)mkdir -p $(@D)
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(BUILD)/guests/basic.elf: $(GUEST_BASIC_OBJS) $(GUEST_BASIC_DIR)/basic.lds
	@echo "  GUESTLD $@"
	$(Q)$(GUEST_CC) $(GUEST_LDFLAGS) -T $(GUEST_BASIC_DIR)/basic.lds $(GUEST_BASIC_OBJS) -o $@

$(BUILD)/guests/%.bin: $(BUILD)/guests/%.elf
	@echo "  OBJCOPY $@"
	$(Q)$(GUEST_OBJCOPY) -O binary $< $@

-include $(GUEST_BASIC_OBJS:.o=.d)

# Run basic natively (S-mode on OpenSBI, no Keel): the reference behaviour.
GUEST_SMP    ?= 2
GUEST_MEM    ?= 256M
GUEST_APPEND ?= keel.test=all
GUEST_OPENSBI ?= /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin
guest-native-basic: $(BUILD)/guests/basic.bin
	qemu-system-riscv64 -M virt -cpu rv64 -m $(GUEST_MEM) -smp $(GUEST_SMP) -nographic \
		-bios $(GUEST_OPENSBI) -kernel $< -append "$(GUEST_APPEND)" </dev/null

# Linux natively on QEMU + OpenSBI, as tests/integration/test_linux_native.py runs it.
GUEST_LINUX_APPEND ?= console=ttyS0 earlycon=sbi keel.cpus=$(GUEST_SMP) keel.rtc=1
guest-native-linux: guest-linux
	qemu-system-riscv64 -M virt -cpu rv64 -m $(GUEST_MEM) -smp $(GUEST_SMP) -nographic \
		-bios $(GUEST_OPENSBI) -kernel $(BUILD)/guests/linux/Image \
		-append "$(GUEST_LINUX_APPEND)"
