// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * attach [--mode MODE] [--force] [--lookup fib|table]
 *        [--max-routes-v4 N] [--max-routes-v6 N]
 *        [--lb-max-vips N] [--lb-max-conns N]
 *        [--cpus LIST [--cpu-qsize N]] [--multiprog] IFACE...
 *
 * All or nothing: every interface is checked before anything changes, and
 * a failure on any of them undoes what this command did on the others.
 * The load-time settings (--lookup, --max-routes-*, --lb-max-*, --cpus,
 * --cpu-qsize) take effect
 * when this command loads the router; a running router keeps its own.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "attach_target.h"
#include "bpf_info.h"
#include "caps.h"
#include "command.h"
#include "iface.h"
#include "ifmap.h"
#include "log.h"
#include "mode.h"
#include "multiprog.h"
#include "output.h"
#include "params.h"
#include "pin.h"
#include "route_watch.h"
#include "router.h"

static const char usage[] =
	"Usage: xdp-router attach [--mode auto|native|generic|offload] "
	"[--force]\n"
	"                         [--lookup fib|table] [--max-routes-v4 N] "
	"[--max-routes-v6 N]\n"
	"                         [--lb-max-vips N] [--lb-max-conns N]\n"
	"                         [--cpus LIST [--cpu-qsize N]] "
	"[--route-cache N]\n"
	"                         [--multiprog] IFACE...\n"
	"\n"
	"Loads the router (once) and attaches it to every IFACE.\n"
	"  -m, --mode MODE       auto (native, else generic; the default), "
	"native,\n"
	"                        generic or offload; an explicit mode never "
	"falls back\n"
	"  -f, --force           replace an XDP program already on an "
	"interface\n"
	"  -l, --lookup MODE     how packets find their next hop: fib (the "
	"default)\n"
	"                        asks the kernel's FIB for each packet; table "
	"looks it\n"
	"                        up in maps that 'xdp-router populate' fills "
	"from the\n"
	"                        kernel's routes and neighbours\n"
	"      --max-routes-v4 N size of the IPv4 route table (default %u)\n"
	"      --max-routes-v6 N size of the IPv6 route table (default %u)\n"
	"      --lb-max-vips N   load balancer VIPs (default %u, at most %u; "
	"each\n"
	"                        takes %u KiB of Maglev table)\n"
	"      --lb-max-conns N  load balancer connection table entries "
	"(default %u)\n"
	"      --cpus LIST       route on the CPUs of LIST (e.g. 0,1 or 0-3): "
	"the CPU\n"
	"                        that receives a packet hands it, by a hash "
	"of its flow,\n"
	"                        to one of them through a cpumap; a flow "
	"stays on one\n"
	"                        CPU, in order. For interfaces with one "
	"receive queue\n"
	"      --cpu-qsize N     frames queued per CPU of --cpus (default "
	"%u)\n"
	"      --route-cache N   fib lookup: remember up to N answers per "
	"CPU and\n"
	"                        family (a power of two, default %u; 0: off), "
	"each valid\n"
	"                        until the kernel's routes, rules, "
	"neighbours or links\n"
	"                        change\n"
	"      --multiprog       share the interfaces with other XDP programs "
	"through\n"
	"                        libxdp's dispatcher (as xdp-loader does); "
	"needs a kernel\n"
	"                        that allows freplace programs\n"
	"  -h, --help            show this help\n"
	"\n"
	"--lookup, --max-routes-*, --lb-max-*, --cpus, --cpu-qsize and "
	"--route-cache\napply when the router is loaded, by "
	"the first attach; later ones may repeat them but not change them "
	"(detach --all\n"
	"first).\n";

/* What the command line asked for; unset settings follow the router. */
struct attach_opts {
	enum xr_mode mode;
	bool force;
	struct router_settings settings;
	bool lookup_set;
	bool max_v4_set;
	bool max_v6_set;
	bool lb_vips_set;
	bool lb_conns_set;
	bool cpus_set;
	bool qsize_set;
	bool cache_set;
	bool multiprog;
};

/*
 * A running router keeps the settings it was loaded with: asking for others
 * is an error, not something to ignore silently. Its lookup mode goes to
 * @lookup; "unknown" if they cannot be read and none was asked for (a
 * router loaded by another version: adding an interface must still work).
 */
