#!/usr/bin/env bash
# controller-manager integration test with real processes: kvstore + apiserver +
# controller-manager on loopback (no kubelet: pod status is patched by hand). Checks the Lease,
# the default ServiceAccount and kube-root-ca.crt in new namespaces, ReplicaSet scale up/down,
# replacement of deleted pods, adoption of orphans and release of relabelled pods, ready and
# available counts, a ReplicationController, `kubectl delete --cascade=background|orphan|foreground` through the garbage
# collector, namespace deletion emptying the namespace, and kill -9 of the controller-manager
# during a 300-replica scale-up and a 20-replica rolling update (the standby finishes both
# exactly: 300 pods; 20 pods of the new template); Deployments with a
# stand-in kubelet: rollout status, RollingUpdate events, history, undo, pause (scales, no new
# ReplicaSet), resume, restart, Recreate, deletion cascading to ReplicaSets and pods; Endpoints
# and EndpointSlices (named target ports, ready and not-ready, placeholder slice, cleanup, mirroring).
# PodDisruptionBudget status read by evictions. Jobs (finalizer tracking, completion, backoff
# limit, Indexed pods, ttlSecondsAfterFinished) and a CronJob's first run. A Node's pod range
# (nodeipam). ResourceQuota usage. A silent node going Unknown, tainted, and its pods evicted
# by taint (nodelifecycle). A DaemonSet placed and rolled. A StatefulSet: ordered pods and claims,
# rollout status, history, undo, scale-down with claim deletion. Prints "N passed, N failed"; KEEP_LOGS=1 keeps the
# temp dir.
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/test/lib/apiserver-env.sh
k() { kubectl --request-timeout=10s "$@" 2>&1; }
source scripts/test/lib/checks.sh
lease_flags=(--leader-elect-lease-duration 4s --leader-elect-renew-deadline 3s --leader-elect-retry-period 1s)
start_cm() {  # start_cm NAME → pid in $cm_pid, status port in $cm_port
  cm_port=$(free_port)
  "$bindir/controller-manager" --kubeconfig "$KUBECONFIG" --secure-port "$cm_port" --root-ca-file "$dir/certs/apiserver.crt" \
    --allocate-node-cidrs true --cluster-cidr 10.244.0.0/16 --service-cluster-ip-range 10.96.0.0/12 \
    --node-monitor-grace-period 1h "${lease_flags[@]}" --v "${CM_V:-2}" >>"$dir/controller-manager-$1.log" 2>&1 &
  cm_pid=$!; pids+=($cm_pid)
}
# until SECONDS COMMAND...: retries COMMAND (its output compared by the caller) until it succeeds.
until_eq() {  # until_eq EXPECTED SECONDS COMMAND... → prints the last output
  local expected=$1 deadline=$((SECONDS + $2)); shift 2
  local out
  while :; do
    out=$("$@" 2>&1)
    [ "$out" == "$expected" ] || [ $SECONDS -ge $deadline ] && break
    sleep 0.3
  done
  printf '%s' "$out"
}
pods_of() { kubectl --request-timeout=10s get pods -n cm -l "app=$1" -o name 2>/dev/null | grep -c . ; }
rs() {  # rs NAME REPLICAS [MIN_READY]
  k apply -f - >/dev/null <<Y
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: $1, namespace: cm}
spec:
  replicas: $2
  minReadySeconds: ${3:-0}
  selector: {matchLabels: {app: $1}}
  template:
    metadata: {labels: {app: $1}}
    spec: {containers: [{name: c, image: registry.k8s.io/pause:3.10}]}
Y
}

start_cm alpha; alpha=$cm_pid; alpha_port=$cm_port
k create namespace cm >/dev/null
# A CronJob made now runs at the next minute boundary; it is checked near the end.
k create namespace batch >/dev/null
k create cronjob -n batch every --image=busybox --schedule='* * * * *' -- true >/dev/null
check lease-holder-set yes "$(until_eq yes 20 bash -c "kubectl get lease -n kube-system kube-controller-manager -o jsonpath='{.spec.holderIdentity}' | grep -q . && echo yes")"
check default-serviceaccount default "$(until_eq default 20 kubectl get sa -n cm default -o jsonpath='{.metadata.name}')"
check root-ca-configmap yes "$(until_eq yes 20 bash -c "kubectl get cm -n cm kube-root-ca.crt -o jsonpath='{.data.ca\.crt}' | grep -q 'BEGIN CERTIFICATE' && echo yes")"
# clusterrole-aggregation: view (and through it edit and admin) holds what roles labelled to join it grant
check aggregated-view-has-pods yes "$(until_eq yes 20 bash -c "kubectl get clusterrole view -o json | grep -q '\"pods\"' && echo yes")"
k create clusterrole widget-viewer --verb=get,list --resource=leases >/dev/null
k label clusterrole widget-viewer rbac.authorization.k8s.io/aggregate-to-view=true >/dev/null
check aggregated-label-joins "yes yes yes" "$(until_eq "yes yes yes" 20 bash -c 'for r in view edit admin; do kubectl get clusterrole $r -o json | grep -q "\"leases\"" && echo -n "yes" || echo -n "no"; [ $r = admin ] || echo -n " "; done')"

