/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The netfilter rules a packet forwarded by the kernel would meet, in the
 * namespace the CLI runs in (the router's), as user space sees them:
 * nftables base chains on the forward path (families ip, ip6 and inet on
 * prerouting, forward and postrouting; netdev and inet ingress chains on
 * the router's interfaces) and legacy iptables tables. For attach
 * (--firewall off is refused past them; legacy tables make the gate blind)
 * and status (why the gate is on). The data plane decides per packet from
 * the kernel's hook lists (kern/fw_generation.h); this is the operator's
 * view of the same thing, with names.
 */
#ifndef XR_NF_RULES_H
#define XR_NF_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>

/* Chains kept by name; more are counted (nr_chains) but not named. */
#define NF_RULES_MAX_CHAINS 16

struct nf_chain {
	char family[8];		/* ip, ip6, inet, netdev */
	char table[64];
	char name[64];
	char hook[16];		/* prerouting, forward, postrouting, ingress */
	char dev[IF_NAMESIZE];	/* ingress: the router's interface it is on */
};

struct nf_rules {
	struct nf_chain chains[NF_RULES_MAX_CHAINS];
	int nr_chains;		/* found (may exceed NF_RULES_MAX_CHAINS) */
	/* Legacy iptables tables, "filter, nat, ip6 filter"; "" if none. */
	char legacy[128];
};

/*
 * Reads both into @nr; ingress chains count only on the interfaces
 * @ifnames[0..n). Returns 0 or a negative errno, without reporting it. A
 * kernel without nf_tables or ip_tables has none of them: not an error.
 */
int nf_rules_read(struct nf_rules *nr, const char *const *ifnames, int n);

/*
 * The ingress chains on the router's interfaces, "netdev f in (eth0)", in
 * @buf ("" if none): their verdicts come before conntrack, packet by
 * packet, and the gate hands every packet of those interfaces it would
 * judge to the kernel (pass_fw_blind). Returns how many.
 */
int nf_rules_ingress_format(const struct nf_rules *nr, char *buf,
			    size_t len);

/* The chains as "inet filter fwdchain (forward), netdev f in (ingress on
 * eth0)", with ", and N more" past those kept. */
void nf_rules_chains_format(const struct nf_rules *nr, char *buf,
			    size_t len);

#endif /* XR_NF_RULES_H */
