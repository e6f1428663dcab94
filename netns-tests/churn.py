#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Route and neighbour churn under traffic: does forwarding follow?

  churn.py --sender NS:IF --router-ns NS --router-mac MAC \
           --rx-b NS:IF --rx-c NS:IF --rb IFINDEX --rc IFINDEX \
           [--seconds S] [--noise-rate N] [--window-ms W] [--seed N]

One process, sockets in several namespaces (setns, as pktcheck.py does):
raw packet sockets in the sender's namespace and at the two receivers B
and C, and an rtnetlink socket in the router's namespace. Every change is
made by hand-built netlink requests, timestamped before the request and
after the kernel's ACK (CLOCK_MONOTONIC, shared by all namespaces); every
packet carries its flow, sequence number and send time.

Flows (1000 packets/s each) and the changes made to them:
  v4route  10.99.0.0/24        via 10.2.0.2 (B) <-> via 10.3.0.2 (C)
  v6route  2001:db8:99::/64    via fd00:2::2 (B) <-> via fd00:3::2 (C)
  neigh    10.98.0.0/24        via 10.2.0.50 on rb, whose neighbour entry
                               flips between two MACs and absent (B
                               captures any destination MAC)
  delroute 10.97.0.0/24        via 10.3.0.2 (C) <-> no route at all
  nest     10.96.5.77 under 10.96.0.0/16 via B (fixed), and nested in it
           10.96.5.0/24 via C, 10.96.5.64/26 via B, 10.96.5.76/30 via C,
           one of the three added or deleted at each flip: the longest
           present decides (table mode: a deletion hands the range to
           the next shorter prefix, and the /24 gains and loses its group
           of longer prefixes)
each flipped every 80-250 ms; meanwhile NOISE_RATE (default 400) other
changes per second: /32 and /128 routes added and deleted, permanent
neighbours added and deleted.

A packet sent at ts and received at tr in state S (receiver, or
destination MAC) is stale unless S could have been in force at some time in
[ts, tr]: from the request of the change that set S until the ACK of the
next change plus WINDOW (100 ms, the promise of `populate --watch`). For
every state that lasted longer than the window, the packets sent after
ACK + WINDOW must have arrived, in that state (>= 90 %; none in a state
"absent").

