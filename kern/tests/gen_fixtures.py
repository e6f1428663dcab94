#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Write the data plane's packet fixtures for fixture_runner.

Every case is one input frame, the ingress interface, the XDP action and
xr_outcome the router must answer with, and the exact frame it must leave
behind. Forwarded frames are derived from the input byte by byte (MACs,
TTL/hop limit, IPv4 header checksum recomputed from scratch), so a mistake in
the data plane's incremental arithmetic cannot hide behind the same mistake
here. Frames the router passes or drops must come out unchanged.

The file also carries the topology the expectations rely on, as directives
the runner executes in a private network namespace, so that addresses and
MACs are written down once, here. Format, one directive per line:

    ip ARGS...                      run `ip ARGS...`
    sysctl PATH VALUE               write VALUE to /proc/sys/PATH
    attach IFNAME                   add to xr_tx_ports, configure in xr_ifaces
    bench NAME...                   what --bench times unless told otherwise
    lb-...                          load balancer maps and expectations:
                                    see lb_fixtures.py
    expect LOOKUP NAME ACTION OUTCOME
                                    in lookup mode LOOKUP (fib, table), case
                                    NAME gives ACTION and OUTCOME instead, its
                                    frame unchanged; before the case
    case NAME IFNAME ACTION OUTCOME IN_HEX OUT_HEX[,OUT_HEX...]

A case through an ECMP route lists each next hop's frame as IFNAME=HEX (the
frame that leaves by IFNAME). In fib lookup mode (route cache or not) only
the next hop the kernel's FIB takes for the flow passes: the runner asks
the kernel (as `ip route get ... iif IFNAME ipproto sport dport` does).
Table mode hashes flows its own way (kern/flow_hash.h), which cannot
reproduce the kernel's keyed hash: there any of the route's next hops passes.

Every case holds in both lookup modes (attach --lookup fib|table) unless an
expect line says otherwise, with the reason on the comment line before it.

