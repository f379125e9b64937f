/*
 * Timer events on a sorted per-hart list.  Only its hart programs the
 * hardware for it; another hart that takes an event off it (stop, or a
 * re-arm on itself) leaves the hardware as it was: the owner gets at most one
 * early interrupt, finds nothing due and programs the next deadline.
 */
#include "core/timer.h"
#include "core/percpu.h"

u64 timebase_hz = 10000000;

/*
 * Conversions by a multiply and a shift (a 128-bit division is a ~150
 * instruction libgcc call on every schedule): 32.32 fixed-point factors,
 * rounded down (the ns-to-ticks factor rounded up keeps exact multiples
 * exact; a deadline that must never be early adds a tick).
 */
static u64 ns_per_tick_32 = 100ULL << 32, ticks_per_ns_32 = 42949673;

void timer_set_timebase(u64 hz)
{
	timebase_hz = hz;
	ns_per_tick_32 = (u64)(((__uint128_t)1000000000ULL << 32) / hz);
	ticks_per_ns_32 = (u64)((((__uint128_t)hz << 32) + 999999999ULL) / 1000000000ULL);
}

u64 time_ticks(void)
{
	return rdtime();
}

static u64 wall_ns = (u64)CONFIG_WALLCLOCK_EPOCH * 1000000000ULL, wall_ticks;
static const char *wall_source = "CONFIG_WALLCLOCK_EPOCH";

u64 wallclock_ns_at(u64 ticks)
{
	return wall_ns + ticks_to_ns(ticks - wall_ticks);
}

u64 wallclock_ns(void)
{
	return wallclock_ns_at(time_ticks());
}

void wallclock_set(u64 ns, const char *source)
{
	wall_ticks = time_ticks();
	wall_ns = ns;
	wall_source = source;
}

const char *wallclock_source(void)
{
	return wall_source;
}

u64 ticks_to_ns(u64 ticks)
{
	return (u64)(((__uint128_t)ticks * ns_per_tick_32) >> 32);
}

u64 ns_to_ticks(u64 ns)
{
	return (u64)(((__uint128_t)ns * ticks_per_ns_32) >> 32);
}

void timer_queue_init(struct timer_queue *q)
{
	q->lock = (spinlock_t)SPINLOCK_INIT;
	list_init(&q->events);
	q->programmed = UINT64_MAX;
	q->running = NULL;
}

void timer_event_init(struct timer_event *ev, void (*fn)(struct timer_event *), void *data)
{
	list_init(&ev->node);
	ev->fn = fn;
	ev->data = data;
	ev->armed = false;
}

static void timer_reprogram(struct timer_queue *q)
{
	u64 next = UINT64_MAX;

	if (!list_empty(&q->events))
		next = list_first_entry(&q->events, struct timer_event, node)->deadline;
	if (next != q->programmed) {
		q->programmed = next;
		arch_timer_program(next);
	}
}

/* Interrupts off: lock @mine and the queue @ev was last armed on (in address order). */
static struct timer_queue *lock_event(struct timer_event *ev, struct timer_queue *mine)
{
	for (;;) {
		unsigned int cpu = __atomic_load_n(&ev->cpu, __ATOMIC_RELAXED);
		struct timer_queue *q = &percpu_data[cpu].timers;

		spin_lock_pair(&q->lock, &mine->lock);
		if (ev->cpu == cpu)
			return q;
		spin_unlock_pair(&q->lock, &mine->lock);
	}
}

static void unlock_event(struct timer_queue *q, struct timer_queue *mine)
{
	spin_unlock_pair(&q->lock, &mine->lock);
}

void timer_event_start(struct timer_event *ev, u64 deadline)
{
	unsigned long flags = irq_save();
	struct percpu *pc = this_cpu();
	struct timer_queue *mine = &pc->timers, *q = lock_event(ev, mine);
	struct timer_event *pos;

	if (ev->armed)
		list_del(&ev->node);
	ev->deadline = deadline;
	ev->cpu = pc->index;
	ev->armed = true;
	list_for_each_entry (pos, &mine->events, node)
		if (pos->deadline > deadline)
			break;
	list_add_tail(&ev->node, &pos->node);
	timer_reprogram(mine);
	unlock_event(q, mine);
	irq_restore(flags);
}

void timer_event_stop(struct timer_event *ev)
{
	struct timer_queue *q;
	bool running;

	do {
		unsigned long flags = irq_save();
		struct timer_queue *mine = &this_cpu()->timers;

		q = lock_event(ev, mine);
		if (ev->armed) {
			list_del(&ev->node);
			ev->armed = false;
			if (q == mine)
				timer_reprogram(mine);
		}
		/* On this hart the callback cannot be running: interrupts are off here. */
		running = q != mine && q->running == ev;
		unlock_event(q, mine);
		irq_restore(flags);
		while (running && __atomic_load_n(&q->running, __ATOMIC_ACQUIRE) == ev)
			;
	} while (running);
}

void timer_handle_irq(void)
{
	struct timer_queue *q = &this_cpu()->timers;
	u64 now = time_ticks();

	this_cpu()->nr_timer_irqs++;
	spin_lock(&q->lock);
	/* The hardware deadline has passed: forget it so reprogramming happens. */
	q->programmed = UINT64_MAX - 1;
	while (!list_empty(&q->events)) {
		struct timer_event *ev = list_first_entry(&q->events, struct timer_event, node);

		if (ev->deadline > now)
			break;
		list_del(&ev->node);
		ev->armed = false;
		q->running = ev;
		/* Unlocked: the callback may arm events, this one too. */
		spin_unlock(&q->lock);
		ev->fn(ev);
		spin_lock(&q->lock);
		__atomic_store_n(&q->running, NULL, __ATOMIC_RELEASE);
		now = time_ticks();
	}
	timer_reprogram(q);
	spin_unlock(&q->lock);
}
