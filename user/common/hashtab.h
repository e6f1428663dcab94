/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A small open-addressing hash table with fixed-size keys and values stored
 * inline (linear probing, backward-shift deletion: no tombstones), for the
 * million-entry tables populate keeps: one allocation per table, not one per
 * entry. Keys are compared as bytes, so callers zero their padding.
 *
 * Value pointers stay valid until the next insert or delete.
 */
#ifndef XR_HASHTAB_H
#define XR_HASHTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct htab {
	size_t key_size;
	size_t val_size;
	size_t val_off;		/* the value's offset in a slot: 8-aligned */
	size_t slot_size;	/* key + value, rounded up for alignment */
	size_t cap;		/* slots, a power of two (0: nothing allocated) */
	size_t n;		/* entries */
	uint8_t *used;		/* one byte per slot */
	uint8_t *slots;
};

void htab_init(struct htab *h, size_t key_size, size_t val_size);
void htab_free(struct htab *h);
void htab_clear(struct htab *h);

/* The value stored under @key, or NULL. */
void *htab_find(const struct htab *h, const void *key);

/*
 * The value under @key, inserted zeroed if it was absent (*@created then
 * true). NULL if out of memory.
 */
void *htab_upsert(struct htab *h, const void *key, bool *created);

/*
 * Makes room for @n entries in all, so that inserting up to them does not
 * rehash (each rehash moves every entry); 0 or -ENOMEM.
 */
int htab_reserve(struct htab *h, size_t n);

/* Removes @key; false if it was absent. */
bool htab_delete(struct htab *h, const void *key);

/*
 * Iteration: for (size_t i = 0; htab_next(h, &i, &k, &v); ) { ... }
 * The table must not change during the walk.
 */
bool htab_next(const struct htab *h, size_t *iter, void **key, void **val);

/* 64-bit hash of @len bytes. */
uint64_t hash_bytes(const void *data, size_t len);

/*
 * The murmur3 finaliser: every input bit reaches every output bit. Never
 * to change: Maglev's rings (maglev.c) are built with it.
 */
static inline uint64_t hash_mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

#endif /* XR_HASHTAB_H */
