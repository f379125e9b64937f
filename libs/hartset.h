/*
 * Sets of harts (a bit per hart index, at most 64): the text form the shell
 * and the console use ("0,2-3"), and the two placement decisions of the
 * scheduler, kept pure so that they are unit-tested on the host.
 */
#ifndef LIBS_HARTSET_H
#define LIBS_HARTSET_H

#include "libs/types.h"

#define HARTSET_MAX 64

/*
 * "all", or hart indexes and ranges separated by commas ("1", "0,2-3").
 * Every index below @nr (the harts that exist); none twice; not empty.
 * 0 and the set in *out (0 for "all": any hart, as an affinity), or -EINVAL
 * and why in err ("no hart 5 (harts 0..3)").
 */
int hartset_parse(const char *s, unsigned int nr, u64 *out, char *err, size_t errlen);

/* Does the affinity @set (0: any hart) allow hart @cpu? */
static inline bool hartset_allows(u64 set, unsigned int cpu)
{
	return !set || (set & (1ULL << cpu));
}

/* The text form of @set ("0-1,3"; "-" for none); snprintf's return value. */
int hartset_format(u64 set, char *buf, size_t len);

/*
 * The hart of @allowed, outside @tried, with the fewest runnable VCPUs
 * (load[i], for i < @nr); ties go to the lowest index.  -1 when none is left.
 */
int hartset_least_loaded(u64 allowed, u64 tried, const unsigned int *load, unsigned int nr);

/*
 * Where a VCPU on hart @cur goes when it could run now: the first of @idle
 * after @cur in circular order (so that VCPUs leaving one hart spread over
 * the idle ones), or -1 when @idle is empty or holds only @cur.
 */
int hartset_next_idle(u64 idle, unsigned int cur);

#endif
