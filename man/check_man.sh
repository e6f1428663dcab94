#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# check_man.sh MANDIR CLI - the manual pages against the binary:
#  - every page in MANDIR renders with `man -l` without a groff warning;
#  - every command of `xdp-router help` and `xdp-router lb help` has a page;
#  - every option that `--help` prints (globally, per command, per lb
#    command) appears in that page, as a whole word (-c is not found in
#    --cpus).
# So a new command or option without documentation fails the unit tests.
set -u
mandir=$1 cli=$2
fail=0
err() { echo "FAIL: $*" >&2; fail=1; }

command -v man >/dev/null || { echo "SKIP: no man(1)"; exit 77; }

# Rendered as plain ASCII, one long line per paragraph, no overstrike.
render() {
	MANWIDTH=1000 MAN_KEEP_FORMATTING= LC_ALL=C.UTF-8 \
		man --warnings=w,mac,break -E ascii -l "$1" 2>"$tmp/warn" | col -b
}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

shopt -s nullglob
pages=("$mandir"/*.8)
((${#pages[@]})) || { err "no pages in $mandir"; exit 1; }
for p in "${pages[@]}"; do
	render "$p" >"$tmp/$(basename "$p").txt"
	if [[ -s $tmp/warn ]]; then
		err "$(basename "$p") renders with warnings:"
		cat "$tmp/warn" >&2
	fi
	grep -q '^NAME' "$tmp/$(basename "$p").txt" ||
		err "$(basename "$p") has no NAME section"
done

# The long and short options of a --help text.
options_of() {
	grep -oE '(^|[][ ,|])--?[a-zA-Z][a-zA-Z0-9-]*' |
		sed -E 's/^[][ ,|]//' | sort -u
}

# check PAGE HELP-TEXT-FILE: every option of the help appears in PAGE.
check_options() {
	local page=$1 help=$2 opt txt="$tmp/$1.txt"
	[[ -f $txt ]] || { err "no page $1 (for $(head -1 "$help"))"; return; }
	while read -r opt; do
		# The whole option: -j must not match inside --json, nor --max
		# inside --max-routes-v4 (the rendered page has ASCII hyphens).
		grep -qE -- "(^|[^[:alnum:]-])${opt}([^[:alnum:]-]|\$)" "$txt" ||
			err "$page does not mention $opt"
	done < <(options_of <"$help")
}

# Command names from a help text's "Commands" list: two-space indented
# lowercase words after the line starting with "Commands".
commands_of() {
	sed -n '/Commands/,/^$/p' | grep -oE '^  [a-z][a-z-]*' | tr -d ' '
}

"$cli" --help >"$tmp/help.txt" || err "xdp-router --help failed"
check_options xdp-router.8 "$tmp/help.txt"
mapfile -t cmds < <(commands_of <"$tmp/help.txt")
((${#cmds[@]} >= 6)) || err "found only ${#cmds[@]} commands in --help"
for c in "${cmds[@]}"; do
	[[ $c == help ]] && continue
	grep -qE "^ *$c( |$)" "$tmp/xdp-router.8.txt" ||
		err "xdp-router.8 does not list command $c"
	"$cli" "$c" --help >"$tmp/$c.help" || err "$c --help failed"
	check_options "xdp-router-$c.8" "$tmp/$c.help"
done

"$cli" lb help >"$tmp/lb.help" || err "lb help failed"
mapfile -t lbcmds < <(commands_of <"$tmp/lb.help")
((${#lbcmds[@]} >= 8)) || err "found only ${#lbcmds[@]} lb commands"
for c in "${lbcmds[@]}"; do
	[[ $c == help ]] && continue
	grep -qE "^ *$c( |$)" "$tmp/xdp-router-lb.8.txt" ||
		err "xdp-router-lb.8 does not list command $c"
	"$cli" lb "$c" --help >"$tmp/lb-$c.help" || err "lb $c --help failed"
	check_options "xdp-router-lb-$c.8" "$tmp/lb-$c.help"
done

((fail)) && exit 1
echo "ok: ${#pages[@]} pages, ${#cmds[@]} commands, ${#lbcmds[@]} lb commands"
