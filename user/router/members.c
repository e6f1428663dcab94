// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The interfaces of a router; see members.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ifmap.h"
#include "members.h"
#include "multiprog.h"

struct member_set {
	struct member *m;
	size_t n, cap;
};

struct member *members_find(struct member *members, size_t n, int ifindex)
{
	for (size_t i = 0; i < n; i++)
		if (members[i].ifc.ifindex == ifindex)
			return &members[i];
	return NULL;
}

/*
 * Whether @ifindex runs the router's program, in @mode: attached alone, or
 * in the dispatcher libxdp attached in @mode (*@dispatched).
 */
static bool runs_router(const struct router *r, int ifindex,
			const struct iface_xdp *xdp, enum xr_mode *mode,
			bool *dispatched)
{
	__u32 id;

	*dispatched = false;
	if (iface_xdp_mode_of(xdp, r->prog_id, mode))
		return true;
	/* Another program: libxdp's dispatcher, with ours in its chain? */
	if (!iface_xdp_any(xdp, &id, mode))
		return false;
	*dispatched = multiprog_find(ifindex, XR_PROG_NAME) == r->prog_id;
	return *dispatched;
}

/* Adds @ifindex once, with its current XDP state. */
static int add(const struct router *r, struct member_set *set, int ifindex)
{
	struct member *m;

	if (members_find(set->m, set->n, ifindex))
		return 0;
	if (set->n == set->cap) {
		size_t cap = set->cap ? 2 * set->cap : 16;

		m = realloc(set->m, cap * sizeof(*m));
		if (!m)
			return -ENOMEM;
		set->m = m;
		set->cap = cap;
	}
	m = &set->m[set->n++];
	memset(m, 0, sizeof(*m));
	m->ifc.ifindex = ifindex;
	m->exists = !iface_by_index(ifindex, &m->ifc);
	if (m->exists && !iface_xdp_query(ifindex, &m->xdp))
		m->attached = runs_router(r, ifindex, &m->xdp, &m->mode,
					  &m->dispatched);
	return 0;
}

static int add_devmap(const struct router *r, struct member_set *set)
{
	size_t n;
	__u32 *keys;
	int err = ifmap_keys(r->tx_ports_fd, &keys, &n);

	if (err)
		return err;
	for (size_t i = 0; !err && i < n; i++)
		err = add(r, set, keys[i]);
	free(keys);
	return err;
}

static int add_configured(const struct router *r, struct member_set *set)
{
	struct xr_iface st;
	size_t n;
	__u32 *keys;
	int err = ifmap_iface_keys(r, &keys, &n);

	if (err)
		return err;
	for (size_t i = 0; !err && i < n; i++) {
		/* Entries the data plane made for unknown ingress are not ours. */
		if (ifmap_read(r, keys[i], &st))
			continue;
		if (st.conf.flags & XR_IFACE_F_CONFIGURED)
			err = add(r, set, keys[i]);
	}
	free(keys);
	return err;
}

/* Interfaces running our program that the maps do not know about. */
static int add_running(const struct router *r, struct member_set *set)
{
	struct if_nameindex *all = if_nameindex(), *it;
	struct iface_xdp xdp;
	enum xr_mode mode;
	bool dispatched;
	int err = 0;

	if (!all)
		return -errno;
	for (it = all; !err && it->if_index; it++) {
		if (iface_xdp_query(it->if_index, &xdp))
			continue;
		if (runs_router(r, it->if_index, &xdp, &mode, &dispatched))
			err = add(r, set, it->if_index);
	}
	if_freenameindex(all);
	return err;
}

static int cmp_member(const void *a, const void *b)
{
	const struct member *x = a, *y = b;

	return x->ifc.ifindex - y->ifc.ifindex;
}

int members_list(const struct router *r, struct member **members, size_t *n)
{
	struct member_set set = {};
	int err = 0;

	/* A damaged router may lack maps (router_open_from_prog()). */
	if (r->tx_ports_fd >= 0)
		err = add_devmap(r, &set);
	if (!err && r->ifaces_fd >= 0 && r->ifaces_arr_fd >= 0)
		err = add_configured(r, &set);
	if (!err)
		err = add_running(r, &set);
	if (err) {
		free(set.m);
		return err;
	}
	if (set.n)
		qsort(set.m, set.n, sizeof(*set.m), cmp_member);
	*members = set.m;
	*n = set.n;
	return 0;
}
