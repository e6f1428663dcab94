// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Text forms for -v; see fib_fmt.h. */
#include <arpa/inet.h>
#include <stdio.h>
#include <sys/socket.h>
#include "fib_fmt.h"

const char *fib_fmt_addr(__u8 family, const __u8 *addr, char *buf,
			 size_t len)
{
	if ((family != AF_INET && family != AF_INET6) ||
	    !inet_ntop(family, addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

const char *fib_fmt_pfx(const struct fib_pfx *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	snprintf(buf, len, "%s/%u", fib_fmt_addr(p->family, p->addr, a,
						 sizeof(a)), p->plen);
	return buf;
}

const char *fib_fmt_mac(const __u8 m[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
	return buf;
}

static const char *fib_route_type_name(__u8 type)
{
	static const char *const names[] = {
		[XR_RT_INVALID] = "invalid",
		[XR_RT_UNICAST] = "unicast",
		[XR_RT_LOCAL] = "local",
		[XR_RT_BLACKHOLE] = "blackhole",
		[XR_RT_UNREACHABLE] = "unreachable",
		[XR_RT_PROHIBIT] = "prohibit",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

const char *fib_fmt_route(const struct xr_route *r, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s", fib_route_type_name(r->type));

	if (r->type == XR_RT_UNICAST && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, " %s %u",
			      r->flags & XR_RT_F_GROUP ? "group" : "nh",
			      r->nh);
	if (r->mtu && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - n, " mtu %u", r->mtu);
	return buf;
}

const char *fib_fmt_nexthop(const struct xr_nexthop *nh, char *buf,
			    size_t len)
{
	char gw[INET6_ADDRSTRLEN], mac[18];

	if (nh->flags & XR_NH_F_GATEWAY)
		fib_fmt_addr(nh->gw_family, nh->gw, gw, sizeof(gw));
	snprintf(buf, len, "ifindex %u %s%s mtu %u smac %s", nh->ifindex,
		 nh->flags & XR_NH_F_GATEWAY ? "via " : "on-link",
		 nh->flags & XR_NH_F_GATEWAY ? gw : "", nh->mtu,
		 fib_fmt_mac(nh->smac, mac, sizeof(mac)));
	return buf;
}
