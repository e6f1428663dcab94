/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The packet fuzzer's network and its reference model (fuzz_model.c).
 *
 * The network is described once, in tables: fuzz_net.c turns them into
 * fixture directives (links, addresses, neighbours, routes, LB VIPs and
 * backends) and the model answers from the same tables what a Linux router
 * with that configuration may do with a frame: forward it (where, how big at
 * most), hand it to a VIP's backend, drop it as the kernel would drop it.
 * The model is written from the RFCs and the kernel's input path
 * (ip_rcv_core(), ip6_rcv_core(), ip_forward(), ip6_forward()), not from
 * the BPF code: it shares no line with kern/.
 */
#ifndef XR_FUZZ_MODEL_H
#define XR_FUZZ_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#define FZ_ETH_LEN 14

struct fz_link {
	const char *name;	/* router end; its peer is h<N> */
	__u32 ifindex;
	unsigned int mtu;
	bool attached;
	__u8 rp_filter;		/* its conf/IFACE/rp_filter (all: 0) */
	__u8 mac[6], peer_mac[6];
};

struct fz_backend {
	__u32 id;
	const char *addr;
	__u16 port;		/* 0: the client's destination port */
	bool active;
	__u8 family;
	__u8 bin[16];
	__u8 mac[6];
};

struct fz_vip {
	__u32 id;
	const char *addr;
	__u8 proto;
	__u16 port;		/* 0: all ports */
	bool nat;
	__u32 backend;		/* the ring's only backend */
	__u8 family;
	__u8 bin[16];
	const struct fz_backend *be;
};

/* Parses the tables' addresses; 0 or a negative errno. */
int fz_net_init(void);

/* The topology as fixture directives, NULL-terminated (static storage). */
char **fz_net_directives(void);

const struct fz_link *fz_link_by_index(__u32 ifindex);
const struct fz_link *fz_ingress_links(int *n);

/* Address pools the generator draws from (NULL-terminated). */
extern const char *const fz_v4_dst_pool[], *const fz_v4_src_pool[];
extern const char *const fz_v6_dst_pool[], *const fz_v6_src_pool[];
extern struct fz_vip fz_vips[];
extern const int fz_n_vips;
extern const __u16 fz_client_ports[], fz_vip_ports[];
extern const int fz_n_client_ports, fz_n_vip_ports;

/* What the model knows of a frame, and what it allows the router to do. */
struct fz_expect {
	/* Layout (valid when l3 is true). */
	bool l3;		/* a well-formed IPv4/IPv6 packet the kernel accepts */
	bool v6;
	size_t l3_len;		/* IP total length */
	int l4_off;		/* transport header from the IP header; -1 none */
	__u8 l4_proto;
	__u8 v6_ext;		/* extension headers before l4_off */
	bool v6_inner_hbh;	/* a hop-by-hop header not first */
	unsigned int ttl;	/* TTL / hop limit */
	bool fragment, later_fragment;

	unsigned int may;	/* bit per XDP action allowed */
	int must;		/* an action the router must take, or -1 */
	const struct fz_link *egress;		/* XDP_REDIRECT */
	const struct fz_vip *vip;		/* XDP_TX */
	const struct fz_vip *reply_vip;		/* maybe a NAT reply */
	const char *why;	/* the model's main reason */
};

void fz_model(const __u8 *frame, size_t len, __u32 ingress,
	      struct fz_expect *e);

/*
 * Checks the router's answer (@action, output frame @out) against @e;
 * returns the number of problems, described on @diag.
 */
int fz_check(const __u8 *in, size_t in_len, const struct fz_expect *e,
	     int action, const __u8 *out,
	     size_t out_len, FILE *diag);

/* Helpers of the model and the check. */
#define FZ_BIT(a) (1u << (a))

static inline __u16 fz_be16(const __u8 *p)
{
	return p[0] << 8 | p[1];
}

/* The XDP action's name. */
static inline const char *fz_act(int a)
{
	static const char *const names[] = {
		"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT",
	};

	return a >= 0 && a <= 4 ? names[a] : "?";
}

/* The transport header (TCP, UDP) is there, whole, within the IP length. */
static inline bool fz_l4_complete(const struct fz_expect *e)
{
	/* IPPROTO_TCP, IPPROTO_UDP: the header is included by both libc and
	 * UAPI users. */
	size_t need = e->l4_proto == 6 ? 20 : e->l4_proto == 17 ? 8 : 0;

	return need && e->l4_off >= 0 && e->l4_off + need <= e->l3_len;
}

/* Internet checksum helpers, for the generator too. */
__u32 fz_sum(const void *data, size_t len, __u32 sum);
__u16 fz_fold(__u32 sum);

#endif /* XR_FUZZ_MODEL_H */
