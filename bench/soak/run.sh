#!/usr/bin/env bash
# Soak: the sidecar at a steady high load for MINUTES minutes in front of a fast
# upstream (nginx `return 200` with a 1 KB Open Inference Protocol body holding
# one prediction), with a durable store whose maxPending is reached within the
# first minute, while labels are uploaded at the same time.
#   wrk (1 thread, CONNS connections) POSTs a 1 KB body, one run per minute, each
#     request with x-request-id r1, r2, ... (requests.lua) -> exact per-minute
#     counts, errors and latency percentiles;
#   labels.py posts LABEL_BATCH labels every LABEL_EVERY s for ids among the
#     latest 2 x MAX_PENDING: joined, expired (evicted before their label) or unknown;
#   probe.py, the baseline in the same run: PROBE_RATE (50) POSTs a second to the
#     upstream directly and as many through the sidecar, plain latencies;
#   after each minute: the sidecar's RSS and CPU, its /metrics, the store's files,
#     the upstream's access log (status codes only) to tell who failed a request,
#     and how much of the servers' CPU other processes took (the machine is shared);
#   at the end the sidecar's /v1/snapshot: its own latency per 10 s, which wrk's
#     scheduling does not touch.
# report.py prints a table per minute and a summary, and exits non-zero if any
# request failed, RSS grew more than RSS_GROWTH_PCT % after the first minute
# (the warm-up), or the store outgrew its bound.
#
# Usage: bench/soak/run.sh [build dir (default build)] [minutes (default 10)]
# Env: CONNS=16, MAX_PENDING=50000, LABEL_BATCH=500, LABEL_EVERY=1, PROBE_RATE=50,
# RSS_GROWTH_PCT=20, SLICE_SECONDS=60 (length of one "minute"), PIN=1 (wrk, the
# labeller and the probe on CPU 0, nginx and the sidecar on CPU 1).
set -euo pipefail
BUILD=${1:-build}
MINUTES=${2:-10}
CONNS=${CONNS:-16}
MAX_PENDING=${MAX_PENDING:-50000}
SLICE=${SLICE_SECONDS:-60}
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../lib.sh"
bench_start "$BUILD" soak
UP_PORT=$(free_port); SC_PORT=$(free_port); SC_ADMIN=$(free_port)
S=$TMP/samples; mkdir -p "$S" "$TMP/store"

make_body request > "$TMP/request.json"
RESPONSE=$(make_body response 1)
write_nginx_conf "$TMP/up" "$UP_PORT" \
  "access_log $TMP/up/logs/status.log status buffer=64k flush=1s;
   default_type application/json; return 200 '$RESPONSE';"
for t in label admin; do
  python3 -c 'import secrets; print(secrets.token_hex(16))' > "$TMP/$t.token"
done
cat > "$TMP/monitor.json" <<JSON
{"selector": {"matchLabels": {"app": "soak"}}, "target": {"name": "soak"},
 "serving": {"port": $UP_PORT, "protocol": "open-inference-v2"},
 "sidecar": {"sampleRate": 1},
 "groundTruth": {"task": "binary-classification", "positiveClass": "1",
                 "maxLabelDelay": "1h", "maxPending": $MAX_PENDING}}
JSON

$SERVER_CPU "$NGINX" -p "$TMP/up" -c "$TMP/up/nginx.conf" & UP_PID=$!
PIDS+=($UP_PID)
$SERVER_CPU "$SIDECAR" --config "$TMP/monitor.json" --store-dir "$TMP/store" \
  --label-token-file "$TMP/label.token" --admin-token-file "$TMP/admin.token" \
  --listen-address 127.0.0.1 --threads 1 \
  --upstream "127.0.0.1:$UP_PORT" --data-port "$SC_PORT" --admin-port "$SC_ADMIN" \
  --log-level warning > "$TMP/sidecar.log" 2>&1 & SC_PID=$!
PIDS+=($SC_PID)
wait_for_post $UP_PORT $SC_PORT

$WRK_CPU python3 "$HERE/labels.py" --admin "http://127.0.0.1:$SC_ADMIN" \
  --token-file "$TMP/label.token" --span $((2 * MAX_PENDING)) --batch "${LABEL_BATCH:-500}" \
  --every "${LABEL_EVERY:-1}" --progress "$TMP/wrk.progress" --out "$TMP/labels.json" &
LABELS_PID=$!
PIDS+=($LABELS_PID)

