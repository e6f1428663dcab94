/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Private to lb_state*.c: what opening/map access (lb_state.c), reading
 * back (lb_state_read.c) and applying (lb_state_apply.c) share.
 */
#ifndef XR_LB_STATE_PRIV_H
#define XR_LB_STATE_PRIV_H

#include <stddef.h>
#include "lb_state.h"

/* ---- array helpers (lb_state.c) ---- */

/* @n values of the array @fd from index @start, by batch when possible. */
int lb_array_read(int fd, __u32 start, __u32 n, size_t vsize, void *out);
int lb_array_write(int fd, const __u32 *keys, const void *vals,
		   __u32 n, size_t vsize);
int lb_percpu_zero(const struct lb_maps *m, int fd, __u32 id, size_t vsize);
/* Entry @from's per-CPU values into entry @to (a VIP that moves). */
int lb_percpu_copy(const struct lb_maps *m, int fd, __u32 from, __u32 to,
		   size_t vsize);

/* ---- reading (lb_state_read.c) ---- */

struct snapshot {
	struct lb_config cfg;
	struct xr_backend *be;		/* [max_backends] */
	struct xr_lb_be_meta *bm;	/* [max_backends] */
	bool *attached;			/* [max_backends]: in cfg */
};

int lb_snapshot_read(const struct lb_maps *m, struct snapshot *s);
void lb_snapshot_free(struct snapshot *s);
void lb_vip_to_key(const struct lb_vip *v, struct xr_vip_key *k);

#endif /* XR_LB_STATE_PRIV_H */
