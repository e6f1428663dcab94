// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The DIR-24-8 table as a whole (dir24.h): rebuilt to equal a list of
 * prefixes writing only what differs, or resumed as its last writer left
 * it; dir24.c makes the changes one at a time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "dir24_priv.h"

struct sync_state {
	__u32 *want24;		/* the /24 entries, as if no group existed */
	size_t *longs;		/* indices of prefixes longer than /24 */
	size_t nlongs, nslots;	/* ... and the /24s they are in */
	__u8 *in_pool;		/* per leaf */
	__u8 *group_seen;	/* enum group_state */
};

/* What dir24_sync() does with each group. */
enum group_state {
	GROUP_UNUSED,		/* nothing pointed at it: in the pool */
	GROUP_OLD,		/* the old table points at it */
	GROUP_KEPT,		/* rewritten in place */
	GROUP_UNLINKED,		/* its /24 no longer points at it: pooled */
};

static const struct dir24_route *sort_base;

static int cmp_long(const void *a, const void *b)
{
	__u32 x = sort_base[*(const size_t *)a].addr >> 8;
	__u32 y = sort_base[*(const size_t *)b].addr >> 8;

	return x < y ? -1 : x > y;
}

/* Whether any of a block's n entries points at a group (vectorised). */
static bool block_has_ext(const __u32 *e, size_t n)
{
	__u32 any = 0;

	for (size_t i = 0; i < n; i++)
		any |= e[i];
	return any & XR_DIR_F_EXT;
}

/* The groups the old table points at: kept where they still serve. */
static void sync_scan(struct dir24 *d, struct sync_state *s)
{
	for (size_t b = 0; b < TBL24_N; b += XR_DIR_BLOCK) {
		if (!block_has_ext(d->tbl24 + b, XR_DIR_BLOCK))
			continue;
		for (size_t i = b; i < b + XR_DIR_BLOCK; i++) {
			long g = ent_group(d, d->tbl24[i]);

			if (g >= 0 && s->group_seen[g] == GROUP_UNUSED)
				s->group_seen[g] = GROUP_OLD;
		}
	}
}

/*
 * Leaves: the old table's values keep their ids. Any leaf with a value
 * may be named by the old table (they are written before being named and
 * never cleared), so only empty ones are free until the new table is in.
 */
static int sync_leaves(struct dir24 *d, struct sync_state *s)
{
	htab_clear(&d->leaf_of);
	htab_clear(&d->pfx);
	memset(d->leaf_ref, 0, d->nleaves * sizeof(*d->leaf_ref));
	d->free_leaves.head = d->free_leaves.n = 0;
	for (__u32 id = 0; id < d->nleaves; id++) {
		struct xr_route k;
		bool created;
		__u32 *v;

		if (id == DIR24_LEAF_MARK)
			continue;
		if (d->leaves[id].rt.type == XR_RT_INVALID) {
			s->in_pool[id] = 1;
			dir24_pool_put(&d->free_leaves, id);
			continue;
		}
		dir24_leaf_norm(&k, &d->leaves[id].rt);
		v = htab_upsert(&d->leaf_of, &k, &created);
		if (!v)
			return -ENOMEM;
		if (created) {
			*v = id;
			d->leaves[id].rt = k;
		}
	}
	return 0;
}

/* Whether @routes fit at all, before anything is written. */
static int sync_fits(struct dir24 *d, const struct dir24_route *routes,
		     size_t n, struct sync_state *s)
{
	dir24_plan_begin(d);
	for (size_t i = 0; i < n; i++) {
		struct xr_route k;

		dir24_leaf_norm(&k, &routes[i].rt);
		if (!htab_find(&d->leaf_of, &k) &&
		    !htab_upsert(&d->plan_leaves, &k, NULL))
			return -ENOMEM;
	}
	for (size_t i = 0; i < s->nlongs; i++)
		if (!i || cmp_long(&s->longs[i - 1], &s->longs[i]))
			s->nslots++;
	if (d->plan_leaves.n > d->free_leaves.n)
		d->full = XR_MAP_DIR_LEAVES_V4;
	else if (s->nslots > d->ngroups)
		d->full = XR_MAP_DIR8_V4;
	return d->full ? -ENOSPC : 0;
}

/* A /24 with longer prefixes: its group's entries, in @want. */
static void sync_group_want(struct dir24 *d, struct sync_state *s,
			    const struct dir24_route *routes, size_t slot,
			    size_t *at, __u32 *want)
{
	for (size_t j = 0; j < GROUP_N; j++)
		want[j] = s->want24[slot];
	for (; *at < s->nlongs &&
	       routes[s->longs[*at]].addr >> 8 == slot; (*at)++) {
		const struct dir24_route *r = &routes[s->longs[*at]];
		const __u32 *leaf = htab_find(&d->pfx, &(__u64){
			pfx_key(r->addr & pfx_mask(r->plen), r->plen) });

		dir24_paint(want, r->addr & 0xff, (size_t)1 << (32 - r->plen),
		      r->plen, ent_leaf(*leaf, r->plen));
	}
}