rs web 3
check rs-creates-3 3 "$(until_eq 3 30 pods_of web)"
owner=$(k get pods -n cm -l app=web -o jsonpath='{.items[0].metadata.ownerReferences[0].kind}/{.items[0].metadata.ownerReferences[0].name}/{.items[0].metadata.ownerReferences[0].controller}/{.items[0].metadata.ownerReferences[0].blockOwnerDeletion}')
check pod-owner-reference ReplicaSet/web/true/true "$owner"
check rs-status-replicas 3 "$(until_eq 3 20 kubectl get rs -n cm web -o jsonpath='{.status.replicas}')"
check rs-observed-generation 1 "$(k get rs -n cm web -o jsonpath='{.status.observedGeneration}')"
contains rs-event-successful-create "Created pod: web-" "$(until_eq x 3 false; k get events -n cm --field-selector reason=SuccessfulCreate -o jsonpath='{.items[*].message}')"
k scale rs -n cm web --replicas=6 >/dev/null
check rs-scale-up-6 6 "$(until_eq 6 30 pods_of web)"
k scale rs -n cm web --replicas=2 >/dev/null
check rs-scale-down-2 2 "$(until_eq 2 30 pods_of web)"
victim=$(k get pods -n cm -l app=web -o jsonpath='{.items[0].metadata.name}')
k delete pod -n cm "$victim" --wait=false >/dev/null
check deleted-pod-replaced 2 "$(until_eq 2 30 bash -c "kubectl get pods -n cm -l app=web --no-headers | grep -v '^$victim ' | grep -c .")"

# Readiness: mark both pods Ready; readyReplicas and availableReplicas follow.
for p in $(k get pods -n cm -l app=web -o jsonpath='{.items[*].metadata.name}'); do
  k patch pod -n cm "$p" --subresource=status --type=merge -p "{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"lastTransitionTime\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}]}}" >/dev/null
done
check rs-ready-replicas 2/2 "$(until_eq 2/2 20 kubectl get rs -n cm web -o jsonpath='{.status.readyReplicas}/{.status.availableReplicas}')"

# PodDisruptionBudget status, and the eviction it allows and then refuses.
k create poddisruptionbudget -n cm web-pdb --selector=app=web --min-available=1 >/dev/null
check pdb-status "2/1/2/1" "$(until_eq 2/1/2/1 20 kubectl get pdb -n cm web-pdb -o jsonpath='{.status.expectedPods}/{.status.desiredHealthy}/{.status.currentHealthy}/{.status.disruptionsAllowed}')"
evict() { printf '{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"%s","namespace":"cm"}}' "$1" | kubectl create --raw "/api/v1/namespaces/cm/pods/$1/eviction" -f - 2>&1; }
first=$(k get pods -n cm -l app=web -o jsonpath='{.items[0].metadata.name}'); second=$(k get pods -n cm -l app=web -o jsonpath='{.items[1].metadata.name}')
contains pdb-allows-one-eviction '"status":"Success"' "$(evict "$first")"
contains pdb-refuses-the-next "(TooManyRequests): Cannot evict pod as it would violate the pod's disruption budget." "$(until_eq x 2 false; evict "$second")"
check pdb-after-eviction "0" "$(until_eq 0 20 kubectl get pdb -n cm web-pdb -o jsonpath='{.status.disruptionsAllowed}')"
k delete pdb -n cm web-pdb >/dev/null
for p in $(k get pods -n cm -l app=web -o jsonpath='{.items[*].metadata.name}'); do
  k patch pod -n cm "$p" --subresource=status --type=merge -p "{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"lastTransitionTime\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}]}}" >/dev/null
done

# Adoption: an orphan with matching labels is adopted, and the surplus removed.
k run orphan -n cm --image=registry.k8s.io/pause:3.10 --labels=app=web >/dev/null
check after-adoption-2 2 "$(until_eq 2 30 pods_of web)"
# The adopted orphan, neither scheduled nor ready, is the first to go (deletion ranking).
contains orphan-adopted-then-deleted-first "Deleted pod: orphan" "$(until_eq x 3 false; k get events -n cm --field-selector reason=SuccessfulDelete -o jsonpath='{.items[*].message}')"
# Release: a relabelled pod loses its owner reference and is replaced.
released=$(k get pods -n cm -l app=web -o jsonpath='{.items[0].metadata.name}')
k label pod -n cm "$released" app=other --overwrite >/dev/null
check relabelled-released "" "$(until_eq "" 20 kubectl get pod -n cm "$released" -o jsonpath='{.metadata.ownerReferences}')"
check relabelled-replaced 2 "$(until_eq 2 30 pods_of web)"

