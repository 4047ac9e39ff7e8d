#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# caudit benchmark: `make bench` runs `sh bench/run-bench.sh build`. Root.
#
# Table 1  cost per operation in ns (median of RUNS runs of ITERS iterations
#          each, pinned to one CPU with taskset), without and with a running
#          cauditd: getppid (no hook: the cost of having syscall tracepoints
#          attached at all), openat(O_RDONLY)+close (hooked, dropped in the
#          kernel), openat(O_WRONLY)+close (one record per operation),
#          fork+exec+wait of /bin/true (fork, exec and exit records), and the
#          same through io_uring, one request submitted and reaped at a time:
#          IORING_OP_NOP (io_uring hooks attached, opcode not covered),
#          IORING_OP_OPENAT O_RDONLY (dropped in the kernel) and O_WRONLY
#          (one record each), each followed by close(2).
# Table 2  highest event rate sustained with zero loss. An event is one
#          recorded syscall, i.e. one audit record: bench/loadgen.c workers
#          repeat openat(O_WRONLY|O_CREAT)+close on a file of their own (one
#          event: close is not hooked) at a paced rate; with BENCH_UNLINK=1
#          they unlink it after each close (two events, file.open and
#          file.unlink), which on ext4 makes the inode allocator, not the
#          agent, the limit. A trial passes when the agent lost nothing
#          (ringbuf_full + map_full in agent.stop, bad records and write
#          errors in agent.loss), its log holds exactly one file.open or
#          file.unlink record per generated event, each from the thread that
#          made it, and the generator reached 97% of its target (below that,
#          the rate is not sustained: the box ran out of CPU). Search: double
#          from 20k events/s until a trial fails, bisect, then verify the
#          result with one full-length trial (lowering it by 15% when that
#          fails). A fresh agent runs each trial: its totals and peak RSS are
#          the trial's own. A trial that fails while other cauditd instances
#          run is repeated (three times at most over the search).
#
# Every agent writes to a temporary directory under /tmp, default settings
# otherwise. Other cauditd instances (concurrent test runs) perturb timings:
# before each measurement the script waits for them to go (WAIT seconds at
# most over the whole run) and it prints how many ran.
#
# BENCH_QUICK=1     smoke run: RUNS=3, a tenth of the iterations, 5 s trials,
#                   fewer bisection steps, no separate verification trial
# BENCH_THREADS=K   loadgen workers (default: number of CPUs)
# BENCH_UNLINK=1    loadgen unlinks after each open (create+unlink churn)
# BENCH_WAIT=S      total time to spend waiting for other cauditd instances
#                   to exit (default 150, quick 0)
set -eu

BUILD=${1:-build}
QUICK=${BENCH_QUICK:-0}
NCPU=$(nproc)
THREADS=${BENCH_THREADS:-$NCPU}
if [ "${BENCH_UNLINK:-0}" = 1 ]; then
	LG_MODE=-u LG_OP="openat(O_WRONLY|O_CREAT) + close + unlink: 2 records"
else
	LG_MODE='' LG_OP="openat(O_WRONLY|O_CREAT) + close: 1 record"
fi
CPU_PIN=$((NCPU - 1))
CLK_TCK=$(getconf CLK_TCK)

if [ "$QUICK" = 1 ]; then
	RUNS=3 SCALE=10 SEARCH_SECS=5 FINAL_SECS=5 BISECT=1 WAIT=${BENCH_WAIT:-0}
else
	RUNS=5 SCALE=1 SEARCH_SECS=5 FINAL_SECS=30 BISECT=3 WAIT=${BENCH_WAIT:-150}
fi
WAIT_LEFT=$WAIT
START_RATE=20000
MAX_DOUBLINGS=8
VERIFY_ATTEMPTS=3
AGENT_START_TIMEOUT=60 # seconds
AGENT_STOP_TIMEOUT=60

