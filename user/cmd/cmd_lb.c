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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "caps.h"
#include "cmd_lb.h"
#include "command.h"
#include "lb_config.h"
#include "lb_health.h"
#include "lb_state.h"
#include "log.h"
#include "output.h"
#include "params.h"
#include "pin.h"

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
	"                             SIGINT/SIGTERM; --announce-table N: keep\n"
	"                             routes to the served VIPs for BGP\n"
	"  bgp-config --table N ...   a BIRD 2 configuration announcing them\n"
	"\n"
	"VIP is a VIP's name or ADDR[:PORT]. 'xdp-router lb COMMAND --help'\n"
	"describes a command.\n";

/* ---- session: lock, maps ---- */

int session_open(const struct global *g, struct session *s)
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

void session_close(struct session *s)
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

int session_read(const struct global *g, struct lb_config *cfg)
{
	struct session s;
	int rc = session_open(g, &s);

	if (rc)
		return rc;
	rc = lb_state_read(&s.maps, cfg);
	session_close(&s);
	if (rc)
		log_error("cannot read the load balancer maps: %s",
			  log_strerror(rc));
	return rc;
}

size_t lb_count_backends(const struct lb_config *cfg)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->nr_vips; i++)
		n += cfg->vips[i].nr_backends;
	return n;
}

/* ---- option parsing helpers ---- */

int select_vips(const char *cmd, struct lb_config *cfg, int argc,
		char **argv, bool *sel)
{
	for (int i = optind; i < argc; i++) {
		size_t k;
		int rc = find_vip(cmd, cfg, argv[i], &k);

		if (rc)
			return rc;
		sel[k] = true;
	}
	return 0;
}

int parse_weight(const char *cmd, const char *s, __u32 *w)
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

int parse_port(const char *cmd, const char *s, __u16 *port)
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
int find_vip(const char *cmd, struct lb_config *cfg, const char *arg,
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

int find_backend(const char *cmd, const struct lb_vip *v,
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

int one_off(const struct global *g, const char *cmd, edit_fn edit,
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

int lb_apply(const struct global *g, int argc, char **argv)
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

/* Commands with no option but --help: 1 after printing @help. */
int simple_opts(const char *cmd, const char *help, int argc,
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
	{ "bgp-config", lb_bgp_config, "print a BIRD config announcing VIPs" },
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
