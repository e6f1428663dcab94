#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Differential check of the router's table lookup mode against the kernel.

Run inside the router's network namespace (ip netns exec).

  fibdiff.py routes --seed S --count N --resolved4 GW... --unresolved4 GW...
                    --resolved6 GW... --unresolved6 GW... [--mtu M]
      Prints `ip -batch` lines adding N random IPv4 and N/2 random IPv6
      routes, many nested in each other: unicast via resolved and
      unresolved gateways, weighted ECMP, blackhole, unreachable, prohibit,
      with and without an mtu metric.

  fibdiff.py compare --helper XRT_FIBDIFF --obj XDP_ROUTER_BPF_O --pin PIN
                     --ingress IF --src4 A --src6 A6 --attached IF,IF,...
                     [--seed S] [--random4 N] [--random6 N] [--route-get N]
      Reads the kernel's routes (main and local tables, nexthops flagged
      dead or -- with ignore_routes_with_linkdown -- linkdown left out),
      nexthops, neighbours and links; makes packets to the edges of every
      route's prefix (first and last address, the addresses just outside,
      random ones inside), to the router's own and broadcast addresses, the
      gateways, the neighbours and random addresses, of sizes around every
      MTU, TTL 64 and some TTL 1/2 and 255, UDP, TCP and ICMP; runs
      each through the pinned (table mode) program and through a fib-mode
      instance of the same object (xrt_fibdiff) and requires the same XDP
      action, the same outcome counter and the same output frame. For a
      destination of an ECMP route the table's choice may differ from the
      kernel's: it must then be what one of the route's members gives (its
      egress MAC and the member's neighbour MAC; or the frame passed, with
      the outcome of the first check that member fails: MTU, neighbour,
      egress attached).
      A sample is also checked against `ip route get ... iif IF`.
      Prints one JSON line (counts); exits 1 with FAIL: lines on failure.
