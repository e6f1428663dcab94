/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * attach's work on one interface (a target): cmd_attach.c checks every
 * target, then applies them in turn and rolls back the applied ones if one
 * fails. Functions return 0 or a negative errno and report their own errors.
 */
#ifndef XR_ATTACH_TARGET_H
#define XR_ATTACH_TARGET_H

#include <stdbool.h>
#include <linux/types.h>
#include "iface.h"
#include "ifmap.h"
#include "mode.h"

struct router;

struct target {
	struct iface ifc;
	__u8 mac[6];

	/* The program found on the interface (--force only). */
	int old_fd;
	__u32 old_id;
	enum xr_mode old_mode;

	/* Progress, for the rollback. */
	struct ifmap_saved saved;
	bool maps_written;
	bool old_removed;	/* detached the old program to change mode */
	bool attached;
	bool swapped;		/* replaced the old program atomically */
	bool already;		/* ours already, in the wanted mode */
	enum xr_mode mode;
	/* auto fell back to generic: the kernel's refusal of native mode,
	 * a negative errno (0: no fallback), and its words ("" if none). */
	int native_err;
	char native_msg[256];

	/* --multiprog: through libxdp, at the object's XDP_RUN_CONFIG. */
	bool multiprog;
	bool dispatched;	/* libxdp used its dispatcher */
};

/* Resolves the @n interface @names into @t: index, name and MAC; refuses
 * duplicates and non-Ethernet interfaces. */
int resolve_targets(char **names, int n, struct target *t);

/*
 * Refuses an occupied interface, or (@force) holds on to its program; the
 * router (@r, NULL if none runs) already there in @want mode is not an
 * error.
 */
int check_target(const struct router *r, struct target *t,
		 enum xr_mode want, bool force);

/* check_target() for --multiprog. */
int check_target_multiprog(const struct router *r, struct target *t);

/* Writes the interface's conf into the maps, then attaches the router. */
int apply_target(const struct router *r, struct target *t,
		 enum xr_mode want);

/* Undoes apply_target(); failures are reported, nothing more can be done. */
void rollback_target(const struct router *r, struct target *t);

#endif /* XR_ATTACH_TARGET_H */
