# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# netns-tests/lib_sync.sh - waiting for events (harness). Sourced by lib.sh;
# tests source only lib.sh.
#
# The rule of the suite: a test waits for the event it needs (a counter
# reaching a value, a line in a log, a process at a barrier) with a generous
# deadline that only catches a hang; it never sleeps for a fixed time and
# hopes. Where a test asserts how long something took, the time comes from
# the event itself - a timestamp taken when the daemon printed it
# (xr_bg_stamped) - not from how fast a poll loop of CLI and Python
# invocations noticed it: on a loaded machine one poll may take a second.

# xr_wait_until SECONDS DESC CMD...: poll CMD every 0.1 s until it succeeds;
# fail the test after SECONDS (a deadline for hangs, not a measurement).
xr_wait_until()
{
	local secs=$1 desc=$2
	shift 2
	xr_wait_until_quiet "$secs" "$@" || xr_fail "timed out: $desc"
}

# xr_wait_until_quiet SECONDS CMD...: as xr_wait_until, but returns 1 at
# the deadline instead of failing (the caller says what went wrong).
xr_wait_until_quiet()
{
	local deadline
	deadline=$(($(xr_now_us) + $1 * 1000000))
	shift
	until "$@" >/dev/null 2>&1; do
		(($(xr_now_us) < deadline)) || return 1
		sleep 0.1
	done
}

# xr_wait_pid_gone PID SECONDS
xr_wait_pid_gone()
{
	local pid=$1 deadline=$((SECONDS + $2))
	while kill -0 "$pid" 2>/dev/null; do
		((SECONDS < deadline)) || return 1
		sleep 0.05
	done
	wait "$pid" 2>/dev/null
	return 0
}

# xr_now_us: wall clock in microseconds, without a fork ($EPOCHREALTIME).
xr_now_us()
{
	local t=$EPOCHREALTIME
	echo "${t/[.,]/}"
}

# xr_ms: a millisecond clock for measurements.
xr_ms()
{
	echo $(($(xr_now_us) / 1000))
}

# xr_stamp: copy stdin to stdout, each line prefixed with the microsecond
# wall clock at which it was read ("1700000000123456 line"). One process
# that reads whole buffers (not a shell loop: a daemon that logs a lot must
# never wait for its pipe).
xr_stamp()
{
	"$XR_PYTHON" -c '
import sys, time
out = sys.stdout.buffer
for line in iter(sys.stdin.buffer.readline, b""):
    out.write(b"%d %s" % (time.time_ns() // 1000, line))
    out.flush()
'
}

# xr_bg_stamped NS LOG CMD...: xr_bg NS CMD... with its stdout and stderr
# timestamped line by line into LOG (xr_stamp, a process of its own reading
# a FIFO: it sleeps in read(2), so it stamps a line as soon as CMD prints it
# even when the machine is busy). XR_BG_PID is CMD's pid.
xr_bg_stamped()
{
	local ns=$1 log=$2 fifo
	shift 2
	fifo=$(mktemp -u "$XR_RUN_DIR/stamp.XXXXXX")
	mkfifo "$fifo" || xr_fail "cannot create $fifo"
	xr_stamp <"$fifo" >"$log" &
	XR_BG_PIDS+=("$!")
	xr_bg "$ns" "$@" >"$fifo" 2>&1
}

# xr_stamped_after LOG T0 ERE: the timestamp (us) of the first line of the
# stamped LOG after T0 (us) whose text matches ERE; nothing if none.
xr_stamped_after()
{
	awk -v t0="$2" -v re="$3" '
		$1 > t0 { l = $0; sub(/^[0-9]+ /, "", l); if (l ~ re) { print $1; exit } }' "$1"
}

# xr_wait_stamped LOG T0 ERE SECONDS DESC: wait (deadline SECONDS) for a
# line matching ERE stamped after T0 in LOG; prints its delay after T0 in ms.
xr_wait_stamped()
{
	local t deadline
	deadline=$((SECONDS + $4))
	until t=$(xr_stamped_after "$1" "$2" "$3") && [[ -n $t ]]; do
		((SECONDS < deadline)) ||
			xr_fail "timed out: $5 (no '$3' in ${1##*/} after $4 s;" \
				"its last lines: $(tail -n 6 "$1")"
		sleep 0.05
	done
	echo $(((t - $2) / 1000))
}

# xr_wait_stable SECONDS DESC CMD...: run CMD until two runs in a row print
# the same (e.g. counters no longer moving once traffic stopped); the last
# output is left on stdout.
xr_wait_stable()
{
	local deadline=$((SECONDS + $1)) desc=$2 prev cur
	shift 2
	prev=$("$@") || xr_fail "$desc: '$*' failed"
	while :; do
		cur=$("$@") || xr_fail "$desc: '$*' failed"
		[[ $cur == "$prev" ]] && break
		((SECONDS < deadline)) || xr_fail "timed out: $desc (still moving: $cur)"
		prev=$cur
	done
	printf '%s\n' "$cur"
}

# A barrier for races: xr_barrier_init NAME; processes started with
# xr_barrier_bg NAME NS CMD... each announce that they arrived and block;
# xr_barrier_release NAME N waits until all N arrived, then lets them go at
# once.
xr_barrier_init()
{
	local d="$XR_RUN_DIR/barrier-$1"
	rm -rf "$d"
	mkdir -p "$d"
	mkfifo "$d/go" || xr_fail "cannot create the barrier FIFO $d/go"
	# Held open read-write by the test shell: the waiters' opens do not
	# block, and the "go" lines stay in the FIFO for a waiter that comes
	# late to its read(2).
	exec {XR_BARRIER_FD}<>"$d/go"
}

# xr_barrier_bg NAME NS CMD...: xr_bg NS CMD..., CMD exec'd only once the
# barrier NAME is released (XR_BG_PID is its pid).
xr_barrier_bg()
{
	local d="$XR_RUN_DIR/barrier-$1" ns=$2
	shift 2
	# shellcheck disable=SC2016  # expanded by the inner shell
	xr_bg "$ns" bash -c '
		d=$1; shift
		exec 3<"$d/go"
		: >"$d/arrived.$$"
		read -r _ <&3 || exit 99
		exec 3<&-
		exec "$@"' _ "$d" "$@"
}

# xr_barrier_release NAME N: wait until N processes arrived, release them.
xr_barrier_release()
{
	local d="$XR_RUN_DIR/barrier-$1" n=$2 i
	xr_wait_until 30 "$n processes at barrier $1" xr_barrier_arrived "$d" "$n"
	for ((i = 0; i < n; i++)); do
		echo go
	done >&"$XR_BARRIER_FD"
	exec {XR_BARRIER_FD}>&-
}

xr_barrier_arrived()
{
	local f c=0
	for f in "$1"/arrived.*; do
		[[ -e $f ]] && c=$((c + 1))
	done
	((c >= $2))
}
