// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The kernel's routes, links and neighbours in memory; see fib_model.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>
#include "fib_model.h"

void fib_model_init(struct fib_model *m, __u32 main_table)
{
	memset(m, 0, sizeof(*m));
	m->main_table = main_table;
	htab_init(&m->prefixes, sizeof(struct fib_pfx),
		  sizeof(struct fib_prefix_routes));
	htab_init(&m->nhl_index, sizeof(__u64), sizeof(__u32));
	htab_init(&m->links, sizeof(__u32), sizeof(struct fib_link));
	htab_init(&m->neigh, sizeof(struct xr_neigh_key),
		  sizeof(struct xr_neigh));
}

void fib_model_free(struct fib_model *m)
{
	struct fib_prefix_routes *pr;
	size_t it = 0;

	while (htab_next(&m->prefixes, &it, NULL, (void **)&pr))
		if (pr->cap > 1)
			free(pr->more);
	for (__u32 i = 1; i < m->nhl_cap; i++)
		free(m->nhl[i]);
	free(m->nhl);
	free(m->nhl_free);
	htab_free(&m->prefixes);
	htab_free(&m->nhl_index);
	htab_free(&m->links);
	htab_free(&m->neigh);
	memset(m, 0, sizeof(*m));
}

void fib_pfx_mask(struct fib_pfx *p)
{
	unsigned int len = fib_addr_len(p->family) * 8;
	unsigned int plen = p->plen > len ? len : p->plen;

	p->pad[0] = p->pad[1] = 0;
	for (unsigned int byte = 0; byte < 16; byte++) {
		unsigned int bits = byte * 8;

		if (bits >= plen)
			p->addr[byte] = 0;
		else if (plen - bits < 8)
			p->addr[byte] &= (__u8)(0xff << (8 - (plen - bits)));
	}
}

const struct fib_prefix_routes *fib_model_prefix(const struct fib_model *m,
						 const struct fib_pfx *p)
{
	return htab_find(&m->prefixes, p);
}

/* Interned nexthop lists. */

static __u64 nhl_hash(const struct fib_nh *nh, unsigned int n)
{
	return hash_bytes(nh, n * sizeof(*nh)) ^ n;
}

static bool nhl_equal(const struct fib_nhlist *l, const struct fib_nh *nh,
		      unsigned int n)
{
	return l->n == n && !memcmp(l->nh, nh, n * sizeof(*nh));
}

static int nhl_get(struct fib_model *m, const struct fib_nh *nh,
		   unsigned int n, __u32 *id)
{
	__u64 hash = nhl_hash(nh, n);
	__u32 *head = htab_find(&m->nhl_index, &hash);
	struct fib_nhlist *l;
	__u32 new;

	*id = 0;
	if (!n)
		return 0;
	for (__u32 i = head ? *head : 0; i; i = m->nhl[i]->next) {
		if (nhl_equal(m->nhl[i], nh, n)) {
			m->nhl[i]->refs++;
			*id = i;
			return 0;
		}
	}
	if (!m->nhl_nfree) {
		__u32 cap = m->nhl_cap ? 2 * m->nhl_cap : 64;
		struct fib_nhlist **arr = realloc(m->nhl, cap * sizeof(*arr));
		__u32 *stack;

		if (!arr)
			return -ENOMEM;
		memset(arr + m->nhl_cap, 0, (cap - m->nhl_cap) * sizeof(*arr));
		m->nhl = arr;
		stack = realloc(m->nhl_free, cap * sizeof(*stack));
		if (!stack)
			return -ENOMEM;
		m->nhl_free = stack;
		/* New ids, lowest on top; id 0 is never used. */
		for (__u32 i = cap - 1; i >= (m->nhl_cap ? m->nhl_cap : 1); i--)
			m->nhl_free[m->nhl_nfree++] = i;
		m->nhl_cap = cap;
	}
	new = m->nhl_free[--m->nhl_nfree];
	l = malloc(sizeof(*l) + n * sizeof(*nh));
	head = l ? htab_upsert(&m->nhl_index, &hash, NULL) : NULL;
	if (!head) {
		free(l);
		m->nhl_free[m->nhl_nfree++] = new;
		return -ENOMEM;
	}
	l->refs = 1;
	l->hash = hash;
	l->n = n;
	memcpy(l->nh, nh, n * sizeof(*nh));
	l->next = *head;	/* 0 if the hash is new */
	*head = new;
	m->nhl[new] = l;
	*id = new;
	return 0;
}

