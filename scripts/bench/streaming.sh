#!/usr/bin/env bash
# make bench-streaming: kubectl's streaming verbs through apiserver → kubelet → containerd on
# one node, release build, one run.
#  1. port-forward throughput: a SIZE MiB (1024) file served by busybox httpd from a memory
#     emptyDir, fetched by curl through `kubectl port-forward`, against the same file fetched
#     directly over the node's pod network (the tunnel's cost over the same source), and a
#     plain loopback TCP copy on this box (the ceiling).
#  2. `kubectl exec -- true` round trip, RUNS (100) times: p50/p99.
#  3. `kubectl logs -f` delay: from the runtime's timestamp on a line to the client reading
#     it, over LINES (100) lines: p50/p99 (goal p99 ≤ 100 ms).
set -uo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || exec sudo -n -E env "PATH=$PATH" "$0" "$@"
export SKIFF_BIN=${SKIFF_BIN:-.build/release}
SIZE=${SIZE:-1024} RUNS=${RUNS:-100} LINES=${LINES:-100}
source scripts/test/lib/one-node.sh
start_kubelet
wait_for 60 node_ready || { echo "node not Ready"; exit 1; }
k apply -f - >/dev/null <<Y
apiVersion: v1
kind: Pod
metadata: {name: source}
spec:
  volumes: [{name: data, emptyDir: {medium: Memory, sizeLimit: $((SIZE + 64))Mi}}]
  containers:
  - name: source
    image: "busybox:1.36"
    command: [sh, -c, "dd if=/dev/zero of=/data/blob bs=1048576 count=$SIZE 2>/dev/null && touch /data/ready && exec httpd -f -p 9000 -h /data"]
    volumeMounts: [{name: data, mountPath: /data}]
Y
k run ticker --image=busybox:1.36 -- sh -c "i=0; while [ \$i -lt $((LINES + 20)) ]; do echo tick \$i; i=\$((i+1)); sleep 0.1; done; exec sleep 3600" >/dev/null
wait_for 60 phase_is source Running
wait_for 60 phase_is ticker Running
pod_ip=$(jp source '{.status.podIP}')
source_ready() { nsenter --net="/run/netns/$netns" curl -sf -m 2 "http://$pod_ip:9000/ready" >/dev/null; }
wait_for 120 source_ready || { echo "the source pod did not start serving"; exit 1; }
# MiB/s of one fetch of URL (run inside the node's namespace when NS is set).
fetch_mib() { ${NS:+nsenter --net="/run/netns/$netns"} curl -s -o /dev/null -w '%{speed_download}' "$1" | awk '{printf "%.1f", $1 / 1048576}'; }

# Reads SIZE MiB from HOST:PORT; prints MiB/s.
read_mib() {
  python3 - "$1" "$2" "$SIZE" <<'PY'
import socket, sys, time
host, port, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) * 1024 * 1024
for attempt in range(50):
    try:
        s = socket.create_connection((host, port), timeout=30); break
    except OSError:
        time.sleep(0.2)
start = time.monotonic(); got = 0
while got < size:
    chunk = s.recv(1 << 20)
    if not chunk: break
    got += len(chunk)
elapsed = time.monotonic() - start
print(f"{got / 1048576 / elapsed:.1f}" if got >= size else f"short read: {got} bytes")
PY
}

echo "== port-forward: $SIZE MiB from a pod"
direct=$(NS=1 fetch_mib "http://$pod_ip:9000/blob")
port=$(free_port)
kubectl port-forward pod/source "$port:9000" >"$dir/port-forward.log" 2>&1 &
pf=$!; pids+=("$pf")
forwarding() { curl -sf -m 2 "http://127.0.0.1:$port/ready" >/dev/null; }
wait_for 20 forwarding
tunnel=$(fetch_mib "http://127.0.0.1:$port/blob")
kill "$pf" 2>/dev/null; wait "$pf" 2>/dev/null
loop_port=$(free_port)
python3 - "$loop_port" "$SIZE" <<'PY' &
import socket, sys
port, size = int(sys.argv[1]), int(sys.argv[2]) * 1024 * 1024
server = socket.socket(); server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port)); server.listen(1)
conn, _ = server.accept(); block = bytes(1 << 20); sent = 0
while sent < size:
    conn.sendall(block); sent += len(block)
conn.close()
PY
loop_pid=$!
loop=$(read_mib 127.0.0.1 "$loop_port")
wait "$loop_pid"
echo "plain loopback TCP: $loop MiB/s; the file fetched directly over the pod network: $direct MiB/s; through kubectl port-forward: $tunnel MiB/s"
python3 -c "import sys; l, t = float(sys.argv[1]), float(sys.argv[2]); print(f'ratio (tunnel / loopback): {t / l:.3f}')" "$loop" "$tunnel" 2>/dev/null
python3 -c "import sys; d, t = float(sys.argv[1]), float(sys.argv[2]); print(f'ratio (tunnel / direct): {t / d:.3f}')" "$direct" "$tunnel" 2>/dev/null

echo "== kubectl exec -- true, $RUNS runs"
python3 - "$RUNS" <<'PY'
import subprocess, sys, time
runs = int(sys.argv[1]); times = []
for _ in range(runs):
    start = time.monotonic()
    done = subprocess.run(["kubectl", "exec", "ticker", "--", "true"], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"kubectl exec failed: {done.stderr.strip()}")
    times.append((time.monotonic() - start) * 1000)
times.sort()
print(f"p50 {times[len(times) // 2]:.0f} ms, p99 {times[min(len(times) - 1, int(len(times) * 0.99))]:.0f} ms")
PY

echo "== kubectl logs -f delay, $LINES lines"
k delete pod ticker --grace-period=0 >/dev/null
k run ticker2 --image=busybox:1.36 -- sh -c "sleep 2; i=0; while [ \$i -lt $LINES ]; do echo tick \$i; i=\$((i+1)); sleep 0.1; done; exec sleep 3600" >/dev/null
wait_for 60 phase_is ticker2 Running
python3 - "$LINES" <<'PY'
import datetime, subprocess, sys, time
lines = int(sys.argv[1]); delays = []
proc = subprocess.Popen(["kubectl", "logs", "-f", "--timestamps", "ticker2"], stdout=subprocess.PIPE, text=True)
for line in proc.stdout:
    now = time.time()
    stamp = line.split(" ", 1)[0]
    written = datetime.datetime.strptime(stamp[:26] + "Z", "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()
    delays.append((now - written) * 1000)
    if len(delays) >= lines: break
proc.kill()
delays.sort()
print(f"p50 {delays[len(delays) // 2]:.0f} ms, p99 {delays[min(len(delays) - 1, int(len(delays) * 0.99))]:.0f} ms over {len(delays)} lines")
PY
