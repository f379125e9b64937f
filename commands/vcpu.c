/*
 * vcpu list | info | regs | stats | sched | affinity: every VCPU Keel schedules, guest (normal)
 * VCPUs and Keel's threads (orphan VCPUs) alike, by the id `thread list`
 * and `vcpu list` show.  Registers and exit counters exist for guest VCPUs
 * only; for a thread these say so.
 */
#include "arch/riscv/sbi_server.h"
#include "core/cmd.h"
#include "core/guest.h"
#include "core/percpu.h"
#include "core/printk.h"
#include "core/thread.h"
#include "libs/args.h"
#include "libs/hartset.h"
#include <stdio.h>
#include <string.h>

/* What a command shows of one VCPU, copied under vcpu_list_lock. */
struct snap {
	struct vcpu v;
	bool normal;
	char guest[GUESTCFG_NAME_LEN + 1];
	enum guest_state gstate;
	struct vcpu_guest vg;
};

/* vcpu_list_lock held: the VCPU with @id, or NULL. */
static struct vcpu *find_locked(u64 id)
{
	struct vcpu *v;

	list_for_each_entry (v, &vcpu_list, all_node)
		if (v->id == id)
			return v;
	return NULL;
}

static bool take(u64 id, struct snap *s)
{
	unsigned long flags = spin_lock_irqsave(&vcpu_list_lock);
	struct vcpu *v = find_locked(id);

	if (v) {
		s->v = *v;
		s->normal = v->kind == VCPU_NORMAL;
		if (s->normal) {
			const struct vcpu_guest *vg = v->arg;

			s->vg = *vg;
			snprintf(s->guest, sizeof(s->guest), "%s", vg->guest->name);
			s->gstate = vg->guest->state;
		}
	}
	spin_unlock_irqrestore(&vcpu_list_lock, flags);
	return v != NULL;
}

/* "<id>" of a command line: 0, or the error (printed). */
static int parse_id(const char *arg, u64 *id)
{
	if (args_u64(arg, id) || *id > UINT32_MAX)
		return cmd_error("vcpu: '%s' is not a VCPU id (see vcpu list)", arg);
	return 0;
}

static int no_vcpu(u64 id)
{
	return cmd_error("vcpu: no VCPU with id %lu (see vcpu list)", (unsigned long)id);
}

/* Parse "<id>" into a snapshot: 0, or the error (printed). */
static int lookup(int argc, char **argv, const char *sub, struct snap *s)
{
	u64 id;

	if (argc != 2)
		return cmd_error("usage: vcpu %s <id>", sub);
	return parse_id(argv[1], &id) ?: take(id, s) ? 0 : no_vcpu(id);
}

/* The same, for what only guest VCPUs have (@what). */
static int lookup_normal(int argc, char **argv, const char *sub, const char *what, struct snap *s)
{
	int r = lookup(argc, argv, sub, s);

	if (!r && !s->normal)
		r = cmd_error("vcpu %u ('%s') is a Keel thread (orphan VCPU): it has no %s",
			      s->v.id, s->v.name, what);
	return r;
}

/* A VCPU's affinity as text: "all" (0: any hart), else its harts ("0,2-3"). */
static void affinity_text(u64 affinity, char *buf, size_t len)
{
	if (affinity)
		hartset_format(affinity, buf, len);
	else
		snprintf(buf, len, "all");
}

static const char *where(const struct snap *s)
{
	return s->vg.in_guest >= 0 ? "in guest mode" : s->vg.waiting ? "waiting (WFI)" : "in Keel";
}

static int vcpu_list_cmd(int argc, char **argv)
{
	unsigned long flags;
	struct vcpu *v;

	if (argc != 1)
		return cmd_error("usage: vcpu list");
	printk("%4s %-16s %-7s %4s %-8s %-12s %-13s %9s %s\n", "ID", "NAME", "KIND", "HART",
	       "STATE", "GUEST", "HSM", "EXITS", "AFFINITY");
	flags = spin_lock_irqsave(&vcpu_list_lock);
	list_for_each_entry (v, &vcpu_list, all_node) {
		const struct vcpu_guest *vg = v->kind == VCPU_NORMAL ? v->arg : NULL;
		char aff[48];

		affinity_text(v->affinity, aff, sizeof(aff));
		printk("%4u %-16s %-7s %4u %-8s %-12s %-13s %9lu %s\n", v->id, v->name,
		       vg ? "normal" : "orphan", v->cpu, vcpu_state_name(v),
		       vg ? vg->guest->name : "-", vg ? guest_vcpu_hsm_name(vg->hsm) : "-",
		       vg ? (unsigned long)vg->st.exits : 0UL, aff);
	}
	spin_unlock_irqrestore(&vcpu_list_lock, flags);
	return 0;
}

