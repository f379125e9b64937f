/*
 * Rate-monotonic: a VCPU with budget Q per period T has a fixed priority,
 * the shorter the period the higher (equal periods: the first admitted
 * first).  It may use Q at any time in each period (a deferrable server);
 * once Q is used it waits for its next period, and what it leaves unused
 * while asleep is lost at the end of the period (overruns and misses:
 * rsv.h).  Its periods follow each other from its admission.  Admission:
 * the response-time analysis of fixed priorities (Joseph and Pandya), with
 * the release jitter T - Q that a deferrable server can show (Strosnider et
 * al.): every reservation must receive its budget within its period.
 * Keel's threads: see rsv.h.
 */
#include "core/sched/rsv.h"
#include <stdio.h>

_Static_assert(sizeof(struct sched_rsv) <= SCHED_RQ_PRIV_WORDS * sizeof(u64),
	       "rm run queue does not fit");

/* Key 0 is the system server: above every reservation, so Keel's threads always get its budget. */
static bool rm_before(const struct sched_entity *a, const struct sched_entity *b)
{
	if (!a->key || !b->key)
		return !a->key && b->key;
	return a->p.period_ns < b->p.period_ns ||
	       (a->p.period_ns == b->p.period_ns && a->key < b->key);
}

/* Asleep across period ends: it catches up, but missed nothing. */
static void rm_wake(struct sched_entity *se, u64 now)
{
	rsv_advance(se, now, false);
}

/* The most @j can run in a window of @r: its budget in every period the window touches. */
static u64 interference(const struct sched_entity *j, u64 r)
{
	u64 t = j->p.period_ns, q = j->p.budget_ns;

	return (r + t - q + t - 1) / t * q;
}

/* The worst-case time @i needs for its budget among the members and @extra (beyond its period:
 * failed). */
static u64 response(const struct sched_rsv *rsv, const struct sched_entity *extra,
		    const struct sched_entity *i)
{
	const struct sched_entity *j;
	u64 r = 0, next = i->p.budget_ns;

	while (next != r && next <= i->p.period_ns) {
		r = next;
		next = i->p.budget_ns;
		list_for_each_entry (j, &rsv->members, link)
			if (rm_before(j, i))
				next += interference(j, r);
		if (extra != i && rm_before(extra, i))
			next += interference(extra, r);
	}
	return next;
}

static int too_slow(const struct sched_entity *i, u64 r, char *err, size_t errlen)
{
	snprintf(err, errlen, "rm: %lu us per %lu us would take up to %lu us (response-time test)",
		 (unsigned long)(i->p.budget_ns / 1000), (unsigned long)(i->p.period_ns / 1000),
		 (unsigned long)(r / 1000));
	return -ENOSPC;
}

/* @se itself, and every member it would delay, must get its budget within its period. */
static int rm_admit_test(const struct sched_rsv *rsv, const struct sched_entity *se, char *err,
			 size_t errlen)
{
	const struct sched_entity *i;
	u64 r = response(rsv, se, se);

	if (r > se->p.period_ns)
		return too_slow(se, r, err, errlen);
	list_for_each_entry (i, &rsv->members, link) {
		r = response(rsv, se, i);
		if (r > i->p.period_ns)
			return too_slow(i, r, err, errlen);
	}
	return 0;
}

static const struct rsv_ops rm_ops = {
	.before = rm_before,
	.wake = rm_wake,
	.admit = rm_admit_test,
};

static void rm_init(void *prq)
{
	rsv_init(prq, &rm_ops);
}

static void rm_describe(const void *prq, char *buf, size_t len)
{
	rsv_describe(prq, "response-time test", buf, len);
}

SCHED_POLICY_DECLARE(rm, .name = "rm", .summary = "rate-monotonic, deferrable servers",
		     .rq_init = rm_init, .admit = rsv_admit, .leave = rsv_leave,
		     .enqueue = rsv_enqueue, .dequeue = rsv_dequeue, .pick = rsv_pick,
		     .charge = rsv_charge, .next_event = rsv_next_event, .preempts = rsv_preempts,
		     .nr_queued = rsv_nr_queued, .describe = rm_describe);
