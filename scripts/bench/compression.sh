#!/usr/bin/env bash
# Response compression figures (release build, kvstore + apiserver on loopback): PODS pods are
# created, then a LIST of all of them is fetched ROUNDS times without and with
# `Accept-Encoding: gzip` (bytes on the wire, median seconds, as curl measures them over TLS),
# and a small GET (one pod) is timed SMALL times on one keep-alive connection both ways.
# Usage: scripts/bench/compression.sh (env: PODS ROUNDS SMALL)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(swift build -c release --show-bin-path)
PODS=${PODS:-10000} ROUNDS=${ROUNDS:-5} SMALL=${SMALL:-2000}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
dir=$(mktemp -d); client=$(free_port); peer=$(free_port); api=$(free_port)
"$bin/kvstore" --name b --data-dir "$dir/store" --listen-client-urls "http://127.0.0.1:$client" \
  --advertise-client-urls "http://127.0.0.1:$client" --listen-peer-urls "http://127.0.0.1:$peer" \
  --initial-advertise-peer-urls "http://127.0.0.1:$peer" >"$dir/store.log" 2>&1 &
store_pid=$!
"$bin/apiserver" --etcd-servers "http://127.0.0.1:$client" --secure-port "$api" --cert-dir "$dir/certs" >"$dir/apiserver.log" 2>&1 &
api_pid=$!
trap 'kill $api_pid $store_pid 2>/dev/null; wait $api_pid $store_pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 150); do
  [ -s "$dir/certs/apiserver.crt" ] && curl -sf --cacert "$dir/certs/apiserver.crt" "https://127.0.0.1:$api/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
python3 scripts/bench/apiserver_load.py 127.0.0.1 "$api" "$dir/certs/apiserver.crt" "$PODS" 32 0 0 >/dev/null
url="https://127.0.0.1:$api/api/v1/namespaces/bench/pods"
list() {  # list [curl args]: "<bytes> <median seconds>"
  for _ in $(seq "$ROUNDS"); do
    curl -s -o /dev/null --cacert "$dir/certs/apiserver.crt" -w '%{size_download} %{time_total}\n' "$@" "$url"
  done | sort -k2 -n | awk -v n="$ROUNDS" 'NR == int((n + 1) / 2) {print $1, $2}'
}
read -r plain_bytes plain_s <<<"$(list)"
read -r gzip_bytes gzip_s <<<"$(list -H 'Accept-Encoding: gzip')"
small=$(python3 - "$api" "$dir/certs/apiserver.crt" "$SMALL" <<'PY'
import http.client, ssl, statistics, sys, time
port, cafile, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
name = None
def median_us(headers):
    global name
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=ssl.create_default_context(cafile=cafile))
    if name is None:
        connection.request("GET", "/api/v1/namespaces/bench/pods?limit=1")
        import json
        name = json.loads(connection.getresponse().read())["items"][0]["metadata"]["name"]
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        connection.request("GET", f"/api/v1/namespaces/bench/pods/{name}", headers=headers)
        response = connection.getresponse()
        response.read()
        assert response.getheader("Content-Encoding") is None
        samples.append((time.perf_counter() - started) * 1e6)
    return statistics.median(samples)
print(f"{median_us({}):.0f} {median_us({'Accept-Encoding': 'gzip'}):.0f}")
PY
)
read -r small_plain small_gzip <<<"$small"
printf 'LIST of %d pods:   identity %s bytes in %s s; gzip %s bytes in %s s (%.1fx smaller)\n' \
  "$PODS" "$plain_bytes" "$plain_s" "$gzip_bytes" "$gzip_s" "$(echo "$plain_bytes / $gzip_bytes" | bc -l)"
printf 'GET of one pod (median of %d): %s us without Accept-Encoding, %s us with gzip accepted (not compressed: under 128 KiB)\n' \
  "$SMALL" "$small_plain" "$small_gzip"
