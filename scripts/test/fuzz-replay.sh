#!/usr/bin/env bash
# Runs every committed fuzz input (fuzz/corpus and fuzz/crashers) through its target once with
# the ordinary build of skiff-fuzz: what fuzzing found before must not crash again.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${SKIFF_BIN:-$(swift build --show-bin-path)}/skiff-fuzz
for target in $(ls fuzz/corpus); do
  paths=("fuzz/corpus/$target")
  [ -d "fuzz/crashers/$target" ] && paths+=("fuzz/crashers/$target")
  "$bin" "$target" "${paths[@]}"
done
