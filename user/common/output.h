/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One code path for text and JSON output, in the style of iproute2's
 * json_print.h: every value is printed once, with a JSON key and a text
 * format, and the mode chosen at start-up decides which of the two is used.
 */
#ifndef XR_OUTPUT_H
#define XR_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

enum out_kind {
	PRINT_FP = 1,			/* text only */
	PRINT_JSON = 2,			/* JSON only */
	PRINT_ANY = PRINT_FP | PRINT_JSON,
};

/* Select the mode and the stream; resets any half-written document. */
void out_init(FILE *f, bool json, bool pretty);
bool out_json(void);

/*
 * Containers. @key names the member inside an object and must be NULL at
 * the top level and inside arrays. In text mode they print nothing.
 */
void out_open_object(const char *key);
void out_close_object(void);
void out_open_array(const char *key);
void out_close_array(void);

void out_string(enum out_kind kind, const char *key, const char *fmt,
		const char *val);
void out_uint(enum out_kind kind, const char *key, const char *fmt,
	      unsigned long long val);
void out_float(enum out_kind kind, const char *key, const char *fmt,
	       double val);
void out_bool(enum out_kind kind, const char *key, const char *fmt, bool val);
void out_null(enum out_kind kind, const char *key, const char *fmt);

/* Text mode only. */
void out_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Ends a top-level JSON document with a newline (one document per line
 * unless pretty) and flushes the stream in both modes.
 */
void out_flush(void);

/* Writes @s as a JSON string literal, quotes included. */
void out_json_escape(FILE *f, const char *s);

#endif /* XR_OUTPUT_H */
