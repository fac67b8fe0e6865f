#!/usr/bin/env python3
"""Draws the demo's timeline PNG from what traffic.py recorded.

  top     latency of every request (dots, coloured by the revision that served it)
          and its rolling p99
  middle  accuracy: measured by the client from the labels it posted (rolling), and
          as the operator reported it (status.metrics.accuracy), when it did
  bottom  the share of requests served by each revision

Vertical marks: the rollout of the worse revision (marks.jsonl, written by
scripts/demo), each alert's Pending and Firing (the monitor's status, and its
Events), and the rollback (status.remediations, or the Deployment going back to
the first image).

Usage: timeline.py LOG_DIR [OUT.png]   (LOG_DIR holds requests.csv, monitor.jsonl,
                                         optional marks.jsonl and events.json)
"""
import csv
import json
import os
import sys
from datetime import datetime, timezone

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

COLOURS = {"v1": "tab:blue", "v2": "tab:red"}


def parse_time(text):
    """Unix seconds of an API time (RFC 3339 UTC, with or without fractional seconds)."""
    return datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp()


def read_requests(path):
    rows = []
    with open(path) as f:
        for r in csv.DictReader(f):
            rows.append((float(r["time"]), r["revision"], int(r["status"]), float(r["latency_seconds"]),
                         float(r["score"]) if r["score"] else None, int(r["label"])))
    return rows


def read_pod_revisions(path):
    """[(pod, revision)] of the successful requests, in order."""
    with open(path) as f:
        return [(r["pod"], r["revision"]) for r in csv.DictReader(f) if r["status"] == "200"]


