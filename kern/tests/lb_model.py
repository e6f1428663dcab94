#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""The load balancer of the fixtures (lb_fixtures.py): its backends and
VIPs, the data plane's flow hash and Maglev choice computed again here, and
the frames clients, backends and the router exchange."""

import ipaddress

from scapy.all import IP, IPv6, Raw, TCP, UDP

from fixture_frames import eth, forwarded, mac_bytes
from fixture_net import LAN, WAN

M32 = 0xffffffff
RING_SIZE = 65537
HASH_SEED = 0x5851f42d   # XR_LB_HASH_SEED
JHASH_INITVAL = 0xdeadbeef

# Clients sit behind the WAN: NAT replies are routed out there.
C4, C6 = "198.51.100.50", "2001:db8:100::50"
# Routers on the path that send PMTU errors.
R4, R6 = "198.51.100.1", "2001:db8:100::1"
VIP_NET = ("192.0.2.0/24", "2001:db8:f::/48")   # routed via WAN too


class Backend:
    def __init__(self, bid, addr, port=0, gen=1, state="active"):
        self.id, self.addr, self.port = bid, addr, port
        self.gen, self.state = gen, state
        self.mac = f"02:00:00:00:0b:{bid:02x}"

    def line(self):
        return (f"lb-backend {self.id} {self.addr} {self.mac} {self.port} "
                f"{self.state} {self.gen}")


class Vip:
    def __init__(self, vid, addr, proto, port, mode, ring):
        self.id, self.addr, self.proto = vid, addr, proto
        self.port, self.mode, self.ring = port, mode, ring

    def lines(self):
        return [f"lb-vip {self.id} {self.addr} {self.proto} {self.port} "
                f"{self.mode}",
                f"lb-ring {self.id} {' '.join(str(b) for b in self.ring)}"]


BE = {b.id: b for b in [
    Backend(1, "10.0.0.11"), Backend(2, "10.0.0.12"),
    Backend(3, "10.0.0.21", port=8080), Backend(4, "10.0.0.22"),
    Backend(5, "fd00::11"), Backend(6, "fd00::21", port=8080),
    Backend(7, "fd00::22"), Backend(8, "fd00::12"),
    Backend(11, "10.0.0.31"), Backend(12, "10.0.0.32"),
    Backend(13, "10.0.0.33"),
    Backend(20, "10.0.0.40"), Backend(21, "10.0.0.41"),
    Backend(22, "10.0.0.42"), Backend(23, "10.0.0.43"),
]}

DSR4 = Vip(0, "192.0.2.10", "tcp", 80, "dsr", [1])
NAT4_TCP = Vip(1, "192.0.2.20", "tcp", 80, "nat", [3])
NAT4_UDP = Vip(2, "192.0.2.20", "udp", 53, "nat", [4])
ALL4_UDP = Vip(3, "192.0.2.30", "udp", 0, "dsr", [1])
DSR6 = Vip(4, "2001:db8:f::10", "tcp", 443, "dsr", [5])
NAT6_TCP = Vip(5, "2001:db8:f::20", "tcp", 80, "nat", [6])
NAT6_UDP = Vip(6, "2001:db8:f::20", "udp", 53, "nat", [7])
NONE4 = Vip(7, "192.0.2.40", "tcp", 80, "dsr", [0])
HASH4 = Vip(8, "192.0.2.50", "tcp", 80, "dsr", [11, 12, 13])
CHANGE4 = Vip(9, "192.0.2.60", "tcp", 80, "dsr", [1])
GEN4 = Vip(10, "192.0.2.70", "tcp", 80, "dsr", [20])
STATE4 = Vip(11, "192.0.2.80", "tcp", 80, "dsr", [22])
ALL6_UDP = Vip(12, "2001:db8:f::30", "udp", 0, "dsr", [5])
VIPS = [DSR4, NAT4_TCP, NAT4_UDP, ALL4_UDP, DSR6, NAT6_TCP, NAT6_UDP, NONE4,
        HASH4, CHANGE4, GEN4, STATE4, ALL6_UDP]


# ---- the flow hash of maps/xdp_router_lb_hash.h ----------------------------

def _rol(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


def _mix(a, b, c):
    a = (a - c) & M32; a ^= _rol(c, 4); c = (c + b) & M32
    b = (b - a) & M32; b ^= _rol(a, 6); a = (a + c) & M32
    c = (c - b) & M32; c ^= _rol(b, 8); b = (b + a) & M32
    a = (a - c) & M32; a ^= _rol(c, 16); c = (c + b) & M32
    b = (b - a) & M32; b ^= _rol(a, 19); a = (a + c) & M32
    c = (c - b) & M32; c ^= _rol(b, 4); b = (b + a) & M32
    return a, b, c


def _final(a, b, c):
    c ^= b; c = (c - _rol(b, 14)) & M32
    a ^= c; a = (a - _rol(c, 11)) & M32
    b ^= a; b = (b - _rol(a, 25)) & M32
    c ^= b; c = (c - _rol(b, 16)) & M32
    a ^= c; a = (a - _rol(c, 4)) & M32
    b ^= a; b = (b - _rol(a, 14)) & M32
    c ^= b; c = (c - _rol(b, 24)) & M32
    return c


def _words(addr):
    raw = ipaddress.ip_address(addr).packed
    return [int.from_bytes(raw[i:i + 4], "big") for i in range(0, len(raw), 4)]


def flow_hash(src, dst, proto, sport, dport):
    ports = (sport << 16) | dport
    s, d = _words(src), _words(dst)
    pnum = {"tcp": 6, "udp": 17}[proto]
    if len(s) == 1:
        a = b = c = (JHASH_INITVAL + (3 << 2) + (HASH_SEED ^ pnum)) & M32
        a = (a + s[0]) & M32
        b = (b + d[0]) & M32
        c = (c + ports) & M32
        return _final(a, b, c)
    a = b = c = (JHASH_INITVAL + (9 << 2) + (HASH_SEED ^ pnum)) & M32
    a, b, c = (a + s[0]) & M32, (b + s[1]) & M32, (c + s[2]) & M32
    a, b, c = _mix(a, b, c)
    a, b, c = (a + s[3]) & M32, (b + d[0]) & M32, (c + d[1]) & M32
    a, b, c = _mix(a, b, c)
    a, b, c = (a + d[2]) & M32, (b + d[3]) & M32, (c + ports) & M32
    return _final(a, b, c)


def maglev_backend(vip, src, sport, dport=None):
    """The backend a new flow of `vip` gets, as lb-ring filled its row."""
    slot = flow_hash(src, vip.addr, vip.proto, sport,
                     vip.port if dport is None else dport) % RING_SIZE
    return BE[vip.ring[slot % len(vip.ring)]]


# ---- frames -----------------------------------------------------------------

def is6(addr):
    return ":" in addr


def ip(src, dst, ttl=64, **kw):
    return (IPv6(src=src, dst=dst, hlim=ttl, **kw) if is6(dst)
            else IP(src=src, dst=dst, ttl=ttl, **kw))


def l4(proto, sport, dport, flags="S", **kw):
    if proto == "tcp":
        return TCP(sport=sport, dport=dport, flags=flags, seq=1000, **kw)
    return UDP(sport=sport, dport=dport, **kw)


def payload(proto):
    return Raw(b"lb-fixture-" + proto.encode())


def frame(src, dst, proto, sport, dport, flags="S", ttl=64, l2_src=None,
          ipkw=None, l4kw=None, data=None):
    """Client (or backend) -> LB, as received on LAN."""
    return bytes(eth(src=l2_src or LAN.peer_mac) /
                 ip(src, dst, ttl, **(ipkw or {})) /
                 l4(proto, sport, dport, flags, **(l4kw or {})) /
                 (Raw(data) if data is not None else payload(proto)))


def to_backend(data, be):
    """DSR and NAT alike: the backend's MAC, ours as source."""
    out = bytearray(data)
    out[0:6] = mac_bytes(be.mac)
    out[6:12] = mac_bytes(LAN.mac)
    return bytes(out)


