#!/usr/bin/env bash
# Brings up the local cluster from this checkout's build, keeping its state under .skiff/:
# a 3-member kvstore, the apiserver, the scheduler and the controller-manager, and one node:
# containerd and the kubelet inside the network namespace skiff-node1 (DESIGN.md §4: no default
# route; the host reaches it over a veth pair, 10.201.0.1 ⇄ 10.201.0.2), pulling images from a
# local registry (scripts/lib/node-runtime.sh). kubectl's kubeconfig is .skiff/kubeconfig.
#
#   scripts/local-cluster.sh            start (stopping a running one first)
#   scripts/local-cluster.sh stop       stop everything, pods included
#   scripts/local-cluster.sh restart N  restart one component with the same flags; N is one of
#                                       kvstore-1..3, apiserver, scheduler, controller-manager,
#                                       registry, containerd, kubelet
# Each process keeps its PID in .skiff/<name>.pid and its log in .skiff/<name>.log.
set -euo pipefail
cd "$(dirname "$0")/.."
# Network namespaces, veth pairs and containerd need root: re-run under sudo when not root.
[ "$(id -u)" = 0 ] || exec sudo -n -E env "PATH=$PATH" "$0" "$@"
. scripts/lib/node-runtime.sh
state=.skiff
mkdir -p "$state"
root=$PWD/$state
bin=$(swift build --show-bin-path)
netns=skiff-node1 host_ip=10.201.0.1 node_ip=10.201.0.2 node=skiff-node1
port=16443 registry="$host_ip:15000"
cluster="" endpoints=""
for i in 1 2 3; do
  cluster+="${cluster:+,}kv$i=http://127.0.0.1:$((12380 + i))"
  endpoints+="${endpoints:+,}127.0.0.1:$((12370 + i))"
done

# stop_one NAME: SIGTERM, wait up to 10 s (so clients release their Leases), then SIGKILL.
stop_one() {
  local f=$state/$1.pid pid
  [ -e "$f" ] || return 0
  pid=$(cat "$f")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# stop_pods: kills every container the node's containerd runs (they outlive the kubelet).
stop_pods() { node_stop_pods "$root/containerd/containerd.sock"; }

stop() {
  # The kubelet and the clients first, then the apiserver, the store, the node's runtime.
  for name in kubelet controller-manager scheduler apiserver kvstore-1 kvstore-2 kvstore-3; do stop_one "$name"; done
  stop_pods
  for name in containerd registry; do stop_one "$name"; done
  node_unmount "$root"
}

start_kvstore() {
  local i=$1
  "$bin/kvstore" --name "kv$i" --data-dir "$state/kvstore-$i" \
    --listen-client-urls "http://127.0.0.1:$((12370 + i))" --advertise-client-urls "http://127.0.0.1:$((12370 + i))" \
    --listen-peer-urls "http://127.0.0.1:$((12380 + i))" --initial-advertise-peer-urls "http://127.0.0.1:$((12380 + i))" \
    --initial-cluster "$cluster" --listen-metrics-urls "http://127.0.0.1:$((12390 + i))" \
    >"$state/kvstore-$i.log" 2>&1 &
  echo $! >"$state/kvstore-$i.pid"
}

start_apiserver() {
  # Bound to the host end of the node's veth pair: kubectl on this host and the kubelet inside
  # the node's namespace both reach it there, and nothing outside this machine can.
  "$bin/apiserver" --etcd-servers "$endpoints" --secure-port "$port" --bind-address "$host_ip" \
    --cert-dir "$state/apiserver" >"$state/apiserver.log" 2>&1 &
  echo $! >"$state/apiserver.pid"
  for _ in $(seq 100); do
    [ -s "$state/apiserver/apiserver.crt" ] && curl -sf --cacert "$state/apiserver/apiserver.crt" "https://$host_ip:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
}

start_scheduler() {
  "$bin/scheduler" --kubeconfig "$state/kubeconfig" --port 10259 >"$state/scheduler.log" 2>&1 &
  echo $! >"$state/scheduler.pid"
}

start_controller_manager() {
  "$bin/controller-manager" --kubeconfig "$state/kubeconfig" --secure-port 10257 \
    --root-ca-file "$state/apiserver/apiserver.crt" --allocate-node-cidrs true --cluster-cidr 10.244.0.0/16 \
    --service-cluster-ip-range 10.96.0.0/12 >"$state/controller-manager.log" 2>&1 &
  echo $! >"$state/controller-manager.pid"
}

start_registry() {
  node_build_images "$state/images"
  node_start_registry "$root/registry" "$registry" "$root/images" >"$state/registry.pid"
}

start_containerd() {
  node_start_containerd "$root/containerd" "$netns" "$registry" >"$state/containerd.pid"
}

start_kubelet() {
  nsenter --net="/run/netns/$netns" "$bin/kubelet" --kubeconfig "$state/kubeconfig" \
    --container-runtime-endpoint "unix://$root/containerd/containerd.sock" --root-dir "$root/kubelet" \
    --pod-logs-dir "$root/pod-logs" --hostname-override "$node" --node-ip "$node_ip" --healthz-port 10248 \
    >"$state/kubelet.log" 2>&1 &
  echo $! >"$state/kubelet.pid"
}

write_kubeconfig() {
  local ca
  ca=$(base64 -w0 <"$state/apiserver/apiserver.crt")
  cat >"$state/kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: skiff
  cluster:
    server: https://$host_ip:$port
    certificate-authority-data: $ca
users:
- name: skiff-admin
  user: {token: skiff-local-admin}
contexts:
- name: skiff
  context: {cluster: skiff, user: skiff-admin}
current-context: skiff
KUBECONFIG
}

case "${1:-}" in
stop)
  stop
  node_delete_netns "$netns"
  echo "local-cluster: stopped"
  exit 0
  ;;
