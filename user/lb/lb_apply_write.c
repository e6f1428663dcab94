// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Load balancer apply: one round's writes to the maps, in the order of
 * lb_state.h (or, in a dry run, only counted). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include "lb_state.h"
#include "lb_state_priv.h"
#include "log.h"

static void backend_entry(const struct lb_vip *v, const struct lb_backend *b,
			  struct xr_backend *e)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->addr, b->addr.a, 16);
	memcpy(e->mac, b->mac, 6);
	e->family = b->addr.family;
	e->state = lb_backend_effective(b);
	e->port = htons(b->port);
	e->gen = b->gen;
}

static void backend_meta(const struct lb_vip *v, const struct lb_backend *b,
			 struct xr_lb_be_meta *bm)
{
	/* No implicit padding: the rest of the row is zero. */
	*bm = (struct xr_lb_be_meta){
		.vip = v->id,
		.gen = b->gen,
		.weight = b->weight,
		.state = b->state,
		.flags = XR_LB_BM_USED |
			 (b->health_down ? XR_LB_BM_HEALTH_DOWN : 0),
	};
}

static void vip_meta(const struct lb_vip *v, struct xr_lb_vip_meta *vm)
{
	memset(vm, 0, sizeof(*vm));
	lb_vip_to_key(v, &vm->key);
	vm->flags = XR_LB_VM_USED | (v->health.enabled ? XR_LB_VM_HEALTH : 0);
	memcpy(vm->name, v->name, sizeof(vm->name));
	vm->hc_interval_ms = v->health.interval_ms;
	vm->hc_timeout_ms = v->health.timeout_ms;
	vm->hc_rise = v->health.rise;
	vm->hc_fall = v->health.fall;
	vm->hc_port = v->health.port;
	memcpy(vm->hc_http_path, v->health.http_path,
	       sizeof(vm->hc_http_path));
}

static bool health_same(const struct lb_health *a, const struct lb_health *b)
{
	return a->enabled == b->enabled && a->interval_ms == b->interval_ms &&
	       a->timeout_ms == b->timeout_ms && a->rise == b->rise &&
	       a->fall == b->fall && a->port == b->port &&
	       !strcmp(a->http_path, b->http_path);
}

__attribute__((format(printf, 3, 4)))
static int write_failed(struct writer *w, int rc, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(w->err, w->len, "cannot write %s: %s (the maps are "
		 "consistent, the change is partly applied: apply again)",
		 what, log_strerror(rc));
	return rc;
}

/* Every write of an apply goes through these: a dry run only counts. */
static int w_update(struct writer *w, int fd, const void *key,
		    const void *val)
{
	return w->dry ? 0 : bpf_map_update_elem(fd, key, val, BPF_ANY);
}

static int w_delete(struct writer *w, int fd, const void *key)
{
	return w->dry ? 0 : bpf_map_delete_elem(fd, key);
}

static int w_zero_percpu(struct writer *w, int fd, __u32 id, size_t vsize)
{
	return w->dry ? 0 : lb_percpu_zero(w->m, fd, id, vsize);
}

/* Writes the slots of ring @id that differ from @ids (NULL: all zero). */
static int ring_write(struct writer *w, __u32 id, const __u32 *ids)
{
	__u32 base = id * XR_LB_RING_SIZE, n = 0;
	int rc = lb_ring_read(w->m, id, w->cur_ring);

	if (rc)
		return write_failed(w, rc, "the ring of VIP id %u", id);
	for (__u32 i = 0; i < XR_LB_RING_SIZE; i++) {
		__u32 want = ids ? ids[i] : 0;

		if (w->cur_ring[i] == want)
			continue;
		w->keys[n] = base + i;
		w->vals[n++] = want;
	}
	rc = w->dry ? 0 : lb_array_write(w->m->r.lb_rings_fd, w->keys,
					  w->vals, n, sizeof(__u32));
	if (rc)
		return write_failed(w, rc, "the ring of VIP id %u", id);
	w->log->slots_written += n;
	return 0;
}

