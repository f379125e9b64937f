/*
 * Scheduler core: per-hart run queues, each ordered by its own policy
 * (core/sched_policy.h), a one-shot timer armed at the policy's next event,
 * time charged at every switch and event, wake-ups across harts by IPI.
 * The run-queue lock is held across switch_context and released by the
 * thread that was switched to (sched_finish_switch).
 *
 * Migration: a VCPU moves only while it runs nowhere, under the locks of
 * both run queues (taken in address order; no other path holds two).  A
 * running one that must move is switched out "detached" (on no run queue)
 * and moved by the hart it left once that hart runs another stack.  A VCPU's
 * hart (v->cpu) changes only under both locks once it was first placed:
 * lock_rq_of() locks the run queue it is on.
 */
#include "core/sched.h"
#include "core/boot.h"
#include "core/percpu.h"
#include "core/printk.h"
#include "core/smp.h"
#include "libs/args.h"
#include "libs/fdtinfo.h"
#include "libs/hartset.h"
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

/*
 * The harts whose idle VCPU runs, a bit each: where a VCPU that could run now
 * may go.  Each hart writes its own bit when it changes (a hart sets it once
 * it schedules, so once it is online); others read it without locks.
 */
static u64 idle_harts;

static bool hart_idles(unsigned int cpu)
{
	return __atomic_load_n(&idle_harts, __ATOMIC_RELAXED) & (1ULL << cpu);
}

static unsigned int rq_cpu(const struct sched_rq *rq)
{
	return container_of(rq, struct percpu, rq)->index;
}

/* Interrupts off: the run queue @v is on, locked (its hart may change until then). */
static struct sched_rq *lock_rq_of(struct vcpu *v)
{
	for (;;) {
		unsigned int cpu = __atomic_load_n(&v->cpu, __ATOMIC_RELAXED);
		struct sched_rq *rq = &percpu_data[cpu].rq;

		spin_lock(&rq->lock);
		if (v->cpu == cpu)
			return rq;
		spin_unlock(&rq->lock);
	}
}

static void lock_pair(struct sched_rq *a, struct sched_rq *b)
{
	spin_lock_pair(&a->lock, &b->lock);
}

static void unlock_pair(struct sched_rq *a, struct sched_rq *b)
{
	spin_unlock_pair(&a->lock, &b->lock);
}

/* Interrupts off: the run queue @v is on and @dst, locked; the first returned. */
static struct sched_rq *lock_rq_of_and(struct vcpu *v, struct sched_rq *dst)
{
	for (;;) {
		unsigned int cpu = __atomic_load_n(&v->cpu, __ATOMIC_RELAXED);
		struct sched_rq *rq = &percpu_data[cpu].rq;

		lock_pair(rq, dst);
		if (v->cpu == cpu)
			return rq;
		unlock_pair(rq, dst);
	}
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

	v->last_start_ns = now;
	/* A VCPU waiting in place (sched_wait_begin) leaves the hart idle. */
	if (rq->waiting) {
		rq->idle_ns += ran;
		return;
	}
	v->runtime_ns += ran;
	if (v->idle)
		rq->idle_ns += ran;
	else
		rq->policy->charge(rq->priv, &v->se, ran, now);
}

static void enqueue(struct sched_rq *rq, struct vcpu *v, enum sched_enqueue how, u64 now)
{
	rq->policy->enqueue(rq->priv, &v->se, how, now);
	v->on_rq = true;
	v->queued_ns = now;
}

static void leave(struct sched_rq *rq, struct vcpu *v)
{
	rq->policy->leave(rq->priv, &v->se);
	list_del(&v->rq_node);
	v->admitted = false;
}

/* The hart runs nothing that counts: its idle loop, or a VCPU waiting in place (WFI). */
static bool rq_free(const struct sched_rq *rq)
{
	return rq->curr->idle || rq->waiting;
}

