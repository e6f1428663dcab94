#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""seqflow.py - a paced UDP stream with sequence numbers, and its receiver.

  seqflow.py recv --port P [--count N | --sent FILE] --ready FILE --out FILE
                  [--idle S]
  seqflow.py send --dst ADDR --port P [--count N] [--stop FILE] --rate PPS
                  [--burst B]

The sender sends datagrams 0..N-1 (an 8-byte sequence number, padded to
64 bytes of payload), in bursts of B, paced to PPS packets a second; with
--stop instead of --count, until FILE exists. It prints {"sent", ...}. The
receiver counts them until all N arrived or nothing came for S seconds
(after the first); with --sent, N is read from the sender's report in FILE
once it is there, and only then may it stop for S seconds of silence (a
sender descheduled for a while does not end it). It writes {"received", "unique", "missing",
"missing_ranges", "duplicates", "out_of_order", "socket_drops"} to --out:
loss is `missing` (without --count: of 0..the highest number seen; compare
`unique` with the sender's `sent`), and `socket_drops` tells the
receiver's own drops apart from the network's.
"""
import argparse
import json
import os
import socket
import struct
import sys
import time

SO_RXQ_OVFL = 40
SO_RCVBUFFORCE = 33
CATCH_UP = 0.05		# seconds of backlog the sender may send at once


def last_max(seen):
    """1 + the highest sequence number seen."""
    return len(seen.rstrip(b"\0"))


def recv(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # Root: a buffer big enough that a descheduled receiver loses nothing.
    s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 64 << 20)
    s.setsockopt(socket.SOL_SOCKET, SO_RXQ_OVFL, 1)
    s.bind(("0.0.0.0", a.port))
    seen = bytearray(a.count or 1 << 24)
    got = dups = ooo = drops = 0
    last = -1
    open(a.ready, "w").close()
    s.settimeout(0.2 if a.sent else a.idle)
    first = True
    t_last = time.monotonic()
    while not a.count or got < a.count:
        try:
            data, anc, _, _ = s.recvmsg(2048, socket.CMSG_SPACE(4))
        except socket.timeout:
            if a.sent:
                if not a.count and os.path.exists(a.sent) and os.path.getsize(a.sent):
                    try:
                        with open(a.sent) as f:
                            a.count = json.load(f)["sent"]
                    except ValueError:	# being written
                        pass
                if a.count and time.monotonic() - t_last >= a.idle:
                    break
                continue
            if not first:
                break
            continue
        first = False
        t_last = time.monotonic()
        for lvl, typ, val in anc:
            if lvl == socket.SOL_SOCKET and typ == SO_RXQ_OVFL:
                drops = struct.unpack("I", val[:4])[0]
        if len(data) < 8:
            continue
        seq = struct.unpack("!Q", data[:8])[0]
        if seq >= len(seen):
            continue
        if seen[seq]:
            dups += 1
            continue
        seen[seq] = 1
        got += 1
        if seq < last:
            ooo += 1
        last = seq
    missing = [i for i in range(a.count or last_max(seen)) if not seen[i]]
    ranges = []
    for i in missing:
        if ranges and ranges[-1][1] == i - 1:
            ranges[-1][1] = i
        else:
            ranges.append([i, i])
    rep = {"received": got + dups, "unique": got, "missing": len(missing),
           "missing_ranges": ranges[:20], "duplicates": dups,
           "out_of_order": ooo, "socket_drops": drops}
    with open(a.out + ".tmp", "w") as f:
        json.dump(rep, f)
    os.rename(a.out + ".tmp", a.out)


def send(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((a.dst, a.port))
    pad = bytes(56)
    t0 = t_start = time.monotonic()
    seq = 0
    limit = a.count or float("inf")
    while seq < limit and not (a.stop and os.path.exists(a.stop)
                               and seq >= a.at_least):
        for _ in range(int(min(a.burst, limit - seq))):
            while True:
                try:
                    s.send(struct.pack("!Q", seq) + pad)
                    break
                except BlockingIOError:
                    time.sleep(0.0005)
            seq += 1
        ahead = t0 + seq / a.rate - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
        elif ahead < -max(a.burst, a.rate * CATCH_UP) / a.rate:
            # Descheduled for long (a busy machine): catch up no more than
            # CATCH_UP seconds' worth at once, go on at the rate from
            # there - not a burst of thousands the test itself made.
            t0 -= ahead + CATCH_UP
    took = time.monotonic() - t_start
    print(json.dumps({"sent": seq, "seconds": round(took, 3),
                      "pps": round(seq / took) if took else 0}))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("recv")
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--count", type=int, default=0)
    r.add_argument("--ready", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--sent")
    r.add_argument("--idle", type=float, default=3.0)
    t = sub.add_parser("send")
    t.add_argument("--dst", required=True)
    t.add_argument("--port", type=int, required=True)
    t.add_argument("--count", type=int, default=0)
    t.add_argument("--stop")
    t.add_argument("--at-least", type=int, default=0,
                   help="with --stop: not before this many were sent")
    t.add_argument("--rate", type=float, required=True)
    t.add_argument("--burst", type=int, default=16)
    a = p.parse_args()
    recv(a) if a.cmd == "recv" else send(a)


if __name__ == "__main__":
    sys.exit(main())
