// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The load balancer's running configuration read back from its maps; see
 * lb_state.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include "lb_state.h"
#include "lb_state_priv.h"
#include "log.h"


void lb_snapshot_free(struct snapshot *s)
{
	lb_config_free(&s->cfg);
	free(s->be);
	free(s->bm);
	free(s->attached);
	memset(s, 0, sizeof(*s));
}

static void key_to_vip(const struct xr_vip_key *k, struct lb_vip *v)
{
	v->addr.family = k->family;
	memcpy(v->addr.a, k->addr, 16);
	v->port = ntohs(k->port);
	v->proto = k->proto;
}

void lb_vip_to_key(const struct lb_vip *v, struct xr_vip_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = v->addr.family;
	memcpy(k->addr, v->addr.a, 16);
	k->port = htons(v->port);
	k->proto = v->proto;
}

static struct lb_vip *vip_by_id(struct lb_config *cfg, __u32 id)
{
	for (size_t i = 0; i < cfg->nr_vips; i++)
		if (cfg->vips[i].id == id)
			return &cfg->vips[i];
	return NULL;
}

static int attach_backend(struct snapshot *s, struct lb_vip *v, __u32 id,
			  const struct xr_lb_be_meta *meta)
{
	const struct xr_backend *e = &s->be[id];
	struct lb_backend *b = lb_vip_add_backend(v);

	if (!b)
		return -ENOMEM;
	b->addr.family = e->family;
	memcpy(b->addr.a, e->addr, 16);
	b->port = ntohs(e->port);
	memcpy(b->mac, e->mac, 6);
	b->id = id;
	b->gen = e->gen;
	b->cur_state = e->state;
	if (meta) {
		b->weight = meta->weight;
		b->state = meta->state;
		b->health_down = meta->flags & XR_LB_BM_HEALTH_DOWN;
	} else {
		/* Lost meta: what the data plane shows, weight 1. */
		b->weight = 1;
		b->state = e->state == XR_BE_DRAIN ? XR_BE_DRAIN : XR_BE_ACTIVE;
		b->health_down = e->state == XR_BE_DOWN;
	}
	s->attached[id] = true;
	return 0;
}

static int by_addr(const void *a, const void *b)
{
	const struct lb_backend *x = a, *y = b;
	int c = lb_addr_cmp(&x->addr, &y->addr);

	return c ? c : (int)x->port - (int)y->port;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct lb_vip *)a)->name,
		      ((const struct lb_vip *)b)->name);
}

