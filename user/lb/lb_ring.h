/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A VIP's Maglev ring as a pure function of its configuration: the active
 * backends (address, port the flows reach them on, weight), whatever their
 * order, ids or history. Drained and down backends are left out; a VIP
 * without an active backend gets an empty ring (new flows are dropped, not
 * sent to a drained backend).
 */
#ifndef XR_LB_RING_H
#define XR_LB_RING_H

#include <stdint.h>
#include "lb_config.h"

/* @table gets XR_LB_RING_SIZE indexes into @v->backends (-1: none). */
int lb_vip_ring(const struct lb_vip *v, int32_t *table);

/*
 * A digest of a ring as backend addresses and ports (not ids): equal on
 * every node with the same configuration. From a table of lb_vip_ring(), or
 * from the ids a ring map holds (backends found by their id in @v).
 */
__u64 lb_ring_digest_table(const struct lb_vip *v, const int32_t *table);
__u64 lb_ring_digest_ids(const struct lb_vip *v, const __u32 *ids);

#endif /* XR_LB_RING_H */
