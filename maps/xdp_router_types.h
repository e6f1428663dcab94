/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Types shared by the XDP data plane (kern/) and the control plane (user/).
 *
 * This is the only definition of every structure that crosses the BPF/user
 * boundary. Only UAPI types, explicit padding, and a _Static_assert on every
 * size so that a change on one side cannot silently break the other.
 */
#ifndef XDP_ROUTER_TYPES_H
#define XDP_ROUTER_TYPES_H

#include <linux/types.h>

/* Name of the XDP program as the kernel shows it (at most 15 characters). */
#define XR_PROG_NAME "xdp_router"

/* Map names: also the file names of the pins under the pin path. */
#define XR_MAP_TX_PORTS "xr_tx_ports"
#define XR_MAP_IFACES "xr_ifaces"
/* Name of the pinned program under the pin path. */
#define XR_PIN_PROG "xr_prog"

/* Upper bound of interfaces one router instance can be attached to. */
#define XR_MAX_IFACES 256

/*
 * What happened to a packet. Every packet the program sees is counted once,
 * under exactly one outcome, on its ingress interface.
 *
 * Keep xr_outcome_names[] in user/outcomes.c in the same order.
 */
enum xr_outcome {
	XR_REDIRECT = 0,	/* forwarded by XDP through the devmap */

	/* Handed to the kernel, which does what XDP must not do itself. */
	XR_PASS_NOT_IP,		/* ARP, LLDP, VLAN tags, ... */
	XR_PASS_L2_OTHER,	/* Ethernet multicast/broadcast/another host */
	XR_PASS_IP_MCAST,	/* IPv4/IPv6 multicast or limited broadcast */
	XR_PASS_MARTIAN,	/* loopback/unspecified/multicast source,
				 * 0.0.0.0/8 or loopback destination */
	XR_PASS_V6_LINK_LOCAL,	/* link-local source/destination, ND */
	XR_PASS_IP_OPTIONS,	/* IPv4 options, IPv6 hop-by-hop header */
	XR_PASS_TTL_EXPIRED,	/* the kernel sends ICMP Time Exceeded */
	XR_PASS_NOT_FWDED,	/* local delivery, no route, forwarding off */
	XR_PASS_UNREACHABLE,	/* unreachable/prohibit route: kernel sends ICMP */
	XR_PASS_NO_NEIGH,	/* the kernel resolves the neighbour */
	XR_PASS_FRAG_NEEDED,	/* the kernel sends ICMP / fragments */
	XR_PASS_UNSUPPORTED,	/* lwtunnel encap, ... */
	XR_PASS_EGRESS_NOT_XDP,	/* egress interface is not attached */

	/* Dropped where the kernel would drop too. */
	XR_DROP_MALFORMED,	/* truncated or inconsistent IP header */
	XR_DROP_BAD_CSUM,	/* IPv4 header checksum wrong */
	XR_DROP_BLACKHOLE,	/* blackhole route */

	XR_ABORTED,		/* program error; should stay at zero */
	XR_OUTCOME_MAX,
};

struct xr_counter {
	__u64 packets;
	__u64 bytes;
};
_Static_assert(sizeof(struct xr_counter) == 16, "xr_counter size");

/* xr_iface_conf.flags */
#define XR_IFACE_F_CONFIGURED (1U << 0) /* written by the control plane */

/* What the control plane tells the data plane about an interface. */
struct xr_iface_conf {
	__u8 mac[6];	/* frames to other unicast MACs go to the kernel */
	__u16 flags;
};
_Static_assert(sizeof(struct xr_iface_conf) == 8, "xr_iface_conf size");

/*
 * Value of the per-CPU interface map, keyed by ingress ifindex (__u32).
 * Configuration and counters share one entry so that a packet costs a single
 * map lookup; the control plane writes the same conf into every CPU's copy
 * and sums the counters over CPUs.
 */
struct xr_iface {
	struct xr_iface_conf conf;
	struct xr_counter outcome[XR_OUTCOME_MAX];
};
_Static_assert(sizeof(struct xr_iface) == 8 + 16 * XR_OUTCOME_MAX,
	       "xr_iface size");

#endif /* XDP_ROUTER_TYPES_H */