def read_jsonl(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def alert_marks(monitor, events):
    """[(time, text, colour)]: each alert's first Pending and Firing, and each remediation."""
    marks, seen = [], set()
    for rec in monitor:
        for a in rec.get("status", {}).get("alerts", []) or []:
            state = a.get("state")
            key = (a.get("name"), state, a.get("since"))
            if state in ("Pending", "Firing") and key not in seen:
                seen.add(key)
                t = parse_time(a["since"]) if a.get("since") else rec["time"]
                marks.append((t, f"{a.get('name')} {state}", "orange" if state == "Pending" else "red"))
        for r in rec.get("status", {}).get("remediations", []) or []:
            key = ("remediation", r.get("time"), r.get("action"))
            if key not in seen and r.get("time"):
                seen.add(key)
                marks.append((parse_time(r["time"]), f"{r.get('action')} ({r.get('alert')}): "
                              f"{r.get('result', '')}", "green"))
    if marks:  # the status said it all; Events only stand in when it is missing
        return marks
    for e in events:
        reason = e.get("reason", "")
        t = e.get("lastTimestamp") or e.get("eventTime") or e.get("firstTimestamp")
        if t and reason in ("AlertPending", "AlertFiring", "RolledBack"):
            key = ("event", reason, t)
            if key not in seen:
                seen.add(key)
                marks.append((parse_time(t), f"Event {reason}", "purple"))
    return marks


def rolling(times, values, window):
    """Mean of `values` over the trailing `window` seconds at each time."""
    out, j, total = [], 0, 0.0
    for i in range(len(times)):
        total += values[i]
        while times[j] < times[i] - window:
            total -= values[j]
            j += 1
        out.append(total / (i - j + 1))
    return out


def main(log_dir, out_png):
    rows = [r for r in read_requests(os.path.join(log_dir, "requests.csv"))]
    if not rows:
        sys.exit("timeline: no requests recorded in " + log_dir)
    t0 = rows[0][0]
    monitor = read_jsonl(os.path.join(log_dir, "monitor.jsonl"))
    marks = [(m["time"], m["label"], "black") for m in read_jsonl(os.path.join(log_dir, "marks.jsonl"))]
    events_path = os.path.join(log_dir, "events.json")
    events = json.load(open(events_path)).get("items", []) if os.path.exists(events_path) else []
    marks += alert_marks(monitor, events)
    # The Deployment going back to an earlier image, when no remediation record says so.
    images = [(rec["time"], rec["deployment"]["image"]) for rec in monitor if "deployment" in rec]
    for (_, a), (t, b) in zip(images, images[1:]):
        if a != b and b == images[0][1] and not any("rollback" in m[1] for m in marks):
            marks.append((t, f"image back to {b.split(':')[-1]}", "green"))

    fig, (ax_lat, ax_acc, ax_rev) = plt.subplots(3, 1, figsize=(12, 9), sharex=True,
                                                 gridspec_kw={"height_ratios": [3, 3, 1]})
    ok = [r for r in rows if r[2] == 200]
    for rev in sorted({r[1] for r in ok}):
        sel = [r for r in ok if r[1] == rev]
        ax_lat.scatter([r[0] - t0 for r in sel], [r[3] * 1000 for r in sel], s=4, alpha=0.35,
                       color=COLOURS.get(rev), label=f"request ({rev})")
    times = [r[0] - t0 for r in ok]
    lat = [r[3] * 1000 for r in ok]
    p99 = [np.percentile(lat[max(0, i - 199):i + 1], 99) for i in range(len(lat))]
    ax_lat.plot(times, p99, color="black", linewidth=1.2, label="rolling p99 (200 requests)")
    ax_lat.set_ylabel("latency (ms)")
    ax_lat.set_yscale("log")
    ax_lat.legend(loc="upper left", fontsize=8)
    ax_lat.set_title("ModelMonitor demo: a worse model revision, the alert, the automatic rollback")

    scored = [r for r in ok if r[4] is not None]
    correct = [1.0 if (r[4] >= 0.5) == (r[5] == 1) else 0.0 for r in scored]
    ax_acc.plot([r[0] - t0 for r in scored], rolling([r[0] for r in scored], correct, 30),
                color="tab:blue", label="accuracy, client-side (rolling 30 s)")
    op = [(rec["time"] - t0, rec["status"]["metrics"]["accuracy"]) for rec in monitor
          if isinstance(rec.get("status", {}).get("metrics", {}).get("accuracy"), (int, float))]
    # Each sidecar's own accuracy gauge (the labels it joined since its pod started),
    # coloured by the revision its pod served.
    pod_revision = {}
    for r in read_pod_revisions(os.path.join(log_dir, "requests.csv")):
        pod_revision.setdefault(r[0], r[1])
    for rev in sorted(set(pod_revision.values())):
        pts = [(rec["time"] - t0, v["accuracy"]) for rec in monitor
               for pod, v in rec.get("sidecars", {}).items()
               if v.get("accuracy") is not None and pod_revision.get(pod) == rev]
        if pts:
            ax_acc.scatter([p[0] for p in pts], [p[1] for p in pts], marker="x", s=14,
                           color=COLOURS.get(rev), label=f"accuracy, sidecars of {rev} pods")
    if op:
        ax_acc.step([p[0] for p in op], [p[1] for p in op], where="post", color="tab:green",
                    linewidth=2, label="accuracy, operator (status.metrics)")
    ax_acc.set_ylabel("accuracy")
    ax_acc.set_ylim(0, 1.02)
    ax_acc.legend(loc="lower left", fontsize=8)

    buckets = np.arange(0, times[-1] + 5, 5)
    for rev in sorted({r[1] for r in ok}):
        counts = np.histogram([r[0] - t0 for r in ok if r[1] == rev], buckets)[0]
        total = np.histogram(times, buckets)[0]
        share = np.divide(counts, total, out=np.zeros_like(counts, dtype=float), where=total > 0)
        ax_rev.step(buckets[:-1], share, where="post", color=COLOURS.get(rev), label=rev)
    ax_rev.set_ylabel("served by")
    ax_rev.set_ylim(-0.05, 1.05)
    ax_rev.set_xlabel("seconds since the first request")
    ax_rev.legend(loc="center left", fontsize=8)

    for i, (t, text, colour) in enumerate(sorted(marks)):
        for ax in (ax_lat, ax_acc, ax_rev):
            ax.axvline(t - t0, color=colour, linestyle="--", linewidth=1)
        ax_acc.text(t - t0, 0.62 - 0.08 * (i % 5), " " + text, color=colour, fontsize=8)
    fig.tight_layout()
    fig.savefig(out_png, dpi=110)
    print(f"timeline: {out_png} ({len(rows)} requests, {len(marks)} marks)")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else os.path.join(sys.argv[1], "timeline.png"))
