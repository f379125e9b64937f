/*
 * Fixed-priority round-robin: the lowest prio number runs first; equal
 * priorities share the hart in time slices.  A preempted entity returns to
 * the front of its level with its remaining slice.
 */
#include "core/sched_policy.h"

#if CONFIG_SCHED_PRIO_LEVELS > SCHED_MAX_LEVELS
#error "CONFIG_SCHED_PRIO_LEVELS exceeds SCHED_MAX_LEVELS"
#endif

struct prio_rr_rq {
	struct list_head level[CONFIG_SCHED_PRIO_LEVELS];
	u32 busy; /* bit per non-empty level */
	u32 count;
};

_Static_assert(sizeof(struct prio_rr_rq) <= SCHED_RQ_PRIV_WORDS * sizeof(u64),
	       "prio_rr run queue does not fit");

static unsigned int level_of(const struct sched_entity *se)
{
	return se->prio < CONFIG_SCHED_PRIO_LEVELS ? se->prio : CONFIG_SCHED_PRIO_LEVELS - 1;
}

static void prio_rr_init(void *prq)
{
	struct prio_rr_rq *rq = prq;

	for (unsigned int i = 0; i < CONFIG_SCHED_PRIO_LEVELS; i++)
		list_init(&rq->level[i]);
	rq->busy = 0;
	rq->count = 0;
}

static void prio_rr_enqueue(void *prq, struct sched_entity *se, bool preempted)
{
	struct prio_rr_rq *rq = prq;
	unsigned int l = level_of(se);

	if (preempted)
		list_add(&se->node, &rq->level[l]);
	else
		list_add_tail(&se->node, &rq->level[l]);
	rq->busy |= 1U << l;
	rq->count++;
}

static void prio_rr_dequeue(void *prq, struct sched_entity *se)
{
	struct prio_rr_rq *rq = prq;
	unsigned int l = level_of(se);

	list_del(&se->node);
	if (list_empty(&rq->level[l]))
		rq->busy &= ~(1U << l);
	rq->count--;
}

static struct sched_entity *prio_rr_pick(void *prq)
{
	struct prio_rr_rq *rq = prq;
	struct sched_entity *se;

	if (!rq->busy)
		return NULL;
	se = list_first_entry(&rq->level[__builtin_ctz(rq->busy)], struct sched_entity, node);
	prio_rr_dequeue(rq, se);
	return se;
}

static bool prio_rr_preempts(const struct sched_entity *curr, const struct sched_entity *woken)
{
	return level_of(woken) < level_of(curr);
}

static unsigned int prio_rr_nr_queued(const void *prq)
{
	return ((const struct prio_rr_rq *)prq)->count;
}

SCHED_POLICY_DECLARE(prio_rr, .name = "prio-rr", .summary = "fixed-priority round-robin",
		     .rq_init = prio_rr_init, .enqueue = prio_rr_enqueue,
		     .dequeue = prio_rr_dequeue, .pick = prio_rr_pick, .preempts = prio_rr_preempts,
		     .nr_queued = prio_rr_nr_queued);