static int vcpu_info(int argc, char **argv)
{
	struct snap s;
	const struct sched_params *p = &s.v.se.p;
	const struct sched_stats *st = &s.v.se.st;
	char aff[48];

	if (lookup(argc, argv, "info", &s))
		return -EINVAL;
	affinity_text(s.v.affinity, aff, sizeof(aff));
	printk("vcpu %u '%s': %s VCPU on hart %u, %s, priority %u, slice %lu us", s.v.id, s.v.name,
	       s.normal ? "normal (guest)" : "orphan (Keel thread)", s.v.cpu, vcpu_state_name(&s.v),
	       p->prio, (unsigned long)(p->slice_ns / 1000));
	if (p->budget_ns)
		printk(", budget %lu us per %lu us", (unsigned long)(p->budget_ns / 1000),
		       (unsigned long)(p->period_ns / 1000));
	if (p->windows)
		printk(", windows 0x%x of its hart's table", p->windows);
	printk("\n  affinity %s, %lu migrations\n", aff, (unsigned long)s.v.nr_migrations);
	printk("  runtime %lu us, steal %lu us, %lu context switches, %lu us on its reservation, "
	       "%lu periods, %lu overruns, %lu deadline misses\n",
	       (unsigned long)(s.v.runtime_ns / 1000), (unsigned long)(s.v.wait_ns / 1000),
	       (unsigned long)st->nr_switches, (unsigned long)(st->used_ns / 1000),
	       (unsigned long)st->periods, (unsigned long)st->overruns, (unsigned long)st->misses);
	if (!s.normal)
		return 0;
	printk("  guest '%s' (%s), vcpu index %u, HSM %s, %s\n", s.guest,
	       guest_state_name(s.gstate), s.vg.index, guest_vcpu_hsm_name(s.vg.hsm), where(&s));
	printk("  pc 0x%lx, %lu exits, ", (unsigned long)s.vg.regs.sepc,
	       (unsigned long)s.vg.st.exits);
	if (s.vg.sta.rec)
		printk("steal-time record (SBI STA) at 0x%lx\n", (unsigned long)s.vg.sta.gpa);
	else
		printk("no steal-time record (SBI STA)\n");
	return 0;
}

static int vcpu_regs(int argc, char **argv)
{
	struct snap s;
	const struct guest_regs *r = &s.vg.regs;
	const struct guest_csrs *c = &s.vg.csrs;

	if (lookup_normal(argc, argv, "regs", "guest registers", &s))
		return -EINVAL;
	printk("vcpu %u '%s' (%s): registers at its last exit\n", s.v.id, s.v.name, where(&s));
	guest_regs_dump(r);
	printk(" hstatus: %016lx  htval: %016lx  htinst: %016lx\n", (unsigned long)r->hstatus,
	       (unsigned long)r->htval, (unsigned long)r->htinst);
	/* Saved when another VCPU took the hart: older than the GPRs while it runs. */
	printk(" VS CSRs as last saved:\n");
	printk(" vsstatus: %016lx  vsie: %016lx  vstvec: %016lx\n", (unsigned long)c->vsstatus,
	       (unsigned long)c->vsie, (unsigned long)c->vstvec);
	printk(" vsepc: %016lx  vscause: %016lx  vstval: %016lx\n", (unsigned long)c->vsepc,
	       (unsigned long)c->vscause, (unsigned long)c->vstval);
	printk(" vsatp: %016lx  vstimecmp: %016lx  hvip: %016lx\n", (unsigned long)c->vsatp,
	       (unsigned long)c->vstimecmp, (unsigned long)c->hvip);
	return 0;
}

