"""Checks the apiserver with the official Python client (run by apiserver-python.sh)."""
import threading
import time

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

config.load_kube_config()
core = client.CoreV1Api()
apps = client.AppsV1Api()
passed = failed = 0


def check(name, expected, actual):
    global passed, failed
    if expected == actual:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name}\n  expected: {expected!r}\n  actual:   {actual!r}")


def status_of(call):
    try:
        call()
        return 200
    except ApiException as error:
        return error.status


ns = "pyclient"
core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=ns)))
check("namespace-active", "Active", core.read_namespace(ns).status.phase)

cm = core.create_namespaced_config_map(ns, client.V1ConfigMap(
    metadata=client.V1ObjectMeta(name="one", labels={"app": "py"}), data={"k": "v"}))
check("create-uid", True, bool(cm.metadata.uid))
check("create-rv", True, int(cm.metadata.resource_version) > 0)
for i in range(5):
    core.create_namespaced_config_map(ns, client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name=f"page-{i}", labels={"app": "paged"})))

listed = core.list_namespaced_config_map(ns, label_selector="app=py")
check("list-selector", ["one"], [i.metadata.name for i in listed.items])

# Pagination with continue tokens sees every object once.
names, token = [], None
while True:
    page = core.list_namespaced_config_map(ns, label_selector="app=paged", limit=2, _continue=token)
    names += [i.metadata.name for i in page.items]
    token = page.metadata._continue
    if not token:
        break
check("list-pages", [f"page-{i}" for i in range(5)], names)

# Watch from the list's resourceVersion sees a later patch, with bookmarks allowed.
events = []


def watcher(rv):
    w = watch.Watch()
    for event in w.stream(core.list_namespaced_config_map, ns, resource_version=rv,
                          allow_watch_bookmarks=True, timeout_seconds=5):
        events.append((event["type"], event["object"].metadata.name))
        if event["type"] == "MODIFIED":
            w.stop()


thread = threading.Thread(target=watcher, args=(listed.metadata.resource_version,))
thread.start()
time.sleep(0.5)
patched = core.patch_namespaced_config_map("one", ns, {"data": {"k": "v2"}, "metadata": {"labels": {"x": "y"}}})
thread.join(timeout=10)
check("patch-data", "v2", patched.data["k"])
check("watch-sees-patch", True, ("MODIFIED", "one") in events)
check("watch-no-replay", False, ("ADDED", "one") in events)

# A watch from a compacted/too-old revision ends with 410 Gone.
def too_old():
    for _ in watch.Watch().stream(core.list_namespaced_config_map, ns, resource_version="1", timeout_seconds=2):
        pass


check("watch-too-old-410", 410, status_of(too_old))

# Update with a stale resourceVersion is a 409.
stale = core.read_namespaced_config_map("one", ns)
core.patch_namespaced_config_map("one", ns, {"data": {"k": "v3"}})
check("stale-update-409", 409, status_of(lambda: core.replace_namespaced_config_map("one", ns, stale)))

dep = apps.create_namespaced_deployment(ns, client.V1Deployment(
    metadata=client.V1ObjectMeta(name="web"),
    spec=client.V1DeploymentSpec(
        replicas=1, selector=client.V1LabelSelector(match_labels={"app": "web"}),
        template=client.V1PodTemplateSpec(
            metadata=client.V1ObjectMeta(labels={"app": "web"}),
            spec=client.V1PodSpec(containers=[client.V1Container(name="web", image="nginx")])))))
check("deployment-defaults", ("RollingUpdate", 10), (dep.spec.strategy.type, dep.spec.revision_history_limit))
apps.patch_namespaced_deployment_scale("web", ns, {"spec": {"replicas": 4}})
check("scale", 4, apps.read_namespaced_deployment_scale("web", ns).spec.replicas)
check("invalid-422", 422, status_of(lambda: core.create_namespaced_pod(ns, client.V1Pod(
    metadata=client.V1ObjectMeta(name="p"), spec=client.V1PodSpec(containers=[client.V1Container(name="c")])))))

core.delete_namespaced_config_map("one", ns)
check("delete-404", 404, status_of(lambda: core.read_namespaced_config_map("one", ns)))
core.delete_collection_namespaced_config_map(ns, label_selector="app=paged")
check("deletecollection-gone", [], [i.metadata.name for i in core.list_namespaced_config_map(ns, label_selector="app=paged").items])

print(f"{passed} passed, {failed} failed")
raise SystemExit(1 if failed else 0)
