#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""fw_flow.py - running flows for the firewall gate's live tests.

  fw_flow.py udprecv --port P --ready FILE --stop FILE --out FILE
  fw_flow.py udpsend --dst ADDR --port P --rate PPS --stop FILE --out FILE
  fw_flow.py tcpsink --port P
  fw_flow.py tcpsend --dst ADDR --port P
  fw_flow.py last --recv FILE --t0 US [--start US]
                     [--commit US] [--sent FILE]

udprecv records, for every datagram, its sequence number (the first 8
bytes) and the kernel's receive timestamp (SO_TIMESTAMPNS, the wall clock
at which the frame reached the receiver's socket layer), and answers every
REPLY_EVERY-th (a flow conntrack sees both ways), until FILE --stop
exists; it writes {"rx": [[seq, ns], ...], "socket_drops": N}.
udpsend sends 64-byte datagrams 0, 1, 2, ... paced to PPS a second (never
more than 50 ms of backlog at once) until --stop exists, then writes
{"sent": N}. tcpsink accepts connections and discards what they send;
tcpsend connects once and writes as fast as the connection takes it
(both until killed; the test reads the sink's byte count with ss).
`last` prints what the receiver got after T0 (us, wall clock): the
delivered datagrams' count, the last one's delay after T0 in ms (may be
negative: none after T0; and after START, COMMIT) and its sequence number, as
JSON.
"""
import argparse
import json
import os
import socket
import struct
import sys
import time

SO_TIMESTAMPNS = 35
SO_RXQ_OVFL = 40
SO_RCVBUFFORCE = 33
REPLY_EVERY = 100


def udprecv(a):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 32 << 20)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.setsockopt(socket.SOL_SOCKET, SO_RXQ_OVFL, 1)
    s.bind(("::", a.port))
    s.settimeout(0.05)
    open(a.ready, "w").close()
    rx, drops = [], 0
    while not os.path.exists(a.stop):
        try:
            data, anc, _, src = s.recvmsg(2048, 256)
        except socket.timeout:
            continue
        ts = None
        for lvl, typ, val in anc:
            if lvl == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS:
                sec, nsec = struct.unpack("qq", val[:16])
                ts = sec * 10**9 + nsec
            elif lvl == socket.SOL_SOCKET and typ == SO_RXQ_OVFL:
                drops = struct.unpack("I", val[:4])[0]
        if len(data) >= 8 and ts is not None:
            seq = struct.unpack("!Q", data[:8])[0]
            rx.append((seq, ts, time.time_ns()))
            # Replies make the flow established for conntrack.
            if seq % REPLY_EVERY == 0:
                s.sendto(data[:8], src)
    with open(a.out + ".tmp", "w") as f:
        json.dump({"rx": rx, "socket_drops": drops}, f)
    os.rename(a.out + ".tmp", a.out)


def udpsend(a):
    fam = socket.AF_INET6 if ":" in a.dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.connect((a.dst, a.port))
    pad = b"\0" * 56
    n = 0
    t0 = time.monotonic()
    while not os.path.exists(a.stop):
        due = int((time.monotonic() - t0) * a.rate)
        # Late (descheduled): catch up at most 50 ms of it at once.
        n = max(n, due - a.rate // 20)
        while n < due:
            try:
                s.send(struct.pack("!Q", n) + pad)
            except OSError:
                pass		# an ICMP error queued on the socket
            n += 1
        time.sleep(1.0 / a.rate)
    with open(a.out + ".tmp", "w") as f:
        json.dump({"sent": n}, f)
    os.rename(a.out + ".tmp", a.out)


def tcpsink(a):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", a.port))
    s.listen(8)
    c, _ = s.accept()
    while c.recv(1 << 16):
        pass


def tcpsend(a):
    fam = socket.AF_INET6 if ":" in a.dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.connect((a.dst, a.port))
    buf = b"x" * 16384
    while True:
        s.sendall(buf)


def last(a):
    rx = json.load(open(a.recv))["rx"]
    t0 = a.t0 * 1000
    after = [r for r in rx if r[1] > t0]
    lastr = max(rx, key=lambda r: r[1]) if rx else [0, t0]
    out = {"received": len(rx), "after_t0": len(after),
           "last_ms": round((lastr[1] - t0) / 1e6, 3), "last_seq": lastr[0],
           "max_seq": max((r[0] for r in rx), default=-1)}
    out["last_user_ms"] = round((lastr[-1] - t0) / 1e6, 3)
    out["tail"] = [[r[0], round((r[1] - t0) / 1e6, 3), round((r[-1] - t0) / 1e6, 3)] for r in sorted(rx, key=lambda r: r[1])[-6:]]
    if a.commit:
        out["last_ms_after_commit"] = round((lastr[1] - a.commit * 1000) / 1e6, 3)
    if a.start:
        out["last_ms_after_start"] = round((lastr[1] - a.start * 1000) / 1e6, 3)
    if a.sent:
        out["sent"] = json.load(open(a.sent))["sent"]
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("udprecv")
    p.add_argument("--port", type=int, required=True)
    for o in ("ready", "stop", "out"):
        p.add_argument("--" + o, required=True)
    p = sub.add_parser("udpsend")
    p.add_argument("--dst", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--rate", type=int, default=2000)
    p.add_argument("--stop", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("tcpsink")
    p.add_argument("--port", type=int, required=True)
    p = sub.add_parser("tcpsend")
    p.add_argument("--dst", required=True)
    p.add_argument("--port", type=int, required=True)
    p = sub.add_parser("last")
    p.add_argument("--recv", required=True)
    p.add_argument("--t0", type=int, required=True)
    p.add_argument("--start", type=int)
    p.add_argument("--commit", type=int)
    p.add_argument("--sent")
    a = ap.parse_args()
    {"udprecv": udprecv, "udpsend": udpsend, "tcpsink": tcpsink,
     "tcpsend": tcpsend, "last": last}[a.cmd](a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
