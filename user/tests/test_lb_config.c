// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The load balancer's YAML configuration: a valid file in full, and every
 * kind of bad input with its exact "file:line:col: message".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "lb_config.h"

static int parse(const char *text, struct lb_config *cfg, char *err)
{
	return lb_config_parse("t.yaml", text, strlen(text), cfg, err,
			       LB_ERR_MAX);
}

/* @text must fail with an error that starts with @want. */
static void bad(const char *text, const char *want, int line)
{
	struct lb_config cfg;
	char err[LB_ERR_MAX];

	if (!parse(text, &cfg, err)) {
		fprintf(stderr, "%s:%d: parsed, want error %s\n", __FILE__,
			line, want);
		check_failures++;
		lb_config_free(&cfg);
		return;
	}
	if (strncmp(err, want, strlen(want))) {
		fprintf(stderr, "%s:%d: got  %s\n%*swant %s\n", __FILE__,
			line, err, (int)strlen(__FILE__) + 6, "", want);
		check_failures++;
	}
}
#define BAD(text, want) bad(text, want, __LINE__)

static const char good[] =
	"vips:\n"
	"  - name: web\n"
	"    address: 10.0.0.100\n"
	"    port: 80\n"
	"    protocol: tcp\n"
	"    mode: dsr            # dsr | nat\n"
	"    backends:\n"
	"      - { address: 10.0.0.11, weight: 1 }\n"
	"      - { address: 10.0.0.12, weight: 2 }\n"
	"      - { address: 10.0.0.13, weight: 1, state: drain }\n"
	"  - name: dns6\n"
	"    address: 2001:db8::53\n"
	"    protocol: udp\n"
	"    mode: nat\n"
	"    health: none\n"
	"    backends:\n"
	"      - address: 2001:db8::1\n"
	"  - name: api\n"
	"    address: 10.0.0.101\n"
	"    port: 443\n"
	"    mode: nat\n"
	"    health: { interval: 500ms, timeout: 0.2, rise: 1, fall: 2,\n"
	"              http_path: /healthz }\n"
	"    backends:\n"
	"      - { address: 10.0.0.11, port: 8443, weight: 1000 }\n"
	"      - { address: 10.0.0.11, port: 8444, state: down }\n";

static void test_good(void)
{
	struct lb_config cfg;
	char err[LB_ERR_MAX];
	const struct lb_vip *v;

	CHECK(parse(good, &cfg, err) == 0);
	if (check_failures) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	CHECK(cfg.nr_vips == 3);
	v = &cfg.vips[0];
	CHECK_STR(v->name, "web");
	CHECK(v->port == 80 && v->proto == IPPROTO_TCP && v->mode == XR_LB_DSR);
	CHECK(v->nr_backends == 3);
	CHECK(v->backends[1].weight == 2);
	CHECK(v->backends[2].state == XR_BE_DRAIN);
	CHECK(v->health.enabled && v->health.interval_ms == 2000);
	CHECK(v->loc.line == 2 && v->loc.col == 11);
	v = &cfg.vips[1];
	CHECK(v->addr.family == AF_INET6 && v->port == 0);
	CHECK(v->proto == IPPROTO_UDP && v->mode == XR_LB_NAT);
	CHECK(!v->health.enabled);
	CHECK(v->backends[0].weight == 1);
	v = &cfg.vips[2];
	CHECK(v->proto == IPPROTO_TCP);
	CHECK(v->health.interval_ms == 500 && v->health.timeout_ms == 200);
	CHECK(v->health.rise == 1 && v->health.fall == 2);
	CHECK_STR(v->health.http_path, "/healthz");
	CHECK(v->backends[0].port == 8443 && v->backends[0].weight == 1000);
	CHECK(v->backends[1].state == XR_BE_DOWN);
	lb_config_free(&cfg);

	CHECK(parse("vips: []\n", &cfg, err) == 0 && cfg.nr_vips == 0);
}

