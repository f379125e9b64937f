/*
 * SBI argument checks (libs/sbi_args): hart masks against the harts there
 * are, HSM suspend types, SRST types and reasons and the STA shared memory at
 * every range boundary of SBI v2.0, with the spec's error codes.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "libs/sbi_args.h"

/* The harts (mask, base) names among @nr as a bitmap, after the check. */
static unsigned long named(unsigned long mask, unsigned long base, unsigned long nr)
{
	unsigned long got = 0;

	assert_int_equal(sbi_hart_mask_check(mask, base, nr), SBI_SUCCESS);
	for (unsigned long h = 0; h < nr; h++)
		if (sbi_hart_mask_has(mask, base, h))
			got |= 1UL << h;
	return got;
}

static void test_hart_mask_names(void **state)
{
	assert_int_equal(named(0x1, 0, 4), 0x1);
	assert_int_equal(named(0xf, 0, 4), 0xf);
	assert_int_equal(named(0x5, 1, 4), 0xa);
	assert_int_equal(named(0x1, 3, 4), 0x8);
	assert_int_equal(named(0x3, 2, 4), 0xc);
	/* An empty mask names nothing, wherever its base. */
	assert_int_equal(named(0, 0, 4), 0);
	assert_int_equal(named(0, 1000, 4), 0);
	assert_int_equal(named(0, ULONG_MAX - 1, 4), 0);
	/* All 64 bits, with 64 harts. */
	assert_int_equal(named(~0UL, 0, 64), ~0UL);
	assert_int_equal(named(1UL << 63, 0, 64), 1UL << 63);
}

static void test_hart_mask_base_all(void **state)
{
	/* base -1: every hart, whatever the mask says. */
	assert_int_equal(named(0, SBI_HART_MASK_ALL, 4), 0xf);
	assert_int_equal(named(0x1, SBI_HART_MASK_ALL, 4), 0xf);
	assert_int_equal(named(~0UL, SBI_HART_MASK_ALL, 1), 0x1);
	assert_int_equal(named(0, SBI_HART_MASK_ALL, 64), ~0UL);
	/* No harts: still not an error. */
	assert_int_equal(sbi_hart_mask_check(0x1, SBI_HART_MASK_ALL, 0), SBI_SUCCESS);
}

static void test_hart_mask_names_a_missing_hart(void **state)
{
	/* Bits beyond nr_harts, alone or with harts that exist. */
	assert_int_equal(sbi_hart_mask_check(0x10, 0, 4), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_hart_mask_check(0x1f, 0, 4), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_hart_mask_check(0x2, 3, 4), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_hart_mask_check(1UL << 63, 0, 63), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_hart_mask_check(0x3, 63, 64), SBI_ERR_INVALID_PARAM);
	/* A base at or past the last hart. */
	assert_int_equal(sbi_hart_mask_check(0x1, 4, 4), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_hart_mask_check(0x1, 1000, 4), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_hart_mask_check(0x1, 0, 0), SBI_ERR_INVALID_PARAM);
	/* base + bit overflowing past ULONG_MAX never wraps round to hart 0. */
	assert_int_equal(sbi_hart_mask_check(0x1, ULONG_MAX - 1, 4), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_hart_mask_check(0x2, ULONG_MAX - 1, 4), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_hart_mask_check(0x6, ULONG_MAX - 1, 4), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_hart_mask_check(1UL << 63, ULONG_MAX - 62, 4), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_hart_mask_check(~0UL, ULONG_MAX - 63, ULONG_MAX),
			 SBI_ERR_INVALID_PARAM);
	/* The largest base that fits. */
	assert_int_equal(sbi_hart_mask_check(0x1, ULONG_MAX - 1, ULONG_MAX), SBI_SUCCESS);
	assert_true(sbi_hart_mask_has(0x1, ULONG_MAX - 1, ULONG_MAX - 1));
	assert_false(sbi_hart_mask_has(0x1, ULONG_MAX - 1, 0));
}

static void expect_suspend(unsigned long type, long err, enum sbi_suspend want)
{
	enum sbi_suspend kind =
		want == SBI_SUSPEND_RETENTIVE ? SBI_SUSPEND_NON_RETENTIVE : SBI_SUSPEND_RETENTIVE;

	if (sbi_suspend_type(type, &kind) != err)
		fail_msg("suspend type 0x%lx: %ld, want %ld", type, sbi_suspend_type(type, &kind),
			 err);
	if (!err)
		assert_int_equal(kind, want);
}

static void test_suspend_types(void **state)
{
	expect_suspend(0x00000000, SBI_SUCCESS, SBI_SUSPEND_RETENTIVE);
	expect_suspend(0x80000000, SBI_SUCCESS, SBI_SUSPEND_NON_RETENTIVE);
	/* Reserved. */
	expect_suspend(0x00000001, SBI_ERR_INVALID_PARAM, 0);
	expect_suspend(0x0fffffff, SBI_ERR_INVALID_PARAM, 0);
	expect_suspend(0x80000001, SBI_ERR_INVALID_PARAM, 0);
	expect_suspend(0x8fffffff, SBI_ERR_INVALID_PARAM, 0);
	/* Platform-specific retentive and non-retentive. */
	expect_suspend(0x10000000, SBI_ERR_NOT_SUPPORTED, 0);
	expect_suspend(0x7fffffff, SBI_ERR_NOT_SUPPORTED, 0);
	expect_suspend(0x90000000, SBI_ERR_NOT_SUPPORTED, 0);
	expect_suspend(0xffffffff, SBI_ERR_NOT_SUPPORTED, 0);
	/* uint32: anything above is no type at all. */
	expect_suspend(0x100000000, SBI_ERR_INVALID_PARAM, 0);
	expect_suspend(0x180000000, SBI_ERR_INVALID_PARAM, 0);
	expect_suspend(ULONG_MAX, SBI_ERR_INVALID_PARAM, 0);
}

