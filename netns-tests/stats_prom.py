#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""stats_prom.py - checks of test_stats_prom.sh on `stats --prometheus` and
`stats --watch`.

  compare PROM STATS1 STATS2 LB1 LB2
      PROM was written between two `stats --json` (STATS1, STATS2) and two
      `lb show --json` (LB1, LB2): every interface counter and LB counter
      in PROM lies between the two JSON readings (equal when they are), and
      PROM has the same interfaces, VIPs and backends. Prints
      "series N exact M".
  reader PROM SECONDS
      Reads PROM over and over for SECONDS while it is being rewritten:
      every read must be a valid, complete file with the same series as
      the first, counters never going backwards. Prints "reads N files M"
      (M: distinct inodes seen, i.e. rewrites observed).
  tty SECONDS CMD...
      Runs CMD (stats --watch) on a pseudo-terminal: waits for a frame drawn
      in place, sends 'q', and checks the exit status (0), that the terminal
      is back in canonical mode with echo, and that the cursor is
      shown again. With "--sigterm" before CMD, SIGTERM instead of 'q'.
"""
import json
import os
import pty
import select
import signal
import subprocess
import sys
import termios
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "user", "tests"))
import prom_check  # noqa: E402


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def series(samples, name):
    """{labels-tuple: value} of one metric."""
    return {tuple(sorted(l.items())): v for l, v in samples.get(name, [])}


def between(what, lo, got, hi):
    if not lo <= got <= hi:
        fail(f"{what}: prometheus {got} not within stats --json {lo}..{hi}")
    return lo == hi == got


def compare(prom, s1, s2, lb1, lb2):
    with open(prom, encoding="utf-8") as f:
        samples = prom_check.check(f.read())
    s1, s2, lb1, lb2 = load(s1), load(s2), load(lb1), load(lb2)
    n = exact = 0
    for kind in ("packets", "bytes"):
        got = series(samples, f"xdp_router_{kind}_total")
        want = 0
        for i1 in s1:
            i2 = next(i for i in s2 if i["ifindex"] == i1["ifindex"])
            for outcome, c1 in i1["outcomes"].items():
                key = tuple(sorted({"interface": i1["ifname"] or "",
                                    "ifindex": str(i1["ifindex"]),
                                    "outcome": outcome}.items()))
                if key not in got:
                    fail(f"no xdp_router_{kind}_total for {key}")
                exact += between(f"{kind} {key}", c1[kind], got[key],
                                 i2["outcomes"][outcome][kind])
                n += 1
                want += 1
        if len(got) != want:
            fail(f"xdp_router_{kind}_total has {len(got)} series, stats {want}")
    vip_metrics = {"packets": "xdp_router_lb_vip_packets_total",
                   "bytes": "xdp_router_lb_vip_bytes_total",
                   "conn_hit": "xdp_router_lb_conn_table_hits_total",
                   "conn_miss": "xdp_router_lb_conn_table_misses_total",
                   "no_backend": "xdp_router_lb_no_backend_drops_total"}
    vips1 = lb1["vips"] if isinstance(lb1, dict) else lb1
    vips2 = lb2["vips"] if isinstance(lb2, dict) else lb2
    for v1 in vips1:
        v2 = next(v for v in vips2 if v["name"] == v1["name"])
        for key, metric in vip_metrics.items():
            got = series(samples, metric).get((("vip", v1["name"]),))
            if got is None:
                fail(f"no {metric} for VIP {v1['name']}")
            exact += between(f"{metric} {v1['name']}", v1["stats"][key], got,
                             v2["stats"][key])
            n += 1
        for b1 in v1["backends"]:
            b2 = next(b for b in v2["backends"] if b["address"] == b1["address"])
            labels = (("backend", b1["address"]),
                      ("port", str(b1["port"] or "")), ("vip", v1["name"]))
            for kind in ("packets", "bytes"):
                metric = f"xdp_router_lb_backend_{kind}_total"
                got = series(samples, metric).get(labels)
                if got is None:
                    fail(f"no {metric} for {labels}")
                exact += between(f"{metric} {labels}", b1[kind], got, b2[kind])
                n += 1
            up = series(samples, "xdp_router_lb_backend_up").get(labels)
            if up != (1 if b1["effective_state"] == "active" else 0):
                fail(f"xdp_router_lb_backend_up {labels} is {up}, state "
                     f"{b1['effective_state']}")
    print(f"series {n} exact {exact}")


def reader(path, seconds):
    first = None
    last = {}
    reads = 0
    inodes = set()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with open(path, encoding="utf-8") as f:
                inodes.add(os.fstat(f.fileno()).st_ino)
                text = f.read()
        except FileNotFoundError:
            fail("the file vanished while being rewritten")
        try:
            samples = prom_check.check(text)
        except prom_check.Invalid as e:
            fail(f"read {reads}: invalid file ({e}); {len(text)} bytes")
        flat = {(name, tuple(sorted(l.items()))): v
                for name, lst in samples.items() for l, v in lst}
        if first is None:
            first = set(flat)
            if not first:
                fail("the first read has no series")
        elif set(flat) != first:
            fail(f"read {reads}: {len(flat)} series, the first had {len(first)}")
        for key, v in flat.items():
            if key[0].endswith("_total") and v < last.get(key, 0):
                fail(f"read {reads}: {key} went back from {last[key]} to {v}")
            last[key] = v
        reads += 1
        time.sleep(0.002)	# leave the writer a CPU on a small machine
    print(f"reads {reads} files {len(inodes)}")


def tty(seconds, cmd):
    use_sigterm = cmd[0] == "--sigterm"
    if use_sigterm:
        cmd = cmd[1:]
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave,
                            start_new_session=True)
    out = b""
    deadline = time.monotonic() + seconds

    def read_some(timeout):
        nonlocal out
        r, _, _ = select.select([master], [], [], timeout)
        if r:
            try:
                out += os.read(master, 65536)
            except OSError:
                pass

    # A frame: cleared screen, then the table header.
    while time.monotonic() < deadline:
        read_some(0.1)
        tail = out[out.rfind(b"\x1b[H\x1b[2J"):] if b"\x1b[H\x1b[2J" in out else b""
        if b"INTERFACE" in tail and b"(q: quit)" in tail:
            break
        if proc.poll() is not None:
            fail(f"exited early ({proc.returncode}): {out!r}")
    else:
        proc.kill()
        fail(f"no frame within {seconds}s: {out[-500:]!r}")
    attrs = termios.tcgetattr(slave)
    if attrs[3] & (termios.ICANON | termios.ECHO):
        fail("the terminal is still canonical/echoing while the view runs")
    if use_sigterm:
        proc.send_signal(signal.SIGTERM)
    else:
        os.write(master, b"q")
    try:
        rc = proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        fail("did not quit within the time limit")
    read_some(0.2)
    if rc != 0:
        fail(f"exit status {rc}: {out[-300:]!r}")
    attrs = termios.tcgetattr(slave)
    if (attrs[3] & (termios.ICANON | termios.ECHO)) != (termios.ICANON | termios.ECHO):
        fail("the terminal was not restored (ICANON/ECHO off)")
    if not out.rstrip(b"\r\n").endswith(b"\x1b[?25h"):
        fail(f"the cursor was not shown again: {out[-80:]!r}")
    print(f"tty ok ({'SIGTERM' if use_sigterm else 'q'}), {out.count(b'INTERFACE')} frames")


def main():
    cmd = sys.argv[1]
    if cmd == "compare":
        compare(*sys.argv[2:7])
    elif cmd == "reader":
        reader(sys.argv[2], float(sys.argv[3]))
    elif cmd == "tty":
        tty(float(sys.argv[2]), sys.argv[3:])
    else:
        fail(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