static int check_settings(const struct router *r,
			  const struct attach_opts *o, const char **lookup)
{
	struct router_settings run;
	int err = router_settings_read(r, &run);

	if (err && !o->lookup_set && !o->max_v4_set && !o->max_v6_set &&
	    !o->lb_vips_set && !o->lb_conns_set && !o->cpus_set &&
	    !o->cache_set &&
	    !o->qsize_set) {
		log_verbose("cannot read the settings of the router at %s: %s",
			    r->pin_path, log_strerror(err));
		*lookup = "unknown";
		return 0;
	}
	if (err) {
		log_error("cannot read the settings of the router at %s "
			  "(loaded by another version?): %s", r->pin_path,
			  log_strerror(err));
		return err;
	}
	if (o->lookup_set && o->settings.lookup != run.lookup) {
		log_error("the router at %s runs with --lookup %s; detach --all "
			  "first to change it", r->pin_path,
			  lookup_name(run.lookup));
		return -EBUSY;
	}
	if (o->max_v4_set && o->settings.max_routes_v4 != run.max_routes_v4) {
		log_error("the router at %s runs with --max-routes-v4 %u; "
			  "detach --all first to change it", r->pin_path,
			  run.max_routes_v4);
		return -EBUSY;
	}
	if (o->max_v6_set && o->settings.max_routes_v6 != run.max_routes_v6) {
		log_error("the router at %s runs with --max-routes-v6 %u; "
			  "detach --all first to change it", r->pin_path,
			  run.max_routes_v6);
		return -EBUSY;
	}
	if (o->lb_vips_set && o->settings.lb_max_vips != run.lb_max_vips) {
		log_error("the router at %s runs with --lb-max-vips %u; "
			  "detach --all first to change it", r->pin_path,
			  run.lb_max_vips);
		return -EBUSY;
	}
	if (o->lb_conns_set && o->settings.lb_max_conns != run.lb_max_conns) {
		log_error("the router at %s runs with --lb-max-conns %u; "
			  "detach --all first to change it", r->pin_path,
			  run.lb_max_conns);
		return -EBUSY;
	}
	if (o->cpus_set &&
	    (o->settings.steer_ncpus != run.steer_ncpus ||
	     memcmp(o->settings.steer_cpus, run.steer_cpus,
		    run.steer_ncpus * sizeof(*run.steer_cpus)))) {
		char list[XR_STEER_MAX_CPUS * 4];

		router_cpus_format(&run, list, sizeof(list));
		log_error("the router at %s runs with %s%s; detach --all first "
			  "to change it", r->pin_path,
			  run.steer_ncpus ? "--cpus " : "no --cpus", list);
		return -EBUSY;
	}
	if (o->cache_set && o->settings.route_cache != run.route_cache) {
		log_error("the router at %s runs with --route-cache %u; detach "
			  "--all first to change it", r->pin_path,
			  run.route_cache);
		return -EBUSY;
	}
	if (o->qsize_set && run.steer_ncpus &&
	    o->settings.steer_qsize != run.steer_qsize) {
		log_error("the router at %s runs with --cpu-qsize %u; detach "
			  "--all first to change it", r->pin_path,
			  run.steer_qsize);
		return -EBUSY;
	}
	*lookup = lookup_name(run.lookup);
	return 0;
}

static void print_targets(const struct router *r, const char *lookup,
			  const struct target *t, int n)
{
	out_open_array(NULL);
	for (int i = 0; i < n; i++) {
		out_open_object(NULL);
		out_string(PRINT_ANY, "ifname", "%s: ", t[i].ifc.name);
		out_uint(PRINT_JSON, "ifindex", NULL, t[i].ifc.ifindex);
		out_text("%s", t[i].already ? "already attached" : "attached");
		out_bool(PRINT_JSON, "already_attached", NULL, t[i].already);
		out_string(PRINT_ANY, "mode", " in %s mode", mode_name(t[i].mode));
		out_string(PRINT_ANY, "lookup", ", %s lookup", lookup);
		out_uint(PRINT_ANY, "prog_id", " (prog id %llu)", r->prog_id);
		if (t[i].old_fd >= 0 && t[i].old_id != r->prog_id)
			out_uint(PRINT_ANY, "replaced_prog_id",
				 ", replaced prog id %llu", t[i].old_id);
		if (t[i].multiprog) {
			out_bool(PRINT_JSON, "dispatcher", NULL,
				 t[i].dispatched);
			out_text(t[i].dispatched ? ", in libxdp's dispatcher" :
				 ", alone (no dispatcher)");
		}
		out_text("\n");
		out_close_object();
	}
	out_close_array();
	out_flush();
}

