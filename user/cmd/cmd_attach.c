// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * attach [--mode MODE] [--force] [--lookup fib|table]
 *        [--max-routes-v4 N] [--max-routes-v6 N]
 *        [--lb-max-vips N] [--lb-max-conns N]
 *        [--cpus LIST [--cpu-qsize N]] [--route-cache N]
 *        [--firewall auto|conntrack|off] [--multiprog] IFACE...
 *
 * All or nothing: every interface is checked before anything changes, and
 * a failure on any of them undoes what this command did on the others.
 * The load-time settings (the SETTING rows of attach_options[]) take
 * effect when this command loads the router; a running router keeps its
 * own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "attach_target.h"
#include "bpf_info.h"
#include "cmd_attach.h"
#include "dispatch.h"
#include "fw_record.h"
#include "iface.h"
#include "ifmap.h"
#include "log.h"
#include "mode.h"
#include "multiprog.h"
#include "nf_rules.h"
#include "output.h"
#include "params.h"
#include "pin.h"
#include "route_watch.h"
#include "router.h"

/*
 * A load-time setting: an option of attach whose value goes into struct
 * router_settings (the option's offset is the field's there), is compared
 * with a running router's, and is described by the usage text and by
 * status. Each is a row of attach_options[] below, which drives getopt,
 * check_settings(), the usage text and attach_setting_value().
 */
struct setting {
	/* Reads @arg into @to (the field at the option's offset and, for
	 * --cpus, the ones beside it); reports its errors. */
	int (*parse)(const struct cmd_option *o, const char *arg,
		     struct router_settings *to);
	__u32 max;		/* parse_count(): 1..max (0: no limit) */
	const char *expect;	/* what a valid value is (a format given max) */
	/* NULL: the __u32s at the option's offset differ. */
	bool (*differs)(const struct router_settings *want,
			const struct router_settings *run);
	/* The value, as given on the command line. NULL: "%u". */
	void (*value)(const struct router_settings *s, char *buf, size_t len);
	/* NULL: always checked; else only if the running router passes it,
	 * after the others (--cpu-qsize: with --cpus). */
	bool (*applies)(const struct router_settings *run);
	const char *metavar;
	const char *synopsis;	/* NULL: within another's */
	bool new_line;		/* the synopsis starts a line of its own */
	/* A printf() format given the default, max and help_arg; its lines
	 * after the first are indented under the first. */
	const char *help;
	unsigned int help_arg;
};

/* What the command line asked for; unset settings follow the router. */
struct attach_opts {
	enum xr_mode mode;
	bool force;
	bool multiprog;
	struct router_settings settings;
	unsigned int given;	/* bit i: attach_options[i] was given */
};

static __u32 u32_at(const struct router_settings *s, size_t offset)
{
	__u32 v;

	memcpy(&v, (const char *)s + offset, sizeof(v));
	return v;
}

_Static_assert(sizeof(enum xr_lookup_mode) == sizeof(__u32),
	       "--lookup is compared as a __u32");
_Static_assert(sizeof(enum xr_fw_mode) == sizeof(__u32),
	       "--firewall is compared as a __u32");

static int parse_count(const struct cmd_option *o, const char *arg,
		       struct router_settings *to)
{
	const struct setting *s = o->data;
	char expect[64];
	unsigned int v;

	if (param_count(arg, &v) || (s->max && v > s->max)) {
		snprintf(expect, sizeof(expect), s->expect, s->max);
		log_error("invalid --%s '%s': %s", o->name, arg, expect);
		return -EINVAL;
	}
	memcpy((char *)to + o->offset, &v, sizeof(v));
	return 0;
}

static int parse_route_cache(const struct cmd_option *o, const char *arg,
			     struct router_settings *to)
{
	unsigned int v;

	if (param_uint(arg, &v) || v > XR_ROUTE_CACHE_MAX || v == 1 ||
	    (v & (v - 1))) {
		log_error("invalid --route-cache '%s': 0 (off) or a power of "
			  "two from 2 to %u", arg, XR_ROUTE_CACHE_MAX);
		return -EINVAL;
	}
	to->route_cache = v;
	return 0;
}

static int parse_lookup(const struct cmd_option *o, const char *arg,
			struct router_settings *to)
{
	if (!lookup_parse(arg, &to->lookup))
		return 0;
	log_error("invalid --lookup '%s': use fib or table", arg);
	return -EINVAL;
}

