/* A deterministic PRNG for randomized unit tests: failures reproduce on any host. */
#ifndef TESTS_UNIT_RNG_H
#define TESTS_UNIT_RNG_H

#include "libs/types.h"

static u64 rng_state;

/* xorshift64* */
static inline u64 rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static inline u64 rng_below(u64 n)
{
	return rng() % n;
}

#endif
