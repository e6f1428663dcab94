// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Reading the router's counters for `xdp-router stats`. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ifmap.h"
#include "lb_state.h"
#include "log.h"
#include "mode.h"
#include "router.h"
#include "stats_snapshot.h"

static int take_ifaces(const struct router *r, struct snapshot *s)
{
	__u32 *keys;
	size_t n;
	int err;

	err = ifmap_iface_keys(r, &keys, &n);
	if (err)
		return err;
	s->ifs = calloc(n ? n : 1, sizeof(*s->ifs));
	if (!s->ifs) {
		free(keys);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct if_counters *c = &s->ifs[s->n];

		err = ifmap_read(r, keys[i], &c->sum);
		if (err == -ENOENT)	/* detached meanwhile */
			continue;
		if (err)
			break;
		if (iface_by_index(keys[i], &c->ifc))
			c->ifc.ifindex = keys[i];
		s->n++;
	}
	free(keys);
	return err == -ENOENT ? 0 : err;
}

static void take_info(const struct router *r, struct stats_router_info *info)
{
	struct router_settings settings;

	info->prog_id = r->prog_id;
	info->pin_path = r->pin_path;
	if (router_prog_ident(r, info->prog_name, sizeof(info->prog_name),
			      info->tag)) {
		info->prog_name[0] = '\0';
		strcpy(info->tag, "");
	}
	info->lookup = router_settings_read(r, &settings) ?
		"unknown" : lookup_name(settings.lookup);
}

/*
 * The LB's configuration and counters, read without the pin lock: stats
 * must not wait for a long apply, and a VIP that changes meanwhile only
 * makes one sample's set of VIPs a little stale.
 */
static int take_lb(const struct router *r, struct stats_lb *lb)
{
	struct lb_maps m;
	size_t nb = 0, k = 0;
	int err;

	err = lb_maps_open(&m, r->pin_path);
	if (err)
		return err;
	err = lb_state_read(&m, &lb->cfg);
	if (err) {
		log_error("cannot read the load balancer maps: %s",
			  log_strerror(err));
		goto out;
	}
	for (size_t i = 0; i < lb->cfg.nr_vips; i++)
		nb += lb->cfg.vips[i].nr_backends;
	lb->vip = calloc(lb->cfg.nr_vips + 1, sizeof(*lb->vip));
	lb->backend = calloc(nb + 1, sizeof(*lb->backend));
	if (!lb->vip || !lb->backend) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < lb->cfg.nr_vips; i++) {
		const struct lb_vip *v = &lb->cfg.vips[i];

		err = lb_vip_stats_read(&m, v->id, &lb->vip[i]);
		for (size_t j = 0; !err && j < v->nr_backends; j++)
			err = lb_backend_stats_read(&m, v->backends[j].id,
						    &lb->backend[k++]);
		if (err) {
			log_error("cannot read the counters of VIP '%s': %s",
				  v->name, log_strerror(err));
			break;
		}
	}
out:
	lb_maps_close(&m);
	return err;
}

int snapshot_take(const struct router *r, enum snapshot_what what,
		  struct snapshot *s)
{
	int err;

	memset(s, 0, sizeof(*s));
	clock_gettime(CLOCK_MONOTONIC, &s->mono);
	clock_gettime(CLOCK_REALTIME, &s->real);
	err = take_ifaces(r, s);
	if (err) {
		log_error("cannot read the counters: %s", log_strerror(err));
		snapshot_free(s);
		return err;
	}
	if (what == SNAPSHOT_FULL) {
		s->full = true;
		take_info(r, &s->info);
		err = take_lb(r, &s->lb);
		if (err) {
			snapshot_free(s);
			return err;
		}
	}
	return 0;
}

void snapshot_free(struct snapshot *s)
{
	free(s->ifs);
	if (s->full) {
		lb_config_free(&s->lb.cfg);
		free(s->lb.vip);
		free(s->lb.backend);
	}
	memset(s, 0, sizeof(*s));
}

int snapshot_follow(struct router *r, struct snapshot *prev)
{
	enum router_change change;
	int err = router_follow(r, &change);

	if (err == -ENOENT)
		log_error("the router at %s is gone (detached); stopped",
			  r->pin_path);
	if (err)
		return err;
	if (change == ROUTER_REPLACED) {
		free(prev->ifs);
		prev->ifs = NULL;
		prev->n = 0;
	}
	return 0;
}

const struct if_counters *snapshot_find(const struct snapshot *s,
					int ifindex)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (s->ifs[i].ifc.ifindex == ifindex)
			return &s->ifs[i];
	return NULL;
}

double seconds_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

void timespec_add(struct timespec *t, double secs)
{
	time_t whole = (time_t)secs;

	t->tv_sec += whole;
	t->tv_nsec += (long)((secs - whole) * 1e9);
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}
