#!/usr/bin/env bash
# Every benchmark, one after another, with README's commands (`make bench`) or
# at toy size (`make bench-smoke`, seconds each: does each still run and
# produce every figure it prints?). Each one's output shows as it happens and
# is kept in OUT/<name>.log. At the end: one Markdown table with README's
# Benchmarks columns, built from the `row: what | result | baseline` lines the
# benchmarks print, then each benchmark's duration.
#
# A benchmark fails when it exits non-zero, prints no row, or prints a row with
# a figure that cannot be a measurement (nan, inf, -1). The others still run;
# the exit status is 1 when any failed.
#
# Usage: bench/run.sh [--smoke] [build dir (default build)] [name...]
#   names pick benchmarks: protocol_adapters labels admission operator_scale alert_confidence
#   remediation proxy soak (default all)
# Env: OUT (default <build>/bench-results).
set -uo pipefail
cd "$(dirname "$0")/.."
SMOKE=0
if [ "${1:-}" = --smoke ]; then SMOKE=1; shift; fi
B=${1:-build}
[ $# -gt 0 ] && shift
OUT=${OUT:-$B/bench-results}
mkdir -p "$OUT"

# name | README's command | the toy-size command
BENCHMARKS=(
  "protocol_adapters|$B/bench/protocol_adapters_bench|$B/bench/protocol_adapters_bench --iterations 2000"
  "labels|$B/bench/labels_bench|$B/bench/labels_bench --pending 20000 --labels 5000"
  "admission|bench/run-admission.sh $B|bench/run-admission.sh $B --pods 10 --rounds 1"
  "operator_scale|$B/bench/operator_scale_bench --monitors 1000 --pods 10000|$B/bench/operator_scale_bench --monitors 20 --pods 200 --changes 5 --idle-seconds 1"
  "remediation|$B/bench/remediation_bench --intervals 250ms,1s,5s --trials 3|$B/bench/remediation_bench --intervals 250ms --trials 1"
  "proxy|bench/proxy/run.sh $B 10|CONNS=16 bench/proxy/run.sh $B 1"
  "alert_confidence|$B/bench/alert_confidence_sim_bench|$B/bench/alert_confidence_sim_bench --windows 500 --trials 40"
  "soak|bench/soak/run.sh $B 10|SLICE_SECONDS=10 MAX_PENDING=2000 LABEL_BATCH=50 PROBE_RATE=10 bench/soak/run.sh $B 2"
)

trim() { sed 's/^[[:space:]]*//; s/[[:space:]]*$//' <<<"$1"; }
want() { [ $# -eq 0 ] && return 0; local n; for n in "$@"; do [ "$n" = "$NAME" ] && return 0; done; return 1; }

start_all=$(date +%s)
echo "bench: $([ $SMOKE = 1 ] && echo 'smoke (toy sizes)' || echo "README's sizes") in $B, logs in $OUT; $(uptime)"
TABLE=()
SUMMARY=()
FAILED=()
for entry in "${BENCHMARKS[@]}"; do
  IFS='|' read -r NAME FULL TOY <<<"$entry"
  want "$@" || continue
  cmd=$([ $SMOKE = 1 ] && echo "$TOY" || echo "$FULL")
  log=$OUT/$NAME.log
  echo
  echo "=== $NAME: $cmd"
  t0=$(date +%s.%N)
  # stdbuf: the scripts' children (wrk, python) print as they go, too.
  bash -c "$cmd" 2>&1 | stdbuf -oL tee "$log"
  rc=${PIPESTATUS[0]}
  seconds=$(python3 -c "import time; print(f'{time.time() - $t0:.0f}')")
  rows=$(grep '^row: ' "$log" | sed 's/^row: //')
  why=""
  if [ "$rc" != 0 ]; then
    why="exit status $rc"
  elif [ -z "$rows" ]; then
    why="printed no row: line"
  elif bad=$(grep -E '(^|[^[:alnum:]_.])(-?nan|-?inf|-1)([^[:alnum:]_.]|$)' <<<"$rows"); then
    why="a figure that cannot be a measurement: $bad"
  elif bad=$(grep -Ei '(^|[^[:alnum:]_])-?(nan|inf)([^[:alnum:]_]|$)' "$log" | head -3) && [ -n "$bad" ]; then
    why="nan or inf in its output: $bad"
  fi
  if [ -n "$why" ]; then
    FAILED+=("$NAME")
    SUMMARY+=("$(printf '%-18s %5s s  FAILED: %s (log %s)' "$NAME" "$seconds" "$why" "$log")")
    echo "=== $NAME FAILED after $seconds s: $why; its log: $log" >&2
    continue
  fi
  SUMMARY+=("$(printf '%-18s %5s s  ok' "$NAME" "$seconds")")
  while IFS= read -r row; do
    IFS='|' read -r what result baseline <<<"$row"
    TABLE+=("| $(trim "$what") | $(trim "$result") | $(trim "$baseline") | \`$cmd\` |")
  done <<<"$rows"
done

echo
echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores; load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| what | result | baseline, same run | reproduce |"
echo "|---|---|---|---|"
for row in "${TABLE[@]}"; do echo "$row"; done
echo
for line in "${SUMMARY[@]}"; do echo "$line"; done
echo "bench: $(( $(date +%s) - start_all )) s in all$([ ${#FAILED[@]} -gt 0 ] && echo "; FAILED: ${FAILED[*]}")"
[ ${#FAILED[@]} -eq 0 ]
