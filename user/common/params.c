// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Numeric option values; see params.h. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include "params.h"

int param_seconds(const char *s, double *out)
{
	char *end;
	double v;

	/* Plain decimals only: strtod would take "inf", "0x1p3", " 1", "1e3". */
	if (!*s || strspn(s, "0123456789.") != strlen(s))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) ||
	    v < PARAM_SECONDS_MIN || v > PARAM_SECONDS_MAX)
		return -EINVAL;
	*out = v;
	return 0;
}

int param_uint_max(const char *s, unsigned int max, unsigned int *out)
{
	unsigned long v;
	char *end;

	/* strtoul would take "-1" as ULONG_MAX. */
	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int param_uint(const char *s, unsigned int *out)
{
	return param_uint_max(s, UINT_MAX, out) ? -EINVAL : 0;
}

int param_count(const char *s, unsigned int *out)
{
	unsigned int v;

	if (param_uint(s, &v) || !v)
		return -EINVAL;
	*out = v;
	return 0;
}

int param_route_table(const char *s, unsigned int *out)
{
	unsigned int v;

	/* Base 10 only: strtoul(.., 0) would read 010 as table 8. */
	if (param_count(s, &v) || (v >= 253 && v <= 255))
		return -EINVAL;
	*out = v;
	return 0;
}

int param_ifname(const char *s)
{
	if (!*s || strlen(s) >= IF_NAMESIZE || !strcmp(s, ".") ||
	    !strcmp(s, ".."))
		return -EINVAL;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s))
			return -EINVAL;
	return 0;
}