static void nhl_put(struct fib_model *m, __u32 id)
{
	struct fib_nhlist *l = id && id < m->nhl_cap ? m->nhl[id] : NULL;
	__u32 *head;

	if (!l || --l->refs)
		return;
	head = htab_find(&m->nhl_index, &l->hash);
	if (head && *head == id) {
		if (l->next)
			*head = l->next;
		else
			htab_delete(&m->nhl_index, &l->hash);
	} else if (head) {
		for (__u32 i = *head; i; i = m->nhl[i]->next) {
			if (m->nhl[i]->next == id) {
				m->nhl[i]->next = l->next;
				break;
			}
		}
	}
	free(l);
	m->nhl[id] = NULL;
	m->nhl_free[m->nhl_nfree++] = id;
}

/* Variants of a prefix. */

static struct fib_variant *variants(struct fib_prefix_routes *pr)
{
	return pr->cap > 1 ? pr->more : &pr->one;
}

static int variant_add(struct fib_prefix_routes *pr,
		       const struct fib_variant *v)
{
	if (pr->n == 0) {
		pr->one = *v;
		pr->n = 1;
		return 0;
	}
	if (pr->n >= (pr->cap > 1 ? pr->cap : 1)) {
		__u16 cap = pr->cap > 1 ? 2 * pr->cap : 4;
		struct fib_variant *more;

		if (cap <= pr->n)	/* 65535 routes for one prefix */
			return -ENOSPC;
		more = realloc(pr->cap > 1 ? pr->more : NULL,
			       cap * sizeof(*more));
		if (!more)
			return -ENOMEM;
		if (pr->cap <= 1)
			more[0] = pr->one;
		pr->more = more;
		pr->cap = cap;
	}
	variants(pr)[pr->n++] = *v;
	return 0;
}

static void variant_del(struct fib_prefix_routes *pr, unsigned int i)
{
	struct fib_variant *v = variants(pr);

	memmove(&v[i], &v[i + 1], (pr->n - i - 1) * sizeof(*v));
	pr->n--;
}

static bool has_local(const struct fib_prefix_routes *pr)
{
	const struct fib_variant *v = fib_variants(pr);

	for (unsigned int i = 0; pr && i < pr->n; i++)
		if (v[i].table == FIB_TABLE_LOCAL)
			return true;
	return false;
}

static bool same_path(const struct fib_nh *a, const struct fib_nh *b)
{
	return a->ifindex == b->ifindex && a->gw_family == b->gw_family &&
	       !memcmp(a->gw, b->gw, sizeof(a->gw));
}

/*
 * IPv6 multipath routes are siblings the kernel adds and removes one path
 * at a time. Its messages about a sibling list them all (RTA_MULTIPATH):
 * the new ones are appended, in order, to those we have. A DELROUTE for
 * one path lists only that path: it is removed. Returns the new number
 * of paths in @out.
 */
static unsigned int paths_merge(const struct fib_nhlist *old,
				const struct fib_route_msg *msg, bool add,
				struct fib_nh *out)
{
	unsigned int n = 0;

	for (unsigned int i = 0; old && i < old->n; i++) {
		bool listed = false;

		for (unsigned int j = 0; j < msg->nnh && !listed; j++)
			listed = same_path(&old->nh[i], &msg->nh[j]);
		if (add || !listed)
			out[n++] = old->nh[i];
	}
	for (unsigned int j = 0; add && j < msg->nnh && n < FIB_MAX_PATHS;
	     j++) {
		bool present = false;

		for (unsigned int i = 0; i < n && !present; i++)
			present = same_path(&out[i], &msg->nh[j]);
		if (!present)
			out[n++] = msg->nh[j];
	}
	return n;
}

/* True if every path of @msg is one of @l's. */
static bool paths_listed(const struct fib_nhlist *l,
			 const struct fib_route_msg *msg)
{
	for (unsigned int j = 0; j < msg->nnh; j++) {
		bool found = false;

		for (unsigned int i = 0; l && i < l->n && !found; i++)
			found = same_path(&l->nh[i], &msg->nh[j]);
		if (!found)
			return false;
	}
	return msg->nnh > 0;
}

