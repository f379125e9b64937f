#include "libs/cpio.h"
#include <string.h>

#define HDR_LEN 110
#define FIELD(n) (6 + 8 * (n))
#define F_MODE 1
#define F_FILESIZE 6
#define F_NAMESIZE 11

static int hex8(const char *p, u32 *out)
{
	u32 v = 0;

	for (int i = 0; i < 8; i++) {
		char c = p[i];

		if (c >= '0' && c <= '9')
			v = v << 4 | (u32)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (u32)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v << 4 | (u32)(c - 'A' + 10);
		else
			return -EINVAL;
	}
	*out = v;
	return 0;
}

int cpio_next(const void *archive, size_t size, size_t *off, struct cpio_entry *e)
{
	const char *a = archive, *h;
	u32 mode, filesize, namesize;
	size_t name_off, data_off;

	if (*off > size || size - *off < HDR_LEN)
		return -EINVAL;
	h = a + *off;
	if (memcmp(h, "070701", 6) && memcmp(h, "070702", 6))
		return -EINVAL;
	if (hex8(h + FIELD(F_MODE), &mode) || hex8(h + FIELD(F_FILESIZE), &filesize) ||
	    hex8(h + FIELD(F_NAMESIZE), &namesize) || namesize == 0)
		return -EINVAL;
	name_off = *off + HDR_LEN;
	if (namesize > size - name_off || a[name_off + namesize - 1] != '\0')
		return -EINVAL;
	data_off = ALIGN_UP(name_off + namesize, 4);
	if (data_off > size || filesize > size - data_off)
		return -EINVAL;
	e->name = a + name_off;
	e->mode = mode;
	e->size = filesize;
	e->data = a + data_off;
	if (!strcmp(e->name, "TRAILER!!!"))
		return 0;
	*off = ALIGN_UP(data_off + filesize, 4);
	return 1;
}

static const char *strip_dot_slash(const char *s)
{
	while (s[0] == '.' && s[1] == '/')
		s += 2;
	return s;
}

int cpio_find(const void *archive, size_t size, const char *name, struct cpio_entry *e)
{
	size_t off = 0;
	int r;

	name = strip_dot_slash(name);
	while ((r = cpio_next(archive, size, &off, e)) == 1)
		if ((e->mode & CPIO_MODE_TYPE) == CPIO_MODE_REG &&
		    !strcmp(strip_dot_slash(e->name), name))
			return 0;
	return r < 0 ? r : -ENOENT;
}

int cpio_validate(const void *archive, size_t size, unsigned int *nr_files)
{
	struct cpio_entry e;
	size_t off = 0;
	unsigned int n = 0;
	int r;

	while ((r = cpio_next(archive, size, &off, &e)) == 1)
		n += (e.mode & CPIO_MODE_TYPE) == CPIO_MODE_REG;
	*nr_files = n;
	return r;
}
