#!/usr/bin/env bash
# Proxy benchmark: in ONE run, wrk POSTs a 1 KB Open Inference Protocol body
#   direct     -> nginx upstream (`return 200` with a 1 KB JSON body, 60 predictions)
#   nginx      -> nginx reverse proxy (1 worker, upstream keepalive) -> upstream
#   sidecar    -> modelmonitor-sidecar (1 thread), a monitor without groundTruth:
#                 latency, errors, throughput; response bodies are not parsed
#   sidecar+gt -> modelmonitor-sidecar (1 thread), a monitor with groundTruth:
#                 every sampled response parsed, each prediction recorded in the
#                 durable store (its writer thread runs on the same core) or, when
#                 the store falls behind, dropped and counted
# at 1, 16 and 64 connections, and prints p50/p99, requests/s, latency added
# versus direct, the sidecar/nginx ratios, each sidecar's RSS, and the CPU-seconds
# per 1,000 requests of each sidecar and of the proxying nginx. nginx runs as local processes with their own prefix in a
# temp dir on 127.0.0.1 (not the system service).
#
# Usage: bench/proxy/run.sh [build dir (default build)] [seconds per run (default 10)]
# Env: CONNS="1 16 64"; PIN=1 (default) pins wrk to CPU 0 and the servers to CPU 1;
# SAMPLE_RATE=1 (default): sidecar+gt's sampleRate; ROWS=60: predictions per response.
set -euo pipefail
BUILD=${1:-build}
DURATION=${2:-10}
CONNS=${CONNS:-"1 16 64"}
source "$(dirname "$0")/../lib.sh"
bench_start "$BUILD" proxy
UP_PORT=$(free_port); NGX_PORT=$(free_port)
SC_PORT=$(free_port); SC_ADMIN=$(free_port); GT_PORT=$(free_port); GT_ADMIN=$(free_port)

# 1 KB Open Inference Protocol bodies: the upstream's response (ROWS predictions) and wrk's request.
RESPONSE=$(make_body response "${ROWS:-60}")
REQUEST=$(make_body request)
printf 'response body %d bytes, request body %d bytes, %s s per run\n' "${#RESPONSE}" "${#REQUEST}" "$DURATION"

write_nginx_conf "$TMP/up" "$UP_PORT" "default_type application/json; return 200 '$RESPONSE';"
write_nginx_conf "$TMP/proxy" "$NGX_PORT" \
  "proxy_pass http://model; proxy_http_version 1.1; proxy_set_header Connection \"\";"

$SERVER_CPU "$NGINX" -p "$TMP/up" -c "$TMP/up/nginx.conf" & PIDS+=($!)
$SERVER_CPU "$NGINX" -p "$TMP/proxy" -c "$TMP/proxy/nginx.conf" & NGX_MASTER=$!
PIDS+=($NGX_MASTER)
# monitor NAME [GROUND_TRUTH_JSON]: the spec a sidecar gets from the webhook.
monitor() {
  printf '{"selector": {"matchLabels": {"app": "fraud"}}, "target": {"name": "fraud"},
  "serving": {"port": %d, "protocol": "open-inference-v2"},
  "sidecar": {"sampleRate": %s}%s}\n' "$UP_PORT" "${SAMPLE_RATE:-1}" "${2:+, \"groundTruth\": $2}" \
    > "$TMP/$1.json"
}
monitor sidecar
monitor sidecar+gt '{"task": "binary-classification", "positiveClass": "1",
  "maxLabelDelay": "1h", "maxPending": 50000}'
declare -A PID_OF ADMIN_OF PORT_OF
# start_sidecar NAME DATA_PORT ADMIN_PORT
start_sidecar() {
  mkdir -p "$TMP/store-$1"
  $SERVER_CPU "$SIDECAR" --config "$TMP/$1.json" --store-dir "$TMP/store-$1" \
    --data-port "$2" --admin-port "$3" --listen-address 127.0.0.1 --threads 1 \
    --log-level warning & PID_OF[$1]=$!
  PIDS+=(${PID_OF[$1]})
  PORT_OF[$1]=$2; ADMIN_OF[$1]=$3
}
start_sidecar sidecar "$SC_PORT" "$SC_ADMIN"
start_sidecar sidecar+gt "$GT_PORT" "$GT_ADMIN"
SIDECARS="sidecar sidecar+gt"

wait_for_post $UP_PORT $NGX_PORT $SC_PORT $GT_PORT
# The proxying nginx's CPU is its one worker's (the master only waits).
PID_OF[nginx]=$(pgrep -P "$NGX_MASTER" | head -1)

printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[%s]]\n' \
  "$REQUEST" > "$TMP/post.lua"

