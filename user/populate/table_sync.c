// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Converging the table-mode maps; see table_sync.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include "fib_fmt.h"
#include "log.h"
#include "map_batch.h"
#include "table_sync.h"

static const char *const routes_map[2] = { XR_MAP_ROUTES_V4,
					    XR_MAP_ROUTES_V6 };
static const char *const routes_flag[2] = { "--max-routes-v4",
					     "--max-routes-v6" };
static const char *const fam_name[2] = { "IPv4", "IPv6" };

/* LPM keys: prefix length, then the address. */
static size_t lpm_key_size(int f)
{
	return f ? sizeof(struct xr_lpm_v6) : sizeof(struct xr_lpm_v4);
}

static void lpm_key(const struct fib_pfx *p, void *key)
{
	__u32 plen = p->plen;

	memcpy(key, &plen, sizeof(plen));
	memcpy((__u8 *)key + sizeof(plen), p->addr, fib_addr_len(p->family));
}

static void lpm_pfx(int f, const void *key, struct fib_pfx *p)
{
	__u32 plen;

	memset(p, 0, sizeof(*p));
	memcpy(&plen, key, sizeof(plen));
	p->family = f ? AF_INET6 : AF_INET;
	p->plen = plen > fib_addr_len(p->family) * 8 ? 0 : plen;
	memcpy(p->addr, (const __u8 *)key + sizeof(plen),
	       fib_addr_len(p->family));
	fib_pfx_mask(p);
}

struct route_load_ctx {
	struct table_sync *s;
	int f;
};

static int load_route(void *ctx, const void *key, const void *val)
{
	struct route_load_ctx *c = ctx;
	struct table_sync *s = c->s;
	struct route_mirror *m;
	struct fib_pfx p;
	bool ok = true;

	lpm_pfx(c->f, key, &p);
	m = htab_upsert(&s->routes, &p, NULL);
	if (!m)
		return -ENOMEM;
	memcpy(&m->val, val, sizeof(m->val));
	s->nroutes[c->f]++;
	if (m->val.type == XR_RT_UNICAST)
		ok = m->val.flags & XR_RT_F_GROUP
			     ? id_table_ref(&s->grp, m->val.nh)
			     : id_table_ref(&s->nh, m->val.nh);
	/*
	 * A route on a free slot (a map written by something else) holds
	 * no reference; marking it invalid gets it rewritten.
	 */
	if (!ok)
		m->val.type = XR_RT_INVALID;
	return 0;
}

static int load_neigh(void *ctx, const void *key, const void *val)
{
	struct xr_neigh *n = htab_upsert(ctx, key, NULL);

	if (!n)
		return -ENOMEM;
	memcpy(n, val, sizeof(*n));
	return 0;
}

static int load_slots(struct table_sync *s)
{
	struct xr_nexthop *nh = calloc(s->nh.max, sizeof(*nh));
	struct xr_nh_group *g = calloc(s->grp.max, sizeof(*g));
	int err = -ENOMEM;

	if (!nh || !g)
		goto out;
	err = map_batch_read_array(&s->batch, s->nexthops_fd, s->nh.max,
				   sizeof(*nh), nh);
	if (!err)
		err = map_batch_read_array(&s->batch, s->groups_fd,
					   s->grp.max, sizeof(*g), g);
	for (__u32 id = 1; !err && id < s->nh.max; id++)
		if (nh[id].ifindex)
			err = id_table_load(&s->nh, id, &nh[id]);
	for (__u32 id = 1; !err && id < s->grp.max; id++) {
		bool ok = g[id].count && g[id].count <= XR_ECMP_MAX;

		for (__u32 i = 0; ok && i < g[id].count; i++)
			ok = id_table_is(&s->nh, g[id].member[i].nh, ID_LIVE);
		if (!ok)
			continue;	/* garbage: overwritten when reused */
		for (__u32 i = 0; i < g[id].count; i++)
			id_table_ref(&s->nh, g[id].member[i].nh);
		err = id_table_load(&s->grp, id, &g[id]);
	}
out:
	free(nh);
	free(g);
	return err;
}

