#!/usr/bin/env bash
# Scheduler integration test with real processes: kvstore + apiserver + scheduler on loopback
# (nodes are API objects, no kubelet). Checks placement by resources, nodeSelector, required and
# preferred node affinity, taints and tolerations, pod anti-affinity, topology spread across
# zones, FailedScheduling with Kubernetes' message and placement once a fitting node appears,
# preemption by a higher-priority pod, and leader election: kill -9 the leader, the standby
# takes over within the lease duration and no pod is bound twice.
# Prints "N passed, N failed"; KEEP_LOGS=1 keeps the temp dir.
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/test/lib/apiserver-env.sh
k() { kubectl --request-timeout=10s "$@" 2>&1; }
source scripts/test/lib/checks.sh
lease_flags=(--leader-elect-lease-duration 4s --leader-elect-renew-deadline 3s --leader-elect-retry-period 1s)
start_scheduler() {  # start_scheduler NAME → pid in $sched_pid, status port in $sched_port
  sched_port=$(free_port)
  "$bindir/scheduler" --kubeconfig "$KUBECONFIG" --port "$sched_port" --identity "$1" "${lease_flags[@]}" --v 2 \
    >"$dir/scheduler-$1.log" 2>&1 &
  sched_pid=$!; pids+=($sched_pid)
}
node() {  # node NAME CPU MEMORY ZONE [LABELS-YAML] [TAINTS-YAML]
  k apply -f - >/dev/null <<Y
apiVersion: v1
kind: Node
metadata:
  name: $1
  labels: {kubernetes.io/hostname: $1, topology.kubernetes.io/zone: $4${5:+, $5}}
spec: {taints: [${6:-}]}
status:
  capacity: {cpu: "$2", memory: $3, pods: "110"}
  allocatable: {cpu: "$2", memory: $3, pods: "110"}
  conditions: [{type: Ready, status: "True"}]
Y
}
pod() {  # pod NAME CPU [SPEC-EXTRA-YAML (indented 2)] [LABELS-YAML]; prints only errors
  k apply -f - <<Y | grep -v " created$\| configured$\| unchanged$"
apiVersion: v1
kind: Pod
metadata: {name: $1, namespace: sched, labels: {${4:-}}}
spec:
  containers: [{name: c, image: registry.k8s.io/pause:3.10, resources: {requests: {cpu: "$2", memory: 64Mi}}}]
${3:-}
Y
}
wait_bound() { k wait -n sched --for=condition=PodScheduled "pod/$1" --timeout="${2:-30s}" >/dev/null; k get pod -n sched "$1" -o jsonpath='{.spec.nodeName}'; }
node_of() { k get pod -n sched "$1" -o jsonpath='{.spec.nodeName}'; }

start_scheduler alpha; alpha=$sched_pid
k create namespace sched >/dev/null
node n-small 1 4Gi zone-a "disk: hdd"
node n-big 8 32Gi zone-b "disk: ssd"
node n-c 4 16Gi zone-c
node n-gpu 8 32Gi zone-a "gpu: \"true\"" "{key: dedicated, value: gpu, effect: NoSchedule}"

check resources-fit n-big "$(pod big 5; wait_bound big)"
check node-selector n-big "$(pod ssd 100m '  nodeSelector: {disk: ssd}'; wait_bound ssd)"
check required-node-affinity n-c "$(pod zone-c 100m '  affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: topology.kubernetes.io/zone, operator: In, values: [zone-c]}]}]}}}'; wait_bound zone-c)"
check preferred-node-affinity n-small "$(pod hdd 100m '  affinity: {nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 100, preference: {matchExpressions: [{key: disk, operator: In, values: [hdd]}]}}]}}'; wait_bound hdd)"
check toleration n-gpu "$(pod gpu-ok 100m '  nodeSelector: {gpu: "true"}
  tolerations: [{key: dedicated, operator: Equal, value: gpu, effect: NoSchedule}]'; wait_bound gpu-ok)"

