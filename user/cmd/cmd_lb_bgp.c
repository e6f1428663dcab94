// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lb bgp-config: a BIRD 2 configuration that announces over BGP the VIP
 * routes `lb watch --announce-table N` keeps (lb_announce.h). Touches
 * nothing: it only prints.
 */
#include <errno.h>
#include <getopt.h>
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
	unsigned long table, local_as, peer_as, hold;
	unsigned long bfd_ms;	/* 0: no BFD */
	const char *router_id, *dev;
	const char *neighbor[MAX_NEIGHBORS];
	int family[MAX_NEIGHBORS];
	size_t nr;
};

static int number(const char *what, const char *s, unsigned long min,
		  unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || *out < min ||
	    *out > max) {
		log_error("lb bgp-config: %s '%s': expected %lu..%lu", what, s,
			  min, max);
		return -EINVAL;
	}
	return 0;
}

static void print_config(const struct bgp_opts *o)
{
	printf("# BIRD 2: announce the VIPs this node serves (xdp-router lb "
	       "bgp-config).\n"
	       "# Run beside: xdp-router lb watch FILE --announce-table %lu "
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
		       "\tkernel table %lu;\n\tlearn;\n\tscan time 1;\n"
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

int lb_bgp_config(const struct global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "table", required_argument, NULL, 't' },
		{ "local-as", required_argument, NULL, 'l' },
		{ "neighbor", required_argument, NULL, 'n' },
		{ "neighbor-as", required_argument, NULL, 'a' },
		{ "router-id", required_argument, NULL, 'r' },
		{ "dev", required_argument, NULL, 'd' },
		{ "hold", required_argument, NULL, 'H' },
		{ "bfd", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct bgp_opts o = { .hold = 3, .dev = LB_ANNOUNCE_DEV };
	unsigned char buf[16];
	unsigned int table;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, ":t:l:n:a:r:d:H:b:h", opts,
				NULL)) != -1) {
		switch (c) {
		case 't':
			rc = param_route_table(optarg, &table);
			if (rc)
				log_error("lb bgp-config: --table '%s': %s",
					  optarg, PARAM_ROUTE_TABLE_EXPECTED);
			o.table = table;
			break;
		case 'l':
			rc = number("--local-as", optarg, 1, 4294967295UL,
				    &o.local_as);
			break;
		case 'a':
			rc = number("--neighbor-as", optarg, 1, 4294967295UL,
				    &o.peer_as);
			break;
		case 'H':
			rc = number("--hold", optarg, 3, 65535, &o.hold);
			break;
		case 'b':
			rc = number("--bfd", optarg, 10, 10000, &o.bfd_ms);
			break;
		case 'n':
			if (o.nr == MAX_NEIGHBORS) {
				log_error("lb bgp-config: at most %d "
					  "neighbors", MAX_NEIGHBORS);
				return -EINVAL;
			}
			o.family[o.nr] = strchr(optarg, ':') ? AF_INET6
							      : AF_INET;
			if (inet_pton(o.family[o.nr], optarg, buf) != 1) {
				log_error("lb bgp-config: --neighbor '%s': "
					  "not an IP address", optarg);
				return -EINVAL;
			}
			o.neighbor[o.nr++] = optarg;
			break;
		case 'r':
			if (inet_pton(AF_INET, optarg, buf) != 1) {
				log_error("lb bgp-config: --router-id '%s': "
					  "not an IPv4 address", optarg);
				return -EINVAL;
			}
			o.router_id = optarg;
			break;
		case 'd':
			/* Quoted in BIRD's config: no '"' or '\'. */
			if (param_ifname(optarg) || strpbrk(optarg, "\"\\")) {
				log_error("lb bgp-config: --dev: not an "
					  "interface name (" PARAM_IFNAME_RULES
					  ", '\"' or '\\')");
				return -EINVAL;
			}
			o.dev = optarg;
			break;
		case 'h':
			fputs("Usage: xdp-router lb bgp-config --table N "
			      "--local-as AS --neighbor ADDR...\n"
			      "                  --neighbor-as AS "
			      "[--router-id ID] [--dev NAME] [--hold S]\n"
			      "                  [--bfd MS]\n\n"
			      "Prints a BIRD 2 configuration announcing over "
			      "eBGP the VIP routes that\n"
			      "'lb watch FILE --announce-table N' keeps while "
			      "this node serves them\n"
			      "(withdrawn when all of a VIP's backends are "
			      "down, the interfaces are\n"
			      "down, or the watcher ends, even by SIGKILL). "
			      "With --router-id the output\n"
			      "is a whole bird.conf; without, a part to "
			      "include. --hold: BGP hold time\n"
			      "(default 3 s, BIRD's minimum), how long a dead "
			      "node keeps its traffic;\n"
			      "--bfd MS: BFD every MS ms on the sessions "
			      "(a dead node goes after 3 x MS;\n"
			      "the neighbors must run BFD too).\n", stdout);
			return 0;
		default:
			return command_bad_option("lb bgp-config", c, argv);
		}
		if (rc)
			return rc;
	}
	rc = command_no_more_args("lb bgp-config", argc, argv);
	if (rc)
		return rc;
	if (!o.table || !o.local_as || !o.peer_as || !o.nr) {
		log_error("lb bgp-config: --table, --local-as, --neighbor and "
			  "--neighbor-as are required");
		return -EINVAL;
	}
	if (g->json) {
		log_error("lb bgp-config: the output is a BIRD configuration; "
			  "--json has no meaning here");
		return -EINVAL;
	}
	print_config(&o);
	return 0;
}
