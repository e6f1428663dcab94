#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""The source check, kernel against XDP (test_source_check.sh).

  srccheck.py run --mode kernel|fib|table --seq N --router NS --a NS --b NS
      [--stats-cmd CMD] --out FILE
      Runs every phase of PHASES on A - R - B (R's sysctls set per phase,
      from scratch), sending each case's packets from A (raw frames to R's
      ra, any source address), and records per case which packets arrived
      (at B, or back at A for the hairpin cases) and which ICMP redirects
      came back to A. Checks them against the kernel's rules (the model
      below, which only guards against a vacuous test: the reference is
      what the kernel does), and in the XDP modes the `xdp-router stats`
      outcome on ra that counted the case's packets. Writes the record.

  srccheck.py compare KERNEL.json XDP.json...
      The differential: every case delivered the same packets and got the
      same ICMP redirects (present or not, same gateway/target) with XDP as
      with kernel forwarding alone.

Ordering: after each case, two fences A -> B (one XDP forwards, one with
IPv4 options the kernel forwards) then one B -> A. Once they arrived, R has
handled every packet of the case and its output towards A and B is in the
receivers' queues before the fences': no case waits on a timer. The process
is pinned to one CPU, so that without XDP (veth rx through the per-CPU
backlog) its packets stay in order too. Redirects are rate limited by the
kernel per source (v4) and per source and destination (v6) peer: every
hairpin case, in every run (--seq), has addresses of its own.
"""
import argparse
import json
import os
import secrets
import shlex
import socket
import subprocess
import sys
import time

from scapy.all import (ICMP, IP, UDP, Ether, ICMPv6ND_Redirect, IPerror,
                       IPOption_RR, IPv6, Raw)

from nsutil import setns

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
K = 3                   # packets per case (the first fills the route cache)
FENCE_TIMEOUT = 30.0    # seconds for one fence: generous, never a verdict
WATCHED = ("redirect", "drop_rp_filter", "pass_source", "pass_redirect",
           "pass_martian", "pass_not_fwded", "pass_no_neigh",
           "pass_unreachable", "pass_egress_not_xdp")

failures = []


def fail(msg):
    failures.append(msg)
    print(f"FAIL: {msg}", file=sys.stderr)


# ------------------------------------------------------------ the cases
#
# R's routes (test_source_check.sh): 10.11/24 via A (ra), 10.13/24 via C
# (rc), 10.14/24 ECMP via A and C, 10.20/24 via B, 10.50/24 via 10.1.0.3
# (on ra: back out the ingress), fd00:20::/64 via B, fd00:51::/64 via
# fd00:1::3, fd00:52::/64 via fe80::3 (both on ra); no default route.
# 10.99.0.5 has no route back. R owns 10.1.0.1 (ra) and 10.2.0.1 (rb).

SPOOF = {"via_in": "10.11.0.5", "via_other": "10.13.0.5",
         "ecmp": "10.14.0.5", "shorter": "10.15.1.5", "none": "10.99.0.5",
         "blackhole": "10.97.0.5", "unreachable": "10.98.0.5"}
DST4, DST6 = "10.20.0.5", "fd00:20::5"


def rp_of(s):
    """rp_filter on ra as the kernel takes it: max(all, ra), >2 as 2."""
    return min(max(s.get("all.rp_filter", 0), s.get("ra.rp_filter", 0)), 2)


def orconf(s, name):
    return bool(s.get(f"all.{name}", 0) or s.get(f"ra.{name}", 0))


def spoof_cases(s):
    """(key, family, src, dst, kernel delivers, {mode: outcomes})."""
    rp, logm = rp_of(s), orconf(s, "log_martians")
    drop = "pass_source" if logm else "drop_rp_filter"
    out = []
    # via_in: a route back through ra, accepted by every rp_filter.
    out.append(("via_in", SPOOF["via_in"], True,
                {"fib": {"redirect"}, "table": {"redirect"}}))
    if rp == 1:
        out.append(("via_other", SPOOF["via_other"], False,
                    {"fib": {drop}, "table": {drop}}))
    else:
        out.append(("via_other", SPOOF["via_other"], True,
                    {"fib": {"redirect"}, "table": {"redirect"}}))
    # ECMP route back, one next hop through ra: strict accepts it; fib
    # mode sees one next hop (the hash's): forwards or hands it over.
    out.append(("ecmp", SPOOF["ecmp"], True,
                {"fib": {"redirect", "pass_source"} if rp == 1 else
                 {"redirect"}, "table": {"redirect"}}))
    # 10.15.1/24 through rc, 10.15/16 through ra: strict drops (the
    # longest match counts), loose finds the /16; fib mode cannot tell an
    # output lookup's shorter match from the route back: the kernel's.
    out.append(("shorter", SPOOF["shorter"], rp != 1,
                {"fib": {"pass_source"} if rp == 1 else {"redirect"},
                 "table": {drop} if rp == 1 else {"redirect"}}))
    if rp == 0:
        out.append(("none", SPOOF["none"], True,
                    {"fib": {"pass_source"}, "table": {"redirect"}}))
    else:
        out.append(("none", SPOOF["none"], False,
                    {"fib": {drop}, "table": {drop}}))
    # A reject route back: the kernel's fib_lookup() fails, "last resort".
    for key in ("blackhole", "unreachable"):
        out.append((key, SPOOF[key], rp == 0,
                    {"fib": {"redirect"} if rp == 0 else {drop},
                     "table": {"redirect"} if rp == 0 else {drop}}))
    return [(k, 4, src, DST4, d, o) for k, src, d, o in out]


def local_cases(s):
    """Sources that are R's own addresses: 10.1.0.1 on ra (the ingress),
    10.2.0.1 on rb; and its subnets' broadcast addresses. A local source is
    a martian unless accept_local; with it, strict wants the local route's
    device to be the ingress. A broadcast source passes only rp_filter 0's
    fast path (it is no address of R's); the full check refuses it even
    with accept_local."""
    rp, al = rp_of(s), orconf(s, "accept_local")
    out = []
    for key, src in (("local_in", "10.1.0.1"), ("local_out", "10.2.0.1"),
                     ("bcast_in", "10.1.0.255"), ("bcast_out", "10.2.0.255")):
        if not al:
            kern = rp == 0 and key.startswith("bcast")
            xdp = "pass_source" if rp == 0 else "drop_rp_filter"
        else:
            kern = rp == 0 or key == "local_in" or \
                (rp == 2 and key == "local_out")
            xdp = "redirect" if rp == 0 else "pass_source"
        out.append((key, 4, src, DST4, kern, {"fib": {xdp}, "table": {xdp}}))
    return out


def martian_cases(s):
    m = {"fib": {"pass_martian"}, "table": {"pass_martian"}}
    fwd = {"fib": {"redirect"}, "table": {"redirect"}}
    return [("lo4", 4, "127.0.0.5", DST4, False, m),
            ("mcast4", 4, "239.1.2.3", DST4, False, m),
            ("bcast4", 4, "255.255.255.255", DST4, False, m),
            ("zero4", 4, "0.0.0.0", DST4, False, m),
            # Since Linux 5.3 only 0.0.0.0 is a martian (ipv4_is_zeronet()):
            # the rest of 0/8 is routed like any source, so with no route
            # back only rp_filter 0 forwards it. XDP hands it over anyway.
            ("zeronet4", 4, "0.1.2.3", DST4, rp_of(s) == 0, m),
            ("lo6", 6, "::1", DST6, False, m),
            ("mcast6", 6, "ff05::1", DST6, False, m),
            ("unspec6", 6, "::", DST6, False, m),
            ("ctl6", 6, "fd00:1::2", DST6, True, fwd)]


class Fresh:
    """Addresses of A's subnet no earlier redirect was rate limited for:
    v4 10.1.0.100-219 (40 a run), v6 fd00:1::100-1bf (64 a run)."""

    def __init__(self, seq):
        self.v4, self.v6, self.seq = 0, 0, seq

    def src4(self):
        self.v4 += 1
        assert self.v4 < 40
        return f"10.1.0.{100 + self.seq * 40 + self.v4}"

    def src6(self):
        self.v6 += 1
        assert self.v6 < 64
        return f"fd00:1::{0x100 + self.seq * 64 + self.v6:x}"


def hairpin_cases(s, fresh):
    """Out by the ingress: the kernel redirects when send_redirects is on
    (all OR ra) for IPv4, always for IPv6 (the gateway must be link-local,
    or the destination itself on-link: ndisc_send_redirect())."""
    sr = orconf(s, "send_redirects")
    # IPv6 limits redirects per destination too: each case its own.
    onlink6 = fresh.src6()
    n6 = int(onlink6.split(":")[-1], 16)
    v4 = {"fib": {"pass_redirect" if sr else "redirect"},
          "table": {"pass_redirect" if sr else "redirect"}}
    v6 = {"fib": {"pass_redirect"}, "table": {"pass_redirect"}}
    # (key, family, src, dst, delivered (back at A), outcomes, redirect
    # expected: the gateway / target it names, or None)
    return [
        ("hp4_onlink", 4, fresh.src4(), "10.1.0.3", True, v4,
         "10.1.0.3" if sr else None),
        ("hp4_gw", 4, fresh.src4(), "10.50.0.5", True, v4,
         "10.1.0.3" if sr else None),
        ("hp6_onlink", 6, fresh.src6(), onlink6, True, v6, onlink6),
        ("hp6_gw_global", 6, fresh.src6(), f"fd00:51::{n6:x}", True, v6,
         None),
        ("hp6_gw_ll", 6, fresh.src6(), f"fd00:52::{n6:x}", True, v6,
         "fe80::3"),
    ]


def sysctls(all_rp=0, ra_rp=0, al_all=0, al_ra=0, sr_all=0, sr_ra=0,
            logm=0):
    """Every setting the check reads, explicitly (default, lo, rb, rc too:
    a namespace's defaults are not Debian's)."""
    s = {}
    for dev in ("all", "default", "lo", "ra", "rb", "rc"):
        s[f"{dev}.rp_filter"] = 0
        s[f"{dev}.accept_local"] = 0
        s[f"{dev}.send_redirects"] = 0
        s[f"{dev}.log_martians"] = 0
    s.update({"all.rp_filter": all_rp, "ra.rp_filter": ra_rp,
              "all.accept_local": al_all, "ra.accept_local": al_ra,
              "all.send_redirects": sr_all, "ra.send_redirects": sr_ra,
              "all.log_martians": logm})
    return s


def phases():
    """(name, sysctls, case generator). The spoofed flows are the same in
    every phase: a route cache answer checked under other settings must
    not serve them (rp_filter flips without re-attaching)."""
    p = []
    # 3 (or more) acts as 2 in the kernel (only 1 is strict).
    for all_rp, ra_rp in ((0, 0), (1, 0), (0, 0), (2, 0), (1, 0), (0, 1),
                          (0, 2), (0, 0), (1, 2), (2, 1), (0, 1), (3, 0),
                          (1, 3)):
        p.append((f"spoof rp_filter all={all_rp} ra={ra_rp}",
                  sysctls(all_rp=all_rp, ra_rp=ra_rp), spoof_cases))
    p.append(("spoof rp_filter all=1, log_martians=1",
              sysctls(all_rp=1, logm=1), spoof_cases))
    for rp in (0, 1, 2):
        p.append((f"local sources, accept_local 0, rp_filter {rp}",
                  sysctls(all_rp=rp), local_cases))
        p.append((f"local sources, accept_local all=1, rp_filter {rp}",
                  sysctls(all_rp=rp, al_all=1), local_cases))
    p.append(("local sources, accept_local ra=1, rp_filter ra=2",
              sysctls(ra_rp=2, al_ra=1), local_cases))
    p.append(("martian sources", sysctls(), martian_cases))
    p.append(("martian sources, rp_filter 1", sysctls(all_rp=1),
              martian_cases))
    for sr_all, sr_ra in ((0, 0), (1, 0), (0, 1), (1, 1)):
        p.append((f"hairpin send_redirects all={sr_all} ra={sr_ra}",
                  sysctls(sr_all=sr_all, sr_ra=sr_ra), "hairpin"))
    p.append(("hairpin send_redirects all=1, rp_filter 1",
              sysctls(all_rp=1, sr_all=1), "hairpin"))
    return p


# ------------------------------------------------------------ the wire

class Port:
    """A raw packet socket on interface IF of namespace NS."""

    def __init__(self, ns, ifname):
        setns(ns)
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                  socket.htons(ETH_P_ALL))
        self.sock.bind((ifname, ETH_P_ALL))
        self.sock.setblocking(False)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        self.mac = ":".join(f"{b:02x}" for b in self.sock.getsockname()[4])
        self.name = f"{ns}:{ifname}"

    def send(self, frame):
        self.sock.send(bytes(frame))

    def drain(self):
        """Every frame received (not sent) so far."""
        got = []
        while True:
            try:
                data, addr = self.sock.recvfrom(65535)
            except BlockingIOError:
                return got
            if addr[2] != PACKET_OUTGOING:
                got.append(data)


class Wire:
    def __init__(self, a):
        self.r = a.router
        ra, rb = Port(a.router, "ra"), Port(a.router, "rb")
        self.ra_mac, self.rb_mac = ra.mac, rb.mac
        ra.sock.close()
        rb.sock.close()
        self.pa, self.pb = Port(a.a, "a0"), Port(a.b, "b0")
        self.nonce = secrets.token_hex(4)
        self.at_a, self.at_b = [], []
        self.fences = 0

    def tag(self, key, i):
        return f"<xrsc-{self.nonce}-{key}-{i}>".encode()

    def frame4(self, src, dst, tag, opts=False, sport=40000, to_b=False):
        ip = IP(src=src, dst=dst, ttl=64, id=0x4321)
        if opts:
            ip.options = [IPOption_RR()]
        mac = self.rb_mac if to_b else self.ra_mac
        port = self.pb if to_b else self.pa
        return Ether(src=port.mac, dst=mac) / ip / \
            UDP(sport=sport, dport=7777) / Raw(tag)

    def frame6(self, src, dst, tag, sport=40000):
        return Ether(src=self.pa.mac, dst=self.ra_mac) / \
            IPv6(src=src, dst=dst, hlim=64) / UDP(sport=sport, dport=7777) / \
            Raw(tag)

    def collect(self):
        self.at_a += self.pa.drain()
        self.at_b += self.pb.drain()

    def wait_for(self, where, tag, deadline):
        while True:
            self.collect()
            if any(tag in f for f in where):
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.002)

    def fence(self):
        """See the file comment. Fails the run if a fence is lost."""
        self.fences += 1
        n = self.fences
        t_x, t_k, t_ba = (self.tag("fence", f"{n}x"),
                          self.tag("fence", f"{n}k"),
                          self.tag("fence", f"{n}ba"))
        self.pa.send(self.frame4("10.1.0.2", "10.20.0.6", t_x))
        self.pa.send(self.frame4("10.1.0.2", "10.20.0.6", t_k, opts=True))
        end = time.monotonic() + FENCE_TIMEOUT
        if not (self.wait_for(self.at_b, t_x, end) and
                self.wait_for(self.at_b, t_k, end)):
            raise SystemExit(f"FAIL: fence {n} A -> B lost "
                             f"({FENCE_TIMEOUT:.0f} s)")
        self.pb.send(self.frame4("10.2.0.2", "10.11.0.9", t_ba, to_b=True))
        if not self.wait_for(self.at_a, t_ba, time.monotonic() +
                             FENCE_TIMEOUT):
            raise SystemExit(f"FAIL: fence {n} B -> A lost "
                             f"({FENCE_TIMEOUT:.0f} s)")


def is_udp(raw):
    """RAW is a UDP packet itself (not an ICMP error quoting one)."""
    et = raw[12:14]
    return (et == b"\x08\x00" and raw[23] == 17) or \
        (et == b"\x86\xdd" and raw[20] == 17)


def redirects(frames, src, dst):
    """Gateways/targets of the ICMP redirects among FRAMES about packets
    from SRC to DST."""
    out = []
    for raw in frames:
        f = Ether(raw)
        if ICMP in f and f[ICMP].type == 5 and IPerror in f:
            inner = f[IPerror]
            if inner.src == src and inner.dst == dst:
                out.append({"from": f[IP].src, "code": f[ICMP].code,
                            "gw": f[ICMP].gw})
        elif ICMPv6ND_Redirect in f:
            r = f[ICMPv6ND_Redirect]
            if r.dst == dst:
                out.append({"from": f[IPv6].src, "to": f[IPv6].dst,
                            "gw": r.tgt})
    return out


# ------------------------------------------------------------ a run

def set_sysctls(router, s):
    args = [f"net.ipv4.conf.{k}={v}" for k, v in sorted(s.items())]
    subprocess.run(["ip", "netns", "exec", router, "sysctl", "-qw", *args],
                   check=True)


def read_stats(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True,
                         text=True).stdout
    for i in json.loads(out):
        if i["ifname"] == "ra":
            return {k: v["packets"] for k, v in i["outcomes"].items()}
    raise SystemExit("FAIL: ra not in `stats --json`")


def run_case(w, a, stats_cmd, phase, case, results):
    key, fam, src, dst, deliver, outcomes = case[:6]
    want_redir = case[6] if len(case) > 6 else None
    hairpin = len(case) > 6
    name = f"{phase} / {key}"
    before = read_stats(stats_cmd) if stats_cmd else None
    tags = [w.tag(f"{len(results)}", i) for i in range(K)]
    for t in tags:
        if fam == 4:
            w.pa.send(w.frame4(src, dst, t))
        else:
            w.pa.send(w.frame6(src, dst, t))
    w.fence()
    after = read_stats(stats_cmd) if stats_cmd else None
    where = [f for f in (w.at_a if hairpin else w.at_b) if is_udp(f)]
    other = [f for f in (w.at_b if hairpin else w.at_a) if is_udp(f)]
    got = [i for i, t in enumerate(tags) if any(t in f for f in where)]
    astray = [i for i, t in enumerate(tags) if any(t in f for f in other)]
    dups = [i for i, t in enumerate(tags)
            if sum(1 for f in where if t in f) > 1]
    redir = redirects(w.at_a, src, dst)
    rec = {"phase": phase, "case": key, "src": src, "dst": dst,
           "delivered": got, "astray": astray, "redirects": redir}
    # The model of the kernel (see the module comment).
    exp = list(range(K)) if deliver else []
    if got != exp:
        fail(f"{a.mode}: {name}: delivered {got}, the kernel's rules say "
             f"{exp}")
    if astray or dups:
        fail(f"{a.mode}: {name}: packets {astray} astray, {dups} twice")
    if hairpin:
        gws = sorted({r["gw"] for r in redir})
        if want_redir is None and redir:
            fail(f"{a.mode}: {name}: ICMP redirect(s) {redir}, none expected")
        elif want_redir is not None and gws != [want_redir]:
            fail(f"{a.mode}: {name}: ICMP redirects to {gws}, expected "
                 f"at least one naming {want_redir}")
        for r in redir:
            if fam == 4 and (r["from"] != "10.1.0.1" or r["code"] != 1):
                fail(f"{a.mode}: {name}: redirect {r}: not a host redirect "
                     "from 10.1.0.1")
            if fam == 6 and (not r["from"].startswith("fe80:") or
                             r["to"] != src):
                fail(f"{a.mode}: {name}: redirect {r}: not from R's "
                     f"link-local address to {src}")
    elif redir:
        fail(f"{a.mode}: {name}: unexpected ICMP redirect {redir}")
    if stats_cmd:
        delta = {k: after.get(k, 0) - before.get(k, 0) for k in WATCHED}
        delta["redirect"] -= 1          # the XDP fence
        allowed = outcomes[a.mode]
        rec["outcomes"] = {k: v for k, v in delta.items() if v}
        if sum(delta[k] for k in allowed) != K or \
                any(v for k, v in delta.items() if k not in allowed):
            fail(f"{a.mode}: {name}: outcomes on ra {rec['outcomes']}, "
                 f"expected {K} x {'|'.join(sorted(allowed))}")
    results.append(rec)
    print(f"  {a.mode}: {name}: delivered {len(got)}/{K}"
          f"{', redirects ' + str(len(redir)) if redir else ''}"
          f"{', ' + str(rec.get('outcomes')) if stats_cmd else ''}",
          file=sys.stderr)


def cmd_run(a):
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    stats_cmd = shlex.split(a.stats_cmd) if a.mode != "kernel" else None
    w = Wire(a)
    w.fence()                       # the path works at all
    fresh = Fresh(a.seq)
    results = []
    t0 = time.monotonic()
    for phase, s, gen in phases():
        set_sysctls(a.router, s)
        cases = hairpin_cases(s, fresh) if gen == "hairpin" else \
            gen(s)
        for case in cases:
            run_case(w, a, stats_cmd, phase, case, results)
        w.at_a.clear()
        w.at_b.clear()
    with open(a.out, "w") as f:
        json.dump({"mode": a.mode, "results": results}, f, indent=1)
    print(json.dumps({"mode": a.mode, "cases": len(results),
                      "seconds": round(time.monotonic() - t0, 2),
                      "failures": len(failures)}))


def named(rec):
    """What the redirects of a case name: the destination itself (each run
    has its own), or a gateway."""
    return sorted({"(the destination)" if r["gw"] == rec["dst"] else r["gw"]
                   for r in rec["redirects"]})


def cmd_compare(a):
    runs = []
    for path in a.files:
        with open(path) as f:
            runs.append(json.load(f))
    ref = runs[0]
    for run in runs[1:]:
        if len(run["results"]) != len(ref["results"]):
            fail(f"{run['mode']}: {len(run['results'])} cases, "
                 f"{ref['mode']}: {len(ref['results'])}")
            continue
        for k, x in zip(ref["results"], run["results"]):
            name = f"{x['phase']} / {x['case']}"
            assert (k["phase"], k["case"]) == (x["phase"], x["case"])
            if k["delivered"] != x["delivered"]:
                fail(f"{name}: {ref['mode']} delivered {k['delivered']}, "
                     f"{run['mode']} {x['delivered']}")
            kg, xg = named(k), named(x)
            if kg != xg:
                fail(f"{name}: ICMP redirects naming {kg} with "
                     f"{ref['mode']}, {xg} with {run['mode']}")
    print(json.dumps({"compared": [r["mode"] for r in runs],
                      "cases": len(ref["results"]),
                      "failures": len(failures)}))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("--mode", required=True, choices=("kernel", "fib",
                                                     "table"))
    r.add_argument("--seq", type=int, required=True,
                   help="0, 1, 2: the run's own hairpin addresses")
    r.add_argument("--router", required=True)
    r.add_argument("--a", required=True)
    r.add_argument("--b", required=True)
    r.add_argument("--stats-cmd")
    r.add_argument("--out", required=True)
    c = sub.add_parser("compare")
    c.add_argument("files", nargs="+")
    a = p.parse_args()
    if a.command == "run":
        if a.mode != "kernel" and not a.stats_cmd:
            p.error("the XDP modes need --stats-cmd")
        cmd_run(a)
    else:
        cmd_compare(a)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
