#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Runs every test binary and ends with one line: N passed, N failed, N skipped.
#   unit tests          build/tests/unit/test_*        (no root needed)
#   fuzz smoke          build/tests/fuzz/fuzz_*        (FUZZ_SECONDS each, default 15)
#   integration tests   build/tests/integration/test_* (root: real agent, real BPF)
# With CI=true a skipped test counts as failed: in CI every BPF test must run.
set -u
BUILD=${1:-build}
FUZZ_SECONDS=${FUZZ_SECONDS:-15}
LOGDIR=$BUILD/test-logs
mkdir -p "$LOGDIR"
passed=0 failed=0 skipped=0
FAILURES=$LOGDIR/failures.txt
: >"$FAILURES"

count() { n=$(grep -c -E "$1" "$2" 2>/dev/null); echo "${n:-0}"; }

# run_cmocka NAME BINARY: adds the binary's cmocka results to the totals
run_cmocka() {
	name=$1 bin=$2 log=$LOGDIR/$(echo "$1" | tr / _).log
	start=$(date +%s)
	CAUDIT_BUILD=$BUILD "$bin" >"$log" 2>&1
	rc=$?
	p=$(count '^\[       OK \]' "$log")
	# cmocka names a failed test twice (as it fails and in the final list)
	f=$(grep -E '^\[  (FAILED|ERROR)  ? *\] [^0-9-]' "$log" | sed 's/^[^]]*\] //' | sort -u | wc -l)
	s=$(count '^\[  SKIPPED \] [^0-9]' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed, or failed outside a test (setup)
	fi
	if [ "${CI:-}" = "true" ] && [ "$s" -gt 0 ]; then
		echo "  $name: $s skipped test(s) count as failed under CI=true"
		f=$((f + s)); s=0
	fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	printf '  %-40s %3d passed %3d failed %3d skipped  (%ss)\n' "$name" "$p" "$f" "$s" \
		"$(($(date +%s) - start))"
	if [ "$f" -gt 0 ]; then
		echo "---- $log (last 40 lines) ----"
		tail -n 40 "$log"
		echo "----"
		note_failure "$name" "$log"
	fi
}

# note_failure NAME LOG: remembered for the recap printed just before the totals,
# so that a CI page showing only the end of the output still names the failure.
note_failure() {
	{
		echo "$1:"
		grep -E '^\[  (FAILED|ERROR)  ? *\] [^0-9]|^\[  ERROR   \]|[Ff]ailure!|: error: |Test failed' "$2" \
			| head -n 8 | sed 's/^/    /'
	} >>"$FAILURES"
}

echo "== unit tests"
for t in "$BUILD"/tests/unit/test_*; do
	[ -x "$t" ] && run_cmocka "unit/$(basename "$t")" "$t"
done

echo "== fuzz smoke (${FUZZ_SECONDS}s each)"
for t in "$BUILD"/tests/fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	name=fuzz/$(basename "$t") log=$LOGDIR/$(basename "$t").log
	corpus=$(mktemp -d)
	if "$t" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 "$corpus" >"$log" 2>&1; then
		passed=$((passed + 1)); printf '  %-40s passed (%s)\n' "$name" "$(grep -o 'Done [0-9]* runs' "$log")"
	else
		failed=$((failed + 1)); echo "  $name FAILED"; tail -n 30 "$log"
		note_failure "$name" "$log"
	fi
	rm -rf "$corpus"
done

echo "== integration tests (root, real agent)"
for t in "$BUILD"/tests/integration/test_*; do
	[ -x "$t" ] && run_cmocka "integration/$(basename "$t")" "$t"
done

if [ -s "$FAILURES" ]; then
	echo "== failures (logs in $LOGDIR)"
	cat "$FAILURES"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