# Garbage collection.
k delete rs -n cm web --cascade=background >/dev/null
check cascade-background 0 "$(until_eq 0 30 pods_of web)"
rs keep 2
check orphan-setup 2 "$(until_eq 2 30 pods_of keep)"
k delete rs -n cm keep --cascade=orphan >/dev/null
check cascade-orphan-rs-gone "" "$(until_eq "" 20 bash -c "kubectl get rs -n cm keep -o name 2>/dev/null")"
check cascade-orphan-pods-kept 2 "$(pods_of keep)"
check cascade-orphan-refs-removed "" "$(until_eq "" 20 kubectl get pods -n cm -l app=keep -o jsonpath='{.items[*].metadata.ownerReferences}')"
rs fg 2
check foreground-setup 2 "$(until_eq 2 30 pods_of fg)"
k delete rs -n cm fg --cascade=foreground --wait=false >/dev/null
check cascade-foreground-pods-gone 0 "$(until_eq 0 30 pods_of fg)"
check cascade-foreground-owner-gone "" "$(until_eq "" 30 bash -c "kubectl get rs -n cm fg -o name 2>/dev/null")"

# ReplicationController: the same controller for core/v1, with an equality selector defaulted
# from the template's labels.
k apply -f - >/dev/null <<Y
apiVersion: v1
kind: ReplicationController
metadata: {name: legacy, namespace: cm}
spec:
  replicas: 3
  template:
    metadata: {labels: {app: legacy}}
    spec: {containers: [{name: c, image: registry.k8s.io/pause:3.10}]}
Y
check rc-creates-3 3 "$(until_eq 3 30 pods_of legacy)"
check rc-pod-owner ReplicationController/legacy/v1 "$(k get pods -n cm -l app=legacy -o jsonpath='{.items[0].metadata.ownerReferences[0].kind}/{.items[0].metadata.ownerReferences[0].name}/{.items[0].metadata.ownerReferences[0].apiVersion}')"
k scale rc -n cm legacy --replicas=1 >/dev/null
check rc-scale-down-1 1 "$(until_eq 1 30 pods_of legacy)"
check rc-status "1/1" "$(until_eq 1/1 20 kubectl get rc -n cm legacy -o jsonpath='{.status.replicas}/{.status.fullyLabeledReplicas}')"
k delete rc -n cm legacy >/dev/null
check rc-cascade 0 "$(until_eq 0 30 pods_of legacy)"

# Deployments, with a stand-in kubelet marking every new pod of namespace "dep" Running and Ready.
k create namespace dep >/dev/null
ready_loop() {
  while :; do
    for p in $(kubectl get pods -n dep -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.phase}{"\n"}{end}' 2>/dev/null | awk '$2!="Running"{print $1}'); do
      kubectl patch pod -n dep "$p" --subresource=status --type=merge -p "{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"lastTransitionTime\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}]}}" >/dev/null 2>&1
    done
    sleep 0.3
  done
}
ready_loop & pids+=($!)
k create deployment web -n dep --image=registry.k8s.io/pause:3.10 --replicas=4 >/dev/null
contains deploy-rollout-status "successfully rolled out" "$(timeout 60 kubectl rollout status -n dep deployment/web --timeout=50s 2>&1)"
check deploy-one-rs-4-ready "4/4" "$(k get rs -n dep -l app=web -o jsonpath='{.items[0].status.readyReplicas}/{.items[0].spec.replicas}')"
check deploy-available-condition "True/MinimumReplicasAvailable" "$(k get deploy -n dep web -o jsonpath='{.status.conditions[?(@.type=="Available")].status}/{.status.conditions[?(@.type=="Available")].reason}')"
check deploy-progressing-condition "NewReplicaSetAvailable" "$(k get deploy -n dep web -o jsonpath='{.status.conditions[?(@.type=="Progressing")].reason}')"
check deploy-revision-1 1 "$(k get deploy -n dep web -o jsonpath='{.metadata.annotations.deployment\.kubernetes\.io/revision}')"
hash1=$(k get rs -n dep -l app=web -o jsonpath='{.items[0].metadata.labels.pod-template-hash}')
check deploy-rs-named-by-hash "web-$hash1" "$(k get rs -n dep -l app=web -o jsonpath='{.items[0].metadata.name}')"
k set image -n dep deployment/web pause=registry.k8s.io/pause:3.9 >/dev/null
contains deploy-rolling-update "successfully rolled out" "$(timeout 60 kubectl rollout status -n dep deployment/web --timeout=50s 2>&1)"
check deploy-old-rs-scaled-to-0 "0 4" "$(k get rs -n dep -l app=web --sort-by=.metadata.creationTimestamp -o jsonpath='{.items[*].spec.replicas}')"
contains deploy-rolling-events "Scaled down replica set web-$hash1 from 4 to 3" "$(k get events -n dep --field-selector reason=ScalingReplicaSet -o jsonpath='{.items[*].message}')"
check deploy-history "1 2" "$(k rollout history -n dep deployment/web | awk '$1 ~ /^[0-9]+$/ {print $1}' | xargs)"
k rollout undo -n dep deployment/web >/dev/null
contains deploy-undo "successfully rolled out" "$(timeout 60 kubectl rollout status -n dep deployment/web --timeout=50s 2>&1)"
check deploy-undo-image registry.k8s.io/pause:3.10 "$(k get deploy -n dep web -o jsonpath='{.spec.template.spec.containers[0].image}')"
check deploy-undo-reuses-rs "web-$hash1 4" "$(k get rs -n dep -l app=web -o jsonpath='{range .items[?(@.spec.replicas>0)]}{.metadata.name} {.spec.replicas}{end}')"
check deploy-history-after-undo "2 3" "$(k rollout history -n dep deployment/web | awk '$1 ~ /^[0-9]+$/ {print $1}' | xargs)"
k rollout pause -n dep deployment/web >/dev/null
k set image -n dep deployment/web pause=registry.k8s.io/pause:3.8 >/dev/null
check deploy-paused-condition DeploymentPaused "$(until_eq DeploymentPaused 20 kubectl get deploy -n dep web -o jsonpath='{.status.conditions[?(@.type=="Progressing")].reason}')"
check deploy-paused-no-new-rs 2 "$(k get rs -n dep -l app=web -o name | grep -c .)"
k scale -n dep deployment/web --replicas=6 >/dev/null
check deploy-paused-scales 6 "$(until_eq 6 30 kubectl get rs -n dep "web-$hash1" -o jsonpath='{.spec.replicas}')"
k rollout resume -n dep deployment/web >/dev/null
contains deploy-resumed-rollout "successfully rolled out" "$(timeout 90 kubectl rollout status -n dep deployment/web --timeout=80s 2>&1)"
check deploy-resumed-3-rs 3 "$(k get rs -n dep -l app=web -o name | grep -c .)"
k rollout restart -n dep deployment/web >/dev/null
contains deploy-restart "successfully rolled out" "$(timeout 90 kubectl rollout status -n dep deployment/web --timeout=80s 2>&1)"
k apply -f - >/dev/null <<Y
apiVersion: apps/v1
kind: Deployment
metadata: {name: rec, namespace: dep}
spec:
  replicas: 2
  strategy: {type: Recreate}
  selector: {matchLabels: {app: rec}}
  template:
    metadata: {labels: {app: rec}}
    spec: {containers: [{name: c, image: registry.k8s.io/pause:3.10}]}
