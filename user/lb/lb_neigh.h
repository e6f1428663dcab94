/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Backend MAC addresses from the kernel's neighbour table: the route to the
 * backend gives the interface (and a gateway, which a load balancer that
 * bounces frames out of their ingress interface cannot use), the neighbour
 * table the MAC. A missing entry is resolved by the kernel itself: an
 * RTM_NEWNEIGH with NTF_USE (`ip neigh replace ADDR dev DEV use`) starts
 * ARP/ND for it, then the table is polled, within a time limit.
 */
#ifndef XR_LB_NEIGH_H
#define XR_LB_NEIGH_H

#include <stdbool.h>
#include <stddef.h>
#include "lb_config.h"

struct lb_neigh_req {
	struct lb_addr addr;
	bool resolve;		/* start resolution if missing, and wait */
	/* Results */
	int err;		/* 0: @mac is valid; else errno, @msg says */
	int ifindex;
	__u8 mac[6];
	char msg[160];
};

/*
 * Resolves every request, in parallel, within @timeout_ms. @ifindexes
 * (@nif of them, 0: any) are the interfaces the router is attached to: a
 * backend reached through another one is an error. Requests without
 * @resolve only look the table up. Returns 0 or a negative errno for a
 * netlink failure; per-request results in the requests.
 */
int lb_neigh_resolve(struct lb_neigh_req *reqs, size_t n,
		     const int *ifindexes, size_t nif, unsigned int timeout_ms);

#endif /* XR_LB_NEIGH_H */
