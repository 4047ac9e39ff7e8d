#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Forwarding benchmark (make bench, after run-bench.sh): one nats-server with
# JetStream on a loopback port, hosts written by the agent's store
# (tests/tools/caudit-writelog), caudit-forward and caudit-collector.
#
# Table 4a  end-to-end throughput: a host log of N events written first, then
#           forwarder and collector started; events/s from the forwarder's start
#           until the verified archive holds the last record.
# Table 4b  delay from an operation on the host (the record's op.t_ns) to its
#           verified block in the collector's archive at 10,000 events/s for
#           D seconds (bench/fwdlat): median and p99. Seals: every 1000
#           records or 1 s (the agent's defaults).
# Table 4c  collector verify rate on one CPU: the stream is filled first,
#           then the collector (taskset to one CPU) drains it; records per
#           second of collector CPU time (utime+stime) and of wall time.
#
# BENCH_QUICK=1: smaller N and D.
set -eu

BUILD=${1:-build}
QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then N=100000 D=5; else N=1000000 D=20; fi
RATE=10000
CLK_TCK=$(getconf CLK_TCK)
W=$BUILD/tests/tools/caudit-writelog
F=$BUILD/caudit-forward
C=$BUILD/caudit-collector
K=$BUILD/caudit
L=$BUILD/bench/fwdlat
NATS=$(command -v nats-server || echo /usr/sbin/nats-server)
TMP=$(mktemp -d /tmp/caudit-fwdbench.XXXXXX)
PIDS=

