#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# How long `lb apply` takes at scale (docs/scale-out.md, "How far it goes"):
# NV VIPs x NB backends on one router attached to a veth in a scratch
# namespace (backends as static neighbours), applied from scratch, again
# with one backend down, and again unchanged. Not a ctest: run by hand.
#
# Usage: apply_bench.sh path/to/xdp-router [NV [NB]]   (root)
set -euo pipefail

X=${1:?usage: $0 path/to/xdp-router [NV [NB]]}
NV=${2:-64}
NB=${3:-16}
NS=xrt-applyb-$$
PIN=/run/xrt-applyb-$$
CFG=$(mktemp)

cleanup()
{
	ip netns del "$NS" 2>/dev/null || true
	umount "$PIN" 2>/dev/null || true
	rmdir "$PIN" 2>/dev/null || true
	rm -f "$CFG"
}
trap cleanup EXIT

ip netns add "$NS"
mkdir -p "$PIN"
mount -t bpf bpf "$PIN"
ip -n "$NS" link add l0 type veth peer name p0
ip -n "$NS" link set l0 up
ip -n "$NS" link set p0 up
ip -n "$NS" addr add 10.9.0.1/16 dev l0

# Backend i: 10.9.(1 + i / 250).(1 + i % 250), a made-up MAC.
/usr/bin/python3 - "$NV" "$NB" >"$CFG" <<'PY'
import sys
nv, nb = int(sys.argv[1]), int(sys.argv[2])
print("vips:")
for v in range(nv):
    print(f"  - name: v{v}\n    address: 10.0.{v // 250}.{v % 250 + 1}\n"
          f"    port: 80\n    health: none\n    backends:")
    for b in range(nb):
        i = v * nb + b
        print(f"      - {{ address: 10.9.{1 + i // 250}.{i % 250 + 1} }}")
PY
/usr/bin/python3 - "$NV" "$NB" <<'PY' | ip -n "$NS" -batch -
import sys
for i in range(int(sys.argv[1]) * int(sys.argv[2])):
    print(f"neigh add 10.9.{1 + i // 250}.{i % 250 + 1} lladdr "
          f"02:00:00:00:{i // 256 % 256:02x}:{i % 256:02x} dev l0 nud permanent")
PY

cli() { ip netns exec "$NS" "$X" --pin-path "$PIN/xr" "$@"; }
timed()
{
	local t0 t1
	t0=$(date +%s%N)
	cli lb apply "$CFG" >/dev/null
	t1=$(date +%s%N)
	echo "$1: $(((t1 - t0) / 1000000)) ms"
}

cli attach --lb-max-vips "$NV" l0 >/dev/null
echo "$NV VIPs x $NB backends"
timed "apply from scratch"
sed -i '0,/{ address: 10.9.1.1 }/s//{ address: 10.9.1.1, state: down }/' "$CFG"
timed "one backend down"
timed "unchanged"