Prints one JSON line (counts, measured lags); exits 1 on a stale packet or
a state whose packets did not arrive.
"""
import argparse
import json
import os
import random
import select
import socket
import statistics
import struct
import sys
import threading
import time

from nsutil import csum, setns

ETH_P_ALL = 0x0003
MAGIC = 0x58525443	# "XRTC"
DPORT = 9999

NLMSG_ERROR = 2
RTM_NEWROUTE, RTM_DELROUTE, RTM_NEWNEIGH, RTM_DELNEIGH = 24, 25, 28, 29
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLM_F_REPLACE, NLM_F_EXCL, NLM_F_CREATE = 0x100, 0x200, 0x400
RTA_DST, RTA_OIF, RTA_GATEWAY = 1, 4, 5
NDA_DST, NDA_LLADDR = 1, 2
NUD_PERMANENT = 0x80
RT_TABLE_MAIN, RTPROT_STATIC, RTN_UNICAST = 254, 4, 1
RT_SCOPE_UNIVERSE, RT_SCOPE_NOWHERE = 0, 255

def now():
    return time.monotonic_ns()


def packet_socket(spec):
    ns, ifname = spec.split(":")
    setns(ns)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((ifname, ETH_P_ALL))
    mac = s.getsockname()[4]
    return s, mac


class Netlink:
    def __init__(self, ns):
        setns(ns)
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
        self.s.bind((0, 0))
        self.seq = 0

    def request(self, mtype, flags, body, attrs, tolerate=()):
        self.seq += 1
        payload = body
        for atype, data in attrs:
            a = struct.pack("HH", 4 + len(data), atype) + data
            payload += a + b"\0" * (-len(a) % 4)
        msg = struct.pack("IHHII", 16 + len(payload), mtype,
                          NLM_F_REQUEST | NLM_F_ACK | flags, self.seq, 0)
        self.s.send(msg + payload)
        while True:
            data = self.s.recv(65536)
            off = 0
            while off < len(data):
                ln, typ, _, seq, _ = struct.unpack_from("IHHII", data, off)
                if typ == NLMSG_ERROR and seq == self.seq:
                    err = -struct.unpack_from("i", data, off + 16)[0]
                    if err and err not in tolerate:
                        raise OSError(err, f"netlink {mtype}: "
                                      f"{os.strerror(err)}")
                    return err
                off += (ln + 3) & ~3

    def route(self, prefix, gw=None, oif=None, delete=False):
        net, plen = prefix.split("/")
        v6 = ":" in net
        fam = socket.AF_INET6 if v6 else socket.AF_INET
        body = struct.pack("BBBBBBBBI", fam, int(plen), 0, 0, RT_TABLE_MAIN,
                           0 if delete else RTPROT_STATIC,
                           RT_SCOPE_NOWHERE if delete else RT_SCOPE_UNIVERSE,
                           0 if delete else RTN_UNICAST, 0)
        attrs = [(RTA_DST, socket.inet_pton(fam, net))]
        if gw:
            attrs.append((RTA_GATEWAY, socket.inet_pton(fam, gw)))
        if oif:
            attrs.append((RTA_OIF, struct.pack("i", oif)))
        if delete:
            return self.request(RTM_DELROUTE, 0, body, attrs,
                                tolerate=(3,))		# ESRCH
        return self.request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE,
                            body, attrs)

    def neigh(self, addr, ifindex, mac=None):
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        body = struct.pack("BBHiHBB", fam, 0, 0, ifindex,
                           NUD_PERMANENT if mac else 0, 0, 0)
        attrs = [(NDA_DST, socket.inet_pton(fam, addr))]
        if mac is None:
            return self.request(RTM_DELNEIGH, 0, body, attrs,
                                tolerate=(2,))		# ENOENT
        attrs.append((NDA_LLADDR, bytes.fromhex(mac.replace(":", ""))))
        return self.request(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE,
                            body, attrs)


def frame(dmac, smac, src, dst, flow, seq, ts):
    payload = struct.pack("!IBIQ", MAGIC, flow, seq, ts) + bytes(15)
    if ":" in dst:
        s6, d6 = (socket.inet_pton(socket.AF_INET6, a) for a in (src, dst))
        ulen = 8 + len(payload)
        udp = struct.pack("!HHHH", 40000 + flow, DPORT, ulen, 0) + payload
        ph = s6 + d6 + struct.pack("!I3xB", ulen, 17)
        c = csum(ph + udp) or 0xffff
        udp = udp[:6] + struct.pack("!H", c) + udp[8:]
        ip = struct.pack("!IHBB", 0x60000000, ulen, 17, 64) + s6 + d6
        return dmac + smac + b"\x86\xdd" + ip + udp
    udp = struct.pack("!HHHH", 40000 + flow, DPORT, 8 + len(payload), 0) \
        + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), seq & 0xffff,
                     0x4000, 64, 17, 0, socket.inet_aton(src),
                     socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return dmac + smac + b"\x08\x00" + ip + udp


def parse(buf):
    """(flow, seq, ts, dmac) of one of our frames, else None."""
    et = buf[12:14]
    if et == b"\x08\x00":
        ihl = (buf[14] & 0x0f) * 4
        if buf[23] != 17:
            return None
        u = 14 + ihl
    elif et == b"\x86\xdd":
        if buf[20] != 17:
            return None
        u = 54
    else:
        return None
    if len(buf) < u + 8 + 17 or struct.unpack_from("!H", buf, u + 2)[0] != DPORT:
        return None
    magic, flow, seq, ts = struct.unpack_from("!IBIQ", buf, u + 8)
    if magic != MAGIC:
        return None
    return flow, seq, ts, buf[0:6].hex(":")


class Flow:
    def __init__(self, fid, name, dst, states):
        self.fid, self.name, self.dst, self.states = fid, name, dst, states
        self.changes = []	# (t_request, t_ack, state)
        self.sent = []		# (seq, ts)
        self.got = []		# (seq, ts, tr, observed state)
        self.state = None
        self.next_at = 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sender", required=True)
    ap.add_argument("--router-ns", required=True)
    ap.add_argument("--router-mac", required=True)
    ap.add_argument("--rx-b", required=True)
    ap.add_argument("--rx-c", required=True)
    ap.add_argument("--rb", type=int, required=True)
    ap.add_argument("--rc", type=int, required=True)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--noise-rate", type=float, default=400)
    ap.add_argument("--window-ms", type=float, default=100)
    ap.add_argument("--pps", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--trace", help="write every change (JSON lines) here")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    W = int(a.window_ms * 1e6)

    tx, a_mac = packet_socket(a.sender)
    rx_b, _ = packet_socket(a.rx_b)
    rx_c, _ = packet_socket(a.rx_c)
    nl = Netlink(a.router_ns)
    r_mac = bytes.fromhex(a.router_mac.replace(":", ""))
    mac_x, mac_y = "02:00:00:00:50:0a", "02:00:00:00:50:0b"

    flows = [Flow(0, "v4route", "10.99.0.1", ["b", "c"]),
             Flow(1, "v6route", "2001:db8:99::1", ["b", "c"]),
             Flow(2, "neigh", "10.98.0.1", [mac_x, mac_y, "absent"]),
             Flow(3, "delroute", "10.97.0.1", ["c", "absent"]),
             Flow(4, "nest", "10.96.5.77", ["b", "c"])]
    ops = {"flips": 0, "noise": 0}
    # Shortest first; the destination's receiver is the longest present's.
    nest = [["10.96.5.0/24", "10.3.0.2", a.rc, "c", False],
            ["10.96.5.64/26", "10.2.0.2", a.rb, "b", False],
            ["10.96.5.76/30", "10.3.0.2", a.rc, "c", False]]

    def nest_state():
        return next((n[3] for n in reversed(nest) if n[4]), "b")

    def nest_toggle():
        n = rng.choice(nest)
        n[4] = not n[4]
        if n[4]:
            nl.route(n[0], n[1], n[2])
        else:
            nl.route(n[0], delete=True)
        return nest_state()

    def apply(f, state):
        t0 = now()
        if f.name == "v4route":
            nl.route("10.99.0.0/24", *(("10.2.0.2", a.rb) if state == "b"
                                       else ("10.3.0.2", a.rc)))
        elif f.name == "v6route":
            nl.route("2001:db8:99::/64", *(("fd00:2::2", a.rb) if state == "b"
                                          else ("fd00:3::2", a.rc)))
        elif f.name == "neigh":
            nl.neigh("10.2.0.50", a.rb, None if state == "absent" else state)
        elif f.name == "nest":
            state = nest_toggle() if state is None else state
        else:
            if state == "absent":
                nl.route("10.97.0.0/24", delete=True)
            else:
                nl.route("10.97.0.0/24", "10.3.0.2", a.rc)
        f.changes.append((t0, now(), state))
        f.state = state
        ops["flips"] += 1

    # Initial state, then time for the watcher to mirror it.
    nl.route("10.98.0.0/24", "10.2.0.50", a.rb)
    nl.route("10.96.0.0/16", "10.2.0.2", a.rb)
    for f, s in zip(flows, ["b", "b", mac_x, "c", "b"]):
        apply(f, s)
    time.sleep(0.5)

    stop_tx = threading.Event()
    stop_rx = threading.Event()

    def sender():
        period = 1e9 / a.pps
        seq = 0
        t_next = now()
        srcs = {4: "10.1.0.2", 6: "fd00:1::2"}
        while not stop_tx.is_set():
            t = now()
            if t < t_next:
                time.sleep(min((t_next - t) / 1e9, 0.001))
                continue
            t_next += period
            seq += 1
            for f in flows:
                ts = now()
                src = srcs[6] if ":" in f.dst else srcs[4]
                tx.send(frame(r_mac, a_mac, src, f.dst, f.fid, seq, ts))
                f.sent.append((seq, ts))

    def receiver():
        socks = {rx_b: "b", rx_c: "c"}
        while not stop_rx.is_set():
            r, _, _ = select.select(list(socks), [], [], 0.05)
            for s in r:
                while True:
                    try:
                        buf, addr = s.recvfrom(4096, socket.MSG_DONTWAIT)
                    except BlockingIOError:
                        break
                    if addr[2] == socket.PACKET_OUTGOING:
                        continue
                    p = parse(buf)
                    if p is None:
                        continue
                    flow, seq, ts, dmac = p
                    f = flows[flow]
                    st = dmac if f.name == "neigh" else socks[s]
                    if f.name == "neigh" and socks[s] != "b":
                        st = "c:" + dmac
                    f.got.append((seq, ts, now(), st))

    th_rx = threading.Thread(target=receiver, daemon=True)
    th_tx = threading.Thread(target=sender, daemon=True)
    th_rx.start()
    th_tx.start()
    time.sleep(0.3)

    # Churn.
    t_start = now()
    t_end = t_start + int(a.seconds * 1e9)
    for f in flows:
        f.next_at = t_start + rng.randint(80, 250) * 1_000_000
    noise_routes, noise_neigh = [], []
    noise_period = 1e9 / a.noise_rate if a.noise_rate else None
    t_noise = t_start
    while now() < t_end:
        t = now()
        for f in flows:
            if t >= f.next_at:
                apply(f, None if f.name == "nest" else
                      rng.choice([s for s in f.states if s != f.state]))
                f.next_at = now() + rng.randint(80, 250) * 1_000_000
        if noise_period and now() >= t_noise:
            t_noise += noise_period
            ops["noise"] += 1
            k = rng.random()
            if k < 0.3 or (k < 0.55 and not noise_routes):
                if rng.random() < 0.6:
                    p = f"10.200.{rng.randint(0, 255)}.{rng.randint(0, 255)}/32"
                    gw = rng.choice([("10.2.0.2", a.rb), ("10.3.0.2", a.rc)])
                else:
                    p = f"2001:db8:200::{rng.getrandbits(16):x}/128"
                    gw = rng.choice([("fd00:2::2", a.rb), ("fd00:3::2", a.rc)])
                nl.route(p, *gw)
                noise_routes.append(p)
            elif k < 0.55:
                nl.route(noise_routes.pop(rng.randrange(len(noise_routes))),
                         delete=True)
            elif k < 0.8 or not noise_neigh:
                n = (f"10.{rng.choice([2, 3])}.0.{rng.randint(100, 199)}")
                nl.neigh(n, a.rb if n.startswith("10.2.") else a.rc,
                         f"02:00:00:00:{rng.randint(0, 255):02x}:"
                         f"{rng.randint(0, 255):02x}")
                noise_neigh.append(n)
            else:
                n = noise_neigh.pop(rng.randrange(len(noise_neigh)))
                nl.neigh(n, a.rb if n.startswith("10.2.") else a.rc, None)
        else:
            time.sleep(0.0002)
    t_churn_end = now()
    time.sleep(0.5)		# last state: traffic goes on
    stop_tx.set()
    th_tx.join()
    time.sleep(0.3)
    stop_rx.set()
    th_rx.join()
    for p in noise_routes + [n[0] for n in nest if n[4]] + ["10.96.0.0/16"]:
        nl.route(p, delete=True)
    for n in noise_neigh:
        nl.neigh(n, a.rb if n.startswith("10.2.") else a.rc, None)

    if a.trace:
        with open(a.trace, "w") as tf:
            for f in flows:
                for t0, t1, st in f.changes:
                    tf.write(json.dumps({"flow": f.name, "t0": t0, "t1": t1,
                                         "state": st}) + "\n")

    # Analysis.
    failures = []
    lags = []		# ms: last stale packet sent after a change's ACK
    first = []		# ms: first packet in the new state after the ACK
    summary = {"seconds": round((t_churn_end - t_start) / 1e9, 2),
               "flips": ops["flips"], "noise_ops": ops["noise"],
               "ops_per_s": round((ops["flips"] + ops["noise"]) /
                                  ((t_churn_end - t_start) / 1e9))}
    total_sent = total_got = 0
    checked = 0
    for f in flows:
        ch = f.changes
        total_sent += len(f.sent)
        total_got += len(f.got)

        def allowed(ts, tr):
            ok = set()
            for i, (t0, _, st) in enumerate(ch):
                until = ch[i + 1][1] + W if i + 1 < len(ch) else float("inf")
                if t0 <= tr and ts <= until:
                    ok.add(st)
            return ok

        stale = 0
        for seq, ts, tr, st in f.got:
            ok = allowed(ts, tr)
            if st not in ok:
                stale += 1
                if stale <= 5:
                    # which change made it stale, and how late
                    last = max((c for c in ch if c[1] <= ts), default=None)
                    late = (ts - last[1]) / 1e6 if last else 0
                    failures.append(
                        f"{f.name}: packet {seq} (ts {ts}) sent {late:.1f} ms after "
                        f"the ACK of the change to {last[2] if last else '?'}"
                        f" arrived as {st} (allowed: {sorted(ok)})")
        if stale > 5:
            failures.append(f"{f.name}: {stale} stale packets in all")
        summary[f"{f.name}_sent"] = len(f.sent)
        summary[f"{f.name}_got"] = len(f.got)
        summary[f"{f.name}_stale"] = stale

        sent_ts = [ts for _, ts in f.sent]
        got_by_seq = {}
        for seq, ts, tr, st in f.got:
            got_by_seq.setdefault(seq, st)
        for i in range(1, len(ch)):
            t0, t1, st = ch[i]
            prev = ch[i - 1][2]
            end = ch[i + 1][0] if i + 1 < len(ch) else t_churn_end
            # lag: the last packet still in the previous state
            # (received before the next change: not a packet the kernel
            # queued for an absent neighbour and sent once it was back)
            old = [ts for _, ts, tr, s in f.got
                   if s == prev and t1 <= ts < end and tr < end]
            if prev != "absent" and prev != st:
                lags.append((max(old) - t1) / 1e6 if old else 0.0)
                if lags[-1] > a.window_ms / 2:
                    print(f"note: {f.name}: change {i} {prev} -> {st}: "
                          f"packets in the old state until {lags[-1]:.1f} ms "
                          f"after the ACK", file=sys.stderr)
            new = [ts for _, ts, _, s in f.got if s == st and ts >= t0]
            if st != "absent" and new:
                first.append((min(new) - t1) / 1e6)
            if end - t1 <= W + 20_000_000:
                continue
            window = [(seq, ts) for seq, ts in f.sent if t1 + W <= ts < end]
            if not window:
                continue
            checked += 1
            arrived = sum(1 for seq, _ in window
                          if got_by_seq.get(seq) == st)
            if st == "absent":
                if any(seq in got_by_seq for seq, _ in window):
                    pass	# counted as stale above
            elif arrived < 0.9 * len(window):
                failures.append(
                    f"{f.name}: after the change to {st} (held "
                    f"{(end - t1) / 1e6:.0f} ms), {arrived} of "
                    f"{len(window)} packets sent after ACK + window arrived"
                    f" there")
        del sent_ts
    summary.update({
        "sent": total_sent, "received": total_got,
        "states_checked": checked,
        "lag_ms_median": round(statistics.median(lags), 2) if lags else None,
        "lag_ms_p95": round(sorted(lags)[int(0.95 * (len(lags) - 1))], 2)
        if lags else None,
        "lag_ms_max": round(max(lags), 2) if lags else None,
        "first_new_ms_median": round(statistics.median(first), 2)
        if first else None,
        "first_new_ms_max": round(max(first), 2) if first else None,
        "failures": len(failures)})
    for m in failures[:20]:
        print("FAIL:", m, file=sys.stderr)
    print(json.dumps(summary))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
