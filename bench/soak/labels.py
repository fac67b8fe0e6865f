#!/usr/bin/env python3
"""The label uploader of bench/soak/run.sh.

Every --every seconds it POSTs one NDJSON batch of --batch labels to the
sidecar's /v1/labels. wrk numbers its requests r1, r2, ... and writes the
latest number K to the file --progress every 1000 requests
(bench/soak/requests.lua), so the ids r1..rK exist (but for the few still in
flight, whose labels wait for them as early labels); each label names one of
the latest --span of them, chosen at random. With a span of twice maxPending
about half find their prediction waiting (joined) and the rest name predictions
evicted by maxPending (expired) or already forgotten (unknown); a few name the
same id twice (duplicate). Every answer is summed into the JSON file --out,
rewritten after each upload; SIGTERM ends the loop after the upload in progress.
"""
import argparse
import json
import os
import random
import signal
import time
import urllib.error
import urllib.request


def issued_ids(progress):
    try:
        with open(progress) as f:
            return int(f.read() or 0)
    except (OSError, ValueError):  # not written yet, or being rewritten
        return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--admin", required=True, help="the sidecar's admin URL")
    ap.add_argument("--token-file", required=True)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--every", type=float, default=1.0)
    ap.add_argument("--span", type=int, required=True)
    ap.add_argument("--progress", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    rng = random.Random(a.seed)
    with open(a.token_file) as f:
        token = f.read().strip()
    totals = {name: 0 for name in ("uploads", "failed_uploads", "sent", "received", "joined",
                                   "expired", "unknown", "duplicate", "invalid")}
    totals["upload_seconds_max"] = 0.0
    totals["upload_seconds_sum"] = 0.0

    def save():
        with open(a.out + ".tmp", "w") as f:
            json.dump(totals, f)
        os.replace(a.out + ".tmp", a.out)

    save()
    k = 0
    while not stop:
        started = time.monotonic()
        k = max(k, issued_ids(a.progress))  # 0 while wrk rewrites the file
        if k > 0:
            ids = (rng.randint(max(1, k - a.span + 1), k) for _ in range(a.batch))
            body = "".join(json.dumps({"id": f"r{i}", "label": rng.randint(0, 1)}) + "\n"
                           for i in ids).encode()
            req = urllib.request.Request(a.admin + "/v1/labels", data=body, method="POST", headers={
                "Content-Type": "application/x-ndjson", "Authorization": "Bearer " + token})
            sent = time.monotonic()
            try:
                with urllib.request.urlopen(req, timeout=30) as r:
                    answer = json.load(r)
                for key in ("received", "joined", "expired", "unknown", "duplicate", "invalid"):
                    totals[key] += answer[key]
            except (urllib.error.URLError, OSError, ValueError, KeyError):
                totals["failed_uploads"] += 1
            took = time.monotonic() - sent
            totals["uploads"] += 1
            totals["sent"] += a.batch
            totals["upload_seconds_max"] = max(totals["upload_seconds_max"], took)
            totals["upload_seconds_sum"] += took
            save()
        time.sleep(max(0.0, a.every - (time.monotonic() - started)))


if __name__ == "__main__":
    main()
