// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The firewall gate's recorder on TC egress; see fw_record.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "fw_record.skel.h"
#include "xdp_router_types.h"
#include "iface.h"
#include "log.h"
#include "fw_record.h"
#include "nf_rules.h"
#include "router.h"

#define TC_HOOK(name, _ifindex)						\
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, name, .ifindex = (_ifindex),	\
			    .attach_point = BPF_TC_EGRESS)

static const char *ifname(int ifindex, char *buf)
{
	return if_indextoname(ifindex, buf) ?: "?";
}

/* Our filter on @ifindex runs @prog_fd (a new one, or one put back). */
static int set_filter(int ifindex, int prog_fd)
{
	TC_HOOK(hook, ifindex);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = FW_RECORD_HANDLE,
			    .priority = FW_RECORD_PRIO, .prog_fd = prog_fd,
			    .flags = BPF_TC_F_REPLACE);
	int err;

	/* The clsact qdisc: created if missing, shared if there (another
	 * tool's filters may hang off it), never removed by us. */
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	return bpf_tc_attach(&hook, &opts);
}

int fw_record_query(int ifindex, __u32 *prog_id)
{
	TC_HOOK(hook, ifindex);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = FW_RECORD_HANDLE,
			    .priority = FW_RECORD_PRIO);
	int err = bpf_tc_query(&hook, &opts);

	/* No clsact qdisc: no filter either. */
	if (err == -EINVAL || err == -ENOENT)
		return -ENOENT;
	if (!err)
		*prog_id = opts.prog_id;
	return err;
}

int fw_record_detach(int ifindex)
{
	TC_HOOK(hook, ifindex);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = FW_RECORD_HANDLE,
			    .priority = FW_RECORD_PRIO);
	__u32 id;
	int err = fw_record_query(ifindex, &id);

	if (err)
		return err == -ENOENT ? 0 : err;
	err = bpf_tc_detach(&hook, &opts);
	return err == -ENOENT ? 0 : err;
}

/* Each interface's filter before: its program held open (the filter we
 * replace would drop its last reference), to be put back on failure. */
struct saved {
	int old_fd;		/* -1: there was none */
	bool done;
};

static void undo(const int *ifindex, const struct saved *s, int n)
{
	char name[IF_NAMESIZE];
	int err;

	for (int i = n - 1; i >= 0; i--) {
		if (!s[i].done)
			continue;
		err = s[i].old_fd >= 0 ? set_filter(ifindex[i], s[i].old_fd) :
					 fw_record_detach(ifindex[i]);
		if (err)
			log_error("rollback: cannot restore the egress filter "
				  "of %s: %s", ifname(ifindex[i], name),
				  log_strerror(err));
	}
}

static int load(const struct router *r, struct fw_record **skel)
{
	int err;

	*skel = fw_record__open();
	if (!*skel)
		return -errno;
	/* The router's own maps: what the recorder notes, the gate reads. */
	err = bpf_map__reuse_fd((*skel)->maps.xr_fw_flows, r->fw_flows_fd);
	if (!err)
		err = bpf_map__reuse_fd((*skel)->maps.xr_fw_state,
					r->fw_state_fd);
	if (!err)
		err = fw_record__load(*skel);
	return err;
}

int fw_record_attach(const struct router *r, const int *ifindex, int n)
{
	struct fw_record *skel = NULL;
	char name[IF_NAMESIZE];
	struct saved *s;
	__u32 id;
	int err, i;

	s = calloc(n, sizeof(*s));
	if (!s) {
		log_error("out of memory");
		return -ENOMEM;
	}
	/* All of them: the clean-up below looks at every entry. */
	for (i = 0; i < n; i++)
		s[i].old_fd = -1;
	err = load(r, &skel);
	if (err) {
		log_error("cannot load the firewall gate's recorder: %s (-v "
			  "shows the verifier's log)", log_strerror(err));
		goto out;
	}
	for (i = 0; i < n; i++) {
		err = fw_record_query(ifindex[i], &id);
		if (!err) {
			s[i].old_fd = bpf_prog_get_fd_by_id(id);
			err = s[i].old_fd < 0 ? s[i].old_fd : 0;
		} else if (err == -ENOENT) {
			err = 0;
		}
		if (!err)
			err = set_filter(ifindex[i],
					 bpf_program__fd(skel->progs.xr_fw_record));
		if (err) {
			log_error("cannot attach the firewall gate's recorder "
				  "to %s (tc egress): %s",
				  ifname(ifindex[i], name), log_strerror(err));
			undo(ifindex, s, i);
			break;
		}
		s[i].done = true;
	}
out:
	for (i = 0; i < n; i++)
		if (s[i].old_fd >= 0)
			close(s[i].old_fd);
	free(s);
	fw_record__destroy(skel);	/* the filters hold the program */
	return err;
}

int fw_record_blind(const struct router *r, bool *blind)
{
	struct xr_fw_state st;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(r->fw_state_fd, &zero, &st))
		return -errno;
	*blind = st.blind;
	return 0;
}

