// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* populate's engine; see populate.h. */
#include <errno.h>
#include <string.h>
#include <netlink/socket.h>
#include "fib_desired.h"
#include "fib_fmt.h"
#include "log.h"
#include "nl_snapshot.h"
#include "output.h"
#include "populate.h"

int populate_open(struct populate *p, struct router *r, __u32 table,
		  bool wide_to_kernel)
{
	int err;

	memset(p, 0, sizeof(*p));
	p->r = r;
	p->table = table;
	p->wide_to_kernel = wide_to_kernel;
	fib_model_init(&p->model, table);
	p->dump_sk = nl_dump_socket();
	if (!p->dump_sk)
		return -ENOMEM;
	err = table_sync_open(&p->sync, r);
	if (err) {
		nl_socket_free(p->dump_sk);
		p->dump_sk = NULL;
	}
	return err;
}

void populate_close(struct populate *p)
{
	table_sync_close(&p->sync);
	fib_model_free(&p->model);
	if (p->dump_sk)
		nl_socket_free(p->dump_sk);
	p->dump_sk = NULL;
}

/* Plans @pfx; reports what cannot be planned. */
static int plan_prefix(struct populate *p, const struct fib_pfx *pfx)
{
	char buf[FIB_FMT_LEN];
	struct fib_want w;
	int err = fib_want(&p->model, pfx, &w);

	if (err == -E2BIG) {
		if (!p->wide_to_kernel) {
			log_error("route %s has %u paths; the table holds at "
				  "most %d (XR_ECMP_MAX)",
				  fib_fmt_pfx(pfx, buf, sizeof(buf)), w.paths,
				  XR_ECMP_MAX);
			return err;
		}
		log_warn("route %s has %u paths, more than %d (XR_ECMP_MAX): "
			 "left to the kernel",
			 fib_fmt_pfx(pfx, buf, sizeof(buf)), w.paths,
			 XR_ECMP_MAX);
	}
	err = table_sync_route(&p->sync, pfx, &w);
	if (err == -ENOSPC) {
		bool grp = p->sync.full &&
			   !strcmp(p->sync.full, XR_MAP_NH_GROUPS);
		const struct id_table *t = grp ? &p->sync.grp : &p->sync.nh;

		log_error("the %s needed do not fit %s (max %u, id 0 unused, "
			  "counting those being replaced; %s in "
			  "maps/xdp_router_types.h)",
			  grp ? "ECMP groups" : "nexthops",
			  grp ? XR_MAP_NH_GROUPS : XR_MAP_NEXTHOPS, t->max,
			  grp ? "XR_MAX_NH_GROUPS" : "XR_MAX_NEXTHOPS");
	} else if (err) {
		log_error("cannot plan the table: %s", log_strerror(err));
	}
	return err;
}

/* Plans every prefix of the model and the removal of all others. */
static int plan_all(struct populate *p)
{
	struct fib_pfx *pfx;
	size_t it = 0;
	int err = 0;

	/* At most one change per prefix: no reallocation midway. */
	while (!err && htab_next(&p->model.prefixes, &it, (void **)&pfx, NULL))
		err = plan_prefix(p, pfx);
	if (!err)
		err = table_sync_sweep(&p->sync);
	return err;
}

int populate_recompute(struct populate *p)
{
	int err;

	table_sync_begin(&p->sync);
	err = plan_all(p);
	if (err) {
		table_sync_abort(&p->sync);
		return err;
	}
	return table_sync_commit(&p->sync, &p->st);
}

