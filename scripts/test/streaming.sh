#!/usr/bin/env bash
# A user's day-one verbs through apiserver → kubelet → containerd, judged by the real kubectl:
# logs (--tail, --timestamps, --limit-bytes, --since-time, -f, --previous, -c), exec (exit
# codes, stdin, a terminal), cp both ways, port-forward to a busybox httpd, attach, and the
# refusals upstream gives. One node in a network namespace of its own (DESIGN.md §4); the
# port-forward's local end listens on loopback only.
# Prints "N passed, N failed"; KEEP_LOGS=1 keeps the temp dir.
set -uo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || exec sudo -n -E env "PATH=$PATH" "$0" "$@"
source scripts/test/lib/one-node.sh
cat >"$dir/kubelet.yaml" <<Y
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
containerLogMaxSize: 4Ki
containerLogMaxFiles: 3
containerLogMonitorInterval: 1s
staticPodPath: $dir/manifests
fileCheckFrequency: 1s
Y
mkdir -p "$dir/manifests"
KUBELET_CONFIG=$dir/kubelet.yaml
start_kubelet
wait_for 60 node_ready
check "node Ready" "True" "$(k get node node1 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')"
check "kubelet endpoint" "10250" "$(k get node node1 -o jsonpath='{.status.daemonEndpoints.kubeletEndpoint.Port}')"

k run talker --image=busybox:1.36 -- sh -c 'for i in 1 2 3; do echo line $i; done; echo oops >&2; exec sleep 3600' >/dev/null
k run ticker --image=busybox:1.36 -- sh -c 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done' >/dev/null
k run brief --image=busybox:1.36 --restart=Never -- sh -c 'echo first; sleep 2; echo last' >/dev/null
k run web --image=busybox:1.36 -- sh -c 'mkdir -p /www && echo hello-web >/www/index.html && exec httpd -f -p 8080 -h /www' >/dev/null
k run noimg --image=busybox:0.0-missing >/dev/null
k apply -f - >/dev/null <<'Y'
apiVersion: v1
kind: Pod
metadata: {name: duo}
spec:
  containers:
  - {name: a, image: "busybox:1.36", command: [sh, -c, "echo from-a; exec sleep 3600"]}
  - {name: b, image: "busybox:1.36", command: [sh, -c, "echo from-b; exec sleep 3600"]}
---
apiVersion: v1
kind: Pod
metadata: {name: again}
spec:
  volumes: [{name: d, emptyDir: {}}]
  containers:
  - name: again
    image: "busybox:1.36"
    volumeMounts: [{name: d, mountPath: /d}]
    command: [sh, -c, "if [ -f /d/ran ]; then echo second; exec sleep 3600; else touch /d/ran; echo first; exit 1; fi"]
Y
for pod in talker ticker web duo; do wait_for 60 phase_is "$pod" Running; done

# Logs.
# stdout and stderr are written to the log as they arrive: their relative order is the runtime's.
check "logs" "line 1 line 2 line 3 oops" "$(k logs talker | sort | tr '\n' ' ' | sed 's/ $//')"
check "--tail=2" "2" "$(k logs talker --tail=2 | wc -l)"
check "--limit-bytes=4" "4" "$(k logs talker --limit-bytes=4 | wc -c)"
check "--timestamps: RFC 3339, nine digits" "1" "$(k logs talker --timestamps | grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z line 1$')"
check "--since-time in the future: nothing" "" "$(k logs talker --since-time=2099-01-01T00:00:00Z)"
check "--since=1h: everything" "4" "$(k logs talker --since=1h | wc -l)"
check "-c picks the container" "from-b" "$(k logs duo -c b)"
contains "logs of a container not in the pod" 'container nope is not valid for pod talker' "$(k logs talker -c nope)"
pull_backoff() { [ "$(jp noimg '{.status.containerStatuses[0].state.waiting.reason}')" = ImagePullBackOff ]; }
wait_for 30 pull_backoff
contains "logs of a pod waiting for its image" 'container "noimg" in pod "noimg" is waiting to start' "$(k logs noimg)"
followed=$(timeout 3 kubectl logs -f ticker 2>&1)
check "-f streams new lines" "1" "$([ "$(echo "$followed" | grep -c tick)" -ge 8 ] && echo 1)"
check "-f ends when the container stops" "first last" "$(timeout 30 kubectl logs -f brief 2>&1 | tr '\n' ' ' | sed 's/ $//')"
restarted() { [ "$(jp again '{.status.containerStatuses[0].restartCount}')" -ge 1 ] && phase_is again Running && [ -n "$(jp again '{.status.containerStatuses[0].state.running}')" ]; }
wait_for 60 restarted
check "logs after a restart" "second" "$(k logs again)"
check "--previous" "first" "$(k logs again --previous)"
contains "--previous with no earlier run" 'previous terminated container "talker" in pod "talker" not found' "$(k logs talker --previous)"

