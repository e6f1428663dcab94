// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A desired configuration applied to the load balancer's maps as a
 * difference, in the order of writes described in lb_state.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include "lb_ids.h"
#include "lb_neigh.h"
#include "lb_state.h"
#include "lb_state_priv.h"
#include "log.h"


__attribute__((format(printf, 3, 4)))
static int plan_error(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -ENOSPC;
}

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
	memset(bm, 0, sizeof(*bm));
	bm->vip = v->id;
	bm->gen = b->gen;
	bm->weight = b->weight;
	bm->state = b->state;
	bm->flags = XR_LB_BM_USED |
		    (b->health_down ? XR_LB_BM_HEALTH_DOWN : 0);
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

static const __u8 zero_mac[6];

/*
 * What an apply did to each entry of the configuration, over all its rounds:
 * the summary counts entries, not writes (an entry that moves twice, or is
 * added then moved, is counted once).
 */
enum { DONE_ADDED = 1, DONE_CHANGED = 2 };

struct apply_log {
	__u8 *vip;		/* [want->nr_vips] */
	__u8 *be;		/* [backends of want, VIP by VIP] */
	size_t *be_base;	/* [want->nr_vips]: a VIP's first in @be */
	unsigned int vips_removed, backends_removed, slots_written;
};

/* MACs: required for active backends without one, refreshed for others. */
static int resolve_macs(const struct lb_maps *m, struct lb_config *want,
			const struct lb_config *cur,
			const struct lb_apply_opts *opts, char *err,
			size_t len)
{
	struct lb_neigh_req *reqs;
	struct lb_backend **who;
	size_t n = 0, total = 0;
	int rc;

	for (size_t i = 0; i < want->nr_vips; i++)
		total += want->vips[i].nr_backends;
	if (!total)
		return 0;
	reqs = calloc(total, sizeof(*reqs));
	who = calloc(total, sizeof(*who));
	if (!reqs || !who) {
		free(reqs);
		free(who);
		return -ENOMEM;
	}
	for (size_t i = 0; i < want->nr_vips; i++) {
		struct lb_vip *v = &want->vips[i];

		for (size_t j = 0; j < v->nr_backends; j++) {
			struct lb_backend *b = &v->backends[j];

			reqs[n].addr = b->addr;
			reqs[n].resolve =
				lb_backend_effective(b) == XR_BE_ACTIVE &&
				!memcmp(b->mac, zero_mac, 6);
			who[n++] = b;
		}
	}
	rc = lb_neigh_resolve(reqs, n, m->ifindexes, m->nr_ifindexes,
			      opts->resolve_timeout_ms);
	if (rc) {
		snprintf(err, len, "cannot read the neighbour table: %s",
			 log_strerror(rc));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (!reqs[i].err) {
			memcpy(who[i]->mac, reqs[i].mac, 6);
			continue;
		}
		if (!reqs[i].resolve)
			continue;	/* keep what we had */
		for (size_t k = 0; k < want->nr_vips; k++) {
			struct lb_vip *v = &want->vips[k];

			if (who[i] >= v->backends &&
			    who[i] < v->backends + v->nr_backends) {
				snprintf(err, len, "VIP '%s': %s", v->name,
					 reqs[i].msg);
				break;
			}
		}
		rc = -EHOSTUNREACH;
		goto out;
	}
out:
	free(reqs);
	free(who);
	return rc;
}

/* A free id: not @busy, not anyone's canonical one; @max if none. */
static __u32 pick_spare(const bool *busy, const bool *target, __u32 first,
			__u32 max)
{
	for (__u32 id = first; id < max; id++)
		if (!busy[id] && !target[id])
			return id;
	return max;
}

/* A free id, a spare one if there is one; @max if none. */
static __u32 pick_free(const bool *busy, const bool *target, __u32 first,
		       __u32 max)
{
	__u32 id = pick_spare(busy, target, first, max);

	for (id = id < max ? id : first; id < max && busy[id]; id++)
		;
	return id;
}

/*
 * Where one entry (VIP or backend) goes in this round, given its canonical
 * id @want and its current one @cur (@none: new). Pass 1 (@late false):
 * to @want if that is free. Pass 2, for the others: an existing entry
 * stays, unless it sits on someone's canonical id and a spare one is free
 * (so that chains and cycles of displaced entries unwind); a new one takes
 * a free id. Returns @none if it has to wait for pass 2 or nothing is free.
 */