static int set_blind(const struct router *r, bool blind)
{
	struct xr_fw_state st;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(r->fw_state_fd, &zero, &st))
		return -errno;
	/*
	 * An array's value is written whole: a generation the data plane
	 * notes between our read and write would be undone, and noted again
	 * by the next packet with a later `since` (so the gate must hold a
	 * verdict recorded before `since` unsettled too). Written only when
	 * the flag changes, which is rare.
	 */
	if (!!st.blind == blind)
		return 0;
	st.blind = blind;
	return bpf_map_update_elem(r->fw_state_fd, &zero, &st, BPF_EXIST) ?
	       -errno : 0;
}

/*
 * Conntrack's TCP window checks, liberal: a FIN that reaches the kernel
 * after XDP carried a flow's data is otherwise out of window, invalid and
 * dropped by the usual "ct state invalid drop" (kern/firewall.h). The nft
 * flowtable marks each of its flows liberal for the same reason; no kfunc
 * can do that per flow, so the namespace's sysctl is set, remembered in
 * xr_fw_state and put back by the last detach (fw_record_release()).
 * Without conntrack (no sysctl) there is nothing to do.
 */
static const char tcp_liberal_path[] =
	"/proc/sys/net/netfilter/nf_conntrack_tcp_be_liberal";

static int read_liberal(int *value)
{
	FILE *f = fopen(tcp_liberal_path, "r");
	int ok;

	if (!f)
		return -errno;
	ok = fscanf(f, "%d", value) == 1;
	fclose(f);
	return ok ? 0 : -EINVAL;
}

static int write_liberal(int value)
{
	FILE *f = fopen(tcp_liberal_path, "w");
	int err = 0;

	if (!f)
		return -errno;
	if (fprintf(f, "%d\n", value) < 0)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

static int set_tcp_liberal(const struct router *r)
{
	struct xr_fw_state st;
	__u32 zero = 0;
	int value, err;

	if (read_liberal(&value) || value)
		return 0;
	err = write_liberal(1);
	if (err) {
		log_warn("cannot set net.netfilter.nf_conntrack_tcp_be_liberal "
			 "(%s): the firewall gate leaves TCP to the kernel "
			 "(pass_fw_tcp_strict)", log_strerror(err));
		return 0;
	}
	/* Said by status too ("tcp windows"), and in attach(8). */
	log_verbose("set net.netfilter.nf_conntrack_tcp_be_liberal=1, as nft "
		    "flowtables do for their flows: conntrack must accept the "
		    "segments of TCP flows XDP carries; detach puts it back");
	if (bpf_map_lookup_elem(r->fw_state_fd, &zero, &st))
		return -errno;
	st.tcp_liberal_set = 1;
	return bpf_map_update_elem(r->fw_state_fd, &zero, &st, BPF_EXIST) ?
	       -errno : 0;
}

const char *fw_record_tcp_windows(const struct router *r)
{
	struct xr_fw_state st;
	__u32 zero = 0;
	int value;

	if (read_liberal(&value))
		return "none";
	if (!value)
		return "strict";
	if (!bpf_map_lookup_elem(r->fw_state_fd, &zero, &st) &&
	    st.tcp_liberal_set)
		return "liberal, set by attach";
	return "liberal";
}

void fw_record_release(const struct router *r)
{
	struct xr_fw_state st;
	__u32 zero = 0;
	int err;

	if (r->fw_state_fd < 0 ||
	    bpf_map_lookup_elem(r->fw_state_fd, &zero, &st) ||
	    !st.tcp_liberal_set)
		return;
	err = write_liberal(0);
	if (err)
		log_warn("cannot put net.netfilter.nf_conntrack_tcp_be_liberal "
			 "back to 0: %s", log_strerror(err));
	else
		log_verbose("net.netfilter.nf_conntrack_tcp_be_liberal back "
			    "to 0, as before attach");
}

int fw_record_setup(const struct router *r, const int *ifindex,
		    const char *const *ifnames, int n)
{
	struct nf_rules nr;
	int err = nf_rules_read(&nr, ifnames, n);

	if (err) {
		/* Unknown is treated as there: blind is the safe side. */
		log_warn("cannot read the netfilter rules (%s): the firewall "
			 "gate hands every packet it would judge to the kernel",
			 log_strerror(err));
	} else {
		char ingress[256];

		if (nr.legacy[0])
			log_warn("legacy iptables tables (%s): the firewall "
				 "gate cannot see their rule changes and hands "
				 "every packet it would judge to the kernel "
				 "(pass_fw_blind); iptables-nft rules it can "
				 "follow", nr.legacy);
		if (nf_rules_ingress_format(&nr, ingress, sizeof(ingress)))
			log_warn("ingress chains %s judge each packet before "
				 "conntrack: the firewall gate hands every "
				 "packet of those interfaces it would judge to "
				 "the kernel (pass_fw_blind)", ingress);
	}
	err = set_blind(r, err || nr.legacy[0]) ?: set_tcp_liberal(r);
	if (err) {
		log_error("cannot set the firewall gate's state (%s): %s",
			  XR_MAP_FW_STATE, log_strerror(err));
		return err;
	}
	return fw_record_attach(r, ifindex, n);
}
