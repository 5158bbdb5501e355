#!/usr/bin/env python3
"""Pod startup latency: creates N pods at once (one thread each) and watches them; prints one
JSON object with create→Running latencies (seen by the watch) as p50/p99/max in seconds.
Usage: pod_startup.py KUBECONFIG NAMESPACE N IMAGE"""
import json, sys, threading, time
from kubernetes import client, config, watch

kubeconfig, namespace, count, image = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
config.load_kube_config(kubeconfig)
api = client.CoreV1Api()
sent, running = {}, {}
done = threading.Event()

def watcher(resource_version):
    w = watch.Watch()
    for event in w.stream(api.list_namespaced_pod, namespace, resource_version=resource_version, timeout_seconds=120):
        pod = event["object"]
        name = pod.metadata.name
        if pod.status and pod.status.phase == "Running" and name not in running:
            running[name] = time.monotonic()
            if len(running) >= count:
                w.stop()
    done.set()

rv = api.list_namespaced_pod(namespace).metadata.resource_version
thread = threading.Thread(target=watcher, args=(rv,), daemon=True)
thread.start()
time.sleep(0.5)

def create(i):
    name = f"startup-{i}"
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "main", "image": image, "command": ["sleep", "3600"]}],
                     "terminationGracePeriodSeconds": 1}}
    sent[name] = time.monotonic()
    api.create_namespaced_pod(namespace, body)

start = time.monotonic()
threads = [threading.Thread(target=create, args=(i,)) for i in range(count)]
for t in threads: t.start()
for t in threads: t.join()
done.wait(130)
lat = sorted(running[n] - sent[n] for n in sent if n in running)
def pct(p):
    return round(lat[min(len(lat) - 1, int(round(p / 100 * len(lat) + 0.5)) - 1)], 3) if lat else None
print(json.dumps({"pods": count, "running": len(lat), "p50_s": pct(50), "p99_s": pct(99),
                  "max_s": round(lat[-1], 3) if lat else None,
                  "all_running_after_s": round(max(running.values()) - start, 3) if running else None}))
