#!/usr/bin/env bash
# Regenerates Sources/CRIAPI/Generated from api/cri/api.proto and Sources/Kubelet/Probes/Generated
# from api/grpc/health.proto; the CRI one from api/cri/api.proto (kubernetes/cri-api v0.32.9,
# pkg/apis/runtime/v1/api.proto, kept verbatim) with protoc and the Swift plugins built from
# this package's own dependencies. The gogoproto import and options only steer Go code
# generation, so they are dropped from a temporary copy before protoc reads it.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --product protoc-gen-swift >/dev/null
swift build --product protoc-gen-grpc-swift-2 >/dev/null
bin=$(swift build --show-bin-path)
out=Sources/CRIAPI/Generated
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed -e '/gogo\.proto/d' -e '/option (gogoproto\./d' api/cri/api.proto > "$tmp/api.proto"
rm -f "$out"/*.swift
mkdir -p "$out"
protoc \
  --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
  --plugin=protoc-gen-grpc-swift="$bin/protoc-gen-grpc-swift-2" \
  -I "$tmp" \
  --swift_out="$out" --swift_opt=Visibility=Public \
  --grpc-swift_out="$out" --grpc-swift_opt=Visibility=Public,Client=true,Server=true \
  "$tmp/api.proto"
echo "regenerated $out"

# The gRPC health protocol the kubelet's gRPC probes call (api/grpc/health.proto), internal to
# the Kubelet target; the server side is generated too, for the probe's tests.
health=Sources/Kubelet/Probes/Generated
rm -f "$health"/*.swift
mkdir -p "$health"
protoc \
  --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
  --plugin=protoc-gen-grpc-swift="$bin/protoc-gen-grpc-swift-2" \
  -I api/grpc \
  --swift_out="$health" --swift_opt=Visibility=Public \
  --grpc-swift_out="$health" --grpc-swift_opt=Visibility=Public,Client=true,Server=true \
  health.proto
echo "regenerated $health"
