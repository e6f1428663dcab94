// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* VIP routes through a process-owned tun device; see lb_announce.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/route.h>
#include "lb_announce.h"
#include "log.h"

static int set_up(const char *ifname)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		rc = -errno;
	} else {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			rc = -errno;
	}
	close(fd);
	return rc;
}

int lb_announce_open(struct lb_announce *a, const char *ifname,
		     __u32 table)
{
	/* Never an existing device: a persistent tun of that name would
	 * outlive us and keep the routes announced after we die. */
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI | IFF_TUN_EXCL };
	int rc;

	memset(a, 0, sizeof(*a));
	a->tun_fd = -1;
	a->table = table;
	if (strlen(ifname) >= IF_NAMESIZE) {
		log_error("announce device name '%s' too long", ifname);
		return -EINVAL;
	}
	snprintf(a->ifname, sizeof(a->ifname), "%s", ifname);
	a->tun_fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (a->tun_fd < 0) {
		rc = -errno;
		log_error("cannot open /dev/net/tun: %s", log_strerror(rc));
		return rc;
	}
	memcpy(ifr.ifr_name, a->ifname, sizeof(a->ifname));
	if (ioctl(a->tun_fd, TUNSETIFF, &ifr) < 0) {
		rc = -errno;
		log_error("cannot create announce device %s: %s%s", ifname,
			  log_strerror(rc), rc == -EBUSY ?
			  " (it exists: another lb watch announces through "
			  "it?)" : "");
		goto fail;
	}
	a->ifindex = if_nametoindex(a->ifname);
	rc = a->ifindex ? set_up(a->ifname) : -ENODEV;
	if (rc) {
		log_error("cannot bring %s up: %s", ifname, log_strerror(rc));
		goto fail;
	}
	a->sk = nl_socket_alloc();
	if (!a->sk || nl_connect(a->sk, NETLINK_ROUTE)) {
		rc = -ENOTCONN;
		log_error("cannot open a route netlink socket");
		goto fail;
	}
	return 0;
fail:
	lb_announce_close(a);
	return rc;
}

static bool addr_in(const struct lb_addr *set, size_t n,
		    const struct lb_addr *x)
{
	for (size_t i = 0; i < n; i++)
		if (!lb_addr_cmp(&set[i], x))
			return true;
	return false;
}

size_t lb_announce_serving(const struct lb_config *cfg, bool links_up,
			   struct lb_addr *out)
{
	size_t n = 0;

	for (size_t i = 0; links_up && i < cfg->nr_vips; i++) {
		const struct lb_vip *v = &cfg->vips[i];
		bool serving = false;

		for (size_t j = 0; j < v->nr_backends; j++)
			serving |= lb_backend_effective(&v->backends[j]) !=
				   XR_BE_DOWN;
		if (serving && !addr_in(out, n, &v->addr))
			out[n++] = v->addr;
	}
	return n;
}

bool lb_announce_links_up(const int *ifindexes, size_t n)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool up = false;

	if (fd < 0)
		return true;	/* cannot tell: do not withdraw for that */
	for (size_t i = 0; !up && i < n; i++) {
		struct ifreq ifr = {};

		if (!if_indextoname(ifindexes[i], ifr.ifr_name) ||
		    ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
			continue;	/* gone */
		up = (ifr.ifr_flags & (IFF_UP | IFF_RUNNING)) ==
		     (IFF_UP | IFF_RUNNING);
	}
	close(fd);
	return up;
}

/* Adds (@add) or deletes the host route to @x through the device. */
static int route_change(struct lb_announce *a, const struct lb_addr *x,
			bool add)
{
	int len = x->family == AF_INET ? 4 : 16, rc;
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = nl_addr_build(x->family, x->a, len);

	if (!r || !nh || !dst) {
		rtnl_route_put(r);
		rtnl_route_nh_free(nh);
		nl_addr_put(dst);
		return -ENOMEM;
	}
	nl_addr_set_prefixlen(dst, len * 8);
	rtnl_route_set_family(r, x->family);
	rtnl_route_set_dst(r, dst);
	rtnl_route_set_table(r, a->table);
	rtnl_route_set_protocol(r, RTPROT_STATIC);
	rtnl_route_set_scope(r, RT_SCOPE_LINK);
	rtnl_route_nh_set_ifindex(nh, a->ifindex);
	rtnl_route_add_nexthop(r, nh);
	rc = add ? rtnl_route_add(a->sk, r, NLM_F_CREATE | NLM_F_REPLACE)
		 : rtnl_route_delete(a->sk, r, 0);
	nl_addr_put(dst);
	rtnl_route_put(r);
	if (!rc)
		return 0;
	switch (-rc) {
	case NLE_OBJ_NOTFOUND:
		return add ? -ENOENT : 0;
	case NLE_PERM:
		return -EPERM;
	case NLE_NODEV:
		return -ENODEV;
	case NLE_EXIST:
		return -EEXIST;
	default:
		return -EIO;
	}
}

int lb_announce_set(struct lb_announce *a, const struct lb_addr *addrs,
		    size_t n, lb_announce_cb cb)
{
	struct lb_addr *on;
	size_t nr = 0;
	int first = 0;

	if (a->tun_fd < 0)
		return 0;
	on = calloc(n + a->nr_on + 1, sizeof(*on));
	if (!on)
		return -ENOMEM;
	/* Withdrawals first: a node that stops serving says so at once. */
	for (size_t i = 0; i < a->nr_on; i++) {
		int rc;

		if (addr_in(addrs, n, &a->on[i]))
			continue;
		rc = route_change(a, &a->on[i], false);
		if (cb)
			cb(&a->on[i], false, rc ? log_strerror(rc) : NULL);
		if (rc) {
			on[nr++] = a->on[i];	/* still there: retry */
			first = first ? first : rc;
		}
	}
	for (size_t i = 0; i < n; i++) {
		int rc = 0;

		if (addr_in(on, nr, &addrs[i]))
			continue;
		if (!addr_in(a->on, a->nr_on, &addrs[i])) {
			rc = route_change(a, &addrs[i], true);
			if (cb)
				cb(&addrs[i], true,
				   rc ? log_strerror(rc) : NULL);
		}
		if (rc)
			first = first ? first : rc;
		else
			on[nr++] = addrs[i];
	}
	free(a->on);
	a->on = on;
	a->nr_on = nr;
	return first;
}

void lb_announce_close(struct lb_announce *a)
{
	if (a->sk)
		lb_announce_set(a, NULL, 0, NULL);
	if (a->tun_fd >= 0)
		close(a->tun_fd);	/* the device goes, with any route */
	if (a->sk)
		nl_socket_free(a->sk);
	free(a->on);
	memset(a, 0, sizeof(*a));
	a->tun_fd = -1;
}
