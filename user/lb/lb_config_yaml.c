// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The YAML form of the load balancer's configuration; see lb_config.h. */
#define _GNU_SOURCE	/* memrchr */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <yaml.h>
#include "lb_config.h"
#include "lb_config_priv.h"
#include "params.h"

/* ---- YAML ---- */

struct pctx {
	const char *src;
	yaml_document_t *doc;
	char *err;
	size_t err_len;
};

static struct lb_loc loc_of(const yaml_node_t *n)
{
	return (struct lb_loc){ n->start_mark.line + 1,
				n->start_mark.column + 1 };
}

__attribute__((format(printf, 3, 4)))
static int fail(struct pctx *p, const yaml_node_t *n, const char *fmt, ...)
{
	struct lb_loc loc = n ? loc_of(n) : (struct lb_loc){};
	char msg[LB_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return lb_cfg_errf(p->err, p->err_len, p->src, &loc, "%s", msg);
}

static yaml_node_t *node(struct pctx *p, int id)
{
	return yaml_document_get_node(p->doc, id);
}

static const char *kind_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "nothing";
	}
}

static bool is_null(const yaml_node_t *n)
{
	const char *s;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	s = (const char *)n->data.scalar.value;
	return !*s || !strcmp(s, "~") || !strcmp(s, "null");
}

/* The scalar's text, or an error naming @what. */
static int scalar(struct pctx *p, const yaml_node_t *n, const char *what,
		  const char **out)
{
	if (n->type != YAML_SCALAR_NODE || is_null(n))
		return fail(p, n, "%s: expected a value, got %s", what,
			    is_null(n) ? "nothing" : kind_name(n));
	*out = (const char *)n->data.scalar.value;
	if (strlen(*out) != n->data.scalar.length)
		return fail(p, n, "%s: NUL character in value", what);
	return 0;
}

static int get_uint(struct pctx *p, const yaml_node_t *n, const char *what,
		    unsigned long min, unsigned long max, __u32 *out)
{
	const char *s;
	int rc = scalar(p, n, what, &s);

	if (rc)
		return rc;
	rc = param_uint_max(s, UINT_MAX, out);
	if (rc == -EINVAL)
		return fail(p, n, "%s: '%s' is not a number", what, s);
	if (rc || *out < min || *out > max)
		return fail(p, n, "%s %s out of range %lu..%lu", what, s, min,
			    max);
	return 0;
}

/* Seconds ("2", "0.5", "2s") or milliseconds ("500ms"). */
static int get_duration(struct pctx *p, const yaml_node_t *n,
			const char *what, __u32 min_ms, __u32 max_ms,
			__u32 *out)
{
	const char *s;
	char num[32];
	double scale = 1000, v;
	size_t len;
	char *end;
	int rc = scalar(p, n, what, &s);

	if (rc)
		return rc;
	len = strlen(s);
	if (len > 2 && !strcmp(s + len - 2, "ms")) {
		scale = 1;
		len -= 2;
	} else if (len > 1 && s[len - 1] == 's') {
		len -= 1;
	}
	if (!len || len >= sizeof(num))
		goto bad;
	memcpy(num, s, len);
	num[len] = '\0';
	if (strspn(num, "0123456789.") != len)
		goto bad;
	errno = 0;
	v = strtod(num, &end);
	if (errno || *end || !isfinite(v))
		goto bad;
	v *= scale;
	if (v < min_ms || v > max_ms)
		return fail(p, n, "%s %s out of range %gs..%gs", what, s,
			    min_ms / 1000.0, max_ms / 1000.0);
	*out = (__u32)(v + 0.5);
	return 0;
bad:
	return fail(p, n, "%s: '%s' is not a duration (2, 0.5, 2s, 500ms)",
		    what, s);
}

/*
 * Walks the mapping @n: checks every key is in @keys (NULL-terminated),
 * appears once, and puts the value nodes in @vals (same order as @keys).
 */
