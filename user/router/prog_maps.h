/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The maps a loaded program uses, as the kernel lists them: how the CLI
 * finds the maps of a program it did not load. Functions return 0 or a
 * negative errno, without reporting it.
 */
#ifndef XR_PROG_MAPS_H
#define XR_PROG_MAPS_H

#include <linux/types.h>

/* The ids of the maps program @prog_fd uses; free() *ids. */
int prog_map_ids(int prog_fd, __u32 **ids, __u32 *n);

/*
 * An fd of the map program @prog_fd uses whose kernel name is @name cut to
 * the kernel's 15 characters; -ENOENT if there is none.
 */
int prog_map_by_name(int prog_fd, const char *name);

#endif /* XR_PROG_MAPS_H */
