/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What status shows of the route cache (kern/route_cache.h). */
#ifndef XR_ROUTE_CACHE_VIEW_H
#define XR_ROUTE_CACHE_VIEW_H

#include <stdbool.h>
#include <linux/types.h>

struct router;
struct router_settings;

struct route_cache_view {
	bool known;		/* read: the fields below mean something */
	__u32 slots;		/* per CPU and family; 0: no cache */
	bool on;		/* slots, and the watchers attached */
	const char *why_off;
	__u64 hits, misses, stores, bypassed;
	int sampling;		/* families (x CPUs) now sampling */
	__u64 epochs;		/* routing state changes seen, summed */
	__u64 neigh_changes;
};

/* Fills @v; a router of another version leaves it unknown. */
void route_cache_view_read(const struct router *r,
			   const struct router_settings *s,
			   struct route_cache_view *v);

/* The JSON member "route_cache" of an interface's status object. */
void route_cache_view_json(const struct route_cache_view *v);

/* One line under status's table. */
void route_cache_view_text(const struct route_cache_view *v);

#endif /* XR_ROUTE_CACHE_VIEW_H */
