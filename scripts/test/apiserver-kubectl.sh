#!/usr/bin/env bash
# Drives the real kubectl against the apiserver (HTTPS, self-signed certificate) over a
# kvstore — or real etcd with STORE=etcd — on random loopback ports, and checks each answer.
# Cleans up its processes by PID. Prints "N passed, N failed"; KEEP_LOGS=1 keeps the temp dir.
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/test/lib/apiserver-env.sh
k() { kubectl --request-timeout=10s "$@" 2>&1; }

source scripts/test/lib/checks.sh

check system-namespaces $'default\nkube-node-lease\nkube-public\nkube-system' "$(k get ns -o name | sed 's|namespace/||')"
check api-versions-has-apps "apps/v1" "$(k api-versions | grep -x apps/v1)"
# The apiserver publishes itself as the kubernetes Service's endpoints (lease reconciler).
check kubernetes-endpoints "127.0.0.1:$api true" "$(k get endpoints kubernetes -o jsonpath='{.subsets[0].addresses[0].ip}:{.subsets[0].ports[0].port} {.metadata.labels.endpointslice\.kubernetes\.io/skip-mirror}')"
check kubernetes-endpointslice "127.0.0.1 $api" "$(k get endpointslice kubernetes -o jsonpath='{.endpoints[0].addresses[0]} {.ports[0].port}')"
contains api-resources-pods "pods                                po           v1                                true         Pod" "$(k api-resources)"

cat >"$dir/app.yaml" <<'Y'
apiVersion: v1
kind: Namespace
metadata:
  name: demo
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: demo
  labels: {app: web, tier: front}
