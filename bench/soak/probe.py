#!/usr/bin/env python3
"""The latency probe of bench/soak/run.sh: the baseline measured in the same run.

--rate times a second it POSTs the request body once to the upstream directly and
once through the sidecar, each on its own keep-alive connection, while wrk keeps
the sidecar saturated. The two see the same machine (the same CPUs, the same
other processes), so a stall that shows in both is the machine's and one that
shows only through the sidecar is the sidecar's. Unlike wrk's percentiles, which
wrk corrects for coordinated omission (one stall becomes many slow samples),
these are plain per-request latencies. One line per request goes to --out:
`unix_time target status latency_us`, target d (direct) or s (sidecar), status 0
for a connection error. SIGTERM ends it.
"""
import argparse
import http.client
import signal
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--direct", required=True, help="host:port of the upstream")
    ap.add_argument("--sidecar", required=True, help="host:port of the sidecar's data port")
    ap.add_argument("--body", required=True, help="file holding the request body")
    ap.add_argument("--rate", type=float, default=50)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    with open(a.body, "rb") as f:
        body = f.read()
    headers = {"Content-Type": "application/json"}
    connections = {"d": a.direct, "s": a.sidecar}
    open_connections = {}
    with open(a.out, "w", buffering=1) as out:
        next_at = time.monotonic()
        while not stop:
            for target, address in connections.items():
                started = time.perf_counter()
                try:
                    c = open_connections.get(target)
                    if c is None:
                        c = open_connections[target] = http.client.HTTPConnection(address,
                                                                                  timeout=30)
                    c.request("POST", "/v2/models/fraud/infer", body=body, headers=headers)
                    r = c.getresponse()
                    r.read()
                    status = r.status
                except (OSError, http.client.HTTPException):
                    open_connections.pop(target, None)
                    status = 0
                took = (time.perf_counter() - started) * 1e6
                out.write(f"{time.time():.3f} {target} {status} {took:.0f}\n")
            # After a stall, carry on at the rate rather than catch up in a burst.
            next_at = max(next_at + 1 / a.rate, time.monotonic() - 1 / a.rate)
            time.sleep(max(0.0, next_at - time.monotonic()))


if __name__ == "__main__":
    main()
