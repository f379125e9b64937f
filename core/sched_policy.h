/*
 * The interface of scheduling policies (one file each in core/sched/).  A
 * policy orders the sched_entities of one hart's run queue, keeps their
 * budgets and says when it must be asked again.  Pure logic: no locks, no
 * printing, no clock of its own (time comes in as `now`, in nanoseconds), so
 * that every policy is unit-tested on the host against a simulated clock
 * (tests/unit/test_sched_*.c).
 *
 * The core (core/sched.c) calls it under the hart's run-queue lock:
 *   admit/leave  a VCPU comes to the hart / is gone; admit may refuse it.
 *   enqueue      a VCPU becomes runnable (SCHED_WAKE), or stops running
 *                while still runnable (SCHED_PUT_BACK).
 *   dequeue      takes a queued VCPU out (parameters change, policy switch).
 *   charge       the time the running entity ran, at every switch and timer
 *                event, before it is put back and before the next pick.
 *   pick         removes and returns the entity to run now (NULL: idle).
 *   next_event   the latest time the core must charge and pick again: a slice
 *                or budget that ends, a replenishment, a deadline, a window
 *                boundary; SCHED_NEVER for none.  The core arms its one-shot
 *                timer there, also while the hart idles.
 *   preempts     on a wake-up: must the woken entity run before the current
 *                one now?
 *
 * Every policy has two classes.  Entities with a reservation (a budget per
 * period under rm and edf, windows under cyclic) are scheduled by the
 * policy's own rule; the others, Keel's threads and guest VCPUs without
 * one, form the background class: fixed priorities with round-robin time
 * slices (core/sched/rr.c), the whole of prio-rr.
 */
#ifndef CORE_SCHED_POLICY_H
#define CORE_SCHED_POLICY_H

#include "libs/list.h"

#define SCHED_MAX_LEVELS 32
#define SCHED_MAX_WINDOWS 16
#define SCHED_RQ_PRIV_WORDS 160
#define SCHED_NEVER UINT64_MAX

struct sched_params {
	u32 prio;      /* background class: 0 = most urgent */
	u64 slice_ns;  /* background class: round-robin time slice */
	u64 budget_ns; /* rm, edf: CPU time per period; 0 = no reservation */
	u64 period_ns; /* rm, edf: 0 when budget_ns is 0 */
	u32 windows;   /* cyclic: the table's windows it owns (bit per window) */
};

struct sched_stats {
	u64 used_ns;	 /* charged against its reservation (its budgets or windows) */
	u64 periods;	 /* replenishments: periods begun */
	u64 overruns;	 /* runnable without budget: throttled until its replenishment */
	u64 misses;	 /* deadlines passed while it was runnable with budget left */
	u64 nr_switches; /* times the core switched to it */
};

struct sched_entity {
	struct list_head node; /* in one of the policy's queues, else empty */
	struct sched_params p;
	/* Policy state, set by admit. */
	u64 remaining_ns;      /* background class: what is left of the slice */
	s64 budget_ns;	       /* reservation: left in this period (below 0: overran) */
	u64 deadline;	       /* reservation: end of the current period (absolute) */
	u64 key;	       /* rm: order among equal periods (admission order) */
	struct list_head link; /* rm, edf: in the admitted reservations */
	struct sched_stats st;
	bool system; /* Keel's own thread (orphan VCPU): rm and edf serve it on the system server */
};

enum sched_enqueue { SCHED_WAKE, SCHED_PUT_BACK };

/*
 * A cyclic table's window: its length, whether a VCPU owns it (else it is
 * for Keel's threads), and that VCPU when it is on the hart.
 */
struct sched_window {
	u64 len_ns;
	bool owned;
	struct sched_entity *owner;
};

struct sched_policy {
	const char *name;
	const char *summary;
	void (*rq_init)(void *prq);
	/* 0, or -ENOSPC (no room) / -EINVAL (parameters it has no use for) and why in err. */
	int (*admit)(void *prq, struct sched_entity *se, u64 now, char *err, size_t errlen);
	void (*leave)(void *prq, struct sched_entity *se);
	void (*enqueue)(void *prq, struct sched_entity *se, enum sched_enqueue how, u64 now);
	void (*dequeue)(void *prq, struct sched_entity *se);
	struct sched_entity *(*pick)(void *prq, u64 now);
	void (*charge)(void *prq, struct sched_entity *se, u64 ran_ns, u64 now);
	/* @curr: the running entity, NULL when idle. */
	u64 (*next_event)(const void *prq, const struct sched_entity *curr, u64 now);
	bool (*preempts)(const void *prq, const struct sched_entity *curr,
			 const struct sched_entity *woken, u64 now);
	unsigned int (*nr_queued)(const void *prq);
	/* One line on the hart's reservations (what `sched info` shows). */
	void (*describe)(const void *prq, char *buf, size_t len);
	/* cyclic only: install a table of @n windows starting at @now. */
	int (*set_table)(void *prq, const struct sched_window *w, unsigned int n, u64 now,
			 char *err, size_t errlen);
};

#define SCHED_POLICY_DECLARE(id, ...)                      \
	static const struct sched_policy sched_policy_##id \
		__attribute__((section("keel_policies." #id), used, aligned(8))) = { __VA_ARGS__ }

#endif
