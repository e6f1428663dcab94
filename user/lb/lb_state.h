/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The load balancer's maps: the running configuration read back from them,
 * and a desired configuration applied to them as a difference.
 *
 * Ids. VIP ids (rows of the rings and VIP stats) and backend ids (indexes
 * of xr_lb_backends, one per backend of a VIP) are canonical (lb_ids.h): a
 * function of the configuration, so that every node with the same one
 * holds the same maps. An entry keeps its id while the configuration keeps
 * it, unless a new entry takes its place in a collision chain: then it
 * moves, to an id that is free at the time, in as many rounds of writes as
 * the chain needs. A backend's gen is a hash of its name, so connection
 * entries that still name an id's previous backend miss.
 *
 * Order of writes, so that the data plane never follows a pointer to
 * something not yet (or no longer) there:
 *   1. VIPs to delete: VIP entry removed, then its ring zeroed.
 *   2. Backends entering a ring (new ones, back to active, new MAC).
 *   3. Rings: only the slots that change; then new VIP entries (after their
 *      ring) and changed modes; a VIP that moves: new row complete, entry
 *      switched to it, old row cleared.
 *   4. Backends leaving the rings: drain/down written after the rings.
 *   5. Removed backends zeroed (gen 0: their connections miss).
 * Established connections to backends that remain keep their entries: ids
 * of unchanged backends change only when they move (above), gens never.
 */
#ifndef XR_LB_STATE_H
#define XR_LB_STATE_H

#include <stdbool.h>
#include "lb_config.h"
#include "lb_ring.h"
#include "router.h"

/*
 * The router's maps the load balancer uses (XR_MAPF_LB in the list of
 * maps, maps/xr_maps.h): @r opened and checked as every command opens a
 * router, with only those fds kept (r.lb_vips_fd, ...; not the program's).
 */
struct lb_maps {
	struct router r;
	__u32 max_vips;
	__u32 max_backends;
	int ifindexes[XR_MAX_IFACES];	/* where the router is attached */
	size_t nr_ifindexes;
};

/*
 * Opens the LB maps of the router pinned at @pin_path (attached by
 * `xdp-router attach`). Reports its errors.
 */
int lb_maps_open(struct lb_maps *m, const char *pin_path);
void lb_maps_close(struct lb_maps *m);

/* The running configuration, with ids, gens, MACs and current states. */
int lb_state_read(const struct lb_maps *m, struct lb_config *cfg);

/* Health marks of @from's backends onto the same backends of @to. */
void lb_config_inherit_health(struct lb_config *to,
			      const struct lb_config *from);

struct lb_apply_opts {
	unsigned int resolve_timeout_ms;	/* MAC resolution, per apply */
	bool dry_run;				/* plan, resolve, write nothing */
};

struct lb_apply_result {
	unsigned int vips_added, vips_removed, vips_changed;
	unsigned int backends_added, backends_removed, backends_changed;
	unsigned int slots_written;
};

/*
 * Makes the maps hold @want (validated by the caller). Fills in @want's
 * run-time fields. Nothing is written if ids run out or a MAC cannot be
 * resolved; the error is in @err. Returns 0 or a negative errno.
 */
int lb_state_apply(const struct lb_maps *m, struct lb_config *want,
		   const struct lb_apply_opts *opts,
		   struct lb_apply_result *res, char *err, size_t err_len);

/* Counters summed over CPUs. */
int lb_vip_stats_read(const struct lb_maps *m, __u32 id,
		      struct xr_vip_stats *out);
int lb_backend_stats_read(const struct lb_maps *m, __u32 id,
			  struct xr_counter *out);

/* A VIP's ring as the map holds it: @out gets XR_LB_RING_SIZE ids. */
int lb_ring_read(const struct lb_maps *m, __u32 vip_id, __u32 *out);

#endif /* XR_LB_STATE_H */
