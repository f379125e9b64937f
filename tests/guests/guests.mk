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
	-ffunction-sections -fdata-sections -MMD -MP -Itests/guests/common
GUEST_LDFLAGS := -march=rv64imac -mabi=lp64 -mcmodel=medany --specs=picolibc.specs \
	-nostartfiles -static -Wl,--gc-sections -Wl,--no-relax -Wl,--build-id=none \
	-Wl,--no-warn-rwx-segments

# Each guest: every .c and .S in tests/guests/<name> and tests/guests/common,
# linked at 0x80200000 by common/guest.lds.
GUESTS := basic bench
GUEST_LDS := tests/guests/common/guest.lds

guest-srcs = $(sort $(wildcard tests/guests/$(1)/*.c tests/guests/$(1)/*.S))
guest-objs = $(patsubst tests/guests/%,$(BUILD)/guests/%.o,$(call guest-srcs,$(1)))
GUEST_COMMON_OBJS := $(call guest-objs,common)
GUEST_ALL_OBJS := $(GUEST_COMMON_OBJS) $(foreach g,$(GUESTS),$(call guest-objs,$(g)))

.PHONY: guests guest-linux guest-native-linux
guests: $(foreach g,$(GUESTS),$(BUILD)/guests/$(g).elf $(BUILD)/guests/$(g).bin) guest-linux

# linux: a Linux 6.1 Image with /init (tests/guests/linux) built in.  The script
# decides, from a hash of its inputs, whether the Image cached in $(KEEL_CACHE)
# is current: quiet when it is, about 6 minutes when it is not.
guest-linux:
	$(Q)KEEL_CACHE=$(KEEL_CACHE) tools/build-linux-guest $(BUILD)/guests/linux

$(GUEST_ALL_OBJS): $(BUILD)/guests/%.o: tests/guests/% tests/guests/guests.mk
	@echo "  GUESTCC $<"
	$(Q)mkdir -p $(@D)
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

define guest-link
$(BUILD)/guests/$(1).elf: $(call guest-objs,$(1)) $(GUEST_COMMON_OBJS) $(GUEST_LDS)
	@echo "  GUESTLD $$@"
	$(Q)$(GUEST_CC) $(GUEST_LDFLAGS) -T $(GUEST_LDS) $(call guest-objs,$(1)) \
		$(GUEST_COMMON_OBJS) -o $$@
endef
$(foreach g,$(GUESTS),$(eval $(call guest-link,$(g))))

$(BUILD)/guests/%.bin: $(BUILD)/guests/%.elf
	@echo "  OBJCOPY $@"
	$(Q)$(GUEST_OBJCOPY) -O binary $< $@

-include $(GUEST_ALL_OBJS:.o=.d)

# Run a guest natively (S-mode on OpenSBI, no Keel): the reference behaviour.
GUEST_SMP    ?= 2
GUEST_MEM    ?= 256M
GUEST_APPEND ?= keel.test=all
GUEST_OPENSBI ?= /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin
guest-native-%: $(BUILD)/guests/%.bin
	qemu-system-riscv64 -M virt -cpu rv64 -m $(GUEST_MEM) -smp $(GUEST_SMP) -nographic \
		-bios $(GUEST_OPENSBI) -kernel $< -append "$(GUEST_APPEND)" </dev/null

# Linux natively on QEMU + OpenSBI, as tests/integration/test_linux_native.py runs it.
GUEST_LINUX_APPEND ?= console=ttyS0 earlycon=sbi keel.cpus=$(GUEST_SMP) keel.rtc=1
guest-native-linux: guest-linux
	qemu-system-riscv64 -M virt -cpu rv64 -m $(GUEST_MEM) -smp $(GUEST_SMP) -nographic \
		-bios $(GUEST_OPENSBI) -kernel $(BUILD)/guests/linux/Image \
		-append "$(GUEST_LINUX_APPEND)"
