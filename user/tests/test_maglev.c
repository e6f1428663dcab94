// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Maglev tables: a pure function of the backend set (any order gives the
 * same table, by key), shares that follow the weights, and minimal
 * disruption when one backend of N goes or comes. The measured figures are
 * printed for the record.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "maglev.h"

#define M 65537

static void key_of(uint8_t *key, unsigned int i)
{
	/* Like lb_state.c: family, IPv4 address, port. */
	memset(key, 0, MAGLEV_KEY_MAX);
	key[0] = 2;
	key[1] = 10;
	key[2] = 0;
	key[3] = (i >> 8) & 0xff;
	key[4] = i & 0xff;
	key[17] = 0;
	key[18] = 80;
}

/* The table as backend numbers (i of key_of), -1 for none. */
static void build(const struct maglev_backend *b, size_t n, int32_t *out)
{
	int32_t *t = malloc(M * sizeof(*t));

	CHECK(maglev_build(b, n, M, t) == 0);
	for (int i = 0; i < M; i++)
		out[i] = t[i] < 0 ? -1 : (b[t[i]].key[3] << 8 | b[t[i]].key[4]);
	free(t);
}

static unsigned int moved(const int32_t *a, const int32_t *b)
{
	unsigned int n = 0;

	for (int i = 0; i < M; i++)
		n += a[i] != b[i];
	return n;
}

static void test_determinism(void)
{
	struct maglev_backend b[10], r[10];
	int32_t *t1 = malloc(M * 4), *t2 = malloc(M * 4);

	for (int i = 0; i < 10; i++) {
		key_of(b[i].key, i + 1);
		b[i].weight = 1 + i % 3;
	}
	build(b, 10, t1);
	/* Reversed, then a fixed shuffle. */
	for (int i = 0; i < 10; i++)
		r[i] = b[9 - i];
	build(r, 10, t2);
	CHECK(moved(t1, t2) == 0);
	for (int i = 0; i < 10; i++)
		r[i] = b[(i * 7) % 10];
	build(r, 10, t2);
	CHECK(moved(t1, t2) == 0);
	/* Zero-weight entries are as if absent. */
	struct maglev_backend z[11];

	memcpy(z, b, sizeof(b));
	key_of(z[10].key, 99);
	z[10].weight = 0;
	build(z, 11, t2);
	CHECK(moved(t1, t2) == 0);
	free(t1);
	free(t2);
}

static void test_empty_and_single(void)
{
	struct maglev_backend b[2];
	int32_t *t = malloc(M * 4);

	build(b, 0, t);
	for (int i = 0; i < M; i++)
		CHECK(t[i] == -1);
	key_of(b[0].key, 1);
	b[0].weight = 0;
	key_of(b[1].key, 2);
	b[1].weight = 0;
	build(b, 2, t);
	CHECK(t[0] == -1 && t[M - 1] == -1);
	b[1].weight = 5;
	build(b, 2, t);
	for (int i = 0; i < M; i++)
		if (t[i] != 2) {
			CHECK(t[i] == 2);
			break;
		}
	CHECK(maglev_build(b, 2, 65536, t) != 0);	/* not prime */
	free(t);
}

