/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The pin path: where the router's program and maps are pinned, and the
 * bpffs that holds it. Functions return 0 or a negative errno and report
 * their own errors.
 */
#ifndef XR_PIN_H
#define XR_PIN_H

#include <stdbool.h>
#include <stddef.h>

#define PIN_PATH_DEFAULT "/sys/fs/bpf/xdp-router"
#define PIN_PATH_ENV "XDP_ROUTER_PIN_PATH"

/* @opt (--pin-path), else $XDP_ROUTER_PIN_PATH, else the default. */
int pin_path_resolve(const char *opt, char *buf, size_t len);

/* True if @path is on a bpffs. */
bool pin_on_bpffs(const char *path);

/*
 * Makes sure the pin path's parent directory is on a bpffs: creates it
 * and mounts one there if needed (like bpftool's mount_bpffs_for_pin).
 */
int pin_ensure_bpffs(const char *pin_path);

/*
 * Serialises invocations on one pin path: takes an exclusive flock on
 * the parent directory, which, unlike the pin dir, outlives the router.
 * Returns the locked fd (close it to unlock) or a negative errno.
 */
int pin_lock(const char *pin_path);

/*
 * Creates the pin dir, mode 0700; an existing directory is fine if it is
 * ours and no one else may write to it (-EPERM, reported, if not).
 */
int pin_mkdir(const char *pin_path);

/* @pin_path/@name into @buf. */
int pin_file(char *buf, size_t len, const char *pin_path, const char *name);

#endif /* XR_PIN_H */