# No toleration: never placed; the event and the condition carry Kubernetes' message.
pod gpu-no 100m '  nodeSelector: {gpu: "true"}'
k wait -n sched --for=condition=PodScheduled=False pod/gpu-no --timeout=30s >/dev/null
message='0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 3 node(s) didn'"'"'t match Pod'"'"'s node affinity/selector.'
contains untolerated-condition "$message" "$(k get pod -n sched gpu-no -o jsonpath='{.status.conditions[?(@.type=="PodScheduled")].message}')"
contains untolerated-event "$message" "$(k get events -n sched --field-selector involvedObject.name=gpu-no,reason=FailedScheduling -o jsonpath='{.items[0].message}')"
check untolerated-event-type Warning "$(k get events -n sched --field-selector involvedObject.name=gpu-no,reason=FailedScheduling -o jsonpath='{.items[0].type}')"
check untolerated-stays-pending "" "$(node_of gpu-no)"

# Too big for every node, then a node that fits appears.
pod huge 100
k wait -n sched --for=condition=PodScheduled=False pod/huge --timeout=30s >/dev/null
contains insufficient-cpu "Insufficient cpu" "$(k get events -n sched --field-selector involvedObject.name=huge,reason=FailedScheduling -o jsonpath='{.items[0].message}')"
node n-huge 128 256Gi zone-b
check placed-when-node-added n-huge "$(wait_bound huge)"

# Pod anti-affinity on hostname: two web pods never share a node.
anti='  affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: web}}}]}}
  nodeSelector: {topology.kubernetes.io/zone: zone-b}'
pod web-1 100m "$anti" "app: web"; pod web-2 100m "$anti" "app: web"
w1=$(wait_bound web-1); w2=$(wait_bound web-2)
check anti-affinity-distinct "n-big n-huge" "$(printf '%s\n' "$w1" "$w2" | sort | xargs)"
pod web-3 100m "$anti" "app: web"
k wait -n sched --for=condition=PodScheduled=False pod/web-3 --timeout=30s >/dev/null
contains anti-affinity-message "didn't match pod anti-affinity rules" "$(k get pod -n sched web-3 -o jsonpath='{.status.conditions[?(@.type=="PodScheduled")].message}')"

# Topology spread across zones: three pods, one per zone.
spread='  topologySpreadConstraints: [{maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: spread}}}]
  tolerations: [{key: dedicated, operator: Exists}]'
for i in 1 2 3; do pod "spread-$i" 100m "$spread" "app: spread"; wait_bound "spread-$i" >/dev/null; done
zones=$(for i in 1 2 3; do k get node "$(node_of spread-$i)" -o jsonpath='{.metadata.labels.topology\.kubernetes\.io/zone}'; echo; done | sort | xargs)
check spread-across-zones "zone-a zone-b zone-c" "$zones"

# Preemption: a high-priority pod takes the place of a low-priority one on a full node.
node n-full 2 8Gi zone-c "role: preempt"
k apply -f - >/dev/null <<'Y'
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000
Y
check system-priority-class 2000000000 "$(k get priorityclass system-cluster-critical -o jsonpath='{.value}')"
check unknown-priority-class 'Error from server (Forbidden): error when creating "STDIN": pods "nope" is forbidden: no PriorityClass with name missing was found' \
  "$(pod nope 100m '  priorityClassName: missing')"
check self-set-priority 'Error from server (Forbidden): error when creating "STDIN": pods "selfish" is forbidden: the integer value of priority (2000000000) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name' \
  "$(pod selfish 100m '  priority: 2000000000')"
check low-priority-placed n-full "$(pod low 1500m '  nodeSelector: {role: preempt}'; wait_bound low)"
pod high 1500m '  nodeSelector: {role: preempt}
  priorityClassName: high'
