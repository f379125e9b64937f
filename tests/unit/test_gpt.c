/*
 * G-stage tables (libs/gpt), Sv39x4 and Sv48x4: leaf sizes chosen, every
 * guest page's translation, overlaps, bad requests, running out of table
 * pages midway, and every table page given back.  Table pages are counted
 * malloc'ed pages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "libs/gpt.h"

#define LEAF_BITS \
	(GPT_PTE_V | GPT_PTE_R | GPT_PTE_W | GPT_PTE_X | GPT_PTE_U | GPT_PTE_A | GPT_PTE_D)

struct pool {
	unsigned int allocated, freed;
	unsigned int budget; /* allocations that may still succeed */
};

static void *pool_alloc(void *ctx)
{
	struct pool *p = ctx;
	void *page;

	if (!p->budget)
		return NULL;
	page = aligned_alloc(GPT_PAGE_SIZE, GPT_PAGE_SIZE);
	assert_non_null(page);
	memset(page, 0, GPT_PAGE_SIZE);
	p->budget--;
	p->allocated++;
	return page;
}

static void pool_free(void *ctx, void *page)
{
	struct pool *p = ctx;

	p->freed++;
	free(page);
}

struct fixture {
	struct gpt t;
	struct pool pool;
	struct gpt_ops ops;
};

static int setup_levels(void **state, unsigned int levels)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->t.root = aligned_alloc(GPT_ROOT_SIZE, GPT_ROOT_SIZE);
	f->t.levels = levels;
	memset(f->t.root, 0, GPT_ROOT_SIZE);
	f->pool.budget = ~0U;
	f->ops = (struct gpt_ops){ pool_alloc, pool_free, &f->pool };
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_levels(state, GPT_SV39X4_LEVELS);
}

static int setup_sv48x4(void **state)
{
	return setup_levels(state, GPT_SV48X4_LEVELS);
}

/* Every table page comes back, and only once. */
static int teardown(void **state)
{
	struct fixture *f = *state;

	gpt_free(&f->t, &f->ops);
	assert_int_equal(f->pool.freed, f->pool.allocated);
	free(f->t.root);
	free(f);
	return 0;
}

static int map(struct fixture *f, u64 gpa, u64 hpa, u64 size)
{
	return gpt_map(&f->t, gpa, hpa, size, &f->ops);
}

/*
 * Every 4 KiB guest page of [gpa, gpa+size) lands on hpa's, with leaf
 * permissions; the leaves' sizes go to @sizes, in order, ending with 0.
 */
static void expect_mapped(struct fixture *f, u64 gpa, u64 hpa, u64 size, const u64 *sizes)
{
	u64 leaf_end = gpa;
	struct gpt_leaf l;

	for (u64 off = 0; off < size; off += GPT_PAGE_SIZE) {
		if (gpt_lookup(&f->t, gpa + off, &l))
			fail_msg("0x%llx not mapped", (unsigned long long)(gpa + off));
		if (l.hpa != hpa + off)
			fail_msg("0x%llx -> 0x%llx, want 0x%llx", (unsigned long long)(gpa + off),
				 (unsigned long long)l.hpa, (unsigned long long)(hpa + off));
		assert_int_equal(l.pte & 0x3ff, LEAF_BITS);
		if (gpa + off == leaf_end) {
			assert_int_equal(l.size, *sizes++);
			leaf_end += l.size;
		}
	}
	assert_int_equal(*sizes, 0);
	assert_int_equal(leaf_end, gpa + size);
}

static void expect_unmapped(struct fixture *f, u64 gpa, u64 size)
{
	struct gpt_leaf l;

	for (u64 off = 0; off < size; off += GPT_PAGE_SIZE)
		if (!gpt_lookup(&f->t, gpa + off, &l))
			fail_msg("0x%llx mapped", (unsigned long long)(gpa + off));
}

static void test_64mib_uses_2mib_leaves(void **state)
{
	struct fixture *f = *state;
	u64 sizes[33] = { 0 };

	for (int i = 0; i < 32; i++)
		sizes[i] = 2 * MiB;
	assert_int_equal(map(f, 0x80000000, 0x90000000, 64 * MiB), 0);
	expect_mapped(f, 0x80000000, 0x90000000, 64 * MiB, sizes);
	assert_int_equal(f->pool.allocated, 1); /* one level-1 table */
	expect_unmapped(f, 0x80000000 - GPT_PAGE_SIZE, GPT_PAGE_SIZE);
	expect_unmapped(f, 0x80000000 + 64 * MiB, GPT_PAGE_SIZE);
}

static void test_1gib_aligned_gets_one_leaf(void **state)
{
	struct fixture *f = *state;
	const u64 sizes[] = { GiB, 0 };

	assert_int_equal(map(f, 0x40000000, 0x1c0000000, GiB), 0);
	expect_mapped(f, 0x40000000, 0x1c0000000, GiB, sizes);
	assert_int_equal(f->pool.allocated, 0); /* a root entry */
	/* The top of the 2^41 space: the root's last entry. */
	assert_int_equal(map(f, (1ULL << GPT_GPA_BITS(3)) - GiB, 0, GiB), 0);
	expect_mapped(f, (1ULL << GPT_GPA_BITS(3)) - GiB, 0, GiB, sizes);
}

