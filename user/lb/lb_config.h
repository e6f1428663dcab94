/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The load balancer's configuration: VIPs and their backends, as a YAML file
 * gives them (lb_config_load()), as the running maps hold them (lb_state.h)
 * and as one-off commands edit them. Pure data and validation, no kernel.
 *
 * A VIP is identified by (family, address, protocol, port); a backend, inside
 * its VIP, by (address, port). Everything else is an attribute that can
 * change in place.
 */
#ifndef XR_LB_CONFIG_H
#define XR_LB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <arpa/inet.h>		/* INET6_ADDRSTRLEN for lb_addr_str() */
#include <netinet/in.h>		/* IPPROTO_* */
#include <linux/types.h>
#include "xdp_router_types.h"

#define LB_WEIGHT_MAX 1000
#define LB_ERR_MAX 512

/* Health check defaults (milliseconds, probe counts). */
#define LB_HC_INTERVAL_MS 2000
#define LB_HC_TIMEOUT_MS 1000
#define LB_HC_RISE 2
#define LB_HC_FALL 3

/* Where in the file a value came from (1-based; 0: not from a file). */
struct lb_loc {
	unsigned int line;
	unsigned int col;
};

struct lb_addr {
	__u8 family;		/* AF_INET or AF_INET6 */
	__u8 a[16];		/* IPv4 in the first 4 bytes, rest zero */
};

struct lb_health {
	bool enabled;
	__u32 interval_ms;
	__u32 timeout_ms;
	__u8 rise;
	__u8 fall;
	__u16 port;		/* 0: the backend's port, else the VIP's */
	char http_path[XR_LB_HTTP_PATH_MAX];	/* "": TCP connect only */
};

struct lb_backend {
	struct lb_addr addr;
	__u16 port;		/* NAT destination port; 0 keeps the VIP's */
	__u32 weight;		/* 1..LB_WEIGHT_MAX */
	__u8 state;		/* configured: enum xr_backend_state */
	struct lb_loc loc;

	/* Run time, not part of the configuration. */
	bool health_down;	/* taken out by the health checker */
	__u32 id;		/* xr_lb_backends index; 0: none yet */
	__u32 gen;
	__u8 mac[6];
	__u8 cur_state;		/* what the data plane has now */
};

struct lb_vip {
	char name[XR_LB_NAME_MAX];
	struct lb_addr addr;
	__u16 port;		/* 0: every port */
	__u8 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	__u8 mode;		/* enum xr_lb_mode */
	struct lb_health health;
	struct lb_backend *backends;
	size_t nr_backends;
	struct lb_loc loc;

	__u32 id;		/* run time: row in the rings; ~0U: none yet */
};

struct lb_config {
	struct lb_vip *vips;
	size_t nr_vips;
};

/*
 * Loads and validates @path. On failure returns a negative errno and puts
 * "path:line:col: what" in @err (a plain message when no position applies).
 */
int lb_config_load(const char *path, struct lb_config *cfg, char *err,
		   size_t err_len);
/* The same from a buffer; @name is used in messages. */
int lb_config_parse(const char *name, const char *buf, size_t len,
		    struct lb_config *cfg, char *err, size_t err_len);

/*
 * Whole-config checks shared by the file and one-off commands: names,
 * duplicates, families, weights, ports. @file says zero backends is an
 * error (a file must give some; `lb add-vip` starts empty). @src names the
 * file in messages (NULL: none).
 */
int lb_config_validate(const struct lb_config *cfg, bool file,
		       const char *src, char *err, size_t err_len);

void lb_config_free(struct lb_config *cfg);
int lb_config_copy(struct lb_config *dst, const struct lb_config *src);

/* Default health settings of a VIP. */
void lb_health_default(struct lb_health *h);

/* Adds a zeroed backend/VIP; returns it or NULL (ENOMEM). */
struct lb_backend *lb_vip_add_backend(struct lb_vip *v);
struct lb_vip *lb_config_add_vip(struct lb_config *cfg);
void lb_vip_del_backend(struct lb_vip *v, size_t i);
void lb_config_del_vip(struct lb_config *cfg, size_t i);

/* Lookups by identity; NULL if absent. */
struct lb_vip *lb_config_find_vip(const struct lb_config *cfg,
				  const struct lb_vip *key);
struct lb_backend *lb_vip_find_backend(const struct lb_vip *v,
				       const struct lb_addr *a, __u16 port);
bool lb_vip_same_key(const struct lb_vip *a, const struct lb_vip *b);

/* Addresses: strict parse of a literal, text form, comparison. */
int lb_addr_parse(const char *s, struct lb_addr *a);
const char *lb_addr_str(const struct lb_addr *a, char *buf, size_t len);
int lb_addr_cmp(const struct lb_addr *a, const struct lb_addr *b);
bool lb_addr_valid_unicast(const struct lb_addr *a);

/*
 * "ADDR", "ADDR:PORT", "[V6ADDR]" or "[V6ADDR]:PORT"; @port 0 when absent,
 * @has_port says whether one was given.
 */
int lb_endpoint_parse(const char *s, struct lb_addr *a, __u16 *port,
		      bool *has_port);

/* Names of the enums, and back; parse functions return -EINVAL. */
const char *lb_proto_name(__u8 proto);
const char *lb_mode_name(__u8 mode);
const char *lb_state_name(__u8 state);
int lb_proto_parse(const char *s, __u8 *proto);
int lb_mode_parse(const char *s, __u8 *mode);
int lb_state_parse(const char *s, __u8 *state);

/* A VIP name: 1..XR_LB_NAME_MAX-1 of [A-Za-z0-9_.-], not starting with '-'. */
bool lb_name_valid(const char *s);

/* "10.0.0.1:80/tcp", "[2001:db8::1]:*\/udp" */
const char *lb_vip_str(const struct lb_vip *v, char *buf, size_t len);

/* What the data plane should have: configured state, then health. */
static inline __u8 lb_backend_effective(const struct lb_backend *b)
{
	if (b->state != XR_BE_ACTIVE)
		return b->state;
	return b->health_down ? XR_BE_DOWN : XR_BE_ACTIVE;
}

/* The port a flow of @v reaches @b on (0: the client's own). */
static inline __u16 lb_backend_port(const struct lb_vip *v,
				    const struct lb_backend *b)
{
	return b->port ? b->port : v->port;
}

#endif /* XR_LB_CONFIG_H */
