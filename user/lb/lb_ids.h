/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Canonical ids: where a configuration's VIPs (rows of the rings) and
 * backends (indexes of xr_lb_backends) belong, and the gen each backend
 * carries, as a pure function of the configuration. Two nodes given the
 * same VIPs and backends, whatever the order of the changes that led there,
 * get the same ids and gens, hence byte-identical rings and backend maps.
 *
 * An id's home is a hash of what it names (the VIP's address, protocol and
 * port; for a backend, that and its own address and port); collisions are
 * settled by linear probing in a fixed order (home, then the names' bytes),
 * so the layout depends on the set only. A new entry can take the slot an
 * existing one held (it sorts first in a collision chain): that one moves,
 * which lb_state_apply does without disturbing the data plane.
 *
 * A backend's gen is another hash of its name (never 0): a connection entry
 * that names an id is valid only for the backend it was made for, and a
 * backend that comes back finds its connections again.
 */
#ifndef XR_LB_IDS_H
#define XR_LB_IDS_H

#include <linux/types.h>
#include "lb_config.h"

/* The gen of backend @b of VIP @v. */
__u32 lb_backend_gen(const struct lb_vip *v, const struct lb_backend *b);

/*
 * @vip_id[i]: the id of @cfg->vips[i], in 0..@max_vips-1; @be_id[k]: the
 * id of the k-th backend in @cfg's order (VIP by VIP), in
 * 1..@max_backends-1. Returns 0, -ENOSPC if they do not fit, -ENOMEM.
 */
int lb_ids_canonical(const struct lb_config *cfg, __u32 max_vips,
		     __u32 max_backends, __u32 *vip_id, __u32 *be_id);

#endif /* XR_LB_IDS_H */
