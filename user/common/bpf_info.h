/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the kernel tells about a program or map fd (bpf_obj_get_info_by_fd),
 * in one place. Functions return 0 or a negative errno, without reporting
 * it, except where noted.
 */
#ifndef XR_BPF_INFO_H
#define XR_BPF_INFO_H

#include <bpf/bpf.h>

/* Fills @info (zeroed first) for the map @fd. */
int map_info(int fd, struct bpf_map_info *info);

/* Fills @info (zeroed first) for the program @fd; no map ids or code. */
int prog_info(int fd, struct bpf_prog_info *info);

/* The id of the program or map @fd; 0 if it cannot be inspected. */
__u32 obj_id(int fd);

#endif /* XR_BPF_INFO_H */
