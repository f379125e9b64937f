/*
 * Per-hart one-shot timer events (tickless): the hardware timer is always
 * programmed for the earliest armed event, or off.  An event is armed on the
 * hart that starts it; any hart may stop or re-arm it (a VCPU that moved to
 * another hart does), under the lock of the queue it was last armed on.
 */
#ifndef CORE_TIMER_H
#define CORE_TIMER_H

#include "core/spinlock.h"
#include "libs/list.h"

struct timer_event {
	struct list_head node;
	u64 deadline; /* in timebase ticks */
	void (*fn)(struct timer_event *ev);
	void *data;
	bool armed;
	unsigned int cpu; /* the hart it was last armed on: its queue's lock guards it */
};

struct timer_queue {
	spinlock_t lock;
	struct list_head events;
	u64 programmed;
	struct timer_event *running; /* its callback is being run, unlocked */
};

extern u64 timebase_hz;
/* The timebase from the device tree (before any conversion is used). */
void timer_set_timebase(u64 hz);

void timer_event_init(struct timer_event *ev, void (*fn)(struct timer_event *), void *data);
/* Arm on the calling hart; re-arming an armed event (on any hart) moves it. */
void timer_event_start(struct timer_event *ev, u64 deadline);
/*
 * Disarmed, and its callback not running on another hart either (it waits for
 * that to end, and disarms what the callback re-armed): what the callback uses
 * may be freed after this.  Not from the callback itself.
 */
void timer_event_stop(struct timer_event *ev);
void timer_queue_init(struct timer_queue *q);
void timer_handle_irq(void);

u64 time_ticks(void);
/*
 * Wall-clock time in ns since 1970-01-01 UTC: a host RTC read once at boot
 * (wallclock_set), else CONFIG_WALLCLOCK_EPOCH at time 0, plus the timebase
 * ticks since.
 */
u64 wallclock_ns(void);
/* The wall clock at @ticks of the timebase (not before the boot hart's wallclock_set). */
u64 wallclock_ns_at(u64 ticks);
void wallclock_set(u64 ns, const char *source);
const char *wallclock_source(void);
u64 ticks_to_ns(u64 ticks);
u64 ns_to_ticks(u64 ns);
static inline u64 time_ns(void)
{
	return ticks_to_ns(time_ticks());
}

/* arch/riscv/timer.c */
int arch_timer_init(const void *fdt);
void arch_timer_program(u64 deadline);
const char *arch_timer_name(void);

#endif
