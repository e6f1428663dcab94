#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""UDP flows with sequence numbers, for test_cpus.sh (plain sockets).

  cpus_flows.py send DST PORT SPORT NFLOWS COUNT   COUNT packets per flow
      from source ports SPORT..SPORT+NFLOWS-1, round robin over the flows
  cpus_flows.py recv PORT SECONDS     print {"received": n, "reordered": n,
      "flows": n} once SECONDS pass without a packet (after the first)
"""
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


def recv(port, idle):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind(("::", port))
    print("ready", file=sys.stderr, flush=True)
    last, got, reordered = {}, 0, 0
    s.settimeout(None)
    while True:
        try:
            data, src = s.recvfrom(2048)
        except socket.timeout:
            break
        s.settimeout(idle)
        flow, seq = struct.unpack("!II", data[:8])
        key = (src[0], src[1], flow)
        if key in last and seq <= last[key]:
            reordered += 1
        last[key] = seq
        got += 1
    print(json.dumps({"received": got, "reordered": reordered,
                      "flows": len(last)}))


if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(sys.argv[2], *map(int, sys.argv[3:7]))
    else:
        recv(int(sys.argv[2]), float(sys.argv[3]))
