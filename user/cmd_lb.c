// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lb: the load balancer's control plane.
 *
 *   lb apply FILE | show | export | add-vip | del-vip | add-backend |
 *      set-backend | del-backend | health | watch FILE
 *
 * Stateless between invocations: the running configuration is read back
 * from the maps (lb_state.h), changed, and applied as a difference, under
 * the pin lock.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <poll.h>
#include "caps.h"
#include "command.h"
#include "lb_config.h"
#include "lb_health.h"
#include "lb_state.h"
#include "log.h"
#include "output.h"
#include "params.h"
#include "pin.h"

#define LB_RESOLVE_MS 3000

static const char usage[] =
	"Usage: xdp-router lb COMMAND [ARGS]\n"
	"\n"
	"The one-legged L4 load balancer of the router attached at the pin\n"
	"path. Commands (any unambiguous prefix works):\n"
	"  apply FILE [--dry-run]     make the running VIPs and backends those\n"
	"                             of FILE (YAML), changing only what differs\n"
	"  show [VIP...]              VIPs, backends, states and counters\n"
	"  export                     the running configuration as YAML\n"
	"  add-vip NAME ADDR[:PORT] [--proto tcp|udp] [--mode dsr|nat]\n"
	"  del-vip NAME|ADDR[:PORT]...\n"
	"  add-backend VIP ADDR [--weight N] [--port P] [--state S]\n"
	"  set-backend VIP ADDR[:PORT] [--weight N] [--state active|drain|down]\n"
	"  del-backend VIP ADDR[:PORT]...\n"
	"  health [VIP...]            probe every backend once and report\n"
	"  watch FILE                 apply FILE, follow its changes, probe the\n"
	"                             backends and take failed ones out, until\n"
	"                             SIGINT/SIGTERM\n"
	"\n"
	"VIP is a VIP's name or ADDR[:PORT]. 'xdp-router lb COMMAND --help'\n"
	"describes a command.\n";

/* ---- session: lock, maps ---- */

struct session {
	struct lb_maps maps;
	int lock_fd;
};

static int session_open(const struct global *g, struct session *s)
{
	int err = caps_require();

	if (err)
		return err;
	if (!pin_on_bpffs(g->pin_path)) {
		log_error("nothing attached at %s (attach the router first)",
			  g->pin_path);
		return -ENOENT;
	}
	s->lock_fd = pin_lock(g->pin_path);
	if (s->lock_fd < 0)
		return s->lock_fd;
	err = lb_maps_open(&s->maps, g->pin_path);
	if (err) {
		close(s->lock_fd);
		s->lock_fd = -1;
	}
	return err;
}

static void session_close(struct session *s)
{
	lb_maps_close(&s->maps);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	s->lock_fd = -1;
}

/* ---- output of an apply ---- */

static void print_result(const char *what, const struct lb_apply_result *r,
			 bool dry_run)
{
	out_open_object(NULL);
	out_string(PRINT_ANY, "applied", "%s: ", what);
	out_bool(PRINT_JSON, "dry_run", NULL, dry_run);
	out_open_object("vips");
	out_uint(PRINT_ANY, "added", "VIPs %llu added, ", r->vips_added);
	out_uint(PRINT_ANY, "removed", "%llu removed, ", r->vips_removed);
	out_uint(PRINT_ANY, "changed", "%llu changed; ", r->vips_changed);
	out_close_object();
	out_open_object("backends");
	out_uint(PRINT_ANY, "added", "backends %llu added, ",
		 r->backends_added);
	out_uint(PRINT_ANY, "removed", "%llu removed, ", r->backends_removed);
	out_uint(PRINT_ANY, "changed", "%llu changed; ", r->backends_changed);
	out_close_object();
	out_uint(PRINT_ANY, "ring_slots_written", "%llu ring slots written",
		 r->slots_written);
	out_text("%s\n", dry_run ? " (dry run: nothing written)" : "");
	out_close_object();
	out_flush();
}

static int apply_cfg(struct session *s, struct lb_config *want,
		     bool dry_run, struct lb_apply_result *res)
{
	struct lb_apply_opts opts = { .resolve_timeout_ms = LB_RESOLVE_MS,
				      .dry_run = dry_run };
	char err[LB_ERR_MAX];
	int rc = lb_state_apply(&s->maps, want, &opts, res, err, sizeof(err));

	if (rc)
		log_error("%s", err[0] ? err : log_strerror(rc));
	return rc;
}

/* ---- option parsing helpers ---- */

