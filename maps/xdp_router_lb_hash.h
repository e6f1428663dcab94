/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The load balancer's flow hash, shared by the data plane and user space:
 * which Maglev slot a new flow takes must be reproducible outside the
 * program (every LB node must agree on it, tests and tools predict it), so
 * it is defined once, here, in plain C with UAPI types only.
 *
 * Bob Jenkins' lookup3 (jhash2() of <linux/jhash.h>) over the flow's words
 * in host byte order, so that the result does not depend on the CPU:
 *   IPv4: src, dst, ports                      (3 words)
 *   IPv6: src[0..3], dst[0..3], ports          (9 words)
 * where ports = sport << 16 | dport, and the initial value is
 * XR_LB_HASH_SEED ^ protocol. The slot is the hash modulo XR_LB_RING_SIZE.
 */
#ifndef XDP_ROUTER_LB_HASH_H
#define XDP_ROUTER_LB_HASH_H

#include <linux/types.h>
#include "xdp_router_types.h"

#define XR_INLINE static inline __attribute__((always_inline))

#define XR_JHASH_INITVAL 0xdeadbeef

XR_INLINE __u32 xr_rol32(__u32 word, unsigned int shift)
{
	return (word << (shift & 31)) | (word >> ((-shift) & 31));
}

#define xr_jhash_mix(a, b, c)					\
	do {							\
		a -= c; a ^= xr_rol32(c, 4);  c += b;		\
		b -= a; b ^= xr_rol32(a, 6);  a += c;		\
		c -= b; c ^= xr_rol32(b, 8);  b += a;		\
		a -= c; a ^= xr_rol32(c, 16); c += b;		\
		b -= a; b ^= xr_rol32(a, 19); a += c;		\
		c -= b; c ^= xr_rol32(b, 4);  b += a;		\
	} while (0)

#define xr_jhash_final(a, b, c)					\
	do {							\
		c ^= b; c -= xr_rol32(b, 14);			\
		a ^= c; a -= xr_rol32(c, 11);			\
		b ^= a; b -= xr_rol32(a, 25);			\
		c ^= b; c -= xr_rol32(b, 16);			\
		a ^= c; a -= xr_rol32(c, 4);			\
		b ^= a; b -= xr_rol32(a, 14);			\
		c ^= b; c -= xr_rol32(b, 24);			\
	} while (0)

/* Network to host order, for BPF and user space alike. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define xr_lb_ntohl(x) ((__u32)__builtin_bswap32(x))
#define xr_lb_ntohs(x) ((__u32)__builtin_bswap16(x))
#else
#define xr_lb_ntohl(x) ((__u32)(x))
#define xr_lb_ntohs(x) ((__u32)(__u16)(x))
#endif

/* xr_flow_key is only 2-byte aligned: no 32-bit loads through a cast. */
XR_INLINE __u32 xr_lb_word(const __u8 *p)
{
	__u32 w;

	__builtin_memcpy(&w, p, sizeof(w));
	return xr_lb_ntohl(w);
}

XR_INLINE __u32 xr_lb_hash(const struct xr_flow_key *k)
{
	__u32 ports = xr_lb_ntohs(k->sport) << 16 | xr_lb_ntohs(k->dport);
	__u32 a, b, c;

	if (k->family != 10 /* AF_INET6 */) {
		a = b = c = XR_JHASH_INITVAL + (3 << 2) +
			    (XR_LB_HASH_SEED ^ k->proto);
		a += xr_lb_word(k->src);
		b += xr_lb_word(k->dst);
		c += ports;
		xr_jhash_final(a, b, c);
		return c;
	}
	a = b = c = XR_JHASH_INITVAL + (9 << 2) + (XR_LB_HASH_SEED ^ k->proto);
	a += xr_lb_word(k->src);
	b += xr_lb_word(k->src + 4);
	c += xr_lb_word(k->src + 8);
	xr_jhash_mix(a, b, c);
	a += xr_lb_word(k->src + 12);
	b += xr_lb_word(k->dst);
	c += xr_lb_word(k->dst + 4);
	xr_jhash_mix(a, b, c);
	a += xr_lb_word(k->dst + 8);
	b += xr_lb_word(k->dst + 12);
	c += ports;
	xr_jhash_final(a, b, c);
	return c;
}

XR_INLINE __u32 xr_lb_slot(const struct xr_flow_key *k)
{
	return xr_lb_hash(k) % XR_LB_RING_SIZE;
}

#endif /* XDP_ROUTER_LB_HASH_H */
