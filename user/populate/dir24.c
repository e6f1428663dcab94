// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The IPv4 DIR-24-8 route table; see dir24.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include "dir24.h"

#define TBL24_N (XR_DIR24_BLOCKS * XR_DIR_BLOCK)
#define GROUP_N XR_DIR_BLOCK

/* ---- entries ---- */

static __u32 ent_leaf(__u32 leaf, unsigned int plen)
{
	return XR_DIR_F_VALID | plen << XR_DIR_DEPTH_SHIFT | leaf;
}

static unsigned int ent_depth(__u32 e)
{
	return e >> XR_DIR_DEPTH_SHIFT & XR_DIR_DEPTH_MASK;
}

/* The entry of a prefix of length @plen (not of a shorter one). */
static bool ent_is(__u32 e, unsigned int plen)
{
	return (e & XR_DIR_F_VALID) && ent_depth(e) == plen;
}

/*
 * One atomic store, ordered after every earlier one (a group's or leaf's
 * contents before the entry that makes them reachable). Unchanged entries
 * are not written: a sync that finds the table right dirties no page.
 */
static void ent_store(__u32 *slot, __u32 e)
{
	if (__atomic_load_n(slot, __ATOMIC_RELAXED) != e)
		__atomic_store_n(slot, e, __ATOMIC_RELEASE);
}

static __u32 *group_at(const struct dir24 *d, __u32 g)
{
	return d->tbl8 + (size_t)g * GROUP_N;
}

/* The group a /24's entry points at, or -1 (none, or out of range). */
static long ent_group(const struct dir24 *d, __u32 e)
{
	if (!(e & XR_DIR_F_EXT) || (e & XR_DIR_ID_MASK) >= d->ngroups)
		return -1;
	return e & XR_DIR_ID_MASK;
}

static __u32 pfx_mask(unsigned int plen)
{
	return plen ? ~0U << (32 - plen) : 0;
}

static __u64 pfx_key(__u32 addr, unsigned int plen)
{
	return (__u64)addr << 8 | plen;
}

/* ---- id pools with a grace period ---- */

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int pool_init(struct dir24_pool *p, size_t cap)
{
	memset(p, 0, sizeof(*p));
	p->id = calloc(cap ?: 1, sizeof(*p->id));
	p->freed_ns = calloc(cap ?: 1, sizeof(*p->freed_ns));
	p->cap = cap;
	p->grace_ns = DIR24_GRACE_NS;
	return p->id && p->freed_ns ? 0 : -ENOMEM;
}

static void pool_free(struct dir24_pool *p)
{
	free(p->id);
	free(p->freed_ns);
	memset(p, 0, sizeof(*p));
}

static void pool_put(struct dir24_pool *p, __u32 id)
{
	size_t at = (p->head + p->n) % p->cap;

	p->id[at] = id;
	p->freed_ns[at] = now_ns();
	p->n++;
}

/*
 * The id freed longest ago; if that was less than the grace period ago,
 * waits for the rest of it: a program run that read the old entry may
 * still be reading what it named.
 */
static int pool_get(struct dir24_pool *p, __u32 *id)
{
	__u64 age;

	if (!p->n)
		return -ENOSPC;
	age = now_ns() - p->freed_ns[p->head];
	if (age < p->grace_ns) {
		__u64 wait = p->grace_ns - age;
		struct timespec ts = { .tv_sec = wait / 1000000000ULL,
				       .tv_nsec = wait % 1000000000ULL };

		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
	}
	*id = p->id[p->head];
	p->head = (p->head + 1) % p->cap;
	p->n--;
	return 0;
}

/* ---- leaves ---- */

static void leaf_norm(struct xr_route *k, const struct xr_route *rt)
{
	memset(k, 0, sizeof(*k));
	k->type = rt->type;
	k->flags = rt->flags;
	k->nh = rt->nh;
	k->mtu = rt->mtu;
}

