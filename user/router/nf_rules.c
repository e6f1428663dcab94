// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The netfilter rules on the forward path; see nf_rules.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include "nf_rules.h"

static const char *family_name(unsigned int family)
{
	switch (family) {
	case NFPROTO_IPV4:
		return "ip";
	case NFPROTO_IPV6:
		return "ip6";
	case NFPROTO_INET:
		return "inet";
	case NFPROTO_NETDEV:
		return "netdev";
	default:
		return NULL;	/* arp, bridge: not on the routed path */
	}
}

/*
 * The hook of a routed packet's path, or NULL for the others: input and
 * output are not on it. Netdev egress chains are not counted yet, although
 * a frame XDP redirects skips them too (a known gap, docs/architecture.md).
 */
static const char *hook_name(unsigned int family, unsigned int hook,
			     bool *ingress)
{
	*ingress = false;
	if (family == NFPROTO_NETDEV) {
		*ingress = hook == NF_NETDEV_INGRESS;
		return *ingress ? "ingress" : NULL;
	}
	switch (hook) {
	case NF_INET_PRE_ROUTING:
		return "prerouting";
	case NF_INET_FORWARD:
		return "forward";
	case NF_INET_POST_ROUTING:
		return "postrouting";
	case NF_INET_INGRESS:
		*ingress = true;
		return "ingress";
	default:
		return NULL;
	}
}

struct dump {
	struct nf_rules *nr;
	const char *const *ifnames;
	int n;
};

/* The first of the chain's devices that is one of the router's. */
static const char *our_dev(const struct nftnl_chain *c, const struct dump *d)
{
	const char *const *devs = NULL;
	const char *one = NULL;

	if (nftnl_chain_is_set(c, NFTNL_CHAIN_DEVICES))
		devs = nftnl_chain_get(c, NFTNL_CHAIN_DEVICES);
	else if (nftnl_chain_is_set(c, NFTNL_CHAIN_DEV))
		one = nftnl_chain_get_str(c, NFTNL_CHAIN_DEV);
	for (int i = 0; i < d->n; i++) {
		if (one && !strcmp(one, d->ifnames[i]))
			return one;
		for (int j = 0; devs && devs[j]; j++)
			if (!strcmp(devs[j], d->ifnames[i]))
				return devs[j];
	}
	return NULL;
}

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;
	struct nftnl_chain *c = nftnl_chain_alloc();
	const char *family, *hook, *dev = NULL;
	struct nf_chain *out;
	bool ingress;

	if (!c)
		return MNL_CB_ERROR;
	if (nftnl_chain_nlmsg_parse(nlh, c) < 0 ||
	    !nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM))
		goto out;	/* not a base chain: reached only by jumps */
	family = family_name(nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY));
	hook = family ? hook_name(nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY),
				  nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM),
				  &ingress) : NULL;
	if (!hook)
		goto out;
	if (ingress) {
		dev = our_dev(c, d);
		if (!dev)
			goto out;
	}
	if (d->nr->nr_chains < NF_RULES_MAX_CHAINS) {
		out = &d->nr->chains[d->nr->nr_chains];
		snprintf(out->family, sizeof(out->family), "%s", family);
		snprintf(out->table, sizeof(out->table), "%s",
			 nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE));
		snprintf(out->name, sizeof(out->name), "%s",
			 nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
		snprintf(out->hook, sizeof(out->hook), "%s", hook);
		snprintf(out->dev, sizeof(out->dev), "%s", dev ? dev : "");
	}
	d->nr->nr_chains++;
out:
	nftnl_chain_free(c);
	return MNL_CB_OK;
}

/* NFT_MSG_GETCHAIN, every family, as `nft list chains` asks. */
static int read_chains(struct dump *d)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	unsigned int seq = time(NULL), portid;
	int ret;

	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl)	/* no nfnetlink in this kernel: no nftables either */
		return errno == EPROTONOSUPPORT ? 0 : -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, NFPROTO_UNSPEC,
				    NLM_F_DUMP, seq);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	while ((ret = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		ret = mnl_cb_run(buf, ret, seq, portid, chain_cb, d);
		if (ret <= 0)
			break;
	}
	if (ret < 0) {
		ret = -errno;
		/* nf_tables not loaded (and not loadable): no chains. */
		if (ret == -EOPNOTSUPP || ret == -ENOENT)
			ret = 0;
	}
out:
	mnl_socket_close(nl);
	return ret;
}

/* The tables named in /proc/net/@file (absent without the module). */
static int read_legacy(struct nf_rules *nr, const char *file,
		       const char *prefix)
{
	char path[64], name[64];
	size_t len = strlen(nr->legacy);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/net/%s", file);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fscanf(f, "%63s", name) == 1) {
		snprintf(nr->legacy + len, sizeof(nr->legacy) - len, "%s%s%s",
			 len ? ", " : "", prefix, name);
		len = strlen(nr->legacy);
	}
	fclose(f);
	return 0;
}

int nf_rules_read(struct nf_rules *nr, const char *const *ifnames, int n)
{
	struct dump d = { .nr = nr, .ifnames = ifnames, .n = n };
	int err;

	memset(nr, 0, sizeof(*nr));
	err = read_chains(&d);
	if (!err)
		err = read_legacy(nr, "ip_tables_names", "");
	if (!err)
		err = read_legacy(nr, "ip6_tables_names", "ip6 ");
	return err;
}

void nf_rules_chains_format(const struct nf_rules *nr, char *buf,
			    size_t len)
{
	size_t at = 0;
	int shown = nr->nr_chains < NF_RULES_MAX_CHAINS ?
		    nr->nr_chains : NF_RULES_MAX_CHAINS;

	buf[0] = '\0';
	for (int i = 0; i < shown && at < len; i++) {
		const struct nf_chain *c = &nr->chains[i];

		at += snprintf(buf + at, len - at, "%s%s %s %s (%s%s%s)",
			       i ? ", " : "", c->family, c->table, c->name,
			       c->hook, c->dev[0] ? " on " : "", c->dev);
	}
	if (nr->nr_chains > shown && at < len)
		snprintf(buf + at, len - at, ", and %d more",
			 nr->nr_chains - shown);
}

int nf_rules_ingress_format(const struct nf_rules *nr, char *buf,
			    size_t len)
{
	int kept = nr->nr_chains < NF_RULES_MAX_CHAINS ? nr->nr_chains :
							 NF_RULES_MAX_CHAINS;
	size_t at = 0;
	int found = 0;

	if (len)
		buf[0] = '\0';
	for (int i = 0; i < kept; i++) {
		const struct nf_chain *c = &nr->chains[i];

		if (strcmp(c->hook, "ingress"))
			continue;
		if (at < len)
			at += snprintf(buf + at, len - at, "%s%s %s %s (%s)",
				       found ? ", " : "", c->family, c->table,
				       c->name, c->dev);
		found++;
	}
	return found;
}
