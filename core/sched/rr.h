/*
 * The background class of every policy (and the whole of prio-rr): fixed
 * priorities, the lowest number first, with round-robin time slices among
 * equals.  An entity put back with slice left returns to the front of its
 * level; one whose slice ran out goes to the back with a fresh slice; a
 * woken one goes to the back with what it had left.
 */
#ifndef CORE_SCHED_RR_H
#define CORE_SCHED_RR_H

#include "core/sched_policy.h"

#if CONFIG_SCHED_PRIO_LEVELS > SCHED_MAX_LEVELS
#error "CONFIG_SCHED_PRIO_LEVELS exceeds SCHED_MAX_LEVELS"
#endif

struct sched_rr {
	struct list_head level[CONFIG_SCHED_PRIO_LEVELS];
	u32 busy; /* bit per non-empty level */
	u32 count;
};

void rr_init(struct sched_rr *rr);
/* A new entity of the class: a full slice. */
void rr_admit(struct sched_entity *se);
void rr_enqueue(struct sched_rr *rr, struct sched_entity *se, enum sched_enqueue how);
void rr_dequeue(struct sched_rr *rr, struct sched_entity *se);
/* Remove and return the first entity of the most urgent level, or NULL. */
struct sched_entity *rr_pick(struct sched_rr *rr);
void rr_charge(struct sched_entity *se, u64 ran_ns);
u64 rr_slice_end(const struct sched_entity *se, u64 now);
bool rr_preempts(const struct sched_entity *curr, const struct sched_entity *woken);

#endif
