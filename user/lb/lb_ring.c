// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A VIP's Maglev ring from its configuration; see lb_ring.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "lb_ring.h"
#include "maglev.h"

static void maglev_key(const struct lb_vip *v, const struct lb_backend *b,
		       __u8 key[MAGLEV_KEY_MAX])
{
	__be16 port = htons(lb_backend_port(v, b));

	memset(key, 0, MAGLEV_KEY_MAX);
	key[0] = b->addr.family;
	memcpy(key + 1, b->addr.a, 16);
	memcpy(key + 17, &port, 2);
}

int lb_vip_ring(const struct lb_vip *v, int32_t *table)
{
	struct maglev_backend *mb = calloc(v->nr_backends ? v->nr_backends : 1,
					   sizeof(*mb));
	int err;

	if (!mb)
		return -ENOMEM;
	for (size_t i = 0; i < v->nr_backends; i++) {
		const struct lb_backend *b = &v->backends[i];

		maglev_key(v, b, mb[i].key);
		/* Drained and down backends take no new flows. */
		mb[i].weight = lb_backend_effective(b) == XR_BE_ACTIVE ?
				       b->weight : 0;
	}
	err = maglev_build(mb, v->nr_backends, XR_LB_RING_SIZE, table);
	free(mb);
	return err;
}

static __u64 digest_step(__u64 h, const __u8 *key)
{
	for (int i = 0; i < MAGLEV_KEY_MAX; i++) {
		h ^= key[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

__u64 lb_ring_digest_table(const struct lb_vip *v, const int32_t *table)
{
	static const __u8 none[MAGLEV_KEY_MAX];
	__u64 h = 0xcbf29ce484222325ULL;
	__u8 key[MAGLEV_KEY_MAX];
	int32_t last = -2;

	for (__u32 i = 0; i < XR_LB_RING_SIZE; i++) {
		if (table[i] != last && table[i] >= 0)
			maglev_key(v, &v->backends[table[i]], key);
		last = table[i];
		h = digest_step(h, table[i] >= 0 ? key : none);
	}
	return h;
}

__u64 lb_ring_digest_ids(const struct lb_vip *v, const __u32 *ids)
{
	int32_t *table = malloc(XR_LB_RING_SIZE * sizeof(*table));
	__u64 h;

	if (!table)
		return 0;
	for (__u32 i = 0; i < XR_LB_RING_SIZE; i++) {
		table[i] = -1;
		if (!ids[i])
			continue;
		/* Rings have long runs of few ids: remember the last. */
		if (i && ids[i] == ids[i - 1]) {
			table[i] = table[i - 1];
			continue;
		}
		for (size_t j = 0; j < v->nr_backends; j++)
			if (v->backends[j].id == ids[i])
				table[i] = j;
	}
	h = lb_ring_digest_table(v, table);
	free(table);
	return h;
}