static void test_bad(void)
{
	/* Syntax and truncation. */
	BAD("", "t.yaml: empty configuration");
	BAD("vips:\n  - name: web\n    address: [1, 2\n",
	    "t.yaml:4:1: invalid YAML: did not find expected ',' or ']'");
	BAD("vips:\n  - { name: web, address: 10.0.0.1, backends: [ { address: 10.0.0",
	    "t.yaml:2:66: invalid YAML: did not find expected ',' or '}' "
	    "while parsing a flow mapping (line 2)");
	BAD("vips:\n\t- name: x\n", "t.yaml:2:1: invalid YAML: found character "
	    "that cannot start any token");
	BAD("vips:\n", "t.yaml:1:6: vips: expected a list (vips: [] for none), "
	    "got nothing");
	BAD("vips:\n  - name: web\n    address: 10.0.0.1\n    backends:\n",
	    "t.yaml:4:14: vip 'web' has no backends");
	BAD("vips:\n  - name: web\n    address: 10.0.0.1\n    backends: []\n",
	    "t.yaml:4:15: vip 'web' has no backends");
	BAD("vips: []\n---\nvips: []\n",
	    "t.yaml:3:1: only one YAML document is allowed");
	BAD("- 1\n", "t.yaml:1:1: top level: expected a mapping, got a list");
	/* Keys. */
	BAD("vip: []\n", "t.yaml:1:1: top level: unknown key 'vip' "
	    "(expected vips)");
	BAD("vips:\n  - name: web\n    adress: 10.0.0.1\n",
	    "t.yaml:3:5: vip: unknown key 'adress' (expected name, address, "
	    "port, protocol, mode, backends, health)");
	BAD("vips:\n  - name: web\n    name: web2\n",
	    "t.yaml:3:5: vip: duplicate key 'name'");
	BAD("vips:\n  - name: web\n    address: 10.0.0.1\n    backends:\n"
	    "      - { address: 10.0.0.2, wieght: 2 }\n",
	    "t.yaml:5:30: backend: unknown key 'wieght' (expected address, "
	    "weight, state, port)");
	BAD("vips:\n  - address: 10.0.0.1\n", "t.yaml:2:5: vip: 'name' is "
	    "missing");
	BAD("vips:\n  - name: web\n    address: 10.0.0.1\n    backends:\n"
	    "      - { weight: 2 }\n",
	    "t.yaml:5:9: backend: 'address' is missing");
	/* Values. */
	BAD("vips:\n  - name: web\n    address: 10.0.0.300\n",
	    "t.yaml:3:14: vip address: '10.0.0.300' is not an IPv4 or IPv6 "
	    "address");
	BAD("vips:\n  - name: web\n    address: 224.0.0.1\n",
	    "t.yaml:3:14: vip address: 224.0.0.1 is not a unicast address");
	BAD("vips:\n  - name: 'we b'\n", "t.yaml:2:11: invalid VIP name 'we b'");
	BAD("vips:\n  - name: web\n    address: 10.0.0.1\n    port: 65536\n",
	    "t.yaml:4:11: vip port 65536 out of range 0..65535");
	BAD("vips:\n  - name: web\n    address: 10.0.0.1\n    port: http\n",
	    "t.yaml:4:11: vip port: 'http' is not a number");
	BAD("vips:\n  - name: web\n    address: 10.0.0.1\n    protocol: sctp\n",
	    "t.yaml:4:15: vip protocol: 'sctp' is not one of tcp, udp");
	BAD("vips:\n  - name: web\n    address: 10.0.0.1\n    mode: tun\n",
	    "t.yaml:4:11: vip mode: 'tun' is not one of dsr, nat");
	BAD("vips:\n  - name: web\n    address: 10.0.0.1\n    backends:\n"
	    "      - { address: 10.0.0.2, weight: 0 }\n",
	    "t.yaml:5:38: backend weight 0 out of range 1..1000");
	BAD("vips:\n  - name: web\n    address: 10.0.0.1\n    backends:\n"
	    "      - { address: 10.0.0.2, weight: 1001 }\n",
	    "t.yaml:5:38: backend weight 1001 out of range 1..1000");
	BAD("vips:\n  - name: web\n    address: 10.0.0.1\n    backends:\n"
	    "      - { address: 10.0.0.2, weight: -1 }\n",
	    "t.yaml:5:38: backend weight: '-1' is not a number");
	BAD("vips:\n  - name: web\n    address: 10.0.0.1\n    backends:\n"
	    "      - { address: 10.0.0.2, state: off }\n",
	    "t.yaml:5:37: backend state: 'off' is not one of active, drain, "
	    "down");
	BAD("vips:\n  - name: web\n    address: 10.0.0.1\n    backends:\n"
	    "      - { address: 10.0.0.2, port: 8080 }\n",
	    "t.yaml:5:36: backend port: only for mode nat");
	BAD("vips:\n  - name: web\n    address: 10.0.0.1\n    backends:\n"
	    "      - address: { a: 1 }\n",
	    "t.yaml:5:18: backend address: expected a value, got a mapping");
	BAD("vips:\n  - name: web\n    address: 10.0.0.1\n    backends: x\n",
	    "t.yaml:4:15: vip 'web': backends: expected a list, got a scalar");
	BAD("vips:\n  - name: web\n    address: 10.0.0.1\n"
	    "    health: { interval: 1s, timeout: 2s }\n",
	    "t.yaml:4:38: health timeout (2000ms) is longer than the interval");
	BAD("vips:\n  - name: web\n    address: 10.0.0.1\n"
	    "    health: { interval: soon }\n",
	    "t.yaml:4:25: health interval: 'soon' is not a duration");
	BAD("vips:\n  - name: web\n    address: 10.0.0.1\n"
	    "    health: { http_path: healthz }\n",
	    "t.yaml:4:26: health http_path 'healthz': an absolute path");
	/* Whole-file checks. */
	BAD("vips:\n  - name: web\n    address: 10.0.0.1\n    backends:\n"
	    "      - { address: 2001:db8::1 }\n",
	    "t.yaml:5:20: VIP 'web' is IPv4, backend 2001:db8::1 is not");
	BAD("vips:\n  - name: web\n    address: 10.0.0.1\n    backends:\n"
	    "      - { address: 10.0.0.2 }\n      - { address: 10.0.0.2 }\n",
	    "t.yaml:6:20: VIP 'web': duplicate backend 10.0.0.2");
	BAD("vips:\n  - name: web\n    address: 10.0.0.1\n    backends:\n"
	    "      - { address: 10.0.0.1 }\n",
	    "t.yaml:5:20: VIP 'web': backend 10.0.0.1 is the VIP itself");
	BAD("vips:\n  - name: web\n    address: 10.0.0.1\n    port: 80\n"
	    "    backends: [ { address: 10.0.0.2 } ]\n"
	    "  - name: web2\n    address: 10.0.0.1\n    port: 80\n"
	    "    backends: [ { address: 10.0.0.3 } ]\n",
	    "t.yaml:6:11: VIP 'web2': duplicate VIP 10.0.0.1:80/tcp (also "
	    "'web')");
	BAD("vips:\n  - name: web\n    address: 10.0.0.1\n    port: 80\n"
	    "    backends: [ { address: 10.0.0.2 } ]\n"
	    "  - name: web\n    address: 10.0.0.1\n    port: 81\n"
	    "    backends: [ { address: 10.0.0.3 } ]\n",
	    "t.yaml:6:11: duplicate VIP name 'web'");
	BAD("vips:\n  - name: all\n    address: 10.0.0.1\n"
	    "    health: { interval: 1s }\n"
	    "    backends: [ { address: 10.0.0.2 } ]\n",
	    "t.yaml:2:11: VIP 'all' takes every port: health checks need");
	BAD("vips:\n  - name: n\n    address: 10.0.0.1\n    mode: nat\n"
	    "    backends: [ { address: 10.0.0.2, port: 80 } ]\n",
	    "t.yaml:5:28: VIP 'n': backend 10.0.0.2: a backend port needs a "
	    "VIP port");
	/* Not text. */
	{
		struct lb_config cfg;
		char err[LB_ERR_MAX];

		CHECK(lb_config_parse("t.yaml", "vips: []\0x", 10, &cfg, err,
				      sizeof(err)) != 0);
		CHECK_STR(err, "t.yaml: not a text file (NUL byte)");
	}
}

static void test_endpoints(void)
{
	struct lb_addr a;
	__u16 port;
	bool has;
	char buf[64];

	CHECK(!lb_endpoint_parse("10.0.0.1:80", &a, &port, &has) && has &&
	      port == 80 && a.family == AF_INET);
	CHECK(!lb_endpoint_parse("10.0.0.1", &a, &port, &has) && !has);
	CHECK(!lb_endpoint_parse("2001:db8::1", &a, &port, &has) && !has &&
	      a.family == AF_INET6);
	CHECK(!lb_endpoint_parse("[2001:db8::1]:443", &a, &port, &has) &&
	      has && port == 443);
	CHECK(lb_endpoint_parse("[10.0.0.1]:80", &a, &port, &has));
	CHECK(lb_endpoint_parse("10.0.0.1:99999", &a, &port, &has));
	CHECK(lb_endpoint_parse("web", &a, &port, &has));
	CHECK_STR(lb_addr_str(&a, buf, sizeof(buf)), "?");
}

int main(void)
{
	test_good();
	test_bad();
	test_endpoints();
	CHECK_DONE();
}
