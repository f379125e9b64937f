/*
 * Cyclic table (ARINC 653-like): a major frame of fixed windows repeats from
 * the moment the table is installed; each window belongs to one VCPU or to
 * nobody.  In its window only its owner runs, and an owner never runs
 * outside its windows.  Keel's threads and the VCPUs that own no window form
 * the background class: they run in the windows nobody owns, and in those
 * whose owner is not runnable or not (yet) on the hart.  Every table has at
 * least one window nobody owns, so that Keel's threads (the shell) always
 * get time.  No budgets: a VCPU with one is refused.
 */
#include "core/sched/rr.h"
#include <stdio.h>

#define CYCLIC_MIN_WINDOW_US 100
#define CYCLIC_MAX_WINDOW_US 1000000

struct cyclic_rq {
	struct sched_rr bg;
	struct list_head ready; /* window owners that are runnable */
	struct sched_window win[SCHED_MAX_WINDOWS];
	unsigned int nr; /* 0: no table, everything in the background */
	u64 frame_ns, start;
	u32 count; /* owners queued */
};

_Static_assert(sizeof(struct cyclic_rq) <= SCHED_RQ_PRIV_WORDS * sizeof(u64),
	       "cyclic run queue does not fit");

static bool is_owner(const struct sched_entity *se)
{
	return se->p.windows != 0;
}

static bool queued(const struct sched_entity *se)
{
	return !list_empty(&se->node);
}

/* The window that holds @now (a table is installed), and when it ends. */
static unsigned int window_at(const struct cyclic_rq *rq, u64 now, u64 *end)
{
	u64 off = now > rq->start ? (now - rq->start) % rq->frame_ns : 0, t = 0;
	unsigned int w;

	for (w = 0; t + rq->win[w].len_ns <= off; w++)
		t += rq->win[w].len_ns;
	*end = now - off + t + rq->win[w].len_ns;
	return w;
}

static void cyclic_init(void *prq)
{
	struct cyclic_rq *rq = prq;

	rr_init(&rq->bg);
	list_init(&rq->ready);
	rq->nr = 0;
	rq->count = 0;
}

static int cyclic_admit(void *prq, struct sched_entity *se, u64 now, char *err, size_t errlen)
{
	struct cyclic_rq *rq = prq;

	if (se->p.budget_ns) {
		snprintf(err, errlen, "cyclic has no budgets, only windows (sched table)");
		return -EINVAL;
	}
	for (unsigned int w = 0; w < rq->nr; w++)
		if (se->p.windows & (1U << w))
			rq->win[w].owner = se;
	rr_admit(se);
	return 0;
}

/* Its windows stay owned (by its name): the background uses them while it is away. */
static void cyclic_leave(void *prq, struct sched_entity *se)
{
	struct cyclic_rq *rq = prq;

	for (unsigned int w = 0; w < rq->nr; w++)
		if (rq->win[w].owner == se)
			rq->win[w].owner = NULL;
}

static void cyclic_enqueue(void *prq, struct sched_entity *se, enum sched_enqueue how, u64 now)
{
	struct cyclic_rq *rq = prq;

	if (!is_owner(se)) {
		rr_enqueue(&rq->bg, se, how);
		return;
	}
	list_add_tail(&se->node, &rq->ready);
	rq->count++;
}

static void cyclic_dequeue(void *prq, struct sched_entity *se)
{
	struct cyclic_rq *rq = prq;

	if (!is_owner(se)) {
		rr_dequeue(&rq->bg, se);
		return;
	}
	list_del(&se->node);
	rq->count--;
}

static struct sched_entity *cyclic_pick(void *prq, u64 now)
{
	struct cyclic_rq *rq = prq;
	struct sched_entity *o;
	u64 end;

	if (rq->nr) {
		o = rq->win[window_at(rq, now, &end)].owner;
		if (o && queued(o)) {
			list_del(&o->node);
			rq->count--;
			return o;
		}
	}
	return rr_pick(&rq->bg);
}

static void cyclic_charge(void *prq, struct sched_entity *se, u64 ran_ns, u64 now)
{
	if (is_owner(se))
		se->st.used_ns += ran_ns;
	else
		rr_charge(se, ran_ns);
}

