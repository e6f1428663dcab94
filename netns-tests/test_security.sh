#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# What the CLI creates is private, what it reads it checks, and without the
# capabilities it needs it stops before touching anything.
#
# Asserts:
# - attach creates the pin directory with mode 0700; a bpffs the CLI mounts
#   itself (a pin path outside any bpffs) is mounted with mode 0700;
# - an existing pin directory others may write to is refused (one Error
#   line, nothing attached), as is a symlink in its place;
# - without CAP_NET_ADMIN, CAP_BPF and CAP_SYS_ADMIN (capsh --drop), every
#   command that touches BPF objects fails with one Error line naming the
#   capabilities, and the router is left exactly as it was;
# - `lb apply` refuses what is not a regular file of at most 64 MB (a
#   device, a FIFO, which must not block, a directory, a 65 MB file), with
#   one Error line and the VIPs unchanged.
# shellcheck source=netns-tests/lib.sh source-path=SCRIPTDIR/..
. "$(dirname "$0")/lib.sh"

xr_init sec
xr_need_cli
command -v capsh >/dev/null || xr_skip "capsh (libcap2-bin) not installed"
xr_topo ab

mode_of() { stat -c %a "$1"; }
# Nothing for group or others (a bpffs root also has the sticky bit).
assert_private()
{
	local m
	m=$(mode_of "$1")
	(((8#$m & 8#077) == 0)) || xr_fail "$2: mode $m, expected no group/other bits"
	xr_log "ok: $2 ($m)"
}

xr_step "attach: the pin directory is 0700"
xr_cli_ok r attach ra >/dev/null
xr_assert_eq "$(mode_of "$(xr_pin_path r)")" 700 "pin directory mode"
id=$(xr_xdp_prog_id r ra)

xr_step "a bpffs the CLI mounts itself is 0700"
# nsenter --net keeps the root mount namespace: the mount outlives the CLI.
self="$XR_RUN_DIR/selfmount"
nsenter --net="/run/netns/$(xr_ns r)" "$XR_CLI" --pin-path "$self/xdp-router" \
	attach rb >/dev/null || xr_fail "attach with a pin path off bpffs failed"
xr_assert_eq "$(stat -f -c %T "$self")" bpf_fs "a bpffs at $self"
assert_private "$self" "self-mounted bpffs mode"
xr_assert_eq "$(mode_of "$self/xdp-router")" 700 "its pin directory mode"
nsenter --net="/run/netns/$(xr_ns r)" "$XR_CLI" --pin-path "$self/xdp-router" \
	detach --all >/dev/null || xr_fail "detach --all failed"

xr_step "an existing pin directory others may write to: refused"
loose="$XR_RUN_DIR/bpffs-loose"
mkdir -p "$loose"
mount -t bpf bpf "$loose" || xr_fail "cannot mount a bpffs at $loose"
mkdir "$loose/xdp-router"
chmod 0777 "$loose/xdp-router"
# attach_refused DESC: attach rb with the pin path $loose/xdp-router must
# fail with one Error line naming that directory (left in XR_ERR).
attach_refused()
{
	xr_in r "$XR_CLI" --pin-path "$loose/xdp-router" attach rb \
		>/dev/null 2>"$XR_RUN_DIR/cli.err" && xr_fail "attach $1 succeeded"
	XR_ERR=$(cat "$XR_RUN_DIR/cli.err")
	[[ $XR_ERR == "Error: "*"$loose/xdp-router"* &&
		$(wc -l <"$XR_RUN_DIR/cli.err") == 1 ]] ||
		xr_fail "attach $1: not one Error line naming the directory: '$XR_ERR'"
	xr_log "ok: attach $1 refused: $XR_ERR"
}
attach_refused "into a 0777 pin directory"
[[ $XR_ERR == *"not safe"* ]] || xr_fail "the error does not say the directory is not safe"
xr_assert_empty "$(xr_xdp_prog_id r rb)" "nothing attached to rb"
rmdir "$loose/xdp-router"
ln -s /tmp "$loose/xdp-router"
attach_refused "through a symlinked pin directory"
xr_assert_empty "$(xr_xdp_prog_id r rb)" "nothing attached to rb"

xr_step "without the capabilities: one Error line, nothing changed"
nocaps()
{
	xr_in r capsh --drop=cap_bpf,cap_net_admin,cap_sys_admin -- -c \
		'exec "$0" "$@"' "$XR_CLI" --pin-path "$(xr_pin_path r)" "$@"
}
for cmd in "attach rb" "detach ra" "detach --all" "status" "stats" \
	"populate" "lb show" "lb apply $(dirname "$0")/lb/dsr.yaml"; do
	# shellcheck disable=SC2086
	nocaps $cmd >"$XR_RUN_DIR/cli.out" 2>"$XR_RUN_DIR/cli.err" &&
		xr_fail "'$cmd' without capabilities succeeded"
	err=$(cat "$XR_RUN_DIR/cli.err")
	[[ $err == Error:*CAP_NET_ADMIN* && $(wc -l <"$XR_RUN_DIR/cli.err") == 1 ]] ||
		xr_fail "'$cmd' without capabilities: stderr '$err'"
done
xr_assert_eq "$(xr_xdp_prog_id r ra)" "$id" "ra still runs the router"
xr_assert_empty "$(xr_xdp_prog_id r rb)" "rb still has nothing"
xr_cli_ok r status >/dev/null

xr_step "lb apply: only regular files of at most 64 MB"
mkfifo "$XR_RUN_DIR/fifo"
mkdir "$XR_RUN_DIR/dir"
truncate -s 65M "$XR_RUN_DIR/big.yaml"
before=$(xr_cli_ok r --json lb show)
for f in /dev/zero "$XR_RUN_DIR/fifo" "$XR_RUN_DIR/dir" "$XR_RUN_DIR/big.yaml"; do
	xr_cli_err r lb apply "$f"	# a FIFO blocking: the ctest timeout
	[[ $XR_ERR == *"not a regular file"* || $XR_ERR == *"larger than 64 MB"* ]] ||
		xr_fail "lb apply $f: unexpected error '$XR_ERR'"
done
xr_assert_eq "$(xr_cli_ok r --json lb show)" "$before" "VIPs unchanged"
