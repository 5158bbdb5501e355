"""Load generator for scripts/bench/apiserver.sh: HTTP/1.1 keep-alive over TLS with asyncio.

Phases (against one apiserver): create N pods with C concurrent clients; get pods; list all
pods; then W watchers on the namespace while updates are sent at a fixed rate (as Kubernetes'
density tests do; 0 = as fast as possible), measuring event delay (receive time minus the send
time stamped into the update). Prints one JSON line of figures. With W = 0 the watch phase is
skipped (apiserver.sh runs it with `skiff bench watch-load`, which is light enough not to skew
the delays it measures on a 2-core machine).
"""
import asyncio
import json
import ssl
import sys
import time

host, port, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
pods, concurrency, watchers, updates = (int(x) for x in sys.argv[4:8])
update_rate = float(sys.argv[8]) if len(sys.argv) > 8 else 0.0  # updates/s; 0 = as fast as possible
ns = "bench"
context = ssl.create_default_context(cafile=cafile)


class Connection:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self):
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(host, port, ssl=context)

    async def request(self, method, path, body=None, content_type="application/json"):
        data = json.dumps(body).encode() if body is not None else b""
        head = (f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: {len(data)}\r\n\r\n").encode()
        self.writer.write(head + data)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        chunked = False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
            if name.lower() == "transfer-encoding" and "chunked" in value:
                chunked = True
        if chunked:
            payload = b""
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                if size == 0:
                    await self.reader.readline()
                    break
                payload += await self.reader.readexactly(size)
                await self.reader.readline()
            return status, payload
        return status, await self.reader.readexactly(length)


def pod(i):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"pod-{i}", "namespace": ns, "labels": {"app": "bench", "shard": str(i % 10)}},
            "spec": {"containers": [{"name": "c", "image": "registry.local/pause:3.9",
                                     "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}}


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else 0.0


async def run_clients(count, work, rate=0.0):
    """Runs `work(conn, i)` for i in range(count) over `concurrency` connections (item i not
    before start + i/rate when a rate is given); returns latencies, elapsed time, errors."""
    latencies, errors = [], [0]
    samples = []
    queue = iter(range(count))

    async def client():
        conn = Connection()
        await conn.open()
        for i in queue:
            if rate > 0:
                due = began + i / rate
                if due > time.perf_counter():
                    await asyncio.sleep(due - time.perf_counter())
            start = time.perf_counter()
            status, body = await work(conn, i)
            latencies.append(time.perf_counter() - start)
            if status >= 300:
                errors[0] += 1
                if len(samples) < 3:
                    samples.append(f"{status} {body[:300]!r}")
                    print("error sample:", samples[-1], file=sys.stderr)
        conn.writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return latencies, time.perf_counter() - began, errors[0]


async def main():
    setup = Connection()
    await setup.open()
    await setup.request("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    base = f"/api/v1/namespaces/{ns}/pods"

    async def create(conn, i):
        return await conn.request("POST", base, pod(i))

    create_lat, create_time, create_err = await run_clients(pods, create)

    async def get(conn, i):
        return await conn.request("GET", f"{base}/pod-{i % pods}")

    get_lat, _, get_err = await run_clients(min(pods, 5000), get)

    list_times = []
    for _ in range(5):
        start = time.perf_counter()
        status, body = await setup.request("GET", base)
        list_times.append(time.perf_counter() - start)
    listed = len(json.loads(body)["items"])
    rv = json.loads(body)["metadata"]["resourceVersion"]

    if watchers == 0:
        print(json.dumps({
            "creates": pods, "create_errors": create_err, "create_per_s": pods / create_time,
            "create_p50_ms": percentile(create_lat, 0.5) * 1000, "create_p99_ms": percentile(create_lat, 0.99) * 1000,
            "get_p50_ms": percentile(get_lat, 0.5) * 1000, "get_p99_ms": percentile(get_lat, 0.99) * 1000, "get_errors": get_err,
            "listed": listed, "list_ms": percentile(list_times, 0.5) * 1000,
        }))
        return

    # Watchers: each on its own connection, from the list's resourceVersion.
    delays, ready = [], asyncio.Event()
    opened = [0]
    marker = b'"bench/sent":"'

    async def watcher():
        reader, writer = await asyncio.open_connection(host, port, ssl=context)
        writer.write((f"GET {base}?watch=true&resourceVersion={rv}&timeoutSeconds=600 HTTP/1.1\r\n"
                      f"Host: {host}\r\nAccept: application/json\r\n\r\n").encode())
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        opened[0] += 1
        if opened[0] == watchers:
            ready.set()
        seen = 0
        buffer = b""
        try:
            while seen < updates:
                chunk = await reader.read(65536)
                if not chunk:
                    break
                now = time.time()
                buffer += chunk
                while True:
                    at = buffer.find(marker)
                    if at < 0:
                        buffer = buffer[-64:]
                        break
                    end = buffer.find(b'"', at + len(marker))
                    if end < 0:
                        buffer = buffer[at:]
                        break
                    delays.append(now - float(buffer[at + len(marker):end]))
                    seen += 1
                    buffer = buffer[end:]
        finally:
            writer.close()

    tasks = [asyncio.create_task(watcher()) for _ in range(watchers)]
    await asyncio.wait_for(ready.wait(), 60)

    async def update(conn, i):
        patch = {"metadata": {"annotations": {"bench/sent": repr(time.time())}}}
        return await conn.request("PATCH", f"{base}/pod-{i % pods}", patch, "application/merge-patch+json")

    update_lat, update_time, update_err = await run_clients(updates, update, update_rate)
    await asyncio.wait_for(asyncio.gather(*tasks), 120)

    print(json.dumps({
        "creates": pods, "create_errors": create_err, "create_per_s": pods / create_time,
        "create_p50_ms": percentile(create_lat, 0.5) * 1000, "create_p99_ms": percentile(create_lat, 0.99) * 1000,
        "get_p50_ms": percentile(get_lat, 0.5) * 1000, "get_p99_ms": percentile(get_lat, 0.99) * 1000, "get_errors": get_err,
        "listed": listed, "list_ms": percentile(list_times, 0.5) * 1000,
        "updates": updates, "update_errors": update_err, "update_per_s": updates / update_time,
        "update_p50_ms": percentile(update_lat, 0.5) * 1000, "update_p99_ms": percentile(update_lat, 0.99) * 1000,
        "update_rate_asked": update_rate, "watchers": watchers, "watch_events": len(delays),
        "watch_delay_p50_ms": percentile(delays, 0.5) * 1000, "watch_delay_p99_ms": percentile(delays, 0.99) * 1000,
    }))


asyncio.run(main())