static u64 next_event(struct sched_rq *rq, u64 now)
{
	/* Waiting in place, curr is as good as idle: no slice runs out. */
	return rq->policy->next_event(rq->priv, rq_free(rq) ? NULL : &rq->curr->se, now);
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

/* The windows of @t whose owner is named @name. */
static u32 table_windows(const struct sched_table *t, const char *name)
{
	u32 mask = 0;

	for (unsigned int w = 0; w < t->nr; w++)
		if (t->owner[w][0] && !strcmp(t->owner[w], name))
			mask |= 1U << w;
	return mask;
}

/* Under the lock of @cpu's run queue: make it pick again (locally, or by IPI). */
static void resched(unsigned int cpu)
{
	if (cpu == this_cpu()->index)
		percpu_data[cpu].rq.need_resched = true;
	else
		smp_send_ipi(cpu, IPI_RESCHED);
}

/*
 * @v was just queued on @rq: must the hart pick again?  It runs now, or it
 * moved the next event (a throttled one's replenishment).
 */
static bool wake_kick(struct sched_rq *rq, struct vcpu *v, u64 now)
{
	return rq_free(rq) || rq->policy->preempts(rq->priv, &rq->curr->se, &v->se, now) ||
	       next_event(rq, now) < rq->armed;
}

/* Under the lock: @v joins @rq's members if its policy admits it. */
static int admit_locked(struct sched_rq *rq, struct vcpu *v, u64 now, char *err, size_t errlen)
{
	int r;

	v->se.p.windows = table_windows(&rq->table, v->name);
	r = rq->policy->admit(rq->priv, &v->se, now, err, errlen);
	if (!r) {
		v->cpu = rq_cpu(rq);
		v->admitted = true;
		list_add_tail(&v->rq_node, &rq->members);
	}
	return r;
}

/*
 * Load balancing, kept simple: a VCPU in the background class (no
 * reservation, no windows: those belong to a hart) that could run now but
 * finds its hart busy goes to an idle hart of its affinity, if there is one
 * (read without locks: at worst it lands on a hart that just got busy).
 */
static int balance_target(const struct vcpu *v)
{
	u64 idle = __atomic_load_n(&idle_harts, __ATOMIC_RELAXED);

	if (v->affinity)
		idle &= v->affinity;
	if (v->se.p.budget_ns || v->se.p.windows)
		return -1;
	return hartset_next_idle(idle, v->cpu);
}

/*
 * Both run queues locked, @v on @src and running nowhere: it goes to @dst if
 * @dst's policy admits it, else back to @src (whose place it just gave up, so
 * that cannot fail).  Queued, or detached runnable, it is queued where it ends up.
 */
static int move_locked(struct sched_rq *src, struct sched_rq *dst, struct vcpu *v, u64 now,
		       char *err, size_t errlen)
{
	bool queued = v->on_rq;
	u64 since = v->queued_ns;
	struct sched_rq *rq = dst;
	int r;

	if (queued)
		src->policy->dequeue(src->priv, &v->se);
	leave(src, v);
	r = admit_locked(dst, v, now, err, errlen);
	if (r) {
		rq = src;
		BUG_ON(admit_locked(src, v, now, NULL, 0));
	} else if (src != dst) {
		v->nr_migrations++;
	}
	v->move_to = -1;
	v->detached = false;
	if (queued || v->requeue) {
		v->requeue = false;
		enqueue(rq, v, SCHED_WAKE, now);
		/* Waiting on the old queue was steal time too. */
		if (queued)
			v->queued_ns = since;
		if (wake_kick(rq, v, now))
			resched(rq_cpu(rq));
	}
	return r;
}

/*
 * A detached VCPU goes to v->move_to, or stays if refused there: called once,
 * by whoever detached it (until then it is on no run queue, so it cannot run,
 * exit or be freed).
 */
static void migrate_detached(struct vcpu *v)
{
	unsigned long flags = irq_save();
	struct sched_rq *src, *dst, *to;
	char why[96];
	int refused;

	for (;;) {
		dst = &percpu_data[v->move_to].rq;
		src = lock_rq_of_and(v, dst);
		if (dst == &percpu_data[v->move_to].rq)
			break;
		unlock_pair(src, dst);
	}
	/* Its affinity changed meanwhile (vcpu affinity): it stays if it may. */
	to = !hartset_allows(v->affinity, rq_cpu(dst)) && hartset_allows(v->affinity, rq_cpu(src))
		     ? src
		     : dst;
	refused = move_locked(src, to, v, time_ns(), why, sizeof(why));
	unlock_pair(src, dst);
	irq_restore(flags);
	/* After the locks: the console is slow, other harts wait on them. */
	if (refused)
		printk("sched: %s stays on hart %u: hart %u: %s\n", v->name, rq_cpu(src),
		       rq_cpu(to), why);
	sched_preempt_check();
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
		if (prev->state == VCPU_RUNNABLE || (preempt && prev->state == VCPU_BLOCKED)) {
			/* Another VCPU takes the hart: an idle hart may run this one now. */
			if (prev->move_to < 0 && rq->policy->nr_queued(rq->priv))
				prev->move_to = balance_target(prev);
			if (prev->move_to >= 0)
				prev->detached = prev->requeue = true;
			else
				enqueue(rq, prev, SCHED_PUT_BACK, now);
		} else if (prev->state == VCPU_EXITED) {
			leave(rq, prev);
		} else if (prev->move_to >= 0) {
			prev->detached = true; /* blocked: it moves, to be woken there */
		}
	}
	se = rq->policy->pick(rq->priv, now);
	next = se ? container_of(se, struct vcpu, se) : rq->idle;
	if (se)
		next->wait_ns += now - next->queued_ns;
	next->on_rq = false;
	rq->curr = next;
	if (hart_idles(pc->index) != next->idle) {
		if (next->idle)
			__atomic_fetch_or(&idle_harts, 1ULL << pc->index, __ATOMIC_RELAXED);
		else
			__atomic_fetch_and(&idle_harts, ~(1ULL << pc->index), __ATOMIC_RELAXED);
	}
	next->last_start_ns = now;
	arm(rq, now);
	if (next == prev) {
		spin_unlock(&rq->lock);
		irq_restore(flags);
		return;
	}
	if (prev->on_rq && prev->preempted)
		prev->preempted(prev);
	rq->nr_switches++;
	next->se.st.nr_switches++;
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
	bool exited = prev->state == VCPU_EXITED, detached = prev->detached;

	spin_unlock(&rq->lock);
	if (exited)
		thread_reap(prev);
	else if (detached)
		migrate_detached(prev);
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

void sched_wake(struct vcpu *v)
{
	unsigned long flags = irq_save();
	struct sched_rq *rq = lock_rq_of(v);
	bool kick = false, move = false;
	unsigned int cpu = v->cpu;

	if (v->state == VCPU_BLOCKED) {
		v->state = VCPU_RUNNABLE;
		/* Still current, or preempted before it could block: already there (no branch). */
		if (v->detached) {
			v->requeue = true; /* queued where it lands */
		} else if (rq->curr != v && !v->on_rq) {
			u64 now = time_ns();

			if (v->move_to < 0 && !hart_idles(cpu) && !rq->waiting)
				v->move_to = balance_target(v);
			if (v->move_to >= 0) {
				v->detached = v->requeue = move = true;
			} else {
				enqueue(rq, v, SCHED_WAKE, now);
				kick = wake_kick(rq, v, now);
			}
		}
	}
	if (kick)
		resched(cpu);
	spin_unlock(&rq->lock);
	irq_restore(flags);
	if (move)
		migrate_detached(v);
	else if (kick && cpu == this_cpu()->index)
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
		u64 now = time_ns();

		account(rq, now);
		rq->waiting = true;
		/*
		 * Without its slice timer, which would end the wait for nothing
		 * (the VCPU then blocks).  Not re-armed after the wait: a VCPU
		 * queued later finds the next event earlier than rq->armed, and
		 * the hart reschedules.
		 */
		arm(rq, now);
	}
	spin_unlock(&rq->lock);
	return ok;
}

