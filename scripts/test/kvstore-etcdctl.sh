#!/usr/bin/env bash
# Drives the real etcdctl (Debian's etcd-client) against a kvstore on a random loopback
# port and checks each answer. Cleans up its process by PID. Prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=${KVSTORE_BIN:-$(swift build --show-bin-path)/kvstore}
command -v etcdctl >/dev/null || { echo "kvstore-etcdctl: etcdctl not found (make deps installs etcd-client)"; exit 1; }
export ETCDCTL_API=3
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
peer=$(free_port)
dir=$(mktemp -d)
"$bin" --name itest --data-dir "$dir" --listen-client-urls "http://127.0.0.1:$port" \
  --advertise-client-urls "http://127.0.0.1:$port" \
  --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" >"$dir/kvstore.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
e() { etcdctl --endpoints="127.0.0.1:$port" --dial-timeout=2s --command-timeout=5s "$@" 2>&1; }
for _ in $(seq 50); do e endpoint health >/dev/null && break; sleep 0.1; done

passed=0; failed=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" == "$3" ]; then passed=$((passed + 1)); else
    failed=$((failed + 1)); printf 'FAIL %s\n  expected: %q\n  actual:   %q\n' "$1" "$2" "$3"; fi
}
check put "OK" "$(e put foo bar)"
e put foo/a 1 >/dev/null; e put foo/b 2 >/dev/null
check get-prefix $'foo\nbar\nfoo/a\n1\nfoo/b\n2' "$(e get foo --prefix)"
check get-limit-keys-only $'foo' "$(e get foo --prefix --limit 1 --keys-only | sed '/^$/d')"
check get-json-revisions "4 4 3" "$(e get foo/b -w json | python3 -c 'import json,sys; d=json.load(sys.stdin); k=d["kvs"][0]; print(k["create_revision"], k["mod_revision"], d["count"]+2)')"
check del-prev-kv $'1\nfoo/a\n1' "$(e del foo/a --prev-kv)"
check txn-success $'SUCCESS\n\nOK' "$(printf 'value("foo") = "bar"\n\nput foo baz\n\nput foo nope\n\n' | e txn)"
check txn-failure $'FAILURE\n\nOK' "$(printf 'value("foo") = "bar"\n\nput foo x\n\nput foo/c 3\n\n' | e txn)"
check get-rev $'foo\nbar' "$(e get foo --rev=2)"
check compaction "compacted revision 3" "$(e compaction 3)"
check get-compacted "Error: etcdserver: mvcc: required revision has been compacted" "$(e get foo --rev=2 | grep '^Error')"
check endpoint-health "healthy" "$(e endpoint health | grep -o 'is healthy' | cut -d' ' -f2)"
check endpoint-status "true" "$(e endpoint status -w json | python3 -c 'import json,sys; s=json.load(sys.stdin)[0]["Status"]; print(str(s["leader"]==s["header"]["member_id"]).lower())')"
check member-list "itest" "$(e member list | cut -d, -f3 | tr -d ' ')"
check duplicate-key-in-txn "Error: etcdserver: duplicate key given in txn request" "$(printf '\nput k 1\nput k 2\n\n\n' | e txn | grep '^Error')"
# Watch: a live prefix watch sees a put and a delete; a watch from revision 1 replays history.
timeout 3 etcdctl --endpoints="127.0.0.1:$port" watch w --prefix >"$dir/watch.out" 2>&1 &
watcher=$!
sleep 0.7
before=$(e endpoint status -w json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Status"]["header"]["revision"])')
e put w/a 1 >/dev/null; e del w/a >/dev/null
sleep 0.5
kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null
check watch-live $'PUT\nw/a\n1\nDELETE\nw/a' "$(sed '/^$/d' "$dir/watch.out")"
timeout 2 etcdctl --endpoints="127.0.0.1:$port" watch w --prefix --rev=$((before + 1)) >"$dir/history.out" 2>&1
check watch-history $'PUT\nw/a\n1\nDELETE\nw/a' "$(sed '/^$/d' "$dir/history.out")"
timeout 2 etcdctl --endpoints="127.0.0.1:$port" watch w --prefix --rev=1 >"$dir/compacted.out" 2>&1
check watch-compacted "watch was canceled (etcdserver: mvcc: required revision has been compacted)" "$(head -1 "$dir/compacted.out")"
# Leases: grant, attach, keep-alive, time-to-live with keys, revoke, expiry deleting the key.
lease=$(e lease grant 100 | awk '{print $2}')
e put leased v --lease="$lease" >/dev/null
check lease-timetolive-keys "attached keys([leased])" "$(e lease timetolive "$lease" --keys | grep -o 'attached keys(\[leased\])')"
check lease-keepalive "keepalived with TTL(100)" "$(timeout 2 etcdctl --endpoints="127.0.0.1:$port" lease keep-alive "$lease" 2>/dev/null | head -1 | grep -o 'keepalived with TTL(100)')"
check lease-list "$lease" "$(e lease list | tail -1)"
check lease-revoke "lease $lease revoked" "$(e lease revoke "$lease")"
check lease-revoke-deletes "" "$(e get leased)"
short=$(e lease grant 2 | awk '{print $2}')
e put ephemeral v --lease="$short" >/dev/null
sleep 3.5
check lease-expiry-deletes "" "$(e get ephemeral)"
check lease-expired "lease $short already expired" "$(e lease timetolive "$short")"
check lease-unknown "Error: etcdserver: requested lease not found" "$(e put z 1 --lease=12345 | grep '^Error')"
# Durability: acknowledged writes survive kill -9, and a torn WAL tail is cut on restart.
start_kvstore() {
  "$bin" --name itest --data-dir "$dir" --listen-client-urls "http://127.0.0.1:$port" \
    --advertise-client-urls "http://127.0.0.1:$port" \
  --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" "$@" >>"$dir/kvstore.log" 2>&1 &
  pid=$!
  for _ in $(seq 50); do e endpoint health >/dev/null && return; sleep 0.1; done
}
for i in $(seq 1 20); do e put "durable/$i" "v$i" >/dev/null; done
before_kill=$(e get durable --prefix -w json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["header"]["revision"], d["count"])')
kill -9 "$pid"; wait "$pid" 2>/dev/null
start_kvstore
check kill9-survives "$before_kill" "$(e get durable --prefix -w json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["header"]["revision"], d["count"])')"
check kill9-value "v17" "$(e get durable/17 --print-value-only)"
kill -9 "$pid"; wait "$pid" 2>/dev/null
wal=$(ls "$dir"/member/wal/*.wal | tail -1)
printf '\x20\x00\x00\x00garbage' >>"$wal"
start_kvstore
check torn-wal-recovers "v20" "$(e get durable/20 --print-value-only)"
check writes-after-recovery "OK" "$(e put after torn)"
# Quota: a write past --quota-backend-bytes raises NOSPACE, which caps the store (as etcd) until
# space is freed and the alarm disarmed.
kill -9 "$pid"; wait "$pid" 2>/dev/null
start_kvstore --quota-backend-bytes=65536
big=$(head -c 12000 /dev/zero | tr '\0' x)
err=""; for i in $(seq 1 20); do err=$(e put "big/$i" "$big" | grep '^Error'); [ -n "$err" ] && break; done
check quota-exceeded "Error: etcdserver: mvcc: database space exceeded" "$err"
alarms=""; for _ in $(seq 20); do alarms=$(e alarm list); [ -n "$alarms" ] && break; sleep 0.1; done
check alarm-list-nospace "alarm:NOSPACE" "$(echo "$alarms" | grep -o 'alarm:NOSPACE')"
check status-errors-nospace "alarm:NOSPACE" "$(e endpoint status -w json | grep -o 'alarm:NOSPACE')"
check nospace-caps-small-puts "Error: etcdserver: mvcc: database space exceeded" "$(e put small 1 | grep '^Error')"
e del big --prefix >/dev/null
rev=$(e get durable/1 -w json | python3 -c 'import json,sys; print(json.load(sys.stdin)["header"]["revision"])')
check nospace-compaction "compacted revision $rev" "$(e compaction "$rev")"
check alarm-disarm "alarm:NOSPACE" "$(e alarm disarm | grep -o 'alarm:NOSPACE')"
check alarm-list-empty "" "$(e alarm list)"
check put-after-disarm "OK" "$(e put small 1)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
