/* range_subtract: RAM minus reservations, as mm_init uses it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "libs/ranges.h"

#define PG 0x1000ULL

static void expect(const struct range *got, int n, const struct range *want, int nwant)
{
	assert_int_equal(n, nwant);
	for (int i = 0; i < n; i++) {
		assert_int_equal(got[i].base, want[i].base);
		assert_int_equal(got[i].size, want[i].size);
	}
}

static void test_qemu_virt_layout(void **state)
{
	/* OpenSBI, Keel, the DTB (unaligned end), as on QEMU virt. */
	struct range ram[] = { { 0x80000000, 0x20000000 } };
	struct range res[] = { { 0x80000000, 0x80000 },
			       { 0x80200000, 0x2b000 },
			       { 0x82200000, 0x18ed } };
	struct range want[] = { { 0x80080000, 0x180000 },
				{ 0x8022b000, 0x82200000 - 0x8022b000 },
				{ 0x82202000, 0xa0000000 - 0x82202000 } };
	struct range out[8];

	expect(out, range_subtract(ram, 1, res, 3, out, 8, PG), want, 3);
}

static void test_overlapping_and_unsorted_reservations(void **state)
{
	struct range ram[] = { { 0x1000, 0x10000 } };
	struct range res[] = { { 0x8000, 0x2000 }, { 0x3000, 0x2000 }, { 0x4000, 0x5000 } };
	struct range want[] = { { 0x1000, 0x2000 }, { 0xa000, 0x7000 } };
	struct range out[8];

	expect(out, range_subtract(ram, 1, res, 3, out, 8, PG), want, 2);
}

static void test_reservation_covers_everything(void **state)
{
	struct range ram[] = { { 0x10000, 0x4000 } };
	struct range res[] = { { 0x0, 0x100000 } };
	struct range out[4];

	assert_int_equal(range_subtract(ram, 1, res, 1, out, 4, PG), 0);
}

static void test_multiple_ram_ranges_and_unaligned_ram(void **state)
{
	struct range ram[] = { { 0x1800, 0x3000 }, { 0x100000, 0x8000 } };
	struct range res[] = { { 0x102000, 0x1 }, { 0, 0 } };
	struct range want[] = { { 0x2000, 0x2000 }, { 0x100000, 0x2000 }, { 0x103000, 0x5000 } };
	struct range out[8];

	expect(out, range_subtract(ram, 2, res, 2, out, 8, PG), want, 3);
}

static void test_too_many_pieces(void **state)
{
	struct range ram[] = { { 0, 0x10000 } };
	struct range res[] = { { 0x2000, 0x1000 }, { 0x5000, 0x1000 }, { 0x9000, 0x1000 } };
	struct range out[2];

	assert_int_equal(range_subtract(ram, 1, res, 3, out, 2, PG), -E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_virt_layout),
		cmocka_unit_test(test_overlapping_and_unsorted_reservations),
		cmocka_unit_test(test_reservation_covers_everything),
		cmocka_unit_test(test_multiple_ram_ranges_and_unaligned_ram),
		cmocka_unit_test(test_too_many_pieces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
