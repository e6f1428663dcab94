#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""lb_clients.py - TCP clients for the load balancer tests (with lb_backend.py).

  hold   opens N long-lived connections to DST:PORT (from fixed source ports
         when --sport-base is given), then every --interval seconds sends one
         line on each and records which backend answered; writes --ready once
         every connection got its first answer (or failed), and the number
         of rounds done to --progress after each one; keeps going until
         --stop exists (then one more round) or --max-seconds; writes a JSON
         report to --out:
           {"rounds": R, "conns": [{"i", "sport", "answers": [name per round],
             "peer", "local", "error": null | "round N: ..."}]}
  probe  for each source port of --sports A-B: connect, send one line, read
         the backend's name, close with RST (no TIME_WAIT, and the load
         balancer may forget the flow); JSON {sport: name | "!error"} to --out.
  summary FILE        (hold report) -> JSON: connected, connect_failed,
         broken (failed after connecting), switched (answered by more than one
         backend), answered_all, first (connections per first backend),
         broken_by (broken ones per first backend), rounds.
  moved BEFORE AFTER  (two probe reports over the same ports) -> JSON: total,
         answered (in both), moved (backend differs), by_before {name: [n, moved]}.
  count FILE          (probe report) -> JSON {name: n, "!err": n}.

Every wait is bounded (--timeout per connect and per answer).
"""
import argparse
import asyncio
import json
import os
import socket
import struct
import sys
import time


def rst_close(sock):
    """Close with RST: SO_LINGER 0."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack("ii", 1, 0))
    except OSError:
        pass


