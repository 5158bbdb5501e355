#!/usr/bin/env bash
# controller-manager benchmark (release builds): kvstore + apiserver + controller-manager on
# loopback, driven by scripts/bench/controllers_load.py (REPLICAS pods in one ReplicaSet,
# created then deleted; a DEPLOYMENT_REPLICAS Deployment rolled out with a stand-in kubelet;
# SETS ReplicaSets holding REPLICAS pods in all). Prints the figures and the controller-manager's
# peak RSS, RSS with the SETS ReplicaSets settled, and its CPU use over IDLE seconds after that.
# Usage: scripts/bench/controllers.sh (env: REPLICAS DEPLOYMENT_REPLICAS SETS IDLE; BIG=0 skips the
# one-ReplicaSet phase; CONTROLLERS is passed to --controllers)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${SKIFF_BIN:-$(swift build -c release --show-bin-path)}
REPLICAS=${REPLICAS:-10000} DEPLOYMENT_REPLICAS=${DEPLOYMENT_REPLICAS:-1000} SETS=${SETS:-1000} IDLE=${IDLE:-10}
ulimit -n 65536 2>/dev/null || true
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
dir=$(mktemp -d); client=$(free_port); peer=$(free_port); api=$(free_port)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "${KEEP_LOGS:-0}" = 1 ]; then echo "logs in $dir" >&2; else rm -rf "$dir"; fi
}
trap cleanup EXIT
"$bin/kvstore" --name b --data-dir "$dir/store" --listen-client-urls "http://127.0.0.1:$client" \
  --advertise-client-urls "http://127.0.0.1:$client" --listen-peer-urls "http://127.0.0.1:$peer" \
  --initial-advertise-peer-urls "http://127.0.0.1:$peer" >"$dir/store.log" 2>&1 &
pids+=($!)
"$bin/apiserver" --etcd-servers "http://127.0.0.1:$client" --secure-port "$api" --cert-dir "$dir/certs" >"$dir/apiserver.log" 2>&1 &
pids+=($!)
for _ in $(seq 150); do
  [ -s "$dir/certs/apiserver.crt" ] && curl -sf --cacert "$dir/certs/apiserver.crt" "https://127.0.0.1:$api/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
cat >"$dir/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters: [{name: b, cluster: {server: "https://127.0.0.1:$api", certificate-authority-data: "$(base64 -w0 <"$dir/certs/apiserver.crt")"}}]
users: [{name: b, user: {token: bench}}]
contexts: [{name: b, context: {cluster: b, user: b}}]
current-context: b
KC
"$bin/controller-manager" --kubeconfig "$dir/kubeconfig" --secure-port "$(free_port)" --leader-elect=false \
  --concurrent-replicaset-syncs 5 --kube-api-qps 100000 --kube-api-burst 100000 --controllers "${CONTROLLERS:-*}" >"$dir/controller-manager.log" 2>&1 &
cm=$!; pids+=($cm)
sleep 1
figures=$(python3 scripts/bench/controllers_load.py 127.0.0.1 "$api" "$dir/certs/apiserver.crt" "$REPLICAS" "$DEPLOYMENT_REPLICAS" "$SETS" "${BIG:-1}")
sleep 5
rss_settled=$(awk '/VmRSS/ {print $2}' "/proc/$cm/status")
ticks() { awk '{print $14 + $15}' "/proc/$cm/stat"; }
t0=$(ticks); if [ -n "${PERF:-}" ]; then perf record ${PERF_EVENTS:-} -g -p "$cm" -o "$PERF" -- sleep "$IDLE" >/dev/null 2>&1; else sleep "$IDLE"; fi; t1=$(ticks)
peak=$(awk '/VmHWM/ {print $2}' "/proc/$cm/status")
python3 -c '
import json, os, sys
f = json.loads(sys.argv[1])
hz = os.sysconf("SC_CLK_TCK")
f["cm_rss_settled_mib"] = round(int(sys.argv[2]) / 1024, 1)
f["cm_peak_rss_mib"] = round(int(sys.argv[3]) / 1024, 1)
f["cm_idle_cpu_percent"] = round(100 * (int(sys.argv[5]) - int(sys.argv[4])) / hz / int(sys.argv[6]), 2)
print("| figure | value |")
print("|---|---|")
for k, v in f.items():
    print(f"| {k} | {v} |")
' "$figures" "$rss_settled" "$peak" "$t0" "$t1" "$IDLE"
