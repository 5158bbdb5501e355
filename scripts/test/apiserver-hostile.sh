#!/usr/bin/env bash
# Hostile clients against the real apiserver (HTTPS on a random loopback port over a kvstore):
# a JSON body nested 10,001 levels deep and a YAML alias bomb are answered 400 at once with the
# server's RSS unchanged; 1,000 connections that trickle a request head one byte a second are
# dropped at the 32 s header deadline while `kubectl get ns` from another client keeps answering
# (its worst latency, kubectl's own start included, is printed before and during the flood). Prints "N passed, N failed"; KEEP_LOGS=1 keeps
# the temp dir. FLOOD=N sets the number of slow connections.
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/test/lib/apiserver-env.sh
source scripts/test/lib/checks.sh
ulimit -n 65536 2>/dev/null || true
apiserver_pid=${pids[1]}
rss() { awk '/VmRSS/ {print $2}' "/proc/$apiserver_pid/status"; }

python3 - "$api" "$dir/certs/apiserver.crt" "$apiserver_pid" "${FLOOD:-1000}" >"$dir/hostile.out" <<'PY'
import asyncio, json, ssl, subprocess, sys, time
port, ca, pid, flood = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
ctx = ssl.create_default_context(cafile=ca)
ctx.check_hostname = False
def rss():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"): return int(line.split()[1])
async def request(method, path, body, ctype):
    r, w = await asyncio.open_connection("127.0.0.1", port, ssl=ctx)
    head = f"{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    start = time.monotonic()
    w.write(head.encode() + body); await w.drain()
    data = await r.read()
    w.close()
    return int(data.split(b" ", 2)[1]), time.monotonic() - start, data
async def main():
    out = {}
    before = rss()
    deep = b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":' + b"[" * 10001 + b"]" * 10001 + b"}"
    status, took, _ = await request("POST", "/api/v1/namespaces/default/configmaps", deep, "application/json")
    out["deep_json"] = status; out["deep_json_ms"] = round(took * 1000, 1)
    bomb = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10): bomb.append(f"a{i}: &a{i} [" + ",".join([f"*a{i-1}"] * 9) + "]")
    body = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n" + "\n".join("  " + l for l in bomb) + "\n").encode()
    status, took, _ = await request("POST", "/api/v1/namespaces/default/configmaps", body, "application/yaml")
    out["alias_bomb"] = status; out["alias_bomb_ms"] = round(took * 1000, 1)
    out["rss_growth_kib"] = rss() - before
    async def kubectl_ms():
        start = time.monotonic()
        p = await asyncio.create_subprocess_exec("kubectl", "get", "ns", "-o", "name", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        await p.wait()
        return time.monotonic() - start
    out["kubectl_get_ns_max_ms_before_flood"] = round(max([await kubectl_ms() for _ in range(3)]) * 1000)
    # The slow-client flood: each connection sends a request head one byte a second.
    conns = []
    opened_at = []
    for i in range(flood):
        try:
            conns.append(await asyncio.open_connection("127.0.0.1", port, ssl=ctx))
            opened_at.append(time.monotonic())
        except OSError:
            break
    out["flood_opened"] = len(conns)
    head = b"GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 100
    latencies = []
    closed_at = {}
    async def trickle(i, r, w):
        for b in range(len(head)):
            try:
                w.write(head[b:b+1]); await w.drain()
            except (ConnectionError, ssl.SSLError):
                closed_at[i] = time.monotonic(); return
            if r.at_eof():
                closed_at[i] = time.monotonic(); return
            await asyncio.sleep(1)
    async def probe():
        for _ in range(6):
            latencies.append(await kubectl_ms())
            await asyncio.sleep(4)
    start = time.monotonic()
    tasks = [asyncio.create_task(trickle(i, r, w)) for i, (r, w) in enumerate(conns)]
    await probe()
    await asyncio.wait(tasks, timeout=45)
    out["kubectl_get_ns_max_ms_during_flood"] = round(max(latencies) * 1000)
    out["flood_dropped_by_server"] = len(closed_at)
    # Each connection's life, from its TLS connection to the server closing it.
    lives = [closed_at[i] - opened_at[i] for i in closed_at]
    out["flood_dropped_after_s_min"] = round(min(lives), 1) if lives else None
    out["flood_dropped_after_s_max"] = round(max(lives), 1) if lives else None
    print(json.dumps(out))
asyncio.run(main())
PY
figures=$(cat "$dir/hostile.out")
echo "$figures"
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2]))' "$figures" "$1"; }
check deep-json-400 400 "$(field deep_json)"
check alias-bomb-400 400 "$(field alias_bomb)"
check rss-unchanged yes "$(python3 -c 'import sys; print("yes" if int(sys.argv[1]) < 20480 else "no")' "$(field rss_growth_kib)")"
check flood-opened "${FLOOD:-1000}" "$(field flood_opened)"
check flood-dropped "${FLOOD:-1000}" "$(field flood_dropped_by_server)"
check flood-dropped-at-header-deadline yes "$(python3 -c 'import sys; print("yes" if 31 <= float(sys.argv[1]) and float(sys.argv[2]) <= 40 else "no")' "$(field flood_dropped_after_s_min)" "$(field flood_dropped_after_s_max)")"
check server-alive-after ok "$(curl -sf --cacert "$dir/certs/apiserver.crt" "https://127.0.0.1:$api/readyz")"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