/*
 * First pass: every /24 that keeps or loses its group (rewritten in place,
 * or unlinked and freed), and every /24 without one; blocks found equal
 * are skipped whole.
 */
static void sync_keep(struct dir24 *d, struct sync_state *s,
		      const struct dir24_route *routes)
{
	__u32 want[GROUP_N];
	size_t at = 0;

	for (size_t b = 0; b < TBL24_N; b += XR_DIR_BLOCK) {
		size_t end = b + XR_DIR_BLOCK;

		if ((at >= s->nlongs || routes[s->longs[at]].addr >> 8 >= end) &&
		    !memcmp(d->tbl24 + b, s->want24 + b,
			    XR_DIR_BLOCK * sizeof(__u32)))
			continue;
		for (size_t slot = b; slot < end; slot++) {
			long have = ent_group(d, d->tbl24[slot]);
			bool keep = have >= 0 &&
				    s->group_seen[have] == GROUP_OLD;

			if (at >= s->nlongs ||
			    routes[s->longs[at]].addr >> 8 != slot) {
				ent_store(&d->tbl24[slot], s->want24[slot]);
				if (keep) {
					s->group_seen[have] = GROUP_UNLINKED;
					dir24_pool_put(&d->free_groups, have);
				}
				continue;
			}
			sync_group_want(d, s, routes, slot, &at, want);
			if (keep) {
				__u32 *grp = group_at(d, have);

				s->group_seen[have] = GROUP_KEPT;
				for (size_t j = 0; j < GROUP_N; j++)
					ent_store(&grp[j], want[j]);
			} else if (have >= 0) {
				/* A group another /24 points at too (a
				 * damaged table) serves that one only. */
				ent_store(&d->tbl24[slot], s->want24[slot]);
			}
		}
	}
}

/*
 * Second pass: the /24s that gain a group, from those the first pass let
 * go of too, so that a table whose long prefixes move fits as long as it
 * fits at all.
 */
static int sync_gain(struct dir24 *d, struct sync_state *s,
		     const struct dir24_route *routes)
{
	__u32 want[GROUP_N], g;
	size_t at = 0;
	int err;

	while (at < s->nlongs) {
		size_t slot = routes[s->longs[at]].addr >> 8;
		long have = ent_group(d, d->tbl24[slot]);

		if (have >= 0 && s->group_seen[have] == GROUP_KEPT) {
			while (at < s->nlongs &&
			       routes[s->longs[at]].addr >> 8 == slot)
				at++;
			continue;
		}
		sync_group_want(d, s, routes, slot, &at, want);
		err = dir24_pool_get(&d->free_groups, &g);
		if (err) {
			d->full = XR_MAP_DIR8_V4;
			return err;
		}
		memcpy(group_at(d, g), want, sizeof(want));
		s->group_seen[g] = GROUP_KEPT;
		ent_store(&d->tbl24[slot], XR_DIR_F_EXT | g);
	}
	return 0;
}

static int sync_run(struct dir24 *d, const struct dir24_route *routes,
		    size_t n, struct sync_state *s)
{
	int err;

	sync_scan(d, s);
	err = sync_leaves(d, s);
	if (err)
		return err;
	/* Groups nothing points at are free (after the grace period: the
	 * previous writer may have unlinked them a moment ago). */
	d->free_groups.head = d->free_groups.n = 0;
	for (__u32 g = 0; g < d->ngroups; g++)
		if (s->group_seen[g] == GROUP_UNUSED)
			dir24_pool_put(&d->free_groups, g);
	for (size_t i = 0; i < n; i++) {
		if (routes[i].plen > 32)
			return -EINVAL;
		if (routes[i].plen > 24)
			s->longs[s->nlongs++] = i;
	}
	sort_base = routes;
	qsort(s->longs, s->nlongs, sizeof(*s->longs), cmp_long);
	err = sync_fits(d, routes, n, s);
	if (err)
		return err;
	if (htab_reserve(&d->pfx, n))
		return -ENOMEM;

	for (size_t i = 0; i < n; i++) {
		const struct dir24_route *r = &routes[i];
		__u32 addr = r->addr & pfx_mask(r->plen), leaf, *v;
		__u64 key = pfx_key(addr, r->plen);
		bool created;

		err = dir24_leaf_get(d, &r->rt, &leaf);
		if (err)
			return err;
		v = htab_upsert(&d->pfx, &key, &created);
		if (!v)
			return -ENOMEM;
		if (!created)	/* listed twice: the last wins; freed below */
			d->leaf_ref[*v]--;
		*v = leaf;
	}
	/* The /24 entries from the prefixes up to /24, each painted over
	 * the shorter ones whatever the order. */
	for (size_t i = 0; i < n; i++) {
		const struct dir24_route *r = &routes[i];
		__u32 addr = r->addr & pfx_mask(r->plen);
		const __u32 *leaf;

		if (r->plen > 24)
			continue;
		leaf = htab_find(&d->pfx, &(__u64){ pfx_key(addr, r->plen) });
		dir24_paint(s->want24, addr >> 8, (size_t)1 << (24 - r->plen),
		      r->plen, ent_leaf(*leaf, r->plen));
	}
	sync_keep(d, s, routes);
	err = sync_gain(d, s, routes);
	if (err)
		return err;
	d->ngroups_used = s->nslots;

	/* Leaves no prefix names any more are free now. */
	for (__u32 id = DIR24_LEAF_MARK + 1; id < d->nleaves; id++) {
		const __u32 *v;

		if (d->leaf_ref[id])
			continue;
		v = htab_find(&d->leaf_of, &d->leaves[id].rt);
		if (v && *v == id)
			htab_delete(&d->leaf_of, &d->leaves[id].rt);
		else if (s->in_pool[id])
			continue;
		dir24_pool_put(&d->free_leaves, id);
	}
	return 0;
}