/* The leaf holding @rt, written if new; takes a reference. */
static int leaf_get(struct dir24 *d, const struct xr_route *rt, __u32 *id)
{
	struct xr_route k;
	__u32 *v;
	int err;

	leaf_norm(&k, rt);
	v = htab_find(&d->leaf_of, &k);
	if (v) {
		*id = *v;
		d->leaf_ref[*id]++;
		return 0;
	}
	err = pool_get(&d->free_leaves, id);
	if (err) {
		d->full = XR_MAP_DIR_LEAVES_V4;
		return err;
	}
	v = htab_upsert(&d->leaf_of, &k, NULL);
	if (!v) {
		pool_put(&d->free_leaves, *id);
		return -ENOMEM;
	}
	*v = *id;
	d->leaves[*id].rt = k;
	d->leaves[*id].pad = 0;
	d->leaf_ref[*id] = 1;
	return 0;
}

/* Drops a reference: once no prefix names it, the leaf is free. */
static void leaf_put(struct dir24 *d, __u32 id)
{
	if (--d->leaf_ref[id])
		return;
	htab_delete(&d->leaf_of, &d->leaves[id].rt);
	pool_put(&d->free_leaves, id);
}

/* ---- opening ---- */

static int dir24_init(struct dir24 *d)
{
	htab_init(&d->pfx, sizeof(__u64), sizeof(__u32));
	htab_init(&d->leaf_of, sizeof(struct xr_route), sizeof(__u32));
	htab_init(&d->plan_leaves, sizeof(struct xr_route), 0);
	htab_init(&d->plan_slots, sizeof(__u32), 0);
	d->leaf_ref = calloc(d->nleaves, sizeof(*d->leaf_ref));
	if (!d->leaf_ref)
		return -ENOMEM;
	return pool_init(&d->free_leaves, d->nleaves) ?:
	       pool_init(&d->free_groups, d->ngroups);
}

int dir24_open_mem(struct dir24 *d, __u32 *tbl24, __u32 *tbl8, __u32 ngroups,
		   struct xr_dir_leaf *leaves, __u32 nleaves)
{
	int err;

	memset(d, 0, sizeof(*d));
	d->tbl24 = tbl24;
	d->tbl8 = tbl8;
	d->ngroups = ngroups;
	d->leaves = leaves;
	d->nleaves = nleaves;
	if (!ngroups || !nleaves || nleaves > XR_DIR_ID_MASK + 1 ||
	    ngroups > XR_DIR_ID_MASK + 1)
		return -EINVAL;
	err = dir24_init(d);
	if (err)
		dir24_close(d);
	return err;
}

static int map_mmap(int fd, __u32 value_size, void **mem, size_t *len,
		    __u32 *entries)
{
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info);
	void *p;

	if (bpf_obj_get_info_by_fd(fd, &info, &info_len))
		return -errno;
	if (info.value_size != value_size)
		return -EINVAL;
	*len = (size_t)info.max_entries * value_size;
	p = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		*len = 0;
		return -errno;
	}
	*mem = p;
	*entries = info.max_entries;
	return 0;
}

int dir24_open(struct dir24 *d, int fd24, int fd8, int fd_leaves)
{
	const int fd[3] = { fd24, fd8, fd_leaves };
	const __u32 vsz[3] = { sizeof(struct xr_dir_block),
			       sizeof(struct xr_dir_block),
			       sizeof(struct xr_dir_leaf) };
	void *mem[3] = {};
	size_t len[3] = {};
	__u32 entries[3] = {};
	int err = 0;

	for (int i = 0; !err && i < 3; i++)
		err = map_mmap(fd[i], vsz[i], &mem[i], &len[i], &entries[i]);
	/* A router attached in fib mode has one-entry placeholders. */
	if (!err && entries[0] != XR_DIR24_BLOCKS)
		err = -EINVAL;
	if (!err)
		err = dir24_open_mem(d, mem[0], mem[1], entries[1], mem[2],
				     entries[2]);
	if (err) {
		for (int i = 0; i < 3; i++)
			if (len[i])
				munmap(mem[i], len[i]);
		return err;
	}
	memcpy(d->map_len, len, sizeof(len));
	return 0;
}

void dir24_close(struct dir24 *d)
{
	void *mem[3] = { d->tbl24, d->tbl8, d->leaves };

	for (int i = 0; i < 3; i++)
		if (d->map_len[i])
			munmap(mem[i], d->map_len[i]);
	htab_free(&d->pfx);
	htab_free(&d->leaf_of);
	htab_free(&d->plan_leaves);
	htab_free(&d->plan_slots);
	free(d->leaf_ref);
	pool_free(&d->free_leaves);
	pool_free(&d->free_groups);
	memset(d, 0, sizeof(*d));
}

