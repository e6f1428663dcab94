/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Bulk map I/O for the table-mode maps: BPF_MAP_*_BATCH where the kernel
 * has it for the map type, element by element where it refuses (the LPM
 * trie has no batch operations; the arrays and hashes do). The first
 * refusal is remembered in the caller's struct map_batch so later calls go
 * straight to the element path.
 */
#ifndef XR_MAP_BATCH_H
#define XR_MAP_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* Elements per batch syscall: big enough to amortise, small in memory. */
#define MAP_BATCH_SIZE 8192

/* Largest key and value map_batch_walk() takes. */
#define MAP_BATCH_MAX_KEY 64
#define MAP_BATCH_MAX_VALUE 256

struct map_batch {
	bool refused;		/* the kernel refused a batch operation */
};

typedef int (*map_batch_fn)(void *ctx, const void *key, const void *val);

int map_max_entries(int fd, __u32 *max);

/* Updates @n elements, in order, each atomically (BPF_ANY). */
int map_batch_update(struct map_batch *b, int fd, const void *keys,
		     const void *vals, size_t n, size_t ksz, size_t vsz);

/* Deletes @n keys; keys already gone are fine. */
int map_batch_delete(struct map_batch *b, int fd, const void *keys, size_t n,
		     size_t ksz);

/* Calls @fn for every element of a hash-like map (LPM trie, hash); stops
 * at and returns @fn's first non-zero result. */
int map_batch_walk(struct map_batch *b, int fd, size_t ksz, size_t vsz,
		   map_batch_fn fn, void *ctx);

/* Reads array @fd's first @max values of @vsz bytes into @out. */
int map_batch_read_array(struct map_batch *b, int fd, __u32 max, size_t vsz,
			 void *out);

#endif
