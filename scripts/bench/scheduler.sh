#!/usr/bin/env bash
# Scheduler benchmark (release builds, whole control plane on this machine), shaped like
# scheduler_perf's SchedulingBasic 5000Nodes_10000Pods: kvstore + apiserver + scheduler on
# loopback; `skiff bench scheduler-load` creates NODES nodes, then PODS pods (100m cpu, 500Mi)
# from CONCURRENCY clients and watches them until bound. Prints pods scheduled per second over
# the measured phase (first pod created → last pod bound), per-second samples, create→bound
# latency p50/p99, the scheduler's own attempt latency p99 (from its /metrics), and the peak RSS
# of every process, against Kubernetes' published floor (680 pods/s).
# MODE=streaming (default): the scheduler runs while pods are created, so the figure is bounded
# by how fast the apiserver takes creates on this machine; MODE=backlog: pods are created first
# and the scheduler started after, measuring the scheduler alone (first bind → last bind).
# Usage: scripts/bench/scheduler.sh (env: NODES PODS CONCURRENCY MODE KEEP_LOGS)
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product kvstore >/dev/null && swift build -c release --product apiserver >/dev/null
swift build -c release --product scheduler >/dev/null && swift build -c release --product skiff >/dev/null
bin=$(swift build -c release --show-bin-path)
NODES=${NODES:-5000} PODS=${PODS:-10000} CONCURRENCY=${CONCURRENCY:-32} MODE=${MODE:-streaming}
ulimit -n 65536 2>/dev/null || true
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
peak_kib() { awk '/VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
dir=$(mktemp -d); client=$(free_port); peer=$(free_port); api=$(free_port); health=$(free_port)
pids=()
cleanup() {
  # Kill every process before waiting: under `set -e` a failing wait must not leave the others running.
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "${KEEP_LOGS:-0}" = 1 ]; then echo "logs in $dir" >&2; else rm -rf "$dir"; fi
}
trap cleanup EXIT
"$bin/kvstore" --name b --data-dir "$dir/store" --listen-client-urls "http://127.0.0.1:$client" \
  --advertise-client-urls "http://127.0.0.1:$client" --listen-peer-urls "http://127.0.0.1:$peer" \
  --initial-advertise-peer-urls "http://127.0.0.1:$peer" --quota-backend-bytes 8589934592 >"$dir/store.log" 2>&1 &
store_pid=$!; pids+=($store_pid)
"$bin/apiserver" --etcd-servers "http://127.0.0.1:$client" --secure-port "$api" --cert-dir "$dir/certs" >"$dir/apiserver.log" 2>&1 &
api_pid=$!; pids+=($api_pid)
for _ in $(seq 150); do
  [ -s "$dir/certs/apiserver.crt" ] && curl -sf --cacert "$dir/certs/apiserver.crt" "https://127.0.0.1:$api/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
cat >"$dir/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters: [{name: b, cluster: {server: "https://127.0.0.1:$api", certificate-authority-data: "$(base64 -w0 <"$dir/certs/apiserver.crt")"}}]
users: [{name: b, user: {token: skiff-local-admin}}]
contexts: [{name: b, context: {cluster: b, user: b}}]
current-context: b
KC
start_scheduler() {
  "$bin/scheduler" --kubeconfig "$dir/kubeconfig" --port "$health" >"$dir/scheduler.log" 2>&1 &
  sched_pid=$!; pids+=($sched_pid)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$health/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
}
load() {  # load RSS-FILE ARGS…: the load client, its peak RSS (KiB) written to RSS-FILE
  local rss=$1; shift
  /usr/bin/time -f "%M" -o "$rss" "$bin/skiff" bench scheduler-load --kubeconfig "$dir/kubeconfig" --nodes "$NODES" \
    --pods "$PODS" --concurrency "$CONCURRENCY" "$@"
}
if [ "$MODE" = backlog ]; then
  # Pods first, scheduler after: the measured phase (first bind → last bind) is the scheduler
  # draining a backlog, as scheduler_perf measures it, not the apiserver's create rate.
  load "$dir/load.rss" --phase create >"$dir/created.json"
  load "$dir/measure.rss" --phase measure >"$dir/figures.json" &
  measure_pid=$!
  sleep 2   # let the measuring watch start before the scheduler does
  start_scheduler
  wait "$measure_pid"
  python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); b.update({k: a[k] for k in ("nodes", "nodes_per_s", "pod_creates_per_s")}); json.dump(b, open(sys.argv[2], "w"))' "$dir/created.json" "$dir/figures.json"
else
  start_scheduler
  load "$dir/load.rss" >"$dir/figures.json"
fi
curl -sf "http://127.0.0.1:$health/metrics" >"$dir/metrics.txt" || true
python3 - "$dir/figures.json" "$dir/metrics.txt" "$(peak_kib $store_pid)" "$(peak_kib $api_pid)" "$(peak_kib $sched_pid)" "$(cat "$dir/load.rss")" "$MODE" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
metrics = open(sys.argv[2]).read().splitlines()
def p99(name):
    buckets, total = [], 0
    for line in metrics:
        if line.startswith(name + "_bucket") and 'result="scheduled"' in line:
            le = line.split(',le="')[1].split('"')[0]
            buckets.append((float("inf") if le == "+Inf" else float(le), float(line.rsplit(" ", 1)[1])))
    if not buckets: return 0.0
    total = buckets[-1][1]
    for le, count in buckets:
        if count >= 0.99 * total: return le * 1000
    return 0.0
rows = [
    ("nodes created", f"{f['nodes']:,.0f} ({f['nodes_per_s']:,.0f}/s)"),
    ("pods created", f"{f['pods']:,.0f} ({f['pod_creates_per_s']:,.0f}/s)"),
    ("pods bound", f"{f['pods_bound']:,.0f}"),
    ("**pods scheduled per second**", f"**{f['scheduled_per_s']:,.0f}** (Kubernetes floor 680: ratio {f['scheduled_per_s'] / 680:.2f})"),
    ("per-second samples: average / minimum", f"{f['throughput_sample_avg']:,.0f} / {f['throughput_sample_min']:,.0f}"),
    ("measured phase (" + sys.argv[7] + ")", f"{f['measured_seconds']:.1f} s"),
    ("create → bound p50 / p99", f"{f['create_to_bound_p50_ms']:,.0f} ms / {f['create_to_bound_p99_ms']:,.0f} ms"),
    ("scheduling attempt p99 (scheduler metric, bucket bound)", f"≤ {p99('scheduler_scheduling_attempt_duration_seconds'):,.1f} ms"),
    ("peak RSS kvstore / apiserver / scheduler / load client", " / ".join(f"{int(x) / 1024:,.0f} MiB" for x in sys.argv[3:7])),
]
print("| figure | value |\n|---|---|")
for k, v in rows: print(f"| {k} | {v} |")
PY
