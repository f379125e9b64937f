#include "core/ksyms.h"
#include <stdio.h>

/* Laid out by tools/gen-ksyms: offsets from _start, sorted, and names. */
extern const u32 ksyms_num;
extern const u32 ksyms_offsets[];
extern const u32 ksyms_name_offsets[];
extern const char ksyms_names[];
extern char _start[];

void ksyms_format(u64 addr, char *buf, size_t len)
{
	u64 off = addr - (u64)_start;
	u32 lo = 0, hi = ksyms_num;

	if (addr < (u64)_start || !ksyms_num || off < ksyms_offsets[0]) {
		snprintf(buf, len, "?");
		return;
	}
	while (hi - lo > 1) {
		u32 mid = (lo + hi) / 2;

		if (ksyms_offsets[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	snprintf(buf, len, "%s+0x%lx", ksyms_names + ksyms_name_offsets[lo],
		 (unsigned long)(off - ksyms_offsets[lo]));
}
