// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* lb show and lb export: the running configuration and its counters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lb_config.h"
#include "lb_state.h"
#include "log.h"
#include "output.h"
#include "cmd_lb.h"

/* ---- show ---- */

static void print_mac(const __u8 *mac, char *buf, size_t len)
{
	static const __u8 zero[6];

	if (!memcmp(mac, zero, 6))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
			 mac[1], mac[2], mac[3], mac[4], mac[5]);
}

static void print_health(const struct lb_health *h)
{
	out_open_object("health");
	out_bool(PRINT_JSON, "enabled", NULL, h->enabled);
	if (h->enabled) {
		out_string(PRINT_FP, NULL, "  health %s", h->http_path[0] ?
			   "http" : "tcp");
		out_uint(PRINT_ANY, "interval_ms", " every %llums",
			 h->interval_ms);
		out_uint(PRINT_ANY, "timeout_ms", " timeout %llums",
			 h->timeout_ms);
		out_uint(PRINT_ANY, "rise", " rise %llu", h->rise);
		out_uint(PRINT_ANY, "fall", " fall %llu", h->fall);
		if (h->port)
			out_uint(PRINT_ANY, "port", " port %llu", h->port);
		else
			out_null(PRINT_JSON, "port", NULL);
		if (h->http_path[0])
			out_string(PRINT_ANY, "http_path", " GET %s",
				   h->http_path);
		else
			out_null(PRINT_JSON, "http_path", NULL);
	} else {
		out_text("  health off");
	}
	out_close_object();
	out_text("\n");
}

static int show_vip(const struct lb_maps *m, const struct lb_vip *v,
		    __u32 *ring)
{
	char a[INET6_ADDRSTRLEN], k[80], mac[20], digest[20];
	struct xr_vip_stats st;
	__u32 slots = 0;
	int rc;

	rc = lb_vip_stats_read(m, v->id, &st);
	if (!rc)
		rc = lb_ring_read(m, v->id, ring);
	if (rc) {
		log_error("cannot read VIP '%s': %s", v->name,
			  log_strerror(rc));
		return rc;
	}
	for (__u32 i = 0; i < XR_LB_RING_SIZE; i++)
		slots += ring[i] != 0;
	snprintf(digest, sizeof(digest), "%016llx",
		 (unsigned long long)lb_ring_digest_ids(v, ring));

	out_open_object(NULL);
	out_string(PRINT_ANY, "name", "VIP %s", v->name);
	out_string(PRINT_FP, NULL, " %s", lb_vip_str(v, k, sizeof(k)));
	out_string(PRINT_JSON, "address", NULL,
		   lb_addr_str(&v->addr, a, sizeof(a)));
	out_uint(PRINT_JSON, "port", NULL, v->port);
	out_string(PRINT_JSON, "protocol", NULL, lb_proto_name(v->proto));
	out_string(PRINT_ANY, "mode", " mode %s", lb_mode_name(v->mode));
	out_uint(PRINT_ANY, "id", " id %llu", v->id);
	print_health(&v->health);
	out_open_object("stats");
	out_uint(PRINT_ANY, "packets", "  packets %llu", st.rx.packets);
	out_uint(PRINT_ANY, "bytes", " bytes %llu", st.rx.bytes);
	out_uint(PRINT_ANY, "reply_packets", " replies %llu",
		 st.reply.packets);
	out_uint(PRINT_ANY, "reply_bytes", " (%llu bytes)", st.reply.bytes);
	out_uint(PRINT_ANY, "conn_hit", " conn hit %llu", st.conn_hit);
	out_uint(PRINT_ANY, "conn_miss", " miss %llu", st.conn_miss);
	out_uint(PRINT_ANY, "no_backend", " no-backend %llu\n",
		 st.no_backend);
	out_close_object();
	out_open_object("ring");
	out_uint(PRINT_ANY, "size", "  ring %llu slots", XR_LB_RING_SIZE);
	out_uint(PRINT_ANY, "used", ", %llu used", slots);
	out_string(PRINT_ANY, "digest", ", digest %s\n", digest);
	out_close_object();

	out_text("  %-39s %-5s %6s %-6s %-6s %-6s %-17s %5s %12s %14s\n",
		 "Backend", "Port", "Weight", "State", "Now", "Ring%", "MAC",
		 "Id", "Packets", "Bytes");
	out_open_array("backends");
	for (size_t j = 0; j < v->nr_backends; j++) {
		const struct lb_backend *b = &v->backends[j];
		struct xr_counter c;
		__u32 mine = 0;

		for (__u32 i = 0; i < XR_LB_RING_SIZE; i++)
			mine += ring[i] == b->id;
		rc = lb_backend_stats_read(m, b->id, &c);
		if (rc) {
			log_error("cannot read the counters of backend id %u: "
				  "%s", b->id, log_strerror(rc));
			return rc;
		}
		print_mac(b->mac, mac, sizeof(mac));
		out_open_object(NULL);
		out_string(PRINT_ANY, "address", "  %-39s",
			   lb_addr_str(&b->addr, a, sizeof(a)));
		if (b->port)
			out_uint(PRINT_ANY, "port", " %-5llu", b->port);
		else
			out_string(PRINT_FP, NULL, " %-5s", "-");
		if (!b->port)
			out_null(PRINT_JSON, "port", NULL);
		out_uint(PRINT_ANY, "weight", " %6llu", b->weight);
		out_string(PRINT_ANY, "state", " %-6s",
			   lb_state_name(b->state));
		out_string(PRINT_ANY, "effective_state", " %-6s",
			   lb_state_name(b->cur_state));
		out_bool(PRINT_JSON, "health_down", NULL, b->health_down);
		out_float(PRINT_FP, NULL, " %6.2f",
			  100.0 * mine / XR_LB_RING_SIZE);
		out_uint(PRINT_JSON, "ring_slots", NULL, mine);
		out_string(PRINT_ANY, "mac", " %-17s", mac);
		out_uint(PRINT_ANY, "id", " %5llu", b->id);
		out_uint(PRINT_JSON, "gen", NULL, b->gen);
		out_uint(PRINT_ANY, "packets", " %12llu", c.packets);
		out_uint(PRINT_ANY, "bytes", " %14llu\n", c.bytes);
		out_close_object();
	}
	out_close_array();
	out_close_object();
	out_text("\n");
	return 0;
}

