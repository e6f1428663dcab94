#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""UDP flows with sequence numbers, for test_cpus.sh (plain sockets).

  cpus_flows.py send DST PORT SPORT NFLOWS COUNT   COUNT packets per flow
      from source ports SPORT..SPORT+NFLOWS-1, round robin over the flows
  cpus_flows.py recv PORT COUNT SENT READY   bind, create the file READY,
      count; print {"received": n, "reordered": n, "flows": n,
      "socket_drops": n} once COUNT packets arrived, or once the file SENT
      (the sender's report) exists and nothing came for IDLE seconds (the
      rest was lost), at the latest after MAX_SECONDS (a hang)
"""
import os
import json
import socket
import struct
import sys
import time


def send(dst, port, sport, nflows, count):
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    socks = []
    for i in range(nflows):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.bind(("", sport + i))
        socks.append(s)
    for seq in range(count):
        if seq % 64 == 63:
            time.sleep(0.002)	# the receiver is Python: pace a little
        for i, s in enumerate(socks):
            s.sendto(struct.pack("!II", i, seq) + b"x" * 32, (dst, port))
    print(json.dumps({"sent": count * nflows}), flush=True)


IDLE = 2.0
MAX_SECONDS = 120
SO_RXQ_OVFL = 40
SO_RCVBUFFORCE = 33


def recv(port, count, sent, ready):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    # Root: a buffer big enough that a descheduled receiver loses nothing.
    s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 64 << 20)
    s.setsockopt(socket.SOL_SOCKET, SO_RXQ_OVFL, 1)
    s.bind(("::", port))
    open(ready, "w").close()
    last, got, reordered, drops = {}, 0, 0, 0
    s.settimeout(0.2)
    t_end = time.monotonic() + MAX_SECONDS
    t_last = None
    while got < count and time.monotonic() < t_end:
        try:
            data, anc, _, src = s.recvmsg(2048, socket.CMSG_SPACE(4))
        except socket.timeout:
            if os.path.exists(sent) and os.path.getsize(sent):
                t_last = t_last or time.monotonic()
                if time.monotonic() - t_last >= IDLE:
                    break
            continue
        t_last = time.monotonic()
        for lvl, typ, val in anc:
            if lvl == socket.SOL_SOCKET and typ == SO_RXQ_OVFL:
                drops = struct.unpack("I", val[:4])[0]
        flow, seq = struct.unpack("!II", data[:8])
        key = (src[0], src[1], flow)
        if key in last and seq <= last[key]:
            reordered += 1
        last[key] = seq
        got += 1
    print(json.dumps({"received": got, "reordered": reordered,
                      "flows": len(last), "socket_drops": drops}))


if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(sys.argv[2], *map(int, sys.argv[3:7]))
    else:
        recv(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5])
