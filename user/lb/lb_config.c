// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The load balancer's configuration as a data structure: add, delete, copy,
 * free, look up; see lb_config.h. Values are in lb_config_value.c,
 * validation in lb_config_validate.c, the YAML form in lb_config_yaml.c,
 * reading the file in lb_config_file.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lb_config.h"

void lb_health_default(struct lb_health *h)
{
	memset(h, 0, sizeof(*h));
	h->enabled = true;
	h->interval_ms = LB_HC_INTERVAL_MS;
	h->timeout_ms = LB_HC_TIMEOUT_MS;
	h->rise = LB_HC_RISE;
	h->fall = LB_HC_FALL;
}

/* ---- containers ---- */

struct lb_backend *lb_vip_add_backend(struct lb_vip *v)
{
	struct lb_backend *b = realloc(v->backends,
				       (v->nr_backends + 1) * sizeof(*b));

	if (!b)
		return NULL;
	v->backends = b;
	b = &v->backends[v->nr_backends++];
	memset(b, 0, sizeof(*b));
	b->weight = 1;
	return b;
}

struct lb_vip *lb_config_add_vip(struct lb_config *cfg)
{
	struct lb_vip *v = realloc(cfg->vips, (cfg->nr_vips + 1) * sizeof(*v));

	if (!v)
		return NULL;
	cfg->vips = v;
	v = &cfg->vips[cfg->nr_vips++];
	memset(v, 0, sizeof(*v));
	v->id = ~0U;
	v->mode = XR_LB_DSR;
	v->proto = IPPROTO_TCP;
	lb_health_default(&v->health);
	return v;
}

void lb_vip_del_backend(struct lb_vip *v, size_t i)
{
	memmove(&v->backends[i], &v->backends[i + 1],
		(v->nr_backends - i - 1) * sizeof(v->backends[0]));
	v->nr_backends--;
}

void lb_config_del_vip(struct lb_config *cfg, size_t i)
{
	free(cfg->vips[i].backends);
	memmove(&cfg->vips[i], &cfg->vips[i + 1],
		(cfg->nr_vips - i - 1) * sizeof(cfg->vips[0]));
	cfg->nr_vips--;
}

void lb_config_free(struct lb_config *cfg)
{
	for (size_t i = 0; i < cfg->nr_vips; i++)
		free(cfg->vips[i].backends);
	free(cfg->vips);
	cfg->vips = NULL;
	cfg->nr_vips = 0;
}

int lb_config_copy(struct lb_config *dst, const struct lb_config *src)
{
	memset(dst, 0, sizeof(*dst));
	if (!src->nr_vips)
		return 0;
	dst->vips = calloc(src->nr_vips, sizeof(*dst->vips));
	if (!dst->vips)
		return -ENOMEM;
	for (size_t i = 0; i < src->nr_vips; i++) {
		const struct lb_vip *s = &src->vips[i];
		struct lb_vip *d = &dst->vips[i];

		*d = *s;
		d->backends = NULL;
		dst->nr_vips++;
		if (!s->nr_backends)
			continue;
		d->backends = malloc(s->nr_backends * sizeof(*d->backends));
		if (!d->backends) {
			d->nr_backends = 0;
			lb_config_free(dst);
			return -ENOMEM;
		}
		memcpy(d->backends, s->backends,
		       s->nr_backends * sizeof(*d->backends));
	}
	return 0;
}

bool lb_vip_same_key(const struct lb_vip *a, const struct lb_vip *b)
{
	return !lb_addr_cmp(&a->addr, &b->addr) && a->port == b->port &&
	       a->proto == b->proto;
}

struct lb_vip *lb_config_find_vip(const struct lb_config *cfg,
				  const struct lb_vip *key)
{
	for (size_t i = 0; i < cfg->nr_vips; i++)
		if (lb_vip_same_key(&cfg->vips[i], key))
			return &cfg->vips[i];
	return NULL;
}

struct lb_backend *lb_vip_find_backend(const struct lb_vip *v,
				       const struct lb_addr *a, __u16 port)
{
	for (size_t i = 0; i < v->nr_backends; i++)
		if (!lb_addr_cmp(&v->backends[i].addr, a) &&
		    lb_backend_port(v, &v->backends[i]) ==
			    (port ? port : v->port))
			return &v->backends[i];
	return NULL;
}
