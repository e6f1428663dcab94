// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The packet fuzzer's output check (fz_check(), fuzz_model.h): the router's
 * answer to a frame against what the model (fuzz_model.c) allows, and the
 * frame it sent against the expected image, byte for byte, checksums by
 * their sums.
 */

#include <arpa/inet.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/in.h>
#include "fixture_runner.h"
#include "fuzz_model.h"
#include "fuzz_net.h"

/* The expected output: bytes, and up to three 2-byte checksum fields left
 * to be checked by their sums. */
struct image {
	__u8 b[MAX_FRAME];	/* jumbo (multi-buffer) frames too */
	size_t len;
	int n_free;
	size_t free_off[3];
	bool l4_sum;		/* the transport checksum must stay as valid */
	bool l4_addrs;		/* ... and covers the addresses */
	size_t quote_ip;	/* a quoted IPv4 header's, as valid; 0: none */
};

static bool is_free(const struct image *im, size_t i)
{
	for (int k = 0; k < im->n_free; k++)
		if (i >= im->free_off[k] && i < im->free_off[k] + 2)
			return true;
	return false;
}

static void leave_free(struct image *im, size_t off)
{
	if (is_free(im, off))
		return;
	if (off + 2 <= im->len && im->n_free < 3)
		im->free_off[im->n_free++] = off;
}

static void image_init(struct image *im, const __u8 *in, size_t len)
{
	im->len = len < sizeof(im->b) ? len : sizeof(im->b);
	memcpy(im->b, in, im->len);
	im->n_free = 0;
	im->l4_sum = im->l4_addrs = false;
	im->quote_ip = 0;
}

static void image_hop(struct image *im, const struct fz_expect *e)
{
	__u8 *ip = im->b + FZ_ETH_LEN;

	if (e->v6) {
		ip[7]--;
	} else {
		ip[8]--;
		leave_free(im, FZ_ETH_LEN + 10);
	}
}

static void image_macs(struct image *im, const __u8 *dmac, const __u8 *smac)
{
	memcpy(im->b, dmac, 6);
	memcpy(im->b + 6, smac, 6);
}

/* Transport checksum offset from the IP header, or -1. */
static int l4_csum_off(const struct fz_expect *e)
{
	if (!fz_l4_complete(e))
		return -1;
	return e->l4_off + (e->l4_proto == IPPROTO_TCP ? 16 : 6);
}

/*
 * Address @which (0 source, 1 destination) becomes @addr, and the
 * transport port @which becomes @port if not 0: what NAT does.
 */
static void image_nat(struct image *im, const struct fz_expect *e,
		      int which, const __u8 *addr, __u16 port)
{
	__u8 *ip = im->b + FZ_ETH_LEN;
	size_t alen = e->v6 ? 16 : 4;
	int csum = l4_csum_off(e);

	memcpy(ip + (e->v6 ? 8 : 12) + which * alen, addr, alen);
	if (!e->v6)
		leave_free(im, FZ_ETH_LEN + 10);
	if (csum < 0)
		return;
	if (port) {
		ip[e->l4_off + 2 * which] = port >> 8;
		ip[e->l4_off + 2 * which + 1] = port & 0xff;
	}
	/* An IPv4 UDP checksum of 0 is "none", and stays so. */
	if (e->l4_proto == IPPROTO_UDP && !e->v6 && !fz_be16(ip + csum))
		return;
	leave_free(im, FZ_ETH_LEN + csum);
	im->l4_sum = im->l4_addrs = true;
}

/*
 * NAT of an ICMP error to the backend (nf_nat_icmp_reply_translation()):
 * the outer destination and the quoted packet's source become the
 * backend's, and the quoted source port its port if it has one; the outer
 * and quoted IPv4 header checksums and the ICMP checksum stay as valid as
 * they were. pmtu_error_about() checked the quote's bounds.
 */
static void image_icmp_nat(struct image *im, const struct fz_expect *e,
			   const struct fz_backend *be)
{
	size_t ip = FZ_ETH_LEN, q = ip + e->l4_off + 8, alen = e->v6 ? 16 : 4;
	size_t hl = e->v6 ? 40 : (im->b[q] & 15) * 4;

	memcpy(im->b + ip + (e->v6 ? 24 : 16), be->bin, alen);
	memcpy(im->b + q + (e->v6 ? 8 : 12), be->bin, alen);
	if (be->port) {
		im->b[q + hl] = be->port >> 8;
		im->b[q + hl + 1] = be->port & 0xff;
	}
	leave_free(im, ip + e->l4_off + 2);
	if (!e->v6) {
		leave_free(im, q + 10);
		im->quote_ip = q;
	}
}

/* One's complement sum of @n bytes, -0 read as +0. */
static __u16 sum_of(const __u8 *p, size_t n)
{
	__u16 v = fz_fold(fz_sum(p, n, 0));

	return v ? v : 0xffff;
}

/* Sum of what the transport checksum covers that can change. */
static __u16 l4_sum(const __u8 *frame, const struct fz_expect *e,
		    bool addrs)
{
	const __u8 *ip = frame + FZ_ETH_LEN;
	__u32 s = fz_sum(ip + e->l4_off, e->l3_len - e->l4_off, 0);
	__u16 v;

	if (addrs)
		s = fz_sum(ip + (e->v6 ? 8 : 12), e->v6 ? 32 : 8, s);
	v = fz_fold(s);
	return v ? v : 0xffff;	/* one's complement: +0 is -0 */
}

