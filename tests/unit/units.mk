# Host unit tests (cmocka, ASan+UBSan).  Each entry: UNIT_TESTS += NAME and
# unit-NAME-srcs := the Keel sources tests/unit/test_NAME.c links against.
UNIT_TESTS :=
UNIT_TESTS += linedit
unit-linedit-srcs := libs/linedit.c
UNIT_TESTS += args
unit-args-srcs := libs/args.c
UNIT_TESTS += buddy
unit-buddy-srcs := libs/buddy.c
UNIT_TESTS += heap
unit-heap-srcs := libs/heap.c
UNIT_TESTS += fdtinfo
unit-fdtinfo-srcs := libs/fdtinfo.c
UNIT_TESTS += sched_prio_rr
unit-sched_prio_rr-srcs :=
UNIT_TESTS += ranges
unit-ranges-srcs := libs/ranges.c
UNIT_TESTS += cpio
unit-cpio-srcs := libs/cpio.c
UNIT_TESTS += guestcfg
unit-guestcfg-srcs := libs/guestcfg.c libs/fdtinfo.c
# The test reads guest descriptions compiled from tests/unit/guestcfg/*.dts.
# -q: most of them are wrong on purpose, and dtc has an opinion on some.
unit-guestcfg-dtbs := $(patsubst tests/unit/guestcfg/%.dts,$(BUILD)/unit/guestcfg/%.dtb,\
	$(wildcard tests/unit/guestcfg/*.dts))
$(BUILD)/unit/guestcfg/%.dtb: tests/unit/guestcfg/%.dts
	$(Q)mkdir -p $(@D)
	$(Q)dtc -q -I dts -O dtb -o $@ $<
$(BUILD)/unit/test_guestcfg: $(unit-guestcfg-dtbs)
UNIT_TESTS += insn
unit-insn-srcs := libs/insn.c
UNIT_TESTS += plic
unit-plic-srcs := libs/plic.c