static void lookup_value(const struct router_settings *s, char *buf,
			 size_t len)
{
	snprintf(buf, len, "%s", lookup_name(s->lookup));
}

static int parse_firewall(const struct cmd_option *o, const char *arg,
			  struct router_settings *to)
{
	if (!fw_mode_parse(arg, &to->firewall))
		return 0;
	log_error("invalid --firewall '%s': use auto, conntrack or off", arg);
	return -EINVAL;
}

static void firewall_value(const struct router_settings *s, char *buf,
			   size_t len)
{
	snprintf(buf, len, "%s", fw_mode_name(s->firewall));
}

static int parse_cpus(const struct cmd_option *o, const char *arg,
		      struct router_settings *to)
{
	return router_cpus_parse(arg, to);
}

static bool cpus_differ(const struct router_settings *want,
			const struct router_settings *run)
{
	return want->steer_ncpus != run->steer_ncpus ||
	       memcmp(want->steer_cpus, run->steer_cpus,
		      run->steer_ncpus * sizeof(*run->steer_cpus));
}

static bool runs_cpus(const struct router_settings *run)
{
	return run->steer_ncpus;
}

/* A setting's option: --@name (-@key), @member of struct router_settings. */
#define SETTING(_name, _key, _member, ...) \
	{ .name = (_name), .key = (_key), .arg = true, \
	  .offset = offsetof(struct router_settings, _member), \
	  .set = set_setting, .data = &(const struct setting){ __VA_ARGS__ } }

enum { OPT_MAX_V4 = 256, OPT_MAX_V6, OPT_LB_VIPS, OPT_LB_CONNS,
       OPT_CPUS, OPT_QSIZE, OPT_MULTIPROG, OPT_ROUTE_CACHE, OPT_FIREWALL };

static int set_mode(const struct cmd_option *o, void *opts, const char *arg,
		    const char *cmd);
static int set_setting(const struct cmd_option *o, void *opts,
		       const char *arg, const char *cmd);

static const struct cmd_option attach_options[] = {
	CMD_OPTION("mode", 'm', true, struct attach_opts, mode, set_mode),
	CMD_FLAG("force", 'f', struct attach_opts, force),
	SETTING("lookup", 'l', lookup, .parse = parse_lookup,
		.value = lookup_value, .metavar = "MODE",
		.synopsis = "[--lookup fib|table]", .new_line = true,
		.help = "how packets find their next hop: fib (the default)\n"
			"asks the kernel's FIB for each packet; table looks it\n"
			"up in maps that 'xdp-router populate' fills from the\n"
			"kernel's routes and neighbours"),
	SETTING("max-routes-v4", OPT_MAX_V4, max_routes_v4,
		.parse = parse_count, .expect = "a positive count",
		.metavar = "N", .synopsis = "[--max-routes-v4 N]",
		.help = "size of the IPv4 route table (default %u)"),
	SETTING("max-routes-v6", OPT_MAX_V6, max_routes_v6,
		.parse = parse_count, .expect = "a positive count",
		.metavar = "N", .synopsis = "[--max-routes-v6 N]",
		.help = "size of the IPv6 route table (default %u)"),
	SETTING("lb-max-vips", OPT_LB_VIPS, lb_max_vips,
		.parse = parse_count, .max = XR_LB_MAX_VIPS,
		.expect = "a count from 1 to %u", .metavar = "N",
		.synopsis = "[--lb-max-vips N]", .new_line = true,
		.help = "load balancer VIPs (default %u, at most %u; each\n"
			"takes %u KiB of Maglev table)",
		.help_arg = XR_LB_RING_SIZE * 4 / 1024),
	SETTING("lb-max-conns", OPT_LB_CONNS, lb_max_conns,
		.parse = parse_count, .expect = "a positive count",
		.metavar = "N", .synopsis = "[--lb-max-conns N]",
		.help = "load balancer connection table entries (default %u)"),
	SETTING("cpus", OPT_CPUS, steer_ncpus, .parse = parse_cpus,
		.differs = cpus_differ, .value = router_cpus_format,
		.metavar = "LIST", .synopsis = "[--cpus LIST [--cpu-qsize N]]",
		.new_line = true,
		.help = "route on the CPUs of LIST (e.g. 0,1 or 0-3): the CPU\n"
			"that receives a packet hands it, by a hash of its flow,\n"
			"to one of them through a cpumap; a flow stays on one\n"
			"CPU, in order. For interfaces with one receive queue"),
	/* The kernel's limit: 16384 frames per CPU. */
	SETTING("cpu-qsize", OPT_QSIZE, steer_qsize, .parse = parse_count,
		.max = 16384, .expect = "1 to %u", .applies = runs_cpus,
		.metavar = "N",
		.help = "frames queued per CPU of --cpus (default %u)"),
	SETTING("route-cache", OPT_ROUTE_CACHE, route_cache,
		.parse = parse_route_cache, .metavar = "N",
		.synopsis = "[--route-cache N]",
		.help = "fib lookup: remember up to N answers per CPU and\n"
			"family (a power of two, default %u; 0: off), each valid\n"
			"until the kernel's routes, rules, neighbours or links\n"
			"change"),
	SETTING("firewall", OPT_FIREWALL, firewall, .parse = parse_firewall,
		.value = firewall_value, .metavar = "MODE",
		.synopsis = "[--firewall auto|conntrack|off]", .new_line = true,
		.help = "auto (the default): with netfilter hooks on the\n"
			"forward path, XDP forwards only flows conntrack has\n"
			"established and the kernel has forwarded under the\n"
			"current rules, the rest goes to the kernel; conntrack:\n"
			"always so; off: XDP forwards whatever is routed,\n"
			"past any firewall (refused with forward-path rules\n"
			"unless --force)"),
	CMD_FLAG("multiprog", OPT_MULTIPROG, struct attach_opts, multiprog),
	{}
};

