/*
 * EDF with constant-bandwidth servers against a simulated clock
 * (tests/unit/sched_sim.h drives it as core/sched.c does): ordering by
 * deadline, the CBS wake-up rule, budgets, throttling and replenishment,
 * the system server of the background class, deadline misses, admission.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#define CONFIG_SCHED_PRIO_LEVELS 8
#define CONFIG_SCHED_EDF_BOUND_PCT 100
#define CONFIG_SCHED_SYS_BUDGET_US 1000
#define CONFIG_SCHED_SYS_PERIOD_US 10000
#include "core/sched/edf.c"
#include "core/sched/rr.c"
#include "core/sched/rsv.c"
#include "tests/unit/sched_sim.h"
#include "tests/unit/sched_rsv_sim.h"

static const struct sched_policy *const pol = &sched_policy_edf;

static void test_two_hogs_get_their_budgets(void **state)
{
	/* 30% and 70% of the hart, both always runnable. */
	struct sim_task t[2] = { { .name = 'A', RSV(3 * MS, 10 * MS) },
				 { .name = 'B', RSV(7 * MS, 10 * MS) } };
	struct sim s;

	sim_init(&s, pol, t, 2);
	sim_run(&s, 40 * MS);
	/* Equal deadlines: the one whose period just began goes first. */
	assert_string_equal(s.trace, "A@0 B@3 A@10 B@13 A@20 B@23 A@30 B@33");
	sim_run(&s, 1000 * MS);
	assert_int_equal(t[0].ran_ns, 300 * MS);
	assert_int_equal(t[1].ran_ns, 700 * MS);
	/* Each used its budget every period, and never missed a deadline. */
	assert_int_equal(t[0].se.st.misses + t[1].se.st.misses, 0);
	assert_int_equal(t[0].se.st.overruns, 100);
	assert_int_equal(t[0].se.st.used_ns, 300 * MS);
}

static void test_earliest_deadline_first(void **state)
{
	/* C's period is shorter, so its deadlines come first. */
	struct sim_task t[3] = { { .name = 'A', RSV(2 * MS, 10 * MS) },
				 { .name = 'B', RSV(3 * MS, 20 * MS) },
				 { .name = 'C', RSV(1 * MS, 5 * MS) } };
	struct sim s;

	sim_init(&s, pol, t, 3);
	sim_run(&s, 20 * MS);
	/* C (d 5), A (d 10), B (d 20); at 5 C's new period (d 10) comes before B's (d 20). */
	assert_string_equal(s.trace, "C@0 A@1 B@3 C@5 B@6 -@7 C@10 A@11 -@13 C@15 -@16");
	assert_int_equal(t[2].ran_ns, 4 * MS);
	assert_int_equal(t[0].ran_ns, 4 * MS);
	assert_int_equal(t[1].ran_ns, 3 * MS);
}

static void test_throttled_hart_idles_with_its_timer_armed(void **state)
{
	struct sim_task t[1] = { { .name = 'A', RSV(2 * MS, 10 * MS) } };
	struct sim s;

	sim_init(&s, pol, t, 1);
	sim_run(&s, 5 * MS);
	assert_string_equal(s.trace, "A@0 -@2");
	/* Idle, but the replenishment at 10 ms is the next event. */
	assert_null(s.curr);
	assert_int_equal(s.armed, 10 * MS);
	sim_run(&s, 30 * MS);
	assert_string_equal(s.trace, "A@0 -@2 A@10 -@12 A@20 -@22");
	assert_int_equal(t[0].se.st.overruns, 3);
	assert_int_equal(t[0].se.st.periods, 3);
}

static void test_cbs_wake_up_rule(void **state)
{
	struct sim_task t[1] = { { .name = 'A', RSV(2 * MS, 10 * MS) } };
	struct sched_entity *a = &t[0].se;
	struct sim s;

	sim_init(&s, pol, t, 1);
	pol->enqueue(s.rq, a, SCHED_WAKE, 0);
	assert_int_equal(a->deadline, 10 * MS);
	assert_int_equal(a->budget_ns, 2 * MS);
	assert_ptr_equal(pol->pick(s.rq, 0), a);
	pol->charge(s.rq, a, 1 * MS, 1 * MS);
	/* Blocked at 1 ms with c = 1 ms, d = 10 ms.  At 4 ms, c < (d - now) Q/T = 1.2 ms: kept. */
	pol->enqueue(s.rq, a, SCHED_WAKE, 4 * MS);
	assert_int_equal(a->deadline, 10 * MS);
	assert_int_equal(a->budget_ns, 1 * MS);
	/* At 5 ms, c >= (d - now) Q/T = 1 ms: keeping (c, d) would exceed Q/T, so a new period. */
	pol->dequeue(s.rq, a);
	pol->enqueue(s.rq, a, SCHED_WAKE, 5 * MS);
	assert_int_equal(a->deadline, 15 * MS);
	assert_int_equal(a->budget_ns, 2 * MS);
}

