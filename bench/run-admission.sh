#!/usr/bin/env bash
# Admission latency of the sidecar webhook while 50 pods are created concurrently.
# Starts a throwaway control plane (tests/controlplane), installs the test CRD,
# runs build/bench/admission_bench, and tears everything down.
#   bench/run-admission.sh [build-dir] [--pods N]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}; shift || true
cp=${MM_CONTROLPLANE:-$HOME/.cache/modelmonitor/bin/mm-controlplane}
dir=$(mktemp -d)
exec 3> >("$cp" up --dir "$dir" > "$dir/launcher.log" 2>&1)  # stops when fd 3 closes
trap 'exec 3>&-; sleep 2; rm -rf "$dir"' EXIT
for _ in $(seq 1 180); do [ -f "$dir/kubeconfig" ] && grep -q READY "$dir/launcher.log" && break; sleep 1; done
"$(dirname "$cp")/kubectl" --kubeconfig "$dir/kubeconfig" apply -f "$here/crds/modelmonitor.io_modelmonitors.yaml" >/dev/null
"$(dirname "$cp")/kubectl" --kubeconfig "$dir/kubeconfig" wait --for=condition=Established --timeout=60s crd/modelmonitors.modelmonitor.io >/dev/null
"$build/bench/admission_bench" --kubeconfig "$dir/kubeconfig" "$@"
