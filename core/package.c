#include "core/package.h"
#include "core/printk.h"
#include "libs/fdtinfo.h"

static const void *pkg_base;
static size_t pkg_size;

void package_init(const void *fdt)
{
	u64 start, end;
	unsigned int files;

	if (fdt_initrd(fdt, &start, &end) || end <= start) {
		printk("Keel: no initrd: no guest package\n");
		return;
	}
	if (cpio_validate((const void *)start, end - start, &files)) {
		printk("Keel: the initrd (%lu bytes) is not a cpio (newc) archive: no guest package\n",
		       (unsigned long)(end - start));
		return;
	}
	pkg_base = (const void *)start;
	pkg_size = end - start;
	printk("Keel: guest package: %u files, %lu KiB\n", files, (unsigned long)(pkg_size / KiB));
}

int package_get(const void **base, size_t *size)
{
	if (!pkg_base)
		return -ENOENT;
	*base = pkg_base;
	*size = pkg_size;
	return 0;
}

int package_find(const char *name, struct cpio_entry *e)
{
	if (!pkg_base)
		return -ENOENT;
	return cpio_find(pkg_base, pkg_size, name, e);
}
