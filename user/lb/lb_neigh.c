// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Backend MACs from the neighbour table; see lb_neigh.h. */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "lb_neigh.h"

#define NL_BUF 8192

struct nl {
	int fd;
	__u32 seq;
};

static int nl_open(struct nl *nl)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1;

	nl->seq = time(NULL);
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		return -errno;
	/* Errors come with the offending request only: no echo needed. */
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one,
		   sizeof(one));
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(nl->fd);
		return err;
	}
	return 0;
}

static void put_attr(struct nlmsghdr *h, unsigned short type,
		     const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)h +
					     NLMSG_ALIGN(h->nlmsg_len));

	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/*
 * Sends @req and reads the answer: the reply message into @reply (if it is
 * one) or the error. Returns 0 with a reply, 1 for a plain ACK, or a
 * negative errno.
 */
static int nl_talk(struct nl *nl, struct nlmsghdr *req, char *reply,
		   size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[NL_BUF];
	ssize_t n;

	req->nlmsg_seq = ++nl->seq;
	if (sendto(nl->fd, req, req->nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		return -errno;
	for (;;) {
		n = recv(nl->fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf;
		     NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != nl->seq)
				continue;	/* a late answer */
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				return e->error ? e->error : 1;
			}
			if (h->nlmsg_len > len)
				return -EMSGSIZE;
			memcpy(reply, h, h->nlmsg_len);
			return 0;
		}
	}
}

static unsigned int addr_len(__u8 family)
{
	return family == AF_INET ? 4 : 16;
}

/*
 * A request about one address: the header, the family's message (rtmsg
 * or ndmsg, the same size) and room for the address attribute.
 */
struct nl_req {
	struct nlmsghdr h;
	union {
		struct rtmsg r;
		struct ndmsg n;
	};
	char attrs[64];
};
_Static_assert(sizeof(struct rtmsg) == sizeof(struct ndmsg),
	       "one message length");

static void nl_req_init(struct nl_req *req, __u16 type, __u16 flags)
{
	memset(req, 0, sizeof(*req));
	req->h.nlmsg_len = NLMSG_LENGTH(sizeof(req->r));
	req->h.nlmsg_type = type;
	req->h.nlmsg_flags = flags;
}

/* A reply: its rtmsg/ndmsg, then @len bytes of attributes. */
struct nl_reply {
	char buf[NL_BUF];
	const void *msg;
	struct rtattr *attrs;
	int len;
};

/*
 * Sends @req with the address @a as attribute @type and reads the reply
 * message into @rep: 0, -ENOENT if only an ACK came, or a negative errno.
 */
static int nl_ask(struct nl *nl, struct nl_req *req, unsigned short type,
		  const struct lb_addr *a, struct nl_reply *rep)
{
	struct nlmsghdr *h = (struct nlmsghdr *)rep->buf;
	int err;

	put_attr(&req->h, type, a->a, addr_len(a->family));
	err = nl_talk(nl, &req->h, rep->buf, sizeof(rep->buf));
	if (err)
		return err > 0 ? -ENOENT : err;
	rep->msg = NLMSG_DATA(h);
	rep->attrs = (struct rtattr *)((char *)rep->msg +
				       NLMSG_ALIGN(sizeof(req->r)));
	rep->len = h->nlmsg_len - NLMSG_LENGTH(sizeof(req->r));
	return 0;
}

/* The route to @dst: interface and next hop (the gateway if any). */
static int route_get(struct nl *nl, const struct lb_addr *dst, int *oif,
		     struct lb_addr *nh, bool *gateway, __u8 *type)
{
	struct nl_reply rep;
	struct nl_req req;
	struct rtattr *a;
	int len, err;

	nl_req_init(&req, RTM_GETROUTE, NLM_F_REQUEST);
	req.r.rtm_family = dst->family;
	req.r.rtm_dst_len = addr_len(dst->family) * 8;
	err = nl_ask(nl, &req, RTA_DST, dst, &rep);
	if (err)
		return err;
	*type = ((const struct rtmsg *)rep.msg)->rtm_type;
	*oif = 0;
	*gateway = false;
	*nh = *dst;
	len = rep.len;
	for (a = rep.attrs; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == RTA_OIF && RTA_PAYLOAD(a) == 4)
			memcpy(oif, RTA_DATA(a), 4);
		else if (a->rta_type == RTA_GATEWAY &&
			 RTA_PAYLOAD(a) == addr_len(dst->family)) {
			memset(nh->a, 0, sizeof(nh->a));
			memcpy(nh->a, RTA_DATA(a), RTA_PAYLOAD(a));
			*gateway = true;
		} else if (a->rta_type == RTA_VIA) {
			*gateway = true;
		}
	}
	return 0;
}

/* The neighbour entry: state and MAC. -ENOENT if there is none. */
static int neigh_get(struct nl *nl, int ifindex, const struct lb_addr *a,
		     __u16 *state, __u8 mac[6], bool *has_mac)
{
	struct nl_reply rep;
	struct nl_req req;
	struct rtattr *at;
	int len, err;

	nl_req_init(&req, RTM_GETNEIGH, NLM_F_REQUEST);
	req.n.ndm_family = a->family;
	req.n.ndm_ifindex = ifindex;
	err = nl_ask(nl, &req, NDA_DST, a, &rep);
	if (err)
		return err;
	*state = ((const struct ndmsg *)rep.msg)->ndm_state;
	*has_mac = false;
	len = rep.len;
	for (at = rep.attrs; RTA_OK(at, len); at = RTA_NEXT(at, len)) {
		if (at->rta_type == NDA_LLADDR && RTA_PAYLOAD(at) == 6) {
			memcpy(mac, RTA_DATA(at), 6);
			*has_mac = true;
		}
	}
	return 0;
}

