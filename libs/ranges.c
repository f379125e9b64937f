#include "libs/ranges.h"

int range_subtract(const struct range *ram, int nr_ram, const struct range *res, int nr_res,
		   struct range *out, int max, u64 align)
{
	int n = 0;

	for (int i = 0; i < nr_ram; i++) {
		u64 cur = ALIGN_UP(ram[i].base, align);
		u64 end = ALIGN_DOWN(ram[i].base + ram[i].size, align);

		while (cur < end) {
			u64 rb = end, re = end;

			/* The lowest reservation still ahead of cur. */
			for (int j = 0; j < nr_res; j++) {
				u64 b = ALIGN_DOWN(res[j].base, align);
				u64 e = ALIGN_UP(res[j].base + res[j].size, align);

				if (res[j].size && e > cur && b < rb) {
					rb = b;
					re = e;
				}
			}
			if (rb > cur) {
				if (n >= max)
					return -E2BIG;
				out[n].base = cur;
				out[n].size = MIN(rb, end) - cur;
				n++;
			}
			cur = MAX(cur, re);
		}
	}
	return n;
}
