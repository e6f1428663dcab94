#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""random_history.py SEED STEPS DIR - write DIR/step-1.yaml .. step-STEPS.yaml,
random load balancer configurations over a small universe whose VIPs collide
in a 4-row VIP table (10.0.0.10, .13, .28, .100 and .107 port 80 share a
canonical row, user/lb/lb_ids.h), for test_lb_identical.sh. Each has 1-4 VIPs with
1-5 of the backends 10.9.0.21-28, random weights and states."""
import os
import random
import sys

VIPS = ["10.0.0.10", "10.0.0.13", "10.0.0.28", "10.0.0.100", "10.0.0.107",
        "10.0.0.102", "10.0.0.101"]
BACKENDS = [f"10.9.0.{i}" for i in range(21, 29)]
STATES = ["active"] * 4 + ["drain", "down"]


def main():
    seed, steps, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    rnd = random.Random(seed)
    for step in range(1, steps + 1):
        lines = ["vips:"]
        for vip in rnd.sample(VIPS, rnd.randint(1, 4)):
            lines += [f"  - name: v{vip.rsplit('.', 1)[1]}",
                      f"    address: {vip}", "    port: 80",
                      "    health: none", "    backends:"]
            for be in rnd.sample(BACKENDS, rnd.randint(1, 5)):
                lines.append(f"      - {{ address: {be}, weight: "
                             f"{rnd.randint(1, 3)}, state: "
                             f"{rnd.choice(STATES)} }}")
        with open(os.path.join(out, f"step-{step}.yaml"), "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