static int mapping(struct pctx *p, const yaml_node_t *n, const char *what,
		   const char *const *keys, yaml_node_t **vals)
{
	char expected[256];
	size_t used = 0;
	size_t nkeys = 0;

	if (n->type != YAML_MAPPING_NODE)
		return fail(p, n, "%s: expected a mapping, got %s", what,
			    is_null(n) ? "nothing" : kind_name(n));
	while (keys[nkeys]) {
		vals[nkeys] = NULL;
		int w = snprintf(expected + used, sizeof(expected) - used,
				 "%s%s", nkeys ? ", " : "", keys[nkeys]);
		if (w > 0 && used + w < sizeof(expected))
			used += w;
		nkeys++;
	}
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start;
	     pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(p, pr->key);
		const char *ks;
		size_t i;
		int rc;

		if (k->type != YAML_SCALAR_NODE)
			return fail(p, k, "%s: keys must be plain names", what);
		rc = scalar(p, k, what, &ks);
		if (rc)
			return rc;
		for (i = 0; i < nkeys; i++)
			if (!strcmp(ks, keys[i]))
				break;
		if (i == nkeys)
			return fail(p, k, "%s: unknown key '%s' (expected %s)",
				    what, ks, expected);
		if (vals[i])
			return fail(p, k, "%s: duplicate key '%s'", what, ks);
		vals[i] = node(p, pr->value);
	}
	return 0;
}

static int get_addr(struct pctx *p, const yaml_node_t *n, const char *what,
		    struct lb_addr *a)
{
	const char *s;
	int rc = scalar(p, n, what, &s);

	if (rc)
		return rc;
	if (lb_addr_parse(s, a))
		return fail(p, n, "%s: '%s' is not an IPv4 or IPv6 address",
			    what, s);
	if (!lb_addr_valid_unicast(a))
		return fail(p, n, "%s: %s is not a unicast address", what, s);
	return 0;
}

static int get_enum(struct pctx *p, const yaml_node_t *n, const char *what,
		    int (*parse)(const char *, __u8 *), const char *choices,
		    __u8 *out)
{
	const char *s;
	int rc = scalar(p, n, what, &s);

	if (rc)
		return rc;
	if (parse(s, out))
		return fail(p, n, "%s: '%s' is not one of %s", what, s,
			    choices);
	return 0;
}

static int parse_health(struct pctx *p, const yaml_node_t *n,
			struct lb_health *h)
{
	static const char *const keys[] = { "interval", "timeout", "rise",
		"fall", "http_path", "port", NULL };
	enum { K_INTERVAL, K_TIMEOUT, K_RISE, K_FALL, K_PATH, K_PORT, K_MAX };
	yaml_node_t *v[K_MAX];
	__u32 x;
	int rc;

	lb_health_default(h);
	if (n->type == YAML_SCALAR_NODE) {
		const char *s = (const char *)n->data.scalar.value;

		if (!strcmp(s, "none") || !strcmp(s, "off") ||
		    !strcmp(s, "false")) {
			h->enabled = false;
			return 0;
		}
		return fail(p, n, "health: expected a mapping or 'none', got "
			    "'%s'", s);
	}
	rc = mapping(p, n, "health", keys, v);
	if (rc)
		return rc;
	if (v[K_INTERVAL] &&
	    (rc = get_duration(p, v[K_INTERVAL], "health interval", 100,
			       3600 * 1000, &h->interval_ms)))
		return rc;
	if (v[K_TIMEOUT] &&
	    (rc = get_duration(p, v[K_TIMEOUT], "health timeout", 10,
			       3600 * 1000, &h->timeout_ms)))
		return rc;
	if (h->timeout_ms > h->interval_ms)
		return fail(p, v[K_TIMEOUT] ? v[K_TIMEOUT] : n,
			    "health timeout (%ums) is longer than the interval "
			    "(%ums)", h->timeout_ms, h->interval_ms);
	if (v[K_RISE]) {
		if ((rc = get_uint(p, v[K_RISE], "health rise", 1, 100, &x)))
			return rc;
		h->rise = x;
	}
	if (v[K_FALL]) {
		if ((rc = get_uint(p, v[K_FALL], "health fall", 1, 100, &x)))
			return rc;
		h->fall = x;
	}
	if (v[K_PORT]) {
		if ((rc = get_uint(p, v[K_PORT], "health port", 1, 65535, &x)))
			return rc;
		h->port = x;
	}
	if (v[K_PATH]) {
		const char *s;

		if ((rc = scalar(p, v[K_PATH], "health http_path", &s)))
			return rc;
		if (s[0] != '/' || strlen(s) >= XR_LB_HTTP_PATH_MAX)
			return fail(p, v[K_PATH], "health http_path '%s': an "
				    "absolute path ('/...') shorter than %d "
				    "characters", s, XR_LB_HTTP_PATH_MAX);
		for (const char *c = s; *c; c++)
			if (*c <= ' ' || *c >= 0x7f)
				return fail(p, v[K_PATH], "health http_path: "
					    "spaces and control characters "
					    "must be %%-encoded");
		snprintf(h->http_path, sizeof(h->http_path), "%s", s);
	}
	return 0;
}

