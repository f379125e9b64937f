/*
 * Scheduler core: per-hart run queues, each ordered by its own policy
 * (core/sched_policy.h), a one-shot timer armed at the policy's next event,
 * time charged at every switch and event, wake-ups across harts by IPI.
 * The run-queue lock is held across switch_context and released by the
 * thread that was switched to (sched_finish_switch).
 */
#include "core/sched.h"
#include "core/boot.h"
#include "core/percpu.h"
#include "core/printk.h"
#include "core/smp.h"
#include "libs/args.h"
#include "libs/fdtinfo.h"
#include <stdio.h>
#include <string.h>

extern const struct sched_policy __start_keel_policies[], __stop_keel_policies[];

/* Each hart's policy at boot: CONFIG_SCHED_DEFAULT_POLICY, or keel.sched= in the bootargs. */
static const struct sched_policy *boot_policy[CONFIG_MAX_HARTS];

void switch_context(struct cpu_context *from, struct cpu_context *to);
void sched_finish_switch(void);
void thread_reap(struct vcpu *v);

const struct sched_policy *sched_policy_find(const char *name)
{
	for (const struct sched_policy *p = __start_keel_policies; p < __stop_keel_policies; p++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

void sched_policy_names(char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (const struct sched_policy *p = __start_keel_policies; p < __stop_keel_policies; p++)
		if (n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " " : "", p->name);
}

/* keel.sched=<hart>:<policy>[,<hart>:<policy>...]: a bad entry is reported and skipped. */
static void parse_boot_policies(void)
{
	const char *args = fdt_bootargs(boot_info.fdt), *p;
	char known[64];

	for (unsigned int i = 0; i < nr_cpus; i++)
		boot_policy[i] = sched_policy_find(CONFIG_SCHED_DEFAULT_POLICY);
	BUG_ON(!boot_policy[0]);
	for (p = args; p && (p = strstr(p, "keel.sched=")); p++)
		if (p == args || p[-1] == ' ')
			break;
	if (!p)
		return;
	p += strlen("keel.sched=");
	sched_policy_names(known, sizeof(known));
	while (*p && *p != ' ') {
		size_t len = strcspn(p, ", ");
		char entry[32], num[32], *colon;
		const struct sched_policy *pol;
		u64 hart;

		snprintf(entry, sizeof(entry), "%.*s", (int)MIN(len, sizeof(entry) - 1), p);
		p += len + (p[len] == ',');
		colon = strchr(entry, ':');
		snprintf(num, sizeof(num), "%.*s", colon ? (int)(colon - entry) : 0, entry);
		if (!colon || args_u64(num, &hart)) {
			printk("keel.sched: '%s' is not <hart>:<policy>\n", entry);
		} else if (hart >= nr_cpus) {
			printk("keel.sched: no hart %lu (harts 0..%u)\n", (unsigned long)hart,
			       nr_cpus - 1);
		} else if (!(pol = sched_policy_find(colon + 1))) {
			printk("keel.sched: unknown policy '%s' for hart %lu (known: %s)\n",
			       colon + 1, (unsigned long)hart, known);
		} else {
			boot_policy[hart] = pol;
		}
	}
}

static void event_due(struct timer_event *ev)
{
	struct sched_rq *rq = ev->data;

	rq->need_resched = true;
}

void sched_init_cpu(unsigned int cpu, struct vcpu *idle)
{
	struct sched_rq *rq = &percpu_data[cpu].rq;

	if (cpu == 0)
		parse_boot_policies();
	rq->policy = boot_policy[cpu];
	rq->policy->rq_init(rq->priv);
	rq->curr = idle;
	rq->idle = idle;
	rq->armed = SCHED_NEVER;
	rq->start_ns = idle->last_start_ns;
	list_init(&rq->members);
	timer_event_init(&rq->timer, event_due, rq);
}

struct vcpu *current_vcpu(void)
{
	return this_cpu()->rq.curr;
}

bool in_orphan_context(void)
{
	struct vcpu *v = current_vcpu();

	return !in_interrupt() && v->kind == VCPU_ORPHAN && !v->idle && irq_enabled();
}

/* What the current VCPU ran since it last started (or was charged) goes to the policy. */
static void account(struct sched_rq *rq, u64 now)
{
	struct vcpu *v = rq->curr;
	u64 ran = now - v->last_start_ns;

	v->runtime_ns += ran;
	v->last_start_ns = now;
	if (v->idle)
		rq->idle_ns += ran;
	else
		rq->policy->charge(rq->priv, &v->se, ran, now);
}

static void enqueue(struct sched_rq *rq, struct vcpu *v, enum sched_enqueue how, u64 now)
{
	rq->policy->enqueue(rq->priv, &v->se, how, now);
	v->on_rq = true;
}

static void leave(struct sched_rq *rq, struct vcpu *v)
{
	rq->policy->leave(rq->priv, &v->se);
	list_del(&v->rq_node);
	v->admitted = false;
}

static u64 next_event(struct sched_rq *rq, u64 now)
{
	return rq->policy->next_event(rq->priv, rq->curr->idle ? NULL : &rq->curr->se, now);
}

/* On the hart of @rq: the timer goes off at the policy's next event (rounded up to a tick). */
static void arm(struct sched_rq *rq, u64 now)
{
	rq->armed = next_event(rq, now);
	if (rq->armed == SCHED_NEVER)
		timer_event_stop(&rq->timer);
	else
		timer_event_start(&rq->timer, ns_to_ticks(rq->armed) + 1);
}

static void __schedule(bool preempt)
{
	unsigned long flags = irq_save();
	struct percpu *pc = this_cpu();
	struct sched_rq *rq = &pc->rq;
	struct vcpu *prev, *next;
	struct sched_entity *se;
	u64 now = time_ns();

	spin_lock(&rq->lock);
	prev = rq->curr;
	account(rq, now);
	rq->need_resched = false;
	if (!prev->idle) {
		if (prev->state == VCPU_RUNNABLE || (preempt && prev->state == VCPU_BLOCKED))
			enqueue(rq, prev, SCHED_PUT_BACK, now);
		else if (prev->state == VCPU_EXITED)
			leave(rq, prev);
	}
	se = rq->policy->pick(rq->priv, now);
	next = se ? container_of(se, struct vcpu, se) : rq->idle;
	next->on_rq = false;
	rq->curr = next;
	next->last_start_ns = now;
	arm(rq, now);
	if (next == prev) {
		spin_unlock(&rq->lock);
		irq_restore(flags);
		return;
	}
	rq->nr_switches++;
	next->se.st.nr_switches++;
	next->cpu = pc->index;
	rq->switch_prev = prev;
	pc->trap_stack_limit = next->stack_limit;
	switch_context(&prev->ctx, &next->ctx);
	sched_finish_switch();
	irq_restore(flags);
}

void schedule(void)
{
	__schedule(false);
}

void sched_preempt(void)
{
	__schedule(true);
}

void sched_finish_switch(void)
{
	struct sched_rq *rq = &this_cpu()->rq;
	struct vcpu *prev = rq->switch_prev;

	spin_unlock(&rq->lock);
	if (prev->state == VCPU_EXITED)
		thread_reap(prev);
}

static void set_state(enum vcpu_state st)
{
	struct sched_rq *rq = &this_cpu()->rq;
	unsigned long flags = spin_lock_irqsave(&rq->lock);

	rq->curr->state = st;
	spin_unlock_irqrestore(&rq->lock, flags);
}

void sched_set_blocked(void)
{
	set_state(VCPU_BLOCKED);
}

void sched_set_runnable(void)
{
	set_state(VCPU_RUNNABLE);
}

void sched_preempt_check(void)
{
	if (this_cpu()->rq.need_resched && !in_interrupt() && irq_enabled())
		sched_preempt();
}

/* Under the lock of @cpu's run queue: make it pick again (locally, or by IPI). */
static void resched(unsigned int cpu)
{
	if (cpu == this_cpu()->index)
		percpu_data[cpu].rq.need_resched = true;
	else
		smp_send_ipi(cpu, IPI_RESCHED);
}

void sched_wake(struct vcpu *v)
{
	struct sched_rq *rq = &percpu_data[v->cpu].rq;
	unsigned long flags = spin_lock_irqsave(&rq->lock);
	bool kick = false;

	if (v->state == VCPU_BLOCKED) {
		v->state = VCPU_RUNNABLE;
		/* Still current, or preempted before it could block: already there. */
		if (rq->curr != v && !v->on_rq) {
			u64 now = time_ns();

			enqueue(rq, v, SCHED_WAKE, now);
			/* It runs now, or it moved the next event (a throttled one's
			 * replenishment). */
			kick = rq->curr->idle || rq->waiting ||
			       rq->policy->preempts(rq->priv, &rq->curr->se, &v->se, now) ||
			       next_event(rq, now) < rq->armed;
		}
	}
	if (kick)
		resched(v->cpu);
	spin_unlock_irqrestore(&rq->lock, flags);
	if (kick && v->cpu == this_cpu()->index)
		sched_preempt_check();
}

bool sched_wait_begin(void)
{
	struct sched_rq *rq = &this_cpu()->rq;
	struct vcpu *v = rq->curr;
	bool ok;

	spin_lock(&rq->lock);
	/* A budget's policy would take the wait for running time (and a period
	 * spent so for a deadline miss): such a VCPU blocks. */
	ok = !rq->need_resched && !v->se.p.budget_ns && !rq->policy->nr_queued(rq->priv);
	if (ok) {
		account(rq, time_ns());
		rq->waiting = true;
	}
	spin_unlock(&rq->lock);
	return ok;
}

/* Without the lock: only this hart, interrupts off, writes these (a late
 * wake-up that still sees waiting costs one needless reschedule). */
void sched_wait_end(void)
{
	struct sched_rq *rq = &this_cpu()->rq;
	u64 now = time_ns();

	rq->waiting = false;
	rq->idle_ns += now - rq->curr->last_start_ns;
	rq->curr->last_start_ns = now;
}

void sched_handle_resched_ipi(void)
{
	this_cpu()->rq.need_resched = true;
}

/* Lock held: the queued VCPUs and the running one (not the idle VCPU). */
static unsigned int nr_runnable(const struct sched_rq *rq)
{
	return rq->policy->nr_queued(rq->priv) + !rq->curr->idle;
}

/* Another hart's current VCPU may exit and be freed: look at it under the lock. */
unsigned int sched_nr_runnable(unsigned int cpu)
{
	struct sched_rq *rq = &percpu_data[cpu].rq;
	unsigned long flags = spin_lock_irqsave(&rq->lock);
	unsigned int n = nr_runnable(rq);

	spin_unlock_irqrestore(&rq->lock, flags);
	return n;
}

void sched_curr_name(unsigned int cpu, char *buf, size_t len)
{
	struct sched_rq *rq = &percpu_data[cpu].rq;
	unsigned long flags = spin_lock_irqsave(&rq->lock);

	snprintf(buf, len, "%s", rq->curr->name);
	spin_unlock_irqrestore(&rq->lock, flags);
}

void sched_rq_info(unsigned int cpu, struct sched_rq_info *info)
{
	struct sched_rq *rq = &percpu_data[cpu].rq;
	unsigned long flags = spin_lock_irqsave(&rq->lock);
	u64 now = time_ns();

	info->policy = rq->policy;
	rq->policy->describe(rq->priv, info->describe, sizeof(info->describe));
	snprintf(info->curr, sizeof(info->curr), "%s", rq->curr->name);
	info->nr_runnable = nr_runnable(rq);
	info->nr_switches = rq->nr_switches;
	info->idle_ns =
		rq->idle_ns + (rq->curr->idle || rq->waiting ? now - rq->curr->last_start_ns : 0);
	info->up_ns = now - rq->start_ns;
	info->table = rq->table;
	spin_unlock_irqrestore(&rq->lock, flags);
}

/* ------------------------------------------------------------ admission, parameters */

/* The windows of @t whose owner is named @name. */
static u32 table_windows(const struct sched_table *t, const char *name)
{
	u32 mask = 0;

	for (unsigned int w = 0; w < t->nr; w++)
		if (t->owner[w][0] && !strcmp(t->owner[w], name))
			mask |= 1U << w;
	return mask;
}

int sched_admit(struct vcpu *v, unsigned int cpu, char *err, size_t errlen)
{
	struct sched_rq *rq = &percpu_data[cpu].rq;
	unsigned long flags = spin_lock_irqsave(&rq->lock);
	int r;

	v->se.p.windows = table_windows(&rq->table, v->name);
	r = rq->policy->admit(rq->priv, &v->se, time_ns(), err, errlen);
	if (!r) {
		v->cpu = cpu;
		v->admitted = true;
		list_add_tail(&v->rq_node, &rq->members);
	}
	spin_unlock_irqrestore(&rq->lock, flags);
	return r;
}

void sched_leave(struct vcpu *v)
{
	struct sched_rq *rq = &percpu_data[v->cpu].rq;
	unsigned long flags = spin_lock_irqsave(&rq->lock);

	if (v->admitted)
		leave(rq, v);
	spin_unlock_irqrestore(&rq->lock, flags);
}

int sched_set_params(struct vcpu *v, const struct sched_params *p, char *err, size_t errlen)
{
	struct sched_rq *rq = &percpu_data[v->cpu].rq;
	unsigned long flags = spin_lock_irqsave(&rq->lock);
	struct sched_params old = v->se.p;
	bool queued = v->on_rq;
	u64 now = time_ns();
	int r = -EINVAL;

	if (!v->admitted) {
		snprintf(err, errlen, "it has exited");
		goto out;
	}
	/* What it ran so far counts under the old parameters. */
	account(rq, now);
	if (queued)
		rq->policy->dequeue(rq->priv, &v->se);
	rq->policy->leave(rq->priv, &v->se);
	v->se.p = *p;
	v->se.p.windows = old.windows;
	r = rq->policy->admit(rq->priv, &v->se, now, err, errlen);
	if (r) {
		/* Its old place was just given back: it cannot be refused. */
		v->se.p = old;
		BUG_ON(rq->policy->admit(rq->priv, &v->se, now, NULL, 0));
	}
	if (queued)
		rq->policy->enqueue(rq->priv, &v->se, SCHED_WAKE, now);
	if (queued || rq->curr == v)
		resched(v->cpu);
out:
	spin_unlock_irqrestore(&rq->lock, flags);
	return r;
}

/*
 * Under the lock: take the queued members out of the policy, let @change
 * rebuild it (0, or an error that left it as it was), put them back.
 */
static int requeue_all(struct sched_rq *rq,
		       int (*change)(struct sched_rq *rq, const void *arg, u64 now, char *err,
				     size_t errlen),
		       const void *arg, char *err, size_t errlen)
{
	u64 now = time_ns();
	struct vcpu *v;
	int r;

	account(rq, now);
	list_for_each_entry (v, &rq->members, rq_node)
		if (v->on_rq)
			rq->policy->dequeue(rq->priv, &v->se);
	r = change(rq, arg, now, err, errlen);
	list_for_each_entry (v, &rq->members, rq_node)
		if (v->on_rq)
			rq->policy->enqueue(rq->priv, &v->se, SCHED_WAKE, now);
	return r;
}

/* Only Keel's threads are left, in the background class of every policy: all are admitted. */
static int change_policy(struct sched_rq *rq, const void *arg, u64 now, char *err, size_t errlen)
{
	struct vcpu *v;

	list_for_each_entry (v, &rq->members, rq_node)
		rq->policy->leave(rq->priv, &v->se);
	rq->policy = arg;
	rq->table.nr = 0;
	rq->policy->rq_init(rq->priv);
	list_for_each_entry (v, &rq->members, rq_node) {
		v->se.p.windows = 0;
		BUG_ON(rq->policy->admit(rq->priv, &v->se, now, NULL, 0));
	}
	return 0;
}

int sched_set_policy(unsigned int cpu, const char *name, char *err, size_t errlen)
{
	const struct sched_policy *pol = sched_policy_find(name);
	struct sched_rq *rq = &percpu_data[cpu].rq;
	unsigned long flags;
	struct vcpu *v;
	char known[64];
	int r = 0;

	if (!pol) {
		sched_policy_names(known, sizeof(known));
		snprintf(err, errlen, "unknown policy '%s' (known: %s)", name, known);
		return -EINVAL;
	}
	flags = spin_lock_irqsave(&rq->lock);
	list_for_each_entry (v, &rq->members, rq_node) {
		if (v->kind == VCPU_NORMAL || v->se.p.budget_ns) {
			snprintf(err, errlen,
				 "hart %u runs '%s': its policy changes only without guest VCPUs "
				 "or reservations",
				 cpu, v->name);
			r = -EBUSY;
			break;
		}
	}
	if (!r && pol != rq->policy) {
		requeue_all(rq, change_policy, pol, err, errlen);
		resched(cpu);
	}
	spin_unlock_irqrestore(&rq->lock, flags);
	if (cpu == this_cpu()->index)
		sched_preempt_check();
	return r;
}

static int change_table(struct sched_rq *rq, const void *arg, u64 now, char *err, size_t errlen)
{
	const struct sched_table *t = arg;
	struct sched_window w[SCHED_MAX_WINDOWS];
	struct vcpu *v;
	int r;

	for (unsigned int i = 0; i < t->nr; i++) {
		w[i].len_ns = t->len_ns[i];
		w[i].owned = t->owner[i][0];
		w[i].owner = NULL;
		list_for_each_entry (v, &rq->members, rq_node)
			if (t->owner[i][0] && !strcmp(t->owner[i], v->name))
				w[i].owner = &v->se;
	}
	r = rq->policy->set_table(rq->priv, w, t->nr, now, err, errlen);
	if (r)
		return r;
	rq->table = *t;
	list_for_each_entry (v, &rq->members, rq_node)
		v->se.p.windows = table_windows(t, v->name);
	return 0;
}

int sched_set_table(unsigned int cpu, const struct sched_table *t, char *err, size_t errlen)
{
	struct sched_rq *rq = &percpu_data[cpu].rq;
	unsigned long flags = spin_lock_irqsave(&rq->lock);
	int r = -EINVAL;

	if (!rq->policy->set_table) {
		snprintf(err, errlen,
			 "hart %u runs %s: tables are for cyclic (sched policy %u cyclic)", cpu,
			 rq->policy->name, cpu);
	} else {
		r = requeue_all(rq, change_table, t, err, errlen);
		if (!r)
			resched(cpu);
	}
	spin_unlock_irqrestore(&rq->lock, flags);
	if (cpu == this_cpu()->index)
		sched_preempt_check();
	return r;
}
