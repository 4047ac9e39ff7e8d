#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Search benchmark (run by `make bench` after the agent tables, or alone:
# `sh bench/search-bench.sh build`). No root needed.
#
# bench/loggen writes a signed log of N realistic events (default 5,000,000;
# BENCH_QUICK=1: 500,000) over 5 days, rotated every 65,536 records (about
# 5.5 MB of gzip per segment) with a signed index per segment, as cauditd
# writes it. Then, each pinned to one CPU (taskset), wall and CPU time of:
#   full scan     caudit search --count --no-index: every record inflated,
#                 chain-verified, parsed and filtered (matches everything)
#   selective     one user's file events in one hour (about 1 in 10,000
#                 records in that hour): caudit search with its indexes, and
#                 with --no-index
#   baselines     zcat | grep -c (the user's name, no time or event check),
#                 zcat | jq (the same selection as caudit), on the same data
# "events/s per core" divides the records read by the CPU seconds used.
set -eu

BUILD=${1:-build}
QUICK=${BENCH_QUICK:-0}
N=${BENCH_SEARCH_EVENTS:-$([ "$QUICK" = 1 ] && echo 500000 || echo 5000000)}
CAUDIT=$BUILD/caudit
LOGGEN=$BUILD/bench/loggen
CPU=$(($(nproc) - 1))

for b in "$CAUDIT" "$LOGGEN"; do
	[ -x "$b" ] || { echo "search-bench: $b missing: run make bench" >&2; exit 1; }
done
for c in taskset jq /usr/bin/time; do
	command -v "$c" >/dev/null || { echo "search-bench: $c missing" >&2; exit 1; }
done
TMP=$(mktemp -d /tmp/caudit-search-bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

calc() { awk "BEGIN { printf \"${2:-%.1f}\", ($1) }"; }

# measure NAME CMD...: runs CMD pinned to one CPU; sets WALL, CPUS, OUT
measure() {
	name=$1
	shift
	/usr/bin/time -f '%e %U %S' -o "$TMP/time" taskset -c "$CPU" sh -c "$*" >"$TMP/out" \
		2>"$TMP/err" || true
	set -- $(tail -n 1 "$TMP/time")
	WALL=$1
	CPUS=$(calc "$2 + $3" '%.2f')
	OUT=$(head -c 200 "$TMP/out" | tr '\n' ' ')
}

echo
echo "Table 4: caudit search over a generated signed log ($N events, one CPU each)"
t0=$(date +%s)
INFO=$("$LOGGEN" "$TMP/log" "$N" --segment 65536 --days 5)
t1=$(date +%s)
set -- $INFO
RECORDS=$2 SEGS=$4 START=$6 END=$8
BYTES=$(du -cb "$TMP"/log/seg-*.jsonl.gz | tail -n 1 | cut -f1)
IDX=$(du -cb "$TMP"/log/idx-*.bin | tail -n 1 | cut -f1)
RAW=$(zcat "$TMP"/log/seg-*.jsonl.gz | wc -c)
echo "  log: $RECORDS records in $SEGS segments, $(calc "$BYTES / 1048576") MiB gzip" \
	"($(calc "$RAW / 1048576") MiB of JSON, $(calc "$RAW / $RECORDS" '%.0f') bytes a record)," \
	"indexes $(calc "$IDX / 1048576") MiB; generated in $((t1 - t0)) s"

# the query: the rare user "needle", file events, the hour in the middle of the span
MID=$(( (START + END) / 2 / 1000000000 ))
SINCE=$(date -u -d "@$MID" +%Y-%m-%dT%H:%M:%SZ)
UNTIL=$(date -u -d "@$((MID + 3600))" +%Y-%m-%dT%H:%M:%SZ)
C="$CAUDIT search $TMP/log --pubkey $TMP/log/root.pub"
Q="--user needle --event 'file.*' --since $SINCE --until $UNTIL --count"
JQ="select(.user.name == \"needle\" and (.event | startswith(\"file.\")) and .time >= \"$SINCE\" and .time < \"$UNTIL\")"

printf '%-46s %9s %9s %10s %14s  %s\n' "" "wall s" "CPU s" "matches" "records/CPU s" ""
row() {
	printf '%-46s %9s %9s %10s %14s  %s\n' "$1" "$WALL" "$CPUS" "$2" "$3" "${4:-}"
}

measure full "$C --count --no-index"
FULL_CPU=$CPUS
row "full scan (verify + parse + filter)" "$OUT" "$(calc "$RECORDS / $CPUS" '%.0f')"
measure zcat "zcat $TMP/log/seg-*.jsonl.gz | wc -l"
row "zcat | wc -l (inflate only)" "$OUT" "$(calc "$RECORDS / $CPUS" '%.0f')"
measure sel_idx "$C $Q --stats"
SEL_IDX=$WALL SEL_IDX_CPU=$CPUS
STATS=$(grep segments "$TMP/err" || true)
row "selective, with index" "$OUT" "-" "$STATS"
measure sel_noidx "$C $Q --no-index"
SEL_NO=$WALL SEL_NO_CPU=$CPUS
row "selective, --no-index" "$OUT" "$(calc "$RECORDS / $CPUS" '%.0f')"
measure grep "zcat $TMP/log/seg-*.jsonl.gz | grep -c '\"name\":\"needle\"'"
row "zcat | grep -c (name only, all days)" "$OUT" "$(calc "$RECORDS / $CPUS" '%.0f')"
if [ "$QUICK" = 1 ] || [ "${BENCH_JQ:-1}" = 1 ]; then
	measure jq "zcat $TMP/log/seg-*.jsonl.gz | jq -c '$JQ' | wc -l"
	row "zcat | jq (same selection)" "$OUT" "$(calc "$RECORDS / $CPUS" '%.0f')"
fi
echo "  selective query: $SINCE .. $UNTIL, user needle, event file.*"
echo "  index speed-up: $(calc "$SEL_NO / ($SEL_IDX > 0 ? $SEL_IDX : 0.01)")x wall," \
	"$(calc "$SEL_NO_CPU / ($SEL_IDX_CPU > 0 ? $SEL_IDX_CPU : 0.01)")x CPU" \
	"(target 20x); full scan $(calc "$RECORDS / $FULL_CPU / 1000000" '%.2f') M records/s per core" \
	"(target 2 M)"
