/* Spinlocks: test-and-test-and-set, with interrupt-saving variants. */
#ifndef CORE_SPINLOCK_H
#define CORE_SPINLOCK_H

#include "arch/riscv/csr.h"

typedef struct {
	volatile u32 locked;
} spinlock_t;

#define SPINLOCK_INIT \
	{             \
		0     \
	}

static inline void spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			;
}

static inline bool spin_trylock(spinlock_t *l)
{
	return !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

/* Two locks (or one, twice named), in address order: two harts taking the same pair never deadlock.
 */
static inline void spin_lock_pair(spinlock_t *a, spinlock_t *b)
{
	spin_lock(a < b ? a : b);
	if (a != b)
		spin_lock(a < b ? b : a);
}

static inline void spin_unlock_pair(spinlock_t *a, spinlock_t *b)
{
	spin_unlock(a);
	if (a != b)
		spin_unlock(b);
}

static inline unsigned long spin_lock_irqsave(spinlock_t *l)
{
	unsigned long flags = irq_save();

	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags)
{
	spin_unlock(l);
	irq_restore(flags);
}

#endif
