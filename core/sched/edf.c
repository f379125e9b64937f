/*
 * Earliest deadline first with constant-bandwidth servers (Abeni and
 * Buttazzo, hard reservations): a VCPU with budget Q per period T has a
 * deadline d and a budget c.  Waking up, it keeps (c, d) unless
 * c >= (d - now) * Q / T, when it gets d = now + T and c = Q.  Running, its
 * budget goes down; at 0 it is throttled until d, then c = Q and d += T.
 * The earliest deadline runs.  Admission: the sum of Q/T on the hart stays
 * within CONFIG_SCHED_EDF_BOUND_PCT.  Keel's threads: see rsv.h.
 */
#include "core/sched/rsv.h"
#include <stdio.h>

_Static_assert(sizeof(struct sched_rsv) <= SCHED_RQ_PRIV_WORDS * sizeof(u64),
	       "edf run queue does not fit");

#define EDF_BOUND_PPM (CONFIG_SCHED_EDF_BOUND_PCT * 10000U)

static bool edf_before(const struct sched_entity *a, const struct sched_entity *b)
{
	return a->deadline < b->deadline;
}

static void edf_wake(struct sched_entity *se, u64 now)
{
	u64 q = se->p.budget_ns, t = se->p.period_ns;

	/* Its (c, d) would give it more than Q/T from now on: a new period instead. */
	if (se->deadline <= now ||
	    (__int128)se->budget_ns * t >= (__int128)(se->deadline - now) * q) {
		se->deadline = now + t;
		se->budget_ns = (s64)q;
		se->st.periods++;
	}
}

static int edf_admit_test(const struct sched_rsv *rsv, const struct sched_entity *se, char *err,
			  size_t errlen)
{
	u32 u = rsv_ppm(&se->p);

	if (rsv->reserved_ppm + u <= EDF_BOUND_PPM)
		return 0;
	snprintf(err, errlen, "edf: reserved %u.%u%% + %u.%u%% > %u%%", PPM_PCT(rsv->reserved_ppm),
		 PPM_PCT(u), CONFIG_SCHED_EDF_BOUND_PCT);
	return -ENOSPC;
}

static const struct rsv_ops edf_ops = {
	.before = edf_before,
	.wake = edf_wake,
	.admit = edf_admit_test,
};

static void edf_init(void *prq)
{
	rsv_init(prq, &edf_ops);
}

static void edf_describe(const void *prq, char *buf, size_t len)
{
	char rule[24];

	snprintf(rule, sizeof(rule), "bound %u%%", CONFIG_SCHED_EDF_BOUND_PCT);
	rsv_describe(prq, rule, buf, len);
}

SCHED_POLICY_DECLARE(edf, .name = "edf",
		     .summary = "earliest deadline first, constant-bandwidth servers",
		     .rq_init = edf_init, .admit = rsv_admit, .leave = rsv_leave,
		     .enqueue = rsv_enqueue, .dequeue = rsv_dequeue, .pick = rsv_pick,
		     .charge = rsv_charge, .next_event = rsv_next_event, .preempts = rsv_preempts,
		     .nr_queued = rsv_nr_queued, .describe = edf_describe);
