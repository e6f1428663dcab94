// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* populate's containers: the hash table (hashtab.c), the map slots (id_table.c). */
#include <errno.h>
#include <stdlib.h>
#include "check.h"
#include "hashtab.h"
#include "id_table.h"
#include "xdp_router_types.h"

/* Random inserts and deletes against a plain array as the reference. */
static void test_hashtab(void)
{
	enum { N = 20000, KEYS = 5000 };
	static int ref[KEYS];	/* value + 1, 0: absent */
	struct htab h;
	size_t n = 0, it = 0, seen = 0;
	__u32 *k, *v;

	htab_init(&h, sizeof(__u32), sizeof(__u32));
	srand(1);
	for (int i = 0; i < N; i++) {
		__u32 key = rand() % KEYS;

		if (rand() % 3) {
			bool created;

			v = htab_upsert(&h, &key, &created);
			CHECK(v && created == !ref[key]);
			n += created;
			*v = i;
			ref[key] = i + 1;
		} else {
			CHECK(htab_delete(&h, &key) == !!ref[key]);
			n -= !!ref[key];
			ref[key] = 0;
		}
	}
	CHECK(h.n == n);
	for (__u32 key = 0; key < KEYS; key++) {
		v = htab_find(&h, &key);
		CHECK(ref[key] ? v && *v == (__u32)ref[key] - 1 : !v);
	}
	while (htab_next(&h, &it, (void **)&k, (void **)&v)) {
		CHECK(ref[*k] && *v == (__u32)ref[*k] - 1);
		seen++;
	}
	CHECK(seen == n);
	htab_clear(&h);
	CHECK(h.n == 0 && !htab_find(&h, &(__u32){ 1 }));
	htab_free(&h);
}

static struct xr_nexthop nh(__u32 ifindex)
{
	struct xr_nexthop v = { .ifindex = ifindex, .mtu = 1500 };

	return v;
}

static void test_id_table(void)
{
	struct xr_nexthop a = nh(1), b = nh(2), c = nh(3), d = nh(4);
	struct id_table t;
	__u32 ia, ia2, ib, ic, id;
	bool created;

	CHECK(!id_table_init(&t, sizeof(struct xr_nexthop), 4));
	/* Slot 2 was in the map at start, unreferenced. */
	CHECK(!id_table_load(&t, 2, &b));
	CHECK(!id_table_load_done(&t));
	CHECK(t.in_use == 1 && t.unref.n == 1);

	/* Dedup: the same value, the same slot. */
	CHECK(!id_table_acquire(&t, &a, &ia, &created) && created && ia);
	CHECK(ia != 2 && id_table_is(&t, ia, ID_PENDING));
	CHECK(!id_table_acquire(&t, &a, &ia2, &created) && !created);
	CHECK(ia2 == ia && t.refs[ia] == 2);
	CHECK(!id_table_acquire(&t, &b, &ib, &created) && !created && ib == 2);

	/* Ids 1..3 only: the third distinct value has no room. */
	CHECK(!id_table_acquire(&t, &c, &ic, &created) && created);
	CHECK(id_table_acquire(&t, &d, &id, &created) == -ENOSPC);

	/* Pending slots return at once; live ones wait for zeroing. */
	CHECK(id_table_release(&t, ic) == ID_FREED);
	CHECK(id_table_is(&t, ic, ID_FREE));
	CHECK(id_table_release(&t, ia) == ID_STILL_USED);
	id_table_written(&t, ia);
	CHECK(id_table_release(&t, ia) == ID_UNUSED);
	CHECK(id_table_unused(&t, ia));
	/* Referenced again before the sweep: it stays. */
	CHECK(!id_table_acquire(&t, &a, &ia2, &created) && ia2 == ia &&
	      !created && !id_table_unused(&t, ia));
	CHECK(id_table_release(&t, ia) == ID_UNUSED);
	id_table_zeroed(&t, ia);
	CHECK(id_table_is(&t, ia, ID_FREE) && t.in_use == 1);
	/* Freed ids are reused oldest first: ic went back before ia. */
	CHECK(!id_table_acquire(&t, &d, &id, &created) && id == ic);
	/* A released-to-zero slot is never released below zero. */
	CHECK(id_table_release(&t, 0) == ID_STILL_USED);
	id_table_free(&t);
}

int main(void)
{
	test_hashtab();
	test_id_table();
	CHECK_DONE();
}
