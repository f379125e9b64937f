/*
 * A model of the scheduler core (core/sched.c) on one hart with a simulated
 * clock, driving a policy exactly as the core does: at every reschedule the
 * running entity is charged, put back if still runnable, the next one picked
 * and the timer armed at the policy's next event; a wake-up enqueues and
 * reschedules when the woken entity preempts or the next event moves
 * earlier.  Included by the tests/unit/test_sched_*.c after the policy.
 */
#include <stdio.h>

#define US 1000ULL
#define MS 1000000ULL

/*
 * A workload: runnable from `release` (and again every `period` after it
 * when period != 0), it then needs `work` ns of CPU before it blocks; work 0
 * never blocks (a CPU hog).  A release while it still has work adds to it.
 */
struct sim_task {
	struct sched_entity se;
	char name;
	u64 release, period, work;
	/* state */
	bool runnable;
	u64 pending, next_release, ran_ns;
};

struct sim {
	u64 rq[SCHED_RQ_PRIV_WORDS];
	const struct sched_policy *pol;
	struct sim_task *t;
	int n;
	u64 now, last_start, armed;
	struct sim_task *curr;
	bool started, resched;
	char last;	  /* name of the last traced: '-' idle */
	char names[256];  /* one letter per run of one entity ('-' idle) */
	char trace[1024]; /* the same with start times in ms: "A@0 B@3.5 -@10" */
	size_t nnames, ntrace;
};

static struct sim_task *sim_task_of(struct sched_entity *se)
{
	return se ? container_of(se, struct sim_task, se) : NULL;
}

static void sim_trace(struct sim *s, char name)
{
	if (s->nnames && s->last == name)
		return;
	s->last = name;
	if (s->nnames < sizeof(s->names) - 1)
		s->names[s->nnames++] = name;
	s->names[s->nnames] = '\0';
	if (s->ntrace < sizeof(s->trace))
		s->ntrace += (size_t)snprintf(s->trace + s->ntrace, sizeof(s->trace) - s->ntrace,
					      "%s%c@%llu", s->ntrace ? " " : "", name,
					      (unsigned long long)(s->now / MS));
	if (s->now % MS && s->ntrace < sizeof(s->trace)) {
		char frac[8];
		int i = snprintf(frac, sizeof(frac), ".%03llu",
				 (unsigned long long)(s->now % MS / US));

		while (frac[i - 1] == '0')
			frac[--i] = '\0';
		s->ntrace += (size_t)snprintf(s->trace + s->ntrace, sizeof(s->trace) - s->ntrace,
					      "%s", frac);
	}
}

/* Admit every task at time 0 (each must be admitted). */
static void sim_init(struct sim *s, const struct sched_policy *pol, struct sim_task *t, int n)
{
	char err[160];

	memset(s, 0, sizeof(*s));
	s->pol = pol;
	s->t = t;
	s->n = n;
	s->armed = SCHED_NEVER;
	pol->rq_init(s->rq);
	for (int i = 0; i < n; i++) {
		list_init(&t[i].se.node);
		list_init(&t[i].se.link);
		if (!t[i].se.p.slice_ns)
			t[i].se.p.slice_ns = 10 * MS;
		assert_int_equal(pol->admit(s->rq, &t[i].se, 0, err, sizeof(err)), 0);
		t[i].next_release = t[i].release;
	}
}

static void sim_schedule(struct sim *s)
{
	struct sim_task *prev = s->curr;

	if (prev) {
		s->pol->charge(s->rq, &prev->se, s->now - s->last_start, s->now);
		if (prev->runnable)
			s->pol->enqueue(s->rq, &prev->se, SCHED_PUT_BACK, s->now);
	}
	s->curr = sim_task_of(s->pol->pick(s->rq, s->now));
	s->last_start = s->now;
	s->armed = s->pol->next_event(s->rq, s->curr ? &s->curr->se : NULL, s->now);
	sim_trace(s, s->curr ? s->curr->name : '-');
	s->resched = false;
}

/* Releases due at s->now. */
static void sim_release(struct sim *s)
{
	for (int i = 0; i < s->n; i++) {
		struct sim_task *w = &s->t[i];

		if (w->next_release != s->now)
			continue;
		w->pending += w->work;
		w->next_release = w->period ? s->now + w->period : SCHED_NEVER;
		if (w->runnable)
			continue;
		w->runnable = true;
		/* Still current (it blocked at this very instant): it is put back, not woken. */
		if (w == s->curr)
			continue;
		s->pol->enqueue(s->rq, &w->se, SCHED_WAKE, s->now);
		if (!s->curr || s->pol->preempts(s->rq, &s->curr->se, &w->se, s->now) ||
		    s->pol->next_event(s->rq, &s->curr->se, s->now) < s->armed)
			s->resched = true;
	}
}

/* Run the simulated hart until @end (what happens at @end is left to the next run). */
static void sim_run(struct sim *s, u64 end)
{
	if (!s->started) {
		s->started = true;
		sim_release(s);
		s->resched = true;
	}
	if (s->resched)
		sim_schedule(s);
	int spins = 0;

	while (s->now < end) {
		struct sim_task *c = s->curr;
		u64 t = MIN(end, s->armed), ran;

		for (int i = 0; i < s->n; i++)
			t = MIN(t, s->t[i].next_release);
		if (c && c->work)
			t = MIN(t, s->now + c->pending);
		ran = t - s->now;
		/* A policy that keeps asking for an event now never lets time go on. */
		spins = ran ? 0 : spins + 1;
		if (spins > 100)
			fail_msg("the policy asks to run again at %llu ns forever",
				 (unsigned long long)t);
		s->now = t;
		if (c) {
			c->ran_ns += ran;
			if (c->work)
				c->pending -= ran;
		}
		s->resched = s->now >= s->armed;
		if (c && c->work && !c->pending) {
			c->runnable = false;
			s->resched = true;
		}
		sim_release(s);
		if (s->resched && s->now < end)
			sim_schedule(s);
	}
}
