/*
 * What the tests of the reservation policies (rm, edf: core/sched/rsv.c)
 * share on top of tests/unit/sched_sim.h.
 */
#define RSV(q, t) .se.p = { .budget_ns = (q), .period_ns = (t) }
/* One of Keel's threads without a reservation: the system server serves it. */
#define SYSTEM .se.system = true

static struct sched_rsv *rsv_of(struct sim *s)
{
	return (struct sched_rsv *)s->rq;
}

/*
 * On a hart its reservations fill, a guest VCPU without one (B, at the
 * highest priority) never runs: not even on the system server, which is
 * Keel's threads' only.
 */
static void expect_background_guest_starves_on_a_full_hart(const struct sched_policy *pol)
{
	struct sim_task t[2] = { { .name = 'A', RSV(10 * MS, 10 * MS) },
				 { .name = 'B', .se.p.prio = 0 } };
	struct sim s;

	sim_init(&s, pol, t, 2);
	sim_run(&s, 30 * MS);
	assert_string_equal(s.trace, "A@0");
	assert_int_equal(t[1].ran_ns, 0);
	assert_int_equal(t[0].se.st.misses, 0);
	assert_int_equal(rsv_of(&s)->server.st.used_ns, 0);
}

/*
 * S, one of Keel's threads, runs once (on the system server) and is gone; G,
 * a guest hog without a reservation, and R, released later, must still run:
 * the server, replenished with none of Keel's threads runnable, must not keep
 * the hart idle.  Returns the trace.
 */
static const char *trace_server_without_keel_threads(const struct sched_policy *pol)
{
	static struct sim s;
	struct sim_task t[3] = {
		{ .name = 'S', SYSTEM, .work = 2 * MS, .period = 0 },
		{ .name = 'G' },
		{ .name = 'R', RSV(5 * MS, 7 * MS), .release = 9 * MS, .work = 3 * MS, .period = 0 }
	};

	sim_init(&s, pol, t, 3);
	sim_run(&s, 40 * MS);
	assert_int_equal(t[2].ran_ns, 3 * MS);
	assert_int_equal(t[0].ran_ns + t[1].ran_ns + t[2].ran_ns, 40 * MS);
	return s.trace;
}
