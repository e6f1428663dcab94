// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The packet fuzzer's network (fuzz_model.h): links, routes, load balancer,
 * written down once. fz_net_directives() turns the tables into the fixture
 * runner's directives; fuzz_model.c answers from the same tables.
 *
 *   r0  LAN, ingress of most frames: backends, 192.0.2.0/24 behind h0
 *   r1  WAN: clients (198.51.100.0/24) and the VIPs' net behind h1
 *   r2  MTU 1280
 *   r3  routed to, not attached: the kernel's
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/in.h>
#include "fuzz_model.h"
#include "fuzz_net.h"

static struct fz_link links[] = {
	{ .name = "r0", .ifindex = 10, .mtu = 1500, .attached = true },
	{ .name = "r1", .ifindex = 11, .mtu = 1500, .attached = true,
	  .rp_filter = 2 },
	{ .name = "r2", .ifindex = 12, .mtu = 1280, .attached = true },
	{ .name = "r3", .ifindex = 13, .mtu = 1500, .attached = false },
};
#define N_LINKS ((int)(sizeof(links) / sizeof(links[0])))
#define N_INGRESS 2		/* r0 and r1 receive the frames */

/* gw NULL: the link's peer (10.0.N.2, fd00:N::2), a permanent neighbour. */
const struct fz_route fz_routes[] = {
	{ "198.51.100.0/24", FZ_RT_VIA, 1, NULL },
	{ "2001:db8:100::/48", FZ_RT_VIA, 1, NULL },
	{ "203.0.113.0/24", FZ_RT_VIA, 1, NULL },	/* the VIPs' */
	{ "2001:db8:f::/48", FZ_RT_VIA, 1, NULL },
	{ "198.51.101.0/24", FZ_RT_VIA, 2, NULL },
	{ "2001:db8:101::/48", FZ_RT_VIA, 2, NULL },
	{ "198.51.102.0/24", FZ_RT_VIA, 3, NULL },
	{ "2001:db8:102::/48", FZ_RT_VIA, 3, NULL },
	{ "198.51.103.0/24", FZ_RT_VIA, 1, "10.0.1.3" },	/* unresolved */
	{ "2001:db8:103::/48", FZ_RT_VIA, 1, "fd00:1::3" },
	{ "198.51.104.0/24", FZ_RT_BLACKHOLE, 0, NULL },
	{ "2001:db8:104::/48", FZ_RT_BLACKHOLE, 0, NULL },
	{ "198.51.105.0/24", FZ_RT_UNREACHABLE, 0, NULL },
	{ "2001:db8:105::/48", FZ_RT_UNREACHABLE, 0, NULL },
	{ "192.0.2.0/24", FZ_RT_VIA, 0, NULL },
	{ "2001:db8:2::/48", FZ_RT_VIA, 0, NULL },
};
const int fz_n_routes = sizeof(fz_routes) / sizeof(fz_routes[0]);

/* Backends sit on the LAN; one per VIP, so the ring's choice is known. */
static struct fz_backend fz_backends[] = {
	{ .id = 1, .addr = "10.0.0.11", .active = true },
	{ .id = 2, .addr = "10.0.0.12", .port = 80, .active = true },
	{ .id = 3, .addr = "10.0.0.13", .active = true },
	{ .id = 4, .addr = "10.0.0.14", .active = true },
	{ .id = 5, .addr = "fd00::11", .active = true },
	{ .id = 6, .addr = "fd00::12", .port = 5353, .active = true },
	{ .id = 7, .addr = "fd00::13", .active = true },
	{ .id = 8, .addr = "10.0.0.18", .active = false },
};
static const int fz_n_backends = sizeof(fz_backends) / sizeof(fz_backends[0]);

struct fz_vip fz_vips[] = {
	{ .id = 1, .addr = "203.0.113.1", .proto = IPPROTO_TCP, .port = 80,
	  .backend = 1 },
	{ .id = 2, .addr = "203.0.113.2", .proto = IPPROTO_TCP, .port = 8080,
	  .nat = true, .backend = 2 },
	{ .id = 3, .addr = "203.0.113.3", .proto = IPPROTO_UDP, .port = 0,
	  .backend = 3 },
	{ .id = 4, .addr = "203.0.113.4", .proto = IPPROTO_UDP, .port = 53,
	  .nat = true, .backend = 4 },
	{ .id = 5, .addr = "2001:db8:f::1", .proto = IPPROTO_TCP, .port = 443,
	  .backend = 5 },
	{ .id = 6, .addr = "2001:db8:f::2", .proto = IPPROTO_UDP, .port = 53,
	  .nat = true, .backend = 6 },
	{ .id = 7, .addr = "2001:db8:f::3", .proto = IPPROTO_TCP, .port = 0,
	  .nat = true, .backend = 7 },
	{ .id = 8, .addr = "203.0.113.5", .proto = IPPROTO_UDP, .port = 9,
	  .backend = 8 },	/* its backend is down */
};
const int fz_n_vips = sizeof(fz_vips) / sizeof(fz_vips[0]);

