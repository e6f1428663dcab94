#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Write the firewall gate's fixtures (kern/firewall.h) for fixture_fw.

The gate forwards a flow's packets only once the KERNEL has forwarded the
flow, so these fixtures let the kernel do it: in the runner's private
namespace, real veths and a real nftables ruleset (stateful filter,
masquerade, a DNAT port forward, NAT66), the recorder (fw_record.bpf.o) on
TC egress, and real frames sent from the far veth ends (AF_PACKET, in a
second namespace, "hosts") through kernel forwarding in both directions.
Then fixture frames of those flows go through BPF_PROG_TEST_RUN and must
come out exactly as expected: NAT addresses and ports, TTL - 1, every
checksum computed here from scratch (not incrementally). Each expected
forwarded frame is also sent through the kernel: what XDP emits must be
what the kernel emits, byte for byte. Passes leave the frame unchanged.

Directives, on top of gen_fixtures.py's (ip, sysctl, attach, case):

    host ARGS...              run `ip ARGS...` in the hosts namespace
    ip ... @HOSTS ...         @HOSTS: the hosts namespace (as a netns path)
    nft COMMAND...            run nft with the rest of the line
    conntrack ARGS...         run conntrack (-F: flush)
    fw-load MODE              (re)load the data plane with xr_fw_mode MODE
                              (auto, conntrack, off), attach again what
                              was attached, recorder included
    fw-recorder IFNAME...     the recorder on these interfaces' egress
    flow NAME FAMILY PROTO SRC SPORT DST DPORT
                              a flow, by conntrack's original tuple
    kernel FLOW DIR IN OUT IN_HEX OUT_HEX
                              IN_HEX sent from the far end of router link
                              IN must leave link OUT's far end as OUT_HEX
                              (a test of its own); kept as the flow's
                              packet of direction DIR (orig, reply)
    kernel-drop NAME IN OUT IN_HEX
                              IN_HEX sent the same way must not come out
                              of OUT's far end: checked once the next
                              kernel line's frame (sent after it, from the
                              same CPU's backlog) has come out
    fw-settle FLOW            wait until the recorder's proof holds for
                              both directions (resending the kept packets
                              once the settle time since the last ruleset
                              change has passed); a test of its own

