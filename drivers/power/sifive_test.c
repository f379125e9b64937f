/*
 * SiFive test finisher (QEMU virt's "sifive,test0"/"sifive,test1"): used only
 * to end the machine with a failure status after a panic.  Normal shutdown
 * and reboot stay with SBI SRST (OpenSBI drives this device for those).
 */
#include "core/driver.h"
#include "core/power.h"

#define FINISHER_FAIL 0x3333

static volatile u32 *finisher;

static void sifive_test_fail(u32 code)
{
	*finisher = FINISHER_FAIL | (code << 16);
}

static int sifive_test_probe(const void *fdt, int node)
{
	u64 base;
	int err;

	if (finisher)
		return -ENODEV;
	err = driver_map_reg(fdt, node, &base);
	if (err)
		return err;
	finisher = (volatile u32 *)base;
	power_register_fail(sifive_test_fail);
	return 0;
}

static const char *const sifive_test_compat[] = { "sifive,test1", "sifive,test0", NULL };
DRIVER_DECLARE(sifive_test, .name = "sifive-test", .compatible = sifive_test_compat,
	       .level = DRIVER_CONSOLE, .probe = sifive_test_probe);
