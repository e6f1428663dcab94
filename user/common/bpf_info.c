// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Program and map information; see bpf_info.h. */
#include <stddef.h>
#include <string.h>
#include "bpf_info.h"

int map_info(int fd, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, len);
	return bpf_obj_get_info_by_fd(fd, info, &len);
}

int prog_info(int fd, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, len);
	return bpf_obj_get_info_by_fd(fd, info, &len);
}

/* Both start with the type and the id: one call serves either. */
_Static_assert(offsetof(struct bpf_prog_info, id) ==
	       offsetof(struct bpf_map_info, id), "id at the same offset");

__u32 obj_id(int fd)
{
	union {
		struct bpf_prog_info prog;
		struct bpf_map_info map;
	} info;
	__u32 len = sizeof(info);

	/* The kernel wants the bytes it does not know about zeroed. */
	memset(&info, 0, len);
	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.prog.id;
}
