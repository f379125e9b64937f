/* thread list: every VCPU Keel schedules (orphans now, guest VCPUs later). */
#include "core/cmd.h"
#include "core/printk.h"
#include <stdio.h>
#include "core/thread.h"

static int thread_list(int argc, char **argv)
{
	struct vcpu *v;
	unsigned long flags;

	if (argc != 1)
		return cmd_error("usage: thread list");
	printk("%4s %-16s %-7s %4s %4s %-8s %12s %9s\n", "ID", "NAME", "KIND", "HART", "PRIO",
	       "STATE", "RUNTIME_US", "SWITCHES");
	flags = spin_lock_irqsave(&vcpu_list_lock);
	list_for_each_entry (v, &vcpu_list, all_node) {
		char prio[8];

		if (v->idle)
			snprintf(prio, sizeof(prio), "-");
		else
			snprintf(prio, sizeof(prio), "%u", v->se.p.prio);
		printk("%4u %-16s %-7s %4u %4s %-8s %12lu %9lu\n", v->id, v->name,
		       v->kind == VCPU_ORPHAN ? "orphan" : "normal", v->cpu, prio,
		       vcpu_state_name(v), (unsigned long)(v->runtime_ns / 1000),
		       (unsigned long)v->se.st.nr_switches);
	}
	spin_unlock_irqrestore(&vcpu_list_lock, flags);
	return 0;
}

static const struct subcmd thread_subs[] = {
	{ "list", "", "list threads (orphan VCPUs) with their state", thread_list },
};

CMD_DECLARE(thread, .name = "thread", .summary = "Keel's threads", .subs = thread_subs,
	    .nr_subs = ARRAY_SIZE(thread_subs));
