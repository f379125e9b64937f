/*
 * What the tests of the reservation policies (rm, edf: core/sched/rsv.c)
 * share on top of tests/unit/sched_sim.h.
 */
#define RSV(q, t) .se.p = { .budget_ns = (q), .period_ns = (t) }
/* One of Keel's threads without a reservation: the system server serves it. */
#define SYSTEM .se.system = true

static struct sched_rsv *rsv_of(struct sim *s)
{
	return (struct sched_rsv *)s->rq;
}
