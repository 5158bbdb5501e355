#!/usr/bin/env bash
# Brings up the local cluster from this checkout's build, keeping its state under .skiff/:
# today a 3-member kvstore on loopback (the apiserver, and with it a kubeconfig, come next).
# Members keep running in the background; `scripts/local-cluster.sh stop` stops them.
set -euo pipefail
cd "$(dirname "$0")/.."
state=.skiff
mkdir -p "$state"
bin=$(swift build --show-bin-path)

stop() {
  for f in "$state"/kvstore-*.pid; do
    [ -e "$f" ] || continue
    kill "$(cat "$f")" 2>/dev/null || true
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

cat <<MSG
Skiff local cluster (state and logs in $state/):
  kvstore: 3 members, etcd v3 API on $endpoints
    ETCDCTL_API=3 etcdctl --endpoints=$endpoints member list
    health and metrics: curl http://127.0.0.1:12391/health  (12392, 12393 for the others)
  stop with: scripts/local-cluster.sh stop

The apiserver is not built yet, so there is no kubeconfig to point kubectl at; once it lands,
this command starts it too and writes $state/kubeconfig (export KUBECONFIG=$PWD/$state/kubeconfig).
MSG
