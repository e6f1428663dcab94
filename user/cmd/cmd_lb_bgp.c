// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lb bgp-config: a BIRD 2 configuration that announces over BGP the VIP
 * routes `lb watch --announce-table N` keeps (lb_announce.h). Touches
 * nothing: it only prints.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "cmd_lb.h"
#include "lb_announce.h"
#include "log.h"
#include "params.h"

#define MAX_NEIGHBORS 16

struct bgp_opts {
	unsigned int table;
	unsigned long local_as, peer_as, hold;
	unsigned long bfd_ms;	/* 0: no BFD */
	const char *router_id, *dev;
	const char *neighbor[MAX_NEIGHBORS];
	int family[MAX_NEIGHBORS];
	size_t nr;
};

struct range {
	unsigned long min, max;
};

/* A number option; its range in @o->data. */
static int set_number(const struct cmd_option *o, void *opts, const char *s,
		      const char *cmd)
{
	const struct range *r = o->data;
	unsigned long *out = (unsigned long *)((char *)opts + o->offset);
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || *out < r->min ||
	    *out > r->max) {
		log_error("%s: --%s '%s': expected %lu..%lu", cmd, o->name, s,
			  r->min, r->max);
		return -EINVAL;
	}
	return 0;
}

static int set_neighbor(const struct cmd_option *o, void *opts,
			const char *s, const char *cmd)
{
	struct bgp_opts *b = opts;
	unsigned char buf[16];

	if (b->nr == MAX_NEIGHBORS) {
		log_error("%s: at most %d neighbors", cmd, MAX_NEIGHBORS);
		return -EINVAL;
	}
	b->family[b->nr] = strchr(s, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(b->family[b->nr], s, buf) != 1) {
		log_error("%s: --neighbor '%s': not an IP address", cmd, s);
		return -EINVAL;
	}
	b->neighbor[b->nr++] = s;
	return 0;
}

static int set_router_id(const struct cmd_option *o, void *opts,
			 const char *s, const char *cmd)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) != 1) {
		log_error("%s: --router-id '%s': not an IPv4 address", cmd, s);
		return -EINVAL;
	}
	((struct bgp_opts *)opts)->router_id = s;
	return 0;
}

static int set_dev(const struct cmd_option *o, void *opts, const char *s,
		   const char *cmd)
{
	/* Quoted in BIRD's config: no '"' or '\'. */
	if (param_ifname(s) || strpbrk(s, "\"\\")) {
		log_error("%s: --dev: not an interface name (" PARAM_IFNAME_RULES
			  ", '\"' or '\\')", cmd);
		return -EINVAL;
	}
	((struct bgp_opts *)opts)->dev = s;
	return 0;
}

#define NUMBER(_name, _key, _member, _min, _max) { \
	.name = (_name), .key = (_key), .arg = true, \
	.offset = offsetof(struct bgp_opts, _member), .set = set_number, \
	.data = &(const struct range){ (_min), (_max) } }

static const struct cmd_option bgp_options[] = {
	CMD_OPTION("table", 't', true, struct bgp_opts, table,
		   cmd_opt_route_table),
	NUMBER("local-as", 'l', local_as, 1, 4294967295UL),
	CMD_OPTION("neighbor", 'n', true, struct bgp_opts, neighbor,
		   set_neighbor),
	NUMBER("neighbor-as", 'a', peer_as, 1, 4294967295UL),
	CMD_OPTION("router-id", 'r', true, struct bgp_opts, router_id,
		   set_router_id),
	CMD_OPTION("dev", 'd', true, struct bgp_opts, dev, set_dev),
	NUMBER("hold", 'H', hold, 3, 65535),
	NUMBER("bfd", 'b', bfd_ms, 10, 10000),
	{}
};

