/* Unit tests for libs/heap.c, with a shadow model of live allocations for random sequences. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "libs/heap.h"
#include "tests/unit/rng.h"

#define REGION (64 * KiB)

struct fx {
	struct heap h;
	u8 *mem; /* exactly REGION bytes from malloc-family, so ASan sees any stray access */
	struct heap_stats init;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->mem = aligned_alloc(4096, REGION);
	if (!f->mem || heap_init(&f->h, f->mem, REGION))
		return -1;
	heap_stats(&f->h, &f->init);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	free(f->mem);
	free(f);
	return 0;
}

static void check(const struct heap *h)
{
	assert_int_equal(heap_check(h), 0);
}

static struct heap_stats stats(const struct heap *h)
{
	struct heap_stats st;

	heap_stats(h, &st);
	return st;
}

/* The space picture; allocs/frees/failures are cumulative and deliberately left out. */
static void assert_space_equal(const struct heap_stats *a, const struct heap_stats *b)
{
	assert_int_equal(a->total, b->total);
	assert_int_equal(a->used, b->used);
	assert_int_equal(a->free, b->free);
	assert_int_equal(a->largest_free, b->largest_free);
	assert_int_equal(a->blocks_used, b->blocks_used);
	assert_int_equal(a->blocks_free, b->blocks_free);
}

static void assert_space_init(const struct fx *f)
{
	struct heap_stats st;

	heap_stats(&f->h, &st);
	assert_space_equal(&f->init, &st);
}

/* Rejected frees must leave every field, counters included, as it was. */
static void assert_stats_same(const struct heap *h, const struct heap_stats *before)
{
	struct heap_stats st;

	heap_stats(h, &st);
	assert_memory_equal(before, &st, sizeof(st));
}

static void assert_in_region(const struct fx *f, const void *p, size_t size)
{
	uintptr_t a = (uintptr_t)p, s = (uintptr_t)f->mem;

	assert_true(a >= s && a + size <= s + REGION);
}

static void test_init(void **state)
{
	struct heap h;
	struct heap_stats st;
	u8 *mem = malloc(4096);

	assert_non_null(mem);
	assert_int_equal(heap_init(&h, NULL, 4096), -EINVAL);
	assert_int_equal(heap_init(&h, mem, 0), -EINVAL);
	assert_int_equal(heap_init(&h, mem, 47), -EINVAL);
	/* Misaligned start loses bytes to alignment: 48 usable bytes need 63 here. */
	assert_int_equal(heap_init(&h, mem + 1, 62), -EINVAL);
	assert_int_equal(heap_init(&h, mem + 1, 63), 0);
	check(&h);

	assert_int_equal(heap_init(&h, mem + 3, 1000), 0);
	check(&h);
	heap_stats(&h, &st);
	assert_int_equal(st.total, 976);
	assert_int_equal(st.used, 0);
	assert_int_equal(st.free, 976 - 32);
	assert_int_equal(st.largest_free, st.free);
	assert_int_equal(st.blocks_free, 1);
	assert_int_equal(st.blocks_used, 0);
	assert_int_equal(st.allocs + st.frees + st.failures, 0);
	assert_true((uintptr_t)heap_alloc(&h, 1, 0) % 16 == 0);
	free(mem);
}

static void test_basic(void **state)
{
	static const size_t sizes[] = { 1, 15, 16, 17, 31, 100, 1000, 4096 };
	struct fx *f = *state;
	void *p[ARRAY_SIZE(sizes)];
	size_t i, used = 0;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		p[i] = heap_alloc(&f->h, sizes[i], 0);
		assert_non_null(p[i]);
		assert_true((uintptr_t)p[i] % HEAP_MIN_ALIGN == 0);
		assert_in_region(f, p[i], sizes[i]);
		assert_true(heap_usable_size(&f->h, p[i]) >= sizes[i]);
		/* Writing the whole usable size must not disturb the tags. */
		memset(p[i], 0xa5, heap_usable_size(&f->h, p[i]));
		used += heap_usable_size(&f->h, p[i]);
		check(&f->h);
	}
	assert_int_equal(stats(&f->h).used, used);
	assert_int_equal(stats(&f->h).blocks_used, ARRAY_SIZE(sizes));
	assert_int_equal(stats(&f->h).allocs, ARRAY_SIZE(sizes));
	/* Requests round up to 16 bytes, no more (the rest of the region is split off). */
	assert_int_equal(heap_usable_size(&f->h, p[0]), 16);
	assert_int_equal(heap_usable_size(&f->h, p[3]), 32);

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		assert_int_equal(heap_free(&f->h, p[i]), 0);
		check(&f->h);
	}
	assert_space_init(f);
	assert_int_equal(stats(&f->h).frees, ARRAY_SIZE(sizes));
	assert_int_equal(stats(&f->h).failures, 0);
}

