# libFuzzer harnesses (clang).  Each entry: FUZZ_TARGETS += NAME, fuzz-NAME-srcs,
# and fuzz-NAME-fdt := 1 when it links libfdt.  Seeds live in tests/fuzz/seeds/NAME/.
FUZZ_TARGETS :=
FUZZ_TARGETS += shell
fuzz-shell-srcs := libs/linedit.c libs/args.c
FUZZ_TARGETS += fdt
fuzz-fdt-srcs := libs/fdtinfo.c
fuzz-fdt-fdt := 1
