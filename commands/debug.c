/*
 * debug fault <kind>: make Keel fault on purpose so the panic path (report,
 * backtrace, stopping every hart) can be tested.  CONFIG_CMD_DEBUG only.
 */
#include "core/cmd.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/printk.h"
#include "core/smp.h"
#include "core/thread.h"
#include "core/waitqueue.h"
#include "libs/heap.h"
#include <string.h>

/* u64, so that the faulting access is one load or store of the page. */
extern u64 boot_stack_guard[];

static volatile u64 sink;

static u64 __attribute__((noinline)) recurse(u64 depth)
{
	volatile u8 pad[512];

	pad[0] = (u8)depth;
	if (depth == UINT64_MAX)
		return pad[0];
	return recurse(depth + 1) + pad[0];
}

/* Sleeping from interrupt context must be caught by the orphan-context assertion. */
static void sleep_in_irq(struct timer_event *ev)
{
	thread_sleep_ns(1000);
}

static struct timer_event sleep_event;

static int debug_fault(int argc, char **argv)
{
	if (argc != 2)
		return cmd_error("usage: debug fault load|store|illegal|stack|panic|sleep-in-irq");
	if (!strcmp(argv[1], "load")) {
		/* The boot stack's guard page is never mapped. */
		sink = *(volatile u64 *)boot_stack_guard;
	} else if (!strcmp(argv[1], "store")) {
		*(volatile u64 *)boot_stack_guard = 1;
	} else if (!strcmp(argv[1], "illegal")) {
		__asm__ volatile(".word 0" ::: "memory");
	} else if (!strcmp(argv[1], "stack")) {
		sink = recurse(0);
	} else if (!strcmp(argv[1], "panic")) {
		panic("requested from the shell by %s", current_vcpu()->name);
	} else if (!strcmp(argv[1], "sleep-in-irq")) {
		timer_event_init(&sleep_event, sleep_in_irq, NULL);
		timer_event_start(&sleep_event, time_ticks());
		thread_sleep_ns(100 * 1000000ULL);
	} else {
		return cmd_error(
			"debug fault: unknown kind '%s' (load, store, illegal, stack, panic, "
			"sleep-in-irq)",
			argv[1]);
	}
	return cmd_error("debug fault %s: Keel did not fault", argv[1]);
}

/*
 * debug selftest: exercise the scheduler core with real threads on every
 * hart (mutex, semaphores, sleep, round-robin preemption, thread exit) and
 * report what was measured.
 */
#define ST_WORKERS_PER_HART 2
#define ST_ITERS 2000
#define ST_PINGS 200
#define ST_HOG_TURNS 3
#define ST_HOG_LIMIT_MS 2000

static struct mutex st_mutex = MUTEX_INIT(st_mutex);
static struct semaphore st_done, st_ping, st_pong;
static volatile u64 st_counter;
static volatile u64 st_hog_turns[2];
static volatile int st_hog_last = -1;
static volatile u64 st_hog_ns;
static volatile u64 st_sleep_ns;

static void st_mutex_worker(void *arg)
{
	for (int i = 0; i < ST_ITERS; i++) {
		u64 c;

		mutex_lock(&st_mutex);
		c = st_counter;
		if (i % 256 == 0)
			thread_yield(); /* hold the mutex across a switch now and then */
		st_counter = c + 1;
		mutex_unlock(&st_mutex);
	}
	sem_up(&st_done);
}

static void st_pinger(void *arg)
{
	for (int i = 0; i < ST_PINGS; i++) {
		sem_up(&st_ping);
		sem_down(&st_pong);
	}
	sem_up(&st_done);
}

static void st_ponger(void *arg)
{
	for (int i = 0; i < ST_PINGS; i++) {
		sem_down(&st_ping);
		sem_up(&st_pong);
	}
	sem_up(&st_done);
}

/*
 * Two CPU hogs of equal priority on one hart never yield: they only take
 * turns if the slice timer preempts them.  Each spins until both have had
 * ST_HOG_TURNS turns (or the time limit passes, which is a failure).
 */
static void st_hog(void *arg)
{
	int idx = (int)(u64)arg;
	u64 start = time_ns(), limit = start + ST_HOG_LIMIT_MS * 1000000ULL;

	while ((st_hog_turns[0] < ST_HOG_TURNS || st_hog_turns[1] < ST_HOG_TURNS) &&
	       time_ns() < limit) {
		if (st_hog_last != idx) {
			st_hog_last = idx;
			st_hog_turns[idx]++;
		}
	}
	if (idx == 0)
		st_hog_ns = time_ns() - start;
	sem_up(&st_done);
}

