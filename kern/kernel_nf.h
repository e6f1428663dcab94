/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Netfilter and conntrack, as far as the firewall gate reads them
 * (kern/firewall.h, kern/fw_record.bpf.c): only the fields read, found by
 * name when the program loads (CO-RE), like kernel_net.h. The conntrack
 * kfuncs' types keep the kernel's names (struct nf_conn, struct
 * bpf_ct_opts): libbpf matches a kfunc's prototype by them.
 */
#ifndef XR_KERNEL_NF_H
#define XR_KERNEL_NF_H

#include <linux/bpf.h>
#include <linux/types.h>
#include "kernel_net.h"

/* enum nf_inet_hooks */
#define XR_NF_INET_PRE_ROUTING 0
#define XR_NF_INET_FORWARD 2
#define XR_NF_INET_POST_ROUTING 4

/* enum ip_conntrack_status */
#define XR_IPS_SEEN_REPLY (1UL << 1)
#define XR_IPS_CONFIRMED (1UL << 3)
#define XR_IPS_SRC_NAT (1UL << 4)
#define XR_IPS_DST_NAT (1UL << 5)
#define XR_IPS_SEQ_ADJUST (1UL << 6)
#define XR_IPS_DYING (1UL << 9)
#define XR_IPS_HELPER (1UL << 13)

/* enum ip_conntrack_info: the two "established" states a packet can have,
 * and notrack's */
#define XR_IP_CT_ESTABLISHED 0
#define XR_IP_CT_ESTABLISHED_REPLY 3
#define XR_IP_CT_UNTRACKED 7
#define XR_NFCT_INFOMASK 7UL

/* enum tcp_conntrack, enum udp_conntrack */
#define XR_TCP_CONNTRACK_ESTABLISHED 3
#define XR_UDP_CT_UNREPLIED 0
#define XR_UDP_CT_REPLIED 1

struct nf_hook_entry___xr {
	void *hook;
} __attribute__((preserve_access_index));

struct nf_hook_entries___xr {
	__u16 num_hook_entries;
	struct nf_hook_entry___xr hooks[];
} __attribute__((preserve_access_index));

struct netns_nf___xr {
	struct nf_hook_entries___xr *hooks_ipv4[5];
	struct nf_hook_entries___xr *hooks_ipv6[5];
} __attribute__((preserve_access_index));

struct netns_nftables___xr {
	unsigned int base_seq;
} __attribute__((preserve_access_index));

struct nf_tcp_net___xr {
	unsigned int timeouts[14];
	__u8 tcp_be_liberal;
} __attribute__((preserve_access_index));

struct nf_udp_net___xr {
	unsigned int timeouts[2];
} __attribute__((preserve_access_index));

struct nf_ip_net___xr {
	struct nf_tcp_net___xr tcp;
	struct nf_udp_net___xr udp;
} __attribute__((preserve_access_index));

struct netns_ct___xr {
	struct nf_ip_net___xr nf_ct_proto;
} __attribute__((preserve_access_index));

/* struct net: the ___ suffix is a CO-RE flavour, ignored when matching. */
struct net___xrnf {
	struct netns_nf___xr nf;
	struct netns_ct___xr ct;
	struct netns_nftables___xr nft;
} __attribute__((preserve_access_index));

struct net_device___xrnf {
	struct {
		struct net___xrnf *net;
	} nd_net;
	struct nf_hook_entries___xr *nf_hooks_ingress;
} __attribute__((preserve_access_index));

/* struct nf_conntrack_tuple */
struct nf_conntrack_tuple___xr {
	struct {
		union {
			__u32 all[4];
		} u3;
		union {
			__be16 all;
		} u;
		__u16 l3num;
	} src;
	struct {
		union {
			__u32 all[4];
		} u3;
		union {
			__be16 all;
		} u;
		__u8 protonum;
	} dst;
} __attribute__((preserve_access_index));

struct nf_conntrack_tuple_hash___xr {
	struct nf_conntrack_tuple___xr tuple;
} __attribute__((preserve_access_index));

struct nf_conntrack_zone___xr {
	__u16 id;
} __attribute__((preserve_access_index));

struct ip_ct_tcp___xr {
	__u8 state;
} __attribute__((preserve_access_index));

struct nf_ct_udp___xr {
	unsigned long stream_ts;
} __attribute__((preserve_access_index));

struct nf_conn {
	__u32 timeout;
	struct nf_conntrack_zone___xr zone;
	struct nf_conntrack_tuple_hash___xr tuplehash[2];
	unsigned long status;
	union {
		struct ip_ct_tcp___xr tcp;
		struct nf_ct_udp___xr udp;
	} proto;
} __attribute__((preserve_access_index));

struct bpf_ct_opts {
	__s32 netns_id;
	__s32 error;
	__u8 l4proto;
	__u8 dir;
	__u16 ct_zone_id;
	__u8 ct_zone_dir;
	__u8 reserved[3];
};

#define XR_BPF_CT_OPTS_SZ 16
_Static_assert(sizeof(struct bpf_ct_opts) == XR_BPF_CT_OPTS_SZ,
	       "bpf_ct_opts size");

/* The netns id that means "the packet's own" (BPF_F_CURRENT_NETNS). */
#define XR_CURRENT_NETNS (-1)

extern struct nf_conn *
bpf_xdp_ct_lookup(struct xdp_md *xdp_ctx, struct bpf_sock_tuple *bpf_tuple,
		  __u32 tuple__sz, struct bpf_ct_opts *opts,
		  __u32 opts__sz) __ksym;
extern void bpf_ct_release(struct nf_conn *nfct) __ksym;
extern int bpf_ct_change_timeout(struct nf_conn *nfct, __u32 timeout) __ksym;

#endif /* XR_KERNEL_NF_H */
