// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The IPv4 DIR-24-8 table (dir24.c) against the plainest longest-prefix
 * match there is: a list of prefixes, scanned. Random inserts, changes and
 * deletions crowded into a few /16s (so that prefixes nest and /24s gain
 * and lose groups), every answer compared after each change; then
 * dir24_sync() over whatever the table held, and the capacity limits.
 */
#include <errno.h>
#include <stdlib.h>
#include "check.h"
#include "dir24.h"

#define NGROUPS 48
#define NLEAVES 12
#define MAXP 600

static __u32 *tbl24, *tbl8;
static struct xr_dir_leaf leaves[NLEAVES];

/* The reference: prefixes and their route values. */
static struct dir24_route ref[MAXP + 1];	/* + 1: one added by hand */
static size_t nref;

static __u32 mask(unsigned int plen)
{
	return plen ? ~0U << (32 - plen) : 0;
}

static const struct dir24_route *ref_lookup(__u32 addr)
{
	const struct dir24_route *best = NULL;

	for (size_t i = 0; i < nref; i++)
		if ((addr & mask(ref[i].plen)) == ref[i].addr &&
		    (!best || ref[i].plen > best->plen))
			best = &ref[i];
	return best;
}

static struct dir24_route *ref_find(__u32 addr, unsigned int plen)
{
	for (size_t i = 0; i < nref; i++)
		if (ref[i].addr == addr && ref[i].plen == plen)
			return &ref[i];
	return NULL;
}

/* Addresses worth asking: in the crowded /16s, and anywhere. */
static __u32 rand_addr(void)
{
	static const __u32 base[] = { 0x0a000000, 0x0a010000, 0xc0a80000 };

	if (rand() % 8 == 0)
		return (__u32)rand() << 1 ^ (__u32)rand();
	return base[rand() % 3] | (rand() & 0x0fff);
}

static struct xr_route rand_route(void)
{
	/* NLEAVES - 2 distinct values: some leaves stay free to reuse. */
	struct xr_route rt = { .type = XR_RT_UNICAST,
			       .nh = 1 + rand() % (NLEAVES - 2) };
	return rt;
}

static bool same(const struct xr_route *a, const struct xr_route *b)
{
	return a->type == b->type && a->nh == b->nh && a->mtu == b->mtu &&
	       a->flags == b->flags;
}

static int mismatches;

static void compare_at(const struct dir24 *d, __u32 addr)
{
	const struct dir24_route *want = ref_lookup(addr);
	const struct xr_route *got = dir24_lookup(d, addr);

	if (!want != !got || (got && !same(got, &want->rt))) {
		if (mismatches++ < 10)
			fprintf(stderr, "%08x: got nh %d want nh %d\n", addr,
				got ? (int)got->nh : -1,
				want ? (int)want->rt.nh : -1);
	}
}

/* Every prefix's edges and middle, and random addresses. */
static void compare_all(const struct dir24 *d)
{
	for (size_t i = 0; i < nref; i++) {
		__u32 a = ref[i].addr, last = a | ~mask(ref[i].plen);

		compare_at(d, a);
		compare_at(d, last);
		compare_at(d, a + (last - a) / 2);
		compare_at(d, a - 1);
		compare_at(d, last + 1);
	}
	for (int i = 0; i < 200; i++)
		compare_at(d, rand_addr());
}

/* Groups in use: exactly the /24s holding a longer prefix. */
static size_t want_groups(void)
{
	size_t n = 0;

	for (size_t i = 0; i < nref; i++) {
		bool first = ref[i].plen > 24;

		for (size_t j = 0; first && j < i; j++)
			if (ref[j].plen > 24 &&
			    ref[j].addr >> 8 == ref[i].addr >> 8)
				first = false;
		n += first;
	}
	return n;
}

static const unsigned int plens[] = { 0, 8, 12, 16, 20, 22, 23, 24, 24, 24,
				      25, 26, 28, 30, 31, 32, 32 };

static void random_change(struct dir24 *d)
{
	unsigned int plen = plens[rand() % (sizeof(plens) / sizeof(*plens))];
	__u32 addr = rand_addr() & mask(plen);
	struct dir24_route *r = ref_find(addr, plen);
	int err;

	if (r && rand() % 2) {
		CHECK(dir24_del(d, addr, plen) == 0);
		*r = ref[--nref];
		return;
	}
	if (!r && nref == MAXP)
		return;
	struct xr_route rt = rand_route();

	err = dir24_set(d, addr, plen, &rt);
	if (err == -ENOSPC) {	/* out of groups: refused, nothing written */
		CHECK(plen > 24 && d->full && !r);
		return;
	}
	CHECK(err == 0);
	if (!r) {
		r = &ref[nref++];
		r->addr = addr;
		r->plen = plen;
	}
	r->rt = rt;
}

static void no_grace(struct dir24 *d)
{
	d->free_groups.grace_ns = d->free_leaves.grace_ns = 0;
}

static void test_changes(void)
{
	struct dir24 d;

	CHECK(dir24_open_mem(&d, tbl24, tbl8, NGROUPS, leaves, NLEAVES) == 0);
	no_grace(&d);
	CHECK(dir24_sync(&d, NULL, 0) == 0);
	for (int i = 0; i < 6000; i++) {
		random_change(&d);
		if (i % 10 == 0) {
			compare_all(&d);
			CHECK(dir24_groups_used(&d) == want_groups());
		}
	}
	compare_all(&d);
	/* Deleting what is not there. */
	CHECK(dir24_del(&d, 0xc0a8ff00, 27) == -ENOENT);
	CHECK(dir24_set(&d, 0, 33, &ref[0].rt) == -EINVAL);
	dir24_close(&d);
}

