/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Private to lb_state*.c: what opening/map access (lb_state.c), reading
 * back (lb_state_read.c) and applying (lb_state_apply.c, lb_apply_ids.c,
 * lb_apply_write.c) share.
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

/* ---- applying (lb_state_apply.c, lb_apply_ids.c, lb_apply_write.c) ---- */

/*
 * What an apply did to each entry of the configuration, over all its rounds:
 * the summary counts entries, not writes (an entry that moves twice, or is
 * added then moved, is counted once).
 */
enum { DONE_ADDED = 1, DONE_CHANGED = 2 };

struct apply_log {
	__u8 *vip;		/* [want->nr_vips] */
	__u8 *be;		/* [backends of want, VIP by VIP] */
	size_t *be_base;	/* [want->nr_vips]: a VIP's first in @be */
	unsigned int vips_removed, backends_removed, slots_written;
};

struct writer {
	const struct lb_maps *m;
	bool dry;		/* count what would be written, write nothing */
	struct apply_log *log;
	const size_t *at;	/* [i]: index in the whole configuration of
				 * this round's VIP i (see plan_of()) */
	char *err;
	size_t len;
	__u32 *cur_ring;	/* scratch */
	__u32 *keys;		/* scratch */
	__u32 *vals;		/* scratch */
};

/* lb_state_apply.c */
__attribute__((format(printf, 3, 4)))
int plan_error(char *err, size_t len, const char *fmt, ...);
extern const __u8 zero_mac[6];

/* lb_apply_ids.c */
int assign_ids(const struct lb_maps *m, struct snapshot *s,
	       struct lb_config *want, bool *settled, bool *moved,
	       char *err, size_t len);

/* lb_apply_write.c */
int write_all(struct writer *w, struct snapshot *s,
	      struct lb_config *want, __u32 **rings);

#endif /* XR_LB_STATE_PRIV_H */
