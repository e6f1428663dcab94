/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Text forms of prefixes, routes and nexthops for populate's -v lines. */
#ifndef XR_FIB_FMT_H
#define XR_FIB_FMT_H

#include <stddef.h>
#include "fib_model.h"
#include "xdp_router_types.h"

#define FIB_FMT_LEN 128

const char *fib_fmt_pfx(const struct fib_pfx *p, char *buf, size_t len);
const char *fib_fmt_addr(__u8 family, const __u8 *addr, char *buf,
			 size_t len);
const char *fib_fmt_route(const struct xr_route *r, char *buf, size_t len);
const char *fib_fmt_nexthop(const struct xr_nexthop *nh, char *buf,
			    size_t len);
const char *fib_fmt_mac(const __u8 mac[6], char *buf, size_t len);

#endif /* XR_FIB_FMT_H */
