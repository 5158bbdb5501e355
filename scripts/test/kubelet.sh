#!/usr/bin/env bash
# The kubelet on a real containerd (runc, CNI bridge), end to end: kvstore + apiserver +
# scheduler + controller-manager, and one node — containerd and the kubelet inside a network
# namespace this test makes (no default route, DESIGN.md §4), images from a local registry.
# What containers see is read back through their termination messages (and exec).
# Prints "N passed, N failed"; KEEP_LOGS=1 keeps the temp dir.
set -uo pipefail
cd "$(dirname "$0")/../.."
# Network namespaces, veth pairs and containerd need root: re-run under sudo when not root.
[ "$(id -u)" = 0 ] || exec sudo -n -E env "PATH=$PATH" "$0" "$@"
KUBELET_FLAGS="--node-labels skiff.dev/test=kubelet --max-pods 40"
source scripts/test/lib/one-node.sh

# A malformed configuration is refused, naming the field.
printf 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nmaxPods: many\n' >"$dir/bad.yaml"
out=$("$bindir/kubelet" --config "$dir/bad.yaml" --kubeconfig "$KUBECONFIG" 2>&1); status=$?
check "bad KubeletConfiguration exits non-zero" "1" "$([ $status -ne 0 ] && echo 1)"
contains "and names the field" "maxPods" "$out"
printf 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nsyncFrequncy: 1s\n' >"$dir/bad.yaml"
contains "unknown field named" 'unknown field "syncFrequncy"' "$("$bindir/kubelet" --config "$dir/bad.yaml" --kubeconfig "$KUBECONFIG" 2>&1)"

cat >"$dir/kubelet.yaml" <<Y
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
syncFrequency: 2s
crashLoopBackOff: {maxContainerRestartPeriod: 20s}
Y
KUBELET_CONFIG=$dir/kubelet.yaml
start_kubelet
wait_for 60 node_ready
check "node Ready" "True" "$(k get node node1 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')"
contains "runtime version" "containerd://1.6" "$(k get node node1 -o jsonpath='{.status.nodeInfo.containerRuntimeVersion}')"
check "node IP and labels" "$node_ip kubelet" "$(k get node node1 -o jsonpath='{.status.addresses[?(@.type=="InternalIP")].address} {.metadata.labels.skiff\.dev/test}')"
check "max pods" "40" "$(k get node node1 -o jsonpath='{.status.capacity.pods}')"
check "lease" "node1" "$(k get lease node1 -n kube-node-lease -o jsonpath='{.spec.holderIdentity}')"
cidr=$(k get node node1 -o jsonpath='{.spec.podCIDR}')

# Running with an IP from the node's pod CIDR.
k run sleeper --image=busybox:1.36 -- sleep 3600 >/dev/null
wait_for 60 phase_is sleeper Running
check "pod Running" "Running" "$(jp sleeper '{.status.phase}')"
ip=$(jp sleeper '{.status.podIP}')
contains "pod IP in the node's pod CIDR" "${cidr%.0/24}." "$ip"
check "Ready" "True" "$(jp sleeper '{.status.conditions[?(@.type=="Ready")].status}')"
contains "container ID" "containerd://" "$(jp sleeper '{.status.containerStatuses[0].containerID}')"
check "QoS" "BestEffort" "$(jp sleeper '{.status.qosClass}')"

# Exit codes, OOM, runtime errors.
k run ok --image=busybox:1.36 --restart=Never -- sh -c 'echo done >/dev/termination-log' >/dev/null
k run three --image=busybox:1.36 --restart=Never -- sh -c 'exit 3' >/dev/null
k run nocmd --image=busybox:1.36 --restart=Never --command -- /no/such/binary >/dev/null
k run noimage --image=busybox:0.0-missing --restart=Never >/dev/null
k run oom --image=busybox:1.36 --restart=Never --overrides='{"spec":{"containers":[{"name":"oom","image":"busybox:1.36","command":["sh","-c","x=a; while true; do x=$x$x; done"],"resources":{"limits":{"memory":"16Mi"}}}]}}' >/dev/null
wait_for 60 phase_is ok Succeeded
check "exit 0 → Succeeded, Completed, message" "Succeeded Completed done" "$(jp ok '{.status.phase} {.status.containerStatuses[0].state.terminated.reason} {.status.containerStatuses[0].state.terminated.message}' | tr -d '\n')"
wait_for 30 phase_is three Failed
check "exit 3 → Failed, Error, 3" "Failed Error 3" "$(jp three '{.status.phase} {.status.containerStatuses[0].state.terminated.reason} {.status.containerStatuses[0].state.terminated.exitCode}')"
wait_for 30 phase_is nocmd Failed
contains "command not found: the runtime's message" 'exec: "/no/such/binary"' "$(jp nocmd '{.status.containerStatuses[0].state.terminated.message}')"
wait_for 60 phase_is oom Failed
check "memory limit → OOMKilled" "OOMKilled 137" "$(jp oom '{.status.containerStatuses[0].state.terminated.reason} {.status.containerStatuses[0].state.terminated.exitCode}')"
pull_backoff() { [ "$(jp noimage '{.status.containerStatuses[0].state.waiting.reason}')" = ImagePullBackOff ]; }
wait_for 30 pull_backoff
check "missing image → ImagePullBackOff" "ImagePullBackOff" "$(jp noimage '{.status.containerStatuses[0].state.waiting.reason}')"
contains "ErrImagePull event with the registry's message" "not found" "$(k get events --field-selector involvedObject.name=noimage -o jsonpath='{.items[*].message}')"

