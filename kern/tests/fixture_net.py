#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""The fixtures' network: the router's links, addresses and routes, written
down once, and topology(), the runner directives that build it (see
gen_fixtures.py for the directives' format)."""

import ipaddress

SMALL_MTU = 1280  # also IPv6's minimum MTU, so one link serves both families


class Link:
    """A veth pair: the router's end r<N> and a host end h<N>."""

    def __init__(self, n, attached=True, mtu=None, index=None):
        self.name = f"r{n}"
        self.peer = f"h{n}"
        self.mac = f"02:00:00:00:{n:02x}:01"       # router end
        self.peer_mac = f"02:00:00:00:{n:02x}:02"  # host / next hop
        self.v4, self.v6 = f"10.0.{n}.1", f"fd00:{n}::1"
        self.peer_v4, self.peer_v6 = f"10.0.{n}.2", f"fd00:{n}::2"
        self.attached = attached
        self.mtu = mtu
        self.index = index  # the router end's ifindex, if not the next free


LAN = Link(0)                       # ingress of most cases
WAN = Link(1)                       # the usual egress
NOT_XDP = Link(2, attached=False)   # routed, but not in xr_tx_ports
SMALL = Link(3, mtu=SMALL_MTU)      # small-MTU path
UNCONF = Link(4, attached=False)    # ingress with no xr_ifaces entry
NOFWD = Link(5)                     # ingress with forwarding off
ECMP2 = Link(6)                     # WAN's sibling in the ECMP routes;
                                    # its IPv6 MTU is below its MTU
# Ifindexes from XR_IFINDEX_DIRECT (1024) up keep their conf and counters in
# the xr_ifaces hash instead of the xr_ifaces_arr array.
HIGH = Link(7, index=5000)          # attached, ifindex past the array
HIGH_UNCONF = Link(8, attached=False, index=6000)  # and not configured
# Ingress interfaces with the source check's sysctls (kern/source_check.h);
# conf/all is 0 for each, so that the interface's own value decides.
RPF_STRICT = Link(9)                # rp_filter 1
RPF_LOOSE = Link(10)                # rp_filter 2
ACCEPT_LOCAL = Link(11)             # accept_local 1
NO_REDIRECTS = Link(12)             # send_redirects 0 (the others: 1)
RPF_LOG = Link(13)                  # rp_filter 1, log_martians 1
JUMBO_MTU = 9000
JUMBO_IN = Link(14, mtu=JUMBO_MTU)  # jumbo frames in (multi-buffer) ...
JUMBO = Link(15, mtu=JUMBO_MTU)     # ... and out
SOURCE_CONF = {
    RPF_STRICT: {"rp_filter": 1},
    RPF_LOOSE: {"rp_filter": 2},
    ACCEPT_LOCAL: {"accept_local": 1},
    NO_REDIRECTS: {"send_redirects": 0},
    RPF_LOG: {"rp_filter": 1, "log_martians": 1},
}
LINKS = [LAN, WAN, NOT_XDP, SMALL, UNCONF, NOFWD, ECMP2, HIGH, HIGH_UNCONF,
         RPF_STRICT, RPF_LOOSE, ACCEPT_LOCAL, NO_REDIRECTS, RPF_LOG,
         JUMBO_IN, JUMBO]

HOST_V4, HOST_V6 = LAN.peer_v4, LAN.peer_v6
OTHER_HOST_MAC = "02:00:00:00:00:99"

# Destination prefixes, each routed a different way (see topology()).
DST = {
    "wan":         ("198.51.100.10", "2001:db8:100::10"),
    "no_neigh":    ("198.51.101.10", "2001:db8:101::10"),
    "not_xdp":     ("198.51.102.10", "2001:db8:102::10"),
    "small_mtu":   ("198.51.103.10", "2001:db8:103::10"),
    "ecmp":        ("198.51.104.10", "2001:db8:104::10"),
    "mtu_locked":  ("198.51.105.10", "2001:db8:105::10"),
    "mtu_route":   ("198.51.106.10", "2001:db8:106::10"),
    "v6_gw":       ("198.51.107.10", None),
    "mtu6":        ("198.51.108.10", "2001:db8:108::10"),
    "blackhole":   ("198.51.110.10", "2001:db8:110::10"),
    "unreachable": ("198.51.111.10", "2001:db8:111::10"),
    "prohibit":    ("198.51.112.10", "2001:db8:112::10"),
    "jumbo":       ("198.51.113.10", "2001:db8:113::10"),
    "no_route":    ("203.0.113.10", "2001:db8:ffff::10"),
}
NO_NEIGH_GW = ("10.0.1.3", "fd00:1::3")  # on WAN, never resolved
ONLINK_NO_NEIGH = ("10.0.1.5", "fd00:1::5")  # on WAN, never resolved
# A host route inside the "wan" prefix, through another link: the longest
# prefix wins.
HOST_ROUTE = ("198.51.100.77", "2001:db8:100::77")
ROUTE_MTU = 1300  # below WAN's 1500
ECMP_SEED = 12345  # net/ipv4/fib_multipath_hash_seed (both families)
ECMP2_MTU6 = 1400  # net/ipv6/conf/r6/mtu; r6's MTU is 1500



def prefix(addr):
    """The routed prefix a DST address stands for: a /24 or a /48."""
    net = ipaddress.ip_network(addr)
    return str(net.supernet(new_prefix=24 if net.version == 4 else 48))


def topology(routed=()):
    """The router's namespace, as runner directives; `routed`: more routes
    (the load balancer's), added with the others.

    The runner creates the namespace with DAD off (accept_dad 0 in its
    all and default conf, fixture_topo.c), so that the router ends'
    addresses, link-local ones included, and their local routes are in
    place once their links are up: a DAD finishing during the cases would
    add routes, and move the counters the route cache watches."""
    # The source check's sysctls start from the kernel's defaults, not
    # from whatever the initial namespace (where systemd sets rp_filter
    # 2) passes on to new ones.
    lines = [f"sysctl net/ipv4/conf/{conf}/{key} {value}"
             for conf in ("all", "default")
             for key, value in (("rp_filter", 0), ("accept_local", 0),
                                ("log_martians", 0),
                                ("send_redirects", 0))]
    for link in LINKS:
        mtu = f" mtu {link.mtu}" if link.mtu else ""
        index = f" index {link.index}" if link.index else ""
        lines += [
            f"ip link add {link.name}{index} address {link.mac}{mtu} type veth "
            f"peer name {link.peer} address {link.peer_mac}{mtu}",
            # The host ends stay silent (no DAD, router solicitations or
            # MLD reports): a frame reaching an interface the router is
            # really attached to (table mode attaches with the CLI) would
            # move the counters the cases check.
            f"sysctl net/ipv6/conf/{link.peer}/disable_ipv6 1",
            f"ip link set {link.name} up",
            f"ip link set {link.peer} up",
            f"ip addr add {link.v4}/24 dev {link.name}",
            f"ip addr add {link.v6}/64 dev {link.name} nodad",
        ]
        conf = {"send_redirects": 1, **SOURCE_CONF.get(link, {})}
        lines += [f"sysctl net/ipv4/conf/{link.name}/{key} {value}"
                  for key, value in conf.items()]
        # Next hops are permanent so that no case depends on ARP/ND timing.
        for addr in (link.peer_v4, link.peer_v6):
            lines.append(f"ip neigh add {addr} lladdr {link.peer_mac} "
                         f"dev {link.name} nud permanent")

    def via(key, link, gw=None):
        gw = gw or (link.peer_v4, link.peer_v6)
        return [f"ip route add {prefix(DST[key][0])} via {gw[0]}",
                f"ip route add {prefix(DST[key][1])} via {gw[1]}"]

    lines += via("wan", WAN)
    lines += via("no_neigh", WAN, NO_NEIGH_GW)
    lines += via("not_xdp", NOT_XDP)
    lines += via("small_mtu", SMALL)
    lines += via("mtu6", ECMP2)
    lines += via("jumbo", JUMBO)
    # IPv6 forwarding checks the interface's IPv6 MTU (ip6_mtu_from_fib6()),
    # IPv4 its MTU.
    lines.append(f"sysctl net/ipv6/conf/{ECMP2.name}/mtu {ECMP2_MTU6}")
    lines += [f"ip route add {HOST_ROUTE[0]}/32 via {SMALL.peer_v4}",
              f"ip route add {HOST_ROUTE[1]}/128 via {SMALL.peer_v6}"]
    # A route MTU counts for forwarding only when locked (or with
    # ip_fwd_use_pmtu, off here): ip_mtu_from_fib_result(),
    # ip6_mtu_from_fib6().
    for key, lock in (("mtu_locked", "lock "), ("mtu_route", "")):
        lines += [f"ip route add {prefix(DST[key][0])} via {WAN.peer_v4} "
                  f"mtu {lock}{ROUTE_MTU}",
                  f"ip route add {prefix(DST[key][1])} via {WAN.peer_v6} "
                  f"mtu {lock}{ROUTE_MTU}"]
    # RFC 5549: an IPv4 route through an IPv6 gateway (its neighbour is
    # in the ND table).
    lines.append(f"ip route add {prefix(DST['v6_gw'][0])} "
                 f"via inet6 {WAN.peer_v6} dev {WAN.name}")
    # ECMP: the next hop is chosen by a hash of addresses, protocol and
    # ports (policy 1; the data plane passes the ports to the FIB), with a
    # fixed seed, so that the flows of the cases spread the same way on
    # every run. The runner asks the kernel which next hop a flow takes.
    lines += ["sysctl net/ipv4/fib_multipath_hash_policy 1",
              "sysctl net/ipv6/fib_multipath_hash_policy 1",
              f"sysctl net/ipv4/fib_multipath_hash_seed {ECMP_SEED}"]
    for i, fam in ((0, "-4"), (1, "-6")):
        lines.append(f"ip {fam} route add {prefix(DST['ecmp'][i])}"
                     f" nexthop via {(WAN.peer_v4, WAN.peer_v6)[i]}"
                     f" dev {WAN.name}"
                     f" nexthop via {(ECMP2.peer_v4, ECMP2.peer_v6)[i]}"
                     f" dev {ECMP2.name}")
    for kind in ("blackhole", "unreachable", "prohibit"):
        lines += [f"ip route add {kind} {prefix(DST[kind][0])}",
                  f"ip route add {kind} {prefix(DST[kind][1])}"]
    # Stands in for a default route, which would cover 0.0.0.0/8 too but
    # leave no destination for the no-route cases.
    lines.append(f"ip route add 0.0.0.0/8 via {WAN.peer_v4}")
    # The route back to class E sources (source_cases()).
    lines.append(f"ip route add 240.0.0.0/4 via {WAN.peer_v4}")
    # The load balancer's VIPs are routed too: what is not a VIP's is.
    lines += routed

    # Forwarding on (after the links exist, so that they inherit it), but
    # off for IPv4 on NOFWD's ingress.
    lines += ["sysctl net/ipv4/ip_forward 1",
              "sysctl net/ipv6/conf/all/forwarding 1",
              f"sysctl net/ipv4/conf/{NOFWD.name}/forwarding 0"]
    lines += [f"attach {link.name}" for link in LINKS if link.attached]
    return lines

