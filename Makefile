# Skiff: `make run` brings up a local cluster, `make test` runs every test.
# Everything a fresh Debian 12 machine lacks is installed by `make deps`.

SWIFT ?= swift
SHARED ?= ../shared/k8s-api
APT_PACKAGES := libssl-dev zlib1g-dev libcurl4-openssl-dev libnftables-dev libcap-dev python3 pkg-config etcd-server etcd-client protobuf-compiler prometheus curl openssl containerd runc containernetworking-plugins busybox-static docker-registry skopeo umoci iproute2 util-linux procps

.PHONY: all deps build release test run check-generated generate generate-rbac generate-proto generate-cri-proto generate-protobuf generate-field-order bench-codec bench-raft sim-raft clean bench-kvstore bench-apiserver bench-scheduler bench-controllers bench-compression bench-kubelet bench-streaming fuzz

all: build

## deps: install missing apt packages (idempotent, silent when all are present)
deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing $$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	@python3 -c 'import kubernetes' 2>/dev/null || { echo "make deps: installing the Python kubernetes client"; python3 -m pip install -q "kubernetes==32.0.1"; }
	@command -v $(SWIFT) >/dev/null || { echo "make deps: Swift 6 toolchain not found on PATH (see README)"; exit 1; }

## build: debug build of every target
build: deps
	$(SWIFT) build

## release: optimised build (benchmarks)
release: deps
	$(SWIFT) build -c release

## test: deps, generated-code check, build, every test
test: deps check-generated
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-xctest
	scripts/test/kvstore-etcdctl.sh
	scripts/test/kvstore-cluster.sh
	scripts/test/apiserver-kubectl.sh
	STORE=etcd scripts/test/apiserver-kubectl.sh
	scripts/test/apiserver-etcd-tls.sh
	scripts/test/apiserver-hostile.sh
	scripts/test/apiserver-python.sh
	scripts/test/scheduler.sh
	scripts/test/controller-manager.sh
	scripts/test/kubelet.sh
	scripts/test/streaming.sh
	scripts/test/kubelet-hollow.sh
	scripts/test/fuzz-replay.sh
	FUZZ_SECONDS=5 FUZZ_SAVE=0 scripts/fuzz.sh

## fuzz: every fuzz target under libFuzzer for FUZZ_SECONDS (default 600) each; TARGETS picks some
fuzz: deps
	scripts/fuzz.sh

## run: the local cluster, as far as it exists today
run: build
	@scripts/local-cluster.sh

## bench-kvstore: kvstore vs real etcd under etcdctl check perf (LOADS="l xl", MEMBERS="1 3")
bench-kvstore: deps
	$(SWIFT) build -c release --product kvstore
	scripts/bench/kvstore-vs-etcd.sh

## bench-controllers: controller-manager under load (REPLICAS, DEPLOYMENT_REPLICAS, SETS, IDLE)
bench-controllers: deps
	$(SWIFT) build -c release --product apiserver
	$(SWIFT) build -c release --product kvstore
	$(SWIFT) build -c release --product controller-manager
	scripts/bench/controllers.sh

## bench-kubelet: pod startup on real containerd, kubelet RSS/CPU, hollow nodes (PODS, IDLE, HOLLOW, WATCH)
bench-kubelet: deps
	$(SWIFT) build -c release --product apiserver
	$(SWIFT) build -c release --product kvstore
	$(SWIFT) build -c release --product scheduler
	$(SWIFT) build -c release --product controller-manager
	$(SWIFT) build -c release --product kubelet
	$(SWIFT) build -c release --product skiff
	scripts/bench/kubelet.sh

## bench-streaming: port-forward throughput, exec round trip, logs -f delay on one real node (SIZE, RUNS, LINES)
bench-streaming: deps
	$(SWIFT) build -c release --product apiserver
	$(SWIFT) build -c release --product kvstore
	$(SWIFT) build -c release --product scheduler
	$(SWIFT) build -c release --product controller-manager
	$(SWIFT) build -c release --product kubelet
	scripts/bench/streaming.sh

## bench-compression: LIST of 10,000 pods with and without gzip, and a small GET's latency (PODS, ROUNDS, SMALL)
bench-compression: deps
	$(SWIFT) build -c release --product apiserver
	$(SWIFT) build -c release --product kvstore
	scripts/bench/compression.sh

## bench-apiserver: apiserver on the kvstore vs on real etcd (PODS, CONCURRENCY, WATCHERS, UPDATES)
bench-apiserver: deps
	$(SWIFT) build -c release --product apiserver
	$(SWIFT) build -c release --product kvstore
	scripts/bench/apiserver.sh

EMBED_DESCRIPTIONS = python3 scripts/codegen/embed-json.py api/descriptions-1.32.json
EMBED_DESCRIPTIONS += EmbeddedDescriptions "Kubernetes 1.32 field documentation: definition → property → text (\"\" for the definition itself)."
EMBED_RBAC = python3 scripts/codegen/embed-json.py api/bootstrap-rbac.json
EMBED_RBAC += EmbeddedBootstrapPolicy "Kubernetes 1.32's bootstrap RBAC objects (scripts/codegen/bootstrap-rbac.py)."

## generate-rbac: re-read upstream's bootstrap RBAC objects (needs network and PyYAML; RBAC_SOURCE=DIR reads local copies)
generate-rbac:
	python3 scripts/codegen/bootstrap-rbac.py $(if $(RBAC_SOURCE),--source $(RBAC_SOURCE)) api/bootstrap-rbac.json
	$(EMBED_RBAC) Sources/APIServer/Registry/Generated/EmbeddedBootstrapPolicy.swift

