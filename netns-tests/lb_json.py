#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""lb_json.py JSON PYEXPR - evaluate PYEXPR on `xdp-router --json lb show`.

Helpers available to PYEXPR (j is the parsed JSON):
  vips()            the list of VIP objects
  vip(NAME)         the VIP named NAME (or with address NAME)
  be(VIP, ADDR)     VIP's backend with address ADDR (None if absent)
  bes(VIP)          VIP's backends
  vc(VIP, KEY)      a counter of the VIP (0 when absent)
  bc(VIP, ADDR, K)  a counter of a backend (0 when absent)
  state(VIP, ADDR)  a backend's state ("" when absent)
  weight(VIP, ADDR) a backend's weight
  health(VIP, ADDR) "up" or "down" (taken out by the health checker)
A dict or list result is printed as JSON, anything else with print().
"""
import json
import sys

j = json.loads(sys.argv[1])


def vips():
    if isinstance(j, list):
        return j
    return j.get("vips", [])


def vip(name):
    for v in vips():
        if v.get("name") == name or v.get("address") == name:
            return v
    raise KeyError(f"no VIP {name!r} in lb show")


def bes(v):
    return vip(v).get("backends", [])


def be(v, addr):
    return next((b for b in bes(v) if b.get("address") == addr), None)


def _counter(obj, key):
    """obj[key], or inside obj["counters"]/obj["stats"]; a {packets, bytes}
    object counts its packets; "packets"/"bytes" may sit under "rx"."""
    if obj is None:
        return 0
    for scope in (obj, obj.get("counters") or {}, obj.get("stats") or {}):
        for k in (key, key + "s", key.rstrip("s")):
            if k not in scope:
                continue
            val = scope[k]
            if isinstance(val, dict):
                return val.get("packets", 0)
            return val
        if key in ("packets", "bytes"):
            rx = scope.get("rx")
            if isinstance(rx, dict) and key in rx:
                return rx[key]
    return 0


def vc(v, key):
    return _counter(vip(v), key)


def bc(v, addr, key):
    return _counter(be(v, addr), key)


def state(v, addr):
    b = be(v, addr)
    return "" if b is None else b.get("state", "")


def health(v, addr):
    """"up" or "down": whether the health checker took the backend out."""
    b = be(v, addr)
    if b is None:
        return ""
    h = b.get("health")
    if isinstance(h, dict):
        h = h.get("state", h.get("status"))
    if isinstance(h, str):
        return "down" if h in ("down", "fail", "failed") else "up"
    if "health_down" in b:
        return "down" if b["health_down"] else "up"
    return "down" if b.get("effective", b.get("state")) == "down" else "up"


def weight(v, addr):
    b = be(v, addr)
    return None if b is None else b.get("weight")


r = eval(sys.argv[2])
print(json.dumps(r) if isinstance(r, (dict, list)) else r)