/* Under "Usage: xdp-router attach ". */
#define USAGE_INDENT "                         "
#define OPTION_BIT(o) (1U << ((o) - attach_options))
#define for_each_setting(o) \
	for (o = attach_options; o->name; o++) \
		if (o->set == set_setting)

static bool was_given(const struct attach_opts *a, int key)
{
	const struct cmd_option *o;

	for (o = attach_options; o->name && o->key != key; o++)
		;
	return o->name && (a->given & OPTION_BIT(o));
}

static int set_mode(const struct cmd_option *o, void *opts, const char *arg,
		    const char *cmd)
{
	if (!mode_parse(arg, &((struct attach_opts *)opts)->mode))
		return 0;
	log_error("invalid --mode '%s': use auto, native, generic or offload",
		  arg);
	return -EINVAL;
}

static int set_setting(const struct cmd_option *o, void *opts,
		       const char *arg, const char *cmd)
{
	const struct setting *s = o->data;
	struct attach_opts *a = opts;
	int err = s->parse(o, arg, &a->settings);

	if (!err)
		a->given |= OPTION_BIT(o);
	return err;
}

int attach_setting_value(const char *name, const struct router_settings *s,
			 char *buf, size_t len)
{
	const struct cmd_option *o;

	for_each_setting(o) {
		const struct setting *set = o->data;

		if (strcmp(o->name, name))
			continue;
		if (set->value)
			set->value(s, buf, len);
		else
			snprintf(buf, len, "%u", u32_at(s, o->offset));
		return 0;
	}
	return -ENOENT;
}

