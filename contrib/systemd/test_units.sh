#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# test_units.sh DIR - `systemd-analyze verify` on the units in DIR (the
# copy whose ExecStart runs the build's binary), the template through an
# instance. Any warning fails: systemd-analyze prints nothing for a good
# unit. Skips (77) without systemd-analyze.
set -u
dir=$1
command -v systemd-analyze >/dev/null || { echo "SKIP: no systemd-analyze"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
cp "$dir"/* "$tmp/"
# The template, as an instance; its ConditionPathExists is not evaluated
# by verify.
ln -s "$tmp/xdp-router@.service" "$tmp/xdp-router@uplinks.service"

fail=0
for unit in xdp-router.target xdp-router@uplinks.service \
	xdp-router-populate.service xdp-router-lb.service \
	xdp-router-prometheus.service; do
	[[ -e $tmp/$unit ]] || { echo "FAIL: no $unit" >&2; fail=1; continue; }
	out=$(cd "$tmp" && SYSTEMD_LOG_LEVEL=notice \
		systemd-analyze verify --man=no "$tmp/$unit" 2>&1)
	rc=$?
	# Complaints about units of the host (not ours) are not ours to fix.
	ours=$(grep -E 'xdp-router' <<<"$out")
	if ((rc)) || [[ -n $ours ]]; then
		echo "FAIL: $unit (rc $rc):" >&2
		echo "$out" >&2
		fail=1
	fi
done
# The sandbox must not take away what BPF needs.
for unit in "$tmp"/*.service; do
	grep -q '^CapabilityBoundingSet=.*CAP_BPF.*CAP_NET_ADMIN' "$unit" ||
		{ echo "FAIL: $unit lacks CAP_BPF/CAP_NET_ADMIN" >&2; fail=1; }
	grep -q '^PrivateNetwork=yes' "$unit" &&
		{ echo "FAIL: $unit has PrivateNetwork" >&2; fail=1; }
done
((fail)) && exit 1
echo ok