cleanup() {
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

now_ns() { date +%s%N; }
calc() { awk "BEGIN { printf \"${2:-%.1f}\", ($1) }"; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# last seq of a log directory as caudit verify sees it
last_seq() {
	"$K" verify --pubkey "$2" "$1" 2>/dev/null | awk '/^seq:/ { split($2, a, "\\.\\."); print a[2] }'
}

# segment bytes of a log directory (an archive holds the host's blocks byte for byte)
seg_bytes() {
	cat "$1"/seg-*.jsonl.gz 2>/dev/null | wc -c
}

# wait_archive DIR PUB SEQ LOGDIR: until the archive holds all of LOGDIR's segment
# bytes (a cheap poll; WA_T: when, in ns), then check once that it verifies to seq SEQ
wait_archive() {
	want=$(seg_bytes "$4")
	while [ "$(seg_bytes "$1")" -lt "$want" ]; do sleep 0.05; done
	WA_T=$(now_ns)
	[ "$(last_seq "$1" "$2")" = "$3" ] || echo "run-bench: $1 does not verify to seq $3" >&2
}

start_nats() {
	P=$(port)
	mkdir -p "$TMP/$1"
	printf 'listen: 127.0.0.1:%s\nmax_payload: 8MB\njetstream { store_dir: "%s/%s/js" }\n' \
		"$P" "$TMP" "$1" >"$TMP/$1/nats.conf"
	"$NATS" -c "$TMP/$1/nats.conf" >"$TMP/$1/nats.log" 2>&1 &
	NATS_PID=$!
	PIDS="$PIDS $NATS_PID"
	URL=nats://127.0.0.1:$P
	sleep 1
}

host() { # host DIR NAME: keys, trusted key
	mkdir -p "$1/trusted"
	"$K" keygen --out "$1/$2/keys" >/dev/null
	cp "$1/$2/keys/root.pub" "$1/trusted/$2.pub"
}

echo
echo "Table 4: forwarding (nats-server $("$NATS" --version 2>&1 | head -n 1), loopback)"

# ---- 4a and 4c: a log written first, then drained ----
B=$TMP/a
start_nats a-nats
host "$B" h1
"$W" --log-dir "$B/h1/log" --key-dir "$B/h1/keys" --host h1 --events "$N" >/dev/null 2>&1
LAST=$(last_seq "$B/h1/log" "$B/trusted/h1.pub")
# 4c: the stream filled first (a collector made the stream and consumer, and left),
# then one collector, on one CPU, drains it
kill -TERM "$NATS_PID"; wait "$NATS_PID" 2>/dev/null || true
rm -rf "$TMP/a-nats"
start_nats a-nats
"$C" --nats "$URL" --trusted-keys "$B/trusted" --archive "$B/arch0" --instance boot \
	--no-fsync >"$B/boot.log" 2>&1 &
BP=$!
sleep 1.5
kill -TERM "$BP"; wait "$BP" 2>/dev/null || true
rm -rf "$B/arch0"
t0=$(now_ns)
"$F" --log-dir "$B/h1/log" --state-dir "$B/h1/fwd" --host h1 --nats "$URL" --once \
	>"$B/fwd.log" 2>&1
t1=$(now_ns)
pub_s=$(calc "($t1 - $t0) / 1000000000" '%.2f')
taskset -c 0 "$C" --nats "$URL" --trusted-keys "$B/trusted" --archive "$B/arch" \
	--instance one --no-fsync >"$B/coll.log" 2>&1 &
CP=$!
PIDS="$PIDS $CP"
t2=$(now_ns)
wait_archive "$B/arch/h1" "$B/trusted/h1.pub" "$LAST" "$B/h1/log"
t3=$WA_T
cpu=$(ticks "$CP")
kill -TERM "$CP"; wait "$CP" 2>/dev/null || true
cpu_s=$(calc "$cpu / $CLK_TCK" '%.2f')
wall_s=$(calc "($t3 - $t2) / 1000000000" '%.2f')
echo "4c collector on one CPU: $LAST records verified and archived in $wall_s s wall," \
	"$cpu_s s CPU: $(calc "$LAST / $cpu_s" '%.0f') records/s per CPU second" \
	"($(calc "$LAST / $wall_s" '%.0f')/s wall; includes fetching from NATS and writing the archive)"
echo "   forwarder published the $LAST records in $pub_s s ($(calc "$LAST / $pub_s" '%.0f') records/s)"

# 4a: forwarder and collector together, from the log to the verified archive
kill -TERM "$NATS_PID"; wait "$NATS_PID" 2>/dev/null || true
rm -rf "$TMP/a-nats" "$B/h1/fwd" "$B/arch"
start_nats a-nats
"$C" --nats "$URL" --trusted-keys "$B/trusted" --archive "$B/arch" --instance e2e \
	--no-fsync >"$B/e2e.log" 2>&1 &
CP=$!
PIDS="$PIDS $CP"
sleep 1.5
t0=$(now_ns)
"$F" --log-dir "$B/h1/log" --state-dir "$B/h1/fwd" --host h1 --nats "$URL" \
	>"$B/fwd2.log" 2>&1 &
FP=$!
PIDS="$PIDS $FP"
wait_archive "$B/arch/h1" "$B/trusted/h1.pub" "$LAST" "$B/h1/log"
t1=$WA_T
e2e_s=$(calc "($t1 - $t0) / 1000000000" '%.2f')
echo "4a end to end: $LAST records from the host's log to the verified archive in $e2e_s s:" \
	"$(calc "$LAST / $e2e_s" '%.0f') events/s (one host, forwarder + collector + nats-server" \
	"on $(nproc) CPUs)"
kill -TERM "$FP" "$CP"; wait "$FP" "$CP" 2>/dev/null || true
kill -TERM "$NATS_PID"; wait "$NATS_PID" 2>/dev/null || true

# ---- 4b: delay at 10,000 events/s ----
B=$TMP/b
start_nats b-nats
host "$B" h1
"$C" --nats "$URL" --trusted-keys "$B/trusted" --archive "$B/arch" --instance lat \
	>"$B/coll.log" 2>&1 &
CP=$!
PIDS="$PIDS $CP"
sleep 1.5
"$F" --log-dir "$B/h1/log" --state-dir "$B/h1/fwd" --host h1 --nats "$URL" --poll-ms 20 \
	>"$B/fwd.log" 2>&1 &
FP=$!
PIDS="$PIDS $FP"
EV=$((RATE * D))
"$L" "$B/arch/h1" "$EV" $((D + 60)) >"$B/lat.out" &
LP=$!
"$W" --log-dir "$B/h1/log" --key-dir "$B/h1/keys" --host h1 --events "$EV" --rate "$RATE" \
	--seal-records 1000 --seal-interval 1 >/dev/null 2>&1
wait "$LP" || true
echo "4b operation -> verified record at $RATE events/s for $D s (fsync on):" \
	"$(cat "$B/lat.out")"
kill -TERM "$FP" "$CP"; wait "$FP" "$CP" 2>/dev/null || true
