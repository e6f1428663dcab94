// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A VIP's ring from its configuration (lb_ring.h): the same backend set in
 * any order, with any ids, gives the same ring (digest); drained and down
 * backends take no slot; a VIP whose backends are all drained or down gets
 * an empty ring.
 */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "lb_ring.h"

static struct lb_config load(const char *text)
{
	struct lb_config cfg;
	char err[LB_ERR_MAX];

	if (lb_config_parse("t.yaml", text, strlen(text), &cfg, err,
			    sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		check_failures++;
		memset(&cfg, 0, sizeof(cfg));
	}
	return cfg;
}

#define HEAD "vips:\n  - name: web\n    address: 10.0.0.100\n    port: 80\n" \
	     "    backends:\n"

static int32_t *ring_of(const struct lb_vip *v)
{
	int32_t *t = malloc(XR_LB_RING_SIZE * sizeof(*t));

	CHECK(lb_vip_ring(v, t) == 0);
	return t;
}

static unsigned int slots_of(const int32_t *t, int idx)
{
	unsigned int n = 0;

	for (int i = 0; i < XR_LB_RING_SIZE; i++)
		n += t[i] == idx;
	return n;
}

int main(void)
{
	struct lb_config a = load(HEAD
		"      - { address: 10.9.0.11, weight: 1 }\n"
		"      - { address: 10.9.0.12, weight: 2 }\n"
		"      - { address: 10.9.0.13, weight: 1, state: drain }\n"
		"      - { address: 10.9.0.14, weight: 5, state: down }\n");
	struct lb_config b = load(HEAD
		"      - { address: 10.9.0.14, weight: 5, state: down }\n"
		"      - { address: 10.9.0.12, weight: 2 }\n"
		"      - { address: 10.9.0.11, weight: 1 }\n"
		"      - { address: 10.9.0.13, weight: 1, state: drain }\n");
	struct lb_config c = load(HEAD
		"      - { address: 10.9.0.11, weight: 1 }\n"
		"      - { address: 10.9.0.12, weight: 2 }\n");
	struct lb_config d = load(HEAD
		"      - { address: 10.9.0.11, state: drain }\n"
		"      - { address: 10.9.0.12, state: down }\n");
	int32_t *ta, *tb, *tc, *td;
	__u32 *ids;

	if (check_failures)
		CHECK_DONE();
	ta = ring_of(&a.vips[0]);
	tb = ring_of(&b.vips[0]);
	tc = ring_of(&c.vips[0]);
	td = ring_of(&d.vips[0]);
	/* Order and non-active backends make no difference. */
	CHECK(lb_ring_digest_table(&a.vips[0], ta) ==
	      lb_ring_digest_table(&b.vips[0], tb));
	CHECK(lb_ring_digest_table(&a.vips[0], ta) ==
	      lb_ring_digest_table(&c.vips[0], tc));
	CHECK(slots_of(ta, 2) == 0 && slots_of(ta, 3) == 0);
	CHECK(slots_of(ta, 0) + slots_of(ta, 1) == XR_LB_RING_SIZE);
	CHECK(slots_of(ta, 1) > 2 * slots_of(ta, 0) - 10 &&
	      slots_of(ta, 1) < 2 * slots_of(ta, 0) + 10);
	/* All drained or down: an empty ring. */
	CHECK(slots_of(td, -1) == XR_LB_RING_SIZE);
	/* The digest of a ring map: ids mapped back to addresses, whatever
	 * the ids are. */
	ids = malloc(XR_LB_RING_SIZE * sizeof(*ids));
	for (int i = 0; i < 4; i++)
		b.vips[0].backends[i].id = 100 + 7 * i;
	for (int i = 0; i < XR_LB_RING_SIZE; i++)
		ids[i] = tb[i] < 0 ? 0 : b.vips[0].backends[tb[i]].id;
	CHECK(lb_ring_digest_ids(&b.vips[0], ids) ==
	      lb_ring_digest_table(&a.vips[0], ta));
	/* A changed weight is a different ring. */
	c.vips[0].backends[1].weight = 3;
	free(tc);
	tc = ring_of(&c.vips[0]);
	CHECK(lb_ring_digest_table(&a.vips[0], ta) !=
	      lb_ring_digest_table(&c.vips[0], tc));
	free(ta);
	free(tb);
	free(tc);
	free(td);
	free(ids);
	lb_config_free(&a);
	lb_config_free(&b);
	lb_config_free(&c);
	lb_config_free(&d);
	CHECK_DONE();
}
