// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Whole-config validation of the load balancer's configuration, and the
 * "file:line:col: what" messages it and the YAML parser give; see lb_config.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "lb_config.h"
#include "lb_config_priv.h"

/* ---- messages ---- */

int lb_cfg_errf(char *err, size_t len, const char *src,
		const struct lb_loc *loc, const char *fmt, ...)
{
	size_t used = 0;
	va_list ap;
	int n = 0;

	if (src && loc && loc->line)
		n = snprintf(err, len, "%s:%u:%u: ", src, loc->line, loc->col);
	else if (src)
		n = snprintf(err, len, "%s: ", src);
	if (n > 0)
		used = (size_t)n < len ? (size_t)n : len;
	va_start(ap, fmt);
	vsnprintf(err + used, len - used, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ---- whole-config validation ---- */

static int validate_vip(const struct lb_vip *v, bool file, const char *src,
			char *err, size_t len)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	lb_addr_str(&v->addr, a, sizeof(a));
	if (!lb_name_valid(v->name))
		return lb_cfg_errf(err, len, src, &v->loc,
			    "invalid VIP name '%s': 1 to %d characters of "
			    "A-Z a-z 0-9 _ . -", v->name, XR_LB_NAME_MAX - 1);
	if (!lb_addr_valid_unicast(&v->addr))
		return lb_cfg_errf(err, len, src, &v->loc,
			    "VIP '%s': %s is not a unicast address", v->name,
			    a);
	if (file && !v->nr_backends)
		return lb_cfg_errf(err, len, src, &v->loc,
				   "VIP '%s' has no backends", v->name);
	if (v->health.enabled && !v->health.port && !v->port) {
		for (size_t i = 0; i < v->nr_backends; i++)
			if (!v->backends[i].port)
				return lb_cfg_errf(err, len, src, &v->loc,
					    "VIP '%s' takes every port: health "
					    "checks need 'health: {port: N}' "
					    "(or 'health: none')", v->name);
	}
	for (size_t i = 0; i < v->nr_backends; i++) {
		const struct lb_backend *be = &v->backends[i];

		lb_addr_str(&be->addr, b, sizeof(b));
		if (be->addr.family != v->addr.family)
			return lb_cfg_errf(err, len, src, &be->loc,
				    "VIP '%s' is IPv%c, backend %s is not",
				    v->name,
				    v->addr.family == AF_INET ? '4' : '6', b);
		if (!lb_addr_valid_unicast(&be->addr))
			return lb_cfg_errf(err, len, src, &be->loc,
				    "VIP '%s': backend %s is not a unicast "
				    "address", v->name, b);
		if (!lb_addr_cmp(&be->addr, &v->addr))
			return lb_cfg_errf(err, len, src, &be->loc,
				    "VIP '%s': backend %s is the VIP itself",
				    v->name, b);
		if (be->weight < 1 || be->weight > LB_WEIGHT_MAX)
			return lb_cfg_errf(err, len, src, &be->loc,
				    "VIP '%s': backend %s: weight %u out of "
				    "range 1..%d", v->name, b, be->weight,
				    LB_WEIGHT_MAX);
		if (be->state > XR_BE_DOWN)
			return lb_cfg_errf(err, len, src, &be->loc,
				    "VIP '%s': backend %s: bad state", v->name,
				    b);
		if (be->port && v->mode != XR_LB_NAT)
			return lb_cfg_errf(err, len, src, &be->loc,
				    "VIP '%s': backend %s: a backend port "
				    "needs mode nat (dsr leaves packets "
				    "untouched)", v->name, b);
		if (be->port && !v->port)
			return lb_cfg_errf(err, len, src, &be->loc,
				    "VIP '%s': backend %s: a backend port "
				    "needs a VIP port (a VIP on every port "
				    "keeps each flow's port)", v->name, b);
		for (size_t j = 0; j < i; j++) {
			const struct lb_backend *o = &v->backends[j];

			if (lb_addr_cmp(&o->addr, &be->addr) ||
			    lb_backend_port(v, o) != lb_backend_port(v, be))
				continue;
			return lb_cfg_errf(err, len, src, &be->loc,
				    "VIP '%s': duplicate backend %s%s", v->name,
				    b, o->loc.line ? " (see above)" : "");
		}
	}
	return 0;
}

int lb_config_validate(const struct lb_config *cfg, bool file,
		       const char *src, char *err, size_t len)
{
	size_t backends = 0;
	char k[80];
	int rc;

	for (size_t i = 0; i < cfg->nr_vips; i++) {
		const struct lb_vip *v = &cfg->vips[i];

		rc = validate_vip(v, file, src, err, len);
		if (rc)
			return rc;
		backends += v->nr_backends;
		for (size_t j = 0; j < i; j++) {
			const struct lb_vip *o = &cfg->vips[j];

			if (!strcmp(o->name, v->name))
				return lb_cfg_errf(err, len, src, &v->loc,
					    "duplicate VIP name '%s'", v->name);
			if (lb_vip_same_key(o, v))
				return lb_cfg_errf(err, len, src, &v->loc,
					    "VIP '%s': duplicate VIP %s (also "
					    "'%s')", v->name,
					    lb_vip_str(v, k, sizeof(k)),
					    o->name);
		}
	}
	if (backends >= XR_LB_MAX_BACKENDS)
		return lb_cfg_errf(err, len, src, NULL,
				   "%zu backends in all: at most %d", backends,
				   XR_LB_MAX_BACKENDS - 1);
	return 0;
}