CAUDITD=$BUILD/cauditd
CAUDIT=$BUILD/caudit
OPCOST=$BUILD/bench/opcost
LOADGEN=$BUILD/bench/loadgen
LOGCHECK=$BUILD/bench/logcheck

AGENT_PID=
LG_PID=
TMP=

ME=run-bench
# shellcheck source=bench/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"

cleanup() {
	trap - EXIT INT TERM HUP
	stats_restore
	if [ -n "$LG_PID" ]; then
		kill -TERM "$LG_PID" 2>/dev/null || true
		wait "$LG_PID" 2>/dev/null || true
	fi
	stop_agent
	[ -n "$TMP" ] && rm -rf "$TMP"
}
on_exit cleanup

# ---- checks ----------------------------------------------------------------

[ "$(id -u)" -eq 0 ] || die "must run as root (cauditd loads BPF programs)"
for b in "$CAUDITD" "$OPCOST" "$LOADGEN" "$LOGCHECK"; do
	[ -x "$b" ] || die "$b missing: run make bench"
done
command -v taskset >/dev/null || die "taskset missing (util-linux)"
TMP=$(mktemp -d /tmp/caudit-bench.XXXXXX)
BENCH_START=$(date +%s)

echo "caudit benchmark$([ "$QUICK" = 1 ] && echo ' (BENCH_QUICK=1: smoke figures only)')"
echo "  date       $(date -u +%Y-%m-%dT%H:%M:%SZ)"
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "  machine    $NCPU CPUs, $cpu_model," \
	"$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM"
echo "  kernel     $(uname -r) ($(uname -v))"
stats_off
echo "  bpf stats  $STATS_NOTE (kernel.bpf_stats_enabled)"
echo "  agent      $("$CAUDITD" --version), default settings, log on" \
	"$(df -T "$TMP" | awk 'NR == 2 { print $2 }') ($TMP)"

# ---- Table 1 ---------------------------------------------------------------

OPS="getppid open_ro open_wr forkexec uring_nop uring_open_ro uring_open_wr"
label() {
	case $1 in
	getppid) echo "getppid (not hooked)" ;;
	open_ro) echo "openat RDONLY+close (filtered)" ;;
	open_wr) echo "openat WRONLY+close (recorded)" ;;
	forkexec) echo "fork+exec+wait /bin/true" ;;
	uring_nop) echo "io_uring NOP (not covered)" ;;
	uring_open_ro) echo "io_uring openat RDONLY+close" ;;
	uring_open_wr) echo "io_uring openat WRONLY+close" ;;
	esac
}
iters() {
	case $1 in
	getppid) echo $((1000000 / SCALE)) ;;
	open_ro) echo $((200000 / SCALE)) ;;
	open_wr) echo $((100000 / SCALE)) ;;
	forkexec) echo $((1000 / SCALE)) ;;
	uring_nop) echo $((500000 / SCALE)) ;;
	uring_open_ro) echo $((100000 / SCALE)) ;;
	uring_open_wr) echo $((50000 / SCALE)) ;;
	esac
}

# measure PHASE: one opcost line per op into $TMP/t1.PHASE
measure() {
	: >"$TMP/t1.$1"
	for op in $OPS; do
		out=$(taskset -c "$CPU_PIN" "$OPCOST" "$op" "$(iters "$op")" "$RUNS" "$TMP/file")
		echo "$out" >>"$TMP/t1.$1"
	done
}

echo
echo "Table 1: measuring (pinned to CPU $CPU_PIN, $RUNS runs each)"
: >"$TMP/file"
wait_quiet
others_base=$(others)
measure base
wait_quiet
# the 32-bit syscall hooks (raw sys_enter/sys_exit) run on every syscall:
# their share is the difference between this phase and the next
EXTRA_CONF="capture_ia32 = no" start_agent "$TMP/t1n"
measure noia32
stop_agent
rm -rf "$TMP/t1n"
wait_quiet
start_agent "$TMP/t1"
t1_agent=$AGENT_PID
others_agent=$(others)
measure agent
t1_hwm=$(sed -n 's/^VmHWM:[[:space:]]*//p' "/proc/$AGENT_PID/status")
stop_agent
wr_pid=$(kv pid "$(grep '^op=open_wr' "$TMP/t1.agent")")
wr_ops=$(kv ops "$(grep '^op=open_wr' "$TMP/t1.agent")")
t1_check=$("$LOGCHECK" "$AGENT_LOG" "$wr_pid")
rm -rf "$TMP/t1"