static void test_weights(void)
{
	static const uint32_t w[][4] = {
		{ 1, 1, 1, 1 }, { 1, 2, 1, 0 }, { 1, 2, 3, 4 },
		{ 1, 10, 100, 1000 }, { 7, 7, 1, 0 },
	};
	int32_t *t = malloc(M * 4);

	for (size_t c = 0; c < sizeof(w) / sizeof(w[0]); c++) {
		struct maglev_backend b[4];
		unsigned int count[5] = {}, sum = 0;
		double worst = 0;

		for (int i = 0; i < 4; i++) {
			key_of(b[i].key, i + 1);
			b[i].weight = w[c][i];
			sum += w[c][i];
		}
		build(b, 4, t);
		for (int i = 0; i < M; i++)
			count[t[i]]++;
		for (int i = 0; i < 4; i++) {
			double want = (double)M * w[c][i] / sum;
			double err = want ? (count[i + 1] - want) / want : 0;

			if (!w[c][i])
				CHECK(count[i + 1] == 0);
			if (err < 0)
				err = -err;
			if (err > worst)
				worst = err;
			/* Within 1 % of the weight's share, or a slot. */
			CHECK(count[i + 1] <= want * 1.01 + 1 &&
			      count[i + 1] + 1 >= want * 0.99);
		}
		printf("weights %u:%u:%u:%u -> slots %u:%u:%u:%u, worst "
		       "relative error %.4f%%\n", w[c][0], w[c][1], w[c][2],
		       w[c][3], count[1], count[2], count[3], count[4],
		       worst * 100);
	}
	free(t);
}

/*
 * Removing one of N moves that backend's share (1/N) plus a little;
 * adding one back gives the same table as before.
 */
static void test_disruption(void)
{
	static const int sizes[] = { 3, 5, 10, 50, 100 };
	int32_t *full = malloc(M * 4), *less = malloc(M * 4);

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		int n = sizes[s];
		struct maglev_backend *b = calloc(n, sizeof(*b));
		double worst_extra = 0, sum_extra = 0;

		for (int i = 0; i < n; i++) {
			key_of(b[i].key, i + 1);
			b[i].weight = 1;
		}
		build(b, n, full);
		for (int gone = 0; gone < n; gone++) {
			unsigned int own = 0, mv;
			double extra;

			b[gone].weight = 0;
			build(b, n, less);
			b[gone].weight = 1;
			for (int i = 0; i < M; i++)
				own += full[i] == gone + 1;
			mv = moved(full, less);
			/* Flows of other backends that moved anyway. */
			extra = (double)(mv - own) / M;
			sum_extra += extra;
			if (extra > worst_extra)
				worst_extra = extra;
			CHECK(mv >= own);
		}
		printf("%3d backends: remove one moves 1/N = %.2f%% + extra "
		       "mean %.2f%%, worst %.2f%% of all flows\n", n,
		       100.0 / n, 100 * sum_extra / n, 100 * worst_extra);
		/* Margin: extra movement under a fifth of the share, and
		 * under 2 % of all flows. */
		CHECK(worst_extra < 0.2 / n + 0.005 || worst_extra < 0.02);

		/* Adding back restores the very same table. */
		b[0].weight = 0;
		build(b, n, less);
		b[0].weight = 1;
		build(b, n, less);
		CHECK(moved(full, less) == 0);
		free(b);
	}
	/* Weighted: one of 4 with weights 1,2,3,4 removed. */
	{
		struct maglev_backend b[4];
		unsigned int own = 0, mv;

		for (int i = 0; i < 4; i++) {
			key_of(b[i].key, i + 1);
			b[i].weight = i + 1;
		}
		build(b, 4, full);
		b[3].weight = 0;
		build(b, 4, less);
		for (int i = 0; i < M; i++)
			own += full[i] == 4;
		mv = moved(full, less);
		printf("weights 1:2:3:4, weight-4 removed: its share %.2f%%, "
		       "moved %.2f%%\n", 100.0 * own / M, 100.0 * mv / M);
		CHECK(mv - own < M / 20);
		/* A weight change moves about the difference in share. */
		b[3].weight = 4;
		b[1].weight = 3;
		build(b, 4, less);
		mv = moved(full, less);
		printf("weights 1:2:3:4 -> 1:3:3:4: share +%.2f%%, moved "
		       "%.2f%%\n", 100.0 * (3.0 / 11 - 2.0 / 10),
		       100.0 * mv / M);
		CHECK(mv < M / 4);
	}
	free(full);
	free(less);
}

int main(void)
{
	test_determinism();
	test_empty_and_single();
	test_weights();
	test_disruption();
	CHECK_DONE();
}