static void test_invalid_requests(void **state)
{
	struct fx *f = *state;
	struct heap_stats st;

	assert_null(heap_alloc(&f->h, 0, 0));
	assert_null(heap_alloc(&f->h, 16, 3));
	assert_null(heap_alloc(&f->h, 16, 24));
	assert_null(heap_alloc(&f->h, 16, 48));
	assert_null(heap_alloc(&f->h, 16, HEAP_MAX_ALIGN * 2));
	assert_null(heap_alloc(&f->h, 16, SIZE_MAX));
	st = stats(&f->h);
	assert_int_equal(st.failures, 0);
	assert_int_equal(st.allocs, 0);
	assert_space_equal(&f->init, &st);

	/* No space: too big, huge, and overflowing sizes all count as failures. */
	assert_null(heap_alloc(&f->h, REGION, 0));
	assert_null(heap_alloc(&f->h, f->init.free + 1, 0));
	assert_null(heap_alloc(&f->h, SIZE_MAX, 0));
	assert_null(heap_alloc(&f->h, SIZE_MAX - 15, 16));
	st = stats(&f->h);
	assert_int_equal(st.failures, 4);
	assert_space_equal(&f->init, &st);
	check(&f->h);
	assert_int_equal(heap_free(&f->h, NULL), 0);
	assert_int_equal(stats(&f->h).frees, 0);
}

static void test_small_alignments_are_16(void **state)
{
	struct fx *f = *state;
	size_t a;

	for (a = 1; a <= 16; a <<= 1) {
		void *p = heap_alloc(&f->h, 1, a);

		assert_non_null(p);
		assert_true((uintptr_t)p % 16 == 0);
		assert_int_equal(heap_free(&f->h, p), 0);
	}
	assert_space_init(f);
}

static void test_alignment(void **state)
{
	static const size_t sizes[] = { 1, 16, 100, 4096, 5000 };
	struct fx *f = *state;
	void *p[64];
	size_t n = 0, a, s, i;

	for (a = 16; a <= HEAP_MAX_ALIGN; a <<= 1) {
		for (s = 0; s < ARRAY_SIZE(sizes); s++) {
			void *q = heap_alloc(&f->h, sizes[s], a);

			if (!q)
				continue;
			assert_true((uintptr_t)q % a == 0);
			assert_in_region(f, q, sizes[s]);
			memset(q, 0x5a, sizes[s]);
			assert_true(n < ARRAY_SIZE(p));
			p[n++] = q;
			check(&f->h);
		}
	}
	/* 64 KiB cannot hold everything; most must fit. */
	assert_true(n >= 30);
	/* Free in an interleaved order so every coalescing path runs. */
	for (i = 0; i < n; i += 2) {
		assert_int_equal(heap_free(&f->h, p[i]), 0);
		check(&f->h);
	}
	for (i = 1; i < n; i += 2) {
		assert_int_equal(heap_free(&f->h, p[i]), 0);
		check(&f->h);
	}
	assert_space_init(f);
}

static void test_alignment_gap_reuse(void **state)
{
	struct fx *f = *state;
	u8 *small, *aligned, *fill;

	/* A 4096-aligned request behind a small block leaves a free gap before it. */
	small = heap_alloc(&f->h, 16, 0);
	aligned = heap_alloc(&f->h, 64, 4096);
	assert_non_null(small);
	assert_non_null(aligned);
	assert_true((uintptr_t)aligned % 4096 == 0);
	assert_int_equal(stats(&f->h).blocks_free, 2);
	check(&f->h);
	/* First fit puts the next small block into that gap, right after @small. */
	fill = heap_alloc(&f->h, 16, 0);
	assert_true(fill > small && fill < aligned);
	check(&f->h);
	assert_int_equal(heap_free(&f->h, aligned), 0);
	assert_int_equal(heap_free(&f->h, small), 0);
	assert_int_equal(heap_free(&f->h, fill), 0);
	check(&f->h);
	assert_space_init(f);
}

