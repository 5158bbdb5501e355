#!/usr/bin/env bash
# Runs a 3-member kvstore cluster on loopback (random ports, temp data dirs, default raft timings)
# and drives it with the real etcdctl: the v3 API across members, bad input, leader kill -9 under
# concurrent writers (failover time, no acknowledged write lost), snapshot catch-up of a stopped
# follower, recovery from a torn WAL tail, and adding then removing a fourth member. Prints "N passed, N failed"; exits 1 on failure.
#
# The same script runs against real etcd, which is how its expectations were taken:
#   STORE=etcd scripts/test/kvstore-cluster.sh        (or KVSTORE_BIN=$(command -v etcd))
# Env: KVSTORE_BIN (binary), PERF=0 skips `check perf` (60 s fixed in etcdctl 3.4) and writes 600
# single-put keys instead, WRITERS (concurrent writers in the fault test, default 8),
# FAILOVER_MAX_MS (default 2000), KEEP_LOGS=1 keeps the temp dir.
set -uo pipefail
cd "$(dirname "$0")/../.."
if [ "${STORE:-}" = etcd ]; then bin=${KVSTORE_BIN:-$(command -v etcd)}
else bin=${KVSTORE_BIN:-$(swift build --show-bin-path)/kvstore}; fi
[ -x "$bin" ] || { echo "kvstore-cluster: $bin not found (swift build --product kvstore, or STORE=etcd)"; exit 1; }
command -v etcdctl >/dev/null || { echo "kvstore-cluster: etcdctl not found (make deps installs etcd-client)"; exit 1; }
export ETCDCTL_API=3
writers=${WRITERS:-8}
failover_max=${FAILOVER_MAX_MS:-2000}
started_at=$(date +%s)

dir=$(mktemp -d)
read -r -a ports <<<"$(python3 -c '
import socket
ss = [socket.socket() for _ in range(9)]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))')"
declare -a cport pport mport pid
for i in 1 2 3; do cport[i]=${ports[i - 1]}; pport[i]=${ports[i + 2]}; mport[i]=${ports[i + 5]}; done
cluster="m1=http://127.0.0.1:${pport[1]},m2=http://127.0.0.1:${pport[2]},m3=http://127.0.0.1:${pport[3]}"
bg=()  # helper processes (watchers, writers, check perf)

