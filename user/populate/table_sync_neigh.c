// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Converging the neighbour map (table mode); see table_sync.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "fib_fmt.h"
#include "log.h"
#include "table_sync.h"

/* Neighbours: a hash map, where every update is atomic. */

static void log_neigh(const char *what, const struct xr_neigh_key *k,
		      const __u8 *mac)
{
	char a[FIB_FMT_LEN], m[18];

	if (!log_verbose_enabled())
		return;
	fib_fmt_addr(k->family, k->addr, a, sizeof(a));
	if (mac)
		log_verbose("neigh %s %s ifindex %u lladdr %s", what, a,
			    k->ifindex, fib_fmt_mac(mac, m, sizeof(m)));
	else
		log_verbose("neigh %s %s ifindex %u", what, a, k->ifindex);
}

int table_sync_neigh_one(struct table_sync *s, const struct xr_neigh_key *k,
			 const __u8 *mac, struct sync_stats *st)
{
	struct xr_neigh *cur = htab_find(&s->neigh, k), val = {};
	int err;

	if (!mac) {
		if (!cur)
			return 0;
		err = bpf_map_delete_elem(s->neigh_fd, k);
		if (err && err != -ENOENT)
			return err;
		htab_delete(&s->neigh, k);
		st->neigh.removed++;
		log_neigh("del", k, NULL);
		return 0;
	}
	if (cur && !memcmp(cur->mac, mac, 6))
		return 0;
	if (!cur && s->neigh.n >= s->max_neigh)
		return -E2BIG;
	memcpy(val.mac, mac, 6);
	err = bpf_map_update_elem(s->neigh_fd, k, &val, BPF_ANY);
	if (err)
		return err;
	log_neigh(cur ? "change" : "add", k, mac);
	if (cur)
		st->neigh.changed++;
	else
		st->neigh.added++;
	cur = htab_upsert(&s->neigh, k, NULL);
	if (!cur)
		return -ENOMEM;
	*cur = val;
	return 0;
}

int table_sync_neigh_all(struct table_sync *s, const struct htab *want,
			 struct sync_stats *st)
{
	struct xr_neigh_key *k, *gone = NULL;
	size_t it = 0, ngone = 0, cap = 0;
	struct xr_neigh *v;
	int err = 0;

	if (want->n > s->max_neigh) {
		log_error("%zu neighbours do not fit %s (max %u; "
			  "XR_MAX_NEIGH in maps/xdp_router_types.h)", want->n,
			  XR_MAP_NEIGH, s->max_neigh);
		return -E2BIG;
	}
	/* Vanished ones first: the map may be too full for both. */
	while (htab_next(&s->neigh, &it, (void **)&k, NULL)) {
		if (htab_find(want, k))
			continue;
		if (ngone == cap) {
			struct xr_neigh_key *tmp;

			cap = cap ? 2 * cap : 256;
			tmp = realloc(gone, cap * sizeof(*tmp));
			if (!tmp) {
				free(gone);
				return -ENOMEM;
			}
			gone = tmp;
		}
		gone[ngone++] = *k;
	}
	for (size_t i = 0; !err && i < ngone; i++)
		err = table_sync_neigh_one(s, &gone[i], NULL, st);
	free(gone);
	it = 0;
	while (!err && htab_next(want, &it, (void **)&k, (void **)&v))
		err = table_sync_neigh_one(s, k, v->mac, st);
	if (err)
		log_error("cannot write %s: %s", XR_MAP_NEIGH,
			  log_strerror(err));
	return err;
}
