#!/usr/bin/env bash
# Hollow nodes with real processes: kvstore + apiserver + scheduler + controller-manager on
# loopback and `skiff hollow-nodes` (the shipping kubelet code over a fake runtime). Checks
# that the nodes register Ready with their Leases, that a Deployment's pods are placed and
# reported Running with pod IPs from the nodes' pod CIDRs, that a scripted exit completes a Job,
# that deleting pods removes them, and that kill -9 of the process leaves the nodes' Leases
# un-renewed while a restart adopts the nodes again.
# Prints "N passed, N failed"; KEEP_LOGS=1 keeps the temp dir.
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/test/lib/apiserver-env.sh
k() { kubectl --request-timeout=10s "$@" 2>&1; }
source scripts/test/lib/checks.sh
nodes=${HOLLOW_NODES:-20}
wait_for() {  # wait_for SECONDS COMMAND… : until COMMAND succeeds
  local limit=$(( $1 * 5 )); shift
  for _ in $(seq "$limit"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}
"$bindir/scheduler" --kubeconfig "$KUBECONFIG" --port 0 >"$dir/scheduler.log" 2>&1 &
pids+=($!)
"$bindir/controller-manager" --kubeconfig "$KUBECONFIG" --secure-port 0 --allocate-node-cidrs true \
  --cluster-cidr 10.244.0.0/16 --service-cluster-ip-range 10.96.0.0/12 >"$dir/controller-manager.log" 2>&1 &
pids+=($!)
start_hollow() {
  "$bindir/skiff" hollow-nodes --count "$nodes" --report-seconds 5 --root-dir "$dir/hollow" >>"$dir/hollow.log" 2>&1 &
  hollow=$!; pids+=($hollow)
}
start_hollow

ready_count() { k get nodes -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c True; }
all_ready() { [ "$(ready_count)" = "$nodes" ]; }
wait_for 60 all_ready
check "all hollow nodes Ready" "$nodes" "$(ready_count)"
check "a Lease per node" "$nodes" "$(k get leases -n kube-node-lease --no-headers | wc -l)"
check "lease holder is the node" "hollow-node-0" "$(k get lease hollow-node-0 -n kube-node-lease -o jsonpath='{.spec.holderIdentity}')"
check "node capacity" "4 110" "$(k get node hollow-node-0 -o jsonpath='{.status.capacity.cpu} {.status.capacity.pods}')"
check "allocatable memory less the eviction threshold" "16284Mi" "$(k get node hollow-node-0 -o jsonpath='{.status.allocatable.memory}')"
check "hostname label" "hollow-node-3" "$(k get node hollow-node-3 -o jsonpath='{.metadata.labels.kubernetes\.io/hostname}')"

k create deployment web --image=busybox:1.36 --replicas=$((nodes * 2)) -- sleep 3600 >/dev/null
running() { [ "$(k get pods -l app=web --field-selector=status.phase=Running --no-headers | wc -l)" = "$((nodes * 2))" ]; }
wait_for 90 running
check "deployment pods Running on hollow nodes" "$((nodes * 2))" "$(k get pods -l app=web --field-selector=status.phase=Running --no-headers | wc -l)"
ip=$(k get pods -l app=web -o jsonpath='{.items[0].status.podIP}')
contains "pod IP from the pod CIDRs" "10.244." "$ip"
check "ready condition" "True" "$(k get pods -l app=web -o jsonpath='{.items[0].status.conditions[?(@.type=="Ready")].status}')"
check "container running" "true" "$(k get pods -l app=web -o jsonpath='{.items[0].status.containerStatuses[0].started}')"

k apply -f - >/dev/null <<Y
apiVersion: batch/v1
kind: Job
metadata: {name: scripted}
spec:
  completions: 3
  parallelism: 3
  template:
    metadata: {annotations: {hollow.skiff.dev/exit: "main=1:0"}}
    spec:
      restartPolicy: Never
      containers: [{name: main, image: busybox:1.36}]
Y
complete() { [ "$(k get job scripted -o jsonpath='{.status.succeeded}')" = 3 ]; }
wait_for 60 complete
check "job with scripted exits completes" "3" "$(k get job scripted -o jsonpath='{.status.succeeded}')"
check "its pods Succeeded" "3" "$(k get pods -l job-name=scripted --field-selector=status.phase=Succeeded --no-headers | wc -l)"

k apply -f - >/dev/null <<Y
apiVersion: v1
kind: Pod
metadata: {name: failing, annotations: {hollow.skiff.dev/exit: "main=0:3"}}
spec: {restartPolicy: Never, containers: [{name: main, image: busybox:1.36}]}
Y
failed_pod() { [ "$(k get pod failing -o jsonpath='{.status.phase}')" = Failed ]; }
wait_for 30 failed_pod
check "scripted exit 3 under Never fails the pod" "Failed 3 Error" "$(k get pod failing -o jsonpath='{.status.phase} {.status.containerStatuses[0].state.terminated.exitCode} {.status.containerStatuses[0].state.terminated.reason}')"

k delete deployment web --wait=false >/dev/null
web_pods() { kubectl --request-timeout=10s get pods -l app=web -o name 2>/dev/null | wc -l; }
gone() { [ "$(web_pods)" = 0 ]; }
wait_for 90 gone
check "pods of a deleted deployment are removed by their kubelets" "0" "$(web_pods)"
if ! gone; then  # diagnostics for a pod left behind
  k get pods -l app=web -o yaml | head -80
  for uid in $(k get pods -l app=web -o jsonpath='{.items[*].metadata.uid}'); do grep "$uid" "$dir/hollow.log" | tail -5; done
fi

renew_time() { k get lease hollow-node-1 -n kube-node-lease -o jsonpath='{.spec.renewTime}'; }
kill -9 "$hollow"; wait "$hollow" 2>/dev/null
before=$(renew_time); sleep 12
check "kill -9: leases stop being renewed" "$before" "$(renew_time)"
start_hollow
renewed() { [ "$(renew_time)" != "$before" ]; }
wait_for 30 renewed
contains "restarted hollow nodes renew their leases" "T" "$(renew_time)"
check "and keep their nodes" "$nodes" "$(k get nodes --no-headers | wc -l)"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
