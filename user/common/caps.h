/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Capability check done before a command touches any BPF object. */
#ifndef XR_CAPS_H
#define XR_CAPS_H

#include <stdbool.h>

/*
 * True if the effective set holds CAP_NET_ADMIN and CAP_BPF or
 * CAP_SYS_ADMIN (kernels before 5.8 know only the latter).
 */
bool caps_sufficient(void);

/* caps_sufficient(), or report the error and return -EPERM. */
int caps_require(void);

#endif /* XR_CAPS_H */
