# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""fibdiff.py's model of the kernel: the router namespace's links,
neighbours, nexthops and routes as `ip -j` shows them, the route the FIB
picks for an address, and what forwarding by one nexthop must give."""
import ipaddress
import json
import subprocess
from collections import defaultdict

from fibdiff_frames import OUTCOME, XDP_PASS, XDP_REDIRECT, rewrite

VALID_NUD = {"PERMANENT", "REACHABLE", "STALE", "DELAY", "PROBE", "NOARP"}

def ip_json(*args):
    out = subprocess.run(["ip", "-j", *args], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out) if out.strip() else []



class Kernel:
    """The router namespace's links, neighbours, nexthops and routes."""

    def __init__(self, attached):
        self.links = {}
        for l in ip_json("-d", "link", "show"):
            self.links[l["ifname"]] = l
        self.attached = set(attached)
        self.neigh = {}
        for fam in ("-4", "-6"):
            for n in ip_json(fam, "neigh", "show"):
                if "lladdr" in n and VALID_NUD & set(n.get("state", [])):
                    self.neigh[(n["dev"], ipaddress.ip_address(n["dst"]))] = \
                        n["lladdr"].lower()
        self.nexthops = {n["id"]: n for n in ip_json("nexthop", "show")}
        # prefix length -> network address -> routes, lowest metric first;
        # the local table is looked up before main, as the kernel does.
        self.routes = {4: defaultdict(dict), 6: defaultdict(dict)}
        self.local = {4: defaultdict(dict), 6: defaultdict(dict)}
        self.nroutes = {4: 0, 6: 0}
        for fam in (4, 6):
            for table, store in (("main", self.routes), ("local", self.local)):
                for r in ip_json(f"-{fam}", "route", "show", "table", table):
                    dst = r["dst"]
                    if dst == "default":
                        dst = "0.0.0.0/0" if fam == 4 else "::/0"
                    net = ipaddress.ip_network(dst, strict=False)
                    if fam == 6 and net.is_link_local:
                        continue
                    r["metric"] = r.get("metric", 0)
                    r["net"] = net
                    r["fam"] = fam
                    lst = store[fam][net.prefixlen].setdefault(
                        int(net.network_address), [])
                    lst.append(r)
                    lst.sort(key=lambda x: x["metric"])
                    if table == "main":
                        self.nroutes[fam] += 1

    def ignores_linkdown(self, fam, dev):
        """net.ipvX.conf.{all,DEV}.ignore_routes_with_linkdown"""
        def get(d):
            try:
                with open(f"/proc/sys/net/ipv{fam}/conf/{d}/"
                          "ignore_routes_with_linkdown") as f:
                    return int(f.read())
            except OSError:
                return 0
        return bool(get("all") or get(dev))

    def mac(self, dev):
        return self.links[dev]["address"].lower()

    def _usable(self, r):
        """r with the nexthops the kernel would use (None: skipped)."""
        if r.get("type", "unicast") != "unicast" and "dev" not in r:
            return r			# blackhole, unreachable, prohibit
        mem = []
        for dev, gw, w, flags in self._members(r):
            if "dead" in flags:
                continue
            if "linkdown" in flags and self.ignores_linkdown(r["fam"], dev):
                continue
            mem.append((dev, gw, w))
        if not mem:
            return None
        r = dict(r)
        r["_members"] = mem
        return r

    def _lookup(self, store, addr):
        fam = addr.version
        bits = 32 if fam == 4 else 128
        a = int(addr)
        for plen in range(bits, -1, -1):
            tbl = store[fam].get(plen)
            if not tbl:
                continue
            mask = ((1 << plen) - 1) << (bits - plen) if plen else 0
            for r in tbl.get(a & mask, []):
                u = self._usable(r)
                if u is not None:
                    return u
        return None

    def lpm(self, addr):
        """The route the kernel's FIB picks for addr: local table, main."""
        return self._lookup(self.local, addr) or \
            self._lookup(self.routes, addr)

    def _members(self, r):
        """(dev, gateway or None, weight, flags) of a route's nexthops."""
        rflags = r.get("flags", [])
        if "nexthops" in r:
            return [(m["dev"], m.get("gateway"), m.get("weight", 1),
                     m.get("flags", []) + rflags) for m in r["nexthops"]]
        if "nhid" in r:
            nh = self.nexthops[r["nhid"]]
            if "group" in nh:
                out = []
                for g in nh["group"]:
                    m = self.nexthops[g["id"]]
                    out.append((m.get("dev"), m.get("gateway"),
                                g.get("weight", 1), m.get("flags", [])))
                return out
            return [(nh.get("dev"), nh.get("gateway"), 1,
                     nh.get("flags", []) + rflags)]
        if "dev" in r:
            gw = r.get("gateway") or (r.get("via") or {}).get("host")
            return [(r["dev"], gw, 1, rflags)]
        return []

    def members(self, r):
        """(dev, gateway or None, weight) of the nexthops the kernel uses."""
        if r is None or r.get("type", "unicast") != "unicast":
            return []
        if "_members" in r:
            return r["_members"]
        return [(d, g, w) for d, g, w, _ in self._members(r)]

    def route_mtu(self, r):
        for m in r.get("metrics", []):
            if isinstance(m, dict) and "mtu" in m:
                return m["mtu"]
        return None

    def hop_result(self, frame, dst, dev, gw, mtu_metric, size):
        """What forwarding frame to (dev, gw) must give: (action, outcome,
        bytes). The checks in the data plane's order (bpf_fib_lookup()'s,
        which table mode follows): MTU, neighbour, then whether the
        router is attached to the egress."""
        mtu = mtu_metric or self.links[dev]["mtu"]
        if size > mtu:
            return (XDP_PASS, OUTCOME["pass_frag_needed"], frame)
        nh = ipaddress.ip_address(gw) if gw else dst
        lladdr = self.neigh.get((dev, nh))
        if lladdr is None:
            return (XDP_PASS, OUTCOME["pass_no_neigh"], frame)
        if dev not in self.attached:
            return (XDP_PASS, OUTCOME["pass_egress_not_xdp"], frame)
        return (XDP_REDIRECT, OUTCOME["redirect"],
                rewrite(frame, lladdr, self.mac(dev)))
