// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * populate --watch.
 *
 * One NETLINK_ROUTE socket subscribed to routes (v4, v6), neighbours,
 * links, nexthop objects and netconf; libnl parses, the model applies.
 * After each burst of messages the maps are brought in line, by the
 * cheapest means that is exact:
 *
 *   - a route message: the prefixes it touched (a few map writes);
 *   - a neighbour message: that neighbour;
 *   - a forwarding setting: the interface flags;
 *   - an MTU or MAC change, a change of a local route shorter than a host
 *     route, ignore_routes_with_linkdown: every prefix, from the model;
 *   - whatever the notifications cannot describe: a full dump and
 *     converge ("resync"), 10 ms after the first trigger so that a burst
 *     costs one. That is: socket overflow (ENOBUFS); a link going up or
 *     down or away (the kernel drops IPv4 routes and revives dead paths
 *     without telling); nexthop objects changing (routes using them get
 *     no notification); an IPv4 route deleted from behind another with the
 *     same key.
 *
 * The interface flags are also checked every second: attach may have
 * configured an interface since.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include "log.h"
#include "nl_objects.h"
#include "nl_route.h"
#include "nl_snapshot.h"
#include "populate_watch.h"

#define RESYNC_DELAY 0.010	/* seconds: coalesces a burst */
#define RETRY_DELAY 1.0		/* after an error we can ride out */
#define IFACE_CHECK 1.0
#define EV_RCVBUF (64 * 1024 * 1024)

struct watch {
	struct populate *p;
	struct nl_sock *sk;
	int sigfd;
	struct htab dirty_pfx;		/* fib_pfx -> (nothing) */
	struct htab dirty_neigh;	/* xr_neigh_key -> (nothing) */
	bool resync;
	double resync_at;
	bool recompute;
	bool ifaces;
	size_t malformed;
	struct fib_pfx *quick;		/* to converge before a resync */
	size_t nquick;
	int err;			/* out of memory in a callback */
};

