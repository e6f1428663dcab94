// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Route messages; see nl_route.h. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/lwtunnel.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include "nl_route.h"

/* Only a minimum length per type: unknown and newer attributes pass. */
static struct nla_policy route_policy[RTA_MAX + 1] = {
	[RTA_TABLE] = { .type = NLA_U32 },
	[RTA_OIF] = { .type = NLA_U32 },
	[RTA_PRIORITY] = { .type = NLA_U32 },
	[RTA_NH_ID] = { .type = NLA_U32 },
	[RTA_ENCAP_TYPE] = { .type = NLA_U16 },
	[RTA_METRICS] = { .type = NLA_NESTED },
	[RTA_MULTIPATH] = { .type = NLA_UNSPEC },
};

static int parse_addr(const struct nlattr *a, __u8 family, __u8 *out)
{
	unsigned int len = fib_addr_len(family);

	if (nla_len(a) != (int)len)
		return -EBADMSG;
	memcpy(out, nla_data(a), len);
	return 0;
}

/* RTA_GATEWAY / RTA_VIA / RTA_ENCAP of one path. */
static int parse_path_attrs(struct nlattr **tb, __u8 family,
			    struct fib_nh *nh)
{
	if (tb[RTA_GATEWAY]) {
		if (parse_addr(tb[RTA_GATEWAY], family, nh->gw))
			return -EBADMSG;
		nh->gw_family = family;
	} else if (tb[RTA_VIA]) {
		/* IPv4 over an IPv6 gateway (RFC 5549). */
		const struct rtvia *via = nla_data(tb[RTA_VIA]);
		int alen = nla_len(tb[RTA_VIA]) - (int)sizeof(*via);

		if (alen < 0 || (via->rtvia_family != AF_INET &&
				 via->rtvia_family != AF_INET6) ||
		    alen != (int)fib_addr_len(via->rtvia_family))
			return -EBADMSG;
		memcpy(nh->gw, via->rtvia_addr, alen);
		nh->gw_family = via->rtvia_family;
	}
	if (tb[RTA_ENCAP] && (!tb[RTA_ENCAP_TYPE] ||
			      nla_get_u16(tb[RTA_ENCAP_TYPE]) !=
				      LWTUNNEL_ENCAP_NONE))
		nh->encap = 1;
	return 0;
}

static int parse_multipath(const struct nlattr *mp, __u8 family,
			   struct fib_route_msg *msg)
{
	const struct rtnexthop *rtnh = nla_data(mp);
	int len = nla_len(mp);

	while (len >= (int)sizeof(*rtnh)) {
		struct nlattr *tb[RTA_MAX + 1];
		struct fib_nh nh = {};
		int err;

		if (rtnh->rtnh_len < sizeof(*rtnh) || rtnh->rtnh_len > len)
			return -EBADMSG;
		err = nla_parse(tb, RTA_MAX, (struct nlattr *)RTNH_DATA(rtnh),
				rtnh->rtnh_len - sizeof(*rtnh), route_policy);
		if (err < 0)
			return -EBADMSG;
		nh.ifindex = rtnh->rtnh_ifindex;
		nh.weight = rtnh->rtnh_hops + 1;
		nh.flags = rtnh->rtnh_flags;
		if (parse_path_attrs(tb, family, &nh))
			return -EBADMSG;
		if (msg->nnh < FIB_MAX_PATHS)
			msg->nh[msg->nnh++] = nh;
		else
			msg->too_many_paths = true;
		len -= RTNH_ALIGN(rtnh->rtnh_len);
		rtnh = RTNH_NEXT(rtnh);
	}
	return 0;
}

static void parse_mtu(struct nlattr *metrics, struct fib_route_msg *msg)
{
	struct nlattr *mx[RTAX_MAX + 1];

	if (nla_parse_nested(mx, RTAX_MAX, metrics, NULL) < 0 ||
	    !mx[RTAX_MTU] || nla_len(mx[RTAX_MTU]) < (int)sizeof(__u32))
		return;
	msg->mtu = nla_get_u32(mx[RTAX_MTU]);
	msg->mtu_locked = mx[RTAX_LOCK] &&
			  nla_len(mx[RTAX_LOCK]) >= (int)sizeof(__u32) &&
			  nla_get_u32(mx[RTAX_LOCK]) & (1U << RTAX_MTU);
}

int nl_route_parse(struct nlmsghdr *nlh, struct fib_route_msg *msg)
{
	struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm;
	int err;

	if (!nlmsg_valid_hdr(nlh, sizeof(*rtm)))
		return -EBADMSG;
	rtm = nlmsg_data(nlh);
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return -EAFNOSUPPORT;
	if (rtm->rtm_dst_len > fib_addr_len(rtm->rtm_family) * 8)
		return -EBADMSG;
	err = nlmsg_parse(nlh, sizeof(*rtm), tb, RTA_MAX, route_policy);
	if (err < 0)
		return -EBADMSG;

	memset(msg, 0, offsetof(struct fib_route_msg, nh));
	msg->nlmsg_type = nlh->nlmsg_type;
	msg->nlmsg_flags = nlh->nlmsg_flags;
	msg->pfx.family = rtm->rtm_family;
	msg->pfx.plen = rtm->rtm_dst_len;
	if (tb[RTA_DST] && parse_addr(tb[RTA_DST], rtm->rtm_family,
				      msg->pfx.addr))
		return -EBADMSG;
	fib_pfx_mask(&msg->pfx);
	msg->table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE])
				   : rtm->rtm_table;
	msg->priority = tb[RTA_PRIORITY] ? nla_get_u32(tb[RTA_PRIORITY]) : 0;
	msg->nhid = tb[RTA_NH_ID] ? nla_get_u32(tb[RTA_NH_ID]) : 0;
	if (tb[RTA_METRICS])
		parse_mtu(tb[RTA_METRICS], msg);
	msg->type = rtm->rtm_type;
	msg->tos = rtm->rtm_tos;
	msg->cloned = rtm->rtm_flags & RTM_F_CLONED;

	msg->multipath = tb[RTA_MULTIPATH];
	if (tb[RTA_MULTIPATH])
		return parse_multipath(tb[RTA_MULTIPATH], rtm->rtm_family,
				       msg);
	if (tb[RTA_OIF] || tb[RTA_GATEWAY] || tb[RTA_VIA]) {
		struct fib_nh *nh = &msg->nh[0];

		memset(nh, 0, sizeof(*nh));
		nh->ifindex = tb[RTA_OIF] ? nla_get_u32(tb[RTA_OIF]) : 0;
		nh->weight = 1;
		/* A single path's RTNH_F_* flags are the route's. */
		nh->flags = rtm->rtm_flags & 0xff;
		if (parse_path_attrs(tb, rtm->rtm_family, nh))
			return -EBADMSG;
		msg->nnh = 1;
	}
	return 0;
}
