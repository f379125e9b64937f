/* Unit tests for libs/buddy.c, with a per-page shadow model for random sequences. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "libs/buddy.h"
#include "tests/unit/rng.h"

#define PG BUDDY_PAGE_SIZE
#define OPAGES(o) ((u64)1 << (o))

/*
 * A zone over anonymous memory whose base sits @skip pages after a
 * 2^@align_order page boundary, so tests choose exactly how (mis)aligned the
 * zone is.  MAP_NORESERVE lets the 1 GiB tests map more than they touch: the
 * allocator only writes list nodes into the first page of free blocks.
 */
struct arena {
	void *map;
	size_t maplen;
	struct buddy_zone z;
	u8 *meta;
};

static bool arena_map(struct arena *a, unsigned align_order, u64 skip, u64 npages)
{
	u64 align = OPAGES(align_order) * PG;
	uintptr_t base;

	memset(a, 0, sizeof(*a));
	a->maplen = align + (skip + npages) * PG;
	a->map = mmap(NULL, a->maplen, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (a->map == MAP_FAILED)
		return false;
	base = ALIGN_UP((uintptr_t)a->map, align) + skip * PG;
	a->meta = malloc(buddy_meta_bytes(npages));
	assert_non_null(a->meta);
	buddy_init(&a->z, base, npages, a->meta);
	return true;
}

static void arena_setup(struct arena *a, unsigned align_order, u64 skip, u64 npages)
{
	assert_true(arena_map(a, align_order, skip, npages));
}

static void arena_teardown(struct arena *a)
{
	munmap(a->map, a->maplen);
	free(a->meta);
}

static void *page_ptr(const struct arena *a, u64 i)
{
	return (void *)(uintptr_t)(a->z.base + i * PG);
}

static void release_all(struct arena *a)
{
	buddy_release(&a->z, a->z.base, a->z.npages);
	assert_int_equal(buddy_check(&a->z), 0);
	assert_int_equal(a->z.free_pages, a->z.npages);
}

/* Everything observable about the allocator's state except list order. */
struct snap {
	u64 nfree[BUDDY_ORDERS];
	u64 free_pages;
	u8 *meta;
};

static void snap_take(struct snap *s, const struct arena *a)
{
	memcpy(s->nfree, a->z.nfree, sizeof(s->nfree));
	s->free_pages = a->z.free_pages;
	s->meta = malloc(a->z.npages);
	assert_non_null(s->meta);
	memcpy(s->meta, a->z.meta, a->z.npages);
}

static void snap_assert_equal(const struct snap *s, const struct arena *a)
{
	assert_memory_equal(s->nfree, a->z.nfree, sizeof(s->nfree));
	assert_int_equal(s->free_pages, a->z.free_pages);
	assert_memory_equal(s->meta, a->z.meta, a->z.npages);
	assert_int_equal(buddy_check(&a->z), 0);
}

static void snap_drop(struct snap *s)
{
	free(s->meta);
}

static void assert_block_ok(const struct arena *a, void *p, unsigned order)
{
	u64 addr = (u64)(uintptr_t)p;

	assert_non_null(p);
	assert_true(addr % (OPAGES(order) * PG) == 0);
	assert_true(addr >= a->z.base);
	assert_true(addr + OPAGES(order) * PG <= a->z.base + a->z.npages * PG);
}

static void test_helpers(void **state)
{
	assert_int_equal(buddy_meta_bytes(0), 0);
	assert_int_equal(buddy_meta_bytes(12345), 12345);
	assert_int_equal(buddy_order_for_size(0), 0);
	assert_int_equal(buddy_order_for_size(1), 0);
	assert_int_equal(buddy_order_for_size(PG), 0);
	assert_int_equal(buddy_order_for_size(PG + 1), 1);
	assert_int_equal(buddy_order_for_size(3 * PG), 2);
	assert_int_equal(buddy_order_for_size(2 * MiB), 9);
	assert_int_equal(buddy_order_for_size(GiB), BUDDY_MAX_ORDER);
	assert_int_equal(buddy_order_for_size(GiB + 1), -E2BIG);
	assert_int_equal(buddy_order_for_size(UINT64_MAX), -E2BIG);
}

static void test_init_all_reserved(void **state)
{
	struct arena a;
	unsigned o;

	arena_setup(&a, 10, 0, 64);
	assert_int_equal(buddy_check(&a.z), 0);
	assert_int_equal(a.z.free_pages, 0);
	for (o = 0; o < BUDDY_ORDERS; o++) {
		assert_int_equal(a.z.nfree[o], 0);
		assert_null(buddy_alloc(&a.z, o));
	}
	assert_int_equal(buddy_largest_free_order(&a.z), -ENOMEM);
	/* Reserved pages are order-0 allocations and can be freed one by one. */
	assert_int_equal(buddy_free(&a.z, page_ptr(&a, 5), 0), 0);
	assert_int_equal(a.z.free_pages, 1);
	assert_int_equal(a.z.nfree[0], 1);
	assert_ptr_equal(buddy_alloc(&a.z, 0), page_ptr(&a, 5));
	assert_int_equal(buddy_check(&a.z), 0);
	arena_teardown(&a);
}

static void test_contains(void **state)
{
	struct arena a;

	arena_setup(&a, 4, 1, 10);
	assert_true(buddy_contains(&a.z, page_ptr(&a, 0)));
	assert_true(buddy_contains(&a.z, (u8 *)page_ptr(&a, 10) - 1));
	assert_false(buddy_contains(&a.z, page_ptr(&a, 10)));
	assert_false(buddy_contains(&a.z, (u8 *)page_ptr(&a, 0) - 1));
	assert_false(buddy_contains(&a.z, NULL));
	arena_teardown(&a);
}

static void test_split_and_merge(void **state)
{
	struct arena a;
	struct snap s;
	unsigned o;
	void *p;

	arena_setup(&a, 10, 0, 1024);
	release_all(&a);
	assert_int_equal(a.z.nfree[10], 1);
	assert_int_equal(buddy_largest_free_order(&a.z), 10);
	snap_take(&s, &a);

	/* One page from a 1024-page block leaves one free buddy at every lower order. */
	p = buddy_alloc(&a.z, 0);
	assert_ptr_equal(p, page_ptr(&a, 0));
	for (o = 0; o < 10; o++)
		assert_int_equal(a.z.nfree[o], 1);
	assert_int_equal(a.z.nfree[10], 0);
	assert_int_equal(a.z.free_pages, 1023);
	assert_int_equal(buddy_check(&a.z), 0);
	assert_int_equal(buddy_free(&a.z, p, 0), 0);
	snap_assert_equal(&s, &a);

	for (o = 0; o <= 10; o++) {
		p = buddy_alloc(&a.z, o);
		assert_block_ok(&a, p, o);
		assert_int_equal(a.z.free_pages, 1024 - OPAGES(o));
		assert_int_equal(buddy_check(&a.z), 0);
		assert_int_equal(buddy_free(&a.z, p, o), 0);
		snap_assert_equal(&s, &a);
	}
	assert_null(buddy_alloc(&a.z, 11));
	assert_null(buddy_alloc(&a.z, BUDDY_ORDERS));
	snap_drop(&s);
	arena_teardown(&a);
}

/* Allocate @order blocks until the zone runs dry, then free them in shuffled order. */
static void exhaust_and_restore(struct arena *a, unsigned order, u64 expect)
{
	u64 n = 0, i, cap = a->z.npages + 1;
	void **blocks = calloc(cap, sizeof(*blocks));
	u8 *seen = calloc(a->z.npages, 1);
	struct snap s;
	void *p;

	assert_non_null(blocks);
	assert_non_null(seen);
	snap_take(&s, a);
	while ((p = buddy_alloc(&a->z, order))) {
		u64 first = ((u64)(uintptr_t)p - a->z.base) / PG;

		assert_block_ok(a, p, order);
		for (i = 0; i < OPAGES(order); i++) {
			assert_int_equal(seen[first + i], 0);
			seen[first + i] = 1;
		}
		assert_true(n < cap);
		blocks[n++] = p;
	}
	assert_int_equal(n, expect);
	assert_int_equal(a->z.free_pages + n * OPAGES(order), s.free_pages);
	assert_int_equal(buddy_check(&a->z), 0);
	for (i = n; i > 1; i--) {
		u64 j = rng_below(i);
		void *t = blocks[i - 1];

		blocks[i - 1] = blocks[j];
		blocks[j] = t;
	}
	for (i = 0; i < n; i++) {
		assert_int_equal(buddy_free(&a->z, blocks[i], order), 0);
		if (i % 64 == 0)
			assert_int_equal(buddy_check(&a->z), 0);
	}
	snap_assert_equal(&s, a);
	snap_drop(&s);
	free(seen);
	free(blocks);
}

static void test_exhaustion_every_order(void **state)
{
	struct arena a;
	unsigned o;

	rng_state = 0x1234;
	arena_setup(&a, 10, 0, 1024);
	release_all(&a);
	for (o = 0; o <= 10; o++)
		exhaust_and_restore(&a, o, 1024 >> o);
	arena_teardown(&a);
}

static void test_unaligned_zone_layout(void **state)
{
	struct arena a;
	void *p;

	/* pfns 3..20 relative to a 16 MiB boundary: 3 | 4-7 | 8-15 | 16-19 | 20. */
	arena_setup(&a, 12, 3, 18);
	release_all(&a);
	assert_int_equal(a.z.nfree[0], 2);
	assert_int_equal(a.z.nfree[1], 0);
	assert_int_equal(a.z.nfree[2], 2);
	assert_int_equal(a.z.nfree[3], 1);
	assert_int_equal(a.z.nfree[4], 0);
	assert_int_equal(buddy_largest_free_order(&a.z), 3);

	p = buddy_alloc(&a.z, 3);
	assert_ptr_equal(p, page_ptr(&a, 5));
	assert_null(buddy_alloc(&a.z, 3));
	assert_int_equal(buddy_free(&a.z, p, 3), 0);
	/* The zone never invents a block that crosses its edge. */
	assert_null(buddy_alloc(&a.z, 4));
	exhaust_and_restore(&a, 0, 18);
	exhaust_and_restore(&a, 2, 4);
	arena_teardown(&a);
}

static void test_unaligned_zone_exhaustion(void **state)
{
	struct arena a;

	rng_state = 99;
	/* Both ends off any large boundary: base 5 pages past 16 MiB, 1000 pages. */
	arena_setup(&a, 12, 5, 1000);
	release_all(&a);
	exhaust_and_restore(&a, 0, 1000);
	/* Order-4 blocks must lie in [5, 1005) on 16-page boundaries: pfns 16..991. */
	exhaust_and_restore(&a, 4, (1005 / 16) - 1);
	exhaust_and_restore(&a, 8, 2);
	exhaust_and_restore(&a, 9, 0);
	arena_teardown(&a);
}

/* Bulk release must end exactly where freeing every reserved page one by one does. */
static void test_release_matches_page_frees(void **state)
{
	static const struct {
		unsigned align_order;
		u64 skip, npages;
	} geo[] = { { 12, 0, 4096 }, { 12, 3, 1021 }, { 12, 1, 777 }, { 12, 4095, 3000 } };
	unsigned g;

	rng_state = 7;
	for (g = 0; g < ARRAY_SIZE(geo); g++) {
		struct arena a, b;
		u64 n = geo[g].npages, i;
		u64 *order = malloc(n * sizeof(*order));

		assert_non_null(order);
		arena_setup(&a, geo[g].align_order, geo[g].skip, n);
		arena_setup(&b, geo[g].align_order, geo[g].skip, n);
		release_all(&a);
		for (i = 0; i < n; i++)
			order[i] = i;
		for (i = n; i > 1; i--) {
			u64 j = rng_below(i), t = order[i - 1];

			order[i - 1] = order[j];
			order[j] = t;
		}
		for (i = 0; i < n; i++)
			assert_int_equal(buddy_free(&b.z, page_ptr(&b, order[i]), 0), 0);
		assert_int_equal(buddy_check(&b.z), 0);
		assert_memory_equal(a.z.nfree, b.z.nfree, sizeof(a.z.nfree));
		assert_memory_equal(a.z.meta, b.z.meta, n);
		assert_int_equal(a.z.free_pages, b.z.free_pages);
		arena_teardown(&a);
		arena_teardown(&b);
		free(order);
	}
}

static void test_release_clamps_and_holes(void **state)
{
	struct arena a;
	struct snap s;
	void *p;
	u64 i;

	arena_setup(&a, 10, 0, 256);

	/* Only whole pages inside the range: page 0 is partial, page 3 starts at the end. */
	buddy_release(&a.z, a.z.base + 100, 3);
	assert_int_equal(a.z.free_pages, 2);
	assert_int_equal(a.z.nfree[0], 2);
	assert_int_equal(buddy_check(&a.z), 0);

	/* Ranges reaching past both ends (even to the top of the address space) are clamped. */
	buddy_release(&a.z, a.z.base + 200 * PG, UINT64_MAX);
	assert_int_equal(a.z.free_pages, 58);
	buddy_release(&a.z, 0, (a.z.base >> BUDDY_PAGE_SHIFT) + 10);
	assert_int_equal(a.z.free_pages, 66);
	assert_int_equal(buddy_check(&a.z), 0);

	/* Pages 10..199 stay reserved; releasing free pages again changes nothing. */
	snap_take(&s, &a);
	buddy_release(&a.z, a.z.base, 10);
	buddy_release(&a.z, a.z.base + 200 * PG, 56);
	buddy_release(&a.z, a.z.base + 256 * PG, 10);
	buddy_release(&a.z, a.z.base - 10 * PG, 10);
	buddy_release(&a.z, a.z.base, 0);
	snap_assert_equal(&s, &a);
	snap_drop(&s);

	while ((p = buddy_alloc(&a.z, 0))) {
		i = ((u64)(uintptr_t)p - a.z.base) / PG;
		assert_true(i < 10 || i >= 200);
	}
	assert_int_equal(a.z.free_pages, 0);

	/* An allocated block larger than a page is not released behind its owner's back. */
	arena_teardown(&a);
	arena_setup(&a, 10, 0, 16);
	release_all(&a);
	p = buddy_alloc(&a.z, 2);
	assert_non_null(p);
	buddy_release(&a.z, a.z.base, 16);
	assert_int_equal(a.z.free_pages, 12);
	assert_int_equal(buddy_free(&a.z, p, 2), 0);
	assert_int_equal(a.z.nfree[4], 1);
	arena_teardown(&a);
}

static void test_free_rejects(void **state)
{
	struct arena a;
	struct snap s;
	u8 *p2, *p0;
	u64 local;

	arena_setup(&a, 10, 0, 64);
	release_all(&a);
	p2 = buddy_alloc(&a.z, 2);
	p0 = buddy_alloc(&a.z, 0);
	assert_non_null(p2);
	assert_non_null(p0);
	snap_take(&s, &a);

	assert_int_equal(buddy_free(&a.z, NULL, 0), -EINVAL);
	assert_int_equal(buddy_free(&a.z, &local, 0), -EINVAL);
	assert_int_equal(buddy_free(&a.z, (u8 *)page_ptr(&a, 0) - PG, 0), -EINVAL);
	assert_int_equal(buddy_free(&a.z, page_ptr(&a, 64), 0), -EINVAL);
	assert_int_equal(buddy_free(&a.z, p2 + 1, 2), -EINVAL);
	assert_int_equal(buddy_free(&a.z, p2 + PG / 2, 0), -EINVAL);
	/* Wrong order, interior page, order too big. */
	assert_int_equal(buddy_free(&a.z, p2, 1), -EINVAL);
	assert_int_equal(buddy_free(&a.z, p2, 3), -EINVAL);
	assert_int_equal(buddy_free(&a.z, p2 + PG, 0), -EINVAL);
	assert_int_equal(buddy_free(&a.z, p2 + 2 * PG, 1), -EINVAL);
	assert_int_equal(buddy_free(&a.z, p0, 1), -EINVAL);
	assert_int_equal(buddy_free(&a.z, p0, BUDDY_ORDERS), -EINVAL);
	assert_int_equal(buddy_free(&a.z, p0, 200), -EINVAL);
	/* A block running past the zone end. */
	assert_int_equal(buddy_free(&a.z, page_ptr(&a, 0), 7), -EINVAL);
	snap_assert_equal(&s, &a);
	snap_drop(&s);

	/* Double free, both before and after the block merged with its buddy. */
	assert_int_equal(buddy_free(&a.z, p0, 0), 0);
	snap_take(&s, &a);
	assert_int_equal(buddy_free(&a.z, p0, 0), -EINVAL);
	snap_assert_equal(&s, &a);
	snap_drop(&s);
	assert_int_equal(buddy_free(&a.z, p2, 2), 0);
	snap_take(&s, &a);
	assert_int_equal(buddy_free(&a.z, p2, 2), -EINVAL);
	assert_int_equal(buddy_free(&a.z, p0, 0), -EINVAL);
	/* Never allocated: the middle and head of a free block. */
	assert_int_equal(buddy_free(&a.z, page_ptr(&a, 33), 0), -EINVAL);
	assert_int_equal(buddy_free(&a.z, page_ptr(&a, 32), 5), -EINVAL);
	snap_assert_equal(&s, &a);
	assert_int_equal(a.z.free_pages, 64);
	snap_drop(&s);
	arena_teardown(&a);
}

static void test_claim(void **state)
{
	struct arena a;
	struct snap init, s;
	void *p;
	u64 i, claimed_free;

	arena_setup(&a, 10, 0, 256);
	release_all(&a);
	snap_take(&init, &a);

	/* Pages 5..11 straddle blocks of several orders. */
	assert_int_equal(buddy_claim(&a.z, a.z.base + 5 * PG, 7), 0);
	assert_int_equal(a.z.free_pages, 249);
	assert_int_equal(buddy_check(&a.z), 0);
	/* Claimed pages are individual order-0 allocations. */
	assert_int_equal(buddy_free(&a.z, page_ptr(&a, 6), 1), -EINVAL);
	assert_int_equal(buddy_claim(&a.z, a.z.base + 11 * PG, 1), -EBUSY);

	/* Any busy page fails the whole claim, and nothing changes. */
	snap_take(&s, &a);
	assert_int_equal(buddy_claim(&a.z, a.z.base, 6), -EBUSY);
	assert_int_equal(buddy_claim(&a.z, a.z.base + 11 * PG, 100), -EBUSY);
	assert_int_equal(buddy_claim(&a.z, a.z.base, 256), -EBUSY);
	p = buddy_alloc(&a.z, 0);
	assert_non_null(p);
	snap_drop(&s);
	snap_take(&s, &a);
	assert_int_equal(buddy_claim(&a.z, (u64)(uintptr_t)p - 3 * PG, 4), -EBUSY);
	assert_int_equal(buddy_claim(&a.z, (u64)(uintptr_t)p, 1), -EBUSY);
	/* Outside, partly outside, misaligned, empty, wrapping. */
	assert_int_equal(buddy_claim(&a.z, a.z.base - PG, 1), -EINVAL);
	assert_int_equal(buddy_claim(&a.z, a.z.base - PG, 2), -EINVAL);
	assert_int_equal(buddy_claim(&a.z, a.z.base + 250 * PG, 7), -EINVAL);
	assert_int_equal(buddy_claim(&a.z, a.z.base + 256 * PG, 1), -EINVAL);
	assert_int_equal(buddy_claim(&a.z, a.z.base + 200 * PG + 8, 1), -EINVAL);
	assert_int_equal(buddy_claim(&a.z, a.z.base + 200 * PG, 0), -EINVAL);
	assert_int_equal(buddy_claim(&a.z, a.z.base + 200 * PG, UINT64_MAX), -EINVAL);
	snap_assert_equal(&s, &a);
	snap_drop(&s);
	assert_int_equal(buddy_free(&a.z, p, 0), 0);

	/* The allocator never hands out claimed pages. */
	claimed_free = a.z.free_pages;
	while ((p = buddy_alloc(&a.z, 0))) {
		i = ((u64)(uintptr_t)p - a.z.base) / PG;
		assert_true(i < 5 || i >= 12);
	}
	for (i = 0; i < 256; i++)
		if (i < 5 || i >= 12)
			assert_int_equal(buddy_free(&a.z, page_ptr(&a, i), 0), 0);
	assert_int_equal(a.z.free_pages, claimed_free);

	/* Give back half per page and half by release: the zone is whole again. */
	for (i = 5; i < 8; i++)
		assert_int_equal(buddy_free(&a.z, page_ptr(&a, i), 0), 0);
	buddy_release(&a.z, a.z.base + 8 * PG, 4);
	snap_assert_equal(&init, &a);

	/* Claiming the whole zone, then releasing it, round-trips too. */
	assert_int_equal(buddy_claim(&a.z, a.z.base, 256), 0);
	assert_int_equal(a.z.free_pages, 0);
	assert_int_equal(buddy_check(&a.z), 0);
	assert_null(buddy_alloc(&a.z, 0));
	buddy_release(&a.z, a.z.base, 256);
	snap_assert_equal(&init, &a);
	snap_drop(&init);
	arena_teardown(&a);
}

static void test_claim_unaligned_zone(void **state)
{
	struct arena a;
	struct snap init;
	u64 i;

	arena_setup(&a, 12, 3, 1021);
	release_all(&a);
	snap_take(&init, &a);
	/* Crosses the boundaries of the zone's first blocks, touching both zone edges later. */
	assert_int_equal(buddy_claim(&a.z, a.z.base, 300), 0);
	assert_int_equal(buddy_claim(&a.z, a.z.base + 1000 * PG, 21), 0);
	assert_int_equal(a.z.free_pages, 1021 - 321);
	assert_int_equal(buddy_check(&a.z), 0);
	assert_int_equal(buddy_claim(&a.z, a.z.base + 299 * PG, 2), -EBUSY);
	assert_int_equal(buddy_claim(&a.z, a.z.base + 1000 * PG, 22), -EINVAL);
	for (i = 0; i < 300; i++)
		assert_int_equal(buddy_free(&a.z, page_ptr(&a, i), 0), 0);
	buddy_release(&a.z, a.z.base + 1000 * PG, 21);
	snap_assert_equal(&init, &a);
	snap_drop(&init);
	arena_teardown(&a);
}

/* ---------------------------------------------------------------- random */

struct live {
	u8 *p;
	unsigned order;
	u64 tag;
};

struct model {
	struct arena *a;
	u8 *busy; /* shadow: page handed out */
	struct live *live;
	u64 nlive, cap, busy_pages;
};

#define MODEL_RESERVED 2

static bool model_has_free_run(const struct model *m, unsigned order)
{
	u64 pfn0 = m->a->z.base / PG, n = OPAGES(order), i, j;

	/* Fully merged buddies guarantee a block exists iff an aligned free run does. */
	for (i = ALIGN_UP(pfn0, n) - pfn0; i + n <= m->a->z.npages; i += n) {
		for (j = 0; j < n && !m->busy[i + j]; j++)
			;
		if (j == n)
			return true;
	}
	return false;
}

static void model_stamp(struct live *l)
{
	u64 bytes = OPAGES(l->order) * PG;

	/* Head and tail words: the allocator must not scribble on handed-out pages. */
	memcpy(l->p, &l->tag, sizeof(l->tag));
	memcpy(l->p + bytes - sizeof(l->tag), &l->tag, sizeof(l->tag));
}

static void model_verify_stamp(const struct live *l)
{
	u64 bytes = OPAGES(l->order) * PG, head, tail;

	memcpy(&head, l->p, sizeof(head));
	memcpy(&tail, l->p + bytes - sizeof(tail), sizeof(tail));
	assert_true(head == l->tag && tail == l->tag);
}

static void model_mark(struct model *m, u8 *p, unsigned order, u8 val)
{
	u64 first = ((u64)(uintptr_t)p - m->a->z.base) / PG, i;

	for (i = 0; i < OPAGES(order); i++) {
		assert_int_equal(m->busy[first + i], !val);
		m->busy[first + i] = val;
	}
	if (val)
		m->busy_pages += OPAGES(order);
	else
		m->busy_pages -= OPAGES(order);
}

static void model_add(struct model *m, u8 *p, unsigned order)
{
	struct live *l;

	assert_true(m->nlive < m->cap);
	l = &m->live[m->nlive++];
	l->p = p;
	l->order = order;
	l->tag = rng();
	model_mark(m, p, order, 1);
	model_stamp(l);
}

static void model_remove(struct model *m, u64 idx)
{
	struct live l = m->live[idx];

	model_verify_stamp(&l);
	assert_int_equal(buddy_free(&m->a->z, l.p, l.order), 0);
	model_mark(m, l.p, l.order, 0);
	m->live[idx] = m->live[--m->nlive];
	/* An immediate second free must be refused whether or not the block merged. */
	assert_int_equal(buddy_free(&m->a->z, l.p, l.order), -EINVAL);
}

static void model_claim(struct model *m)
{
	u64 n = 1 + rng_below(8), first = rng_below(m->a->z.npages - n + 1), i;
	bool busy = false;
	int r;

	for (i = 0; i < n; i++)
		busy |= m->busy[first + i];
	r = buddy_claim(&m->a->z, m->a->z.base + first * PG, n);
	assert_int_equal(r, busy ? -EBUSY : 0);
	if (r)
		return;
	for (i = 0; i < n; i++) {
		struct live *l;

		assert_true(m->nlive < m->cap);
		l = &m->live[m->nlive++];
		l->p = page_ptr(m->a, first + i);
		l->order = 0;
		l->tag = rng();
		model_stamp(l);
	}
	for (i = 0; i < n; i++)
		m->busy[first + i] = 1;
	m->busy_pages += n;
}

static void run_random(struct arena *a, u64 seed, unsigned steps, unsigned max_order)
{
	struct model m = { .a = a };
	struct snap init;
	unsigned step;

	rng_state = seed;
	m.cap = a->z.npages + 1;
	m.busy = calloc(a->z.npages, 1);
	m.live = calloc(m.cap, sizeof(*m.live));
	assert_non_null(m.busy);
	assert_non_null(m.live);
	snap_take(&init, a);

	/* Learn which pages are reserved by draining the zone, then undo the drain. */
	memset(m.busy, MODEL_RESERVED, a->z.npages);
	m.busy_pages = a->z.npages;
	while ((m.live[m.nlive].p = buddy_alloc(&a->z, 0)))
		m.nlive++;
	while (m.nlive) {
		u8 *p = m.live[--m.nlive].p;

		assert_int_equal(buddy_free(&a->z, p, 0), 0);
		m.busy[((u64)(uintptr_t)p - a->z.base) / PG] = 0;
		m.busy_pages--;
	}
	snap_assert_equal(&init, a);

	for (step = 0; step < steps; step++) {
		u64 dice = rng_below(100);

		if (dice < 55) {
			/* Small orders dominate, as in real use. */
			unsigned order = rng_below(max_order + 1);
			u8 *p;

			order = rng_below(2) ? order : order / 3;
			p = buddy_alloc(&a->z, order);
			if (p) {
				assert_block_ok(a, p, order);
				model_add(&m, p, order);
			} else {
				assert_false(model_has_free_run(&m, order));
			}
		} else if (dice < 95) {
			if (m.nlive)
				model_remove(&m, rng_below(m.nlive));
		} else if (dice < 98) {
			model_claim(&m);
		} else if (m.nlive) {
			const struct live *l = &m.live[rng_below(m.nlive)];

			assert_int_equal(buddy_free(&a->z, l->p, l->order + 1), -EINVAL);
		}
		assert_int_equal(a->z.free_pages + m.busy_pages, a->z.npages);
		assert_int_equal(buddy_check(&a->z), 0);
	}
	while (m.nlive)
		model_remove(&m, m.nlive - 1);
	snap_assert_equal(&init, a);
	snap_drop(&init);
	free(m.busy);
	free(m.live);
}

static void test_random_aligned(void **state)
{
	struct arena a;

	arena_setup(&a, 10, 0, 1024);
	release_all(&a);
	run_random(&a, 0x5eed0001, 20000, 7);
	arena_teardown(&a);
}

static void test_random_unaligned(void **state)
{
	struct arena a;

	arena_setup(&a, 12, 3, 1021);
	release_all(&a);
	run_random(&a, 0x5eed0002, 20000, 7);
	arena_teardown(&a);
}

static void test_random_with_reserved_holes(void **state)
{
	struct arena a;
	struct snap s;

	arena_setup(&a, 12, 7, 900);
	/* Firmware/kernel holes that stay reserved for the whole run. */
	buddy_release(&a.z, a.z.base, 100);
	buddy_release(&a.z, a.z.base + 130 * PG, 500);
	buddy_release(&a.z, a.z.base + 633 * PG, 267);
	assert_int_equal(buddy_check(&a.z), 0);
	assert_int_equal(a.z.free_pages, 867);
	snap_take(&s, &a);
	run_random(&a, 0x5eed0003, 20000, 6);
	snap_assert_equal(&s, &a);
	snap_drop(&s);
	arena_teardown(&a);
}

/* ---------------------------------------------------------------- 1 GiB blocks */

static void test_max_order(void **state)
{
	struct arena a;
	struct snap s;
	void *big, *p;

	/* 1.5 GiB zone on a 1 GiB boundary: one order-18 and one order-17 block. */
	if (!arena_map(&a, BUDDY_MAX_ORDER, 0, OPAGES(18) + OPAGES(17)))
		skip();
	release_all(&a);
	assert_int_equal(a.z.nfree[18], 1);
	assert_int_equal(a.z.nfree[17], 1);
	assert_int_equal(buddy_largest_free_order(&a.z), 18);
	snap_take(&s, &a);

	big = buddy_alloc(&a.z, BUDDY_MAX_ORDER);
	assert_block_ok(&a, big, BUDDY_MAX_ORDER);
	assert_ptr_equal(big, page_ptr(&a, 0));
	assert_null(buddy_alloc(&a.z, BUDDY_MAX_ORDER));
	assert_null(buddy_alloc(&a.z, BUDDY_ORDERS));
	p = buddy_alloc(&a.z, 0);
	assert_block_ok(&a, p, 0);
	assert_int_equal(a.z.nfree[17], 0);
	assert_int_equal(buddy_check(&a.z), 0);
	assert_int_equal(buddy_free(&a.z, p, 0), 0);
	assert_int_equal(buddy_free(&a.z, big, BUDDY_MAX_ORDER), 0);
	snap_assert_equal(&s, &a);

	/* A claim in the middle of the 1 GiB block splits it all the way down. */
	assert_int_equal(buddy_claim(&a.z, a.z.base + 12345 * PG, 3), 0);
	assert_int_equal(a.z.nfree[18], 0);
	assert_int_equal(buddy_check(&a.z), 0);
	buddy_release(&a.z, a.z.base + 12345 * PG, 3);
	snap_assert_equal(&s, &a);
	snap_drop(&s);
	arena_teardown(&a);
}

static void test_max_order_unaligned(void **state)
{
	struct arena a;
	unsigned o;

	/* One page past 1 GiB: blocks of every order 0..17 ramp up, then one page. */
	if (!arena_map(&a, BUDDY_MAX_ORDER, 1, OPAGES(18)))
		skip();
	release_all(&a);
	assert_int_equal(a.z.nfree[0], 2);
	for (o = 1; o < BUDDY_MAX_ORDER; o++)
		assert_int_equal(a.z.nfree[o], 1);
	assert_int_equal(a.z.nfree[BUDDY_MAX_ORDER], 0);
	assert_null(buddy_alloc(&a.z, BUDDY_MAX_ORDER));
	assert_ptr_equal(buddy_alloc(&a.z, 17), page_ptr(&a, OPAGES(17) - 1));
	assert_int_equal(buddy_check(&a.z), 0);
	arena_teardown(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_init_all_reserved),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_split_and_merge),
		cmocka_unit_test(test_exhaustion_every_order),
		cmocka_unit_test(test_unaligned_zone_layout),
		cmocka_unit_test(test_unaligned_zone_exhaustion),
		cmocka_unit_test(test_release_matches_page_frees),
		cmocka_unit_test(test_release_clamps_and_holes),
		cmocka_unit_test(test_free_rejects),
		cmocka_unit_test(test_claim),
		cmocka_unit_test(test_claim_unaligned_zone),
		cmocka_unit_test(test_random_aligned),
		cmocka_unit_test(test_random_unaligned),
		cmocka_unit_test(test_random_with_reserved_holes),
		cmocka_unit_test(test_max_order),
		cmocka_unit_test(test_max_order_unaligned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