static double now_secs(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void schedule_resync(struct watch *w, double delay, const char *why)
{
	if (w->resync)
		return;
	log_verbose("resync: %s", why);
	w->resync = true;
	w->resync_at = now_secs() + delay;
}

static void on_route(struct watch *w, struct nlmsghdr *nlh)
{
	static struct fib_route_msg r;
	enum fib_apply res;
	int err = nl_route_parse(nlh, &r);

	if (err) {
		w->malformed += err != -EAFNOSUPPORT;
		return;
	}
	err = fib_model_route(&w->p->model, &r, &res);
	if (err) {
		w->err = err;
		return;
	}
	if (res == FIB_APPLY_RESYNC) {
		schedule_resync(w, RESYNC_DELAY, "route deleted behind another");
	} else if (res == FIB_APPLY_CHANGED) {
		/* A covering local route changes the prefixes below it. */
		if (r.table == FIB_TABLE_LOCAL &&
		    r.pfx.plen < fib_addr_len(r.pfx.family) * 8)
			w->recompute = true;
		else if (!htab_upsert(&w->dirty_pfx, &r.pfx, NULL))
			w->err = -ENOMEM;
	}
}

/*
 * The kernel drops the link's IPv4 routes without a word: take its paths
 * out now (a few ms even under a full table), then let a resync confirm.
 */
static void link_down(struct watch *w, __u32 ifindex)
{
	struct fib_pfx *list;
	size_t n;

	schedule_resync(w, RESYNC_DELAY, "link down");
	if (fib_model_paths_dead(&w->p->model, ifindex, &list, &n)) {
		w->err = -ENOMEM;
		return;
	}
	if (w->nquick) {	/* several links in one burst */
		struct fib_pfx *all = realloc(w->quick, (w->nquick + n) *
						      sizeof(*all));

		if (!all) {
			free(list);
			w->err = -ENOMEM;
			return;
		}
		memcpy(all + w->nquick, list, n * sizeof(*all));
		free(list);
		w->quick = all;
		w->nquick += n;
		return;
	}
	free(w->quick);
	w->quick = list;
	w->nquick = n;
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct watch *w = arg;
	enum nl_link_change lc;
	struct xr_neigh_key k;
	unsigned int nc;
	bool changed;
	int err = 0;

	if (w->resync && nlh->nlmsg_type != RTM_NEWLINK &&
	    nlh->nlmsg_type != RTM_DELLINK)
		return NL_OK;	/* the dump will say it all */
	switch (nlh->nlmsg_type) {
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		on_route(w, nlh);
		break;
	case RTM_NEWLINK:
	case RTM_DELLINK:
		err = nl_link_msg(&w->p->model, nlh, &lc);
		if (lc == NL_LINK_DOWN)
			link_down(w, ((struct ifinfomsg *)nlmsg_data(nlh))
					     ->ifi_index);
		else if (lc == NL_LINK_STATE)
			schedule_resync(w, RESYNC_DELAY, "link state");
		else if (lc == NL_LINK_ATTRS)
			w->recompute = true;
		break;
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		err = nl_neigh_msg(&w->p->model, nlh, &k, &changed);
		if (!err && changed && !htab_upsert(&w->dirty_neigh, &k, NULL))
			err = -ENOMEM;
		break;
	case RTM_NEWNETCONF:
		err = nl_netconf_msg(&w->p->model, nlh, &nc);
		if (nc & NL_NETCONF_FWD)
			w->ifaces = true;
		if (nc & NL_NETCONF_LINKDOWN)
			w->recompute = true;
		break;
	case RTM_NEWNEXTHOP:
	case RTM_DELNEXTHOP:
		schedule_resync(w, RESYNC_DELAY, "nexthop object");
		break;
	}
	if (err)
		w->err = err;
	return NL_OK;
}

static int watch_socket(struct watch *w)
{
	int size = EV_RCVBUF, err;

	w->sk = nl_socket_alloc();
	if (!w->sk)
		return -ENOMEM;
	nl_socket_disable_seq_check(w->sk);
	err = nl_connect(w->sk, NETLINK_ROUTE);
	if (!err)
		err = nl_socket_add_memberships(w->sk, RTNLGRP_LINK,
						RTNLGRP_NEIGH,
						RTNLGRP_IPV4_ROUTE,
						RTNLGRP_IPV6_ROUTE,
						RTNLGRP_IPV4_NETCONF,
						RTNLGRP_IPV6_NETCONF, 0);
	if (err < 0) {
		log_error("cannot subscribe to netlink notifications: %s",
			  nl_geterror(err));
		return nl_errno(err);
	}
	/* Kernels without nexthop objects: nothing to follow there. */
	if (nl_socket_add_membership(w->sk, RTNLGRP_NEXTHOP) < 0)
		log_verbose("no nexthop object notifications");
	/* A burst of a full table's worth must not overflow at once. */
	if (setsockopt(nl_socket_get_fd(w->sk), SOL_SOCKET, SO_RCVBUFFORCE,
		       &size, sizeof(size)))
		nl_socket_set_buffer_size(w->sk, size, 0);
	nl_socket_set_msg_buf_size(w->sk, 64 * 1024);
	nl_socket_enable_msg_peek(w->sk);
	nl_socket_set_nonblocking(w->sk);
	/* Notifications carry no sequence numbers of ours. */
	nl_socket_modify_cb(w->sk, NL_CB_VALID, NL_CB_CUSTOM, on_event, w);
	return 0;
}

static int signal_fd(void)
{
	sigset_t sigs;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	return signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Reads everything queued. */
static void drain(struct watch *w)
{
	int err;

	while ((err = nl_recvmsgs_default(w->sk)) >= 0)
		;
	if (err == -NLE_AGAIN)
		return;
	if (err == -NLE_NOMEM)	/* ENOBUFS: notifications were lost */
		schedule_resync(w, RESYNC_DELAY, "netlink socket overflow");
	else
		schedule_resync(w, RESYNC_DELAY, nl_geterror(err));
}

/* Errors a later resync may cure; the others end the watch. */
static bool fatal(int err)
{
	return err == -E2BIG || err == -ENOSPC || err == -EPERM;
}

static int do_resync(struct watch *w)
{
	double t0 = now_secs();
	int err;

	/*
	 * Everything queued so far is in the dump that follows: read it
	 * while w->resync still makes on_event() skip it.
	 */
	drain(w);
	w->resync = false;
	htab_clear(&w->dirty_pfx);
	htab_clear(&w->dirty_neigh);
	w->recompute = w->ifaces = false;
	err = populate_full(w->p);
	if (!err)
		populate_report(w->p, "resync", now_secs() - t0);
	return err;
}

static int apply_pfx(struct watch *w)
{
	struct fib_pfx *list = malloc(w->dirty_pfx.n * sizeof(*list)), *k;
	size_t it = 0, n = 0;
	int err;

	if (!list)
		return -ENOMEM;
	while (htab_next(&w->dirty_pfx, &it, (void **)&k, NULL))
		list[n++] = *k;
	err = populate_prefixes(w->p, list, n);
	free(list);
	return err;
}

static int apply(struct watch *w)
{
	struct xr_neigh_key *k;
	bool any = false;
	double t0 = now_secs();
	size_t it = 0;
	int err = 0;

	if (w->recompute) {
		err = populate_recompute(w->p);
		any = true;
	} else if (w->dirty_pfx.n) {
		err = apply_pfx(w);
		any = true;
	}
	w->recompute = false;
	htab_clear(&w->dirty_pfx);
	while (!err && htab_next(&w->dirty_neigh, &it, (void **)&k, NULL)) {
		err = populate_neigh(w->p, k);
		any = true;
	}
	htab_clear(&w->dirty_neigh);
	if (!err && w->ifaces) {
		err = populate_ifaces(w->p);
		any = true;
	}
	w->ifaces = false;
	if (!err && any)
		populate_report(w->p, "update", now_secs() - t0);
	return err;
}

static int apply_link_down(struct watch *w)
{
	double t0 = now_secs();
	int err = populate_prefixes(w->p, w->quick, w->nquick);

	if (!err)
		populate_report(w->p, "link down", now_secs() - t0);
	free(w->quick);
	w->quick = NULL;
	w->nquick = 0;
	return err;
}

/*
 * Maps no longer pinned (detach --all, perhaps attach again) are written
 * for nobody: stop with an error rather than follow them silently; a
 * restarted watcher (the systemd unit restarts it) mirrors into the new
 * router.
 */
static int router_gone(const struct router *r)
{
	int err = router_maps_current(r);

	if (err == -ESTALE)
		log_error("the router at %s was detached (or replaced) under "
			  "populate --watch: its maps are no longer pinned; "
			  "stopping", r->pin_path);
	else if (err)
		log_error("cannot check the router at %s: %s", r->pin_path,
			  log_strerror(err));
	return err;
}

static int loop(struct watch *w)
{
	double next_iface = now_secs() + IFACE_CHECK;
	struct pollfd pfd[2] = {
		{ .fd = nl_socket_get_fd(w->sk), .events = POLLIN },
		{ .fd = w->sigfd, .events = POLLIN },
	};
	int err;

	for (;;) {
		double now = now_secs();
		double until = w->resync && w->resync_at < next_iface
				       ? w->resync_at : next_iface;
		int timeout = until > now ? (int)((until - now) * 1000) + 1 : 0;

		if (poll(pfd, 2, timeout) < 0 && errno != EINTR)
			return -errno;
		if (pfd[1].revents)
			return 0;	/* SIGINT or SIGTERM */
		if (pfd[0].revents)
			drain(w);
		if (w->err)
			schedule_resync(w, RESYNC_DELAY, "out of memory");
		w->err = 0;
		now = now_secs();
		if (w->nquick)
			err = apply_link_down(w);
		else if (w->resync && now >= w->resync_at)
			err = do_resync(w);
		else if (!w->resync)
			err = apply(w);
		else
			err = 0;
		if (!err && now >= next_iface) {
			err = router_gone(w->p->r);
			if (err)
				return err;
			err = populate_ifaces(w->p);
			if (!err && w->p->ifaces_updated)
				populate_report(w->p, "interfaces", 0);
			next_iface = now + IFACE_CHECK;
		}
		if (err && fatal(err))
			return err;
		if (err)	/* reported; the maps are valid: try again */
			schedule_resync(w, RETRY_DELAY, "after an error");
		if (w->malformed) {
			log_warn("skipped %zu route messages that could not "
				 "be parsed", w->malformed);
			w->malformed = 0;
		}
	}
}

int populate_watch(struct populate *p)
{
	struct watch w = { .p = p, .sigfd = -1 };
	double t0 = now_secs();
	int err;

	htab_init(&w.dirty_pfx, sizeof(struct fib_pfx), 0);
	htab_init(&w.dirty_neigh, sizeof(struct xr_neigh_key), 0);
	w.sigfd = signal_fd();
	if (w.sigfd < 0) {
		err = -errno;
		log_error("cannot watch for signals: %s", log_strerror(err));
		goto out;
	}
	/* Subscribe before the first dump: no change falls in between. */
	err = watch_socket(&w);
	if (err)
		goto out;
	err = populate_full(p);
	if (err)
		goto out;
	populate_report(p, "resync", now_secs() - t0);
	err = loop(&w);
out:
	if (w.sigfd >= 0)
		close(w.sigfd);
	if (w.sk)
		nl_socket_free(w.sk);
	htab_free(&w.dirty_pfx);
	htab_free(&w.dirty_neigh);
	free(w.quick);
	return err;
}
