// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The packet fuzzer's random source and its draws (fuzz_gen.h). */

#include "fuzz_gen.h"

/* splitmix64: small, fast, and every seed is a good one. */
__u64 fz_next(struct fz_rng *r)
{
	__u64 z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

__u32 fz_below(struct fz_rng *r, __u32 n)
{
	return n ? fz_next(r) % n : 0;
}

bool fz_chance(struct fz_rng *r, unsigned int percent)
{
	return fz_below(r, 100) < percent;
}

void fz_fill(struct fz_rng *r, __u8 *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = fz_next(r);
}

const char *fz_pick(struct fz_rng *r, const char *const *pool)
{
	int n = 0;

	while (pool[n])
		n++;
	return pool[fz_below(r, n)];
}