## generate: regenerate typed resources (and, when ../shared is present, the trimmed schema and fixtures)
generate:
	@if [ -f $(SHARED)/definitions-1.32.json ]; then \
		python3 scripts/codegen/trim-schema.py $(SHARED)/definitions-1.32.json api/extra-definitions.json api/go-field-order.json api/definitions-1.32.json; \
		python3 scripts/codegen/copy-fixtures.py $(SHARED)/fixtures-1.32 $(SHARED)/LICENSE Tests/APIMachineryTests/Fixtures >/dev/null; \
		python3 scripts/codegen/descriptions.py $(SHARED)/definitions-1.32.json api/definitions-1.32.json api/descriptions-1.32.json; \
	fi
	python3 scripts/codegen/generate.py api/definitions-1.32.json Sources/APIMachinery/Generated
	$(EMBED_DESCRIPTIONS) Sources/APIServer/OpenAPI/Generated/EmbeddedDescriptions.swift
	$(EMBED_RBAC) Sources/APIServer/Registry/Generated/EmbeddedBootstrapPolicy.swift

## generate-proto: regenerate Sources/EtcdAPI/Generated from api/etcd/*.proto (builds the protoc plugins)
generate-proto:
	scripts/codegen/gen-etcd-proto.sh

## generate-cri-proto: regenerate Sources/CRIAPI/Generated from api/cri/api.proto (kubernetes/cri-api v0.32.9)
generate-cri-proto:
	scripts/codegen/gen-cri-proto.sh

## generate-protobuf: regenerate the Kubernetes protobuf table and its test fixtures from upstream's generated.proto (cloned into K8S_SOURCES when missing)
K8S_SOURCES ?= .build/k8s-sources
generate-protobuf:
	python3 scripts/codegen/gen-protobuf-table.py --fetch --fixtures Tests/APIMachineryTests/ProtobufFixtures \
		$(K8S_SOURCES) api/definitions-1.32.json Sources/APIMachinery/Protobuf/Generated/ProtobufTable.swift

## generate-field-order: re-read api/go-field-order.json (each definition's properties in Go's encoding order) from upstream's types.go files (cloned into K8S_SOURCES when missing); then make generate
generate-field-order:
	python3 scripts/codegen/go-field-order.py --fetch $(K8S_SOURCES) api/definitions-1.32.json api/go-field-order.json

## check-generated: fail if regenerating would change any file in the tree
check-generated:
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; status=0; \
	if [ -f $(SHARED)/definitions-1.32.json ]; then \
		python3 scripts/codegen/trim-schema.py $(SHARED)/definitions-1.32.json api/extra-definitions.json api/go-field-order.json $$tmp/schema.json; \
		diff -q $$tmp/schema.json api/definitions-1.32.json >/dev/null || { echo "check-generated: api/definitions-1.32.json is stale (run make generate)"; status=1; }; \
		python3 scripts/codegen/copy-fixtures.py $(SHARED)/fixtures-1.32 $(SHARED)/LICENSE $$tmp/fixtures >/dev/null; \
		diff -rq $$tmp/fixtures Tests/APIMachineryTests/Fixtures || { echo "check-generated: test fixtures are stale (run make generate)"; status=1; }; \
		python3 scripts/codegen/descriptions.py $(SHARED)/definitions-1.32.json api/definitions-1.32.json $$tmp/descriptions.json; \
		diff -q $$tmp/descriptions.json api/descriptions-1.32.json >/dev/null || { echo "check-generated: api/descriptions-1.32.json is stale (run make generate)"; status=1; }; \
	fi; \
	python3 scripts/codegen/generate.py api/definitions-1.32.json $$tmp/generated; \
	diff -rq $$tmp/generated Sources/APIMachinery/Generated || { echo "check-generated: Sources/APIMachinery/Generated is stale (run make generate)"; status=1; }; \
	$(EMBED_DESCRIPTIONS) $$tmp/EmbeddedDescriptions.swift; \
	diff -q $$tmp/EmbeddedDescriptions.swift Sources/APIServer/OpenAPI/Generated/EmbeddedDescriptions.swift >/dev/null || { echo "check-generated: Sources/APIServer/OpenAPI/Generated is stale (run make generate)"; status=1; }; \
	$(EMBED_RBAC) $$tmp/EmbeddedBootstrapPolicy.swift; \
	diff -q $$tmp/EmbeddedBootstrapPolicy.swift Sources/APIServer/Registry/Generated/EmbeddedBootstrapPolicy.swift >/dev/null || { echo "check-generated: Sources/APIServer/Registry/Generated is stale (run make generate)"; status=1; }; \
	[ $$status = 0 ] && echo "check-generated: generated code is up to date"; exit $$status

## bench-scheduler: 5,000 nodes then 10,000 pods through kvstore + apiserver + scheduler (NODES, PODS, CONCURRENCY)
bench-scheduler: deps
	scripts/bench/scheduler.sh

## bench-codec: µs per decode/encode of fixtures and a 1000-pod list (release build)
bench-codec: release
	$(SWIFT) run -c release skiff bench codec

## bench-raft: committed entries/s of a 3-node in-memory RaftCore cluster (release build)
bench-raft: release
	$(SWIFT) run -c release skiff bench raft

## sim-raft: long deterministic fault campaign (SEEDS=20000 by default)
SEEDS ?= 20000
sim-raft: release
	$(SWIFT) run -c release skiff sim raft --seeds $(SEEDS)

clean:
	$(SWIFT) package clean
