// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Load balancer apply: which id each VIP and backend takes in a round. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lb_ids.h"
#include "lb_state.h"
#include "lb_state_priv.h"

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
int assign_ids(const struct lb_maps *m, struct snapshot *s,
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