/* The wait's time is idle time (account, under the lock: other harts account too). */
void sched_wait_end(void)
{
	struct sched_rq *rq = &this_cpu()->rq;

	spin_lock(&rq->lock);
	account(rq, time_ns());
	rq->waiting = false;
	spin_unlock(&rq->lock);
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
	info->idle_ns = rq->idle_ns + (rq_free(rq) ? now - rq->curr->last_start_ns : 0);
	info->up_ns = now - rq->start_ns;
	info->table = rq->table;
	spin_unlock_irqrestore(&rq->lock, flags);
}

/* ------------------------------------------------------------ admission, parameters */

/*
 * Place @v on hart @cpu: its policy admits it with v->se.p (for a cyclic
 * table, v's name decides its windows).  0, or an error and why in err.
 */
static int sched_admit(struct vcpu *v, unsigned int cpu, char *err, size_t errlen)
{
	struct sched_rq *rq = &percpu_data[cpu].rq;
	unsigned long flags = spin_lock_irqsave(&rq->lock);
	int r = admit_locked(rq, v, time_ns(), err, errlen);

	spin_unlock_irqrestore(&rq->lock, flags);
	return r;
}

/*
 * The least loaded online hart of @affinity that @try accepts; else -ENODEV
 * or the last refusal, every hart's reason in err.
 */
