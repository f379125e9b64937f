# Keel — a Type-1 hypervisor for RISC-V.  One Makefile, Kconfig-driven.
#
#   make defconfig | menuconfig | savedefconfig     configuration (kconfiglib)
#   make                                            build/keel.elf, build/keel.bin
#   make run | test | bench | gdb                   see README.md

BUILD      ?= build
KEEL_CACHE ?= $(HOME)/.cache/keel
PY         := /usr/bin/python3
KCONFIGLIB := /usr/lib/python3/dist-packages
CROSS      ?= riscv64-unknown-elf-
CC         := $(CROSS)gcc
OBJCOPY    := $(CROSS)objcopy
NM         := $(CROSS)nm
OBJDUMP    := $(CROSS)objdump
SIZE       := $(CROSS)size
HOSTCC     ?= gcc
DEFCONFIG  ?= arch/riscv/configs/qemu-virt_defconfig
export KCONFIG_CONFIG := .config

ifeq ($(V),1)
Q :=
else
Q := @
endif

all: $(BUILD)/keel.bin

# ---------------------------------------------------------------- set-up
deps:
	$(Q)tools/install-deps

.PHONY: all deps defconfig menuconfig savedefconfig run test unit fuzz-smoke \
	integration bench gdb clean format format-check

defconfig: | deps
	$(Q)$(PY) $(KCONFIGLIB)/defconfig.py --kconfig Kconfig $(DEFCONFIG)

menuconfig: | deps
	$(Q)[ -f .config ] || $(MAKE) -s defconfig
	$(Q)$(PY) $(KCONFIGLIB)/menuconfig.py Kconfig

savedefconfig: .config
	$(Q)$(PY) $(KCONFIGLIB)/savedefconfig.py --kconfig Kconfig --out defconfig
	@echo "wrote ./defconfig (copy it to $(DEFCONFIG) to make it the default)"

.config:
	$(Q)tools/install-deps
	$(Q)$(PY) $(KCONFIGLIB)/defconfig.py --kconfig Kconfig $(DEFCONFIG)

KCONFIG_FILES := $(shell find . -name Kconfig -not -path './$(BUILD)/*')
$(BUILD)/config/auto.conf $(BUILD)/config/autoconf.h &: .config $(KCONFIG_FILES)
	$(Q)mkdir -p $(BUILD)/config
	$(Q)$(PY) $(KCONFIGLIB)/genconfig.py --header-path $(BUILD)/config/autoconf.h \
		--config-out $(BUILD)/config/auto.conf Kconfig

ifeq ($(filter defconfig menuconfig savedefconfig clean deps format format-check unit fuzz-smoke,$(MAKECMDGOALS)),)
-include $(BUILD)/config/auto.conf
endif

# ---------------------------------------------------------------- sources
obj-y :=
include arch/riscv/objects.mk core/objects.mk drivers/objects.mk emulators/objects.mk \
	libs/objects.mk commands/objects.mk daemons/objects.mk

OBJS := $(addprefix $(BUILD)/,$(obj-y))

# libfdt: compiled from Debian's linux-source-6.1, extracted once into the cache.
LINUX_TAR  := /usr/src/linux-source-6.1.tar.xz
LIBFDT_DIR := $(KEEL_CACHE)/libfdt-linux-6.1
LIBFDT_C   := fdt.c fdt_ro.c fdt_wip.c fdt_sw.c fdt_rw.c fdt_strerror.c fdt_addresses.c
LIBFDT_OBJS := $(addprefix $(BUILD)/libfdt/,$(LIBFDT_C:.c=.o))

# Every build first makes sure the Debian packages are there (quiet when they are).
$(BUILD)/config/auto.conf $(LIBFDT_DIR)/.stamp: | deps

ARCHFLAGS := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany
CFLAGS := $(ARCHFLAGS) --specs=picolibc.specs -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-Wno-unused-parameter -ffreestanding -fno-common -fno-omit-frame-pointer \
	-fno-optimize-sibling-calls -fPIE -fvisibility=hidden -ffunction-sections \
	-fdata-sections -fno-stack-protector -fno-strict-aliasing -mno-relax \
	-I. -I$(BUILD)/config -I$(LIBFDT_DIR) -include $(BUILD)/config/autoconf.h \
	-MMD -MP
# GNU ld for bare-metal ELF cannot make a PIE: link with the Linux-target ld
# from the same binutils release, against picolibc and libgcc.
LD      := riscv64-linux-gnu-ld
LIBC_A  := /usr/lib/picolibc/riscv64-unknown-elf/lib/rv64imac/lp64/libc.a
LIBGCC  := $(shell $(CC) -march=rv64imac -mabi=lp64 -mcmodel=medany -print-libgcc-file-name 2>/dev/null)
LDFLAGS := -pie --no-dynamic-linker -z text -z max-page-size=4096 --gc-sections --no-relax \
	--no-warn-rwx-segments --build-id=none -T arch/riscv/keel.lds \
	--defsym=vfprintf=__i_vfprintf --defsym=vfscanf=__i_vfscanf


