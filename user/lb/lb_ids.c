// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Canonical VIP and backend ids; see lb_ids.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "lb_ids.h"
#include "maglev.h"

/* A VIP's name as bytes: family, address, protocol, port. */
#define VIP_NAME_LEN 20
/* A backend's: its VIP's, then family, address, port. */
#define BE_NAME_LEN (VIP_NAME_LEN + 19)

struct slot_req {
	__u64 home_hash;
	__u8 name[BE_NAME_LEN];
	size_t at;		/* index in the caller's output array */
	__u32 home;
};

static void vip_name(const struct lb_vip *v, __u8 out[BE_NAME_LEN])
{
	__be16 port = htons(v->port);

	memset(out, 0, BE_NAME_LEN);
	out[0] = v->addr.family;
	memcpy(out + 1, v->addr.a, 16);
	out[17] = v->proto;
	memcpy(out + 18, &port, 2);
}

static void be_name(const struct lb_vip *v, const struct lb_backend *b,
		    __u8 out[BE_NAME_LEN])
{
	__be16 port = htons(lb_backend_port(v, b));

	vip_name(v, out);
	out[VIP_NAME_LEN] = b->addr.family;
	memcpy(out + VIP_NAME_LEN + 1, b->addr.a, 16);
	memcpy(out + VIP_NAME_LEN + 17, &port, 2);
}

__u32 lb_backend_gen(const struct lb_vip *v, const struct lb_backend *b)
{
	__u8 name[BE_NAME_LEN];
	__u32 gen;

	be_name(v, b, name);
	gen = (__u32)maglev_hash(name, sizeof(name), 0x6765);
	return gen ? gen : 1;
}

static int by_home(const void *a, const void *b)
{
	const struct slot_req *x = a, *y = b;

	if (x->home != y->home)
		return x->home < y->home ? -1 : 1;
	return memcmp(x->name, y->name, sizeof(x->name));
}

/*
 * Places @n requests in slots @first..@first+@span-1: each in the first
 * free slot from its home on (wrapping), in (home, name) order.
 */
static int place(struct slot_req *r, size_t n, __u32 first, __u32 span,
		 __u32 *out)
{
	bool *used;

	if (n > span)
		return -ENOSPC;
	used = calloc(span ? span : 1, sizeof(*used));
	if (!used)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		r[i].home = (__u32)(r[i].home_hash % span);
	qsort(r, n, sizeof(*r), by_home);
	for (size_t i = 0; i < n; i++) {
		__u32 s = r[i].home;

		while (used[s])
			s = s + 1 == span ? 0 : s + 1;
		used[s] = true;
		out[r[i].at] = first + s;
	}
	free(used);
	return 0;
}

int lb_ids_canonical(const struct lb_config *cfg, __u32 max_vips,
		     __u32 max_backends, __u32 *vip_id, __u32 *be_id)
{
	size_t nb = 0, k = 0;
	struct slot_req *r;
	int rc;

	for (size_t i = 0; i < cfg->nr_vips; i++)
		nb += cfg->vips[i].nr_backends;
	r = calloc((nb > cfg->nr_vips ? nb : cfg->nr_vips) + 1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (size_t i = 0; i < cfg->nr_vips; i++) {
		vip_name(&cfg->vips[i], r[i].name);
		r[i].home_hash = maglev_hash(r[i].name, sizeof(r[i].name), 0);
		r[i].at = i;
	}
	rc = place(r, cfg->nr_vips, 0, max_vips, vip_id);
	if (rc)
		goto out;
	memset(r, 0, (nb + 1) * sizeof(*r));
	for (size_t i = 0; i < cfg->nr_vips; i++) {
		const struct lb_vip *v = &cfg->vips[i];

		for (size_t j = 0; j < v->nr_backends; j++, k++) {
			be_name(v, &v->backends[j], r[k].name);
			r[k].home_hash = maglev_hash(r[k].name,
						   sizeof(r[k].name), 0);
			r[k].at = k;
		}
	}
	/* Backend id 0 means "none": ids are 1..max_backends-1. */
	rc = max_backends ? place(r, nb, 1, max_backends - 1, be_id)
			  : -ENOSPC;
out:
	free(r);
	return rc;
}
