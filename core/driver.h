/* Host drivers, matched by device-tree compatible, registered by declaration. */
#ifndef CORE_DRIVER_H
#define CORE_DRIVER_H

#include "libs/types.h"

enum driver_level { DRIVER_IRQCHIP, DRIVER_CONSOLE, DRIVER_LEVELS };

struct driver {
	const char *name;
	const char *const *compatible; /* NULL-terminated */
	enum driver_level level;
	/* 0 = bound, -ENODEV = not for us (silently skipped), else an error. */
	int (*probe)(const void *fdt, int node);
};

#define DRIVER_DECLARE(id, ...)                \
	static const struct driver driver_##id \
		__attribute__((section("keel_drivers." #id), used, aligned(8))) = { __VA_ARGS__ }

struct driver_binding {
	const struct driver *drv;
	char path[64];
	int err;
};

void drivers_probe(const void *fdt);
/* A probe's registers: the node's first reg mapped (a page when it gives no size). */
int driver_map_reg(const void *fdt, int node, u64 *base);
unsigned int driver_bindings(const struct driver_binding **out);

#endif
