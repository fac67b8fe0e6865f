#!/usr/bin/env bash
# Admission latency of the sidecar webhook while 50 pods are created concurrently.
# Starts a throwaway control plane (tests/controlplane), installs the CRD, runs
# build/bench/admission_bench, and tears everything down. Any failure exits
# non-zero with its reason; the control plane's logs are kept and named then.
#   bench/run-admission.sh [build-dir] [admission_bench flags: --pods N --rounds N ...]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$here/build
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then build=$1; shift; fi
bench=$build/bench/admission_bench
cp=${MM_CONTROLPLANE:-$HOME/.cache/modelmonitor/bin/mm-controlplane}
[ -x "$bench" ] || { echo "run-admission: $bench is missing: ninja -C $build admission_bench" >&2; exit 1; }
[ -x "$cp" ] || { echo "run-admission: $cp is missing: make controlplane" >&2; exit 1; }
kubectl=$(dirname "$cp")/kubectl
dir=$(mktemp -d /tmp/mm-admission-bench.XXXXXX)
exec 3> >("$cp" up --dir "$dir" > "$dir/launcher.log" 2>&1)  # stops when fd 3 closes
finish() {
  local rc=$?
  exec 3>&-
  sleep 2
  if [ "$rc" = 0 ]; then
    rm -rf "$dir"
  else
    echo "run-admission: FAILED (exit status $rc); the control plane's logs are kept in $dir" >&2
  fi
}
trap finish EXIT
for _ in $(seq 1 180); do [ -f "$dir/kubeconfig" ] && grep -q READY "$dir/launcher.log" && break; sleep 1; done
if ! grep -q READY "$dir/launcher.log"; then
  echo "run-admission: the control plane was not ready within 180 s; $dir/launcher.log ends:" >&2
  tail -5 "$dir/launcher.log" >&2
  exit 1
fi
echo "control plane ready ($dir)"
"$kubectl" --kubeconfig "$dir/kubeconfig" apply -f "$here/crds/modelmonitor.io_modelmonitors.yaml" >/dev/null
"$kubectl" --kubeconfig "$dir/kubeconfig" wait --for=condition=Established --timeout=60s crd/modelmonitors.modelmonitor.io >/dev/null
"$bench" --kubeconfig "$dir/kubeconfig" "$@"