static void st_sleeper(void *arg)
{
	u64 t0 = time_ns();

	thread_sleep_ns(10 * 1000000ULL);
	st_sleep_ns = time_ns() - t0;
	sem_up(&st_done);
}

static int st_spawn(const char *name, void (*fn)(void *), void *arg, unsigned int prio,
		    unsigned int cpu)
{
	return thread_spawn(name, fn, arg, prio, 1ULL << cpu) ? 0 : -ENOMEM;
}

static int debug_selftest(int argc, char **argv)
{
	unsigned int harts = nr_cpus, spawned = 0, workers = 0, last = 0;
	struct heap_stats before, after;
	u64 t0;
	int err = 0;

	if (argc != 1)
		return cmd_error("usage: debug selftest");
	for (unsigned int i = 0; i < nr_cpus; i++)
		if (percpu_data[i].online)
			last = i;
	heap_get_stats(&before);
	sem_init(&st_done, 0);
	sem_init(&st_ping, 0);
	sem_init(&st_pong, 0);
	st_counter = 0;
	st_hog_turns[0] = st_hog_turns[1] = 0;
	st_hog_last = -1;
	t0 = time_ns();
	for (unsigned int h = 0; h < harts && !err; h++) {
		if (!percpu_data[h].online)
			continue;
		for (int w = 0; w < ST_WORKERS_PER_HART && !err; w++)
			if (!(err = st_spawn("st-mutex", st_mutex_worker, NULL, 4, h)))
				workers++;
	}
	/*
	 * Ping-pong between the first and the last hart (the same one on -smp 1).
	 * The ponger first: should the pinger not start, it is released by hand.
	 */
	if (!err && !(err = st_spawn("st-pong", st_ponger, NULL, 3, last))) {
		spawned++;
		if (!(err = st_spawn("st-ping", st_pinger, NULL, 3, 0)))
			spawned++;
		else
			for (int i = 0; i < ST_PINGS; i++)
				sem_up(&st_ping);
	}
	/* Two equal-priority hogs share the last hart in time slices. */
	for (u64 i = 0; i < 2 && !err; i++)
		if (!(err = st_spawn("st-hog", st_hog, (void *)i, 6, last)))
			spawned++;
	if (!err && !(err = st_spawn("st-sleep", st_sleeper, NULL, 1, last)))
		spawned++;
	spawned += workers;
	for (unsigned int i = 0; i < spawned; i++)
		sem_down(&st_done);
	/* Let every exited thread be reaped before comparing the heap. */
	thread_sleep_ns(20 * 1000000ULL);
	heap_get_stats(&after);
	if (err)
		return cmd_error("selftest: could not start its threads (%d)", err);
	printk("selftest: %u threads on %u harts finished in %lu ms\n", spawned, smp_online_count(),
	       (unsigned long)((time_ns() - t0) / 1000000));
	printk("mutex: counter %lu, expected %lu: %s\n", (unsigned long)st_counter,
	       (unsigned long)workers * ST_ITERS,
	       st_counter == (u64)workers * ST_ITERS ? "ok" : "FAILED");
	printk("semaphore: %d round trips between hart 0 and hart %u: ok\n", ST_PINGS, last);
	printk("round-robin: 2 hogs on hart %u took %lu and %lu turns in %lu ms: %s\n", last,
	       (unsigned long)st_hog_turns[0], (unsigned long)st_hog_turns[1],
	       (unsigned long)(st_hog_ns / 1000000),
	       st_hog_turns[0] >= ST_HOG_TURNS && st_hog_turns[1] >= ST_HOG_TURNS ? "ok"
										  : "FAILED");
	/* Never early; late only by what the host running QEMU allows (its load, not Keel's). */
	printk("sleep: 10 ms took %lu us: %s\n", (unsigned long)(st_sleep_ns / 1000),
	       st_sleep_ns >= 10000000ULL && st_sleep_ns < 1000000000ULL ? "ok" : "FAILED");
	printk("heap: %lu blocks in use before, %lu after: %s\n", (unsigned long)before.blocks_used,
	       (unsigned long)after.blocks_used,
	       before.blocks_used == after.blocks_used ? "ok" : "FAILED");
	return 0;
}

static const struct subcmd debug_subs[] = {
	{ "fault", "load|store|illegal|stack|panic|sleep-in-irq",
	  "fault on purpose (tests the panic path)", debug_fault },
	{ "selftest", "",
	  "run threads on every hart through mutex, semaphores, sleep and preemption",
	  debug_selftest },
};

CMD_DECLARE(debug, .name = "debug", .summary = "fault injection for testing", .subs = debug_subs,
	    .nr_subs = ARRAY_SIZE(debug_subs));
