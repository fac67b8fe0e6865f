#!/usr/bin/env python3
"""The demo's clients: prediction traffic, delayed ground truth, and a recorder.

Three threads until stopped (SIGINT/SIGTERM, or --duration):
  traffic   sends --rate predictions per second (Open Inference Protocol v2) to the
            ready endpoints of a Service (its ready pods and targetPort, see Endpoints),
            each with its own x-request-id, and records every request in
            requests.csv: time, id, pod, revision, status, latency, score, true label.
  labels    --label-delay seconds later posts each prediction's true label to the
            sidecar that served it (POST /v1/labels on the pod's mm-admin port, with
            the label token) and records the answers in labels.csv.
  monitor   every 2 s records the ModelMonitor's status, the Deployment's revision
            and each sidecar's accuracy gauge in monitor.jsonl (the timeline plots them).

Usage: traffic.py --namespace demo --service fraud-model --monitor fraud-model \
         --rows models/traffic.npz --out logs/ [--label-token-file F | --label-token-secret S]
"""
import argparse
import collections
import csv
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

stop = threading.Event()


def kubectl_json(kubectl, *args):
    out = subprocess.run([kubectl, *args, "-o", "json"], capture_output=True, text=True, timeout=20)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip())
    return json.loads(out.stdout)


class Endpoints:
    """The Service's ready endpoints (pod, ip, port, admin port), refreshed every 2 s.

    kube-proxy would route by the Service's EndpointSlices, but the API refuses
    loopback addresses in them, and the local kubelet's pod IPs are 127.0.0.N. So
    this resolves the Service the way the EndpointSlice controller does: the ready,
    not terminating pods its selector matches, and its targetPort (a number, or a
    port name looked up in each pod: after injection, the sidecar's data port).
    """

    def __init__(self, kubectl, namespace, service):
        self.kubectl, self.namespace, self.service = kubectl, namespace, service
        self.lock = threading.Lock()
        self.ready = []  # [(pod, ip, port, admin_port)]
        self.error = ""

    def refresh(self):
        svc = kubectl_json(self.kubectl, "-n", self.namespace, "get", "service", self.service)
        target = svc["spec"]["ports"][0].get("targetPort", svc["spec"]["ports"][0]["port"])
        selector = ",".join(f"{k}={v}" for k, v in svc["spec"]["selector"].items())
        pods = kubectl_json(self.kubectl, "-n", self.namespace, "get", "pods", "-l", selector)["items"]
        ready = []
        for pod in pods:
            conditions = {c["type"]: c["status"] for c in pod.get("status", {}).get("conditions", [])}
            ip = pod.get("status", {}).get("podIP")
            port = target if isinstance(target, int) else named_port(pod, target)
            if conditions.get("Ready") == "True" and ip and port and \
                    "deletionTimestamp" not in pod["metadata"]:
                ready.append((pod["metadata"]["name"], ip, port, named_port(pod, "mm-admin")))
        with self.lock:
            self.ready = sorted(ready)

    def loop(self):
        while not stop.is_set():
            try:
                self.refresh()
                self.error = ""
            except Exception as e:  # noqa: BLE001 - keep sending to what we know
                self.error = str(e)
            stop.wait(1)

    def snapshot(self):
        with self.lock:
            return list(self.ready)


def named_port(pod, name):
    """The number of the port called `name` in the pod (the webhook names the sidecar's
    admin port mm-admin, and gives its data port the model port's old name)."""
    spec = pod.get("spec", {})
    for c in spec.get("initContainers", []) + spec.get("containers", []):
        for p in c.get("ports", []) or []:
            if p.get("name") == name:
                return p["containerPort"]
    return None


def infer(ip, port, request_id, row, timeout=5.0):
    body = json.dumps({"inputs": [{"name": "transaction", "shape": [1, len(row)], "datatype": "FP32",
                                   "data": [float(v) for v in row]}],
                       "outputs": [{"name": "predict_proba"}]})
    conn = http.client.HTTPConnection(ip, port, timeout=timeout)
    try:
        conn.request("POST", "/v2/models/fraud/infer", body,
                     {"content-type": "application/json", "x-request-id": request_id})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, data, resp.getheader("x-request-id")
    finally:
        conn.close()


