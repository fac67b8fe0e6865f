#!/usr/bin/env python3
"""The tables, summary and verdict of bench/soak/run.sh, from the samples it took.

The samples folder holds, for NAME = 0 (before the load), 1..minutes (after each
minute) and `end` (after the labels and probes stopped and the gauges refreshed):
  proc.NAME      time= rss_kib= hwm_kib= cpu_ticks= nginx_ticks= server_busy=
                 server_total= load1= runq_ns= store_bytes= upstream_log_bytes=
  metrics.NAME   the sidecar's /metrics
  labels.NAME    the label uploader's running totals (JSON)
and wrk.M (the line requests.lua printed for minute M), probe (probe.py's lines)
and snapshot.json (the sidecar's /v1/snapshot since the start). The upstream's
access log holds one status code per line, so a byte range of it is the requests
the upstream answered between two samples.
Exit status 1 when a check fails.
"""
import argparse
import json
import math
import os
import sys

GAMMA = 1.01 / 0.99  # common/metrics/log_histogram.h: 1 % relative accuracy
NAN = float("nan")


def read_fields(path):
    """key=value words of a file, as numbers."""
    with open(path) as f:
        return {k: float(v) for k, v in (w.split("=", 1) for w in f.read().split() if "=" in w)}


def read_metrics(path):
    out = {}
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


def metric(m, prefix):
    """Sum of the samples whose name (with labels) starts with `prefix`."""
    return sum(v for k, v in m.items() if k.startswith(prefix))


def quantile(values, q):
    """The value of rank floor(q * (n - 1)), as LogHistogram::Quantile; values sorted."""
    return values[int(q * (len(values) - 1))] if values else NAN


def snapshot_latency(snapshot, since, until):
    """(p50, p99) in µs of the sidecar's own latency histograms, merged over its
    buckets that start in [since, until)."""
    counts, zero = {}, 0
    for b in snapshot.get("buckets", []):
        if since <= b["start"] < until:
            h = b["latencySeconds"]
            zero += h["zeroCount"]
            for i, c in enumerate(h["counts"]):
                counts[h["offset"] + i] = counts.get(h["offset"] + i, 0) + c
    n = zero + sum(counts.values())
    out = []
    for q in (0.50, 0.99):
        rank, seen, value = int(q * (n - 1)), zero, 0.0 if n else NAN
        for index in sorted(counts) if rank >= zero else ():
            seen += counts[index]
            if seen > rank:
                value = 2 * GAMMA**index / (GAMMA + 1) * 1e6
                break
        out.append(value)
    return out


def upstream_statuses(log, start, end):
    """(answers, non-200 answers) in the byte range of the upstream's status log."""
    with open(log, "rb") as f:
        f.seek(start)
        codes = f.read(end - start).split()
    return len(codes), sum(1 for c in codes if c != b"200")


def read_probe(path):
    """[(unix time, target, status, latency µs)] of probe.py."""
    with open(path) as f:
        return [(float(t), target, int(status), float(us))
                for t, target, status, us in (line.split() for line in f if line.count(" ") == 3)]


