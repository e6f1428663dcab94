/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Weighted Maglev lookup tables (Eisenbud et al., NSDI 2016), as a pure
 * function of the backend set: the same backends (their keys and weights),
 * given in any order, always give the same table. Nothing here knows backend
 * ids; the caller maps table entries to ids when it writes them.
 *
 * Each backend's key (its address and port) is hashed with fixed seeds into
 * an offset and a skip, which make a permutation of the table's slots (the
 * size is prime, so every skip walks all slots). Backends, sorted by key,
 * take turns claiming their next free slot; a backend of weight w claims a
 * slot on w of every max_weight turns, so it ends up with a share of the
 * table proportional to its weight.
 */
#ifndef XR_MAGLEV_H
#define XR_MAGLEV_H

#include <stddef.h>
#include <stdint.h>

#define MAGLEV_KEY_MAX 20

struct maglev_backend {
	uint8_t key[MAGLEV_KEY_MAX];	/* identity: address, port */
	uint32_t weight;		/* > 0; 0: left out */
};

/* The two fixed-seed hashes of a key (exposed for tests). */
uint64_t maglev_hash(const uint8_t *key, size_t len, uint64_t seed);

/*
 * Fills @table (@size slots, @size prime) with indexes into @b, or -1 for
 * every slot when no backend has a weight. Returns 0, or -EINVAL (size not
 * prime or too small), -ENOMEM.
 */
int maglev_build(const struct maglev_backend *b, size_t n, uint32_t size,
		 int32_t *table);

#endif /* XR_MAGLEV_H */