static void test_overrun_is_paid_back_next_period(void **state)
{
	struct sim_task t[1] = { { .name = 'A', RSV(2 * MS, 10 * MS) } };
	struct sched_entity *a = &t[0].se;
	struct sim s;

	sim_init(&s, pol, t, 1);
	pol->enqueue(s.rq, a, SCHED_WAKE, 0);
	assert_ptr_equal(pol->pick(s.rq, 0), a);
	/* A late timer: it ran 3 ms on a 2 ms budget. */
	pol->charge(s.rq, a, 3 * MS, 3 * MS);
	pol->enqueue(s.rq, a, SCHED_PUT_BACK, 3 * MS);
	assert_int_equal(a->st.overruns, 1);
	assert_null(pol->pick(s.rq, 3 * MS));
	assert_int_equal(pol->next_event(s.rq, NULL, 3 * MS), 10 * MS);
	assert_ptr_equal(pol->pick(s.rq, 10 * MS), a);
	assert_int_equal(a->budget_ns, 1 * MS);
	assert_int_equal(a->deadline, 20 * MS);
	assert_int_equal(pol->next_event(s.rq, a, 10 * MS), 11 * MS);
}

static void test_periodic_job_preempts_background(void **state)
{
	/* B: 2 ms of work every 10 ms from 5 ms on; A: a background hog. */
	struct sim_task t[2] = { { .name = 'A' },
				 { .name = 'B',
				   RSV(2 * MS, 10 * MS),
				   .release = 5 * MS,
				   .period = 10 * MS,
				   .work = 2 * MS } };
	struct sim s;

	sim_init(&s, pol, t, 2);
	sim_run(&s, 30 * MS);
	assert_string_equal(s.trace, "A@0 B@5 A@7 B@15 A@17 B@25 A@27");
	assert_int_equal(t[1].ran_ns, 6 * MS);
	assert_int_equal(t[1].se.st.overruns + t[1].se.st.misses, 0);
}

static void test_later_deadline_does_not_preempt(void **state)
{
	struct sim_task t[2] = {
		{ .name = 'A', RSV(5 * MS, 10 * MS) },
		{ .name = 'B', RSV(1 * MS, 20 * MS), .release = 1 * MS, .work = 1 * MS }
	};
	struct sim s;

	sim_init(&s, pol, t, 2);
	sim_run(&s, 10 * MS);
	assert_string_equal(s.trace, "A@0 B@5 -@6");
}

static void test_background_gets_the_slack_and_its_server(void **state)
{
	/* A reserved hog of 20%, and B, a background hog (a Keel thread). */
	struct sim_task t[2] = { { .name = 'A', RSV(2 * MS, 10 * MS) }, { .name = 'B', SYSTEM } };
	struct sched_rsv *rsv;
	struct sim s;

	sim_init(&s, pol, t, 2);
	rsv = rsv_of(&s);
	sim_run(&s, 30 * MS);
	/* B on the server 2-3, then in the background until A's next period. */
	assert_string_equal(s.trace, "A@0 B@2 A@10 B@12 A@20 B@22");
	assert_int_equal(rsv->server.st.used_ns, 3 * MS);
	assert_int_equal(t[0].ran_ns, 6 * MS);
	assert_int_equal(t[1].ran_ns, 24 * MS);
}

static void test_server_keeps_background_alive_on_a_full_hart(void **state)
{
	/* A reserves the whole hart; B is Keel's shell, busy for a while. */
	struct sim_task t[2] = { { .name = 'A', RSV(10 * MS, 10 * MS) }, { .name = 'B', SYSTEM } };
	struct sim s;

	sim_init(&s, pol, t, 2);
	sim_run(&s, 40 * MS);
	/*
	 * The server (1 ms per 10 ms) gets its budget every period (at 10 also
	 * the 1 ms it was denied before); A loses it and misses.
	 */
	assert_string_equal(s.trace, "A@0 B@10 A@12 B@20 A@21 B@30 A@31");
	assert_int_equal(t[1].ran_ns, 4 * MS);
	/* At 20 and 30 (what happens at 40 is for the next run). */
	assert_int_equal(t[0].se.st.misses, 2);
	/* At 10: A, admitted first, had the same deadline and kept the hart. */
	assert_int_equal(rsv_of(&s)->server.st.misses, 1);
}

/*
 * B, a guest VCPU without a reservation (at the highest priority), and K,
 * one of Keel's threads: only K runs on the server; B takes what is left,
 * after K.
 */