def client_frame(vip, sport, flags="S", src=None, ttl=64, **kw):
    src = src or (C6 if is6(vip.addr) else C4)
    dport = kw.pop("dport", vip.port)
    return frame(src, vip.addr, vip.proto, sport, dport, flags, ttl, **kw)


def nat_expected(vip, be, sport, flags="S", ttl=64, **kw):
    """The client's frame as NAT sends it to `be`: rebuilt, not patched."""
    src = C6 if is6(vip.addr) else C4
    return to_backend(frame(src, be.addr, vip.proto, sport,
                            be.port or vip.port, flags, ttl - 1, **kw), be)


def zero_sum_data(dst, sport, dport):
    """Two bytes of UDP payload that make the checksum of a datagram from
    the client to `dst` compute to 0, which UDP sends as 0xffff: x + ~x is
    0xffff in one's complement, so the payload word must be the checksum
    the datagram has with a zero word there."""
    src = C6 if is6(dst) else C4
    built = bytes(ip(src, dst) / UDP(sport=sport, dport=dport) /
                  Raw(b"\0\0"))
    return (IPv6 if is6(dst) else IP)(built)[UDP].chksum.to_bytes(2, "big")


def reply_frame(vip, be, cport, flags="SA", ttl=64):
    """Backend -> client through the LB, as received on LAN."""
    client = C6 if is6(vip.addr) else C4
    return frame(be.addr, client, vip.proto, be.port or vip.port, cport,
                 flags, ttl, l2_src=be.mac)


def reply_expected(vip, cport, flags="SA"):
    """The reply with the VIP as source again, then routed out WAN."""
    client = C6 if is6(vip.addr) else C4
    return forwarded(frame(vip.addr, client, vip.proto, vip.port, cport,
                             flags), WAN)
