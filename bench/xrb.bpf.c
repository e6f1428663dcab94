// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Benchmark programs (not part of the router), one object, one skeleton:
 *
 *   xrb_gen    traffic generator, run by bpf_prog_test_run_opts() with
 *              BPF_F_TEST_XDP_LIVE_FRAMES: returns XDP_TX, so every frame
 *              leaves through the sender veth.
 *   xrb_sink   per-CPU packet counter + XDP_DROP, on the far veth.
 *   xrb_redir  the redirect ceiling: bpf_redirect_map() to a devmap, no
 *              parsing at all.
 *   xrb_txswap the XDP_TX ceiling: swap the MACs, send back.
 *
 * Live frames are NOT reset when test_run recycles their page: whatever the
 * device under test rewrote (MACs, TTL, checksum) comes back on the next
 * pass. So the generator writes the whole header, from a template userspace
 * built (checksums included), on every packet. With one flow that is a plain
 * copy; with more, it patches the source port / source address (and the
 * destination, from a table) with incremental checksum updates, which keeps
 * the generator's own cost small: it runs on the same core as the path it
 * measures.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define XRB_HDR_MAX 64		/* template buffer */
#define XRB_HDR_V4 42		/* eth + IPv4 + UDP */
#define XRB_HDR_V6 62		/* eth + IPv6 + UDP */
#define XRB_MAX_DSTS 65536	/* destination table (IPv4 only) */
#define XRB_PORTS 60000		/* source ports per source address */

/* ---- generator ---------------------------------------------------------- */

/* Set through the skeleton before load. */
const volatile __u64 gen_tmpl[XRB_HDR_MAX / 8];	/* eth + IP + UDP, checksummed */
const volatile __u32 gen_ipv6;
const volatile __u32 gen_flows = 1;		/* distinct (saddr, sport) */
const volatile __u32 gen_ndsts;			/* 0: template's destination */
/* The destination port + this x the source address's offset: each block of
 * XRB_PORTS flows (one source address) gets its own destination port, so
 * that a masquerading router, which folds every source address into one,
 * still finds a free port for each flow (its ports per destination are
 * ~64k). 0: one destination port. */
const volatile __u32 gen_dport_step;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} gen_seq SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XRB_MAX_DSTS);
	__type(key, __u32);
	__type(value, __be32);
} gen_dsts SEC(".maps");

/* One's complement: add (new - old) for a 16-bit word to a checksum (RFC 1624
 * eqn. 3: HC' = ~(~HC + ~m + m')). */
static __always_inline __u16 csum_replace16(__u16 check, __u16 old, __u16 new)
{
	__u32 s = (__u16)~check + (__u32)(__u16)~old + new;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return ~s;
}

static __always_inline __u16 csum_replace32(__u16 check, __u32 old, __u32 new)
{
	check = csum_replace16(check, old >> 16, new >> 16);
	return csum_replace16(check, old & 0xffff, new & 0xffff);
}

/* Flow @seq: source port base + i % XRB_PORTS, source address + i / XRB_PORTS
 * (last 32 bits), destination from the table; with gen_dport_step, the
 * destination port + step x (i / XRB_PORTS). */
static __always_inline void gen_vary(void *data, __u64 seq)
{
	__u32 i = gen_flows > 1 ? seq % gen_flows : 0;
	__u16 port_off = i % XRB_PORTS;
	__u32 addr_off = i / XRB_PORTS;
	struct udphdr *udp;
	__be16 sport;

	if (gen_ipv6) {
		struct ipv6hdr *ip6 = data + ETH_HLEN;
		__u32 *last = &ip6->saddr.in6_u.u6_addr32[3];
		__u32 old = *last;
		__u32 new = bpf_htonl(bpf_ntohl(old) + addr_off);

		udp = (void *)(ip6 + 1);
		sport = bpf_htons(bpf_ntohs(udp->source) + port_off);
		*last = new;
		udp->check = csum_replace32(udp->check, old, new);
		udp->check = csum_replace16(udp->check, udp->source, sport);
		if (!udp->check)
			udp->check = 0xffff;
		udp->source = sport;
		if (gen_dport_step && addr_off) {
			__be16 dport = bpf_htons(bpf_ntohs(udp->dest) +
						 addr_off * gen_dport_step);

			udp->check = csum_replace16(udp->check, udp->dest, dport);
			if (!udp->check)
				udp->check = 0xffff;
			udp->dest = dport;
		}
		return;
	}

	struct iphdr *ip = data + ETH_HLEN;
	__u32 saddr = bpf_htonl(bpf_ntohl(ip->saddr) + addr_off);

	/* IPv4 UDP goes without checksum (0): only the IP header's changes. */
	ip->check = csum_replace32(ip->check, ip->saddr, saddr);
	ip->saddr = saddr;
	if (gen_ndsts) {
		__u32 k = seq % gen_ndsts;
		__be32 *dst = bpf_map_lookup_elem(&gen_dsts, &k);

		if (dst) {
			ip->check = csum_replace32(ip->check, ip->daddr, *dst);
			ip->daddr = *dst;
		}
	}
	udp = (void *)(ip + 1);
	udp->source = bpf_htons(bpf_ntohs(udp->source) + port_off);
	if (gen_dport_step)
		udp->dest = bpf_htons(bpf_ntohs(udp->dest) +
				      addr_off * gen_dport_step);
}

/*
 * Copy the template's first @len bytes (42 or 62) in 8-byte words. The reads
 * must stay volatile: through a non-volatile pointer clang would fold the
 * template to its compile-time value, zeros.
 */
static __always_inline void copy_tmpl(void *data, const int len)
{
	const volatile __u32 *t32 = (const volatile __u32 *)gen_tmpl;
	const volatile __u16 *t16 = (const volatile __u16 *)gen_tmpl;
	int i, off = len & ~7;

#pragma unroll
	for (i = 0; i < len / 8; i++)
		((__u64 *)data)[i] = gen_tmpl[i];
	if (len & 4) {
		*(__u32 *)(data + off) = t32[off / 4];
		off += 4;
	}
	if (len & 2)
		*(__u16 *)(data + off) = t16[off / 2];
}

SEC("xdp")
int xrb_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 zero = 0;
	__u64 *seq;

	/* Constant sizes: the verifier keeps one branch. */
	if (gen_ipv6) {
		if (data + XRB_HDR_V6 > data_end)
			return XDP_ABORTED;	/* userspace checks the size */
		copy_tmpl(data, XRB_HDR_V6);
	} else {
		if (data + XRB_HDR_V4 > data_end)
			return XDP_ABORTED;
		copy_tmpl(data, XRB_HDR_V4);
	}

	if (gen_flows > 1 || gen_ndsts) {
		seq = bpf_map_lookup_elem(&gen_seq, &zero);
		if (!seq)
			return XDP_ABORTED;
		gen_vary(data, (*seq)++);
	}
	return XDP_TX;
}

/* ---- sink --------------------------------------------------------------- */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sink_pkts SEC(".maps");

/* xdp.frags here and below: they run on jumbo-MTU veths too (bench.sh
 * --size above 1518), where veth refuses a program without it. */
SEC("xdp.frags")
int xrb_sink(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&sink_pkts, &zero);

	if (n)
		(*n)++;
	return XDP_DROP;
}

/* ---- the ceilings ------------------------------------------------------- */

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} redir_port SEC(".maps");

SEC("xdp.frags")
int xrb_redir(struct xdp_md *ctx)
{
	return bpf_redirect_map(&redir_port, 0, 0);
}

SEC("xdp.frags")
int xrb_txswap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 tmp[ETH_ALEN];

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