# Rotation: a log over containerLogMaxSize is renamed aside and reopened; at most
# containerLogMaxFiles files are kept; kubectl logs reads the live one.
k run chatty --image=busybox:1.36 -- sh -c 'i=0; while true; do echo "chatty line $i padded to make the log grow quickly"; i=$((i+1)); sleep 0.01; done' >/dev/null
wait_for 60 phase_is chatty Running
logdir=$(ls -d "$dir"/pod-logs/default_chatty_*/chatty)
rotated() { [ "$(ls "$logdir" | grep -c '^0\.log\.')" -ge 2 ]; }
wait_for 30 rotated
check "rotated files kept beside the live log" "3" "$(ls "$logdir" | wc -l)"
contains "logs after rotation: the live file" "chatty line" "$(k logs chatty --tail=1)"
k delete pod chatty --grace-period=0 >/dev/null

# Exec.
check "exec" "hi" "$(k exec talker -- echo hi)"
out=$(kubectl exec talker -- sh -c 'echo to-err >&2; exit 3' 2>&1); status=$?
check "exec exit code" "3" "$status"
contains "exec: kubectl names the exit code" "command terminated with exit code 3" "$out"
contains "exec: stderr comes back" "to-err" "$out"
check "exec -i: stdin, then its end" "hello stdin" "$(echo 'hello stdin' | timeout 20 kubectl exec -i talker -- cat 2>&1)"
contains "exec -it: a terminal" "/dev/pts/" "$(timeout 20 script -qec "kubectl exec -it talker -- tty" /dev/null 2>&1)"
check "exec -c" "from-b-exec" "$(k exec duo -c b -- echo from-b-exec)"
contains "exec into a missing container" 'container nope is not valid for pod talker' "$(k exec talker -c nope -- true)"
contains "exec with a missing command: the runtime's message" '"/no/such/thing": stat /no/such/thing: no such file or directory' "$(k exec talker -- /no/such/thing)"

# cp both ways (tar through exec).
head -c 100000 /dev/urandom >"$dir/blob"
k cp "$dir/blob" talker:/tmp/blob >/dev/null
check "cp into the pod" "$(md5sum <"$dir/blob" | cut -d' ' -f1)" "$(k exec talker -- md5sum /tmp/blob | cut -d' ' -f1)"
out=$(k cp talker:/tmp/blob "$dir/back")
contains "cp out: tar's note" "removing leading" "$out"
check "cp out of the pod" "$(md5sum <"$dir/blob" | cut -d' ' -f1)" "$(md5sum <"$dir/back" | cut -d' ' -f1)"

# Port-forward: an HTTP request through the tunnel. A connection to a closed port gets the
# runtime's error on its own stream; kubectl 1.32 then ends the whole session itself ("lost
# connection to pod", upstream client-go's portforward), so a fresh session must work.
p1=$(free_port) p2=$(free_port)
forward() { kubectl port-forward pod/web "$p1:8080" "$p2:8081" >"$dir/port-forward.log" 2>&1 & pf=$!; pids+=("$pf"); }
forwarding() { curl -sf -m 3 "http://127.0.0.1:$p1/" >/dev/null; }
forward
wait_for 20 forwarding
check "port-forward carries HTTP" "hello-web" "$(curl -s -m 5 "http://127.0.0.1:$p1/")"
check "a closed port fails" "" "$(curl -s -m 5 "http://127.0.0.1:$p2/")"
wait_for 10 grep -q "connection refused" "$dir/port-forward.log"
contains "with the runtime's error on that stream" "an error occurred forwarding $p2 -> 8081" "$(cat "$dir/port-forward.log")"
kill "$pf" 2>/dev/null; wait "$pf" 2>/dev/null
forward
wait_for 20 forwarding
check "a new session forwards again" "hello-web" "$(curl -s -m 5 "http://127.0.0.1:$p1/")"
kill "$pf" 2>/dev/null; wait "$pf" 2>/dev/null

