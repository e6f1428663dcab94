/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Network interfaces: names, MAC addresses, and their XDP program through
 * libbpf's netlink calls. Functions return 0 or a negative errno and leave
 * the reporting to the caller, which knows the context.
 */
#ifndef XR_IFACE_H
#define XR_IFACE_H

#include <net/if.h>
#include <linux/types.h>
#include "mode.h"

struct iface {
	char name[IF_NAMESIZE];
	int ifindex;
};

/* Fills @ifc for the interface called @name: -ENODEV if there is none. */
int iface_resolve(const char *name, struct iface *ifc);

/* Fills @ifc->name for @ifindex: -ENODEV if the interface is gone. */
int iface_by_index(int ifindex, struct iface *ifc);

/* The MAC address of an Ethernet interface; -EPFNOSUPPORT for others. */
int iface_mac(const struct iface *ifc, __u8 mac[6]);

/* The XDP programs on an interface, one slot per mode. */
struct iface_xdp {
	__u32 drv_id;
	__u32 skb_id;
	__u32 hw_id;
};

int iface_xdp_query(int ifindex, struct iface_xdp *xdp);

/* Any program, in any mode: its id and mode; false if none. */
bool iface_xdp_any(const struct iface_xdp *xdp, __u32 *id,
		   enum xr_mode *mode);

/* The mode @prog_id is attached in; false if it is not attached. */
bool iface_xdp_mode_of(const struct iface_xdp *xdp, __u32 prog_id,
		       enum xr_mode *mode);

/*
 * Attaches @prog_fd in the explicit @mode. With @old_fd < 0 the interface
 * must have no program in that mode (-EBUSY otherwise); with @old_fd >= 0
 * the program @old_fd is replaced atomically (-EEXIST if it is not there).
 */
int iface_xdp_attach(int ifindex, int prog_fd, enum xr_mode mode,
		     int old_fd);

/* Detaches @old_fd from @mode, only if it is still the one attached. */
int iface_xdp_detach(int ifindex, enum xr_mode mode, int old_fd);

#endif /* XR_IFACE_H */
