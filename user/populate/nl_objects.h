/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Link, neighbour and netconf messages applied to the model: the same code
 * for dump replies and notifications. Malformed or foreign messages
 * (other families, bridge FDB entries, ...) are skipped, never fatal.
 */
#ifndef XR_NL_OBJECTS_H
#define XR_NL_OBJECTS_H

#include <stdbool.h>
#include <linux/netlink.h>
#include "fib_model.h"

/* What a link message changed, as far as the maps care. */
enum nl_link_change {
	NL_LINK_SAME = 0,
	NL_LINK_ATTRS,		/* MTU or MAC: nexthop values change */
	NL_LINK_STATE,		/* came up, carrier: dead paths may revive */
	NL_LINK_DOWN,		/* went down or away: its routes vanish */
};

/* RTM_NEWLINK / RTM_DELLINK. */
int nl_link_msg(struct fib_model *m, struct nlmsghdr *nlh,
		enum nl_link_change *change);

/*
 * RTM_NEWNEIGH / RTM_DELNEIGH. *@key is the neighbour's key, *@changed
 * whether the model's entry changed (added, new MAC, or removed).
 */
int nl_neigh_msg(struct fib_model *m, struct nlmsghdr *nlh,
		 struct xr_neigh_key *key, bool *changed);

/* What a netconf message changed. */
#define NL_NETCONF_FWD (1U << 0)	/* forwarding: the interface flags */
#define NL_NETCONF_LINKDOWN (1U << 1)	/* which paths count as dead */

/* RTM_NEWNETCONF: forwarding and ignore_routes_with_linkdown. */
int nl_netconf_msg(struct fib_model *m, struct nlmsghdr *nlh,
		   unsigned int *changed);

#endif /* XR_NL_OBJECTS_H */