data:
  color: blue
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: demo
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
Y
check create-multi $'namespace/demo created\nconfigmap/settings created\ndeployment.apps/web created' "$(k create -f "$dir/app.yaml")"
check create-again-conflict 'Error from server (AlreadyExists): error when creating "'"$dir/app.yaml"'": configmaps "settings" already exists' "$(k create -f "$dir/app.yaml" | grep settings)"
check create-namespace "namespace/scratch created" "$(k create namespace scratch)"
contains get-wide "CONTAINERS   IMAGES       SELECTOR" "$(k -n demo get deploy web -o wide)"
contains get-yaml "  name: settings" "$(k -n demo get cm settings -o yaml)"
check get-json-kind "ConfigMap" "$(k -n demo get cm settings -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["kind"])')"
check get-jsonpath "blue" "$(k -n demo get cm settings -o jsonpath='{.data.color}')"
check get-name "configmap/settings" "$(k -n demo get cm -l app=web -o name)"
check get-label-miss "No resources found in demo namespace." "$(k -n demo get cm -l app=db)"
check get-custom-columns $'NAME       COLOR\nsettings   blue' "$(k -n demo get cm settings -o custom-columns=NAME:.metadata.name,COLOR:.data.color)"
check deployment-defaults "RollingUpdate 25% 10 600" "$(k -n demo get deploy web -o jsonpath='{.spec.strategy.type} {.spec.strategy.rollingUpdate.maxSurge} {.spec.revisionHistoryLimit} {.spec.progressDeadlineSeconds}')"
check deployment-generation "1" "$(k -n demo get deploy web -o jsonpath='{.metadata.generation}')"
contains get-table-columns "NAME   READY   UP-TO-DATE   AVAILABLE   AGE" "$(k -n demo get deploy)"
contains get-all-namespaces "demo        settings" "$(k get cm -A)"
check field-selector "settings" "$(k -n demo get cm --field-selector metadata.name=settings -o jsonpath='{.items[*].metadata.name}')"
check label "configmap/settings labeled" "$(k -n demo label cm settings env=prod)"
check annotate "configmap/settings annotated" "$(k -n demo annotate cm settings note=hi)"
check label-visible "prod hi" "$(k -n demo get cm settings -o jsonpath='{.metadata.labels.env} {.metadata.annotations.note}')"
check patch-strategic "deployment.apps/web patched" "$(k -n demo patch deploy web -p '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.28"}]}}}}')"
check patch-strategic-kept "nginx:1.28 80" "$(k -n demo get deploy web -o jsonpath='{.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort}')"
check patch-generation "2" "$(k -n demo get deploy web -o jsonpath='{.metadata.generation}')"
check patch-merge "configmap/settings patched" "$(k -n demo patch cm settings --type merge -p '{"data":{"size":"xl"}}')"
check patch-json "configmap/settings patched" "$(k -n demo patch cm settings --type json -p '[{"op":"remove","path":"/data/size"}]')"
check patch-result "blue " "$(k -n demo get cm settings -o jsonpath='{.data.color} {.data.size}')"
check scale "deployment.apps/web scaled" "$(k -n demo scale deploy web --replicas=3)"
check scale-result "3" "$(k -n demo get deploy web -o jsonpath='{.spec.replicas}')"
check dry-run-server "configmap/ghost created (server dry run)" "$(k -n demo create configmap ghost --from-literal=a=b --dry-run=server)"
check dry-run-not-stored 'Error from server (NotFound): configmaps "ghost" not found' "$(k -n demo get cm ghost)"
# kubectl sends a delete's dry run in the DeleteOptions body, not the query.
check dry-run-delete 'configmap "settings" deleted (server dry run)' "$(k -n demo delete cm settings --dry-run=server)"
check dry-run-delete-kept "settings" "$(k -n demo get cm settings -o jsonpath='{.metadata.name}')"
check dry-run-delete-all "configmap \"settings\" deleted (server dry run)" "$(k -n demo delete cm --all --dry-run=server | grep settings)"
check dry-run-delete-all-kept "settings" "$(k -n demo get cm settings -o jsonpath='{.metadata.name}')"
check dry-run-scale "deployment.apps/web scaled (server dry run)" "$(k -n demo scale deploy web --replicas=9 --dry-run=server)"
check dry-run-label "configmap/settings labeled (server dry run)" "$(k -n demo label cm settings probe=x --dry-run=server)"
check dry-run-unchanged "3 " "$(k -n demo get deploy web -o jsonpath='{.spec.replicas}') $(k -n demo get cm settings -o jsonpath='{.metadata.labels.probe}')"
check create-secret "secret/s1 created" "$(k -n demo create secret generic s1 --from-literal=password=hunter2)"
check secret-type "Opaque aHVudGVyMg==" "$(k -n demo get secret s1 -o jsonpath='{.type} {.data.password}')"
check create-sa "serviceaccount/robot created" "$(k -n demo create serviceaccount robot)"
check create-role "role.rbac.authorization.k8s.io/reader created" "$(k -n demo create role reader --verb=get --resource=pods)"
check create-rolebinding "rolebinding.rbac.authorization.k8s.io/reader created" "$(k -n demo create rolebinding reader --role=reader --serviceaccount=demo:robot)"
check create-deployment "deployment.apps/api created" "$(k -n demo create deployment api --image=busybox)"

# apply twice: client-side apply (last-applied annotation + strategic merge patch)
cat >"$dir/apply.yaml" <<'Y'
apiVersion: v1
kind: ConfigMap
metadata:
  name: applied
  namespace: demo
data:
  a: "1"
  b: "2"
Y
check apply-create "configmap/applied created" "$(k apply -f "$dir/apply.yaml")"
sed -i 's/  b: "2"/  c: "3"/' "$dir/apply.yaml"
check apply-update "configmap/applied configured" "$(k apply -f "$dir/apply.yaml")"
check apply-result "1||3" "$(k -n demo get cm applied -o jsonpath='{.data.a}|{.data.b}|{.data.c}')"
check apply-unchanged "configmap/applied unchanged" "$(k apply -f "$dir/apply.yaml")"
check diff-clean "0" "$(k diff -f "$dir/apply.yaml" >/dev/null 2>&1; echo $?)"
sed -i 's/  c: "3"/  c: "4"/' "$dir/apply.yaml"
contains diff-change '+  c: "4"' "$(k diff -f "$dir/apply.yaml")"

# edit with EDITOR set to a script
cat >"$dir/editor.sh" <<'SH'
#!/bin/sh
sed -i 's/color: blue/color: green/' "$1"
SH
chmod +x "$dir/editor.sh"
check edit "configmap/settings edited" "$(EDITOR="$dir/editor.sh" k -n demo edit cm settings)"
check edit-result "green" "$(k -n demo get cm settings -o jsonpath='{.data.color}')"

