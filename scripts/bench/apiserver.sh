#!/usr/bin/env bash
# apiserver benchmark (release builds): for each store (the kvstore, then real etcd), start it
# and the apiserver on loopback, create PODS pods with CONCURRENCY clients, get and list them,
# then hold WATCHERS watches while UPDATES updates run at UPDATE_RATE per second (0: as fast as
# possible) with `skiff bench watch-load`; print figures side by side with the peak RSS of each
# process.
# Usage: scripts/bench/apiserver.sh (env: PODS CONCURRENCY WATCHERS UPDATES UPDATE_RATE STORES,
# APISERVER: another apiserver binary, to compare two builds)
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product skiff >/dev/null
bin=$(swift build -c release --show-bin-path)
PODS=${PODS:-10000} CONCURRENCY=${CONCURRENCY:-32} WATCHERS=${WATCHERS:-500} UPDATES=${UPDATES:-1000}
UPDATE_RATE=${UPDATE_RATE:-100}
STORES=${STORES:-"kvstore etcd"}
ulimit -n 65536 2>/dev/null || true
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
peak_kib() { awk '/VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
results=()
for store in $STORES; do
  dir=$(mktemp -d); client=$(free_port); peer=$(free_port); api=$(free_port)
  if [ "$store" = etcd ]; then
    GRPC_GO_LOG_VERBOSITY_LEVEL=99 GRPC_GO_LOG_SEVERITY_LEVEL=info etcd --name b --data-dir "$dir/store" --listen-client-urls "http://127.0.0.1:$client" \
      --advertise-client-urls "http://127.0.0.1:$client" --listen-peer-urls "http://127.0.0.1:$peer" \
      --initial-advertise-peer-urls "http://127.0.0.1:$peer" --initial-cluster "b=http://127.0.0.1:$peer" \
      --quota-backend-bytes=8589934592 >"$dir/store.log" 2>&1 &
  else
    "$bin/kvstore" --name b --data-dir "$dir/store" --listen-client-urls "http://127.0.0.1:$client" \
      --advertise-client-urls "http://127.0.0.1:$client" --listen-peer-urls "http://127.0.0.1:$peer" \
      --initial-advertise-peer-urls "http://127.0.0.1:$peer" >"$dir/store.log" 2>&1 &
  fi
  store_pid=$!
  "${APISERVER:-$bin/apiserver}" --etcd-servers "http://127.0.0.1:$client" --secure-port "$api" --cert-dir "$dir/certs" >"$dir/apiserver.log" 2>&1 &
  api_pid=$!
  for _ in $(seq 150); do
    [ -s "$dir/certs/apiserver.crt" ] && curl -sf --cacert "$dir/certs/apiserver.crt" "https://127.0.0.1:$api/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  figures=$(python3 scripts/bench/apiserver_load.py 127.0.0.1 "$api" "$dir/certs/apiserver.crt" "$PODS" "$CONCURRENCY" 0 0)
  watch_figures=$("$bin/skiff" bench watch-load --port "$api" --cacert "$dir/certs/apiserver.crt" --namespace bench \
    --pods "$PODS" --watchers "$WATCHERS" --updates "$UPDATES" --rate "$UPDATE_RATE")
  figures=$(python3 -c 'import json, sys; a = json.loads(sys.argv[1]); a.update(json.loads(sys.argv[2])); print(json.dumps(a))' "$figures" "$watch_figures")
  results+=("$store $(peak_kib "$api_pid") $(peak_kib "$store_pid") $figures")
  kill "$api_pid" "$store_pid" 2>/dev/null; wait "$api_pid" "$store_pid" 2>/dev/null || true
  if [ "${KEEP_LOGS:-0}" = 1 ]; then echo "logs in $dir" >&2; else rm -rf "$dir"; fi
done
printf '%s\n' "${results[@]}" | python3 -c '
import json, sys
rows = []
for line in sys.stdin:
    store, api_kib, store_kib, figures = line.split(" ", 3)
    f = json.loads(figures); f["apiserver_rss_mib"] = int(api_kib) / 1024; f["store_rss_mib"] = int(store_kib) / 1024
    rows.append((store, f))
keys = ["creates", "create_errors", "create_per_s", "create_p50_ms", "create_p99_ms", "get_p50_ms", "get_p99_ms",
        "listed", "list_ms", "updates", "update_rate_asked", "update_per_s", "update_p50_ms", "update_p99_ms", "watchers", "watch_events",
        "watch_delay_p50_ms", "watch_delay_p99_ms", "apiserver_rss_mib", "store_rss_mib"]
print("| figure | " + " | ".join("apiserver on " + s for s, _ in rows) + (" | kvstore/etcd |" if len(rows) == 2 else " |"))
print("|---" * (len(rows) + 1 + (len(rows) == 2)) + "|")
for k in keys:
    vals = [f.get(k, 0) for _, f in rows]
    cells = [f"{v:,.1f}" if isinstance(v, float) else f"{v:,}" for v in vals]
    ratio = f" | {vals[0] / vals[1]:.2f}" if len(rows) == 2 and vals[1] else (" | -" if len(rows) == 2 else "")
    print(f"| {k} | " + " | ".join(cells) + ratio + " |")
'
