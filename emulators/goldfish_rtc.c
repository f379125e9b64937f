/*
 * An emulated Goldfish RTC ("google,goldfish-rtc"), register-compatible with
 * QEMU's (hw/rtc/goldfish_rtc.c): 32-bit registers only.  Its time is Keel's
 * wall clock (core/timer.c) plus an offset the guest moves by writing TIME;
 * reading TIME_LOW latches the high half for TIME_HIGH.  Writing ALARM_LOW
 * arms the alarm at ALARM_HIGH:ALARM_LOW (a time already passed fires at
 * once); when it fires, the interrupt is pending until CLEAR_INTERRUPT, and
 * the line is raised while IRQ_ENABLED.  The alarm runs on the accessing
 * VCPU's device timer (the framework's deadline hook).  As on QEMU,
 * offsets 0x20-0x23 read 0 and ignore writes; past 0x24, other sizes or
 * misaligned accesses are refused (QEMU faults them): the guest halts.
 */
#include "core/emulator.h"
#include "core/timer.h"

#define RTC_TIME_LOW 0x00
#define RTC_TIME_HIGH 0x04
#define RTC_ALARM_LOW 0x08
#define RTC_ALARM_HIGH 0x0c
#define RTC_IRQ_ENABLED 0x10
#define RTC_CLEAR_ALARM 0x14
#define RTC_ALARM_STATUS 0x18
#define RTC_CLEAR_INTERRUPT 0x1c
#define RTC_REGS 0x20
#define RTC_WINDOW 0x24 /* QEMU's region: the word past the registers reads 0 */

/* Zeroed at reset: the wall clock's time, no alarm, the interrupt disabled. */
struct goldfish_rtc {
	u64 offset; /* the guest's time minus the wall clock, modulo 2^64 ns */
	u64 alarm;  /* in the guest's time */
	u32 time_high;
	bool alarm_running, irq_pending, irq_enabled;
};

static struct goldfish_rtc *state(struct emu_dev *d)
{
	return (struct goldfish_rtc *)d->state;
}

static u64 now_ns(const struct goldfish_rtc *r)
{
	return wallclock_ns() + r->offset;
}

/* Half of a 64-bit value replaced (QEMU's deposit64). */
static u64 deposit(u64 v, bool high, u32 half)
{
	return high ? (v & 0xffffffffULL) | (u64)half << 32 : (v & ~0xffffffffULL) | half;
}

/* The alarm fires once the guest's time @t reaches it. */
static void alarm_check(struct goldfish_rtc *r, u64 t)
{
	if (r->alarm_running && r->alarm <= t) {
		r->alarm_running = false;
		r->irq_pending = true;
	}
}

static bool valid(u64 off, unsigned int size)
{
	return size == 4 && !(off & 3) && off < RTC_WINDOW;
}

static int rtc_read(struct emu_dev *d, u64 off, unsigned int size, u64 *val)
{
	struct goldfish_rtc *r = state(d);
	u64 t;

	if (!valid(off, size))
		return -EINVAL;
	switch (off) {
	case RTC_TIME_LOW:
		t = now_ns(r);
		r->time_high = (u32)(t >> 32);
		*val = (u32)t;
		break;
	case RTC_TIME_HIGH:
		*val = r->time_high;
		break;
	case RTC_ALARM_LOW:
		*val = (u32)r->alarm;
		break;
	case RTC_ALARM_HIGH:
		*val = (u32)(r->alarm >> 32);
		break;
	case RTC_IRQ_ENABLED:
		*val = r->irq_enabled;
		break;
	case RTC_ALARM_STATUS:
		alarm_check(r, now_ns(r));
		*val = r->alarm_running;
		break;
	default: /* CLEAR_ALARM and CLEAR_INTERRUPT are write-only */
		*val = 0;
		break;
	}
	return 0;
}

static int rtc_write(struct emu_dev *d, u64 off, unsigned int size, u64 val)
{
	struct goldfish_rtc *r = state(d);
	u64 t;

	if (!valid(off, size))
		return -EINVAL;
	switch (off) {
	case RTC_TIME_LOW:
	case RTC_TIME_HIGH:
		t = now_ns(r);
		r->offset += deposit(t, off == RTC_TIME_HIGH, (u32)val) - t;
		break;
	case RTC_ALARM_LOW:
		r->alarm = deposit(r->alarm, false, (u32)val);
		r->alarm_running = true;
		alarm_check(r, now_ns(r));
		break;
	case RTC_ALARM_HIGH:
		r->alarm = deposit(r->alarm, true, (u32)val);
		break;
	case RTC_IRQ_ENABLED:
		r->irq_enabled = val & 1;
		break;
	case RTC_CLEAR_ALARM:
		r->alarm_running = false;
		break;
	case RTC_CLEAR_INTERRUPT:
		r->irq_pending = false;
		break;
	default: /* ALARM_STATUS is read-only */
		break;
	}
	return 0;
}

static bool rtc_irq_pending(struct emu_dev *d)
{
	return state(d)->irq_pending && state(d)->irq_enabled;
}

static u64 rtc_deadline(struct emu_dev *d, u64 now)
{
	struct goldfish_rtc *r = state(d);
	/*
	 * One reading of the time, @now's: the alarm is due or still ahead of
	 * that very time.  A second reading, later, could pass the alarm, and the
	 * distance to it would wrap into a deadline centuries away.
	 */
	u64 t = wallclock_ns_at(now) + r->offset;

	alarm_check(r, t);
	if (!r->alarm_running)
		return UINT64_MAX;
	/* One tick late rather than early: ticks are coarser than ns. */
	return now + ns_to_ticks(r->alarm - t) + 1;
}

EMULATOR_DECLARE(goldfish_rtc, "google,goldfish-rtc", .state_size = sizeof(struct goldfish_rtc),
		 .min_size = RTC_REGS, .read = rtc_read, .write = rtc_write,
		 .irq_pending = rtc_irq_pending, .deadline = rtc_deadline);
