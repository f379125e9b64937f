/* Unit tests for libs/args.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "libs/args.h"

#define MAXARGS 8

/* Splits a heap copy, so ASan catches any access outside the line. */
static int split(const char *line, char **copy, char **argv, int max)
{
	*copy = strdup(line);
	assert_non_null(*copy);
	return args_split(*copy, argv, max);
}

static void expect_split(const char *line, int argc, ...)
{
	char *argv[MAXARGS], *copy;
	va_list ap;
	int i;

	assert_int_equal(split(line, &copy, argv, MAXARGS), argc);
	va_start(ap, argc);
	for (i = 0; i < argc; i++)
		assert_string_equal(argv[i], va_arg(ap, const char *));
	va_end(ap);
	free(copy);
}

static void expect_split_err(const char *line, int max, int err)
{
	char *argv[MAXARGS], *copy;

	assert_int_equal(split(line, &copy, argv, max), err);
	free(copy);
}

static void test_split_words(void **state)
{
	expect_split("guest start linux", 3, "guest", "start", "linux");
	expect_split("one", 1, "one");
	expect_split("  \t lead and trail \t ", 3, "lead", "and", "trail");
	expect_split("a\tb\t\tc", 3, "a", "b", "c");
	expect_split("x=1 --flag", 2, "x=1", "--flag");
}

static void test_split_blank(void **state)
{
	char *argv[1];
	char empty[] = "";

	expect_split("", 0);
	expect_split("   \t  ", 0);
	/* A blank line needs no argv slots at all. */
	assert_int_equal(args_split(empty, argv, 0), 0);
	assert_int_equal(args_split(NULL, argv, 1), -EINVAL);
}

static void test_split_quotes(void **state)
{
	expect_split("set name \"two words\"", 3, "set", "name", "two words");
	expect_split("\"\"", 1, "");
	expect_split("a \"\" b", 3, "a", "", "b");
	expect_split("a\"b c\"d e", 2, "ab cd", "e");
	expect_split("\"  \t \"", 1, "  \t ");
	expect_split("\"a\"\"b\"", 1, "ab");
	expect_split("\"x\" y", 2, "x", "y");
}

static void test_split_escapes(void **state)
{
	expect_split("\"say \\\"hi\\\"\"", 1, "say \"hi\"");
	expect_split("\"back\\\\slash\"", 1, "back\\slash");
	/* Other escapes stay literal, and outside quotes backslash is plain. */
	expect_split("\"a\\nb\"", 1, "a\\nb");
	expect_split("c:\\dir \\", 2, "c:\\dir", "\\");
	expect_split("\"end\\\\\" x", 2, "end\\", "x");
}

static void test_split_unterminated(void **state)
{
	expect_split_err("echo \"abc", MAXARGS, -EINVAL);
	expect_split_err("\"", MAXARGS, -EINVAL);
	expect_split_err("\"abc\\\"", MAXARGS, -EINVAL);
	expect_split_err("a\"b c", MAXARGS, -EINVAL);
}

static void test_split_too_many(void **state)
{
	char *argv[3], *copy;

	assert_int_equal(split("a b c", &copy, argv, 3), 3);
	assert_string_equal(argv[2], "c");
	free(copy);
	expect_split_err("a b c d", 3, -E2BIG);
	expect_split_err("a b c d   ", 3, -E2BIG);
	expect_split_err("a", 0, -E2BIG);
	/* Trailing blanks are not a word. */
	assert_int_equal(split("a b c  \t", &copy, argv, 3), 3);
	free(copy);
}

static void expect_u64(const char *s, u64 want)
{
	u64 v = 0xdeadbeef;

	assert_int_equal(args_u64(s, &v), 0);
	assert_int_equal(v, want);
}

static void expect_u64_err(const char *s, int err)
{
	u64 v = 0x1234;

	assert_int_equal(args_u64(s, &v), err);
	/* The output is left alone on failure. */
	assert_int_equal(v, 0x1234);
}

static void test_u64_decimal(void **state)
{
	expect_u64("0", 0);
	expect_u64("42", 42);
	expect_u64("007", 7);
	expect_u64("18446744073709551615", UINT64_MAX);
}

static void test_u64_hex(void **state)
{
	expect_u64("0x0", 0);
	expect_u64("0x80000000", 0x80000000ULL);
	expect_u64("0XdeadBEEF", 0xdeadbeefULL);
	expect_u64("0xffffffffffffffff", UINT64_MAX);
	expect_u64("0x0000000000000000000001", 1);
}

static void test_u64_suffix(void **state)
{
	expect_u64("4K", 4096);
	expect_u64("4k", 4096);
	expect_u64("16M", 16ULL << 20);
	expect_u64("2G", 2ULL << 30);
	expect_u64("2g", 2ULL << 30);
	expect_u64("0x10K", 16 * 1024);
	expect_u64("0K", 0);
	expect_u64("17179869183G", 17179869183ULL << 30);
}

static void test_u64_garbage(void **state)
{
	expect_u64_err("", -EINVAL);
	expect_u64_err("0x", -EINVAL);
	expect_u64_err("0xK", -EINVAL);
	expect_u64_err("K", -EINVAL);
	expect_u64_err("-1", -EINVAL);
	expect_u64_err("+1", -EINVAL);
	expect_u64_err(" 1", -EINVAL);
	expect_u64_err("1 ", -EINVAL);
	expect_u64_err("12a", -EINVAL);
	expect_u64_err("0x12g3", -EINVAL);
	expect_u64_err("4KB", -EINVAL);
	expect_u64_err("4KK", -EINVAL);
	expect_u64_err("4T", -EINVAL);
	expect_u64_err("0b101", -EINVAL);
	expect_u64_err("x10", -EINVAL);
	assert_int_equal(args_u64(NULL, &(u64){ 0 }), -EINVAL);
}

static void test_u64_overflow(void **state)
{
	expect_u64_err("18446744073709551616", -ERANGE);
	expect_u64_err("99999999999999999999999", -ERANGE);
	expect_u64_err("0x10000000000000000", -ERANGE);
	expect_u64_err("17179869184G", -ERANGE);
	expect_u64_err("18014398509481984K", -ERANGE);
	expect_u64_err("0xffffffffffffffffK", -ERANGE);
	expect_u64("18014398509481983K", 18014398509481983ULL << 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_words),	   cmocka_unit_test(test_split_blank),
		cmocka_unit_test(test_split_quotes),	   cmocka_unit_test(test_split_escapes),
		cmocka_unit_test(test_split_unterminated), cmocka_unit_test(test_split_too_many),
		cmocka_unit_test(test_u64_decimal),	   cmocka_unit_test(test_u64_hex),
		cmocka_unit_test(test_u64_suffix),	   cmocka_unit_test(test_u64_garbage),
		cmocka_unit_test(test_u64_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