# 409 on a stale update
k -n demo get cm settings -o json >"$dir/stale.json"
k -n demo label cm settings bump=1 >/dev/null
contains stale-update-409 'Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again' "$(k replace -f "$dir/stale.json")"

# watch sees a later change
timeout 4 kubectl -n demo get cm settings -w -o name >"$dir/watch.out" 2>&1 &
watcher=$!
sleep 1.5
k -n demo label cm settings watched=yes >/dev/null
wait "$watcher" 2>/dev/null
check watch-sees-change "2" "$(grep -c configmap/settings "$dir/watch.out")"

# validation and bad input
contains invalid-pod 'spec.containers[0].image: Required value' "$(printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: bad, namespace: demo}\nspec:\n  containers:\n  - name: c\n' | k create -f -)"
contains invalid-name 'metadata.name: Invalid value: "Bad_Name"' "$(k -n demo create configmap Bad_Name)"
contains strict-unknown-field 'strict decoding error: unknown field "spec"' "$(printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: demo}\nspec: {bogus: 1}\n' | k create -f -)"
contains missing-namespace 'namespaces "nowhere" not found' "$(k -n nowhere create configmap c)"
contains explain 'FIELD: containers <[]Container>' "$(k explain pod.spec.containers)"

# describe shows the object
contains describe "Name:         settings" "$(k -n demo describe cm settings)"

# events: core/v1 and events.k8s.io/v1 are two views of the same objects
uid=$(k -n demo get cm settings -o jsonpath='{.metadata.uid}')
printf 'apiVersion: v1\nkind: Event\nmetadata: {name: ev1, namespace: demo}\ninvolvedObject: {kind: ConfigMap, name: settings, namespace: demo, uid: %s}\nreason: Tested\nmessage: hello\ntype: Normal\nsource: {component: itest}\n' "$uid" | k create -f - >/dev/null
check events-both-views "hello|ConfigMap|Tested" "$(k -n demo get events.v1.events.k8s.io ev1 -o jsonpath='{.note}|{.regarding.kind}|{.reason}')"
contains describe-events "Normal  Tested" "$(k -n demo describe cm settings)"

# eviction respects a PodDisruptionBudget once it has status
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: ev-pod, namespace: demo, labels: {app: guarded}}\nspec:\n  containers: [{name: c, image: busybox}]\n' | k create -f - >/dev/null
printf 'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: guard, namespace: demo}\nspec:\n  minAvailable: 1\n  selector: {matchLabels: {app: guarded}}\n' | k create -f - >/dev/null
k -n demo patch pdb guard --subresource=status --type merge -p '{"status":{"observedGeneration":1,"disruptionsAllowed":0,"currentHealthy":1,"desiredHealthy":1,"expectedPods":1}}' >/dev/null
raw() { curl -s --cacert "$dir/certs/apiserver.crt" -H 'Authorization: Bearer skiff-local-admin' "$@"; }
base="https://127.0.0.1:$api"
evict() { raw -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' "$base/api/v1/namespaces/demo/pods/ev-pod/eviction" -d '{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"ev-pod","namespace":"demo"}}'; }
check eviction-blocked "429" "$(evict)"
k -n demo patch pdb guard --subresource=status --type merge -p '{"status":{"disruptionsAllowed":1}}' >/dev/null
check eviction-allowed "201" "$(evict)"
check eviction-deleted 'Error from server (NotFound): pods "ev-pod" not found' "$(k -n demo get pod ev-pod)"
check eviction-budget-taken "0" "$(k -n demo get pdb guard -o jsonpath='{.status.disruptionsAllowed}')"