static void mirror_free(struct table_sync *s)
{
	htab_free(&s->routes);
	htab_free(&s->neigh);
	id_table_free(&s->nh);
	id_table_free(&s->grp);
	free(s->chg);
	s->chg = NULL;
	s->nchg = s->chg_cap = 0;
	s->nroutes[0] = s->nroutes[1] = 0;
}

static int mirror_load(struct table_sync *s)
{
	__u32 max_nh, max_grp;
	int err;

	htab_init(&s->routes, sizeof(struct fib_pfx),
		  sizeof(struct route_mirror));
	htab_init(&s->neigh, sizeof(struct xr_neigh_key),
		  sizeof(struct xr_neigh));
	err = map_max_entries(s->nexthops_fd, &max_nh) ?:
	      map_max_entries(s->groups_fd, &max_grp) ?:
	      map_max_entries(s->routes_fd[0], &s->max_routes[0]) ?:
	      map_max_entries(s->routes_fd[1], &s->max_routes[1]) ?:
	      map_max_entries(s->neigh_fd, &s->max_neigh);
	if (err)
		return err;
	err = id_table_init(&s->nh, sizeof(struct xr_nexthop), max_nh) ?:
	      id_table_init(&s->grp, sizeof(struct xr_nh_group), max_grp) ?:
	      load_slots(s);
	for (int f = 0; !err && f < 2; f++) {
		struct route_load_ctx c = { s, f };

		err = map_batch_walk(&s->batch, s->routes_fd[f],
				     lpm_key_size(f), sizeof(struct xr_route),
				     load_route, &c);
	}
	if (!err)
		err = map_batch_walk(&s->batch, s->neigh_fd,
				     sizeof(struct xr_neigh_key),
				     sizeof(struct xr_neigh), load_neigh,
				     &s->neigh);
	if (!err)
		err = id_table_load_done(&s->nh) ?:
		      id_table_load_done(&s->grp);
	return err;
}

static void log_dir_full(const struct table_sync *s)
{
	if (s->dir.full && !strcmp(s->dir.full, XR_MAP_DIR_LEAVES_V4))
		log_error("the IPv4 routes have more distinct values (type, "
			  "nexthop, MTU) than %s holds (%u)",
			  XR_MAP_DIR_LEAVES_V4, s->dir.nleaves - 1);
	else
		log_error("the IPv4 routes longer than /24 fall in more /24s "
			  "than %s holds (%u); attach the router with a larger "
			  "--max-routes-v4 (a group per %u routes)",
			  XR_MAP_DIR8_V4, s->dir.ngroups,
			  XR_DIR_GROUPS_PER_ROUTE);
}

static __u32 pfx_addr_v4(const struct fib_pfx *p)
{
	__u32 a;

	memcpy(&a, p->addr, sizeof(a));
	return ntohl(a);
}

/*
 * The DIR-24-8 table made equal to the mirrored IPv4 routes: taken as it
 * is if its last writer marked it complete, unless @resync.
 */
static int dir_load(struct table_sync *s, bool resync)
{
	struct dir24_route *v = calloc(s->nroutes[0] ?: 1, sizeof(*v));
	struct route_mirror *m;
	struct fib_pfx *p;
	size_t n = 0;
	int err;

	if (!s->has_dir)
		return 0;
	if (!v)
		return -ENOMEM;
	for (size_t it = 0; htab_next(&s->routes, &it, (void **)&p,
				      (void **)&m);) {
		if (p->family != AF_INET || n == s->nroutes[0])
			continue;
		v[n].addr = pfx_addr_v4(p);
		v[n].plen = p->plen;
		v[n].rt = m->val;
		n++;
	}
	err = resync ? dir24_sync(&s->dir, v, n) : dir24_resume(&s->dir, v, n);
	if (err == -ESTALE) {
		log_verbose("%s not marked complete: rebuilding it",
			    XR_MAP_DIR24_V4);
		err = dir24_sync(&s->dir, v, n);
	}
	free(v);
	if (err == -ENOSPC)
		log_dir_full(s);
	else if (err)
		log_error("cannot write %s: %s", XR_MAP_DIR24_V4,
			  log_strerror(err));
	return err;
}