static __u32 place_entry(__u32 want, __u32 cur, __u32 none, bool late,
			 bool *busy, const bool *target, __u32 first,
			 __u32 max)
{
	__u32 id = none;

	if (!late) {
		if (cur == want || !busy[want])
			id = want;
	} else if (cur != none) {
		id = target[cur] ? pick_spare(busy, target, first, max) : max;
		if (id == max)
			id = cur;
	} else {
		id = pick_free(busy, target, first, max);
		if (id == max)
			id = none;
	}
	if (id != none)
		busy[id] = true;
	return id;
}

/*
 * Ids (lb_ids.h): each VIP and backend goes to its canonical id if that id
 * is free in the maps now, else waits where it is (or on a spare id) for a
 * later round. The id of a backend removed by this apply is still busy
 * during it (the rings name it until they are rewritten); the row of a
 * removed VIP is not (it is cleared first). A new VIP that finds every row
 * busy gets ~0U: it waits for a later round, left out of this one. Gens
 * are canonical. *@settled: every id is canonical; *@moved: some entry
 * changes id.
 */
static int assign_ids(const struct lb_maps *m, struct snapshot *s,
		      struct lb_config *want, bool *settled, bool *moved,
		      char *err, size_t len)
{
	size_t nb = 0, k;
	__u32 max_vips = m->max_vips ? m->max_vips : 1;
	bool *vip_busy = calloc(max_vips, 1), *vip_target = calloc(max_vips, 1);
	bool *be_busy = calloc(m->max_backends, 1);
	bool *be_target = calloc(m->max_backends, 1);
	__u32 *cv = calloc(want->nr_vips + 1, sizeof(*cv)), *cb;
	__u32 *vcur = calloc(want->nr_vips + 1, sizeof(*vcur)), *bcur;
	int rc = 0;

	for (size_t i = 0; i < want->nr_vips; i++)
		nb += want->vips[i].nr_backends;
	cb = calloc(nb + 1, sizeof(*cb));
	bcur = calloc(nb + 1, sizeof(*bcur));
	if (!vip_busy || !vip_target || !be_busy || !be_target || !cv ||
	    !cb || !vcur || !bcur) {
		rc = -ENOMEM;
		goto out;
	}
	rc = lb_ids_canonical(want, m->max_vips, m->max_backends, cv, cb);
	if (rc == -ENOSPC) {
		if (want->nr_vips > m->max_vips)
			rc = plan_error(err, len, "%zu VIPs: no room: the "
					"router holds at most %u VIPs (attach "
					"--lb-max-vips)", want->nr_vips,
					m->max_vips);
		else
			rc = plan_error(err, len, "%zu backends: no room: "
					"the router holds at most %u", nb,
					m->max_backends - 1);
	}
	if (rc)
		goto out;
	/* Rows of VIPs that go are cleared first (write order 1): free. */
	for (size_t i = 0; i < s->cfg.nr_vips; i++)
		if (lb_config_find_vip(want, &s->cfg.vips[i]))
			vip_busy[s->cfg.vips[i].id] = true;
	for (size_t i = 0; i < want->nr_vips; i++)
		vip_target[cv[i]] = true;
	/* Anything the data plane may still name is busy, orphans too. */
	be_busy[0] = true;
	for (__u32 id = 1; id < m->max_backends; id++)
		be_busy[id] = s->be[id].gen != 0;
	for (size_t i = 0; i < nb; i++)
		be_target[cb[i]] = true;

	/* What each entry is now; run-time fields from the maps. */
	k = 0;
	for (size_t i = 0; i < want->nr_vips; i++) {
		struct lb_vip *v = &want->vips[i];
		struct lb_vip *c = lb_config_find_vip(&s->cfg, v);

		vcur[i] = c ? c->id : ~0U;
		v->id = ~0U;
		for (size_t j = 0; j < v->nr_backends; j++, k++) {
			struct lb_backend *b = &v->backends[j];
			struct lb_backend *o =
				c ? lb_vip_find_backend(c, &b->addr,
							lb_backend_port(v, b))
				  : NULL;

			if (o && o->port != b->port)
				o = NULL;
			bcur[k] = o ? o->id : 0;
			b->id = 0;
			b->gen = lb_backend_gen(v, b);
			b->cur_state = o ? o->cur_state : 0xff;
			if (o && !memcmp(b->mac, zero_mac, 6))
				memcpy(b->mac, o->mac, 6);
		}
	}
	*settled = true;
	*moved = false;
	for (int late = 0; late < 2; late++) {
		k = 0;
		for (size_t i = 0; i < want->nr_vips; i++) {
			struct lb_vip *v = &want->vips[i];

			if (v->id == ~0U)
				v->id = place_entry(cv[i], vcur[i], ~0U, late,
						    vip_busy, vip_target, 0,
						    m->max_vips);
			if (late && v->id == ~0U) {
				/* New, and every row busy: next round. */
				k += v->nr_backends;
				continue;
			}
			for (size_t j = 0; j < v->nr_backends; j++, k++) {
				struct lb_backend *b = &v->backends[j];

				if (!b->id)
					b->id = place_entry(cb[k], bcur[k], 0,
							    late, be_busy,
							    be_target, 1,
							    m->max_backends);
				if (late && !b->id) {
					rc = plan_error(err, len, "VIP '%s': "
							"no free backend id "
							"(ids of backends "
							"removed now are free "
							"after this apply: "
							"apply again)",
							v->name);
					goto out;
				}
			}
		}
	}
	k = 0;
	for (size_t i = 0; i < want->nr_vips; i++) {
		struct lb_vip *v = &want->vips[i];

		*settled &= v->id == cv[i];
		*moved |= v->id != vcur[i];
		for (size_t j = 0; j < v->nr_backends; j++, k++) {
			struct lb_backend *b = &v->backends[j];

			if (v->id == ~0U) {
				b->id = 0;	/* with its VIP, later */
				continue;
			}
			*settled &= b->id == cb[k];
			*moved |= b->id != bcur[k];
			if (b->id != bcur[k])
				b->cur_state = 0xff;	/* a new entry */
		}
	}
out:
	free(vip_busy);
	free(vip_target);
	free(be_busy);
	free(be_target);
	free(cv);
	free(cb);
	free(vcur);
	free(bcur);
	return rc;
}

