/*
 * Reservations, shared by rm and edf: entities with a budget per period,
 * run in the order the policy gives (ops->before); one whose budget runs out
 * is throttled until the end of its period, then gets its budget again and
 * a new period.  A period boundary that passes while an entity is runnable
 * with budget left is a deadline miss.  The next period's budget makes up
 * for the last one: less what the entity overran (a late timer), plus what
 * it was denied while runnable (a miss), up to one budget; what it left
 * while asleep is lost.
 *
 * Entities without a reservation form two background classes (rr.h): Keel's
 * own threads (se->system) and guest VCPUs.  Both run when no reservation is
 * eligible, Keel's threads first.  Keel's threads also run on the system
 * server: a reservation of CONFIG_SCHED_SYS_BUDGET_US per
 * CONFIG_SCHED_SYS_PERIOD_US that competes whenever one of them is runnable
 * (edf: by its deadline; rm: above every reservation), so that the shell
 * goes on even on a hart that is fully reserved.  It is not part of
 * admission control: when Keel's threads need it, the reservations of the
 * hart may lose up to its budget per period (their deadline misses count
 * it).  A guest VCPU without a reservation never runs on it: a CPU-hog guest
 * takes only the slack.
 */
#ifndef CORE_SCHED_RSV_H
#define CORE_SCHED_RSV_H

#include "core/sched/rr.h"

struct sched_rsv;

struct rsv_ops {
	/* Does @a run before @b?  False for equals (first come, first served). */
	bool (*before)(const struct sched_entity *a, const struct sched_entity *b);
	/* A reservation (or the server) that was not runnable becomes runnable at @now. */
	void (*wake)(struct sched_entity *se, u64 now);
	/* Admission test of @se against the admitted reservations (rsv->members). */
	int (*admit)(const struct sched_rsv *rsv, const struct sched_entity *se, char *err,
		     size_t errlen);
};

struct sched_rsv {
	const struct rsv_ops *ops;
	struct list_head ready;	    /* with budget left, the server included: ops->before order */
	struct list_head throttled; /* out of budget: by replenishment time */
	struct list_head members;   /* admitted reservations, by se->link */
	struct sched_rr sys;	    /* Keel's threads without a reservation: the server's */
	struct sched_rr bg;	    /* guest VCPUs without a reservation: slack only */
	struct sched_entity server;
	bool serving; /* the running Keel thread is charged to the server */
	u32 count;    /* reservations queued (ready or throttled) */
	u32 reserved_ppm;
	u64 seq;
};

/* printf arguments for "%u.%u%%": parts per million as a percentage, one decimal. */
#define PPM_PCT(ppm) (unsigned int)((ppm) / 10000), (unsigned int)((ppm) / 1000 % 10)

static inline bool rsv_reserved(const struct sched_entity *se)
{
	return se->p.budget_ns != 0;
}

/* Q/T in parts per million, rounded up. */
u32 rsv_ppm(const struct sched_params *p);
/*
 * Period boundaries up to @now: budget back (settled with the last period
 * when only one passed), deadline on.  A @runnable entity with budget left
 * at a boundary missed its deadline there.
 */
void rsv_advance(struct sched_entity *se, u64 now, bool runnable);

void rsv_init(struct sched_rsv *rsv, const struct rsv_ops *ops);

/*
 * The policy operations of rm and edf (prq: a struct sched_rsv).  A
 * reservation is admitted with no budget and its period ending at @now: its
 * first wake-up or charge begins a period.
 */
int rsv_admit(void *prq, struct sched_entity *se, u64 now, char *err, size_t errlen);
void rsv_leave(void *prq, struct sched_entity *se);
void rsv_enqueue(void *prq, struct sched_entity *se, enum sched_enqueue how, u64 now);
void rsv_dequeue(void *prq, struct sched_entity *se);
struct sched_entity *rsv_pick(void *prq, u64 now);
void rsv_charge(void *prq, struct sched_entity *se, u64 ran_ns, u64 now);
u64 rsv_next_event(const void *prq, const struct sched_entity *curr, u64 now);
bool rsv_preempts(const void *prq, const struct sched_entity *curr,
		  const struct sched_entity *woken, u64 now);
unsigned int rsv_nr_queued(const void *prq);
/* "<rule>, reserved 30.0%, system server 500 us per 10000 us" */
void rsv_describe(const void *prq, const char *rule, char *buf, size_t len);

#endif
