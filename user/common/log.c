// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Error and diagnostic messages; see log.h. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "output.h"

static bool log_json;
static bool log_verbose_on;
static bool error_printed;
static char kernel_msg[256];

/* How libbpf passes on the kernel's netlink extended ack (nlattr.c). */
#define KERNEL_MSG_PREFIX "libbpf: Kernel error message: "

/*
 * libbpf's own messages would break the one-error-line contract: -v only.
 * The kernel's reason for refusing a netlink request is kept, for the
 * caller's own message (log_kernel_msg()).
 */
static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	char line[sizeof(kernel_msg) + sizeof(KERNEL_MSG_PREFIX)];
	va_list aq;

	va_copy(aq, ap);
	vsnprintf(line, sizeof(line), fmt, aq);
	va_end(aq);
	if (!strncmp(line, KERNEL_MSG_PREFIX, strlen(KERNEL_MSG_PREFIX))) {
		snprintf(kernel_msg, sizeof(kernel_msg), "%.*s",
			 (int)sizeof(kernel_msg) - 1,
			 line + strlen(KERNEL_MSG_PREFIX));
		kernel_msg[strcspn(kernel_msg, "\n")] = '\0';
	}
	if (!log_verbose_on)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void log_kernel_msg_clear(void)
{
	kernel_msg[0] = '\0';
}

const char *log_kernel_msg(void)
{
	return kernel_msg;
}

void log_init(bool json, bool verbose)
{
	log_json = json;
	log_verbose_on = verbose;
	error_printed = false;
	libbpf_set_print(libbpf_print);
}

bool log_verbose_enabled(void)
{
	return log_verbose_on;
}

bool log_error_printed(void)
{
	return error_printed;
}

void log_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	if (error_printed) {
		fprintf(stderr, "Warning: %s\n", msg);
		return;
	}
	error_printed = true;
	if (log_json) {
		fputs("{\"error\":", stdout);
		out_json_escape(stdout, msg);
		fputs("}\n", stdout);
		fflush(stdout);
	} else {
		fprintf(stderr, "Error: %s\n", msg);
	}
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("Warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void log_verbose(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose_on)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *log_strerror(int err)
{
	static char buf[160];
	const char *name;

	if (err < 0)
		err = -err;
	if (err >= __LIBBPF_ERRNO__START) {
		libbpf_strerror(err, buf, sizeof(buf));
		return buf;
	}
	name = strerrorname_np(err);
	snprintf(buf, sizeof(buf), "%s (%s)", strerror(err),
		 name ? name : "unknown errno");
	return buf;
}
