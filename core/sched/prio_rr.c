/*
 * Fixed-priority round-robin: the background class alone (core/sched/rr.c).
 * No reservations: a VCPU with a budget is refused.
 */
#include "core/sched/rr.h"
#include <stdio.h>

_Static_assert(sizeof(struct sched_rr) <= SCHED_RQ_PRIV_WORDS * sizeof(u64),
	       "prio_rr run queue does not fit");

static void prio_rr_init(void *prq)
{
	rr_init(prq);
}

static int prio_rr_admit(void *prq, struct sched_entity *se, u64 now, char *err, size_t errlen)
{
	if (se->p.budget_ns) {
		snprintf(err, errlen, "prio-rr has no budgets (sched policy <hart> edf|rm)");
		return -EINVAL;
	}
	rr_admit(se);
	return 0;
}

static void prio_rr_leave(void *prq, struct sched_entity *se)
{
}

static void prio_rr_enqueue(void *prq, struct sched_entity *se, enum sched_enqueue how, u64 now)
{
	rr_enqueue(prq, se, how);
}

static void prio_rr_dequeue(void *prq, struct sched_entity *se)
{
	rr_dequeue(prq, se);
}

static struct sched_entity *prio_rr_pick(void *prq, u64 now)
{
	return rr_pick(prq);
}

static void prio_rr_charge(void *prq, struct sched_entity *se, u64 ran_ns, u64 now)
{
	rr_charge(se, ran_ns);
}

static u64 prio_rr_next_event(const void *prq, const struct sched_entity *curr, u64 now)
{
	return curr ? rr_slice_end(curr, now) : SCHED_NEVER;
}

static bool prio_rr_preempts(const void *prq, const struct sched_entity *curr,
			     const struct sched_entity *woken, u64 now)
{
	return rr_preempts(curr, woken);
}

static unsigned int prio_rr_nr_queued(const void *prq)
{
	return ((const struct sched_rr *)prq)->count;
}

static void prio_rr_describe(const void *prq, char *buf, size_t len)
{
	snprintf(buf, len, "%u priority levels, no reservations", CONFIG_SCHED_PRIO_LEVELS);
}

SCHED_POLICY_DECLARE(prio_rr, .name = "prio-rr", .summary = "fixed-priority round-robin",
		     .rq_init = prio_rr_init, .admit = prio_rr_admit, .leave = prio_rr_leave,
		     .enqueue = prio_rr_enqueue, .dequeue = prio_rr_dequeue, .pick = prio_rr_pick,
		     .charge = prio_rr_charge, .next_event = prio_rr_next_event,
		     .preempts = prio_rr_preempts, .nr_queued = prio_rr_nr_queued,
		     .describe = prio_rr_describe);