static int attach_all(const char *pin_path, struct target *t, int n,
		      const struct attach_opts *o)
{
	const char *lookup = lookup_name(o->settings.lookup);
	enum xr_mode mode = o->mode;
	struct router r;
	int err, done = 0, lock_fd;
	bool running;

	err = pin_ensure_bpffs(pin_path);
	if (err)
		return err;
	lock_fd = pin_lock(pin_path);
	if (lock_fd < 0)
		return lock_fd;

	/* Checked under the lock: nothing may change between check and act. */
	err = router_open(&r, pin_path);
	if (err && err != -ENOENT)
		goto unlock;
	running = !err;
	if (running) {
		err = check_settings(&r, o, &lookup);
		if (err)
			goto close;
	}
	for (int i = 0; i < n; i++) {
		err = o->multiprog ?
			check_target_multiprog(running ? &r : NULL, &t[i]) :
			check_target(running ? &r : NULL, &t[i], mode, o->force);
		if (err)
			goto close;
	}
	if (!running) {
		err = router_load(&r, pin_path, &o->settings);
		if (err)
			goto unlock;
	}
	/* Every interface checked before any changes (needs the program). */
	for (int i = 0; o->multiprog && !err && i < n; i++)
		if (!t[i].already)
			err = multiprog_check(&r, t[i].ifc.ifindex,
					      t[i].ifc.name);
	if (err) {
		router_unpin(&r, true);
		goto close;
	}

	for (; done < n; done++) {
		err = apply_target(&r, &t[done], mode);
		if (err)
			break;
	}
	if (err) {
		for (int i = done; i >= 0; i--)
			rollback_target(&r, &t[i]);
		router_unpin(&r, true);
	} else {
		/* Also restarts watchers lost since the router was loaded. */
		route_watch_ensure(&r);
		print_targets(&r, lookup, t, n);
	}
close:
	router_close(&r);
unlock:
	close(lock_fd);
	return err;
}

