#!/usr/bin/env bash
# Brings up the local cluster from this checkout's build, keeping its state under .skiff/:
# a 3-member kvstore, the apiserver, the scheduler and the controller-manager on loopback, and a
# kubeconfig for kubectl in
# .skiff/kubeconfig.
# Processes keep running in the background; `scripts/local-cluster.sh stop` stops them.
set -euo pipefail
cd "$(dirname "$0")/.."
state=.skiff
mkdir -p "$state"
bin=$(swift build --show-bin-path)

stop() {
  # Clients first, each waited for (up to 10 s) so that it can release its Lease through the
  # apiserver; then the apiserver; then the store.
  for f in "$state"/controller-manager.pid "$state"/scheduler.pid "$state"/apiserver.pid "$state"/kvstore-*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$f"
  done
}
if [ "${1:-}" = stop ]; then stop; echo "local-cluster: stopped"; exit 0; fi
stop

cluster="" endpoints=""
for i in 1 2 3; do
  cluster+="${cluster:+,}kv$i=http://127.0.0.1:$((12380 + i))"
  endpoints+="${endpoints:+,}127.0.0.1:$((12370 + i))"
done
for i in 1 2 3; do
  "$bin/kvstore" --name "kv$i" --data-dir "$state/kvstore-$i" \
    --listen-client-urls "http://127.0.0.1:$((12370 + i))" --advertise-client-urls "http://127.0.0.1:$((12370 + i))" \
    --listen-peer-urls "http://127.0.0.1:$((12380 + i))" --initial-advertise-peer-urls "http://127.0.0.1:$((12380 + i))" \
    --initial-cluster "$cluster" --listen-metrics-urls "http://127.0.0.1:$((12390 + i))" \
    >"$state/kvstore-$i.log" 2>&1 &
  echo $! >"$state/kvstore-$i.pid"
done
for _ in $(seq 50); do
  ETCDCTL_API=3 etcdctl --endpoints="$endpoints" endpoint health >/dev/null 2>&1 && break
  sleep 0.2
done

port=16443
"$bin/apiserver" --etcd-servers "$endpoints" --secure-port "$port" --cert-dir "$state/apiserver" \
  >"$state/apiserver.log" 2>&1 &
echo $! >"$state/apiserver.pid"
for _ in $(seq 100); do
  [ -s "$state/apiserver/apiserver.crt" ] && curl -sf --cacert "$state/apiserver/apiserver.crt" "https://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
ca=$(base64 -w0 <"$state/apiserver/apiserver.crt")
cat >"$state/kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: skiff
  cluster:
    server: https://127.0.0.1:$port
    certificate-authority-data: $ca
users:
- name: skiff-admin
  user: {token: skiff-local-admin}
contexts:
- name: skiff
  context: {cluster: skiff, user: skiff-admin}
current-context: skiff
KUBECONFIG

"$bin/scheduler" --kubeconfig "$state/kubeconfig" --port 10259 >"$state/scheduler.log" 2>&1 &
echo $! >"$state/scheduler.pid"
"$bin/controller-manager" --kubeconfig "$state/kubeconfig" --secure-port 10257 \
  --root-ca-file "$state/apiserver/apiserver.crt" --allocate-node-cidrs true --cluster-cidr 10.244.0.0/16 \
  --service-cluster-ip-range 10.96.0.0/12 >"$state/controller-manager.log" 2>&1 &
echo $! >"$state/controller-manager.pid"

cat <<MSG
Skiff local cluster (state and logs in $state/):
  kvstore: 3 members, etcd v3 API on $endpoints
    ETCDCTL_API=3 etcdctl --endpoints=$endpoints member list
    health and metrics: curl http://127.0.0.1:12391/health  (12392, 12393 for the others)
  apiserver: https://127.0.0.1:$port (self-signed certificate in $state/apiserver/)
    export KUBECONFIG=$PWD/$state/kubeconfig
    kubectl get namespaces
  scheduler: leader-elected on kube-system/kube-scheduler; health and metrics on http://127.0.0.1:10259/metrics
    (nodes register with the kubelet, which has not landed yet: pods stay Pending until a Node object exists)
  controller-manager: leader-elected on kube-system/kube-controller-manager (kubectl get lease -n kube-system);
    the workload controllers (deployment, replicaset, replicationcontroller, statefulset,
    daemonset, job, cronjob, ttl-after-finished), endpoint, endpointslice and mirroring,
    garbagecollector, namespace, nodelifecycle, nodeipam, podgc, disruption, resourcequota,
    serviceaccount, root-ca-cert-publisher and clusterrole-aggregation;
    health and metrics on http://127.0.0.1:10257/metrics
  stop with: scripts/local-cluster.sh stop
MSG
