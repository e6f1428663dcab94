/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Types shared by the XDP data plane (kern/) and the control plane (user/).
 *
 * This is the only definition of every structure that crosses the BPF/user
 * boundary. Only UAPI types, explicit padding, and a _Static_assert on every
 * size so that a change on one side cannot silently break the other.
 *
 * One header per part, each with its constants, its types and the rows of
 * its maps in the list of maps (xr_maps.h):
 *   xr_outcomes.h     what happened to a packet (XR_OUTCOMES), counters
 *   xr_iface.h        the interfaces: conf, counters, egress devmap
 *   xr_table.h        table lookup mode: routes, nexthops, neighbours
 *   xr_lb.h           the load balancer: VIPs, rings, backends, connections
 *   xr_lb_meta.h      the CLI's own LB configuration maps
 *   xr_steer.h        attach --cpus: the cpumap and its counters
 *   xr_route_cache.h  the route cache and its neighbour watch
 *   xr_firewall.h     the firewall gate: flows the kernel has forwarded
 */
#ifndef XDP_ROUTER_TYPES_H
#define XDP_ROUTER_TYPES_H

#include <linux/types.h>

/* Name of the XDP program as the kernel shows it (at most 15 characters). */
#define XR_PROG_NAME "xdp_router"

/* Name of the pinned program under the pin path; the maps' pins are named
 * XR_MAP_* (the map names). */
#define XR_PIN_PROG "xr_prog"
/*
 * Pins of the route cache's neighbour watchers (kern/route_watch.bpf.c):
 * XR_PIN_WATCH_PREFIX + the tracepoint's name, one raw_tp link each.
 */
#define XR_PIN_WATCH_PREFIX "xr_watch_"

#include "xr_outcomes.h"
#include "xr_iface.h"
#include "xr_table.h"
#include "xr_lb.h"
#include "xr_lb_meta.h"
#include "xr_steer.h"
#include "xr_route_cache.h"
#include "xr_firewall.h"
#include "xr_maps.h"

#endif /* XDP_ROUTER_TYPES_H */