Y
contains recreate-initial "successfully rolled out" "$(timeout 60 kubectl rollout status -n dep deployment/rec --timeout=50s 2>&1)"
k set image -n dep deployment/rec c=registry.k8s.io/pause:3.9 >/dev/null
contains recreate-rollout "successfully rolled out" "$(timeout 60 kubectl rollout status -n dep deployment/rec --timeout=50s 2>&1)"
events=$(k get events -n dep --field-selector reason=ScalingReplicaSet -o jsonpath='{range .items[*]}{.message}{"\n"}{end}')
contains recreate-old-scaled-to-0 "Scaled down replica set rec-" "$events"
check recreate-rs-replicas "0 2" "$(k get rs -n dep -l app=rec -o jsonpath='{.items[*].spec.replicas}' | tr ' ' '\n' | sort | xargs)"
k delete deployment -n dep web >/dev/null
check deploy-delete-cascades 0 "$(until_eq 0 40 bash -c "kubectl get rs,pods -n dep -l app=web -o name 2>/dev/null | grep -c .")"

# Endpoints and EndpointSlices of a Service selecting pods whose IPs are patched in by hand (bound
# to node n1, which exists, so that podgc leaves them alone).
k create namespace ep >/dev/null
k apply -f - >/dev/null <<Y
apiVersion: v1
kind: Node
metadata: {name: n1}
Y
k apply -f - >/dev/null <<Y
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: ep, labels: {tier: web}}
spec:
  selector: {app: ep}
  ports: [{name: http, port: 80, targetPort: http}, {name: tls, port: 443, targetPort: 8443}]
---
apiVersion: v1
kind: Service
metadata: {name: empty, namespace: ep}
spec: {selector: {app: nothing}, ports: [{port: 80}]}
Y
for i in 1 2; do
  k apply -f - >/dev/null <<Y