echo
echo "Table 1: cost per operation, ns/op (median of $RUNS runs; taskset -c $CPU_PIN)"
printf '%-31s %9s %13s %13s %11s %8s %7s %13s\n' "operation" "iters/run" "without agent" \
	"with agent" "delta" "delta" "spread" "ia32 hooks"
printf '%-31s %9s %13s %13s %11s %8s %7s %13s\n' "" "" "ns/op" "ns/op" "ns/op" "%" "%" "ns/op"
rule 113
# spread LINE: (max - min) / median of one opcost line, in %
spread() {
	calc "($(kv max_ns "$1") - $(kv min_ns "$1")) * 100 / $(kv median_ns "$1")"
}
for op in $OPS; do
	lb=$(grep "^op=$op " "$TMP/t1.base")
	la=$(grep "^op=$op " "$TMP/t1.agent")
	ln=$(grep "^op=$op " "$TMP/t1.noia32")
	b=$(kv median_ns "$lb") a=$(kv median_ns "$la") n=$(kv median_ns "$ln")
	sb=$(spread "$lb") sa=$(spread "$la")
	printf '%-31s %9s %13s %13s %11s %7s%% %6s%% %13s\n' "$(label "$op")" "$(iters "$op")" \
		"$b" "$a" "$(calc "$a - $b" '%+.1f')" "$(calc "($a - $b) * 100 / $b" '%+.1f')" \
		"$(calc "$sb > $sa ? $sb : $sa")" "$(calc "$a - $n" '%+.1f')"
done
echo "(spread: (max - min) / median over the runs, the larger of the two columns;"
echo " ia32 hooks: with agent minus the same agent with capture_ia32 = no, i.e. the"
echo " cost of closing the 32-bit syscall blind spot)"
lost=$(( $(kv stop_ringbuf_full "$t1_check") + $(kv stop_map_full "$t1_check") ))
echo "agent (pid $t1_agent) wrote $(kv stop_records "$t1_check") records while Table 1 ran" \
	"(all processes, not only the bench), peak RSS $t1_hwm"
echo "  lost: $lost (ringbuf_full $(kv stop_ringbuf_full "$t1_check")," \
	"map_full $(kv stop_map_full "$t1_check"); bad records $(kv bad_records "$t1_check")," \
	"write errors $(kv write_errors "$t1_check"))"
echo "  openat WRONLY records of the bench process: $(kv pid_open "$t1_check")" \
	"of $wr_ops operations (warm-up included)"
echo "  other cauditd running: $others_base during 'without', $others_agent during 'with'"

# ---- Table 2 ---------------------------------------------------------------