static int parse_backend(struct pctx *p, const yaml_node_t *n,
			 struct lb_vip *vip)
{
	static const char *const keys[] = { "address", "weight", "state",
		"port", NULL };
	enum { K_ADDR, K_WEIGHT, K_STATE, K_PORT, K_MAX };
	yaml_node_t *v[K_MAX];
	struct lb_backend *b;
	__u32 x;
	int rc;

	rc = mapping(p, n, "backend", keys, v);
	if (rc)
		return rc;
	b = lb_vip_add_backend(vip);
	if (!b)
		return -ENOMEM;
	b->loc = loc_of(n);
	if (!v[K_ADDR])
		return fail(p, n, "backend: 'address' is missing");
	if ((rc = get_addr(p, v[K_ADDR], "backend address", &b->addr)))
		return rc;
	b->loc = loc_of(v[K_ADDR]);
	if (v[K_WEIGHT]) {
		if ((rc = get_uint(p, v[K_WEIGHT], "backend weight", 1,
				   LB_WEIGHT_MAX, &x)))
			return rc;
		b->weight = x;
	}
	if (v[K_STATE] &&
	    (rc = get_enum(p, v[K_STATE], "backend state", lb_state_parse,
			   "active, drain, down", &b->state)))
		return rc;
	if (v[K_PORT]) {
		if ((rc = get_uint(p, v[K_PORT], "backend port", 1, 65535, &x)))
			return rc;
		b->port = x;
		if (vip->mode != XR_LB_NAT)
			return fail(p, v[K_PORT], "backend port: only for mode "
				    "nat (dsr leaves packets untouched)");
	}
	return 0;
}

static int parse_vip(struct pctx *p, const yaml_node_t *n,
		     struct lb_config *cfg)
{
	static const char *const keys[] = { "name", "address", "port",
		"protocol", "mode", "backends", "health", NULL };
	enum { K_NAME, K_ADDR, K_PORT, K_PROTO, K_MODE, K_BACKENDS, K_HEALTH,
	       K_MAX };
	yaml_node_t *v[K_MAX], *bs;
	struct lb_vip *vip;
	const char *s;
	__u32 x;
	int rc;

	rc = mapping(p, n, "vip", keys, v);
	if (rc)
		return rc;
	vip = lb_config_add_vip(cfg);
	if (!vip)
		return -ENOMEM;
	vip->loc = loc_of(n);
	if (!v[K_NAME])
		return fail(p, n, "vip: 'name' is missing");
	if ((rc = scalar(p, v[K_NAME], "vip name", &s)))
		return rc;
	if (!lb_name_valid(s))
		return fail(p, v[K_NAME], "invalid VIP name '%s': 1 to %d "
			    "characters of A-Z a-z 0-9 _ . -", s,
			    XR_LB_NAME_MAX - 1);
	snprintf(vip->name, sizeof(vip->name), "%s", s);
	vip->loc = loc_of(v[K_NAME]);
	if (!v[K_ADDR])
		return fail(p, n, "vip '%s': 'address' is missing", vip->name);
	if ((rc = get_addr(p, v[K_ADDR], "vip address", &vip->addr)))
		return rc;
	if (v[K_PORT]) {
		if ((rc = get_uint(p, v[K_PORT], "vip port", 0, 65535, &x)))
			return rc;
		vip->port = x;
	}
	if (v[K_PROTO] &&
	    (rc = get_enum(p, v[K_PROTO], "vip protocol", lb_proto_parse,
			   "tcp, udp", &vip->proto)))
		return rc;
	if (v[K_MODE] &&
	    (rc = get_enum(p, v[K_MODE], "vip mode", lb_mode_parse,
			   "dsr, nat", &vip->mode)))
		return rc;
	if (v[K_HEALTH]) {
		if ((rc = parse_health(p, v[K_HEALTH], &vip->health)))
			return rc;
	} else if (!vip->port || vip->proto != IPPROTO_TCP) {
		/* Nothing to connect to unless told (a VIP on every port, a
		 * UDP service): off, not an error. */
		vip->health.enabled = false;
	}
	bs = v[K_BACKENDS];
	if (!bs || is_null(bs))
		return fail(p, bs ? bs : n, "vip '%s' has no backends",
			    vip->name);
	if (bs->type != YAML_SEQUENCE_NODE)
		return fail(p, bs, "vip '%s': backends: expected a list, got "
			    "%s", vip->name, kind_name(bs));
	if (bs->data.sequence.items.start == bs->data.sequence.items.top)
		return fail(p, bs, "vip '%s' has no backends", vip->name);
	for (yaml_node_item_t *it = bs->data.sequence.items.start;
	     it < bs->data.sequence.items.top; it++) {
		if ((rc = parse_backend(p, node(p, *it), vip)))
			return rc;
	}
	return 0;
}