static void test_exhaustion(void **state)
{
	struct fx *f = *state;
	void **p = calloc(REGION / 64, sizeof(*p));
	size_t n = 0, i;
	struct heap_stats st;
	void *big;

	assert_non_null(p);
	while ((p[n] = heap_alloc(&f->h, 64, 0)))
		n++;
	/* 64 payload + 32 tag bytes each, plus whatever is left over at the end. */
	assert_int_equal(n, REGION / 96);
	st = stats(&f->h);
	assert_int_equal(st.failures, 1);
	assert_true(st.largest_free < 64);
	check(&f->h);
	for (i = 0; i < n; i++)
		assert_int_equal(heap_free(&f->h, p[i]), 0);
	check(&f->h);
	assert_space_init(f);

	/* The whole heap as one allocation: exact fit, nothing left. */
	big = heap_alloc(&f->h, f->init.largest_free, 0);
	assert_non_null(big);
	assert_int_equal(heap_usable_size(&f->h, big), f->init.largest_free);
	st = stats(&f->h);
	assert_int_equal(st.free, 0);
	assert_int_equal(st.blocks_free, 0);
	assert_int_equal(st.largest_free, 0);
	assert_null(heap_alloc(&f->h, 1, 0));
	check(&f->h);
	assert_int_equal(heap_free(&f->h, big), 0);
	assert_space_init(f);
	free(p);
}

static void test_no_sliver_blocks(void **state)
{
	struct fx *f = *state;
	void *p;

	/* A remainder too small to hold a free block stays with the allocation. */
	p = heap_alloc(&f->h, f->init.free - 40, 0);
	assert_non_null(p);
	assert_int_equal(heap_usable_size(&f->h, p), f->init.free);
	assert_int_equal(stats(&f->h).blocks_free, 0);
	check(&f->h);
	assert_int_equal(heap_free(&f->h, p), 0);
	/* A remainder of exactly one minimal block is split off. */
	p = heap_alloc(&f->h, f->init.free - 48, 0);
	assert_int_equal(heap_usable_size(&f->h, p), f->init.free - 48);
	assert_int_equal(stats(&f->h).blocks_free, 1);
	assert_int_equal(stats(&f->h).largest_free, 16);
	check(&f->h);
	assert_int_equal(heap_free(&f->h, p), 0);
	assert_space_init(f);
}

static void test_coalescing(void **state)
{
	struct fx *f = *state;
	u8 *a, *b, *c, *d, *e, *x;

	a = heap_alloc(&f->h, 100, 0);
	b = heap_alloc(&f->h, 200, 0);
	c = heap_alloc(&f->h, 300, 0);
	d = heap_alloc(&f->h, 400, 0);
	e = heap_alloc(&f->h, 500, 0);
	assert_true(a < b && b < c && c < d && d < e);
	assert_int_equal(stats(&f->h).blocks_free, 1);

	/* Both neighbours used: a new free block. */
	assert_int_equal(heap_free(&f->h, b), 0);
	assert_int_equal(stats(&f->h).blocks_free, 2);
	check(&f->h);
	/* First fit reuses the hole. */
	x = heap_alloc(&f->h, 150, 0);
	assert_ptr_equal(x, b);
	assert_int_equal(heap_free(&f->h, x), 0);

	assert_int_equal(heap_free(&f->h, d), 0);
	assert_int_equal(stats(&f->h).blocks_free, 3);
	check(&f->h);
	/* Both neighbours free: three blocks become one. */
	assert_int_equal(heap_free(&f->h, c), 0);
	assert_int_equal(stats(&f->h).blocks_free, 2);
	assert_true(stats(&f->h).largest_free >= 900);
	check(&f->h);
	x = heap_alloc(&f->h, 900, 0);
	assert_ptr_equal(x, b);
	assert_int_equal(heap_free(&f->h, x), 0);
	/* Only the next neighbour free (a is the first block). */
	assert_int_equal(heap_free(&f->h, a), 0);
	assert_int_equal(stats(&f->h).blocks_free, 2);
	check(&f->h);
	/* Both free again, the last one being the region's tail. */
	assert_int_equal(heap_free(&f->h, e), 0);
	assert_int_equal(stats(&f->h).blocks_free, 1);
	check(&f->h);
	assert_space_init(f);

	/* Only the previous neighbour free, with the block ending the region. */
	a = heap_alloc(&f->h, 100, 0);
	b = heap_alloc(&f->h, f->init.free - 100 - 32 - 16, 0);
	assert_non_null(b);
	assert_int_equal(stats(&f->h).blocks_free, 0);
	assert_int_equal(heap_free(&f->h, a), 0);
	assert_int_equal(heap_free(&f->h, b), 0);
	check(&f->h);
	assert_space_init(f);
}

