/*
 * sched info | policy | table: the policy of each hart and what it runs,
 * switching a hart's policy, a cyclic hart's table of windows.
 */
#include "core/cmd.h"
#include "core/percpu.h"
#include "core/printk.h"
#include "core/thread.h"
#include "libs/args.h"
#include <stdio.h>
#include <string.h>

/* "<hart>" as an online hart index: 0, or the error (printed). */
static int hart_arg(const char *s, unsigned int *cpu)
{
	u64 v;

	if (args_u64(s, &v) || v >= nr_cpus || !percpu_data[v].online)
		return cmd_error("sched: no hart '%s' (harts 0..%u, see sched info)", s,
				 nr_cpus - 1);
	*cpu = (unsigned int)v;
	return 0;
}

static const char *class_of(const struct sched_params *p)
{
	return p->budget_ns ? "budget" : p->windows ? "windows" : "bg";
}

static void vcpu_rows(void)
{
	unsigned long flags;
	struct vcpu *v;

	printk("%4s %-16s %4s %-7s %4s %8s %9s %9s %10s %9s %8s %8s %6s %8s %10s\n", "ID", "NAME",
	       "HART", "CLASS", "PRIO", "SLICE_US", "BUDGET_US", "PERIOD_US", "RUNTIME_MS",
	       "USED_MS", "PERIODS", "OVERRUNS", "MISSES", "SWITCHES", "MIGRATIONS");
	flags = spin_lock_irqsave(&vcpu_list_lock);
	list_for_each_entry (v, &vcpu_list, all_node) {
		const struct sched_params *p = &v->se.p;
		const struct sched_stats *st = &v->se.st;
		char budget[12] = "-", period[12] = "-";

		if (v->idle)
			continue;
		if (p->budget_ns) {
			snprintf(budget, sizeof(budget), "%lu",
				 (unsigned long)(p->budget_ns / 1000));
			snprintf(period, sizeof(period), "%lu",
				 (unsigned long)(p->period_ns / 1000));
		}
		printk("%4u %-16s %4u %-7s %4u %8lu %9s %9s %10lu %9lu %8lu %8lu %6lu %8lu %10lu\n",
		       v->id, v->name, v->cpu, class_of(p), p->prio,
		       (unsigned long)(p->slice_ns / 1000), budget, period,
		       (unsigned long)(v->runtime_ns / 1000000),
		       (unsigned long)(st->used_ns / 1000000), (unsigned long)st->periods,
		       (unsigned long)st->overruns, (unsigned long)st->misses,
		       (unsigned long)st->nr_switches, (unsigned long)v->nr_migrations);
	}
	spin_unlock_irqrestore(&vcpu_list_lock, flags);
}

static int sched_info(int argc, char **argv)
{
	struct sched_rq_info info;

	if (argc != 1)
		return cmd_error("usage: sched info");
	printk("%4s %6s %-8s %-16s %8s %10s %10s %6s\n", "HART", "HARTID", "POLICY", "CURRENT",
	       "RUNNABLE", "SWITCHES", "IDLE_MS", "BUSY%");
	for (unsigned int i = 0; i < nr_cpus; i++) {
		if (!percpu_data[i].online)
			continue;
		sched_rq_info(i, &info);
		printk("%4u %6lu %-8s %-16s %8u %10lu %10lu %6lu\n", i,
		       (unsigned long)percpu_data[i].hartid, info.policy->name, info.curr,
		       info.nr_runnable, (unsigned long)info.nr_switches,
		       (unsigned long)(info.idle_ns / 1000000),
		       (unsigned long)((info.up_ns - info.idle_ns) * 100 / info.up_ns));
	}
	for (unsigned int i = 0; i < nr_cpus; i++) {
		if (!percpu_data[i].online)
			continue;
		sched_rq_info(i, &info);
		printk("hart %u: %s (%s): %s\n", i, info.policy->name, info.policy->summary,
		       info.describe);
		if (!info.table.nr)
			continue;
		printk("  table:");
		for (unsigned int w = 0; w < info.table.nr; w++)
			printk(" %s:%lu", info.table.owner[w][0] ? info.table.owner[w] : "-",
			       (unsigned long)(info.table.len_ns[w] / 1000));
		printk("\n");
	}
	vcpu_rows();
	return 0;
}

static int sched_policy_cmd(int argc, char **argv)
{
	unsigned int cpu;
	char err[160];

	if (argc != 3)
		return cmd_error("usage: sched policy <hart> <name>");
	if (hart_arg(argv[1], &cpu))
		return -EINVAL;
	if (sched_set_policy(cpu, argv[2], err, sizeof(err)))
		return cmd_error("sched policy: %s", err);
	printk("hart %u: policy %s\n", cpu, argv[2]);
	return 0;
}

/* <owner>:<us>[,<owner>:<us>...]: owner '-' (Keel's threads) or a guest VCPU 'guest/index'. */
static int parse_table(char *s, struct sched_table *t)
{
	char *entry, *next, *colon;
	u64 us;

	t->nr = 0;
	for (entry = s; entry; entry = next) {
		next = strchr(entry, ',');
		if (next)
			*next++ = '\0';
		colon = strrchr(entry, ':');
		if (!colon || args_u64(colon + 1, &us) || us > UINT64_MAX / 1000)
			return cmd_error("sched table: '%s' is not <owner>:<us>", entry);
		*colon = '\0';
		if (strcmp(entry, "-") && (!strchr(entry, '/') || strlen(entry) >= VCPU_NAME_LEN))
			return cmd_error("sched table: owner '%s' is not '-' or a guest VCPU "
					 "(<guest>/<index>)",
					 entry);
		if (t->nr == SCHED_MAX_WINDOWS)
			return cmd_error("sched table: more than %u windows", SCHED_MAX_WINDOWS);
		snprintf(t->owner[t->nr], VCPU_NAME_LEN, "%s", strcmp(entry, "-") ? entry : "");
		t->len_ns[t->nr++] = us * 1000;
	}
	return t->nr ? 0 : cmd_error("sched table: no window");
}

static int sched_table_cmd(int argc, char **argv)
{
	struct sched_table t;
	unsigned int cpu;
	char err[160];
	u64 frame = 0;

	if (argc != 3)
		return cmd_error("usage: sched table <hart> <owner>:<us>[,<owner>:<us>...]");
	if (hart_arg(argv[1], &cpu) || parse_table(argv[2], &t))
		return -EINVAL;
	if (sched_set_table(cpu, &t, err, sizeof(err)))
		return cmd_error("sched table: %s", err);
	for (unsigned int w = 0; w < t.nr; w++)
		frame += t.len_ns[w];
	printk("hart %u: %u windows, frame %lu us\n", cpu, t.nr, (unsigned long)(frame / 1000));
	return 0;
}

static const struct subcmd sched_subs[] = {
	{ "info", "", "per hart: policy, run queue, load; per VCPU: parameters, budgets used",
	  sched_info },
	{ "policy", "<hart> <name>", "a hart's policy, while it runs no guest VCPU",
	  sched_policy_cmd },
	{ "table", "<hart> <owner>:<us>,...", "a cyclic hart's windows (owner: guest/index or -)",
	  sched_table_cmd },
};

CMD_DECLARE(sched, .name = "sched", .summary = "scheduler state and policies", .subs = sched_subs,
	    .nr_subs = ARRAY_SIZE(sched_subs));
