/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The interfaces that belong to a router: those in its devmap or marked
 * configured in xr_ifaces_arr/xr_ifaces (what attach wrote), and any
 * interface that runs its program (attached by another loader, or left
 * over), alone or in libxdp's dispatcher (attach --multiprog): the one
 * answer to "does the router run here" for status, reload, detach and lb.
 */
#ifndef XR_MEMBERS_H
#define XR_MEMBERS_H

#include <stdbool.h>
#include <stddef.h>
#include "iface.h"
#include "router.h"

struct member {
	struct iface ifc;	/* ifc.name is "" if the interface is gone */
	bool exists;
	bool attached;		/* runs the router's program */
	bool dispatched;	/* attached, in libxdp's dispatcher */
	enum xr_mode mode;	/* valid if attached (the dispatcher's) */
	struct iface_xdp xdp;	/* every program on it */
};

/*
 * Sorted by ifindex; free() *members. Returns 0 or a negative errno,
 * without reporting it. multiprog_init() first.
 */
int members_list(const struct router *r, struct member **members, size_t *n);

/* The member with @ifindex, or NULL. */
struct member *members_find(struct member *members, size_t n, int ifindex);

#endif /* XR_MEMBERS_H */
