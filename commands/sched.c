/* sched info: policy and per-hart run queues. */
#include "core/cmd.h"
#include "core/percpu.h"
#include "core/printk.h"

static int sched_info(int argc, char **argv)
{
	if (argc != 1)
		return cmd_error("usage: sched info");
	printk("policy: %s (%s), %u priority levels, time slice %u ms\n", sched_policy->name,
	       sched_policy->summary, CONFIG_SCHED_PRIO_LEVELS, CONFIG_SCHED_SLICE_MS);
	printk("%4s %8s %-16s %8s %10s %10s\n", "HART", "HARTID", "CURRENT", "RUNNABLE", "SWITCHES",
	       "IDLE_MS");
	for (unsigned int i = 0; i < nr_cpus; i++) {
		struct percpu *pc = &percpu_data[i];
		char curr[24];

		if (!pc->online)
			continue;
		sched_curr_name(i, curr, sizeof(curr));
		printk("%4u %8lu %-16s %8u %10lu %10lu\n", i, (unsigned long)pc->hartid, curr,
		       sched_nr_runnable(i), (unsigned long)pc->rq.nr_switches,
		       (unsigned long)(pc->rq.idle_ns / 1000000));
	}
	return 0;
}

static const struct subcmd sched_subs[] = {
	{ "info", "", "scheduling policy and run queues per hart", sched_info },
};

CMD_DECLARE(sched, .name = "sched", .summary = "scheduler state", .subs = sched_subs,
	    .nr_subs = ARRAY_SIZE(sched_subs));
