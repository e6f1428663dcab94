// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Canonical ids (lb_ids.h): the same VIPs and backends in any order get the
 * same ids and gens; ids are distinct and in range, also when VIPs collide
 * (40 VIPs in 64 rows); too many entries is -ENOSPC; adding one VIP moves
 * few existing entries.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "lb_ids.h"

#define NV 40
#define NB 5

/* VIP v (10.0.v.1:80) with backends 10.9.v.10+b, in the order @perm. */
static struct lb_config build(const int *vperm, size_t nv, int rot)
{
	size_t cap = 200 + nv * (80 + NB * 48);
	char *text = malloc(cap);
	struct lb_config cfg;
	char err[LB_ERR_MAX];
	size_t n = 0;

	n += snprintf(text + n, cap - n, "vips:\n");
	for (size_t i = 0; i < nv; i++) {
		int v = vperm[i];

		n += snprintf(text + n, cap - n,
			      "  - name: v%d\n    address: 10.0.%d.1\n"
			      "    port: 80\n    backends:\n", v, v);
		for (int j = 0; j < NB; j++)
			n += snprintf(text + n, cap - n,
				      "      - { address: 10.9.%d.%d }\n", v,
				      10 + (j + rot) % NB);
	}
	if (lb_config_parse("t.yaml", text, n, &cfg, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		check_failures++;
		memset(&cfg, 0, sizeof(cfg));
	}
	free(text);
	return cfg;
}

/* ids[v][b]: VIP v's id in [v][NB], backend 10.9.v.(10+b)'s in [v][b]. */
struct ids {
	__u32 id[64][NB + 1];
	__u32 gen[64][NB];
};

static int canon(const struct lb_config *cfg, __u32 max_vips,
		 struct ids *out)
{
	__u32 vid[64], bid[64 * NB];
	size_t k = 0;
	int rc = lb_ids_canonical(cfg, max_vips, XR_LB_MAX_BACKENDS, vid, bid);

	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < cfg->nr_vips; i++) {
		const struct lb_vip *v = &cfg->vips[i];
		int vi = atoi(v->name + 1);

		out->id[vi][NB] = vid[i];
		for (size_t j = 0; j < v->nr_backends; j++, k++) {
			int b = v->backends[j].addr.a[3] - 10;

			out->id[vi][b] = bid[k];
			out->gen[vi][b] = lb_backend_gen(v, &v->backends[j]);
		}
	}
	return 0;
}

int main(void)
{
	int order[64], rev[64];
	struct lb_config a, b, c;
	static struct ids ia, ib, ic;
	bool vseen[64] = {}, *bseen = calloc(XR_LB_MAX_BACKENDS, 1);
	size_t moved = 0;

	for (int i = 0; i < 64; i++) {
		order[i] = i;
		rev[i] = NV - 1 - i;
	}
	a = build(order, NV, 0);
	b = build(rev, NV, 3);	/* other VIP and backend orders */
	CHECK(canon(&a, 64, &ia) == 0);
	CHECK(canon(&b, 64, &ib) == 0);
	CHECK(!memcmp(&ia, &ib, sizeof(ia)));

	/* Distinct and in range, although 40 VIPs in 64 rows collide. */
	for (int v = 0; v < NV; v++) {
		CHECK(ia.id[v][NB] < 64 && !vseen[ia.id[v][NB]]);
		vseen[ia.id[v][NB] % 64] = true;
		for (int j = 0; j < NB; j++) {
			__u32 id = ia.id[v][j];

			CHECK(id >= 1 && id < XR_LB_MAX_BACKENDS);
			CHECK(!bseen[id % XR_LB_MAX_BACKENDS]);
			bseen[id % XR_LB_MAX_BACKENDS] = true;
			CHECK(ia.gen[v][j] != 0);
			/* Gens tell backends apart. */
			CHECK(!j || ia.gen[v][j] != ia.gen[v][j - 1]);
		}
	}

	/* One more VIP: few of the others move (a collision chain). */
	c = build(order, NV + 1, 0);
	CHECK(canon(&c, 64, &ic) == 0);
	for (int v = 0; v < NV; v++)
		for (int j = 0; j <= NB; j++)
			moved += ia.id[v][j] != ic.id[v][j];
	fprintf(stderr, "adding a VIP moved %zu of %d ids\n", moved,
		NV * (NB + 1));
	CHECK(moved <= NV * (NB + 1) / 10);

	/* Full and over-full. */
	CHECK(canon(&a, NV, &ic) == 0);
	CHECK(canon(&a, NV - 1, &ic) == -ENOSPC);
	{
		__u32 vid[NV], bid[NV * NB];

		CHECK(lb_ids_canonical(&a, 64, NV * NB, vid, bid) == -ENOSPC);
		CHECK(lb_ids_canonical(&a, 64, NV * NB + 1, vid, bid) == 0);
	}
	lb_config_free(&a);
	lb_config_free(&b);
	lb_config_free(&c);
	free(bseen);
	CHECK_DONE();
}