# kubectl top: metrics.k8s.io from the kubelets' /stats/summary; a CPU burner shows.
k run burner --image=busybox:1.36 -- sh -c 'while true; do :; done' >/dev/null
wait_for 60 phase_is burner Running
burning() { [ "$(k top pod burner --no-headers | awk '{print $2}' | tr -d m)" -ge 200 ]; }
wait_for 30 burning
check "top pod: the burner uses CPU (≥200m)" "1" "$(burning && echo 1)"
contains "top pod --containers" "burner" "$(k top pod burner --containers --no-headers)"
node_busy() { [ "$(k top node node1 --no-headers | awk '{print $2}' | tr -d m)" -ge 200 ]; }
wait_for 30 node_busy
check "top node: non-zero CPU and memory" "1" "$(node_busy && [ "$(k top node node1 --no-headers | awk '{print $4}' | tr -d Mi)" -gt 0 ] && echo 1)"
contains "kubelet /metrics/resource" "container_cpu_usage_seconds_total{container=\"burner\"" "$(nsenter --net="/run/netns/$netns" curl -sk https://127.0.0.1:10250/metrics/resource)"
k delete pod burner --grace-period=0 >/dev/null
contains "nodes/proxy reaches the kubelet" '"nodeName":"node1"' "$(k get --raw /api/v1/nodes/node1/proxy/stats/summary)"
contains "nodes/proxy: the kubelet's 404 passes through" "(NotFound)" "$(k get --raw /api/v1/nodes/node1/proxy/nothing-here)"

# Static pods: a manifest runs without the apiserver's say and shows as a mirror pod; deleting
# the mirror does not touch the pod (the mirror comes back); removing the manifest stops it.
cat >"$dir/manifests/static-web.yaml" <<'Y'
apiVersion: v1
kind: Pod
metadata: {name: static-web, labels: {app: static}}
spec:
  containers:
  - {name: web, image: "busybox:1.36", command: [sh, -c, "echo static-hello; exec sleep 3601"]}
Y
touch "$dir/manifests/.hidden.yaml" "$dir/manifests/notes.txt"
wait_for 60 phase_is static-web-node1 Running
check "static pod: its mirror runs" "Running" "$(jp static-web-node1 '{.status.phase}')"
contains "the mirror is marked and owned by the Node" "Node node1" "$(jp static-web-node1 '{.metadata.annotations.kubernetes\.io/config\.mirror} {.metadata.ownerReferences[0].kind} {.metadata.ownerReferences[0].name}')"
check "logs of a static pod" "static-hello" "$(k logs static-web-node1)"
first=$(jp static-web-node1 '{.metadata.uid} {.status.containerStatuses[0].containerID}')
k delete pod static-web-node1 --wait=false >/dev/null
recreated() { [ "$(jp static-web-node1 '{.metadata.uid}')" != "${first%% *}" ] && [ -n "$(jp static-web-node1 '{.status.containerStatuses[0].containerID}')" ]; }
wait_for 30 recreated
check "a deleted mirror comes back; the container was not touched" "${first#* } 0" "$(jp static-web-node1 '{.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount}')"
rm "$dir/manifests/static-web.yaml"
mirror_gone() { [ -z "$(k get pod static-web-node1 --ignore-not-found -o name)" ]; }
wait_for 30 mirror_gone
check "removing the manifest deletes the mirror" "" "$(k get pod static-web-node1 --ignore-not-found -o name)"
stopped() { ! pgrep -x -f "sleep 3601" >/dev/null; }
wait_for 30 stopped
check "and stops its container" "" "$(pgrep -x -f 'sleep 3601')"

# Attach: the running container's output.
contains "attach" "tick" "$(timeout 3 kubectl attach ticker 2>&1)"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
