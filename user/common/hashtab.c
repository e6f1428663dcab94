// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Open-addressing hash table; see hashtab.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "hashtab.h"

#define HTAB_MIN_CAP 16

uint64_t hash_bytes(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t h = len, w;

	/* Eight bytes at a time: keys are prefixes and addresses. */
	for (; len >= 8; len -= 8, p += 8) {
		memcpy(&w, p, 8);
		h = hash_mix64(h ^ w);
	}
	if (len) {
		w = 0;
		memcpy(&w, p, len);
		h = hash_mix64(h ^ w);
	}
	return hash_mix64(h);
}

/* Key comparison, inlined for the sizes populate uses. */
static inline bool key_eq(const struct htab *h, const void *a, const void *b)
{
	switch (h->key_size) {
	case 4:
		return !memcmp(a, b, 4);
	case 8:
		return !memcmp(a, b, 8);
	case 20:
		return !memcmp(a, b, 20);
	case 24:
		return !memcmp(a, b, 24);
	default:
		return !memcmp(a, b, h->key_size);
	}
}

void htab_init(struct htab *h, size_t key_size, size_t val_size)
{
	memset(h, 0, sizeof(*h));
	h->key_size = key_size;
	h->val_size = val_size;
	h->val_off = (key_size + 7) & ~(size_t)7;
	h->slot_size = (h->val_off + val_size + 7) & ~(size_t)7;
	if (h->slot_size == 0)
		h->slot_size = 8;
}

void htab_free(struct htab *h)
{
	free(h->used);
	free(h->slots);
	h->used = h->slots = NULL;
	h->cap = h->n = 0;
}

void htab_clear(struct htab *h)
{
	if (h->cap)
		memset(h->used, 0, h->cap);
	h->n = 0;
}

static inline uint8_t *slot_key(const struct htab *h, size_t i)
{
	return h->slots + i * h->slot_size;
}

static inline void *slot_val(const struct htab *h, size_t i)
{
	return h->slots + i * h->slot_size + h->val_off;
}

static size_t home_of(const struct htab *h, const void *key)
{
	return hash_bytes(key, h->key_size) & (h->cap - 1);
}

static int rehash(struct htab *h, size_t cap)
{
	uint8_t *used = calloc(cap, 1);
	uint8_t *slots = malloc(cap * h->slot_size);
	struct htab old = *h;

	if (!used || !slots) {
		free(used);
		free(slots);
		return -ENOMEM;
	}
	h->used = used;
	h->slots = slots;
	h->cap = cap;
	for (size_t i = 0; i < old.cap; i++) {
		if (!old.used[i])
			continue;
		size_t j = home_of(h, slot_key(&old, i));

		while (used[j])
			j = (j + 1) & (cap - 1);
		used[j] = 1;
		memcpy(slot_key(h, j), slot_key(&old, i), h->slot_size);
	}
	free(old.used);
	free(old.slots);
	return 0;
}

int htab_reserve(struct htab *h, size_t n)
{
	size_t cap = h->cap ? h->cap : HTAB_MIN_CAP;

	/* Load factor at most 3/4: probe sequences stay short. */
	while (cap - cap / 4 < n)
		cap *= 2;
	return cap == h->cap ? 0 : rehash(h, cap);
}

void *htab_find(const struct htab *h, const void *key)
{
	if (!h->n)
		return NULL;
	for (size_t i = home_of(h, key); h->used[i]; i = (i + 1) & (h->cap - 1))
		if (key_eq(h, slot_key(h, i), key))
			return slot_val(h, i);
	return NULL;
}

void *htab_upsert(struct htab *h, const void *key, bool *created)
{
	size_t i;

	if (created)
		*created = false;
	if (h->n + 1 > h->cap - h->cap / 4 && htab_reserve(h, h->n + 1))
		return NULL;
	for (i = home_of(h, key); h->used[i]; i = (i + 1) & (h->cap - 1))
		if (key_eq(h, slot_key(h, i), key))
			return slot_val(h, i);
	h->used[i] = 1;
	memcpy(slot_key(h, i), key, h->key_size);
	memset(slot_val(h, i), 0, h->val_size);
	h->n++;
	if (created)
		*created = true;
	return slot_val(h, i);
}

bool htab_delete(struct htab *h, const void *key)
{
	size_t mask = h->cap - 1, i, j;

	if (!h->n)
		return false;
	for (i = home_of(h, key); h->used[i]; i = (i + 1) & mask)
		if (key_eq(h, slot_key(h, i), key))
			break;
	if (!h->used[i])
		return false;
	/*
	 * Backward shift: move later members of the probe run into the hole
	 * when their home position allows it, so lookups never need
	 * tombstones.
	 */
	for (j = (i + 1) & mask; h->used[j]; j = (j + 1) & mask) {
		size_t home = home_of(h, slot_key(h, j));

		/* Can the entry at j move to i? Only if home is not in (i, j]. */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			memcpy(slot_key(h, i), slot_key(h, j), h->slot_size);
			i = j;
		}
	}
	h->used[i] = 0;
	h->n--;
	return true;
}

bool htab_next(const struct htab *h, size_t *iter, void **key, void **val)
{
	for (size_t i = *iter; i < h->cap; i++) {
		if (!h->used[i])
			continue;
		if (key)
			*key = slot_key(h, i);
		if (val)
			*val = slot_val(h, i);
		*iter = i + 1;
		return true;
	}
	*iter = h->cap;
	return false;
}
