/* The guest package: a cpio (newc) archive handed over as the initrd. */
#ifndef CORE_PACKAGE_H
#define CORE_PACKAGE_H

#include "libs/cpio.h"

/* Look at the initrd from the DT; prints one line about what it found. */
void package_init(const void *fdt);
/* The package itself: 0 with @base/@size, or -ENOENT when there is none. */
int package_get(const void **base, size_t *size);
int package_find(const char *name, struct cpio_entry *e);

#endif