static int no_more_args(const char *cmd, int argc, char **argv)
{
	if (optind < argc) {
		log_error("lb %s: unexpected argument '%s'", cmd, argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static int parse_weight(const char *cmd, const char *s, __u32 *w)
{
	unsigned int v;

	if (param_count(s, &v) || v > LB_WEIGHT_MAX) {
		log_error("lb %s: invalid --weight '%s' (1..%d)", cmd, s,
			  LB_WEIGHT_MAX);
		return -EINVAL;
	}
	*w = v;
	return 0;
}

static int parse_port(const char *cmd, const char *s, __u16 *port)
{
	unsigned int v;

	if (param_count(s, &v) || v > 65535) {
		log_error("lb %s: invalid --port '%s' (1..65535)", cmd, s);
		return -EINVAL;
	}
	*port = v;
	return 0;
}

/* ---- finding VIPs and backends named on the command line ---- */

/* By name, else ADDR[:PORT] (every port/protocol if only ADDR). */
static int find_vip(const char *cmd, struct lb_config *cfg, const char *arg,
		    size_t *out)
{
	struct lb_addr a;
	bool has_port;
	__u16 port;
	size_t found = 0, n = 0;
	char names[256] = "";

	for (size_t i = 0; i < cfg->nr_vips; i++) {
		if (!strcmp(cfg->vips[i].name, arg)) {
			*out = i;
			return 0;
		}
	}
	if (lb_endpoint_parse(arg, &a, &port, &has_port)) {
		log_error("lb %s: no VIP named '%s'", cmd, arg);
		return -ENOENT;
	}
	for (size_t i = 0; i < cfg->nr_vips; i++) {
		const struct lb_vip *v = &cfg->vips[i];

		if (lb_addr_cmp(&v->addr, &a) || (has_port && v->port != port))
			continue;
		found = i;
		if (n++)
			strncat(names, ", ", sizeof(names) - strlen(names) - 1);
		strncat(names, v->name, sizeof(names) - strlen(names) - 1);
	}
	if (!n) {
		log_error("lb %s: no VIP %s", cmd, arg);
		return -ENOENT;
	}
	if (n > 1) {
		log_error("lb %s: %s is several VIPs (%s): name one", cmd, arg,
			  names);
		return -EINVAL;
	}
	*out = found;
	return 0;
}

static int find_backend(const char *cmd, const struct lb_vip *v,
			const char *arg, size_t *out)
{
	struct lb_addr a;
	bool has_port;
	__u16 port;
	size_t n = 0;

	if (lb_endpoint_parse(arg, &a, &port, &has_port)) {
		log_error("lb %s: '%s' is not an address (ADDR, ADDR:PORT, "
			  "[V6ADDR]:PORT)", cmd, arg);
		return -EINVAL;
	}
	for (size_t i = 0; i < v->nr_backends; i++) {
		const struct lb_backend *b = &v->backends[i];

		if (lb_addr_cmp(&b->addr, &a) ||
		    (has_port && lb_backend_port(v, b) != port))
			continue;
		*out = i;
		n++;
	}
	if (!n) {
		log_error("lb %s: VIP '%s' has no backend %s", cmd, v->name,
			  arg);
		return -ENOENT;
	}
	if (n > 1) {
		log_error("lb %s: VIP '%s' has several backends on %s: give "
			  "the port", cmd, v->name, arg);
		return -EINVAL;
	}
	return 0;
}

/*
 * The one-off commands: read, change (@edit), validate, apply. @edit
 * returns 0, or a negative errno after reporting.
 */
typedef int (*edit_fn)(struct lb_config *cfg, void *ctx);

static int one_off(const struct global *g, const char *cmd, edit_fn edit,
		   void *ctx)
{
	struct lb_apply_result res;
	struct lb_config cfg;
	struct session s;
	char err[LB_ERR_MAX];
	int rc;

	rc = session_open(g, &s);
	if (rc)
		return rc;
	rc = lb_state_read(&s.maps, &cfg);
	if (rc) {
		log_error("cannot read the load balancer maps: %s",
			  log_strerror(rc));
		goto out;
	}
	rc = edit(&cfg, ctx);
	if (!rc) {
		rc = lb_config_validate(&cfg, false, NULL, err, sizeof(err));
		if (rc)
			log_error("lb %s: %s", cmd, err);
	}
	if (!rc)
		rc = apply_cfg(&s, &cfg, false, &res);
	if (!rc)
		print_result(cmd, &res, false);
	lb_config_free(&cfg);
out:
	session_close(&s);
	return rc;
}

/* ---- apply ---- */

static int lb_apply(const struct global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct lb_apply_result res;
	struct lb_config want, cur;
	char err[LB_ERR_MAX];
	bool dry_run = false;
	struct session s;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":nh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			dry_run = true;
			break;
		case 'h':
			fputs("Usage: xdp-router lb apply FILE [--dry-run]\n"
			      "\n"
			      "Validates FILE whole, then changes the running "
			      "load balancer to match it:\n"
			      "unchanged VIPs and backends are not touched, "
			      "established connections\n"
			      "to remaining backends are kept.\n"
			      "  -n, --dry-run  validate, resolve and plan; "
			      "write nothing\n", stdout);
			return 0;
		default:
			return command_bad_option("lb apply", c, argv);
		}
	}
	if (optind >= argc) {
		log_error("lb apply: FILE is missing");
		return -EINVAL;
	}
	if (optind + 1 < argc) {
		log_error("lb apply: unexpected argument '%s'",
			  argv[optind + 1]);
		return -EINVAL;
	}
	/* The whole file is checked before anything is opened. */
	rc = lb_config_load(argv[optind], &want, err, sizeof(err));
	if (rc) {
		log_error("%s", err);
		return rc;
	}
	rc = session_open(g, &s);
	if (rc) {
		lb_config_free(&want);
		return rc;
	}
	rc = lb_state_read(&s.maps, &cur);
	if (rc) {
		log_error("cannot read the load balancer maps: %s",
			  log_strerror(rc));
	} else {
		/* Health marks belong to the checker, not to the file. */
		lb_config_inherit_health(&want, &cur);
		lb_config_free(&cur);
		rc = apply_cfg(&s, &want, dry_run, &res);
		if (!rc)
			print_result(argv[optind], &res, dry_run);
	}
	lb_config_free(&want);
	session_close(&s);
	return rc;
}

/* ---- show ---- */

static void print_mac(const __u8 *mac, char *buf, size_t len)
{
	static const __u8 zero[6];

	if (!memcmp(mac, zero, 6))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
			 mac[1], mac[2], mac[3], mac[4], mac[5]);
}

static void print_health(const struct lb_health *h)
{
	out_open_object("health");
	out_bool(PRINT_JSON, "enabled", NULL, h->enabled);
	if (h->enabled) {
		out_string(PRINT_FP, NULL, "  health %s", h->http_path[0] ?
			   "http" : "tcp");
		out_uint(PRINT_ANY, "interval_ms", " every %llums",
			 h->interval_ms);
		out_uint(PRINT_ANY, "timeout_ms", " timeout %llums",
			 h->timeout_ms);
		out_uint(PRINT_ANY, "rise", " rise %llu", h->rise);
		out_uint(PRINT_ANY, "fall", " fall %llu", h->fall);
		if (h->port)
			out_uint(PRINT_ANY, "port", " port %llu", h->port);
		else
			out_null(PRINT_JSON, "port", NULL);
		if (h->http_path[0])
			out_string(PRINT_ANY, "http_path", " GET %s",
				   h->http_path);
		else
			out_null(PRINT_JSON, "http_path", NULL);
	} else {
		out_text("  health off");
	}
	out_close_object();
	out_text("\n");
}

