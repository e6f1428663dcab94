/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* attach's load-time settings, as status shows them. */
#ifndef XR_CMD_ATTACH_H
#define XR_CMD_ATTACH_H

#include <stddef.h>
#include "router.h"

/*
 * The value of setting --@name in @s as attach takes it ("fib", "0,2",
 * "1024"; "" for no --cpus). Returns 0, or -ENOENT if @name is none.
 */
int attach_setting_value(const char *name, const struct router_settings *s,
			 char *buf, size_t len);

#endif /* XR_CMD_ATTACH_H */
