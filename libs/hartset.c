/* Sets of harts: parsing, printing, placement (see hartset.h). */
#include "libs/hartset.h"
#include <stdio.h>

#define BIT(i) (1ULL << (i))

/* A decimal index at *s (advanced past it); -1 when there is none or it is too large. */
static int index_at(const char **s)
{
	int v = 0;

	if (**s < '0' || **s > '9')
		return -1;
	while (**s >= '0' && **s <= '9') {
		v = v * 10 + (*(*s)++ - '0');
		if (v >= 1000)
			return -1;
	}
	return v;
}

int hartset_parse(const char *s, unsigned int nr, u64 *out, char *err, size_t errlen)
{
	const char *p = s;
	u64 set = 0;

	if (nr > HARTSET_MAX)
		nr = HARTSET_MAX;
	/* Any hart, those that come online later too. */
	if (s[0] == 'a' && s[1] == 'l' && s[2] == 'l' && !s[3]) {
		*out = 0;
		return 0;
	}
	for (;;) {
		int lo = index_at(&p), hi = lo;

		if (lo >= 0 && *p == '-') {
			p++;
			hi = index_at(&p);
		}
		if (lo < 0 || hi < 0 || (*p && *p != ',')) {
			snprintf(err, errlen,
				 "'%s' is not a list of harts (e.g. 1 or 0,2-3 or all)", s);
			return -EINVAL;
		}
		if (hi < lo) {
			snprintf(err, errlen, "'%s': range %d-%d is backwards", s, lo, hi);
			return -EINVAL;
		}
		if ((unsigned int)hi >= nr) {
			snprintf(err, errlen, "no hart %d (harts 0..%u)", hi, nr - 1);
			return -EINVAL;
		}
		for (int i = lo; i <= hi; i++) {
			if (set & BIT(i)) {
				snprintf(err, errlen, "'%s' names hart %d twice", s, i);
				return -EINVAL;
			}
			set |= BIT(i);
		}
		if (!*p)
			break;
		p++;
	}
	*out = set;
	return 0;
}

int hartset_format(u64 set, char *buf, size_t len)
{
	size_t n = 0;

	if (!set)
		return snprintf(buf, len, "-");
	for (unsigned int i = 0; i < HARTSET_MAX; i++) {
		unsigned int j = i;

		if (!(set & BIT(i)))
			continue;
		while (j + 1 < HARTSET_MAX && (set & BIT(j + 1)))
			j++;
		n += (size_t)snprintf(buf + MIN(n, len), len - MIN(n, len), "%s%u", n ? "," : "",
				      i);
		if (j > i)
			n += (size_t)snprintf(buf + MIN(n, len), len - MIN(n, len), "-%u", j);
		i = j;
	}
	return (int)n;
}

int hartset_least_loaded(u64 allowed, u64 tried, const unsigned int *load, unsigned int nr)
{
	int best = -1;

	for (unsigned int i = 0; i < nr && i < HARTSET_MAX; i++)
		if ((allowed & BIT(i)) && !(tried & BIT(i)) && (best < 0 || load[i] < load[best]))
			best = (int)i;
	return best;
}

int hartset_next_idle(u64 idle, unsigned int cur)
{
	/* Mostly none: a switch asks this whenever another VCPU takes the hart. */
	if (!(idle & ~BIT(cur)))
		return -1;
	for (unsigned int k = 1; k < HARTSET_MAX; k++) {
		unsigned int i = (cur + k) % HARTSET_MAX;

		if (idle & BIT(i))
			return (int)i;
	}
	return -1;
}
