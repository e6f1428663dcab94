#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""mapcheck.py - consistency of the table-mode maps, also under SIGKILL.

  mapcheck.py check PIN_DIR
  mapcheck.py kills PIN_DIR --cli XDP_ROUTER --low L --high H
                    --up ARGS --down ARGS [--tries N]

check: every unicast route must point to a nexthop or ECMP group that
exists (a route written before its nexthop, or a nexthop removed before its
routes, would send packets to a zeroed slot), and every group member to a
nexthop that exists. Prints {"routes_v4", "routes_v6", "nexthops",
"groups", "dangling": [...], "nr_dangling"}; exit 1 if anything dangles.

kills: runs `XDP_ROUTER --pin-path PIN_DIR populate UP` (the maps go from L
to H IPv4 routes) or `... DOWN` (back), whichever moves the maps away from
where they are, stops it (SIGSTOP) after a delay and then every millisecond
of its running until the maps are midway, SIGKILLs it there, and checks
the maps (the first delay halves after a run that finished before it);
until both directions were killed midway (strictly between L and H) or N
tries. Prints {"tries", "midway_up", "midway_down", "bad": [...]}; exit 1
if a check failed.

The maps are read with the bpf(2) syscall (bpftool's JSON is too slow for
tens of thousands of routes). Layouts: maps/xdp_router_types.h.
"""
import argparse
import ctypes
import json
import os
import signal
import struct
import subprocess
import sys
import time

XR_RT_UNICAST = 1
XR_RT_F_GROUP = 1
NR_BPF = 321		# x86_64
BPF_MAP_LOOKUP_ELEM, BPF_MAP_GET_NEXT_KEY = 1, 4
BPF_OBJ_GET, BPF_OBJ_GET_INFO_BY_FD = 7, 15

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr, 128)
    r = libc.syscall(NR_BPF, cmd, buf, 128)
    if r < 0:
        return -ctypes.get_errno(), buf
    return r, buf


def addr(b):
    return ctypes.addressof(b)


def map_dump(path):
    """[(key, value)] of the map pinned at @path."""
    p = ctypes.create_string_buffer(path.encode())
    fd, _ = bpf(BPF_OBJ_GET, struct.pack("=QII", addr(p), 0, 0))
    if fd < 0:
        raise OSError(-fd, f"cannot open {path}")
    info = ctypes.create_string_buffer(88)
    err, _ = bpf(BPF_OBJ_GET_INFO_BY_FD, struct.pack("=IIQ", fd, 88, addr(info)))
    if err < 0:
        raise OSError(-err, f"cannot inspect {path}")
    _, _, ksize, vsize = struct.unpack_from("=IIII", info.raw)
    vbuf = ctypes.create_string_buffer(vsize * os.cpu_count())
    key, nxt = None, ctypes.create_string_buffer(ksize)
    out = []
    while True:
        kp = addr(key) if key is not None else 0
        err, _ = bpf(BPF_MAP_GET_NEXT_KEY, struct.pack("=IIQQ", fd, 0, kp, addr(nxt)))
        if err < 0:
            break
        key = ctypes.create_string_buffer(nxt.raw, ksize)
        err, _ = bpf(BPF_MAP_LOOKUP_ELEM,
                     struct.pack("=IIQQQ", fd, 0, addr(key), addr(vbuf), 0))
        if err == 0:
            out.append((key.raw, vbuf.raw[:vsize]))
    os.close(fd)
    return out


def check(pin):
    nexthops = {struct.unpack("<I", k)[0] for k, v in map_dump(f"{pin}/xr_nexthops")
                if struct.unpack_from("<I", v)[0]}
    groups = {struct.unpack("<I", k)[0]: v
              for k, v in map_dump(f"{pin}/xr_nh_groups") if any(v)}
    dangling, routes = [], {}
    for gid, v in groups.items():
        # struct xr_nh_group: __u32 count, __u32 pad, {nh, upper} members.
        for i in range(struct.unpack_from("<I", v)[0]):
            nh = struct.unpack_from("<I", v, 8 + 8 * i)[0]
            if nh not in nexthops:
                dangling.append(f"group {gid} member {nh}")
    for fam in ("v4", "v6"):
        entries = map_dump(f"{pin}/xr_routes_{fam}")
        routes[fam] = len(entries)
        for k, v in entries:
            rtype, flags, _, nh, _ = struct.unpack("<BBHII", v)
            if rtype != XR_RT_UNICAST:
                continue
            grp = flags & XR_RT_F_GROUP
            if not (nh in groups if grp else nh in nexthops):
                dangling.append(f"{fam} route {k.hex()} -> "
                                f"{'group' if grp else 'nexthop'} {nh}")
    return {"routes_v4": routes["v4"], "routes_v6": routes["v6"],
            "nexthops": len(nexthops), "groups": len(groups),
            "dangling": dangling[:10], "nr_dangling": len(dangling)}


STEP = 0.001	# s: how long a stopped populate runs on between looks


def stop(p):
    """SIGSTOPs p and waits until it is stopped; False if it had ended."""
    if p.poll() is not None:
        return False
    p.send_signal(signal.SIGSTOP)
    _, status = os.waitpid(p.pid, os.WUNTRACED)
    if os.WIFSTOPPED(status):
        return True
    p.returncode = os.waitstatus_to_exitcode(status)
    return False


def kill_midway(a, up, delay):
    """Runs populate one way, stopped after DELAY and then every STEP of
    running until the maps are between L and H (or it ended): the SIGKILL
    lands while it is stopped midway, whatever the machine's load does to
    the timing of the kill. Returns the maps' check after the kill."""
    args = (a.up if up else a.down).split()
    p = subprocess.Popen([a.cli, "--pin-path", a.pin, "populate", *args],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    try:
        while stop(p):
            n = check(a.pin)["routes_v4"]
            if a.low < n < a.high or n == (a.high if up else a.low):
                break		# midway (or all written): kill it here
            p.send_signal(signal.SIGCONT)
            time.sleep(STEP)
    finally:
        if p.returncode is None:
            p.send_signal(signal.SIGKILL)
            p.wait()
    return check(a.pin)


def kills(a):
    res = {"tries": 0, "midway_up": 0, "midway_down": 0, "bad": []}
    delay = {True: 0.005, False: 0.005}	# per direction (up: True)
    n = check(a.pin)["routes_v4"]
    for _ in range(a.tries):
        if res["midway_up"] and res["midway_down"]:
            break
        # Towards the other end; once one way was cut midway, the other.
        up = n <= a.low if res["midway_up"] else n < a.high
        c = kill_midway(a, up, delay[up])
        n = c["routes_v4"]
        res["tries"] += 1
        if c["nr_dangling"]:
            res["bad"].append({"up": up, "delay": delay[up], **c})
        if a.low < c["routes_v4"] < a.high:
            res["midway_up" if up else "midway_down"] += 1
        elif c["routes_v4"] == (a.high if up else a.low):
            delay[up] *= 0.5	# it finished before the first look
    print(json.dumps(res))
    return 1 if res["bad"] else 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("pin")
    k = sub.add_parser("kills")
    k.add_argument("pin")
    k.add_argument("--cli", required=True)
    k.add_argument("--low", type=int, required=True)
    k.add_argument("--high", type=int, required=True)
    k.add_argument("--up", required=True)
    k.add_argument("--down", default="")
    k.add_argument("--tries", type=int, default=40)
    a = p.parse_args()
    if a.cmd == "kills":
        return kills(a)
    r = check(a.pin)
    print(json.dumps(r))
    return 1 if r["nr_dangling"] else 0


if __name__ == "__main__":
    sys.exit(main())
