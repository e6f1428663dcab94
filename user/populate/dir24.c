// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The IPv4 DIR-24-8 route table, one change at a time; see dir24.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include "dir24_priv.h"

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

void dir24_pool_put(struct dir24_pool *p, __u32 id)
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
int dir24_pool_get(struct dir24_pool *p, __u32 *id)
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

void dir24_leaf_norm(struct xr_route *k, const struct xr_route *rt)
{
	memset(k, 0, sizeof(*k));
	k->type = rt->type;
	k->flags = rt->flags;
	k->nh = rt->nh;
	k->mtu = rt->mtu;
}

/* The leaf holding @rt, written if new; takes a reference. */
int dir24_leaf_get(struct dir24 *d, const struct xr_route *rt, __u32 *id)
{
	struct xr_route k;
	__u32 *v;
	int err;

	dir24_leaf_norm(&k, rt);
	v = htab_find(&d->leaf_of, &k);
	if (v) {
		*id = *v;
		d->leaf_ref[*id]++;
		return 0;
	}
	err = dir24_pool_get(&d->free_leaves, id);
	if (err) {
		d->full = XR_MAP_DIR_LEAVES_V4;
		return err;
	}
	v = htab_upsert(&d->leaf_of, &k, NULL);
	if (!v) {
		dir24_pool_put(&d->free_leaves, *id);
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
	dir24_pool_put(&d->free_leaves, id);
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
void dir24_paint(__u32 *t, size_t first, size_t n, unsigned int plen,
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
				dir24_paint(group_at(d, g), 0, GROUP_N, plen, e);
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
		dir24_paint(group_at(d, have), first, n, plen, e);
		return 0;
	}
	err = dir24_pool_get(&d->free_groups, &g);
	if (err) {
		d->full = XR_MAP_DIR8_V4;
		return err;
	}
	/* Not reachable yet: filled as the /24 reads now, then published. */
	grp = group_at(d, g);
	for (size_t i = 0; i < GROUP_N; i++)
		grp[i] = cur;
	dir24_paint(grp, first, n, plen, e);
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
	dir24_pool_put(&d->free_groups, g);
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
	err = dir24_leaf_get(d, rt, &leaf);
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

	dir24_leaf_norm(&k, rt);
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

