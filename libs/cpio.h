/* Reading cpio "newc" archives (guest packages arrive as one, the initrd). */
#ifndef LIBS_CPIO_H
#define LIBS_CPIO_H

#include "libs/types.h"

#define CPIO_MODE_TYPE 0170000
#define CPIO_MODE_REG 0100000
#define CPIO_MODE_DIR 0040000

struct cpio_entry {
	const char *name; /* NUL-terminated inside the archive */
	const void *data;
	u64 size;
	u32 mode;
};

/*
 * Step through the archive: *off starts at 0.  Returns 1 and fills @e for an
 * entry, 0 at the trailer, or -EINVAL for a malformed archive (bad magic,
 * a field that is not hex, a name or data running past @size).
 */
int cpio_next(const void *archive, size_t size, size_t *off, struct cpio_entry *e);
/* The regular file @name ("./" prefixes ignored): 0, -ENOENT or -EINVAL. */
int cpio_find(const void *archive, size_t size, const char *name, struct cpio_entry *e);
/* 0 when the whole archive parses up to its trailer. */
int cpio_validate(const void *archive, size_t size, unsigned int *nr_files);

#endif
