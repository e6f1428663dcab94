/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What router.c shares with router_reload.c, router_steer.c and
 * router_settings.c, and with nothing else: the steps of opening and
 * loading a router, which a reload repeats over the running router's maps.
 */
#ifndef XR_ROUTER_PRIV_H
#define XR_ROUTER_PRIV_H

#include <bpf/bpf.h>
#include "router.h"

/* An empty router (no fds) for @pin_path. */
void router_init(struct router *r, const char *pin_path);

/* The file name @pin is pinned under. */
const char *router_pin_name(enum router_pin pin);

/* The .rodata map (@name NULL) or the map @name of program @prog_fd: an
 * fd, or a negative errno (-ENOENT: it has none). */
int router_prog_map_fd(int prog_fd, const char *name);

/* Loads the opened skeleton; takes the fds and id of what it loaded. */
int router_load_skel(struct router *r);

/* Sizes the route cache's maps (not pinned) to the .rodata's
 * xr_rc_slots, between open and load. */
int router_route_cache_size_maps(struct router *r);

/* Between open and load: the --cpus knobs in .rodata, the cpumap's size,
 * and whether the cpumap program loads. */
int router_steer_apply(struct router *r, const struct router_settings *s);

/* After load, with attach --cpus: a queue and kthread on every listed CPU,
 * running the cpumap program. */
int router_steer_start(struct router *r, const struct router_settings *s);

/*
 * Pins the skeleton's map @pin at load (libbpf reuses a pin already
 * there); marks it created by this invocation if it was not.
 */
int router_pin_map(struct router *r, enum router_pin pin);

#endif
