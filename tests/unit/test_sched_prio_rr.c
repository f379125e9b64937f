/*
 * The fixed-priority round-robin policy against a simulated clock: a small
 * model of the scheduler core (pick, run until the slice ends or an event,
 * re-enqueue) drives the policy exactly as core/sched.c does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#define CONFIG_SCHED_PRIO_LEVELS 8
#include "core/sched/prio_rr.c"

#define MS 1000000ULL
#define SLICE (10 * MS)

struct sim_task {
	struct sched_entity se;
	char name;
	bool runnable;
	u64 ran_ns;
	u64 wake_at;	 /* becomes runnable at this time (if not runnable) */
	u64 block_after; /* blocks after running this long in total (0 = never) */
};

struct sim {
	u64 rq[SCHED_RQ_PRIV_WORDS];
	const struct sched_policy *pol;
	struct sim_task *t;
	int n;
	u64 now;
	char trace[256];
	int ntrace;
};

static void sim_init(struct sim *s, struct sim_task *t, int n)
{
	memset(s, 0, sizeof(*s));
	s->pol = &sched_policy_prio_rr;
	s->t = t;
	s->n = n;
	s->pol->rq_init(s->rq);
	for (int i = 0; i < n; i++) {
		list_init(&t[i].se.node);
		t[i].se.slice_ns = SLICE;
		t[i].se.remaining_ns = SLICE;
		if (t[i].runnable)
			s->pol->enqueue(s->rq, &t[i].se, false);
	}
}

static struct sim_task *task_of(struct sched_entity *se)
{
	return container_of(se, struct sim_task, se);
}

/* Run the simulated hart until @end; record who ran each slice in trace. */
static void sim_run(struct sim *s, u64 end)
{
	struct sim_task *curr = NULL;

	while (s->now < end) {
		struct sched_entity *se;
		u64 next_wake = UINT64_MAX, run;

		if (!curr) {
			se = s->pol->pick(s->rq);
			curr = se ? task_of(se) : NULL;
			if (curr && s->ntrace < (int)sizeof(s->trace) - 1 &&
			    (s->ntrace == 0 || s->trace[s->ntrace - 1] != curr->name))
				s->trace[s->ntrace++] = curr->name;
		}
		for (int i = 0; i < s->n; i++)
			if (!s->t[i].runnable && s->t[i].wake_at > s->now &&
			    s->t[i].wake_at < next_wake)
				next_wake = s->t[i].wake_at;
		run = end - s->now;
		if (curr) {
			run = MIN(run, curr->se.remaining_ns);
			if (curr->block_after)
				run = MIN(run, curr->block_after - curr->ran_ns);
		}
		if (next_wake != UINT64_MAX)
			run = MIN(run, next_wake - s->now);
		s->now += run;
		if (curr) {
			curr->ran_ns += run;
			curr->se.remaining_ns -= run;
		}
		/* Wake-ups at this instant; a more urgent one preempts. */
		bool preempt = false;
		for (int i = 0; i < s->n; i++) {
			struct sim_task *w = &s->t[i];

			if (!w->runnable && w->wake_at && w->wake_at <= s->now) {
				w->runnable = true;
				w->wake_at = 0;
				s->pol->enqueue(s->rq, &w->se, false);
				if (curr && s->pol->preempts(&curr->se, &w->se))
					preempt = true;
			}
		}
		if (!curr)
			continue;
		if (curr->block_after && curr->ran_ns >= curr->block_after) {
			curr->runnable = false;
			curr->block_after = 0;
			curr = NULL;
		} else if (curr->se.remaining_ns == 0) {
			curr->se.remaining_ns = curr->se.slice_ns;
			s->pol->enqueue(s->rq, &curr->se, false);
			curr = NULL;
		} else if (preempt) {
			s->pol->enqueue(s->rq, &curr->se, true);
			curr = NULL;
		}
	}
	s->trace[s->ntrace] = '\0';
}

