/* The cpio (newc) reader against archives built here, and broken ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "libs/cpio.h"

struct ar {
	char buf[4096];
	size_t len;
};

static void ar_add(struct ar *a, const char *name, u32 mode, const char *data, size_t size)
{
	size_t namesize = strlen(name) + 1;

	a->len += (size_t)sprintf(
		a->buf + a->len, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", 1,
		mode, 0, 0, 1, 0, (unsigned)size, 0, 0, 0, 0, (unsigned)namesize, 0);
	memcpy(a->buf + a->len, name, namesize);
	a->len = (a->len + namesize + 3) & ~3UL;
	memcpy(a->buf + a->len, data, size);
	a->len = (a->len + size + 3) & ~3UL;
}

static void build(struct ar *a)
{
	memset(a, 0, sizeof(*a));
	ar_add(a, ".", CPIO_MODE_DIR | 0755, "", 0);
	ar_add(a, "guests", CPIO_MODE_DIR | 0755, "", 0);
	ar_add(a, "guests/basic.dtb", CPIO_MODE_REG | 0644, "\xd0\x0d\xfe\xed", 4);
	ar_add(a, "./basic.bin", CPIO_MODE_REG | 0644, "hello, guest", 12);
	ar_add(a, "empty", CPIO_MODE_REG | 0644, "", 0);
	ar_add(a, "TRAILER!!!", 0, "", 0);
}

static void test_iterate(void **state)
{
	struct ar a;
	struct cpio_entry e;
	size_t off = 0;
	const char *names[] = { ".", "guests", "guests/basic.dtb", "./basic.bin", "empty" };
	unsigned int files;

	build(&a);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(cpio_next(a.buf, a.len, &off, &e), 1);
		assert_string_equal(e.name, names[i]);
	}
	assert_int_equal(cpio_next(a.buf, a.len, &off, &e), 0);
	assert_int_equal(cpio_validate(a.buf, a.len, &files), 0);
	assert_int_equal(files, 3);
}

static void test_find(void **state)
{
	struct ar a;
	struct cpio_entry e;

	build(&a);
	assert_int_equal(cpio_find(a.buf, a.len, "basic.bin", &e), 0);
	assert_int_equal(e.size, 12);
	assert_memory_equal(e.data, "hello, guest", 12);
	assert_int_equal(cpio_find(a.buf, a.len, "./guests/basic.dtb", &e), 0);
	assert_int_equal(e.size, 4);
	assert_int_equal(cpio_find(a.buf, a.len, "empty", &e), 0);
	assert_int_equal(e.size, 0);
	/* Directories are not files; missing names are missing. */
	assert_int_equal(cpio_find(a.buf, a.len, "guests", &e), -ENOENT);
	assert_int_equal(cpio_find(a.buf, a.len, "nope", &e), -ENOENT);
}

static void test_truncated_everywhere(void **state)
{
	struct ar a;
	unsigned int files;

	build(&a);
	/* Every prefix short of the trailer is malformed, never a crash (ASan checks reads). */
	for (size_t n = 0; n < a.len - 4; n++) {
		char *copy = malloc(n ? n : 1);

		memcpy(copy, a.buf, n);
		assert_int_equal(cpio_validate(copy, n, &files), -EINVAL);
		free(copy);
	}
}

static void test_bad_fields(void **state)
{
	struct ar a;
	struct cpio_entry e;
	size_t off = 0;

	build(&a);
	a.buf[0] = '1'; /* magic */
	assert_int_equal(cpio_next(a.buf, a.len, &off, &e), -EINVAL);
	build(&a);
	a.buf[6 + 8 * 6 + 3] = 'x'; /* filesize not hex */
	assert_int_equal(cpio_next(a.buf, a.len, &off, &e), -EINVAL);
	build(&a);
	memcpy(a.buf + 6 + 8 * 11, "00000000", 8); /* namesize 0 */
	assert_int_equal(cpio_next(a.buf, a.len, &off, &e), -EINVAL);
	build(&a);
	memcpy(a.buf + 6 + 8 * 6, "FFFFFFFF", 8); /* data past the end */
	assert_int_equal(cpio_next(a.buf, a.len, &off, &e), -EINVAL);
	build(&a);
	a.buf[110 + 1] = 'X'; /* name "." loses its NUL */
	assert_int_equal(cpio_next(a.buf, a.len, &off, &e), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iterate),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_bad_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
