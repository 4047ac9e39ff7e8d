# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# shellcheck shell=sh
#
# Helpers shared by the benchmark scripts that run a cauditd of their own
# (run-bench.sh, bench-vs-auditd.sh). Sourced, not run. The caller sets:
#   ME                     its name, for messages
#   CAUDITD                the agent binary
#   WAIT_LEFT              seconds left to wait for other cauditd instances
#   AGENT_START_TIMEOUT, AGENT_STOP_TIMEOUT  seconds
# and may set, per agent started:
#   ENCRYPT_TO, EXTRA_CONF extra lines of the agent's configuration
#   AGENT_ARGS             extra command-line options (e.g. --rules DIR)
# start_agent sets AGENT_PID and AGENT_LOG; stop_agent clears AGENT_PID.

AGENT_PID=

die() {
	echo "$ME: $*" >&2
	exit 1
}

# kv KEY LINE: value of KEY in a line of key=value pairs ("" when absent)
kv() {
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1
}

# calc EXPR: awk arithmetic, printed with %.1f unless a format is given
calc() {
	awk "BEGIN { printf \"${2:-%.1f}\", ($1) }"
}

# rule N: a line of N dashes
rule() {
	printf "%${1}s\n" "" | tr ' ' -
}

# Number of live cauditd processes other than ours (zombies do not count).
others() {
	n=0
	for p in $(pgrep -x cauditd || true); do
		[ "$p" = "${AGENT_PID:-0}" ] && continue
		st=$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null || echo Z)
		[ "$st" = Z ] || n=$((n + 1))
	done
	echo "$n"
}

# Wait while other cauditd instances run, up to WAIT seconds over the whole
# bench (they attach their own programs and perturb every figure).
wait_quiet() {
	while [ "$(others)" -gt 0 ] && [ "$WAIT_LEFT" -gt 0 ]; do
		sleep 2
		WAIT_LEFT=$((WAIT_LEFT - 2))
	done
}

# cpu_ticks PID: utime + stime of a process, in clock ticks
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# log_text DIR: the JSON lines of a log directory (plain current.jsonl of
# older agents, or the signed store's gzip segments in chain order)
log_text() {
	for f in "$1"/current.jsonl "$1"/seg-*.jsonl.gz; do
		[ -f "$f" ] && gzip -dcf "$f" 2>/dev/null
	done
	return 0
}

# write_config DIR: DIR/cauditd.conf with the log (and the keys of the signed
# store, when this cauditd has one) under DIR, defaults for everything else
write_config() {
	# no pins (a benchmark must not leave capture running), no status socket
	printf 'log_dir = %s/log\nkey_dir = %s/keys\npin_dir =\nstatus_socket =\nrules = all\n' "$1" "$1" >"$1/cauditd.conf"
	[ -z "${ENCRYPT_TO:-}" ] || printf 'encrypt_to = %s\n' "$ENCRYPT_TO" >>"$1/cauditd.conf"
	[ -z "${EXTRA_CONF:-}" ] || printf '%s\n' "$EXTRA_CONF" >>"$1/cauditd.conf"
	"$CAUDITD" -t -c "$1/cauditd.conf" >/dev/null 2>&1 && return 0
	printf 'log_dir = %s/log\n' "$1" >"$1/cauditd.conf"
	"$CAUDITD" -t -c "$1/cauditd.conf" >&2 || die "cauditd refuses $1/cauditd.conf"
}

# start_agent DIR: run cauditd with its log in DIR/log, wait for agent.start
start_agent() {
	mkdir -p "$1"
	write_config "$1"
	# shellcheck disable=SC2086 # AGENT_ARGS: options split on blanks
	"$CAUDITD" -c "$1/cauditd.conf" --foreground ${AGENT_ARGS:-} >"$1/agent.out" 2>&1 &
	AGENT_PID=$!
	AGENT_LOG=$1/log
	t=0
	# an encrypted log hides agent.start: then the agent's own "capturing" line says it
	while ! { [ -n "${ENCRYPT_TO:-}" ] && grep -q 'info: capturing' "$1/agent.out"; } &&
		! log_text "$AGENT_LOG" | grep -q "\"event\":\"agent.start\".*\"pid\":$AGENT_PID,"; do
		if ! kill -0 "$AGENT_PID" 2>/dev/null; then
			cat "$1/agent.out" >&2
			AGENT_PID=
			die "cauditd exited during start"
		fi
		t=$((t + 1))
		if [ "$t" -gt $((AGENT_START_TIMEOUT * 10)) ]; then
			cat "$1/agent.out" >&2
			ls -la "$1" "$1/log" >&2 || true
			die "no agent.start within ${AGENT_START_TIMEOUT}s"
		fi
		sleep 0.1
	done
}

# stop_pid PID NAME TIMEOUT: SIGTERM to a child of this shell, wait (bounded)
# for it to exit, SIGKILL after TIMEOUT seconds; reaps it
stop_pid() {
	kill -TERM "$1" 2>/dev/null || true
	t=0
	while kill -0 "$1" 2>/dev/null && [ "$t" -lt $(($3 * 10)) ]; do
		# a zombie is done: wait below reaps it
		[ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null || echo Z)" = Z ] && break
		sleep 0.1
		t=$((t + 1))
	done
	if [ "$t" -ge $(($3 * 10)) ]; then
		echo "$ME: $2 $1 did not stop in ${3}s: SIGKILL" >&2
		kill -KILL "$1" 2>/dev/null || true
	fi
	wait "$1" 2>/dev/null || true
}

# stop_agent: SIGTERM, wait (bounded) for the drain and exit, SIGKILL after.
stop_agent() {
	[ -n "$AGENT_PID" ] || return 0
	stop_pid "$AGENT_PID" cauditd "$AGENT_STOP_TIMEOUT"
	AGENT_PID=
}

# on_exit FUNCTION: run FUNCTION when the script exits, also on HUP, INT, TERM
# (FUNCTION starts with `trap - EXIT INT TERM HUP`)
on_exit() {
	# shellcheck disable=SC2064 # the function name is meant to expand now
	trap "$1" EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
}


# kernel.bpf_stats_enabled = 1 (left on by a profiler, `bpftool prog profile`
# or an earlier session) makes the kernel time every BPF program run: about
# 45 ns more per program, measured here, on every hooked syscall. The
# figures are taken with it off; stats_off switches it off and notes the old
# value (STATS_NOTE says what it did), stats_restore (called from the cleanup) puts it back.
STATS_SYSCTL=/proc/sys/kernel/bpf_stats_enabled
STATS_WAS=
# shellcheck disable=SC2034 # STATS_NOTE: read by the scripts that source this file
STATS_NOTE=
# shellcheck disable=SC2034
stats_off() {
	if [ ! -w "$STATS_SYSCTL" ]; then
		STATS_NOTE="unknown (no $STATS_SYSCTL)"
		return 0
	fi
	STATS_WAS=$(cat "$STATS_SYSCTL")
	STATS_NOTE=off
	[ "$STATS_WAS" = 0 ] && return 0
	echo 0 >"$STATS_SYSCTL"
	STATS_NOTE="off for the run (was $STATS_WAS; restored at the end)"
}
stats_restore() {
	[ -n "$STATS_WAS" ] && [ "$STATS_WAS" != 0 ] && echo "$STATS_WAS" >"$STATS_SYSCTL"
	STATS_WAS=
}