static int cmd_lb_show_run(struct cmd_ctx *c)
{
	struct lb_config cfg;
	__u32 *ring;
	bool *want;
	int rc;

	/* Read under the lock, print without it. */
	rc = cmd_lb_read_vips(c, &cfg, &want);
	if (rc)
		return rc;
	ring = malloc(XR_LB_RING_SIZE * sizeof(*ring));
	if (!ring) {
		rc = -ENOMEM;
		goto out;
	}
	out_open_object(NULL);
	out_open_array("vips");
	for (size_t i = 0; !rc && i < cfg.nr_vips; i++)
		if (want[i])
			rc = show_vip(&c->lb, &cfg.vips[i], ring);
	out_close_array();
	out_close_object();
	if (!rc) {
		if (!cfg.nr_vips)
			out_text("no VIPs\n");
		out_flush();
	}
out:
	if (rc == -ENOMEM)
		log_error("out of memory");
	free(ring);
	free(want);
	lb_config_free(&cfg);
	return rc;
}

COMMAND(cmd_lb_show, "show", "show VIPs, backends and counters", CMD_LB_SESSION,
	.usage = "Usage: xdp-router lb show [VIP...]\n"
		 "\n"
		 "VIPs with their mode, health checks, counters and ring digest, "
		 "and their\n"
		 "backends: weight, configured state, state in the data plane "
		 "(Now),\n"
		 "share of the ring, MAC, id and counters.\n");

/* ---- export ---- */

static void export_yaml(FILE *f, const struct lb_config *cfg)
{
	char a[INET6_ADDRSTRLEN];

	fprintf(f, "# xdp-router lb export\nvips:%s\n",
		cfg->nr_vips ? "" : " []");
	for (size_t i = 0; i < cfg->nr_vips; i++) {
		const struct lb_vip *v = &cfg->vips[i];
		const struct lb_health *h = &v->health;

		fprintf(f, "  - name: %s\n    address: %s\n", v->name,
			lb_addr_str(&v->addr, a, sizeof(a)));
		fprintf(f, "    port: %u\n    protocol: %s\n    mode: %s\n",
			v->port, lb_proto_name(v->proto), lb_mode_name(v->mode));
		if (!h->enabled) {
			fprintf(f, "    health: none\n");
		} else {
			fprintf(f, "    health: { interval: %ums, timeout: %ums, "
				"rise: %u, fall: %u", h->interval_ms,
				h->timeout_ms, h->rise, h->fall);
			if (h->port)
				fprintf(f, ", port: %u", h->port);
			if (h->http_path[0])
				fprintf(f, ", http_path: \"%s\"", h->http_path);
			fprintf(f, " }\n");
		}
		fprintf(f, "    backends:%s\n", v->nr_backends ? "" : " []");
		for (size_t j = 0; j < v->nr_backends; j++) {
			const struct lb_backend *b = &v->backends[j];

			fprintf(f, "      - { address: %s, weight: %u, "
				"state: %s",
				lb_addr_str(&b->addr, a, sizeof(a)), b->weight,
				lb_state_name(b->state));
			if (b->port)
				fprintf(f, ", port: %u", b->port);
			fprintf(f, " }\n");
		}
	}
}

static int cmd_lb_export_check(struct cmd_ctx *c)
{
	if (!c->g->json)
		return 0;
	log_error("lb export: the output is YAML; use 'lb show --json' for "
		  "JSON");
	return -EINVAL;
}

static int cmd_lb_export_run(struct cmd_ctx *c)
{
	struct lb_config cfg;
	int rc = cmd_lb_read(c, &cfg);

	if (rc)
		return rc;
	cmd_unlock(c);
	export_yaml(stdout, &cfg);
	fflush(stdout);
	lb_config_free(&cfg);
	return 0;
}

COMMAND(cmd_lb_export, "export", "print the running configuration as YAML",
	CMD_NO_ARGS | CMD_LB_SESSION,
	.usage = "Usage: xdp-router lb export\n\n"
		 "Prints the running configuration as a YAML file that "
		 "'lb apply' takes.\n",
	.check = cmd_lb_export_check);