TRIAL_N=0 BAD_TRIALS=0
# trial RATE SECS: one loadgen run under a fresh agent. Sets TR_* and
# TR_RESULT (pass, loss, mismatch, gen-bound), prints one search table row.
trial() {
	TRIAL_N=$((TRIAL_N + 1))
	dir=$TMP/trial$TRIAL_N
	wait_quiet
	start_agent "$dir"
	mkdir -p "$dir/load"
	TR_OTHERS=$(others)
	c0=$(cpu_ticks "$AGENT_PID")
	# shellcheck disable=SC2086 # LG_MODE is empty or one option
	"$LOADGEN" $LG_MODE -r "$1" -t "$THREADS" -d "$2" -D "$dir/load" >"$dir/loadgen.out" &
	LG_PID=$!
	wait "$LG_PID" || die "loadgen failed: $(cat "$dir/loadgen.out")"
	LG_PID=
	# let the agent drain what is pending (its CPU time belongs to the trial):
	# done when the log stops growing for 0.2 s
	prev=-1 t=0
	while [ "$t" -lt 50 ]; do
		cur=$(du -sb "$AGENT_LOG" | cut -f 1)
		[ "$cur" = "$prev" ] && break
		prev=$cur t=$((t + 1))
		sleep 0.2
	done
	c1=$(cpu_ticks "$AGENT_PID")
	n=$(others)
	[ "$n" -le "$TR_OTHERS" ] || TR_OTHERS=$n
	TR_HWM=$(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$AGENT_PID/status")
	stop_agent
	TR_LG=$(cat "$dir/loadgen.out")
	lg_pid=$(kv pid "$TR_LG")
	TR_CHECK=$("$LOGCHECK" "$AGENT_LOG" "$lg_pid" "$dir/load/")
	rm -rf "$dir"

	TR_SECS=$(kv secs "$TR_LG")
	TR_EVENTS=$(kv events "$TR_LG")
	TR_ACHIEVED=$(kv rate "$TR_LG")
	TR_MATCHED=$(($(kv pid_open "$TR_CHECK") + $(kv pid_unlink "$TR_CHECK")))
	TR_MISMATCH=$(kv pid_mismatch "$TR_CHECK")
	TR_RB=$(kv stop_ringbuf_full "$TR_CHECK")
	TR_MAP=$(kv stop_map_full "$TR_CHECK")
	TR_LOST=$((TR_RB + TR_MAP))
	TR_USER_ERR=$(($(kv bad_records "$TR_CHECK") + $(kv write_errors "$TR_CHECK")))
	TR_RECORDS=$(kv stop_records "$TR_CHECK")
	TR_CPU=$(calc "($c1 - $c0) * 100 / $CLK_TCK / $TR_SECS")
	TR_US_REC=$(calc "($c1 - $c0) * 1000000 / $CLK_TCK / ($TR_RECORDS > 0 ? $TR_RECORDS : 1)" '%.2f')
	TR_GEN_CPU=$(calc "($(kv user_s "$TR_LG") + $(kv sys_s "$TR_LG")) * 100 / $TR_SECS")
	if [ "$(kv stops "$TR_CHECK")" -ne 1 ]; then
		TR_RESULT=no-stop
	elif [ "$TR_LOST" -ne 0 ] || [ "$TR_USER_ERR" -ne 0 ]; then
		TR_RESULT=loss
	elif [ "$TR_MATCHED" -ne "$TR_EVENTS" ] || [ "$TR_MISMATCH" -ne 0 ] ||
		[ "$(kv errors "$TR_LG")" -ne 0 ]; then
		TR_RESULT=mismatch
	elif [ "$(calc "$TR_ACHIEVED >= 0.97 * $1" '%d')" -ne 1 ]; then
		TR_RESULT=gen-bound
	else
		TR_RESULT=pass
	fi
	# shellcheck disable=SC2059 # ROW is the format
	printf "$ROW" "$TRIAL_N" "$2" "$1" "$TR_ACHIEVED" "$TR_EVENTS" "$TR_MATCHED" "$TR_LOST" \
		"$TR_CPU" "$TR_US_REC" "$TR_GEN_CPU" "$TR_HWM" "$TR_OTHERS" "$TR_RESULT"
	case $TR_RESULT in
	loss | mismatch | no-stop) BAD_TRIALS=$((BAD_TRIALS + 1)) ;;
	esac
	[ "$TR_RESULT" = pass ]
}

# try RATE SECS: a trial, run once more when it failed while other cauditd
# instances were running (their programs slow the generator down and their
# agents take CPU from ours); RETRIES such reruns in the whole search
RETRIES=3
try() {
	if trial "$1" "$2"; then
		return 0
	fi
	if [ "$TR_OTHERS" -eq 0 ] || [ "$RETRIES" -eq 0 ]; then
		return 1
	fi
	RETRIES=$((RETRIES - 1))
	trial "$1" "$2"
}

