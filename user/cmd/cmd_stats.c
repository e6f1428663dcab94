// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * stats [--interval S [--count N]] | --watch | --prometheus FILE
 *
 * Per-interface, per-outcome packet and byte counters, summed over CPUs:
 * totals once, or rates every S seconds; a live view (stats_watch.c); a
 * Prometheus textfile, once or every S seconds (stats_prom.c).
 */
#include <errno.h>
#include <time.h>
#include <unistd.h>
#include "dispatch.h"
#include "log.h"
#include "outcomes.h"
#include "output.h"
#include "params.h"
#include "router.h"
#include "stats_prom.h"
#include "stats_snapshot.h"
#include "stats_wait.h"
#include "stats_watch.h"

static const char usage[] =
	"Usage: xdp-router stats [--interval S [--count N]]\n"
	"       xdp-router stats --watch [--interval S] [--count N]\n"
	"       xdp-router stats --prometheus FILE [--interval S [--count N]]\n"
	"\n"
	"Shows packets and bytes per interface and outcome.\n"
	"  -i, --interval S     show rates every S seconds (fractions allowed)\n"
	"  -c, --count N        stop after N samples (default: until ^C)\n"
	"  -w, --watch          a live view, busiest first, redrawn every S\n"
	"                       seconds (default 1); q or ^C quits\n"
	"  -P, --prometheus FILE\n"
	"                       write the counters (and the load balancer's)\n"
	"                       to FILE for node_exporter's textfile collector,\n"
	"                       atomically; with --interval, every S seconds\n"
	"  -h, --help           show this help\n";

static void print_iface_head(const struct if_counters *c)
{
	if (c->ifc.name[0])
		out_string(PRINT_ANY, "ifname", "%s", c->ifc.name);
	else
		out_null(PRINT_ANY, "ifname", "%s");
	out_uint(PRINT_ANY, "ifindex", " (ifindex %llu):\n", c->ifc.ifindex);
}

/*
 * One interface. With @prev (and @secs), rates too. Text shows the
 * outcomes that saw packets; JSON all of them, for a fixed shape.
 */
static void print_iface(const struct if_counters *c,
			const struct if_counters *prev, double secs)
{
	bool any = false;

	out_open_object(NULL);
	print_iface_head(c);
	out_open_object("outcomes");
	for (int o = 0; o < XR_OUTCOME_MAX; o++) {
		const struct xr_counter *now = &c->sum.outcome[o];
		enum out_kind kind = now->packets ? PRINT_ANY : PRINT_JSON;

		any |= now->packets != 0;
		out_open_object(xr_outcome_names[o]);
		if (now->packets)
			out_text("  %-20s", xr_outcome_names[o]);
		if (secs > 0) {
			const struct xr_counter *was =
				prev ? &prev->sum.outcome[o] : NULL;
			double pps = counter_delta(now->packets,
					   was ? was->packets : 0) / secs;
			double bps = counter_delta(now->bytes,
					   was ? was->bytes : 0) / secs;

			out_uint(PRINT_JSON, "packets", NULL, now->packets);
			out_uint(PRINT_JSON, "bytes", NULL, now->bytes);
			out_float(kind, "pps", " %14.1f pps", pps);
			out_float(kind, "bytes_per_sec", " %16.1f bytes/s", bps);
		} else {
			out_uint(kind, "packets", " %14llu packets",
				 now->packets);
			out_uint(kind, "bytes", " %16llu bytes", now->bytes);
		}
		out_text(now->packets ? "\n" : "");
		out_close_object();
	}
	if (!any)
		out_text("  (no packets)\n");
	out_close_object();
	out_close_object();
}

static void print_totals(const struct snapshot *s)
{
	out_open_array(NULL);
	for (size_t i = 0; i < s->n; i++)
		print_iface(&s->ifs[i], NULL, 0);
	out_close_array();
	out_flush();
}

static void print_rates(const struct snapshot *prev,
			const struct snapshot *now)
{
	double secs = seconds_between(&prev->mono, &now->mono);

	out_open_object(NULL);
	out_float(PRINT_JSON, "timestamp", NULL,
		  now->real.tv_sec + now->real.tv_nsec / 1e9);
	out_float(PRINT_JSON, "interval", NULL, secs);
	out_open_array("interfaces");
	for (size_t i = 0; i < now->n; i++)
		print_iface(&now->ifs[i],
			    snapshot_find(prev, now->ifs[i].ifc.ifindex), secs);
	out_close_array();
	out_close_object();
	out_text("\n");
	out_flush();
}

/* What is done with each sample; @prev is NULL for the first. */
typedef int (*sample_fn)(const struct snapshot *prev,
			 const struct snapshot *now, const char *file);