cleanup() {
  for p in "${bg[@]}" "${pid[@]}"; do kill -9 "$p" 2>/dev/null; done
  for p in "${bg[@]}" "${pid[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "${KEEP_LOGS:-0}" = 1 ]; then echo "kvstore-cluster: kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT

start_member() {  # start_member I: same flags on first start and on every restart
  local i=$1
  "$bin" --name "m$i" --data-dir "$dir/m$i" \
    --listen-client-urls "http://127.0.0.1:${cport[i]}" --advertise-client-urls "http://127.0.0.1:${cport[i]}" \
    --listen-peer-urls "http://127.0.0.1:${pport[i]}" --initial-advertise-peer-urls "http://127.0.0.1:${pport[i]}" \
    --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token skiff-cluster-test \
    --snapshot-count=100 --max-request-bytes=1048576 \
    --listen-metrics-urls "http://127.0.0.1:${mport[i]}" >>"$dir/m$i.log" 2>&1 &
  pid[i]=$!
}
kill_member() { kill -9 "${pid[$1]}" 2>/dev/null; wait "${pid[$1]}" 2>/dev/null; unset "pid[$1]"; }
ep() { echo "127.0.0.1:${cport[$1]}"; }
eps() { local out="" i; for i in "$@"; do out+="${out:+,}$(ep "$i")"; done; echo "$out"; }
ALL=$(eps 1 2 3)
ec() { local endpoints=$1; shift; etcdctl --endpoints="$endpoints" --dial-timeout=2s --command-timeout=5s "$@" 2>&1; }
e() { ec "$ALL" "$@"; }
now_ms() { date +%s%3N; }
# status_json ENDPOINTS -> "leader_index term" when every listed member agrees on one leader and term,
# otherwise a description of the disagreement.
cluster_view() {
  ec "$1" endpoint status -w json | python3 -c '
import json, sys
ports = {int(p): i for i, p in zip((1, 2, 3), sys.argv[1:4])}
lines = [l for l in sys.stdin.read().splitlines() if l.startswith("[")]
try: st = json.loads(lines[0])
except Exception as e: print("unparseable:", e); sys.exit()
ids = {s["Status"]["header"]["member_id"]: ports[int(s["Endpoint"].rsplit(":", 1)[1])] for s in st}
leaders = {s["Status"].get("leader", 0) for s in st}
terms = {s["Status"]["raftTerm"] for s in st} | {s["Status"]["header"]["raft_term"] for s in st}
self_leaders = [s for s in st if s["Status"].get("leader", 0) == s["Status"]["header"]["member_id"]]
clusters = {s["Status"]["header"]["cluster_id"] for s in st}
if len(leaders) == 1 and len(self_leaders) == 1 and len(terms) == 1 and len(clusters) == 1:
    print(ids[leaders.pop()], terms.pop())
else:
    print("members=%d leaders=%s self_leaders=%d terms=%s clusters=%d" % (len(st), sorted(leaders), len(self_leaders), sorted(terms), len(clusters)))
' "${cport[1]}" "${cport[2]}" "${cport[3]}"
}
# wait_view ENDPOINTS N: poll up to N seconds until cluster_view agrees; prints the last view.
wait_view() {
  local v="" deadline=$(( $(now_ms) + $2 * 1000 ))
  while [ "$(now_ms)" -lt "$deadline" ]; do v=$(cluster_view "$1"); [[ $v =~ ^[0-9]+\ [0-9]+$ ]] && break; sleep 0.2; done
  echo "$v"
}
leader_of() { local v; v=$(wait_view "$1" 10); echo "${v%% *}"; }
count_prefix() {  # count_prefix ENDPOINT PREFIX [consistency]; etcdctl 3.4 has no --count-only
  etcdctl --endpoints="$1" --dial-timeout=1s --command-timeout=2s get "$2" --prefix --limit=1 -w json \
    --consistency="${3:-l}" 2>/dev/null | python3 -c 'import json,sys
try: d = json.load(sys.stdin); print(d.get("count", 0) if "header" in d else "error")
except Exception: print("error")'
}
# wait_count ENDPOINT PREFIX N SECONDS: serializable count polled until it reaches N; prints the last count.
wait_count() {
  local c="" deadline=$(( $(now_ms) + $4 * 1000 ))
  while [ "$(now_ms)" -lt "$deadline" ]; do c=$(count_prefix "$1" "$2" s); [ "$c" = "$3" ] && break; sleep 0.2; done
  echo "$c"
}
# missing_keys ENDPOINT PREFIX CONSISTENCY ACKED_FILE: how many acknowledged keys the member does not return.
missing_keys() {
  etcdctl --endpoints="$1" --dial-timeout=1s --command-timeout=3s get "$2" --prefix --keys-only --consistency="$3" 2>/dev/null |
    sed '/^$/d' | sort -u >"$dir/present"
  if ! grep -q . "$dir/present" && [ -s "$4" ]; then echo "read-failed"; return; fi
  sort -u "$4" | comm -23 - "$dir/present" | wc -l | tr -d ' '
}

# wait_missing ENDPOINT PREFIX CONSISTENCY ACKED_FILE SECONDS: polls missing_keys until 0.
wait_missing() {
  local m="" deadline=$(( $(now_ms) + $5 * 1000 ))
  while [ "$(now_ms)" -lt "$deadline" ]; do m=$(missing_keys "$1" "$2" "$3" "$4"); [ "$m" = 0 ] && break; sleep 0.2; done
  echo "$m"
}

passed=0; failed=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" == "$3" ]; then passed=$((passed + 1)); else
    failed=$((failed + 1)); printf 'FAIL %s\n  expected: %q\n  actual:   %q\n' "$1" "$2" "$3"; fi
}
note() { printf '  %s\n' "$*"; }

# --- Start-up --------------------------------------------------------------------------------
for i in 1 2 3; do start_member "$i"; done
view=$(wait_view "$ALL" 15)
check cluster-elects-one-leader "yes" "$([[ $view =~ ^[0-9]+\ [0-9]+$ ]] && echo yes || echo "$view")"
check endpoint-health-all "3" "$(e endpoint health | grep -c 'is healthy: successfully committed proposal')"
# Members publish their client URLs through the log once they run (as etcd's do): wait for them.
for _ in $(seq 50); do [ "$(e member list | grep -c ', http://127.0.0.1:[0-9]*, http')" = 3 ] && break; sleep 0.1; done
check member-list "$(for i in 1 2 3; do echo "started, m$i, http://127.0.0.1:${pport[i]}, http://127.0.0.1:${cport[i]}, false"; done)" \
  "$(e member list | cut -d, -f2- | sed 's/^ //' | sort -t, -k2)"
