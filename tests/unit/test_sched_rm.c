/*
 * Rate-monotonic against a simulated clock (tests/unit/sched_sim.h drives
 * it as core/sched.c does): priority by period, budgets per period
 * (deferrable servers), throttling, the system server, deadline misses, the
 * response-time admission test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#define CONFIG_SCHED_PRIO_LEVELS 8
#define CONFIG_SCHED_SYS_BUDGET_US 1000
#define CONFIG_SCHED_SYS_PERIOD_US 10000
#include "core/sched/rm.c"
#include "core/sched/rr.c"
#include "core/sched/rsv.c"
#include "tests/unit/sched_sim.h"
#include "tests/unit/sched_rsv_sim.h"

static const struct sched_policy *const pol = &sched_policy_rm;

static void test_shorter_period_first(void **state)
{
	/* The classic set: A (1 per 4), B (2 per 6), and C in the background (no server). */
	struct sim_task t[3] = { { .name = 'C' },
				 { .name = 'B', RSV(2 * MS, 6 * MS) },
				 { .name = 'A', RSV(1 * MS, 4 * MS) } };
	struct sim s;

	sim_init(&s, pol, t, 3);
	rsv_of(&s)->server.p.budget_ns = 0;
	sim_run(&s, 24 * MS);
	assert_string_equal(
		s.trace, "A@0 B@1 C@3 A@4 C@5 B@6 A@8 C@9 A@12 B@13 C@15 A@16 C@17 B@18 A@20 C@21");
	assert_int_equal(t[2].ran_ns, 6 * MS);
	assert_int_equal(t[1].ran_ns, 8 * MS);
	assert_int_equal(t[0].ran_ns, 10 * MS);
	assert_int_equal(t[2].se.st.misses + t[1].se.st.misses, 0);
}

static void test_equal_periods_in_admission_order(void **state)
{
	struct sim_task t[2] = { { .name = 'A', RSV(2 * MS, 10 * MS) },
				 { .name = 'B', RSV(3 * MS, 10 * MS) } };
	struct sim s;

	sim_init(&s, pol, t, 2);
	sim_run(&s, 20 * MS);
	assert_string_equal(s.trace, "A@0 B@2 -@5 A@10 B@12 -@15");
	assert_int_equal(t[0].se.st.overruns, 2);
}

static void test_release_preempts_longer_period(void **state)
{
	/* B (5 per 20) runs; A (1 per 5) released at 2 ms preempts it. */
	struct sim_task t[2] = { { .name = 'B', RSV(5 * MS, 20 * MS) },
				 { .name = 'A',
				   RSV(1 * MS, 5 * MS),
				   .release = 2 * MS,
				   .period = 5 * MS,
				   .work = 1 * MS } };
	struct sim s;

	sim_init(&s, pol, t, 2);
	sim_run(&s, 20 * MS);
	assert_string_equal(s.trace, "B@0 A@2 B@3 -@6 A@7 -@8 A@12 -@13 A@17 -@18");
	assert_int_equal(t[0].ran_ns, 5 * MS);
	assert_int_equal(t[1].ran_ns, 4 * MS);
}

static void test_budget_left_asleep_is_lost(void **state)
{
	/* A sleeps from 1 ms to 12 ms: the 2 ms it left in its first period are gone. */
	struct sim_task t[2] = { { .name = 'A', RSV(3 * MS, 10 * MS), .work = 1 * MS },
				 { .name = 'B' } };
	struct sim s;

	sim_init(&s, pol, t, 2);
	rsv_of(&s)->server.p.budget_ns = 0;
	sim_run(&s, 12 * MS);
	t[0].next_release = 12 * MS;
	t[0].work = 20 * MS;
	sim_run(&s, 30 * MS);
	assert_string_equal(s.trace, "A@0 B@1 A@12 B@15 A@20 B@23");
	assert_int_equal(t[0].se.st.misses, 0);
}

static void test_budget_denied_is_given_back(void **state)
{
	/* A wakes at 9 ms with 2 ms left: 1 ms fits before its period ends, 1 ms comes later. */
	struct sim_task t[2] = { { .name = 'A', RSV(3 * MS, 10 * MS), .work = 1 * MS },
				 { .name = 'B' } };
	struct sim s;

	sim_init(&s, pol, t, 2);
	rsv_of(&s)->server.p.budget_ns = 0;
	sim_run(&s, 9 * MS);
	t[0].next_release = 9 * MS;
	t[0].work = 20 * MS;
	sim_run(&s, 30 * MS);
	assert_string_equal(s.trace, "A@0 B@1 A@9 B@14 A@20 B@23");
	/* Runnable with budget left when its first period ended: a miss. */
	assert_int_equal(t[0].se.st.misses, 1);
}