static int be_write(struct writer *w, const struct lb_vip *v,
		    const struct lb_backend *b)
{
	struct xr_backend e;
	char a[INET6_ADDRSTRLEN];
	int rc;

	backend_entry(v, b, &e);
	rc = w_update(w, w->m->r.lb_backends_fd, &b->id, &e);
	if (rc)
		return write_failed(w, rc, "backend %s of VIP '%s'",
				    lb_addr_str(&b->addr, a, sizeof(a)),
				    v->name);
	return 0;
}

static int be_meta_write(struct writer *w, const struct lb_vip *v,
			 const struct lb_backend *b)
{
	struct xr_lb_be_meta bm;
	int rc;

	backend_meta(v, b, &bm);
	rc = w_update(w, w->m->r.lb_be_meta_fd, &b->id, &bm);
	return rc ? write_failed(w, rc, "%s[%u]", XR_MAP_LB_BE_META, b->id)
		  : 0;
}

/* Whether backend id @id of @s names one that @want keeps (elsewhere). */
static bool backend_kept(const struct snapshot *s, const struct lb_config *want,
			 __u32 id)
{
	for (size_t i = 0; i < s->cfg.nr_vips; i++) {
		const struct lb_vip *c = &s->cfg.vips[i];
		const struct lb_vip *v = lb_config_find_vip(want, c);

		for (size_t j = 0; v && j < c->nr_backends; j++) {
			const struct lb_backend *o = &c->backends[j], *b;

			if (o->id != id)
				continue;
			b = lb_vip_find_backend(v, &o->addr,
						lb_backend_port(c, o));
			return b && b->port == o->port;
		}
	}
	return false;
}

static int be_free(struct writer *w, struct snapshot *s,
		   const struct lb_config *want, __u32 id)
{
	struct xr_backend zero = {};
	struct xr_lb_be_meta bm = { .gen = s->be[id].gen > s->bm[id].gen ?
						   s->be[id].gen
						 : s->bm[id].gen };
	int rc;

	rc = w_update(w, w->m->r.lb_backends_fd, &id, &zero);
	if (!rc)
		rc = w_update(w, w->m->r.lb_be_meta_fd, &id, &bm);
	if (rc)
		return write_failed(w, rc, "backend id %u", id);
	if (!backend_kept(s, want, id))
		w->log->backends_removed++;	/* else it moved */
	return 0;
}

static bool backend_in(const struct lb_config *cfg, __u32 id)
{
	for (size_t i = 0; i < cfg->nr_vips; i++)
		for (size_t j = 0; j < cfg->vips[i].nr_backends; j++)
			if (cfg->vips[i].backends[j].id == id)
				return true;
	return false;
}

/* The data plane's per-family switches for a set of VIPs. */
static void conf_of(const struct lb_config *cfg, struct xr_lb_conf *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < cfg->nr_vips; i++) {
		const struct lb_vip *v = &cfg->vips[i];
		__u32 *f = v->addr.family == AF_INET ? &c->v4 : &c->v6;

		*f |= XR_LB_F_VIP;
		if (!v->port)
			*f |= XR_LB_F_ALL_PORTS;
		if (v->mode == XR_LB_NAT)
			*f |= XR_LB_F_NAT;
	}
}

static int conf_write(struct writer *w, const struct xr_lb_conf *c)
{
	__u32 zero = 0;
	int rc;

	rc = w_update(w, w->m->r.lb_conf_fd, &zero, c);
	return rc ? write_failed(w, rc, "%s", XR_MAP_LB_CONF) : 0;
}

/* xr_lb_vip_keys[id], for the data plane to go from an id to its VIP. */
static int vip_key_write(struct writer *w, __u32 id,
			 const struct xr_vip_key *k)
{
	struct xr_vip_key cur;
	int rc;

	rc = bpf_map_lookup_elem(w->m->r.lb_vip_keys_fd, &id, &cur);
	if (!rc && !memcmp(&cur, k, sizeof(cur)))
		return 0;
	rc = w_update(w, w->m->r.lb_vip_keys_fd, &id, k);
	return rc ? write_failed(w, rc, "%s[%u]", XR_MAP_LB_VIP_KEYS, id) : 0;
}

