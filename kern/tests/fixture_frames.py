#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Frames for the fixtures and the case list they go into: the builders
(eth, v4, udp6, ...), forwarded() -- what the router must make of a frame
-- and Fixtures, which writes the case and expect lines."""

from scapy.all import IP, IPv6, Ether, Padding, Raw, UDP
from scapy.utils import checksum

from fixture_net import DST, HOST_V4, HOST_V6, LAN, WAN

ETH_LEN = 14


class Fixtures:
    def __init__(self):
        self.lines = []
        self.names = set()

    def add(self, name, ingress, frame, action, outcome, out=None):
        """A case; `out` defaults to the input (passed or dropped); for an
        ECMP route, a dict: the frame each next hop (egress Link) gives."""
        assert name not in self.names, f"duplicate case {name}"
        self.names.add(name)
        frame = bytes(frame)
        if isinstance(out, dict):
            outs = ",".join(f"{link.name}={bytes(o).hex()}"
                            for link, o in out.items())
        else:
            outs = bytes(frame if out is None else out).hex()
        self.lines.append(f"case {name} {ingress.name} {action} {outcome} "
                          f"{frame.hex()} {outs}")

    def expect(self, lookup, name, action, outcome, why):
        """In lookup mode `lookup`, the next case added differs: `why`."""
        self.lines += [f"# {lookup} lookup: {why}",
                       f"expect {lookup} {name} {action} {outcome}"]

    def fwd(self, name, frame, egress=WAN, ingress=LAN):
        """Forwarded by `egress`, or by one of a list of them (ECMP)."""
        frame = bytes(frame)
        out = ({e: forwarded(frame, e) for e in egress}
               if isinstance(egress, list) else forwarded(frame, egress))
        self.add(name, ingress, frame, "XDP_REDIRECT", "XR_REDIRECT", out)

    def passed(self, name, frame, outcome, ingress=LAN):
        self.add(name, ingress, frame, "XDP_PASS", outcome)

    def dropped(self, name, frame, outcome, ingress=LAN):
        self.add(name, ingress, frame, "XDP_DROP", outcome)


def mac_bytes(mac):
    return bytes.fromhex(mac.replace(":", ""))


def ip_end(frame):
    """Where the IP packet of an Ethernet frame ends: its length says."""
    ethertype = int.from_bytes(frame[12:14], "big")
    if ethertype == 0x0800:
        return ETH_LEN + int.from_bytes(frame[ETH_LEN + 2:ETH_LEN + 4], "big")
    return ETH_LEN + 40 + int.from_bytes(frame[ETH_LEN + 4:ETH_LEN + 6], "big")


def forwarded(frame, egress):
    """What the router must emit: MACs for the next hop on `egress`, TTL or
    hop limit one lower, IPv4 checksum recomputed; every other byte of the
    IP packet kept. Bytes past the IP length (Ethernet padding) go, as the
    kernel trims them on input (ip_rcv_core(), ip6_rcv_core())."""
    out = bytearray(frame[:ip_end(frame)])
    out[0:6] = mac_bytes(egress.peer_mac)
    out[6:12] = mac_bytes(egress.mac)
    ethertype = int.from_bytes(out[12:14], "big")
    if ethertype == 0x0800:
        ip = ETH_LEN
        out[ip + 8] -= 1                        # TTL
        out[ip + 10:ip + 12] = b"\0\0"
        ihl = (out[ip] & 0xf) * 4
        out[ip + 10:ip + 12] = checksum(bytes(out[ip:ip + ihl])).to_bytes(
            2, "big")
    elif ethertype == 0x86dd:
        out[ETH_LEN + 7] -= 1                   # hop limit
    else:
        raise ValueError("not an IP frame")
    return bytes(out)


def eth(dst=LAN.mac, src=LAN.peer_mac):
    return Ether(dst=dst, src=src)


def v4(dst=DST["wan"][0], src=HOST_V4, l2=None, **kw):
    return (l2 or eth()) / IP(src=src, dst=dst, **kw)


def v6(dst=DST["wan"][1], src=HOST_V6, l2=None, **kw):
    return (l2 or eth()) / IPv6(src=src, dst=dst, **kw)


def udp4(**kw):
    return v4(**kw) / UDP(sport=4242, dport=53) / Raw(b"fixture-v4")


def udp6(**kw):
    return v6(**kw) / UDP(sport=4242, dport=53) / Raw(b"fixture-v6")


def padded(pkt, size, fill=0xa5):
    """Pad to `size` with non-zero bytes, so that losing them shows."""
    return pkt / Padding(bytes([fill]) * (size - len(pkt)))


def sized_udp4(ip_len, **kw):
    pkt = v4(flags="DF", **kw) / UDP(sport=4242, dport=53)
    return pkt / Raw(b"x" * (ip_len - len(pkt) + ETH_LEN))


def sized_udp6(ip_len, **kw):
    pkt = v6(**kw) / UDP(sport=4242, dport=53)
    return pkt / Raw(b"x" * (ip_len - len(pkt) + ETH_LEN))


def jumbo_payload(n):
    """n bytes that change along the frame, so that a fragment of a
    multi-buffer frame lost, repeated or moved shows."""
    return bytes((i * 7 + (i >> 8)) & 0xff for i in range(n))


def patched(pkt, offset, data):
    """The built frame with `data` written at `offset` (checksums as built)."""
    raw = bytearray(bytes(pkt))
    raw[offset:offset + len(data)] = data
    return bytes(raw)
