/*
 * The goldfish RTC model (emulators/goldfish_rtc.c, included) on a simulated
 * wall clock: a 10 MHz timebase (100 ns a tick) whose time moves on by
 * clock_step ticks at every reading, as a real clock does while the model
 * runs (more so on a host that deschedules QEMU's thread).  The alarm: running
 * until its time, its interrupt from then until CLEAR_INTERRUPT while
 * IRQ_ENABLED, once; the device deadline never early and never lost.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "emulators/goldfish_rtc.c"

#define NS_PER_TICK 100ULL
#define BOOT_NS 1700000000000000000ULL /* the wall clock at tick 0 */
#define MS_TICKS 10000ULL

/* ------------------------------------------------ the simulated wall clock */

static u64 clock_ticks, clock_step;

u64 wallclock_ns_at(u64 ticks)
{
	return BOOT_NS + ticks * NS_PER_TICK;
}

u64 wallclock_ns(void)
{
	u64 ns = wallclock_ns_at(clock_ticks);

	clock_ticks += clock_step;
	return ns;
}

u64 ns_to_ticks(u64 ns)
{
	return (ns + NS_PER_TICK - 1) / NS_PER_TICK;
}

/* ------------------------------------------------------------ helpers */

static int setup(void **state)
{
	struct emu_dev *d = calloc(1, sizeof(*d) + sizeof(struct goldfish_rtc));

	d->emu = &emulator_goldfish_rtc;
	d->state_size = sizeof(struct goldfish_rtc);
	clock_ticks = 1000 * MS_TICKS;
	clock_step = 0;
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static u32 rd(struct emu_dev *d, u64 off)
{
	u64 v = 0xdeadbeefdeadULL;

	assert_int_equal(d->emu->read(d, off, 4, &v), 0);
	assert_true(v <= 0xffffffffULL);
	return (u32)v;
}

static void wr(struct emu_dev *d, u64 off, u32 v)
{
	assert_int_equal(d->emu->write(d, off, 4, v), 0);
}

static u64 rtc_time(struct emu_dev *d)
{
	u64 lo = rd(d, RTC_TIME_LOW);

	return (u64)rd(d, RTC_TIME_HIGH) << 32 | lo;
}

static void set_alarm(struct emu_dev *d, u64 ns)
{
	wr(d, RTC_ALARM_HIGH, (u32)(ns >> 32));
	wr(d, RTC_ALARM_LOW, (u32)ns);
}

/* ------------------------------------------------------------ tests */

static void test_time(void **state)
{
	struct emu_dev *d = *state;

	u64 t = wallclock_ns_at(clock_ticks);

	assert_int_equal(rtc_time(d), t);
	/* TIME_HIGH is the half latched by the last TIME_LOW read, 2^32 ns ago. */
	rd(d, RTC_TIME_LOW);
	clock_ticks += 0x100000000ULL / NS_PER_TICK + 1;
	assert_int_equal(rd(d, RTC_TIME_HIGH), (u32)(t >> 32));
	/* The guest sets its time; it then runs on with the wall clock. */
	wr(d, RTC_TIME_HIGH, 0x10);
	wr(d, RTC_TIME_LOW, 0x20);
	assert_int_equal(rtc_time(d), 0x1000000020ULL);
	clock_ticks += 5;
	assert_int_equal(rtc_time(d), 0x1000000020ULL + 5 * NS_PER_TICK);
}

static void test_alarm_fires_once_at_its_time(void **state)
{
	struct emu_dev *d = *state;
	u64 now = clock_ticks, alarm = wallclock_ns_at(now) + 5 * 1000000ULL + 50, due;

	wr(d, RTC_IRQ_ENABLED, 1);
	set_alarm(d, alarm);
	assert_int_equal(rd(d, RTC_ALARM_STATUS), 1);
	assert_int_equal(rd(d, RTC_ALARM_LOW), (u32)alarm);
	assert_int_equal(rd(d, RTC_ALARM_HIGH), (u32)(alarm >> 32));
	assert_false(d->emu->irq_pending(d));
	/* The first tick at or after the alarm, and one more for rounding. */
	due = d->emu->deadline(d, now);
	assert_true(wallclock_ns_at(due - 1) >= alarm);
	assert_true(due - now <= 5 * MS_TICKS + 2);
	/* Early (another VCPU's timer, a deadline armed before): nothing happens. */
	assert_int_equal(d->emu->deadline(d, due - 2), due);
	assert_int_equal(rd(d, RTC_ALARM_STATUS), 1);
	assert_false(d->emu->irq_pending(d));
	/* At its time: fired, and nothing more to do. */
	assert_int_equal(d->emu->deadline(d, due), UINT64_MAX);
	assert_true(d->emu->irq_pending(d));
	clock_ticks = due;
	assert_int_equal(rd(d, RTC_ALARM_STATUS), 0);
	/* The line follows IRQ_ENABLED until CLEAR_INTERRUPT, and does not come back. */
	wr(d, RTC_IRQ_ENABLED, 0);
	assert_false(d->emu->irq_pending(d));
	wr(d, RTC_IRQ_ENABLED, 1);
	assert_true(d->emu->irq_pending(d));
	wr(d, RTC_CLEAR_INTERRUPT, 1);
	assert_false(d->emu->irq_pending(d));
	assert_int_equal(d->emu->deadline(d, due + MS_TICKS), UINT64_MAX);
	clock_ticks += MS_TICKS;
	assert_int_equal(rd(d, RTC_ALARM_STATUS), 0);
	assert_false(d->emu->irq_pending(d));
}

static void test_alarm_passed_fires_at_once(void **state)
{
	struct emu_dev *d = *state;

	wr(d, RTC_IRQ_ENABLED, 1);
	set_alarm(d, wallclock_ns_at(clock_ticks));
	assert_int_equal(rd(d, RTC_ALARM_STATUS), 0);
	assert_true(d->emu->irq_pending(d));
	assert_int_equal(d->emu->deadline(d, clock_ticks), UINT64_MAX);
}

static void test_alarm_cleared(void **state)
{
	struct emu_dev *d = *state;
	u64 now = clock_ticks;

	wr(d, RTC_IRQ_ENABLED, 1);
	set_alarm(d, wallclock_ns_at(now + MS_TICKS));
	wr(d, RTC_CLEAR_ALARM, 1);
	assert_int_equal(rd(d, RTC_ALARM_STATUS), 0);
	assert_int_equal(d->emu->deadline(d, now + 2 * MS_TICKS), UINT64_MAX);
	assert_false(d->emu->irq_pending(d));
}

/*
 * The device timer runs the hook a moment before the alarm, and the clock
 * passes the alarm while the hook runs: the alarm is still due a tick or two
 * later, not centuries later (a guest waiting for its interrupt without
 * touching the RTC would never get it).
 */
static void test_deadline_while_the_clock_passes_the_alarm(void **state)
{
	struct emu_dev *d = *state;
	u64 now = clock_ticks, due;

	wr(d, RTC_IRQ_ENABLED, 1);
	set_alarm(d, wallclock_ns_at(now) + NS_PER_TICK / 2);
	clock_step = 2;
	due = d->emu->deadline(d, now);
	assert_true(due > now && due <= now + 2);
	assert_false(d->emu->irq_pending(d));
	assert_int_equal(d->emu->deadline(d, due), UINT64_MAX);
	assert_true(d->emu->irq_pending(d));
}

/* The guest's time moved: the alarm is in the guest's time. */
static void test_alarm_in_the_guests_time(void **state)
{
	struct emu_dev *d = *state;
	u64 now = clock_ticks, due;

	wr(d, RTC_TIME_HIGH, 0x1);
	wr(d, RTC_TIME_LOW, 0);
	set_alarm(d, 0x100000000ULL + MS_TICKS * NS_PER_TICK);
	due = d->emu->deadline(d, now);
	assert_true(due >= now + MS_TICKS && due <= now + MS_TICKS + 2);
	assert_int_equal(d->emu->deadline(d, due), UINT64_MAX);
	assert_int_equal(rd(d, RTC_ALARM_STATUS), 0);
}

static void test_refused_accesses(void **state)
{
	struct emu_dev *d = *state;
	u64 v;

	assert_int_equal(d->emu->read(d, RTC_TIME_LOW, 8, &v), -EINVAL);
	assert_int_equal(d->emu->read(d, RTC_TIME_LOW + 2, 4, &v), -EINVAL);
	assert_int_equal(d->emu->write(d, RTC_WINDOW, 4, 0), -EINVAL);
	/* QEMU's window ends a word past the registers, which reads 0. */
	assert_int_equal(rd(d, RTC_REGS), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alarm_fires_once_at_its_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alarm_passed_fires_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alarm_cleared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deadline_while_the_clock_passes_the_alarm,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_alarm_in_the_guests_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_accesses, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