static int variant_from_msg(struct fib_model *m,
			    const struct fib_route_msg *msg,
			    const struct fib_nh *nh, unsigned int nnh,
			    struct fib_variant *v)
{
	memset(v, 0, sizeof(*v));
	v->table = msg->table;
	v->priority = msg->priority;
	v->mtu = msg->mtu;
	v->type = msg->type;
	v->tos = msg->tos;
	if (msg->nhid && !msg->nnh)
		v->flags |= FIB_V_NHID_ONLY;
	if (msg->too_many_paths)
		v->flags |= FIB_V_WIDE;
	if (msg->mtu_locked)
		v->flags |= FIB_V_MTU_LOCKED;
	return nhl_get(m, nh, nnh, &v->nhl);
}

static int route_new(struct fib_model *m, const struct fib_route_msg *msg,
		     struct fib_prefix_routes *pr, int idx,
		     enum fib_apply *res)
{
	static struct fib_nh merged[FIB_MAX_PATHS];
	bool v6 = msg->pfx.family == AF_INET6;
	bool replace = msg->nlmsg_flags & NLM_F_REPLACE;
	bool append = msg->nlmsg_flags & NLM_F_APPEND;
	const struct fib_nh *nh = msg->nh;
	unsigned int nnh = msg->nnh;
	struct fib_variant v, *old;
	__u8 aliases = 0;
	int err;

	if (idx < 0) {
		err = variant_from_msg(m, msg, nh, nnh, &v);
		if (!err)
			err = variant_add(pr, &v);
		if (err) {
			nhl_put(m, v.nhl);
			return err;
		}
		*res = FIB_APPLY_CHANGED;
		return 0;
	}
	old = &variants(pr)[idx];
	if (v6 && !replace && msg->multipath) {
		/* Another sibling path (ip -6 route append/add). */
		nnh = paths_merge(fib_model_nhl(m, old->nhl), msg, true,
				  merged);
		nh = merged;
	} else if (!replace) {
		/*
		 * Another route with the same key, not a sibling: the kernel
		 * keeps them in order and uses the first (IPv4: unless
		 * prepended; IPv6 may rotate between routers, which we do
		 * not follow). Hidden ones are only counted.
		 */
		if (old->naliases < 255)
			old->naliases++;
		if (v6 || append)
			return 0;
	}
	aliases = old->naliases;
	err = variant_from_msg(m, msg, nh, nnh, &v);
	if (err)
		return err;
	v.naliases = aliases;
	if (v6 && !replace) {
		/* A sibling's message: the route's other attributes stay. */
		v.type = old->type;
		v.mtu = old->mtu;
		v.flags = old->flags & ~FIB_V_NHID_ONLY;
	}
	nhl_put(m, old->nhl);
	*old = v;
	*res = FIB_APPLY_CHANGED;
	return 0;
}

static void route_del(struct fib_model *m, const struct fib_route_msg *msg,
		      struct fib_prefix_routes *pr, int idx,
		      enum fib_apply *res)
{
	static struct fib_nh left[FIB_MAX_PATHS];
	struct fib_variant *v = &variants(pr)[idx];
	const struct fib_nhlist *l = fib_model_nhl(m, v->nhl);
	unsigned int n;
	__u32 id;

	*res = FIB_APPLY_CHANGED;
	if (msg->pfx.family == AF_INET6 && msg->nnh && l) {
		if (!paths_listed(l, msg)) {
			/* One of the hidden routes went. */
			if (v->naliases) {
				v->naliases--;
				*res = FIB_APPLY_NONE;
			} else {
				*res = FIB_APPLY_RESYNC;
			}
			return;
		}
		n = paths_merge(l, msg, false, left);
		if (n && !nhl_get(m, left, n, &id)) {
			nhl_put(m, v->nhl);
			v->nhl = id;
			return;
		}
	}
	if (v->naliases) {
		/* Which of the routes with this key is left? Ask the kernel. */
		*res = FIB_APPLY_RESYNC;
		return;
	}
	nhl_put(m, v->nhl);
	variant_del(pr, idx);
}

int fib_model_route(struct fib_model *m, const struct fib_route_msg *msg,
		    enum fib_apply *res)
{
	struct fib_prefix_routes *pr;
	bool was_local, created;
	int idx = -1, err = 0;