static int show_vip(struct session *s, const struct lb_vip *v, __u32 *ring)
{
	char a[INET6_ADDRSTRLEN], k[80], mac[20], digest[20];
	struct xr_vip_stats st;
	__u32 slots = 0;
	int rc;

	rc = lb_vip_stats_read(&s->maps, v->id, &st);
	if (!rc)
		rc = lb_ring_read(&s->maps, v->id, ring);
	if (rc) {
		log_error("cannot read VIP '%s': %s", v->name,
			  log_strerror(rc));
		return rc;
	}
	for (__u32 i = 0; i < XR_LB_RING_SIZE; i++)
		slots += ring[i] != 0;
	snprintf(digest, sizeof(digest), "%016llx",
		 (unsigned long long)lb_ring_digest_ids(v, ring));

	out_open_object(NULL);
	out_string(PRINT_ANY, "name", "VIP %s", v->name);
	out_string(PRINT_FP, NULL, " %s", lb_vip_str(v, k, sizeof(k)));
	out_string(PRINT_JSON, "address", NULL,
		   lb_addr_str(&v->addr, a, sizeof(a)));
	out_uint(PRINT_JSON, "port", NULL, v->port);
	out_string(PRINT_JSON, "protocol", NULL, lb_proto_name(v->proto));
	out_string(PRINT_ANY, "mode", " mode %s", lb_mode_name(v->mode));
	out_uint(PRINT_ANY, "id", " id %llu", v->id);
	print_health(&v->health);
	out_open_object("stats");
	out_uint(PRINT_ANY, "packets", "  packets %llu", st.rx.packets);
	out_uint(PRINT_ANY, "bytes", " bytes %llu", st.rx.bytes);
	out_uint(PRINT_ANY, "reply_packets", " replies %llu",
		 st.reply.packets);
	out_uint(PRINT_ANY, "reply_bytes", " (%llu bytes)", st.reply.bytes);
	out_uint(PRINT_ANY, "conn_hit", " conn hit %llu", st.conn_hit);
	out_uint(PRINT_ANY, "conn_miss", " miss %llu", st.conn_miss);
	out_uint(PRINT_ANY, "no_backend", " no-backend %llu\n",
		 st.no_backend);
	out_close_object();
	out_open_object("ring");
	out_uint(PRINT_ANY, "size", "  ring %llu slots", XR_LB_RING_SIZE);
	out_uint(PRINT_ANY, "used", ", %llu used", slots);
	out_string(PRINT_ANY, "digest", ", digest %s\n", digest);
	out_close_object();

	out_text("  %-39s %-5s %6s %-6s %-6s %-6s %-17s %5s %12s %14s\n",
		 "Backend", "Port", "Weight", "State", "Now", "Ring%", "MAC",
		 "Id", "Packets", "Bytes");
	out_open_array("backends");
	for (size_t j = 0; j < v->nr_backends; j++) {
		const struct lb_backend *b = &v->backends[j];
		struct xr_counter c;
		__u32 mine = 0;

		for (__u32 i = 0; i < XR_LB_RING_SIZE; i++)
			mine += ring[i] == b->id;
		rc = lb_backend_stats_read(&s->maps, b->id, &c);
		if (rc) {
			log_error("cannot read the counters of backend id %u: "
				  "%s", b->id, log_strerror(rc));
			return rc;
		}
		print_mac(b->mac, mac, sizeof(mac));
		out_open_object(NULL);
		out_string(PRINT_ANY, "address", "  %-39s",
			   lb_addr_str(&b->addr, a, sizeof(a)));
		if (b->port)
			out_uint(PRINT_ANY, "port", " %-5llu", b->port);
		else
			out_string(PRINT_FP, NULL, " %-5s", "-");
		if (!b->port)
			out_null(PRINT_JSON, "port", NULL);
		out_uint(PRINT_ANY, "weight", " %6llu", b->weight);
		out_string(PRINT_ANY, "state", " %-6s",
			   lb_state_name(b->state));
		out_string(PRINT_ANY, "effective_state", " %-6s",
			   lb_state_name(b->cur_state));
		out_bool(PRINT_JSON, "health_down", NULL, b->health_down);
		out_float(PRINT_FP, NULL, " %6.2f",
			  100.0 * mine / XR_LB_RING_SIZE);
		out_uint(PRINT_JSON, "ring_slots", NULL, mine);
		out_string(PRINT_ANY, "mac", " %-17s", mac);
		out_uint(PRINT_ANY, "id", " %5llu", b->id);
		out_uint(PRINT_JSON, "gen", NULL, b->gen);
		out_uint(PRINT_ANY, "packets", " %12llu", c.packets);
		out_uint(PRINT_ANY, "bytes", " %14llu\n", c.bytes);
		out_close_object();
	}
	out_close_array();
	out_close_object();
	out_text("\n");
	return 0;
}

static int lb_show(const struct global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct lb_config cfg;
	struct session s;
	__u32 *ring;
	bool *want = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c != 'h')
			return command_bad_option("lb show", c, argv);
		fputs("Usage: xdp-router lb show [VIP...]\n"
		      "\n"
		      "VIPs with their mode, health checks, counters and ring "
		      "digest, and their\n"
		      "backends: weight, configured state, state in the data "
		      "plane (Now),\n"
		      "share of the ring, MAC, id and counters.\n", stdout);
		return 0;
	}
	rc = session_open(g, &s);
	if (rc)
		return rc;
	rc = lb_state_read(&s.maps, &cfg);
	if (rc) {
		log_error("cannot read the load balancer maps: %s",
			  log_strerror(rc));
		session_close(&s);
		return rc;
	}
	/* Read under the lock, print without it. */
	close(s.lock_fd);
	s.lock_fd = -1;
	ring = malloc(XR_LB_RING_SIZE * sizeof(*ring));
	want = calloc(cfg.nr_vips + 1, sizeof(*want));
	if (!ring || !want) {
		rc = -ENOMEM;
		goto out;
	}
	for (int i = optind; i < argc; i++) {
		size_t k;

		rc = find_vip("show", &cfg, argv[i], &k);
		if (rc)
			goto out;
		want[k] = true;
	}
	out_open_object(NULL);
	out_open_array("vips");
	for (size_t i = 0; !rc && i < cfg.nr_vips; i++)
		if (optind == argc || want[i])
			rc = show_vip(&s, &cfg.vips[i], ring);
	out_close_array();
	out_close_object();
	if (!rc) {
		if (!cfg.nr_vips)
			out_text("no VIPs\n");
		out_flush();
	}
