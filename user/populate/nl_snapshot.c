// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Dumping the kernel's state into the model; see nl_snapshot.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include "log.h"
#include "nl_objects.h"
#include "nl_route.h"
#include "nl_snapshot.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Dump replies come in skbs of up to 32 KiB; read them whole. */
#define NL_MSG_BUF (64 * 1024)
#define NL_RCVBUF (4 * 1024 * 1024)
#define DUMP_TRIES 5

int nl_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case 0:
		return 0;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_PERM:
		return -EPERM;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_DUMP_INTR:
		return -EINTR;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_NODEV:
		return -ENODEV;
	default:
		return -EIO;
	}
}

struct nl_sock *nl_dump_socket(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1, err;

	if (!sk) {
		log_error("cannot allocate a netlink socket");
		return NULL;
	}
	err = nl_connect(sk, NETLINK_ROUTE);
	if (err < 0) {
		log_error("cannot open a netlink socket: %s", nl_geterror(err));
		nl_socket_free(sk);
		return NULL;
	}
	nl_socket_set_buffer_size(sk, NL_RCVBUF, 0);
	nl_socket_set_msg_buf_size(sk, NL_MSG_BUF);
	nl_socket_enable_msg_peek(sk);	/* never truncate a big reply */
	/*
	 * Strict checking lets the kernel filter route dumps by table; on
	 * kernels without it we filter ourselves (fib_model_route()).
	 */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_GET_STRICT_CHK,
		   &one, sizeof(one));
	return sk;
}

struct dump_ctx {
	struct fib_model *m;
	struct nl_dump_stats *st;
	int err;		/* first fatal error (ENOMEM) */
};

static int on_route(struct nl_msg *msg, void *arg)
{
	static struct fib_route_msg r;	/* ~2 KiB: not on the stack */
	struct dump_ctx *c = arg;
	enum fib_apply res;
	int err = nl_route_parse(nlmsg_hdr(msg), &r);

	if (err == -EAFNOSUPPORT)
		return NL_OK;
	if (err) {
		c->st->malformed++;
		return NL_OK;
	}
	/* Dumps list routes with one key in the kernel's order: the first
	 * is the one used, the rest are appended behind it. */
	r.nlmsg_flags = NLM_F_APPEND;
	err = fib_model_route(c->m, &r, &res);
	if (err) {
		c->err = err;
		return NL_STOP;
	}
	return NL_OK;
}

static int on_other(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct dump_ctx *c = arg;
	enum nl_link_change lc;
	struct xr_neigh_key k;
	unsigned int nc;
	bool changed;
	int err = 0;

	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
		err = nl_link_msg(c->m, nlh, &lc);
		break;
	case RTM_NEWNEIGH:
		err = nl_neigh_msg(c->m, nlh, &k, &changed);
		break;
	case RTM_NEWNETCONF:
		err = nl_netconf_msg(c->m, nlh, &nc);
		break;
	}
	if (err) {
		c->err = err;
		return NL_STOP;
	}
	return NL_OK;
}

static struct nl_msg *dump_request(int type, __u8 family, __u32 table)
{
	struct nl_msg *msg = nlmsg_alloc_simple(type, NLM_F_REQUEST |
						      NLM_F_DUMP);
	int err = msg ? 0 : -1;

	switch (type) {
	case RTM_GETROUTE: {
		struct rtmsg rtm = {
			.rtm_family = family,
			.rtm_table = table < 256 ? table : RT_TABLE_UNSPEC,
		};

		err = err ?: nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO);
		err = err ?: nla_put_u32(msg, RTA_TABLE, table);
		break;
	}
	case RTM_GETLINK: {
		struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };

		err = err ?: nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
		break;
	}
	case RTM_GETNEIGH: {
		struct ndmsg ndm = { .ndm_family = family };

		err = err ?: nlmsg_append(msg, &ndm, sizeof(ndm), NLMSG_ALIGNTO);
		break;
	}
	case RTM_GETNETCONF: {
		struct netconfmsg ncm = { .ncm_family = family };

		err = err ?: nlmsg_append(msg, &ncm, sizeof(ncm), NLMSG_ALIGNTO);
		break;
	}
	}
	if (err && msg) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

/* One dump; returns 0, -EINTR if interrupted, or another negative errno. */
static int dump(struct nl_sock *sk, int type, __u8 family, __u32 table,
		struct dump_ctx *c)
{
	struct nl_msg *req = dump_request(type, family, table);
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err;

	if (!req || !cb) {
		err = -ENOMEM;
		goto out;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM,
		  type == RTM_GETROUTE ? on_route : on_other, c);
	err = nl_send_auto(sk, req);
	if (err >= 0)
		err = nl_recvmsgs(sk, cb);
	if (c->err)
		err = c->err;
	else if (err == -NLE_OPNOTSUPP || err == -NLE_AF_NOSUPPORT)
		err = 0;	/* e.g. IPv6 disabled: nothing to mirror */
	else if (err < 0)
		err = nl_errno(err);
	else
		err = 0;
out:
	nlmsg_free(req);
	nl_cb_put(cb);
	return err;
}

/* Not a netconf attribute, nor notified: read at every snapshot. */
static bool read_sysctl_bool(const char *path)
{
	FILE *f = fopen(path, "re");
	int v = 0;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v != 0;
}

static int snapshot_once(struct nl_sock *sk, struct fib_model *m,
			 struct nl_dump_stats *st)
{
	static const __u8 fams[] = { AF_INET, AF_INET6 };
	struct dump_ctx c = { m, st, 0 };
	int err;

	m->ip_fwd_use_pmtu =
		read_sysctl_bool("/proc/sys/net/ipv4/ip_forward_use_pmtu");
	err = dump(sk, RTM_GETLINK, AF_UNSPEC, 0, &c);
	for (int i = 0; !err && i < 2; i++) {
		err = dump(sk, RTM_GETNETCONF, fams[i], 0, &c);
		if (!err)
			err = dump(sk, RTM_GETROUTE, fams[i], FIB_TABLE_LOCAL,
				   &c);
		if (!err && m->main_table != FIB_TABLE_LOCAL)
			err = dump(sk, RTM_GETROUTE, fams[i], m->main_table,
				   &c);
		if (!err)
			err = dump(sk, RTM_GETNEIGH, fams[i], 0, &c);
	}
	return err;
}

int nl_snapshot(struct nl_sock *sk, struct fib_model *m,
		struct nl_dump_stats *st)
{
	__u32 table = m->main_table;
	int err = -EINTR;

	for (int tries = 0; err == -EINTR && tries < DUMP_TRIES; tries++) {
		if (tries) {
			/* Something changed mid-dump: start over, clean. */
			fib_model_free(m);
			fib_model_init(m, table);
			log_verbose("netlink dump interrupted, retrying");
		}
		memset(st, 0, sizeof(*st));
		err = snapshot_once(sk, m, st);
	}
	if (err)
		log_error("cannot dump the kernel's routing state: %s",
			  err == -EINTR ? "it kept changing during the dump"
					: log_strerror(err));
	else if (st->malformed)
		log_warn("skipped %zu route messages that could not be parsed",
			 st->malformed);
	return err;
}