round_k() {
	echo $(($1 / 1000 * 1000))
}

echo
echo "Table 2: search ($THREADS loadgen threads; event = one recorded syscall;" \
	"a fresh agent per trial)"
ROW='%5s %5s %10s %10s %10s %10s %8s %6s %7s %6s %7s %6s  %s\n'
# shellcheck disable=SC2059 # ROW is the format
printf "$ROW" "trial" "secs" "target" "achieved" "generated" "in log" "lost" "agent" \
	"agent" "gen" "agent" "other" "result"
# shellcheck disable=SC2059
printf "$ROW" "" "" "events/s" "events/s" "events" "records" "records" "CPU%" "us/rec" "CPU%" \
	"RSS MiB" "agents" ""
rule 112
# keep: remember the figures of the last trial (the answer's)
keep() {
	K_ACHIEVED=$TR_ACHIEVED K_SECS=$TR_SECS K_EVENTS=$TR_EVENTS K_MATCHED=$TR_MATCHED
	K_MISMATCH=$TR_MISMATCH K_RB=$TR_RB K_MAP=$TR_MAP K_LOST=$TR_LOST K_USER_ERR=$TR_USER_ERR
	K_RECORDS=$TR_RECORDS K_US_REC=$TR_US_REC K_CPU=$TR_CPU K_GEN_CPU=$TR_GEN_CPU
	K_HWM=$TR_HWM K_OTHERS=$TR_OTHERS
}
lo=0 hi=0 hi_why='' hi_ach='' hi_lost=0 hi_cpu=''
rate=$START_RATE
i=0
while [ "$i" -lt "$MAX_DOUBLINGS" ]; do
	if try "$rate" "$SEARCH_SECS"; then
		lo=$rate
		keep
		rate=$((rate * 2))
	else
		hi=$rate hi_why=$TR_RESULT hi_ach=$TR_ACHIEVED hi_lost=$TR_LOST hi_cpu=$TR_CPU
		break
	fi
	i=$((i + 1))
done
i=0
while [ "$hi" -gt 0 ] && [ "$i" -lt "$BISECT" ]; do
	mid=$(round_k $(((lo + hi) / 2)))
	if [ "$mid" -le "$lo" ] || [ "$mid" -ge "$hi" ]; then
		break
	fi
	if try "$mid" "$SEARCH_SECS"; then
		lo=$mid
		keep
	else
		hi=$mid hi_why=$TR_RESULT hi_ach=$TR_ACHIEVED hi_lost=$TR_LOST hi_cpu=$TR_CPU
	fi
	i=$((i + 1))
done

# the answer: a rate that passed one trial of FINAL_SECS (in quick mode the
# search trials have that length already)
final=
if [ "$lo" -gt 0 ] && [ "$FINAL_SECS" -eq "$SEARCH_SECS" ]; then
	final=$lo
elif [ "$lo" -gt 0 ]; then
	cand=$lo
	i=0
	while [ "$i" -lt "$VERIFY_ATTEMPTS" ] && [ "$cand" -gt 0 ]; do
		if try "$cand" "$FINAL_SECS"; then
			final=$cand
			keep
			break
		fi
		cand=$(round_k $((cand * 85 / 100)))
		i=$((i + 1))
	done
fi

footer() {
	echo
	echo "bench: $(($(date +%s) - BENCH_START)) s in all, of which $((WAIT - WAIT_LEFT)) s waiting" \
		"for other cauditd instances to exit"
}

echo
if [ -z "$final" ]; then
	echo "Table 2: no rate passed a ${FINAL_SECS} s trial with zero loss (see the trials above)"
	footer
	exit 0
fi
echo "Table 2: highest sustained rate with zero loss (one ${FINAL_SECS} s trial, $THREADS threads)"
rule 72
printf '%-28s %s\n' "target rate" "$final events/s"
printf '%-28s %s\n' "achieved rate" "$K_ACHIEVED events/s over $K_SECS s"
printf '%-28s %s\n' "events generated" \
	"$K_EVENTS (one operation: $LG_OP)"
