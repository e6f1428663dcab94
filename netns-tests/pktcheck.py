#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Packet-level checks of a router between network namespaces (scapy).

One process opens AF_PACKET sockets in several namespaces: setns(2) into a
namespace, create the socket (it stays in that namespace), move on. Frames
are crafted with scapy and written raw, so no checksum offload is involved;
what arrives is read raw and checked byte for byte.

  pktcheck.py forward --src NS:IF --router NS:IN_IF:OUT_IF --dst NS:IF \
      --src4 A --dst4 B --src6 A6 --dst6 B6 [--count N] [--kinds udp4,...]
      Sends COUNT packets of every kind (udp4 tcp4 icmp4 udp6 tcp6 icmp6)
      from SRC to the router's IN_IF MAC, captures them at DST and checks:
      TTL/hop limit decremented by exactly one, IPv4 header and L4 checksums
      valid, source MAC = router's OUT_IF, destination MAC = DST's MAC, every
      other byte (IP header fields, L4 header, payload) unchanged.

  pktcheck.py ttl --src NS:IF --router NS:IN_IF:OUT_IF --dst NS:IF \
      --src4 A --dst4 B --src6 A6 --dst6 B6 --router4 R --router6 R6
      Sends UDP with TTL 1 / hop limit 1; expects ICMP Time Exceeded
      (v4 type 11 code 0, v6 type 3 code 0) from R / R6 at SRC quoting the
      packet, and nothing at DST.

  pktcheck.py cases --src ... --router ... --dst ... --stats-cmd CMD ...
      Packets the router must leave to the kernel or drop (MTU exceeded,
      blackhole/unreachable routes, IPv4 options, bad checksum, bogus
      length) and fragments it forwards itself: checks what arrives at DST,
      the ICMP error back at SRC, and the `xdp-router stats` outcome that
      counted each (CMD prints `xdp-router --json stats`).