apiVersion: v1
kind: Pod
metadata: {name: ep$i, namespace: ep, labels: {app: ep}}
spec: {nodeName: n1, containers: [{name: c, image: registry.k8s.io/pause:3.10, ports: [{name: http, containerPort: 8080}]}]}
Y
done
k patch pod -n ep ep1 --subresource=status --type=merge -p '{"status":{"phase":"Running","podIP":"10.244.0.11","podIPs":[{"ip":"10.244.0.11"}],"conditions":[{"type":"Ready","status":"True"}]}}' >/dev/null
k patch pod -n ep ep2 --subresource=status --type=merge -p '{"status":{"phase":"Running","podIP":"10.244.0.12","podIPs":[{"ip":"10.244.0.12"}],"conditions":[{"type":"Ready","status":"False"}]}}' >/dev/null
check endpoints-ready-and-not "10.244.0.11|10.244.0.12|8080,8443" "$(until_eq "10.244.0.11|10.244.0.12|8080,8443" 20 kubectl get endpoints -n ep svc -o jsonpath='{.subsets[0].addresses[*].ip}|{.subsets[0].notReadyAddresses[*].ip}|{.subsets[0].ports[?(@.name=="http")].port},{.subsets[0].ports[?(@.name=="tls")].port}')"
check nodeipam-pod-cidr "10.244.0.0/24 10.244.0.0/24" "$(until_eq "10.244.0.0/24 10.244.0.0/24" 20 kubectl get node n1 -o jsonpath='{.spec.podCIDR} {.spec.podCIDRs[0]}')"
check endpoints-labels web "$(k get endpoints -n ep svc -o jsonpath='{.metadata.labels.tier}')"
check endpoints-target-ref Pod/ep1 "$(k get endpoints -n ep svc -o jsonpath='{.subsets[0].addresses[0].targetRef.kind}/{.subsets[0].addresses[0].targetRef.name}')"
slice() { kubectl get endpointslices -n ep -l kubernetes.io/service-name="$1" -o jsonpath="$2" 2>/dev/null; }
check endpointslice-endpoints "10.244.0.11:true 10.244.0.12:false " "$(until_eq "10.244.0.11:true 10.244.0.12:false " 20 slice svc '{range .items[*].endpoints[*]}{.addresses[0]}:{.conditions.ready} {end}')"
check endpointslice-owner-and-ports "Service/svc 8080 8443" "$(slice svc '{.items[0].metadata.ownerReferences[0].kind}/{.items[0].metadata.ownerReferences[0].name} {.items[0].ports[*].port}')"
check endpointslice-managed-by endpointslice-controller.k8s.io "$(slice svc '{.items[0].metadata.labels.endpointslice\.kubernetes\.io/managed-by}')"
check endpointslice-placeholder "s|" "$(until_eq "s|" 20 slice empty '{range .items[*]}s{end}|{.items[*].endpoints[*].addresses[0]}')"
# A terminating pod (on a node, so graceful) leaves the Endpoints; its slice entry says terminating.
k delete pod -n ep ep2 --wait=false >/dev/null
check endpoints-drop-terminating "10.244.0.11|" "$(until_eq "10.244.0.11|" 20 kubectl get endpoints -n ep svc -o jsonpath='{.subsets[0].addresses[*].ip}|{.subsets[0].notReadyAddresses[*].ip}')"
check endpointslice-terminating "10.244.0.11:false 10.244.0.12:true " "$(until_eq "10.244.0.11:false 10.244.0.12:true " 20 slice svc '{range .items[*].endpoints[*]}{.addresses[0]}:{.conditions.terminating} {end}')"
k delete pod -n ep ep2 --grace-period=0 --force >/dev/null 2>&1
check endpointslice-after-pod-gone "10.244.0.11 " "$(until_eq "10.244.0.11 " 20 slice svc '{range .items[*].endpoints[*]}{.addresses[0]} {end}')"
k delete service -n ep svc >/dev/null
check endpoints-deleted-with-service "" "$(until_eq "" 20 bash -c "kubectl get endpoints -n ep svc -o name 2>/dev/null")"
check endpointslices-collected "" "$(until_eq "" 30 slice svc '{.items[*].metadata.name}')"
# A Service without a selector: its hand-written Endpoints are mirrored into a slice
# (endpointslice-mirroring), which goes with them.
k apply -f - >/dev/null <<Y
apiVersion: v1
kind: Service
metadata: {name: external, namespace: ep}
spec: {ports: [{name: pg, port: 5432}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: external, namespace: ep}
subsets: [{addresses: [{ip: 192.0.2.10}], notReadyAddresses: [{ip: 192.0.2.11}], ports: [{name: pg, port: 5432}]}]
Y
check mirrored-slice "endpointslicemirroring-controller.k8s.io Endpoints 192.0.2.10:true 192.0.2.11:false " "$(until_eq "endpointslicemirroring-controller.k8s.io Endpoints 192.0.2.10:true 192.0.2.11:false " 20 slice external '{.items[0].metadata.labels.endpointslice\.kubernetes\.io/managed-by} {.items[0].metadata.ownerReferences[0].kind} {range .items[*].endpoints[*]}{.addresses[0]}:{.conditions.ready} {end}')"
k delete endpoints -n ep external >/dev/null
check mirrored-slice-removed "" "$(until_eq "" 30 slice external '{.items[*].metadata.name}')"

# Jobs (pod phases patched by hand): tracking finalizers, counting, completion, failure, TTL.
finish() {  # finish NAMESPACE POD PHASE [EXIT]
  k patch pod -n "$1" "$2" --subresource=status --type=merge -p "{\"status\":{\"phase\":\"$3\",\"containerStatuses\":[{\"name\":\"c\",\"image\":\"busybox\",\"imageID\":\"\",\"ready\":false,\"restartCount\":0,\"state\":{\"terminated\":{\"exitCode\":${4:-0},\"finishedAt\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}}}]}}" >/dev/null
}
job_pods() { kubectl get pods -n batch -l "batch.kubernetes.io/job-name=$1" -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' 2>/dev/null; }
k apply -f - >/dev/null <<Y
apiVersion: batch/v1
kind: Job
metadata: {name: two, namespace: batch}
spec:
  completions: 2
  parallelism: 2
  template:
    spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}
Y
check job-creates-parallel 2 "$(until_eq 2 20 bash -c "kubectl get pods -n batch -l batch.kubernetes.io/job-name=two -o name | grep -c .")"
check job-pod-finalizer "batch.kubernetes.io/job-tracking" "$(k get pods -n batch -l batch.kubernetes.io/job-name=two -o jsonpath='{.items[0].metadata.finalizers[0]}')"
check job-active 2 "$(until_eq 2 20 kubectl get job -n batch two -o jsonpath='{.status.active}')"
for p in $(job_pods two); do finish batch "$p" Succeeded; done
check job-complete "True 2 CompletionsReached" "$(until_eq "True 2 CompletionsReached" 30 kubectl get job -n batch two -o jsonpath='{.status.conditions[?(@.type=="Complete")].status} {.status.succeeded} {.status.conditions[?(@.type=="Complete")].reason}')"
check job-success-criteria "True" "$(k get job -n batch two -o jsonpath='{.status.conditions[?(@.type=="SuccessCriteriaMet")].status}')"
check job-finalizers-removed "" "$(k get pods -n batch -l batch.kubernetes.io/job-name=two -o jsonpath='{.items[*].metadata.finalizers}')"
contains job-completed-event "Job completed" "$(k get events -n batch --field-selector reason=Completed -o jsonpath='{.items[*].message}')"
contains job-kubectl-get "two    Complete   2/2" "$(k get job -n batch two)"
k apply -f - >/dev/null <<Y
apiVersion: batch/v1
kind: Job
metadata: {name: fragile, namespace: batch}
spec:
  backoffLimit: 0
  template:
    spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}
