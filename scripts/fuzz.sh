#!/usr/bin/env bash
# Fuzzes the decoders and parsers a client's bytes reach (targets in Sources/skiff-fuzz) with
# libFuzzer: builds skiff-fuzz with -sanitize=fuzzer,address into .build/fuzz, then runs each
# target for FUZZ_SECONDS (default 600) over its corpus in fuzz/corpus/<target> (new inputs are
# added there, then the corpus is minimized; a crash input is written to fuzz/crashers/<target>/).
# Prints each target's executions and coverage. TARGETS="json yaml" picks targets; FUZZ_SAVE=0
# fuzzes a copy of each corpus and leaves the committed one as it is (make test).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-600}
# SwiftPM links an executable's own entry as `main`, so libFuzzer comes without its main
# (fuzzer_no_main) and skiff-fuzz starts it through LLVMFuzzerRunDriver.
runtime=$(dirname "$(dirname "$(readlink -f "$(command -v swiftc)")")")/lib/clang
nomain=$(find "$runtime" -name 'libclang_rt.fuzzer_no_main-x86_64.a' | head -1)
[ -n "$nomain" ] || { echo "fuzz: libclang_rt.fuzzer_no_main not found under $runtime"; exit 1; }
swift build --scratch-path .build/fuzz -c release --product skiff-fuzz -Xswiftc -DFUZZING \
  -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table \
  -Xlinker "$nomain" -Xlinker -lstdc++ >/dev/null
bin=$(swift build --scratch-path .build/fuzz -c release --show-bin-path)/skiff-fuzz
targets=${TARGETS:-$(ls fuzz/corpus)}
status=0
printf '| target | seconds | executions | exec/s | coverage (edges) | features | crashes |\n|---|---|---|---|---|---|---|\n'
for target in $targets; do
  mkdir -p "fuzz/corpus/$target" "fuzz/crashers/$target"
  corpus="fuzz/corpus/$target"
  if [ "${FUZZ_SAVE:-1}" = 0 ]; then  # fuzz a copy: the committed corpus stays as it is
    corpus=$(mktemp -d)
    cp -r "fuzz/corpus/$target/." "$corpus/"
  fi
  log=$(mktemp)
  set +e
  # Leak checking is off: LeakSanitizer reports the Swift runtime's lazily built globals.
  ASAN_OPTIONS=detect_leaks=0 SKIFF_FUZZ_TARGET=$target "$bin" -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="fuzz/crashers/$target/" -print_final_stats=1 "$corpus" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
  rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  crashes=$(find "fuzz/crashers/$target" -type f | wc -l)
  # Keep only the inputs that add coverage, so the committed corpus stays small.
  if [ "${FUZZ_SAVE:-1}" = 0 ]; then
    rm -rf "$corpus"
  else
  merged=$(mktemp -d)
  if ! ASAN_OPTIONS=detect_leaks=0 SKIFF_FUZZ_TARGET=$target "$bin" -max_len=4096 -merge=1 "$merged" "fuzz/corpus/$target" >/dev/null 2>&1; then
    echo "fuzz: $target: corpus merge failed; the corpus is kept as it is" >&2
    rm -rf "$merged"
  elif [ -n "$(ls -A "$merged")" ]; then rm -rf "fuzz/corpus/$target"; mv "$merged" "fuzz/corpus/$target"; else rm -rf "$merged"; fi
  fi
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$target" "$seconds" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$crashes"
  if [ "$rc" != 0 ]; then status=1; tail -30 "$log" >&2; fi
  rm -f "$log"
done
exit $status
