#!/usr/bin/env bash
# Regenerates Sources/EtcdAPI/Generated from api/etcd/*.proto with protoc (Debian's
# protobuf-compiler) and the Swift plugins built from this package's own dependencies.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --product protoc-gen-swift >/dev/null
swift build --product protoc-gen-grpc-swift-2 >/dev/null
bin=$(swift build --show-bin-path)
out=Sources/EtcdAPI/Generated
rm -f "$out"/*.swift
mkdir -p "$out"
protoc \
  --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
  --plugin=protoc-gen-grpc-swift="$bin/protoc-gen-grpc-swift-2" \
  -I api/etcd \
  --swift_out="$out" --swift_opt=Visibility=Public \
  --grpc-swift_out="$out" --grpc-swift_opt=Visibility=Public,Client=true,Server=true \
  api/etcd/kv.proto api/etcd/rpc.proto
# kv.proto declares no service: drop its empty gRPC file.
rm -f "$out/kv.grpc.swift"
echo "regenerated $out"
