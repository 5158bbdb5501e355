#!/usr/bin/env bash
# The apiserver reaches etcd over TLS with a client certificate (--etcd-servers https://…
# --etcd-cafile --etcd-certfile --etcd-keyfile), as kube-apiserver does; https:// is never
# downgraded to plain text, and TLS files with http:// endpoints are refused at start.
# Real etcd (Debian's etcd-server) serves TLS here: the kvstore's own TLS arrives with the
# security issue. Prints "N passed, N failed"; KEEP_LOGS=1 keeps the temp dir.
set -uo pipefail
cd "$(dirname "$0")/../.."
bindir=${SKIFF_BIN:-$(swift build --show-bin-path)}
source scripts/test/lib/checks.sh
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
dir=$(mktemp -d); pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "${KEEP_LOGS:-0}" = 1 ]; then echo "logs in $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
pki() {  # a CA, a serving certificate for 127.0.0.1 and a client certificate, all signed by the CA
  cd "$dir" || return
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=etcd-ca -keyout ca.key -out ca.crt
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=etcd -keyout server.key -out server.csr
  printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' >server.ext
  openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext -out server.crt
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=apiserver-etcd-client -keyout client.key -out client.csr
  printf 'extendedKeyUsage=clientAuth\n' >client.ext
  openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile client.ext -out client.crt
}
(pki) >"$dir/pki.log" 2>&1 || { echo "apiserver-etcd-tls: openssl failed"; cat "$dir/pki.log"; exit 1; }
client=$(free_port); peer=$(free_port)
etcd --name tls --data-dir "$dir/etcd" --listen-client-urls "https://127.0.0.1:$client" \
  --advertise-client-urls "https://127.0.0.1:$client" --listen-peer-urls "http://127.0.0.1:$peer" \
  --initial-advertise-peer-urls "http://127.0.0.1:$peer" --initial-cluster "tls=http://127.0.0.1:$peer" \
  --cert-file "$dir/server.crt" --key-file "$dir/server.key" --client-cert-auth --trusted-ca-file "$dir/ca.crt" \
  >"$dir/etcd.log" 2>&1 &
pids+=($!)
start_apiserver() {  # start_apiserver PORT LOG FLAGS… → pid in $api_pid
  local port=$1 log=$2; shift 2
  "$bindir/apiserver" --etcd-servers "https://127.0.0.1:$client" --secure-port "$port" --cert-dir "$dir/certs-$port" "$@" \
    >"$dir/$log" 2>&1 &
  api_pid=$!; pids+=("$api_pid")
}
ready() {  # ready PORT → the body of /readyz?verbose once it answers, or what it said last
  local out=""
  for _ in $(seq 100); do
    out=$(curl -s --cacert "$dir/certs-$1/apiserver.crt" "https://127.0.0.1:$1/readyz?verbose" 2>&1) && grep -q "check passed" <<<"$out" && break
    sleep 0.2
  done
  echo "$out"
}

api=$(free_port)
start_apiserver "$api" apiserver.log --etcd-cafile "$dir/ca.crt" --etcd-certfile "$dir/client.crt" --etcd-keyfile "$dir/client.key"
contains tls-ready "[+]etcd ok" "$(ready "$api")"
cat >"$dir/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters: [{name: t, cluster: {server: "https://127.0.0.1:$api", certificate-authority: "$dir/certs-$api/apiserver.crt"}}]
users: [{name: t, user: {token: skiff-local-admin}}]
contexts: [{name: t, context: {cluster: t, user: t}}]
current-context: t
KC
k() { kubectl --kubeconfig "$dir/kubeconfig" --request-timeout=10s "$@" 2>&1; }
check tls-create "configmap/over-tls created" "$(k create configmap over-tls --from-literal=a=b)"
check tls-read "b" "$(k get configmap over-tls -o jsonpath='{.data.a}')"
check tls-in-etcd true "$(ETCDCTL_API=3 etcdctl --endpoints "https://127.0.0.1:$client" --cacert "$dir/ca.crt" --cert "$dir/client.crt" --key "$dir/client.key" \
  get /registry/configmaps/default/over-tls --keys-only 2>&1 | grep -q over-tls && echo true)"

# No client certificate: etcd refuses the handshake, the apiserver is not ready (no plain-text fallback).
bare=$(free_port)
start_apiserver "$bare" bare.log --etcd-cafile "$dir/ca.crt"
for _ in $(seq 50); do grep -q "store is unavailable" "$dir/bare.log" && break; sleep 0.2; done
contains no-client-cert-logged "WARNING apiserver: bootstrap: the store is unavailable; retrying" "$(cat "$dir/bare.log")"
check no-client-cert-not-serving "000" "$(curl -s -o /dev/null -w '%{http_code}' -k "https://127.0.0.1:$bare/readyz")"

# TLS files with an http:// endpoint: refused at start with the reason.
out=$("$bindir/apiserver" --etcd-servers "http://127.0.0.1:$client" --secure-port 0 --etcd-cafile "$dir/ca.crt" 2>&1); status=$?
check http-with-tls-files-exit 64 "$status"
contains http-with-tls-files-message "need https:// endpoints" "$out"
out=$("$bindir/apiserver" --etcd-servers "https://127.0.0.1:$client,http://127.0.0.1:$peer" --secure-port 0 2>&1)
contains mixed-schemes-refused "mixes https:// and plain endpoints" "$out"

echo "apiserver-etcd-tls: $passed passed, $failed failed"
[ "$failed" = 0 ]