static void test_srst_types(void **state)
{
	assert_int_equal(sbi_srst_check(SBI_SRST_SHUTDOWN, 0), SBI_SUCCESS);
	assert_int_equal(sbi_srst_check(SBI_SRST_COLD_REBOOT, 0), SBI_SUCCESS);
	assert_int_equal(sbi_srst_check(SBI_SRST_WARM_REBOOT, 0), SBI_SUCCESS);
	/* Reserved. */
	assert_int_equal(sbi_srst_check(3, 0), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_srst_check(0xefffffff, 0), SBI_ERR_INVALID_PARAM);
	/* Vendor-specific: not Keel's. */
	assert_int_equal(sbi_srst_check(0xf0000000, 0), SBI_ERR_NOT_SUPPORTED);
	assert_int_equal(sbi_srst_check(0xffffffff, 0), SBI_ERR_NOT_SUPPORTED);
}

static void test_srst_reasons(void **state)
{
	assert_int_equal(sbi_srst_check(SBI_SRST_SHUTDOWN, SBI_SRST_REASON_NONE), SBI_SUCCESS);
	assert_int_equal(sbi_srst_check(SBI_SRST_WARM_REBOOT, SBI_SRST_REASON_FAILURE),
			 SBI_SUCCESS);
	/* Reserved. */
	assert_int_equal(sbi_srst_check(SBI_SRST_SHUTDOWN, 2), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_srst_check(SBI_SRST_COLD_REBOOT, 0xdfffffff), SBI_ERR_INVALID_PARAM);
	/* SBI-implementation- and vendor-specific reasons are accepted. */
	assert_int_equal(sbi_srst_check(SBI_SRST_SHUTDOWN, 0xe0000000), SBI_SUCCESS);
	assert_int_equal(sbi_srst_check(SBI_SRST_COLD_REBOOT, 0xefffffff), SBI_SUCCESS);
	assert_int_equal(sbi_srst_check(SBI_SRST_WARM_REBOOT, 0xf0000000), SBI_SUCCESS);
	assert_int_equal(sbi_srst_check(SBI_SRST_SHUTDOWN, 0xffffffff), SBI_SUCCESS);
	/* A reserved type or reason is invalid before a vendor type is unsupported. */
	assert_int_equal(sbi_srst_check(3, 2), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_srst_check(0xf0000000, 2), SBI_ERR_INVALID_PARAM);
	assert_int_equal(sbi_srst_check(0xf0000000, 0xe0000000), SBI_ERR_NOT_SUPPORTED);
}

/* sbi_sta_shmem_check's error, and the address it gives (0x1234 left alone on an error). */
static void expect_sta(unsigned long lo, unsigned long hi, unsigned long flags, long err,
		       unsigned long long gpa)
{
	u64 got = 0x1234;

	assert_int_equal(sbi_sta_shmem_check(lo, hi, flags, &got), err);
	assert_true(got == (err ? 0x1234 : gpa));
}

static void test_sta_shmem(void **state)
{
	expect_sta(0x80001000, 0, 0, SBI_SUCCESS, 0x80001000);
	expect_sta(0x80001040, 0, 0, SBI_SUCCESS, 0x80001040);
	expect_sta(0, 0, 0, SBI_SUCCESS, 0);
	expect_sta(ULONG_MAX - 63, 0, 0, SBI_SUCCESS, ULONG_MAX - 63);
	/* All-ones lo and hi: stop reporting. */
	expect_sta(ULONG_MAX, ULONG_MAX, 0, SBI_SUCCESS, SBI_STA_SHMEM_OFF);
	/* Not 64-byte aligned, by any low bit. */
	expect_sta(0x80001001, 0, 0, SBI_ERR_INVALID_PARAM, 0);
	expect_sta(0x80001020, 0, 0, SBI_ERR_INVALID_PARAM, 0);
	expect_sta(0x8000103f, 0, 0, SBI_ERR_INVALID_PARAM, 0);
	/* All-ones lo alone is a misaligned address, not "disable". */
	expect_sta(ULONG_MAX, 0, 0, SBI_ERR_INVALID_PARAM, 0);
	/* Reserved flags, even with "disable" or an address that is fine. */
	expect_sta(0x80001000, 0, 1, SBI_ERR_INVALID_PARAM, 0);
	expect_sta(ULONG_MAX, ULONG_MAX, 1UL << 63, SBI_ERR_INVALID_PARAM, 0);
	/* Above 64 bits: no guest memory there; alignment is checked first. */
	expect_sta(0x80001000, 1, 0, SBI_ERR_INVALID_ADDRESS, 0);
	expect_sta(0, ULONG_MAX, 0, SBI_ERR_INVALID_ADDRESS, 0);
	expect_sta(ULONG_MAX - 63, ULONG_MAX, 0, SBI_ERR_INVALID_ADDRESS, 0);
	expect_sta(0x80001008, 1, 0, SBI_ERR_INVALID_PARAM, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hart_mask_names),
		cmocka_unit_test(test_hart_mask_base_all),
		cmocka_unit_test(test_hart_mask_names_a_missing_hart),
		cmocka_unit_test(test_suspend_types),
		cmocka_unit_test(test_srst_types),
		cmocka_unit_test(test_srst_reasons),
		cmocka_unit_test(test_sta_shmem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
