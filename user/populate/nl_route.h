/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * RTM_NEWROUTE/RTM_DELROUTE messages into struct fib_route_msg.
 *
 * Parsed with libnl's attribute API rather than rtnl_route_parse(): libnl
 * 3.7's route object drops RTA_NH_ID and encapsulations other than MPLS,
 * both of which decide whether XDP may forward, and allocating a route
 * object per message costs too much at a million routes.
 */
#ifndef XR_NL_ROUTE_H
#define XR_NL_ROUTE_H

#include <linux/netlink.h>
#include "fib_model.h"

/*
 * Returns 0, -EAFNOSUPPORT for a family populate does not mirror (the
 * caller skips the message), or -EBADMSG for a malformed message.
 */
int nl_route_parse(struct nlmsghdr *nlh, struct fib_route_msg *msg);

#endif /* XR_NL_ROUTE_H */
