// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Load balancer configuration values: addresses, endpoints, names, enums. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "lb_config.h"
#include "lb_config_priv.h"
#include "params.h"

/* ---- addresses, names, enums ---- */

int lb_addr_parse(const char *s, struct lb_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->a) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->a) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	memset(a, 0, sizeof(*a));
	return -EINVAL;
}

const char *lb_addr_str(const struct lb_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family, a->a, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

int lb_addr_cmp(const struct lb_addr *a, const struct lb_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->a, b->a, sizeof(a->a));
}

bool lb_addr_valid_unicast(const struct lb_addr *a)
{
	static const __u8 zero[16];

	if (a->family == AF_INET) {
		__u8 b0 = a->a[0];

		return b0 != 0 && b0 != 127 && b0 < 224 &&
		       memcmp(a->a, "\xff\xff\xff\xff", 4);
	}
	if (!memcmp(a->a, zero, 16))
		return false;
	if (a->a[0] == 0xff)				/* multicast */
		return false;
	if (!memcmp(a->a, zero, 15) && a->a[15] == 1)	/* ::1 */
		return false;
	if (!memcmp(a->a, zero, 10) && a->a[10] == 0xff && a->a[11] == 0xff)
		return false;	/* v4-mapped: say it as IPv4 */
	return true;
}

int lb_endpoint_parse(const char *s, struct lb_addr *a, __u16 *port,
		      bool *has_port)
{
	char buf[INET6_ADDRSTRLEN + 16];
	const char *p = NULL;
	size_t n = strlen(s);
	__u32 v;

	*port = 0;
	*has_port = false;
	if (n >= sizeof(buf))
		return -EINVAL;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close == s + 1)
			return -EINVAL;
		memcpy(buf, s + 1, close - s - 1);
		buf[close - s - 1] = '\0';
		if (close[1] == ':')
			p = close + 2;
		else if (close[1])
			return -EINVAL;
		if (lb_addr_parse(buf, a) || a->family != AF_INET6)
			return -EINVAL;
	} else {
		const char *colon = strchr(s, ':');

		/* One colon: IPv4:port; more: a bare IPv6 address. */
		if (colon && !strchr(colon + 1, ':')) {
			memcpy(buf, s, colon - s);
			buf[colon - s] = '\0';
			p = colon + 1;
		} else {
			memcpy(buf, s, n + 1);
		}
		if (lb_addr_parse(buf, a))
			return -EINVAL;
	}
	if (p) {
		if (param_uint_max(p, 65535, &v))
			return -EINVAL;
		*port = v;
		*has_port = true;
	}
	return 0;
}

const char *lb_proto_name(__u8 proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp"
								   : "?";
}

const char *lb_mode_name(__u8 mode)
{
	return mode == XR_LB_DSR ? "dsr" : mode == XR_LB_NAT ? "nat" : "?";
}

const char *lb_state_name(__u8 state)
{
	switch (state) {
	case XR_BE_ACTIVE: return "active";
	case XR_BE_DRAIN: return "drain";
	case XR_BE_DOWN: return "down";
	}
	return "?";
}

int lb_proto_parse(const char *s, __u8 *proto)
{
	if (!strcmp(s, "tcp"))
		*proto = IPPROTO_TCP;
	else if (!strcmp(s, "udp"))
		*proto = IPPROTO_UDP;
	else
		return -EINVAL;
	return 0;
}

int lb_mode_parse(const char *s, __u8 *mode)
{
	if (!strcmp(s, "dsr"))
		*mode = XR_LB_DSR;
	else if (!strcmp(s, "nat"))
		*mode = XR_LB_NAT;
	else
		return -EINVAL;
	return 0;
}

int lb_state_parse(const char *s, __u8 *state)
{
	if (!strcmp(s, "active"))
		*state = XR_BE_ACTIVE;
	else if (!strcmp(s, "drain"))
		*state = XR_BE_DRAIN;
	else if (!strcmp(s, "down"))
		*state = XR_BE_DOWN;
	else
		return -EINVAL;
	return 0;
}

bool lb_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= XR_LB_NAME_MAX || s[0] == '-')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_.-") == n;
}

const char *lb_vip_str(const struct lb_vip *v, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], port[8];

	lb_addr_str(&v->addr, a, sizeof(a));
	if (v->port)
		snprintf(port, sizeof(port), "%u", v->port);
	else
		snprintf(port, sizeof(port), "*");
	snprintf(buf, len, v->addr.family == AF_INET6 ? "[%s]:%s/%s"
						      : "%s:%s/%s",
		 a, port, lb_proto_name(v->proto));
	return buf;
}
