/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The packet fuzzer's frames (fuzz_gen.c; the random source is
 * fuzz_rng.c): random, reproducible from a seed, drawn around the network
 * of fuzz_net.c so that every path of the router is reached, then mutated.
 */
#ifndef XR_FUZZ_GEN_H
#define XR_FUZZ_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct fz_rng {
	__u64 state;
};

__u64 fz_next(struct fz_rng *r);
__u32 fz_below(struct fz_rng *r, __u32 n);	/* [0, n) */
bool fz_chance(struct fz_rng *r, unsigned int percent);
void fz_fill(struct fz_rng *r, __u8 *p, size_t n);	/* random bytes */
/* One of the NULL-terminated @pool's strings. */
const char *fz_pick(struct fz_rng *r, const char *const *pool);

/*
 * A frame of at most @cap bytes (at least 14) into @frame, received on
 * *@ingress; returns its length.
 */
size_t fz_frame(struct fz_rng *r, __u8 *frame, size_t cap, __u32 *ingress);

#endif /* XR_FUZZ_GEN_H */
