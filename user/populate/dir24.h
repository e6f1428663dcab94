/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The IPv4 DIR-24-8 table the data plane looks routes up in (its layout:
 * maps/xr_table.h), kept equal to a set of prefixes -> route values. The
 * three arrays are mapped into this process and written in place, one
 * 32-bit store at a time, so that a packet looking up any address sees its
 * route either as it was or as it is, never a mix:
 *
 *   - a leaf (route value) is written before an entry names it;
 *   - a group is filled before the /24's entry points at it, and unlinked
 *     before it is freed;
 *   - freed leaves and groups wait DIR24_GRACE_NS before reuse, longer than
 *     any program run that may have read the old entry takes;
 *   - within a prefix's range, entries change one by one: each address
 *     goes from the old route to the new one (as the kernel's RCU update
 *     does per lookup).
 *
 * Each entry keeps the length of the prefix that wrote it, so a change
 * rewrites only its own range (DPDK's rte_lpm algorithm): an insert
 * overwrites the entries of prefixes no longer than itself; a deletion
 * hands its entries to the longest shorter prefix that covers it.
 *
 * Addresses here are in host byte order.
 */
#ifndef XR_DIR24_H
#define XR_DIR24_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "hashtab.h"
#include "xdp_router_types.h"

/* The completeness mark (maps/xr_table.h). */
#define DIR24_LEAF_MARK XR_DIR_LEAF_MARK
#define DIR24_COMPLETE XR_DIR_COMPLETE

/* Longer than an XDP program run by orders of magnitude. */
#define DIR24_GRACE_NS 10000000ULL

/* Ids free for reuse, in the order they were freed. */
struct dir24_pool {
	__u32 *id;
	__u64 *freed_ns;
	size_t head, n, cap;
	__u64 grace_ns;			/* DIR24_GRACE_NS; tests set 0 */
};

struct dir24 {
	__u32 *tbl24;			/* 2^24 entries */
	__u32 *tbl8;			/* ngroups x 256 */
	struct xr_dir_leaf *leaves;	/* nleaves */
	__u32 ngroups, nleaves;
	size_t map_len[3];		/* mmap lengths, 0: caller's memory */
	struct htab pfx;		/* __u64 (addr << 8 | plen) -> leaf */
	struct htab leaf_of;		/* struct xr_route -> leaf */
	__u32 *leaf_ref;		/* prefixes per leaf */
	struct dir24_pool free_leaves, free_groups;
	/* Capacity planning of a change set (dir24_plan_*). */
	struct htab plan_leaves, plan_slots;
	size_t ngroups_used;
	const char *full;		/* what ran out, for the message */
};

/* A prefix and its route, for dir24_sync(). */
struct dir24_route {
	__u32 addr;
	__u8 plen;
	__u8 pad[3];
	struct xr_route rt;
};

/*
 * Maps the three arrays of fds (xr_dir24_v4, xr_dir8_v4, xr_dir_leaves_v4);
 * -EINVAL for fib mode's placeholders. Then dir24_resume() or dir24_sync()
 * before any change: until one of them has run, no id is free. One writer
 * at a time (populate holds a lock on the pin path).
 */
int dir24_open(struct dir24 *d, int fd24, int fd8, int fd_leaves);
/* The same on memory of the caller's (tests): 2^24 + ngroups x 256 entries. */
int dir24_open_mem(struct dir24 *d, __u32 *tbl24, __u32 *tbl8, __u32 ngroups,
		   struct xr_dir_leaf *leaves, __u32 nleaves);
void dir24_close(struct dir24 *d);

/*
 * Makes the table hold exactly @routes (whatever it held: a table of an
 * earlier run, half updated, or empty), writing only the entries that
 * differ. -ENOSPC (d->full names what) or -ENOMEM; the table then holds a
 * mix of old and new routes, all valid.
 */
int dir24_sync(struct dir24 *d, const struct dir24_route *routes, size_t n);

/*
 * Takes the table as the last writer left it, if it marked it complete
 * and it holds @routes' groups and values: no entry read or written.
 * -ESTALE otherwise (then dir24_sync()).
 */
int dir24_resume(struct dir24 *d, const struct dir24_route *routes, size_t n);
/*
 * Marks the table complete, or not: a writer clears the mark before it
 * changes xr_routes_v4 and sets it once this table has followed.
 */
void dir24_mark(struct dir24 *d, bool complete);

/* Adds @addr/@plen, or changes its route. -ENOSPC, -ENOMEM, -EINVAL. */
int dir24_set(struct dir24 *d, __u32 addr, __u8 plen,
	      const struct xr_route *rt);
/* Makes room for @n more prefixes at once (a first run's whole table). */
static inline int dir24_reserve(struct dir24 *d, size_t n)
{
	return htab_reserve(&d->pfx, d->pfx.n + n);
}

/* Deletes @addr/@plen; -ENOENT if the table does not hold it. */
int dir24_del(struct dir24 *d, __u32 addr, __u8 plen);

/*
 * Whether a change set's inserts fit before any is made: begin, add each
 * insert or change, check (-ENOSPC with d->full set). Deletions are not
 * counted: what they free may still be in its grace period.
 */
void dir24_plan_begin(struct dir24 *d);
int dir24_plan_add(struct dir24 *d, __u32 addr, __u8 plen,
		   const struct xr_route *rt);
int dir24_plan_check(struct dir24 *d);

/* The route @addr resolves to now, as the data plane reads it; NULL: none. */
const struct xr_route *dir24_lookup(const struct dir24 *d, __u32 addr);

/* Groups in use (prefixes longer than /24 live in that many /24s). */
static inline size_t dir24_groups_used(const struct dir24 *d)
{
	return d->ngroups_used;
}

#endif /* XR_DIR24_H */
