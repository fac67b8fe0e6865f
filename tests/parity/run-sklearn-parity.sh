#!/usr/bin/env bash
# The scikit-learn parity test: scikit-learn (from PyPI, via scripts/python-env)
# trains models on datasets it ships and writes predictions, labels and its own
# metric values; accuracy_parity feeds the rows through the sidecar's store,
# joiner and metrics and compares. Usage: run-sklearn-parity.sh ACCURACY_PARITY WORK_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
binary="$1"
work="$2"
python="$("$here/../../scripts/python-env")"
rm -rf "$work"
mkdir -p "$work/data"
"$python" "$here/sklearn_parity.py" "$work/data"
"$binary" "$work/data" "$work/stores"
