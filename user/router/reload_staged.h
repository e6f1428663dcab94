/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * reload pins the new program under a staged name, switches the interfaces,
 * then renames the pin over the old one. A reload killed in between leaves
 * the staged pin behind; reload_recover() finishes or undoes it.
 */
#ifndef XR_RELOAD_STAGED_H
#define XR_RELOAD_STAGED_H

#include "xdp_router_types.h"

/* Beside XR_PIN_PROG (bpffs refuses names with a dot). */
#define RELOAD_PIN_STAGED XR_PIN_PROG "_new"

/*
 * Under the pin lock: if a staged program runs on some interface, every
 * interface still on the pinned one is switched to it and its pin renamed
 * over XR_PIN_PROG; a staged program that runs nowhere is unpinned.
 * Returns 0 or a negative errno, reported.
 */
int reload_recover(const char *pin_path);

#endif /* XR_RELOAD_STAGED_H */