$(LIBFDT_DIR)/.stamp:
	$(Q)tools/install-deps
	@echo "  EXTRACT libfdt from $(LINUX_TAR) into $(LIBFDT_DIR)"
	$(Q)rm -rf $(LIBFDT_DIR).tmp && mkdir -p $(LIBFDT_DIR).tmp
	$(Q)tar -xJf $(LINUX_TAR) -C $(LIBFDT_DIR).tmp --strip-components=4 \
		linux-source-6.1/scripts/dtc/libfdt
	$(Q)touch $(LIBFDT_DIR).tmp/.stamp && rm -rf $(LIBFDT_DIR) && mv $(LIBFDT_DIR).tmp $(LIBFDT_DIR)

$(BUILD)/libfdt/%.o: $(LIBFDT_DIR)/.stamp $(BUILD)/config/autoconf.h
	@echo "  CC      libfdt/$*.c"
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(filter-out -Wextra -Werror -MMD -MP,$(CFLAGS)) -w -c $(LIBFDT_DIR)/$*.c -o $@

$(BUILD)/%.o: %.c $(BUILD)/config/autoconf.h $(LIBFDT_DIR)/.stamp
	@echo "  CC      $<"
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/%.o: %.S $(BUILD)/config/autoconf.h
	@echo "  AS      $<"
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -D__ASSEMBLY__ -c $< -o $@

# Two-pass link: the symbol table for backtraces sits after .text, so
# pass 2 leaves every code address of pass 1 unchanged (checked below).
LINK_OBJS := $(OBJS) $(LIBFDT_OBJS)
$(BUILD)/keel.elf: $(LINK_OBJS) arch/riscv/keel.lds tools/gen-ksyms tools/check-no-fp Makefile
	@echo "  LD      $@"
	$(Q)$(PY) tools/gen-ksyms < /dev/null > $(BUILD)/ksyms0.S
	$(Q)$(CC) $(CFLAGS) -D__ASSEMBLY__ -c $(BUILD)/ksyms0.S -o $(BUILD)/ksyms0.o
	$(Q)$(LD) $(LDFLAGS) $(LINK_OBJS) $(BUILD)/ksyms0.o $(LIBC_A) $(LIBGCC) -o $(BUILD)/keel.pass1.elf
	$(Q)$(NM) -n --defined-only $(BUILD)/keel.pass1.elf | $(PY) tools/gen-ksyms > $(BUILD)/ksyms.S
	$(Q)$(CC) $(CFLAGS) -D__ASSEMBLY__ -c $(BUILD)/ksyms.S -o $(BUILD)/ksyms.o
	$(Q)$(LD) $(LDFLAGS) $(LINK_OBJS) $(BUILD)/ksyms.o $(LIBC_A) $(LIBGCC) -o $@
	$(Q)$(NM) -n --defined-only $(BUILD)/keel.elf | $(PY) tools/gen-ksyms --check $(BUILD)/ksyms.S
	$(Q)$(OBJDUMP) -d --no-show-raw-insn $@ | $(PY) tools/check-no-fp || (rm -f $@; false)

$(BUILD)/keel.bin: $(BUILD)/keel.elf
	@echo "  OBJCOPY $@"
	$(Q)$(OBJCOPY) -O binary $< $@
	$(Q)$(SIZE) $< | tail -1 | awk '{printf "  SIZE    text %s  data %s  bss %s  (keel.bin %d bytes)\n", $$1, $$2, $$3, '"$$(stat -c %s $@)"'}'

-include $(OBJS:.o=.d)

# ---------------------------------------------------------------- running
QEMU      := qemu-system-riscv64
OPENSBI   := /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin
SMP       ?= 2
MEM       ?= 512M
QEMU_ARGS := -M virt -cpu rv64 -m $(MEM) -smp $(SMP) -nographic \
	-bios $(OPENSBI) -kernel $(BUILD)/keel.bin

# The default guest package (packages/default): the Linux test guest, created,
# started and bound to the terminal by its boot script.
RUN_PKG := $(BUILD)/run/default.cpio
$(RUN_PKG): guest-linux packages/default/linux.dts packages/default/boot.keel
	@echo "  PKG     $@"
	$(Q)rm -rf $(BUILD)/run/pkg && mkdir -p $(BUILD)/run/pkg/guests
	$(Q)cp $(BUILD)/guests/linux/Image $(BUILD)/run/pkg/Image
	$(Q)cp packages/default/boot.keel $(BUILD)/run/pkg/boot.keel
	$(Q)dtc -q -I dts -O dtb -o $(BUILD)/run/pkg/guests/linux.dtb packages/default/linux.dts
	$(Q)cd $(BUILD)/run/pkg && printf 'Image\nguests/linux.dtb\nboot.keel\n' | \
		cpio -o -H newc --quiet > $(abspath $@)