/* 0 if @out is @im, else the first differing offset + 1. */
static size_t image_diff(const struct image *im, const __u8 *out,
			 size_t out_len)
{
	if (out_len != im->len)
		return (out_len < im->len ? out_len : im->len) + 1;
	for (size_t i = 0; i < im->len; i++)
		if (!is_free(im, i) && out[i] != im->b[i])
			return i + 1;
	return 0;
}

/* The checksums the image left free are right. */
static const char *image_sums(const struct image *im, const __u8 *in,
			      const __u8 *out, const struct fz_expect *e)
{
	const __u8 *ip = out + FZ_ETH_LEN;

	if (is_free(im, FZ_ETH_LEN + 10) &&
	    fz_fold(fz_sum(ip, (ip[0] & 15) * 4, 0)) != 0xffff)
		return "IPv4 header checksum invalid";
	if (im->l4_sum && l4_sum(in, e, im->l4_addrs) !=
			  l4_sum(out, e, im->l4_addrs))
		return "transport checksum not updated to match";
	if (im->quote_ip) {
		size_t hl = (out[im->quote_ip] & 15) * 4;

		if (sum_of(in + im->quote_ip, hl) !=
		    sum_of(out + im->quote_ip, hl))
			return "quoted IPv4 header checksum not updated to match";
	}
	return NULL;
}

static int report(FILE *diag, const char *what, const struct image *im,
		  const __u8 *out, size_t out_len, size_t at)
{
	fprintf(diag, "#   %s: ", what);
	if (out_len != im->len)
		fprintf(diag, "length %zu, expected %zu\n", out_len, im->len);
	else
		fprintf(diag, "byte %zu is %02x, expected %02x\n", at - 1,
			out[at - 1], im->b[at - 1]);
	return 1;
}

/* @out must be one of @n images; reports against the first. */
static int match_images(FILE *diag, const char *what, struct image *ims,
			int n, const __u8 *in, const __u8 *out, size_t out_len,
			const struct fz_expect *e)
{
	size_t first = 0;
	const char *sums = NULL;

	for (int i = 0; i < n; i++) {
		size_t at = image_diff(&ims[i], out, out_len);

		if (!at) {
			sums = image_sums(&ims[i], in, out, e);
			if (!sums)
				return 0;
		}
		if (i == 0)
			first = at;
	}
	if (sums) {
		fprintf(diag, "#   %s: %s\n", what, sums);
		return 1;
	}
	return report(diag, what, &ims[0], out, out_len, first);
}

static struct image images[2];

/* A NAT backend's reply, its source the VIP's again. */
static void image_reply(struct image *im, const struct fz_expect *e)
{
	const struct fz_vip *v = e->reply_vip;

	image_nat(im, e, 0, v->bin, v->port);
}

int fz_check(const __u8 *in, size_t in_len, const struct fz_expect *e,
	     int action, const __u8 *out,
	     size_t out_len, FILE *diag)
{
	/* Replies are translated only if they have a hop left (lb_nat.h). */
	bool reply = e->reply_vip && e->l3 && e->ttl > 1;
	int errors = 0, n = 1;

	if (action < 0 || action > XDP_REDIRECT || !(e->may & FZ_BIT(action))) {
		fprintf(diag, "#   %s, but the model allows none (%s)\n",
			fz_act(action), e->why);
		return 1;
	}
	if (e->must >= 0 && action != e->must) {
		fprintf(diag, "#   %s, but the model says %s (%s)\n",
			fz_act(action), fz_act(e->must), e->why);
		errors++;
	}
	image_init(&images[0], in, in_len);
	switch (action) {
	case XDP_PASS:
	case XDP_DROP:
		if (reply) {
			images[1] = images[0];
			image_reply(&images[1], e);
			n = 2;
		}
		errors += match_images(diag, "frame handed on changed", images,
				       n, in, out, out_len, e);
		break;
	case XDP_REDIRECT:
		/* The IP packet alone: the kernel trims the rest. */
		images[0].len = FZ_ETH_LEN + e->l3_len;
		image_macs(&images[0], e->egress->peer_mac, e->egress->mac);
		image_hop(&images[0], e);
		if (reply) {
			images[1] = images[0];
			image_reply(&images[1], e);
			n = 2;
		}
		errors += match_images(diag, "forwarded frame", images, n, in,
				       out, out_len, e);
		break;
	case XDP_TX: {
		const struct fz_vip *v = e->vip;
		bool icmp = e->l4_proto == (e->v6 ? IPPROTO_ICMPV6 :
						    IPPROTO_ICMP);

		image_macs(&images[0], v->be->mac, in);
		if (v->nat) {
			image_hop(&images[0], e);
			if (icmp)
				image_icmp_nat(&images[0], e, v->be);
			else
				image_nat(&images[0], e, 1, v->be->bin,
					  v->be->port);
		}
		errors += match_images(diag, "frame to the backend", images, 1,
				       in, out, out_len, e);
		if (v->nat && icmp && out_len == images[0].len &&
		    l4_sum(in, e, e->v6) != l4_sum(out, e, e->v6)) {
			fprintf(diag, "#   ICMP checksum not updated to match\n");
			errors++;
		}
		break;
	}
	default:
		break;
	}
	return errors;
}