Y
check job-fragile-pod 1 "$(until_eq 1 20 bash -c "kubectl get pods -n batch -l batch.kubernetes.io/job-name=fragile -o name | grep -c .")"
finish batch "$(job_pods fragile)" Failed 1
check job-failed "True BackoffLimitExceeded 1" "$(until_eq "True BackoffLimitExceeded 1" 30 kubectl get job -n batch fragile -o jsonpath='{.status.conditions[?(@.type=="Failed")].status} {.status.conditions[?(@.type=="Failed")].reason} {.status.failed}')"
check job-no-replacement 1 "$(job_pods fragile | grep -c .)"
k apply -f - >/dev/null <<Y
apiVersion: batch/v1
kind: Job
metadata: {name: indexed, namespace: batch}
spec:
  completions: 3
  parallelism: 3
  completionMode: Indexed
  ttlSecondsAfterFinished: 0
  template:
    spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}
Y
check job-indexed-pods "0 1 2" "$(until_eq "0 1 2" 20 bash -c "kubectl get pods -n batch -l batch.kubernetes.io/job-name=indexed -o jsonpath='{.items[*].metadata.labels.batch\\.kubernetes\\.io/job-completion-index}' | tr ' ' '\\n' | sort -n | xargs")"
for p in $(job_pods indexed); do finish batch "$p" Succeeded; done
check job-ttl-deleted "" "$(until_eq "" 30 bash -c "kubectl get job -n batch indexed -o name 2>/dev/null")"
check job-ttl-pods-gone 0 "$(until_eq 0 30 bash -c "kubectl get pods -n batch -l batch.kubernetes.io/job-name=indexed -o name | grep -c .")"

# DaemonSet: a pod per node its selector picks (placed by node affinity), rolled to a new
# ControllerRevision when the template changes.
k create namespace ds >/dev/null
for n in ds-a ds-b; do printf 'apiVersion: v1\nkind: Node\nmetadata: {name: %s, labels: {role: ds}}\n' "$n" | k apply -f - >/dev/null; done
k -n ds apply -f - >/dev/null <<Y
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {nodeSelector: {role: ds}, containers: [{name: c, image: busybox}]}
Y
ds_nodes() { kubectl get pods -n ds -l app=agent -o jsonpath='{range .items[*]}{.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values[0]}{"\n"}{end}' | sort | xargs; }
check daemonset-pods "ds-a ds-b" "$(until_eq "ds-a ds-b" 20 ds_nodes)"
check daemonset-status "2 2 0" "$(until_eq "2 2 0" 20 kubectl get ds -n ds agent -o jsonpath='{.status.desiredNumberScheduled} {.status.currentNumberScheduled} {.status.numberMisscheduled}')"
k -n ds set image ds/agent c=busybox:2 >/dev/null
check daemonset-rolled "busybox:2 busybox:2" "$(until_eq "busybox:2 busybox:2" 30 bash -c "kubectl get pods -n ds -l app=agent -o jsonpath='{range .items[*]}{.metadata.deletionTimestamp}{.spec.containers[0].image}{\"\\n\"}{end}' | grep -v Z | sort | xargs")"
check daemonset-revisions 2 "$(k get controllerrevisions -n ds -o name | grep -c agent-)"

# ResourceQuota usage (resourcequota): pods with their requests, services and their node ports.
k create namespace quota >/dev/null
k -n quota create quota q --hard=pods=10,requests.cpu=2,services.nodeports=4,count/deployments.apps=2 >/dev/null
k -n quota apply -f - >/dev/null <<Y
apiVersion: v1
kind: Pod
metadata: {name: p1}
spec: {containers: [{name: c, image: busybox, resources: {requests: {cpu: 250m}}}]}
Y
k -n quota create service nodeport np --tcp=80:80 >/dev/null
check quota-used "1 250m 1 0" "$(until_eq "1 250m 1 0" 20 kubectl get quota -n quota q -o jsonpath='{.status.used.pods} {.status.used.requests\.cpu} {.status.used.services\.nodeports} {.status.used.count/deployments\.apps}')"