out:
	if (rc == -ENOMEM)
		log_error("out of memory");
	free(ring);
	free(want);
	lb_config_free(&cfg);
	session_close(&s);
	return rc;
}

/* ---- export ---- */

static void export_yaml(FILE *f, const struct lb_config *cfg)
{
	char a[INET6_ADDRSTRLEN];

	fprintf(f, "# xdp-router lb export\nvips:%s\n",
		cfg->nr_vips ? "" : " []");
	for (size_t i = 0; i < cfg->nr_vips; i++) {
		const struct lb_vip *v = &cfg->vips[i];
		const struct lb_health *h = &v->health;

		fprintf(f, "  - name: %s\n    address: %s\n", v->name,
			lb_addr_str(&v->addr, a, sizeof(a)));
		fprintf(f, "    port: %u\n    protocol: %s\n    mode: %s\n",
			v->port, lb_proto_name(v->proto), lb_mode_name(v->mode));
		if (!h->enabled) {
			fprintf(f, "    health: none\n");
		} else {
			fprintf(f, "    health: { interval: %ums, timeout: %ums, "
				"rise: %u, fall: %u", h->interval_ms,
				h->timeout_ms, h->rise, h->fall);
			if (h->port)
				fprintf(f, ", port: %u", h->port);
			if (h->http_path[0])
				fprintf(f, ", http_path: \"%s\"", h->http_path);
			fprintf(f, " }\n");
		}
		fprintf(f, "    backends:%s\n", v->nr_backends ? "" : " []");
		for (size_t j = 0; j < v->nr_backends; j++) {
			const struct lb_backend *b = &v->backends[j];

			fprintf(f, "      - { address: %s, weight: %u, "
				"state: %s",
				lb_addr_str(&b->addr, a, sizeof(a)), b->weight,
				lb_state_name(b->state));
			if (b->port)
				fprintf(f, ", port: %u", b->port);
			fprintf(f, " }\n");
		}
	}
}

static int lb_export(const struct global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct lb_config cfg;
	struct session s;
	int c, rc;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c != 'h')
			return command_bad_option("lb export", c, argv);
		fputs("Usage: xdp-router lb export\n\n"
		      "Prints the running configuration as a YAML file that "
		      "'lb apply' takes.\n", stdout);
		return 0;
	}
	rc = no_more_args("export", argc, argv);
	if (rc)
		return rc;
	if (g->json) {
		log_error("lb export: the output is YAML; use 'lb show "
			  "--json' for JSON");
		return -EINVAL;
	}
	rc = session_open(g, &s);
	if (rc)
		return rc;
	rc = lb_state_read(&s.maps, &cfg);
	session_close(&s);
	if (rc) {
		log_error("cannot read the load balancer maps: %s",
			  log_strerror(rc));
		return rc;
	}
	export_yaml(stdout, &cfg);
	fflush(stdout);
	lb_config_free(&cfg);
	return 0;
}

/* ---- one-off commands ---- */

struct vip_args {
	const char *name;
	struct lb_addr addr;
	__u16 port;
	__u8 proto, mode;
	char **list;		/* del-vip */
	int nr;
};

static int edit_add_vip(struct lb_config *cfg, void *ctx)
{
	struct vip_args *a = ctx;
	struct lb_vip *v = lb_config_add_vip(cfg);

	if (!v) {
		log_error("out of memory");
		return -ENOMEM;
	}
	snprintf(v->name, sizeof(v->name), "%s", a->name);
	v->addr = a->addr;
	v->port = a->port;
	v->proto = a->proto;
	v->mode = a->mode;
	/* As in a file without 'health:': TCP VIPs on one port only. */
	v->health.enabled = a->port != 0 && a->proto == IPPROTO_TCP;
	return 0;
}

static int lb_add_vip(const struct global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "proto", required_argument, NULL, 'P' },
		{ "mode", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct vip_args a = { .proto = IPPROTO_TCP, .mode = XR_LB_DSR };
	bool has_port;
	int c;

	while ((c = getopt_long(argc, argv, ":P:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'P':
			if (lb_proto_parse(optarg, &a.proto)) {
				log_error("lb add-vip: invalid --proto '%s' "
					  "(tcp, udp)", optarg);
				return -EINVAL;
			}
			break;
		case 'm':
			if (lb_mode_parse(optarg, &a.mode)) {
				log_error("lb add-vip: invalid --mode '%s' "
					  "(dsr, nat)", optarg);
				return -EINVAL;
			}
			break;
		case 'h':
			fputs("Usage: xdp-router lb add-vip NAME ADDR[:PORT] "
			      "[--proto tcp|udp] [--mode dsr|nat]\n\n"
			      "Adds a VIP without backends (its traffic is "
			      "dropped until 'lb add-backend').\n"
			      "No PORT (or 0): every port of the protocol. "
			      "Defaults: tcp, dsr.\n", stdout);
			return 0;
		default:
			return command_bad_option("lb add-vip", c, argv);
		}
	}
	if (argc - optind != 2) {
		log_error("lb add-vip: expected NAME ADDR[:PORT]");
		return -EINVAL;
	}
	a.name = argv[optind];
	if (!lb_name_valid(a.name)) {
		log_error("lb add-vip: invalid VIP name '%s': 1 to %d "
			  "characters of A-Z a-z 0-9 _ . -", a.name,
			  XR_LB_NAME_MAX - 1);
		return -EINVAL;
	}
	if (lb_endpoint_parse(argv[optind + 1], &a.addr, &a.port,
			      &has_port)) {
		log_error("lb add-vip: '%s' is not ADDR[:PORT]",
			  argv[optind + 1]);
		return -EINVAL;
	}
	return one_off(g, "add-vip", edit_add_vip, &a);
}

static int edit_del_vip(struct lb_config *cfg, void *ctx)
{
	struct vip_args *a = ctx;

	for (int i = 0; i < a->nr; i++) {
		size_t k;
		int rc = find_vip("del-vip", cfg, a->list[i], &k);

		if (rc)
			return rc;
		lb_config_del_vip(cfg, k);
	}
	return 0;
}

static int simple_opts(const char *cmd, const char *help, int argc,
		       char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c != 'h')
			return command_bad_option(cmd, c, argv);
		fputs(help, stdout);
		return 1;
	}
	return 0;
}

