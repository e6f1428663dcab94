/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the LB configuration holds that the data plane's maps do not: VIP
 * names, health check settings, backend weights and configured states. Two
 * arrays pinned with the other maps (xr_lb_vip_meta by VIP id,
 * xr_lb_be_meta by backend id), read and written by the CLI only, so that
 * the configuration can be read back from the pins and the CLI stays
 * stateless. Rows are trusted only where they agree with the data plane's
 * maps (a VIP row if its key is in xr_lb_vips with that id; a backend row if
 * its gen equals xr_lb_backends[id].gen, both non-zero).
 * Part of xdp_router_types.h.
 */
#ifndef XR_LB_META_TYPES_H
#define XR_LB_META_TYPES_H

#include <linux/types.h>
#include "xr_lb.h"

#define XR_LB_NAME_MAX 32
#define XR_LB_HTTP_PATH_MAX 128

/* xr_lb_vip_meta.flags */
#define XR_LB_VM_USED (1U << 0)
#define XR_LB_VM_HEALTH (1U << 1)	/* health checks on */

struct xr_lb_vip_meta {
	struct xr_vip_key key;	/* the VIP this row describes */
	__u32 flags;
	char name[XR_LB_NAME_MAX];
	__u32 hc_interval_ms;
	__u32 hc_timeout_ms;
	__u8 hc_rise;
	__u8 hc_fall;
	__u16 hc_port;		/* host order; 0: backend's, else VIP's */
	__u32 pad;
	char hc_http_path[XR_LB_HTTP_PATH_MAX];
};
_Static_assert(sizeof(struct xr_lb_vip_meta) == 200, "xr_lb_vip_meta size");

/* xr_lb_be_meta.flags */
#define XR_LB_BM_USED (1U << 0)
#define XR_LB_BM_HEALTH_DOWN (1U << 1)	/* taken out by the health checker */

struct xr_lb_be_meta {
	__u32 vip;		/* VIP id */
	__u32 gen;		/* the backend's gen; kept when the id is freed */
	__u16 weight;
	__u8 state;		/* configured enum xr_backend_state */
	__u8 flags;
	__u32 pad;
};
_Static_assert(sizeof(struct xr_lb_be_meta) == 16, "xr_lb_be_meta size");

/* Their maps (rows of XR_MAPS, xr_maps.h); the program never reads them. */
#define XR_LB_META_MAPS(X)						\
	X(LB_VIP_META, lb_vip_meta, ARRAY, __u32, struct xr_lb_vip_meta, \
	  XR_LB_DEFAULT_MAX_VIPS, XR_LB_VIP_MAP)			\
	X(LB_BE_META, lb_be_meta, ARRAY, __u32, struct xr_lb_be_meta,	\
	  XR_LB_MAX_BACKENDS, XR_MAPF_LB)

#endif /* XR_LB_META_TYPES_H */
