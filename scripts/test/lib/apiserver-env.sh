# Sourced by the apiserver tests: starts a store (kvstore, or real etcd with STORE=etcd) and
# the apiserver (HTTPS, self-signed certificate) on random loopback ports in a temp dir, writes
# $dir/kubeconfig and exports KUBECONFIG; stops both by PID on exit (KEEP_LOGS=1 keeps $dir).
# APISERVER_BIND (default 127.0.0.1) is the address the apiserver listens on and the kubeconfig
# names; the kubelet tests set it to the host end of their node's veth pair.
bindir=${SKIFF_BIN:-$(swift build --show-bin-path)}
STORE=${STORE:-kvstore}
command -v kubectl >/dev/null || { echo "apiserver-kubectl: kubectl not found"; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
client=$(free_port); peer=$(free_port); api=$(free_port)
dir=$(mktemp -d)
pids=()
cleanup() {
  # Kill every process before waiting: under `set -e` a failing wait must not leave the others running.
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "${KEEP_LOGS:-0}" = 1 ]; then echo "logs in $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
if [ "$STORE" = etcd ]; then
  etcd --name itest --data-dir "$dir/store" --listen-client-urls "http://127.0.0.1:$client" \
    --advertise-client-urls "http://127.0.0.1:$client" --listen-peer-urls "http://127.0.0.1:$peer" \
    --initial-advertise-peer-urls "http://127.0.0.1:$peer" --initial-cluster "itest=http://127.0.0.1:$peer" \
    >"$dir/store.log" 2>&1 &
else
  "$bindir/kvstore" --name itest --data-dir "$dir/store" --listen-client-urls "http://127.0.0.1:$client" \
    --advertise-client-urls "http://127.0.0.1:$client" --listen-peer-urls "http://127.0.0.1:$peer" \
    --initial-advertise-peer-urls "http://127.0.0.1:$peer" >"$dir/store.log" 2>&1 &
fi
pids+=($!)
bind=${APISERVER_BIND:-127.0.0.1}
"$bindir/apiserver" --etcd-servers "http://127.0.0.1:$client" --secure-port "$api" --bind-address "$bind" --cert-dir "$dir/certs" \
  >"$dir/apiserver.log" 2>&1 &
pids+=($!)
for _ in $(seq 150); do
  [ -s "$dir/certs/apiserver.crt" ] && curl -m 5 -sf --cacert "$dir/certs/apiserver.crt" "https://$bind:$api/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
cat >"$dir/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: t
  cluster: {server: "https://$bind:$api", certificate-authority-data: "$(base64 -w0 <"$dir/certs/apiserver.crt")"}
users:
- name: t
  user: {token: skiff-local-admin}
contexts:
- name: t
  context: {cluster: t, user: t}
current-context: t
KC
export KUBECONFIG="$dir/kubeconfig"