# Crash loop: restarts with growing back-off.
k run crash --image=busybox:1.36 -- sh -c 'exit 1' >/dev/null
restarted() { [ "$(jp crash '{.status.containerStatuses[0].restartCount}')" -ge 2 ]; }
wait_for 40 restarted
backing_off() { [ "$(jp crash '{.status.containerStatuses[0].state.waiting.reason}')" = CrashLoopBackOff ]; }
wait_for 30 backing_off
check "CrashLoopBackOff after restarts" "CrashLoopBackOff" "$(jp crash '{.status.containerStatuses[0].state.waiting.reason}')"
contains "back-off message" "restarting failed container=crash" "$(jp crash '{.status.containerStatuses[0].state.waiting.message}')"
check "still Running phase under Always" "Running" "$(jp crash '{.status.phase}')"

# Config: env, configMap/secret refs, $(VAR) expansion, downward API.
k create configmap cfg --from-literal=greeting=hello --from-literal=name=world >/dev/null
k create secret generic sec --from-literal=token=s3cret >/dev/null
k apply -f - >/dev/null <<Y
apiVersion: v1
kind: Pod
metadata: {name: envpod, labels: {tier: web}}
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: busybox:1.36
    command: ["sh", "-c", "echo \$GREETING \$(NAME) \$TOKEN \$POD \$NS \$CFG_name \$TIER >/dev/termination-log"]
    env:
    - {name: GREETING, valueFrom: {configMapKeyRef: {name: cfg, key: greeting}}}
    - {name: NAME, value: "\$(GREETING)-x"}
    - {name: TOKEN, valueFrom: {secretKeyRef: {name: sec, key: token}}}
    - {name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
    - {name: TIER, valueFrom: {fieldRef: {fieldPath: "metadata.labels['tier']"}}}
    envFrom: [{prefix: CFG_, configMapRef: {name: cfg}}]
Y
wait_for 40 phase_is envpod Succeeded
check "environment" "hello hello-x s3cret envpod default world web" "$(jp envpod '{.status.containerStatuses[0].state.terminated.message}' | tr -d '\n')"
k run missingcm --image=busybox:1.36 --restart=Never --overrides='{"spec":{"containers":[{"name":"main","image":"busybox:1.36","env":[{"name":"X","valueFrom":{"configMapKeyRef":{"name":"absent","key":"k"}}}]}]}}' >/dev/null
config_error() { [ "$(jp missingcm '{.status.containerStatuses[0].state.waiting.reason}')" = CreateContainerConfigError ]; }
wait_for 30 config_error
check "missing ConfigMap → CreateContainerConfigError naming it" 'CreateContainerConfigError configmap "absent" not found' "$(jp missingcm '{.status.containerStatuses[0].state.waiting.reason} {.status.containerStatuses[0].state.waiting.message}')"

# Volumes, init containers in order, postStart.
mkdir -p "$dir/host"; echo from-host >"$dir/host/file"
k apply -f - >/dev/null <<Y
apiVersion: v1
kind: Pod
metadata: {name: volumes, labels: {app: vol}}
spec:
  restartPolicy: Never
  initContainers:
  - {name: first, image: busybox:1.36, command: ["sh", "-c", "echo a >/work/order"], volumeMounts: [{name: work, mountPath: /work}]}
  - {name: second, image: busybox:1.36, command: ["sh", "-c", "echo b >>/work/order"], volumeMounts: [{name: work, mountPath: /work}]}
  containers:
  - name: main
    image: busybox:1.36
    lifecycle: {postStart: {exec: {command: ["sh", "-c", "echo hooked >/work/hook"]}}}
    command: ["sh", "-c", "sleep 1; echo \$(cat /work/order) \$(cat /cfg/g) \$(stat -c %a /cfg/..data/g) \$(cat /sec/token) \$(cat /info/labels) \$(cat /host/file) \$(cat /work/hook) \$(df /mem | tail -1 | awk '{print \$1}') >/dev/termination-log"]
    volumeMounts:
    - {name: work, mountPath: /work}
    - {name: cfg, mountPath: /cfg}
    - {name: sec, mountPath: /sec, readOnly: true}
    - {name: info, mountPath: /info}
    - {name: host, mountPath: /host}
    - {name: mem, mountPath: /mem}
  volumes:
  - {name: work, emptyDir: {}}
  - {name: mem, emptyDir: {medium: Memory, sizeLimit: 8Mi}}
  - {name: cfg, configMap: {name: cfg, defaultMode: 0600, items: [{key: greeting, path: g}]}}
  - {name: sec, secret: {secretName: sec}}
  - {name: info, downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}}
  - {name: host, hostPath: {path: $dir/host, type: Directory}}