/* A new run: the table as the last one left it, synced to the reference. */
static void test_sync(void)
{
	static __u32 before[1 << 16];
	struct dir24 d;

	CHECK(dir24_open_mem(&d, tbl24, tbl8, NGROUPS, leaves, NLEAVES) == 0);
	no_grace(&d);
	CHECK(dir24_sync(&d, ref, nref) == 0);
	compare_all(&d);
	CHECK(dir24_groups_used(&d) == want_groups());
	/* Right already: a second sync writes no entry. */
	memcpy(before, tbl24 + (0x0a0000 & ~0xffffU), sizeof(before));
	CHECK(dir24_sync(&d, ref, nref) == 0);
	CHECK(!memcmp(before, tbl24 + (0x0a0000 & ~0xffffU), sizeof(before)));
	/* Changes keep working from a synced table. */
	for (int i = 0; i < 2000; i++) {
		random_change(&d);
		if (i % 10 == 0)
			compare_all(&d);
	}
	compare_all(&d);
	dir24_close(&d);

	/* Resuming: refused unless marked complete; then nothing rebuilt. */
	CHECK(dir24_open_mem(&d, tbl24, tbl8, NGROUPS, leaves, NLEAVES) == 0);
	no_grace(&d);
	dir24_mark(&d, false);
	CHECK(dir24_resume(&d, ref, nref) == -ESTALE);
	dir24_mark(&d, true);
	CHECK(dir24_resume(&d, ref, nref) == 0);
	CHECK(dir24_groups_used(&d) == want_groups());
	compare_all(&d);
	for (int i = 0; i < 2000; i++) {
		random_change(&d);
		if (i % 10 == 0)
			compare_all(&d);
	}
	CHECK(dir24_groups_used(&d) == want_groups());
	/* A prefix the table never had: not resumable. */
	dir24_close(&d);
	CHECK(dir24_open_mem(&d, tbl24, tbl8, NGROUPS, leaves, NLEAVES) == 0);
	ref[nref].addr = 0x0d0d0d00;
	ref[nref].plen = 28;
	ref[nref].rt = (struct xr_route){ .type = XR_RT_UNICAST, .nh = 999 };
	CHECK(dir24_resume(&d, ref, nref + 1) == -ESTALE);
	CHECK(dir24_sync(&d, ref, nref) == 0);
	compare_all(&d);
	dir24_close(&d);

	/* Another table entirely, over this one. */
	nref = 0;
	for (int i = 0; i < 300; i++) {
		unsigned int plen = plens[rand() % (sizeof(plens) /
						    sizeof(*plens))];
		__u32 addr = rand_addr() & mask(plen);

		if (ref_find(addr, plen) ||
		    (plen > 24 && want_groups() >= NGROUPS - 1))
			continue;
		ref[nref].addr = addr;
		ref[nref].plen = plen;
		ref[nref].rt = rand_route();
		nref++;
	}
	CHECK(dir24_open_mem(&d, tbl24, tbl8, NGROUPS, leaves, NLEAVES) == 0);
	no_grace(&d);
	CHECK(dir24_sync(&d, ref, nref) == 0);
	compare_all(&d);
	CHECK(dir24_groups_used(&d) == want_groups());
	dir24_close(&d);
}

/* More /24s with long prefixes, or more values, than there is room for. */
static void test_limits(void)
{
	static struct dir24_route many[NGROUPS + 1];
	struct dir24 d;

	for (size_t i = 0; i <= NGROUPS; i++) {
		many[i].addr = 0x0b000000 | i << 8 | 0x80;
		many[i].plen = 25;
		many[i].rt = (struct xr_route){ .type = XR_RT_UNICAST,
						.nh = 1 };
	}
	CHECK(dir24_open_mem(&d, tbl24, tbl8, NGROUPS, leaves, NLEAVES) == 0);
	no_grace(&d);
	CHECK(dir24_sync(&d, many, NGROUPS + 1) == -ENOSPC);
	CHECK(d.full && !strcmp(d.full, XR_MAP_DIR8_V4));
	CHECK(dir24_sync(&d, many, NGROUPS) == 0);
	dir24_plan_begin(&d);
	CHECK(dir24_plan_add(&d, many[NGROUPS].addr, 25, &many[0].rt) == 0);
	CHECK(dir24_plan_check(&d) == -ENOSPC);
	dir24_plan_begin(&d);
	for (__u32 v = 0; v < NLEAVES + 1; v++) {
		struct xr_route rt = { .type = XR_RT_UNICAST, .nh = 100 + v };

		CHECK(dir24_plan_add(&d, 0x0c000000, 8, &rt) == 0);
	}
	CHECK(dir24_plan_check(&d) == -ENOSPC);
	CHECK(d.full && !strcmp(d.full, XR_MAP_DIR_LEAVES_V4));
	dir24_close(&d);
}

int main(void)
{
	tbl24 = calloc(XR_DIR24_BLOCKS, sizeof(struct xr_dir_block));
	tbl8 = calloc(NGROUPS, sizeof(struct xr_dir_block));
	if (!tbl24 || !tbl8)
		return 2;
	srand(7);
	test_changes();
	test_sync();
	test_limits();
	CHECK(mismatches == 0);
	free(tbl24);
	free(tbl8);
	CHECK_DONE();
}
