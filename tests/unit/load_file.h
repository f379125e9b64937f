/* Read a test data file into a heap block of exactly its size, so ASan sees any overread. */
#ifndef TESTS_UNIT_LOAD_FILE_H
#define TESTS_UNIT_LOAD_FILE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

static inline void *load_file(const char *path, size_t *size)
{
	long n;
	void *data;
	FILE *f = fopen(path, "rb");

	if (!f)
		fail_msg("cannot open %s (tests run from the repository root)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	data = malloc(n);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, n, f), (size_t)n);
	fclose(f);
	*size = n;
	return data;
}

#endif
