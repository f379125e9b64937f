/* pkg list: the files of the guest package (the initrd). */
#include "core/cmd.h"
#include "core/package.h"
#include "core/printk.h"

static int pkg_list(int argc, char **argv)
{
	const void *base;
	size_t size, off = 0;
	struct cpio_entry e;
	unsigned int n = 0;
	u64 bytes = 0;

	if (argc != 1)
		return cmd_error("usage: pkg list");
	if (package_get(&base, &size))
		return cmd_error("pkg: no guest package (pass a cpio archive as the initrd)");
	printk("%10s  %s\n", "SIZE", "NAME");
	while (cpio_next(base, size, &off, &e) == 1) {
		if ((e.mode & CPIO_MODE_TYPE) != CPIO_MODE_REG)
			continue;
		printk("%10lu  %s\n", (unsigned long)e.size, e.name);
		n++;
		bytes += e.size;
	}
	printk("%u files, %lu bytes\n", n, (unsigned long)bytes);
	return 0;
}

static const struct subcmd pkg_subs[] = {
	{ "list", "", "files in the guest package (the initrd cpio archive)", pkg_list },
};

CMD_DECLARE(pkg, .name = "pkg", .summary = "the guest package", .subs = pkg_subs,
	    .nr_subs = ARRAY_SIZE(pkg_subs));