restart)
  name=${2:?usage: scripts/local-cluster.sh restart NAME}
  [ "$name" = containerd ] && stop_pods
  stop_one "$name"
  case "$name" in
  kvstore-[123]) start_kvstore "${name#kvstore-}" ;;
  apiserver) start_apiserver ;;
  scheduler) start_scheduler ;;
  controller-manager) start_controller_manager ;;
  registry) start_registry ;;
  containerd) start_containerd ;;
  kubelet) start_kubelet ;;
  *) echo "local-cluster: unknown component $name" >&2; exit 2 ;;
  esac
  echo "local-cluster: restarted $name (pid $(cat "$state/$name.pid"))"
  exit 0
  ;;
"") ;;
*) echo "usage: scripts/local-cluster.sh [stop | restart NAME]" >&2; exit 2 ;;
esac

stop
node_netns "$netns" "$host_ip" "$node_ip"
for i in 1 2 3; do start_kvstore "$i"; done
for _ in $(seq 50); do
  ETCDCTL_API=3 etcdctl --endpoints="$endpoints" endpoint health >/dev/null 2>&1 && break
  sleep 0.2
done
start_apiserver
write_kubeconfig
start_scheduler
start_controller_manager
start_registry
start_containerd
start_kubelet
for _ in $(seq 100); do
  KUBECONFIG=$state/kubeconfig kubectl get node "$node" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null | grep -q True && break
  sleep 0.2
done

cat <<MSG
Skiff local cluster (state and logs in $state/, one <name>.pid and <name>.log per process):
  kvstore: 3 members, etcd v3 API on $endpoints
    ETCDCTL_API=3 etcdctl --endpoints=$endpoints member list
    health and metrics: curl http://127.0.0.1:12391/health  (12392, 12393 for the others)
  apiserver: https://$host_ip:$port (self-signed certificate in $state/apiserver/)
    export KUBECONFIG=$PWD/$state/kubeconfig
    kubectl get nodes
    kubectl run b --image=busybox:1.36 -- sleep 3600
  scheduler: leader-elected on kube-system/kube-scheduler; health and metrics on http://127.0.0.1:10259/metrics
  controller-manager: leader-elected on kube-system/kube-controller-manager (kubectl get lease -n kube-system);
    the workload controllers (deployment, replicaset, replicationcontroller, statefulset,
    daemonset, job, cronjob, ttl-after-finished), endpoint, endpointslice and mirroring,
    garbagecollector, namespace, nodelifecycle, nodeipam, podgc, disruption, resourcequota,
    serviceaccount, root-ca-cert-publisher and clusterrole-aggregation;
    health and metrics on http://127.0.0.1:10257/metrics
  node $node: kubelet and containerd in network namespace $netns (node IP $node_ip, pod CIDR
    from 10.244.0.0/16, no route out of the machine); images busybox:1.36 and busybox:latest
    from the local registry at $registry (docker.io and registry.k8s.io mirror to it)
    kubelet health: sudo nsenter --net=/run/netns/$netns curl http://127.0.0.1:10248/healthz
  restart one component: scripts/local-cluster.sh restart kubelet   (or apiserver, scheduler, …)
  stop with: scripts/local-cluster.sh stop
MSG
