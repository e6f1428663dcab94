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

#endif /* XR_CSUM_H */