printf '%-28s %s\n' "generator records in log" "$K_MATCHED (thread/path mismatches: $K_MISMATCH)"
printf '%-28s %s\n' "records written (agent)" "$K_RECORDS (agent.stop count, all processes)"
printf '%-28s %s\n' "lost" \
	"$K_LOST (ringbuf_full $K_RB, map_full $K_MAP; bad records + write errors $K_USER_ERR)"
printf '%-28s %s\n' "agent CPU" "$K_CPU % of one CPU (utime+stime / trial time)"
printf '%-28s %s\n' "agent CPU per record" \
	"$K_US_REC us (1 CPU would drain $(calc "1000000 / $K_US_REC" '%.0f') records/s)"
printf '%-28s %s\n' "generator CPU" "$K_GEN_CPU % of one CPU (includes the BPF programs)"
printf '%-28s %s\n' "agent max RSS (VmHWM)" "$K_HWM MiB"
if [ "$hi" -gt 0 ]; then
	printf '%-28s %s\n' "lowest failing rate" \
		"$hi events/s: $hi_why, $hi_ach events/s achieved, $hi_lost lost (${SEARCH_SECS} s trial)"
else
	printf '%-28s %s\n' "lowest failing rate" "none up to $lo events/s"
fi
printf '%-28s %s\n' "other cauditd running" "$K_OTHERS"
printf '%-28s %s\n' "trials with lost records" "$BAD_TRIALS of $TRIAL_N"
if [ "$hi_why" = gen-bound ] && [ "$BAD_TRIALS" -eq 0 ]; then
	echo "limit: the generator, not the agent: with $THREADS threads on $NCPU CPUs loadgen could"
	echo "       not go faster, and no trial lost a record (agent at $K_CPU % of one CPU)"
elif [ "$hi_why" = loss ]; then
	echo "limit: the agent: at $hi events/s the ring buffer filled ($hi_lost records lost) with"
	echo "       the agent at $hi_cpu % of one CPU, the generator taking the rest"
fi

# ---- Table 3: the signed store, plain and encrypted, and caudit verify ----
# One run of FINAL_SECS at the rate Table 2 found, plain then encrypted to an
# auditor key; the logs are kept and verified (records/s of caudit verify).
# Encrypted logs hide agent.stop from logcheck: loss is judged by caudit
# verify --decrypt-key (every record authentic) and the generator's records
# being all there (records in the log >= events generated).
now_ns() { date +%s%N; }

# store_run MODE DIR: agent + loadgen at $final for FINAL_SECS, log kept in DIR
store_run() {
	wait_quiet
	start_agent "$2"
	mkdir -p "$2/load"
	c0=$(cpu_ticks "$AGENT_PID")
	# shellcheck disable=SC2086
	"$LOADGEN" $LG_MODE -r "$final" -t "$THREADS" -d "$FINAL_SECS" -D "$2/load" \
		>"$2/loadgen.out" &
	LG_PID=$!
	wait "$LG_PID" || die "loadgen failed: $(cat "$2/loadgen.out")"
	LG_PID=
	sleep 1
	c1=$(cpu_ticks "$AGENT_PID")
	stop_agent
	S_EVENTS=$(kv events "$(cat "$2/loadgen.out")")
	S_ACH=$(kv rate "$(cat "$2/loadgen.out")")
	S_CPU=$(calc "($c1 - $c0) * 100 / $CLK_TCK / $FINAL_SECS")
	S_BYTES=$(du -sb "$2/log" | cut -f 1)
}