Y
wait_for 60 phase_is volumes Succeeded
check "init order, configMap items and mode, secret, downward API, hostPath, postStart, tmpfs" \
  'a b hello 600 s3cret app="vol" from-host hooked tmpfs' "$(jp volumes '{.status.containerStatuses[0].state.terminated.message}' | tr -d '\n')"
check "init containers Completed" "Completed Completed" "$(jp volumes '{.status.initContainerStatuses[*].state.terminated.reason}')"

# A configMap update reaches a running pod.
k apply -f - >/dev/null <<Y
apiVersion: v1
kind: Pod
metadata: {name: watcher}
spec:
  containers:
  - name: main
    image: busybox:1.36
    command: ["sh", "-c", "until grep -q updated /cfg/greeting; do sleep 0.2; done; echo saw-update >/dev/termination-log; exit 7"]
    volumeMounts: [{name: cfg, mountPath: /cfg}]
  restartPolicy: Never
  volumes: [{name: cfg, configMap: {name: cfg}}]
Y
wait_for 40 phase_is watcher Running
k create configmap cfg --from-literal=greeting=updated --from-literal=name=world --dry-run=client -o yaml | k replace -f - >/dev/null
wait_for 40 phase_is watcher Failed
check "configMap update seen by the running container" "saw-update 7" "$(jp watcher '{.status.containerStatuses[0].state.terminated.message} {.status.containerStatuses[0].state.terminated.exitCode}' | tr -d '\n')"

# Probes: readiness gates Ready; a failing liveness probe restarts the container.
k apply -f - >/dev/null <<Y
apiVersion: v1
kind: Pod
metadata: {name: probes}
spec:
  containers:
  - name: ready-later
    image: busybox:1.36
    command: ["sh", "-c", "sleep 3; touch /tmp/ready; sleep 3600"]
    readinessProbe: {exec: {command: ["cat", "/tmp/ready"]}, periodSeconds: 1}
  - name: dies
    image: busybox:1.36
    command: ["sleep", "3600"]
    livenessProbe: {exec: {command: ["false"]}, periodSeconds: 1, failureThreshold: 2}
  - name: web
    image: busybox:1.36
    command: ["sh", "-c", "mkdir -p /www && echo ok >/www/index.html && httpd -f -p 8080 -h /www"]
    readinessProbe: {httpGet: {path: /index.html, port: 8080}, periodSeconds: 1}
    livenessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
Y
wait_for 30 phase_is probes Running
check "not ready before the readiness probe passes" "false" "$(jp probes '{.status.containerStatuses[?(@.name=="ready-later")].ready}')"
became_ready() { [ "$(jp probes '{.status.containerStatuses[?(@.name=="ready-later")].ready}')" = true ]; }
wait_for 30 became_ready
check "ready once the exec probe passes" "true" "$(jp probes '{.status.containerStatuses[?(@.name=="ready-later")].ready}')"
check "httpGet readiness" "true" "$(jp probes '{.status.containerStatuses[?(@.name=="web")].ready}')"
web_ip=$(jp probes '{.status.podIP}')
check "the pod's IP answers inside the node's namespace" "ok" "$(nsenter --net="/run/netns/$netns" curl -s -m 5 "http://$web_ip:8080/index.html")"
liveness_restart() { [ "$(jp probes '{.status.containerStatuses[?(@.name=="dies")].restartCount}')" -ge 1 ]; }
wait_for 40 liveness_restart
check "failing liveness probe restarts the container" "1" "$([ "$(jp probes '{.status.containerStatuses[?(@.name=="dies")].restartCount}')" -ge 1 ] && echo 1)"
contains "Killing event names the probe" "failed liveness probe" "$(k get events --field-selector involvedObject.name=probes -o jsonpath='{.items[*].message}')"