Runs with Debian's python3-scapy: /usr/bin/python3 gen_fixtures.py -o FILE
"""
import argparse
import sys

from scapy.all import (ARP, Dot1Q, Ether, ICMP, ICMPv6EchoRequest,
                       ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_RA, ICMPv6ND_RS,
                       ICMPv6ND_Redirect, ICMPv6Unknown, IP, IPOption_NOP,
                       IPOption_RR, IPv6, IPv6ExtHdrDestOpt,
                       IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrRouting, Raw, RouterAlert, TCP, UDP)

import lb_fixtures
from fixture_frames import (ETH_LEN, Fixtures, eth, jumbo_payload, padded,
                            patched, sized_udp4, sized_udp6, udp4, udp6, v4,
                            v6)
from fixture_net import (ACCEPT_LOCAL, DST, ECMP2, ECMP2_MTU6, HIGH,
                         HIGH_UNCONF, HOST_ROUTE, HOST_V4, HOST_V6, JUMBO,
                         JUMBO_IN, JUMBO_MTU, LAN,
                         NO_REDIRECTS, NOFWD, ONLINK_NO_NEIGH, OTHER_HOST_MAC,
                         ROUTE_MTU, RPF_LOG, RPF_LOOSE, RPF_STRICT, SMALL,
                         SMALL_MTU, UNCONF, WAN, topology)

# What --bench times by default: the plain forwarding case of each family.
BENCH = ["bench ipv4_udp ipv6_udp"]


def ipv4_with_carry():
    """A frame whose checksum high byte is 0xff: decrementing the TTL then
    carries out of the checksum word (end-around carry of RFC 1624)."""
    for ident in range(1 << 16):
        pkt = udp4(id=ident)
        if bytes(pkt)[ETH_LEN + 10] == 0xff:
            return pkt
    raise RuntimeError("no IP id gives a 0xff checksum byte")


def forwarding_cases(f):
    f.fwd("ipv4_udp", udp4())
    f.fwd("ipv4_tcp", v4() / TCP(sport=40000, dport=443, flags="S"))
    f.fwd("ipv4_icmp_echo", v4() / ICMP(id=7, seq=1) / Raw(b"ping"))
    f.fwd("ipv4_eth_padding", padded(v4() / UDP(sport=1, dport=2), 60))
    f.fwd("ipv4_csum_carry", ipv4_with_carry())
    f.fwd("ipv4_ttl_2", udp4(ttl=2))
    f.fwd("ipv4_frag_first", udp4(flags="MF", id=99))
    f.fwd("ipv4_frag_later", v4(frag=185, id=99, proto=17) / Raw(b"y" * 40))
    f.fwd("ipv4_at_mtu", sized_udp4(SMALL_MTU, dst=DST["small_mtu"][0]),
          egress=SMALL)
    # Linux accepts class E (240.0.0.0/4) sources; only 255.255.255.255
    # and multicast are martian.
    f.fwd("ipv4_src_class_e", udp4(src="240.0.0.1"))
    f.fwd("ipv4_onlink", udp4(dst=WAN.peer_v4))
    f.fwd("ipv4_longest_prefix", udp4(dst=HOST_ROUTE[0]), egress=SMALL)
    f.fwd("ipv4_via_ipv6_gateway", udp4(dst=DST["v6_gw"][0]))

    f.fwd("ipv6_udp", udp6())
    f.fwd("ipv6_onlink", udp6(dst=WAN.peer_v6))
    f.fwd("ipv6_longest_prefix", udp6(dst=HOST_ROUTE[1]), egress=SMALL)
    f.fwd("ipv6_tcp", v6() / TCP(sport=40000, dport=443, flags="S"))
    f.fwd("ipv6_icmp_echo", v6() / ICMPv6EchoRequest(id=7, seq=1))
    f.fwd("ipv6_hop_limit_2", udp6(hlim=2))
    f.fwd("ipv6_eth_padding", padded(v6() / UDP(sport=1, dport=2), 72))
    # Extension headers are the destination's business, not a router's.
    f.fwd("ipv6_routing_header",
          v6() / IPv6ExtHdrRouting(addresses=["2001:db8:100::20"],
                                   segleft=1) / UDP(sport=1, dport=2))
    f.fwd("ipv6_fragment_header",
          v6() / IPv6ExtHdrFragment(id=99, m=1) / UDP(sport=1, dport=2))
    f.fwd("ipv6_dest_options",
          v6() / IPv6ExtHdrDestOpt() / UDP(sport=1, dport=2))
    f.fwd("ipv6_at_mtu", sized_udp6(SMALL_MTU, dst=DST["small_mtu"][1]),
          egress=SMALL)
    # Bytes past the IP length are trimmed (forwarded() above); the MTU
    # is the IP packet's business, not the trailer's: 100 bytes of IP and
    # 1300 of trailer go out as the 100 bytes alone through MTU 1280.
    for fam, sized, i in (("ipv4", sized_udp4, 0), ("ipv6", sized_udp6, 1)):
        f.fwd(f"{fam}_trailer", padded(sized(100), ETH_LEN + 300))
        f.fwd(f"{fam}_trailer_over_mtu",
              padded(sized(100, dst=DST["small_mtu"][i]),
                     ETH_LEN + 1400), egress=SMALL)
    # ICMPv6 types either side of the ND range (133-137) are forwarded,
    # and so is an ICMPv6 header too short to be ND.
    f.fwd("ipv6_icmp_type_132",
          v6() / ICMPv6Unknown(type=132, msgbody=b"\0" * 20))
    f.fwd("ipv6_icmp_type_138",
          v6() / ICMPv6Unknown(type=138, msgbody=b"\0" * 20))
    f.fwd("ipv6_icmp_nd_truncated", v6(nh=58) / Raw(bytes([135, 0, 0, 0])))

    # No xr_ifaces entry: the program creates one and still forwards.
    unconf = eth(dst=UNCONF.mac, src=UNCONF.peer_mac)
    for name, pkt in (("unconfigured_ipv4_udp",
                       udp4(l2=unconf, src=UNCONF.peer_v4)),
                      ("unconfigured_ipv6_udp",
                       udp6(l2=unconf, src=UNCONF.peer_v6))):
        f.expect("table", name, "XDP_PASS", "XR_PASS_NOT_FWDED",
                 "the maps do not say whether an interface the CLI never "
                 "configured forwards (bpf_fib_lookup() reads its sysctl), "
                 "so the kernel decides")
        f.fwd(name, pkt, ingress=UNCONF)

    # Ingress ifindexes past the per-CPU array (xr_ifaces hash): configured
    # (its MAC filter applies) and unconfigured (an entry is created).
    high = eth(dst=HIGH.mac, src=HIGH.peer_mac)
    f.fwd("high_ifindex_ipv4_udp", udp4(l2=high, src=HIGH.peer_v4),
          ingress=HIGH)
    f.fwd("high_ifindex_ipv6_udp", udp6(l2=high, src=HIGH.peer_v6),
          ingress=HIGH)
    f.passed("high_ifindex_other_host",
             udp4(l2=eth(dst=OTHER_HOST_MAC, src=HIGH.peer_mac),
                  src=HIGH.peer_v4),
             "XR_PASS_L2_OTHER", ingress=HIGH)
    high_unconf = eth(dst=HIGH_UNCONF.mac, src=HIGH_UNCONF.peer_mac)
    f.expect("table", "high_ifindex_unconfigured_ipv4_udp", "XDP_PASS",
             "XR_PASS_NOT_FWDED",
             "the maps do not say whether an interface the CLI never "
             "configured forwards, so the kernel decides")
    f.fwd("high_ifindex_unconfigured_ipv4_udp",
          udp4(l2=high_unconf, src=HIGH_UNCONF.peer_v4), ingress=HIGH_UNCONF)

    # ECMP: each flow takes the next hop the kernel's hash picks (fib
    # mode), or table mode's (see the file's format). The hash covers the
    # ports (fixture_net.py), so the flows differ by port alone.
    for sport in (1000, 2000, 3000, 4000):
        f.fwd(f"ipv4_ecmp_udp_{sport}",
              v4(dst=DST["ecmp"][0]) / UDP(sport=sport, dport=53),
              egress=[WAN, ECMP2])
        f.fwd(f"ipv6_ecmp_udp_{sport}",
              v6(dst=DST["ecmp"][1]) / UDP(sport=sport, dport=53),
              egress=[WAN, ECMP2])


def l2_cases(f):
    f.passed("arp_request",
             Ether(dst="ff:ff:ff:ff:ff:ff", src=LAN.peer_mac) /
             ARP(psrc=HOST_V4, pdst=LAN.v4, hwsrc=LAN.peer_mac),
             "XR_PASS_NOT_IP")
    f.passed("arp_reply", eth() / ARP(op=2, psrc=HOST_V4, pdst=LAN.v4),
             "XR_PASS_NOT_IP")
    f.passed("lldp", padded(Ether(dst="01:80:c2:00:00:0e", src=LAN.peer_mac,
                                  type=0x88cc), 60, 0), "XR_PASS_NOT_IP")
    f.passed("vlan_tagged_ipv4", eth() / Dot1Q(vlan=10) /
             IP(src=HOST_V4, dst=DST["wan"][0]) / UDP(), "XR_PASS_NOT_IP")
    f.passed("eth_broadcast_ipv4", udp4(l2=eth(dst="ff:ff:ff:ff:ff:ff")),
             "XR_PASS_L2_OTHER")
    f.passed("eth_multicast_ipv4", udp4(l2=eth(dst="01:00:5e:00:00:01")),
             "XR_PASS_L2_OTHER")
    f.passed("eth_multicast_ipv6", udp6(l2=eth(dst="33:33:00:00:00:01")),
             "XR_PASS_L2_OTHER")
    f.passed("eth_other_host_ipv4", udp4(l2=eth(dst=OTHER_HOST_MAC)),
             "XR_PASS_L2_OTHER")
    f.passed("eth_other_host_ipv6", udp6(l2=eth(dst=OTHER_HOST_MAC)),
             "XR_PASS_L2_OTHER")
    # Frames shorter than an Ethernet header cannot be tested: since
    # Linux 6.x test_run refuses them (data_end - data < ETH_HLEN), even
    # behind XDP metadata. The shortest frames it takes are headers alone.
    f.dropped("eth_only_ipv4", bytes(eth(dst=LAN.mac) / IP())[:ETH_LEN],
              "XR_DROP_MALFORMED")
    f.dropped("eth_only_ipv6", bytes(eth(dst=LAN.mac) / IPv6())[:ETH_LEN],
              "XR_DROP_MALFORMED")


def ipv4_header_cases(f):
    ip = ETH_LEN
    good = udp4()
    f.dropped("ipv4_truncated_header", bytes(good)[:ip + 19],
              "XR_DROP_MALFORMED")
    f.dropped("ipv4_ihl_4", patched(good, ip, b"\x44"), "XR_DROP_MALFORMED")
    f.dropped("ipv4_version_6", patched(good, ip, b"\x65"),
              "XR_DROP_MALFORMED")
    f.passed("ipv4_options_nop", v4(options=[IPOption_NOP()] * 4) / UDP(),
             "XR_PASS_IP_OPTIONS")
    f.passed("ipv4_options_rr",
             v4(options=[IPOption_RR(routers=["0.0.0.0"] * 2)]) / UDP(),
             "XR_PASS_IP_OPTIONS")
    tot_len = len(good) - ETH_LEN
    f.dropped("ipv4_tot_len_gt_frame",
              udp4(len=tot_len + 1), "XR_DROP_MALFORMED")
    f.dropped("ipv4_tot_len_lt_20",
              padded(v4(len=19, proto=17), 60), "XR_DROP_MALFORMED")
    f.dropped("ipv4_bad_csum", udp4(chksum=0x1234), "XR_DROP_BAD_CSUM")
    f.passed("ipv4_ttl_1", udp4(ttl=1), "XR_PASS_TTL_EXPIRED")
    f.passed("ipv4_ttl_0", udp4(ttl=0), "XR_PASS_TTL_EXPIRED")


def ipv6_header_cases(f):
    ip = ETH_LEN
    good = udp6()
    f.dropped("ipv6_truncated_header", bytes(good)[:ip + 39],
              "XR_DROP_MALFORMED")
    f.dropped("ipv6_version_4", patched(good, ip, b"\x40"),
              "XR_DROP_MALFORMED")
    payload_len = len(good) - ETH_LEN - 40
    f.dropped("ipv6_payload_len_gt_frame", udp6(plen=payload_len + 1),
              "XR_DROP_MALFORMED")
    f.passed("ipv6_hop_by_hop",
             v6() / IPv6ExtHdrHopByHop(options=[RouterAlert()]) / UDP(),
             "XR_PASS_IP_OPTIONS")
    f.passed("ipv6_hop_limit_1", udp6(hlim=1), "XR_PASS_TTL_EXPIRED")
    f.passed("ipv6_hop_limit_0", udp6(hlim=0), "XR_PASS_TTL_EXPIRED")


def address_cases(f):
    # Neighbour discovery goes to the kernel whatever the addresses, even
    # to a destination the router would otherwise forward.
    nd = [("nd_ns", ICMPv6ND_NS(tgt=DST["wan"][1])),
          ("nd_na", ICMPv6ND_NA(tgt=HOST_V6)),
          ("nd_rs", ICMPv6ND_RS()),
          ("nd_ra", ICMPv6ND_RA()),
          ("nd_redirect", ICMPv6ND_Redirect(tgt=HOST_V6, dst=HOST_V6))]
    for name, msg in nd:
        f.passed(name, v6(hlim=255) / msg, "XR_PASS_V6_LINK_LOCAL")
    f.passed("nd_ra_link_local", v6(src="fe80::2", dst="fe80::1", hlim=255) /
             ICMPv6ND_RA(), "XR_PASS_V6_LINK_LOCAL")
    f.passed("ipv6_link_local_src", udp6(src="fe80::2"),
             "XR_PASS_V6_LINK_LOCAL")
    f.passed("ipv6_link_local_dst", udp6(dst="fe80::1"),
             "XR_PASS_V6_LINK_LOCAL")

    for name, dst in [("ipv4_mcast_local", "224.0.0.5"),
                      ("ipv4_mcast_global", "239.1.2.3"),
                      ("ipv4_limited_bcast", "255.255.255.255")]:
        f.passed(name, udp4(dst=dst), "XR_PASS_IP_MCAST")
    f.passed("ipv6_mcast", udp6(dst="ff0e::1"), "XR_PASS_IP_MCAST")
    f.passed("ipv6_mcast_solicited_node",
             v6(dst="ff02::1:ff00:1", hlim=255) /
             ICMPv6ND_NS(tgt="fd00::1"), "XR_PASS_IP_MCAST")

    for name, src in [("ipv4_src_loopback", "127.0.0.1"),
                      ("ipv4_src_zeronet", "0.1.2.3"),
                      ("ipv4_src_unspecified", "0.0.0.0"),
                      ("ipv4_src_mcast", "224.1.2.3"),
                      ("ipv4_src_bcast", "255.255.255.255")]:
        f.passed(name, udp4(src=src), "XR_PASS_MARTIAN")
    for name, src in [("ipv6_src_loopback", "::1"),
                      ("ipv6_src_unspecified", "::"),
                      ("ipv6_src_mcast", "ff0e::1")]:
        f.passed(name, udp6(src=src), "XR_PASS_MARTIAN")
    # Martian destinations: the kernel discards them even when a route
    # covers them (0.0.0.0/8 is routed to WAN in this topology).
    for name, dst in [("ipv4_dst_zeronet", "0.1.2.3"),
                      ("ipv4_dst_loopback", "127.0.0.2")]:
        f.passed(name, udp4(dst=dst), "XR_PASS_MARTIAN")
    f.passed("ipv6_dst_loopback", udp6(dst="::1"), "XR_PASS_MARTIAN")


def route_cases(f):
    for fam, udp in (("ipv4", udp4), ("ipv6", udp6)):
        i = 0 if fam == "ipv4" else 1
        local = WAN.v4 if fam == "ipv4" else WAN.v6
        f.dropped(f"{fam}_blackhole", udp(dst=DST["blackhole"][i]),
                  "XR_DROP_BLACKHOLE")
        f.passed(f"{fam}_unreachable", udp(dst=DST["unreachable"][i]),
                 "XR_PASS_UNREACHABLE")
        f.passed(f"{fam}_prohibit", udp(dst=DST["prohibit"][i]),
                 "XR_PASS_UNREACHABLE")
        f.passed(f"{fam}_no_route", udp(dst=DST["no_route"][i]),
                 "XR_PASS_NOT_FWDED")
        f.passed(f"{fam}_local_dst", udp(dst=local), "XR_PASS_NOT_FWDED")
        f.passed(f"{fam}_no_neigh", udp(dst=DST["no_neigh"][i]),
                 "XR_PASS_NO_NEIGH")
        f.passed(f"{fam}_egress_not_xdp", udp(dst=DST["not_xdp"][i]),
                 "XR_PASS_EGRESS_NOT_XDP")
    f.passed("ipv4_directed_bcast", udp4(dst="10.0.1.255"),
             "XR_PASS_NOT_FWDED")
    # The subnet-router anycast address of a link (forwarding on).
    f.passed("ipv6_subnet_anycast", udp6(dst="fd00:1::"),
             "XR_PASS_NOT_FWDED")
    f.passed("ipv4_onlink_no_neigh", udp4(dst=ONLINK_NO_NEIGH[0]),
             "XR_PASS_NO_NEIGH")
    f.passed("ipv6_onlink_no_neigh", udp6(dst=ONLINK_NO_NEIGH[1]),
             "XR_PASS_NO_NEIGH")
    for fam, sized, i in (("ipv4", sized_udp4, 0), ("ipv6", sized_udp6, 1)):
        f.fwd(f"{fam}_route_mtu_locked_at",
              sized(ROUTE_MTU, dst=DST["mtu_locked"][i]))
        f.passed(f"{fam}_route_mtu_locked_over",
                 sized(ROUTE_MTU + 1, dst=DST["mtu_locked"][i]),
                 "XR_PASS_FRAG_NEEDED")
        f.fwd(f"{fam}_route_mtu_unlocked",
              sized(ROUTE_MTU + 100, dst=DST["mtu_route"][i]))
    f.fwd("ipv6_at_mtu6", sized_udp6(ECMP2_MTU6, dst=DST["mtu6"][1]),
          egress=ECMP2)
    f.passed("ipv6_over_mtu6",
             sized_udp6(ECMP2_MTU6 + 1, dst=DST["mtu6"][1]),
             "XR_PASS_FRAG_NEEDED")
    f.fwd("ipv4_over_mtu6", sized_udp4(ECMP2_MTU6 + 1, dst=DST["mtu6"][0]),
          egress=ECMP2)
    # One byte over the egress MTU; the kernel sends the ICMP error (DF)
    # or fragments (no DF).
    f.passed("ipv4_over_mtu_df",
             sized_udp4(SMALL_MTU + 1, dst=DST["small_mtu"][0]),
             "XR_PASS_FRAG_NEEDED")
    over = sized_udp4(SMALL_MTU + 1, dst=DST["small_mtu"][0])
    over[IP].flags = 0
    f.passed("ipv4_over_mtu_no_df", over, "XR_PASS_FRAG_NEEDED")
    f.passed("ipv6_over_mtu",
             sized_udp6(SMALL_MTU + 1, dst=DST["small_mtu"][1]),
             "XR_PASS_FRAG_NEEDED")
    nofwd = eth(dst=NOFWD.mac, src=NOFWD.peer_mac)
    f.passed("ipv4_ingress_forwarding_off",
             udp4(l2=nofwd, src=NOFWD.peer_v4), "XR_PASS_NOT_FWDED",
             ingress=NOFWD)



def from_link(link, fam="ipv4", **kw):
    """A UDP packet received on `link` (its host end's MACs)."""
    l2 = eth(dst=link.mac, src=link.peer_mac)
    return (udp4 if fam == "ipv4" else udp6)(l2=l2, **kw)


def source_cases(f):
    """The source check (kern/source_check.h): rp_filter, a local source,
    redirects. Every link's conf/all is 0: the interface's value decides
    (fixture_net.py). A failure the kernel decides alone (the XDP path
    cannot prove it) goes to it as XR_PASS_SOURCE."""
    no_route = "203.0.113.50"          # no route back (DST no_route's /24)
    other_link = WAN.peer_v4           # route back through WAN
    local = WAN.v4                     # one of the router's addresses
    for link, name in ((RPF_STRICT, "strict"), (RPF_LOOSE, "loose")):
        f.fwd(f"rpf_{name}_route_back_ingress",
              from_link(link, src=link.peer_v4), ingress=link)
        f.dropped(f"rpf_{name}_no_route_back",
                  from_link(link, src=no_route), "XR_DROP_RP_FILTER",
                  ingress=link)
        f.dropped(f"rpf_{name}_local_source",
                  from_link(link, src=local), "XR_DROP_RP_FILTER",
                  ingress=link)
    # Strict wants the route back through the ingress interface; loose
    # any. No route through it at all is proven in fib mode by an output
    # lookup through the ingress interface.
    f.dropped("rpf_strict_route_back_elsewhere",
              from_link(RPF_STRICT, src=other_link), "XR_DROP_RP_FILTER",
              ingress=RPF_STRICT)
    f.fwd("rpf_loose_route_back_elsewhere",
          from_link(RPF_LOOSE, src=other_link), ingress=RPF_LOOSE)
    # log_martians: the kernel logs the failure, so it gets the packet.
    f.passed("rpf_log_martians_no_route_back",
             from_link(RPF_LOG, src=no_route), "XR_PASS_SOURCE",
             ingress=RPF_LOG)
    f.fwd("rpf_log_martians_route_back",
          from_link(RPF_LOG, src=RPF_LOG.peer_v4), ingress=RPF_LOG)
    # IPv6 has no rp_filter: the kernel forwards whatever the source.
    f.fwd("rpf_strict_ipv6_no_route_back",
          from_link(RPF_STRICT, "ipv6", src="2001:db8:ffff::50"),
          ingress=RPF_STRICT)

    # rp_filter 0: only a local source fails (a martian); the XDP path
    # cannot tell one from a source with no route back in fib mode.
    f.passed("source_local_rpf_off", udp4(src=local), "XR_PASS_SOURCE")
    f.expect("fib", "source_no_route_back_rpf_off", "XDP_PASS",
             "XR_PASS_SOURCE",
             "bpf_fib_lookup() answers NOT_FWDED alike for a local source "
             "and one with no route back: the kernel decides")
    f.fwd("source_no_route_back_rpf_off", udp4(src=no_route))
    f.fwd("source_local_accept_local",
          from_link(ACCEPT_LOCAL, src=local), ingress=ACCEPT_LOCAL)

    # Out by the interface it came in on: IPv4 sends a redirect where
    # send_redirects is on, IPv6 always; without, it is forwarded.
    f.passed("hairpin_ipv4_redirects", udp4(src=DST["wan"][0], dst=HOST_V4),
             "XR_PASS_REDIRECT")
    f.passed("hairpin_ipv6", udp6(src=DST["wan"][1], dst=HOST_V6),
             "XR_PASS_REDIRECT")
    f.fwd("hairpin_ipv4_no_redirects",
          from_link(NO_REDIRECTS, src=DST["wan"][0], dst=NO_REDIRECTS.peer_v4),
          egress=NO_REDIRECTS, ingress=NO_REDIRECTS)


def jumbo_cases(f):
    """Multi-buffer frames (an MTU larger than a page): test_run puts what
    does not fit the first page into fragments, as a driver does. The
    headers are in the linear part; lengths, the trailer's trim and the
    counters must be the whole frame's."""
    l2 = eth(JUMBO_IN.mac, JUMBO_IN.peer_mac)
    for fam, build, i in (("ipv4", v4, 0), ("ipv6", v6, 1)):
        def sized(ip_len, dst=DST["jumbo"][i], build=build, i=i):
            kw = {"flags": "DF"} if i == 0 else {}
            pkt = build(dst=dst, src=(JUMBO_IN.peer_v4, JUMBO_IN.peer_v6)[i],
                        l2=l2, **kw) / UDP(sport=4242, dport=53)
            return pkt / Raw(jumbo_payload(ip_len - len(pkt) + ETH_LEN))

        f.fwd(f"{fam}_jumbo_{JUMBO_MTU}", sized(JUMBO_MTU), egress=JUMBO,
              ingress=JUMBO_IN)
        # The trailer is in the fragments: they shrink.
        f.fwd(f"{fam}_jumbo_trailer",
              padded(sized(JUMBO_MTU - 300), ETH_LEN + JUMBO_MTU),
              egress=JUMBO, ingress=JUMBO_IN)
        # Larger than the egress MTU (WAN's 1500): the kernel's ICMP.
        f.passed(f"{fam}_jumbo_over_mtu", sized(JUMBO_MTU, dst=DST["wan"][i]),
                 "XR_PASS_FRAG_NEEDED", ingress=JUMBO_IN)
        # The IP length says more than the frame, fragments included, has.
        f.dropped(f"{fam}_jumbo_truncated", bytes(sized(JUMBO_MTU))[:-1],
                  "XR_DROP_MALFORMED", ingress=JUMBO_IN)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()

    f = Fixtures()
    forwarding_cases(f)
    l2_cases(f)
    ipv4_header_cases(f)
    ipv6_header_cases(f)
    address_cases(f)
    route_cases(f)
    source_cases(f)
    jumbo_cases(f)
    # Last: they configure VIPs, which every case after them would see.
    lb_fixtures.cases(f)

    with open(args.output, "w") as out:
        out.write("# Generated by gen_fixtures.py; do not edit.\n")
        out.write("\n".join(topology(lb_fixtures.topology()) + BENCH +
                             f.lines) + "\n")
    print(f"{args.output}: {len(f.lines)} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
