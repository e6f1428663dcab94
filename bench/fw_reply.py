#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Replies to every unreplied UDP flow of a router's conntrack table.

    conntrack -L -p udp [-f ipv6] | fw_reply.py --dev IF --dmac MAC

scripts/bench.sh's firewall cases (kernel-fw, fib-fw) need established
flows: the generator's packets create the router's conntrack entries
(masqueraded on the way out), and this sends, from the sink's side, one
UDP frame per entry with the entry's reply tuple (the sink's address and
port to the router's address and the port masquerade chose), so that
conntrack sees a reply (SEEN_REPLY) for each. Raw frames out of IF
(AF_PACKET), to the router's MAC; 100k flows take about a second.
Prints one JSON object: entries read, replies sent, entries already
replied.
"""
import argparse
import json
import re
import socket
import struct
import sys

TUPLE = re.compile(r"src=(\S+) dst=(\S+) sport=(\d+) dport=(\d+)")


def csum(data):
    if len(data) & 1:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frame_v4(dmac, smac, src, dst, sport, dport, size):
    payload = b"\0" * max(0, size - 4 - 14 - 28)
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17,
                     0, socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return dmac + smac + b"\x08\x00" + ip + udp


def frame_v6(dmac, smac, src, dst, sport, dport, size):
    payload = b"\0" * max(0, size - 4 - 14 - 48)
    s6 = socket.inet_pton(socket.AF_INET6, src)
    d6 = socket.inet_pton(socket.AF_INET6, dst)
    ulen = 8 + len(payload)
    udp = struct.pack("!HHHH", sport, dport, ulen, 0) + payload
    c = csum(s6 + d6 + struct.pack("!IxxxB", ulen, 17) + udp) or 0xffff
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    ip = struct.pack("!IHBB", 6 << 28, ulen, 17, 64) + s6 + d6
    return dmac + smac + b"\x86\xdd" + ip + udp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dev", required=True)
    ap.add_argument("--dmac", required=True)
    ap.add_argument("--size", type=int, default=64)
    a = ap.parse_args()
    dmac = bytes.fromhex(a.dmac.replace(":", ""))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.dev, 0))
    smac = s.getsockname()[4]
    entries = sent = replied = 0
    for line in sys.stdin:
        t = TUPLE.findall(line)
        if not line.startswith("udp") or len(t) < 2:
            continue
        entries += 1
        if "[UNREPLIED]" not in line:
            replied += 1
            continue
        src, dst, sport, dport = t[1]
        mk = frame_v6 if ":" in src else frame_v4
        s.send(mk(dmac, smac, src, dst, int(sport), int(dport), a.size))
        sent += 1
    print(json.dumps({"entries": entries, "replies": sent,
                      "already_replied": replied}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
