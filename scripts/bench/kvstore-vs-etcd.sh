#!/usr/bin/env bash
# Benchmarks the kvstore against real etcd with `etcdctl check perf`: each store as 1 member and
# as 3 members on loopback, a fresh cluster (random ports, temp data dirs, default timings) for
# every store/members/load, and prints a table of throughput, slowest request, stddev, the
# check's verdict and peak RSS (VmHWM of each member, read right before it is killed; for 3
# members the sum and the largest), with kvstore/etcd ratios.
#
#   scripts/bench/kvstore-vs-etcd.sh                  # loads l and xl (60 s each, fixed by etcdctl)
#   LOADS=s MEMBERS=1 scripts/bench/kvstore-vs-etcd.sh  # quick
# Env: KVSTORE_BIN (default .build/release/kvstore), ETCD_BIN (default: etcd on PATH),
#      LOADS (default "l xl"; s m l xl), MEMBERS (default "1 3"), KEEP_OUTPUT=1 keeps the raw
#      check perf output.
# `check perf` exits non-zero when it prints FAIL (e.g. throughput under 90% of the load's
# target); the figures are recorded all the same.
set -uo pipefail
cd "$(dirname "$0")/../.."
kv_bin=${KVSTORE_BIN:-.build/release/kvstore}
etcd_bin=${ETCD_BIN:-$(command -v etcd)}
loads=${LOADS:-l xl}
members_list=${MEMBERS:-1 3}
[ -x "$kv_bin" ] || { echo "kvstore-vs-etcd: $kv_bin not found; run: swift build -c release --product kvstore"; exit 1; }
[ -n "$etcd_bin" ] && [ -x "$etcd_bin" ] || { echo "kvstore-vs-etcd: etcd not found (make deps installs etcd-server)"; exit 1; }
command -v etcdctl >/dev/null || { echo "kvstore-vs-etcd: etcdctl not found (make deps installs etcd-client)"; exit 1; }
export ETCDCTL_API=3

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  if [ "${KEEP_OUTPUT:-0}" = 1 ]; then echo "kvstore-vs-etcd: raw output kept in $work" >&2
  else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

results="$work/results.tsv"
: >"$results"

