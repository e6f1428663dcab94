#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""fw_conv.py - a scripted conversation through a firewalled router, and the
comparison of two runs of it (kernel forwarding only, then XDP).

  fw_conv.py run --client NS:IF:MAC:RMAC --server NS:IF:MAC:RMAC
                 --c4 A --c4alt A --s4 A --d4 A --c6 A --c6alt A --s6 A --d6 A
                 --dport P --out FILE
  fw_conv.py compare KERNEL.json XDP.json
  fw_conv.py expect FILE FLOW=STATE...

Both ends are played by this one process through AF_PACKET sockets opened in
the client's and the server's namespace, so every byte the senders put on
the wire is fixed (MACs, IP ids, IPv6 flow labels, TCP sequence numbers,
ports, TTL): two runs deliver byte-identical frames unless the router
treats them differently. Nothing is normalised. (The hosts' own stacks must
stay quiet: the test drops their TCP RSTs and ICMP unreachables on output
and turns off their echo replies.)

Each step sends one packet from one end, then two ICMP echo requests
("markers", the second sent once the first arrived) along the same path;
when the second marker is in, a probe forwarded by any path would be in
too (the receiving veth's queue is FIFO), so "not delivered" is an event,
not a timeout. A flow stops at its first step not delivered. Replies are
built from what the other end received (so NAT is answered as a real host
would). --d4/--d6 and --dport are where the client's port-80 flows go (the
router's address and 8080 for a DNAT port forward).

`run` writes {"steps": [...], "flows": {name: "complete" | "blocked@N"},
"rx": {"client": [hex...], "server": [hex...]}}. `compare` exits 1 and
shows the differences when the flows or the multisets of frames each end
received differ. `expect` checks flows' states ("complete", "blocked").
"""
import argparse
import collections
import json
import select
import socket
import sys
import time

from nsutil import setns

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
DEADLINE = 20.0		# a hang, not a measurement
ROUNDS = 6		# request/reply exchanges of a complete flow


class End:
    """One end: an AF_PACKET socket on IF in namespace NS."""

    def __init__(self, name, spec):
        f = spec.split(":")
        ns, ifname = f[0], f[1]
        self.mac, self.rmac = ":".join(f[2:8]), ":".join(f[8:14])
        self.name = name
        setns(ns)
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                  socket.htons(ETH_P_ALL))
        self.sock.bind((ifname, 0))
        self.rx = []		# frames kept, in arrival order
        self.keys = set()	# their probe keys

    def send(self, pkt):
        from scapy.all import Ether
        self.sock.send(bytes(Ether(src=self.mac, dst=self.rmac) / pkt))

    def drain(self, timeout):
        r, _, _ = select.select([self.sock], [], [], timeout)
        if not r:
            return
        while True:
            try:
                data, addr = self.sock.recvfrom(65536, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return
            if addr[2] == PACKET_OUTGOING:
                continue
            k = key_of(data)
            if k is not None:
                self.rx.append(data)
                self.keys.add(k)

    def wait_key(self, k, what):
        end = time.monotonic() + DEADLINE
        while k not in self.keys:
            left = end - time.monotonic()
            if left <= 0:
                sys.exit(f"{self.name}: no {what} after {DEADLINE} s "
                         "(the marker path is broken)")
            self.drain(left)

    def frame(self, k):
        for f in reversed(self.rx):
            if key_of(f) == k:
                return f
        return None


def key_of(frame):
    """The probe key of a frame the test cares about: the IPv4 id or the
    IPv6 flow label (which forwarding and NAT keep); None for anything
    else (ARP, multicast: neighbour discovery, MLD, router solicitations;
    link-local)."""
    if len(frame) < 14:
        return None
    et = int.from_bytes(frame[12:14], "big")
    if et == 0x0800 and len(frame) >= 34:
        if frame[30] >= 224 or frame[30:34] == b"\xff" * 4:
            return None
        return ("4", int.from_bytes(frame[18:20], "big"))
    if et == 0x86dd and len(frame) >= 54:
        if frame[38] == 0xff or frame[22:24] == b"\xfe\x80":
            return None		# multicast (MLD, ND), link-local
        nh = frame[20]
        if nh == 58 and 130 <= frame[54] <= 143:
            return None
        return ("6", int.from_bytes(frame[15:18], "big") & 0xfffff)
    return None


class Conv:
    def __init__(self, a):
        self.a = a
        self.c = End("client", a.client)
        self.s = End("server", a.server)
        self.next_id = 1
        self.steps = []
        self.flows = {}

    def ip(self, fam, src, dst, proto_layer):
        from scapy.all import IP, IPv6
        k = self.next_id
        self.next_id += 1
        if fam == "4":
            return IP(src=src, dst=dst, id=k, ttl=64, flags="DF") / proto_layer, ("4", k)
        return IPv6(src=src, dst=dst, fl=k, hlim=64) / proto_layer, ("6", k)

    def addr(self, end, fam):
        a = self.a
        return {("c", "4"): a.c4, ("c", "6"): a.c6,
                ("s", "4"): a.s4, ("s", "6"): a.s6}[(end, fam)]

    def marker(self, snd, rcv, fam):
        from scapy.all import ICMP, ICMPv6EchoRequest
        sa = self.addr("c" if snd is self.c else "s", fam)
        da = self.addr("s" if snd is self.c else "c", fam)
        icmp = ICMP(type=8, id=0xfe00, seq=self.next_id) if fam == "4" \
            else ICMPv6EchoRequest(id=0xfe00, seq=self.next_id)
        pkt, k = self.ip(fam, sa, da, icmp)
        snd.send(pkt)
        rcv.wait_key(k, "marker")

    def step(self, flow, snd, fam, src, dst, layer):
        """Sends one probe; True if it was delivered."""
        rcv = self.s if snd is self.c else self.c
        pkt, k = self.ip(fam, src, dst, layer)
        snd.send(pkt)
        self.marker(snd, rcv, fam)
        self.marker(snd, rcv, fam)
        ok = k in rcv.keys
        self.steps.append({"flow": flow, "n": len([s for s in self.steps
                                                  if s["flow"] == flow]),
                           "from": snd.name, "delivered": ok})
        return rcv.frame(k) if ok else None

    def flow(self, name, gen):
        """Runs the steps generator GEN (it gets each step's delivered frame,
        or None, which ends the flow)."""
        n = 0
        try:
            args = next(gen)
            while True:
                got = self.step(name, *args)
                if got is None:
                    self.flows[name] = f"blocked@{n}"
                    return
                n += 1
                args = gen.send(got)
        except StopIteration:
            self.flows[name] = "complete"

    # ------------------------------------------------------------ flows

    def tcp(self, fam, fwd, src, dst, dport, sport, syn=True):
        """A TCP connection, SYN to FIN (or, syn=False, picked up
        mid-stream); fwd: the client opens it."""
        from scapy.all import TCP, Raw, IP
        o, r = (self.c, self.s) if fwd else (self.s, self.c)
        iss, irs = 1000, 50000
        oseq, rseq = iss, irs
        if syn:
            got = yield (o, fam, src, dst,
                         TCP(sport=sport, dport=dport, flags="S", seq=oseq,
                             window=65535, options=[("MSS", 1400)]))
            oseq += 1
            back = peer(got)
            got = yield (r, fam, back[0], back[1],
                         TCP(sport=back[2], dport=back[3], flags="SA",
                             seq=rseq, ack=oseq, window=65535,
                             options=[("MSS", 1400)]))
            rseq += 1
            got = yield (o, fam, src, dst,
                         TCP(sport=sport, dport=dport, flags="A", seq=oseq,
                             ack=rseq, window=65535))
        for i in range(ROUNDS if syn else 3):
            data = b"req %02d " % i + b"x" * (16 + 37 * i)
            got = yield (o, fam, src, dst,
                         TCP(sport=sport, dport=dport, flags="PA", seq=oseq,
                             ack=rseq, window=65535) / Raw(data))
            oseq += len(data)
            back = peer(got)
            data = b"resp %02d " % i + b"y" * (200 + 111 * i)
            got = yield (r, fam, back[0], back[1],
                         TCP(sport=back[2], dport=back[3], flags="PA",
                             seq=rseq, ack=oseq, window=65535) / Raw(data))
            rseq += len(data)
        if not syn:
            return
        got = yield (o, fam, src, dst,
                     TCP(sport=sport, dport=dport, flags="FA", seq=oseq,
                         ack=rseq, window=65535))
        oseq += 1
        back = peer(got)
        got = yield (r, fam, back[0], back[1],
                     TCP(sport=back[2], dport=back[3], flags="FA", seq=rseq,
                         ack=oseq, window=65535))
        rseq += 1
        yield (o, fam, src, dst,
               TCP(sport=sport, dport=dport, flags="A", seq=oseq, ack=rseq,
                   window=65535))

    def udp(self, fam, src, dst, dport, sport, rounds=ROUNDS):
        from scapy.all import UDP, Raw
        for i in range(rounds):
            got = yield (self.c, fam, src, dst,
                         UDP(sport=sport, dport=dport) / Raw(b"q%02d" % i + b"u" * (20 + 50 * i)))
            back = peer(got)
            yield (self.s, fam, back[0], back[1],
                   UDP(sport=back[2], dport=back[3]) / Raw(b"a%02d" % i + b"v" * (100 + 70 * i)))

    def echo(self, fam, fwd, rounds=4):
        from scapy.all import ICMP, ICMPv6EchoRequest, ICMPv6EchoReply, Raw
        o, r = (self.c, self.s) if fwd else (self.s, self.c)
        src = self.addr("c" if fwd else "s", fam)
        dst = self.addr("s" if fwd else "c", fam)
        ident = 0x4200 if fwd else 0x4300
        for i in range(rounds):
            req = ICMP(type=8, id=ident, seq=i) if fam == "4" \
                else ICMPv6EchoRequest(id=ident, seq=i)
            got = yield (o, fam, src, dst, req / Raw(b"ping %d" % i))
            back = peer(got)
            rep = ICMP(type=0, id=back[4], seq=i) if fam == "4" \
                else ICMPv6EchoReply(id=back[4], seq=i)
            yield (r, fam, back[0], back[1], rep / Raw(b"pong %d" % i))

    def run(self):
        a = self.a
        for fam in ("4", "6"):
            c, calt, s, d = (a.c4, a.c4alt, a.s4, a.d4) if fam == "4" else \
                (a.c6, a.c6alt, a.s6, a.d6)
            self.flow(f"tcp80_{fam}", self.tcp(fam, True, c, d, a.dport, 40080))
            self.flow(f"tcp22_{fam}", self.tcp(fam, True, c, s, 22, 40022))
            self.flow(f"rtcp80_{fam}", self.tcp(fam, False, s, c, 80, 41080))
            self.flow(f"mid80_{fam}", self.tcp(fam, True, c, d, a.dport, 40081,
                                                syn=False))
            self.flow(f"udp53_{fam}", self.udp(fam, c, s, 53, 40053))
            self.flow(f"udp9999_{fam}", self.udp(fam, c, s, 9999, 49999))
            self.flow(f"alt53_{fam}", self.udp(fam, calt, s, 53, 40054, 3))
            self.flow(f"echo_{fam}", self.echo(fam, True))
            self.flow(f"recho_{fam}", self.echo(fam, False))
        # Whatever came late (nothing should) is in the record too.
        self.c.drain(0)
        self.s.drain(0)
        return {"steps": self.steps, "flows": self.flows,
                "rx": {"client": [f.hex() for f in self.c.rx],
                       "server": [f.hex() for f in self.s.rx]}}


def peer(frame):
    """(reply src, reply dst, reply sport, reply dport, icmp id) of a
    received frame: its addresses and ports swapped."""
    from scapy.all import Ether, IP, IPv6, TCP, UDP, ICMP, ICMPv6EchoRequest
    p = Ether(frame)
    ip = p[IP] if IP in p else p[IPv6]
    sp = dp = ident = 0
    l4 = ip.payload
    if isinstance(l4, (TCP, UDP)):
        sp, dp = l4.dport, l4.sport
    elif isinstance(l4, (ICMP, ICMPv6EchoRequest)):
        ident = l4.id
    return (ip.dst, ip.src, sp, dp, ident)


def describe(h):
    from scapy.all import Ether
    return Ether(bytes.fromhex(h)).summary()


def compare(a):
    k, x = (json.load(open(f)) for f in (a.kernel, a.xdp))
    bad = 0
    if k["flows"] != x["flows"]:
        for f in sorted(set(k["flows"]) | set(x["flows"])):
            if k["flows"].get(f) != x["flows"].get(f):
                print(f"flow {f}: kernel {k['flows'].get(f)}, xdp {x['flows'].get(f)}")
                bad += 1
    for end in ("client", "server"):
        ck, cx = collections.Counter(k["rx"][end]), collections.Counter(x["rx"][end])
        only_k, only_x = ck - cx, cx - ck
        for h in only_k.elements():
            print(f"{end} received only with the kernel: {describe(h)}\n  {h}")
            bad += 1
        for h in only_x.elements():
            print(f"{end} received only through XDP: {describe(h)}\n  {h}")
            bad += 1
    n = sum(len(k["rx"][e]) for e in ("client", "server"))
    print(json.dumps({"frames": n, "differences": bad,
                      "steps": len(k["steps"]),
                      "delivered_steps": sum(s["delivered"] for s in k["steps"])}))
    return 1 if bad else 0


def expect(a):
    j = json.load(open(a.file))
    bad = []
    for e in a.flows:
        f, want = e.split("=")
        got = j["flows"].get(f, "missing")
        if not got.startswith(want):
            bad.append(f"{f}: {got}, expected {want}")
    if bad:
        print("; ".join(bad))
        return 1
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    for o in ("client", "server", "c4", "c4alt", "s4", "d4", "c6", "c6alt",
              "s6", "d6", "out"):
        r.add_argument("--" + o, required=True)
    r.add_argument("--dport", type=int, default=80)
    c = sub.add_parser("compare")
    c.add_argument("kernel")
    c.add_argument("xdp")
    e = sub.add_parser("expect")
    e.add_argument("file")
    e.add_argument("flows", nargs="+")
    a = ap.parse_args()
    if a.cmd == "compare":
        return compare(a)
    if a.cmd == "expect":
        return expect(a)
    res = Conv(a).run()
    with open(a.out, "w") as f:
        json.dump(res, f)
    print(json.dumps(res["flows"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