static int print_sample_rates(const struct snapshot *prev,
			      const struct snapshot *now, const char *file)
{
	if (prev)
		print_rates(prev, now);
	return 0;
}

static int write_sample_prom(const struct snapshot *prev,
			     const struct snapshot *now, const char *file)
{
	return stats_prom_write(file, now);
}

/*
 * Takes a sample now and every @interval seconds after, @count samples
 * after the first (0: until SIGINT/SIGTERM), and hands each to @fn.
 */
static int every(struct router *r, enum snapshot_what what,
		 double interval, unsigned int count, sample_fn fn,
		 const char *file)
{
	struct snapshot prev, now;
	struct timespec deadline;
	int sfd, err;

	sfd = stats_stop_signals();
	if (sfd < 0)
		return sfd;
	err = snapshot_take(r, what, &prev);
	if (!err)
		err = fn(NULL, &prev, file);
	if (err) {
		snapshot_free(&prev);
		close(sfd);
		return err;
	}
	deadline = prev.mono;
	for (unsigned int i = 0; !count || i < count; i++) {
		timespec_add(&deadline, interval);
		if (!stats_wait_until(&deadline, sfd, -1))
			break;
		err = snapshot_follow(r, &prev) ?:
		      snapshot_take(r, what, &now);
		if (err)
			break;
		err = fn(&prev, &now, file);
		snapshot_free(&prev);
		prev = now;
		if (err)
			break;
	}
	snapshot_free(&prev);
	close(sfd);
	return err;
}

static int once(const struct router *r, const char *prom_file)
{
	struct snapshot s;
	int err;

	err = snapshot_take(r, prom_file ? SNAPSHOT_FULL : SNAPSHOT_IFACES,
			    &s);
	if (err)
		return err;
	if (prom_file)
		err = stats_prom_write(prom_file, &s);
	else
		print_totals(&s);
	snapshot_free(&s);
	return err;
}

struct stats_opts {
	double interval;
	unsigned int count;
	bool live;
	const char *prom_file;
};

static int set_interval(const struct cmd_option *o, void *opts,
			const char *arg, const char *cmd)
{
	if (!param_seconds(arg, &((struct stats_opts *)opts)->interval))
		return 0;
	log_error("invalid --interval '%s': seconds between %g and %g", arg,
		  PARAM_SECONDS_MIN, PARAM_SECONDS_MAX);
	return -EINVAL;
}

static int set_count(const struct cmd_option *o, void *opts,
		     const char *arg, const char *cmd)
{
	if (!param_count(arg, &((struct stats_opts *)opts)->count))
		return 0;
	log_error("invalid --count '%s': a whole number of samples, at least 1",
		  arg);
	return -EINVAL;
}

static const struct cmd_option stats_options[] = {
	CMD_OPTION("interval", 'i', true, struct stats_opts, interval,
		   set_interval),
	CMD_OPTION("count", 'c', true, struct stats_opts, count, set_count),
	CMD_FLAG("watch", 'w', struct stats_opts, live),
	CMD_OPTION("prometheus", 'P', true, struct stats_opts, prom_file,
		   cmd_opt_string),
	{}
};

static int cmd_stats_check(struct cmd_ctx *c)
{
	const struct stats_opts *o = c->opts;

	if (o->count && !o->interval && !o->live) {
		log_error("stats: --count needs --interval");
		return -EINVAL;
	}
	if (o->live && o->prom_file) {
		log_error("stats: --watch and --prometheus do not go together");
		return -EINVAL;
	}
	if (o->live && out_json()) {
		log_error("stats: --watch is a view for people; for JSON use "
			  "--interval");
		return -EINVAL;
	}
	return 0;
}

static int cmd_stats_run(struct cmd_ctx *c)
{
	const struct stats_opts *o = c->opts;
	double interval = o->interval;
	unsigned int count = o->count;

	if (o->live)
		return stats_watch(&c->r, interval ? interval : 1, count);
	if (o->prom_file && interval && count != 1)
		/* The first write is one of the N. */
		return every(&c->r, SNAPSHOT_FULL, interval,
			     count ? count - 1 : 0, write_sample_prom,
			     o->prom_file);
	if (interval && !o->prom_file)
		return every(&c->r, SNAPSHOT_IFACES, interval, count,
			     print_sample_rates, NULL);
	return once(&c->r, o->prom_file);
}

COMMAND(cmd_stats, "stats", "show packet counters and rates",
	CMD_NO_ARGS | CMD_CAPS | CMD_ROUTER,
	CMD_OPTS(stats_options, struct stats_opts),
	.usage = usage,
	.check = cmd_stats_check);