class Recorder:
    def __init__(self, out_dir):
        self.lock = threading.Lock()
        self.requests = open(os.path.join(out_dir, "requests.csv"), "w", newline="")
        self.req_csv = csv.writer(self.requests)
        self.req_csv.writerow(["time", "request_id", "pod", "revision", "status", "latency_seconds",
                               "score", "label"])
        self.labels = open(os.path.join(out_dir, "labels.csv"), "w", newline="")
        self.lab_csv = csv.writer(self.labels)
        self.lab_csv.writerow(["time", "pod", "status", "received", "joined", "unknown", "expired"])
        self.latencies = collections.deque(maxlen=2000)
        self.sent = self.failed = self.labels_posted = self.labels_joined = 0
        self.revisions = collections.Counter()

    def request(self, *row):
        with self.lock:
            self.req_csv.writerow(row)
            self.sent += 1
            if row[4] != 200:
                self.failed += 1
            else:
                self.latencies.append(row[5])
                self.revisions[row[3]] += 1

    def label_answer(self, pod, status, answer, count):
        with self.lock:
            self.lab_csv.writerow([f"{time.time():.3f}", pod, status, answer.get("received", 0),
                                   answer.get("joined", 0), answer.get("unknown", 0),
                                   answer.get("expired", 0)])
            self.labels_posted += count
            self.labels_joined += answer.get("joined", 0)

    def summary(self):
        with self.lock:
            lat = sorted(self.latencies)
            p = (lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else 0)
            revs = ", ".join(f"{k} {v}" for k, v in sorted(self.revisions.items()))
            self.revisions.clear()
            self.latencies.clear()
            return (f"{self.sent} requests ({self.failed} failed), p50 {p(0.5):.0f} ms, "
                    f"p99 {p(0.99):.0f} ms, served by [{revs}]; labels posted {self.labels_posted}, "
                    f"joined {self.labels_joined}")

    def close(self):
        with self.lock:
            self.requests.close()
            self.labels.close()


def send_loop(args, endpoints, recorder, pending):
    data = np.load(args.rows)
    X, y = data["X"], data["y"]
    pool = ThreadPoolExecutor(max_workers=args.concurrency)
    period = 1.0 / args.rate
    n = 0
    next_at = time.monotonic()

    def one(n, target):
        pod, ip, port, admin = target
        i = n % len(X)
        rid = f"{args.id_prefix}-{n}"
        t0 = time.time()
        started = time.monotonic()
        try:
            status, body, _ = infer(ip, port, rid, X[i])
        except Exception:  # noqa: BLE001 - a refused or reset connection is a failed request
            status, body = 0, b""
        latency = time.monotonic() - started
        revision, score = "", ""
        if status == 200:
            try:
                answer = json.loads(body)
                revision = answer.get("model_version", "")
                score = f"{answer['outputs'][0]['data'][1]:.6f}"
            except (ValueError, KeyError, IndexError):
                pass
        recorder.request(f"{t0:.3f}", rid, pod, revision, status, round(latency, 6), score, int(y[i]))
        if status == 200 and admin:
            pending.append((time.monotonic() + args.label_delay, pod, ip, admin, rid, int(y[i])))

    while not stop.is_set():
        targets = endpoints.snapshot()
        if targets:
            pool.submit(one, n, targets[n % len(targets)])
            n += 1
        next_at += period
        delay = next_at - time.monotonic()
        if delay > 0:
            stop.wait(delay)
        else:
            next_at = time.monotonic()  # fell behind: do not burst to catch up
    pool.shutdown(wait=True)


def label_loop(args, token, recorder, pending):
    while not stop.is_set() or pending:
        now = time.monotonic()
        due = collections.defaultdict(list)
        while pending and (pending[0][0] <= now or stop.is_set()):
            _, pod, ip, admin, rid, label = pending.popleft()
            due[(pod, ip, admin)].append({"id": rid, "label": label})
        for (pod, ip, admin), labels in due.items():
            try:
                conn = http.client.HTTPConnection(ip, admin, timeout=5)
                conn.request("POST", "/v1/labels", json.dumps({"labels": labels}),
                             {"content-type": "application/json",
                              "authorization": "Bearer " + token})
                resp = conn.getresponse()
                body = resp.read()
                answer = json.loads(body) if resp.status == 200 else {}
                if resp.status != 200:
                    print(f"labels: {pod} answered {resp.status}: {body[:200]!r}", file=sys.stderr)
                recorder.label_answer(pod, resp.status, answer, len(labels))
            except Exception as e:  # noqa: BLE001 - the pod may be gone (rolled away)
                recorder.label_answer(pod, 0, {}, len(labels))
                print(f"labels: {pod} unreachable: {e}", file=sys.stderr)
        if stop.is_set():
            break
        stop.wait(1)


