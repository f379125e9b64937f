/*
 * The PLIC state machine (libs/plic): priorities, thresholds, claim order,
 * masking, level and edge gateways, completion rules, the register map as
 * QEMU virt lays it out, and what out-of-range ids and offsets do.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "libs/plic.h"

#define NDEV 96
#define NCTX 4 /* two harts: M 0, S 1, M 2, S 3 */

struct fixture {
	struct plic p;
	u32 mem[];
};

static struct plic *make(u32 ndev, u32 nctx)
{
	size_t size = plic_mem_size(ndev, nctx);
	struct fixture *f = calloc(1, sizeof(*f) + size);

	assert_non_null(f);
	plic_init(&f->p, f->mem, ndev, nctx);
	return &f->p;
}

static int setup(void **state)
{
	*state = make(NDEV, NCTX);
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static u32 rd(struct plic *p, u64 off)
{
	u32 v = 0xdeadbeef;

	assert_int_equal(plic_read(p, off, 4, &v), 0);
	return v;
}

static void wr(struct plic *p, u64 off, u32 v)
{
	assert_int_equal(plic_write(p, off, 4, v), 0);
}

static u64 enable_reg(u32 ctx, u32 irq)
{
	return PLIC_ENABLE_BASE + ctx * PLIC_ENABLE_STRIDE + 4 * (irq / 32);
}

static u64 threshold_reg(u32 ctx)
{
	return PLIC_CONTEXT_BASE + ctx * PLIC_CONTEXT_STRIDE;
}

static u64 claim_reg(u32 ctx)
{
	return threshold_reg(ctx) + PLIC_CLAIM;
}

static void enable(struct plic *p, u32 ctx, u32 irq)
{
	wr(p, enable_reg(ctx, irq), rd(p, enable_reg(ctx, irq)) | 1u << (irq % 32));
}

static void set_prio(struct plic *p, u32 irq, u32 prio)
{
	wr(p, PLIC_PRIORITY_BASE + 4 * irq, prio);
}

static bool pending(struct plic *p, u32 irq)
{
	return (rd(p, PLIC_PENDING_BASE + 4 * (irq / 32)) >> (irq % 32)) & 1;
}

/* The outputs plic_update reports, as a bitmap of contexts. */
struct seen {
	u32 raised, lowered;
};

static void note(void *arg, u32 ctx, bool high)
{
	struct seen *s = arg;

	if (high)
		s->raised |= 1u << ctx;
	else
		s->lowered |= 1u << ctx;
}

static struct seen update(struct plic *p)
{
	struct seen s = { 0, 0 };

	plic_update(p, note, &s);
	return s;
}

static void test_reset_state(void **state)
{
	struct plic *p = *state;

	for (u32 irq = 0; irq <= NDEV; irq++)
		assert_int_equal(rd(p, 4 * irq), 0);
	for (u32 ctx = 0; ctx < NCTX; ctx++) {
		assert_int_equal(rd(p, threshold_reg(ctx)), 0);
		assert_int_equal(rd(p, enable_reg(ctx, 0)), 0);
		assert_int_equal(rd(p, claim_reg(ctx)), 0);
	}
	assert_int_equal(update(p).raised, 0);
	assert_int_equal(p->words, 4);
}

static void test_claim_with_nothing_pending(void **state)
{
	struct plic *p = *state;

	enable(p, 1, 10);
	set_prio(p, 10, 1);
	assert_int_equal(rd(p, claim_reg(1)), 0);
	/* Pending but not enabled here, or priority 0: still nothing. */
	plic_set_level(p, 11, true);
	set_prio(p, 11, 5);
	assert_int_equal(rd(p, claim_reg(1)), 0);
	plic_set_level(p, 10, true);
	set_prio(p, 10, 0);
	assert_int_equal(rd(p, claim_reg(1)), 0);
	assert_true(pending(p, 10));
	assert_int_equal(update(p).raised, 0);
}

static void test_priority_order_and_ties(void **state)
{
	struct plic *p = *state;
	static const u32 ids[] = { 3, 40, 41, 70, 96 };
	static const u32 prios[] = { 2, 5, 5, 7, 1 };

	for (unsigned int i = 0; i < ARRAY_SIZE(ids); i++) {
		set_prio(p, ids[i], prios[i]);
		enable(p, 1, ids[i]);
		plic_set_level(p, ids[i], true);
	}
	/* Highest priority first; 40 and 41 tie at 5: the lower id wins. */
	assert_int_equal(rd(p, claim_reg(1)), 70);
	assert_int_equal(rd(p, claim_reg(1)), 40);
	assert_int_equal(rd(p, claim_reg(1)), 41);
	assert_int_equal(rd(p, claim_reg(1)), 3);
	assert_int_equal(rd(p, claim_reg(1)), 96);
	assert_int_equal(rd(p, claim_reg(1)), 0);
	/* Claimed sources are not pending. */
	for (unsigned int i = 0; i < ARRAY_SIZE(ids); i++)
		assert_false(pending(p, ids[i]));
}

static void test_priority_and_threshold_are_three_bits(void **state)
{
	struct plic *p = *state;

	set_prio(p, 5, 0xffffffff);
	assert_int_equal(rd(p, 4 * 5), 7);
	set_prio(p, 5, 9);
	assert_int_equal(rd(p, 4 * 5), 1);
	wr(p, threshold_reg(3), 0x12);
	assert_int_equal(rd(p, threshold_reg(3)), 2);
}

static void test_threshold_masks(void **state)
{
	struct plic *p = *state;
	struct seen s;

	set_prio(p, 10, 3);
	enable(p, 1, 10);
	plic_set_level(p, 10, true);
	s = update(p);
	assert_int_equal(s.raised, 1u << 1);
	/* At or above the source's priority the context is masked: output low, claim 0. */
	wr(p, threshold_reg(1), 3);
	s = update(p);
	assert_int_equal(s.lowered, 1u << 1);
	assert_int_equal(rd(p, claim_reg(1)), 0);
	assert_true(pending(p, 10));
	wr(p, threshold_reg(1), 2);
	assert_int_equal(update(p).raised, 1u << 1);
	assert_int_equal(rd(p, claim_reg(1)), 10);
	assert_int_equal(update(p).lowered, 1u << 1);
}

static void test_enable_masks_per_context(void **state)
{
	struct plic *p = *state;
	struct seen s;

	set_prio(p, 33, 1);
	enable(p, 3, 33);
	plic_set_level(p, 33, true);
	s = update(p);
	/* Only the context that enables it. */
	assert_int_equal(s.raised, 1u << 3);
	assert_int_equal(rd(p, claim_reg(1)), 0);
	assert_int_equal(rd(p, enable_reg(3, 33)), 1u << 1);
	/* Disabling it lowers the output; the source stays pending. */
	wr(p, enable_reg(3, 33), 0);
	assert_int_equal(update(p).lowered, 1u << 3);
	assert_true(pending(p, 33));
	/* Two contexts: the first claim takes it, the other then sees nothing. */
	enable(p, 1, 33);
	enable(p, 3, 33);
	s = update(p);
	assert_int_equal(s.raised, (1u << 1) | (1u << 3));
	assert_int_equal(rd(p, claim_reg(3)), 33);
	assert_int_equal(update(p).lowered, (1u << 1) | (1u << 3));
	assert_int_equal(rd(p, claim_reg(1)), 0);
}

static void test_level_gateway(void **state)
{
	struct plic *p = *state;

	set_prio(p, 10, 1);
	enable(p, 1, 10);
	/* A line that drops before the claim withdraws the request. */
	plic_set_level(p, 10, true);
	assert_true(pending(p, 10));
	plic_set_level(p, 10, false);
	assert_false(pending(p, 10));
	assert_int_equal(rd(p, claim_reg(1)), 0);
	/* Claimed: nothing new until completion, which re-samples the line. */
	plic_set_level(p, 10, true);
	assert_int_equal(rd(p, claim_reg(1)), 10);
	plic_set_level(p, 10, true);
	assert_false(pending(p, 10));
	assert_int_equal(rd(p, claim_reg(1)), 0);
	wr(p, claim_reg(1), 10);
	assert_true(pending(p, 10));
	assert_int_equal(rd(p, claim_reg(1)), 10);
	/* Serviced (line low) before completion: not pending again. */
	plic_set_level(p, 10, false);
	wr(p, claim_reg(1), 10);
	assert_false(pending(p, 10));
	assert_int_equal(rd(p, claim_reg(1)), 0);
}

static void test_edge_gateway(void **state)
{
	struct plic *p = *state;

	set_prio(p, 20, 1);
	enable(p, 1, 20);
	/* Two edges before a claim are one request. */
	plic_edge(p, 20);
	plic_edge(p, 20);
	assert_int_equal(rd(p, claim_reg(1)), 20);
	assert_int_equal(rd(p, claim_reg(1)), 0);
	wr(p, claim_reg(1), 20);
	assert_false(pending(p, 20));
	/* An edge while in service is kept for after completion. */
	plic_edge(p, 20);
	assert_int_equal(rd(p, claim_reg(1)), 20);
	plic_edge(p, 20);
	assert_false(pending(p, 20));
	wr(p, claim_reg(1), 20);
	assert_true(pending(p, 20));
	assert_int_equal(rd(p, claim_reg(1)), 20);
	wr(p, claim_reg(1), 20);
	assert_false(pending(p, 20));
	assert_int_equal(rd(p, claim_reg(1)), 0);
}

static void test_completion_rules(void **state)
{
	struct plic *p = *state;

	set_prio(p, 10, 1);
	set_prio(p, 11, 1);
	enable(p, 1, 10);
	enable(p, 1, 11);
	plic_set_level(p, 10, true);
	assert_int_equal(rd(p, claim_reg(1)), 10);
	/* Completing an id that is not claimed, is out of range or 0: ignored. */
	wr(p, claim_reg(1), 11);
	wr(p, claim_reg(1), 0);
	wr(p, claim_reg(1), NDEV + 1);
	wr(p, claim_reg(1), 0xffffffff);
	assert_int_equal(rd(p, claim_reg(1)), 0);
	/* Completion through a context that does not enable it: ignored (the spec's rule). */
	wr(p, claim_reg(3), 10);
	assert_int_equal(rd(p, claim_reg(1)), 0);
	/* Disabled meanwhile: ignored too, until enabled again. */
	wr(p, enable_reg(1, 10), 1u << 11);
	wr(p, claim_reg(1), 10);
	enable(p, 1, 10);
	assert_int_equal(rd(p, claim_reg(1)), 0);
	wr(p, claim_reg(1), 10);
	assert_int_equal(rd(p, claim_reg(1)), 10);
}

static void test_out_of_range_ids(void **state)
{
	struct plic *p = *state;

	plic_set_level(p, 0, true);
	plic_set_level(p, NDEV + 1, true);
	plic_set_level(p, 1023, true);
	plic_set_level(p, 0xffffffff, true);
	plic_edge(p, 0);
	plic_edge(p, NDEV + 1);
	plic_edge(p, 0xffffffff);
	for (u32 w = 0; w < p->words; w++)
		assert_int_equal(rd(p, PLIC_PENDING_BASE + 4 * w), 0);
	/* Enable bits of sources that do not exist are kept (as QEMU does) but never fire. */
	wr(p, enable_reg(1, 96), 0xffffffff);
	wr(p, enable_reg(1, 0), 0xffffffff);
	for (u32 irq = 0; irq <= NDEV; irq++)
		set_prio(p, irq, 7);
	assert_int_equal(rd(p, claim_reg(1)), 0);
	assert_int_equal(update(p).raised, 0);
	plic_set_level(p, NDEV, true);
	assert_int_equal(rd(p, claim_reg(1)), NDEV);
}

static void test_register_map_holes(void **state)
{
	struct plic *p = *state;

	/* Past the last priority, pending word, enable word and context: 0, writes ignored. */
	static const u64 holes[] = {
		4 * (NDEV + 1),
		0xffc,
		PLIC_PENDING_BASE + 16,
		0x1ffc,
		PLIC_ENABLE_BASE + 16,
		PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE - 4,
		PLIC_ENABLE_BASE + NCTX * PLIC_ENABLE_STRIDE,
		0x1ffffc,
		PLIC_CONTEXT_BASE + 8,
		PLIC_CONTEXT_BASE + 0xffc,
		PLIC_CONTEXT_BASE + NCTX * PLIC_CONTEXT_STRIDE,
		PLIC_CONTEXT_BASE + NCTX * PLIC_CONTEXT_STRIDE + PLIC_CLAIM,
		PLIC_SIZE - 4,
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(holes); i++) {
		wr(p, holes[i], 0xffffffff);
		assert_int_equal(rd(p, holes[i]), 0);
	}
	/* Pending bits are read-only. */
	wr(p, PLIC_PENDING_BASE, 0xffffffff);
	assert_int_equal(rd(p, PLIC_PENDING_BASE), 0);
	/* Nothing above changed the state a claim sees. */
	assert_int_equal(rd(p, claim_reg(1)), 0);
	assert_int_equal(update(p).raised, 0);
}

static void test_bad_accesses_are_refused(void **state)
{
	struct plic *p = *state;
	u32 v = 0;

	assert_int_equal(plic_read(p, 0, 1, &v), -EINVAL);
	assert_int_equal(plic_read(p, 0, 2, &v), -EINVAL);
	assert_int_equal(plic_read(p, 0, 8, &v), -EINVAL);
	assert_int_equal(plic_read(p, 2, 4, &v), -EINVAL);
	assert_int_equal(plic_read(p, claim_reg(1) + 1, 4, &v), -EINVAL);
	assert_int_equal(plic_read(p, PLIC_SIZE, 4, &v), -EINVAL);
	assert_int_equal(plic_read(p, ~0ULL - 3, 4, &v), -EINVAL);
	assert_int_equal(plic_write(p, 4, 1, 7), -EINVAL);
	assert_int_equal(plic_write(p, 4, 8, 7), -EINVAL);
	assert_int_equal(plic_write(p, 6, 4, 7), -EINVAL);
	assert_int_equal(plic_write(p, PLIC_SIZE, 4, 7), -EINVAL);
	/* A refused write changes nothing. */
	assert_int_equal(rd(p, 4), 0);
}

static void test_largest_configuration(void **state)
{
	struct plic *p = make(PLIC_MAX_SOURCES, PLIC_MAX_CONTEXTS);
	u32 last = PLIC_MAX_CONTEXTS - 1;

	assert_int_equal(p->words, 32);
	set_prio(p, 1023, 7);
	enable(p, last, 1023);
	plic_set_level(p, 1023, true);
	assert_true(pending(p, 1023));
	assert_int_equal(rd(p, claim_reg(last)), 1023);
	wr(p, threshold_reg(last), 6);
	assert_int_equal(rd(p, threshold_reg(last)), 6);
	assert_int_equal(rd(p, enable_reg(last, 1023)), 1u << 31);
	free(p);
}

static void test_smallest_configuration(void **state)
{
	struct plic *p = make(1, 1);
	struct seen s;

	assert_int_equal(p->words, 1);
	set_prio(p, 1, 1);
	enable(p, 0, 1);
	plic_set_level(p, 1, true);
	s = update(p);
	assert_int_equal(s.raised, 1);
	assert_int_equal(rd(p, PLIC_PRIORITY_BASE + 8), 0);
	assert_int_equal(rd(p, claim_reg(0)), 1);
	assert_int_equal(rd(p, claim_reg(1)), 0);
	free(p);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_reset_state),
		T(test_claim_with_nothing_pending),
		T(test_priority_order_and_ties),
		T(test_priority_and_threshold_are_three_bits),
		T(test_threshold_masks),
		T(test_enable_masks_per_context),
		T(test_level_gateway),
		T(test_edge_gateway),
		T(test_completion_rules),
		T(test_out_of_range_ids),
		T(test_register_map_holes),
		T(test_bad_accesses_are_refused),
		cmocka_unit_test(test_largest_configuration),
		cmocka_unit_test(test_smallest_configuration),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