/* ---- painting ---- */

/*
 * Writes @e over the entries in [@first, @first + @n) of @t written by
 * prefixes no longer than @plen (or by none).
 */
static void paint(__u32 *t, size_t first, size_t n, unsigned int plen,
		  __u32 e)
{
	for (size_t i = first; i < first + n; i++)
		if (ent_depth(t[i]) <= plen)
			ent_store(&t[i], e);
}

/* Hands the entries of the prefix of length @plen to @repl. */
static void unpaint(__u32 *t, size_t first, size_t n, unsigned int plen,
		    __u32 repl)
{
	for (size_t i = first; i < first + n; i++)
		if (ent_is(t[i], plen))
			ent_store(&t[i], repl);
}

/* The /24s of a prefix up to /24, and the groups some of them point at. */
static void set_short(struct dir24 *d, __u32 addr, unsigned int plen,
		      __u32 e, bool del)
{
	size_t first = addr >> 8, n = (size_t)1 << (24 - plen);

	for (size_t i = first; i < first + n; i++) {
		__u32 cur = d->tbl24[i];
		long g = ent_group(d, cur);

		if (g >= 0) {
			if (del)
				unpaint(group_at(d, g), 0, GROUP_N, plen, e);
			else
				paint(group_at(d, g), 0, GROUP_N, plen, e);
		} else if (del ? ent_is(cur, plen) : ent_depth(cur) <= plen) {
			ent_store(&d->tbl24[i], e);
		}
	}
}

/* A prefix longer than /24: within its /24's group, made if need be. */
static int set_long(struct dir24 *d, __u32 addr, unsigned int plen, __u32 e)
{
	size_t slot = addr >> 8, first = addr & 0xff;
	size_t n = (size_t)1 << (32 - plen);
	__u32 cur = d->tbl24[slot], g;
	long have = ent_group(d, cur);
	__u32 *grp;
	int err;

	if (have >= 0) {
		paint(group_at(d, have), first, n, plen, e);
		return 0;
	}
	err = pool_get(&d->free_groups, &g);
	if (err) {
		d->full = XR_MAP_DIR8_V4;
		return err;
	}
	/* Not reachable yet: filled as the /24 reads now, then published. */
	grp = group_at(d, g);
	for (size_t i = 0; i < GROUP_N; i++)
		grp[i] = cur;
	paint(grp, first, n, plen, e);
	ent_store(&d->tbl24[slot], XR_DIR_F_EXT | g);
	d->ngroups_used++;
	return 0;
}

/* After a long prefix left: a group only shorter prefixes write goes. */
static void maybe_collapse(struct dir24 *d, size_t slot)
{
	long g = ent_group(d, d->tbl24[slot]);
	__u32 *grp;

	if (g < 0)
		return;
	grp = group_at(d, g);
	for (size_t i = 0; i < GROUP_N; i++)
		if ((grp[i] & XR_DIR_F_VALID) && ent_depth(grp[i]) > 24)
			return;
	/* Every entry is the /24's own now, all equal. */
	ent_store(&d->tbl24[slot], grp[0]);
	pool_put(&d->free_groups, g);
	d->ngroups_used--;
}

/* ---- changes ---- */

int dir24_set(struct dir24 *d, __u32 addr, __u8 plen,
	      const struct xr_route *rt)
{
	__u32 leaf, old, *v;
	bool created;
	__u64 key;
	int err;

	if (plen > 32)
		return -EINVAL;
	addr &= pfx_mask(plen);
	key = pfx_key(addr, plen);
	err = leaf_get(d, rt, &leaf);
	if (err)
		return err;
	v = htab_upsert(&d->pfx, &key, &created);
	if (!v) {
		leaf_put(d, leaf);
		return -ENOMEM;
	}
	old = *v;
	if (!created && old == leaf) {
		leaf_put(d, leaf);
		return 0;
	}
	*v = leaf;
	if (plen <= 24) {
		set_short(d, addr, plen, ent_leaf(leaf, plen), false);
	} else {
		err = set_long(d, addr, plen, ent_leaf(leaf, plen));
		if (err) {	/* nothing written */
			if (created)
				htab_delete(&d->pfx, &key);
			else
				*(__u32 *)htab_find(&d->pfx, &key) = old;
			leaf_put(d, leaf);
			return err;
		}
	}
	if (!created)
		leaf_put(d, old);
	return 0;
}

