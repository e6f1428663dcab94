/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What `xdp-router stats` reads at one instant: each interface's counters
 * summed over CPUs and, for the Prometheus file, the router's identity and
 * the load balancer's counters. Plain data, so the formatters (text, JSON,
 * stats_prom.c, stats_watch.c) can be tested without a router.
 */
#ifndef XR_STATS_SNAPSHOT_H
#define XR_STATS_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <linux/bpf.h>
#include "iface.h"
#include "lb_config.h"
#include "xdp_router_types.h"

struct router;

struct if_counters {
	struct iface ifc;	/* ifc.name is "" if the interface is gone */
	struct xr_iface sum;
};

/* The running program. */
struct stats_router_info {
	__u32 prog_id;
	char prog_name[BPF_OBJ_NAME_LEN];
	char tag[17];
	const char *lookup;	/* lookup_name(), or "unknown" */
	const char *pin_path;
};

/* The load balancer as running, with its counters. */
struct stats_lb {
	struct lb_config cfg;
	struct xr_vip_stats *vip;	/* one per cfg.vips[i] */
	struct xr_counter *backend;	/* every VIP's backends, in order */
};

struct snapshot {
	struct if_counters *ifs;
	size_t n;
	struct timespec mono;	/* when it was taken, for rates */
	struct timespec real;	/* the same, for timestamps */
	/* Only with SNAPSHOT_FULL: */
	bool full;
	struct stats_router_info info;
	struct stats_lb lb;
};

enum snapshot_what {
	SNAPSHOT_IFACES,	/* interface counters */
	SNAPSHOT_FULL,		/* and the router's identity, the LB */
};

/* Reads the counters of router @r; reports its errors. */
int snapshot_take(const struct router *r, enum snapshot_what what,
		  struct snapshot *s);
void snapshot_free(struct snapshot *s);

/*
 * Before each sample of a command that keeps running: follows the router
 * pinned at @r's pin path (router_follow()), so a reload's new program is
 * the one reported and the old one is let go; when the maps are new too
 * (detach, attach), @prev's counters are dropped: the new ones count from
 * zero. Returns 0, or -ENOENT after reporting that the router is gone, or
 * another negative errno, reported.
 */
int snapshot_follow(struct router *r, struct snapshot *prev);

const struct if_counters *snapshot_find(const struct snapshot *s,
					int ifindex);

double seconds_between(const struct timespec *a, const struct timespec *b);
void timespec_add(struct timespec *t, double secs);

/* now - before; counters restart from zero when an interface is re-added. */
static inline __u64 counter_delta(__u64 now, __u64 before)
{
	return now >= before ? now - before : now;
}

#endif /* XR_STATS_SNAPSHOT_H */