/*
 * Maps the DIR-24-8 table. A router attached in fib mode has one-entry
 * placeholders it never reads: nothing to keep up then.
 */
static int dir_open(struct table_sync *s, const struct router *r)
{
	int err = dir24_open(&s->dir, r->dir24_v4_fd, r->dir8_v4_fd,
			     r->dir_leaves_v4_fd);

	if (err == -EINVAL) {
		log_verbose("%s is a placeholder (fib mode): not written",
			    XR_MAP_DIR24_V4);
		return 0;
	}
	if (err) {
		log_error("cannot map %s: %s", XR_MAP_DIR24_V4,
			  log_strerror(err));
		return err;
	}
	s->has_dir = true;
	return dir_load(s, false);
}

int table_sync_open(struct table_sync *s, const struct router *r)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->routes_fd[0] = r->routes_v4_fd;
	s->routes_fd[1] = r->routes_v6_fd;
	s->nexthops_fd = r->nexthops_fd;
	s->groups_fd = r->nh_groups_fd;
	s->neigh_fd = r->neigh_fd;
	err = mirror_load(s);
	if (err) {
		log_error("cannot read the table maps at %s: %s", r->pin_path,
			  log_strerror(err));
		mirror_free(s);
		return err;
	}
	err = dir_open(s, r);
	if (err)
		table_sync_close(s);
	return err;
}

void table_sync_close(struct table_sync *s)
{
	mirror_free(s);
	if (s->has_dir)
		dir24_close(&s->dir);
	s->has_dir = false;
}

/* Reloads the mirror from the maps (after a failed write). */
static int table_sync_reload(struct table_sync *s)
{
	int err;

	mirror_free(s);
	err = mirror_load(s);
	if (err)
		log_error("cannot read the table maps: %s",
			  log_strerror(err));
	return err ?: dir_load(s, true);
}

/* Planning. */

void table_sync_begin(struct table_sync *s)
{
	s->nchg = 0;
	s->gen++;
	s->adds[0] = s->adds[1] = s->dels[0] = s->dels[1] = 0;
	s->full = NULL;
}

static void release_group_members(struct table_sync *s,
				  const struct xr_nh_group *g)
{
	for (__u32 i = 0; i < g->count && i < XR_ECMP_MAX; i++)
		id_table_release(&s->nh, g->member[i].nh);
}

/* Drops the references a route value holds. */
static void release_value(struct table_sync *s, const struct xr_route *v)
{
	if (v->type != XR_RT_UNICAST)
		return;
	if (v->flags & XR_RT_F_GROUP) {
		struct xr_nh_group g;

		if (!id_table_is(&s->grp, v->nh, ID_PENDING) &&
		    !id_table_is(&s->grp, v->nh, ID_LIVE))
			return;
		memcpy(&g, id_table_val(&s->grp, v->nh), sizeof(g));
		/* A LIVE group lets go of its members when it is zeroed. */
		if (id_table_release(&s->grp, v->nh) == ID_FREED)
			release_group_members(s, &g);
	} else {
		id_table_release(&s->nh, v->nh);
	}
}

/* The route value for @w, holding references on its nexthop or group. */
static int acquire_value(struct table_sync *s, const struct fib_want *w,
			 struct xr_route *out)
{
	__u32 ids[XR_ECMP_MAX];
	struct xr_nh_group g;
	bool created;
	int err = 0;

