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
# per 1,000 requests of each sidecar and of the proxying nginx, and README's
# Benchmarks rows (`row: ...`, bench/run.sh). nginx runs as local processes with
# their own prefix in a temp dir on 127.0.0.1 (not the system service). A failed
# request, a process that exited or a missing figure fails the run (exit 1),
# naming the logs it keeps.
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
    --log-level warning 2> "$TMP/$1.log" & PID_OF[$1]=$!
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

# run PORT CONNS -> "p50_us p99_us rps requests"; a failed request fails the run.
run() {
  local port=$1 c=$2 out
  $WRK_CPU wrk -t1 -c"$c" -d1s -s "$TMP/post.lua" "http://127.0.0.1:$port/v2/models/fraud/infer" >/dev/null
  out=$($WRK_CPU wrk -t1 -c"$c" -d"${DURATION}s" --latency -s "$TMP/post.lua" \
        "http://127.0.0.1:$port/v2/models/fraud/infer")
  python3 - "$out" <<'PY'
import re, sys
out = sys.argv[1]
def fail(why):
    sys.exit(f"FAILED: wrk {why}; its output:\n{out}")
def find(pattern):
    m = re.search(pattern, out, re.M)
    if not m: fail(f"printed no {pattern!r}")
    return m.group(1)
def us(v):
    m = re.match(r"([\d.]+)(us|ms|s)", v)
    return float(m.group(1)) * {"us": 1, "ms": 1e3, "s": 1e6}[m.group(2)]
p50, p99 = us(find(r"^\s+50%\s+(\S+)")), us(find(r"^\s+99%\s+(\S+)"))
rps, reqs = float(find(r"Requests/sec:\s+([\d.]+)")), int(find(r"(\d+) requests in"))
errs = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
if errs: fail(f"got {errs.group(1)} non-2xx responses")
if reqs == 0 or rps <= 0: fail("completed no request")
print(f"{p50:.1f} {p99:.1f} {rps:.0f} {reqs}")
PY
}

printf '\n%-6s %-10s %10s %10s %10s %12s %12s\n' conns target p50_us p99_us req/s added_p50 added_p99
RESULTS=$TMP/results.txt  # target conns p50_us p99_us rps cpu_s_per_1000 (- for direct)
for c in $CONNS; do
  for target in direct nginx $SIDECARS; do
    case $target in direct) port=$UP_PORT;; nginx) port=$NGX_PORT;; *) port=${PORT_OF[$target]};; esac
    cpu=-
    [ -n "${PID_OF[$target]:-}" ] && before=$(cpu_ticks ${PID_OF[$target]})
    result=$(run $port $c) || bench_fail "$target at $c connections (logs in $TMP)"
    read -r p50 p99 rps reqs <<<"$result"
    # CPU of the measured run plus its 1 s warm-up, over the measured requests:
    # slightly pessimistic for the sidecar.
    if [ -n "${PID_OF[$target]:-}" ]; then
      alive "${PID_OF[$target]}" "$target" "$TMP/$target.log"
      after=$(cpu_ticks ${PID_OF[$target]})
      cpu=$(python3 -c "print(f'{($after-$before)/$TICKS/max($reqs,1)*1000:.4f}')")
    fi
    echo "$target $c $p50 $p99 $rps $cpu" >> "$RESULTS"
    read -r _ _ dp50 dp99 _ < <(grep "^direct $c " "$RESULTS")
    printf '%-6s %-10s %10.1f %10.1f %10.0f %12s %12s\n' "$c" $target "$p50" "$p99" "$rps" \
      "$(python3 -c "print(f'{$p50-$dp50:+.1f}')")" "$(python3 -c "print(f'{$p99-$dp99:+.1f}')")"
  done
done

RSS=$TMP/rss.txt  # sidecar idle_kib after_kib peak_kib
for sc in $SIDECARS; do
  alive "${PID_OF[$sc]}" "$sc" "$TMP/$sc.log"
  echo "$sc ${IDLE_RSS[$sc]} $(rss_kib ${PID_OF[$sc]}) $(hwm_kib ${PID_OF[$sc]})" >> "$RSS"
done
# sidecar+gt parses every sampled response: none may fail.
url="http://127.0.0.1:${ADMIN_OF[sidecar+gt]}/metrics"
GT="$(metric "$url" modelmonitor_sidecar_extraction_errors_total) \
$(metric "$url" 'modelmonitor_sidecar_predictions_total{result="recorded"}') \
$(metric "$url" 'modelmonitor_sidecar_predictions_total{result="dropped"}')"
python3 - "$RESULTS" "$RSS" "$GT" "${SAMPLE_RATE:-1}" "${ROWS:-60}" <<'PY'
import sys
results, rss_file, gt, sample_rate, rows = sys.argv[1:6]
R = {}
conns = []
for line in open(results):
    target, c, p50, p99, rps, cpu = line.split()
    R[target, c] = (float(p50), float(p99), float(rps), None if cpu == "-" else float(cpu))
    if c not in conns: conns.append(c)
