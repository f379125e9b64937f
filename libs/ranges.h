/* Address ranges: the arithmetic behind memory discovery. */
#ifndef LIBS_RANGES_H
#define LIBS_RANGES_H

#include "libs/types.h"

struct range {
	u64 base, size;
};

/*
 * Write to @out the parts of @ram not covered by any of @res (which may
 * overlap each other), with every bound rounded inwards to @align.
 * Returns the count, or -E2BIG when more than @max parts result.
 */
int range_subtract(const struct range *ram, int nr_ram, const struct range *res, int nr_res,
		   struct range *out, int max, u64 align);

#endif