check member-list-json "m1 m2 m3" "$(e member list -w json | python3 -c 'import json,sys; print(" ".join(sorted(m["name"] for m in json.load(sys.stdin)["members"])))')"
check endpoint-status-json "3 1 1 1" "$(e endpoint status -w json | python3 -c '
import json,sys; st=[s["Status"] for s in json.load(sys.stdin)]
print(len(st), sum(s.get("leader", 0)==s["header"]["member_id"] for s in st), len({s["raftTerm"] for s in st}), len({s["header"]["cluster_id"] for s in st}))')"
check metrics-health "true true true" "$(for i in 1 2 3; do python3 -c 'import json,sys,urllib.request
try: print(json.load(urllib.request.urlopen(sys.argv[1], timeout=3))["health"])
except Exception as e: print(e)' "http://127.0.0.1:${mport[i]}/health"; done | tr '\n' ' ' | sed 's/ $//')"

leader=$(leader_of "$ALL"); f1=$(( leader % 3 + 1 )); f2=$(( f1 % 3 + 1 ))  # the two followers

# --- The v3 API across members -----------------------------------------------------------------
check put "OK" "$(e put foo bar)"
ec "$(ep "$f1")" put foo/a 1 >/dev/null; ec "$(ep "$f2")" put foo/b 2 >/dev/null
check get-prefix $'foo\nbar\nfoo/a\n1\nfoo/b\n2' "$(e get foo --prefix)"
check get-prefix-limit $'foo\nbar\nfoo/a\n1' "$(e get foo --prefix --limit 2)"
check get-json-limit-more-count "1 True 3" "$(e get foo --prefix --limit 1 -w json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["kvs"]), d.get("more", False), d["count"])')"
check get-json-revisions "4 4 1 4" "$(e get foo/b -w json | python3 -c 'import json,sys; d=json.load(sys.stdin); k=d["kvs"][0]; print(k["create_revision"], k["mod_revision"], k["version"], d["header"]["revision"])')"
e put foo bar2 >/dev/null
check get-rev $'foo\nbar' "$(e get foo --rev=2)"
check get-rev-json "bar 2 2" "$(e get foo --rev=4 -w json | python3 -c 'import json,sys,base64; k=json.load(sys.stdin)["kvs"][0]; print(base64.b64decode(k["value"]).decode(), k["mod_revision"], k["create_revision"])')"
check get-latest $'foo\nbar2' "$(e get foo)"
check del-prev-kv $'1\nfoo/a\n1' "$(e del foo/a --prev-kv)"
check del-missing "0" "$(e del foo/nothing)"
check txn-success $'SUCCESS\n\nOK' "$(printf 'value("foo") = "bar2"\n\nput foo baz\n\nput foo nope\n\n' | ec "$(ep "$f1")" txn)"
check txn-failure $'FAILURE\n\nOK' "$(printf 'value("foo") = "bar2"\n\nput foo x\n\nput foo/c 3\n\n' | ec "$(ep "$f2")" txn)"
check txn-mod-compare $'SUCCESS\n\nfoo\nbaz' "$(printf 'mod("foo") > "0"\n\nget foo\n\n\n' | e txn)"
check txn-result "baz 3" "$(echo "$(e get foo --print-value-only)" "$(e get foo/c --print-value-only)")"
# A write through a follower; linearizable and serializable reads on every member.
check put-via-follower "OK" "$(ec "$(ep "$f1")" put via/follower yes)"
check put-via-other-follower "OK" "$(ec "$(ep "$f2")" put via/follower2 yes)"
for i in 1 2 3; do
  check "get-linearizable-m$i" $'yes\nyes' "$(ec "$(ep "$i")" get via/ --prefix --print-value-only --consistency=l)"
  v=""; for _ in $(seq 25); do v=$(ec "$(ep "$i")" get via/ --prefix --print-value-only --consistency=s); [ "$v" = $'yes\nyes' ] && break; sleep 0.2; done
  check "get-serializable-m$i" $'yes\nyes' "$v"
done