static void test_equal_priorities_share_in_slices(void **state)
{
	struct sim_task t[3] = { { .name = 'A', .runnable = true },
				 { .name = 'B', .runnable = true },
				 { .name = 'C', .runnable = true } };
	struct sim s;

	sim_init(&s, t, 3);
	sim_run(&s, 300 * MS);
	assert_string_equal(s.trace, "ABCABCABCABCABCABCABCABCABCABC");
	for (int i = 0; i < 3; i++)
		assert_int_equal(t[i].ran_ns, 100 * MS);
}

static void test_strict_priority(void **state)
{
	struct sim_task t[2] = { { .name = 'L', .runnable = true, .se.prio = 5 },
				 { .name = 'H', .runnable = true, .se.prio = 1 } };
	struct sim s;

	sim_init(&s, t, 2);
	sim_run(&s, 100 * MS);
	assert_string_equal(s.trace, "H");
	assert_int_equal(t[0].ran_ns, 0);
	assert_int_equal(t[1].ran_ns, 100 * MS);
}

static void test_wakeup_preempts_and_victim_resumes_first(void **state)
{
	/* A and B share level 4; H (level 0) wakes at 13 ms and runs 4 ms. */
	struct sim_task t[3] = {
		{ .name = 'A', .runnable = true, .se.prio = 4 },
		{ .name = 'B', .runnable = true, .se.prio = 4 },
		{ .name = 'H', .se.prio = 0, .wake_at = 13 * MS, .block_after = 4 * MS },
	};
	struct sim s;

	sim_init(&s, t, 3);
	sim_run(&s, 40 * MS);
	/* A 0-10, B 10-13, H 13-17, B resumes its remaining 7 ms (17-24), A, B... */
	assert_string_equal(s.trace, "ABHBAB");
	assert_int_equal(t[2].ran_ns, 4 * MS);
	assert_int_equal(t[0].ran_ns, 10 * MS + 10 * MS);
	assert_int_equal(t[1].ran_ns, 3 * MS + 7 * MS + 6 * MS);
}

static void test_lower_priority_does_not_preempt(void **state)
{
	struct sim_task t[2] = { { .name = 'H', .runnable = true, .se.prio = 1 },
				 { .name = 'L', .se.prio = 6, .wake_at = 5 * MS } };
	struct sim s;

	sim_init(&s, t, 2);
	sim_run(&s, 55 * MS); /* mid-slice: H is running, L queued */
	assert_string_equal(s.trace, "H");
	assert_true(t[1].runnable);
	assert_int_equal(s.pol->nr_queued(s.rq), 1);
}

static void test_idle_when_all_blocked(void **state)
{
	struct sim_task t[1] = { { .name = 'A', .runnable = true, .block_after = 3 * MS } };
	struct sim s;

	sim_init(&s, t, 1);
	sim_run(&s, 20 * MS);
	assert_int_equal(t[0].ran_ns, 3 * MS);
	assert_null(s.pol->pick(s.rq));
	assert_int_equal(s.pol->nr_queued(s.rq), 0);
}

static void test_out_of_range_priority_is_lowest_level(void **state)
{
	struct sim_task t[2] = { { .name = 'X', .runnable = true, .se.prio = 1000 },
				 { .name = 'Y', .runnable = true, .se.prio = 7 } };
	struct sim s;

	sim_init(&s, t, 2);
	assert_false(s.pol->preempts(&t[1].se, &t[0].se));
	assert_false(s.pol->preempts(&t[0].se, &t[1].se));
	sim_run(&s, 40 * MS);
	assert_string_equal(s.trace, "XYXY");
}

static void test_dequeue_removes_from_middle(void **state)
{
	struct sim_task t[3] = { { .name = 'A', .runnable = true },
				 { .name = 'B', .runnable = true },
				 { .name = 'C', .runnable = true } };
	struct sim s;

	sim_init(&s, t, 3);
	s.pol->dequeue(s.rq, &t[1].se);
	assert_int_equal(s.pol->nr_queued(s.rq), 2);
	assert_ptr_equal(s.pol->pick(s.rq), &t[0].se);
	assert_ptr_equal(s.pol->pick(s.rq), &t[2].se);
	assert_null(s.pol->pick(s.rq));
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
