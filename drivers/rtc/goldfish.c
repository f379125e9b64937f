/*
 * Goldfish RTC (QEMU virt's "google,goldfish-rtc"): read once at boot, it
 * sets Keel's wall clock (core/timer.c), which then runs on the timebase.
 * Reading TIME_LOW latches the high half for TIME_HIGH.
 */
#include "core/driver.h"
#include "core/timer.h"

#define RTC_TIME_LOW 0x00
#define RTC_TIME_HIGH 0x04

static int goldfish_rtc_probe(const void *fdt, int node)
{
	volatile u32 *rtc;
	u64 base, ns;
	int err = driver_map_reg(fdt, node, &base);

	if (err)
		return err;
	rtc = (volatile u32 *)base;
	ns = rtc[RTC_TIME_LOW / 4];
	ns |= (u64)rtc[RTC_TIME_HIGH / 4] << 32;
	wallclock_set(ns, "google,goldfish-rtc");
	return 0;
}

static const char *const goldfish_rtc_compat[] = { "google,goldfish-rtc", NULL };
DRIVER_DECLARE(goldfish_rtc, .name = "goldfish-rtc", .compatible = goldfish_rtc_compat,
	       .level = DRIVER_CONSOLE, .probe = goldfish_rtc_probe);
