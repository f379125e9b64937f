/*
 * The SiFive test device of QEMU virt ("sifive,test1", "sifive,test0",
 * "syscon"; QEMU's hw/misc/sifive_test.c), the guest's power control: a
 * write at offset 0 of 0x5555 powers the guest off (it stops, "poweroff"),
 * 0x7777 resets it, 0x3333 with a code in the upper half stops it with a
 * failure reason.  Other values and offsets are ignored and reads give 0.
 * 16- and 32-bit accesses, naturally aligned, inside QEMU's 0x1000 bytes;
 * anything else is refused (QEMU faults it): the guest halts.  The generated
 * DTB gets syscon-poweroff and syscon-reboot nodes on it, as QEMU virt's.
 */
#include "core/emulator.h"
#include "core/guest.h"
#include <libfdt.h>
#include <stdio.h>

#define TEST_FAIL 0x3333
#define TEST_PASS 0x5555  /* syscon-poweroff's value */
#define TEST_RESET 0x7777 /* syscon-reboot's value */
#define TEST_WINDOW 0x1000

static bool valid(u64 off, unsigned int size)
{
	return (size == 2 || size == 4) && !(off & (size - 1)) && off < TEST_WINDOW;
}

static int test_read(struct emu_dev *d, u64 off, unsigned int size, u64 *val)
{
	*val = 0;
	return valid(off, size) ? 0 : -EINVAL;
}

static int test_write(struct emu_dev *d, u64 off, unsigned int size, u64 val)
{
	char why[80];

	if (!valid(off, size))
		return -EINVAL;
	if (off)
		return 0;
	switch (val & 0xffff) {
	case TEST_PASS:
		guest_stop(d->guest, GUEST_STOPPED, "poweroff through %s", d->name);
		break;
	case TEST_FAIL:
		guest_stop(d->guest, GUEST_STOPPED, "failure (code %lu) through %s",
			   (unsigned long)(val >> 16 & 0xffff), d->name);
		break;
	case TEST_RESET:
		snprintf(why, sizeof(why), "reboot through %s", d->name);
		guest_request_reset(d->guest, why);
		break;
	default:
		break;
	}
	return 0;
}

static int test_fdt_props(const struct emu_dev *d, void *fdt)
{
	return fdt_property_u32(fdt, "phandle", EMU_PHANDLE_DEV(d));
}

static int syscon_node(void *fdt, const char *name, const char *compatible, u32 value, u32 regmap)
{
	int err = 0;

#define T(x) (err = err ? err : (x))
	T(fdt_begin_node(fdt, name));
	T(fdt_property_u32(fdt, "value", value));
	T(fdt_property_u32(fdt, "offset", 0));
	T(fdt_property_u32(fdt, "regmap", regmap));
	T(fdt_property_string(fdt, "compatible", compatible));
	T(fdt_end_node(fdt));
#undef T
	return err;
}

/* /poweroff and /reboot, as on QEMU virt: for the first such device only. */
static int test_fdt_root(const struct emu_dev *d, void *fdt)
{
	for (u32 i = 0; i < d->index; i++)
		if (d->guest->devs[i]->emu == d->emu)
			return 0;
	return syscon_node(fdt, "poweroff", "syscon-poweroff", TEST_PASS, EMU_PHANDLE_DEV(d))
		       ?: syscon_node(fdt, "reboot", "syscon-reboot", TEST_RESET,
				      EMU_PHANDLE_DEV(d));
}

EMULATOR_DECLARE(sifive_test, "sifive,test1\0sifive,test0\0syscon", .min_size = 4,
		 .read = test_read, .write = test_write, .fdt_props = test_fdt_props,
		 .fdt_root = test_fdt_root);
EMULATOR_ALIAS(sifive_test0, "sifive,test0");