/* `ip neigh replace ADDR dev IF use`: the kernel starts ARP/ND. */
static int neigh_trigger(struct nl *nl, int ifindex, const struct lb_addr *a)
{
	struct nl_req req;
	char reply[NL_BUF];
	int err;

	nl_req_init(&req, RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_ACK |
		    NLM_F_CREATE | NLM_F_REPLACE);
	req.n.ndm_family = a->family;
	req.n.ndm_ifindex = ifindex;
	req.n.ndm_flags = NTF_USE;
	put_attr(&req.h, NDA_DST, a->a, addr_len(a->family));
	err = nl_talk(nl, &req.h, reply, sizeof(reply));
	return err < 0 ? err : 0;
}

/* @ifindex's name, or "ifindex N" if it has none. */
static void if_name(int ifindex, char ifn[IF_NAMESIZE])
{
	if (!if_indextoname(ifindex, ifn))
		snprintf(ifn, IF_NAMESIZE, "ifindex %d", ifindex);
}

static bool usable(__u16 state)
{
	return state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE |
			NUD_PERMANENT | NUD_NOARP);
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

struct pending {
	struct lb_addr nh;
	bool gateway;
	bool done;
	bool triggered;
	__u16 last_state;
};

int lb_neigh_resolve(struct lb_neigh_req *reqs, size_t n,
		     const int *ifindexes, size_t nif, unsigned int timeout_ms)
{
	struct pending p[n ? n : 1];
	char a[INET6_ADDRSTRLEN], ifn[IF_NAMESIZE];
	long long deadline = now_ms() + timeout_ms;
	size_t left = 0;
	struct nl nl;
	int err;

	if (!n)
		return 0;
	err = nl_open(&nl);
	if (err)
		return err;
	memset(p, 0, sizeof(p));
	for (size_t i = 0; i < n; i++) {
		struct lb_neigh_req *r = &reqs[i];
		bool attached = !nif;
		__u8 type;

		lb_addr_str(&r->addr, a, sizeof(a));
		r->err = 0;
		r->msg[0] = '\0';
		p[i].done = true;
		err = route_get(&nl, &r->addr, &r->ifindex, &p[i].nh,
				&p[i].gateway, &type);
		if (err) {
			r->err = -err;
			snprintf(r->msg, sizeof(r->msg),
				 "backend %s: no route to it", a);
			continue;
		}
		if (type != RTN_UNICAST) {
			r->err = EADDRNOTAVAIL;
			snprintf(r->msg, sizeof(r->msg),
				 "backend %s: %s", a, type == RTN_LOCAL ?
				 "is a local address" : "is not reachable "
				 "(route type)");
			continue;
		}
		if_name(r->ifindex, ifn);
		if (p[i].gateway) {
			r->err = ENETUNREACH;
			snprintf(r->msg, sizeof(r->msg),
				 "backend %s is behind a gateway on %s: "
				 "backends must share a link with the load "
				 "balancer", a, ifn);
			continue;
		}
		for (size_t k = 0; k < nif; k++)
			if (ifindexes[k] == r->ifindex)
				attached = true;
		if (!attached) {
			r->err = ENETUNREACH;
			snprintf(r->msg, sizeof(r->msg),
				 "backend %s is reached through %s, where the "
				 "router is not attached", a, ifn);
			continue;
		}
		p[i].done = false;
		left++;
	}
	/* Look up, trigger what is missing, poll until the deadline. */
	for (int round = 0; left; round++) {
		for (size_t i = 0; i < n; i++) {
			struct lb_neigh_req *r = &reqs[i];
			bool has_mac;
			__u16 state = 0;

			if (p[i].done)
				continue;
			err = neigh_get(&nl, r->ifindex, &p[i].nh, &state,
					r->mac, &has_mac);
			if (err && err != -ENOENT)
				goto out;
			p[i].last_state = err ? 0 : state;
			if (!err && usable(state) && has_mac) {
				p[i].done = true;
				left--;
				continue;
			}
			if (!r->resolve) {
				p[i].done = true;
				left--;
				r->err = ENOENT;
				continue;
			}
			/* Failed entries are probed again on NTF_USE too. */
			if (!p[i].triggered || (state & NUD_FAILED)) {
				err = neigh_trigger(&nl, r->ifindex, &p[i].nh);
				if (err)
					goto out;
				p[i].triggered = true;
			}
		}
		if (!left || now_ms() >= deadline)
			break;
		poll(NULL, 0, round < 10 ? 20 : 100);
	}
	for (size_t i = 0; i < n; i++) {
		struct lb_neigh_req *r = &reqs[i];

		if (p[i].done)
			continue;
		lb_addr_str(&r->addr, a, sizeof(a));
		if_name(r->ifindex, ifn);
		r->err = EHOSTUNREACH;
		snprintf(r->msg, sizeof(r->msg),
			 "backend %s: no MAC address: no %s answer on %s "
			 "within %.1fs", a,
			 r->addr.family == AF_INET ? "ARP" : "ND", ifn,
			 timeout_ms / 1000.0);
	}
	err = 0;
out:
	close(nl.fd);
	return err;
}