/* Every kind of destination and source the model tells apart. */
const char *const fz_v4_dst_pool[] = {
	"198.51.100.50", "198.51.100.7", "203.0.113.1", "203.0.113.2",
	"203.0.113.3", "203.0.113.4", "203.0.113.5", "203.0.113.9",
	"198.51.101.5", "198.51.102.5", "198.51.103.5", "198.51.104.5",
	"198.51.105.5", "192.0.2.5", "10.0.1.2", "10.0.0.2", "10.0.2.2",
	"10.0.1.1", "10.0.0.1", "10.0.1.255", "10.0.1.9", "224.0.0.5",
	"239.1.2.3", "255.255.255.255", "127.0.0.1", "0.1.2.3", "240.0.0.1",
	"8.8.8.8", "169.254.1.1", NULL
};
const char *const fz_v4_src_pool[] = {
	"198.51.100.50", "198.51.100.51", "192.0.2.5", "10.0.0.2",
	"10.0.0.11", "10.0.0.12", "10.0.0.14", "0.0.0.0", "127.0.0.1",
	"224.0.0.1", "255.255.255.255", "240.1.1.1", "169.254.1.1",
	"10.0.1.2", NULL
};
const char *const fz_v6_dst_pool[] = {
	"2001:db8:100::50", "2001:db8:f::1", "2001:db8:f::2", "2001:db8:f::3",
	"2001:db8:f::9", "2001:db8:101::5", "2001:db8:102::5",
	"2001:db8:103::5", "2001:db8:104::5", "2001:db8:105::5",
	"2001:db8:2::5", "fd00:1::2", "fd00::2", "fd00:2::2", "fd00:1::1",
	"fd00:1::9", "ff02::1", "ff05::2", "fe80::1", "::1", "::",
	"2001:db8:ffff::1", "::ffff:10.0.1.2", NULL
};
const char *const fz_v6_src_pool[] = {
	"2001:db8:100::50", "2001:db8:100::51", "2001:db8:2::5", "fd00::2",
	"fd00::11", "fd00::12", "fd00::13", "::", "::1", "ff02::1",
	"fe80::2", "fd00:1::2", NULL
};
const __u16 fz_client_ports[] = { 1024, 40000, 55555 };
const int fz_n_client_ports = 3;
const __u16 fz_vip_ports[] = { 80, 8080, 53, 443, 9, 5353 };
const int fz_n_vip_ports = 6;

static void link_macs(int n)
{
	static const __u8 base[6] = { 0x02, 0, 0, 0, 0, 0 };

	memcpy(links[n].mac, base, 6);
	links[n].mac[4] = n;
	links[n].mac[5] = 1;
	memcpy(links[n].peer_mac, links[n].mac, 6);
	links[n].peer_mac[5] = 2;
}

static int parse_addr(const char *s, __u8 *family, __u8 bin[16])
{
	memset(bin, 0, 16);
	if (inet_pton(AF_INET, s, bin) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, s, bin) == 1)
		*family = AF_INET6;
	else
		return -EINVAL;
	return 0;
}

int fz_prefix(const char *s, __u8 *family, __u8 bin[16], int *plen)
{
	char buf[64], *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	*plen = atoi(slash + 1);
	return parse_addr(buf, family, bin);
}

int fz_net_init(void)
{
	for (int i = 0; i < N_LINKS; i++)
		link_macs(i);
	for (int i = 0; i < fz_n_backends; i++) {
		struct fz_backend *b = &fz_backends[i];

		if (parse_addr(b->addr, &b->family, b->bin))
			return -EINVAL;
		memcpy(b->mac, (__u8[6]){ 0x02, 0, 0, 0, 0x0b, 0 }, 6);
		b->mac[5] = b->id;
	}
	for (int i = 0; i < fz_n_vips; i++) {
		struct fz_vip *v = &fz_vips[i];

		if (parse_addr(v->addr, &v->family, v->bin))
			return -EINVAL;
		for (int j = 0; j < fz_n_backends; j++)
			if (fz_backends[j].id == v->backend)
				v->be = &fz_backends[j];
		if (!v->be || v->be->family != v->family)
			return -EINVAL;
	}
	return 0;
}

const struct fz_link *fz_link_by_index(__u32 ifindex)
{
	for (int i = 0; i < N_LINKS; i++)
		if (links[i].ifindex == ifindex)
			return &links[i];
	return NULL;
}

