/*
 * Scheduler core: per-hart run queues ordered by the configured policy,
 * preemption from a one-shot slice timer, wake-ups across harts by IPI.
 * The run-queue lock is held across switch_context and released by the
 * thread that was switched to (sched_finish_switch).
 */
#include "core/sched.h"
#include "core/percpu.h"
#include "core/printk.h"
#include "core/smp.h"
#include <stdio.h>

extern const struct sched_policy __start_keel_policies[], __stop_keel_policies[];
const struct sched_policy *sched_policy;

void switch_context(struct cpu_context *from, struct cpu_context *to);
void sched_finish_switch(void);

static void slice_expired(struct timer_event *ev)
{
	struct sched_rq *rq = ev->data;

	rq->curr->se.remaining_ns = 0;
	rq->need_resched = true;
}

void sched_init_cpu(unsigned int cpu, struct vcpu *idle)
{
	struct sched_rq *rq = &percpu_data[cpu].rq;

	if (!sched_policy) {
		BUG_ON((const void *)__start_keel_policies == (const void *)__stop_keel_policies);
		sched_policy = __start_keel_policies;
	}
	sched_policy->rq_init(rq->priv);
	rq->curr = idle;
	rq->idle = idle;
	timer_event_init(&rq->slice_timer, slice_expired, rq);
}

struct vcpu *current_vcpu(void)
{
	return this_cpu()->rq.curr;
}

bool in_orphan_context(void)
{
	struct vcpu *v = current_vcpu();

	return !in_interrupt() && v->kind == VCPU_ORPHAN && !v->idle && irq_enabled();
}

static void account(struct sched_rq *rq, u64 now)
{
	struct vcpu *v = rq->curr;
	u64 ran = now - v->last_start_ns;

	v->runtime_ns += ran;
	v->last_start_ns = now;
	if (v->idle) {
		rq->idle_ns += ran;
		return;
	}
	v->se.remaining_ns = v->se.remaining_ns > ran ? v->se.remaining_ns - ran : 0;
}

static void enqueue(struct sched_rq *rq, struct vcpu *v, bool preempted)
{
	sched_policy->enqueue(rq->priv, &v->se, preempted);
	v->on_rq = true;
}

static void __schedule(bool preempt)
{
	unsigned long flags = irq_save();
	struct percpu *pc = this_cpu();
	struct sched_rq *rq = &pc->rq;
	struct vcpu *prev, *next;
	struct sched_entity *se;
	u64 now = time_ns();

	spin_lock(&rq->lock);
	prev = rq->curr;
	account(rq, now);
	rq->need_resched = false;
	if (!prev->idle &&
	    (prev->state == VCPU_RUNNABLE || (preempt && prev->state == VCPU_BLOCKED))) {
		bool expired = prev->se.remaining_ns == 0;

		if (expired)
			prev->se.remaining_ns = prev->se.slice_ns;
		enqueue(rq, prev, !expired);
	}
	se = sched_policy->pick(rq->priv);
	next = se ? container_of(se, struct vcpu, se) : rq->idle;
	next->on_rq = false;
	rq->curr = next;
	next->last_start_ns = now;
	if (next->idle)
		timer_event_stop(&rq->slice_timer);
	else
		timer_event_start(&rq->slice_timer,
				  time_ticks() + ns_to_ticks(next->se.remaining_ns));
	if (next == prev) {
		spin_unlock(&rq->lock);
		irq_restore(flags);
		return;
	}
	rq->nr_switches++;
	next->nr_switches++;
	next->cpu = pc->index;
	rq->switch_prev = prev;
	pc->trap_stack_limit = next->stack_limit;
	switch_context(&prev->ctx, &next->ctx);
	sched_finish_switch();
	irq_restore(flags);
}

void schedule(void)
{
	__schedule(false);
}

void sched_preempt(void)
{
	__schedule(true);
}

void thread_reap(struct vcpu *v);

void sched_finish_switch(void)
{
	struct sched_rq *rq = &this_cpu()->rq;
	struct vcpu *prev = rq->switch_prev;

	spin_unlock(&rq->lock);
	if (prev->state == VCPU_EXITED)
		thread_reap(prev);
}

static void set_state(enum vcpu_state st)
{
	struct sched_rq *rq = &this_cpu()->rq;
	unsigned long flags = spin_lock_irqsave(&rq->lock);

	rq->curr->state = st;
	spin_unlock_irqrestore(&rq->lock, flags);
}

void sched_set_blocked(void)
{
	set_state(VCPU_BLOCKED);
}

void sched_set_runnable(void)
{
	set_state(VCPU_RUNNABLE);
}

void sched_preempt_check(void)
{
	if (this_cpu()->rq.need_resched && !in_interrupt() && irq_enabled())
		sched_preempt();
}

void sched_wake(struct vcpu *v)
{
	struct sched_rq *rq = &percpu_data[v->cpu].rq;
	unsigned long flags = spin_lock_irqsave(&rq->lock);
	bool kick = false;

	if (v->state == VCPU_BLOCKED) {
		v->state = VCPU_RUNNABLE;
		/* Still current, or preempted before it could block: already there. */
		if (rq->curr != v && !v->on_rq) {
			enqueue(rq, v, false);
			kick = rq->curr->idle || sched_policy->preempts(&rq->curr->se, &v->se);
		}
	}
	if (kick) {
		if (v->cpu == this_cpu()->index)
			rq->need_resched = true;
		else
			smp_send_ipi(v->cpu, IPI_RESCHED);
	}
	spin_unlock_irqrestore(&rq->lock, flags);
	if (kick && v->cpu == this_cpu()->index)
		sched_preempt_check();
}

void sched_handle_resched_ipi(void)
{
	this_cpu()->rq.need_resched = true;
}

/* Another hart's current VCPU may exit and be freed: look at it under the lock. */
unsigned int sched_nr_runnable(unsigned int cpu)
{
	struct sched_rq *rq = &percpu_data[cpu].rq;
	unsigned long flags = spin_lock_irqsave(&rq->lock);
	unsigned int n = sched_policy->nr_queued(rq->priv) + !rq->curr->idle;

	spin_unlock_irqrestore(&rq->lock, flags);
	return n;
}

void sched_curr_name(unsigned int cpu, char *buf, size_t len)
{
	struct sched_rq *rq = &percpu_data[cpu].rq;
	unsigned long flags = spin_lock_irqsave(&rq->lock);

	snprintf(buf, len, "%s", rq->curr->name);
	spin_unlock_irqrestore(&rq->lock, flags);
}
