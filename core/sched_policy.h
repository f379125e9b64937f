/*
 * The interface of scheduling policies (one file each in core/sched/).  A
 * policy orders sched_entities in a run queue and knows nothing else: pure
 * logic, unit-tested on the host against a simulated clock.
 */
#ifndef CORE_SCHED_POLICY_H
#define CORE_SCHED_POLICY_H

#include "libs/list.h"

#define SCHED_MAX_LEVELS 32
#define SCHED_RQ_PRIV_WORDS (2 * SCHED_MAX_LEVELS + 4)

struct sched_entity {
	struct list_head node;
	unsigned int prio; /* 0 = most urgent */
	u64 slice_ns;
	u64 remaining_ns;
};

struct sched_policy {
	const char *name;
	const char *summary;
	void (*rq_init)(void *prq);
	/* @preempted: it still had slice left (goes back to the front). */
	void (*enqueue)(void *prq, struct sched_entity *se, bool preempted);
	void (*dequeue)(void *prq, struct sched_entity *se);
	/* Remove and return the entity to run next, or NULL. */
	struct sched_entity *(*pick)(void *prq);
	/* Should @woken run before @curr right now? */
	bool (*preempts)(const struct sched_entity *curr, const struct sched_entity *woken);
	unsigned int (*nr_queued)(const void *prq);
};

#define SCHED_POLICY_DECLARE(id, ...)                      \
	static const struct sched_policy sched_policy_##id \
		__attribute__((section("keel_policies." #id), used, aligned(8))) = { __VA_ARGS__ }

#endif
