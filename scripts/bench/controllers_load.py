"""Load for scripts/bench/controllers.sh: drives the controller-manager through the apiserver
and times it. Phases: a ReplicaSet of REPLICAS pods (time until its status counts them all,
then until a background-propagation delete has removed every pod); a Deployment of
DEPLOYMENT_REPLICAS pods rolled to a new image with maxSurge 25% while a stand-in kubelet
(a watch plus status patches) marks each new pod Ready; then SETS ReplicaSets of
REPLICAS/SETS pods left running (the controller-manager's memory is read by the caller).
Prints one JSON line of figures.
"""
import http.client
import json
import queue
import ssl
import sys
import threading
import time

host, port, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
replicas, deployment_replicas, sets = (int(x) for x in sys.argv[4:7])
big = len(sys.argv) <= 7 or sys.argv[7] != "0"  # the one-ReplicaSet phase (needs the garbage collector)
context = ssl.create_default_context(cafile=cafile)
local = threading.local()


def request(method, path, body=None, content_type="application/json"):
    """One request on this thread's keep-alive connection; returns (status, parsed body)."""
    for attempt in range(3):
        if getattr(local, "conn", None) is None:
            local.conn = http.client.HTTPSConnection(host, port, context=context, timeout=60)
        try:
            data = json.dumps(body) if body is not None else None
            local.conn.request(method, path, body=data, headers={"Content-Type": content_type, "Accept": "application/json"})
            response = local.conn.getresponse()
            text = response.read()
            return response.status, (json.loads(text) if text else None)
        except (http.client.HTTPException, OSError):
            local.conn = None
            if attempt == 2:
                raise


def wait(predicate, timeout=600, every=0.1):
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise SystemExit(f"timed out after {timeout}s")
        time.sleep(every)
    return time.monotonic() - start


def template(app, image="registry.k8s.io/pause:3.10"):
    return {"metadata": {"labels": {"app": app}}, "spec": {"containers": [{"name": "c", "image": image}]}}


def replica_set(name, count):
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": name},
            "spec": {"replicas": count, "selector": {"matchLabels": {"app": name}}, "template": template(name)}}


def pods_left(selector):
    _, body = request("GET", f"/api/v1/namespaces/bench/pods?labelSelector={selector}&limit=1")
    return len(body["items"])


class StandInKubelet:
    """Marks every pod of namespace bench Running and Ready as soon as it is seen."""

    def __init__(self, workers=8):
        self.todo = queue.Queue()
        self.stop = False
        threading.Thread(target=self.watch, daemon=True).start()
        for _ in range(workers):
            threading.Thread(target=self.patch, daemon=True).start()

    def watch(self):
        conn = http.client.HTTPSConnection(host, port, context=context)
        conn.request("GET", "/api/v1/namespaces/bench/pods?watch=1&labelSelector=app%3Ddeploy")
        response = conn.getresponse()
        while not self.stop:
            line = response.readline()
            if not line:
                return
            event = json.loads(line)
            pod = event["object"]
            if event["type"] == "ADDED" and pod.get("status", {}).get("phase") != "Running":
                self.todo.put(pod["metadata"]["name"])

    def patch(self):
        while True:
            name = self.todo.get()
            now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            request("PATCH", f"/api/v1/namespaces/bench/pods/{name}/status",
                    {"status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": now}]}},
                    "application/merge-patch+json")


def main():
    figures = {}
    request("POST", "/api/v1/namespaces", {"metadata": {"name": "bench"}})

    if big:
        big_replica_set(figures)
    if deployment_replicas:
        rolled_deployment(figures)
    if sets:
        many_replica_sets(figures)
    print(json.dumps(figures))


def big_replica_set(figures):
    """One big ReplicaSet: creation, then deletion with background propagation."""
    start = time.monotonic()
    status, _ = request("POST", "/apis/apps/v1/namespaces/bench/replicasets", replica_set("big", replicas))
    assert status == 201, status
    wait(lambda: (request("GET", "/apis/apps/v1/namespaces/bench/replicasets/big")[1].get("status", {}).get("replicas", 0) >= replicas), every=0.2)
    figures["rs_replicas"] = replicas
    figures["rs_create_s"] = round(time.monotonic() - start, 2)
    figures["rs_pods_per_s"] = round(replicas / figures["rs_create_s"])
    start = time.monotonic()
    request("DELETE", "/apis/apps/v1/namespaces/bench/replicasets/big", {"propagationPolicy": "Background"})
    wait(lambda: pods_left("app%3Dbig") == 0, every=0.2)
    figures["rs_delete_s"] = round(time.monotonic() - start, 2)


def rolled_deployment(figures):
    """A Deployment rolled to a new image."""
    kubelet = StandInKubelet()
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "deploy"},
                  "spec": {"replicas": deployment_replicas, "selector": {"matchLabels": {"app": "deploy"}},
                           "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                           "template": template("deploy")}}
    request("POST", "/apis/apps/v1/namespaces/bench/deployments", deployment)

    def complete():
        d = request("GET", "/apis/apps/v1/namespaces/bench/deployments/deploy")[1]
        s = d.get("status", {})
        return (s.get("observedGeneration", 0) >= d["metadata"]["generation"] and s.get("updatedReplicas") == deployment_replicas
                and s.get("replicas") == deployment_replicas and s.get("availableReplicas") == deployment_replicas)
    figures["deployment_replicas"] = deployment_replicas
    figures["deployment_initial_s"] = round(wait(complete, every=0.2), 2)
    request("PATCH", "/apis/apps/v1/namespaces/bench/deployments/deploy",
            {"spec": {"template": template("deploy", "registry.k8s.io/pause:3.9")}}, "application/merge-patch+json")
    time.sleep(0.2)
    figures["deployment_rollout_s"] = round(wait(complete, every=0.2) + 0.2, 2)
    kubelet.stop = True
    request("DELETE", "/apis/apps/v1/namespaces/bench/deployments/deploy", {"propagationPolicy": "Background"})
    wait(lambda: pods_left("app%3Ddeploy") == 0, every=0.2)


def many_replica_sets(figures):
    """Many ReplicaSets left running, for the caller to read the controller-manager's memory."""
    per = replicas // sets
    start = time.monotonic()
    for i in range(sets):
        request("POST", "/apis/apps/v1/namespaces/bench/replicasets", replica_set(f"rs{i}", per))
    wait(lambda: all(request("GET", f"/apis/apps/v1/namespaces/bench/replicasets/rs{i}")[1].get("status", {}).get("replicas", 0) >= per
                     for i in range(sets - 1, -1, -max(1, sets // 20))), every=0.5)
    figures["sets"] = sets
    figures["sets_pods"] = per * sets
    figures["sets_create_s"] = round(time.monotonic() - start, 2)


main()