static int place(struct vcpu *v, u64 affinity,
		 int (*try)(struct vcpu *v, unsigned int cpu, char *err, size_t errlen), char *err,
		 size_t errlen)
{
	unsigned int load[CONFIG_MAX_HARTS];
	u64 online = 0, tried = 0;
	size_t n = 0;
	int cpu, r = -ENODEV;

	for (unsigned int i = 0; i < nr_cpus; i++) {
		load[i] = percpu_data[i].online ? sched_nr_runnable(i) : 0;
		if (percpu_data[i].online && hartset_allows(affinity, i))
			online |= 1ULL << i;
	}
	snprintf(err, errlen, "no online hart in its affinity");
	while ((cpu = hartset_least_loaded(online, tried, load, nr_cpus)) >= 0) {
		char why[96];

		tried |= 1ULL << cpu;
		r = try(v, (unsigned int)cpu, why, sizeof(why));
		if (!r)
			return 0;
		if (n < errlen)
			n += (size_t)snprintf(err + n, errlen - n, "%shart %d: %s", n ? "; " : "",
					      cpu, why);
	}
	return r;
}

int sched_place(struct vcpu *v, u64 affinity, char *err, size_t errlen)
{
	return place(v, affinity, sched_admit, err, errlen);
}

/*
 * Would @rq's policy admit @v?  Asked of a copy, admitted and gone again
 * under the lock, so that nothing changes (@v may still run elsewhere).
 */
static int admissible(struct sched_rq *rq, const struct vcpu *v, u64 now, char *err, size_t errlen)
{
	struct sched_entity se = v->se;
	int r;

	list_init(&se.node);
	list_init(&se.link);
	se.p.windows = table_windows(&rq->table, v->name);
	r = rq->policy->admit(rq->priv, &se, now, err, errlen);
	if (!r)
		rq->policy->leave(rq->priv, &se);
	return r;
}

/* sched_set_affinity's move of @v to @cpu (v->affinity already excludes its hart). */
static int try_move(struct vcpu *v, unsigned int cpu, char *err, size_t errlen)
{
	unsigned long flags = irq_save();
	struct sched_rq *dst = &percpu_data[cpu].rq, *src;
	u64 now = time_ns();
	int r;

	src = lock_rq_of_and(v, dst);
	if (src == dst) {
		r = 0; /* it got there meanwhile */
	} else if (src->curr == v || v->detached) {
		/* It moves when its hart has switched away from it (or is moving now). */
		r = admissible(dst, v, now, err, errlen);
		if (!r) {
			v->move_to = (int)cpu;
			if (src->curr == v)
				resched(rq_cpu(src));
		}
	} else {
		r = move_locked(src, dst, v, now, err, errlen);
	}
	unlock_pair(src, dst);
	irq_restore(flags);
	return r;
}

int sched_set_affinity(struct vcpu *v, u64 affinity, char *err, size_t errlen)
{
	unsigned long flags = irq_save();
	struct sched_rq *rq = lock_rq_of(v);
	u64 old = v->affinity;
	unsigned int cpu = rq_cpu(rq);
	int r = 0;

	if (v->idle) {
		snprintf(err, errlen, "does not apply to '%s', the idle loop of hart %u", v->name,
			 cpu);
		r = -EINVAL;
	} else if (!v->admitted) {
		snprintf(err, errlen, "'%s' has exited", v->name);
		r = -EINVAL;
	} else if (v->se.p.windows && !hartset_allows(affinity, cpu)) {
		snprintf(err, errlen,
			 "'%s' owns windows of hart %u's cyclic table: it cannot leave that hart "
			 "(sched table)",
			 v->name, cpu);
		r = -EBUSY;
	}
	if (!r)
		v->affinity = affinity;
	spin_unlock(&rq->lock);
	irq_restore(flags);
	if (r || hartset_allows(affinity, cpu))
		return r;
	r = place(v, affinity, try_move, err, errlen);
	if (r)
		v->affinity = old;
	return r;
}

void sched_leave(struct vcpu *v)
{
	unsigned long flags = irq_save();
	struct sched_rq *rq = lock_rq_of(v);

	if (v->admitted)
		leave(rq, v);
	spin_unlock(&rq->lock);
	irq_restore(flags);
}

int sched_set_params(struct vcpu *v, const struct sched_params *p, char *err, size_t errlen)
{
	unsigned long flags = irq_save();
	struct sched_rq *rq = lock_rq_of(v);
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
	spin_unlock(&rq->lock);
	irq_restore(flags);
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
