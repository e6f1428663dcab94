# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""fibdiff.py's frames and results: the packets it sends through both
programs, what forwarding makes of them, and the names of the results."""
import struct

from nsutil import csum

XDP_ABORTED, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT = range(5)
ACTIONS = {0: "ABORTED", 1: "DROP", 2: "PASS", 3: "TX", 4: "REDIRECT"}
# In the order of enum xr_outcome (maps/xdp_router_types.h), named as
# user/common/outcomes.c names them; xrt_fibdiff says how many there are.
OUTCOMES = ["redirect", "redirect_fw", "redirect_nat", "lb_tx",
            "pass_not_ip", "pass_l2_other",
            "pass_ip_mcast", "pass_martian", "pass_v6_link_local",
            "pass_ip_options", "pass_ttl_expired", "pass_not_fwded",
            "pass_unreachable", "pass_no_neigh", "pass_frag_needed",
            "pass_unsupported", "pass_egress_not_xdp", "pass_redirect",
            "pass_source", "pass_fw_new", "pass_fw_ctl",
            "pass_fw_tcp_strict", "pass_fw_verify", "pass_fw_blind",
            "drop_malformed", "drop_bad_csum", "drop_blackhole",
            "drop_rp_filter", "drop_lb_no_backend", "drop_lb_frag",
            "aborted"]
OUTCOME = {name: i for i, name in enumerate(OUTCOMES)}


def outcome_name(o):
    return OUTCOMES[o] if 0 <= o < len(OUTCOMES) else "?"
# Sizes (IP total length) around the MTUs the tests configure.
SIZES = [46, 100, 576, 1279, 1280, 1281, 1299, 1300, 1301, 1349, 1350,
         1351, 1399, 1400, 1401, 1499, 1500]


def mac_bytes(m):
    return bytes.fromhex(m.replace(":", ""))


def l4(rng, proto, size_left):
    sport, dport = rng.randint(1024, 65535), rng.randint(1, 65535)
    if proto == "udp":
        hdr = struct.pack("!HHHH", sport, dport, size_left, 0)
    elif proto == "tcp":
        hdr = struct.pack("!HHIIBBHHH", sport, dport, rng.getrandbits(32),
                          0, 0x50, 0x18, 512, 0, 0)
    else:
        hdr = b""
    return hdr


def make_frame(rng, dmac, smac, src, dst, size, ttl, df, proto):
    """Ethernet frame with an IP packet of total length size."""
    v6 = dst.version == 6
    if v6:
        l3len = 40
        nxt = {"udp": 17, "tcp": 6, "icmp": 58}[proto]
    else:
        l3len = 20
        nxt = {"udp": 17, "tcp": 6, "icmp": 1}[proto]
    l4len = max(size - l3len, 8)
    if proto == "icmp":
        hdr = struct.pack("!BBHHH", 128 if v6 else 8, 0, 0,
                          rng.getrandbits(16), rng.getrandbits(16))
    else:
        hdr = l4(rng, proto, l4len)
    payload = hdr + bytes(rng.getrandbits(8) for _ in range(8))
    payload = (payload + bytes(l4len))[:l4len]
    if v6:
        ip = struct.pack("!IHBB", 0x60000000 | rng.getrandbits(20),
                         l4len, nxt, ttl) + src.packed + dst.packed
        eth_type = 0x86dd
    else:
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, l3len + l4len,
                         rng.getrandbits(16), 0x4000 if df else 0, ttl,
                         nxt, 0, src.packed, dst.packed)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        eth_type = 0x0800
    return mac_bytes(dmac) + mac_bytes(smac) + struct.pack("!H", eth_type) \
        + ip + payload


def rewrite(frame, dmac, smac):
    """The frame as the router forwards it: MACs, TTL/hop limit - 1."""
    f = bytearray(frame)
    f[0:6] = mac_bytes(dmac)
    f[6:12] = mac_bytes(smac)
    if f[12:14] == b"\x86\xdd":
        f[14 + 7] -= 1
    else:
        f[14 + 8] -= 1
        # incremental update exactly as the kernel's ip_decrease_ttl()
        c = struct.unpack("!H", f[24:26])[0] + 0x0100
        c = (c + (c >= 0xffff)) & 0xffff
        f[24:26] = struct.pack("!H", c)
    return bytes(f)


def special(dst):
    """Destinations the parser hands to the kernel before any lookup."""
    return (dst.is_multicast or dst.is_loopback or dst.is_unspecified
            or dst.is_link_local or dst.is_reserved
            or (dst.version == 4 and (int(dst) >> 24) == 0))
