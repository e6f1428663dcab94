/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Minimal assertions for the unit tests: report, count, keep going. */
#ifndef XR_TEST_CHECK_H
#define XR_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n",	\
				__FILE__, __LINE__, #cond);		\
			check_failures++;				\
		}							\
	} while (0)

#define CHECK_STR(got, want)						\
	do {								\
		const char *g_ = (got), *w_ = (want);			\
		if (strcmp(g_, w_)) {					\
			fprintf(stderr, "%s:%d: got\n%s\nwant\n%s\n",	\
				__FILE__, __LINE__, g_, w_);		\
			check_failures++;				\
		}							\
	} while (0)

#define CHECK_DONE()							\
	do {								\
		if (check_failures)					\
			fprintf(stderr, "%d check(s) failed\n",		\
				check_failures);			\
		return check_failures ? 1 : 0;				\
	} while (0)

#endif /* XR_TEST_CHECK_H */
