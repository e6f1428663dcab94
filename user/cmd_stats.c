// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * stats [--interval S [--count N]]
 *
 * Per-interface, per-outcome packet and byte counters, summed over CPUs:
 * totals once, or rates every S seconds.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "caps.h"
#include "command.h"
#include "iface.h"
#include "ifmap.h"
#include "log.h"
#include "outcomes.h"
#include "output.h"
#include "params.h"
#include "pin.h"
#include "router.h"

static const char usage[] =
	"Usage: xdp-router stats [--interval S [--count N]]\n"
	"\n"
	"Shows packets and bytes per interface and outcome.\n"
	"  -i, --interval S  show rates every S seconds (fractions allowed)\n"
	"  -c, --count N     stop after N samples (default: until ^C)\n"
	"  -h, --help        show this help\n";

struct if_counters {
	struct iface ifc;	/* ifc.name is "" if the interface is gone */
	struct xr_iface sum;
};

struct snapshot {
	struct if_counters *ifs;
	size_t n;
	struct timespec mono;	/* when it was taken, for rates */
	struct timespec real;	/* the same, for the JSON timestamp */
};

static int snapshot_take(const struct router *r, struct snapshot *s)
{
	__u32 *keys;
	size_t n;
	int err;

	memset(s, 0, sizeof(*s));
	clock_gettime(CLOCK_MONOTONIC, &s->mono);
	clock_gettime(CLOCK_REALTIME, &s->real);
	err = ifmap_iface_keys(r, &keys, &n);
	if (err)
		goto fail;
	s->ifs = calloc(n ? n : 1, sizeof(*s->ifs));
	if (!s->ifs) {
		free(keys);
		err = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		struct if_counters *c = &s->ifs[s->n];

		err = ifmap_read(r, keys[i], &c->sum);
		if (err == -ENOENT)	/* detached meanwhile */
			continue;
		if (err) {
			free(keys);
			free(s->ifs);
			goto fail;
		}
		if (iface_by_index(keys[i], &c->ifc))
			c->ifc.ifindex = keys[i];
		s->n++;
	}
	free(keys);
	return 0;
fail:
	log_error("cannot read the counters: %s", log_strerror(err));
	return err;
}

static const struct if_counters *snapshot_find(const struct snapshot *s,
					       int ifindex)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (s->ifs[i].ifc.ifindex == ifindex)
			return &s->ifs[i];
	return NULL;
}

static double seconds_between(const struct timespec *a,
			      const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

/* Counters restart from zero when an interface is re-added. */
static __u64 delta(__u64 now, __u64 before)
{
	return now >= before ? now - before : now;
}

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
			double pps = delta(now->packets,
					   was ? was->packets : 0) / secs;
			double bps = delta(now->bytes,
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

/*
 * Waits until @deadline, or returns false once SIGINT/SIGTERM (blocked,
 * so none can slip in between a check and the wait) is pending.
 */
static bool wait_until(const struct timespec *deadline, const sigset_t *sigs)
{
	struct timespec now, left;

	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		double secs = seconds_between(&now, deadline);

		if (secs <= 0)
			return true;
		left.tv_sec = (time_t)secs;
		left.tv_nsec = (long)((secs - left.tv_sec) * 1e9);
		if (sigtimedwait(sigs, NULL, &left) >= 0)
			return false;
		if (errno != EAGAIN && errno != EINTR)
			return false;
	}
}

static void timespec_add(struct timespec *t, double secs)
{
	time_t whole = (time_t)secs;

	t->tv_sec += whole;
	t->tv_nsec += (long)((secs - whole) * 1e9);
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static int watch(const struct router *r, double interval, unsigned int count)
{
	struct snapshot prev, now;
	struct timespec deadline;
	sigset_t sigs;
	int err;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &sigs, NULL);

	err = snapshot_take(r, &prev);
	if (err)
		return err;
	deadline = prev.mono;
	/* count == 0: until a signal. */
	for (unsigned int i = 0; !count || i < count; i++) {
		timespec_add(&deadline, interval);
		if (!wait_until(&deadline, &sigs))
			break;
		err = snapshot_take(r, &now);
		if (err)
			break;
		print_rates(&prev, &now);
		free(prev.ifs);
		prev = now;
	}
	free(prev.ifs);
	return err;
}

int cmd_stats(const struct global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	double interval = 0;
	unsigned int count = 0;
	struct snapshot s;
	struct router r;
	int c, err;

	while ((c = getopt_long(argc, argv, ":i:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (param_seconds(optarg, &interval)) {
				log_error("invalid --interval '%s': seconds "
					  "between %g and %g", optarg,
					  PARAM_SECONDS_MIN, PARAM_SECONDS_MAX);
				return -EINVAL;
			}
			break;
		case 'c':
			if (param_count(optarg, &count)) {
				log_error("invalid --count '%s': a whole "
					  "number of samples, at least 1",
					  optarg);
				return -EINVAL;
			}
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return command_bad_option("stats", c, argv);
		}
	}
	err = command_no_more_args("stats", argc, argv);
	if (err)
		return err;
	if (count && !interval) {
		log_error("stats: --count needs --interval");
		return -EINVAL;
	}
	err = caps_require();
	if (err)
		return err;

	err = router_open_attached(&r, g->pin_path);
	if (err)
		return err;
	if (interval) {
		err = watch(&r, interval, count);
	} else {
		err = snapshot_take(&r, &s);
		if (!err) {
			print_totals(&s);
			free(s.ifs);
		}
	}
	router_close(&r);
	return err;
}
