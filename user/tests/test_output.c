// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* output.c: JSON escaping, compact and pretty shapes, text mode. */
#include <math.h>
#include <stdlib.h>
#include "check.h"
#include "output.h"

static char *buf;
static size_t len;
static FILE *mem;

static void begin(bool json, bool pretty)
{
	mem = open_memstream(&buf, &len);
	out_init(mem, json, pretty);
}

static const char *end(void)
{
	fclose(mem);
	return buf;
}

/* The same calls as a command would make, in every mode. */
static void sample(void)
{
	out_open_array(NULL);
	for (int i = 0; i < 2; i++) {
		out_open_object(NULL);
		out_string(PRINT_ANY, "ifname", "%s:", i ? "b" : "a");
		out_uint(PRINT_ANY, "ifindex", " %llu", 3 + i);
		out_uint(PRINT_JSON, "json_only", NULL, 7);
		out_string(PRINT_FP, "text_only", " [%s]", "t");
		out_open_object("outcomes");
		out_float(PRINT_ANY, "pps", " %.1f\n", 1.5);
		out_close_object();
		out_open_array("empty");
		out_close_array();
		out_close_object();
	}
	out_close_array();
	out_flush();
}

static void test_escape(void)
{
	begin(true, false);
	out_json_escape(mem, "a\"b\\c\n\t\r\b\f\x01\x1f/é");
	CHECK_STR(end(), "\"a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f/é\"");
	free(buf);
}

static void test_compact(void)
{
	begin(true, false);
	sample();
	CHECK_STR(end(),
		  "[{\"ifname\":\"a\",\"ifindex\":3,\"json_only\":7,"
		  "\"outcomes\":{\"pps\":1.500},\"empty\":[]},"
		  "{\"ifname\":\"b\",\"ifindex\":4,\"json_only\":7,"
		  "\"outcomes\":{\"pps\":1.500},\"empty\":[]}]\n");
	free(buf);
}

static void test_pretty(void)
{
	begin(true, true);
	out_open_object(NULL);
	out_string(PRINT_ANY, "k", "%s", "v");
	out_open_array("a");
	out_uint(PRINT_ANY, NULL, "%llu", 1);
	out_uint(PRINT_ANY, NULL, "%llu", 2);
	out_close_array();
	out_open_object("o");
	out_close_object();
	out_close_object();
	out_flush();
	CHECK_STR(end(),
		  "{\n"
		  "  \"k\": \"v\",\n"
		  "  \"a\": [\n"
		  "    1,\n"
		  "    2\n"
		  "  ],\n"
		  "  \"o\": {}\n"
		  "}\n");
	free(buf);
}

static void test_text(void)
{
	begin(false, false);
	sample();
	CHECK_STR(end(), "a: 3 [t] 1.5\nb: 4 [t] 1.5\n");
	free(buf);
}

/* One document per out_flush(): a line each, as stats --interval needs. */
static void test_lines(void)
{
	begin(true, false);
	for (int i = 0; i < 2; i++) {
		out_open_object(NULL);
		out_uint(PRINT_ANY, "n", "%llu", i);
		out_null(PRINT_ANY, "x", "%s");
		out_bool(PRINT_ANY, "b", "%s", i);
		out_float(PRINT_ANY, "f", "%f", NAN);
		out_close_object();
		out_flush();
	}
	CHECK_STR(end(),
		  "{\"n\":0,\"x\":null,\"b\":false,\"f\":null}\n"
		  "{\"n\":1,\"x\":null,\"b\":true,\"f\":null}\n");
	free(buf);
}

int main(void)
{
	test_escape();
	test_compact();
	test_pretty();
	test_text();
	test_lines();
	CHECK_DONE();
}