const struct fz_link *fz_link(int n)
{
	return n >= 0 && n < N_LINKS ? &links[n] : NULL;
}

const struct fz_link *fz_ingress_links(int *n)
{
	*n = N_INGRESS;
	return links;
}

/* ---- directives -------------------------------------------------------- */

#define MAX_DIRECTIVES 256
static char *directives[MAX_DIRECTIVES + 1];
static int n_directives;

static void add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void add(const char *fmt, ...)
{
	va_list ap;
	char *line;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		line = NULL;
	va_end(ap);
	if (line && n_directives < MAX_DIRECTIVES)
		directives[n_directives++] = line;
	else
		free(line);	/* fz_net_directives() notices the gap */
}

static const char *mac_str(const __u8 *m)
{
	static char buf[4][18];
	static int next;
	char *s = buf[next++ % 4];

	snprintf(s, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
	return s;
}

static void add_links(void)
{
	for (int n = 0; n < N_LINKS; n++) {
		const struct fz_link *l = &links[n];

		add("ip link add %s index %u address %s mtu %u type veth peer name h%d address %s mtu %u",
		    l->name, l->ifindex, mac_str(l->mac), l->mtu, n,
		    mac_str(l->peer_mac), l->mtu);
		/* Silent host ends: no frame of theirs moves our counters. */
		add("sysctl net/ipv6/conf/h%d/disable_ipv6 1", n);
		add("ip link set %s up", l->name);
		add("ip link set h%d up", n);
		add("ip addr add 10.0.%d.1/24 dev %s", n, l->name);
		add("ip addr add fd00:%d::1/64 dev %s nodad", n, l->name);
		add("sysctl net/ipv4/conf/%s/rp_filter %u", l->name,
		    l->rp_filter);
		add("ip neigh add 10.0.%d.2 lladdr %s dev %s nud permanent", n,
		    mac_str(l->peer_mac), l->name);
		add("ip neigh add fd00:%d::2 lladdr %s dev %s nud permanent", n,
		    mac_str(l->peer_mac), l->name);
	}
}

static void add_routes(void)
{
	static const char *const kinds[] = {
		[FZ_RT_BLACKHOLE] = "blackhole",
		[FZ_RT_UNREACHABLE] = "unreachable",
	};

	for (int i = 0; i < fz_n_routes; i++) {
		const struct fz_route *r = &fz_routes[i];
		bool v6 = strchr(r->prefix, ':');
		char gw[64];

		if (r->kind != FZ_RT_VIA) {
			add("ip route add %s %s", kinds[r->kind], r->prefix);
			continue;
		}
		if (r->gw)
			snprintf(gw, sizeof(gw), "%s", r->gw);
		else
			snprintf(gw, sizeof(gw), v6 ? "fd00:%d::2" : "10.0.%d.2",
				 r->link);
		add("ip route add %s via %s dev %s", r->prefix, gw,
		    links[r->link].name);
	}
}

static void add_lb(void)
{
	for (int i = 0; i < fz_n_backends; i++) {
		const struct fz_backend *b = &fz_backends[i];

		add("lb-backend %u %s %s %u %s 1", b->id, b->addr,
		    mac_str(b->mac), b->port, b->active ? "active" : "down");
	}
	for (int i = 0; i < fz_n_vips; i++) {
		const struct fz_vip *v = &fz_vips[i];

		add("lb-vip %u %s %s %u %s", v->id, v->addr,
		    v->proto == IPPROTO_TCP ? "tcp" : "udp", v->port,
		    v->nat ? "nat" : "dsr");
		add("lb-ring %u %u", v->id, v->backend);
	}
}

char **fz_net_directives(void)
{
	if (n_directives)
		return directives;
	/* The source check's sysctls as the model has them (rp_filter as
	 * each link says, redirects on), not as the initial namespace passes
	 * them on. */
	add("sysctl net/ipv4/conf/all/rp_filter 0");
	add("sysctl net/ipv4/conf/default/rp_filter 0");
	add("sysctl net/ipv4/conf/all/accept_local 0");
	add("sysctl net/ipv4/conf/default/accept_local 0");
	add("sysctl net/ipv4/conf/all/send_redirects 1");
	add_links();
	add_routes();
	add("sysctl net/ipv4/ip_forward 1");
	add("sysctl net/ipv6/conf/all/forwarding 1");
	for (int n = 0; n < N_LINKS; n++)
		if (links[n].attached)
			add("attach %s", links[n].name);
	add_lb();
	if (n_directives == MAX_DIRECTIVES)
		return NULL;
	directives[n_directives] = NULL;
	return directives;
}