static void test_unaligned_edges_use_4kib_leaves(void **state)
{
	struct fixture *f = *state;
	u64 sizes[512 + 2] = { 0 };
	u64 gpa = 0x80001000, size = 4 * MiB;
	int n = 0;

	for (int i = 0; i < 511; i++)
		sizes[n++] = 4 * KiB;
	sizes[n++] = 2 * MiB;
	sizes[n++] = 4 * KiB;
	assert_int_equal(map(f, gpa, gpa + GiB, size), 0);
	expect_mapped(f, gpa, gpa + GiB, size, sizes);
	/* A level-1 table and the two level-0 tables at the edges. */
	assert_int_equal(f->pool.allocated, 3);
}

static void test_hpa_alignment_limits_leaf_size(void **state)
{
	struct fixture *f = *state;
	u64 sizes[1024 + 1] = { 0 };

	/* gpa 1 GiB aligned, hpa only 4 KiB aligned: 4 KiB leaves throughout. */
	for (int i = 0; i < 1024; i++)
		sizes[i] = 4 * KiB;
	assert_int_equal(map(f, GiB, 0x80001000, 4 * MiB), 0);
	expect_mapped(f, GiB, 0x80001000, 4 * MiB, sizes);
	/* hpa 2 MiB aligned: 2 MiB leaves even though gpa is 1 GiB aligned. */
	sizes[0] = sizes[1] = 2 * MiB;
	sizes[2] = 0;
	assert_int_equal(map(f, 2 * GiB, 0x80200000, 4 * MiB), 0);
	expect_mapped(f, 2 * GiB, 0x80200000, 4 * MiB, sizes);
}

static void test_overlaps_are_refused_and_change_nothing(void **state)
{
	struct fixture *f = *state;
	const u64 two[] = { 2 * MiB, 0 }, one[] = { 4 * KiB, 0 };
	unsigned int allocated;

	assert_int_equal(map(f, 0x80200000, 0x80200000, 2 * MiB), 0);
	assert_int_equal(map(f, 0x80600000, 0x80600000, 4 * KiB), 0);
	allocated = f->pool.allocated;
	/* Inside a 2 MiB leaf. */
	assert_int_equal(map(f, 0x80201000, 0x10000000, 4 * KiB), -EEXIST);
	/* Starting before it, running into it. */
	assert_int_equal(map(f, 0x80000000, 0x10000000, 4 * MiB), -EEXIST);
	assert_int_equal(map(f, 0x801ff000, 0x10000000, 8 * KiB), -EEXIST);
	/* Ending after it. */
	assert_int_equal(map(f, 0x80200000, 0x10000000, 4 * MiB), -EEXIST);
	/* A 2 MiB leaf over a table holding a 4 KiB page. */
	assert_int_equal(map(f, 0x80600000, 0x10000000, 2 * MiB), -EEXIST);
	assert_int_equal(map(f, 0x80400000, 0x10000000, 4 * MiB), -EEXIST);
	/* A 1 GiB leaf over all of it. */
	assert_int_equal(map(f, 0x80000000, 0x80000000, GiB), -EEXIST);
	/* The same page again. */
	assert_int_equal(map(f, 0x80600000, 0x80600000, 4 * KiB), -EEXIST);

	assert_int_equal(f->pool.allocated, allocated);
	expect_unmapped(f, 0x80000000, 2 * MiB);
	expect_mapped(f, 0x80200000, 0x80200000, 2 * MiB, two);
	expect_unmapped(f, 0x80400000, 2 * MiB);
	expect_mapped(f, 0x80600000, 0x80600000, 4 * KiB, one);
	expect_unmapped(f, 0x80601000, 2 * MiB - 4 * KiB);
	/* Next to them is still free. */
	assert_int_equal(map(f, 0x80601000, 0x80601000, 4 * KiB), 0);
	assert_int_equal(map(f, 0x80000000, 0x80000000, 2 * MiB), 0);
}

static void test_bad_requests(void **state)
{
	struct fixture *f = *state;
	const u64 top = 1ULL << GPT_GPA_BITS(f->t.levels);

	assert_int_equal(map(f, 0x80000800, 0x80000000, 4 * KiB), -EINVAL);
	assert_int_equal(map(f, 0x80000000, 0x80000008, 4 * KiB), -EINVAL);
	assert_int_equal(map(f, 0x80000000, 0x80000000, 4 * KiB + 1), -EINVAL);
	assert_int_equal(map(f, top, 0x80000000, 4 * KiB), -EINVAL);
	assert_int_equal(map(f, top - 4 * KiB, 0x80000000, 8 * KiB), -EINVAL);
	assert_int_equal(map(f, top - GiB, 0, 2 * GiB), -EINVAL);
	/* gpa + size wraps around. */
	assert_int_equal(map(f, 0x80000000, 0, -0x80000000ULL), -EINVAL);
	assert_int_equal(map(f, -4096ULL, 0, 8 * KiB), -EINVAL);
	assert_int_equal(f->pool.allocated, 0);
	/* The last page is fine. */
	assert_int_equal(map(f, top - 4 * KiB, 0x80000000, 4 * KiB), 0);
	expect_unmapped(f, top - 8 * KiB, 4 * KiB);
}