rss = {l.split()[0]: [int(v) / 1024 for v in l.split()[1:]] for l in open(rss_file)}
errors, recorded, dropped = (int(v) for v in gt.split())

# A ratio to a baseline that added nothing (p99s of short runs: direct's can be
# the highest) is not a figure: "n/a".
def ratio(a, b, fmt="{:.2f}×"): return fmt.format(a / b) if b > 0 else "n/a"
def added(t, c, i): return R[t, c][i] - R["direct", c][i]

print("\n<sidecar> / nginx (added latency: lower is better; throughput: higher is better)")
print(f"{'sidecar':<10} {'conns':<6} {'added_p50':>14} {'added_p99':>14} {'req/s':>12} "
      f"{'cpu_s/1000req':>16} {'nginx_cpu_s':>16}")
for sc in ("sidecar", "sidecar+gt"):
    for c in conns:
        print(f"{sc:<10} {c:<6} {ratio(added(sc, c, 0), added('nginx', c, 0), '{:.2f}x'):>14} "
              f"{ratio(added(sc, c, 1), added('nginx', c, 1), '{:.2f}x'):>14} "
              f"{ratio(R[sc, c][2], R['nginx', c][2], '{:.2f}x'):>12} {R[sc, c][3]:>16.4f} "
              f"{R['nginx', c][3]:>16.4f}")
print()
for sc in ("sidecar", "sidecar+gt"):
    idle, after, peak = rss[sc]
    print(f"{sc} RSS: idle {idle * 1024:.0f} KiB, after the runs {after * 1024:.0f} KiB, "
          f"peak {peak * 1024:.0f} KiB")
print(f"sidecar+gt (sampleRate {sample_rate}): responses in which no prediction was found: "
      f"{errors}; predictions recorded {recorded}, dropped while the store was behind {dropped}")

fails = []
if errors: fails.append(f"sidecar+gt found no prediction in {errors} responses")
if recorded == 0 and float(sample_rate) > 0: fails.append("sidecar+gt recorded no prediction")
if min(min(v) for v in rss.values()) <= 0: fails.append(f"a sidecar's RSS was not read: {rss}")
if fails: sys.exit("FAILED: " + "; ".join(fails))

def each(f, fmt=None): return " / ".join(fmt.format(f(c)) if fmt else f(c) for c in conns)
def grouped(v): return f"{v:,.0f}".replace(",", " ")
cs = " / ".join(conns)
print()
print(f"row: sidecar proxy (monitor without `groundTruth`), added p50 latency, {cs} connections | "
      f"{each(lambda c: added('sidecar', c, 0), '{:+.0f}')} µs | nginx reverse proxy on the same "
      f"core: {each(lambda c: added('nginx', c, 0), '{:+.0f}')} µs "
      f"({each(lambda c: ratio(added('sidecar', c, 0), added('nginx', c, 0)))}; p99 "
      f"{each(lambda c: ratio(added('sidecar', c, 1), added('nginx', c, 1)))})")
print(f"row: sidecar proxy, throughput (same runs) | "
      f"{' / '.join(grouped(R['sidecar', c][2]) for c in conns)} req/s | nginx: "
      f"{' / '.join(grouped(R['nginx', c][2]) for c in conns)} req/s "
      f"({each(lambda c: ratio(R['sidecar', c][2], R['nginx', c][2]))})")
print(f"row: sidecar proxy, CPU (same runs) | "
      f"{each(lambda c: R['sidecar', c][3], '{:.3f}')} CPU-s per 1 000 requests | target 0.05; "
      f"the proxying nginx in the same run: {each(lambda c: R['nginx', c][3], '{:.3f}')}")
total = recorded + dropped
print(f"row: sidecar with `groundTruth`, every response's predictions recorded | {rows} "
      f"predictions per response: {each(lambda c: ratio(R['sidecar+gt', c][2], R['nginx', c][2]))} "
      f"nginx's req/s, {each(lambda c: R['sidecar+gt', c][3], '{:.3f}')} CPU-s per 1 000 requests, "
      f"{100 * dropped / max(total, 1):.0f} % of predictions dropped; p99 "
      f"{each(lambda c: R['sidecar+gt', c][1] / 1000, '{:.1f}')} ms |")
print(f"row: sidecar memory | {rss['sidecar'][0]:.1f} MiB RSS idle, {rss['sidecar'][2]:.1f} MiB peak;"
      f" with `groundTruth` {rss['sidecar+gt'][0]:.1f} MiB idle, {rss['sidecar+gt'][2]:.1f} MiB peak |")
PY
