/* Wait queues, mutexes and semaphores.  Sleeping is for orphan context only. */
#ifndef CORE_WAITQUEUE_H
#define CORE_WAITQUEUE_H

#include "core/sched.h"

struct waitqueue {
	spinlock_t lock;
	struct list_head waiters;
};

struct wq_entry {
	struct list_head node;
	struct vcpu *v;
};

#define WAITQUEUE_INIT(name)                                  \
	{                                                     \
		SPINLOCK_INIT, LIST_HEAD_INIT((name).waiters) \
	}

void waitqueue_init(struct waitqueue *wq);
void waitqueue_prepare(struct waitqueue *wq, struct wq_entry *e);
void waitqueue_finish(struct waitqueue *wq, struct wq_entry *e);
/* Wake one / all waiters; callable from any context. Returns how many. */
unsigned int waitqueue_wake_one(struct waitqueue *wq);
unsigned int waitqueue_wake_all(struct waitqueue *wq);

/* Sleep until @cond holds; @cond is evaluated after queueing, so a wake-up
 * between the test and the sleep is never lost. */
#define wait_event(wq, cond)                           \
	do {                                           \
		struct wq_entry __e;                   \
		ASSERT_ORPHAN_CONTEXT();               \
		for (;;) {                             \
			waitqueue_prepare((wq), &__e); \
			if (cond)                      \
				break;                 \
			schedule();                    \
		}                                      \
		waitqueue_finish((wq), &__e);          \
	} while (0)

struct mutex {
	spinlock_t lock;
	struct vcpu *owner;
	struct waitqueue wq;
};

#define MUTEX_INIT(name)                                       \
	{                                                      \
		SPINLOCK_INIT, NULL, WAITQUEUE_INIT((name).wq) \
	}

void mutex_lock(struct mutex *m);
bool mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m);

struct semaphore {
	spinlock_t lock;
	unsigned int count;
	struct waitqueue wq;
};

void sem_init(struct semaphore *s, unsigned int count);
void sem_down(struct semaphore *s);
bool sem_trydown(struct semaphore *s);
void sem_up(struct semaphore *s);

#endif