static int parse_root(struct pctx *p, struct lb_config *cfg)
{
	static const char *const keys[] = { "vips", NULL };
	yaml_node_t *root = yaml_document_get_root_node(p->doc), *v[1];
	int rc;

	if (!root)
		return lb_cfg_errf(p->err, p->err_len, p->src, NULL,
				   "empty configuration: expected 'vips:'");
	rc = mapping(p, root, "top level", keys, v);
	if (rc)
		return rc;
	if (!v[0])
		return fail(p, root, "top level: 'vips' is missing");
	if (v[0]->type != YAML_SEQUENCE_NODE)
		return fail(p, v[0], "vips: expected a list (vips: [] for "
			    "none), got %s",
			    is_null(v[0]) ? "nothing" : kind_name(v[0]));
	for (yaml_node_item_t *it = v[0]->data.sequence.items.start;
	     it < v[0]->data.sequence.items.top; it++) {
		if ((rc = parse_vip(p, node(p, *it), cfg)))
			return rc;
	}
	return 0;
}

static int yaml_failure(struct pctx *p, yaml_parser_t *parser,
			const char *buf, size_t len)
{
	struct lb_loc loc = { parser->problem_mark.line + 1,
			      parser->problem_mark.column + 1 };
	const char *problem = parser->problem ? parser->problem
					      : "invalid YAML";

	/* At the end of a file without a final newline, libyaml counts one
	 * line too many: say where the file really ends. */
	if (parser->problem_mark.index >= len && len && buf[len - 1] != '\n') {
		const char *nl = memrchr(buf, '\n', len);

		loc.line = 1;
		for (const char *c = buf; c < buf + len; c++)
			loc.line += *c == '\n';
		loc.col = (buf + len) - (nl ? nl + 1 : buf) + 1;
	}

	if (parser->error == YAML_MEMORY_ERROR)
		return -ENOMEM;
	if (parser->context)
		return lb_cfg_errf(p->err, p->err_len, p->src, &loc,
			    "invalid YAML: %s %s (line %zu)", problem,
			    parser->context, parser->context_mark.line + 1);
	return lb_cfg_errf(p->err, p->err_len, p->src, &loc, "invalid YAML: %s",
			   problem);
}

int lb_config_parse(const char *name, const char *buf, size_t len,
		    struct lb_config *cfg, char *err, size_t err_len)
{
	struct pctx p = { .src = name, .err = err, .err_len = err_len };
	yaml_document_t doc, extra;
	yaml_parser_t parser;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	err[0] = '\0';
	if (memchr(buf, '\0', len))
		return lb_cfg_errf(err, err_len, name, NULL,
				   "not a text file (NUL byte)");
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = yaml_failure(&p, &parser, buf, len);
		yaml_parser_delete(&parser);
		return rc;
	}
	p.doc = &doc;
	rc = parse_root(&p, cfg);
	/* A second document is either a mistake or a truncated concat. */
	if (!rc) {
		if (!yaml_parser_load(&parser, &extra)) {
			rc = yaml_failure(&p, &parser, buf, len);
		} else {
			yaml_node_t *r = yaml_document_get_root_node(&extra);

			if (r) {
				p.doc = &extra;
				rc = fail(&p, r, "only one YAML document is "
					  "allowed");
			}
			yaml_document_delete(&extra);
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (!rc)
		rc = lb_config_validate(cfg, true, name, err, err_len);
	if (rc) {
		if (rc == -ENOMEM && !err[0])
			snprintf(err, err_len, "%s: out of memory", name);
		lb_config_free(cfg);
	}
	return rc;
}
