#!/usr/bin/env bash
# The sidecar in front of a real MLServer (scikit-learn runtime, Open Inference
# Protocol v2): predictions and probabilities go through, the prediction id comes
# back, and the sidecar finds one prediction per row. Needs `pip install mlserver
# mlserver-sklearn scikit-learn`; not part of CTest (it installs nothing itself).
# Usage: tests/peers/mlserver_peer.sh [build dir (default build)]
set -euo pipefail
BUILD=${1:-build}
SIDECAR=$(realpath "$BUILD/sidecar/modelmonitor-sidecar")
python3 -c 'import mlserver, mlserver_sklearn, sklearn' 2>/dev/null ||
  { echo "SKIP: pip install mlserver mlserver-sklearn scikit-learn" >&2; exit 77; }
TMP=$(mktemp -d /tmp/mm-mlserver.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HTTP=$(free_port); GRPC=$(free_port); METRICS=$(free_port); DATA=$(free_port); ADMIN=$(free_port)

mkdir -p "$TMP/models/iris"
python3 - "$TMP/models/iris" <<'PY'
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
(cd "$TMP/models" && exec mlserver start . > "$TMP/mlserver.log" 2>&1) & PIDS+=($!)
"$SIDECAR" --data-port "$DATA" --admin-port "$ADMIN" --upstream "127.0.0.1:$HTTP" \
  --protocol open-inference-v2 --log-level warning & PIDS+=($!)
for _ in $(seq 300); do
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
echo "predict_proba: $(infer predict_proba | cut -c1-160)..."
sleep 0.2
METRICS_TEXT=$(curl -s "http://127.0.0.1:$ADMIN/metrics")
recorded=$(awk '/^modelmonitor_sidecar_predictions_total\{result="recorded"\}/ {print $2}' <<<"$METRICS_TEXT")
errors=$(awk '/^modelmonitor_sidecar_extraction_errors_total/ {print $2}' <<<"$METRICS_TEXT")
ok=$(awk '/^modelmonitor_sidecar_requests_total\{code="2xx"\}/ {print $2}' <<<"$METRICS_TEXT")
echo "sidecar: 2xx=$ok recorded=$recorded extraction_errors=$errors"
[ "$recorded" = 6 ] || fail "expected 6 prediction records (3 rows x 2 requests), got $recorded"
[ "$errors" = 0 ] || fail "the adapter could not read MLServer's response"
echo PASS
