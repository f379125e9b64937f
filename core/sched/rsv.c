/* Reservations with a budget per period, shared by rm and edf (see rsv.h). */
#include "core/sched/rsv.h"
#include <stdio.h>

u32 rsv_ppm(const struct sched_params *p)
{
	return (u32)(((__uint128_t)p->budget_ns * 1000000 + p->period_ns - 1) / p->period_ns);
}

void rsv_advance(struct sched_entity *se, u64 now, bool runnable)
{
	s64 q = (s64)se->p.budget_ns, carry = 0;
	u64 k;

	if (se->deadline > now)
		return;
	k = (now - se->deadline) / se->p.period_ns + 1;
	if (runnable)
		se->st.misses += k - 1 + (se->budget_ns > 0);
	/*
	 * Into the next period only: an overrun is paid back, and what a
	 * runnable entity was denied (a miss, e.g. another's overrun) is
	 * given back, up to one budget.  What it left while asleep is lost.
	 */
	if (k == 1 && (se->budget_ns < 0 || runnable))
		carry = MIN(se->budget_ns, q);
	se->budget_ns = q + carry;
	se->deadline += k * se->p.period_ns;
	se->st.periods++;
}

void rsv_init(struct sched_rsv *rsv, const struct rsv_ops *ops)
{
	rsv->ops = ops;
	list_init(&rsv->ready);
	list_init(&rsv->throttled);
	list_init(&rsv->members);
	rr_init(&rsv->sys);
	rr_init(&rsv->bg);
	rsv->server = (struct sched_entity){
		.p = { .budget_ns = CONFIG_SCHED_SYS_BUDGET_US * 1000ULL,
		       .period_ns = CONFIG_SCHED_SYS_PERIOD_US * 1000ULL },
		.key = 0, /* rm: above every reservation (which count from 1) */
	};
	list_init(&rsv->server.node);
	list_init(&rsv->server.link);
	rsv->serving = false;
	rsv->count = 0;
	rsv->reserved_ppm = 0;
	rsv->seq = 0;
}

int rsv_admit(void *prq, struct sched_entity *se, u64 now, char *err, size_t errlen)
{
	struct sched_rsv *rsv = prq;
	int r;

	if (!rsv_reserved(se)) {
		rr_admit(se);
		return 0;
	}
	if (se->p.budget_ns > se->p.period_ns) {
		snprintf(err, errlen, "budget %lu us exceeds its period %lu us",
			 (unsigned long)(se->p.budget_ns / 1000),
			 (unsigned long)(se->p.period_ns / 1000));
		return -EINVAL;
	}
	/* Back after a parameter change: the same rank among equals as before. */
	if (!se->key)
		se->key = ++rsv->seq;
	r = rsv->ops->admit(rsv, se, err, errlen);
	if (r)
		return r;
	list_add_tail(&se->link, &rsv->members);
	rsv->reserved_ppm += rsv_ppm(&se->p);
	se->budget_ns = 0;
	se->deadline = now;
	return 0;
}

void rsv_leave(void *prq, struct sched_entity *se)
{
	struct sched_rsv *rsv = prq;

	if (!rsv_reserved(se))
		return;
	list_del(&se->link);
	rsv->reserved_ppm -= rsv_ppm(&se->p);
}

/*
 * Into the ready list (@front: before its equals) or, runnable without
 * budget, the throttled one: an overrun.
 */
static void queue(struct sched_rsv *rsv, struct sched_entity *se, bool front)
{
	struct sched_entity *pos;

	if (se->budget_ns <= 0) {
		se->st.overruns++;
		list_for_each_entry (pos, &rsv->throttled, node)
			if (pos->deadline > se->deadline)
				break;
	} else {
		list_for_each_entry (pos, &rsv->ready, node)
			if (front ? !rsv->ops->before(pos, se) : rsv->ops->before(se, pos))
				break;
	}
	list_add_tail(&se->node, &pos->node);
}

void rsv_enqueue(void *prq, struct sched_entity *se, enum sched_enqueue how, u64 now)
{
	struct sched_rsv *rsv = prq;
	struct sched_entity *server = &rsv->server;

	if (!rsv_reserved(se)) {
		rr_enqueue(se->system ? &rsv->sys : &rsv->bg, se, how);
		/* The first of Keel's threads wakes the server up. */
		if (se->system && server->p.budget_ns && !rsv->serving &&
		    list_empty(&server->node)) {
			rsv->ops->wake(server, now);
			queue(rsv, server, false);
		}
		return;
	}
	if (how == SCHED_WAKE)
		rsv->ops->wake(se, now);
	queue(rsv, se, how == SCHED_PUT_BACK);
	rsv->count++;
}

void rsv_dequeue(void *prq, struct sched_entity *se)
{
	struct sched_rsv *rsv = prq;

	if (!rsv_reserved(se)) {
		rr_dequeue(se->system ? &rsv->sys : &rsv->bg, se);
		if (!rsv->sys.count && !list_empty(&rsv->server.node))
			list_del(&rsv->server.node);
		return;
	}
	list_del(&se->node);
	rsv->count--;
}