	memset(out, 0, sizeof(*out));
	out->type = w->type;
	out->mtu = w->mtu;
	if (w->type != XR_RT_UNICAST)
		return 0;
	for (unsigned int i = 0; i < w->n && !err; i++) {
		err = id_table_acquire(&s->nh, &w->nh[i], &ids[i], &created);
		if (err) {
			while (i--)
				id_table_release(&s->nh, ids[i]);
			s->full = err == -ENOSPC ? XR_MAP_NEXTHOPS : NULL;
			return err;
		}
	}
	if (w->n == 1) {
		out->nh = ids[0];
		return 0;
	}
	memset(&g, 0, sizeof(g));
	g.count = w->n;
	for (unsigned int i = 0; i < w->n; i++) {
		g.member[i].nh = ids[i];
		g.member[i].upper = w->upper[i];
	}
	err = id_table_acquire(&s->grp, &g, &out->nh, &created);
	/* A new group keeps the member references; a known one has its own. */
	if (err || !created)
		release_group_members(s, &g);
	if (err) {
		s->full = err == -ENOSPC ? XR_MAP_NH_GROUPS : NULL;
		return err;
	}
	out->flags = XR_RT_F_GROUP;
	return 0;
}

static int chg_push(struct table_sync *s, const struct route_chg *c)
{
	if (s->nchg == s->chg_cap) {
		size_t cap = s->chg_cap ? 2 * s->chg_cap : 1024;
		struct route_chg *chg = realloc(s->chg, cap * sizeof(*chg));

		if (!chg)
			return -ENOMEM;
		s->chg = chg;
		s->chg_cap = cap;
	}
	s->chg[s->nchg++] = *c;
	return 0;
}

int table_sync_route(struct table_sync *s, const struct fib_pfx *p,
		     const struct fib_want *w)
{
	struct route_mirror *m = htab_find(&s->routes, p);
	int f = fib_fam_idx(p->family);
	struct route_chg c = { .pfx = *p };
	int err;

	if (m)
		m->gen = s->gen;
	if (w->type == XR_RT_INVALID) {
		if (!m)
			return 0;
		c.op = ROUTE_DEL;
		c.old = m->val;
		s->dels[f]++;
		return chg_push(s, &c);
	}
	err = acquire_value(s, w, &c.val);
	if (err)
		return err;
	if (m && !memcmp(&m->val, &c.val, sizeof(c.val))) {
		release_value(s, &c.val);	/* already so */
		return 0;
	}
	c.op = m ? ROUTE_CHANGE : ROUTE_ADD;
	if (m)
		c.old = m->val;
	else
		s->adds[f]++;
	err = chg_push(s, &c);
	if (err)
		release_value(s, &c.val);
	return err;
}

int table_sync_sweep(struct table_sync *s)
{
	struct route_mirror *m;
	struct fib_pfx *p;
	size_t it = 0;

	while (htab_next(&s->routes, &it, (void **)&p, (void **)&m)) {
		struct route_chg c = { .pfx = *p, .op = ROUTE_DEL,
				       .old = m->val };
		int err;

		if (m->gen == s->gen)
			continue;
		err = chg_push(s, &c);
		if (err)
			return err;
		s->dels[fib_fam_idx(p->family)]++;
	}
	return 0;
}

void table_sync_abort(struct table_sync *s)
{
	for (size_t i = 0; i < s->nchg; i++)
		if (s->chg[i].op != ROUTE_DEL)
			release_value(s, &s->chg[i].val);
	s->nchg = 0;
	s->nh.pending.n = 0;
	s->grp.pending.n = 0;
}

/* Writing. */

static int write_slots(struct table_sync *s, struct id_table *t, int fd,
		       size_t *added, const char *what)
{
	char buf[FIB_FMT_LEN];

	for (size_t i = 0; i < t->pending.n; i++) {
		__u32 id = t->pending.ids[i];
		int err;

		if (!id_table_is(t, id, ID_PENDING))
			continue;
		err = bpf_map_update_elem(fd, &id, id_table_val(t, id),
					  BPF_ANY);
		if (err)
			return err;
		id_table_written(t, id);
		(*added)++;
		if (t == &s->nh)
			log_verbose("nexthop add %u: %s", id,
				    fib_fmt_nexthop(id_table_val(t, id), buf,
						    sizeof(buf)));
		else
			log_verbose("%s add %u", what, id);
	}
	t->pending.n = 0;
	return 0;
}

