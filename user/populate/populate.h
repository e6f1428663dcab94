/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * populate's engine, shared by the one-shot command and --watch: the
 * model of the kernel's state, the mirror of the maps, and the three ways
 * of bringing the maps in line:
 *
 *   populate_full()       dump everything, converge every map;
 *   populate_recompute()  converge the routes from the model as it is
 *                         (after a change that touches many prefixes);
 *   populate_prefixes()   converge a few prefixes (one notification).
 *
 * Functions return 0 or a negative errno and report their own errors.
 */
#ifndef XR_POPULATE_H
#define XR_POPULATE_H

#include <stdbool.h>
#include <netlink/netlink.h>
#include "fib_model.h"
#include "router.h"
#include "table_sync.h"

struct populate {
	struct router *r;
	__u32 table;
	/*
	 * One-shot populate refuses an ECMP route wider than XR_ECMP_MAX;
	 * --watch cannot stop the world for it and passes the prefix to
	 * the kernel instead, with a warning.
	 */
	bool wide_to_kernel;
	struct fib_model model;
	struct table_sync sync;
	struct nl_sock *dump_sk;
	/* What changed since the last report. */
	struct sync_stats st;
	unsigned int ifaces_updated;
};

int populate_open(struct populate *p, struct router *r, __u32 table,
		  bool wide_to_kernel);
void populate_close(struct populate *p);

int populate_full(struct populate *p);
int populate_recompute(struct populate *p);
int populate_prefixes(struct populate *p, const struct fib_pfx *pfx,
		      size_t n);
/* One neighbour, as the model now has it. */
int populate_neigh(struct populate *p, const struct xr_neigh_key *k);

/*
 * XR_IFACE_F_FWD_V4/V6 of every configured interface in
 * xr_ifaces_arr/xr_ifaces, from the model's per-device forwarding, on every
 * CPU, counters kept.
 */
int populate_ifaces(struct populate *p);

/* The summary: totals and what changed since the last one. */
void populate_report(struct populate *p, const char *event, double secs);

#endif /* XR_POPULATE_H */