# verify_run DIR [--decrypt-key FILE]: sets V_RESULT, V_RECORDS, V_SECS, V_RATE
verify_run() {
	d=$1
	shift
	t0=$(now_ns)
	out=$("$CAUDIT" verify --pubkey "$d/keys/root.pub" "$@" "$d/log" 2>&1) && V_RESULT=valid ||
		V_RESULT=FAILED
	t1=$(now_ns)
	V_RECORDS=$(printf '%s\n' "$out" | awk '/^records:/ { print $2 }')
	V_SECS=$(calc "($t1 - $t0) / 1000000000" '%.2f')
	V_RATE=$(calc "${V_RECORDS:-0} / (($t1 - $t0) / 1000000000)" '%.0f')
}

if [ -x "$CAUDIT" ]; then
	echo
	echo "Table 3: the signed store at $final events/s for ${FINAL_SECS} s, and caudit verify"
	"$CAUDIT" keygen --encryption --out "$TMP/auditor" >/dev/null ||
		die "caudit keygen --encryption failed"
	ENCRYPT_TO='' store_run plain "$TMP/store-plain"
	P_EV=$S_EVENTS P_ACH=$S_ACH P_CPU=$S_CPU P_BYTES=$S_BYTES
	P_CHECK=$("$LOGCHECK" "$TMP/store-plain/log" "$(kv pid "$(cat "$TMP/store-plain/loadgen.out")")" \
		"$TMP/store-plain/load/")
	P_LOST=$(($(kv stop_ringbuf_full "$P_CHECK") + $(kv stop_map_full "$P_CHECK")))
	verify_run "$TMP/store-plain"
	PV_RESULT=$V_RESULT PV_RECORDS=$V_RECORDS PV_SECS=$V_SECS PV_RATE=$V_RATE
	ENCRYPT_TO=$TMP/auditor/enc.pub store_run encrypted "$TMP/store-enc"
	E_EV=$S_EVENTS E_ACH=$S_ACH E_CPU=$S_CPU E_BYTES=$S_BYTES
	verify_run "$TMP/store-enc"
	EN_RESULT=$V_RESULT EN_RECORDS=$V_RECORDS EN_SECS=$V_SECS EN_RATE=$V_RATE
	verify_run "$TMP/store-enc" --decrypt-key "$TMP/auditor/enc.key"
	ED_RESULT=$V_RESULT ED_RECORDS=$V_RECORDS ED_SECS=$V_SECS ED_RATE=$V_RATE
	[ "${ED_RECORDS:-0}" -ge "$E_EV" ] && E_OK="all $E_EV generator events in the log" ||
		E_OK="FEWER records (${ED_RECORDS:-0}) than events generated ($E_EV)"
	rule 96
	printf '%-12s %10s %10s %11s %8s %10s   %s\n' store "target/s" "achieved/s" generated \
		"agent%" "log MiB" "loss"
	printf '%-12s %10s %10s %11s %8s %10s   %s\n' plain "$final" "$P_ACH" "$P_EV" "$P_CPU" \
		"$(calc "$P_BYTES / 1048576" '%.1f')" "$P_LOST lost (agent.stop counters)"
	printf '%-12s %10s %10s %11s %8s %10s   %s\n' encrypted "$final" "$E_ACH" "$E_EV" "$E_CPU" \
		"$(calc "$E_BYTES / 1048576" '%.1f')" "$E_OK"
	rule 96
	printf '%-44s %8s %10s %8s %12s\n' "caudit verify" result records seconds "records/s"
	printf '%-44s %8s %10s %8s %12s\n' "plain log" "$PV_RESULT" "$PV_RECORDS" "$PV_SECS" "$PV_RATE"
	printf '%-44s %8s %10s %8s %12s\n' "encrypted log, without the key (seals only)" \
		"$EN_RESULT" "$EN_RECORDS" "$EN_SECS" "$EN_RATE"
	printf '%-44s %8s %10s %8s %12s\n' "encrypted log, with --decrypt-key" "$ED_RESULT" \
		"$ED_RECORDS" "$ED_SECS" "$ED_RATE"
	rm -rf "$TMP/store-plain" "$TMP/store-enc"
fi
sh "$(dirname "$0")/search-bench.sh" "$BUILD" || echo "search benchmark failed"
footer