static int lb_del_vip(const struct global *g, int argc, char **argv)
{
	struct vip_args a = {};
	int rc = simple_opts("lb del-vip",
			     "Usage: xdp-router lb del-vip NAME|ADDR[:PORT]..."
			     "\n\nRemoves VIPs: their entries first, then "
			     "their rings and backends.\n", argc, argv);

	if (rc)
		return rc > 0 ? 0 : rc;
	if (optind >= argc) {
		log_error("lb del-vip: expected a VIP");
		return -EINVAL;
	}
	a.list = argv + optind;
	a.nr = argc - optind;
	return one_off(g, "del-vip", edit_del_vip, &a);
}

struct be_args {
	const char *vip;
	char **list;
	int nr;
	struct lb_addr addr;
	__u16 port;
	__u32 weight;
	__u8 state;
	bool set_weight, set_state;
};

static int edit_add_backend(struct lb_config *cfg, void *ctx)
{
	struct be_args *a = ctx;
	struct lb_backend *b;
	char s[INET6_ADDRSTRLEN];
	struct lb_vip *v;
	size_t k;
	int rc = find_vip("add-backend", cfg, a->vip, &k);

	if (rc)
		return rc;
	v = &cfg->vips[k];
	if (lb_vip_find_backend(v, &a->addr, a->port)) {
		log_error("lb add-backend: %s is already a backend of VIP "
			  "'%s' (lb set-backend changes it)",
			  lb_addr_str(&a->addr, s, sizeof(s)), v->name);
		return -EEXIST;
	}
	b = lb_vip_add_backend(v);
	if (!b) {
		log_error("out of memory");
		return -ENOMEM;
	}
	b->addr = a->addr;
	b->port = a->port;
	b->weight = a->set_weight ? a->weight : 1;
	b->state = a->set_state ? a->state : XR_BE_ACTIVE;
	return 0;
}

static int edit_set_backend(struct lb_config *cfg, void *ctx)
{
	struct be_args *a = ctx;
	struct lb_backend *b;
	size_t k, j;
	int rc = find_vip("set-backend", cfg, a->vip, &k);

	if (!rc)
		rc = find_backend("set-backend", &cfg->vips[k], a->list[0],
				  &j);
	if (rc)
		return rc;
	b = &cfg->vips[k].backends[j];
	if (a->set_weight)
		b->weight = a->weight;
	if (a->set_state) {
		b->state = a->state;
		/* An operator's "active" overrides the checker's verdict
		 * until its next one. */
		if (a->state == XR_BE_ACTIVE)
			b->health_down = false;
	}
	return 0;
}

static int edit_del_backend(struct lb_config *cfg, void *ctx)
{
	struct be_args *a = ctx;
	size_t k, j;
	int rc = find_vip("del-backend", cfg, a->vip, &k);

	for (int i = 0; !rc && i < a->nr; i++) {
		rc = find_backend("del-backend", &cfg->vips[k], a->list[i], &j);
		if (!rc)
			lb_vip_del_backend(&cfg->vips[k], j);
	}
	return rc;
}

static int backend_cmd(const struct global *g, int argc, char **argv,
		       const char *cmd)
{
	static const struct option opts[] = {
		{ "weight", required_argument, NULL, 'w' },
		{ "port", required_argument, NULL, 'P' },
		{ "state", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	bool add = !strcmp(cmd, "add-backend"), set = !strcmp(cmd,
							       "set-backend");
	struct be_args a = {};
	char full[32];
	bool has_port;
	int c, rc;

	snprintf(full, sizeof(full), "lb %s", cmd);
	while ((c = getopt_long(argc, argv, ":w:P:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			if (!add && !set)
				return command_bad_option(full, '?', argv);
			rc = parse_weight(cmd, optarg, &a.weight);
			if (rc)
				return rc;
			a.set_weight = true;
			break;
		case 'P':
			if (!add)
				return command_bad_option(full, '?', argv);
			rc = parse_port(cmd, optarg, &a.port);
			if (rc)
				return rc;
			break;
		case 's':
			if (!add && !set)
				return command_bad_option(full, '?', argv);
			if (lb_state_parse(optarg, &a.state)) {
				log_error("lb %s: invalid --state '%s' (active, "
					  "drain, down)", cmd, optarg);
				return -EINVAL;
			}
			a.set_state = true;
			break;
		case 'h':
			if (add)
				fputs("Usage: xdp-router lb add-backend VIP ADDR "
				      "[--weight N] [--port P] [--state S]\n\n"
				      "Adds a backend (weight 1..1000, default "
				      "1; --port: nat mode only; state\n"
				      "active, drain or down). Its MAC comes "
				      "from the neighbour table.\n", stdout);
			else if (set)
				fputs("Usage: xdp-router lb set-backend VIP "
				      "ADDR[:PORT] [--weight N] [--state "
				      "active|drain|down]\n\n"
				      "drain: no new flows, established ones "
				      "stay; down: out of the ring, its\n"
				      "flows re-balanced. --state active also "
				      "clears a health checker's mark.\n",
				      stdout);
			else
				fputs("Usage: xdp-router lb del-backend VIP "
				      "ADDR[:PORT]...\n\nRemoves backends: "
				      "their flows move to the others.\n",
				      stdout);
			return 0;
		default:
			return command_bad_option(full, c, argv);
		}
	}
	if (argc - optind < 2 || ((add || set) && argc - optind != 2)) {
		log_error("lb %s: expected VIP ADDR%s", cmd,
			  add ? "" : set ? "[:PORT]" : "[:PORT]...");
		return -EINVAL;
	}
	a.vip = argv[optind];
	a.list = argv + optind + 1;
	a.nr = argc - optind - 1;
	if (set && !a.set_weight && !a.set_state) {
		log_error("lb set-backend: nothing to change (--weight, "
			  "--state)");
		return -EINVAL;
	}
	if (add) {
		__u16 p;

		if (lb_endpoint_parse(a.list[0], &a.addr, &p, &has_port) ||
		    has_port) {
			log_error("lb add-backend: '%s' is not an address "
				  "(the port goes in --port)", a.list[0]);
			return -EINVAL;
		}
		return one_off(g, cmd, edit_add_backend, &a);
	}
	return one_off(g, cmd, set ? edit_set_backend : edit_del_backend, &a);
}

static int lb_add_backend(const struct global *g, int argc, char **argv)
{
	return backend_cmd(g, argc, argv, "add-backend");
}

static int lb_set_backend(const struct global *g, int argc, char **argv)
{
	return backend_cmd(g, argc, argv, "set-backend");
}

static int lb_del_backend(const struct global *g, int argc, char **argv)
{
	return backend_cmd(g, argc, argv, "del-backend");
}

/* ---- health ---- */

static volatile sig_atomic_t stop_flag;
static volatile int stop_probe;

static void on_signal(int sig)
{
	stop_flag = 1;
	stop_probe = 1;
}

/* Probes of every checked backend of @cfg (@all: unchecked VIPs too). */
static size_t build_probes(const struct lb_config *cfg, bool all,
			   const bool *only, struct lb_probe *p,
			   const struct lb_vip **pv,
			   struct lb_backend **pb)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->nr_vips; i++) {
		const struct lb_vip *v = &cfg->vips[i];

		if ((only && !only[i]) || (!all && !v->health.enabled))
			continue;
		for (size_t j = 0; j < v->nr_backends; j++) {
			struct lb_backend *b = &v->backends[j];

			memset(&p[n], 0, sizeof(p[n]));
			p[n].addr = b->addr;
			p[n].port = lb_probe_port(v, b);
			p[n].http_path = v->health.http_path;
			p[n].timeout_ms = v->health.enabled ?
						  v->health.timeout_ms
						: LB_HC_TIMEOUT_MS;
			pv[n] = v;
			pb[n++] = b;
		}
	}
	return n;
}

static size_t count_backends(const struct lb_config *cfg)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->nr_vips; i++)
		n += cfg->vips[i].nr_backends;
	return n;
}