static int vcpu_stats(int argc, char **argv)
{
	struct snap s;
	const struct vcpu_stats *st = &s.vg.st;
	const struct sbi_ext *e;

	if (lookup_normal(argc, argv, "stats", "exit counters", &s))
		return -EINVAL;
	printk("vcpu %u '%s': %lu exits\n", s.v.id, s.v.name, (unsigned long)st->exits);
	printk("  %-24s %12lu\n", "host interrupts", (unsigned long)st->host_irqs);
	for (unsigned int i = 0; (e = sbi_server_ext(i)); i++)
		printk("  ecall %-18s %12lu\n", e->name, (unsigned long)st->ecalls[i]);
	printk("  %-24s %12lu\n", "ecall unknown extension",
	       (unsigned long)st->ecalls[SBI_SERVER_MAX_EXTS]);
	printk("  %-24s %12lu\n", "mmio", (unsigned long)st->mmio);
	printk("  %-24s %12lu\n", "wfi", (unsigned long)st->wfi);
	printk("  %-24s %12lu\n", "guest faults", (unsigned long)st->faults);
	printk("  %-24s %12lu\n", "injected ipi", (unsigned long)st->inj_ipi);
	printk("  %-24s %12lu\n", "injected timer", (unsigned long)st->inj_timer);
	printk("  %-24s %12lu\n", "illegal insn reflected", (unsigned long)st->inj_exc);
	printk("  %-24s %12lu\n", "remote sfence.vma done", (unsigned long)st->req_hfence);
	printk("  %-24s %12lu\n", "remote fence.i done", (unsigned long)st->req_fence_i);
	/* Not an exit, but what the VCPU lost to others on its hart (what SBI STA reports). */
	printk("  %-24s %12lu\n", "steal us", (unsigned long)(s.v.wait_ns / 1000));
	return 0;
}

/* The keys of `vcpu sched`, the properties of a guest description. */
enum { K_PRIO, K_SLICE, K_BUDGET, K_PERIOD, K_NR };
static const char *const sched_keys[K_NR] = { "priority", "time-slice-us", "budget-us",
					      "period-us" };

/* @set[k]: @val[k] replaces that parameter (budget-us=0: no reservation). */
static void apply(struct guestcfg_vcpu *c, const bool *set, const u64 *val)
{
	if (set[K_PRIO])
		c->priority = (u32)val[K_PRIO];
	if (set[K_SLICE])
		c->slice_ns = val[K_SLICE] * 1000;
	if (set[K_BUDGET])
		c->budget_ns = val[K_BUDGET] * 1000;
	if (set[K_BUDGET] && !val[K_BUDGET])
		c->period_ns = 0;
	if (set[K_PERIOD])
		c->period_ns = val[K_PERIOD] * 1000;
}

static int vcpu_sched(int argc, char **argv)
{
	bool set[K_NR] = { false };
	u64 val[K_NR], id;
	struct guestcfg_vcpu c;
	struct sched_params p;
	char err[160], name[VCPU_NAME_LEN];
	unsigned long flags;
	struct vcpu *v;
	int k, r;

	if (argc < 3)
		return cmd_error("usage: vcpu sched <id> <key>=<value>... (keys: priority "
				 "time-slice-us budget-us period-us)");
	r = parse_id(argv[1], &id);
	if (r)
		return r;
	for (int i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		for (k = 0; eq && k < K_NR; k++)
			if ((size_t)(eq - argv[i]) == strlen(sched_keys[k]) &&
			    !strncmp(argv[i], sched_keys[k], strlen(sched_keys[k])))
				break;
		if (!eq || k == K_NR || args_u64(eq + 1, &val[k]) || val[k] > UINT32_MAX)
			return cmd_error("vcpu sched: '%s' is not <key>=<number> (keys: priority "
					 "time-slice-us budget-us period-us)",
					 argv[i]);
		set[k] = true;
	}
	flags = spin_lock_irqsave(&vcpu_list_lock);
	v = find_locked(id);
	if (!v) {
		r = -ENOENT;
	} else if (v->idle) {
		r = -EINVAL;
		snprintf(err, sizeof(err), "vcpu %u ('%s') is a hart's idle loop", v->id, v->name);
	} else {
		snprintf(name, sizeof(name), "%s", v->name);
		c = (struct guestcfg_vcpu){ .priority = v->se.p.prio,
					    .slice_ns = v->se.p.slice_ns,
					    .budget_ns = v->se.p.budget_ns,
					    .period_ns = v->se.p.period_ns };
		apply(&c, set, val);
		r = guestcfg_check_sched(&c, err, sizeof(err));
		if (!r) {
			p = (struct sched_params){ .prio = c.priority,
						   .slice_ns = c.slice_ns,
						   .budget_ns = c.budget_ns,
						   .period_ns = c.period_ns };
			r = sched_set_params(v, &p, err, sizeof(err));
		}
	}
	spin_unlock_irqrestore(&vcpu_list_lock, flags);
	if (r == -ENOENT)
		return no_vcpu(id);
	if (r)
		return cmd_error("vcpu sched: %s", err);
	printk("vcpu %lu '%s': priority %u, slice %lu us", (unsigned long)id, name, p.prio,
	       (unsigned long)(p.slice_ns / 1000));
	if (p.budget_ns)
		printk(", budget %lu us per %lu us", (unsigned long)(p.budget_ns / 1000),
		       (unsigned long)(p.period_ns / 1000));
	printk("\n");
	return 0;
}

