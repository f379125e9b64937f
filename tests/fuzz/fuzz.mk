# libFuzzer harnesses (clang).  Each entry: FUZZ_TARGETS += NAME, fuzz-NAME-srcs,
# fuzz-NAME-fdt := 1 when it links libfdt, and optional fuzz-NAME-corpus (more seed
# dirs), fuzz-NAME-max-len, fuzz-NAME-runs.  Seeds live in tests/fuzz/seeds/NAME/.
FUZZ_TARGETS :=
FUZZ_TARGETS += shell
fuzz-shell-srcs := libs/linedit.c libs/args.c
FUZZ_TARGETS += fdt
fuzz-fdt-srcs := libs/fdtinfo.c
fuzz-fdt-fdt := 1
# The real host DTBs are the fdt harness's starting corpus (the smallest is 4 KiB).
fuzz-fdt-corpus := ../shared/dts
fuzz-fdt-max-len := 65536
fuzz-fdt-runs := 10000
FUZZ_TARGETS += cpio
fuzz-cpio-srcs := libs/cpio.c
FUZZ_TARGETS += guestcfg
fuzz-guestcfg-srcs := libs/guestcfg.c libs/fdtinfo.c
fuzz-guestcfg-fdt := 1
fuzz-guestcfg-runs := 10000
FUZZ_TARGETS += insn
fuzz-insn-srcs := libs/insn.c
fuzz-insn-max-len := 20
FUZZ_TARGETS += plic
fuzz-plic-srcs := libs/plic.c
fuzz-plic-max-len := 512
