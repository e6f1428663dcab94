// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A desired configuration applied to the load balancer's maps as a
 * difference, in the order of writes described in lb_state.h: the rounds,
 * each round's plan, and the summary. Ids are assigned in lb_apply_ids.c,
 * the maps written in lb_apply_write.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lb_neigh.h"
#include "lb_state.h"
#include "lb_state_priv.h"
#include "log.h"


__attribute__((format(printf, 3, 4)))
int plan_error(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -ENOSPC;
}

const __u8 zero_mac[6];

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