static int lb_health_cmd(const struct global *g, int argc, char **argv)
{
	struct lb_config cfg;
	struct session s;
	struct lb_probe *p = NULL;
	const struct lb_vip **pv = NULL;
	struct lb_backend **pb = NULL;
	bool *only = NULL;
	char a[INET6_ADDRSTRLEN];
	size_t n, total;
	int rc = simple_opts("lb health",
			     "Usage: xdp-router lb health [VIP...]\n\n"
			     "Probes every backend once, as the health checks "
			     "of 'lb watch' do (VIPs\n"
			     "without health checks: a TCP connect to the "
			     "backend's port), and reports;\n"
			     "changes nothing.\n", argc, argv);

	if (rc)
		return rc > 0 ? 0 : rc;
	rc = session_open(g, &s);
	if (rc)
		return rc;
	rc = lb_state_read(&s.maps, &cfg);
	session_close(&s);
	if (rc) {
		log_error("cannot read the load balancer maps: %s",
			  log_strerror(rc));
		return rc;
	}
	total = count_backends(&cfg);
	p = calloc(total + 1, sizeof(*p));
	pv = calloc(total + 1, sizeof(*pv));
	pb = calloc(total + 1, sizeof(*pb));
	only = calloc(cfg.nr_vips + 1, sizeof(*only));
	if (!p || !pv || !pb || !only) {
		log_error("out of memory");
		rc = -ENOMEM;
		goto out;
	}
	for (int i = optind; i < argc; i++) {
		size_t k;

		rc = find_vip("health", &cfg, argv[i], &k);
		if (rc)
			goto out;
		only[k] = true;
	}
	n = build_probes(&cfg, true, optind < argc ? only : NULL, p, pv, pb);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rc = lb_probe_run(p, n, &stop_probe);
	if (rc) {
		log_error("health probes interrupted");
		goto out;
	}
	out_text("%-16s %-39s %-5s %-5s %-8s %-5s %s\n", "VIP", "Backend",
		 "Port", "Up", "Time", "Mark", "Why");
	out_open_array(NULL);
	for (size_t i = 0; i < n; i++) {
		out_open_object(NULL);
		out_string(PRINT_ANY, "vip", "%-16s", pv[i]->name);
		out_string(PRINT_ANY, "backend", " %-39s",
			   lb_addr_str(&p[i].addr, a, sizeof(a)));
		out_uint(PRINT_ANY, "port", " %-5llu", p[i].port);
		out_bool(PRINT_ANY, "up", " %-5s", p[i].ok);
		out_uint(PRINT_ANY, "time_ms", " %6llums", p[i].elapsed_ms);
		out_bool(PRINT_JSON, "checked", NULL, pv[i]->health.enabled);
		out_string(PRINT_ANY, "mark", " %-5s",
			   pb[i]->health_down ? "down" : "up");
		out_string(PRINT_ANY, "error", " %s\n", p[i].msg);
		out_close_object();
	}
	out_close_array();
	out_flush();
out:
	free(p);
	free(pv);
	free(pb);
	free(only);
	lb_config_free(&cfg);
	return rc;
}

/* ---- watch ---- */

struct watched {
	struct lb_health_track track;
	long long next_ms;
};

struct watch {
	const struct global *g;
	const char *path;
	struct lb_config cfg;		/* the file's, with health marks */
	struct watched *w;		/* per backend, in cfg's order */
	size_t nr;
	struct timespec mtime;
	off_t size;
	ino_t ino;
};

static long long mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

static void event(const char *kind, const struct lb_vip *v,
		  const struct lb_backend *b, const char *why)
{
	char a[INET6_ADDRSTRLEN], ts[32];
	time_t now = time(NULL);
	struct tm tm;

	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", localtime_r(&now, &tm));
	out_open_object(NULL);
	out_string(PRINT_ANY, "time", "%s ", ts);
	out_string(PRINT_ANY, "event", "%s", kind);
	if (v)
		out_string(PRINT_ANY, "vip", " vip %s", v->name);
	if (b)
		out_string(PRINT_ANY, "backend", " backend %s",
			   lb_addr_str(&b->addr, a, sizeof(a)));
	if (why && why[0])
		out_string(PRINT_ANY, "reason", ": %s", why);
	out_text("\n");
	out_close_object();
	out_flush();
}

