/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Strict parsing of numeric option values: the whole string or nothing. */
#ifndef XR_PARAMS_H
#define XR_PARAMS_H

/* Seconds, fractions allowed, in [PARAM_SECONDS_MIN, PARAM_SECONDS_MAX]. */
#define PARAM_SECONDS_MIN 0.001
#define PARAM_SECONDS_MAX 86400.0
int param_seconds(const char *s, double *out);

/* A positive decimal count that fits in an unsigned int. */
int param_count(const char *s, unsigned int *out);

#endif /* XR_PARAMS_H */
