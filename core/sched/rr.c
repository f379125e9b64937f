/* The background class: fixed-priority round-robin (see rr.h). */
#include "core/sched/rr.h"

static unsigned int level_of(const struct sched_entity *se)
{
	return se->p.prio < CONFIG_SCHED_PRIO_LEVELS ? se->p.prio : CONFIG_SCHED_PRIO_LEVELS - 1;
}

void rr_init(struct sched_rr *rr)
{
	for (unsigned int i = 0; i < CONFIG_SCHED_PRIO_LEVELS; i++)
		list_init(&rr->level[i]);
	rr->busy = 0;
	rr->count = 0;
}

void rr_admit(struct sched_entity *se)
{
	se->remaining_ns = se->p.slice_ns;
}

void rr_enqueue(struct sched_rr *rr, struct sched_entity *se, enum sched_enqueue how)
{
	unsigned int l = level_of(se);
	bool front = how == SCHED_PUT_BACK && se->remaining_ns;

	if (!se->remaining_ns)
		se->remaining_ns = se->p.slice_ns;
	if (front)
		list_add(&se->node, &rr->level[l]);
	else
		list_add_tail(&se->node, &rr->level[l]);
	rr->busy |= 1U << l;
	rr->count++;
}

void rr_dequeue(struct sched_rr *rr, struct sched_entity *se)
{
	unsigned int l = level_of(se);

	list_del(&se->node);
	if (list_empty(&rr->level[l]))
		rr->busy &= ~(1U << l);
	rr->count--;
}

struct sched_entity *rr_pick(struct sched_rr *rr)
{
	struct sched_entity *se;

	if (!rr->busy)
		return NULL;
	se = list_first_entry(&rr->level[__builtin_ctz(rr->busy)], struct sched_entity, node);
	rr_dequeue(rr, se);
	return se;
}

void rr_charge(struct sched_entity *se, u64 ran_ns)
{
	se->remaining_ns = se->remaining_ns > ran_ns ? se->remaining_ns - ran_ns : 0;
}

u64 rr_slice_end(const struct sched_entity *se, u64 now)
{
	return now + se->remaining_ns;
}

bool rr_preempts(const struct sched_entity *curr, const struct sched_entity *woken)
{
	return level_of(woken) < level_of(curr);
}
