// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Links, neighbours and netconf into the model; see nl_objects.h. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <linux/ipv6.h>
#include <linux/neighbour.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>
#include <netlink/addr.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/neighbour.h>
#include "nl_objects.h"

#ifndef IFF_LOWER_UP	/* <linux/if.h>, which clashes with <net/if.h> */
#define IFF_LOWER_UP (1 << 16)
#endif

#define NUD_VALID_STATES (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | \
			  NUD_PROBE | NUD_STALE | NUD_DELAY)

static struct nla_policy link_policy[IFLA_MAX + 1] = {
	[IFLA_MTU] = { .type = NLA_U32 },
	[IFLA_IFNAME] = { .type = NLA_STRING },
	[IFLA_AF_SPEC] = { .type = NLA_NESTED },
};

/*
 * The interface's IPv6 MTU: IFLA_AF_SPEC / AF_INET6 / IFLA_INET6_CONF is
 * the per-device sysctl array, indexed by DEVCONF_*. 0 if absent (IPv6 off
 * on the device, or a kernel that left it out).
 */
static __u32 link_mtu6(struct nlattr *af_spec)
{
	struct nlattr *af, *attr;
	int rem, rem2;

	nla_for_each_nested(af, af_spec, rem) {
		if (nla_type(af) != AF_INET6)
			continue;
		nla_for_each_nested(attr, af, rem2) {
			if (nla_type(attr) == IFLA_INET6_CONF &&
			    nla_len(attr) >= (int)((DEVCONF_MTU6 + 1) *
						   sizeof(__s32)))
				return ((const __s32 *)nla_data(attr))
					[DEVCONF_MTU6];
		}
	}
	return 0;
}

int nl_link_msg(struct fib_model *m, struct nlmsghdr *nlh,
		enum nl_link_change *change)
{
	struct nlattr *tb[IFLA_MAX + 1];
	const struct fib_link *old;
	const struct ifinfomsg *ifi;
	struct fib_link l = {};
	__u32 ifindex;

	*change = NL_LINK_SAME;
	if (!nlmsg_valid_hdr(nlh, sizeof(*ifi)))
		return 0;
	ifi = nlmsg_data(nlh);
	ifindex = ifi->ifi_index;
	old = fib_model_link_get(m, ifindex);
	if (nlh->nlmsg_type == RTM_DELLINK) {
		if (old)
			*change = NL_LINK_DOWN;
		return fib_model_link(m, ifindex, NULL);
	}
	if (nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, link_policy) < 0)
		return 0;
	if (old)
		l = *old;	/* keeps the netconf settings */
	l.flags = ifi->ifi_flags;
	if (tb[IFLA_MTU])
		l.mtu = nla_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_AF_SPEC])
		l.mtu6 = link_mtu6(tb[IFLA_AF_SPEC]);
	if (tb[IFLA_IFNAME])
		nla_strlcpy(l.name, tb[IFLA_IFNAME], sizeof(l.name));
	if (tb[IFLA_ADDRESS]) {
		l.ether = ifi->ifi_type == ARPHRD_ETHER &&
			  nla_len(tb[IFLA_ADDRESS]) == 6;
		memset(l.mac, 0, sizeof(l.mac));
		if (l.ether)
			memcpy(l.mac, nla_data(tb[IFLA_ADDRESS]), 6);
	}
	/*
	 * A new link (or one only netconf told us about) carries no routes
	 * yet, but its MTU and MAC may be what a path was missing.
	 */
	if (!old || !old->mtu)
		*change = NL_LINK_ATTRS;
	else if (old->flags & IFF_UP && !(l.flags & IFF_UP))
		*change = NL_LINK_DOWN;
	else if ((old->flags ^ l.flags) & (IFF_UP | IFF_RUNNING |
					   IFF_LOWER_UP))
		*change = NL_LINK_STATE;
	else if (old->mtu != l.mtu || old->mtu6 != l.mtu6 ||
		 old->ether != l.ether ||
		 memcmp(old->mac, l.mac, 6))
		*change = NL_LINK_ATTRS;
	return fib_model_link(m, ifindex, &l);
}

