/*
 * Reporting a failure to the machine: on a panic, a platform driver that can
 * end the run with a status (QEMU's sifive,test finisher) is preferred to
 * SBI SRST, whose shutdown carries no status to a test harness.
 */
#ifndef CORE_POWER_H
#define CORE_POWER_H

#include "libs/types.h"

void power_register_fail(void (*fail)(u32 code));
/* Does not return when a driver registered; returns otherwise. */
void power_fail(u32 code);

#endif
