#!/usr/bin/env python3
"""STOPGAP until the operator's main serves the injection webhook (branch `wiring`):
puts the sidecar into the demo Deployment's pod template the way the webhook puts it
into each pod (operator/webhook/sidecar_patch.cpp): a native sidecar on the model's
port name `http` (data port 8081, admin port 9090, forwarding to the model's 8080),
the monitor's spec in MM_MONITOR_CONFIG, its store on an emptyDir, the label and
admin tokens from the Secret <monitor>-modelmonitor-tokens. scripts/demo calls it
only when the operator has no --webhook-url flag. Delete it once `wiring` is merged.

Usage: inject_by_hand.py KUBECTL NAMESPACE MONITOR
"""
import json
import subprocess
import sys


def kubectl(*args, stdin=None):
    return subprocess.run([KUBECTL, *args], input=stdin, capture_output=True, text=True, check=True).stdout


KUBECTL, NS, MONITOR = sys.argv[1:4]
monitor = json.loads(kubectl("-n", NS, "get", "modelmonitor", MONITOR, "-o", "json"))
deployment = monitor["spec"]["target"]["name"]
secret = MONITOR + "-modelmonitor-tokens"
token_env = [{"name": env, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}
             for env, key in (("MM_LABEL_TOKEN", "label-token"), ("MM_ADMIN_TOKEN", "admin-token"))]
sidecar = {
    "name": "modelmonitor-sidecar",
    "image": "ghcr.io/modelmonitor/modelmonitor-sidecar:0.1.0",
    "restartPolicy": "Always",
    "args": ["--data-port=8081", "--admin-port=9090", "--upstream=127.0.0.1:8080"],
    "env": [{"name": "MM_MONITOR_CONFIG", "value": json.dumps(monitor["spec"])},
            {"name": "MM_STORE_DIR", "value": "/var/lib/modelmonitor"}] + token_env,
    "ports": [{"name": "http", "containerPort": 8081}, {"name": "mm-admin", "containerPort": 9090}],
    "readinessProbe": {"httpGet": {"path": "/healthz", "port": 9090}, "periodSeconds": 2},
    "volumeMounts": [{"name": "mm-store", "mountPath": "/var/lib/modelmonitor"}],
}
patch = [
    {"op": "replace", "path": "/spec/template/spec/containers/0/ports/0/name", "value": "http-model"},
    {"op": "replace", "path": "/spec/template/spec/containers/0/readinessProbe/httpGet/port",
     "value": "http-model"},
    {"op": "add", "path": "/spec/template/spec/initContainers", "value": [sidecar]},
    {"op": "add", "path": "/spec/template/spec/volumes", "value": [{"name": "mm-store", "emptyDir": {}}]},
]
kubectl("-n", NS, "patch", "deployment", deployment, "--type", "json", "-p", json.dumps(patch))
print(f"inject_by_hand: {NS}/{deployment} now carries the sidecar in its pod template")
