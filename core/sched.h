/*
 * The scheduler core.  Keel's own threads are orphan VCPUs; guest VCPUs
 * (normal VCPUs) are the same entity with a guest context.
 */
#ifndef CORE_SCHED_H
#define CORE_SCHED_H

#include "core/sched_policy.h"
#include "core/spinlock.h"
#include "core/timer.h"

enum vcpu_state { VCPU_RUNNABLE, VCPU_BLOCKED, VCPU_EXITED };
enum vcpu_kind { VCPU_ORPHAN, VCPU_NORMAL };

struct cpu_context {
	u64 ra, sp, s[12];
};

struct vcpu {
	struct cpu_context ctx;
	unsigned int id;
	char name[24];
	enum vcpu_kind kind;
	volatile enum vcpu_state state;
	bool idle;
	bool started, keep, reaped;
	bool on_rq; /* queued in its hart's run queue (not running) */
	unsigned int cpu;
	u64 affinity; /* bit per hart index */
	struct sched_entity se;
	void *arg;
	void *stack;
	unsigned int stack_order;
	u64 stack_limit;
	struct timer_event sleep_timer;
	struct list_head all_node;
	u64 runtime_ns, last_start_ns, nr_switches;
};

struct sched_rq {
	spinlock_t lock;
	struct vcpu *curr, *idle, *switch_prev;
	bool need_resched;
	u64 nr_switches;
	u64 idle_ns;
	struct timer_event slice_timer;
	u64 priv[SCHED_RQ_PRIV_WORDS];
};

extern const struct sched_policy *sched_policy;

void sched_init_cpu(unsigned int cpu, struct vcpu *idle);
/* Give up the hart: a VCPU marked blocked stays off the run queue. */
void schedule(void);
/*
 * Preemption (end of an interrupt, a wake-up of a more urgent VCPU): the
 * current VCPU stays runnable even if it had marked itself blocked, since it
 * has not yet checked the condition it is about to wait for.
 */
void sched_preempt(void);
void sched_wake(struct vcpu *v);
/* Mark current blocked (it keeps running until it calls schedule()). */
void sched_set_blocked(void);
void sched_set_runnable(void);
void sched_preempt_check(void);
void sched_handle_resched_ipi(void);
unsigned int sched_nr_runnable(unsigned int cpu);
void sched_curr_name(unsigned int cpu, char *buf, size_t len);
struct vcpu *current_vcpu(void);
bool in_orphan_context(void);

#define ASSERT_ORPHAN_CONTEXT()                                                          \
	do {                                                                             \
		if (!in_orphan_context())                                                \
			panic("%s: may sleep, called outside orphan context", __func__); \
	} while (0)

#endif
