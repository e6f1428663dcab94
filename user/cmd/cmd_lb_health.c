// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* lb health: every backend probed once, reported; nothing changed. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "cmd_lb.h"
#include "lb_config.h"
#include "lb_health.h"
#include "lb_state.h"
#include "log.h"
#include "output.h"

static volatile int stop_probe;

static void on_signal(int sig)
{
	stop_probe = 1;
}

/* Probes of every backend of the VIPs of @cfg marked in @only. */
static size_t build_probes(const struct lb_config *cfg, const bool *only,
			   struct lb_probe *p, const struct lb_vip **pv,
			   struct lb_backend **pb)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->nr_vips; i++) {
		const struct lb_vip *v = &cfg->vips[i];

		if (!only[i])
			continue;
		for (size_t j = 0; j < v->nr_backends; j++) {
			struct lb_backend *b = &v->backends[j];

			memset(&p[n], 0, sizeof(p[n]));
			p[n].addr = b->addr;
			p[n].port = lb_probe_port(v, b);
			p[n].http_path = v->health.http_path;
			p[n].timeout_ms = v->health.enabled ?
						  v->health.timeout_ms
						: LB_HC_TIMEOUT_MS;
			pv[n] = v;
			pb[n++] = b;
		}
	}
	return n;
}

static int cmd_lb_health_run(struct cmd_ctx *c)
{
	struct lb_config cfg;
	struct lb_probe *p = NULL;
	const struct lb_vip **pv = NULL;
	struct lb_backend **pb = NULL;
	bool *only;
	char a[INET6_ADDRSTRLEN];
	size_t n, total;
	int rc = cmd_lb_read_vips(c, &cfg, &only);

	if (rc)
		return rc;
	total = cmd_lb_count_backends(&cfg);
	p = calloc(total + 1, sizeof(*p));
	pv = calloc(total + 1, sizeof(*pv));
	pb = calloc(total + 1, sizeof(*pb));
	if (!p || !pv || !pb) {
		log_error("out of memory");
		rc = -ENOMEM;
		goto out;
	}
	n = build_probes(&cfg, only, p, pv, pb);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rc = lb_probe_run(p, n, &stop_probe);
	if (rc) {
		log_error("health probes interrupted");
		goto out;
	}
	out_text("%-16s %-39s %-5s %-5s %-8s %-5s %s\n", "VIP", "Backend",
		 "Port", "Up", "Time", "Mark", "Why");
	out_open_array(NULL);
	for (size_t i = 0; i < n; i++) {
		out_open_object(NULL);
		out_string(PRINT_ANY, "vip", "%-16s", pv[i]->name);
		out_string(PRINT_ANY, "backend", " %-39s",
			   lb_addr_str(&p[i].addr, a, sizeof(a)));
		out_uint(PRINT_ANY, "port", " %-5llu", p[i].port);
		out_bool(PRINT_ANY, "up", " %-5s", p[i].ok);
		out_uint(PRINT_ANY, "time_ms", " %6llums", p[i].elapsed_ms);
		out_bool(PRINT_JSON, "checked", NULL, pv[i]->health.enabled);
		out_string(PRINT_ANY, "mark", " %-5s",
			   pb[i]->health_down ? "down" : "up");
		out_string(PRINT_ANY, "error", " %s\n", p[i].msg);
		out_close_object();
	}
	out_close_array();
	out_flush();
out:
	free(p);
	free(pv);
	free(pb);
	free(only);
	lb_config_free(&cfg);
	return rc;
}

COMMAND(cmd_lb_health, "health", "probe the backends once", CMD_LB_SESSION,
	.usage = "Usage: xdp-router lb health [VIP...]\n\n"
		 "Probes every backend once, as the health checks of 'lb watch' "
		 "do (VIPs\n"
		 "without health checks: a TCP connect to the backend's port), "
		 "and reports;\n"
		 "changes nothing.\n");
