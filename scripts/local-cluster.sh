#!/usr/bin/env bash
# Brings up the local cluster from this checkout's build, keeping its state under .skiff/.
# It starts each component that exists so far and says how to reach it.
set -euo pipefail
cd "$(dirname "$0")/.."
state=.skiff
mkdir -p "$state"
bin=$(swift build --show-bin-path)

started=0
for component in kvstore apiserver scheduler controller-manager kubelet proxy; do
  if [ -x "$bin/$component" ]; then
    started=1
    echo "local-cluster: $component is built but its launch is not wired in yet" >&2
  fi
done

if [ "$started" = 0 ]; then
  cat <<MSG
Skiff local cluster: no server component exists yet in this build.
What works today is the shared API library (typed Kubernetes 1.32 resources, JSON/YAML codec,
selectors, Quantity, the resource registry) and the admin CLI:

  $bin/skiff --help
  $bin/skiff bench codec          # build with 'make release' for real figures

The kvstore and apiserver land next; then this command starts them under $state/ and writes
$state/kubeconfig for kubectl (export KUBECONFIG=$PWD/$state/kubeconfig).
MSG
fi