# The status server: health as upstream's, workqueue metrics that pass promtool.
check healthz ok "$(curl -s "http://127.0.0.1:$alpha_port/healthz")"
metrics=$(curl -s "http://127.0.0.1:$alpha_port/metrics")
contains workqueue-metrics 'workqueue_adds_total{name="replicaset"}' "$metrics"
if command -v promtool >/dev/null; then check metrics-promtool "" "$(printf '%s\n' "$metrics" | promtool check metrics 2>&1)"; fi

# StatefulSet (namespace "dep", where the stand-in kubelet runs): ordered pods with stable names
# and their own claims, a rolling update, history and undo, scale-down deleting the claims
# (whenScaled: Delete) through the garbage collector.
k apply -f - >/dev/null <<Y
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: dep}
spec:
  serviceName: db
  replicas: 3
  selector: {matchLabels: {app: db}}
  persistentVolumeClaimRetentionPolicy: {whenScaled: Delete, whenDeleted: Delete}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: registry.k8s.io/pause:3.10}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
Y
contains sts-rollout-status "partitioned roll out complete: 3 new pods have been updated" "$(timeout 60 kubectl rollout status -n dep statefulset/db --timeout=50s 2>&1)"
check sts-pods "db-0 db-1 db-2" "$(k get pods -n dep -l app=db -o jsonpath='{.items[*].metadata.name}')"
check sts-pod-identity "db-1 db-1 1 db" "$(k get pod -n dep db-1 -o jsonpath='{.spec.hostname} {.metadata.labels.statefulset\.kubernetes\.io/pod-name} {.metadata.labels.apps\.kubernetes\.io/pod-index} {.spec.subdomain}')"
check sts-claims "data-db-0 data-db-1 data-db-2" "$(k get pvc -n dep -l app=db -o jsonpath='{.items[*].metadata.name}')"
check sts-claim-volume data-db-2 "$(k get pod -n dep db-2 -o jsonpath='{.spec.volumes[?(@.name=="data")].persistentVolumeClaim.claimName}')"
check sts-claim-owner StatefulSet/db "$(k get pvc -n dep data-db-0 -o jsonpath='{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}')"
contains sts-ordered-events "create Pod db-0 in StatefulSet db successful" "$(k get events -n dep --field-selector involvedObject.name=db,reason=SuccessfulCreate -o jsonpath='{.items[*].message}')"
k set image -n dep statefulset/db c=registry.k8s.io/pause:3.9 >/dev/null
contains sts-update-status "partitioned roll out complete: 3 new pods have been updated" "$(timeout 90 kubectl rollout status -n dep statefulset/db --timeout=80s 2>&1)"
check sts-updated-images "3 registry.k8s.io/pause:3.9" "$(k get pods -n dep -l app=db -o jsonpath='{range .items[*]}{.spec.containers[0].image}{"\n"}{end}' | sort | uniq -c | awk '{print $1, $2}')"
check sts-revisions-equal yes "$(k get sts -n dep db -o jsonpath='{.status.currentRevision} {.status.updateRevision}' | awk '$1==$2 && $1!="" {print "yes"}')"
check sts-history "1 2" "$(k rollout history -n dep statefulset/db | awk '$1 ~ /^[0-9]+$/ {print $1}' | xargs)"
k rollout undo -n dep statefulset/db >/dev/null
contains sts-undo-status "partitioned roll out complete: 3 new pods have been updated" "$(timeout 90 kubectl rollout status -n dep statefulset/db --timeout=80s 2>&1)"
check sts-undo-images "3 registry.k8s.io/pause:3.10" "$(k get pods -n dep -l app=db -o jsonpath='{range .items[*]}{.spec.containers[0].image}{"\n"}{end}' | sort | uniq -c | awk '{print $1, $2}')"
check sts-history-after-undo "2 3" "$(k rollout history -n dep statefulset/db | awk '$1 ~ /^[0-9]+$/ {print $1}' | xargs)"
k scale -n dep statefulset/db --replicas=1 >/dev/null
check sts-scaled-down "db-0" "$(until_eq db-0 60 kubectl get pods -n dep -l app=db -o jsonpath='{.items[*].metadata.name}')"
check sts-scaled-claims-deleted "data-db-0" "$(until_eq data-db-0 60 kubectl get pvc -n dep -l app=db -o jsonpath='{.items[*].metadata.name}')"
k delete -n dep statefulset/db >/dev/null
check sts-deleted-claims-gone "" "$(until_eq "" 60 kubectl get pvc -n dep -l app=db -o jsonpath='{.items[*].metadata.name}')"