int populate_full(struct populate *p)
{
	struct nl_dump_stats ds;
	struct fib_model fresh;
	int err;

	fib_model_init(&fresh, p->table);
	err = nl_snapshot(p->dump_sk, &fresh, &ds);
	if (err) {
		fib_model_free(&fresh);
		return err;
	}
	fib_model_free(&p->model);
	p->model = fresh;

	table_sync_begin(&p->sync);
	err = plan_all(p);
	/* Every limit is checked before the first write. */
	if (!err && p->model.neigh.n > p->sync.max_neigh) {
		log_error("%zu neighbours do not fit %s (max %u; XR_MAX_NEIGH "
			  "in maps/xdp_router_types.h)", p->model.neigh.n,
			  XR_MAP_NEIGH, p->sync.max_neigh);
		err = -E2BIG;
	}
	if (err) {
		table_sync_abort(&p->sync);
		return err;
	}
	err = table_sync_commit(&p->sync, &p->st);
	if (!err)
		err = table_sync_neigh_all(&p->sync, &p->model.neigh, &p->st);
	if (!err)
		err = populate_ifaces(p);
	return err;
}

int populate_prefixes(struct populate *p, const struct fib_pfx *pfx,
		      size_t n)
{
	int err = 0;

	table_sync_begin(&p->sync);
	for (size_t i = 0; !err && i < n; i++)
		err = plan_prefix(p, &pfx[i]);
	if (err) {
		table_sync_abort(&p->sync);
		return err;
	}
	return table_sync_commit(&p->sync, &p->st);
}

int populate_neigh(struct populate *p, const struct xr_neigh_key *k)
{
	const struct xr_neigh *n = htab_find(&p->model.neigh, k);
	int err = table_sync_neigh_one(&p->sync, k, n ? n->mac : NULL,
				       &p->st);

	if (err == -E2BIG)
		log_error("neighbours do not fit %s (max %u; XR_MAX_NEIGH in "
			  "maps/xdp_router_types.h)", XR_MAP_NEIGH,
			  p->sync.max_neigh);
	else if (err)
		log_error("cannot write %s: %s", XR_MAP_NEIGH,
			  log_strerror(err));
	return err;
}

static void report_counts(const char *key, const char *text,
			  const struct sync_counts *c, bool changed)
{
	out_open_object(key);
	out_text("%s", text);
	out_uint(PRINT_ANY, "added", " +%llu", c->added);
	if (changed)
		out_uint(PRINT_ANY, "changed", " ~%llu", c->changed);
	out_uint(PRINT_ANY, "removed", " -%llu", c->removed);
	out_close_object();
}

void populate_report(struct populate *p, const char *event, double secs)
{
	const struct table_sync *s = &p->sync;

	out_open_object(NULL);
	if (event)
		out_string(PRINT_ANY, "event", "%s: ", event);
	out_uint(PRINT_ANY, "routes_v4", "%llu IPv4", table_sync_nroutes(s, 0));
	out_uint(PRINT_ANY, "routes_v6", " + %llu IPv6 routes",
		 table_sync_nroutes(s, 1));
	out_uint(PRINT_ANY, "nexthops", ", %llu nexthops", s->nh.in_use);
	out_uint(PRINT_ANY, "groups", ", %llu ECMP groups", s->grp.in_use);
	out_uint(PRINT_ANY, "neighbours", ", %llu neighbours", s->neigh.n);
	if (s->has_dir) {
		out_open_object("dir_groups_v4");
		out_uint(PRINT_ANY, "used", ", /24 groups %llu",
			 dir24_groups_used(&s->dir));
		out_uint(PRINT_ANY, "max", " of %llu", s->dir.ngroups);
		out_close_object();
	}
	out_float(PRINT_JSON, "seconds", NULL, secs);
	out_float(PRINT_FP, NULL, " in %.1f ms\n", secs * 1e3);
	out_open_object("changes");
	report_counts("routes", "  routes", &p->st.routes, true);
	report_counts("nexthops", ", nexthops", &p->st.nexthops, false);
	report_counts("groups", ", groups", &p->st.groups, false);
	report_counts("neighbours", ", neighbours", &p->st.neigh, true);
	out_uint(PRINT_ANY, "interfaces", ", interfaces %llu\n",
		 p->ifaces_updated);
	out_close_object();
	out_close_object();
	out_flush();
	memset(&p->st, 0, sizeof(p->st));
	p->ifaces_updated = 0;
}