# bad input: a clear Status, and the server keeps serving
code() { raw -o "$dir/body" -w '%{http_code}' "$@"; }
check bad-json "400" "$(code -X POST -H 'Content-Type: application/json' "$base/api/v1/namespaces/demo/configmaps" -d '{"kind":')"
contains bad-json-status '"kind":"Status"' "$(cat "$dir/body")"
check unknown-resource "404" "$(code "$base/api/v1/namespaces/demo/widgets")"
check namespace-mismatch "400" "$(code -X POST -H 'Content-Type: application/json' "$base/api/v1/namespaces/demo/configmaps" -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"other"}}')"
contains namespace-mismatch-message "does not match the namespace" "$(cat "$dir/body")"
check invalid-name-422 "422" "$(code -X POST -H 'Content-Type: application/json' "$base/api/v1/namespaces/demo/configmaps" -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"-bad-"}}')"
contains invalid-name-causes '"field":"metadata.name"' "$(cat "$dir/body")"
head -c 3200000 /dev/zero | tr '\0' 'a' >"$dir/big"
check body-too-large "413" "$(code -X POST -H 'Content-Type: application/json' --data-binary @"$dir/big" "$base/api/v1/namespaces/demo/configmaps")"
check watch-garbage-rv "400" "$(code "$base/api/v1/namespaces/demo/configmaps?watch=true&resourceVersion=abc")"
# hostile bodies: JSON nested past Go's 10,000 levels, and a YAML alias bomb, get a 400 at once
python3 -c 'import sys; d=100000; sys.stdout.write("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"deep\"},\"data\":" + "["*d + "]"*d + "}")' >"$dir/deep.json"
check deep-json-400 "400" "$(code -X POST -H 'Content-Type: application/json' --data-binary @"$dir/deep.json" "$base/api/v1/namespaces/demo/configmaps")"
contains deep-json-message "exceeded max depth" "$(cat "$dir/body")"
{ echo 'apiVersion: v1'; echo 'kind: ConfigMap'; echo 'metadata: {name: laughs}'; echo 'l0: &l0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]'
  for i in 1 2 3 4 5 6 7 8; do echo "l$i: &l$i [$(printf "*l$((i - 1)),%.0s" 1 2 3 4 5 6 7 8)*l$((i - 1))]"; done; } >"$dir/laughs.yaml"
check yaml-alias-bomb-400 "400" "$(code -X POST -H 'Content-Type: application/yaml' --data-binary @"$dir/laughs.yaml" "$base/api/v1/namespaces/demo/configmaps")"
contains yaml-alias-bomb-message "document contains excessive aliasing" "$(cat "$dir/body")"
check still-serving "default" "$(k get ns default -o jsonpath='{.metadata.name}')"
check delete-default-forbidden 'Error from server (Forbidden): namespaces "default" is forbidden: this namespace may not be deleted' "$(k delete ns default)"

# field documentation, reviews, storage versions and response compression (apiserver fidelity)
contains explain-description "Number of desired pods." "$(k explain deployment.spec.replicas)"
contains explain-fields "progressDeadlineSeconds	<integer>" "$(k explain deployment.spec)"
contains whoami "system:anonymous" "$(k auth whoami)"
check can-i "yes" "$(k auth can-i create deployments -n demo)"
contains can-i-list "*.*         []                  []               [*]" "$(k auth can-i --list -n demo)"
check autoscale "horizontalpodautoscaler.autoscaling/web autoscaled" "$(k -n demo autoscale deployment web --max 5 --cpu-percent 50)"
check hpa-v1-view "50" "$(k -n demo get horizontalpodautoscalers.v1.autoscaling web -o jsonpath='{.spec.targetCPUUtilizationPercentage}')"
check hpa-v2-view "Resource cpu 50" "$(k -n demo get horizontalpodautoscalers.v2.autoscaling web -o jsonpath='{.spec.metrics[0].type} {.spec.metrics[0].resource.name} {.spec.metrics[0].resource.target.averageUtilization}')"
check bootstrap-cluster-admin "system:masters ClusterRole/cluster-admin" "$(k get clusterrolebinding cluster-admin -o jsonpath='{.subjects[0].name} {.roleRef.kind}/{.roleRef.name}')"
check bootstrap-roles-count "65 46" "$(k get clusterroles -o name | wc -l) $(k get clusterrolebindings -o name | wc -l)"
check bootstrap-namespaced "system::leader-locking-kube-scheduler" "$(k -n kube-system get role system::leader-locking-kube-scheduler -o jsonpath='{.metadata.name}')"
check storage-version-hash "xPOwRZ+Yhw8=" "$(raw "$base/api/v1" | python3 -c 'import json,sys; print([r["storageVersionHash"] for r in json.load(sys.stdin)["resources"] if r["name"] == "pods"][0])')"
python3 -c '
import json
items = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "bulk-%d" % i, "namespace": "demo"}, "data": {"v": "x" * 1000}} for i in range(150)]
print(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))' >"$dir/bulk.json"
k create -f "$dir/bulk.json" >/dev/null
contains list-gzip "content-encoding: gzip" "$(raw -D - -o "$dir/bulk.gz" -H 'Accept-Encoding: gzip' "$base/api/v1/namespaces/demo/configmaps" | tr 'A-Z' 'a-z')"
check list-gzip-body "150" "$(gunzip -c "$dir/bulk.gz" | python3 -c 'import json,sys; print(sum(1 for i in json.load(sys.stdin)["items"] if i["metadata"]["name"].startswith("bulk-")))')"
check list-kubectl-gzip "150" "$(k -n demo get cm -o name | grep -c bulk-)"
check small-not-gzipped "" "$(raw -D - -o /dev/null -H 'Accept-Encoding: gzip' "$base/api/v1/namespaces/demo/configmaps/bulk-1" | grep -i content-encoding)"

