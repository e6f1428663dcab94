/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What happened to a packet, and the counter every outcome is counted in.
 * Part of xdp_router_types.h.
 */
#ifndef XR_OUTCOMES_TYPES_H
#define XR_OUTCOMES_TYPES_H

#include <linux/types.h>

/*
 * Every packet the program sees is counted once, under exactly one outcome,
 * on its ingress interface. One row per outcome, X(constant, name): the
 * order is the enum's (and the counters' in xr_iface); the name is what
 * stats prints. enum xr_outcome, the CLI's names (user/common/outcomes.c)
 * and the fixtures' (kern/tests/fixture_names.c) are made from this list.
 */
#define XR_OUTCOMES(X)							\
	/* forwarded by XDP through the devmap */			\
	X(XR_REDIRECT, "redirect")					\
	/* the same, for a flow the firewall gate found established	\
	 * and accepted by the kernel (kern/firewall.h) */		\
	X(XR_REDIRECT_FW, "redirect_fw")				\
	/* the same, translated as conntrack's NAT does */		\
	X(XR_REDIRECT_NAT, "redirect_nat")				\
	/* load balanced: sent to a backend, XDP_TX */			\
	X(XR_LB_TX, "lb_tx")						\
	/* -- Handed to the kernel, which does what XDP must not do. */	\
	/* ARP, LLDP, VLAN tags, ... */					\
	X(XR_PASS_NOT_IP, "pass_not_ip")				\
	/* Ethernet multicast/broadcast/another host */			\
	X(XR_PASS_L2_OTHER, "pass_l2_other")				\
	/* IPv4/IPv6 multicast or limited broadcast */			\
	X(XR_PASS_IP_MCAST, "pass_ip_mcast")				\
	/* loopback/unspecified/multicast source, 0.0.0.0/8 or		\
	 * loopback destination */					\
	X(XR_PASS_MARTIAN, "pass_martian")				\
	/* link-local source/destination, ND */				\
	X(XR_PASS_V6_LINK_LOCAL, "pass_v6_link_local")			\
	/* IPv4 options, IPv6 hop-by-hop header */			\
	X(XR_PASS_IP_OPTIONS, "pass_ip_options")			\
	/* the kernel sends ICMP Time Exceeded */			\
	X(XR_PASS_TTL_EXPIRED, "pass_ttl_expired")			\
	/* local delivery, no route, forwarding off */			\
	X(XR_PASS_NOT_FWDED, "pass_not_fwded")				\
	/* unreachable/prohibit route: kernel sends ICMP */		\
	X(XR_PASS_UNREACHABLE, "pass_unreachable")			\
	/* the kernel resolves the neighbour */				\
	X(XR_PASS_NO_NEIGH, "pass_no_neigh")				\
	/* the kernel sends ICMP / fragments */				\
	X(XR_PASS_FRAG_NEEDED, "pass_frag_needed")			\
	/* lwtunnel encap, ... */					\
	X(XR_PASS_UNSUPPORTED, "pass_unsupported")			\
	/* egress interface is not attached */				\
	X(XR_PASS_EGRESS_NOT_XDP, "pass_egress_not_xdp")		\
	/* out by its ingress interface: the kernel sends an ICMP	\
	 * redirect (IPv4 send_redirects; IPv6 always) */		\
	X(XR_PASS_REDIRECT, "pass_redirect")				\
	/* a source check XDP cannot settle (kern/source_check.h): a	\
	 * local or broadcast source, no route back, an ECMP route back	\
	 * under strict rp_filter; or a failed one the kernel must log	\
	 * (log_martians) or netfilter see */				\
	X(XR_PASS_SOURCE, "pass_source")				\
	/* -- Handed to the kernel by the firewall gate. */		\
	/* no established conntrack entry: a new flow, a flushed or	\
	 * expired entry, a helper's or sequence-adjusted flow */	\
	X(XR_PASS_FW_NEW, "pass_fw_new")				\
	/* conntrack must see it: TCP SYN/FIN/RST, ICMP, fragments,	\
	 * protocols other than TCP and UDP */				\
	X(XR_PASS_FW_CTL, "pass_fw_ctl")				\
	/* TCP while conntrack checks windows strictly			\
	 * (nf_conntrack_tcp_be_liberal 0): it must see every segment */ \
	X(XR_PASS_FW_TCP_STRICT, "pass_fw_tcp_strict")			\
	/* the kernel has not forwarded this flow, in this direction,	\
	 * under the current ruleset */					\
	X(XR_PASS_FW_VERIFY, "pass_fw_verify")				\
	/* netfilter hooks the gate cannot judge: netdev ingress	\
	 * chains on the ingress interface */				\
	X(XR_PASS_FW_BLIND, "pass_fw_blind")				\
	/* -- Dropped where the kernel would drop too. */		\
	/* truncated or inconsistent IP header */			\
	X(XR_DROP_MALFORMED, "drop_malformed")				\
	/* IPv4 header checksum wrong */				\
	X(XR_DROP_BAD_CSUM, "drop_bad_csum")				\
	/* blackhole route */						\
	X(XR_DROP_BLACKHOLE, "drop_blackhole")				\
	/* rp_filter: no route back to the source (loose), or none	\
	 * through the ingress interface (strict) */			\
	X(XR_DROP_RP_FILTER, "drop_rp_filter")				\
	/* VIP packet, no backend takes new flows */			\
	X(XR_DROP_LB_NO_BACKEND, "drop_lb_no_backend")			\
	/* VIP fragment whose first fragment is unknown */		\
	X(XR_DROP_LB_FRAG, "drop_lb_frag")				\
	/* program error; should stay at zero */			\
	X(XR_ABORTED, "aborted")

#define XR_OUTCOME_ENUM(id, name) id,
enum xr_outcome {
	XR_OUTCOMES(XR_OUTCOME_ENUM)
	XR_OUTCOME_MAX,
};
#undef XR_OUTCOME_ENUM

struct xr_counter {
	__u64 packets;
	__u64 bytes;
};
_Static_assert(sizeof(struct xr_counter) == 16, "xr_counter size");

#endif /* XR_OUTCOMES_TYPES_H */