# nginx writes its buffered access log now (it does every second anyway).
flush_upstream_log() { kill -USR1 "$(cat "$TMP/up/nginx.pid")"; sleep 1; }
# The servers' CPU (when pinned): busy and total clock ticks, to tell how much of
# it other processes took (the machine is shared).
server_cpu() {
  [ -n "$SERVER_CPU_ID" ] || { echo 'server_busy=0 server_total=0'; return; }
  awk '{printf "server_busy=%d server_total=%d", $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' \
    <(grep "^cpu$SERVER_CPU_ID " /proc/stat)
}
nginx_ticks() {
  local t=0 p
  for p in $UP_PID $(cat "/proc/$UP_PID/task/$UP_PID/children"); do t=$((t + $(cpu_ticks $p))); done
  echo $t
}
# sample NAME: what the sidecar, its store, the upstream and the machine show now.
sample() {
  curl -s "http://127.0.0.1:$SC_ADMIN/metrics" > "$S/metrics.$1"
  cp "$TMP/labels.json" "$S/labels.$1" 2>/dev/null || echo '{}' > "$S/labels.$1"
  printf 'time=%s rss_kib=%s hwm_kib=%s cpu_ticks=%s nginx_ticks=%s %s load1=%s runq_ns=%s ' \
    "$(date +%s.%N)" "$(rss_kib $SC_PID)" "$(hwm_kib $SC_PID)" "$(cpu_ticks $SC_PID)" \
    "$(nginx_ticks)" "$(server_cpu)" "$(cut -d' ' -f1 /proc/loadavg)" \
    "$(awk '{s += $2} END {print s}' /proc/$SC_PID/task/*/schedstat)" > "$S/proc.$1"
  printf 'store_bytes=%s upstream_log_bytes=%s\n' \
    "$(stat -c %s "$TMP"/store/* | awk '{s += $1} END {print s}')" \
    "$(stat -c %s "$TMP/up/logs/status.log")" >> "$S/proc.$1"
}

printf 'soak: %d x %d s, %d connections, maxPending %d, %s labels every %s s; sidecar pid %d\n' \
  "$MINUTES" "$SLICE" "$CONNS" "$MAX_PENDING" "${LABEL_BATCH:-500}" "${LABEL_EVERY:-1}" "$SC_PID"
flush_upstream_log
START=$(date +%s)
sample 0
$WRK_CPU python3 "$HERE/probe.py" --direct "127.0.0.1:$UP_PORT" --sidecar "127.0.0.1:$SC_PORT" \
  --body "$TMP/request.json" --rate "${PROBE_RATE:-50}" --out "$S/probe" & PROBE_PID=$!
PIDS+=($PROBE_PID)
last_id=0
for m in $(seq 1 "$MINUTES"); do
  $WRK_CPU wrk -t1 -c"$CONNS" -d"${SLICE}s" --timeout 10s -s "$HERE/requests.lua" \
    "http://127.0.0.1:$SC_PORT/v2/models/fraud/infer" -- "$TMP/request.json" "$last_id" \
    "$TMP/wrk.progress" \
    | grep '^SOAK ' > "$S/wrk.$m"
  sample "$m"
  last_id=$(grep -o 'last_id=[0-9]*' "$S/wrk.$m" | cut -d= -f2)
  printf 'minute %d/%d: %s, RSS %d KiB\n' "$m" "$MINUTES" "$(cut -d' ' -f2-9 "$S/wrk.$m")" \
    "$(rss_kib $SC_PID)"
done

# The end: labels and probes stop; the sidecar's gauges refresh (every 5 s); nginx
# flushes its log.
kill -TERM $LABELS_PID $PROBE_PID; wait $LABELS_PID $PROBE_PID || true
sleep 5
flush_upstream_log
sample end
# The sidecar's own latency histograms (10 s buckets), as the operator pulls them.
curl -s -H "Authorization: Bearer $(cat "$TMP/admin.token")" \
  "http://127.0.0.1:$SC_ADMIN/v1/snapshot?since=$START" > "$S/snapshot.json"
python3 "$HERE/report.py" "$S" --minutes "$MINUTES" --max-pending "$MAX_PENDING" \
  --rss-growth-pct "${RSS_GROWTH_PCT:-20}" --ticks "$(getconf CLK_TCK)" \
  --upstream-log "$TMP/up/logs/status.log" --sidecar-log "$TMP/sidecar.log"
