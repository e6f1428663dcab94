/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* populate --watch: follow the kernel's notifications until a signal. */
#ifndef XR_POPULATE_WATCH_H
#define XR_POPULATE_WATCH_H

#include "populate.h"

/*
 * Subscribes, converges everything once, then applies every change as it
 * comes. Returns 0 after SIGINT/SIGTERM (the maps valid and current), or a
 * negative errno after an error it cannot ride out (a table that no longer
 * fits), reported.
 */
int populate_watch(struct populate *p);

#endif /* XR_POPULATE_WATCH_H */
