/*
 * The scheduler core.  Keel's own threads are orphan VCPUs; guest VCPUs
 * (normal VCPUs) are the same entity with a guest context.
 */
#ifndef CORE_SCHED_H
#define CORE_SCHED_H

#include "core/sched_policy.h"
#include "core/spinlock.h"
#include "core/timer.h"

#define VCPU_NAME_LEN 24

enum vcpu_state { VCPU_RUNNABLE, VCPU_BLOCKED, VCPU_EXITED };
enum vcpu_kind { VCPU_ORPHAN, VCPU_NORMAL };

struct cpu_context {
	u64 ra, sp, s[12];
};

struct vcpu {
	struct cpu_context ctx;
	unsigned int id;
	char name[VCPU_NAME_LEN];
	enum vcpu_kind kind;
	volatile enum vcpu_state state;
	bool idle;
	bool started, keep, reaped;
	bool on_rq;    /* queued in its hart's run queue (not running) */
	bool admitted; /* its hart's policy took it (until it exits) */
	/*
	 * Going to hart move_to (-1: staying).  Detached: on no run queue until
	 * it is moved (by the hart that switched away from it, or its waker),
	 * then queued there if requeue (it was runnable).
	 */
	bool detached, requeue;
	int move_to;
	unsigned int cpu;
	u64 affinity; /* bit per hart index (0: any) */
	u64 nr_migrations;
	struct sched_entity se;
	void *arg;
	void *stack;
	unsigned int stack_order;
	u64 stack_limit;
	struct timer_event sleep_timer;
	struct list_head all_node;
	struct list_head rq_node; /* in its hart's members while admitted */
	u64 runtime_ns, last_start_ns;
	/* Runnable on its run queue while others ran (a guest's steal time); queued since. */
	u64 wait_ns, queued_ns;
	/*
	 * Set while something wants to know (SBI STA): called on the VCPU's own
	 * thread, its run-queue lock held, when another VCPU takes the hart from
	 * it and it goes back on that hart's run queue, runnable.
	 */
	void (*preempted)(struct vcpu *v);
};

/* A cyclic table as given (owners by VCPU name, "" for Keel's threads). */
struct sched_table {
	unsigned int nr;
	u64 len_ns[SCHED_MAX_WINDOWS];
	char owner[SCHED_MAX_WINDOWS][VCPU_NAME_LEN];
};

struct sched_rq {
	spinlock_t lock;
	const struct sched_policy *policy;
	struct vcpu *curr, *idle, *switch_prev;
	bool need_resched;
	bool waiting; /* curr waits for an interrupt in place (sched_wait_begin) */
	u64 nr_switches;
	u64 idle_ns, start_ns; /* idle time since the hart started scheduling at start_ns */
	u64 armed; /* the policy's next event, the timer's deadline (SCHED_NEVER: off) */
	struct timer_event timer;
	struct list_head members; /* the VCPUs admitted here */
	struct sched_table table;
	u64 priv[SCHED_RQ_PRIV_WORDS];
};

/* What `sched info` shows of a hart, copied under its lock. */
struct sched_rq_info {
	const struct sched_policy *policy;
	char describe[128];
	char curr[VCPU_NAME_LEN];
	unsigned int nr_runnable;
	u64 nr_switches, idle_ns, up_ns;
	struct sched_table table;
};

void sched_init_cpu(unsigned int cpu, struct vcpu *idle);
const struct sched_policy *sched_policy_find(const char *name);
/* Every policy built in, as "prio-rr rm edf cyclic". */
void sched_policy_names(char *buf, size_t len);
/*
 * Place a new VCPU: the least loaded online hart of @affinity (0: any) whose
 * policy admits it.  0, or the last refusal and every hart's reason in err
 * ("hart 1: edf: ...; hart 2: ...").
 */
int sched_place(struct vcpu *v, u64 affinity, char *err, size_t errlen);
/*
 * A VCPU may run on the harts of @affinity from now on.  When its hart is
 * not one of them it moves, to the least loaded one whose policy admits it
 * (its reservation leaves the old hart's policy and is admitted by the new
 * one): at once when it is not running, else as soon as its hart switches
 * away from it.  0, or an error and why in err, and nothing changed.
 */
int sched_set_affinity(struct vcpu *v, u64 affinity, char *err, size_t errlen);
/* A VCPU that never ran gives its place back (one that ran did when it exited). */
void sched_leave(struct vcpu *v);
/*
 * Change a VCPU's parameters: the policy admits the new ones, or keeps the
 * old ones (either way its budget starts again).  Its hart picks again at
 * its next chance.
 */
int sched_set_params(struct vcpu *v, const struct sched_params *p, char *err, size_t errlen);
/* Hart @cpu's policy, while it has no guest VCPU and no reservation. */
int sched_set_policy(unsigned int cpu, const char *name, char *err, size_t errlen);
/* Hart @cpu's cyclic table. */
int sched_set_table(unsigned int cpu, const struct sched_table *t, char *err, size_t errlen);
void sched_rq_info(unsigned int cpu, struct sched_rq_info *info);
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
/*
 * Interrupts off: may the current VCPU wait for an interrupt on its hart
 * (wfi) instead of blocking, since nothing else is runnable here and it has
 * no budget that the wait would spend?  True: it waits until
 * sched_wait_end(), the time is the hart's idle time, and a wake-up of
 * another VCPU on the hart asks it to reschedule (need_resched, by IPI from
 * another hart), as it would wake the idle VCPU.
 */
bool sched_wait_begin(void);
void sched_wait_end(void);
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
