#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# `xdp-router lb`'s error contract through the real binary, without a
# router: each failure exits non-zero with exactly one line, "Error: ..." on
# stderr, or with --json one {"error": "..."} object on stdout. Configuration
# errors name file:line:col and are found before any pin is looked at.
#
# Usage: lb_cli_errors.sh path/to/xdp-router
set -u

BIN=${1:?usage: $0 path/to/xdp-router}
RUN=("$BIN")
export XDP_ROUTER_PIN_PATH=/nonexistent-xdp-router-test/pins
failures=0
dir=$(mktemp -d)
out=$dir/out err=$dir/err
trap 'rm -rf "$dir"' EXIT

# shellcheck source=user/tests/error_contract.sh
. "$(dirname "$0")/error_contract.sh"

cat >"$dir/bad.yaml" <<'Y'
vips:
  - name: web
    address: 10.0.0.100
    port: 80
    backends:
      - { address: 10.9.0.11, weight: 0 }
Y
printf 'vips:\n  - { name: web, address: 10.0.0.1, backends: [ { address: 10.9' \
	>"$dir/cut.yaml"
cat >"$dir/good.yaml" <<'Y'
vips:
  - name: web
    address: 10.0.0.100
    backends: [ { address: 10.9.0.11 } ]
Y

expect_error "lb: no command given"			lb
expect_error "lb: unknown command 'frob'"		lb frob
expect_error "lb: ambiguous command 'a': apply, add-vip, add-backend" lb a
expect_error "lb apply: FILE is missing"		lb apply
expect_error "cannot open $dir/nope.yaml"		lb apply "$dir/nope.yaml"
expect_error "$dir/bad.yaml:6:39: backend weight 0 out of range 1..1000\$" \
	lb apply "$dir/bad.yaml"
expect_error "$dir/cut.yaml:2:64: invalid YAML" lb apply "$dir/cut.yaml"
expect_error "lb apply: unexpected argument 'x'"	lb apply "$dir/good.yaml" x
expect_error "nothing attached at"			lb apply "$dir/good.yaml"
expect_error "nothing attached at"			lb show
expect_error "lb add-vip: expected NAME ADDR"		lb add-vip web
expect_error "invalid VIP name 'we b'"			lb add-vip 'we b' 10.0.0.1
expect_error "'10.0.0.1:x' is not ADDR"			lb add-vip web 10.0.0.1:x
expect_error "invalid --proto 'sctp'"			lb add-vip --proto sctp web 10.0.0.1
expect_error "invalid --mode 'tun'"			lb add-vip --mode tun web 10.0.0.1
expect_error "lb del-vip: expected a VIP"		lb del-vip
expect_error "invalid --weight '0'"			lb add-backend web 10.9.0.1 --weight 0
expect_error "invalid --weight '1001'"			lb set-backend web 10.9.0.1 --weight 1001
expect_error "invalid --state 'off'"			lb set-backend web 10.9.0.1 --state off
expect_error "nothing to change"			lb set-backend web 10.9.0.1
expect_error "the port goes in --port"			lb add-backend web 10.9.0.1:80
expect_error "lb del-backend: expected VIP ADDR"	lb del-backend web
# A sibling's option with its value names the option, not the value.
expect_error "unknown option '--weight' "		lb del-backend --weight 3 web 10.9.0.1
expect_error "unknown option '-w' "			lb del-backend -w3 web 10.9.0.1
"${RUN[@]}" lb export >"$out" 2>"$err" && fail "'lb export' without a router exited 0"
grep -q "^Error: nothing attached at" "$err" || fail "'lb export' error"
"${RUN[@]}" --json lb export >"$out" 2>"$err"
jq -e '.error | test("lb export: the output is YAML")' "$out" >/dev/null 2>&1 ||
	fail "'--json lb export' is not refused"