/* Its line of the usage: the option, then its help, lines indented. */
static void print_setting_usage(const struct cmd_option *o)
{
	const struct setting *s = o->data;
	struct router_settings dflt = ROUTER_SETTINGS_DEFAULT;
	char opt[40], help[400], *line, *save = NULL;

	if (o->key < 256)
		snprintf(opt, sizeof(opt), "  -%c, --%s %s", o->key, o->name,
			 s->metavar);
	else
		snprintf(opt, sizeof(opt), "      --%s %s", o->name,
			 s->metavar);
	snprintf(help, sizeof(help), s->help, u32_at(&dflt, o->offset),
		 s->max, s->help_arg);
	for (line = strtok_r(help, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		printf("%-23s %s\n", opt, line);
		opt[0] = '\0';
	}
}

static void print_usage(void)
{
	const struct cmd_option *o;

	printf("Usage: xdp-router attach [--mode auto|native|generic|offload] "
	       "[--force]");
	for_each_setting(o) {
		const struct setting *s = o->data;

		if (s->synopsis)
			printf("%s%s", s->new_line ? "\n" USAGE_INDENT : " ",
			       s->synopsis);
	}
	printf("\n" USAGE_INDENT "[--multiprog] IFACE...\n"
	       "\n"
	       "Loads the router (once) and attaches it to every IFACE.\n"
	       "  -m, --mode MODE       auto (native, else generic; the "
	       "default), native,\n"
	       "                        generic or offload; an explicit mode "
	       "never falls back\n"
	       "  -f, --force           replace an XDP program already on an "
	       "interface; with\n"
	       "                        --firewall off, attach despite "
	       "netfilter rules\n"
	       "                        on the forward path\n");
	for_each_setting(o)
		print_setting_usage(o);
	printf("      --multiprog       share the interfaces with other XDP "
	       "programs through\n"
	       "                        libxdp's dispatcher (as xdp-loader "
	       "does); needs a kernel\n"
	       "                        that allows freplace programs\n"
	       "  -h, --help            show this help\n"
	       "\n"
	       "--lookup, --max-routes-*, --lb-max-*, --cpus, --cpu-qsize, "
	       "--route-cache and\n"
	       "--firewall apply when the router is loaded, by the first "
	       "attach; later ones\n"
	       "may repeat them but not change them (detach --all first).\n");
}

/* Given @o, does the running router's @run differ from what @a asks? */
static bool setting_differs(const struct cmd_option *o,
			    const struct attach_opts *a,
			    const struct router_settings *run)
{
	const struct setting *s = o->data;

	if (!(a->given & OPTION_BIT(o)) || (s->applies && !s->applies(run)))
		return false;
	if (s->differs)
		return s->differs(&a->settings, run);
	return u32_at(&a->settings, o->offset) != u32_at(run, o->offset);
}

/*
 * A running router keeps the settings it was loaded with: asking for others
 * is an error, not something to ignore silently. Its lookup mode goes to
 * @lookup, its firewall mode to @fw; "unknown" and -1 if they cannot be
 * read and none was asked for (a router loaded by another version: adding
 * an interface must still work).
 */
static int check_settings(const struct router *r,
			  const struct attach_opts *a, const char **lookup,
			  int *fw)
{
	const struct cmd_option *o;
	struct router_settings run;
	int err = router_settings_read(r, &run);
	char value[XR_STEER_MAX_CPUS * 4];

	if (err && !a->given) {
		log_verbose("cannot read the settings of the router at %s: %s",
			    r->pin_path, log_strerror(err));
		*lookup = "unknown";
		*fw = -1;
		return 0;
	}
	if (err) {
		log_error("cannot read the settings of the router at %s "
			  "(loaded by another version?): %s", r->pin_path,
			  log_strerror(err));
		return err;
	}
	/* Those that apply only given another are checked last. */
	for (int late = 0; late < 2; late++) {
		for_each_setting(o) {
			const struct setting *s = o->data;

			if (!!s->applies != late || !setting_differs(o, a, &run))
				continue;
			attach_setting_value(o->name, &run, value,
					     sizeof(value));
			log_error("the router at %s runs with %s--%s%s%s; "
				  "detach --all first to change it",
				  r->pin_path, value[0] ? "" : "no ", o->name,
				  value[0] ? " " : "", value);
			return -EBUSY;
		}
	}
	*lookup = lookup_name(run.lookup);
	*fw = run.firewall;
	return 0;
}

/*
 * --firewall off: XDP would forward past the netfilter rules of the
 * forward path, which the operator may not know are there (a distribution
 * default, another tool's): refused unless --force.
 */
static int check_firewall_off(const struct target *t, int n, bool force)
{
	const char *names[XR_MAX_IFACES];
	char chains[512];
	struct nf_rules nr;
	int err;

	for (int i = 0; i < n; i++)
		names[i] = t[i].ifc.name;
	err = nf_rules_read(&nr, names, n);
	if (err && !force) {
		log_error("cannot read the netfilter rules (%s): --firewall off "
			  "might forward past them; use --force",
			  log_strerror(err));
		return err;
	}
	if (err || force || (!nr.nr_chains && !nr.legacy[0]))
		return 0;
	if (nr.nr_chains) {
		const struct nf_chain *c = &nr.chains[0];
		char more[32] = "";

		if (nr.nr_chains > 1)
			snprintf(more, sizeof(more), " and %d more",
				 nr.nr_chains - 1);
		nf_rules_chains_format(&nr, chains, sizeof(chains));
		log_error("nftables chain '%s %s %s' (hook %s%s%s)%s %s on the "
			  "forward path: --firewall off would forward past "
			  "them; use --force", c->family, c->table, c->name,
			  c->hook, c->dev[0] ? " on " : "", c->dev, more,
			  nr.nr_chains > 1 ? "are" : "is");
	} else {
		log_error("legacy iptables tables (%s) are on the forward "
			  "path: --firewall off would forward past them; use "
			  "--force", nr.legacy);
	}
	return -EPERM;
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
		if (t[i].native_err) {
			/* Text: the warning attach_fresh() printed. */
			out_open_object("native_refused");
			out_uint(PRINT_JSON, "errno", NULL, -t[i].native_err);
			out_string(PRINT_JSON, "error", NULL,
				   log_strerror(t[i].native_err));
			out_string(PRINT_JSON, "kernel_message", NULL,
				   t[i].native_msg);
			out_close_object();
			out_text(" (native refused)");
		}
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

static int setup_recorder(const struct router *r, const struct target *t,
			  int n)
{
	const char *names[XR_MAX_IFACES];
	int ifindex[XR_MAX_IFACES];

	for (int i = 0; i < n; i++) {
		names[i] = t[i].ifc.name;
		ifindex[i] = t[i].ifc.ifindex;
	}
	return fw_record_setup(r, ifindex, names, n);
}

static int attach_all(const char *pin_path, struct target *t, int n,
		      const struct attach_opts *o)
{
	const char *lookup = lookup_name(o->settings.lookup);
	int fw = o->settings.firewall;
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
		err = check_settings(&r, o, &lookup, &fw);
		if (err)
			goto close;
	}
	if (fw == XR_FW_OFF) {
		err = check_firewall_off(t, n, o->force);
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
	/* Last: undone with the rest if it fails. A router of another
	 * version (fw -1) is left as it is. */
	if (!err && (fw == XR_FW_AUTO || fw == XR_FW_CONNTRACK)) {
		err = setup_recorder(&r, t, n);
		if (err)
			done = n - 1;
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

static int cmd_attach_check(struct cmd_ctx *c)
{
	const struct attach_opts *o = c->opts;

	if (was_given(o, OPT_QSIZE) && !was_given(o, OPT_CPUS)) {
		log_error("attach: --cpu-qsize needs --cpus");
		return -EINVAL;
	}
	if (o->multiprog && o->force) {
		log_error("attach: --multiprog shares an interface, --force "
			  "replaces its program: use one of them");
		return -EINVAL;
	}
	if (c->argc <= 0) {
		log_error("attach: no interface given (see 'xdp-router attach "
			  "--help')");
		return -EINVAL;
	}
	if (c->argc > XR_MAX_IFACES) {
		log_error("attach: at most %d interfaces", XR_MAX_IFACES);
		return -E2BIG;
	}
	return 0;
}

static int cmd_attach_run(struct cmd_ctx *c)
{
	const struct attach_opts *o = c->opts;
	int n = c->argc, err;
	struct target *t;

	t = calloc(n, sizeof(*t));
	if (!t) {
		log_error("out of memory");
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		t[i].old_fd = -1;
		t[i].multiprog = o->multiprog;
	}
	err = resolve_targets(c->argv, n, t);
	if (!err)
		err = attach_all(c->g->pin_path, t, n, o);
	for (int i = 0; i < n; i++) {
		if (t[i].old_fd >= 0)
			close(t[i].old_fd);
		ifmap_saved_free(&t[i].saved);
	}
	free(t);
	return err;
}

static const struct attach_opts attach_defaults = {
	.mode = XR_MODE_AUTO,
	.settings = ROUTER_SETTINGS_DEFAULT,
};

COMMAND(cmd_attach, "attach", "load the router and attach it to interfaces",
	CMD_CAPS,
	CMD_OPTS(attach_options, struct attach_opts),
	.defaults = &attach_defaults,
	.print_usage = print_usage,
	.check = cmd_attach_check);