static void log_route(const struct route_chg *c)
{
	char p[FIB_FMT_LEN], a[FIB_FMT_LEN], b[FIB_FMT_LEN];

	if (!log_verbose_enabled())
		return;
	fib_fmt_pfx(&c->pfx, p, sizeof(p));
	if (c->op == ROUTE_ADD)
		log_verbose("route add %s: %s", p,
			    fib_fmt_route(&c->val, a, sizeof(a)));
	else if (c->op == ROUTE_CHANGE)
		log_verbose("route change %s: %s -> %s", p,
			    fib_fmt_route(&c->old, a, sizeof(a)),
			    fib_fmt_route(&c->val, b, sizeof(b)));
	else
		log_verbose("route del %s", p);
}

/* Writes the changes of family @f: updates (@del false) or deletions. */
static int write_routes(struct table_sync *s, int f, bool del)
{
	size_t ksz = lpm_key_size(f), n = 0;
	__u8 *keys = malloc(MAP_BATCH_SIZE * ksz);
	struct xr_route *vals = malloc(MAP_BATCH_SIZE * sizeof(*vals));
	int err = keys && vals ? 0 : -ENOMEM;

	for (size_t i = 0; !err && i <= s->nchg; i++) {
		const struct route_chg *c = i < s->nchg ? &s->chg[i] : NULL;

		if (c && (fib_fam_idx(c->pfx.family) != f ||
			  (c->op == ROUTE_DEL) != del))
			continue;
		if (c) {
			lpm_key(&c->pfx, keys + n * ksz);
			vals[n++] = c->val;
			log_route(c);
		}
		if (n == MAP_BATCH_SIZE || (!c && n)) {
			int fd = s->routes_fd[f];

			err = del ? map_batch_delete(&s->batch, fd, keys, n,
						     ksz)
				  : map_batch_update(&s->batch, fd, keys, vals,
						     n, ksz, sizeof(*vals));
			n = 0;
		}
	}
	free(keys);
	free(vals);
	return err;
}

/* Zeroes the slots nothing references any more: groups first. */
static void zero_unused(struct table_sync *s, struct sync_stats *st)
{
	static const struct xr_nh_group zero_grp;
	static const struct xr_nexthop zero_nh;

	for (size_t i = 0; i < s->grp.unref.n; i++) {
		__u32 id = s->grp.unref.ids[i];
		struct xr_nh_group g;

		if (!id_table_unused(&s->grp, id))
			continue;
		memcpy(&g, id_table_val(&s->grp, id), sizeof(g));
		if (bpf_map_update_elem(s->groups_fd, &id, &zero_grp,
					BPF_ANY))
			continue;	/* stays: garbage at the next reload */
		id_table_zeroed(&s->grp, id);
		release_group_members(s, &g);
		st->groups.removed++;
		log_verbose("group del %u", id);
	}
	s->grp.unref.n = 0;
	for (size_t i = 0; i < s->nh.unref.n; i++) {
		__u32 id = s->nh.unref.ids[i];

		if (!id_table_unused(&s->nh, id) ||
		    bpf_map_update_elem(s->nexthops_fd, &id, &zero_nh,
					BPF_ANY))
			continue;
		id_table_zeroed(&s->nh, id);
		st->nexthops.removed++;
		log_verbose("nexthop del %u", id);
	}
	s->nh.unref.n = 0;
}

/* Whether the IPv4 inserts and changes fit the DIR-24-8 table. */
static int check_dir_capacity(struct table_sync *s)
{
	int err = 0;

	if (!s->has_dir)
		return 0;
	dir24_plan_begin(&s->dir);
	for (size_t i = 0; !err && i < s->nchg; i++) {
		const struct route_chg *c = &s->chg[i];

		if (c->pfx.family == AF_INET && c->op != ROUTE_DEL)
			err = dir24_plan_add(&s->dir, pfx_addr_v4(&c->pfx),
					     c->pfx.plen, &c->val);
	}
	err = err ?: dir24_plan_check(&s->dir);
	if (err == -ENOSPC) {
		log_dir_full(s);
		return -E2BIG;
	}
	return err;
}