def sidecar_accuracy(ip, admin):
    """The sidecar's own accuracy gauge (its joined labels, docs/accuracy.md), or None."""
    try:
        conn = http.client.HTTPConnection(ip, admin, timeout=2)
        conn.request("GET", "/metrics")
        text = conn.getresponse().read().decode()
    except (OSError, http.client.HTTPException):
        return None
    for line in text.splitlines():
        if line.startswith("modelmonitor_accuracy"):
            try:
                value = float(line.rsplit(" ", 1)[1])
            except ValueError:
                return None
            return value if value == value else None  # NaN: no joins yet
    return None


def monitor_loop(args, out_dir, endpoints):
    with open(os.path.join(out_dir, "monitor.jsonl"), "a") as f:
        while not stop.is_set():
            record = {"time": round(time.time(), 3), "sidecars": {}}
            for pod, ip, _, admin in endpoints.snapshot():
                if admin:
                    record["sidecars"][pod] = {"accuracy": sidecar_accuracy(ip, admin)}
            try:
                mon = kubectl_json(args.kubectl, "-n", args.namespace, "get", "modelmonitor", args.monitor)
                record["status"] = mon.get("status", {})
            except Exception as e:  # noqa: BLE001
                record["monitor_error"] = str(e)
            try:
                dep = kubectl_json(args.kubectl, "-n", args.namespace, "get", "deployment", args.monitor)
                record["deployment"] = {
                    "revision": dep["metadata"].get("annotations", {}).get(
                        "deployment.kubernetes.io/revision"),
                    "image": dep["spec"]["template"]["spec"]["containers"][0]["image"],
                    "available": dep.get("status", {}).get("availableReplicas", 0)}
            except Exception as e:  # noqa: BLE001
                record["deployment_error"] = str(e)
            f.write(json.dumps(record) + "\n")
            f.flush()
            stop.wait(2)


def label_token(args):
    if args.label_token_file:
        return open(args.label_token_file).read().strip()
    if args.label_token_secret:
        secret = kubectl_json(args.kubectl, "-n", args.namespace, "get", "secret", args.label_token_secret)
        import base64
        return base64.b64decode(secret["data"]["label-token"]).decode()
    return os.environ.get("MM_LABEL_TOKEN", "")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kubectl", default="kubectl")
    ap.add_argument("--namespace", required=True)
    ap.add_argument("--service", required=True)
    ap.add_argument("--monitor", required=True, help="ModelMonitor (and Deployment) name")
    ap.add_argument("--rows", required=True, help="traffic.npz from train.py")
    ap.add_argument("--out", required=True, help="folder for requests.csv, labels.csv, monitor.jsonl")
    ap.add_argument("--rate", type=float, default=20, help="requests per second")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--label-delay", type=float, default=5, help="seconds until a label is posted")
    ap.add_argument("--label-token-file")
    ap.add_argument("--label-token-secret", help="Secret with key label-token")
    ap.add_argument("--duration", type=float, default=0, help="seconds; 0 = until SIGTERM")
    ap.add_argument("--id-prefix", default="demo")
    ap.add_argument("--report-every", type=float, default=10)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for s in (signal.SIGINT, signal.SIGTERM):
        # Started in the background by scripts/demo, SIGINT is ignored: Ctrl-C is the
        # script's to handle (it stops everything in order).
        if signal.getsignal(s) is not signal.SIG_IGN:
            signal.signal(s, lambda *_: stop.set())
    token = label_token(args)
    if not token:
        print("traffic: no label token; labels will be refused", file=sys.stderr)
    endpoints = Endpoints(args.kubectl, args.namespace, args.service)
    recorder = Recorder(args.out)
    pending = collections.deque()
    threads = [threading.Thread(target=endpoints.loop, daemon=True),
               threading.Thread(target=send_loop, args=(args, endpoints, recorder, pending)),
               threading.Thread(target=label_loop, args=(args, token, recorder, pending)),
               threading.Thread(target=monitor_loop, args=(args, args.out, endpoints), daemon=True)]
    for t in threads:
        t.start()
    started = time.monotonic()
    while not stop.is_set():
        stop.wait(args.report_every)
        print(f"traffic: {recorder.summary()}"
              + (f" (endpoints: {endpoints.error})" if endpoints.error else ""), flush=True)
        if args.duration and time.monotonic() - started >= args.duration:
            stop.set()
    for t in threads[1:3]:
        t.join(timeout=15)
    recorder.close()


if __name__ == "__main__":
    main()
