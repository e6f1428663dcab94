/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the maps should say for a prefix, decided from the model the way the
 * kernel's lookup decides: the local table first (rule 0), then the chosen
 * table; within a table the lowest metric whose paths are not all dead;
 * dead paths out of ECMP groups, as fib_rebalance() leaves them out.
 *
 * What XDP cannot do right is left to the kernel rather than approximated:
 * routes with lwtunnel encapsulation, with TOS-specific siblings, or on a
 * nexthop object the kernel did not expand (nexthop_compat_mode=0) become
 * XR_RT_LOCAL, which the data plane passes to the stack (see XR_RT_KERNEL
 * in fib_desired.c). Routes whose egress is not Ethernet stay unicast:
 * their nexthop has no source MAC and the egress is not in xr_tx_ports, so
 * the data plane passes them (XR_PASS_EGRESS_NOT_XDP), as in fib mode.
 *
 * Not mirrored, so bpf_fib_lookup() and table mode can differ there:
 * learned PMTU exceptions; IPv6 router round-robin between same-metric
 * default routes (the first is used); IPv6 mtu6 set apart from the device
 * MTU; policy rules other than local -> table (-> default).
 */
#ifndef XR_FIB_DESIRED_H
#define XR_FIB_DESIRED_H

#include "fib_model.h"
#include "xdp_router_types.h"

/* Why a route went to the kernel (XR_RT_LOCAL for a non-local route). */
enum fib_pass_reason {
	FIB_PASS_NONE = 0,
	FIB_PASS_ENCAP,
	FIB_PASS_TOS,
	FIB_PASS_NHID,
	FIB_PASS_WIDE,		/* only when the caller accepts it */
	FIB_PASS_NO_DEV,
};

struct fib_want {
	__u8 type;		/* XR_RT_*; XR_RT_INVALID: no entry */
	__u8 reason;		/* enum fib_pass_reason */
	__u32 mtu;
	__u32 paths;		/* alive paths, even beyond XR_ECMP_MAX */
	unsigned int n;		/* unicast: nexthops in nh[] */
	struct xr_nexthop nh[XR_ECMP_MAX];
	__u32 upper[XR_ECMP_MAX];
};

/*
 * Upper bounds of ECMP members from their weights, as the kernel's
 * fib_rebalance()/rt6_multipath_rebalance(): member i takes hashes up to
 * round(sum(w[0..i]) << 31 / total) - 1; the last bound is 2^31 - 1.
 */
void ecmp_upper_bounds(const __u32 *weight, unsigned int n, __u32 *upper);

/*
 * The entry for @p. Returns 0, or -E2BIG for an ECMP route with more than
 * XR_ECMP_MAX alive paths: @w then says XR_RT_LOCAL (FIB_PASS_WIDE), for
 * callers that would rather pass it to the kernel than fail.
 */
int fib_want(const struct fib_model *m, const struct fib_pfx *p,
	     struct fib_want *w);

#endif /* XR_FIB_DESIRED_H */