async def connect(dst, port, src, sport, timeout):
    loop = asyncio.get_running_loop()
    s = socket.socket(socket.AF_INET6 if ":" in dst else socket.AF_INET,
                      socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setblocking(False)
    try:
        if src or sport:
            s.bind((src or "", sport or 0))
        await asyncio.wait_for(loop.sock_connect(s, (dst, port)), timeout)
        r, w = await asyncio.open_connection(sock=s)
    except BaseException:
        rst_close(s)
        s.close()
        raise
    return r, w


def err(e):
    return f"{type(e).__name__}: {e}".strip()


async def ask(r, w, text, timeout):
    w.write(text.encode() + b"\n")
    await asyncio.wait_for(w.drain(), timeout)
    line = await asyncio.wait_for(r.readline(), timeout)
    if not line:
        raise ConnectionError("connection closed")
    return line.decode(errors="replace").split()


async def hold(a):
    conns = [{"i": i, "sport": (a.sport_base + i) if a.sport_base else None,
              "answers": [], "peer": None, "local": None, "error": None}
             for i in range(a.conns)]
    streams = {}
    sem = asyncio.Semaphore(a.parallel)
    t_end = time.monotonic() + a.max_seconds

    async def open_one(c):
        async with sem:
            try:
                streams[c["i"]] = await connect(a.dst, a.port, a.src,
                                                c["sport"], a.timeout)
                w = streams[c["i"]][1]
                c["sport"] = w.get_extra_info("sockname")[1]
            except Exception as e:  # noqa: BLE001 - recorded, not raised
                c["error"] = "connect: " + err(e)

    async def round_one(c, rnd):
        if c["error"]:
            return
        r, w = streams[c["i"]]
        try:
            f = await ask(r, w, f"c{c['i']} r{rnd}", a.timeout)
            c["answers"].append(f[0])
            if c["peer"] is None and len(f) >= 3:
                c["peer"], c["local"] = f[1], f[2]
        except Exception as e:  # noqa: BLE001
            c["error"] = f"round {rnd}: " + err(e)

    await asyncio.gather(*(open_one(c) for c in conns))
    rnd = 0
    stopping = False
    while True:
        rnd += 1
        t0 = time.monotonic()
        await asyncio.gather(*(round_one(c, rnd) for c in conns))
        if rnd == 1 and a.ready:
            with open(a.ready, "w") as f:
                f.write("ready\n")
        if a.progress:
            with open(a.progress + ".tmp", "w") as f:
                f.write(f"{rnd}\n")
            os.rename(a.progress + ".tmp", a.progress)
        if stopping or time.monotonic() >= t_end:
            break
        if a.rounds and rnd >= a.rounds:
            break
        while time.monotonic() - t0 < a.interval:
            await asyncio.sleep(0.05)
            if a.stop and os.path.exists(a.stop):
                stopping = True
                break
        if a.stop and os.path.exists(a.stop):
            stopping = True
    for r, w in streams.values():
        rst_close(w.get_extra_info("socket"))
        w.close()
    return {"rounds": rnd, "conns": conns}


async def probe(a):
    lo, hi = (int(x) for x in a.sports.split("-"))
    out = {}
    sem = asyncio.Semaphore(a.parallel)

    async def one(sport):
        async with sem:
            w = None
            try:
                r, w = await connect(a.dst, a.port, a.src, sport, a.timeout)
                f = await ask(r, w, f"probe {sport}", a.timeout)
                out[str(sport)] = f[0]
            except Exception as e:  # noqa: BLE001
                out[str(sport)] = "!" + err(e)
            finally:
                if w is not None:
                    rst_close(w.get_extra_info("socket"))
                    w.close()

    await asyncio.gather(*(one(p) for p in range(lo, hi + 1)))
    return dict(sorted(out.items(), key=lambda kv: int(kv[0])))


def summary(rep):
    s = {"rounds": rep["rounds"], "connected": 0, "connect_failed": 0,
         "broken": 0, "switched": 0, "answered_all": 0, "first": {},
         "broken_by": {}, "errors": []}
    for c in rep["conns"]:
        if c["error"] and c["error"].startswith("connect:"):
            s["connect_failed"] += 1
            s["errors"].append(c["error"])
            continue
        s["connected"] += 1
        first = c["answers"][0] if c["answers"] else "-"
        s["first"][first] = s["first"].get(first, 0) + 1
        if c["error"]:
            s["broken"] += 1
            s["broken_by"][first] = s["broken_by"].get(first, 0) + 1
            s["errors"].append(f"c{c['i']} sport {c['sport']} on {first}: "
                               f"{c['error']}")
        if len(set(c["answers"])) > 1:
            s["switched"] += 1
            s["errors"].append(f"c{c['i']} switched: {c['answers']}")
        if not c["error"] and len(c["answers"]) == rep["rounds"]:
            s["answered_all"] += 1
    s["errors"] = s["errors"][:10]
    return s


def moved(before, after):
    m = {"total": 0, "answered": 0, "moved": 0, "by_before": {}}
    for port, b in before.items():
        m["total"] += 1
        x = after.get(port, "!missing")
        if b.startswith("!") or x.startswith("!"):
            continue
        m["answered"] += 1
        e = m["by_before"].setdefault(b, [0, 0])
        e[0] += 1
        if b != x:
            m["moved"] += 1
            e[1] += 1
    return m


def count(rep):
    c = {}
    for v in rep.values():
        k = "!err" if v.startswith("!") else v
        c[k] = c.get(k, 0) + 1
    return c


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("hold", "probe"):
        p = sub.add_parser(name)
        p.add_argument("--dst", required=True)
        p.add_argument("--port", type=int, required=True)
        p.add_argument("--src", default="")
        p.add_argument("--timeout", type=float, default=2.0)
        p.add_argument("--parallel", type=int, default=100)
        p.add_argument("--out", required=True)
        if name == "hold":
            p.add_argument("--conns", type=int, required=True)
            p.add_argument("--sport-base", type=int, default=0)
            p.add_argument("--interval", type=float, default=0.5)
            p.add_argument("--rounds", type=int, default=0)
            p.add_argument("--ready", default="")
            p.add_argument("--progress", default="")
            p.add_argument("--stop", default="")
            p.add_argument("--max-seconds", type=float, default=30)
        else:
            p.add_argument("--sports", required=True, help="A-B")
    for name in ("summary", "count"):
        sub.add_parser(name).add_argument("file")
    p = sub.add_parser("moved")
    p.add_argument("before")
    p.add_argument("after")
    a = ap.parse_args()

    if a.cmd in ("hold", "probe"):
        rep = asyncio.run(hold(a) if a.cmd == "hold" else probe(a))
        tmp = a.out + ".tmp"
        with open(tmp, "w") as f:
            json.dump(rep, f)
        os.rename(tmp, a.out)
        return 0
    if a.cmd == "moved":
        with open(a.before) as f, open(a.after) as g:
            print(json.dumps(moved(json.load(f), json.load(g))))
        return 0
    with open(a.file) as f:
        rep = json.load(f)
    print(json.dumps(summary(rep) if a.cmd == "summary" else count(rep)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
