#include "core/driver.h"
#include "arch/riscv/mmu.h"
#include "core/mm.h"
#include "core/printk.h"
#include "libs/fdtinfo.h"
#include <libfdt.h>

extern const struct driver __start_keel_drivers[], __stop_keel_drivers[];

#define MAX_BINDINGS 32
static struct driver_binding bindings[MAX_BINDINGS];
static unsigned int nr_bindings;

int driver_map_reg(const void *fdt, int node, u64 *base)
{
	u64 size;
	int err = fdt_node_reg(fdt, node, 0, base, &size);

	return err ? err : mmu_map_io(*base, size ? size : PAGE_SIZE);
}

static void probe_node(const void *fdt, int node, enum driver_level level)
{
	for (const struct driver *d = __start_keel_drivers; d < __stop_keel_drivers; d++) {
		if (d->level != level)
			continue;
		for (const char *const *c = d->compatible; *c; c++) {
			struct driver_binding *b;
			int err;

			if (!fdt_node_compatible(fdt, node, *c))
				continue;
			err = d->probe(fdt, node);
			if (err == -ENODEV)
				break;
			if (nr_bindings >= MAX_BINDINGS)
				return;
			b = &bindings[nr_bindings++];
			b->drv = d;
			b->err = err;
			if (fdt_get_path(fdt, node, b->path, sizeof(b->path)))
				b->path[0] = '\0';
			if (err)
				printk("driver %s: %s: probe failed (%d)\n", d->name, b->path, err);
			return;
		}
	}
}

void drivers_probe(const void *fdt)
{
	for (int level = 0; level < DRIVER_LEVELS; level++) {
		int node;

		for (node = fdt_next_node(fdt, -1, NULL); node >= 0;
		     node = fdt_next_node(fdt, node, NULL))
			if (fdt_node_ok(fdt, node))
				probe_node(fdt, node, level);
	}
}

unsigned int driver_bindings(const struct driver_binding **out)
{
	*out = bindings;
	return nr_bindings;
}