int lb_snapshot_read(const struct lb_maps *m, struct snapshot *s)
{
	struct xr_vip_key key, next;
	__u32 nb = m->max_backends;
	bool orphans = false;
	void *prev = NULL;
	int err;

	memset(s, 0, sizeof(*s));
	s->be = calloc(nb, sizeof(*s->be));
	s->bm = calloc(nb, sizeof(*s->bm));
	s->attached = calloc(nb, sizeof(*s->attached));
	if (!s->be || !s->bm || !s->attached) {
		err = -ENOMEM;
		goto fail;
	}
	err = lb_array_read(m->r.lb_backends_fd, 0, nb, sizeof(*s->be), s->be);
	if (!err)
		err = lb_array_read(m->r.lb_be_meta_fd, 0, nb, sizeof(*s->bm),
				    s->bm);
	if (err)
		goto fail;

	while (!(err = bpf_map_get_next_key(m->r.lb_vips_fd, prev, &next))) {
		struct xr_lb_vip_meta vm;
		struct xr_vip xv;
		struct lb_vip *v;

		key = next;
		prev = &key;
		err = bpf_map_lookup_elem(m->r.lb_vips_fd, &key, &xv);
		if (err == -ENOENT)
			continue;	/* deleted meanwhile */
		if (err)
			goto fail;
		if (xv.id >= m->max_vips) {
			log_warn("VIP entry with id %u beyond %u VIPs ignored",
				 xv.id, m->max_vips);
			continue;
		}
		v = lb_config_add_vip(&s->cfg);
		if (!v) {
			err = -ENOMEM;
			goto fail;
		}
		key_to_vip(&key, v);
		v->id = xv.id;
		v->mode = xv.mode;
		err = bpf_map_lookup_elem(m->r.lb_vip_meta_fd, &xv.id, &vm);
		if (err)
			goto fail;
		if ((vm.flags & XR_LB_VM_USED) &&
		    !memcmp(&vm.key, &key, sizeof(key))) {
			memcpy(v->name, vm.name, sizeof(v->name));
			v->name[sizeof(v->name) - 1] = '\0';
			v->health.enabled = vm.flags & XR_LB_VM_HEALTH;
			v->health.interval_ms = vm.hc_interval_ms;
			v->health.timeout_ms = vm.hc_timeout_ms;
			v->health.rise = vm.hc_rise;
			v->health.fall = vm.hc_fall;
			v->health.port = vm.hc_port;
			memcpy(v->health.http_path, vm.hc_http_path,
			       sizeof(v->health.http_path));
			v->health.http_path[XR_LB_HTTP_PATH_MAX - 1] = '\0';
		} else {
			snprintf(v->name, sizeof(v->name), "vip%u", xv.id);
			v->health.enabled = false;
		}
	}
	if (err != -ENOENT)
		goto fail;
	err = 0;

	for (__u32 id = 1; id < nb; id++) {
		const struct xr_lb_be_meta *bm = &s->bm[id];
		struct lb_vip *v;

		if (!s->be[id].gen)
			continue;
		if (!(bm->flags & XR_LB_BM_USED) || bm->gen != s->be[id].gen ||
		    !(v = vip_by_id(&s->cfg, bm->vip))) {
			orphans = true;
			continue;
		}
		err = attach_backend(s, v, id, bm);
		if (err)
			goto fail;
	}
	/* Backends in a ring without (valid) meta: recover them. */
	if (orphans && s->cfg.nr_vips) {
		__u32 *ring = malloc(XR_LB_RING_SIZE * sizeof(*ring));

		if (!ring) {
			err = -ENOMEM;
			goto fail;
		}
		for (size_t i = 0; !err && i < s->cfg.nr_vips; i++) {
			struct lb_vip *v = &s->cfg.vips[i];

			err = lb_ring_read(m, v->id, ring);
			for (__u32 k = 0; !err && k < XR_LB_RING_SIZE; k++) {
				__u32 id = ring[k];

				if (id && id < nb && s->be[id].gen &&
				    !s->attached[id])
					err = attach_backend(s, v, id, NULL);
			}
		}
		free(ring);
		if (err)
			goto fail;
	}
	for (size_t i = 0; i < s->cfg.nr_vips; i++) {
		struct lb_vip *v = &s->cfg.vips[i];

		if (v->nr_backends)	/* qsort(NULL, 0) is undefined */
			qsort(v->backends, v->nr_backends,
			      sizeof(*v->backends), by_addr);
		/* A port-0 VIP without a way to probe: checks off. */
		if (!v->port && !v->health.port)
			for (size_t j = 0; j < v->nr_backends; j++)
				if (!v->backends[j].port)
					v->health.enabled = false;
	}
	if (s->cfg.nr_vips)
		qsort(s->cfg.vips, s->cfg.nr_vips, sizeof(*s->cfg.vips),
		      by_name);
	return 0;
fail:
	lb_snapshot_free(s);
	return err;
}

int lb_state_read(const struct lb_maps *m, struct lb_config *cfg)
{
	struct snapshot s;
	int err = lb_snapshot_read(m, &s);

	if (err)
		return err;
	*cfg = s.cfg;
	s.cfg = (struct lb_config){};
	lb_snapshot_free(&s);
	return 0;
}

void lb_config_inherit_health(struct lb_config *to,
			      const struct lb_config *from)
{
	for (size_t i = 0; i < to->nr_vips; i++) {
		struct lb_vip *v = &to->vips[i];
		const struct lb_vip *f = lb_config_find_vip(from, v);

		if (!f)
			continue;
		for (size_t j = 0; j < v->nr_backends; j++) {
			struct lb_backend *b = &v->backends[j];
			const struct lb_backend *o = lb_vip_find_backend(
				f, &b->addr, lb_backend_port(v, b));

			if (o)
				b->health_down = o->health_down;
		}
	}
}