/*
 * Applies the watched file (@file), or only the checker's health marks on
 * top of what runs (so that one-off commands given meanwhile stay until the
 * file changes). Errors are logged, not fatal.
 */
static int watch_apply(struct watch *wt, bool file, const char *why)
{
	struct lb_apply_result res;
	struct session s;
	char err[LB_ERR_MAX] = "";
	struct lb_config copy;
	int rc;

	rc = session_open(wt->g, &s);
	if (rc)
		return rc;
	if (file) {
		rc = lb_config_copy(&copy, &wt->cfg);
	} else {
		rc = lb_state_read(&s.maps, &copy);
		if (!rc)
			lb_config_inherit_health(&copy, &wt->cfg);
	}
	if (!rc) {
		struct lb_apply_opts o = {
			.resolve_timeout_ms = LB_RESOLVE_MS };

		rc = lb_state_apply(&s.maps, &copy, &o, &res, err,
				    sizeof(err));
		lb_config_free(&copy);
	}
	session_close(&s);
	if (rc) {
		event("apply-failed", NULL, NULL, err[0] ? err
							 : log_strerror(rc));
		return rc;
	}
	if (res.vips_added || res.vips_removed || res.vips_changed ||
	    res.backends_added || res.backends_removed ||
	    res.backends_changed) {
		char msg[200];

		snprintf(msg, sizeof(msg), "%s: VIPs +%u -%u ~%u, backends "
			 "+%u -%u ~%u, %u ring slots", why, res.vips_added,
			 res.vips_removed, res.vips_changed,
			 res.backends_added, res.backends_removed,
			 res.backends_changed, res.slots_written);
		event("applied", NULL, NULL, msg);
	}
	return 0;
}

static bool file_changed(struct watch *wt)
{
	struct stat st;

	if (stat(wt->path, &st))
		return false;	/* being replaced: wait for the new one */
	if (st.st_mtim.tv_sec == wt->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == wt->mtime.tv_nsec &&
	    st.st_size == wt->size && st.st_ino == wt->ino)
		return false;
	wt->mtime = st.st_mtim;
	wt->size = st.st_size;
	wt->ino = st.st_ino;
	return true;
}

/* Takes @cfg as the new configuration, keeping health of same backends. */
static int watch_take(struct watch *wt, struct lb_config *cfg,
		      const struct lb_config *marks)
{
	size_t n = count_backends(cfg), k = 0;
	struct watched *w = calloc(n + 1, sizeof(*w));
	long long now = mono_ms();

	if (!w)
		return -ENOMEM;
	lb_config_inherit_health(cfg, marks);
	for (size_t i = 0; i < cfg->nr_vips; i++) {
		struct lb_vip *v = &cfg->vips[i];
		const struct lb_vip *ov = lb_config_find_vip(&wt->cfg, v);

		for (size_t j = 0; j < v->nr_backends; j++, k++) {
			struct lb_backend *b = &v->backends[j];

			if (!v->health.enabled)
				b->health_down = false;
			/* Keep the run of results of a backend we know. */
			if (ov) {
				size_t base = 0;

				for (size_t x = 0; x < wt->cfg.nr_vips; x++) {
					const struct lb_vip *o =
						&wt->cfg.vips[x];

					if (o == ov) {
						for (size_t y = 0;
						     y < o->nr_backends; y++)
							if (!lb_addr_cmp(
								&o->backends[y].addr,
								&b->addr) &&
							    o->backends[y].port ==
								    b->port)
								w[k] = wt->w[base + y];
						break;
					}
					base += o->nr_backends;
				}
			}
			if (!w[k].next_ms)
				w[k].next_ms = now;
		}
	}
	lb_config_free(&wt->cfg);
	free(wt->w);
	wt->cfg = *cfg;
	wt->w = w;
	wt->nr = n;
	return 0;
}

static int watch_reload(struct watch *wt, bool first)
{
	struct lb_config cfg, marks = {};
	char err[LB_ERR_MAX];
	int rc;

	rc = lb_config_load(wt->path, &cfg, err, sizeof(err));
	if (rc) {
		if (first) {
			log_error("%s", err);
			return rc;
		}
		event("config-invalid", NULL, NULL, err);
		return 0;	/* keep running the previous one */
	}
	if (first) {
		/* Marks left by a previous checker are kept until probed. */
		struct session s;

		rc = session_open(wt->g, &s);
		if (rc) {
			lb_config_free(&cfg);
			return rc;
		}
		rc = lb_state_read(&s.maps, &marks);
		session_close(&s);
		if (rc) {
			log_error("cannot read the load balancer maps: %s",
				  log_strerror(rc));
			lb_config_free(&cfg);
			return rc;
		}
		rc = watch_take(wt, &cfg, &marks);
		lb_config_free(&marks);
	} else {
		struct lb_config old;

		rc = lb_config_copy(&old, &wt->cfg);
		if (!rc) {
			rc = watch_take(wt, &cfg, &old);
			lb_config_free(&old);
		}
	}
	if (rc) {
		lb_config_free(&cfg);
		log_error("out of memory");
		return rc;
	}
	if (first)
		event("started", NULL, NULL, wt->path);
	rc = watch_apply(wt, true, first ? "started" : "file changed");
	if (rc && first) {
		if (!log_error_printed())
			log_error("cannot apply %s", wt->path);
		return rc;
	}
	return 0;
}