"""
import argparse
import ipaddress
import json
import random
import subprocess
import sys
from collections import Counter, defaultdict

from fibdiff_frames import (ACTIONS, OUTCOMES, SIZES, XDP_DROP, XDP_PASS,
                            XDP_REDIRECT, mac_bytes, make_frame,
                            outcome_name, special)
from fibdiff_kernel import Kernel

failures = []


def fail(msg):
    failures.append(msg)


# ------------------------------------------------------------------ routes

def rand_prefix(rng, fam, parent=None):
    bits = 32 if fam == 4 else 128
    if parent is not None and parent.prefixlen < bits:
        plen = rng.randint(parent.prefixlen + 1,
                           min(bits, parent.prefixlen + 12))
        host = rng.getrandbits(bits - parent.prefixlen)
        addr = int(parent.network_address) | host
    elif fam == 4:
        plen = rng.choice([8, 12, 16, 16, 20, 22, 24, 24, 24, 28, 30, 32])
        while True:
            addr = rng.getrandbits(32)
            first = addr >> 24
            # outside 0/8, 10/8 (the hand-made routes), loopback,
            # multicast and class E
            if first not in (0, 10, 127) and first < 224:
                break
    else:
        plen = rng.choice([16, 32, 40, 48, 48, 56, 64, 64, 96, 112, 128])
        top = rng.choice([0x2001_0db8, 0x2a00_0000 | rng.getrandbits(16),
                          0x3fff_0000 | rng.getrandbits(16)])
        if plen < 32:
            top &= ~((1 << (32 - plen)) - 1) & 0xffffffff
        addr = (top << 96) | rng.getrandbits(96)
    net = ipaddress.ip_network((addr, plen), strict=False)
    return net


def cmd_routes(a):
    rng = random.Random(a.seed)
    out = []
    for fam, count, res, unres in ((4, a.count, a.resolved4, a.unresolved4),
                                   (6, a.count // 2, a.resolved6,
                                    a.unresolved6)):
        made = []
        seen = set()
        while len(made) < count:
            parent = rng.choice(made) if made and rng.random() < 0.4 else None
            net = rand_prefix(rng, fam, parent)
            if net in seen:
                continue
            seen.add(net)
            made.append(net)
            r = rng.random()
            if r < 0.55:
                spec = f"via {rng.choice(res)}"
            elif r < 0.63:
                spec = f"via {rng.choice(unres)}"
            elif r < 0.75:
                gws = rng.sample(res, min(len(res), rng.randint(2, 4)))
                spec = " ".join(f"nexthop via {g} weight {rng.randint(1, 5)}"
                                for g in gws)
            elif r < 0.82:
                spec = "blackhole"
            elif r < 0.88:
                spec = "unreachable"
            elif r < 0.92:
                spec = "prohibit"
            else:
                spec = f"via {rng.choice(res)} mtu {rng.choice(a.mtu)}"
            if spec in ("blackhole", "unreachable", "prohibit"):
                out.append(f"route add {spec} {net}")
            elif spec.startswith("nexthop"):
                out.append(f"route add {net} {spec}")
            else:
                out.append(f"route add {net} {spec}")
    print("\n".join(out))


# ------------------------------------------------------------------ compare

def destinations(k, rng, n4, n6, weighed):
    """(address, tag) pairs: prefix edges, gateways, neighbours, random."""
    dsts = []
    for fam in (4, 6):
        bits = 32 if fam == 4 else 128
        top = (1 << bits) - 1
        for plen, tbl in k.routes[fam].items():
            for rs in tbl.values():
                r = k._usable(rs[0]) or rs[0]
                net = rs[0]["net"]
                lo, hi = int(net.network_address), int(net.broadcast_address)
                edge = [lo, hi, lo - 1, hi + 1, rng.randint(lo, hi),
                        rng.randint(lo, hi)]
                for a in edge:
                    if 0 <= a <= top:
                        dsts.append((ipaddress.ip_address(a)
                                     if fam == 6 else
                                     ipaddress.IPv4Address(a), "edge"))
                if len(k.members(r)) > 1:	# ECMP: many flows
                    flows = 400 if str(net) in weighed else 10
                    for _ in range(flows):
                        a = rng.randint(lo, hi)
                        dsts.append((ipaddress.IPv6Address(a) if fam == 6
                                     else ipaddress.IPv4Address(a), "ecmp"))
    for fam in (4, 6):			# the router's own addresses, broadcasts
        for tbl in k.local[fam].values():
            for rs in tbl.values():
                dsts.append((rs[0]["net"].network_address, "local"))
    for (_, a) in k.neigh:
        dsts.append((a, "neigh"))
    for nh in k.nexthops.values():
        if "gateway" in nh:
            dsts.append((ipaddress.ip_address(nh["gateway"]), "gw"))
    for _ in range(n4):
        dsts.append((ipaddress.IPv4Address(rng.getrandbits(32)), "random"))
    for _ in range(n6):
        hi = rng.choice([0x2001_0db8, 0x2000_0000 | rng.getrandbits(29),
                         0xfd00_0000 | rng.getrandbits(24)])
        dsts.append((ipaddress.IPv6Address((hi << 96) | rng.getrandbits(96)),
                     "random"))
    return dsts


def decode(fields):
    return int(fields[0]), int(fields[1]), \
        b"" if fields[2] == "-" else bytes.fromhex(fields[2])


def describe(res):
    action, outcome, out = res
    s = f"{ACTIONS.get(action, action)}/{outcome_name(outcome)}"
    if action == XDP_REDIRECT:
        s += f" dmac {out[0:6].hex(':')} smac {out[6:12].hex(':')}"
    return s


def ecmp_allowed(k, r, frame, dst, size):
    """Results (action, outcome, bytes) forwarding by one of ECMP route
    r's members may give."""
    mtu = k.route_mtu(r)
    return [k.hop_result(frame, dst, dev, gw, mtu, size)
            for dev, gw, _ in k.members(r)]


def route_get(k, c):
    """The kernel's answer for case c, by `ip route get ... iif`: the
    (action, bytes) it allows."""
    args = ["ip", "-j", f"-{c['dst'].version}", "route", "get", "to",
            str(c["dst"]), "from", str(c["src"]), "iif", c["iif"]]
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode:
        if "Invalid argument" in p.stderr:		# blackhole
            return [(XDP_DROP, c["frame"])], p.stderr.strip()
        return [(XDP_PASS, c["frame"])], p.stderr.strip()
    g = json.loads(p.stdout)[0]
    desc = json.dumps(g)
    if g.get("type", "unicast") != "unicast":
        return [(XDP_PASS, c["frame"])], desc
    r = k.lpm(c["dst"])
    if r is not None and len(k.members(r)) > 1:
        # the kernel's pick for `ip route get` is one member; any will do
        return [(x[0], x[2]) for x in ecmp_allowed(
            k, r, c["frame"], c["dst"], c["size"])], desc
    gw = g.get("gateway") or (g.get("via") or {}).get("host")
    mtu = None
    for m in g.get("metrics", []):
        if isinstance(m, dict) and "mtu" in m:
            mtu = m["mtu"]
    action, _, out = k.hop_result(c["frame"], c["dst"], g["dev"], gw, mtu,
                                  c["size"])
    return [(action, out)], desc


