// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Network interfaces and their XDP programs; see iface.h. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <net/if_arp.h>
#include <linux/if_link.h>
#include <bpf/libbpf.h>
#include "iface.h"

int iface_resolve(const char *name, struct iface *ifc)
{
	unsigned int ifindex;

	if (!*name || strlen(name) >= IF_NAMESIZE)
		return -ENODEV;
	ifindex = if_nametoindex(name);
	if (!ifindex)
		return -ENODEV;
	strcpy(ifc->name, name);
	ifc->ifindex = ifindex;
	return 0;
}

int iface_by_index(int ifindex, struct iface *ifc)
{
	if (ifindex <= 0 || !if_indextoname(ifindex, ifc->name))
		return -ENODEV;
	ifc->ifindex = ifindex;
	return 0;
}

int iface_mac(const struct iface *ifc, __u8 mac[6])
{
	struct ifreq ifr = {};
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy(ifr.ifr_name, ifc->name);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = -errno;
	else if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		err = -EPFNOSUPPORT;	/* the data plane parses Ethernet */
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return err;
}

int iface_xdp_query(int ifindex, struct iface_xdp *xdp)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, opts);
	int err = bpf_xdp_query(ifindex, 0, &opts);

	if (err)
		return err;
	xdp->drv_id = opts.drv_prog_id;
	xdp->skb_id = opts.skb_prog_id;
	xdp->hw_id = opts.hw_prog_id;
	return 0;
}

bool iface_xdp_any(const struct iface_xdp *xdp, __u32 *id,
		   enum xr_mode *mode)
{
	if (xdp->drv_id) {
		*id = xdp->drv_id;
		*mode = XR_MODE_NATIVE;
	} else if (xdp->skb_id) {
		*id = xdp->skb_id;
		*mode = XR_MODE_GENERIC;
	} else if (xdp->hw_id) {
		*id = xdp->hw_id;
		*mode = XR_MODE_OFFLOAD;
	} else {
		return false;
	}
	return true;
}

bool iface_xdp_mode_of(const struct iface_xdp *xdp, __u32 prog_id,
		       enum xr_mode *mode)
{
	if (!prog_id)
		return false;
	if (xdp->drv_id == prog_id)
		*mode = XR_MODE_NATIVE;
	else if (xdp->skb_id == prog_id)
		*mode = XR_MODE_GENERIC;
	else if (xdp->hw_id == prog_id)
		*mode = XR_MODE_OFFLOAD;
	else
		return false;
	return true;
}

int iface_xdp_attach(int ifindex, int prog_fd, enum xr_mode mode,
		     int old_fd)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = old_fd);
	__u32 flags = mode_flags(mode);

	if (old_fd >= 0)
		flags |= XDP_FLAGS_REPLACE;
	else
		flags |= XDP_FLAGS_UPDATE_IF_NOEXIST;
	return bpf_xdp_attach(ifindex, prog_fd, flags,
			      old_fd >= 0 ? &opts : NULL);
}

int iface_xdp_detach(int ifindex, enum xr_mode mode, int old_fd)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = old_fd);

	return bpf_xdp_detach(ifindex, mode_flags(mode) | XDP_FLAGS_REPLACE,
			      &opts);
}
