// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The maps of a loaded program; see prog_maps.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "bpf_info.h"
#include "prog_maps.h"

int prog_map_ids(int prog_fd, __u32 **ids, __u32 *n)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	*ids = NULL;
	*n = 0;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	*ids = calloc(info.nr_map_ids ? info.nr_map_ids : 1, sizeof(**ids));
	if (!*ids)
		return -ENOMEM;
	*n = info.nr_map_ids;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = *n;
	info.map_ids = (__u64)(unsigned long)*ids;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len)) {
		int err = -errno;

		free(*ids);
		*ids = NULL;
		*n = 0;
		return err;
	}
	/* Maps the program dropped since the first call are gone. */
	if (info.nr_map_ids < *n)
		*n = info.nr_map_ids;
	return 0;
}

int prog_map_by_name(int prog_fd, const char *name)
{
	__u32 *ids, n;
	int err = prog_map_ids(prog_fd, &ids, &n), fd = -ENOENT;

	for (__u32 i = 0; !err && fd < 0 && i < n; i++) {
		struct bpf_map_info info;
		int map_fd = bpf_map_get_fd_by_id(ids[i]);

		if (map_fd < 0)
			continue;	/* freed meanwhile */
		if (!map_info(map_fd, &info) &&
		    !strncmp(info.name, name, BPF_OBJ_NAME_LEN - 1))
			fd = map_fd;
		else
			close(map_fd);
	}
	free(ids);
	return err ? err : fd;
}