Runs with Debian's python3-scapy: /usr/bin/python3 fw_fixtures.py -o FILE
"""
import argparse
import ipaddress
import sys

from scapy.all import ICMP, IP, IPv6, TCP, UDP, Ether, Raw

from fixture_frames import ETH_LEN, Fixtures, forwarded, mac_bytes
from fixture_net import Link

LAN = Link(0)       # clients 10.0.0.2, fd00::2; the DNAT server 10.0.0.3
WAN = Link(1)       # masquerade out of here; the internet behind 10.0.1.2
DMZ = Link(2)       # routed, not NATed
LINKS = [LAN, WAN, DMZ]

CLIENT4, CLIENT6 = LAN.peer_v4, LAN.peer_v6
SERVER4 = "10.0.0.3"                    # the DNAT target, on the LAN
SERVER_MAC = "02:00:00:00:00:03"
NET4, NET6 = "198.51.100.0/24", "2001:db8:100::/48"
REMOTE4, REMOTE6 = "198.51.100.10", "2001:db8:100::10"
OUTSIDER4 = "198.51.100.20"             # uses the port forward
DNAT_PORT, DNAT_TO_PORT = 8080, 80

FILTER = ("add table inet t { chain f { type filter hook forward priority 0; "
          "policy drop; ct state established,related accept; "
          "ct state invalid drop; tcp dport 80 accept; udp dport 53 accept; "
          "}; }")
NAT4 = ("add table ip n { "
        "chain pre { type nat hook prerouting priority -100; policy accept; "
        f"iifname \"{WAN.name}\" tcp dport {DNAT_PORT} "
        f"dnat to {SERVER4}:{DNAT_TO_PORT}; }}; "
        "chain post { type nat hook postrouting priority 100; "
        f"policy accept; oifname \"{WAN.name}\" masquerade; }}; }}")
NAT6 = ("add table ip6 n6 { chain post { type nat hook postrouting "
        f"priority 100; policy accept; oifname \"{WAN.name}\" masquerade; "
        "}; }")


# ---- checksums, from scratch -------------------------------------------

def csum(data):
    """The Internet checksum of `data` (RFC 1071), as a full sum."""
    if len(data) % 2:
        data += b"\0"
    s = sum(int.from_bytes(data[i:i + 2], "big")
            for i in range(0, len(data), 2))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def l4_csum(frame, v6, proto, l4, end):
    """The TCP/UDP checksum of the frame's transport segment, computed
    over the pseudo-header and the whole segment (its field as zero)."""
    seg = bytearray(frame[l4:end])
    off = 16 if proto == 6 else 6
    seg[off:off + 2] = b"\0\0"
    if v6:
        pseudo = (frame[ETH_LEN + 8:ETH_LEN + 40] +
                  len(seg).to_bytes(4, "big") + bytes([0, 0, 0, proto]))
    else:
        pseudo = (frame[ETH_LEN + 12:ETH_LEN + 20] + bytes([0, proto]) +
                  len(seg).to_bytes(2, "big"))
    c = csum(pseudo + bytes(seg))
    if proto == 17 and c == 0:
        c = 0xffff                      # RFC 768: 0 means "none"
    return c


def layout(frame):
    """(v6, proto, l4 offset, IP end) of a plain TCP/UDP frame."""
    v6 = frame[12:14] == b"\x86\xdd"
    if v6:
        return (True, frame[ETH_LEN + 6], ETH_LEN + 40,
                ETH_LEN + 40 + int.from_bytes(frame[ETH_LEN + 4:
                                                    ETH_LEN + 6], "big"))
    ihl = (frame[ETH_LEN] & 15) * 4
    return (False, frame[ETH_LEN + 9], ETH_LEN + ihl,
            ETH_LEN + int.from_bytes(frame[ETH_LEN + 2:ETH_LEN + 4], "big"))


def nat(frame, src=None, sport=None, dst=None, dport=None):
    """`frame` translated as NAT does: addresses and ports replaced, the
    IPv4 header and transport checksums computed again from scratch (an
    IPv4 UDP checksum of 0, "none", stays 0)."""
    out = bytearray(frame)
    v6, proto, l4, end = layout(out)
    alen = 16 if v6 else 4
    a0 = ETH_LEN + (8 if v6 else 12)
    for i, addr in ((0, src), (1, dst)):
        if addr is not None:
            out[a0 + i * alen:a0 + (i + 1) * alen] = \
                ipaddress.ip_address(addr).packed
    for i, port in ((0, sport), (1, dport)):
        if port is not None:
            out[l4 + 2 * i:l4 + 2 * i + 2] = port.to_bytes(2, "big")
    if not v6:
        ihl = (out[ETH_LEN] & 15) * 4
        out[ETH_LEN + 10:ETH_LEN + 12] = b"\0\0"
        out[ETH_LEN + 10:ETH_LEN + 12] = csum(
            bytes(out[ETH_LEN:ETH_LEN + ihl])).to_bytes(2, "big")
    off = l4 + (16 if proto == 6 else 6)
    if not (proto == 17 and not v6 and out[off:off + 2] == b"\0\0"):
        out[off:off + 2] = l4_csum(bytes(out), v6, proto, l4,
                                   end).to_bytes(2, "big")
    return bytes(out)


def l4_csum_of(frame):
    v6, proto, l4, _ = layout(frame)
    off = l4 + (16 if proto == 6 else 6)
    return int.from_bytes(frame[off:off + 2], "big")


# ---- frames ---------------------------------------------------------------

def to_router(link):
    return Ether(dst=link.mac, src=link.peer_mac)


def frame4(link, src, dst, l4, **ip):
    return bytes(to_router(link) / IP(src=src, dst=dst, **ip) / l4)


def frame6(link, src, dst, l4, **ip):
    return bytes(to_router(link) / IPv6(src=src, dst=dst, **ip) / l4)


class Flow:
    """A flow through the router: its frames in each direction, and what
    the kernel (and so XDP) makes of them."""

    def __init__(self, name, v6, proto, client, sport, server, dport,
                 ingress, egress, orig_nat=None, reply_nat=None,
                 egress_mac=None):
        self.name, self.v6, self.proto = name, v6, proto
        self.client, self.sport = client, sport
        self.server, self.dport = server, dport
        self.ingress, self.egress = ingress, egress
        # The translations of each direction: dicts of nat() arguments.
        self.orig_nat = orig_nat or {}
        self.reply_nat = reply_nat or {}
        # Where the reply comes from: the orig packet's translated dst.
        self.r_src = self.orig_nat.get("dst", server)
        self.r_sport = self.orig_nat.get("dport", dport)
        self.r_dst = self.orig_nat.get("src", client)
        self.r_dport = self.orig_nat.get("sport", sport)
        self.egress_mac = egress_mac

    def frame(self, link, src, dst, sport, dport, seq, ack, payload=b"",
              ttl=64, flags="A"):
        if self.proto == "tcp":
            l4 = TCP(sport=sport, dport=dport, flags=flags, seq=seq,
                     ack=ack, window=65535) / Raw(payload)
        else:
            l4 = UDP(sport=sport, dport=dport) / Raw(payload)
        if self.v6:
            return frame6(link, src, dst, l4, hlim=ttl)
        return frame4(link, src, dst, l4, ttl=ttl)

    def orig(self, **kw):
        return self.frame(self.ingress, self.client, self.server,
                          self.sport, self.dport, 1001, 5001, **kw)

    def reply(self, **kw):
        return self.frame(self.egress, self.r_src, self.r_dst, self.r_sport,
                          self.r_dport, 5001, 1001, **kw)

    def out_orig(self, frame):
        out = forwarded(nat(frame, **self.orig_nat) if self.orig_nat
                        else frame, self.egress)
        if self.egress_mac:
            out = mac_bytes(self.egress_mac) + out[6:]
        return out

    def out_reply(self, frame):
        return forwarded(nat(frame, **self.reply_nat) if self.reply_nat
                         else frame, self.ingress)

    def key_line(self):
        fam = "ipv6" if self.v6 else "ipv4"
        return (f"flow {self.name} {fam} {self.proto} {self.client} "
                f"{self.sport} {self.server} {self.dport}")


MASQ_TCP = Flow("masq_tcp", False, "tcp", CLIENT4, 40000, REMOTE4, 80,
                LAN, WAN, orig_nat={"src": WAN.v4},
                reply_nat={"dst": CLIENT4})
MASQ_UDP = Flow("masq_udp", False, "udp", CLIENT4, 40001, REMOTE4, 53,
                LAN, WAN, orig_nat={"src": WAN.v4},
                reply_nat={"dst": CLIENT4})
DNAT_TCP = Flow("dnat_tcp", False, "tcp", OUTSIDER4, 50000, WAN.v4,
                DNAT_PORT, WAN, LAN,
                orig_nat={"dst": SERVER4, "dport": DNAT_TO_PORT},
                reply_nat={"src": WAN.v4, "sport": DNAT_PORT},
                egress_mac=SERVER_MAC)
PLAIN_UDP = Flow("plain_udp", False, "udp", CLIENT4, 40002, DMZ.peer_v4, 53,
                 LAN, DMZ)
MASQ6_TCP = Flow("masq6_tcp", True, "tcp", CLIENT6, 40003, REMOTE6, 80,
                 LAN, WAN, orig_nat={"src": WAN.v6},
                 reply_nat={"dst": CLIENT6})
MASQ6_UDP = Flow("masq6_udp", True, "udp", CLIENT6, 40004, REMOTE6, 53,
                 LAN, WAN, orig_nat={"src": WAN.v6},
                 reply_nat={"dst": CLIENT6})
FLOWS = [MASQ_TCP, MASQ_UDP, DNAT_TCP, PLAIN_UDP, MASQ6_TCP, MASQ6_UDP]


def udp_to_ffff(flow):
    """An orig frame of UDP flow `flow` whose checksum after NAT sums to
    zero: the kernel sends 0xffff (CSUM_MANGLED_0), not 0."""
    out = nat(flow.orig(payload=b"zero\0\0"), **flow.orig_nat)
    v6, _, l4, end = layout(out)
    # The translated segment's sum, its last payload word 0; that word
    # then tops it up to 0xffff, whose checksum ~0xffff is 0.
    c = l4_csum(out, v6, 17, l4, end)
    total = 0xffff if c == 0xffff else ~c & 0xffff  # 0xffff: c was 0
    word = 0xffff - total
    frame = flow.orig(payload=b"zero" + word.to_bytes(2, "big"))
    assert l4_csum_of(nat(frame, **flow.orig_nat)) == 0xffff, \
        hex(l4_csum_of(nat(frame, **flow.orig_nat)))
    assert l4_csum_of(frame) not in (0, 0xffff)
    return frame


def with_udp_csum0(frame):
    """The frame with its UDP checksum field 0 (IPv4: none)."""
    out = bytearray(frame)
    _, _, l4, _ = layout(out)
    out[l4 + 6:l4 + 8] = b"\0\0"
    return bytes(out)


# ---- the file -------------------------------------------------------------

def ingress_of(frame):
    """The router end a frame is addressed to."""
    return next(link for link in LINKS if mac_bytes(link.mac) == frame[:6])


class FwFixtures(Fixtures):
    def passed(self, name, frame, outcome, ingress=None):
        self.add(name, ingress or ingress_of(frame), frame, "XDP_PASS",
                 outcome)

    def line(self, text):
        self.lines.append(text)

    def kernel(self, flow, direction, frame, out=None):
        """Through the kernel: the frame must come out as `out` (the
        flow's translation by default)."""
        if direction == "orig":
            src, dst = flow.ingress, flow.egress
            out = out or flow.out_orig(frame)
        else:
            src, dst = flow.egress, flow.ingress
            out = out or flow.out_reply(frame)
        self.line(f"kernel {flow.name} {direction} {src.name} {dst.name} "
                  f"{frame.hex()} {out.hex()}")

    def handshake(self, flow):
        """The kernel forwards the flow both ways: TCP's handshake and a
        segment each way, UDP a datagram out, the answer, one more out."""
        self.line(flow.key_line())
        if flow.proto == "tcp":
            self.kernel(flow, "orig", flow.orig(flags="S"))
            self.kernel(flow, "reply", flow.reply(flags="SA"))
            self.kernel(flow, "orig", flow.orig())
            self.kernel(flow, "reply", flow.reply(payload=b"hello"))
            self.kernel(flow, "orig", flow.orig(payload=b"thanks"))
        else:
            self.kernel(flow, "orig", flow.orig(payload=b"query"))
            self.kernel(flow, "reply", flow.reply(payload=b"answer"))
            self.kernel(flow, "orig", flow.orig(payload=b"again"))
        self.line(f"fw-settle {flow.name}")

    def fast(self, name, flow, direction, frame, both=True):
        """XDP forwards it as the kernel does; then the kernel too."""
        if direction == "orig":
            out, ingress = flow.out_orig(frame), flow.ingress
            translated = bool(flow.orig_nat)
        else:
            out, ingress = flow.out_reply(frame), flow.egress
            translated = bool(flow.reply_nat)
        outcome = "XR_REDIRECT_NAT" if translated else "XR_REDIRECT_FW"
        self.add(name, ingress, frame, "XDP_REDIRECT", outcome, out)
        if both:
            self.kernel(flow, direction, frame, out)


def topology(f):
    for link in LINKS:
        f.line(f"ip link add {link.name} address {link.mac} type veth peer "
               f"name {link.peer} address {link.peer_mac} netns @HOSTS")
        f.line(f"host link set {link.peer} up")
        f.line(f"ip link set {link.name} up")
        f.line(f"ip addr add {link.v4}/24 dev {link.name}")
        f.line(f"ip addr add {link.v6}/64 dev {link.name} nodad")
        for addr in (link.peer_v4, link.peer_v6):
            f.line(f"ip neigh add {addr} lladdr {link.peer_mac} "
                   f"dev {link.name} nud permanent")
    f.line(f"ip neigh add {SERVER4} lladdr {SERVER_MAC} dev {LAN.name} "
           "nud permanent")
    f.line(f"ip route add {NET4} via {WAN.peer_v4}")
    f.line(f"ip route add {NET6} via {WAN.peer_v6}")
    # The hosts namespace only listens (AF_PACKET): no addresses, no
    # forwarding, no IPv6, so it never answers (a RST would end a flow).
    for link in LINKS:
        f.line(f"host link set {link.peer} arp off")
    f.line("sysctl net/ipv4/ip_forward 1")
    f.line("sysctl net/ipv6/conf/all/forwarding 1")
    f.line("sysctl net/ipv4/conf/all/rp_filter 0")
    f.line("sysctl net/ipv4/conf/default/rp_filter 0")
    for link in LINKS:
        f.line(f"sysctl net/ipv4/conf/{link.name}/rp_filter 0")
        f.line(f"attach {link.name}")
    f.line("fw-recorder " + " ".join(link.name for link in LINKS))


def cases(f):
    topology(f)

    # No netfilter hook yet: in auto mode the gate is off, nothing changes.
    f.fwd("auto_no_hooks_ipv4", MASQ_UDP.orig(payload=b"x"), egress=WAN,
          ingress=LAN)
    f.fwd("auto_no_hooks_ipv6", MASQ6_UDP.orig(payload=b"x"), egress=WAN,
          ingress=LAN)

    f.line(f"nft {FILTER}")
    f.line(f"nft {NAT4}")
    f.line(f"nft {NAT6}")
    # The gate carries TCP only with liberal window checks.
    f.line("sysctl net/netfilter/nf_conntrack_tcp_be_liberal 1")
    # UDP entries outlive any wait of the run (30 s unreplied by default):
    # a slow machine must not turn an established flow into a new one.
    f.line("sysctl net/netfilter/nf_conntrack_udp_timeout 3600")
    f.line("sysctl net/netfilter/nf_conntrack_udp_timeout_stream 3600")

    # Before the kernel has seen anything: every flow is new.
    f.passed("unknown_udp", MASQ_UDP.orig(payload=b"x"), "XR_PASS_FW_NEW")
    f.passed("unknown_tcp_ack", MASQ_TCP.orig(payload=b"x"),
             "XR_PASS_FW_NEW")
    f.passed("unknown_ipv6_udp", MASQ6_UDP.orig(payload=b"x"),
             "XR_PASS_FW_NEW")

    for flow in FLOWS:
        f.handshake(flow)

    # Established, proven: XDP carries them, translated as the kernel does.
    f.fast("masq_tcp_orig", MASQ_TCP, "orig", MASQ_TCP.orig(payload=b"data1"))
    f.fast("masq_tcp_reply", MASQ_TCP, "reply",
           MASQ_TCP.reply(payload=b"data2"))
    f.fast("masq_udp_orig", MASQ_UDP, "orig", MASQ_UDP.orig(payload=b"q2"))
    f.fast("masq_udp_reply", MASQ_UDP, "reply", MASQ_UDP.reply(payload=b"a2"))
    f.fast("masq_udp_csum0_orig", MASQ_UDP, "orig",
           with_udp_csum0(MASQ_UDP.orig(payload=b"nocsum")))
    f.fast("masq_udp_csum0_reply", MASQ_UDP, "reply",
           with_udp_csum0(MASQ_UDP.reply(payload=b"nocsum")))
    f.fast("masq_udp_csum_to_ffff", MASQ_UDP, "orig", udp_to_ffff(MASQ_UDP))
    f.fast("dnat_tcp_orig", DNAT_TCP, "orig", DNAT_TCP.orig(payload=b"GET"))
    f.fast("dnat_tcp_reply", DNAT_TCP, "reply",
           DNAT_TCP.reply(payload=b"200"))
    f.fast("plain_udp_orig", PLAIN_UDP, "orig", PLAIN_UDP.orig(payload=b"q"))
    f.fast("plain_udp_reply", PLAIN_UDP, "reply",
           PLAIN_UDP.reply(payload=b"a"))
    f.fast("masq6_tcp_orig", MASQ6_TCP, "orig",
           MASQ6_TCP.orig(payload=b"data6"))
    f.fast("masq6_tcp_reply", MASQ6_TCP, "reply",
           MASQ6_TCP.reply(payload=b"data6"))
    f.fast("masq6_udp_orig", MASQ6_UDP, "orig",
           MASQ6_UDP.orig(payload=b"q6"))
    f.fast("masq6_udp_reply", MASQ6_UDP, "reply",
           MASQ6_UDP.reply(payload=b"a6"))

    # What conntrack must see goes to the kernel, untouched.
    for flag, name in (("S", "syn"), ("F", "fin"), ("R", "rst"),
                       ("FA", "fin_ack"), ("RA", "rst_ack")):
        f.passed(f"masq_tcp_{name}", MASQ_TCP.orig(flags=flag),
                 "XR_PASS_FW_CTL")
    f.passed("masq6_tcp_fin", MASQ6_TCP.reply(flags="FA"), "XR_PASS_FW_CTL")
    f.passed("dnat_tcp_syn_reply", DNAT_TCP.reply(flags="SA"),
             "XR_PASS_FW_CTL")
    f.passed("icmp_echo", frame4(LAN, CLIENT4, REMOTE4,
                                 ICMP(id=7, seq=1) / Raw(b"ping")),
             "XR_PASS_FW_CTL")
    f.passed("masq_udp_first_fragment",
             frame4(LAN, CLIENT4, REMOTE4,
                    UDP(sport=MASQ_UDP.sport, dport=53) / Raw(b"f" * 16),
                    flags="MF", id=77), "XR_PASS_FW_CTL")
    f.passed("masq_udp_later_fragment",
             bytes(to_router(LAN) / IP(src=CLIENT4, dst=REMOTE4, proto=17,
                                       frag=3, id=77) / Raw(b"g" * 16)),
             "XR_PASS_FW_CTL")
    # A flow nobody opened; and one the kernel knows in one direction
    # only is still new (SEEN_REPLY).
    f.passed("unknown_flow_udp",
             frame4(LAN, CLIENT4, REMOTE4, UDP(sport=41000, dport=53)),
             "XR_PASS_FW_NEW")
    f.passed("unknown_flow_ipv6_tcp",
             frame6(LAN, CLIENT6, REMOTE6,
                    TCP(sport=41001, dport=80, flags="A")),
             "XR_PASS_FW_NEW")
    oneway = Flow("oneway_udp", False, "udp", CLIENT4, 41002, REMOTE4, 53,
                  LAN, WAN, orig_nat={"src": WAN.v4})
    f.line(oneway.key_line())
    f.kernel(oneway, "orig", oneway.orig(payload=b"hello?"))
    f.passed("unreplied_udp", oneway.orig(payload=b"anyone?"),
             "XR_PASS_FW_NEW")
    # TTL 1: the kernel sends Time Exceeded. The DNAT flow's destination
    # was translated before the route lookup: undone, the frame is as it
    # came.
    f.passed("dnat_tcp_ttl_1", DNAT_TCP.orig(payload=b"x", ttl=1),
             "XR_PASS_TTL_EXPIRED")
    f.passed("masq_udp_ttl_1", MASQ_UDP.orig(payload=b"x", ttl=1),
             "XR_PASS_TTL_EXPIRED")
    f.passed("masq6_udp_hlim_1", MASQ6_UDP.orig(payload=b"x", ttl=1),
             "XR_PASS_TTL_EXPIRED")

    # Strict window checks: TCP must all go through conntrack; UDP not.
    f.line("sysctl net/netfilter/nf_conntrack_tcp_be_liberal 0")
    f.passed("strict_masq_tcp", MASQ_TCP.orig(payload=b"x"),
             "XR_PASS_FW_TCP_STRICT")
    f.fast("strict_masq_udp", MASQ_UDP, "orig", MASQ_UDP.orig(payload=b"s"),
           both=False)
    f.line("sysctl net/netfilter/nf_conntrack_tcp_be_liberal 1")

    # A ruleset change: no flow is trusted until the kernel has forwarded
    # it again under the new rules.
    f.line("nft add rule inet t f meta l4proto icmp accept")
    f.passed("changed_masq_udp", MASQ_UDP.orig(payload=b"c"),
             "XR_PASS_FW_VERIFY")
    f.passed("changed_masq_tcp_reply", MASQ_TCP.reply(payload=b"c"),
             "XR_PASS_FW_VERIFY")
    f.passed("changed_masq6_udp", MASQ6_UDP.orig(payload=b"c"),
             "XR_PASS_FW_VERIFY")
    # Forwarded by the kernel again, the flow is fast again; the others
    # still wait for theirs.
    f.kernel(MASQ_UDP, "orig", MASQ_UDP.orig(payload=b"re"))
    f.kernel(MASQ_UDP, "reply", MASQ_UDP.reply(payload=b"re"))
    f.line("fw-settle masq_udp")
    f.fast("reverified_masq_udp", MASQ_UDP, "orig",
           MASQ_UDP.orig(payload=b"c2"))
    f.passed("still_changed_masq_tcp", MASQ_TCP.orig(payload=b"c"),
             "XR_PASS_FW_VERIFY")
    # A drop rule before "established accept": the kernel stops the flow,
    # so does XDP.
    f.line("nft insert rule inet t f udp dport 53 drop")
    f.passed("dropped_masq_udp", MASQ_UDP.orig(payload=b"d"),
             "XR_PASS_FW_VERIFY")
    # The kernel does drop it (seen once a later frame, sent the same
    # way, came through), and still no proof: XDP still hands it over.
    drop = MASQ_UDP.orig(payload=b"dropped!")
    f.line(f"kernel-drop masq_udp_after_drop_rule {LAN.name} {WAN.name} "
           f"{drop.hex()}")
    f.kernel(MASQ_TCP, "orig", MASQ_TCP.orig(payload=b"marker"))
    f.passed("still_dropped_masq_udp", MASQ_UDP.orig(payload=b"d2"),
             "XR_PASS_FW_VERIFY")
    f.line("nft delete table inet t")
    f.line(f"nft {FILTER}")

    # conntrack -F: the entries are gone, the flows new again.
    f.line("conntrack -F")
    f.passed("flushed_masq_udp", MASQ_UDP.orig(payload=b"f"),
             "XR_PASS_FW_NEW")
    f.passed("flushed_dnat_tcp", DNAT_TCP.orig(payload=b"f"),
             "XR_PASS_FW_NEW")
    f.passed("flushed_masq6_tcp", MASQ6_TCP.reply(payload=b"f"),
             "XR_PASS_FW_NEW")

    # --firewall off: today's router, whatever the rules.
    f.line("fw-load off")
    f.fwd("off_masq_tcp", MASQ_TCP.orig(payload=b"o"), egress=WAN,
          ingress=LAN)
    f.fwd("off_masq6_tcp_syn", MASQ6_TCP.orig(flags="S"), egress=WAN,
          ingress=LAN)
    # --firewall conntrack: on even without hooks.
    f.line("nft flush ruleset")
    f.line("fw-load conntrack")
    f.passed("conntrack_mode_no_hooks_udp", MASQ_UDP.orig(payload=b"k"),
             "XR_PASS_FW_NEW")
    f.passed("conntrack_mode_no_hooks_icmp",
             frame4(LAN, CLIENT4, REMOTE4, ICMP(id=8, seq=1)),
             "XR_PASS_FW_CTL")
    # auto once the rules are gone: the gate is off again.
    f.line("fw-load auto")
    f.fwd("auto_rules_gone_ipv4", MASQ_UDP.orig(payload=b"g"), egress=WAN,
          ingress=LAN)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", default="-")
    args = ap.parse_args()
    f = FwFixtures()
    cases(f)
    text = "\n".join(f.lines) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w") as out:
            out.write(text)


if __name__ == "__main__":
    main()