/* Private, zeroed, and faulted in at once rather than page by page. */
static void *big_zalloc(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

int dir24_sync(struct dir24 *d, const struct dir24_route *routes, size_t n)
{
	const size_t len24 = TBL24_N * sizeof(__u32);
	struct sync_state s = {
		.want24 = big_zalloc(len24),
		.longs = calloc(n ?: 1, sizeof(size_t)),
		.in_pool = calloc(d->nleaves, 1),
		.group_seen = calloc(d->ngroups, 1),
	};
	int err = -ENOMEM;

	d->full = NULL;
	if (s.want24 && s.longs && s.in_pool && s.group_seen)
		err = sync_run(d, routes, n, &s);
	if (!err)
		dir24_mark(d, true);
	if (s.want24)
		munmap(s.want24, len24);
	free(s.longs);
	free(s.in_pool);
	free(s.group_seen);
	return err;
}

/* ---- resuming where the last writer left off ---- */

void dir24_mark(struct dir24 *d, bool complete)
{
	__atomic_store_n(&d->leaves[DIR24_LEAF_MARK].pad,
			 complete ? DIR24_COMPLETE : 0, __ATOMIC_SEQ_CST);
}

static int resume_run(struct dir24 *d, const struct dir24_route *routes,
		      size_t n, __u8 *group_used)
{
	for (__u32 id = DIR24_LEAF_MARK + 1; id < d->nleaves; id++) {
		struct xr_route k;
		bool created;
		__u32 *v;

		if (d->leaves[id].rt.type == XR_RT_INVALID)
			continue;
		dir24_leaf_norm(&k, &d->leaves[id].rt);
		v = htab_upsert(&d->leaf_of, &k, &created);
		if (!v)
			return -ENOMEM;
		if (created)
			*v = id;
	}
	if (htab_reserve(&d->pfx, n))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct dir24_route *r = &routes[i];
		__u32 addr = r->addr & pfx_mask(r->plen), *leaf, *v;
		__u64 key = pfx_key(addr, r->plen);
		struct xr_route k;
		bool created;
		long g;

		dir24_leaf_norm(&k, &r->rt);
		leaf = htab_find(&d->leaf_of, &k);
		if (r->plen > 32 || !leaf)
			return -ESTALE;
		if (r->plen > 24) {
			g = ent_group(d, d->tbl24[addr >> 8]);
			if (g < 0)
				return -ESTALE;
			if (!group_used[g])
				d->ngroups_used++;
			group_used[g] = 1;
		}
		v = htab_upsert(&d->pfx, &key, &created);
		if (!v)
			return -ENOMEM;
		if (!created)
			return -ESTALE;
		*v = *leaf;
		d->leaf_ref[*leaf]++;
	}
	for (__u32 id = DIR24_LEAF_MARK + 1; id < d->nleaves; id++) {
		if (d->leaf_ref[id])
			continue;
		if (d->leaves[id].rt.type != XR_RT_INVALID) {
			const __u32 *v = htab_find(&d->leaf_of,
						   &d->leaves[id].rt);

			if (v && *v == id)
				htab_delete(&d->leaf_of, &d->leaves[id].rt);
		}
		dir24_pool_put(&d->free_leaves, id);
	}
	for (__u32 g = 0; g < d->ngroups; g++)
		if (!group_used[g])
			dir24_pool_put(&d->free_groups, g);
	return 0;
}

int dir24_resume(struct dir24 *d, const struct dir24_route *routes, size_t n)
{
	__u8 *group_used;
	int err;

	if (__atomic_load_n(&d->leaves[DIR24_LEAF_MARK].pad,
			    __ATOMIC_SEQ_CST) != DIR24_COMPLETE)
		return -ESTALE;
	group_used = calloc(d->ngroups, 1);
	if (!group_used)
		return -ENOMEM;
	err = resume_run(d, routes, n, group_used);
	free(group_used);
	if (err) {	/* back to nothing known: dir24_sync() starts over */
		htab_clear(&d->pfx);
		htab_clear(&d->leaf_of);
		memset(d->leaf_ref, 0, d->nleaves * sizeof(*d->leaf_ref));
		d->free_leaves.head = d->free_leaves.n = 0;
		d->free_groups.head = d->free_groups.n = 0;
		d->ngroups_used = 0;
	}
	return err;
}