static void print_config(const struct bgp_opts *o)
{
	printf("# BIRD 2: announce the VIPs this node serves (xdp-router lb "
	       "bgp-config).\n"
	       "# Run beside: xdp-router lb watch FILE --announce-table %u "
	       "--announce-dev %s\n"
	       "# The VIP routes stay in tables xrlb4/xrlb6, apart from "
	       "BIRD's master tables:\n"
	       "# nothing here changes this node's own routing.\n",
	       o->table, o->dev);
	if (o->router_id)
		printf("\nrouter id %s;\n\nprotocol device {\n"
		       "\tscan time 10;\n}\n", o->router_id);
	else
		printf("# Add 'router id' and 'protocol device' unless the "
		       "including file has them.\n");
	printf("\nipv4 table xrlb4;\nipv6 table xrlb6;\n");
	for (int f = 4; f <= 6; f += 2)
		printf("\n# What lb watch installs (learn: routes of other "
		       "origins); a route\n"
		       "# goes when the watcher withdraws it or its device "
		       "%s goes with the process.\n"
		       "protocol kernel xrlb_vips%d {\n"
		       "\tkernel table %u;\n\tlearn;\n\tscan time 1;\n"
		       "\tipv%d { table xrlb%d; import where ifname = \"%s\"; "
		       "export none; };\n}\n",
		       o->dev, f, o->table, f, f, o->dev);
	if (o->bfd_ms)
		printf("\n# BFD: a dead node is dropped after 3 missed packets "
		       "instead of the hold\n# time; the neighbors must run "
		       "BFD too.\nprotocol bfd xrlb_bfd {\n"
		       "\tinterface \"*\" {\n\t\tmin rx interval %lu ms;\n"
		       "\t\tmin tx interval %lu ms;\n\t\tmultiplier 3;\n"
		       "\t};\n}\n", o->bfd_ms, o->bfd_ms);
	printf("\ntemplate bgp xrlb_peer {\n\tlocal as %lu;\n"
	       "\thold time %lu;\n\tkeepalive time %lu;\n"
	       "\tconnect retry time 1;\n\terror wait time 1, 5;\n%s}\n",
	       o->local_as, o->hold, o->hold / 3 ? o->hold / 3 : 1,
	       o->bfd_ms ? "\tbfd on;\n" : "");
	for (size_t i = 0; i < o->nr; i++) {
		int f = o->family[i] == AF_INET ? 4 : 6;

		printf("\nprotocol bgp xrlb_up%zu from xrlb_peer {\n"
		       "\tneighbor %s as %lu;\n"
		       "\tipv%d { table xrlb%d; import none; export all; "
		       "next hop self; };\n}\n",
		       i + 1, o->neighbor[i], o->peer_as, f, f);
	}
}

static int cmd_lb_bgp_config_check(struct cmd_ctx *c)
{
	const struct bgp_opts *o = c->opts;

	if (!o->table || !o->local_as || !o->peer_as || !o->nr) {
		log_error("lb bgp-config: --table, --local-as, --neighbor and "
			  "--neighbor-as are required");
		return -EINVAL;
	}
	if (c->g->json) {
		log_error("lb bgp-config: the output is a BIRD configuration; "
			  "--json has no meaning here");
		return -EINVAL;
	}
	return 0;
}

static int cmd_lb_bgp_config_run(struct cmd_ctx *c)
{
	print_config(c->opts);
	return 0;
}

static const struct bgp_opts bgp_defaults = {
	.hold = 3,
	.dev = LB_ANNOUNCE_DEV,
};

COMMAND(cmd_lb_bgp_config, "bgp-config", "print a BIRD config announcing VIPs",
	CMD_NO_ARGS,
	CMD_OPTS(bgp_options, struct bgp_opts),
	.defaults = &bgp_defaults,
	.usage = "Usage: xdp-router lb bgp-config --table N --local-as AS "
		 "--neighbor ADDR...\n"
		 "                  --neighbor-as AS [--router-id ID] "
		 "[--dev NAME] [--hold S]\n"
		 "                  [--bfd MS]\n\n"
		 "Prints a BIRD 2 configuration announcing over eBGP the VIP "
		 "routes that\n"
		 "'lb watch FILE --announce-table N' keeps while this node "
		 "serves them\n"
		 "(withdrawn when all of a VIP's backends are down, the "
		 "interfaces are\n"
		 "down, or the watcher ends, even by SIGKILL). With --router-id "
		 "the output\n"
		 "is a whole bird.conf; without, a part to include. --hold: BGP "
		 "hold time\n"
		 "(default 3 s, BIRD's minimum), how long a dead node keeps its "
		 "traffic;\n"
		 "--bfd MS: BFD every MS ms on the sessions (a dead node goes "
		 "after 3 x MS;\n"
		 "the neighbors must run BFD too).\n",
	.check = cmd_lb_bgp_config_check);
