/*
 * The cyclic table against a simulated clock (tests/unit/sched_sim.h drives
 * it as core/sched.c does): strict windows, the background in free windows
 * and in unused ones, owners woken inside and outside their windows, table
 * checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#define CONFIG_SCHED_PRIO_LEVELS 8
#include "core/sched/cyclic.c"
#include "core/sched/rr.c"
#include "tests/unit/sched_sim.h"

static const struct sched_policy *const pol = &sched_policy_cyclic;

/* A: 3 ms, free: 2 ms, B: 5 ms; t[0] is A, t[1] B. */
static void table_a2b(struct sim *s, struct sim_task *t)
{
	struct sched_window w[3] = { { 3 * MS, true, &t[0].se },
				     { 2 * MS, false, NULL },
				     { 5 * MS, true, &t[1].se } };
	char err[160];

	t[0].se.p.windows = 1U << 0;
	t[1].se.p.windows = 1U << 2;
	assert_int_equal(pol->set_table(s->rq, w, 3, 0, err, sizeof(err)), 0);
}

static void test_windows_and_background(void **state)
{
	/* Three hogs; C owns nothing. */
	struct sim_task t[3] = { { .name = 'A' }, { .name = 'B' }, { .name = 'C' } };
	char desc[160];
	struct sim s;

	sim_init(&s, pol, t, 3);
	table_a2b(&s, t);
	sim_run(&s, 30 * MS);
	assert_string_equal(s.trace, "A@0 C@3 B@5 A@10 C@13 B@15 A@20 C@23 B@25");
	assert_int_equal(t[0].ran_ns, 9 * MS);
	assert_int_equal(t[0].se.st.used_ns, 9 * MS);
	assert_int_equal(t[1].ran_ns, 15 * MS);
	assert_int_equal(t[2].ran_ns, 6 * MS);
	pol->describe(s.rq, desc, sizeof(desc));
	assert_string_equal(desc, "3 windows, frame 10000 us, 80.0% owned by VCPUs");
}

static void test_unused_window_goes_to_background(void **state)
{
	/* A needs 1 ms every 10 ms; C takes the rest of A's window, and nothing of B's. */
	struct sim_task t[3] = { { .name = 'A', .period = 10 * MS, .work = 1 * MS },
				 { .name = 'B' },
				 { .name = 'C' } };
	struct sim s;

	sim_init(&s, pol, t, 3);
	table_a2b(&s, t);
	sim_run(&s, 20 * MS);
	assert_string_equal(s.trace, "A@0 C@1 B@5 A@10 C@11 B@15");
}

static void test_owner_woken_in_its_window_preempts(void **state)
{
	struct sim_task t[3] = { { .name = 'A', .release = 1 * MS, .work = 1 * MS },
				 { .name = 'B', .release = 30 * MS },
				 { .name = 'C' } };
	struct sim s;

	sim_init(&s, pol, t, 3);
	table_a2b(&s, t);
	sim_run(&s, 10 * MS);
	assert_string_equal(s.trace, "C@0 A@1 C@2");
}

static void test_owner_woken_outside_waits_for_its_window(void **state)
{
	/* A wakes at 4 ms, in the free window: it waits for 10 ms; the hart idles. */
	struct sim_task t[2] = { { .name = 'A', .release = 4 * MS, .work = 2 * MS },
				 { .name = 'B', .release = 30 * MS } };
	struct sim s;

	sim_init(&s, pol, t, 2);
	table_a2b(&s, t);
	sim_run(&s, 5 * MS);
	assert_null(s.curr);
	assert_int_equal(s.armed, 10 * MS);
	sim_run(&s, 20 * MS);
	assert_string_equal(s.trace, "-@0 A@10 -@12");
	/* Nothing waits: no timer at all. */
	assert_true(s.armed == SCHED_NEVER);
}

static void test_owner_runs_only_in_its_window(void **state)
{
	/* A alone on the hart still stops at the end of its window. */
	struct sim_task t[2] = { { .name = 'A' }, { .name = 'B', .release = 100 * MS } };
	struct sim s;

	sim_init(&s, pol, t, 2);
	table_a2b(&s, t);
	sim_run(&s, 20 * MS);
	assert_string_equal(s.trace, "A@0 -@3 A@10 -@13");
}

static void test_away_owner_leaves_its_window_to_background(void **state)
{
	struct sim_task t[3] = { { .name = 'A' }, { .name = 'B' }, { .name = 'C' } };
	char desc[160];
	struct sim s;

	sim_init(&s, pol, t, 3);
	table_a2b(&s, t);
	sim_run(&s, 6 * MS);
	/* B (running) goes away. */
	s.curr->runnable = false;
	s.resched = true;
	pol->leave(s.rq, &t[1].se);
	sim_run(&s, 20 * MS);
	assert_string_equal(s.trace, "A@0 C@3 B@5 C@6 A@10 C@13");
	pol->describe(s.rq, desc, sizeof(desc));
	assert_string_equal(desc, "3 windows, frame 10000 us, 80.0% owned by VCPUs");
}

static void test_no_table_is_round_robin(void **state)
{
	struct sim_task t[2] = { { .name = 'A' }, { .name = 'B' } };
	char desc[160];
	struct sim s;

	sim_init(&s, pol, t, 2);
	sim_run(&s, 40 * MS);
	assert_string_equal(s.trace, "A@0 B@10 A@20 B@30");
	pol->describe(s.rq, desc, sizeof(desc));
	assert_string_equal(desc, "no table: every VCPU in the background");
}

static void test_table_checks(void **state)
{
	struct sched_entity a = { .p = { .windows = 1 } }, b = { .p = { .budget_ns = MS } };
	struct sched_window w[SCHED_MAX_WINDOWS + 1];
	u64 rq[SCHED_RQ_PRIV_WORDS];
	char err[160];

	pol->rq_init(rq);
	for (unsigned int i = 0; i <= SCHED_MAX_WINDOWS; i++)
		w[i] = (struct sched_window){ 1 * MS, false, NULL };
	assert_int_equal(pol->set_table(rq, w, 0, 0, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "a table has 1..16 windows");
	assert_int_equal(pol->set_table(rq, w, SCHED_MAX_WINDOWS + 1, 0, err, sizeof(err)),
			 -EINVAL);
	w[1].len_ns = 99 * US;
	assert_int_equal(pol->set_table(rq, w, 2, 0, err, sizeof(err)), -ERANGE);
	assert_string_equal(err, "window 1: 99 us out of range 100..1000000");
	/* Owned windows, whether their owner is on the hart (0) or not (1). */
	w[0] = (struct sched_window){ 1 * MS, true, &a };
	w[1] = (struct sched_window){ 1 * MS, true, NULL };
	assert_int_equal(pol->set_table(rq, w, 2, 0, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "no window for Keel's threads: leave at least one to '-'");
	assert_int_equal(pol->admit(rq, &b, 0, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "cyclic has no budgets, only windows (sched table)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_windows_and_background),
		cmocka_unit_test(test_unused_window_goes_to_background),
		cmocka_unit_test(test_owner_woken_in_its_window_preempts),
		cmocka_unit_test(test_owner_woken_outside_waits_for_its_window),
		cmocka_unit_test(test_owner_runs_only_in_its_window),
		cmocka_unit_test(test_away_owner_leaves_its_window_to_background),
		cmocka_unit_test(test_no_table_is_round_robin),
		cmocka_unit_test(test_table_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