int nl_neigh_msg(struct fib_model *m, struct nlmsghdr *nlh,
		 struct xr_neigh_key *key, bool *changed)
{
	struct rtnl_neigh *n = NULL;
	struct nl_addr *dst, *ll;
	__u8 mac[6] = {};
	bool valid;
	int family, err;

	*changed = false;
	if (rtnl_neigh_parse(nlh, &n) < 0)
		return 0;
	family = rtnl_neigh_get_family(n);
	dst = rtnl_neigh_get_dst(n);
	ll = rtnl_neigh_get_lladdr(n);
	if ((family != AF_INET && family != AF_INET6) || !dst ||
	    nl_addr_get_len(dst) != fib_addr_len(family) ||
	    rtnl_neigh_get_flags(n) & NTF_PROXY) {
		rtnl_neigh_put(n);
		return 0;
	}
	memset(key, 0, sizeof(*key));
	key->ifindex = rtnl_neigh_get_ifindex(n);
	key->family = family;
	memcpy(key->addr, nl_addr_get_binary_addr(dst), nl_addr_get_len(dst));
	/* As the kernel's neigh_valid(): only a usable MAC counts. */
	valid = nlh->nlmsg_type == RTM_NEWNEIGH &&
		rtnl_neigh_get_state(n) & NUD_VALID_STATES && ll &&
		nl_addr_get_len(ll) == 6;
	if (valid)
		memcpy(mac, nl_addr_get_binary_addr(ll), 6);
	rtnl_neigh_put(n);
	err = fib_model_neigh(m, key, mac, valid, changed);
	return err;
}

static struct nla_policy netconf_policy[NETCONFA_MAX + 1] = {
	[NETCONFA_IFINDEX] = { .type = NLA_U32 },
	[NETCONFA_FORWARDING] = { .type = NLA_U32 },
	[NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN] = { .type = NLA_U32 },
};

int nl_netconf_msg(struct fib_model *m, struct nlmsghdr *nlh,
		   unsigned int *changed)
{
	struct nlattr *tb[NETCONFA_MAX + 1];
	const struct netconfmsg *ncm;
	struct fib_link *l = NULL;
	__s32 ifindex;
	int f;

	*changed = 0;
	if (!nlmsg_valid_hdr(nlh, sizeof(*ncm)))
		return 0;
	ncm = nlmsg_data(nlh);
	if (ncm->ncm_family != AF_INET && ncm->ncm_family != AF_INET6)
		return 0;
	if (nlmsg_parse(nlh, sizeof(*ncm), tb, NETCONFA_MAX,
			netconf_policy) < 0 || !tb[NETCONFA_IFINDEX])
		return 0;
	f = fib_fam_idx(ncm->ncm_family);
	ifindex = (__s32)nla_get_u32(tb[NETCONFA_IFINDEX]);
	if (ifindex > 0) {
		__u32 key = ifindex;

		/* Netconf may come before the link: create it bare. */
		l = htab_upsert(&m->links, &key, NULL);
		if (!l)
			return -ENOMEM;
	} else if (ifindex != NETCONFA_IFINDEX_ALL) {
		return 0;	/* the defaults for new devices */
	}
	/* Notifications carry only the attribute that changed. */
	if (tb[NETCONFA_FORWARDING] && l) {
		bool fwd = nla_get_u32(tb[NETCONFA_FORWARDING]);

		if (l->fwd[f] != fwd)
			*changed |= NL_NETCONF_FWD;
		l->fwd[f] = fwd;
	}
	if (tb[NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN]) {
		bool *ign = l ? &l->ignore_linkdown[f]
			      : &m->ignore_linkdown_all[f];
		bool v = nla_get_u32(tb[NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN]);

		if (*ign != v)
			*changed |= NL_NETCONF_LINKDOWN;
		*ign = v;
	}
	return 0;
}