/* How long `vcpu affinity` waits for a running VCPU to leave its hart. */
#define AFFINITY_WAIT_MS 1000

static int vcpu_affinity(int argc, char **argv)
{
	char err[160], aff[48];
	unsigned long flags;
	struct snap s;
	struct vcpu *v;
	u64 id, mask;
	int r;

	if (argc != 3)
		return cmd_error("usage: vcpu affinity <id> <harts> (e.g. 1, 0,2-3, all)");
	r = parse_id(argv[1], &id);
	if (r)
		return r;
	if (hartset_parse(argv[2], nr_cpus, &mask, err, sizeof(err)))
		return cmd_error("vcpu affinity: %s", err);
	for (unsigned int i = 0; i < nr_cpus; i++)
		if ((mask & (1ULL << i)) && !percpu_data[i].online)
			return cmd_error("vcpu affinity: hart %u is offline", i);
	flags = spin_lock_irqsave(&vcpu_list_lock);
	v = find_locked(id);
	r = v ? sched_set_affinity(v, mask, err, sizeof(err)) : -ENOENT;
	spin_unlock_irqrestore(&vcpu_list_lock, flags);
	if (r == -ENOENT)
		return no_vcpu(id);
	if (r)
		return cmd_error("vcpu affinity: %s", err);
	/* A running VCPU moves when its hart switches away from it: this thread, now. */
	if (current_vcpu()->id == id)
		thread_yield();
	for (unsigned int ms = 0;
	     take(id, &s) && !hartset_allows(mask, s.v.cpu) && ms < AFFINITY_WAIT_MS; ms++)
		thread_sleep_ns(1000000);
	if (!take(id, &s))
		return cmd_error("vcpu: VCPU %lu is gone", (unsigned long)id);
	affinity_text(mask, aff, sizeof(aff));
	printk("vcpu %u '%s': affinity %s, on hart %u\n", s.v.id, s.v.name, aff, s.v.cpu);
	return 0;
}

static const struct subcmd vcpu_subs[] = {
	{ "list", "", "every VCPU: guest VCPUs and Keel's threads", vcpu_list_cmd },
	{ "info", "<id>", "one VCPU's scheduling and guest state", vcpu_info },
	{ "regs", "<id>", "a guest VCPU's registers at its last exit", vcpu_regs },
	{ "stats", "<id>", "a guest VCPU's exit counters by reason", vcpu_stats },
	{ "sched", "<id> <key>=<value>...",
	  "change a VCPU's priority, time-slice-us, budget-us, period-us (admission control)",
	  vcpu_sched },
	{ "affinity", "<id> <harts>",
	  "the harts a VCPU may run on (1, 0,2-3, all); it moves if its hart is not one",
	  vcpu_affinity },
};

CMD_DECLARE(vcpu, .name = "vcpu", .summary = "VCPUs", .subs = vcpu_subs,
	    .nr_subs = ARRAY_SIZE(vcpu_subs));
