#include "core/thread.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/printk.h"
#include <stdio.h>
#include <string.h>

void thread_trampoline(void);

LIST_HEAD_DECL(vcpu_list);
spinlock_t vcpu_list_lock = SPINLOCK_INIT;
static unsigned int next_vcpu_id;
static struct vcpu idle_vcpus[CONFIG_MAX_HARTS];

static void vcpu_register(struct vcpu *v)
{
	unsigned long flags = spin_lock_irqsave(&vcpu_list_lock);

	v->id = next_vcpu_id++;
	list_add_tail(&v->all_node, &vcpu_list);
	spin_unlock_irqrestore(&vcpu_list_lock, flags);
}

struct vcpu *thread_init_idle(unsigned int cpu, u64 stack_limit)
{
	struct vcpu *v = &idle_vcpus[cpu];

	snprintf(v->name, sizeof(v->name), "idle/%u", cpu);
	v->kind = VCPU_ORPHAN;
	v->state = VCPU_RUNNABLE;
	v->idle = true;
	v->cpu = cpu;
	v->affinity = 1ULL << cpu;
	v->move_to = -1;
	v->se.p.prio = UINT32_MAX;
	v->stack_limit = stack_limit;
	v->last_start_ns = time_ns();
	list_init(&v->se.node);
	vcpu_register(v);
	return v;
}

static void sleep_timer_fired(struct timer_event *ev)
{
	sched_wake(ev->data);
}

struct vcpu *thread_create(const char *name, void (*fn)(void *), void *arg,
			   const struct sched_params *sp, u64 affinity, char *err, size_t errlen)
{
	struct vcpu *v = kzalloc(sizeof(*v));

	snprintf(err, errlen, "out of memory");
	if (!v)
		return NULL;
	v->stack = stack_alloc(&v->stack_order, &v->stack_limit);
	if (!v->stack) {
		kfree(v);
		return NULL;
	}
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->kind = VCPU_ORPHAN;
	v->state = VCPU_BLOCKED;
	v->affinity = affinity;
	v->se.p = *sp;
	v->se.system = true;
	list_init(&v->se.node);
	list_init(&v->se.link);
	v->move_to = -1;
	if (sched_place(v, affinity, err, errlen)) {
		stack_free(v->stack, v->stack_order);
		kfree(v);
		return NULL;
	}
	v->ctx.ra = (u64)thread_trampoline;
	v->ctx.sp = (u64)v->stack + (PAGE_SIZE << v->stack_order);
	v->ctx.s[0] = (u64)fn;
	v->ctx.s[1] = (u64)arg;
	v->arg = arg;
	timer_event_init(&v->sleep_timer, sleep_timer_fired, v);
	vcpu_register(v);
	return v;
}

void thread_start(struct vcpu *v)
{
	v->started = true;
	sched_wake(v);
}

struct vcpu *thread_spawn(const char *name, void (*fn)(void *), void *arg, unsigned int prio,
			  u64 affinity)
{
	struct sched_params sp = { .prio = prio, .slice_ns = CONFIG_SCHED_SLICE_MS * 1000000ULL };
	struct vcpu *v = thread_create(name, fn, arg, &sp, affinity, NULL, 0);

	if (v)
		thread_start(v);
	return v;
}

bool thread_done(const struct vcpu *v)
{
	return !v->started || __atomic_load_n(&v->reaped, __ATOMIC_ACQUIRE);
}

void thread_discard(struct vcpu *v)
{
	unsigned long flags;

	/* Never started: it still holds its place on its hart. */
	sched_leave(v);
	flags = spin_lock_irqsave(&vcpu_list_lock);
	list_del(&v->all_node);
	spin_unlock_irqrestore(&vcpu_list_lock, flags);
	if (v->stack)
		stack_free(v->stack, v->stack_order);
	kfree(v);
}

void thread_exit(void)
{
	struct vcpu *v = current_vcpu();

	irq_disable();
	timer_event_stop(&v->sleep_timer);
	v->state = VCPU_EXITED;
	schedule();
	panic("exited thread %s was scheduled again", v->name);
}

/* Runs on the hart that switched away from @v, with @v's stack unused. */
void thread_reap(struct vcpu *v)
{
	unsigned long flags;

	if (v->keep) {
		stack_free(v->stack, v->stack_order);
		v->stack = NULL;
		__atomic_store_n(&v->reaped, true, __ATOMIC_RELEASE);
		return;
	}
	flags = spin_lock_irqsave(&vcpu_list_lock);

	list_del(&v->all_node);
	spin_unlock_irqrestore(&vcpu_list_lock, flags);
	stack_free(v->stack, v->stack_order);
	kfree(v);
}

void thread_sleep_ns(u64 ns)
{
	struct vcpu *v = current_vcpu();
	u64 deadline = time_ticks() + ns_to_ticks(ns);

	ASSERT_ORPHAN_CONTEXT();
	while (time_ticks() < deadline) {
		/* Armed and blocked with interrupts off: the timer cannot fire in between. */
		unsigned long flags = irq_save();

		timer_event_start(&v->sleep_timer, deadline);
		sched_set_blocked();
		irq_restore(flags);
		schedule();
	}
	timer_event_stop(&v->sleep_timer);
}

void thread_yield(void)
{
	struct vcpu *v = current_vcpu();

	v->se.remaining_ns = 0;
	schedule();
}

const char *vcpu_state_name(const struct vcpu *v)
{
	if (v->state == VCPU_EXITED)
		return "exited";
	if (v->state == VCPU_BLOCKED)
		return "blocked";
	return percpu_data[v->cpu].rq.curr == v ? "running" : (v->idle ? "idle" : "ready");
}
