// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * populate's pure logic: route messages (nl_route.c) built with libnl as
 * the kernel sends them, the model's replace/append/sibling semantics
 * (fib_model.c), and the desired map entries (fib_desired.c): ECMP bounds
 * as fib_rebalance(), local-table precedence, metrics, dead paths, what
 * goes to the kernel.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>
#include <linux/lwtunnel.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include "check.h"
#include "fib_desired.h"
#include "fib_model.h"
#include "nl_route.h"

static void test_ecmp_bounds(void)
{
	__u32 w2[] = { 1, 1 }, w13[] = { 1, 3 }, w3[] = { 1, 1, 1 };
	__u32 w256[] = { 256, 1 }, up[3];

	ecmp_upper_bounds(w2, 2, up);
	CHECK(up[0] == 1073741823 && up[1] == 2147483647);
	ecmp_upper_bounds(w13, 2, up);
	CHECK(up[0] == 536870911 && up[1] == 2147483647);
	/* DIV_ROUND_CLOSEST: 2^31/3 = 715827882.67 -> 715827883, minus 1. */
	ecmp_upper_bounds(w3, 3, up);
	CHECK(up[0] == 715827882 && up[1] == 1431655764 &&
	      up[2] == 2147483647);
	ecmp_upper_bounds(w256, 2, up);
	CHECK(up[0] == 2139127679 && up[1] == 2147483647);
}

/* A path inside RTA_MULTIPATH. */
struct path {
	int ifindex;
	int hops;		/* weight - 1 */
	int flags;
	const char *gw;		/* NULL: on-link */
	bool encap;
};

/* Builds a route message the way the kernel does. */
static struct nl_msg *route_msg(int type, int flags, int family,
				const char *dst, int plen, __u32 table,
				__u32 prio, __u8 rtype, const struct path *p,
				int npaths, bool multipath)
{
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);
	struct rtmsg rtm = {
		.rtm_family = family,
		.rtm_dst_len = plen,
		.rtm_table = table < 256 ? table : RT_TABLE_UNSPEC,
		.rtm_type = rtype,
	};
	__u8 addr[16], buf[1024];
	size_t len = 0;

	nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO);
	inet_pton(family, dst, addr);
	nla_put(msg, RTA_DST, family == AF_INET ? 4 : 16, addr);
	nla_put_u32(msg, RTA_TABLE, table);
	nla_put_u32(msg, RTA_PRIORITY, prio);
	if (!multipath && npaths == 1) {
		nla_put_u32(msg, RTA_OIF, p[0].ifindex);
		if (p[0].gw) {
			inet_pton(family, p[0].gw, addr);
			nla_put(msg, RTA_GATEWAY, family == AF_INET ? 4 : 16,
				addr);
		}
		return msg;
	}
	for (int i = 0; i < npaths; i++) {
		struct rtnexthop *nh = (struct rtnexthop *)(buf + len);
		size_t alen = 0;

		nh->rtnh_ifindex = p[i].ifindex;
		nh->rtnh_hops = p[i].hops;
		nh->rtnh_flags = p[i].flags;
		if (p[i].gw) {
			struct nlattr *a = (struct nlattr *)RTNH_DATA(nh);
			int l = family == AF_INET ? 4 : 16;

			a->nla_type = RTA_GATEWAY;
			a->nla_len = NLA_HDRLEN + l;
			inet_pton(family, p[i].gw, (__u8 *)a + NLA_HDRLEN);
			alen += NLA_ALIGN(a->nla_len);
		}
		if (p[i].encap) {
			struct nlattr *a = (struct nlattr *)
				((__u8 *)RTNH_DATA(nh) + alen);

			a->nla_type = RTA_ENCAP_TYPE;
			a->nla_len = NLA_HDRLEN + 2;
			*(__u16 *)((__u8 *)a + NLA_HDRLEN) = LWTUNNEL_ENCAP_IP;
			alen += NLA_ALIGN(a->nla_len);
			a = (struct nlattr *)((__u8 *)RTNH_DATA(nh) + alen);
			a->nla_type = RTA_ENCAP;
			a->nla_len = NLA_HDRLEN;
			alen += NLA_HDRLEN;
		}
		nh->rtnh_len = sizeof(*nh) + alen;
		len += RTNH_ALIGN(nh->rtnh_len);
	}
	nla_put(msg, RTA_MULTIPATH, len, buf);
	return msg;
}

static struct fib_route_msg parsed;

/* Parses @msg into the model; returns what the model says. */
static enum fib_apply apply(struct fib_model *m, struct nl_msg *msg)
{
	enum fib_apply res = FIB_APPLY_NONE;

	CHECK(!nl_route_parse(nlmsg_hdr(msg), &parsed));
	CHECK(!fib_model_route(m, &parsed, &res));
	nlmsg_free(msg);
	return res;
}