/* VIP id @id no longer in use: its ring, key and meta zeroed. */
static int vip_row_clear(struct writer *w, __u32 id)
{
	struct xr_lb_vip_meta vm = {};
	struct xr_vip_key k = {};
	int rc = ring_write(w, id, NULL);

	if (!rc)
		rc = vip_key_write(w, id, &k);
	if (rc)
		return rc;
	rc = w_update(w, w->m->r.lb_vip_meta_fd, &id, &vm);
	return rc ? write_failed(w, rc, "%s[%u]", XR_MAP_LB_VIP_META, id) : 0;
}

int write_all(struct writer *w, struct snapshot *s,
	      struct lb_config *want, __u32 **rings)
{
	const struct lb_maps *m = w->m;
	struct xr_lb_conf conf_cur = {}, conf_want;
	__u32 zero = 0;
	int rc;

	/* 1. VIPs that go: entry first, then the ring. */
	for (size_t i = 0; i < s->cfg.nr_vips; i++) {
		struct lb_vip *c = &s->cfg.vips[i];
		struct xr_vip_key k;

		if (lb_config_find_vip(want, c))
			continue;
		lb_vip_to_key(c, &k);
		rc = w_delete(w, m->r.lb_vips_fd, &k);
		if (rc && rc != -ENOENT)
			return write_failed(w, rc, "VIP '%s'", c->name);
		rc = vip_row_clear(w, c->id);
		if (rc)
			return rc;
		w->log->vips_removed++;
	}

	/* 2. Backends that enter a ring, or change in place. */
	for (size_t i = 0; i < want->nr_vips; i++) {
		struct lb_vip *v = &want->vips[i];
		struct lb_vip *c = lb_config_find_vip(&s->cfg, v);
		__u8 *done = &w->log->be[w->log->be_base[w->at[i]]];

		for (size_t j = 0; j < v->nr_backends; j++) {
			struct lb_backend *b = &v->backends[j];
			struct lb_backend *o =
				c ? lb_vip_find_backend(c, &b->addr,
							lb_backend_port(v, b))
				  : NULL;
			__u8 eff = lb_backend_effective(b);

			if (o && o->port != b->port)
				o = NULL;
			if (!o || o->id != b->id) {
				/* New, or moved to another id: written
				 * whole there (the old id is freed in 5). */
				rc = w_zero_percpu(w,
						m->r.lb_backend_stats_fd, b->id,
						sizeof(struct xr_counter));
				if (!rc)
					rc = be_meta_write(w, v, b);
				if (!rc)
					rc = be_write(w, v, b);
				if (rc)
					return rc;
				b->cur_state = eff;
				done[j] |= o ? DONE_CHANGED : DONE_ADDED;
				continue;
			}
			if (o->weight != b->weight || o->state != b->state ||
			    o->health_down != b->health_down ||
			    o->gen != b->gen) {
				rc = be_meta_write(w, v, b);
				if (rc)
					return rc;
			}
			if (o->weight != b->weight || o->state != b->state ||
			    o->health_down != b->health_down ||
			    memcmp(o->mac, b->mac, 6))
				done[j] |= DONE_CHANGED;
			/* A gen other than the canonical one: maps written
			 * before gens were canonical. */
			if ((eff == XR_BE_ACTIVE && o->cur_state != eff) ||
			    (memcmp(o->mac, b->mac, 6) &&
			     o->cur_state == eff) ||
			    (o->gen != b->gen && o->cur_state == eff)) {
				rc = be_write(w, v, b);
				if (rc)
					return rc;
				b->cur_state = eff;
			}
		}
	}