# kill -9 during a scale-up; a standby takes over and reaches exactly the count.
# ...and during a rolling update of a 20-replica Deployment (the stand-in kubelet keeps marking
# pods Ready): the standby completes it with 20 pods, all of the new template.
k create deployment roll -n dep --image=registry.k8s.io/pause:3.10 --replicas=20 >/dev/null
contains roll-initial "successfully rolled out" "$(timeout 90 kubectl rollout status -n dep deployment/roll --timeout=80s 2>&1)"
start_cm beta; beta=$cm_pid
k set image -n dep deployment/roll pause=registry.k8s.io/pause:3.9 >/dev/null
rs big 300
sleep 1
kill -9 "$alpha"; wait "$alpha" 2>/dev/null
check scale-up-after-leader-kill 300 "$(until_eq 300 90 pods_of big)"
contains rollout-after-leader-kill "successfully rolled out" "$(timeout 120 kubectl rollout status -n dep deployment/roll --timeout=110s 2>&1)"
sleep 3
check no-extra-pods-after-settle 300 "$(pods_of big)"
check rollout-pods-after-kill "20 registry.k8s.io/pause:3.9" "$(k get pods -n dep -l app=roll -o jsonpath='{range .items[*]}{.spec.containers[0].image}{"\n"}{end}' | sort | uniq -c | awk '{print $1, $2}')"
check rollout-rs-after-kill "0 20" "$(k get rs -n dep -l app=roll -o jsonpath='{.items[*].spec.replicas}' | tr ' ' '\n' | sort -n | xargs)"
contains standby-took-over "became leader" "$(cat "$dir/controller-manager-beta.log")"

# The CronJob made at the start has run by now (at the first minute boundary after it).
check cronjob-ran yes "$(until_eq yes 70 bash -c "kubectl get jobs -n batch -o jsonpath='{.items[*].metadata.ownerReferences[0].name}' | grep -qw every && echo yes")"
contains cronjob-last-schedule "Z" "$(k get cronjob -n batch every -o jsonpath='{.status.lastScheduleTime}')"
contains cronjob-event "Created job every-" "$(k get events -n batch --field-selector reason=SuccessfulCreate -o jsonpath='{.items[*].message}')"

# nodelifecycle (its own instance, with a 3 s grace period): a node no kubelet reports for goes
# Unknown and gets the unreachable taints; a pod that does not tolerate them is evicted, one
# tolerating them for an hour stays.
# A healthy node in the same zone, its Lease renewed every second, keeps the zone from counting
# as entirely down (where upstream evicts nothing).
k create namespace silent >/dev/null
k apply -f - >/dev/null <<Y
apiVersion: v1
kind: Node
metadata: {name: healthy-node, labels: {topology.kubernetes.io/zone: z1}}
---
apiVersion: v1
kind: Node
metadata: {name: silent-node, labels: {topology.kubernetes.io/zone: z1}}
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: healthy-node, namespace: kube-node-lease}
spec: {holderIdentity: healthy-node, leaseDurationSeconds: 40}
---
apiVersion: v1
kind: Pod
metadata: {name: doomed, namespace: silent}
spec: {nodeName: silent-node, containers: [{name: c, image: busybox}]}
---
apiVersion: v1
kind: Pod
metadata: {name: patient, namespace: silent}
spec:
  nodeName: silent-node
  containers: [{name: c, image: busybox}]
  tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 3600}]
Y
k patch node healthy-node --subresource=status --type=merge -p "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"KubeletReady\",\"lastHeartbeatTime\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"lastTransitionTime\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}]}}" >/dev/null
( while :; do kubectl patch lease -n kube-node-lease healthy-node --type=merge -p "{\"spec\":{\"renewTime\":\"$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)\"}}" >/dev/null 2>&1; sleep 1; done ) &
pids+=($!)
"$bindir/controller-manager" --kubeconfig "$KUBECONFIG" --secure-port "$(free_port)" --leader-elect=false --controllers nodelifecycle \
  --node-monitor-grace-period 3s --node-startup-grace-period 3s --node-monitor-period 1s >>"$dir/controller-manager-lifecycle.log" 2>&1 &
pids+=($!)
check node-unknown "Unknown NodeStatusNeverUpdated" "$(until_eq "Unknown NodeStatusNeverUpdated" 30 kubectl get node silent-node -o jsonpath='{.status.conditions[?(@.type=="Ready")].status} {.status.conditions[?(@.type=="Ready")].reason}')"
check node-taints "node.kubernetes.io/unreachable:NoExecute node.kubernetes.io/unreachable:NoSchedule" "$(until_eq "node.kubernetes.io/unreachable:NoExecute node.kubernetes.io/unreachable:NoSchedule" 20 bash -c "kubectl get node silent-node -o jsonpath='{range .spec.taints[*]}{.key}:{.effect}{\"\\n\"}{end}' | sort | xargs")"
check taint-eviction "True DeletionByTaintManager" "$(until_eq "True DeletionByTaintManager" 20 bash -c "kubectl get pod -n silent doomed -o jsonpath='{.metadata.deletionTimestamp}' | grep -q . && kubectl get pod -n silent doomed -o jsonpath='{.status.conditions[?(@.type==\"DisruptionTarget\")].status} {.status.conditions[?(@.type==\"DisruptionTarget\")].reason}'")"
check toleration-kept "" "$(k get pod -n silent patient -o jsonpath='{.metadata.deletionTimestamp}')"
check healthy-node-untouched "True " "$(k get node healthy-node -o jsonpath='{.status.conditions[?(@.type=="Ready")].status} {.spec.taints}')"

# Namespace deletion empties it, then it goes.
k create namespace doomed >/dev/null
k create configmap -n doomed settings --from-literal=a=b >/dev/null
k delete namespace doomed --wait=false >/dev/null
check namespace-deleted "" "$(until_eq "" 60 bash -c "kubectl get namespace doomed -o name 2>/dev/null")"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