def cmd_compare(a):
    rng = random.Random(a.seed)
    k = Kernel(a.attached.split(","))
    src4, src6 = ipaddress.ip_address(a.src4), ipaddress.ip_address(a.src6)
    in_mac = k.mac(a.ingress)
    ifindex = k.links[a.ingress]["ifindex"]
    peer_mac = "02:00:5e:00:53:01"

    cases = []
    for dst, tag in destinations(k, rng, a.random4, a.random6, a.weights):
        if tag == "ecmp":		# flows for the weight check
            size = rng.randint(60, 1280)
        elif rng.random() < 0.4:
            size = rng.choice(SIZES)
        else:
            size = rng.randint(60, 1500)
        if dst.version == 6:
            size = max(size, 48)
        ttl = rng.choices([64, 2, 1, 255], [90, 4, 4, 2])[0] \
            if tag != "ecmp" else 64
        proto = rng.choices(["udp", "tcp", "icmp"], [70, 20, 10])[0]
        src = src4 if dst.version == 4 else src6
        frame = make_frame(rng, in_mac, peer_mac, src, dst, size, ttl,
                           rng.random() < 0.8, proto)
        cases.append({"dst": dst, "src": src, "tag": tag, "size": size,
                      "ttl": ttl, "frame": frame, "iif": a.ingress})

    inp = "".join(f"{ifindex} {c['frame'].hex()}\n" for c in cases)
    p = subprocess.run([a.helper, "--fib-obj", a.obj, a.pin], input=inp,
                       capture_output=True, text=True)
    sys.stderr.write("".join("    " + l + "\n"
                             for l in p.stderr.splitlines()))
    if p.returncode:
        sys.exit(f"FAIL: {a.helper} exited {p.returncode}")
    if f"xrt_fibdiff: {len(OUTCOMES)} outcomes" not in p.stderr:
        sys.exit("FAIL: fibdiff_frames.OUTCOMES does not list the data "
                 "plane's outcomes")
    if a.expect_table and "pinned program: " not in p.stderr:
        sys.exit("FAIL: cannot tell the pinned program's lookup mode")
    if a.expect_table and any(
            l.strip().endswith("= 0") for l in p.stderr.splitlines()
            if "pinned program:" in l):
        sys.exit("FAIL: the pinned program is in fib lookup mode")
    lines = p.stdout.splitlines()
    if len(lines) != len(cases):
        sys.exit(f"FAIL: {len(lines)} results for {len(cases)} cases")

    stats = Counter()
    kinds = Counter()		# (table outcome, fib outcome) of mismatches
    outcome_diff = Counter()
    ecmp_pick = defaultdict(Counter)	# route -> (member index) -> count
    ecmp_kernel = defaultdict(Counter)
    for c, line in zip(cases, lines):
        f = line.split()
        t, fb = decode(f[0:3]), decode(f[3:6])
        c["t"], c["f"] = t, fb
        stats["compared"] += 1
        if a.count_mac and t[0] == XDP_REDIRECT and \
                t[2][0:6] == mac_bytes(a.count_mac):
            stats["count_mac"] += 1
        stats[f"v{c['dst'].version}"] += 1
        stats[ACTIONS.get(t[0], "?")] += 1
        r = k.lpm(c["dst"])
        mem = k.members(r) if r is not None else []
        same = t == fb			# action, outcome counter, bytes
        if len(mem) > 1 and c["ttl"] > 1 and not special(c["dst"]):
            stats["ecmp"] += 1
            allowed = ecmp_allowed(k, r, c["frame"], c["dst"], c["size"])
            if not (same or t in allowed):
                fail(f"{c['dst']} ({r['net']}, ECMP, {c['size']} B, TTL "
                     f"{c['ttl']}): table {describe(t)} is none of the "
                     f"members' results; fib {describe(fb)}")
            elif (all(x[0] == XDP_REDIRECT for x in allowed)
                  and len(set(allowed)) == len(allowed)):
                # every member forwards, each differently: count the picks
                for res, cnt in ((t, ecmp_pick), (fb, ecmp_kernel)):
                    if res in allowed:
                        cnt[str(r["net"])][allowed.index(res)] += 1
            continue
        if not same:
            if (t[0], t[2]) == (fb[0], fb[2]):
                outcome_diff[(outcome_name(t[1]), outcome_name(fb[1]))] += 1
            else:
                kinds[(outcome_name(t[1]), outcome_name(fb[1]))] += 1
            fail(f"{c['dst']} ({r['net'] if r else 'no route'}, {c['tag']}, "
                 f"{c['size']} B, TTL {c['ttl']}): table {describe(t)}, "
                 f"fib {describe(fb)}")

    # Weighted ECMP: the table's picks follow the weights (loosely).
    for net in a.weights:
        if net not in ecmp_pick:
            fail(f"ECMP {net}: no flow to check its weights")
    for net, picks in ecmp_pick.items():
        r = k.lpm(ipaddress.ip_network(net).network_address)
        weights = [w for _, _, w in k.members(r)]
        total = sum(picks.values())
        if net not in a.weights:
            continue
        if total < 200:
            fail(f"ECMP {net}: only {total} flows to check the weights")
            continue
        for i, w in enumerate(weights):
            share = picks[i] / total
            want = w / sum(weights)
            if abs(share - want) > a.weight_tolerance:
                fail(f"ECMP {net}: member {i} (weight {w}/{sum(weights)}) "
                     f"got {share:.0%} of {total} flows in table mode "
                     f"(kernel: {dict(ecmp_kernel[net])})")
        stats["ecmp_weight_checked"] += 1

    # Cross-check a sample against `ip route get`.
    pool = [c for c in cases if c["ttl"] > 1 and c["size"] <= 1280
            and not special(c["dst"])]
    for c in rng.sample(pool, min(a.route_get, len(pool))):
        allowed, desc = route_get(k, c)
        stats["route_get"] += 1
        if (c["t"][0], c["t"][2]) not in allowed:
            fail(f"{c['dst']} ({c['size']} B): table {describe(c['t'])}, "
                 f"but ip route get says {desc}")

    for (to, fo), n in sorted(kinds.items()):
        print(f"FAIL: {n} mismatches: table {to}, fib {fo}", file=sys.stderr)
    for (to, fo), n in sorted(outcome_diff.items()):
        print(f"FAIL: {n} packets with the same action and bytes counted as "
              f"{to} in table mode, {fo} in fib mode", file=sys.stderr)
    for m in failures[:25]:
        print("FAIL:", m, file=sys.stderr)
    if len(failures) > 25:
        print(f"FAIL: ... and {len(failures) - 25} more", file=sys.stderr)
    stats["failures"] = len(failures)
    stats["routes_v4"], stats["routes_v6"] = k.nroutes[4], k.nroutes[6]
    print(json.dumps(dict(stats)))
    sys.exit(1 if failures else 0)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("routes")
    r.add_argument("--seed", type=int, default=1)
    r.add_argument("--count", type=int, default=300)
    r.add_argument("--resolved4", nargs="+", required=True)
    r.add_argument("--unresolved4", nargs="+", required=True)
    r.add_argument("--resolved6", nargs="+", required=True)
    r.add_argument("--unresolved6", nargs="+", required=True)
    r.add_argument("--mtu", type=int, nargs="+", default=[1300, 1400])
    c = sub.add_parser("compare")
    c.add_argument("--helper", required=True)
    c.add_argument("--obj", required=True)
    c.add_argument("--pin", required=True)
    c.add_argument("--ingress", required=True)
    c.add_argument("--attached", required=True)
    c.add_argument("--src4", required=True)
    c.add_argument("--src6", required=True)
    c.add_argument("--seed", type=int, default=1)
    c.add_argument("--random4", type=int, default=1000)
    c.add_argument("--random6", type=int, default=600)
    c.add_argument("--route-get", type=int, default=300)
    c.add_argument("--weights", nargs="*", default=[],
                   help="ECMP prefixes whose weights are checked (400 flows)")
    c.add_argument("--weight-tolerance", type=float, default=0.12)
    c.add_argument("--expect-table", action="store_true",
                   help="fail if the pinned program is in fib mode")
    c.add_argument("--count-mac",
                   help="count table-mode redirects to this destination MAC")
    c.add_argument("--strict-outcome", action="store_true",
                   help="outcome counters must match too: always so now, "
                   "the option stays for old command lines")
    a = ap.parse_args()
    {"routes": cmd_routes, "compare": cmd_compare}[a.cmd](a)


if __name__ == "__main__":
    main()
