/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Strict parsing of numeric option values: the whole string or nothing. */
#ifndef XR_PARAMS_H
#define XR_PARAMS_H

/* Seconds, fractions allowed, in [PARAM_SECONDS_MIN, PARAM_SECONDS_MAX]. */
#define PARAM_SECONDS_MIN 0.001
#define PARAM_SECONDS_MAX 86400.0
int param_seconds(const char *s, double *out);

/* A decimal number that fits in an unsigned int, 0 included. */
int param_uint(const char *s, unsigned int *out);
/* A decimal number 0..@max: -EINVAL if @s does not start with a digit,
 * else -ERANGE if it is not a number up to @max. */
int param_uint_max(const char *s, unsigned int max, unsigned int *out);

/* A positive decimal count that fits in an unsigned int. */
int param_count(const char *s, unsigned int *out);

/*
 * A routing table a program may own: decimal, 1..4294967295 but not
 * 253-255 (the kernel's default, main and local tables).
 */
int param_route_table(const char *s, unsigned int *out);
#define PARAM_ROUTE_TABLE_EXPECTED \
	"expected a routing table number 1-4294967295 other than 253-255 " \
	"(default, main, local)"

/*
 * A name the kernel takes for a network device (its dev_valid_name()):
 * not empty, shorter than IFNAMSIZ, not "." or "..", no '/', ':' or
 * white space. Returns 0 or -EINVAL.
 */
int param_ifname(const char *s);
/* For error messages (which do not echo the name: it may hold a newline). */
#define PARAM_IFNAME_RULES \
	"1-15 characters, not '.' or '..', no '/', ':' or white space"

#endif /* XR_PARAMS_H */
