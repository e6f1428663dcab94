/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Internet checksum helpers for the few header fields the router touches. */
#ifndef XR_CSUM_H
#define XR_CSUM_H

#include <linux/ip.h>
#include <bpf/bpf_endian.h>

static __always_inline __u16 csum_fold32(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/*
 * True when the 20-byte IPv4 header (no options: the caller checked IHL)
 * carries a valid checksum. The kernel drops packets that fail this, so the
 * router must not forward them with a checksum it would then "fix".
 */
static __always_inline int ipv4_csum_ok(const struct iphdr *iph)
{
	const __u16 *w = (const __u16 *)iph;
	__u32 sum = 0;

#pragma unroll
	for (int i = 0; i < (int)(sizeof(*iph) / 2); i++)
		sum += w[i];
	return csum_fold32(sum) == 0xffff;
}

/*
 * The same for a header with options (IHL > 5), which only the load
 * balancer acts on: the kernel would drop it if this failed, so the LB must
 * not send it to a backend nor rewrite it. Bounds checked word by word.
 */
static __always_inline int ipv4_csum_ok_options(const struct iphdr *iph,
						const void *data_end)
{
	const __u16 *w = (const __u16 *)iph;
	int words = iph->ihl * 2;
	__u32 sum = 0;

#pragma unroll
	for (int i = 0; i < 30; i++) {	/* IHL 15: 60 bytes */
		if (i < words) {
			if ((const void *)(w + i + 1) > data_end)
				return 0;
			sum += w[i];
		}
	}
	return csum_fold32(sum) == 0xffff;
}

/*
 * Decrement the TTL and patch the checksum incrementally (RFC 1624), as the
 * kernel's ip_decrease_ttl() does: the TTL is the high byte of its 16-bit
 * word, so the word drops by 0x0100 and the checksum rises by the same.
 */
static __always_inline void ipv4_decrease_ttl(struct iphdr *iph)
{
	__u32 check = iph->check;

	check += bpf_htons(0x0100);
	iph->check = (__u16)(check + (check >= 0xffff));
	iph->ttl--;
}

/*
 * Incremental updates (RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m')) for the
 * fields NAT rewrites. A change is accumulated as a 64-bit partial sum of
 * ~old + new over the changed words, then applied to each checksum that
 * covers them. Words are read as stored (network order): the one's
 * complement sum does not depend on byte order as long as it is folded
 * back into a field read the same way.
 */
static __always_inline __u64 csum_diff32(__u32 old, __u32 new)
{
	return (__u64)(__u32)~old + new;
}

static __always_inline __u64 csum_diff16(__u16 old, __u16 new)
{
	return (__u64)(__u16)~old + new;
}

/* The change of replacing @n 32-bit words (an address) by @to. */
static __always_inline __u64 csum_diff_words(const __u32 *from,
					     const __u32 *to, int n)
{
	__u64 sum = 0;

#pragma unroll
	for (int i = 0; i < n; i++)
		sum += csum_diff32(from[i], to[i]);
	return sum;
}

static __always_inline __u16 csum_fold64(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	return csum_fold32((__u32)sum);
}

/* The checksum @check once the data it covers changed by @diff. */
static __always_inline __u16 csum_apply(__u16 check, __u64 diff)
{
	return (__u16)~csum_fold64((__u16)~check + diff);
}

#endif /* XR_CSUM_H */
