/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Backend health probes: a TCP connect to the backend's own address (DSR
 * backends hold the VIP on their loopback; the probe does not go through
 * the load balancer), optionally followed by an HTTP/1.0 GET whose status
 * must be 2xx or 3xx. Probes run in parallel, each with its own timeout.
 */
#ifndef XR_LB_HEALTH_H
#define XR_LB_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include "lb_config.h"

struct lb_probe {
	struct lb_addr addr;
	__u16 port;
	const char *http_path;		/* NULL or "": connect only */
	unsigned int timeout_ms;
	/* Results */
	bool ok;
	unsigned int elapsed_ms;
	char msg[96];			/* why it failed; "" when ok */
};

/*
 * Runs every probe; returns when all are done, or early with -EINTR when
 * *@stop becomes true (a signal handler sets it). 0 otherwise.
 */
int lb_probe_run(struct lb_probe *p, size_t n, volatile int *stop);

/* The port a VIP's health check uses for @b: 0 if there is none. */
__u16 lb_probe_port(const struct lb_vip *v, const struct lb_backend *b);

/*
 * Consecutive results of one backend, and the rise/fall decision. Returns
 * true when the backend's health changes (then @down is the new one).
 */
struct lb_health_track {
	unsigned int ok_run;
	unsigned int fail_run;
};
bool lb_health_update(struct lb_health_track *t, const struct lb_health *h,
		      bool ok, bool *down);

#endif /* XR_LB_HEALTH_H */
