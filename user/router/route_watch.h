/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The route cache's neighbour watchers (kern/route_watch.bpf.c): raw
 * tracepoint links pinned beside the router, which turn the cache on.
 */
#ifndef XR_ROUTE_WATCH_H
#define XR_ROUTE_WATCH_H

#include <stdbool.h>
#include <linux/types.h>

struct router;

/*
 * Attaches the watchers to @r's xr_route_watch map, pins their links and
 * turns the cache on. On failure nothing is left behind and the cache
 * stays off (lookups then always ask the FIB).
 */
int route_watch_start(struct router *r);

/*
 * For attach, adopt and reload: starts the watchers where @r's settings
 * want a cache (fib lookup, slots) and they are not running yet. Never
 * fails: without them the cache stays off, with a warning, and every
 * packet asks the FIB.
 */
void route_watch_ensure(struct router *r);

/*
 * Turns the cache off (if @r's map is open) and removes the watchers' pins;
 * their links go with the last reference.
 */
void route_watch_stop(const struct router *r);

struct route_watch_state {
	bool watching;		/* the map says the cache may be used */
	int links;		/* watcher pins found (of route_watch_links) */
	int links_total;
	__u64 neigh_changes;
};

int route_watch_read(const struct router *r, struct route_watch_state *st);

#endif /* XR_ROUTE_WATCH_H */