static struct fib_pfx pfx(int family, const char *a, int plen)
{
	struct fib_pfx p = { .family = family, .plen = plen };

	inet_pton(family, a, p.addr);
	fib_pfx_mask(&p);
	return p;
}

static void want(const struct fib_model *m, int family, const char *a,
		 int plen, struct fib_want *w)
{
	struct fib_pfx p = pfx(family, a, plen);

	fib_want(m, &p, w);
}

static void add_link(struct fib_model *m, __u32 ifindex)
{
	struct fib_link l = { .mtu = 1500, .ether = true,
			      .mac = { 2, 0, 0, 0, 0, (__u8)ifindex } };

	fib_model_link(m, ifindex, &l);
}

static void test_parse(void)
{
	struct path two[] = {
		{ .ifindex = 2, .hops = 0, .gw = "10.0.0.1" },
		{ .ifindex = 3, .hops = 2, .gw = "10.0.1.1",
		  .flags = RTNH_F_DEAD },
	};
	struct nl_msg *msg;
	__u8 junk[64] = {};

	msg = route_msg(RTM_NEWROUTE, NLM_F_REPLACE, AF_INET, "192.0.2.77",
			24, 254, 10, RTN_UNICAST, two, 2, true);
	CHECK(!nl_route_parse(nlmsg_hdr(msg), &parsed));
	CHECK(parsed.pfx.plen == 24 && parsed.pfx.addr[3] == 0);
	CHECK(parsed.table == 254 && parsed.priority == 10);
	CHECK(parsed.nnh == 2 && parsed.multipath);
	CHECK(parsed.nh[1].weight == 3 && parsed.nh[1].flags == RTNH_F_DEAD);
	CHECK(parsed.nh[0].gw_family == AF_INET && parsed.nh[0].gw[3] == 1);
	CHECK(parsed.nlmsg_flags & NLM_F_REPLACE);
	nlmsg_free(msg);

	/* A truncated rtnexthop is refused, not read past its end. */
	msg = nlmsg_alloc_simple(RTM_NEWROUTE, 0);
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = 8 };

	nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO);
	((struct rtnexthop *)junk)->rtnh_len = 200;
	nla_put(msg, RTA_MULTIPATH, sizeof(junk), junk);
	CHECK(nl_route_parse(nlmsg_hdr(msg), &parsed) == -EBADMSG);
	nlmsg_free(msg);

	/* Other families are skipped, not errors. */
	msg = nlmsg_alloc_simple(RTM_NEWROUTE, 0);
	rtm.rtm_family = AF_BRIDGE;
	nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO);
	CHECK(nl_route_parse(nlmsg_hdr(msg), &parsed) == -EAFNOSUPPORT);
	nlmsg_free(msg);

	/* A prefix length beyond the family's is malformed. */
	msg = nlmsg_alloc_simple(RTM_NEWROUTE, 0);
	rtm.rtm_family = AF_INET;
	rtm.rtm_dst_len = 33;
	nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO);
	CHECK(nl_route_parse(nlmsg_hdr(msg), &parsed) == -EBADMSG);
	nlmsg_free(msg);
}