static void test_fragmentation(void **state)
{
	struct fx *f = *state;
	u8 *p[64], *big;
	size_t i;

	for (i = 0; i < 64; i++) {
		p[i] = heap_alloc(&f->h, 256, 0);
		assert_non_null(p[i]);
	}
	for (i = 0; i < 64; i += 2)
		assert_int_equal(heap_free(&f->h, p[i]), 0);
	check(&f->h);
	assert_int_equal(stats(&f->h).blocks_free, 33);
	assert_int_equal(stats(&f->h).blocks_used, 32);

	/* Holes of 256 cannot serve 300 bytes: it goes past every hole. */
	big = heap_alloc(&f->h, 300, 0);
	assert_true(big > p[63]);
	/* But 256 fits the first hole. */
	assert_ptr_equal(heap_alloc(&f->h, 256, 0), p[0]);
	assert_int_equal(heap_free(&f->h, p[0]), 0);
	assert_int_equal(heap_free(&f->h, big), 0);

	for (i = 1; i < 64; i += 2) {
		assert_int_equal(heap_free(&f->h, p[i]), 0);
		check(&f->h);
	}
	assert_int_equal(stats(&f->h).blocks_free, 1);
	assert_space_init(f);
}

static void test_bad_frees(void **state)
{
	struct fx *f = *state;
	struct heap_stats before;
	u8 *p, *q, *r, *outside = malloc(64);
	u64 local = 0;

	assert_non_null(outside);
	p = heap_alloc(&f->h, 64, 0);
	q = heap_alloc(&f->h, 64, 0);
	r = heap_alloc(&f->h, 64, 0);
	memset(p, 0, 64);
	before = stats(&f->h);

	assert_int_equal(heap_free(&f->h, outside), -EINVAL);
	assert_int_equal(heap_free(&f->h, &local), -EINVAL);
	assert_int_equal(heap_free(&f->h, p + 16), -EINVAL);
	assert_int_equal(heap_free(&f->h, p + 1), -EINVAL);
	assert_int_equal(heap_free(&f->h, p - 16), -EINVAL);
	assert_int_equal(heap_free(&f->h, f->mem), -EINVAL);
	assert_int_equal(heap_free(&f->h, f->mem + REGION), -EINVAL);
	assert_int_equal(heap_free(&f->h, f->mem + REGION - 16), -EINVAL);
	assert_int_equal(heap_free(&f->h, (void *)(uintptr_t)16), -EINVAL);
	/* The payload of the trailing free block. */
	assert_int_equal(heap_free(&f->h, r + 64 + 32), -EINVAL);
	assert_stats_same(&f->h, &before);
	check(&f->h);

	/* Double free of a block that stayed separate... */
	assert_int_equal(heap_free(&f->h, p), 0);
	before = stats(&f->h);
	assert_int_equal(heap_free(&f->h, p), -EINVAL);
	assert_stats_same(&f->h, &before);
	/* ...and of blocks that were merged away into a neighbour. */
	assert_int_equal(heap_free(&f->h, q), 0);
	assert_int_equal(heap_free(&f->h, r), 0);
	before = stats(&f->h);
	assert_int_equal(before.blocks_free, 1);
	assert_int_equal(heap_free(&f->h, p), -EINVAL);
	assert_int_equal(heap_free(&f->h, q), -EINVAL);
	assert_int_equal(heap_free(&f->h, r), -EINVAL);
	assert_stats_same(&f->h, &before);
	assert_int_equal(heap_usable_size(&f->h, q), 0);
	check(&f->h);
	assert_space_equal(&f->init, &before);

	/* A live block of another heap is foreign here. */
	{
		struct heap other;
		u8 *mem = aligned_alloc(16, 4096), *o;

		assert_non_null(mem);
		assert_int_equal(heap_init(&other, mem, 4096), 0);
		o = heap_alloc(&other, 32, 0);
		assert_int_equal(heap_free(&f->h, o), -EINVAL);
		assert_int_equal(heap_free(&other, o), 0);
		free(mem);
	}
	free(outside);
}

