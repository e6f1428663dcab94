// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The desired map entry of a prefix; see fib_desired.h. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>
#include "fib_desired.h"

void ecmp_upper_bounds(const __u32 *weight, unsigned int n, __u32 *upper)
{
	__u64 total = 0, w = 0;

	for (unsigned int i = 0; i < n; i++)
		total += weight[i];
	for (unsigned int i = 0; i < n; i++) {
		w += weight[i];
		/* DIV_ROUND_CLOSEST_ULL((u64)w << 31, total) - 1 */
		upper[i] = (__u32)(((w << 31) + total / 2) / total - 1);
	}
}

static bool path_dead(const struct fib_model *m, __u8 family,
		      const struct fib_nh *nh)
{
	const struct fib_link *l;
	int f = fib_fam_idx(family);

	if (nh->flags & RTNH_F_DEAD)
		return true;
	if (!(nh->flags & RTNH_F_LINKDOWN))
		return false;
	/* Carrier down: skipped only with ignore_routes_with_linkdown. */
	l = fib_model_link_get(m, nh->ifindex);
	return m->ignore_linkdown_all[f] || (l && l->ignore_linkdown[f]);
}

static bool variant_alive(const struct fib_model *m, __u8 family,
			  const struct fib_variant *v)
{
	const struct fib_nhlist *l = fib_model_nhl(m, v->nhl);

	if (v->type != RTN_UNICAST || !l)
		return true;
	for (unsigned int i = 0; i < l->n; i++)
		if (!path_dead(m, family, &l->nh[i]))
			return true;
	return v->flags & FIB_V_WIDE;	/* the paths we did not keep */
}

/*
 * The route of @pr in @table the kernel would use: the lowest metric that
 * is alive. *@tos says a TOS-specific route exists, which only some
 * packets would match.
 */
static const struct fib_variant *
select_variant(const struct fib_model *m, const struct fib_pfx *p,
	       const struct fib_prefix_routes *pr, __u32 table, bool *tos)
{
	const struct fib_variant *v = fib_variants(pr), *best = NULL;

	*tos = false;
	for (unsigned int i = 0; i < pr->n; i++) {
		if (v[i].table != table)
			continue;
		if (v[i].tos) {
			*tos = true;
			continue;
		}
		if ((!best || v[i].priority < best->priority) &&
		    variant_alive(m, p->family, &v[i]))
			best = &v[i];
	}
	return best;
}

/* The xr_nexthop of a path, from the path and its egress link. */
static void fib_nexthop_value(const struct fib_model *m, __u8 family,
			      const struct fib_nh *nh,
			      struct xr_nexthop *out)
{
	const struct fib_link *l = fib_model_link_get(m, nh->ifindex);

	memset(out, 0, sizeof(*out));
	out->ifindex = nh->ifindex;
	if (l) {
		/* IPv6 forwards with the interface's IPv6 MTU (the mtu
		 * sysctl, which may be below the device's): a nexthop of an
		 * IPv6 route carries that one. */
		out->mtu = family == AF_INET6 && l->mtu6 ? l->mtu6 : l->mtu;
		if (l->ether)
			memcpy(out->smac, l->mac, sizeof(out->smac));
	}
	if (nh->gw_family) {
		out->flags = XR_NH_F_GATEWAY;
		out->gw_family = nh->gw_family;
		memcpy(out->gw, nh->gw, sizeof(out->gw));
	}
}

static void want_pass(struct fib_want *w, enum fib_pass_reason why)
{
	w->type = XR_RT_KERNEL;
	w->reason = why;
	w->n = 0;
	w->mtu = 0;
}

static int unicast_want(const struct fib_model *m, __u8 family,
			const struct fib_variant *v, struct fib_want *w)
{
	const struct fib_nhlist *l = fib_model_nhl(m, v->nhl);
	__u32 weight[XR_ECMP_MAX];

	if (v->flags & FIB_V_NHID_ONLY || !l) {
		want_pass(w, FIB_PASS_NHID);
		return 0;
	}
	w->type = XR_RT_UNICAST;
	/*
	 * ip_mtu_from_fib_result() / ip6_mtu_from_fib6(): forwarding uses
	 * the route's MTU only when it is locked (or, IPv4, with
	 * ip_forward_use_pmtu); otherwise the device's, in the nexthop.
	 */
	if (v->flags & FIB_V_MTU_LOCKED ||
	    (family == AF_INET && m->ip_fwd_use_pmtu))
		w->mtu = v->mtu;
	w->paths = v->flags & FIB_V_WIDE ? FIB_MAX_PATHS + 1 : 0;
	for (unsigned int i = 0; i < l->n; i++) {
		const struct fib_nh *nh = &l->nh[i];

		if (path_dead(m, family, nh))
			continue;
		if (nh->encap) {
			want_pass(w, FIB_PASS_ENCAP);
			return 0;
		}
		if (!nh->ifindex) {
			want_pass(w, FIB_PASS_NO_DEV);
			return 0;
		}
		if (w->n < XR_ECMP_MAX) {
			fib_nexthop_value(m, family, nh, &w->nh[w->n]);
			weight[w->n++] = nh->weight;
		}
		if (!(v->flags & FIB_V_WIDE))
			w->paths++;
	}
	if (w->paths > XR_ECMP_MAX) {
		want_pass(w, FIB_PASS_WIDE);
		return -E2BIG;
	}
	if (w->n > 1)
		ecmp_upper_bounds(weight, w->n, w->upper);
	return 0;
}

static int variant_want(const struct fib_model *m, __u8 family,
			const struct fib_variant *v, struct fib_want *w)
{
	switch (v->type) {
	case RTN_UNICAST:
		return unicast_want(m, family, v, w);
	case RTN_BLACKHOLE:
		w->type = XR_RT_BLACKHOLE;
		return 0;
	case RTN_UNREACHABLE:
		w->type = XR_RT_UNREACHABLE;
		return 0;
	case RTN_PROHIBIT:
		w->type = XR_RT_PROHIBIT;
		return 0;
	default:
		/* local, broadcast, anycast, multicast, throw, nat, ...:
		 * bpf_fib_lookup() does not forward them either. */
		w->type = XR_RT_LOCAL;
		return 0;
	}
}

int fib_want(const struct fib_model *m, const struct fib_pfx *p,
	     struct fib_want *w)
{
	const __u32 *local_len = m->local_len[fib_fam_idx(p->family)];
	const struct fib_prefix_routes *pr;
	const struct fib_variant *v;
	bool tos;

	memset(w, 0, offsetof(struct fib_want, nh));
	/*
	 * The local table is looked up first, for the whole address: a
	 * local prefix covering @p (or equal to it) wins over @p. Only
	 * lengths that hold local prefixes are probed.
	 */
	for (int len = p->plen; len >= 0; len--) {
		struct fib_pfx q = *p;

		if (!local_len[len])
			continue;
		q.plen = len;
		fib_pfx_mask(&q);
		pr = fib_model_prefix(m, &q);
		if (!pr)
			continue;
		v = select_variant(m, &q, pr, FIB_TABLE_LOCAL, &tos);
		if (tos) {
			want_pass(w, FIB_PASS_TOS);
			return 0;
		}
		if (v)
			return variant_want(m, p->family, v, w);
	}
	pr = fib_model_prefix(m, p);
	if (!pr)
		return 0;
	v = select_variant(m, p, pr, m->main_table, &tos);
	if (tos) {
		want_pass(w, FIB_PASS_TOS);
		return 0;
	}
	return v ? variant_want(m, p->family, v, w) : 0;
}