# fsGroup: volumes get the group (directories set-group-ID, so new files inherit it) and
# containers get it as a supplemental group; read back through exec.
k apply -f - >/dev/null <<'Y'
apiVersion: v1
kind: Pod
metadata: {name: fsgroup}
spec:
  securityContext: {runAsUser: 1000, fsGroup: 2000}
  volumes: [{name: data, emptyDir: {}}, {name: conf, configMap: {name: no-such-map, optional: true}}]
  containers:
  - name: c
    image: "busybox:1.36"
    command: [sh, -c, "touch /data/f && exec sleep 3600"]
    volumeMounts: [{name: data, mountPath: /data}, {name: conf, mountPath: /conf}]
Y
wait_for 60 phase_is fsgroup Running
check "fsGroup: the volume's group, set-group-ID" "2000 2777" "$(k exec fsgroup -- stat -c '%g %a' /data)"
check "fsGroup: a new file inherits the group" "2000" "$(k exec fsgroup -- stat -c %g /data/f)"
check "fsGroup: a configMap volume too" "2000" "$(k exec fsgroup -- stat -c %g /conf)"
contains "fsGroup: a supplemental group of the container" "2000" "$(k exec fsgroup -- id -G)"
k delete pod fsgroup --grace-period=0 >/dev/null

# Sidecar (restartable init container) runs beside the main container.
k apply -f - >/dev/null <<Y
apiVersion: v1
kind: Pod
metadata: {name: sidecar}
spec:
  initContainers: [{name: side, image: busybox:1.36, restartPolicy: Always, command: ["sleep", "3600"]}]
  containers: [{name: main, image: busybox:1.36, command: ["sleep", "3600"]}]
Y
wait_for 40 phase_is sidecar Running
check "sidecar running and ready beside main" "true true" "$(jp sidecar '{.status.initContainerStatuses[0].started} {.status.containerStatuses[0].ready}')"

# Admission: over allocatable → Failed OutOfcpu.
k run huge --image=busybox:1.36 --restart=Never --overrides='{"spec":{"nodeName":"node1","containers":[{"name":"main","image":"busybox:1.36","resources":{"requests":{"cpu":"500"}}}]}}' >/dev/null
wait_for 30 phase_is huge Failed
check "over allocatable → Failed OutOfcpu" "Failed OutOfcpu" "$(jp huge '{.status.phase} {.status.reason}')"

# Graceful termination: preStop runs, SIGTERM, the grace period, then the pod is gone.
k apply -f - >/dev/null <<Y
apiVersion: v1
kind: Pod
metadata: {name: graceful}
spec:
  terminationGracePeriodSeconds: 3
  containers:
  - name: main
    image: busybox:1.36
    command: ["sleep", "3600"]
    lifecycle: {preStop: {exec: {command: ["sh", "-c", "echo stopping >/host/prestop"]}}}
    volumeMounts: [{name: host, mountPath: /host}]
  volumes: [{name: host, hostPath: {path: $dir/host}}]
Y
wait_for 30 phase_is graceful Running
start=$(date +%s.%N); k delete pod graceful >/dev/null; end=$(date +%s.%N)
took=$(python3 -c "print(round($end - $start))")
check "SIGTERM ignored: deleted after the 3 s grace period (3–10 s)" "1" "$( [ "$took" -ge 3 ] && [ "$took" -le 10 ] && echo 1 || echo "took $took s")"
check "preStop hook ran" "stopping" "$(cat "$dir/host/prestop" 2>/dev/null)"

# kill -9 of the kubelet: containers keep running; the new kubelet adopts them.
before=$(jp sleeper '{.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount}')
kill -9 "$kubelet_pid"; wait "$kubelet_pid" 2>/dev/null
sleep 1
check "containers outlive the kubelet" "1" "$(ctr --address "$dir/containerd/containerd.sock" -n k8s.io tasks ls | grep -c RUNNING | awk '{print ($1 >= 2)}')"
start_kubelet
wait_for 30 node_ready
sleep 3
check "adopted: same container, no restart" "$before" "$(jp sleeper '{.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount}')"
check "one sandbox for the pod" "1" "$(ctr --address "$dir/containerd/containerd.sock" -n k8s.io containers ls | grep -c pause | awk '{print ($1 >= 1)}')"
k delete pod sleeper --grace-period=1 >/dev/null
check "deleted after adoption" "" "$(k get pod sleeper --ignore-not-found -o name)"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
