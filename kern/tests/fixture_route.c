// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Fixture runner: which next hop the kernel's FIB takes for a frame's flow,
 * asked as `ip route get DST from SRC iif IF ipproto P sport S dport D`
 * does (RTM_GETROUTE). The kernel hashes the same fields for that question
 * as for bpf_fib_lookup() with the same addresses, protocol and ports
 * (fib_multipath_hash(), rt6_multipath_hash()), with the namespace's seed:
 * the answer is the next hop the data plane must pick in fib mode.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include "fixture_runner.h"

struct flow {
	int family;
	const __u8 *src, *dst;	/* in the frame */
	__u8 proto;
	__be16 sport, dport;
};

/* The addresses, protocol and ports of an IPv4/IPv6 UDP or TCP frame. */
static int frame_flow(const __u8 *f, size_t len, struct flow *fl)
{
	size_t l3 = ETH_HLEN, l4;
	__u16 type;

	if (len < l3)
		return -EINVAL;
	type = f[12] << 8 | f[13];
	if (type == ETH_P_IP && len >= l3 + 20) {
		fl->family = AF_INET;
		fl->proto = f[l3 + 9];
		fl->src = f + l3 + 12;
		fl->dst = f + l3 + 16;
		l4 = l3 + (f[l3] & 0xf) * 4;
	} else if (type == ETH_P_IPV6 && len >= l3 + 40) {
		fl->family = AF_INET6;
		fl->proto = f[l3 + 6];
		fl->src = f + l3 + 8;
		fl->dst = f + l3 + 24;
		l4 = l3 + 40;
	} else {
		return -EINVAL;
	}
	if ((fl->proto != IPPROTO_UDP && fl->proto != IPPROTO_TCP) ||
	    len < l4 + 4)
		return -EINVAL;
	memcpy(&fl->sport, f + l4, 2);
	memcpy(&fl->dport, f + l4 + 2, 2);
	return 0;
}

struct route_req {
	struct nlmsghdr nh;
	struct rtmsg rt;
	char attrs[128];
};

static void add_attr(struct route_req *req, int type, const void *data,
		     size_t len)
{
	struct rtattr *rta = (void *)((char *)req + NLMSG_ALIGN(req->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	req->nh.nlmsg_len = NLMSG_ALIGN(req->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* The egress ifindex of the answer, or a negative errno. */
static int answer_oif(const struct nlmsghdr *nh, ssize_t len)
{
	const struct rtmsg *rt = NLMSG_DATA(nh);
	const struct rtattr *rta;
	int rta_len;

	if (!NLMSG_OK(nh, len))
		return -EBADMSG;
	if (nh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(nh);

		return e->error ? e->error : -ENOENT;
	}
	if (nh->nlmsg_type != RTM_NEWROUTE || rt->rtm_type != RTN_UNICAST)
		return -ENETUNREACH;
	rta_len = RTM_PAYLOAD(nh);
	for (rta = RTM_RTA(rt); RTA_OK(rta, rta_len);
	     rta = RTA_NEXT(rta, rta_len))
		if (rta->rta_type == RTA_OIF)
			return *(const __u32 *)RTA_DATA(rta);
	return -ENOENT;
}

int kernel_egress(const __u8 *frame, size_t len, __u32 iif)
{
	struct route_req req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg)),
		.nh.nlmsg_type = RTM_GETROUTE,
		.nh.nlmsg_flags = NLM_F_REQUEST,
	};
	union {
		struct nlmsghdr nh;
		char buf[4096];
	} ans;
	struct flow fl;
	size_t alen;
	ssize_t n;
	int fd, err;

	err = frame_flow(frame, len, &fl);
	if (err)
		return err;
	alen = fl.family == AF_INET ? 4 : 16;
	req.rt.rtm_family = fl.family;
	req.rt.rtm_dst_len = req.rt.rtm_src_len = alen * 8;
	add_attr(&req, RTA_DST, fl.dst, alen);
	add_attr(&req, RTA_SRC, fl.src, alen);
	add_attr(&req, RTA_IIF, &iif, sizeof(iif));
	add_attr(&req, RTA_IP_PROTO, &fl.proto, sizeof(fl.proto));
	add_attr(&req, RTA_SPORT, &fl.sport, sizeof(fl.sport));
	add_attr(&req, RTA_DPORT, &fl.dport, sizeof(fl.dport));

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	n = recv(fd, &ans, sizeof(ans), 0);
	err = n < 0 ? -errno : answer_oif(&ans.nh, n);
	close(fd);
	return err;
}
