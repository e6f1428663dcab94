/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The kernel's networking structures, as far as the route cache
 * (kern/route_epoch.h, kern/route_watch.bpf.c) and the source check
 * (kern/source_check.h) read them: the fields are found by name when the
 * program loads (CO-RE, preserve_access_index), so only the ones read are
 * declared, never a whole layout. The ___xr suffix keeps them apart from
 * any real definition.
 */
#ifndef XR_KERNEL_NET_H
#define XR_KERNEL_NET_H

#include <linux/types.h>

struct fib_rules_ops___xr {
	unsigned int fib_rules_seq;
} __attribute__((preserve_access_index));

struct fib6_table___xr {
	unsigned int fib_seq;
} __attribute__((preserve_access_index));

struct sysctl_fib_multipath_hash_seed___xr {
	__u32 user_seed;
} __attribute__((preserve_access_index));

typedef struct {
	int counter;
} atomic___xr;

/* struct ipv4_devconf: data[] is indexed by IPV4_DEVCONF_* - 1
 * (<linux/ip.h>, a fixed ABI); long enough for the entries read. */
struct ipv4_devconf___xr {
	int data[32];
} __attribute__((preserve_access_index));

struct netns_ipv4___xr {
	struct ipv4_devconf___xr *devconf_all;
	unsigned int fib_seq;
	struct fib_rules_ops___xr *rules_ops;
	__u8 fib_has_custom_rules;
	atomic___xr rt_genid;
	__u8 sysctl_ip_fwd_use_pmtu;
	__u8 sysctl_fib_multipath_hash_policy;
	__u8 sysctl_fib_multipath_use_neigh;
	__u32 sysctl_fib_multipath_hash_fields;
	struct sysctl_fib_multipath_hash_seed___xr sysctl_fib_multipath_hash_seed;
} __attribute__((preserve_access_index));

struct netns_sysctl_ipv6___xr {
	__u8 multipath_hash_policy;
	__u32 multipath_hash_fields;
} __attribute__((preserve_access_index));

struct netns_ipv6___xr {
	struct netns_sysctl_ipv6___xr sysctl;
	struct fib6_table___xr *fib6_main_tbl;
	struct fib6_table___xr *fib6_local_tbl;
	struct fib_rules_ops___xr *fib6_rules_ops;
	__u8 fib6_has_custom_rules;
	atomic___xr fib6_sernum;
} __attribute__((preserve_access_index));

struct net___xr {
	__u64 net_cookie;
	struct netns_ipv4___xr ipv4;
	struct netns_ipv6___xr ipv6;
} __attribute__((preserve_access_index));

struct in_device___xr {
	void *ifa_list;			/* NULL: no IPv4 address */
	struct ipv4_devconf___xr cnf;
} __attribute__((preserve_access_index));

struct net_device___xr {
	struct {
		struct net___xr *net;
	} nd_net;
	struct in_device___xr *ip_ptr;
} __attribute__((preserve_access_index));

struct xdp_rxq_info___xr {
	struct net_device___xr *dev;
} __attribute__((preserve_access_index));

struct xdp_buff___xr {
	struct xdp_rxq_info___xr *rxq;
} __attribute__((preserve_access_index));

#endif /* XR_KERNEL_NET_H */