/* An owner runs to the end of its window; the background to its slice's end or the next window
 * whose owner waits. */
static u64 cyclic_next_event(const void *prq, const struct sched_entity *curr, u64 now)
{
	const struct cyclic_rq *rq = prq;
	u64 ev = curr && !is_owner(curr) ? rr_slice_end(curr, now) : SCHED_NEVER, t;
	unsigned int w, i;

	if (!rq->nr)
		return ev;
	w = window_at(rq, now, &t);
	if (curr && is_owner(curr))
		return t;
	for (i = 1; i <= rq->nr; i++) {
		const struct sched_entity *o = rq->win[(w + i) % rq->nr].owner;

		if (o && queued(o))
			return MIN(ev, t);
		t += rq->win[(w + i) % rq->nr].len_ns;
	}
	return ev;
}

static bool cyclic_preempts(const void *prq, const struct sched_entity *curr,
			    const struct sched_entity *woken, u64 now)
{
	const struct cyclic_rq *rq = prq;
	u64 end;

	if (is_owner(woken))
		return rq->win[window_at(rq, now, &end)].owner == woken;
	return !is_owner(curr) && rr_preempts(curr, woken);
}

static unsigned int cyclic_nr_queued(const void *prq)
{
	const struct cyclic_rq *rq = prq;

	return rq->count + rq->bg.count;
}

static void cyclic_describe(const void *prq, char *buf, size_t len)
{
	const struct cyclic_rq *rq = prq;
	u64 owned = 0;

	if (!rq->nr) {
		snprintf(buf, len, "no table: every VCPU in the background");
		return;
	}
	for (unsigned int w = 0; w < rq->nr; w++)
		if (rq->win[w].owned)
			owned += rq->win[w].len_ns;
	snprintf(buf, len, "%u windows, frame %lu us, %u.%u%% owned by VCPUs", rq->nr,
		 (unsigned long)(rq->frame_ns / 1000), (unsigned int)(owned * 100 / rq->frame_ns),
		 (unsigned int)(owned * 1000 / rq->frame_ns % 10));
}

static int cyclic_set_table(void *prq, const struct sched_window *win, unsigned int n, u64 now,
			    char *err, size_t errlen)
{
	struct cyclic_rq *rq = prq;
	bool free = false;
	u64 frame = 0;

	if (!n || n > SCHED_MAX_WINDOWS) {
		snprintf(err, errlen, "a table has 1..%u windows", SCHED_MAX_WINDOWS);
		return -EINVAL;
	}
	for (unsigned int w = 0; w < n; w++) {
		if (win[w].len_ns < CYCLIC_MIN_WINDOW_US * 1000ULL ||
		    win[w].len_ns > CYCLIC_MAX_WINDOW_US * 1000ULL) {
			snprintf(err, errlen, "window %u: %lu us out of range %u..%u", w,
				 (unsigned long)(win[w].len_ns / 1000), CYCLIC_MIN_WINDOW_US,
				 CYCLIC_MAX_WINDOW_US);
			return -ERANGE;
		}
		free |= !win[w].owned;
		frame += win[w].len_ns;
	}
	if (!free) {
		snprintf(err, errlen, "no window for Keel's threads: leave at least one to '-'");
		return -EINVAL;
	}
	for (unsigned int w = 0; w < n; w++)
		rq->win[w] = win[w];
	rq->nr = n;
	rq->frame_ns = frame;
	rq->start = now;
	return 0;
}

SCHED_POLICY_DECLARE(cyclic, .name = "cyclic", .summary = "cyclic table of time windows",
		     .rq_init = cyclic_init, .admit = cyclic_admit, .leave = cyclic_leave,
		     .enqueue = cyclic_enqueue, .dequeue = cyclic_dequeue, .pick = cyclic_pick,
		     .charge = cyclic_charge, .next_event = cyclic_next_event,
		     .preempts = cyclic_preempts, .nr_queued = cyclic_nr_queued,
		     .describe = cyclic_describe, .set_table = cyclic_set_table);
