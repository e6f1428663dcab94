/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Helpers shared by the lb_config*.c files; not part of lb_config.h. */
#ifndef XR_LB_CONFIG_PRIV_H
#define XR_LB_CONFIG_PRIV_H

#include <stddef.h>
#include <linux/types.h>
#include "lb_config.h"

/*
 * "src:line:col: " (or "src: ", or nothing) then the message into @err;
 * returns -EINVAL.
 */
__attribute__((format(printf, 5, 6)))
int lb_cfg_errf(char *err, size_t len, const char *src,
		const struct lb_loc *loc, const char *fmt, ...);

#endif /* XR_LB_CONFIG_PRIV_H */