static void test_desired(void)
{
	struct path gw1 = { .ifindex = 2, .gw = "10.0.0.1" };
	struct path gw2 = { .ifindex = 3, .gw = "10.0.1.1" };
	struct path ecmp[] = {
		{ .ifindex = 2, .gw = "10.0.0.1" },
		{ .ifindex = 3, .hops = 2, .gw = "10.0.1.1" },
		{ .ifindex = 4, .gw = "10.0.2.1", .flags = RTNH_F_DEAD },
	};
	struct path lo = { .ifindex = 1 };
	struct fib_model m;
	struct fib_want w;

	fib_model_init(&m, 254);
	add_link(&m, 2);
	add_link(&m, 3);

	/* ECMP: the dead path is left out, bounds follow the weights. */
	CHECK(apply(&m, route_msg(RTM_NEWROUTE, 0, AF_INET, "198.51.100.0",
				  24, 254, 0, RTN_UNICAST, ecmp, 3, true)) ==
	      FIB_APPLY_CHANGED);
	want(&m, AF_INET, "198.51.100.0", 24, &w);
	CHECK(w.type == XR_RT_UNICAST && w.n == 2);
	CHECK(w.upper[0] == 536870911 && w.upper[1] == 2147483647);
	CHECK(w.nh[0].ifindex == 2 && w.nh[0].flags == XR_NH_F_GATEWAY &&
	      w.nh[0].mtu == 1500 && w.nh[0].smac[5] == 2);

	/* Metrics: the lowest wins; blackhole/unreachable/prohibit map. */
	apply(&m, route_msg(RTM_NEWROUTE, 0, AF_INET, "203.0.113.0", 24, 254,
			    200, RTN_UNICAST, &gw2, 1, false));
	apply(&m, route_msg(RTM_NEWROUTE, 0, AF_INET, "203.0.113.0", 24, 254,
			    100, RTN_UNICAST, &gw1, 1, false));
	want(&m, AF_INET, "203.0.113.0", 24, &w);
	CHECK(w.type == XR_RT_UNICAST && w.n == 1 && w.nh[0].ifindex == 2);
	apply(&m, route_msg(RTM_NEWROUTE, 0, AF_INET, "203.0.113.0", 24, 254,
			    50, RTN_PROHIBIT, NULL, 0, false));
	want(&m, AF_INET, "203.0.113.0", 24, &w);
	CHECK(w.type == XR_RT_PROHIBIT);
	apply(&m, route_msg(RTM_DELROUTE, 0, AF_INET, "203.0.113.0", 24, 254,
			    50, RTN_PROHIBIT, NULL, 0, false));
	want(&m, AF_INET, "203.0.113.0", 24, &w);
	CHECK(w.type == XR_RT_UNICAST);

	/* A route MTU counts only when locked (ip_mtu_from_fib_result()). */
	struct nl_msg *mtu = route_msg(RTM_NEWROUTE, 0, AF_INET, "192.0.2.128",
				       25, 254, 0, RTN_UNICAST, &gw1, 1, false);
	struct nlattr *mx = nla_nest_start(mtu, RTA_METRICS);

	nla_put_u32(mtu, RTAX_MTU, 1400);
	nla_nest_end(mtu, mx);
	apply(&m, mtu);
	CHECK(parsed.mtu == 1400 && !parsed.mtu_locked);
	want(&m, AF_INET, "192.0.2.128", 25, &w);
	CHECK(w.type == XR_RT_UNICAST && w.mtu == 0);
	mtu = route_msg(RTM_NEWROUTE, NLM_F_REPLACE, AF_INET, "192.0.2.128",
			25, 254, 0, RTN_UNICAST, &gw1, 1, false);
	mx = nla_nest_start(mtu, RTA_METRICS);
	nla_put_u32(mtu, RTAX_LOCK, 1U << RTAX_MTU);
	nla_put_u32(mtu, RTAX_MTU, 1400);
	nla_nest_end(mtu, mx);
	apply(&m, mtu);
	want(&m, AF_INET, "192.0.2.128", 25, &w);
	CHECK(w.mtu == 1400);

	/* Other tables are not ours. */
	CHECK(apply(&m, route_msg(RTM_NEWROUTE, 0, AF_INET, "192.0.2.0", 24,
				  100, 0, RTN_BLACKHOLE, NULL, 0, false)) ==
	      FIB_APPLY_NONE);

	/* The local table first: a covering local prefix wins. */
	apply(&m, route_msg(RTM_NEWROUTE, 0, AF_INET, "127.1.0.0", 16, 254,
			    0, RTN_UNICAST, &gw1, 1, false));
	apply(&m, route_msg(RTM_NEWROUTE, 0, AF_INET, "127.0.0.0", 8, 255, 0,
			    RTN_LOCAL, &lo, 1, false));
	want(&m, AF_INET, "127.1.0.0", 16, &w);
	CHECK(w.type == XR_RT_LOCAL);
	want(&m, AF_INET, "198.51.100.0", 24, &w);
	CHECK(w.type == XR_RT_UNICAST);

	/* IPv4 append hides the new route; deleting then needs a resync. */
	CHECK(apply(&m, route_msg(RTM_NEWROUTE, NLM_F_APPEND, AF_INET,
				  "203.0.113.0", 24, 254, 100, RTN_UNICAST,
				  &gw2, 1, false)) == FIB_APPLY_NONE);
	want(&m, AF_INET, "203.0.113.0", 24, &w);
	CHECK(w.nh[0].ifindex == 2);
	CHECK(apply(&m, route_msg(RTM_DELROUTE, 0, AF_INET, "203.0.113.0", 24,
				  254, 100, RTN_UNICAST, &gw1, 1, false)) ==
	      FIB_APPLY_RESYNC);

	/* TOS-specific routes: only the kernel can tell; encap too. */
	struct nl_msg *tos = route_msg(RTM_NEWROUTE, 0, AF_INET, "192.0.2.0",
				       24, 254, 0, RTN_UNICAST, &gw1, 1, false);

	((struct rtmsg *)nlmsg_data(nlmsg_hdr(tos)))->rtm_tos = 0x10;
	apply(&m, tos);
	want(&m, AF_INET, "192.0.2.0", 24, &w);
	CHECK(w.type == XR_RT_KERNEL && w.reason == FIB_PASS_TOS);
	ecmp[2].flags = 0;
	ecmp[2].encap = true;
	apply(&m, route_msg(RTM_NEWROUTE, NLM_F_REPLACE, AF_INET,
			    "198.51.100.0", 24, 254, 0, RTN_UNICAST, ecmp, 3,
			    true));
	want(&m, AF_INET, "198.51.100.0", 24, &w);
	CHECK(w.type == XR_RT_KERNEL && w.reason == FIB_PASS_ENCAP);

	/* A link going down kills its paths; the route falls back. */
	struct fib_pfx *list;
	size_t n;

	apply(&m, route_msg(RTM_NEWROUTE, 0, AF_INET, "100.64.0.0", 10, 254,
			    10, RTN_UNICAST, &gw2, 1, false));
	apply(&m, route_msg(RTM_NEWROUTE, 0, AF_INET, "100.64.0.0", 10, 254,
			    20, RTN_UNICAST, &gw1, 1, false));
	CHECK(!fib_model_paths_dead(&m, 3, &list, &n) && n >= 1);
	want(&m, AF_INET, "100.64.0.0", 10, &w);
	CHECK(w.type == XR_RT_UNICAST && w.nh[0].ifindex == 2);
	free(list);
	fib_model_free(&m);
}