# delete
check delete-cm 'configmap "applied" deleted' "$(k -n demo delete cm applied)"
check delete-gone 'Error from server (NotFound): configmaps "applied" not found' "$(k -n demo get cm applied)"
check delete-wait 'configmap "settings" deleted' "$(k -n demo delete cm settings --wait --grace-period=0)"
check delete-ns 'namespace "demo" deleted' "$(k delete ns demo --wait=false)"
check ns-terminating "Terminating" "$(k get ns demo -o jsonpath='{.status.phase}')"
contains create-in-terminating "because it is being terminated" "$(k -n demo create configmap late)"

# the component skeleton: health checks as kube-apiserver's, /metrics passes promtool, --v=4 logs requests
check readyz-verbose "[+]ping ok|[+]shutdown ok|[+]etcd ok|readyz check passed" "$(raw "$base/readyz?verbose" | paste -sd'|')"
check livez-etcd "ok" "$(raw "$base/livez/etcd")"
if command -v promtool >/dev/null; then
  check metrics-promtool "" "$(raw "$base/metrics" | promtool check metrics 2>&1)"
fi
check log-format true "$(grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z INFO apiserver: serving address=https://' "$dir/apiserver.log" && echo true)"

# SIGTERM under a kubectl create loop: exit 0 within 10 s; every create kubectl saw succeed is
# there after a restart.
k create ns sig >/dev/null
: >"$dir/acked"
( for i in $(seq 1 60); do k -n sig create configmap "c$i" >/dev/null && echo "c$i" >>"$dir/acked"; done ) &
loop=$!
for _ in $(seq 100); do [ "$(wc -l <"$dir/acked")" -ge 5 ] && break; sleep 0.1; done
termed=$(date +%s%N); kill -TERM "${pids[1]}"
for _ in $(seq 120); do kill -0 "${pids[1]}" 2>/dev/null || break; sleep 0.1; done
wait "${pids[1]}"; status=$?
check sigterm-exit-0 0 "$status"
check sigterm-within-10s true "$([ $(( ($(date +%s%N) - termed) / 1000000000 )) -lt 10 ] && echo true)"
check sigterm-logged true "$(grep -q 'NOTICE apiserver: shutting down gracefully' "$dir/apiserver.log" && echo true)"
wait "$loop" 2>/dev/null
"$bindir/apiserver" --etcd-servers "http://127.0.0.1:$client" --secure-port "$api" --cert-dir "$dir/certs" --v 4 \
  >"$dir/apiserver-2.log" 2>&1 &
pids+=($!)
for _ in $(seq 150); do raw "$base/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
check sigterm-no-acknowledged-create-lost "" "$(comm -23 <(sort "$dir/acked") <(k -n sig get cm -o name | sed 's|configmap/||' | sort))"
check v4-request-log true "$(grep -qE 'TRACE apiserver: HTTP .*URI=/api/v1/namespaces/sig/configmaps' "$dir/apiserver-2.log" && echo true)"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
