/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Helpers of the libFuzzer targets. */
#ifndef XR_FUZZ_INPUT_H
#define XR_FUZZ_INPUT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * The input up to its first NUL, as a C string (malloc'd). Not strndup():
 * the input need not have a NUL, and ASan's strndup() may look past it.
 */
static inline char *fuzz_c_string(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t len = nul ? (size_t)(nul - data) : size;
	char *s = malloc(len + 1);

	if (s) {
		memcpy(s, data, len);
		s[len] = '\0';
	}
	return s;
}

#endif /* XR_FUZZ_INPUT_H */