/* The IPv4 changes into the DIR-24-8 table: inserts, then deletions. */
static int write_dir(struct table_sync *s)
{
	int err = s->has_dir ? dir24_reserve(&s->dir, s->adds[0]) : 0;

	for (int del = 0; s->has_dir && del < 2; del++) {
		for (size_t i = 0; !err && i < s->nchg; i++) {
			const struct route_chg *c = &s->chg[i];
			__u32 a = pfx_addr_v4(&c->pfx);

			if (c->pfx.family != AF_INET ||
			    (c->op == ROUTE_DEL) != del)
				continue;
			err = del ? dir24_del(&s->dir, a, c->pfx.plen)
				  : dir24_set(&s->dir, a, c->pfx.plen,
					      &c->val);
			/* Not there: what the deletion wants already. */
			if (err == -ENOENT)
				err = 0;
		}
	}
	return err;
}

static int check_capacity(struct table_sync *s)
{
	for (int f = 0; f < 2; f++) {
		size_t want = s->nroutes[f] + s->adds[f] - s->dels[f];

		if (want > s->max_routes[f]) {
			log_error("%zu %s routes do not fit %s (max %u); "
				  "attach the router with %s N", want,
				  fam_name[f], routes_map[f], s->max_routes[f],
				  routes_flag[f]);
			return -E2BIG;
		}
	}
	return check_dir_capacity(s);
}

int table_sync_commit(struct table_sync *s, struct sync_stats *st)
{
	int err = check_capacity(s), dir_err = 0;

	if (err) {
		table_sync_abort(s);
		return err;
	}
	/* xr_routes_v4 is about to run ahead of the DIR-24-8 table. */
	if (s->has_dir)
		dir24_mark(&s->dir, false);
	err = write_slots(s, &s->nh, s->nexthops_fd, &st->nexthops.added,
			  "nexthop") ?:
	      write_slots(s, &s->grp, s->groups_fd, &st->groups.added,
			  "group");
	for (int f = 0; !err && f < 2; f++) {
		/*
		 * Inserts before deletions, so that a prefix replaced by
		 * others is never missing; unless the trie cannot hold both
		 * at once, where the vanished routes (gone from the kernel
		 * already) go first.
		 */
		bool tight = s->nroutes[f] + s->adds[f] > s->max_routes[f];

		err = write_routes(s, f, tight) ?: write_routes(s, f, !tight);
		if (!err && f == 0)
			dir_err = write_dir(s);
	}
	if (err) {
		log_error("cannot write the table maps: %s; they hold a mix of "
			  "old and new routes, all valid", log_strerror(err));
		table_sync_reload(s);
		return err;
	}
	/* A first run adds a whole table: grown once, not doubling. */
	if (htab_reserve(&s->routes, s->routes.n + s->adds[0] + s->adds[1])) {
		table_sync_reload(s);
		return -ENOMEM;
	}
	for (size_t i = 0; i < s->nchg; i++) {
		const struct route_chg *c = &s->chg[i];
		int f = fib_fam_idx(c->pfx.family);
		struct route_mirror *m;

		if (c->op == ROUTE_DEL) {
			htab_delete(&s->routes, &c->pfx);
			s->nroutes[f]--;
			st->routes.removed++;
		} else {
			m = htab_upsert(&s->routes, &c->pfx, NULL);
			if (!m) {	/* the mirror is lost, not the maps */
				table_sync_reload(s);
				return -ENOMEM;
			}
			m->val = c->val;
			m->gen = s->gen;
			if (c->op == ROUTE_ADD) {
				s->nroutes[f]++;
				st->routes.added++;
			} else {
				st->routes.changed++;
			}
		}
		if (c->op != ROUTE_ADD)
			release_value(s, &c->old);
	}
	s->nchg = 0;
	/* The DIR-24-8 table is rebuilt from the mirror rather than trusted;
	 * until then it holds old and new routes, all valid. */
	if (dir_err) {
		log_error("cannot write %s: %s; rebuilding it",
			  XR_MAP_DIR24_V4, log_strerror(dir_err));
		err = dir_load(s, true);
		if (err)
			return err;
	} else if (s->has_dir) {
		dir24_mark(&s->dir, true);
	}
	zero_unused(s, st);
	return 0;
}
