/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The LB's configuration metadata maps (xr_lb_vip_meta, xr_lb_be_meta) are
 * defined with every other shared type in maps/xdp_router_types.h, and
 * created, pinned and removed with the router's other maps.
 */
#ifndef XR_LB_META_H
#define XR_LB_META_H

#include "xdp_router_types.h"

#endif /* XR_LB_META_H */
