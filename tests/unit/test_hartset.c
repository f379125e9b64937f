/*
 * Sets of harts (libs/hartset): the shell's hart lists ("all", "1",
 * "0,2-3"), refused ones with their exact messages, the text form back, and
 * the scheduler's two placement decisions (least loaded hart, next idle one).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "libs/hartset.h"

static u64 parse_ok(const char *s, unsigned int nr)
{
	char err[96] = "";
	u64 set = 0xdead;

	assert_int_equal(hartset_parse(s, nr, &set, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	return set;
}

static void parse_err(const char *s, unsigned int nr, const char *want)
{
	char err[96];
	u64 set = 0xdead;

	assert_int_equal(hartset_parse(s, nr, &set, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, want);
	assert_int_equal(set, 0xdead); /* untouched */
}

static void test_parse(void **state)
{
	assert_int_equal(parse_ok("0", 4), 0x1);
	assert_int_equal(parse_ok("3", 4), 0x8);
	assert_int_equal(parse_ok("0,2-3", 4), 0xd);
	assert_int_equal(parse_ok("1-2,0", 4), 0x7);
	assert_int_equal(parse_ok("2-2", 4), 0x4);
	/* Any hart: the empty affinity, whatever the number of harts. */
	assert_int_equal(parse_ok("all", 4), 0);
	assert_int_equal(parse_ok("all", 1), 0);
	assert_int_equal(parse_ok("all", 100), 0);
	assert_int_equal(parse_ok("63", 64), 1ULL << 63);
	assert_int_equal(parse_ok("0-63", 64), ~0ULL);
}

static void test_parse_errors(void **state)
{
	const char *list = "is not a list of harts (e.g. 1 or 0,2-3 or all)";
	const char *bad[] = { "",    ",",   "1,",   ",1",   "x",    "1-",    "-1", "1--2",
			      "1 2", "0x1", "all1", "alls", "1,,2", "12345", "1-x" };
	char want[96];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "'%s' %s", bad[i], list);
		parse_err(bad[i], 4, want);
	}
	parse_err("4", 4, "no hart 4 (harts 0..3)");
	parse_err("0-4", 4, "no hart 4 (harts 0..3)");
	parse_err("64", 64, "no hart 64 (harts 0..63)");
	parse_err("3-1", 4, "'3-1': range 3-1 is backwards");
	parse_err("1,1", 4, "'1,1' names hart 1 twice");
	parse_err("0-2,2", 4, "'0-2,2' names hart 2 twice");
}

static void format_is(u64 set, const char *want)
{
	char buf[64];

	assert_int_equal(hartset_format(set, buf, sizeof(buf)), (int)strlen(want));
	assert_string_equal(buf, want);
}

static void test_format(void **state)
{
	char small[4];

	format_is(0, "-");
	format_is(0x1, "0");
	format_is(0xd, "0,2-3");
	format_is(0x5, "0,2");
	format_is(0x6, "1-2");
	format_is(~0ULL, "0-63");
	format_is(1ULL << 63 | 1, "0,63");
	/* Truncated like snprintf, with the full length returned. */
	assert_int_equal(hartset_format(0x15, small, sizeof(small)), 5);
	assert_string_equal(small, "0,2");
	/* The text form parses back to the set. */
	for (u64 set = 1; set < 256; set++) {
		char buf[64];

		hartset_format(set, buf, sizeof(buf));
		assert_int_equal(parse_ok(buf, 8), set);
	}
}

static void test_least_loaded(void **state)
{
	unsigned int load[4] = { 3, 1, 1, 0 };

	assert_int_equal(hartset_least_loaded(0xf, 0, load, 4), 3);
	/* Ties: the lowest index. */
	assert_int_equal(hartset_least_loaded(0x7, 0, load, 4), 1);
	assert_int_equal(hartset_least_loaded(0x7, 0x2, load, 4), 2);
	assert_int_equal(hartset_least_loaded(0x7, 0x6, load, 4), 0);
	assert_int_equal(hartset_least_loaded(0x7, 0x7, load, 4), -1);
	assert_int_equal(hartset_least_loaded(0, 0, load, 4), -1);
	/* Harts at or past nr do not exist. */
	assert_int_equal(hartset_least_loaded(0x30, 0, load, 4), -1);
}

static void test_next_idle(void **state)
{
	assert_int_equal(hartset_next_idle(0, 0), -1);
	assert_int_equal(hartset_next_idle(0x1, 0), -1); /* only itself */
	assert_int_equal(hartset_next_idle(0x3, 0), 1);
	assert_int_equal(hartset_next_idle(0xa, 1), 3);
	assert_int_equal(hartset_next_idle(0xa, 3), 1); /* wraps around */
	assert_int_equal(hartset_next_idle(0x1, 63), 0);
	assert_int_equal(hartset_next_idle(1ULL << 63, 0), 63);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),	  cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_format),	  cmocka_unit_test(test_least_loaded),
		cmocka_unit_test(test_next_idle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