run: all $(RUN_PKG)
	$(QEMU) $(QEMU_ARGS) -initrd $(RUN_PKG)

# Keel is linked at 0 and relocates itself: symbols are offset to where fw_jump
# loads it (0x80200000).
gdb: all
	@echo "QEMU waits for the debugger on :1234; gdb-multiarch attaches with Keel's symbols"
	@echo "Keel's console: telnet localhost 4444"
	$(QEMU) -M virt -cpu rv64 -m $(MEM) -smp $(SMP) -bios $(OPENSBI) -kernel $(BUILD)/keel.bin \
		-display none -monitor none -serial telnet::4444,server,nowait -s -S & \
	gdb-multiarch -q -ex 'set architecture riscv:rv64' \
		-ex 'symbol-file -o 0x80200000 $(BUILD)/keel.elf' -ex 'target remote :1234'; \
	kill %1 2>/dev/null || true

# ---------------------------------------------------------------- tests
include tests/unit/units.mk tests/fuzz/fuzz.mk tests/guests/guests.mk

HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter -I. \
	-I$(LIBFDT_DIR) -DKEEL_HOST_TEST -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
HOST_LIBFDT_OBJS := $(addprefix $(BUILD)/host/libfdt/,$(LIBFDT_C:.c=.o))

$(BUILD)/host/libfdt/%.o: $(LIBFDT_DIR)/.stamp
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) -g -O1 -fsanitize=address,undefined -w -I$(LIBFDT_DIR) -c $(LIBFDT_DIR)/$*.c -o $@

.SECONDARY:
.SECONDEXPANSION:
$(BUILD)/unit/test_%: tests/unit/test_%.c $$(unit-$$*-srcs) $(HOST_LIBFDT_OBJS)
	@echo "  HOSTCC  $@"
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $< $(unit-$*-srcs) $(HOST_LIBFDT_OBJS) -lcmocka -o $@

UNIT_BINS := $(addprefix $(BUILD)/unit/test_,$(UNIT_TESTS))
unit: $(UNIT_BINS) | deps
	$(Q)$(PY) tools/run-unit $(UNIT_BINS)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(fuzz-$$*-srcs) $(LIBFDT_DIR)/.stamp
	@echo "  FUZZCC  $@"
	$(Q)mkdir -p $(@D)
	$(Q)clang -std=gnu11 -g -O1 -I. -I$(LIBFDT_DIR) -DKEEL_HOST_TEST \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $< \
		$(fuzz-$*-srcs) $(if $(fuzz-$*-fdt),$(addprefix $(LIBFDT_DIR)/,$(LIBFDT_C))) -o $@

FUZZ_BINS := $(addprefix $(BUILD)/fuzz/fuzz_,$(FUZZ_TARGETS))
FUZZ_RUNS ?= 30000
# Each harness: FUZZ_RUNS inputs from a fixed seed, starting from its seeds
# (and fuzz-NAME-corpus dirs); the scratch corpus lives in the build dir.
fuzz-smoke: $(addprefix fuzz-run-,$(FUZZ_TARGETS))
fuzz-run-%: $(BUILD)/fuzz/fuzz_% | deps
	@mkdir -p $(BUILD)/fuzz/corpus-$*
	@echo "  FUZZ    $* ($(or $(fuzz-$*-runs),$(FUZZ_RUNS)) runs)"
	$(Q)$(BUILD)/fuzz/fuzz_$* -runs=$(or $(fuzz-$*-runs),$(FUZZ_RUNS)) -max_len=$(or $(fuzz-$*-max-len),4096) \
		-seed=1 -artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus-$* tests/fuzz/seeds/$* \
		$(fuzz-$*-corpus) \
		2>$(BUILD)/fuzz/$*.log || { tail -40 $(BUILD)/fuzz/$*.log; exit 1; }
	@tail -1 $(BUILD)/fuzz/$*.log

integration: all guests
	$(Q)$(PY) -m pytest -q tests/integration $(PYTEST_ARGS)

test: deps all guests
	$(Q)$(MAKE) -s format-check
	$(Q)$(MAKE) -s unit
	$(Q)$(MAKE) -s fuzz-smoke
	$(Q)$(PY) -m pytest -q tests/integration $(PYTEST_ARGS)

bench: all guests
	$(Q)$(PY) tools/bench-boot $(BUILD)/keel.elf $(BUILD)/keel.bin
	$(Q)$(PY) tools/bench-guest
	$(Q)$(PY) tools/bench-platform

# ---------------------------------------------------------------- hygiene
SRC_FILES = $(shell git ls-files '*.c' '*.h')
format:
	$(Q)clang-format -i $(SRC_FILES)
format-check:
	$(Q)clang-format --dry-run --Werror $(SRC_FILES)
	@echo "  FORMAT  clang-format clean ($(words $(SRC_FILES)) files)"

clean:
	rm -rf $(BUILD)
