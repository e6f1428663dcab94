/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Error and diagnostic messages. The CLI's contract is one error line per
 * failed command: the first log_error() prints "Error: ..." on stderr (or
 * {"error": "..."} on stdout in JSON mode); any later one, such as a failed
 * rollback step, is printed as a warning so it is not lost.
 */
#ifndef XR_LOG_H
#define XR_LOG_H

#include <stdbool.h>

void log_init(bool json, bool verbose);
bool log_verbose_enabled(void);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool log_error_printed(void);

/*
 * The kernel's own words (netlink extended ack) on the last request libbpf
 * saw refused since log_kernel_msg_clear(); "" if it gave none.
 */
void log_kernel_msg_clear(void);
const char *log_kernel_msg(void);

/* "Operation not supported (EOPNOTSUPP)" for a negative or positive errno. */
const char *log_strerror(int err);

#endif /* XR_LOG_H */