static void test_check_detects_corruption(void **state)
{
	struct fx *f = *state;
	u8 *p, *q, saved;
	struct heap_stats before;

	p = heap_alloc(&f->h, 64, 0);
	q = heap_alloc(&f->h, 64, 0);
	check(&f->h);

	/* A one-byte overflow past the usable size lands in the footer. */
	saved = p[64];
	p[64] ^= 0xff;
	assert_int_equal(heap_check(&f->h), -EFAULT);
	before = stats(&f->h);
	assert_int_equal(heap_free(&f->h, p), -EINVAL);
	assert_stats_same(&f->h, &before);
	p[64] = saved;
	check(&f->h);

	/* An underflow into q's header. */
	saved = q[-1];
	q[-1] ^= 0x01;
	assert_int_equal(heap_check(&f->h), -EFAULT);
	q[-1] = saved;
	check(&f->h);

	/* A broken free-list link. */
	assert_int_equal(heap_free(&f->h, p), 0);
	{
		struct list_head *n = (struct list_head *)p, *saved_next = n->next;

		n->next = (struct list_head *)(q + 8);
		assert_int_equal(heap_check(&f->h), -EFAULT);
		n->next = saved_next;
	}
	check(&f->h);
	assert_int_equal(heap_free(&f->h, q), 0);
	assert_space_init(f);
}

/* ---------------------------------------------------------------- random */

struct live {
	u8 *p;
	size_t size;
	u8 fill;
};

static void verify_fill(const struct live *l)
{
	size_t i;

	for (i = 0; i < l->size; i++)
		if (l->p[i] != l->fill)
			fail_msg("block %p byte %zu: %02x != %02x", l->p, i, l->p[i], l->fill);
}

static void run_random(u64 seed, size_t region, unsigned steps, bool expect_failures)
{
	struct live live[256];
	size_t nlive = 0, allocs = 0, frees = 0, failures = 0, i;
	struct heap_stats init, st;
	struct heap h;
	u8 *mem = aligned_alloc(4096, region);
	unsigned step;

	assert_non_null(mem);
	rng_state = seed;
	assert_int_equal(heap_init(&h, mem, region), 0);
	heap_stats(&h, &init);

	for (step = 0; step < steps; step++) {
		if (nlive < ARRAY_SIZE(live) && rng_below(100) < 55) {
			/* Mostly small, sometimes large; alignment from 16 to 4096, sometimes 0. */
			size_t size = rng_below(4) ? 1 + rng_below(256) : 1 + rng_below(8192);
			size_t align = rng_below(3) ? 0 : (size_t)1 << rng_below(13);
			size_t largest;
			u8 *p;

			heap_stats(&h, &st);
			largest = st.largest_free;
			p = heap_alloc(&h, size, align);

			if (!p) {
				failures++;
				/* With no alignment demand, first fit fails only when nothing fits.
				 */
				if (align <= 16)
					assert_true(largest < ALIGN_UP(size, 16));
			} else {
				allocs++;
				assert_true((uintptr_t)p % MAX(align, (size_t)16) == 0);
				assert_true(p >= mem && p + size <= mem + region);
				assert_true(heap_usable_size(&h, p) >= size);
				for (i = 0; i < nlive; i++)
					assert_true(p + size <= live[i].p ||
						    live[i].p + live[i].size <= p);
				live[nlive].p = p;
				live[nlive].size = size;
				live[nlive].fill = (u8)rng();
				memset(p, live[nlive].fill, size);
				nlive++;
			}
		} else if (nlive) {
			size_t k = rng_below(nlive);

			verify_fill(&live[k]);
			assert_int_equal(heap_free(&h, live[k].p), 0);
			frees++;
			if (rng_below(8) == 0)
				assert_int_equal(heap_free(&h, live[k].p), -EINVAL);
			live[k] = live[--nlive];
		}
		check(&h);
		heap_stats(&h, &st);
		assert_int_equal(st.blocks_used, nlive);
		assert_int_equal(st.allocs, allocs);
		assert_int_equal(st.frees, frees);
		assert_int_equal(st.failures, failures);
		assert_int_equal(st.total, init.total);
		/* Every byte is payload of a block or one of its two 16-byte tags. */
		assert_int_equal(st.used + st.free + 32 * (st.blocks_used + st.blocks_free),
				 st.total);
	}
	while (nlive) {
		verify_fill(&live[nlive - 1]);
		assert_int_equal(heap_free(&h, live[--nlive].p), 0);
		check(&h);
	}
	heap_stats(&h, &st);
	assert_space_equal(&init, &st);
	if (expect_failures)
		assert_true(failures > 0);
	free(mem);
}

static void test_random_small(void **state)
{
	/* Small region: plenty of failures, fragmentation and coalescing. */
	run_random(0x4ea90001, 32 * KiB, 20000, true);
}

static void test_random_large(void **state)
{
	run_random(0x4ea90002, 512 * KiB, 20000, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test_setup_teardown(test_basic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_alignments_are_16, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alignment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alignment_gap_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhaustion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_sliver_blocks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_coalescing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fragmentation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_frees, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_detects_corruption, setup, teardown),
		cmocka_unit_test(test_random_small),
		cmocka_unit_test(test_random_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