def print_table(title, columns, rows):
    """columns: (heading, key, width, decimals)."""
    print("\n" + title)
    print(" ".join(f"{h:>{w}}" for h, _, w, _ in columns))
    for r in rows:
        print(" ".join(f"{r[k]:>{w}.{d}f}" for _, k, w, d in columns))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("samples")
    ap.add_argument("--minutes", type=int, required=True)
    ap.add_argument("--max-pending", type=int, required=True)
    ap.add_argument("--rss-growth-pct", type=float, default=20)
    ap.add_argument("--store-growth-pct", type=float, default=20)
    ap.add_argument("--ticks", type=float, default=100)
    ap.add_argument("--upstream-log", required=True)
    ap.add_argument("--sidecar-log", required=True)
    a = ap.parse_args()

    def path(name):
        return os.path.join(a.samples, name)

    names = ["0"] + [str(m) for m in range(1, a.minutes + 1)] + ["end"]
    proc = {n: read_fields(path(f"proc.{n}")) for n in names}
    mets = {n: read_metrics(path(f"metrics.{n}")) for n in names}
    labels = {}
    for n in names:
        with open(path(f"labels.{n}")) as f:
            labels[n] = json.load(f)
    wrk = {m: read_fields(path(f"wrk.{m}")) for m in range(1, a.minutes + 1)}
    with open(path("snapshot.json")) as f:
        snapshot = json.load(f)
    probe = read_probe(path("probe"))

    pending_name = "modelmonitor_predictions_pending"
    recorded_name = 'modelmonitor_sidecar_predictions_total{result="recorded"}'
    dropped_name = 'modelmonitor_sidecar_predictions_total{result="dropped"}'
    rows = []
    for m in range(1, a.minutes + 1):
        prev, cur, w = proc[str(m - 1)], proc[str(m)], wrk[m]
        seconds = cur["time"] - prev["time"]

        def grew(values, key):
            return values[str(m)].get(key, 0) - values[str(m - 1)].get(key, 0)

        def grew_metric(prefix):
            return metric(mets[str(m)], prefix) - metric(mets[str(m - 1)], prefix)

        r = {"min": m, "requests": w["requests"], "rps": w["requests"] / seconds,
             "failed": w["non2xx"] + w["connect"] + w["read"] + w["write"] + w["timeout"]}
        _, r["upstream_failed"] = upstream_statuses(
            a.upstream_log, int(prev["upstream_log_bytes"]), int(cur["upstream_log_bytes"]))
        for target in "ds":
            got = [(status, us) for t, tg, status, us in probe
                   if tg == target and prev["time"] <= t < cur["time"]]
            lat = sorted(us for _, us in got)
            r[f"{target}_failed"] = sum(1 for status, _ in got if status != 200)
            r[f"{target}_p50"], r[f"{target}_p99"] = quantile(lat, 0.5), quantile(lat, 0.99)
            r[f"{target}_max"] = lat[-1] if lat else NAN
        r["sidecar_failed"] = max(0, r["failed"] + r["s_failed"] - r["upstream_failed"])
        r["p50"], r["p99"], r["max"] = w["p50_us"], w["p99_us"], w["max_us"]
        r["own_p50"], r["own_p99"] = snapshot_latency(snapshot, prev["time"], cur["time"])
        for k in ("p50", "p99", "max", "own_p50", "own_p99", "d_p50", "d_p99", "d_max", "s_p50",
                  "s_p99", "s_max"):
            r[k] /= 1000  # ms
        server = grew(proc, "server_total")
        others = grew(proc, "server_busy") - grew(proc, "cpu_ticks") - grew(proc, "nginx_ticks")
        r.update({
            "rss": cur["rss_kib"] / 1024, "cpu": grew(proc, "cpu_ticks") / a.ticks / seconds * 100,
            "others": max(0, others) / server * 100 if server > 0 else NAN,
            "runq": grew(proc, "runq_ns") / 1e9, "load": cur["load1"],
            "pending": metric(mets[str(m)], pending_name), "store": cur["store_bytes"] / 2**20,
            "evicted": grew_metric("modelmonitor_predictions_evicted_total"), "dropped": grew_metric(dropped_name),
            "joined": grew(labels, "joined")})
        rows.append(r)

    print_table(
        "Requests and latency (ms). wrk: the load, its percentiles corrected for coordinated "
        "omission;\nown: the sidecar's own histograms (head read to last byte written); probe: "
        "plain latencies,\nd directly to the upstream, s through the sidecar, at the same time.",
        [("min", "min", 3, 0), ("requests", "requests", 9, 0), ("req/s", "rps", 6, 0),
         ("failed", "failed", 6, 0), ("sc_fail", "sidecar_failed", 7, 0),
         ("wrk_p50", "p50", 7, 2), ("wrk_p99", "p99", 8, 1), ("wrk_max", "max", 8, 1),
         ("own_p50", "own_p50", 7, 2), ("own_p99", "own_p99", 7, 2),
         ("d_p50", "d_p50", 6, 2), ("d_p99", "d_p99", 7, 2), ("d_max", "d_max", 7, 1),
         ("s_p50", "s_p50", 6, 2), ("s_p99", "s_p99", 7, 2), ("s_max", "s_max", 7, 1)], rows)
    print_table(
        "The sidecar, its store and the machine. others%: the servers' CPU used by other "
        "processes\nthan the sidecar and nginx; runq_s: seconds the sidecar's threads waited "
        "for a CPU.",
        [("min", "min", 3, 0), ("rss_MiB", "rss", 7, 1), ("cpu%", "cpu", 4, 0),
         ("others%", "others", 7, 0), ("runq_s", "runq", 6, 1), ("load", "load", 5, 1),
         ("pending", "pending", 7, 0), ("store_MiB", "store", 9, 1),
         ("evicted", "evicted", 7, 0), ("dropped", "dropped", 7, 0),
         ("joined", "joined", 6, 0)], rows)

    end, first, last = mets["end"], rows[0], rows[-1]
    checks = []  # (passed, line)

    def during_run(name):
        return metric(end, name) - metric(mets["0"], name)

    def total(key):
        return int(sum(r[key] for r in rows))

    # Requests and who failed them: the upstream only answers 200, so a failure the
    # upstream's log does not show is the sidecar's.
    served = total("requests")
    up_answers, up_failed = upstream_statuses(a.upstream_log, int(proc["0"]["upstream_log_bytes"]),
                                              int(proc["end"]["upstream_log_bytes"]))
    probes = {t: sum(1 for p in probe if p[1] == t) for t in "ds"}
    probe_failed = {t: sum(1 for p in probe if p[1] == t and p[2] != 200) for t in "ds"}
    failed = total("failed") + probe_failed["s"]
    sidecar_failed = max(0, failed - up_failed)
    seconds = proc[str(a.minutes)]["time"] - proc["0"]["time"]
    cpu_s = (proc[str(a.minutes)]["cpu_ticks"] - proc["0"]["cpu_ticks"]) / a.ticks
    counted = during_run("modelmonitor_sidecar_requests_total{")
    counted_5xx = during_run('modelmonitor_sidecar_requests_total{code="5xx"}')
    upstream_errors = during_run("modelmonitor_sidecar_upstream_errors_total")
    print(f"\nrequests: wrk got {served} answers in {seconds:.0f} s ({served / seconds:.0f}/s), "
          f"the probe {probes['s']} through the sidecar and {probes['d']} directly; the sidecar "
          f"counted {counted:.0f}, the upstream answered {up_answers}")
    print(f"failed through the sidecar: {failed} (wrk: {total('failed')} non-2xx or socket "
          f"errors, probe: {probe_failed['s']}); the upstream answered {up_failed} non-200 "
          f"(probe directly: {probe_failed['d']} failed); sidecar-caused: {sidecar_failed} (its "
          f"/metrics: {counted_5xx:.0f} 5xx, {upstream_errors:.0f} upstream errors)")
    checks.append((sidecar_failed == 0, f"requests failed by the sidecar: {sidecar_failed}"))

    # Memory and CPU.
    idle, warm = proc["0"]["rss_kib"] / 1024, first["rss"]
    growth = (last["rss"] / warm - 1) * 100
    print(f"sidecar RSS: idle {idle:.1f} MiB, after minute 1 {warm:.1f} MiB, end {last['rss']:.1f} "
          f"MiB, max {proc['end']['hwm_kib'] / 1024:.1f} MiB; {growth:+.1f} % after the warm-up "
          f"minute; CPU {cpu_s:.0f} s, {cpu_s / max(served, 1) * 1000:.3f} CPU-s per 1000 requests")
    checks.append((growth <= a.rss_growth_pct,
                   f"RSS growth after minute 1: {growth:+.1f} % (limit {a.rss_growth_pct:.0f} %)"))

    # Latency, first minute against last (reported, not checked: the machine is shared).
    def drift(x, y):
        return f"{(y / x - 1) * 100:+.0f} %" if x > 0 else "n/a"

    print("latency, first -> last minute (range over all minutes):")
    for label, key in (("wrk p99", "p99"), ("own p50", "own_p50"), ("own p99", "own_p99"),
                       ("probe through the sidecar p50", "s_p50"),
                       ("probe through the sidecar p99", "s_p99"), ("probe direct p99", "d_p99")):
        values = [r[key] for r in rows if not math.isnan(r[key])]
        print(f"  {label}: {first[key]:.2f} -> {last[key]:.2f} ms ({drift(first[key], last[key])};"
              f" {min(values, default=NAN):.2f}..{max(values, default=NAN):.2f})")
    print(f"machine: load average {min(r['load'] for r in rows):.1f}.."
          f"{max(r['load'] for r in rows):.1f}; other processes took "
          f"{min(r['others'] for r in rows):.0f}..{max(r['others'] for r in rows):.0f} % of the "
          f"servers' CPU per minute; the sidecar's threads waited "
          f"{min(r['runq'] for r in rows):.1f}..{max(r['runq'] for r in rows):.1f} s per minute "
          "for a CPU")

    # The store: pending at most maxPending, and its files stop growing once the
    # rows reach their bound (2 x maxPending: pending plus tombstones).
    recorded = metric(end, recorded_name)
    write_errors = metric(end, "modelmonitor_prediction_write_errors_total")
    max_pending_seen = max(metric(mets[n], pending_name) for n in names)
    bound_at = next((n for n in names[1:] if metric(mets[n], recorded_name) >= 2 * a.max_pending),
                    None)
    store_end, store_max = proc["end"]["store_bytes"], max(proc[n]["store_bytes"] for n in names)
    print(f"store: maxPending {a.max_pending}, pending at most {max_pending_seen:.0f}; "
          f"{recorded:.0f} predictions recorded, {metric(end, 'modelmonitor_predictions_evicted_total'):.0f} "
          f"evicted by maxPending, {metric(end, dropped_name):.0f} dropped by the full queue, "
          f"{write_errors:.0f} write errors; files {store_end / 2**20:.1f} MiB at the end, "
          f"{store_max / 2**20:.1f} MiB max")
    checks.append((max_pending_seen <= a.max_pending, "pending predictions at most maxPending: "
                   f"{max_pending_seen:.0f} <= {a.max_pending}"))
    if bound_at is None:
        checks.append((False, "store bound exercised: fewer than 2 x maxPending = "
                       f"{2 * a.max_pending} predictions recorded (run longer, lower MAX_PENDING)"))
    else:
        ref = proc[bound_at]["store_bytes"]
        store_growth = (store_end / ref - 1) * 100
        checks.append((store_growth <= a.store_growth_pct,
                       f"store files after reaching 2 x maxPending rows (minute {bound_at}): "
                       f"{ref / 2**20:.1f} -> {store_end / 2**20:.1f} MiB ({store_growth:+.1f} %, "
                       f"limit {a.store_growth_pct:.0f} %)"))

    # Every stored prediction is waiting, labelled, evicted or expired, and /metrics
    # says which (the gauges cover a window: only while the run fits in it).
    samples = metric(end, "modelmonitor_samples{")
    fates = {k: metric(end, f"modelmonitor_{k}{{")
             for k in ("labeled_samples", "evicted", "expired")}
    fates["pending"] = metric(end, pending_name)
    window = next((k.split('window="')[1].split('"')[0] for k in end
                   if k.startswith("modelmonitor_samples{")), "?")
    duration = proc["end"]["time"] - proc["0"]["time"]
    if window.endswith("s") and float(window[:-1]) < duration + 120:  # + the minute buckets' edge
        print(f"note: the run outlasted the gauges' window ({window}): predictions not accounted")
    else:
        checks.append((samples == sum(fates.values()) and samples == recorded - write_errors,
                       f"predictions accounted for in /metrics: recorded {recorded:.0f} = stored "
                       f"{samples:.0f} = pending {fates['pending']:.0f} + labelled "
                       f"{fates['labeled_samples']:.0f} + evicted {fates['evicted']:.0f} + expired "
                       f"{fates['expired']:.0f}"))

    # Labels.
    lab = labels["end"]
    uploads = lab.get("uploads", 0)
    print(f"labels: {uploads} uploads of {lab.get('sent', 0) // max(uploads, 1)} "
          f"({lab.get('failed_uploads', 0)} failed), {lab.get('received', 0)} received: "
          f"{lab.get('joined', 0)} joined, {lab.get('expired', 0)} expired (evicted before their "
          f"label), {lab.get('unknown', 0)} unknown, {lab.get('duplicate', 0)} duplicate, "
          f"{lab.get('invalid', 0)} invalid; upload took "
          f"{lab.get('upload_seconds_sum', 0) / max(uploads, 1) * 1000:.0f} ms mean, "
          f"{lab.get('upload_seconds_max', 0) * 1000:.0f} ms max")
    checks.append((lab.get("failed_uploads", 0) == 0 and uploads > 0,
                   f"label uploads failed: {lab.get('failed_uploads', 0)} of {uploads}"))

    with open(a.sidecar_log) as f:
        log = [line.rstrip() for line in f if line.strip()]
    if log:
        print(f"sidecar log: {len(log)} lines (warnings and errors), first: {log[0][:300]}")

    # README's Benchmarks row (bench/run.sh collects it).
    def span(key, fmt):
        values = [r[key] for r in rows]
        return f"{fmt.format(min(values))}–{fmt.format(max(values))}"

    slice_s = seconds / a.minutes
    length = f"{a.minutes} min" if abs(slice_s - 60) < 5 else f"{a.minutes} × {slice_s:.0f} s"
    def grouped(v):
        return f"{v:,.0f}".replace(",", " ")

    evicted = metric(end, "modelmonitor_predictions_evicted_total")
    print(f"\nrow: sidecar soak: {length} at full load ({grouped(served / seconds)} req/s, 1 thread) "
          f"with the store at `maxPending` {grouped(a.max_pending)} and "
          f"{grouped(lab.get('sent', 0) / seconds)} labels/s | {sidecar_failed} of "
          f"{grouped(served)} requests failed; RSS {warm:.1f} → {last['rss']:.1f} MiB after the "
          f"warm-up minute; store files {store_end / 2**20:.1f} MiB at the end "
          f"({store_max / 2**20:.1f} max), {grouped(evicted)} evictions counted; the sidecar's own "
          f"p50 {span('own_p50', '{:.2f}')} ms every minute | a probe straight to nginx in the same "
          f"run: p99 {span('d_p99', '{:.1f}')} ms per minute (through the sidecar: "
          f"{span('s_p99', '{:.1f}')} ms)")

    print()
    for ok, line in checks:
        print(("PASS " if ok else "FAIL ") + line)
    if a.minutes < 2:
        print("note: one minute only; RSS and store growth compare the first minute with itself")
    passed = all(ok for ok, _ in checks)
    print("verdict: " + ("PASS" if passed else "FAIL"))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
