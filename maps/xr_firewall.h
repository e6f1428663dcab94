/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The firewall gate (kern/firewall.h): with netfilter rules on the forward
 * path, XDP forwards a packet only if the kernel's conntrack holds an
 * established entry for its flow and the kernel itself has forwarded a
 * packet of that flow, in the same direction, under the current ruleset
 * generation. The kernel's proof is written by the recorder
 * (kern/fw_record.bpf.c, TC egress on the attached interfaces), the check
 * made by the router. Part of xdp_router_types.h.
 */
#ifndef XR_FIREWALL_TYPES_H
#define XR_FIREWALL_TYPES_H

#include <linux/types.h>

/* attach --firewall: the .rodata knob xr_fw_mode. */
enum xr_fw_mode {
	/* The gate is on while the router's namespace has netfilter hooks
	 * on the forward path (prerouting, forward, postrouting). */
	XR_FW_AUTO = 0,
	/* Always on, hooks or not. */
	XR_FW_CONNTRACK = 1,
	/* Never on: XDP forwards whatever the FIB routes (before 13). */
	XR_FW_OFF = 2,
};

/*
 * A conntrack entry's original-direction tuple, as the kernel stores it
 * (struct nf_conntrack_tuple): addresses in the first 4 bytes for IPv4.
 */
struct xr_fw_key {
	__u32 src[4];
	__u32 dst[4];
	__be16 sport;		/* TCP/UDP ports */
	__be16 dport;
	__u8 l4_proto;
	__u8 family;		/* AF_INET, AF_INET6 */
	__u16 zone;		/* conntrack zone id */
};
_Static_assert(sizeof(struct xr_fw_key) == 40, "xr_fw_key size");

/*
 * What the kernel has done with that flow: per direction (0 original,
 * 1 reply), the generation (kern/fw_generation.h) under which it last
 * forwarded one of its packets out of an attached interface with
 * conntrack's state "established", and when (XR_FW_TIME units). @ct is the
 * entry's address: a new entry for the same tuple (conntrack -F, expiry)
 * starts unverified.
 */
struct xr_fw_flow {
	__u64 ct;
	__u32 gen[2];
	__u32 at[2];
	__u8 verified[2];	/* gen[dir] and at[dir] are set */
	__u8 pad[6];
};
_Static_assert(sizeof(struct xr_fw_flow) == 32, "xr_fw_flow size");

/*
 * The generation of each family (0 IPv4, 1 IPv6) as last seen by the
 * router or the recorder, and since when: a verdict recorded less than
 * XR_FW_SETTLE after a change may have been taken under the old ruleset
 * (kern/fw_generation.h).
 */
struct xr_fw_state {
	__u32 gen[2];
	__u32 since[2];
	/* Set by the CLI: the namespace has legacy iptables tables, whose
	 * rule changes no generation shows; the gate hands every packet it
	 * would judge to the kernel. */
	__u32 blind;
	/* Set by the CLI: attach turned conntrack's liberal TCP window
	 * checks on (kern/firewall.h says why); the last detach turns them
	 * off again. */
	__u32 tcp_liberal_set;
};
_Static_assert(sizeof(struct xr_fw_state) == 24, "xr_fw_state size");

/* Time in units of 2^20 ns (1.05 ms), wrapping every 52 days. */
#define XR_FW_TIME_SHIFT 20
/* 8 units: 8.4 ms. */
#define XR_FW_SETTLE 8

/* Flows remembered; the least recently used go first (one packet per
 * direction then goes through the kernel again). */
#define XR_FW_FLOWS_DEFAULT 131072

/*
 * Its maps (rows of XR_MAPS, xr_maps.h): pinned, shared by the router and
 * the recorder, kept across reloads.
 */
#define XR_FIREWALL_MAPS(X)						\
	X(FW_FLOWS, fw_flows, LRU_HASH, struct xr_fw_key,		\
	  struct xr_fw_flow, XR_FW_FLOWS_DEFAULT, 0)			\
	X(FW_STATE, fw_state, ARRAY, __u32, struct xr_fw_state, 1, 0)

#endif /* XR_FIREWALL_TYPES_H */
