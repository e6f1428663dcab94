// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Weighted Maglev tables; see maglev.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "hashtab.h"
#include "maglev.h"

/* Fixed forever: changing them moves every flow of every cluster. */
#define MAGLEV_SEED_OFFSET 0x9e3779b97f4a7c15ULL
#define MAGLEV_SEED_SKIP 0xc2b2ae3d27d4eb4fULL

/* FNV-1a over the bytes, seeded, then a full avalanche. */
uint64_t maglev_hash(const uint8_t *key, size_t len, uint64_t seed)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;

	for (size_t i = 0; i < len; i++) {
		h ^= key[i];
		h *= 0x100000001b3ULL;
	}
	return hash_mix64(h ^ len);
}

/* True if @n is prime (for the size checks). */
static int maglev_is_prime(uint32_t n)
{
	if (n < 2)
		return 0;
	for (uint32_t d = 2; (uint64_t)d * d <= n; d++)
		if (n % d == 0)
			return 0;
	return 1;
}

struct slot {
	size_t idx;		/* into the caller's array */
	uint32_t weight;
	uint32_t pos;		/* next slot of its permutation */
	uint32_t skip;
	uint32_t credit;
};

static const struct maglev_backend *sort_base;

static int by_key(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	return memcmp(sort_base[x->idx].key, sort_base[y->idx].key,
		      MAGLEV_KEY_MAX);
}

int maglev_build(const struct maglev_backend *b, size_t n, uint32_t size,
		 int32_t *table)
{
	uint32_t max_weight = 0, filled = 0;
	struct slot *s;
	size_t m = 0;

	if (size < 3 || !maglev_is_prime(size))
		return -EINVAL;
	for (uint32_t i = 0; i < size; i++)
		table[i] = -1;
	s = calloc(n ? n : 1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (!b[i].weight)
			continue;
		s[m].idx = i;
		s[m].weight = b[i].weight;
		s[m].pos = maglev_hash(b[i].key, MAGLEV_KEY_MAX,
				       MAGLEV_SEED_OFFSET) % size;
		s[m].skip = maglev_hash(b[i].key, MAGLEV_KEY_MAX,
					MAGLEV_SEED_SKIP) % (size - 1) + 1;
		if (b[i].weight > max_weight)
			max_weight = b[i].weight;
		m++;
	}
	/* The order of turns decides ties: make it the keys' order. */
	sort_base = b;
	qsort(s, m, sizeof(*s), by_key);
	while (m && filled < size) {
		for (size_t i = 0; i < m && filled < size; i++) {
			struct slot *x = &s[i];

			x->credit += x->weight;
			if (x->credit < max_weight)
				continue;
			x->credit -= max_weight;
			while (table[x->pos] >= 0) {
				x->pos += x->skip;
				if (x->pos >= size)
					x->pos -= size;
			}
			table[x->pos] = (int32_t)x->idx;
			x->pos += x->skip;
			if (x->pos >= size)
				x->pos -= size;
			filled++;
		}
	}
	free(s);
	return 0;
}