/* The entry of the longest prefix shorter than @plen covering @addr. */
static __u32 parent_entry(const struct dir24 *d, __u32 addr, unsigned int plen)
{
	for (int q = (int)plen - 1; q >= 0; q--) {
		__u64 key = pfx_key(addr & pfx_mask(q), q);
		const __u32 *v = htab_find(&d->pfx, &key);

		if (v)
			return ent_leaf(*v, q);
	}
	return 0;
}

int dir24_del(struct dir24 *d, __u32 addr, __u8 plen)
{
	__u32 repl, *v, leaf;
	__u64 key;

	if (plen > 32)
		return -EINVAL;
	addr &= pfx_mask(plen);
	key = pfx_key(addr, plen);
	v = htab_find(&d->pfx, &key);
	if (!v)
		return -ENOENT;
	leaf = *v;
	repl = parent_entry(d, addr, plen);
	if (plen <= 24) {
		set_short(d, addr, plen, repl, true);
	} else {
		long g = ent_group(d, d->tbl24[addr >> 8]);

		if (g >= 0) {
			unpaint(group_at(d, g), addr & 0xff,
				(size_t)1 << (32 - plen), plen, repl);
			maybe_collapse(d, addr >> 8);
		}
	}
	htab_delete(&d->pfx, &key);
	leaf_put(d, leaf);
	return 0;
}

const struct xr_route *dir24_lookup(const struct dir24 *d, __u32 addr)
{
	__u32 e = d->tbl24[addr >> 8];
	long g = ent_group(d, e);

	if (e & XR_DIR_F_EXT) {
		if (g < 0)
			return NULL;
		e = group_at(d, g)[addr & 0xff];
	}
	if (!(e & XR_DIR_F_VALID) || (e & XR_DIR_ID_MASK) >= d->nleaves)
		return NULL;
	return &d->leaves[e & XR_DIR_ID_MASK].rt;
}

/* ---- planning ---- */

void dir24_plan_begin(struct dir24 *d)
{
	htab_clear(&d->plan_leaves);
	htab_clear(&d->plan_slots);
	d->full = NULL;
}

int dir24_plan_add(struct dir24 *d, __u32 addr, __u8 plen,
		   const struct xr_route *rt)
{
	struct xr_route k;
	__u32 slot = addr >> 8;

	leaf_norm(&k, rt);
	if (!htab_find(&d->leaf_of, &k) &&
	    !htab_upsert(&d->plan_leaves, &k, NULL))
		return -ENOMEM;
	if (plen > 24 && ent_group(d, d->tbl24[slot]) < 0 &&
	    !htab_upsert(&d->plan_slots, &slot, NULL))
		return -ENOMEM;
	return 0;
}

int dir24_plan_check(struct dir24 *d)
{
	if (d->plan_leaves.n > d->free_leaves.n)
		d->full = XR_MAP_DIR_LEAVES_V4;
	else if (d->plan_slots.n > d->free_groups.n)
		d->full = XR_MAP_DIR8_V4;
	return d->full ? -ENOSPC : 0;
}

/* ---- the whole table at once ---- */

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
			pool_put(&d->free_leaves, id);
			continue;
		}
		leaf_norm(&k, &d->leaves[id].rt);
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

		leaf_norm(&k, &routes[i].rt);
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

		paint(want, r->addr & 0xff, (size_t)1 << (32 - r->plen),
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
					pool_put(&d->free_groups, have);
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
		err = pool_get(&d->free_groups, &g);
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
			pool_put(&d->free_groups, g);
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

		err = leaf_get(d, &r->rt, &leaf);
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
		paint(s->want24, addr >> 8, (size_t)1 << (24 - r->plen),
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
		pool_put(&d->free_leaves, id);
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
		leaf_norm(&k, &d->leaves[id].rt);
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

		leaf_norm(&k, &r->rt);
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
		pool_put(&d->free_leaves, id);
	}
	for (__u32 g = 0; g < d->ngroups; g++)
		if (!group_used[g])
			pool_put(&d->free_groups, g);
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
