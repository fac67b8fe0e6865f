# Shell functions the sidecar benchmarks share (bench/proxy/run.sh, bench/soak/run.sh).
# Sourced, not run. Servers run as local processes on 127.0.0.1 in a temp dir,
# never as system services, so no root is needed.

# bench_start BUILD NAME: checks wrk, nginx and the built sidecar; sets SIDECAR,
# NGINX, TMP (removed on a clean exit, kept and named on a failure: the servers'
# logs are there) and PIDS (killed on exit: append every process started); sets
# WRK_CPU and SERVER_CPU ("taskset -c N" prefixes, empty without
# pinning): with PIN=1 (default) and two or more CPUs, wrk and helpers run on
# CPU 0 and the servers on CPU SERVER_CPU_ID=1.
bench_start() {
  SIDECAR=$(realpath "$1/sidecar/modelmonitor-sidecar")
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
  command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
  [ -x "$NGINX" ] || { echo "nginx is missing: apt-get install nginx-light" >&2; exit 1; }
  [ -x "$SIDECAR" ] || { echo "build the sidecar first: ninja -C $1 modelmonitor-sidecar" >&2; exit 1; }
  TMP=$(mktemp -d "/tmp/mm-$2-bench.XXXXXX")
  PIDS=()
  trap bench_cleanup EXIT
  SERVER_CPU=""; WRK_CPU=""; SERVER_CPU_ID=""
  if [ "${PIN:-1}" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
    SERVER_CPU_ID=1; WRK_CPU="taskset -c 0"; SERVER_CPU="taskset -c $SERVER_CPU_ID"
  fi
}

bench_cleanup() {
  local rc=$?
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do  # up to 5 s each: the sidecar drains its queue on SIGTERM
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  done
  if [ "$rc" = 0 ]; then
    rm -rf "$TMP"
  else
    echo "FAILED (exit status $rc); logs of the processes it started are kept in $TMP" >&2
  fi
}

# bench_fail REASON: the reason on stderr, exit status 1 (bench_cleanup keeps TMP).
bench_fail() {
  echo "FAILED: $*" >&2
  exit 1
}

# alive PID NAME LOG: fails the run, naming LOG, when the process has exited.
alive() {
  kill -0 "$1" 2>/dev/null || bench_fail "$2 (pid $1) has exited; its log: $3"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# make_body response|request [rows]: a 1 KB Open Inference Protocol body. The
# response holds `rows` predictions (default 60) of a 2-class predict_proba.
make_body() {
  python3 - "$1" "${2:-60}" <<'PY'
import json, sys
rows = int(sys.argv[2])
if sys.argv[1] == "response":
    body = {"model_name": "fraud", "model_version": "v1", "id": "bench",
            "outputs": [{"name": "predict_proba", "shape": [rows, 2], "datatype": "FP32",
                         "data": [round(0.1 + i * 0.001, 3) for i in range(2 * rows)]}]}
else:
    body = {"id": "bench", "inputs": [{"name": "features", "shape": [32, 4], "datatype": "FP32",
                                       "data": [round(5.1 + i * 0.01, 2) for i in range(128)]}]}
s = json.dumps(body, separators=(",", ":"))
s = s[:-1] + ',"parameters":{"pad":"' + "x" * max(0, 1024 - len(s) - 25) + '"}}'
print(s)
PY
}

# write_nginx_conf DIR LISTEN_PORT LOCATION_BODY: one worker, no access log
# (a location may log with the format `status`: just the status code), and an
# `upstream model` at 127.0.0.1:$UP_PORT with keep-alive for proxying.
write_nginx_conf() {
  mkdir -p "$1/logs"
  cat > "$1/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $1/nginx.pid;
error_log $1/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  log_format status '\$status';
  client_body_temp_path $1/body; proxy_temp_path $1/proxy;
  fastcgi_temp_path $1/f; uwsgi_temp_path $1/u; scgi_temp_path $1/s;
  keepalive_requests 1000000;
  upstream model { server 127.0.0.1:$UP_PORT; keepalive 128; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$2;
    location / { client_body_buffer_size 16k; $3 }
  }
}
CONF
}

# wait_for_post PORT...: until each port answers a POST (5 s each at most); a
# port that never answers fails the run.
wait_for_post() {
  local port ok
  for port in "$@"; do
    ok=0
    for _ in $(seq 50); do
      curl -s -o /dev/null -X POST "http://127.0.0.1:$port/v2/models/fraud/infer" -d '{}' \
        && { ok=1; break; }
      sleep 0.1
    done
    [ $ok = 1 ] || bench_fail "nothing answers on 127.0.0.1:$port after 5 s (logs in $TMP)"
  done
}

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# metric URL NAME_AND_LABELS: the sum of the samples whose line starts with it,
# e.g. metric "$url" 'modelmonitor_sidecar_requests_total{code="5xx"}'.
metric() {
  curl -s "$1" | awk -v p="$2" 'index($0, p) == 1 {s += $NF} END {printf "%d\n", s}'
}
