#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Summaries and plots for scripts/bench.sh.

    report.py summary RESULTS.jsonl --machine JSON --config JSON [--json OUT] [--smoke]
    report.py plot RESULTS.json --out DIR

`summary` reads the JSON lines bench.sh wrote (one per run, skip, route load
and populate), prints a table (median / min / max Mpps of each case at each
(flows, routes) point, ratios to kernel forwarding and to the redirect
ceiling, CPU use, drops) and writes everything as one JSON document.
`plot` draws that document (matplotlib, Debian's python3-matplotlib).
"""
import argparse
import json
import statistics
import sys

CASE_ORDER = ["kernel", "redirect", "fib-base", "fib", "fwd-full",
              "fwd-direct", "table-base", "table", "tx", "lb", "lb-nft",
              "drop", "kernel-fw", "fib-fw"]
CASE_LABEL = {
    "kernel": "Linux forwarding",
    "redirect": "XDP redirect ceiling",
    "fib": "xdp-router (fib)",
    "table": "xdp-router (table)",
    "tx": "XDP_TX ceiling",
    "lb": "xdp-router LB",
    "lb-nft": "nftables LB",
    "drop": "XDP_DROP at ingress",
    "fib-base": "xdp-router (fib), baseline build",
    "table-base": "xdp-router (table), baseline build",
    "lb-base": "xdp-router LB, baseline build",
    "kernel-fw": "Linux forwarding, firewall",
    "fib-fw": "xdp-router (fib), firewall",
    "fwd-full": "xdp-forward (fib full)",
    "fwd-direct": "xdp-forward (fib direct)",
}
# The peer's cases (xdp-tools' xdp-forward, --peer-dir).
PEER_CASES = ("fwd-full", "fwd-direct")
# Cases whose traffic xdp-router must forward itself: below this share of
# the sink's packets (its stats over the window) a run is flagged.
XDP_FRACTION_MIN = 0.95
POINT_KEYS = ("proto", "size", "gens", "flows", "routes")


def case_label(case):
    """fib@0+1 (attach --cpus 0,1) -> "xdp-router (fib) cpus 0,1"."""
    base, _, cpus = case.partition("@")
    label = CASE_LABEL.get(base, base)
    return label + (" cpus " + cpus.replace("+", ",") if cpus else "")


def case_order(case):
    base, _, cpus = case.partition("@")
    return (CASE_ORDER.index(base) if base in CASE_ORDER else len(CASE_ORDER),
            cpus)


def point_of(r):
    return tuple(r[k] for k in POINT_KEYS)


def summarise(runs):
    groups = {}
    for r in runs:
        groups.setdefault(point_of(r) + (r["case"],), []).append(r)
    out = []
    for key, rs in groups.items():
        pps = [r["pps"] for r in rs]
        ncpu = min(len(r["cpu"]) for r in rs)
        drops = {}
        for r in rs:
            for k, v in r["drops"].items():
                drops[k] = drops.get(k, 0) + v / max(r["seconds"], 1e-9)
        gens = key[POINT_KEYS.index("gens")]
        # CPUs without a generator: on this VM the two vCPUs share one
        # physical core, and a busy sibling halves the generator's CPU.
        others = [statistics.median(r["cpu"][i]["busy"] for r in rs)
                  for i in range(gens, ncpu)]
        # A cpumap case (name@CPUS) loads the other CPUs on purpose.
        s = dict(zip(POINT_KEYS, key[:-1]), case=key[-1], runs=len(rs),
                 contended=(bool(others) and max(others) > 25 and
                            "@" not in key[-1]),
                 median_pps=statistics.median(pps), min_pps=min(pps),
                 max_pps=max(pps), all_pps=pps,
                 sent_pps=statistics.median(r["sent_pps"] for r in rs),
                 cpu_busy=[statistics.median(r["cpu"][i]["busy"] for r in rs)
                           for i in range(ncpu)],
                 drops_per_s={k: round(v / len(rs)) for k, v in
                              sorted(drops.items(), key=lambda x: -x[1])[:4]})
        fr = [r["router"]["xdp_fraction"] for r in rs if "router" in r]
        if fr:
            s["xdp_fraction"] = statistics.median(fr)
            s["xdp_fraction_min"] = min(fr)
            s["via_kernel"] = min(fr) < XDP_FRACTION_MIN
        ns = [r["router"]["prog_ns"] for r in rs
              if "prog_ns" in r.get("router", {})]
        if ns:
            s["prog_ns"] = statistics.median(ns)
        out.append(s)
    # ratios inside each point
    for s in out:
        same = {o["case"]: o["median_pps"] for o in out
                if point_of(o) == point_of(s)}
        for ref in ("kernel", "redirect", "tx", "lb-nft", "kernel-fw", "fib"):
            if ref in same and same[ref] > 0 and ref != s["case"]:
                s["vs_" + ref.replace("-", "_")] = round(
                    s["median_pps"] / same[ref], 3)
        # Against the peer's best mode at this point.
        peer = [same[c] for c in PEER_CASES if same.get(c, 0) > 0]
        if peer and s["case"] not in PEER_CASES:
            s["vs_fwd_best"] = round(s["median_pps"] / max(peer), 3)
        # A cpumap case against the same case without the cpumap.
        base = s["case"].partition("@")[0]
        if base != s["case"] and same.get(base, 0) > 0:
            s["vs_one_cpu"] = round(s["median_pps"] / same[base], 3)
    out.sort(key=lambda s: (point_of(s), case_order(s["case"])))
    return out


def print_table(summary, skipped, populate, routes, machine, config):
    print("\n%s, %d CPUs, kernel %s; %s B frames, IPv%s, %s generator(s), "
          "%s runs x %s s, interleaved" %
          (machine["cpu"], machine["cpus"], machine["kernel"], config["size"],
           config["proto"], config["gens"], config["runs"], config["duration"]))
    point = None
    for s in summary:
        if point_of(s) != point:
            point = point_of(s)
            print("\n%d B frames, flows %d, routes %d" %
                  (s["size"], s["flows"], s["routes"]))
            print("  %-28s %7s %7s %7s  %8s %8s %6s %6s  %-11s %s" %
                  ("case", "median", "min", "max", "x kernel",
                   "% redir.", "% TX", "x nft", "CPU busy %",
                   "drops/s (top)"))
        drops = ", ".join("%s %d" % kv for kv in
                          list(s["drops_per_s"].items())[:2]) or "-"
        print("  %-28s %7.2f %7.2f %7.2f  %8s %8s %6s %6s  %-11s %s" % (
            case_label(s["case"]) + (" !" if s["contended"] else ""),
            s["median_pps"] / 1e6,
            s["min_pps"] / 1e6, s["max_pps"] / 1e6,
            "%.2f" % s["vs_kernel"] if "vs_kernel" in s else "-",
            "%.0f %%" % (100 * s["vs_redirect"]) if "vs_redirect" in s else "-",
            "%.0f %%" % (100 * s["vs_tx"]) if "vs_tx" in s else "-",
            "%.1f" % s["vs_lb_nft"] if "vs_lb_nft" in s else "-",
            "/".join("%.0f" % b for b in s["cpu_busy"]), drops))
    print("  (Mpps delivered at the sink; CPU busy per core over the window)")
    if any(s["contended"] for s in summary):
        print("  ! a CPU without a generator was > 25 % busy (other work on the "
              "machine): where vCPUs\n    share a physical core this slows "
              "the generator's CPU, up to 2x; rerun on a quiet machine")
    for r in routes:
        print("routes: %d added with ip -batch in %.1f s" %
              (r["routes"], r["seconds"]))
    for p in populate:
        print("populate (%s): %d routes in %.2f s, maps %.1f MiB (%s)" % (
            p["case"], p["routes"], p["seconds"], p["total_bytes"] / 2**20,
            ", ".join("%s %.1f MiB" % (k, v / 2**20)
                      for k, v in p["maps"].items() if v >= 2**20)))
    for s in skipped:
        print("skipped %s: %s" % (s["case"], s["reason"]))


def cell(s, key, fmt, scale=1):
    """One table cell: s[key] formatted, or "-" when the summary has none."""
    return fmt % (scale * s[key]) if key in s else "-"


def via_kernel_note(s):
    return ("  !! VIA THE KERNEL (min %.1f %%)" % (100 * s["xdp_fraction_min"])
            if s.get("via_kernel") else "")


def print_firewall(summary, establish):
    """The firewall gate's table: kernel-fw, fib and fib-fw side by side."""
    fw = [s for s in summary if s["case"].partition("@")[0] in
          ("kernel-fw", "fib", "fib-fw")]
    if not any(s["case"] == "fib-fw" or s["case"] == "kernel-fw" for s in fw):
        return
    print("\nfirewall gate (stateful forward chain + masquerade; flows "
          "established before measuring)")
    print("  %-10s %7s %7s %9s %7s %11s %10s" % (
        "case", "flows", "Mpps", "x kern-fw", "x fib", "XDP share",
        "prog ns/p"))
    for s in fw:
        print("  %-10s %7d %7.2f %9s %7s %11s %10s%s" % (
            s["case"], s["flows"], s["median_pps"] / 1e6,
            cell(s, "vs_kernel_fw", "%.2f"), cell(s, "vs_fib", "%.2f"),
            cell(s, "xdp_fraction", "%.1f %%", 100),
            cell(s, "prog_ns", "%.0f"), via_kernel_note(s)))
    est = {}
    for e in establish:
        est.setdefault((e["case"], e["flows"]), []).append(e)
    for (case, flows), es in sorted(est.items()):
        print("  establish %s, %d flows: %.1f s (median of %d), %s "
              "unreplied at most" % (
                  case, flows, statistics.median(e["seconds"] for e in es),
                  len(es), max(e["unreplied"] for e in es)))


def print_peer(summary):
    """The peer's table: xdp-router against xdp-forward's best mode."""
    if not any(s["case"] in PEER_CASES for s in summary):
        return
    print("\npeer: xdp-tools' xdp-forward (x fwd-best: against the faster "
          "of its modes; XDP share: rg's XDP redirects or xdp-router's "
          "stats / sink)")
    print("  %-26s %7s %7s %8s %8s %10s %11s" % (
        "case", "flows", "Mpps", "x kernel", "% redir.", "x fwd-best",
        "XDP share"))
    for s in summary:
        if s["case"].partition("@")[0] in ("redirect", "fib", "table") + \
                PEER_CASES:
            print("  %-26s %7d %7.2f %8s %8s %10s %11s%s" % (
                case_label(s["case"]), s["flows"], s["median_pps"] / 1e6,
                cell(s, "vs_kernel", "%.2f"),
                cell(s, "vs_redirect", "%.0f %%", 100),
                cell(s, "vs_fwd_best", "%.2f"),
                cell(s, "xdp_fraction", "%.1f %%", 100), via_kernel_note(s)))


def cmd_summary(a):
    recs = [json.loads(l) for l in open(a.results) if l.strip()]
    runs = [r for r in recs if r["type"] == "run"]
    skipped = list({r["case"]: r for r in recs if r["type"] == "skip"}.values())
    routes = [r for r in recs if r["type"] == "routes"]
    pops = {}
    for p in recs:
        if p["type"] == "populate":
            key = (p["routes"], p.get("case", "table"))
            pops.setdefault(key, []).append(p)
    populate = [dict(routes=k[0], case=k[1], runs=len(v),
                     seconds=statistics.median(p["seconds"] for p in v),
                     maps=v[-1]["maps"],
                     total_bytes=sum(v[-1]["maps"].values()))
                for k, v in sorted(pops.items())]
    machine, config = json.loads(a.machine), json.loads(a.config)
    establish = [r for r in recs if r["type"] == "establish"]
    summary = summarise(runs)
    print_table(summary, skipped, populate, routes, machine, config)
    print_firewall(summary, establish)
    print_peer(summary)
    doc = dict(machine=machine, config=config, summary=summary,
               skipped=skipped, populate=populate, routes=routes,
               establish=establish, runs=runs)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(doc, f, indent=1)
        print("results: %s" % a.json)
    if a.smoke:
        bad = [s["case"] for s in summary if s["min_pps"] < 10000]
        # The 1 s smoke window reads the share to a few per cent only:
        # fail on traffic that plainly went through the kernel.
        bad += ["%s (%.0f %% by XDP)" % (s["case"], 100 * s["xdp_fraction_min"])
                for s in summary
                if s["case"] in ("fib-fw",) + PEER_CASES and
                s.get("xdp_fraction_min", 1) < 0.8]
        if bad or not summary:
            print("SMOKE FAIL: no traffic delivered (or not by XDP) in: %s" %
                  (", ".join(bad) or "any case"), file=sys.stderr)
            return 1
        print("smoke: %d cases delivered traffic" % len(summary))
    return 0


def plot_scaling(summary, out, sub, gens, prefix, plt):
    """The scaling charts of one frame size; returns the files written."""
    written = []
    for dim, other in (("flows", "routes"), ("routes", "flows")):
        vals = sorted({s[dim] for s in summary})
        if len(vals) < 2:
            continue
        for fixed in sorted({s[other] for s in summary}):
            fig, ax = plt.subplots(figsize=(7, 4.5))
            for case in sorted({s["case"] for s in summary}, key=case_order):
                pts = sorted((s[dim], s["median_pps"] / 1e6) for s in summary
                             if s["case"] == case and s[other] == fixed)
                if len(pts) > 1:
                    ax.plot([p[0] for p in pts], [p[1] for p in pts], "o-",
                            label=case_label(case))
            ax.set_xscale("symlog")
            ax.set_xlabel(dim)
            ax.set_ylabel("Mpps delivered")
            ax.set_ylim(bottom=0)
            ax.legend(fontsize=8)
            ax.set_title("by %s (%s %d)\n%s" % (dim, other, fixed, sub),
                         fontsize=9)
            fig.tight_layout()
            name = "%s/bench-%s%s-%s%d-g%s.png" % (out, prefix, dim, other[0],
                                                  fixed, gens)
            fig.savefig(name, dpi=110)
            plt.close(fig)
            written.append(name)
    return written


def cmd_plot(a):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    doc = json.load(open(a.results))
    summary, m, c = doc["summary"], doc["machine"], doc["config"]
    sub = "%s, kernel %s, %s B, IPv%s, %s gen., median of %s (bars: min-max)" % (
        m["cpu"], m["kernel"], c["size"], c["proto"], c["gens"], c["runs"])
    written = []
    points = sorted({(s["size"], s["flows"], s["routes"]) for s in summary})
    sizes = {p[0] for p in points}

    # One bar chart per (size, flows, routes) point.
    for size, flows, routes in points:
        ss = [s for s in summary
              if (s["size"], s["flows"], s["routes"]) == (size, flows, routes)]
        fig, ax = plt.subplots(figsize=(8, 4.5))
        x = range(len(ss))
        med = [s["median_pps"] / 1e6 for s in ss]
        err = [[s["median_pps"] / 1e6 - s["min_pps"] / 1e6 for s in ss],
               [s["max_pps"] / 1e6 - s["median_pps"] / 1e6 for s in ss]]
        colors = ["#999999" if s["case"] in ("kernel", "lb-nft") else
                  "#d62728" if s["case"].partition("@")[0] in ("fib", "table", "lb") else
                  "#2ca02c" if s["case"] in PEER_CASES else
                  "#1f77b4" for s in ss]
        ax.bar(x, med, yerr=err, capsize=4, color=colors)
        top = max(s["max_pps"] for s in ss) / 1e6
        for i, v in enumerate(med):
            ax.text(i, ss[i]["max_pps"] / 1e6 + top * 0.01, "%.2f" % v,
                    ha="center", va="bottom", fontsize=9)
        ax.set_xticks(list(x))
        ax.set_xticklabels([case_label(s["case"]) for s in ss],
                           rotation=15, fontsize=9)
        ax.set_ylabel("Mpps delivered")
        ax.set_title("%d-byte UDP forwarding, %d flow(s), %d extra routes\n%s" %
                     (size, flows, routes, sub), fontsize=9)
        fig.tight_layout()
        # The file names of one size stay what they were.
        name = "%s/bench-cases-%sf%d-r%d-g%s.png" % (
            a.out, "s%d-" % size if len(sizes) > 1 else "", flows, routes,
            c["gens"])
        fig.savefig(name, dpi=110)
        plt.close(fig)
        written.append(name)

    # Scaling: one line per case over flows (or routes) when there are
    # several, per frame size.
    for size in sorted(sizes):
        written += plot_scaling([s for s in summary if s["size"] == size],
                                a.out, sub, c["gens"],
                                "s%d-" % size if len(sizes) > 1 else "", plt)
    for n in written:
        print("plot: %s" % n)
    return 0


def main():
    ap = argparse.ArgumentParser()
    sp = ap.add_subparsers(dest="cmd", required=True)
    s = sp.add_parser("summary")
    s.add_argument("results")
    s.add_argument("--machine", required=True)
    s.add_argument("--config", required=True)
    s.add_argument("--json")
    s.add_argument("--smoke", action="store_true")
    p = sp.add_parser("plot")
    p.add_argument("results")
    p.add_argument("--out", required=True)
    a = ap.parse_args()
    return cmd_summary(a) if a.cmd == "summary" else cmd_plot(a)


if __name__ == "__main__":
    sys.exit(main())