Prints one JSON line with what was sent/received; exits 1 with FAIL: lines on
stderr when a check fails.
"""
import argparse
import json
import secrets
import shlex
import socket
import subprocess
import sys
import time

from scapy.all import (ICMP, IP, TCP, UDP, Ether, ICMPv6DestUnreach,
                       ICMPv6EchoRequest, ICMPv6ND_NA, ICMPv6ND_NS,
                       ICMPv6PacketTooBig, ICMPv6TimeExceeded, IPerror,
                       IPerror6, IPOption_RR, IPv6, IPv6ExtHdrFragment, Raw,
                       UDPerror, fragment)
from scapy.layers.inet import in4_chksum
from scapy.layers.inet6 import in6_chksum
from scapy.utils import checksum

from nsutil import setns

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
TTL = 64

failures = []


def fail(msg):
    failures.append(msg)
    print(f"FAIL: {msg}", file=sys.stderr)


class Port:
    """A raw packet socket on interface IF of namespace NS."""

    def __init__(self, spec):
        self.ns, self.ifname = spec.split(":")
        setns(self.ns)
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                  socket.htons(ETH_P_ALL))
        self.sock.bind((self.ifname, ETH_P_ALL))
        self.sock.setblocking(False)
        self.mac = ":".join(f"{b:02x}" for b in self.sock.getsockname()[4])

    def send(self, frame):
        self.sock.send(bytes(frame))

    def recv_all(self, until, want):
        """Frames received (not sent) until `until` or until want() is
        satisfied; returns them as scapy Ether objects."""
        got = []
        while time.monotonic() < until and not want(got):
            try:
                data, addr = self.sock.recvfrom(65535)
            except BlockingIOError:
                time.sleep(0.005)
                continue
            if addr[2] == PACKET_OUTGOING:
                continue
            got.append(Ether(data))
        return got


def iface_mac(spec):
    """MAC of NS:IF (a socket bound there reports it)."""
    return Port(spec).mac


def router_macs(spec):
    ns, in_if, out_if = spec.split(":")
    return iface_mac(f"{ns}:{in_if}"), iface_mac(f"{ns}:{out_if}")


def l4_csum_ok(ip, l4_bytes):
    """The L4 checksum over the pseudo header and L4_BYTES sums to zero."""
    if ip.version == 4:
        if ip.proto == socket.IPPROTO_ICMP:
            return checksum(l4_bytes) == 0
        return in4_chksum(ip.proto, ip, l4_bytes) == 0
    return in6_chksum(ip.nh, ip, l4_bytes) == 0


def build(kind, a, i, nonce, mac_src, mac_dst, ttl=TTL):
    """One test frame of KIND; returns (frame, match key)."""
    tag = f"<{nonce}-{kind}-{i:05d}>".encode()
    payload = Raw(tag + bytes(range(64)))
    sport = 20000 + i
    if kind.endswith("4"):
        ip = IP(src=a.src4, dst=a.dst4, ttl=ttl, id=(0x1000 + i), flags="DF")
    else:
        ip = IPv6(src=a.src6, dst=a.dst6, hlim=ttl, fl=0x12345)
    if kind.startswith("udp"):
        l4 = UDP(sport=sport, dport=9)
    elif kind.startswith("tcp"):
        l4 = TCP(sport=sport, dport=9, flags="PA", seq=1000 + i, ack=1)
    elif kind == "icmp4":
        l4 = ICMP(type=8, id=0x4242, seq=i)
    else:
        l4 = ICMPv6EchoRequest(id=0x4242, seq=i)
    return Ether(src=mac_src, dst=mac_dst) / ip / l4 / payload, tag


def find_tag(got, tag):
    for f in got:
        if tag in bytes(f):
            return f
    return None


def check_forwarded(tag, sent, rcvd, exp_smac, exp_dmac):
    """Compare one captured frame with the one sent."""
    where = tag.decode()
    if rcvd.src != exp_smac:
        fail(f"{where}: src MAC {rcvd.src}, expected router's {exp_smac}")
    if rcvd.dst != exp_dmac:
        fail(f"{where}: dst MAC {rcvd.dst}, expected receiver's {exp_dmac}")
    sip, rip = sent[1], rcvd[1]
    if type(rip) is not type(sip):
        fail(f"{where}: received {rip.name}, sent {sip.name}")
        return
    if sip.version == 4:
        if rip.ttl != sip.ttl - 1:
            fail(f"{where}: TTL {rip.ttl}, expected {sip.ttl - 1}")
        hdr = bytes(rip)[:rip.ihl * 4]
        if checksum(hdr) != 0:
            fail(f"{where}: bad IPv4 header checksum {rip.chksum:#06x}")
        s_hdr = bytearray(bytes(sip)[:20])
        r_hdr = bytearray(hdr[:20])
        for h in (s_hdr, r_hdr):
            h[8] = 0          # TTL
            h[10:12] = b"\0\0"  # header checksum
        if s_hdr != r_hdr:
            fail(f"{where}: IPv4 header changed beyond TTL/checksum: "
                 f"sent {bytes(s_hdr).hex()} got {bytes(r_hdr).hex()}")
        l4_sent, l4_rcvd = bytes(sip)[20:], bytes(rip)[rip.ihl * 4:rip.len]
    else:
        if rip.hlim != sip.hlim - 1:
            fail(f"{where}: hop limit {rip.hlim}, expected {sip.hlim - 1}")
        s_hdr, r_hdr = bytearray(bytes(sip)[:40]), bytearray(bytes(rip)[:40])
        s_hdr[7] = r_hdr[7] = 0
        if s_hdr != r_hdr:
            fail(f"{where}: IPv6 header changed beyond hop limit: "
                 f"sent {bytes(s_hdr).hex()} got {bytes(r_hdr).hex()}")
        l4_sent = bytes(sip)[40:]
        l4_rcvd = bytes(rip)[40:40 + rip.plen]
    if l4_sent != l4_rcvd:
        fail(f"{where}: L4 header/payload changed: sent {l4_sent.hex()} "
             f"got {l4_rcvd.hex()}")
    if not l4_csum_ok(rip, l4_rcvd):
        fail(f"{where}: bad {rip.payload.name} checksum "
             f"{rip.payload.chksum:#06x}")


def cmd_forward(a):
    gw_mac, exp_smac = router_macs(a.router)
    src, dst = Port(a.src), Port(a.dst)
    kinds = a.kinds.split(",")
    nonce = secrets.token_hex(4)
    sent = {}
    for kind in kinds:
        for i in range(a.count):
            frame, tag = build(kind, a, i, nonce, src.mac, gw_mac)
            sent[tag] = (kind, frame)
            src.send(frame)
    deadline = time.monotonic() + a.timeout
    tags = set(sent)

    def all_seen(got):
        # cheap incremental check: count frames carrying our nonce
        return sum(1 for f in got if nonce.encode() in bytes(f)) >= len(tags)

    got = dst.recv_all(deadline, all_seen)
    seen = {}
    for f in got:
        raw = bytes(f)
        for tag in tags:
            if tag in raw:
                if tag in seen:
                    fail(f"{tag!r} received twice")
                seen[tag] = f
    missing = sorted(t.decode() for t in tags - set(seen))
    if missing:
        fail(f"{len(missing)} of {len(tags)} packets not received at "
             f"{a.dst}: {', '.join(missing[:6])}"
             f"{' ...' if len(missing) > 6 else ''}")
    for tag, f in seen.items():
        check_forwarded(tag, sent[tag][1], f, exp_smac, dst.mac)
    print(json.dumps({"sent": len(tags), "received": len(seen),
                      "kinds": kinds, "count": a.count,
                      "failures": len(failures)}))


def cmd_ttl(a):
    gw_mac, _ = router_macs(a.router)
    src, dst = Port(a.src), Port(a.dst)
    nonce = secrets.token_hex(4)
    result = {}
    for kind, router_ip in (("udp4", a.router4), ("udp6", a.router6)):
        frame, tag = build(kind, a, 7, nonce, src.mac, gw_mac, ttl=1)
        sport = frame[UDP].sport
        reply = None
        for _ in range(3):  # ICMP errors are rate limited: retry a little
            src.send(frame)
            got = src.recv_all(time.monotonic() + 1.0,
                               lambda g: any(_is_time_exceeded(f, sport)
                                             for f in g))
            reply = next((f for f in got if _is_time_exceeded(f, sport)),
                         None)
            if reply:
                break
        if reply is None:
            fail(f"{kind} TTL 1: no ICMP Time Exceeded back at {a.src}")
            continue
        rip = reply[1]
        if rip.src != router_ip:
            fail(f"{kind} TTL 1: Time Exceeded from {rip.src}, expected "
                 f"the router's {router_ip}")
        result[kind] = {"from": rip.src}
        leaked = find_tag(dst.recv_all(time.monotonic() + 0.2,
                                       lambda g: False), tag)
        if leaked is not None:
            fail(f"{kind} TTL 1 packet was forwarded to {a.dst}")
    print(json.dumps({"time_exceeded": result, "failures": len(failures)}))


# ------------------------------------------------------------------ cases
#
# Packets the router must hand to the kernel (or drop where the kernel would),
# each with what must arrive at DST, what must come back to SRC and which
# `xdp-router stats` outcome on the ingress interface must count it. The
# topology is expected to have MTU 1280 on the router's egress towards DST,
# a blackhole route 10.9.0.0/24 and unreachable routes 10.8.0.0/24 and
# fd00:8::/64 in the router.

def _icmp_back(f, v6, typ, code=None):
    if v6:
        l = f.getlayer(ICMPv6PacketTooBig) if typ == 2 else \
            f.getlayer(ICMPv6DestUnreach)
        return l is not None and (code is None or l.code == code)
    return ICMP in f and f[ICMP].type == typ and \
        (code is None or f[ICMP].code == code) and IPerror in f


def case_table(a):
    big = bytes(1400)
    u = lambda: UDP(sport=4242, dport=9)
    ip4 = lambda **kw: IP(src=a.src4, dst=a.dst4, **kw)
    ip6 = lambda **kw: IPv6(src=a.src6, dst=a.dst6, **kw)
    # name, frames (without Ethernet), outcome, frames expected at DST,
    # ICMP expected back (v6, type, code, extra check) or None
    return [
        ("v4 DF, larger than the egress MTU", [ip4(flags="DF") / u() / big],
         "pass_frag_needed", 0,
         (False, 3, 4, lambda f: f[ICMP].nexthopmtu == 1280)),
        ("v4 not DF, larger than the egress MTU (kernel fragments)",
         [ip4() / u() / big], "pass_frag_needed", 2, None),
        ("v6 larger than the egress MTU", [ip6() / u() / big],
         "pass_frag_needed", 0,
         (True, 2, 0, lambda f: f[ICMPv6PacketTooBig].mtu == 1280)),
        ("v4 to a blackhole route",
         [IP(src=a.src4, dst="10.9.0.1") / u() / b"bh"],
         "drop_blackhole", 0, None),
        ("v4 to an unreachable route",
         [IP(src=a.src4, dst="10.8.0.1") / u() / b"unr"],
         "pass_unreachable", 0, (False, 3, 1, None)),
        ("v6 to an unreachable route",
         [IPv6(src=a.src6, dst="fd00:8::1") / u() / b"unr6"],
         "pass_unreachable", 0, (True, 1, None, None)),
        ("v4 with options (record route)",
         [ip4(options=[IPOption_RR()]) / u() / b"opts"],
         "pass_ip_options", 1, None),
        ("v4 with a bad header checksum", [ip4(chksum=0x1234) / u() / b"ck"],
         "drop_bad_csum", 0, None),
        ("v4 total length beyond the frame", [ip4(len=600) / u() / b"len"],
         "drop_malformed", 0, None),
        ("v4 fragments (forwarded by XDP, ports not used)",
         fragment(ip4(id=0x7777) / u() / bytes(900), fragsize=400),
         "redirect", 3, None),
        ("v6 with a fragment header (forwarded by XDP)",
         [ip6() / IPv6ExtHdrFragment(id=0x8888, m=0) / u() / b"frag6"],
         "redirect", 1, None),
    ]


def read_stats(cmd, ifname):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    for i in json.loads(out.stdout):
        if i["ifname"] == ifname:
            return {k: v["packets"] for k, v in i["outcomes"].items()}
    return {}


def cmd_cases(a):
    gw_mac, _ = router_macs(a.router)
    in_if = a.router.split(":")[1]
    src, dst = Port(a.src), Port(a.dst)
    stats_cmd = shlex.split(a.stats_cmd)
    done = 0
    for name, frames, outcome, n_dst, icmp in case_table(a):
        before = read_stats(stats_cmd, in_if)
        for fr in frames:
            src.send(Ether(src=src.mac, dst=gw_mac) / fr)
        end = time.monotonic() + 0.6
        want_back = icmp is not None

        def back_ok(f):
            v6, typ, code, extra = icmp
            return _icmp_back(f, v6, typ, code) and (extra is None or
                                                     extra(f))
        at_dst, back = [], []
        while time.monotonic() < end:
            at_dst += dst.recv_all(time.monotonic() + 0.02, lambda g: False)
            back += src.recv_all(time.monotonic() + 0.02, lambda g: False)
            if len(at_dst) >= n_dst and (not want_back or
                                         any(back_ok(f) for f in back)):
                if n_dst or want_back:
                    break
        # what arrived at DST from SRC (ignore ND, replies, ...)
        from_src = [f for f in at_dst if (IP in f and f[IP].src == a.src4) or
                    (IPv6 in f and f[IPv6].src == a.src6 and
                     ICMPv6ND_NS not in f and ICMPv6ND_NA not in f)]
        if len(from_src) != n_dst:
            fail(f"{name}: {len(from_src)} frames at {a.dst}, expected "
                 f"{n_dst}: {[f.summary() for f in from_src]}")
        for f in from_src:
            ttl = f[IP].ttl if IP in f else f[IPv6].hlim
            if ttl != 63:
                fail(f"{name}: TTL/hop limit {ttl} at {a.dst}, expected 63")
        if want_back and not any(back_ok(f) for f in back):
            fail(f"{name}: no matching ICMP error back at {a.src} "
                 f"(got {[f.summary() for f in back if ICMP in f or ICMPv6DestUnreach in f or ICMPv6PacketTooBig in f]})")
        after = read_stats(stats_cmd, in_if)
        delta = after.get(outcome, 0) - before.get(outcome, 0)
        if delta != len(frames):
            changed = {k: after[k] - before.get(k, 0) for k in after
                       if after[k] != before.get(k, 0)}
            fail(f"{name}: stats {outcome} on {in_if} grew by {delta}, "
                 f"expected {len(frames)} (changes: {changed})")
        print(f"case: {name}: {outcome} +{delta}, {len(from_src)} at dst"
              f"{', ICMP back' if want_back else ''}", file=sys.stderr)
        done += 1
    print(json.dumps({"cases": done, "failures": len(failures)}))


def _is_time_exceeded(f, sport):
    if ICMP in f and f[ICMP].type == 11 and f[ICMP].code == 0:
        return IPerror in f and UDPerror in f and f[UDPerror].sport == sport
    if ICMPv6TimeExceeded in f and f[ICMPv6TimeExceeded].code == 0:
        return IPerror6 in f and UDPerror in f and f[UDPerror].sport == sport
    return False


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("command", choices=("forward", "ttl", "cases"))
    p.add_argument("--src", required=True, help="NS:IF of the sender")
    p.add_argument("--dst", required=True, help="NS:IF of the receiver")
    p.add_argument("--router", required=True, help="NS:IN_IF:OUT_IF")
    p.add_argument("--src4", required=True)
    p.add_argument("--dst4", required=True)
    p.add_argument("--src6", required=True)
    p.add_argument("--dst6", required=True)
    p.add_argument("--router4")
    p.add_argument("--router6")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--kinds", default="udp4,tcp4,icmp4,udp6,tcp6,icmp6")
    p.add_argument("--timeout", type=float, default=3.0)
    p.add_argument("--stats-cmd", help="command printing `xdp-router "
                   "--json stats` of the router (cases)")
    a = p.parse_args()
    if a.command == "forward":
        cmd_forward(a)
    elif a.command == "cases":
        if not a.stats_cmd:
            p.error("cases needs --stats-cmd")
        cmd_cases(a)
    else:
        if not (a.router4 and a.router6):
            p.error("ttl needs --router4 and --router6")
        cmd_ttl(a)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
