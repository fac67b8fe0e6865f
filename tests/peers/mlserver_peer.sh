#!/usr/bin/env bash
# integration.mlserver_peer: the sidecar in front of a real MLServer (its scikit-learn
# runtime, Open Inference Protocol v2, from PyPI via scripts/python-env): predictions
# and probabilities go through, the prediction id comes back, and the sidecar records
# one prediction per row of each batched response.
# Usage: tests/peers/mlserver_peer.sh SIDECAR_BINARY
set -euo pipefail
SIDECAR=$(realpath "$1")
python="$("$(dirname "$0")/../../scripts/python-env")"
MLSERVER="$(dirname "$python")/mlserver"
TMP=$(mktemp -d /tmp/mm-mlserver.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HTTP=$(free_port); GRPC=$(free_port); METRICS=$(free_port); DATA=$(free_port); ADMIN=$(free_port)

mkdir -p "$TMP/models/iris"
"$python" - "$TMP/models/iris" <<'PY'
import json, sys, joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
X, y = load_iris(return_X_y=True)
joblib.dump(LogisticRegression(max_iter=500).fit(X, y), sys.argv[1] + "/model.joblib")
json.dump({"name": "iris", "implementation": "mlserver_sklearn.SKLearnModel",
           "parameters": {"uri": "./model.joblib", "version": "v1"}},
          open(sys.argv[1] + "/model-settings.json", "w"))
PY
cat > "$TMP/models/settings.json" <<JSON
{"host": "127.0.0.1", "http_port": $HTTP, "grpc_port": $GRPC, "metrics_port": $METRICS,
 "parallel_workers": 0}
JSON
(cd "$TMP/models" && exec "$MLSERVER" start . > "$TMP/mlserver.log" 2>&1) & PIDS+=($!)
# The monitor's spec as the webhook injects it: ground truth makes the sidecar record.
export MM_MONITOR_CONFIG='{"selector": {"matchLabels": {"app": "iris"}},
  "target": {"kind": "Deployment", "name": "iris"},
  "serving": {"port": '$HTTP', "protocol": "open-inference-v2"},
  "groundTruth": {"task": "multiclass-classification"}}'
MM_LABEL_TOKEN=peer-label-token "$SIDECAR" --data-port "$DATA" --admin-port "$ADMIN" \
  --store-dir "$TMP/store" --log-level warning & PIDS+=($!)
for _ in $(seq 600); do  # MLServer takes 5-30 s to start on 2 cores
  curl -sf "http://127.0.0.1:$DATA/v2/models/iris/ready" >/dev/null && break; sleep 0.2
done
curl -sf "http://127.0.0.1:$ADMIN/readyz" >/dev/null || { cat "$TMP/mlserver.log"; exit 1; }

ROWS='[[5.1,3.5,1.4,0.2],[6.7,3.0,5.2,2.3],[5.9,3.0,4.2,1.5]]'
infer() {  # $1: requested output name
  curl -s -D "$TMP/headers" -X POST "http://127.0.0.1:$DATA/v2/models/iris/infer" \
    -H 'content-type: application/json' -H 'x-request-id: peer-check-'"$1" \
    -d '{"inputs":[{"name":"x","shape":[3,4],"datatype":"FP32","data":'"$ROWS"'}],
         "outputs":[{"name":"'"$1"'"}]}'
}
fail() { echo "FAIL: $*" >&2; exit 1; }
echo "predict:       $(infer predict)"
grep -qi '^x-request-id: peer-check-predict' "$TMP/headers" || fail "prediction id not returned"
proba=$(infer predict_proba)
echo "predict_proba: ${proba:0:160}..."
sleep 0.2
metric() {  # the value of the first sample whose line starts with $1
  local text
  text=$(curl -s "http://127.0.0.1:$ADMIN/metrics")
  awk -v m="$1" 'index($0, m) == 1 {print $2; exit}' <<<"$text"
}
recorded=$(metric 'modelmonitor_sidecar_predictions_total{result="recorded"}')
errors=$(metric modelmonitor_sidecar_extraction_errors_total)
ok=$(metric 'modelmonitor_sidecar_requests_total{code="2xx"}')
echo "sidecar: 2xx=$ok recorded=$recorded extraction_errors=$errors"
[ "$recorded" = 6 ] || fail "expected 6 prediction records (3 rows x 2 requests), got $recorded"
[ "$errors" = 0 ] || fail "the adapter could not read MLServer's response"

# The iris rows are a setosa, a virginica and a versicolor: labels 0, 2, 1 for both
# requests' rows. The class of a predict_proba row is its argmax.
labels='{"labels":['
for request in predict predict_proba; do
  for row in 0 1 2; do
    labels+='{"id":"peer-check-'$request/$row'","label":'$(cut -d' ' -f$((row + 1)) <<<"0 2 1")'},'
  done
done
labels="${labels%,}]}"
echo "labels:        $(curl -s -X POST "http://127.0.0.1:$ADMIN/v1/labels" \
  -H 'authorization: Bearer peer-label-token' -H 'content-type: application/json' -d "$labels")"
for _ in $(seq 60); do  # the accuracy gauges are set every 5 s
  accuracy=$(metric 'modelmonitor_accuracy{window="3600s"}')
  [ -n "$accuracy" ] && [ "${accuracy,,}" != nan ] && break; sleep 0.5
done
echo "accuracy over the joined rows: $accuracy"
[ "$accuracy" = 1 ] || fail "expected accuracy 1 for MLServer's answers on these rows, got '$accuracy'"
echo PASS
