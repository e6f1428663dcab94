/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Validation of what the CLI opens but did not create: pins left by another
 * version, written by another loader (bpftool pinmaps, xdp-router adopt of a
 * program loaded by ip or xdp-loader), or simply wrong. A mismatch is
 * refused with one error line before anything reads or writes the map with
 * the wrong layout. Functions return 0 or a negative errno and report
 * their own errors.
 */
#ifndef XR_PIN_CHECK_H
#define XR_PIN_CHECK_H

#include <linux/types.h>
#include "xdp_router_types.h"

struct router;

/* What a router map must look like (router.c's table of maps, made from
 * the list of maps: maps/xr_maps.h). */
struct pin_map_spec {
	const char *name;	/* XR_MAP_* */
	__u32 type;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;	/* as the object declares it */
	__u32 flags;		/* XR_MAPF_* */
};

/* A per-VIP map's (XR_MAPF_PER_VIP) rows per VIP. */
static inline __u32 pin_map_per_vip(const struct pin_map_spec *spec)
{
	return spec->max_entries / XR_LB_DEFAULT_MAX_VIPS;
}

/*
 * The map @fd (pinned at @path) against @spec: map type, key and value
 * sizes, the kernel's name (the first 15 characters of @spec->name), the
 * sizes of its BTF key and value types when it has BTF, and max_entries:
 * @spec's for fixed-size maps, at least 1 for those sized at load time
 * (XR_MAPF_SIZED_AT_LOAD, XR_MAPF_SIZE_UNCHECKED).
 */
int pin_check_map(int fd, const char *path, const struct pin_map_spec *spec);

/* The program @fd (pinned at @path): an XDP program named XR_PROG_NAME. */
int pin_check_prog(int fd, const char *path);

/*
 * The open router as a whole: the load balancer's per-VIP maps agree on the
 * number of VIPs, and the pinned devmap is the one the pinned program uses
 * (a pin dir mixing two routers would configure one and count the other).
 */
int pin_check_router(const struct router *r);

#endif /* XR_PIN_CHECK_H */
