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
# The scheduling policies: each test includes its policy's sources (and
# the simulated core), which are listed here as prerequisites only.
SCHED_UNIT_DEPS := core/sched_policy.h core/sched/rr.h core/sched/rr.c tests/unit/sched_sim.h
UNIT_TESTS += sched_prio_rr
unit-sched_prio_rr-srcs :=
$(BUILD)/unit/test_sched_prio_rr: core/sched/prio_rr.c $(SCHED_UNIT_DEPS)
UNIT_TESTS += sched_edf
unit-sched_edf-srcs :=
$(BUILD)/unit/test_sched_edf: core/sched/edf.c core/sched/rsv.h core/sched/rsv.c $(SCHED_UNIT_DEPS)
UNIT_TESTS += sched_rm
unit-sched_rm-srcs :=
$(BUILD)/unit/test_sched_rm: core/sched/rm.c core/sched/rsv.h core/sched/rsv.c $(SCHED_UNIT_DEPS)
UNIT_TESTS += sched_cyclic
unit-sched_cyclic-srcs :=
$(BUILD)/unit/test_sched_cyclic: core/sched/cyclic.c $(SCHED_UNIT_DEPS)
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
UNIT_TESTS += gpt
unit-gpt-srcs := libs/gpt.c
UNIT_TESTS += sbi_args
unit-sbi_args-srcs := libs/sbi_args.c
# The ns16550A model: the test includes it, with a stub virtual serial line.
UNIT_TESTS += ns16550
unit-ns16550-srcs :=
$(BUILD)/unit/test_ns16550: emulators/ns16550.c
UNIT_TESTS += hartset
unit-hartset-srcs := libs/hartset.c

# The goldfish RTC model: the test includes it, with a simulated wall clock.
UNIT_TESTS += goldfish_rtc
unit-goldfish_rtc-srcs :=
$(BUILD)/unit/test_goldfish_rtc: emulators/goldfish_rtc.c