# Watch one member (a follower), write through another (the leader); sync on a marker key first
# so the put and delete are seen live.
timeout 20 etcdctl --endpoints="$(ep "$f1")" watch w/ --prefix >"$dir/watch.out" 2>&1 &
watcher=$!; bg+=("$watcher")
for _ in $(seq 25); do ec "$(ep "$leader")" put w/ready 1 >/dev/null; sleep 0.2; grep -q '^w/ready$' "$dir/watch.out" && break; done
ec "$(ep "$leader")" put w/a 1 >/dev/null; ec "$(ep "$f2")" del w/a >/dev/null
watch_events() { sed '/^$/d' "$dir/watch.out" | python3 -c '
import sys
ev = []
for line in sys.stdin.read().splitlines():
    if line in ("PUT", "DELETE"): ev.append([line])
    elif ev: ev[-1].append(line)
print("|".join(" ".join(e) for e in ev if len(e) > 1 and e[1] != "w/ready"))'; }
for _ in $(seq 25); do [ "$(watch_events)" = "PUT w/a 1|DELETE w/a" ] && break; sleep 0.2; done
kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null; bg=()
check watch-across-members "PUT w/a 1|DELETE w/a" "$(watch_events)"

# Leases: grant on one member, attach on another, inspect on the third; keep-alive; revoke; expiry.
lease=$(ec "$(ep 1)" lease grant 100 | awk '/granted/ {print $2}')
check lease-grant "yes" "$([[ $lease =~ ^[0-9a-f]+$ ]] && echo yes || echo "$lease")"
ec "$(ep 2)" put leased v --lease="$lease" >/dev/null
check lease-timetolive-keys "attached keys([leased])" "$(ec "$(ep 3)" lease timetolive "$lease" --keys | grep -o 'attached keys(\[leased\])')"
check lease-timetolive-json "100 leased" "$(ec "$(ep 3)" lease timetolive "$lease" --keys -w json | python3 -c 'import json,sys,base64; d=json.load(sys.stdin); print(d["granted-ttl"], " ".join(base64.b64decode(k).decode() for k in d["keys"]))')"
check lease-keepalive "lease $lease keepalived with TTL(100)" "$(timeout 2 etcdctl --endpoints="$(ep "$f2")" lease keep-alive "$lease" 2>/dev/null | head -1)"
check lease-list "$lease" "$(ec "$(ep "$f1")" lease list | grep -x "$lease")"
check lease-revoke "lease $lease revoked" "$(ec "$(ep "$f1")" lease revoke "$lease")"
check lease-revoke-deletes "" "$(e get leased)"
short=$(e lease grant 2 | awk '/granted/ {print $2}')
e put ephemeral v --lease="$short" >/dev/null
t0=$(now_ms); gone=no
for _ in $(seq 30); do sleep 0.2; [ -z "$(e get ephemeral)" ] && { gone=yes; break; }; done
note "lease TTL 2 s: key deleted after $(( $(now_ms) - t0 )) ms"
check lease-expiry-deletes "yes" "$gone"
check lease-expiry-all-members "  " "$(for i in 1 2 3; do ec "$(ep "$i")" get ephemeral --consistency=s; echo -n " "; done | sed 's/ $//')"
check lease-expired "lease $short already expired" "$(e lease timetolive "$short")"
check lease-unknown "Error: etcdserver: requested lease not found" "$(e put z 1 --lease=12345 | grep '^Error')"

# Compaction.
rev=$(e get foo -w json | python3 -c 'import json,sys; print(json.load(sys.stdin)["header"]["revision"])')
check compaction "compacted revision $rev" "$(e compaction --physical "$rev")"
check get-compacted "Error: etcdserver: mvcc: required revision has been compacted" "$(e get foo --rev=2 | grep '^Error')"
check compaction-again "Error: etcdserver: mvcc: required revision has been compacted" "$(e compaction "$rev" | grep '^Error')"
check get-after-compaction "baz" "$(ec "$(ep "$f2")" get foo --print-value-only)"

# --- Bad input -----------------------------------------------------------------------------------
python3 -c 'import sys; sys.stdout.write("x" * 1200000)' >"$dir/too-large"
python3 -c 'import sys; sys.stdout.write("y" * 1000000)' >"$dir/large"
check put-too-large "Error: etcdserver: request is too large" "$(ec "$(ep "$f1")" put big <"$dir/too-large" | grep '^Error')"
check put-too-large-leader "Error: etcdserver: request is too large" "$(ec "$(ep "$leader")" put big <"$dir/too-large" | grep '^Error')"
check put-large-under-limit "OK" "$(ec "$(ep "$f1")" put big <"$dir/large")"
check get-large "1000000" "$(ec "$(ep "$f2")" get big --print-value-only | head -c 1100000 | tr -d '\n' | wc -c | tr -d ' ')"
e del big >/dev/null
garbage() { (exec 3<>"/dev/tcp/127.0.0.1/$1" && head -c 4096 /dev/urandom >&3; sleep 0.2; exec 3>&-) 2>/dev/null; true; }
garbage "${cport[$f1]}"; garbage "${cport[$f1]}"; garbage "${pport[$f2]}"; garbage "${pport[$leader]}"
sleep 0.3
check garbage-members-alive "3" "$(for i in 1 2 3; do kill -0 "${pid[i]}" 2>/dev/null && echo up; done | wc -l | tr -d ' ')"
check garbage-client-port-serves "OK" "$(ec "$(ep "$f1")" put after/garbage 1)"
check garbage-endpoint-health "3" "$(e endpoint health | grep -c 'is healthy')"
v=""; for _ in $(seq 25); do v=$(ec "$(ep "$f2")" get after/garbage --print-value-only --consistency=s); [ "$v" = 1 ] && break; sleep 0.2; done
check garbage-peer-port-replicates "1" "$v"

# --- Snapshot catch-up: a stopped follower misses many entries (--snapshot-count=100) -------------
lagger=$f2; live=$(eps "$leader" "$f1")
kill_member "$lagger"
if [ "${PERF:-1}" = 1 ]; then
  # check perf writes ~9000 entries in its fixed 60 s; with the lagger down that is far past the
  # raft log kept for slow followers (etcd keeps 5000 entries), so it must get a snapshot.
  t0=$(now_ms)
  etcdctl --endpoints="$live" check perf --load=s >"$dir/perf.out" 2>"$dir/perf.err"; perf_rc=$?
  # Drop the progress bar's redraws ("\r 12 / 60   20.00% 00m48s"), which can land inside a verdict line.
  sed -E 's/\r *[0-9]+ \/ [0-9]+ +[0-9]+\.[0-9]+%( [0-9]+m[0-9]+s)?//g' "$dir/perf.out" |
    tr '\r' '\n' | grep -E 'PASS|FAIL|Throughput|Slowest|Stddev|rror' >"$dir/perf.txt"
  while read -r line; do note "check perf --load=s (2 of 3 up): $line"; done <"$dir/perf.txt"
  note "check perf took $(( ($(now_ms) - t0) / 1000 )) s"
  check check-perf-s "0 PASS" "$perf_rc $(grep -E '^(PASS|FAIL)$' "$dir/perf.txt" | tail -1)"
else
  seq -w 0 599 | xargs -P 2 -I{} etcdctl --endpoints="$live" --command-timeout=5s put "bulk/{}" v >/dev/null 2>&1
  check bulk-single-puts "600" "$(count_prefix "$live" bulk/)"
fi
for b in 0 1 2 3 4; do
  for k in $(seq $((b * 100)) $((b * 100 + 99))); do printf 'put snap/%04d v%04d\n' "$k" "$k"; done >"$dir/txn"
  (echo; cat "$dir/txn"; echo; echo) | ec "$live" txn >/dev/null
done
check snapshot-writes "500" "$(count_prefix "$live" snap/)"
want_rev=$(ec "$live" get snap/ --prefix --limit=1 -w json | python3 -c 'import json,sys; print(json.load(sys.stdin)["header"]["revision"])')
t0=$(now_ms); start_member "$lagger"
check snapshot-catch-up "500" "$(wait_count "$(ep "$lagger")" snap/ 500 20)"
note "stopped follower caught up 500 keys in $(( $(now_ms) - t0 )) ms after restart"
check snapshot-value "v0499" "$(ec "$(ep "$lagger")" get snap/0499 --print-value-only --consistency=s)"
check snapshot-perf-keys-gone "0" "$(count_prefix "$(ep "$lagger")" /etcdctl-check-perf/ s)"
check snapshot-revision "yes" "$(r=$(ec "$(ep "$lagger")" get snap/0 -w json --consistency=s | python3 -c 'import json,sys; print(json.load(sys.stdin)["header"]["revision"])'); [ "$r" -ge "$want_rev" ] && echo yes || echo "$r < $want_rev")"
view=$(wait_view "$ALL" 10)
check snapshot-cluster-view "yes" "$([[ $view =~ ^[0-9]+\ [0-9]+$ ]] && echo yes || echo "$view")"

# --- Fault: kill -9 the leader under concurrent writers ------------------------------------------
cat >"$dir/writers.py" <<'PY'
import os, subprocess, sys, threading, time
endpoints, acked_path, stop_path, n = sys.argv[1].split(","), sys.argv[2], sys.argv[3], int(sys.argv[4])
lock = threading.Lock()
acked = open(acked_path, "a", buffering=1)
def writer(w):
    order = ",".join(endpoints[w % 3:] + endpoints[:w % 3])
    i = 0
    while not os.path.exists(stop_path):
        key = "fault/%02d/%06d" % (w, i); i += 1
        try:
            r = subprocess.run(["etcdctl", "--endpoints=" + order, "--dial-timeout=1s", "--command-timeout=3s",
                                "put", key, str(i)], capture_output=True, text=True, timeout=15)
        except subprocess.TimeoutExpired:
            continue
        if r.returncode == 0 and r.stdout.strip() == "OK":
            with lock:
                acked.write(key + "\n")
        time.sleep(0.1)
threads = [threading.Thread(target=writer, args=(w,)) for w in range(n)]
for t in threads: t.start()
for t in threads: t.join()
PY
leader=$(leader_of "$ALL"); f1=$(( leader % 3 + 1 )); f2=$(( f1 % 3 + 1 ))
: >"$dir/acked"
python3 "$dir/writers.py" "$ALL" "$dir/acked" "$dir/stop" "$writers" &
wpid=$!; bg+=("$wpid")
for _ in $(seq 50); do [ "$(wc -l <"$dir/acked")" -ge 40 ] && break; sleep 0.1; done
t0=$(now_ms); kill_member "$leader"; before_kill=$(wc -l <"$dir/acked")
# Time until a write through a surviving member succeeds: a probe put is started every 50 ms
# (each with a 2 s timeout), and the first one acknowledged ends the measurement.
read -r failover_ms attempts < <(python3 - "$(ep "$f1")" "$t0" <<'PY'
import subprocess, sys, time
endpoint, t0 = sys.argv[1], int(sys.argv[2]) / 1000
probes, n = [], 0
while time.time() - t0 < 15:
    n += 1
    probes.append(subprocess.Popen(["etcdctl", "--endpoints=" + endpoint, "--dial-timeout=1s", "--command-timeout=2s",
                                    "put", "failover/probe", str(n)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL))
    time.sleep(0.05)
    done = [p for p in probes if p.poll() is not None]
    if any(p.returncode == 0 for p in done):
        elapsed = int((time.time() - t0) * 1000)
        break
    probes = [p for p in probes if p.poll() is None]
else:
    elapsed = -1
for p in probes:
    if p.poll() is None: p.kill()
    p.wait()
print(elapsed, n)
PY
)
ok=$([ "${failover_ms:--1}" -ge 0 ] && echo yes || echo no)
note "failover: first write through a survivor acknowledged ${failover_ms} ms after kill -9 of the leader (m$leader); $attempts probes started"
check failover-write "yes" "$ok"
check "failover-within-${failover_max}ms" "yes" "$([ "$ok" = yes ] && [ "$failover_ms" -le "$failover_max" ] && echo yes || echo "no: ${failover_ms} ms")"
for _ in $(seq 60); do [ "$(wc -l <"$dir/acked")" -ge $((before_kill + 40)) ] && break; sleep 0.1; done
touch "$dir/stop"; wait "$wpid" 2>/dev/null; bg=()
acked=$(sort -u "$dir/acked" | wc -l | tr -d ' ')
note "writers: $writers, acknowledged puts: $acked ($before_kill before the kill)"
check writers-acked-after-failover "yes" "$([ "$acked" -gt "$before_kill" ] && echo yes || echo "no: $acked <= $before_kill")"
survivors=$(eps "$f1" "$f2")
check acked-linearizable "0" "$(missing_keys "$survivors" fault/ l "$dir/acked")"
for i in "$f1" "$f2"; do check "acked-serializable-m$i" "0" "$(wait_missing "$(ep "$i")" fault/ s "$dir/acked" 5)"; done
view=$(wait_view "$survivors" 10)
check survivors-one-leader "yes" "$([[ $view =~ ^[0-9]+\ [0-9]+$ ]] && echo yes || echo "$view")"
t0=$(now_ms); start_member "$leader"
check restarted-leader-catches-up "0" "$(wait_missing "$(ep "$leader")" fault/ s "$dir/acked" 20)"
note "killed leader m$leader restarted and had every acknowledged key after $(( $(now_ms) - t0 )) ms"
view=$(wait_view "$ALL" 10)
check after-restart-one-leader "yes" "$([[ $view =~ ^[0-9]+\ [0-9]+$ ]] && echo yes || echo "$view")"
check after-restart-member-list $'started, m1\nstarted, m2\nstarted, m3' "$(e member list | cut -d, -f2,3 | sed 's/^ //' | sort)"

# --- Consistency hashes and leadership transfer ---------------------------------------------------
rev=$(e get foo -w json | python3 -c 'import json,sys; print(json.load(sys.stdin)["header"]["revision"])')
hk=""; for _ in $(seq 25); do
  hk=$(e endpoint hashkv --rev="$rev" -w json | python3 -c 'import json,sys
try: st = json.load(sys.stdin); print(len({s["HashKV"]["hash"] for s in st}), len(st), len({s["HashKV"].get("compact_revision", 0) for s in st}))
except Exception as e: print("error", e)')
  [ "$hk" = "1 3 1" ] && break; sleep 0.2
done
check hashkv-members-agree "1 3 1" "$hk"
check hash-all-members "3" "$(e endpoint hash 2>/dev/null | grep -c ', ')"
old=$(leader_of "$ALL"); new=$(( old % 3 + 1 ))
newid=$(e member list | grep ", m$new," | cut -d, -f1)
check move-leader "Leadership transferred from $(e member list | grep ", m$old," | cut -d, -f1) to $newid" "$(e move-leader "$newid")"
check move-leader-new-leader "$new" "$(leader_of "$ALL")"
check move-leader-writes "OK" "$(e put after/move 1)"

# --- Torn WAL: kill -9 the leader, cut the tail of its newest WAL file, restart it -----------------
# The leader, because the survivors then elect a new one that has never heard from the torn member:
# etcd 3.4 panics on restart ("tocommit(N) is out of range [lastIndex(N-1)]. Was the raft log
# corrupted, truncated, or lost?") when a leader that saw the member acknowledge entry N sends it a
# heartbeat after the cut lost N; a new leader probes the member's log instead.
torn=$(leader_of "$ALL"); live=$(eps $(( torn % 3 + 1 )) $(( (torn + 1) % 3 + 1 )))
for k in 1 2 3 4 5; do e put "torn/before/$k" "$k" >/dev/null; done
kill_member "$torn"
wal=$(ls "$dir/m$torn/member/wal/"*.wal 2>/dev/null | sort | tail -1)
check torn-wal-file "yes" "$([ -n "$wal" ] && [ -f "$wal" ] && echo yes || echo "no .wal under $dir/m$torn/member/wal")"
# Cut 7 bytes off the end of the written data (etcd preallocates WAL segments with zeros, so the
# data ends at the last non-zero byte; for an unpreallocated file this is `truncate -s -7`).
[ -n "$wal" ] && note "torn WAL: $(python3 - "$wal" <<'PY'
import os, sys
path = sys.argv[1]
with open(path, "rb") as f: data = f.read()
end = len(data.rstrip(b"\0"))
os.truncate(path, max(end - 7, 0))
print("%s: %d bytes (data ends at %d), truncated to %d" % (os.path.basename(path), len(data), end, max(end - 7, 0)))
PY
)"
view=$(wait_view "$live" 10)
check torn-survivors-elect "yes" "$([[ $view =~ ^[0-9]+\ [0-9]+$ ]] && echo yes || echo "$view")"
for k in $(seq 1 20); do ec "$live" put "torn/after/$k" "$k" >/dev/null; done
t0=$(now_ms); start_member "$torn"
check torn-wal-catches-up "25" "$(wait_count "$(ep "$torn")" torn/ 25 20)"
note "member m$torn recovered from the torn WAL and caught up in $(( $(now_ms) - t0 )) ms"
check torn-wal-member-alive "yes" "$(kill -0 "${pid[$torn]}" 2>/dev/null && echo yes || echo no)"
check torn-wal-writes-through-it "OK" "$(ec "$(ep "$torn")" put torn/via 1)"
check torn-wal-value "20" "$(ec "$(ep "$torn")" get torn/after/20 --print-value-only --consistency=s)"
view=$(wait_view "$ALL" 10)
check final-one-leader-same-term "yes" "$([[ $view =~ ^[0-9]+\ [0-9]+$ ]] && echo yes || echo "$view")"
check final-endpoint-health "3" "$(e endpoint health | grep -c 'is healthy')"

# Membership: add a fourth member, start it with --initial-cluster-state existing, it catches up;
# remove it again and the member list is back to three.
read -r p4c p4p <<<"$(python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))')"
# etcd refuses a change until every member has been up for a while ("unhealthy cluster"): retry.
added=no
for _ in $(seq 40); do
  out=$(e member add m4 --peer-urls="http://127.0.0.1:$p4p")
  if grep -q '^Member .* added' <<<"$out"; then added=yes; break; fi
  sleep 0.5
done
check member-add "yes" "$([ "$added" = yes ] && echo yes || echo "no: $out")"
"$bin" --name m4 --data-dir "$dir/m4" \
  --listen-client-urls "http://127.0.0.1:$p4c" --advertise-client-urls "http://127.0.0.1:$p4c" \
  --listen-peer-urls "http://127.0.0.1:$p4p" --initial-advertise-peer-urls "http://127.0.0.1:$p4p" \
  --initial-cluster "$cluster,m4=http://127.0.0.1:$p4p" --initial-cluster-state existing \
  --initial-cluster-token skiff-cluster-test >>"$dir/m4.log" 2>&1 &
bg+=($!)
want=$(count_prefix "$ALL" torn/ l)
check member-added-catches-up "$want" "$(wait_count "127.0.0.1:$p4c" torn/ "$want" 20)"
check member-list-four "4" "$(e member list | grep -c ', started, ')"
m4id=$(e member list | grep ', m4,' | cut -d, -f1)
check member-remove "yes" "$(e member remove "$m4id" | grep -q 'removed' && echo yes || echo no)"
check member-list-three "3" "$(e member list | grep -c ', started, ')"

# --- Graceful stop: SIGTERM of the leader under writes ------------------------------------------
# It exits 0 within 10 s, hands leadership over first (the survivors lead at once, no election
# timeout), and every write it acknowledged is there.
if [ "${STORE:-}" != etcd ] && command -v promtool >/dev/null; then
  check metrics-promtool "" "$(curl -sf "http://127.0.0.1:${mport[1]}/metrics" | promtool check metrics 2>&1)"
  check readyz-verbose "[+]ping ok|[+]shutdown ok|[+]raft-leader ok|readyz check passed" "$(curl -sf "http://127.0.0.1:${mport[1]}/readyz?verbose" | paste -sd'|')"
fi
stopped=$(leader_of "$ALL"); others=()
for i in 1 2 3; do [ "$i" != "$stopped" ] && others+=("$i"); done
term_before=$(wait_view "$ALL" 5 | cut -d' ' -f2)
: >"$dir/acked"
( for k in $(seq 1 120); do ec "$ALL" put "term/$k" "$k" >/dev/null && echo "$k" >>"$dir/acked"; done ) &
writer=$!; bg+=("$writer")
for _ in $(seq 50); do [ "$(wc -l <"$dir/acked")" -ge 10 ] && break; sleep 0.1; done
t0=$(now_ms); kill -TERM "${pid[$stopped]}"
for _ in $(seq 120); do kill -0 "${pid[$stopped]}" 2>/dev/null || break; sleep 0.1; done
wait "${pid[$stopped]}"; status=$?; stop_ms=$(( $(now_ms) - t0 )); unset "pid[$stopped]"
view=$(wait_view "$(eps "${others[@]}")" 10); lead_ms=$(( $(now_ms) - t0 ))
check sigterm-exit-0 0 "$status"
check sigterm-stops-within-10s yes "$([ "$stop_ms" -lt 10000 ] && echo yes || echo "no: $stop_ms ms")"
check sigterm-survivors-lead yes "$([[ $view =~ ^[0-9]+\ [0-9]+$ ]] && echo yes || echo "$view")"
check sigterm-one-term-for-transfer "$(( term_before + 1 ))" "${view#* }"
wait "$writer" 2>/dev/null
missing=$(comm -23 <(sort "$dir/acked") <(ec "$(eps "${others[@]}")" get term/ --prefix --print-value-only | grep -v '^$' | sort))
check sigterm-no-acknowledged-write-lost "" "$missing"
note "SIGTERM of the leader: exited 0 after $stop_ms ms, survivors led after $lead_ms ms; $(wc -l <"$dir/acked") writes acknowledged"
start_member "$stopped"
view=$(wait_view "$ALL" 15)
check restarted-after-sigterm yes "$([[ $view =~ ^[0-9]+\ [0-9]+$ ]] && echo yes || echo "$view")"

note "total $(( $(date +%s) - started_at )) s against $bin"
if [ "$failed" != 0 ] && [ "${KEEP_LOGS:-0}" != 1 ]; then
  logs=$(mktemp -d /tmp/kvstore-cluster-logs.XXXXXX); cp "$dir"/m?.log "$logs"/ 2>/dev/null
  echo "member logs: $logs"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