static void test_background_guest_takes_only_the_slack(void **state)
{
	struct sim_task t[3] = { { .name = 'A', RSV(8 * MS, 10 * MS) },
				 { .name = 'B', .se.p.prio = 0 },
				 { .name = 'K', SYSTEM, .period = 10 * MS, .work = MS } };
	struct sim s;

	sim_init(&s, pol, t, 3);
	sim_run(&s, 30 * MS);
	assert_string_equal(s.trace, "A@0 K@8 B@9 A@10 K@18 B@19 A@20 K@28 B@29");
	assert_int_equal(t[0].se.st.misses, 0);
	assert_int_equal(rsv_of(&s)->server.st.used_ns, 3 * MS);
}

/* On a hart its reservations fill, a guest VCPU without one never runs. */
static void test_background_guest_on_a_full_hart(void **state)
{
	expect_background_guest_starves_on_a_full_hart(pol);
}

static void test_without_server_background_only_in_slack(void **state)
{
	struct sim_task t[2] = { { .name = 'A', RSV(10 * MS, 10 * MS) }, { .name = 'B', SYSTEM } };
	struct sim s;

	sim_init(&s, pol, t, 2);
	rsv_of(&s)->server.p.budget_ns = 0;
	sim_run(&s, 40 * MS);
	assert_string_equal(s.trace, "A@0");
	assert_int_equal(t[0].se.st.misses, 0);
}

static void test_admission_control(void **state)
{
	struct sim_task t[2] = { { .name = 'A', RSV(3 * MS, 10 * MS) },
				 { .name = 'B', RSV(35 * MS, 50 * MS) } };
	struct sched_entity x = { .p = { .budget_ns = 1 * MS, .period_ns = 100 * MS } };
	char err[160], desc[160];
	struct sim s;

	sim_init(&s, pol, t, 2);
	list_init(&x.node);
	list_init(&x.link);
	assert_int_equal(pol->admit(s.rq, &x, 0, err, sizeof(err)), -ENOSPC);
	assert_string_equal(err, "edf: reserved 100.0% + 1.0% > 100%");
	pol->describe(s.rq, desc, sizeof(desc));
	assert_string_equal(desc,
			    "bound 100%, reserved 100.0%, system server 1000 us per 10000 us");
	/* A goes: there is room again. */
	pol->leave(s.rq, &t[0].se);
	assert_int_equal(pol->admit(s.rq, &x, 0, err, sizeof(err)), 0);
	pol->describe(s.rq, desc, sizeof(desc));
	assert_string_equal(desc, "bound 100%, reserved 71.0%, system server 1000 us per 10000 us");
	/* A budget beyond its period is refused whatever the room. */
	pol->leave(s.rq, &t[1].se);
	assert_int_equal(pol->admit(s.rq, &t[1].se, 0, err, sizeof(err)), 0);
	t[0].se.p.budget_ns = 11 * MS;
	assert_int_equal(pol->admit(s.rq, &t[0].se, 0, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "budget 11000 us exceeds its period 10000 us");
}

static void test_runnable_count(void **state)
{
	struct sim_task t[3] = { { .name = 'A', RSV(1 * MS, 10 * MS) },
				 { .name = 'B', SYSTEM },
				 { .name = 'C', RSV(1 * MS, 10 * MS) } };
	struct sim s;

	sim_init(&s, pol, t, 3);
	sim_run(&s, 5 * MS);
	/* B on the server, then in the background; A and C are throttled, still queued. */
	assert_string_equal(s.trace, "A@0 B@1 C@2 B@3");
	assert_int_equal(pol->nr_queued(s.rq), 2);
	pol->dequeue(s.rq, &t[0].se);
	assert_int_equal(pol->nr_queued(s.rq), 1);
}

static void test_server_leaves_when_keel_threads_are_gone(void **state)
{
	assert_string_equal(trace_server_without_keel_threads(pol), "S@0 G@2 R@9 G@12");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_leaves_when_keel_threads_are_gone),
		cmocka_unit_test(test_two_hogs_get_their_budgets),
		cmocka_unit_test(test_earliest_deadline_first),
		cmocka_unit_test(test_throttled_hart_idles_with_its_timer_armed),
		cmocka_unit_test(test_cbs_wake_up_rule),
		cmocka_unit_test(test_overrun_is_paid_back_next_period),
		cmocka_unit_test(test_periodic_job_preempts_background),
		cmocka_unit_test(test_later_deadline_does_not_preempt),
		cmocka_unit_test(test_background_gets_the_slack_and_its_server),
		cmocka_unit_test(test_server_keeps_background_alive_on_a_full_hart),
		cmocka_unit_test(test_background_guest_takes_only_the_slack),
		cmocka_unit_test(test_background_guest_on_a_full_hart),
		cmocka_unit_test(test_without_server_background_only_in_slack),
		cmocka_unit_test(test_admission_control),
		cmocka_unit_test(test_runnable_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
