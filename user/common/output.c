// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Text/JSON output; see output.h. */
#include <math.h>
#include <stdarg.h>
#include "output.h"

#define OUT_MAX_DEPTH 16

static struct {
	FILE *f;
	bool json;
	bool pretty;
	bool doc_open;		/* a top-level JSON value was started */
	int depth;
	bool first[OUT_MAX_DEPTH + 1];	/* next member is the first one */
} out = { .json = false };

void out_init(FILE *f, bool json, bool pretty)
{
	out.f = f;
	out.json = json;
	out.pretty = pretty;
	out.doc_open = false;
	out.depth = 0;
}

bool out_json(void)
{
	return out.json;
}

static FILE *out_stream(void)
{
	return out.f ? out.f : stdout;
}

void out_json_escape(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p; p++) {
		switch (*p) {
		case '"':  fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);	/* UTF-8 passes through */
		}
	}
	fputc('"', f);
}

static void newline_indent(int depth)
{
	FILE *f = out_stream();

	fputc('\n', f);
	for (int i = 0; i < depth; i++)
		fputs("  ", f);
}

/* Separator, indentation and key before a value. */
static void member_start(const char *key)
{
	FILE *f = out_stream();

	if (out.depth == 0) {
		out.doc_open = true;
	} else {
		if (!out.first[out.depth])
			fputc(',', f);
		out.first[out.depth] = false;
		if (out.pretty)
			newline_indent(out.depth);
	}
	if (key && out.depth > 0) {
		out_json_escape(f, key);
		fputs(out.pretty ? ": " : ":", f);
	}
}

static void open_container(const char *key, char c)
{
	if (!out.json)
		return;
	member_start(key);
	fputc(c, out_stream());
	/* Deeper nesting is a programming error; keep the output valid. */
	if (out.depth < OUT_MAX_DEPTH)
		out.depth++;
	out.first[out.depth] = true;
}

static void close_container(char c)
{
	bool empty;

	if (!out.json || out.depth == 0)
		return;
	empty = out.first[out.depth];
	out.depth--;
	if (out.pretty && !empty)
		newline_indent(out.depth);
	fputc(c, out_stream());
}

void out_open_object(const char *key)
{
	open_container(key, '{');
}

void out_close_object(void)
{
	close_container('}');
}

void out_open_array(const char *key)
{
	open_container(key, '[');
}

void out_close_array(void)
{
	close_container(']');
}

/* Prints the text form of a value; fmt may be NULL for JSON-only values. */
static void text_value(enum out_kind kind, const char *fmt, ...)
{
	va_list ap;

	if (out.json || !(kind & PRINT_FP) || !fmt)
		return;
	va_start(ap, fmt);
	vfprintf(out_stream(), fmt, ap);
	va_end(ap);
}

static bool json_value(enum out_kind kind, const char *key)
{
	if (!out.json || !(kind & PRINT_JSON))
		return false;
	member_start(key);
	return true;
}

void out_string(enum out_kind kind, const char *key, const char *fmt,
		const char *val)
{
	if (json_value(kind, key))
		out_json_escape(out_stream(), val);
	text_value(kind, fmt, val);
}

void out_uint(enum out_kind kind, const char *key, const char *fmt,
	      unsigned long long val)
{
	if (json_value(kind, key))
		fprintf(out_stream(), "%llu", val);
	text_value(kind, fmt, val);
}

void out_float(enum out_kind kind, const char *key, const char *fmt,
	       double val)
{
	if (json_value(kind, key)) {
		/* JSON has no NaN or infinity. */
		if (isfinite(val))
			fprintf(out_stream(), "%.3f", val);
		else
			fputs("null", out_stream());
	}
	text_value(kind, fmt, val);
}

void out_bool(enum out_kind kind, const char *key, const char *fmt, bool val)
{
	if (json_value(kind, key))
		fputs(val ? "true" : "false", out_stream());
	text_value(kind, fmt, val ? "true" : "false");
}

void out_null(enum out_kind kind, const char *key, const char *fmt)
{
	if (json_value(kind, key))
		fputs("null", out_stream());
	text_value(kind, fmt, "-");
}

void out_text(const char *fmt, ...)
{
	va_list ap;

	if (out.json)
		return;
	va_start(ap, fmt);
	vfprintf(out_stream(), fmt, ap);
	va_end(ap);
}

void out_flush(void)
{
	if (out.json && out.doc_open && out.depth == 0) {
		fputc('\n', out_stream());
		out.doc_open = false;
	}
	fflush(out_stream());
}
