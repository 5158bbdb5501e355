#!/usr/bin/env bash
# Fuzzes the decoders and parsers a client's bytes reach (targets in Sources/skiff-fuzz) with
# libFuzzer: builds skiff-fuzz with -sanitize=fuzzer,address into .build/fuzz, then runs each
# target for FUZZ_SECONDS (default 600) over its corpus in fuzz/corpus/<target> (new inputs are
# added there; a crash input is written to fuzz/crashers/<target>/). Prints each target's
# executions and coverage. TARGETS="json yaml" picks targets.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-600}
swift build --scratch-path .build/fuzz -c release --product skiff-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DFUZZING >/dev/null
bin=$(swift build --scratch-path .build/fuzz -c release --show-bin-path)/skiff-fuzz
targets=${TARGETS:-$(ls fuzz/corpus)}
status=0
printf '| target | seconds | executions | exec/s | coverage (edges) | features | crashes |\n|---|---|---|---|---|---|---|\n'
for target in $targets; do
  mkdir -p "fuzz/corpus/$target" "fuzz/crashers/$target"
  log=$(mktemp)
  set +e
  SKIFF_FUZZ_TARGET=$target "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="fuzz/crashers/$target/" -print_final_stats=1 "fuzz/corpus/$target" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(awk -F: '/stat::number_of_executed_units/ {gsub(/ /,"",$2); print $2}' "$log")
  rate=$(awk -F: '/stat::average_exec_per_sec/ {gsub(/ /,"",$2); print $2}' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  crashes=$(find "fuzz/crashers/$target" -type f | wc -l)
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$target" "$seconds" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$crashes"
  if [ "$rc" != 0 ]; then status=1; tail -30 "$log" >&2; fi
  rm -f "$log"
done
exit $status