# run_one STORE BIN MEMBERS LOAD: fresh cluster, one check perf, peak RSS, appends a results row.
run_one() {
  local store=$1 bin=$2 n=$3 load=$4 i run="$work/$1-$3-$4"
  mkdir -p "$run"
  local -a ports
  read -r -a ports <<<"$(python3 -c '
import socket, sys
ss = [socket.socket() for _ in range(2 * int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))' "$n")"
  local cluster="" endpoints=""
  for ((i = 0; i < n; i++)); do
    cluster+="${cluster:+,}b$i=http://127.0.0.1:${ports[n + i]}"
    endpoints+="${endpoints:+,}127.0.0.1:${ports[i]}"
  done
  pids=()
  for ((i = 0; i < n; i++)); do
    "$bin" --name "b$i" --data-dir "$run/data$i" \
      --listen-client-urls "http://127.0.0.1:${ports[i]}" --advertise-client-urls "http://127.0.0.1:${ports[i]}" \
      --listen-peer-urls "http://127.0.0.1:${ports[n + i]}" --initial-advertise-peer-urls "http://127.0.0.1:${ports[n + i]}" \
      --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token "bench-$store-$n-$load" \
      >"$run/member$i.log" 2>&1 &
    pids+=($!)
  done
  local healthy=0
  for _ in $(seq 100); do
    healthy=$(etcdctl --endpoints="$endpoints" --dial-timeout=1s --command-timeout=2s endpoint health 2>&1 | grep -c 'is healthy')
    [ "$healthy" = "$n" ] && break
    sleep 0.2
  done
  local rc=-1
  if [ "$healthy" = "$n" ]; then
    echo "kvstore-vs-etcd: $store, $n member(s), check perf --load=$load (60 s)..." >&2
    etcdctl --endpoints="$endpoints" check perf --load="$load" >"$run/perf.out" 2>"$run/perf.err"
    rc=$?
  else
    echo "kvstore-vs-etcd: $store, $n member(s): cluster did not become healthy (logs: $run)" >&2
    : >"$run/perf.out"
  fi
  # Peak RSS of each member, read from /proc right before the kill.
  local rss=()
  for p in "${pids[@]}"; do
    rss+=("$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)")
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  pids=()
  python3 - "$store" "$n" "$load" "$rc" "$run/perf.out" "${rss[@]}" >>"$results" <<'PY'
import re, sys
store, n, load, rc, path = sys.argv[1:6]
rss = [int(x or 0) for x in sys.argv[6:]]
# Drop the progress bar's redraws ("\r 12 / 60   20.00% 00m48s"), which can land inside a verdict line.
text = open(path, errors="replace", newline="").read()  # keep the \r of the redraws
text = re.sub(r"\r *\d+ / \d+ +\d+\.\d+%(?: \d+m\d+s)?", "", text).replace("\r", "\n")
def num(pattern):
    m = re.search(pattern, text, re.M)
    return m.group(1) if m else "-"
tput = num(r"(?:PASS: Throughput is|FAIL: Throughput too low:) (\d+) writes/s")
slowest = num(r"Slowest request took(?: too long:)? ([0-9.]+)s")
stddev = num(r"Stddev (?:is|too high:) ([0-9.]+)s")
verdicts = re.findall(r"(?:^|s)(PASS|FAIL)$", text, re.M)
verdict = verdicts[-1] if verdicts else ("no result (rc %s)" % rc)
if "FAIL: too many errors" in text:
    errors = sum(int(x) for x in re.findall(r"^FAIL: ERROR\(.*\) -> (\d+)$", text, re.M))
    verdict += " (%d errors)" % errors
print("\t".join([store, n, load, tput, slowest, stddev, "%.1f" % (sum(rss) / 1024), "%.1f" % (max(rss or [0]) / 1024), verdict]))
PY
  tail -1 "$results" | awk -F'\t' '{printf "kvstore-vs-etcd:   %s writes/s, slowest %ss, stddev %ss, peak RSS %s MiB, %s\n", $4, $5, $6, $7, $9}' >&2
  [ "${KEEP_OUTPUT:-0}" = 1 ] || rm -rf "$run"
}

for n in $members_list; do
  for load in $loads; do
    run_one etcd "$etcd_bin" "$n" "$load"
    run_one kvstore "$kv_bin" "$n" "$load"
  done
done

echo "etcd: $etcd_bin ($("$etcd_bin" --version 2>/dev/null | head -1))"
echo "kvstore: $kv_bin"
echo "check perf loads: $loads; $(nproc) CPUs; RSS = peak (VmHWM) per member, MiB"
python3 - "$results" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
etcd = {(r[1], r[2]): r for r in rows if r[0] == "etcd"}
def ratio(a, b):
    try: return "%.2fx" % (float(a) / float(b))
    except (ValueError, ZeroDivisionError): return "-"
head = ["store", "members", "load", "writes/s", "slowest s", "stddev s", "RSS sum", "RSS max", "tput kv/etcd", "RSS kv/etcd", "check"]
table = [head]
for store, n, load, tput, slowest, stddev, rss_sum, rss_max, verdict in rows:
    base = etcd.get((n, load))
    tr = ratio(tput, base[3]) if store != "etcd" and base else ""
    rr = ratio(rss_sum, base[6]) if store != "etcd" and base else ""
    table.append([store, n, load, tput, slowest, stddev, rss_sum, rss_max, tr, rr, verdict])
widths = [max(len(r[i]) for r in table) for i in range(len(head))]
for j, r in enumerate(table):
    print("  ".join(c.rjust(w) if 2 < i < 10 else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip())
    if j == 0: print("  ".join("-" * w for w in widths))
PY
