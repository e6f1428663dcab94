#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Random IPv4 route table for the benchmark.

    routes.py N --via GW --dev IF --batch FILE --dsts FILE [--seed S]

Writes N distinct prefixes as `ip -batch` commands (route add P/L via GW dev
IF) and up to --ndsts (at most 65536) destination addresses, each inside one of the prefixes,
for the generator (`xrb gen --dsts`). Prefix lengths follow roughly the shape
of the Internet's IPv4 table (about 60 % /24, the rest /16../23), spread over
unicast space minus 0/8, 10/8, 127/8, 169.254/16, 198.18/15 and 224/3, so
the kernel's trie is as irregular as a real one, not one dense block.
Deterministic for a given seed.
"""
import argparse
import random

LENGTHS = [(24, 60), (23, 8), (22, 10), (21, 5), (20, 5), (19, 4), (18, 3),
           (17, 2), (16, 3)]
EXCLUDED = [(0x00000000, 8), (0x0A000000, 8), (0x7F000000, 8),
            (0xA9FE0000, 16), (0xC6120000, 15)]
MAX_DSTS = 65536


def excluded(net):
    return any((net >> (32 - l)) == (e >> (32 - l)) for e, l in EXCLUDED)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("--via", required=True)
    ap.add_argument("--dev", required=True)
    ap.add_argument("--batch", required=True)
    ap.add_argument("--dsts", required=True)
    ap.add_argument("--ndsts", type=int, default=MAX_DSTS)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    rnd = random.Random(a.seed)
    lens = [l for l, w in LENGTHS for _ in range(w)]
    seen = set()
    while len(seen) < a.n:
        plen = rnd.choice(lens)
        net = rnd.getrandbits(32) & 0xDFFFFFFF      # below 224/3
        net &= (0xFFFFFFFF << (32 - plen)) & 0xFFFFFFFF
        if net < 0x01000000 or excluded(net):
            continue
        seen.add((net, plen))

    def dotted(x):
        return "%d.%d.%d.%d" % (x >> 24, (x >> 16) & 255, (x >> 8) & 255,
                                x & 255)

    routes = sorted(seen)
    with open(a.batch, "w") as f:
        tail = " via %s dev %s\n" % (a.via, a.dev)
        f.writelines("route add %s/%d%s" % (dotted(n), l, tail)
                     for n, l in routes)
    pick = rnd.sample(routes, max(1, min(len(routes), a.ndsts, MAX_DSTS)))
    with open(a.dsts, "w") as f:
        for net, plen in pick:
            host = rnd.getrandbits(32 - plen) | 1 if plen < 32 else 0
            f.write(dotted(net | (host & ((1 << (32 - plen)) - 1))) + "\n")


if __name__ == "__main__":
    main()
