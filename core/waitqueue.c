#include "core/waitqueue.h"
#include "core/printk.h"

void waitqueue_init(struct waitqueue *wq)
{
	wq->lock = (spinlock_t)SPINLOCK_INIT;
	list_init(&wq->waiters);
}

void waitqueue_prepare(struct waitqueue *wq, struct wq_entry *e)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	e->v = current_vcpu();
	list_init(&e->node);
	list_add_tail(&e->node, &wq->waiters);
	sched_set_blocked();
	spin_unlock_irqrestore(&wq->lock, flags);
}

/* Runnable again and off the queue, as one step under the queue's lock. */
void waitqueue_finish(struct waitqueue *wq, struct wq_entry *e)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	sched_set_runnable();
	list_del(&e->node);
	spin_unlock_irqrestore(&wq->lock, flags);
}

static unsigned int wake(struct waitqueue *wq, unsigned int max)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);
	unsigned int n = 0;

	while (n < max && !list_empty(&wq->waiters)) {
		struct wq_entry *e = list_first_entry(&wq->waiters, struct wq_entry, node);

		list_del(&e->node);
		sched_wake(e->v);
		n++;
	}
	spin_unlock_irqrestore(&wq->lock, flags);
	/* A woken VCPU that outranks the caller runs now, not at the next interrupt. */
	sched_preempt_check();
	return n;
}

unsigned int waitqueue_wake_one(struct waitqueue *wq)
{
	return wake(wq, 1);
}

unsigned int waitqueue_wake_all(struct waitqueue *wq)
{
	return wake(wq, UINT32_MAX);
}

bool mutex_trylock(struct mutex *m)
{
	unsigned long flags = spin_lock_irqsave(&m->lock);
	bool got = !m->owner;

	if (got)
		m->owner = current_vcpu();
	spin_unlock_irqrestore(&m->lock, flags);
	return got;
}

void mutex_lock(struct mutex *m)
{
	BUG_ON(m->owner == current_vcpu());
	wait_event(&m->wq, mutex_trylock(m));
}

void mutex_unlock(struct mutex *m)
{
	unsigned long flags = spin_lock_irqsave(&m->lock);

	BUG_ON(m->owner != current_vcpu());
	m->owner = NULL;
	spin_unlock_irqrestore(&m->lock, flags);
	waitqueue_wake_one(&m->wq);
}

void sem_init(struct semaphore *s, unsigned int count)
{
	s->lock = (spinlock_t)SPINLOCK_INIT;
	s->count = count;
	waitqueue_init(&s->wq);
}

bool sem_trydown(struct semaphore *s)
{
	unsigned long flags = spin_lock_irqsave(&s->lock);
	bool got = s->count > 0;

	if (got)
		s->count--;
	spin_unlock_irqrestore(&s->lock, flags);
	return got;
}

void sem_down(struct semaphore *s)
{
	wait_event(&s->wq, sem_trydown(s));
}

void sem_up(struct semaphore *s)
{
	unsigned long flags = spin_lock_irqsave(&s->lock);

	s->count++;
	spin_unlock_irqrestore(&s->lock, flags);
	waitqueue_wake_one(&s->wq);
}