k wait -n sched --for=jsonpath='{.status.nominatedNodeName}'=n-full pod/high --timeout=30s >/dev/null
check preemptor-nominated n-full "$(k get pod -n sched high -o jsonpath='{.status.nominatedNodeName}')"
for _ in $(seq 100); do [ -n "$(k get pod -n sched low -o jsonpath='{.metadata.deletionTimestamp}')" ] && break; sleep 0.2; done
check victim-terminating true "$(k get pod -n sched low -o jsonpath='{.metadata.deletionTimestamp}' | grep -q . && echo true)"
k delete pod -n sched low --grace-period=0 --force >/dev/null 2>&1   # what the kubelet does once the victim stopped
check preemptor-placed n-full "$(wait_bound high)"

# Leader election: a standby takes over after kill -9 of the leader; no pod is bound twice.
start_scheduler beta; beta=$sched_pid
check leader-is-alpha alpha "$(k get lease -n kube-system kube-scheduler -o jsonpath='{.spec.holderIdentity}')"
kill -9 "$alpha"; wait "$alpha" 2>/dev/null
killed_at=$(date +%s)
for i in 1 2 3 4 5; do pod "after-$i" 100m; done
for i in 1 2 3 4 5; do wait_bound "after-$i" 30s >/dev/null; done
took=$(( $(date +%s) - killed_at ))
check standby-took-over beta "$(k get lease -n kube-system kube-scheduler -o jsonpath='{.spec.holderIdentity}')"
check takeover-within-lease-plus-margin true "$([ "$took" -le 12 ] && echo true || echo "false ($took s)")"
counts=$(k get events -n sched --field-selector reason=Scheduled -o jsonpath='{range .items[*]}{.involvedObject.name} {.count}{"\n"}{end}' | sort)
check no-pod-bound-twice "" "$(echo "$counts" | awk '$2 != 1' )"
bound=$(k get pods -n sched -o jsonpath='{range .items[?(@.spec.nodeName)]}{.metadata.name}{"\n"}{end}' | sort)
check every-bound-pod-has-scheduled-event "" "$(comm -23 <(echo "$bound") <(echo "$counts" | awk '{print $1}' | sort -u) | xargs)"

# /metrics passes promtool; logs are in the one component format.
if command -v promtool >/dev/null; then
  check metrics-promtool "" "$(curl -sf "http://127.0.0.1:$sched_port/metrics" | promtool check metrics 2>&1)"
fi
check log-format true "$(grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z INFO scheduler: became leader .*lease=' "$dir/scheduler-beta.log" && echo true)"
check readyz-verbose "[+]ping ok|[+]shutdown ok|[+]informer-sync ok|readyz check passed" "$(curl -sf "http://127.0.0.1:$sched_port/readyz?verbose" | paste -sd'|')"

# SIGTERM of the leader: it exits 0 within 10 s, releasing the Lease, so a standby takes over at
# once (not after the lease duration).
start_scheduler gamma; gamma=$sched_pid
for _ in $(seq 50); do grep -q "new leader observed" "$dir/scheduler-gamma.log" && break; sleep 0.1; done
termed_at=$(date +%s%N)
kill -TERM "$beta"
for _ in $(seq 100); do kill -0 "$beta" 2>/dev/null || break; sleep 0.1; done
wait "$beta"; status=$?
check sigterm-exit-0 0 "$status"
check sigterm-within-10s true "$([ $(( ($(date +%s%N) - termed_at) / 1000000000 )) -lt 10 ] && echo true)"
for _ in $(seq 100); do [ "$(k get lease -n kube-system kube-scheduler -o jsonpath='{.spec.holderIdentity}')" = gamma ] && break; sleep 0.05; done
took_ms=$(( ($(date +%s%N) - termed_at) / 1000000 ))
check standby-after-release gamma "$(k get lease -n kube-system kube-scheduler -o jsonpath='{.spec.holderIdentity}')"
check takeover-before-lease-expiry true "$([ "$took_ms" -lt 3500 ] && echo true || echo "false ($took_ms ms)")"
check sigterm-logged true "$(grep -q 'NOTICE scheduler: shutting down gracefully' "$dir/scheduler-beta.log" && echo true)"
pod after-term 100m
check bound-after-term true "$(wait_bound after-term 30s | grep -q . && echo true)"

echo "scheduler: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