int cmd_attach(const struct global *g, int argc, char **argv)
{
	enum { OPT_MAX_V4 = 256, OPT_MAX_V6, OPT_LB_VIPS, OPT_LB_CONNS,
	       OPT_CPUS, OPT_QSIZE, OPT_MULTIPROG, OPT_ROUTE_CACHE };
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "force", no_argument, NULL, 'f' },
		{ "lookup", required_argument, NULL, 'l' },
		{ "max-routes-v4", required_argument, NULL, OPT_MAX_V4 },
		{ "max-routes-v6", required_argument, NULL, OPT_MAX_V6 },
		{ "lb-max-vips", required_argument, NULL, OPT_LB_VIPS },
		{ "lb-max-conns", required_argument, NULL, OPT_LB_CONNS },
		{ "cpus", required_argument, NULL, OPT_CPUS },
		{ "cpu-qsize", required_argument, NULL, OPT_QSIZE },
		{ "multiprog", no_argument, NULL, OPT_MULTIPROG },
		{ "route-cache", required_argument, NULL, OPT_ROUTE_CACHE },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct attach_opts o = {
		.mode = XR_MODE_AUTO,
		.settings = ROUTER_SETTINGS_DEFAULT,
	};
	struct target *t;
	int c, n, err;

	while ((c = getopt_long(argc, argv, ":m:fl:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (mode_parse(optarg, &o.mode)) {
				log_error("invalid --mode '%s': use auto, "
					  "native, generic or offload", optarg);
				return -EINVAL;
			}
			break;
		case 'f':
			o.force = true;
			break;
		case 'l':
			if (lookup_parse(optarg, &o.settings.lookup)) {
				log_error("invalid --lookup '%s': use fib or "
					  "table", optarg);
				return -EINVAL;
			}
			o.lookup_set = true;
			break;
		case OPT_MAX_V4:
			if (param_count(optarg, &o.settings.max_routes_v4)) {
				log_error("invalid --max-routes-v4 '%s': a "
					  "positive count", optarg);
				return -EINVAL;
			}
			o.max_v4_set = true;
			break;
		case OPT_MAX_V6:
			if (param_count(optarg, &o.settings.max_routes_v6)) {
				log_error("invalid --max-routes-v6 '%s': a "
					  "positive count", optarg);
				return -EINVAL;
			}
			o.max_v6_set = true;
			break;
		case OPT_LB_VIPS:
			if (param_count(optarg, &o.settings.lb_max_vips) ||
			    o.settings.lb_max_vips > XR_LB_MAX_VIPS) {
				log_error("invalid --lb-max-vips '%s': a count "
					  "from 1 to %u", optarg,
					  XR_LB_MAX_VIPS);
				return -EINVAL;
			}
			o.lb_vips_set = true;
			break;
		case OPT_LB_CONNS:
			if (param_count(optarg, &o.settings.lb_max_conns)) {
				log_error("invalid --lb-max-conns '%s': a "
					  "positive count", optarg);
				return -EINVAL;
			}
			o.lb_conns_set = true;
			break;
		case OPT_CPUS:
			if (router_cpus_parse(optarg, &o.settings))
				return -EINVAL;
			o.cpus_set = true;
			break;
		case OPT_QSIZE:
			/* The kernel's limit: 16384 frames per CPU. */
			if (param_count(optarg, &o.settings.steer_qsize) ||
			    o.settings.steer_qsize > 16384) {
				log_error("invalid --cpu-qsize '%s': 1 to 16384",
					  optarg);
				return -EINVAL;
			}
			o.qsize_set = true;
			break;
		case OPT_MULTIPROG:
			o.multiprog = true;
			break;
		case OPT_ROUTE_CACHE:
			if (param_uint(optarg, &o.settings.route_cache) ||
			    o.settings.route_cache > XR_ROUTE_CACHE_MAX ||
			    o.settings.route_cache == 1 ||
			    (o.settings.route_cache &
			     (o.settings.route_cache - 1))) {
				log_error("invalid --route-cache '%s': 0 (off) "
					  "or a power of two from 2 to %u",
					  optarg, XR_ROUTE_CACHE_MAX);
				return -EINVAL;
			}
			o.cache_set = true;
			break;
		case 'h':
			printf(usage, XR_DEFAULT_ROUTES_V4,
			       XR_DEFAULT_ROUTES_V6, XR_LB_DEFAULT_MAX_VIPS,
			       XR_LB_MAX_VIPS, XR_LB_RING_SIZE * 4 / 1024,
			       XR_LB_DEFAULT_CONNS, XR_STEER_DEFAULT_QSIZE,
			       XR_ROUTE_CACHE_DEFAULT);
			return 0;
		default:
			return command_bad_option("attach", c, argv);
		}
	}
	if (o.qsize_set && !o.cpus_set) {
		log_error("attach: --cpu-qsize needs --cpus");
		return -EINVAL;
	}
	if (o.multiprog && o.force) {
		log_error("attach: --multiprog shares an interface, --force "
			  "replaces its program: use one of them");
		return -EINVAL;
	}
	n = argc - optind;
	if (n <= 0) {
		log_error("attach: no interface given (see 'xdp-router attach "
			  "--help')");
		return -EINVAL;
	}
	if (n > XR_MAX_IFACES) {
		log_error("attach: at most %d interfaces", XR_MAX_IFACES);
		return -E2BIG;
	}
	err = caps_require();
	if (err)
		return err;

	t = calloc(n, sizeof(*t));
	if (!t) {
		log_error("out of memory");
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		t[i].old_fd = -1;
		t[i].multiprog = o.multiprog;
	}
	err = resolve_targets(argv + optind, n, t);
	if (!err)
		err = attach_all(g->pin_path, t, n, &o);
	for (int i = 0; i < n; i++) {
		if (t[i].old_fd >= 0)
			close(t[i].old_fd);
		ifmap_saved_free(&t[i].saved);
	}
	free(t);
	return err;
}