	*res = FIB_APPLY_NONE;
	if (msg->cloned)
		return 0;
	if (msg->pfx.family != AF_INET && msg->pfx.family != AF_INET6)
		return 0;
	if (msg->table != m->main_table && msg->table != FIB_TABLE_LOCAL)
		return 0;
	if (msg->nlmsg_type == RTM_NEWROUTE)
		pr = htab_upsert(&m->prefixes, &msg->pfx, &created);
	else
		pr = htab_find(&m->prefixes, &msg->pfx);
	if (!pr)
		return msg->nlmsg_type == RTM_NEWROUTE ? -ENOMEM : 0;

	was_local = has_local(pr);
	for (unsigned int i = 0; i < pr->n; i++) {
		const struct fib_variant *v = &variants(pr)[i];

		if (v->table == msg->table && v->priority == msg->priority &&
		    v->tos == msg->tos) {
			idx = i;
			break;
		}
	}
	if (msg->nlmsg_type == RTM_NEWROUTE)
		err = route_new(m, msg, pr, idx, res);
	else if (idx >= 0)
		route_del(m, msg, pr, idx, res);

	if (was_local != has_local(pr)) {
		__u32 *cnt = &m->local_len[fib_fam_idx(msg->pfx.family)]
					  [msg->pfx.plen];

		*cnt += was_local ? -1 : 1;
	}
	if (!pr->n) {
		if (pr->cap > 1)
			free(pr->more);
		htab_delete(&m->prefixes, &msg->pfx);
	}
	return err;
}

int fib_model_paths_dead(struct fib_model *m, __u32 ifindex,
			 struct fib_pfx **out, size_t *n)
{
	__u8 *touched = calloc(m->nhl_cap ? m->nhl_cap : 1, 1);
	struct fib_prefix_routes *pr;
	struct fib_pfx *p, *list = NULL;
	size_t it = 0, cnt = 0, cap = 0;
	bool any = false;

	*out = NULL;
	*n = 0;
	if (!touched)
		return -ENOMEM;
	/*
	 * In place: the list's hash goes stale, which only means a new
	 * route with the same paths gets a list of its own.
	 */
	for (__u32 id = 1; id < m->nhl_cap; id++) {
		struct fib_nhlist *l = m->nhl[id];

		for (unsigned int i = 0; l && i < l->n; i++) {
			if (l->nh[i].ifindex == ifindex) {
				l->nh[i].flags |= RTNH_F_DEAD;
				touched[id] = any = true;
			}
		}
	}
	while (any && htab_next(&m->prefixes, &it, (void **)&p, (void **)&pr)) {
		const struct fib_variant *v = fib_variants(pr);
		bool uses = false;

		for (unsigned int i = 0; i < pr->n && !uses; i++)
			uses = v[i].nhl && touched[v[i].nhl];
		if (!uses)
			continue;
		if (cnt == cap) {
			struct fib_pfx *tmp;

			cap = cap ? 2 * cap : 256;
			tmp = realloc(list, cap * sizeof(*tmp));
			if (!tmp) {
				free(list);
				free(touched);
				return -ENOMEM;
			}
			list = tmp;
		}
		list[cnt++] = *p;
	}
	free(touched);
	*out = list;
	*n = cnt;
	return 0;
}

int fib_model_link(struct fib_model *m, __u32 ifindex,
		   const struct fib_link *l)
{
	struct fib_link *slot;

	if (!l) {
		htab_delete(&m->links, &ifindex);
		return 0;
	}
	slot = htab_upsert(&m->links, &ifindex, NULL);
	if (!slot)
		return -ENOMEM;
	*slot = *l;
	return 0;
}

const struct fib_link *fib_model_link_get(const struct fib_model *m,
					  __u32 ifindex)
{
	return htab_find(&m->links, &ifindex);
}

int fib_model_neigh(struct fib_model *m, const struct xr_neigh_key *k,
		    const __u8 mac[6], bool valid, bool *changed)
{
	struct xr_neigh *n;
	bool created;

	*changed = false;
	if (!valid) {
		*changed = htab_delete(&m->neigh, k);
		return 0;
	}
	n = htab_upsert(&m->neigh, k, &created);
	if (!n)
		return -ENOMEM;
	if (created || memcmp(n->mac, mac, 6)) {
		memcpy(n->mac, mac, 6);
		*changed = true;
	}
	return 0;
}
