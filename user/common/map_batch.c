// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Bulk map I/O, batched where the kernel can; see map_batch.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "bpf_info.h"
#include "map_batch.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524	/* the kernel's, for map types without batches */
#endif

int map_max_entries(int fd, __u32 *max)
{
	struct bpf_map_info info;
	int err = map_info(fd, &info);

	*max = info.max_entries;
	return err;
}

static bool batch_refused(int err)
{
	return err == -ENOTSUPP || err == -EOPNOTSUPP;
}

/* Updates (@vals) or deletes (@vals NULL) @n elements. */
static int batch_write(struct map_batch *b, int fd, const void *keys,
		       const void *vals, size_t n, size_t ksz, size_t vsz)
{
	const __u8 *k = keys, *v = vals;
	size_t done = 0;
	int err;

	while (done < n && !b->refused) {
		__u32 cnt = n - done > MAP_BATCH_SIZE ? MAP_BATCH_SIZE
						      : n - done;

		err = v ? bpf_map_update_batch(fd, k + done * ksz,
					       v + done * vsz, &cnt, NULL)
			: bpf_map_delete_batch(fd, k + done * ksz, &cnt, NULL);
		if (!err) {
			done += cnt;
			continue;
		}
		if (batch_refused(err) && !cnt) {
			b->refused = true;
			break;
		}
		if (v || err != -ENOENT)
			return err;
		done += cnt + 1;	/* skip the missing key */
	}
	for (; done < n; done++) {
		err = v ? bpf_map_update_elem(fd, k + done * ksz,
					      v + done * vsz, BPF_ANY)
			: bpf_map_delete_elem(fd, k + done * ksz);
		if (err && (v || err != -ENOENT))
			return err;
	}
	return 0;
}

int map_batch_update(struct map_batch *b, int fd, const void *keys,
		     const void *vals, size_t n, size_t ksz, size_t vsz)
{
	return batch_write(b, fd, keys, vals, n, ksz, vsz);
}

int map_batch_delete(struct map_batch *b, int fd, const void *keys, size_t n,
		     size_t ksz)
{
	return batch_write(b, fd, keys, NULL, n, ksz, 0);
}

/* map_batch_walk() through BPF_MAP_LOOKUP_BATCH; the token is a key. */
static int walk_batched(int fd, size_t ksz, size_t vsz, map_batch_fn fn,
			void *ctx)
{
	__u8 *keys = calloc(MAP_BATCH_SIZE, ksz);
	__u8 *vals = calloc(MAP_BATCH_SIZE, vsz);
	__u8 token[MAP_BATCH_MAX_KEY];
	bool first = true;
	int err = keys && vals ? 0 : -ENOMEM;

	while (!err) {
		__u32 cnt = MAP_BATCH_SIZE;

		err = bpf_map_lookup_batch(fd, first ? NULL : token, token,
					   keys, vals, &cnt, NULL);
		if (err && err != -ENOENT)
			break;
		if (batch_refused(err))
			break;
		for (__u32 i = 0; i < cnt; i++) {
			int e = fn(ctx, keys + i * ksz, vals + i * vsz);

			if (e) {
				free(keys);
				free(vals);
				return e;
			}
		}
		first = false;
		if (err == -ENOENT) {	/* the end */
			err = 0;
			break;
		}
	}
	free(keys);
	free(vals);
	return err;
}

int map_batch_walk(struct map_batch *b, int fd, size_t ksz, size_t vsz,
		   map_batch_fn fn, void *ctx)
{
	__u8 key[MAP_BATCH_MAX_KEY], next[MAP_BATCH_MAX_KEY];
	__u8 val[MAP_BATCH_MAX_VALUE];
	void *prev = NULL;
	int err;

	if (ksz > sizeof(key) || vsz > sizeof(val))
		return -EINVAL;
	if (!b->refused) {
		err = walk_batched(fd, ksz, vsz, fn, ctx);
		if (!batch_refused(err))
			return err;
		b->refused = true;
	}
	while (!(err = bpf_map_get_next_key(fd, prev, next))) {
		memcpy(key, next, ksz);
		prev = key;
		err = bpf_map_lookup_elem(fd, key, val);
		if (err == -ENOENT)	/* deleted meanwhile */
			continue;
		if (err)
			return err;
		err = fn(ctx, key, val);
		if (err)
			return err;
	}
	return err == -ENOENT ? 0 : err;
}

int map_batch_read_array(struct map_batch *b, int fd, __u32 max, size_t vsz,
			 void *out)
{
	__u32 *keys = malloc(MAP_BATCH_SIZE * sizeof(*keys));
	__u32 out_batch, done = 0;
	int err = 0;

	if (!keys)
		return -ENOMEM;
	while (done < max && !b->refused) {
		__u32 cnt = max - done > MAP_BATCH_SIZE ? MAP_BATCH_SIZE
							  : max - done;

		err = bpf_map_lookup_batch(fd, done ? &out_batch : NULL,
					   &out_batch, keys,
					   (__u8 *)out + (size_t)done * vsz,
					   &cnt, NULL);
		if (batch_refused(err) && !done && !cnt) {
			b->refused = true;
			break;
		}
		done += cnt;
		if (err == -ENOENT) {	/* the end */
			err = 0;
			break;
		}
		if (err)
			break;
	}
	free(keys);
	if (err || !b->refused)
		return err;
	for (__u32 id = 0; id < max; id++) {
		err = bpf_map_lookup_elem(fd, &id, (__u8 *)out + id * vsz);
		if (err)
			return err;
	}
	return 0;
}
