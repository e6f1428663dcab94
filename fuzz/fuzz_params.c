// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: the parsers of command-line option values. The input
 * is one value (a C string: up to the first NUL); every parser gets it.
 *
 * Invariants besides "no crash, no undefined behaviour": a value a parser
 * accepts is within its documented range, and a name or address it
 * accepts prints back to something it parses to the same value.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_input.h"
#include "lb_config.h"
#include "mode.h"
#include "params.h"

static void addresses(const char *s)
{
	struct lb_addr a, b;
	char buf[64];
	bool has_port;
	__u16 port;

	if (!lb_addr_parse(s, &a)) {
		assert(a.family == AF_INET || a.family == AF_INET6);
		assert(lb_addr_str(&a, buf, sizeof(buf)));
		assert(!lb_addr_parse(buf, &b) && !lb_addr_cmp(&a, &b));
	}
	if (!lb_endpoint_parse(s, &a, &port, &has_port)) {
		assert(a.family == AF_INET || a.family == AF_INET6);
		assert(has_port || !port);
	}
}

static void names(const char *s)
{
	enum xr_lookup_mode lookup;
	enum xr_mode mode;
	__u8 v;

	if (!mode_parse(s, &mode))
		assert(!strcmp(mode_name(mode), s));
	if (!lookup_parse(s, &lookup))
		assert(!strcmp(lookup_name(lookup), s));
	if (!lb_proto_parse(s, &v))
		assert(!lb_proto_parse(lb_proto_name(v), &v));
	if (!lb_mode_parse(s, &v))
		assert(!lb_mode_parse(lb_mode_name(v), &v));
	if (!lb_state_parse(s, &v))
		assert(!lb_state_parse(lb_state_name(v), &v));
	(void)lb_name_valid(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_c_string(data, size);
	unsigned int count;
	double seconds;

	if (!s)
		return 0;
	if (!param_seconds(s, &seconds))
		assert(seconds >= PARAM_SECONDS_MIN &&
		       seconds <= PARAM_SECONDS_MAX);
	if (!param_count(s, &count))
		assert(count > 0);
	names(s);
	addresses(s);
	free(s);
	return 0;
}