struct writer {
	const struct lb_maps *m;
	bool dry;		/* count what would be written, write nothing */
	struct apply_log *log;
	const size_t *at;	/* [i]: index in the whole configuration of
				 * this round's VIP i (see plan_of()) */
	char *err;
	size_t len;
	__u32 *cur_ring;	/* scratch */
	__u32 *keys;		/* scratch */
	__u32 *vals;		/* scratch */
};

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
	rc = w->dry ? 0 : lb_array_write(w->m->rings, w->keys, w->vals, n,
					  sizeof(__u32));
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
	rc = w_update(w, w->m->backends, &b->id, &e);
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
	rc = w_update(w, w->m->be_meta, &b->id, &bm);
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

	rc = w_update(w, w->m->backends, &id, &zero);
	if (!rc)
		rc = w_update(w, w->m->be_meta, &id, &bm);
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

	if (w->m->conf < 0)
		return 0;
	rc = w_update(w, w->m->conf, &zero, c);
	return rc ? write_failed(w, rc, "%s", XR_MAP_LB_CONF) : 0;
}

/* xr_lb_vip_keys[id], for the data plane to go from an id to its VIP. */
static int vip_key_write(struct writer *w, __u32 id,
			 const struct xr_vip_key *k)
{
	struct xr_vip_key cur;
	int rc;

	if (w->m->vip_keys < 0)
		return 0;
	rc = bpf_map_lookup_elem(w->m->vip_keys, &id, &cur);
	if (!rc && !memcmp(&cur, k, sizeof(cur)))
		return 0;
	rc = w_update(w, w->m->vip_keys, &id, k);
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
	rc = w_update(w, w->m->vip_meta, &id, &vm);
	return rc ? write_failed(w, rc, "%s[%u]", XR_MAP_LB_VIP_META, id) : 0;
}