struct sched_entity *rsv_pick(void *prq, u64 now)
{
	struct sched_rsv *rsv = prq;
	struct sched_entity *se, *n;
	struct list_head late;

	/* The server ran one of Keel's threads: it competes again while there are others. */
	if (rsv->serving) {
		rsv->serving = false;
		if (rsv->sys.count)
			queue(rsv, &rsv->server, true);
	}
	/* Periods that ended: replenishments, and deadlines missed by those still waiting. */
	list_init(&late);
	list_for_each_entry_safe (se, n, &rsv->throttled, node) {
		if (se->deadline > now)
			break;
		list_del(&se->node);
		list_add(&se->node, &late);
	}
	list_for_each_entry_safe (se, n, &rsv->ready, node) {
		if (se->deadline <= now) {
			list_del(&se->node);
			list_add(&se->node, &late);
		}
	}
	/*
	 * They waited: first among equals (the one just put back does not win
	 * every tie), in the order they came (late holds them reversed).
	 */
	list_for_each_entry_safe (se, n, &late, node) {
		list_del(&se->node);
		rsv_advance(se, now, true);
		queue(rsv, se, true);
	}
	while (!list_empty(&rsv->ready)) {
		se = list_first_entry(&rsv->ready, struct sched_entity, node);
		list_del(&se->node);
		if (se != &rsv->server) {
			rsv->count--;
			return se;
		}
		/*
		 * Replenished, or the slack ran the last of Keel's threads: with
		 * none runnable the server leaves the ready list, else the hart
		 * would idle behind it.
		 */
		if (rsv->sys.count) {
			rsv->serving = true;
			return rr_pick(&rsv->sys);
		}
	}
	se = rr_pick(&rsv->sys);
	return se ? se : rr_pick(&rsv->bg);
}

void rsv_charge(void *prq, struct sched_entity *se, u64 ran_ns, u64 now)
{
	struct sched_rsv *rsv = prq;
	if (!rsv_reserved(se)) {
		rr_charge(se, ran_ns);
		if (!rsv->serving)
			return;
		se = &rsv->server;
	}
	se->budget_ns -= (s64)ran_ns;
	se->st.used_ns += ran_ns;
	rsv_advance(se, now, true);
}

u64 rsv_next_event(const void *prq, const struct sched_entity *curr, u64 now)
{
	const struct sched_rsv *rsv = prq;
	const struct sched_entity *e = NULL;
	u64 ev = SCHED_NEVER;

	if (curr && rsv_reserved(curr)) {
		e = curr;
	} else if (curr) {
		ev = rr_slice_end(curr, now);
		if (rsv->serving)
			e = &rsv->server;
	}
	/* Its budget runs out, or its period ends (a deadline missed, or a fresh budget). */
	if (e)
		ev = MIN(ev, MIN(e->deadline, now + (u64)MAX(e->budget_ns, 0)));
	if (!list_empty(&rsv->throttled))
		ev = MIN(ev,
			 list_first_entry(&rsv->throttled, struct sched_entity, node)->deadline);
	return ev;
}

bool rsv_preempts(const void *prq, const struct sched_entity *curr,
		  const struct sched_entity *woken, u64 now)
{
	const struct sched_rsv *rsv = prq;
	const struct sched_entity *server = &rsv->server, *w, *c;
	bool server_ready = rsv->serving || (!list_empty(&server->node) && server->budget_ns > 0);

	/* What competes among the reservations for each: itself, the server, or nothing. */
	if (rsv_reserved(woken))
		w = woken->budget_ns > 0 ? woken : NULL;
	else
		w = woken->system && server_ready ? server : NULL;
	c = rsv_reserved(curr) ? curr : rsv->serving ? server : NULL;
	if (w && w != c)
		return !c || rsv->ops->before(w, c);
	if (rsv_reserved(woken) || rsv_reserved(curr))
		return false;
	/* Both in the slack: Keel's threads first, then by priority. */
	if (woken->system != curr->system)
		return woken->system;
	return rr_preempts(curr, woken);
}

unsigned int rsv_nr_queued(const void *prq)
{
	const struct sched_rsv *rsv = prq;

	return rsv->count + rsv->sys.count + rsv->bg.count;
}

void rsv_describe(const void *prq, const char *rule, char *buf, size_t len)
{
	const struct sched_rsv *rsv = prq;
	const struct sched_params *s = &rsv->server.p;

	if (!s->budget_ns)
		snprintf(buf, len, "%s, reserved %u.%u%%, no system server", rule,
			 PPM_PCT(rsv->reserved_ppm));
	else
		snprintf(buf, len, "%s, reserved %u.%u%%, system server %lu us per %lu us", rule,
			 PPM_PCT(rsv->reserved_ppm), (unsigned long)(s->budget_ns / 1000),
			 (unsigned long)(s->period_ns / 1000));
}
