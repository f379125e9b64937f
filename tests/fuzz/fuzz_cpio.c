/* libFuzzer: the cpio reader on arbitrary bytes never reads out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libs/cpio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so ASan sees any read past the end. */
	char *buf = malloc(size ? size : 1);
	struct cpio_entry e;
	size_t off = 0;
	unsigned int files;
	int r;

	memcpy(buf, data, size);
	while ((r = cpio_next(buf, size, &off, &e)) == 1) {
		/* The next offset may run into missing padding; no further. */
		if (off > size + 3)
			abort();
		if (e.size &&
		    ((const char *)e.data < buf || (const char *)e.data + e.size > buf + size))
			abort();
		if (strlen(e.name) == (size_t)-1)
			abort();
	}
	cpio_validate(buf, size, &files);
	cpio_find(buf, size, "guests/basic.dtb", &e);
	free(buf);
	return 0;
}