static void test_out_of_memory_midway(void **state)
{
	struct fixture *f = *state;
	u64 sizes[514] = { 0 };
	u64 gpa = 0x80001000, size = 4 * MiB;
	int n = 0;

	/* The level-1 table and the first level-0 table; the last one fails. */
	f->pool.budget = 2;
	assert_int_equal(map(f, gpa, gpa, size), -ENOMEM);
	assert_int_equal(f->pool.allocated, 2);
	expect_unmapped(f, 0x80000000, 6 * MiB);
	/* With memory again the same request succeeds, reusing the tables. */
	f->pool.budget = 1;
	assert_int_equal(map(f, gpa, gpa, size), 0);
	for (int i = 0; i < 511; i++)
		sizes[n++] = 4 * KiB;
	sizes[n++] = 2 * MiB;
	sizes[n++] = 4 * KiB;
	expect_mapped(f, gpa, gpa, size, sizes);
	/* No table page at all. */
	f->pool.budget = 0;
	assert_int_equal(map(f, 0x100000000, 0x100000000, 4 * KiB), -ENOMEM);
	expect_unmapped(f, 0x100000000, 4 * KiB);
}

static void test_free_returns_every_table(void **state)
{
	struct fixture *f = *state;

	/* Tables at every level, in several root entries; teardown counts. */
	for (u64 g = 0; g < 8 * GiB; g += GiB + 3 * MiB + 4 * KiB)
		assert_int_equal(map(f, g, g, 64 * KiB), 0);
	assert_int_equal(map(f, 16 * GiB, 16 * GiB, GiB + 2 * MiB + 4 * KiB), 0);
	assert_true(f->pool.allocated > 10);
	gpt_free(&f->t, &f->ops);
	assert_int_equal(f->pool.freed, f->pool.allocated);
	/* The root is the caller's; emptied, it may be used again. */
	memset(f->t.root, 0, GPT_ROOT_SIZE);
	f->pool.allocated = f->pool.freed = 0;
	assert_int_equal(map(f, 0x80001000, 0x80001000, 4 * KiB), 0);
	assert_int_equal(f->pool.allocated, f->t.levels - 1); /* a table per level below the root */
}

/* Above Sv39x4's 2^41 bytes: one more level of tables, and 512 GiB leaves. */
static void test_sv48x4_reaches_2_to_the_50(void **state)
{
	struct fixture *f = *state;
	u64 sizes[33] = { 0 };
	const u64 top = 1ULL << 50, gib[] = { GiB, 0 };
	struct gpt_leaf l;

	assert_int_equal(GPT_GPA_BITS(GPT_SV48X4_LEVELS), 50);
	for (int i = 0; i < 32; i++)
		sizes[i] = 2 * MiB;
	/* 4 TiB: a level-2 and a level-1 table under the root. */
	assert_int_equal(map(f, 4 * 1024 * GiB, 0x90000000, 64 * MiB), 0);
	expect_mapped(f, 4 * 1024 * GiB, 0x90000000, 64 * MiB, sizes);
	assert_int_equal(f->pool.allocated, 2);
	/* The same address in Sv39x4 terms (bits 41+ dropped) is not mapped. */
	expect_unmapped(f, 0, 64 * MiB);
	/* The root's last entry. */
	assert_int_equal(map(f, top - GiB, 0, GiB), 0);
	expect_mapped(f, top - GiB, 0, GiB, gib);
	assert_int_equal(f->pool.allocated, 3);
	/* 512 GiB aligned both sides: one leaf in the root, no table. */
	assert_int_equal(map(f, 512 * GiB, 1024 * GiB, 512 * GiB), 0);
	assert_int_equal(f->pool.allocated, 3);
	for (u64 off = 0; off < 512 * GiB; off += 511 * MiB + 4 * KiB) {
		assert_int_equal(gpt_lookup(&f->t, 512 * GiB + off, &l), 0);
		assert_int_equal(l.size, 512 * GiB);
		assert_int_equal(l.hpa, 1024 * GiB + off);
	}
	expect_unmapped(f, 1024 * GiB, 4 * KiB);
	assert_int_equal(gpt_lookup(&f->t, top, &l), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_64mib_uses_2mib_leaves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_1gib_aligned_gets_one_leaf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unaligned_edges_use_4kib_leaves, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hpa_alignment_limits_leaf_size, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_overlaps_are_refused_and_change_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, setup_sv48x4, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_memory_midway, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_returns_every_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_returns_every_table, setup_sv48x4,
						teardown),
		cmocka_unit_test_setup_teardown(test_sv48x4_reaches_2_to_the_50, setup_sv48x4,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
