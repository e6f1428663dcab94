/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The packet fuzzer's routes (fuzz_net.c), for the model. */
#ifndef XR_FUZZ_NET_H
#define XR_FUZZ_NET_H

#include <linux/types.h>
#include "fuzz_model.h"

enum fz_route_kind { FZ_RT_VIA, FZ_RT_BLACKHOLE, FZ_RT_UNREACHABLE };

struct fz_route {
	const char *prefix;
	enum fz_route_kind kind;
	int link;		/* FZ_RT_VIA: index in the links table */
	const char *gw;		/* NULL: the link's peer */
};

extern const struct fz_route fz_routes[];
extern const int fz_n_routes;

/* Link @n of the table (0 = r0 ...), or NULL. */
const struct fz_link *fz_link(int n);

/* "ADDR/LEN" -> family, address, length. */
int fz_prefix(const char *s, __u8 *family, __u8 bin[16], int *plen);

#endif /* XR_FUZZ_NET_H */
