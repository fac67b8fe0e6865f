-- wrk script of bench/soak/run.sh (run with -t1): POSTs the body in the file
-- args[1], each request with "x-request-id: r<N>", N counting up from args[2] + 1,
-- and writes N to the file args[3] every 1000 requests, so that the labeller can
-- name predictions that exist. When the run ends it prints one line of exact
-- figures (latencies as wrk reports them, corrected for coordinated omission):
--   SOAK requests=.. non2xx=.. connect=.. read=.. write=.. timeout=.. p50_us=.. p99_us=.. p999_us=.. max_us=.. last_id=..
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(args[1], "rb"))
  wrk.body = f:read("*a")
  f:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  n = tonumber(args[2])
  progress = args[3]
end

function request()
  n = n + 1
  wrk.headers["x-request-id"] = "r" .. n
  if n % 1000 == 0 then
    local f = io.open(progress, "w")
    f:write(n)
    f:close()
  end
  return wrk.format()
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "SOAK requests=%d non2xx=%d connect=%d read=%d write=%d timeout=%d " ..
    "p50_us=%d p99_us=%d p999_us=%d max_us=%d last_id=%d\n",
    summary.requests, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max,
    threads[1]:get("n")))
end