	/* 3. Rings, then the VIP entries that point at them; the data
	 * plane's switches on before any entry needs them. */
	conf_of(want, &conf_want);
	if (bpf_map_lookup_elem(m->r.lb_conf_fd, &zero, &conf_cur))
		memset(&conf_cur, 0, sizeof(conf_cur));
	conf_cur.v4 |= conf_want.v4;
	conf_cur.v6 |= conf_want.v6;
	rc = conf_write(w, &conf_cur);
	if (rc)
		return rc;
	for (size_t i = 0; i < want->nr_vips; i++) {
		struct lb_vip *v = &want->vips[i];
		struct lb_vip *c = lb_config_find_vip(&s->cfg, v);
		__u32 before = w->log->slots_written;
		struct xr_lb_vip_meta vm;
		struct xr_vip xv = { .id = v->id, .mode = v->mode };
		struct xr_vip_key k;
		/* To its canonical row: the new row complete, then the
		 * entry switched to it, then the old row cleared. */
		bool moved = c && c->id != v->id;

		lb_vip_to_key(v, &k);
		if (moved) {
			/* Counters move with the VIP (a few packets counted
			 * in the old row meanwhile are lost). */
			rc = w->dry ? 0 : lb_percpu_copy(m,
					m->r.lb_vip_stats_fd, c->id, v->id,
					sizeof(struct xr_vip_stats));
			if (rc)
				return write_failed(w, rc, "%s[%u]",
						    XR_MAP_LB_VIP_STATS, v->id);
		} else if (!c) {
			rc = w_zero_percpu(w, m->r.lb_vip_stats_fd, v->id,
					 sizeof(struct xr_vip_stats));
			if (rc)
				return write_failed(w, rc, "%s[%u]",
						    XR_MAP_LB_VIP_STATS, v->id);
		}
		if (!c || moved || strcmp(c->name, v->name) ||
		    !health_same(&c->health, &v->health)) {
			vip_meta(v, &vm);
			rc = w_update(w, m->r.lb_vip_meta_fd, &v->id, &vm);
			if (rc)
				return write_failed(w, rc, "%s[%u]",
						    XR_MAP_LB_VIP_META, v->id);
		}
		rc = ring_write(w, v->id, rings[i]);
		if (!rc)
			rc = vip_key_write(w, v->id, &k);
		if (rc)
			return rc;
		if (!c || moved || c->mode != v->mode) {
			rc = w_update(w, m->r.lb_vips_fd, &k, &xv);
			if (rc)
				return write_failed(w, rc, "VIP '%s'",
						    v->name);
		}
		if (moved) {
			rc = vip_row_clear(w, c->id);
			/* Their meta names the VIP by id. */
			for (size_t j = 0; !rc && j < v->nr_backends; j++)
				rc = be_meta_write(w, v, &v->backends[j]);
			if (rc)
				return rc;
		}
		if (!c)
			w->log->vip[w->at[i]] |= DONE_ADDED;
		else if (moved || c->mode != v->mode ||
			 strcmp(c->name, v->name) ||
			 !health_same(&c->health, &v->health) ||
			 w->log->slots_written != before)
			w->log->vip[w->at[i]] |= DONE_CHANGED;
	}

	/* 4. Backends that left the rings: drain/down after the rings. */
	for (size_t i = 0; i < want->nr_vips; i++) {
		struct lb_vip *v = &want->vips[i];

		for (size_t j = 0; j < v->nr_backends; j++) {
			struct lb_backend *b = &v->backends[j];
			__u8 eff = lb_backend_effective(b);

			if (b->cur_state == eff || eff == XR_BE_ACTIVE)
				continue;
			rc = be_write(w, v, b);
			if (rc)
				return rc;
			b->cur_state = eff;
		}
	}

	/* 5. Backends that went, and orphans: gen 0, connections miss. */
	for (__u32 id = 1; id < m->max_backends; id++) {
		if (!s->be[id].gen || backend_in(want, id))
			continue;
		rc = be_free(w, s, want, id);
		if (rc)
			return rc;
	}
	/* 6. Switches of what is gone off. */
	return conf_write(w, &conf_want);
}
