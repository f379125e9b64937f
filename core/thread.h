/* Keel's threads: orphan VCPUs, scheduled like guest VCPUs. */
#ifndef CORE_THREAD_H
#define CORE_THREAD_H

#include "core/sched.h"
#include "core/spinlock.h"

#define THREAD_AFFINITY_ANY 0

extern struct list_head vcpu_list;
extern spinlock_t vcpu_list_lock;

/* Create and start a thread; NULL when out of memory or no hart matches. */
struct vcpu *thread_spawn(const char *name, void (*fn)(void *), void *arg, unsigned int prio,
			  u64 affinity);
/*
 * The same in two steps, for VCPUs whose struct outlives their thread
 * (v->keep): after it exits only the stack goes; thread_discard() frees the
 * rest once thread_done() says it is over (or it never started).  The
 * least loaded hart of @affinity (0: any) whose policy admits @sp takes it;
 * NULL and why in err (out of memory, or each hart's refusal) otherwise.
 */
struct vcpu *thread_create(const char *name, void (*fn)(void *), void *arg,
			   const struct sched_params *sp, u64 affinity, char *err, size_t errlen);
void thread_start(struct vcpu *v);
bool thread_done(const struct vcpu *v);
void thread_discard(struct vcpu *v);
void thread_exit(void) __attribute__((noreturn));
void thread_sleep_ns(u64 ns);
void thread_yield(void);
/* The idle VCPU of hart @cpu: the context that booted the hart. */
struct vcpu *thread_init_idle(unsigned int cpu, u64 stack_limit);
const char *vcpu_state_name(const struct vcpu *v);

#endif
