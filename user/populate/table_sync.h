/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Converges the table-mode maps (xr_routes_v4/v6, xr_nexthops,
 * xr_nh_groups, xr_neigh) to a desired state, writing only what differs,
 * in an order the data plane can never catch half done:
 *
 *   1. new nexthops, then new groups (free slots nothing points at yet);
 *   2. route inserts and updates (each LPM update replaces one entry
 *      atomically);
 *   3. deletions of routes that vanished;
 *   4. zeroing of groups, then nexthops, nothing references any more.
 *
 * The data plane looks IPv4 routes up in the DIR-24-8 table (dir24.h), not
 * in xr_routes_v4, which stays the list of prefixes (what a restart, the
 * tests and `bpftool map dump` read): step 2 and 3 update both, and
 * opening brings the DIR-24-8 table in line with the list.
 *
 * Published nexthop and group slots are never rewritten (see id_table.h).
 * The maps' contents are mirrored in memory, loaded from the maps at start
 * (ids survive restarts) and updated on every write; after a failed write
 * the mirror is reloaded rather than trusted.
 *
 * A change set is planned first (table_sync_route()), which allocates ids
 * without writing; table_sync_commit() checks every map's capacity before
 * the first write, so a table that does not fit is refused whole.
 */
#ifndef XR_TABLE_SYNC_H
#define XR_TABLE_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include "dir24.h"
#include "fib_desired.h"
#include "fib_model.h"
#include "hashtab.h"
#include "id_table.h"
#include "map_batch.h"
#include "router.h"

struct sync_counts {
	size_t added, changed, removed;
};

struct sync_stats {
	struct sync_counts routes, nexthops, groups, neigh;
};

enum route_op { ROUTE_ADD, ROUTE_CHANGE, ROUTE_DEL };

struct route_chg {
	struct fib_pfx pfx;
	struct xr_route val;	/* new value (ADD, CHANGE) */
	struct xr_route old;	/* mirrored value (CHANGE, DEL) */
	__u8 op;		/* enum route_op */
	__u8 pad[3];
};

/* A mirrored route: the value in the map, and the plan that saw it last. */
struct route_mirror {
	struct xr_route val;
	__u32 gen;
};

struct table_sync {
	int routes_fd[2];	/* [0] IPv4, [1] IPv6 */
	int nexthops_fd;
	int groups_fd;
	int neigh_fd;
	__u32 max_routes[2];
	__u32 max_neigh;
	struct htab routes;	/* fib_pfx -> route_mirror */
	size_t nroutes[2];
	struct id_table nh;	/* struct xr_nexthop slots */
	struct id_table grp;	/* struct xr_nh_group slots */
	struct htab neigh;	/* xr_neigh_key -> xr_neigh */
	struct map_batch batch;
	struct dir24 dir;	/* IPv4 lookup table, if table mode */
	bool has_dir;
	/* The change set being planned. */
	struct route_chg *chg;
	size_t nchg, chg_cap;
	__u32 gen;
	size_t adds[2], dels[2];
	const char *full;	/* map that ran out of ids while planning */
};

/* Mirrors the maps of @r. Reports its errors. */
int table_sync_open(struct table_sync *s, const struct router *r);
void table_sync_close(struct table_sync *s);

/* Starts a change set. */
void table_sync_begin(struct table_sync *s);
/*
 * Plans @p to become @w (XR_RT_INVALID: absent). Returns 0, -ENOSPC if
 * the nexthop or group ids ran out (s->full names the map), -ENOMEM.
 */
int table_sync_route(struct table_sync *s, const struct fib_pfx *p,
		     const struct fib_want *w);
/* Plans the deletion of every route the change set has not visited. */
int table_sync_sweep(struct table_sync *s);
/* Drops the change set, writing nothing. */
void table_sync_abort(struct table_sync *s);
/*
 * Checks capacity, then writes the change set. Reports its errors.
 * @st is added to.
 */
int table_sync_commit(struct table_sync *s, struct sync_stats *st);

/* Neighbours: converge to @want (xr_neigh_key -> xr_neigh). */
int table_sync_neigh_all(struct table_sync *s, const struct htab *want,
			 struct sync_stats *st);
/* One neighbour: @mac NULL deletes. */
int table_sync_neigh_one(struct table_sync *s, const struct xr_neigh_key *k,
			 const __u8 *mac, struct sync_stats *st);

/* Entries now in the maps, as mirrored. */
static inline size_t table_sync_nroutes(const struct table_sync *s, int fam)
{
	return s->nroutes[fam];
}

#endif /* XR_TABLE_SYNC_H */