TICKS=$(getconf CLK_TCK)
declare -A IDLE_RSS
for sc in $SIDECARS; do IDLE_RSS[$sc]=$(rss_kib ${PID_OF[$sc]}); done

# run PORT CONNS -> "p50_us p99_us rps requests"
run() {
  local port=$1 c=$2 out
  $WRK_CPU wrk -t1 -c"$c" -d1s -s "$TMP/post.lua" "http://127.0.0.1:$port/v2/models/fraud/infer" >/dev/null
  out=$($WRK_CPU wrk -t1 -c"$c" -d"${DURATION}s" --latency -s "$TMP/post.lua" \
        "http://127.0.0.1:$port/v2/models/fraud/infer")
  python3 - "$out" <<'PY'
import re, sys
out = sys.argv[1]
def us(v):
    m = re.match(r"([\d.]+)(us|ms|s)", v)
    return float(m.group(1)) * {"us": 1, "ms": 1e3, "s": 1e6}[m.group(2)]
p50 = us(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
p99 = us(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
reqs = int(re.search(r"(\d+) requests in", out).group(1))
errs = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
if errs: print(f"WARNING: {errs.group(1)} non-2xx responses", file=sys.stderr)
print(f"{p50:.1f} {p99:.1f} {rps:.0f} {reqs}")
PY
}

printf '\n%-6s %-10s %10s %10s %10s %12s %12s\n' conns target p50_us p99_us req/s added_p50 added_p99
declare -A R
for c in $CONNS; do
  for target in direct nginx $SIDECARS; do
    case $target in direct) port=$UP_PORT;; nginx) port=$NGX_PORT;; *) port=${PORT_OF[$target]};; esac
    [ -n "${PID_OF[$target]:-}" ] && before=$(cpu_ticks ${PID_OF[$target]})
    read -r p50 p99 rps reqs < <(run $port $c)
    R[$target,$c]="$p50 $p99 $rps"
    # CPU of the measured run plus its 1 s warm-up, over the measured requests:
    # slightly pessimistic for the sidecar.
    if [ -n "${PID_OF[$target]:-}" ]; then
      after=$(cpu_ticks ${PID_OF[$target]})
      R[cpu,$target,$c]=$(python3 -c "print(f'{($after-$before)/$TICKS/max($reqs,1)*1000:.4f}')")
    fi
    read -r dp50 dp99 _ <<<"${R[direct,$c]}"
    printf '%-6s %-10s %10.1f %10.1f %10.0f %12s %12s\n' "$c" $target "$p50" "$p99" "$rps" \
      "$(python3 -c "print(f'{$p50-$dp50:+.1f}')")" "$(python3 -c "print(f'{$p99-$dp99:+.1f}')")"
  done
done

printf '\n<sidecar> / nginx (added latency: lower is better; throughput: higher is better)\n'
printf '%-10s %-6s %14s %14s %12s %16s %16s\n' sidecar conns added_p50 added_p99 req/s cpu_s/1000req nginx_cpu_s
for sc in $SIDECARS; do
  for c in $CONNS; do
    python3 - "${R[direct,$c]}" "${R[nginx,$c]}" "${R[$sc,$c]}" "${R[cpu,$sc,$c]}" "$c" "$sc" \
      "${R[cpu,nginx,$c]}" <<'PY'
import sys
d, n, s = (list(map(float, a.split())) for a in sys.argv[1:4])
def ratio(a, b): return f"{a / b:.2f}x" if b > 0 else "n/a"
print(f"{sys.argv[6]:<10} {sys.argv[5]:<6} {ratio(s[0]-d[0], n[0]-d[0]):>14} "
      f"{ratio(s[1]-d[1], n[1]-d[1]):>14} {ratio(s[2], n[2]):>12} {sys.argv[4]:>16} {sys.argv[7]:>16}")
PY
  done
done
echo
for sc in $SIDECARS; do
  printf '%s RSS: idle %d KiB, after the runs %d KiB, peak %d KiB\n' "$sc" \
    "${IDLE_RSS[$sc]}" "$(rss_kib ${PID_OF[$sc]})" "$(hwm_kib ${PID_OF[$sc]})"
done
# sidecar+gt parses every sampled response: none may fail.
url="http://127.0.0.1:${ADMIN_OF[sidecar+gt]}/metrics"
printf 'sidecar+gt (sampleRate %s): responses in which no prediction was found: %s; predictions recorded %s, dropped while the store was behind %s\n' \
  "${SAMPLE_RATE:-1}" "$(metric "$url" modelmonitor_sidecar_extraction_errors_total)" \
  "$(metric "$url" 'modelmonitor_sidecar_predictions_total{result="recorded"}')" \
  "$(metric "$url" 'modelmonitor_sidecar_predictions_total{result="dropped"}')"
