# Sourced by the node tests: a control plane (store, apiserver, scheduler, controller-manager)
# and one node — containerd and the kubelet inside a network namespace made here (no default
# route, DESIGN.md §4), images from a local registry. Provides k, jp, wait_for, phase_is,
# node_ready, start_kubelet (KUBELET_CONFIG and KUBELET_FLAGS add to its flags, KUBELET_ENV to
# its environment, HEALTHZ_PORT is its status port) and the check helpers; CM_FLAGS add to the
# controller-manager's flags, K_TIMEOUT is kubectl's request timeout (15s). Everything is
# stopped by PID on exit (KEEP_LOGS=1 keeps the temp dir).
# Network namespaces, veth pairs and containerd need root: the caller re-runs under sudo.
. scripts/lib/node-runtime.sh
sub=$(( $$ % 250 + 1 ))
host_ip=10.202.$sub.1 node_ip=10.202.$sub.2 netns=skt$$
node_netns "$netns" "$host_ip" "$node_ip"
export APISERVER_BIND=$host_ip
source scripts/test/lib/apiserver-env.sh
k() { kubectl --request-timeout="${K_TIMEOUT:-15s}" "$@" 2>&1; }
source scripts/test/lib/checks.sh
teardown() {
  if [ -n "${kubelet_pid:-}" ]; then kill -9 "$kubelet_pid" 2>/dev/null; wait "$kubelet_pid" 2>/dev/null; fi
  node_stop_pods "$dir/containerd/containerd.sock"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  node_unmount "$dir"
  node_delete_netns "$netns"
  if [ "${KEEP_LOGS:-0}" = 1 ]; then echo "logs in $dir"; else rm -rf "$dir"; fi
}
trap teardown EXIT
wait_for() {  # wait_for SECONDS COMMAND…
  local limit=$(( $1 * 5 )); shift
  for _ in $(seq "$limit"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}
jp() { k get pod "$1" -o jsonpath="$2"; }
phase_is() { [ "$(jp "$1" '{.status.phase}')" = "$2" ]; }

# Runtime: images cached across runs in .build (rebuilt when missing), a registry, containerd.
node_build_images "$PWD/.build/node-images"
registry="$host_ip:$(free_port)"
node_start_registry "$dir/registry" "$registry" "$PWD/.build/node-images" >"$dir/registry.pid"
pids+=("$(cat "$dir/registry.pid")")
node_start_containerd "$dir/containerd" "$netns" "$registry" >"$dir/containerd.pid"
pids+=("$(cat "$dir/containerd.pid")")

"$bindir/scheduler" --kubeconfig "$KUBECONFIG" --port 0 >"$dir/scheduler.log" 2>&1 &
pids+=($!)
# shellcheck disable=SC2086
"$bindir/controller-manager" --kubeconfig "$KUBECONFIG" --secure-port 0 --allocate-node-cidrs true \
  --service-cluster-ip-range 10.96.0.0/12 ${CM_FLAGS:---cluster-cidr 10.244.0.0/16} >"$dir/controller-manager.log" 2>&1 &
pids+=($!)

KUBELET_FLAGS=${KUBELET_FLAGS:-}
start_kubelet() {
  # shellcheck disable=SC2086
  nsenter --net="/run/netns/$netns" env ${KUBELET_ENV:-} "$bindir/kubelet" ${KUBELET_CONFIG:+--config "$KUBELET_CONFIG"} \
    --kubeconfig "$KUBECONFIG" --container-runtime-endpoint "unix://$dir/containerd/containerd.sock" --root-dir "$dir/kubelet" \
    --pod-logs-dir "$dir/pod-logs" --hostname-override node1 --node-ip "$node_ip" --healthz-port "${HEALTHZ_PORT:-0}" \
    $KUBELET_FLAGS >>"$dir/kubelet.log" 2>&1 &
  kubelet_pid=$!
}
node_ready() { [ "$(k get node node1 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]; }
