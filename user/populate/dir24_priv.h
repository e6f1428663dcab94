/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the two halves of the DIR-24-8 writer share (dir24.h): the entry
 * encoding, and the id pools, leaves and painting of dir24.c that
 * dir24_sync.c (the whole table at once, resuming) uses too.
 */
#ifndef XR_DIR24_PRIV_H
#define XR_DIR24_PRIV_H

#include "dir24.h"

#define TBL24_N (XR_DIR24_BLOCKS * XR_DIR_BLOCK)
#define GROUP_N XR_DIR_BLOCK

/* ---- entries ---- */

static inline __u32 ent_leaf(__u32 leaf, unsigned int plen)
{
	return XR_DIR_F_VALID | plen << XR_DIR_DEPTH_SHIFT | leaf;
}

static inline unsigned int ent_depth(__u32 e)
{
	return e >> XR_DIR_DEPTH_SHIFT & XR_DIR_DEPTH_MASK;
}

/* The entry of a prefix of length @plen (not of a shorter one). */
static inline bool ent_is(__u32 e, unsigned int plen)
{
	return (e & XR_DIR_F_VALID) && ent_depth(e) == plen;
}

/*
 * One atomic store, ordered after every earlier one (a group's or leaf's
 * contents before the entry that makes them reachable). Unchanged entries
 * are not written: a sync that finds the table right dirties no page.
 */
static inline void ent_store(__u32 *slot, __u32 e)
{
	if (__atomic_load_n(slot, __ATOMIC_RELAXED) != e)
		__atomic_store_n(slot, e, __ATOMIC_RELEASE);
}

static inline __u32 *group_at(const struct dir24 *d, __u32 g)
{
	return d->tbl8 + (size_t)g * GROUP_N;
}

/* The group a /24's entry points at, or -1 (none, or out of range). */
static inline long ent_group(const struct dir24 *d, __u32 e)
{
	if (!(e & XR_DIR_F_EXT) || (e & XR_DIR_ID_MASK) >= d->ngroups)
		return -1;
	return e & XR_DIR_ID_MASK;
}

static inline __u32 pfx_mask(unsigned int plen)
{
	return plen ? ~0U << (32 - plen) : 0;
}

static inline __u64 pfx_key(__u32 addr, unsigned int plen)
{
	return (__u64)addr << 8 | plen;
}

void dir24_pool_put(struct dir24_pool *p, __u32 id);
int dir24_pool_get(struct dir24_pool *p, __u32 *id);
void dir24_leaf_norm(struct xr_route *k, const struct xr_route *rt);
int dir24_leaf_get(struct dir24 *d, const struct xr_route *rt, __u32 *id);
void dir24_paint(__u32 *t, size_t first, size_t n, unsigned int plen,
		 __u32 e);

#endif /* XR_DIR24_PRIV_H */
