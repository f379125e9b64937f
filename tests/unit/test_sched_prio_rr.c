/*
 * The fixed-priority round-robin policy against a simulated clock
 * (tests/unit/sched_sim.h drives it as core/sched.c does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#define CONFIG_SCHED_PRIO_LEVELS 8
#include "core/sched/prio_rr.c"
#include "core/sched/rr.c"
#include "tests/unit/sched_sim.h"

#define SLICE (10 * MS)

static const struct sched_policy *const pol = &sched_policy_prio_rr;

static void test_equal_priorities_share_in_slices(void **state)
{
	struct sim_task t[3] = { { .name = 'A' }, { .name = 'B' }, { .name = 'C' } };
	struct sim s;

	sim_init(&s, pol, t, 3);
	sim_run(&s, 300 * MS);
	assert_string_equal(s.names, "ABCABCABCABCABCABCABCABCABCABC");
	for (int i = 0; i < 3; i++)
		assert_int_equal(t[i].ran_ns, 100 * MS);
}

static void test_strict_priority(void **state)
{
	struct sim_task t[2] = { { .name = 'L', .se.p.prio = 5 }, { .name = 'H', .se.p.prio = 1 } };
	struct sim s;

	sim_init(&s, pol, t, 2);
	sim_run(&s, 100 * MS);
	assert_string_equal(s.names, "H");
	assert_int_equal(t[0].ran_ns, 0);
	assert_int_equal(t[1].ran_ns, 100 * MS);
}

static void test_wakeup_preempts_and_victim_resumes_first(void **state)
{
	/* A and B share level 4; H (level 0) wakes at 13 ms and runs 4 ms. */
	struct sim_task t[3] = {
		{ .name = 'A', .se.p.prio = 4 },
		{ .name = 'B', .se.p.prio = 4 },
		{ .name = 'H', .se.p.prio = 0, .release = 13 * MS, .work = 4 * MS },
	};
	struct sim s;

	sim_init(&s, pol, t, 3);
	sim_run(&s, 40 * MS);
	/* A 0-10, B 10-13, H 13-17, B resumes its remaining 7 ms (17-24), A, B... */
	assert_string_equal(s.names, "ABHBAB");
	assert_string_equal(s.trace, "A@0 B@10 H@13 B@17 A@24 B@34");
	assert_int_equal(t[2].ran_ns, 4 * MS);
	assert_int_equal(t[0].ran_ns, 10 * MS + 10 * MS);
	assert_int_equal(t[1].ran_ns, 3 * MS + 7 * MS + 6 * MS);
}

static void test_lower_priority_does_not_preempt(void **state)
{
	struct sim_task t[2] = { { .name = 'H', .se.p.prio = 1 },
				 { .name = 'L', .se.p.prio = 6, .release = 5 * MS } };
	struct sim s;

	sim_init(&s, pol, t, 2);
	sim_run(&s, 55 * MS); /* mid-slice: H is running, L queued */
	assert_string_equal(s.names, "H");
	assert_true(t[1].runnable);
	assert_int_equal(pol->nr_queued(s.rq), 1);
}

static void test_idle_when_all_blocked(void **state)
{
	struct sim_task t[1] = { { .name = 'A', .work = 3 * MS } };
	struct sim s;

	sim_init(&s, pol, t, 1);
	sim_run(&s, 20 * MS);
	assert_string_equal(s.trace, "A@0 -@3");
	assert_int_equal(t[0].ran_ns, 3 * MS);
	assert_null(pol->pick(s.rq, s.now));
	assert_int_equal(pol->nr_queued(s.rq), 0);
	/* An idle hart has no timer. */
	assert_true(s.armed == SCHED_NEVER);
}

static void test_out_of_range_priority_is_lowest_level(void **state)
{
	struct sim_task t[2] = { { .name = 'X', .se.p.prio = 1000 },
				 { .name = 'Y', .se.p.prio = 7 } };
	struct sim s;

	sim_init(&s, pol, t, 2);
	assert_false(pol->preempts(s.rq, &t[1].se, &t[0].se, 0));
	assert_false(pol->preempts(s.rq, &t[0].se, &t[1].se, 0));
	sim_run(&s, 40 * MS);
	assert_string_equal(s.names, "XYXY");
}

static void test_dequeue_removes_from_middle(void **state)
{
	struct sim_task t[3] = { { .name = 'A' }, { .name = 'B' }, { .name = 'C' } };
	struct sim s;

	sim_init(&s, pol, t, 3);
	for (int i = 0; i < 3; i++)
		pol->enqueue(s.rq, &t[i].se, SCHED_WAKE, 0);
	pol->dequeue(s.rq, &t[1].se);
	assert_int_equal(pol->nr_queued(s.rq), 2);
	assert_ptr_equal(pol->pick(s.rq, 0), &t[0].se);
	assert_ptr_equal(pol->pick(s.rq, 0), &t[2].se);
	assert_null(pol->pick(s.rq, 0));
}

static void test_refuses_budgets(void **state)
{
	struct sched_entity se = { .p = { .budget_ns = MS, .period_ns = 10 * MS } };
	char err[160];

	list_init(&se.node);
	assert_int_equal(pol->admit(NULL, &se, 0, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "prio-rr has no budgets (sched policy <hart> edf|rm)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal_priorities_share_in_slices),
		cmocka_unit_test(test_strict_priority),
		cmocka_unit_test(test_wakeup_preempts_and_victim_resumes_first),
		cmocka_unit_test(test_lower_priority_does_not_preempt),
		cmocka_unit_test(test_idle_when_all_blocked),
		cmocka_unit_test(test_out_of_range_priority_is_lowest_level),
		cmocka_unit_test(test_dequeue_removes_from_middle),
		cmocka_unit_test(test_refuses_budgets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
