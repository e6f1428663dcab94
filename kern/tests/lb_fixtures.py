# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Load balancer fixtures, written by gen_fixtures.py after the router's.

Directives the runner adds for them (fixture_lb.c):

    lb-vip ID ADDR tcp|udp PORT dsr|nat     VIP key/id/mode (xr_lb_conf too)
    lb-backend ID ADDR MAC PORT active|drain|down GEN
    lb-ring VIP_ID BACKEND_ID...            slot i holds the (i mod n)th id
    lb-age SECONDS SRC DST tcp|udp SPORT DPORT
                                            the flow's entry idled SECONDS
    lb-expect NAME VIP_ID FIELD,...|- BACKEND_ID
                                            during case NAME, these VIP
                                            counters move by one packet
                                            (rx, reply: and its bytes;
                                            conn_hit, conn_miss,
                                            no_backend) and backend
                                            BACKEND_ID (0: none) by one
                                            packet; nothing else does
    lb-bench-fresh NAME...                  --bench times NAME as a new
                                            flow every time

Cases run in file order and share the connection table: a case may rely
on the flows the cases before it created.

Expected frames are built independently of the data plane: DSR output is
the input with two MACs replaced; NAT output is built again by scapy with
the new addresses, ports and TTL, every checksum computed from scratch.
"""

import fixture_frames as g
from fixture_net import DST, JUMBO_MTU as JUMBO, LAN, WAN
from lb_model import (C4, C6, R4, R6, VIP_NET, Backend, BE, DSR4, NAT4_TCP,
                      NAT4_UDP, ALL4_UDP, DSR6, NAT6_TCP, NAT6_UDP, NONE4,
                      HASH4, CHANGE4, GEN4, STATE4, ALL6_UDP, VIPS,
                      maglev_backend, is6, ip, l4, frame, to_backend,
                      client_frame, nat_expected, zero_sum_data, reply_frame,
                      reply_expected)
from scapy.all import (Ether, ICMP, ICMPv6PacketTooBig, ICMPv6EchoRequest, IP,
                       IPOption_NOP, IPv6, IPv6ExtHdrDestOpt,
                       IPv6ExtHdrFragment, IPv6ExtHdrRouting, Raw, TCP)


# ---- cases ------------------------------------------------------------------

HIT, MISS = "conn_hit", "conn_miss"  # the LB counters of a flow's packet

class Lb:
    """Adds LB cases to the fixture list, with their counter expectations."""

    def __init__(self, f):
        self.f = f

    def line(self, text):
        self.f.lines.append(text)

    def expect(self, name, vip, fields, be):
        self.line(f"lb-expect {name} {vip.id} {','.join(fields) or '-'} "
                  f"{be.id if be else 0}")

    def tx(self, name, data, out, vip, be, fields):
        """Sent to backend `be` (XDP_TX)."""
        self.expect(name, vip, ["rx"] + fields, be)
        self.f.add(name, LAN, data, "XDP_TX", "XR_LB_TX", out)

    def dsr(self, name, data, vip, be, fields):
        self.tx(name, data, to_backend(data, be), vip, be, fields)

    def conn(self, name, vip, sport, flags, be, known, dport=None):
        """A client's TCP (flags) or UDP packet of a DSR VIP, sent to `be`;
        its flow `known` to the connection table (HIT) or not (MISS)."""
        data = client_frame(vip, sport, flags, dport=dport or vip.port)
        self.dsr(name, data, vip, be, [known])

    def nat(self, name, vip, be, sport, known, flags="S", **kw):
        """A client's packet of NAT VIP `vip` (`known` HIT or MISS),
        translated for backend `be`."""
        self.tx(name, client_frame(vip, sport, flags, **kw),
                nat_expected(vip, be, sport, flags, **kw), vip, be, [known])

    def nat_reply(self, name, vip, be, cport):
        """Backend `be`'s reply to client port `cport`: translated back,
        routed out WAN."""
        self.expect(name, vip, ["reply"], None)
        self.f.add(name, LAN, reply_frame(vip, be, cport), "XDP_REDIRECT",
                   "XR_REDIRECT", reply_expected(vip, cport))

    def routed(self, name, data, egress=WAN, vip=None, fields=()):
        if vip:
            self.expect(name, vip, list(fields), None)
        self.f.fwd(name, data, egress=egress)

    def passed(self, name, data, outcome):
        self.f.passed(name, data, outcome)

    def dropped(self, name, data, outcome, vip=None, fields=()):
        if vip:
            self.expect(name, vip, list(fields), None)
        self.f.dropped(name, data, outcome)


def topology():
    lines = [f"ip route add {VIP_NET[0]} via {WAN.peer_v4}",
             f"ip route add {VIP_NET[1]} via {WAN.peer_v6}"]
    return lines


def setup(lb):
    for be in BE.values():
        lb.line(be.line())
    for vip in VIPS:
        for text in vip.lines():
            lb.line(text)


def dsr_cases(lb):
    lb.dsr("lb_dsr_v4_syn", client_frame(DSR4, 40001), DSR4, BE[1],
           ["conn_miss"])
    lb.dsr("lb_dsr_v4_ack", client_frame(DSR4, 40001, "A"), DSR4, BE[1],
           ["conn_hit"])
    # A multi-buffer frame (jumbo MTU): the headers in the linear part.
    lb.dsr("lb_dsr_v4_jumbo",
           client_frame(DSR4, 40001, "PA", data=g.jumbo_payload(JUMBO - 40)),
           DSR4, BE[1], ["conn_hit"])
    # DSR is not an IP hop: the backend is the datagram's destination.
    lb.dsr("lb_dsr_v4_ttl_1", client_frame(DSR4, 40002, ttl=1), DSR4, BE[1],
           ["conn_miss"])
    lb.dsr("lb_dsr_v4_padded",
           bytes(g.padded(Ether(client_frame(DSR4, 40005)), 300)), DSR4,
           BE[1], ["conn_miss"])
    lb.dsr("lb_dsr_v4_ip_options",
           client_frame(DSR4, 40003, ipkw={"options": [IPOption_NOP()] * 4}),
           DSR4, BE[1], ["conn_miss"])
    lb.routed("lb_vip_v4_other_port", client_frame(DSR4, 40004, dport=81))
    lb.dsr("lb_all_ports_v4", client_frame(ALL4_UDP, 5000, dport=9999),
           ALL4_UDP, BE[1], ["conn_miss"])
    lb.dsr("lb_all_ports_v4_port_53", client_frame(ALL4_UDP, 5000, dport=53),
           ALL4_UDP, BE[1], ["conn_miss"])
    lb.routed("lb_all_ports_v4_other_proto",
              frame(C4, ALL4_UDP.addr, "tcp", 5000, 80))

    lb.dsr("lb_dsr_v6_syn", client_frame(DSR6, 40001), DSR6, BE[5],
           ["conn_miss"])
    lb.dsr("lb_dsr_v6_ack", client_frame(DSR6, 40001, "A"), DSR6, BE[5],
           ["conn_hit"])
    dstopts = bytes(g.eth() / IPv6(src=C6, dst=DSR6.addr) /
                    IPv6ExtHdrDestOpt() /
                    TCP(sport=40002, dport=443, flags="S"))
    lb.dsr("lb_dsr_v6_dest_options", dstopts, DSR6, BE[5], ["conn_miss"])
    # Segments left: the VIP is a waypoint, not the destination.
    waypoint = bytes(g.eth() / IPv6(src=C6, dst=DSR6.addr) /
                     IPv6ExtHdrRouting(addresses=["2001:db8:100::20"],
                                       segleft=1) /
                     TCP(sport=40003, dport=443, flags="S"))
    lb.routed("lb_vip_v6_routing_header", waypoint)
    lb.dsr("lb_all_ports_v6", client_frame(ALL6_UDP, 5000, dport=7777),
           ALL6_UDP, BE[5], ["conn_miss"])


def nat_cases(lb):
    be = BE[3]
    lb.nat("lb_nat_v4_tcp_syn", NAT4_TCP, be, 40010, MISS)
    lb.nat_reply("lb_nat_v4_tcp_reply", NAT4_TCP, be, 40010)
    lb.nat("lb_nat_v4_tcp_ack", NAT4_TCP, be, 40010, HIT, "A")
    # Multi-buffer: the checksum's incremental update covers a payload
    # mostly in fragments; the expected frame's is computed from scratch.
    lb.nat("lb_nat_v4_tcp_jumbo", NAT4_TCP, be, 40010, HIT, "PA",
           data=g.jumbo_payload(JUMBO - 40))
    # A reply with no hop left is the kernel's, untranslated: its time
    # exceeded goes to the backend about the packet the backend sent (as
    # with Linux's DNAT, translated back after ip_forward()'s TTL check).
    lb.expect("lb_nat_v4_tcp_reply_ttl_1", NAT4_TCP, [], None)
    lb.passed("lb_nat_v4_tcp_reply_ttl_1",
              reply_frame(NAT4_TCP, be, 40010, ttl=1), "XR_PASS_TTL_EXPIRED")
    # Padding: to the backend as it came (it leaves on the link it came
    # in on; the backend's stack trims it); routed replies lose it.
    padded_syn = g.padded(Ether(client_frame(NAT4_TCP, 40013)), 200)
    lb.tx("lb_nat_v4_tcp_padded", padded_syn,
          nat_expected(NAT4_TCP, be, 40013) + bytes(padded_syn)[
              len(client_frame(NAT4_TCP, 40013)):],
          NAT4_TCP, be, ["conn_miss"])
    lb.expect("lb_nat_v4_tcp_reply_padded", NAT4_TCP, ["reply"], None)
    lb.f.add("lb_nat_v4_tcp_reply_padded", LAN,
             g.padded(Ether(reply_frame(NAT4_TCP, be, 40013)), 200),
             "XDP_REDIRECT", "XR_REDIRECT", reply_expected(NAT4_TCP, 40013))
    # A reply nobody asked for is routed as it is.
    lb.routed("lb_nat_v4_reply_unknown", reply_frame(NAT4_TCP, be, 49999))
    lb.passed("lb_nat_v4_ttl_1", client_frame(NAT4_TCP, 40011, ttl=1),
              "XR_PASS_TTL_EXPIRED")
    opts = {"options": [IPOption_NOP()] * 4}
    lb.nat("lb_nat_v4_ip_options", NAT4_TCP, be, 40012, MISS, ipkw=opts)

    be = BE[4]
    lb.nat("lb_nat_v4_udp", NAT4_UDP, be, 5353, MISS)
    lb.nat_reply("lb_nat_v4_udp_reply", NAT4_UDP, be, 5353)
    # No checksum (IPv4 allows it): none after NAT either.
    zero = {"chksum": 0}
    lb.nat("lb_nat_v4_udp_no_csum", NAT4_UDP, be, 5354, MISS, l4kw=zero)

    # The client's checksum is fine; the backend's computes to 0: 0xffff.
    data = zero_sum_data(be.addr, 5355, 53)
    out = nat_expected(NAT4_UDP, be, 5355, data=data)
    assert out[-4:-2] == b"\xff\xff", "zero_sum_data() missed"
    lb.tx("lb_nat_v4_udp_csum_ffff", client_frame(NAT4_UDP, 5355, data=data),
          out, NAT4_UDP, be, ["conn_miss"])
    # The reply entry lives as long as the client's: a client keeps a
    # flow alive for its replies too (and the other way round).
    fwd = f"{C4} {NAT4_UDP.addr} udp 5353 53"
    rep = f"{be.addr} {C4} udp 53 5353"
    lb.line(f"lb-age 299 {fwd}")
    lb.line(f"lb-age 299 {rep}")
    lb.nat("lb_nat_v4_udp_keepalive", NAT4_UDP, be, 5353, HIT)
    lb.line(f"lb-age 2 {rep}")
    lb.nat_reply("lb_nat_v4_udp_reply_kept", NAT4_UDP, be, 5353)

    be = BE[6]
    lb.nat("lb_nat_v6_tcp_syn", NAT6_TCP, be, 40010, MISS)
    lb.nat_reply("lb_nat_v6_tcp_reply", NAT6_TCP, be, 40010)
    lb.expect("lb_nat_v6_tcp_reply_hop_limit_1", NAT6_TCP, [], None)
    lb.passed("lb_nat_v6_tcp_reply_hop_limit_1",
              reply_frame(NAT6_TCP, be, 40010, ttl=1), "XR_PASS_TTL_EXPIRED")
    be = BE[7]
    lb.nat("lb_nat_v6_udp", NAT6_UDP, be, 5353, MISS)
    lb.nat_reply("lb_nat_v6_udp_reply", NAT6_UDP, be, 5353)
    lb.nat("lb_nat_v6_udp_jumbo", NAT6_UDP, be, 5353, HIT,
           data=g.jumbo_payload(JUMBO - 48))
    data = zero_sum_data(be.addr, 5355, 53)
    out = nat_expected(NAT6_UDP, be, 5355, data=data)
    assert out[-4:-2] == b"\xff\xff", "zero_sum_data() missed"
    lb.tx("lb_nat_v6_udp_csum_ffff", client_frame(NAT6_UDP, 5355, data=data),
          out, NAT6_UDP, be, ["conn_miss"])
    # IPv6 UDP must carry a checksum; NAT would have to invent one.
    lb.dropped("lb_nat_v6_udp_no_csum",
               client_frame(NAT6_UDP, 5354, l4kw={"chksum": 0}),
               "XR_DROP_MALFORMED")


def backend_choice_cases(lb):
    lb.dropped("lb_no_backend", client_frame(NONE4, 40020),
               "XR_DROP_LB_NO_BACKEND", NONE4, ["conn_miss", "no_backend"])

    # Maglev: each flow takes the ring slot of the documented hash.
    seen = set()
    for sport in range(50000, 50008):
        be = maglev_backend(HASH4, C4, sport)
        seen.add(be.id)
        lb.conn(f"lb_maglev_{sport}", HASH4, sport, "S", be, MISS)
    assert len(seen) > 1, "the Maglev flows all hash to one backend"

    # The ring changes; an established flow keeps its backend.
    lb.conn("lb_conn_first", CHANGE4, 41000, "S", BE[1], MISS)
    lb.line(f"lb-ring {CHANGE4.id} 2")
    lb.conn("lb_conn_kept_after_ring_change", CHANGE4, 41000, "A", BE[1], HIT)
    lb.conn("lb_conn_new_flow_new_ring", CHANGE4, 41001, "S", BE[2], MISS)

    # The id is given to another backend (gen bumped): the flow re-picks.
    lb.conn("lb_gen_first", GEN4, 42000, "S", BE[20], MISS)
    lb.line(f"lb-ring {GEN4.id} 21")
    reused = Backend(20, "10.0.0.49", gen=2)
    reused.mac = "02:00:00:00:0b:49"
    lb.line(reused.line())
    lb.conn("lb_gen_changed_repick", GEN4, 42000, "A", BE[21], MISS)

    # Drain keeps established flows; down re-balances them.
    lb.conn("lb_state_first_a", STATE4, 43000, "S", BE[22], MISS)
    lb.conn("lb_state_first_b", STATE4, 43001, "S", BE[22], MISS)
    lb.line(f"lb-ring {STATE4.id} 23")
    drained = Backend(22, BE[22].addr, state="drain")
    lb.line(drained.line())
    lb.conn("lb_drain_kept", STATE4, 43000, "A", BE[22], HIT)
    down = Backend(22, BE[22].addr, state="down")
    lb.line(down.line())
    lb.conn("lb_down_repick", STATE4, 43001, "A", BE[23], MISS)

    # RST ends the flow: its next packet is a new flow (ring now B1).
    lb.conn("lb_rst_first", CHANGE4, 44000, "S", BE[2], MISS)
    lb.line(f"lb-ring {CHANGE4.id} 1")
    lb.conn("lb_rst_hit", CHANGE4, 44000, "R", BE[2], HIT)
    lb.conn("lb_rst_deleted", CHANGE4, 44000, "A", BE[1], MISS)

    # Timeouts: FIN makes the entry's idle timeout short (10 s), an
    # established TCP flow keeps it for 900 s, UDP for 300 s.
    lb.conn("lb_fin_first", CHANGE4, 45000, "S", BE[1], MISS)
    lb.conn("lb_idle_first", CHANGE4, 45001, "S", BE[1], MISS)
    lb.line(f"lb-ring {CHANGE4.id} 2")
    lb.conn("lb_fin_hit", CHANGE4, 45000, "FA", BE[1], HIT)
    for sport in (45000, 45001):
        lb.line(f"lb-age 11 {C4} {CHANGE4.addr} tcp {sport} 80")
    lb.conn("lb_fin_closing_expired", CHANGE4, 45000, "A", BE[2], MISS)
    lb.conn("lb_idle_tcp_kept", CHANGE4, 45001, "A", BE[1], HIT)
    lb.line(f"lb-age 901 {C4} {CHANGE4.addr} tcp 45001 80")
    lb.conn("lb_idle_tcp_expired", CHANGE4, 45001, "A", BE[2], MISS)


def udp_timeout_cases(lb):
    lb.conn("lb_udp_first", ALL4_UDP, 6000, "S", BE[1], MISS, dport=6000)
    lb.line(f"lb-ring {ALL4_UDP.id} 2")
    lb.line(f"lb-age 299 {C4} {ALL4_UDP.addr} udp 6000 6000")
    lb.conn("lb_idle_udp_kept", ALL4_UDP, 6000, "S", BE[1], HIT, dport=6000)
    lb.line(f"lb-age 301 {C4} {ALL4_UDP.addr} udp 6000 6000")
    lb.conn("lb_idle_udp_expired", ALL4_UDP, 6000, "S", BE[2], MISS,
            dport=6000)
    lb.line(f"lb-ring {ALL4_UDP.id} 1")


def quote(vip_addr, client, proto, vport, cport, inner_src=None):
    """What a router quotes of a reply it could not forward: its IP header
    and the first 8 bytes of its transport header."""
    inner = ip(inner_src or vip_addr, client, 60) / l4(proto, vport, cport,
                                                       "A") / Raw(b"x" * 1400)
    hl = 40 if is6(client) else 20
    return bytes(inner)[:hl + 8]


def ptb(vip_addr, quoted, dst=None, ttl=64):
    if is6(vip_addr):
        return bytes(g.eth() / IPv6(src=R6, dst=dst or vip_addr, hlim=ttl) /
                     ICMPv6PacketTooBig(mtu=1280) / Raw(quoted))
    return bytes(g.eth() / IP(src=R4, dst=dst or vip_addr, ttl=ttl) /
                 ICMP(type=3, code=4, nexthopmtu=1400) / Raw(quoted))


def icmp_cases(lb):
    # The flow of lb_conn_first is pinned to B1; the ring says B2 now.
    lb.dsr("lb_icmp_ptb_v4_dsr_conn",
           ptb(CHANGE4.addr, quote(CHANGE4.addr, C4, "tcp", 80, 41000)),
           CHANGE4, BE[1], ["conn_hit"])
    # A flow the table does not know: Maglev's backend for it.
    be = maglev_backend(HASH4, C4, 51000)
    lb.dsr("lb_icmp_ptb_v4_dsr_maglev",
           ptb(HASH4.addr, quote(HASH4.addr, C4, "tcp", 80, 51000)),
           HASH4, be, ["conn_miss"])
    lb.dsr("lb_icmp_ptb_v6_dsr_conn",
           ptb(DSR6.addr, quote(DSR6.addr, C6, "tcp", 443, 40001)),
           DSR6, BE[5], ["conn_hit"])
    # NAT: to the backend, about the packet it sent (its address, port).
    for vip, be in ((NAT4_TCP, BE[3]), (NAT6_TCP, BE[6])):
        client = C6 if is6(vip.addr) else C4
        fam = "v6" if is6(vip.addr) else "v4"
        sent = quote(be.addr, client, "tcp", be.port, 40010)
        lb.tx(f"lb_icmp_ptb_{fam}_nat",
              ptb(vip.addr, quote(vip.addr, client, "tcp", 80, 40010)),
              to_backend(ptb(vip.addr, sent, dst=be.addr, ttl=63), be),
              vip, be, ["conn_hit"])
    # Not about a packet the VIP sent: routed.
    lb.routed("lb_icmp_ptb_not_from_vip",
              ptb(DSR4.addr, quote(DSR4.addr, C4, "tcp", 80, 40001,
                                   inner_src="192.0.2.99")))
    lb.routed("lb_icmp_echo_to_vip",
              g.eth() / IP(src=C4, dst=DSR4.addr) / ICMP(id=1, seq=1))
    lb.routed("lb_icmpv6_echo_to_vip",
              g.eth() / IPv6(src=C6, dst=DSR6.addr) / ICMPv6EchoRequest())
    lb.routed("lb_icmp_ptb_quote_truncated",
              ptb(DSR4.addr, quote(DSR4.addr, C4, "tcp", 80, 40001)[:22]))


def datagram(src, dst, proto, sport, dport, size=48):
    """A transport header and payload whose checksum covers all of it."""
    pkt = ip(src, dst) / l4(proto, sport, dport) / Raw(b"f" * size)
    hl = 40 if is6(dst) else 20
    return bytes(pkt)[hl:]


def fragments(src, dst, proto, data, ident, ttl=64, l2_src=None):
    """`data` in two fragments: 16 bytes, then the rest."""
    eth = g.eth(src=l2_src or LAN.peer_mac)
    num = {"tcp": 6, "udp": 17}[proto]
    if is6(dst):
        return [bytes(eth / IPv6(src=src, dst=dst, hlim=ttl) /
                      IPv6ExtHdrFragment(nh=num, offset=0, m=1, id=ident) /
                      Raw(data[:16])),
                bytes(eth / IPv6(src=src, dst=dst, hlim=ttl) /
                      IPv6ExtHdrFragment(nh=num, offset=2, m=0, id=ident) /
                      Raw(data[16:]))]
    return [bytes(eth / IP(src=src, dst=dst, ttl=ttl, id=ident, flags="MF",
                           proto=num) / Raw(data[:16])),
            bytes(eth / IP(src=src, dst=dst, ttl=ttl, id=ident, frag=2,
                           proto=num) / Raw(data[16:]))]


def fragment_cases(lb):
    vip = ALL4_UDP
    first, later = fragments(C4, vip.addr, "udp",
                             datagram(C4, vip.addr, "udp", 7000, 7000), 777)
    lb.dsr("lb_frag_v4_first", first, vip, BE[1], ["conn_miss"])
    lb.dsr("lb_frag_v4_later", later, vip, BE[1], [])
    # Its first fragment never came: an all-ports VIP's, so dropped.
    _, orphan = fragments(C4, vip.addr, "udp",
                          datagram(C4, vip.addr, "udp", 7000, 7000), 778)
    lb.dropped("lb_frag_v4_later_unknown", orphan, "XR_DROP_LB_FRAG")
    _, routed = fragments(C4, DST["wan"][0], "udp",
                          datagram(C4, DST["wan"][0], "udp", 7000, 7000),
                          779)
    lb.routed("lb_frag_v4_later_not_vip", routed)

    vip = ALL6_UDP
    first, later = fragments(C6, vip.addr, "udp",
                             datagram(C6, vip.addr, "udp", 7000, 7000),
                             0x10000777)
    lb.dsr("lb_frag_v6_first", first, vip, BE[5], ["conn_miss"])
    lb.dsr("lb_frag_v6_later", later, vip, BE[5], [])

    # NAT: the first fragment's UDP checksum covers the whole datagram;
    # later fragments only get the new address.
    vip, be = NAT4_UDP, BE[4]
    first, later = fragments(C4, vip.addr, "udp",
                             datagram(C4, vip.addr, "udp", 5400, 53), 780)
    nfirst, nlater = fragments(C4, be.addr, "udp",
                               datagram(C4, be.addr, "udp", 5400, 53), 780,
                               ttl=63)
    lb.tx("lb_frag_v4_nat_first", first, to_backend(nfirst, be), vip, be,
          ["conn_miss"])
    lb.tx("lb_frag_v4_nat_later", later, to_backend(nlater, be), vip, be, [])
    # The backend's fragmented reply gets the VIP back, every fragment.
    rfirst, rlater = fragments(be.addr, C4, "udp",
                               datagram(be.addr, C4, "udp", 53, 5400), 781,
                               l2_src=be.mac)
    xfirst, xlater = fragments(vip.addr, C4, "udp",
                               datagram(vip.addr, C4, "udp", 53, 5400), 781)
    for name, data, out in (("lb_frag_v4_nat_reply_first", rfirst, xfirst),
                            ("lb_frag_v4_nat_reply_later", rlater, xlater)):
        lb.expect(name, vip, ["reply"], None)
        lb.f.add(name, LAN, data, "XDP_REDIRECT", "XR_REDIRECT",
                 g.forwarded(out, WAN))


def malformed_cases(lb):
    # A TCP header cut short is not matched: routed, as the kernel would.
    short = bytes(g.eth() / IP(src=C4, dst=DSR4.addr, proto=6) /
                  Raw(TCP(sport=40030, dport=80, flags="S").build()[:12]))
    lb.routed("lb_malformed_tcp_truncated", short)
    lb.dropped("lb_malformed_ip_len_gt_frame",
               g.patched(client_frame(DSR4, 40031), g.ETH_LEN + 2,
                         b"\x0f\xff"), "XR_DROP_MALFORMED")
    # A first fragment too short for the TCP header.
    tiny = bytes(g.eth() / IP(src=C4, dst=DSR4.addr, flags="MF", proto=6,
                              id=900) /
                 Raw(TCP(sport=40032, dport=80).build()[:8]))
    lb.routed("lb_malformed_tiny_first_fragment", tiny)
    lb.routed("lb_malformed_udp_truncated",
              bytes(g.eth() / IP(src=C4, dst=ALL4_UDP.addr, proto=17) /
                    Raw(b"\x13\x88\x1b")))


def routed_cases(lb):
    lb.routed("lb_configured_ipv4_udp", g.udp4())
    lb.routed("lb_configured_ipv6_udp", g.udp6())
    lb.routed("lb_configured_ipv4_tcp",
              g.v4() / TCP(sport=40000, dport=443, flags="S"))


def cases(f):
    lb = Lb(f)
    setup(lb)
    dsr_cases(lb)
    nat_cases(lb)
    backend_choice_cases(lb)
    udp_timeout_cases(lb)
    icmp_cases(lb)
    fragment_cases(lb)
    malformed_cases(lb)
    routed_cases(lb)
    lb.line("lb-bench-fresh lb_dsr_v4_syn lb_nat_v4_tcp_syn lb_dsr_v6_syn")