static void test_server_above_every_reservation(void **state)
{
	/* A reserves the whole hart; B is Keel's shell, busy. */
	struct sim_task t[2] = { { .name = 'A', RSV(10 * MS, 10 * MS) }, { .name = 'B', SYSTEM } };
	struct sim s;

	sim_init(&s, pol, t, 2);
	sim_run(&s, 30 * MS);
	assert_string_equal(s.trace, "B@0 A@1 B@10 A@11 B@20 A@21");
	/* A had 1 ms of budget left at 10 and at 20. */
	assert_int_equal(t[0].se.st.misses, 2);
	assert_int_equal(rsv_of(&s)->server.st.used_ns, 3 * MS);
}

/* A guest VCPU without a reservation is not Keel's: it never goes above A. */
static void test_background_guest_below_every_reservation(void **state)
{
	expect_background_guest_starves_on_a_full_hart(pol);
}

static void test_response_time_admission(void **state)
{
	struct sim_task t[2] = { { .name = 'A', RSV(1 * MS, 4 * MS) },
				 { .name = 'B', RSV(2 * MS, 6 * MS) } };
	struct sched_entity x = { .p = { .budget_ns = 3 * MS, .period_ns = 12 * MS } };
	char err[160], desc[160];
	struct sim s;

	sim_init(&s, pol, t, 2);
	list_init(&x.node);
	list_init(&x.link);
	/* 3 per 12 would need 13 ms; 2 per 12 just fits (its response time is 12 ms). */
	assert_int_equal(pol->admit(s.rq, &x, 0, err, sizeof(err)), -ENOSPC);
	assert_string_equal(err, "rm: 3000 us per 12000 us would take up to 13000 us "
				 "(response-time test)");
	x.p.budget_ns = 2 * MS;
	assert_int_equal(pol->admit(s.rq, &x, 0, err, sizeof(err)), 0);
	pol->describe(s.rq, desc, sizeof(desc));
	assert_string_equal(desc, "response-time test, reserved 75.0%, system server 1000 us per "
				  "10000 us");
	pol->leave(s.rq, &x);
	/* A shorter period that the others would not survive: B is the one that fails. */
	x.p.budget_ns = 1 * MS;
	x.p.period_ns = 3 * MS;
	x.key = 0;
	assert_int_equal(pol->admit(s.rq, &x, 0, err, sizeof(err)), -ENOSPC);
	assert_string_equal(err, "rm: 2000 us per 6000 us would take up to 8000 us "
				 "(response-time test)");
}

static void test_full_hart_with_one_reservation(void **state)
{
	struct sim_task t[1] = { { .name = 'A', RSV(10 * MS, 10 * MS) } };
	struct sched_entity x = { .p = { .budget_ns = 100 * US, .period_ns = 1000 * MS } };
	char err[160];
	struct sim s;

	sim_init(&s, pol, t, 1);
	list_init(&x.node);
	list_init(&x.link);
	assert_int_equal(pol->admit(s.rq, &x, 0, err, sizeof(err)), -ENOSPC);
	assert_string_equal(err, "rm: 100 us per 1000000 us would take up to 1000100 us "
				 "(response-time test)");
}

static void test_server_leaves_when_keel_threads_are_gone(void **state)
{
	assert_string_equal(trace_server_without_keel_threads(pol), "S@0 G@2 R@9 G@12");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_leaves_when_keel_threads_are_gone),
		cmocka_unit_test(test_shorter_period_first),
		cmocka_unit_test(test_equal_periods_in_admission_order),
		cmocka_unit_test(test_release_preempts_longer_period),
		cmocka_unit_test(test_budget_left_asleep_is_lost),
		cmocka_unit_test(test_budget_denied_is_given_back),
		cmocka_unit_test(test_server_above_every_reservation),
		cmocka_unit_test(test_background_guest_below_every_reservation),
		cmocka_unit_test(test_response_time_admission),
		cmocka_unit_test(test_full_hart_with_one_reservation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
