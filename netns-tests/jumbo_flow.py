# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Jumbo frames end to end, payload checked byte for byte (test_jumbo.sh).

  udp   --src NS --dst NS --addr ADDR --ip-len N --count K
        K datagrams of N bytes of IP packet (DF set: never fragmented by
        the sender), each checked at the receiver against what was sent.
  tcp   --src NS --dst NS --addr ADDR --bytes B
        one connection SRC -> DST carrying B bytes; the receiver checks
        every byte.
  echo-server --port P [--log FILE]
        TCP echo (an LB backend): every byte back, until the client's EOF.
  echo  --src NS --addr ADDR --port P --bytes B --conns K
        K connections to an echo server (through the LB's VIP); each sends
        B bytes and checks the B bytes echoed back.

One process: sockets are opened in their namespace (nsutil.setns) and stay
there. The last line printed is a JSON summary; exit 1 on any mismatch.
Every wait is bounded.
"""
import argparse
import hashlib
import json
import socket
import sys
import threading

from nsutil import setns

IP_MTU_DISCOVER, IP_PMTUDISC_DO = 10, 2
IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO = 23, 2
PORT = 47001
TIMEOUT = 10


def pattern(seed, n):
    """n bytes nobody could mistake for another datagram's: SHA-256 in
    counter mode, keyed by seed."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f"{seed}/{i}".encode()).digest()
        i += 1
    return bytes(out[:n])


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def first_diff(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def dont_fragment(s, fam):
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO)
    else:
        s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)


def udp(a):
    fam = family(a.addr)
    size = a.ip_len - (48 if fam == socket.AF_INET6 else 28)
    setns(a.dst)
    rx = socket.socket(fam, socket.SOCK_DGRAM)
    rx.bind((a.addr, PORT))
    rx.settimeout(1)
    setns(a.src)
    tx = socket.socket(fam, socket.SOCK_DGRAM)
    dont_fragment(tx, fam)
    tx.connect((a.addr, PORT))
    exact = resent = 0
    prev = None
    for i in range(a.count):
        want = pattern(f"udp{i}", size)
        # A datagram lost on a loaded machine is sent again (3 tries); one
        # that arrives different is a failure at once.
        for _ in range(3):
            tx.send(want)
            try:
                got = rx.recv(65536)
                while got == prev:	# a late copy of the one before
                    got = rx.recv(65536)
            except socket.timeout:
                resent += 1
                continue
            if got != want:
                sys.exit(f"FAIL: datagram {i}: {len(got)} bytes received, "
                         f"{len(want)} sent, first difference at byte "
                         f"{first_diff(got, want)}")
            exact += 1
            prev = want
            break
        else:
            sys.exit(f"FAIL: datagram {i} ({a.ip_len} bytes) never arrived")
    print(json.dumps({"sent": a.count, "exact": exact, "resent": resent,
                      "ip_len": a.ip_len}))


def recv_all(c, n):
    buf = bytearray()
    while True:
        chunk = c.recv(1 << 20)
        if not chunk:
            return bytes(buf)
        buf += chunk
        if len(buf) > n:
            return bytes(buf)


def tcp(a):
    fam = family(a.addr)
    want = pattern("tcp", a.bytes)
    setns(a.dst)
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.addr, PORT))
    ls.listen(1)
    ls.settimeout(TIMEOUT)
    got = {}

    def receive():
        c, _ = ls.accept()
        c.settimeout(TIMEOUT)
        got["data"] = recv_all(c, a.bytes)
        c.close()

    t = threading.Thread(target=receive, daemon=True)
    t.start()
    setns(a.src)
    s = socket.create_connection((a.addr, PORT), timeout=TIMEOUT)
    mss = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG)
    s.sendall(want)
    s.shutdown(socket.SHUT_WR)
    t.join(TIMEOUT * 3)
    data = got.get("data")
    if data is None:
        sys.exit("FAIL: the receiver got nothing (timeout)")
    if data != want:
        sys.exit(f"FAIL: {len(data)} bytes received, {len(want)} sent, "
                 f"first difference at byte {first_diff(data, want)}")
    print(json.dumps({"bytes": len(data), "exact": True, "mss": mss}))


def echo_server(a):
    ls = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    ls.bind(("::", a.port))
    ls.listen(64)
    log = open(a.log, "a", buffering=1) if a.log else sys.stdout
    print("ready", file=log)

    def serve(c):
        with c:
            c.settimeout(TIMEOUT)
            try:
                while True:
                    chunk = c.recv(1 << 20)
                    if not chunk:
                        break
                    c.sendall(chunk)
            except OSError:
                pass

    while True:
        c, peer = ls.accept()
        print(f"accept {peer[0]}", file=log)
        threading.Thread(target=serve, args=(c,), daemon=True).start()


def echo(a):
    setns(a.src)
    fam = family(a.addr)
    for i in range(a.conns):
        want = pattern(f"echo{i}", a.bytes)
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(TIMEOUT)
        s.connect((a.addr, a.port))
        got = {}

        # Read while writing: the echo fills the socket buffers otherwise.
        def receive(s=s, got=got):
            got["data"] = recv_all(s, a.bytes)

        t = threading.Thread(target=receive, daemon=True)
        t.start()
        s.sendall(want)
        s.shutdown(socket.SHUT_WR)
        t.join(TIMEOUT * 3)
        s.close()
        data = got.get("data")
        if data is None:
            sys.exit(f"FAIL: connection {i}: no echo (timeout)")
        if data != want:
            sys.exit(f"FAIL: connection {i}: {len(data)} bytes echoed, "
                     f"{len(want)} sent, first difference at byte "
                     f"{first_diff(data, want)}")
    print(json.dumps({"conns": a.conns, "bytes": a.bytes, "exact": True}))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    u = sub.add_parser("udp")
    t = sub.add_parser("tcp")
    for q in (u, t):
        q.add_argument("--src", required=True)
        q.add_argument("--dst", required=True)
        q.add_argument("--addr", required=True)
    u.add_argument("--ip-len", type=int, required=True)
    u.add_argument("--count", type=int, default=10)
    t.add_argument("--bytes", type=int, required=True)
    es = sub.add_parser("echo-server")
    es.add_argument("--port", type=int, required=True)
    es.add_argument("--log")
    e = sub.add_parser("echo")
    e.add_argument("--src", required=True)
    e.add_argument("--addr", required=True)
    e.add_argument("--port", type=int, required=True)
    e.add_argument("--bytes", type=int, required=True)
    e.add_argument("--conns", type=int, default=3)
    a = p.parse_args()
    {"udp": udp, "tcp": tcp, "echo-server": echo_server,
     "echo": echo}[a.cmd](a)


if __name__ == "__main__":
    main()