expect_error "lb watch: expected FILE"			lb watch
# Routing tables: one parser, base 10 (0x10 is no number, 010 is table 10).
TABLE_ERR="expected a routing table number 1-4294967295 other than 253-255"
expect_error "--announce-table '254': $TABLE_ERR"	lb watch "$dir/good.yaml" --announce-table 254
expect_error "--announce-table 'x': $TABLE_ERR"		lb watch "$dir/good.yaml" --announce-table x
expect_error "--announce-table '0x10': $TABLE_ERR"	lb watch "$dir/good.yaml" --announce-table 0x10
expect_error "--announce-table '0': $TABLE_ERR"		lb watch "$dir/good.yaml" --announce-table 0
expect_error "lb watch: --announce-dev needs --announce-table" \
	lb watch "$dir/good.yaml" --announce-dev xrlb1
# Interface names as the kernel takes them (the message does not echo one:
# it may hold a newline).
for name in "" . .. a/b a:1 "a b" $'a\nb' 0123456789abcdef; do
	expect_error "lb watch: --announce-dev: not an interface name" \
		lb watch "$dir/good.yaml" --announce-table 100 --announce-dev "$name"
done
# A device of the announce name exists (a persistent tun, which would
# outlive the watcher): refused, not taken over. In a network namespace of
# its own; root only.
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
	RUN=(unshare -n sh -c 'ip tuntap add dev xrlbT mode tun && exec "$0" "$@"' "$BIN")
	expect_error "cannot create announce device xrlbT: .*busy.*another lb watch" \
		lb watch "$dir/good.yaml" --announce-table 100 --announce-dev xrlbT
	RUN=("$BIN")
fi
BGP=(--local-as 65001 --neighbor 10.9.0.1 --neighbor-as 65000)
expect_error "are required"				lb bgp-config
expect_error "are required"				lb bgp-config --table 100
expect_error "--table '254': $TABLE_ERR"		lb bgp-config --table 254 "${BGP[@]}"
expect_error "--table '0x10': $TABLE_ERR"		lb bgp-config --table 0x10 "${BGP[@]}"
expect_error "--local-as '0': expected 1"		lb bgp-config --table 100 --local-as 0 \
	--neighbor 10.9.0.1 --neighbor-as 1
expect_error "--neighbor '10.9.0.300': not an IP"	lb bgp-config --table 100 --local-as 1 \
	--neighbor 10.9.0.300 --neighbor-as 2
for name in 'a"b' 'a\b' "" . .. a/b a:1 "a b" $'xrlb0\n}' 0123456789abcdef; do
	expect_error "lb bgp-config: --dev: not an interface name" \
		lb bgp-config --table 100 "${BGP[@]}" --dev "$name"
done
# The output is BIRD's configuration: --json is refused, not ignored.
"${RUN[@]}" --json lb bgp-config --table 100 "${BGP[@]}" >"$out" 2>"$err"
jq -e '.error | test("lb bgp-config: the output is a BIRD configuration")' "$out" \
	>/dev/null 2>&1 || fail "'--json lb bgp-config' is not refused"
expect_ok lb bgp-config --table 010 "${BGP[@]}"
grep -q "kernel table 10;" "$out" || fail "'--table 010' is not table 10"
expect_error "unexpected argument"			lb bgp-config --table 100 "${BGP[@]}" extra
# A valid one needs no router; BIRD, if installed, must accept it.
expect_error "--bfd '5': expected 10..10000"		lb bgp-config --table 100 "${BGP[@]}" --bfd 5
expect_ok lb bgp-config --table 100 "${BGP[@]}" --neighbor fd00::1 --router-id 10.9.0.11 \
	--bfd 100
if command -v bird >/dev/null; then
	cp "$out" "$dir/bird.conf"
	bird -p -c "$dir/bird.conf" 2>"$err" || fail "bird rejects lb bgp-config's output: $(cat "$err")"
fi

expect_ok lb help
expect_ok lb --help
expect_ok lb apply --help
expect_ok lb set-backend --help
expect_ok lb watch --help
expect_ok lb bgp-config --help

if [ $failures -ne 0 ]; then
	echo "$failures failure(s)" >&2
	exit 1
fi
echo "all lb CLI error cases passed"