static int watch_probe_due(struct watch *wt)
{
	struct lb_probe *p = calloc(wt->nr + 1, sizeof(*p));
	size_t *which = calloc(wt->nr + 1, sizeof(*which));
	long long now = mono_ms();
	bool changed = false;
	size_t n = 0, k = 0;
	int rc = 0;

	if (!p || !which) {
		free(p);
		free(which);
		return -ENOMEM;
	}
	for (size_t i = 0; i < wt->cfg.nr_vips; i++) {
		struct lb_vip *v = &wt->cfg.vips[i];

		for (size_t j = 0; j < v->nr_backends; j++, k++) {
			if (!v->health.enabled || wt->w[k].next_ms > now)
				continue;
			p[n].addr = v->backends[j].addr;
			p[n].port = lb_probe_port(v, &v->backends[j]);
			p[n].http_path = v->health.http_path;
			p[n].timeout_ms = v->health.timeout_ms;
			which[n++] = k;
			wt->w[k].next_ms = now + v->health.interval_ms;
		}
	}
	if (n)
		rc = lb_probe_run(p, n, &stop_probe);
	for (size_t x = 0; !rc && x < n; x++) {
		size_t at = which[x], base = 0;

		for (size_t i = 0; i < wt->cfg.nr_vips; i++) {
			struct lb_vip *v = &wt->cfg.vips[i];

			if (at >= base + v->nr_backends) {
				base += v->nr_backends;
				continue;
			}
			struct lb_backend *b = &v->backends[at - base];

			if (lb_health_update(&wt->w[at].track, &v->health,
					     p[x].ok, &b->health_down)) {
				event(b->health_down ? "backend-down"
						     : "backend-up",
				      v, b, p[x].msg);
				changed = true;
			}
			break;
		}
	}
	free(p);
	free(which);
	if (rc == -EINTR)
		return 0;
	if (!rc && changed)
		watch_apply(wt, false, "health");
	return rc;
}

static long long next_due(const struct watch *wt)
{
	long long due = -1;
	size_t k = 0;

	for (size_t i = 0; i < wt->cfg.nr_vips; i++) {
		const struct lb_vip *v = &wt->cfg.vips[i];

		for (size_t j = 0; j < v->nr_backends; j++, k++)
			if (v->health.enabled &&
			    (due < 0 || wt->w[k].next_ms < due))
				due = wt->w[k].next_ms;
	}
	return due;
}

static int lb_watch(const struct global *g, int argc, char **argv)
{
	struct watch wt = { .g = g };
	char dir[PATH_MAX], *slash;
	struct sigaction sa = { .sa_handler = on_signal };
	int rc, ino_fd;

	rc = simple_opts("lb watch",
			 "Usage: xdp-router lb watch FILE\n\n"
			 "Applies FILE, then stays in the foreground: applies "
			 "it again whenever it\n"
			 "changes (an invalid version is reported and "
			 "ignored), probes the backends\n"
			 "of VIPs with health checks (health: in FILE), takes "
			 "a backend out of its\n"
			 "ring after 'fall' failed probes and back after "
			 "'rise' good ones, and logs\n"
			 "every transition. SIGINT/SIGTERM end it (exit "
			 "0); the maps stay as they are.\n", argc, argv);
	if (rc)
		return rc > 0 ? 0 : rc;
	if (argc - optind != 1) {
		log_error("lb watch: expected FILE");
		return -EINVAL;
	}
	wt.path = argv[optind];
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	file_changed(&wt);
	rc = watch_reload(&wt, true);
	if (rc)
		goto out;

	/* The directory: editors and config tools replace files. */
	snprintf(dir, sizeof(dir), "%s", wt.path);
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ino_fd >= 0 &&
	    inotify_add_watch(ino_fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO |
						   IN_CREATE | IN_MODIFY) < 0) {
		close(ino_fd);
		ino_fd = -1;
	}
	while (!stop_flag) {
		long long due = next_due(&wt), now = mono_ms();
		/* mtime is checked every second too (no inotify, NFS). */
		int timeout = 1000;
		struct pollfd pfd = { .fd = ino_fd, .events = POLLIN };

		if (due >= 0 && due - now < timeout)
			timeout = due > now ? (int)(due - now) : 0;
		if (poll(&pfd, ino_fd >= 0 ? 1 : 0, timeout) > 0) {
			char buf[4096];

			while (read(ino_fd, buf, sizeof(buf)) > 0)
				;
			/* Let a writer finish before reading. */
			poll(NULL, 0, 50);
		}
		if (stop_flag)
			break;
		if (file_changed(&wt)) {
			rc = watch_reload(&wt, false);
			if (rc)
				break;
		}
		rc = watch_probe_due(&wt);
		if (rc)
			break;
	}
	if (ino_fd >= 0)
		close(ino_fd);
	if (!rc)
		event("stopped", NULL, NULL, NULL);
out:
	lb_config_free(&wt.cfg);
	free(wt.w);
	if (rc && !log_error_printed())
		log_error("lb watch: %s", log_strerror(rc));
	return rc;
}

/* ---- dispatch ---- */

static int lb_help(const struct global *g, int argc, char **argv)
{
	fputs(usage, stdout);
	return 0;
}

static const struct command lb_commands[] = {
	{ "apply", lb_apply, "apply a configuration file" },
	{ "show", lb_show, "show VIPs, backends and counters" },
	{ "export", lb_export, "print the running configuration as YAML" },
	{ "add-vip", lb_add_vip, "add a VIP" },
	{ "del-vip", lb_del_vip, "remove VIPs" },
	{ "add-backend", lb_add_backend, "add a backend to a VIP" },
	{ "set-backend", lb_set_backend, "change a backend's weight/state" },
	{ "del-backend", lb_del_backend, "remove backends from a VIP" },
	{ "health", lb_health_cmd, "probe the backends once" },
	{ "watch", lb_watch, "apply a file and keep backends checked" },
	{ "help", lb_help, "show this help" },
};

int cmd_lb(const struct global *g, int argc, char **argv)
{
	const struct command *cmd;
	char candidates[128];
	int err;

	if (argc < 2) {
		log_error("lb: no command given (see 'xdp-router lb help')");
		return -EINVAL;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return lb_help(g, argc, argv);
	err = command_find(lb_commands,
			   sizeof(lb_commands) / sizeof(lb_commands[0]),
			   argv[1], &cmd, candidates, sizeof(candidates));
	if (err == -EAGAIN) {
		log_error("lb: ambiguous command '%s': %s", argv[1],
			  candidates);
		return err;
	}
	if (err) {
		log_error("lb: unknown command '%s' (see 'xdp-router lb help')",
			  argv[1]);
		return err;
	}
	optind = 0;
	return cmd->run(g, argc - 1, argv + 1);
}