static int write_all(struct writer *w, struct snapshot *s,
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
		rc = w_delete(w, m->vips, &k);
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
				rc = w_zero_percpu(w, m->be_stats, b->id,
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
	if (m->conf >= 0 &&
	    bpf_map_lookup_elem(m->conf, &zero, &conf_cur))
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
			rc = w->dry ? 0 : lb_percpu_copy(m, m->vip_stats,
							 c->id, v->id,
							 sizeof(struct xr_vip_stats));
			if (rc)
				return write_failed(w, rc, "%s[%u]",
						    XR_MAP_LB_VIP_STATS, v->id);
		} else if (!c) {
			rc = w_zero_percpu(w, m->vip_stats, v->id,
					 sizeof(struct xr_vip_stats));
			if (rc)
				return write_failed(w, rc, "%s[%u]",
						    XR_MAP_LB_VIP_STATS, v->id);
		}
		if (!c || moved || strcmp(c->name, v->name) ||
		    !health_same(&c->health, &v->health)) {
			vip_meta(v, &vm);
			rc = w_update(w, m->vip_meta, &v->id, &vm);
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
			rc = w_update(w, m->vips, &k, &xv);
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

/*
 * What this round writes: @want without the VIPs that wait for a row
 * (assign_ids), in @view (VIPs copied, backends shared); @at[i]: the index
 * in @want of @view's VIP i. A VIP that waits is logged as added with its
 * backends (what a dry run reports; a real apply writes it in a later
 * round). If nothing moves, nothing will free a row.
 */
static int plan_of(const struct lb_config *want, struct lb_config *view,
		   size_t *at, bool moved, struct apply_log *log, char *err,
		   size_t len)
{
	view->vips = calloc(want->nr_vips + 1, sizeof(*view->vips));
	view->nr_vips = 0;
	if (!view->vips)
		return -ENOMEM;
	for (size_t i = 0; i < want->nr_vips; i++) {
		const struct lb_vip *v = &want->vips[i];

		if (v->id != ~0U) {
			at[view->nr_vips] = i;
			view->vips[view->nr_vips++] = *v;
			continue;
		}
		if (!moved)
			return plan_error(err, len, "VIP '%s': no free VIP id",
					  v->name);
		log->vip[i] |= DONE_ADDED;
		for (size_t j = 0; j < v->nr_backends; j++)
			log->be[log->be_base[i] + j] |= DONE_ADDED;
	}
	return 0;
}

/* One pass of the plan and the writes; MACs resolved if @resolve. */
static int apply_round(const struct lb_maps *m, struct lb_config *want,
		       const struct lb_apply_opts *opts, bool resolve,
		       struct apply_log *log, bool *settled, bool *moved,
		       char *err, size_t err_len)
{
	struct writer w = { .m = m, .log = log, .err = err, .len = err_len };
	struct lb_config view = {};
	int32_t *table = NULL;
	__u32 **rings = NULL;
	size_t *at = calloc(want->nr_vips + 1, sizeof(*at));
	struct snapshot s;
	int rc;

	if (!at)
		return -ENOMEM;
	rc = lb_snapshot_read(m, &s);
	if (rc) {
		snprintf(err, err_len, "cannot read the load balancer maps: %s",
			 log_strerror(rc));
		free(at);
		return rc;
	}
	rc = assign_ids(m, &s, want, settled, moved, err, err_len);
	if (!rc && resolve)
		rc = resolve_macs(m, want, &s.cfg, opts, err, err_len);
	if (!rc)
		rc = plan_of(want, &view, at, *moved, log, err, err_len);
	if (rc)
		goto out;
	want = &view;
	w.at = at;

	/* Every ring first: nothing is written if one cannot be built. */
	rings = calloc(want->nr_vips ? want->nr_vips : 1, sizeof(*rings));
	table = malloc(XR_LB_RING_SIZE * sizeof(*table));
	if (!rings || !table) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < want->nr_vips; i++) {
		struct lb_vip *v = &want->vips[i];

		rings[i] = malloc(XR_LB_RING_SIZE * sizeof(**rings));
		if (!rings[i]) {
			rc = -ENOMEM;
			goto out;
		}
		rc = lb_vip_ring(v, table);
		if (rc)
			goto out;
		for (__u32 k = 0; k < XR_LB_RING_SIZE; k++)
			rings[i][k] = table[k] >= 0 ?
					      v->backends[table[k]].id : 0;
	}
	w.dry = opts->dry_run;
	w.cur_ring = malloc(XR_LB_RING_SIZE * sizeof(__u32));
	w.keys = malloc(XR_LB_RING_SIZE * sizeof(__u32));
	w.vals = malloc(XR_LB_RING_SIZE * sizeof(__u32));
	if (!w.cur_ring || !w.keys || !w.vals) {
		rc = -ENOMEM;
		goto out;
	}
	rc = write_all(&w, &s, want, rings);
out:
	if (rc == -ENOMEM && !err[0])
		snprintf(err, err_len, "out of memory");
	if (rings)
		for (size_t i = 0; i < want->nr_vips; i++)
			free(rings[i]);
	free(rings);
	free(table);
	free(w.cur_ring);
	free(w.keys);
	free(w.vals);
	free(view.vips);
	free(at);
	lb_snapshot_free(&s);
	return rc;
}

static void log_summary(const struct lb_config *want,
			const struct apply_log *log,
			struct lb_apply_result *res)
{
	size_t k = 0;

	memset(res, 0, sizeof(*res));
	for (size_t i = 0; i < want->nr_vips; i++) {
		const struct lb_vip *v = &want->vips[i];

		res->vips_added += !!(log->vip[i] & DONE_ADDED);
		res->vips_changed += log->vip[i] == DONE_CHANGED;
		for (size_t j = 0; j < v->nr_backends; j++, k++) {
			res->backends_added += !!(log->be[k] & DONE_ADDED);
			res->backends_changed += log->be[k] == DONE_CHANGED;
		}
	}
	res->vips_removed = log->vips_removed;
	res->backends_removed = log->backends_removed;
	res->slots_written = log->slots_written;
}

/*
 * Rounds (see assign_ids()): an entry waits for its canonical id while
 * another one holds it, and takes it in the round after that one has moved
 * or gone, so a chain of n displaced entries unwinds in about n rounds. They
 * go on until every id is canonical, or a round moves nothing (a cycle with
 * no spare id to break it; or a dry run, which writes nothing).
 *
 * Each round that moves something brings the entries closer to their
 * canonical ids: with an entry's distance 0 on its canonical id, 1 on a
 * spare one, 2 on another's canonical one and 3 not in the maps, every move
 * place_entry() makes lowers it (-> canonical: to 0; pass 2: 2 -> 1, or
 * 3 -> 1 or 2), and nothing ever raises it. So the rounds end, after
 * at most 3 x entries rounds; the cap only guards that proof. A VIP that
 * waits for a row implies a move in its round (rows are busy only with
 * VIPs kept, and there are fewer of them than rows), so it is always
 * written before the rounds end: an apply never succeeds with a VIP of
 * @want missing from the maps.
 */
int lb_state_apply(const struct lb_maps *m, struct lb_config *want,
		   const struct lb_apply_opts *opts,
		   struct lb_apply_result *res, char *err, size_t err_len)
{
	struct apply_log log = {};
	bool settled = false, moved = false;
	size_t nb = 0, max_rounds;
	int rc;

	err[0] = '\0';
	for (size_t i = 0; i < want->nr_vips; i++) {
		struct lb_vip *v = &want->vips[i];

		for (size_t j = 0; j < v->nr_backends; j++)
			if (v->backends[j].port == v->port)
				v->backends[j].port = 0;
		nb += v->nr_backends;
	}
	max_rounds = 3 * (want->nr_vips + nb) + 1;
	log.vip = calloc(want->nr_vips + 1, sizeof(*log.vip));
	log.be = calloc(nb + 1, sizeof(*log.be));
	log.be_base = calloc(want->nr_vips + 1, sizeof(*log.be_base));
	if (!log.vip || !log.be || !log.be_base) {
		snprintf(err, err_len, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 1; i < want->nr_vips; i++)
		log.be_base[i] = log.be_base[i - 1] +
				 want->vips[i - 1].nr_backends;

	rc = apply_round(m, want, opts, true, &log, &settled, &moved, err,
			 err_len);
	for (size_t round = 1; !rc && !settled && moved && !opts->dry_run &&
			       round < max_rounds; round++)
		rc = apply_round(m, want, opts, false, &log, &settled, &moved,
				 err, err_len);
	if (rc)
		goto out;
	for (size_t i = 0; i < want->nr_vips && !opts->dry_run; i++) {
		if (want->vips[i].id != ~0U)
			continue;
		/* Not reached (see above); never report it applied. */
		rc = plan_error(err, err_len, "VIP '%s': no free VIP id after "
				"%zu rounds of id moves (the maps are "
				"consistent, without it: apply again)",
				want->vips[i].name, max_rounds);
		goto out;
	}
	if (!settled && !opts->dry_run)
		log_warn("load balancer ids not all canonical: the maps may "
			 "differ from another node's with the same "
			 "configuration (apply again)");
out:
	if (log.vip && log.be && log.be_base)
		log_summary(want, &log, res);
	else
		memset(res, 0, sizeof(*res));
	free(log.vip);
	free(log.be);
	free(log.be_base);
	return rc;
}