static void test_v6_siblings(void)
{
	struct path a = { .ifindex = 2, .gw = "fe80::1" };
	struct path b = { .ifindex = 3, .gw = "fe80::2" };
	struct path ab[] = { a, b }, ba[] = { b, a };
	struct path c = { .ifindex = 2 };
	struct fib_model m;
	struct fib_want w;
	struct path wide[XR_ECMP_MAX + 1];

	fib_model_init(&m, 254);
	apply(&m, route_msg(RTM_NEWROUTE, 0, AF_INET6, "2001:db8::", 32, 254,
			    1024, RTN_UNICAST, &a, 1, false));
	/* The sibling's message lists every path, itself first. */
	CHECK(apply(&m, route_msg(RTM_NEWROUTE, NLM_F_APPEND, AF_INET6,
				  "2001:db8::", 32, 254, 1024, RTN_UNICAST,
				  ba, 2, true)) == FIB_APPLY_CHANGED);
	want(&m, AF_INET6, "2001:db8::", 32, &w);
	CHECK(w.n == 2 && w.nh[0].ifindex == 2 && w.nh[1].ifindex == 3);
	CHECK(w.nh[0].gw_family == AF_INET6);
	/* Deleting one path leaves the other. */
	CHECK(apply(&m, route_msg(RTM_DELROUTE, 0, AF_INET6, "2001:db8::",
				  32, 254, 1024, RTN_UNICAST, &a, 1, false)) ==
	      FIB_APPLY_CHANGED);
	want(&m, AF_INET6, "2001:db8::", 32, &w);
	CHECK(w.n == 1 && w.nh[0].ifindex == 3);

	/* Same metric, another device, no gateway: not a sibling. */
	apply(&m, route_msg(RTM_NEWROUTE, 0, AF_INET6, "fe80::", 64, 254, 256,
			    RTN_UNICAST, &c, 1, false));
	c.ifindex = 3;
	CHECK(apply(&m, route_msg(RTM_NEWROUTE, NLM_F_APPEND, AF_INET6,
				  "fe80::", 64, 254, 256, RTN_UNICAST, &c, 1,
				  false)) == FIB_APPLY_NONE);
	want(&m, AF_INET6, "fe80::", 64, &w);
	CHECK(w.n == 1 && w.nh[0].ifindex == 2);
	CHECK(apply(&m, route_msg(RTM_DELROUTE, 0, AF_INET6, "fe80::", 64,
				  254, 256, RTN_UNICAST, &c, 1, false)) ==
	      FIB_APPLY_NONE);

	/* Wider than the table: refused (or left to the kernel). */
	for (int i = 0; i <= XR_ECMP_MAX; i++)
		wide[i] = (struct path){ .ifindex = 10 + i, .gw = "fe80::9" };
	apply(&m, route_msg(RTM_NEWROUTE, 0, AF_INET6, "2001:db8:1::", 48,
			    254, 1, RTN_UNICAST, wide, XR_ECMP_MAX + 1, true));
	struct fib_pfx p = pfx(AF_INET6, "2001:db8:1::", 48);

	CHECK(fib_want(&m, &p, &w) == -E2BIG && w.type == XR_RT_KERNEL &&
	      w.paths == XR_ECMP_MAX + 1);
	(void)ab;
	fib_model_free(&m);
}

int main(void)
{
	test_ecmp_bounds();
	test_parse();
	test_desired();
	test_v6_siblings();
	CHECK_DONE();
}
