import APIMachinery
import ArgumentParser
import Client
import Component
import Foundation

/// `skiff bench scheduler-load`: the client side of `scripts/bench/scheduler.sh`, shaped like
/// scheduler_perf's SchedulingBasic: creates `--nodes` nodes, then `--pods` pods with requests
/// (100m cpu, 500Mi memory) from `--concurrency` clients while watching them, and prints one
/// JSON object: pods scheduled per second over the measured phase (first pod created → last
/// pod seen bound), create→bound latency percentiles, and the per-second throughput samples'
/// average and minimum. A pod is "bound" when a watch event first shows `spec.nodeName`.
struct SchedulerLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduler-load",
        abstract: "Create nodes, then pods, and measure how fast the scheduler binds them (JSON figures)."
    )

    @Option(help: "Path of the kubeconfig to use (else $KUBECONFIG, ~/.kube/config).")
    var kubeconfig: String?

    @Option(help: "Nodes to create.")
    var nodes = 5_000

    @Option(help: "Pods to create.")
    var pods = 10_000

    @Option(help: "Concurrent clients for creates.")
    var concurrency = 32

    @Option(help: "Namespace for the pods (created when missing).")
    var namespace = "sched-bench"

    @Option(help: "Seconds to wait for every pod to be bound.")
    var timeout = 600.0

    @Option(help: "all: create and measure with the scheduler running; create: create nodes and pods, then exit; measure: only watch the existing pods until bound (the scheduler starts after `create`).")
    var phase = "all"

    func run() async throws {
        let rest = try RESTClient(kubeconfig: kubeconfig, userAgent: ClientLibrary.userAgent(component: "skiff-bench"))
        defer { Task { try? await rest.shutdown() } }
        let nodeClient = rest.resource(CoreV1.Node.self)
        let podClient = rest.resource(CoreV1.Pod.self, namespace: namespace)
        _ = try? await rest.resource(CoreV1.Namespace.self).create(CoreV1.Namespace(metadata: MetaV1.ObjectMeta(name: namespace)))

        guard ["all", "create", "measure"].contains(phase) else { throw ValidationError("--phase must be all, create or measure") }
        var nodeSeconds = 0.0
        if phase != "measure" {
            let nodeStart = ContinuousClock.now
            try await Self.parallel(count: nodes, concurrency: concurrency) { index in
                _ = try await nodeClient.create(Self.node(index))
            }
            nodeSeconds = (ContinuousClock.now - nodeStart).seconds
        }

        let initial = try await podClient.list(ListOptions(limit: phase == "measure" ? nil : 1))
        let tracker = BindTracker(expected: pods)
        if phase == "measure" {
            for pod in initial.items {
                await tracker.created(pod.name)
                if pod.spec?.nodeName != nil { await tracker.bound(pod.name) }
            }
        }
        let watch = Task {
            let events = try await podClient.watch(ListOptions(resourceVersion: initial.resourceVersion, allowWatchBookmarks: true))
            for try await event in events {
                if case .modified(let pod) = event, pod.spec?.nodeName != nil { await tracker.bound(pod.name) }
                if case .added(let pod) = event, pod.spec?.nodeName != nil { await tracker.bound(pod.name) }
                if await tracker.done { return }
            }
        }
        let podStart = ContinuousClock.now
        await tracker.start(podStart)
        var createSeconds = 0.0
        if phase != "measure" {
            try await Self.parallel(count: pods, concurrency: concurrency) { index in
                let name = "pod-\(index)"
                _ = try await podClient.create(Self.pod(name))
                await tracker.created(name)
            }
            createSeconds = (ContinuousClock.now - podStart).seconds
        }
        if phase == "create" {
            watch.cancel()
            let data = try JSONSerialization.data(withJSONObject: [
                "nodes": Double(nodes), "nodes_per_s": Double(nodes) / max(nodeSeconds, 1e-9),
                "pods": Double(pods), "pod_creates_per_s": Double(pods) / max(createSeconds, 1e-9)], options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        let waited = Task {
            try await Task.sleep(for: .seconds(timeout))
            watch.cancel()
        }
        _ = await watch.result
        waited.cancel()
        let figures = await tracker.figures(nodes: nodes, nodeSeconds: nodeSeconds, createSeconds: createSeconds,
                                            fromFirstBind: phase == "measure")
        let data = try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    static func parallel(count: Int, concurrency: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<max(1, concurrency) {
                group.addTask {
                    var index = worker
                    while index < count {
                        try await body(index)
                        index += concurrency
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    static func node(_ index: Int) -> CoreV1.Node {
        let name = "node-\(index)"
        let resources: [String: Quantity] = ["cpu": try! Quantity("4"), "memory": try! Quantity("32Gi"), "pods": try! Quantity("110")]
        return CoreV1.Node(
            metadata: MetaV1.ObjectMeta(labels: ["kubernetes.io/hostname": name, "topology.kubernetes.io/zone": "zone-\(index % 3)"],
                                        name: name),
            status: CoreV1.NodeStatus(allocatable: resources, capacity: resources,
                                      conditions: [CoreV1.NodeCondition(status: "True", type: "Ready")]))
    }

    static func pod(_ name: String) -> CoreV1.Pod {
        let requests: [String: Quantity] = ["cpu": try! Quantity("100m"), "memory": try! Quantity("500Mi")]
        return CoreV1.Pod(
            metadata: MetaV1.ObjectMeta(name: name),
            spec: CoreV1.PodSpec(containers: [CoreV1.Container(image: "registry.k8s.io/pause:3.10", name: "pause",
                                                                resources: CoreV1.ResourceRequirements(requests: requests))]))
    }
}

/// Create and bind instants per pod, and the figures drawn from them.
actor BindTracker {
    let expected: Int
    var start = ContinuousClock.now
    var createdAt: [String: ContinuousClock.Instant] = [:]
    var boundAt: [String: ContinuousClock.Instant] = [:]

    init(expected: Int) { self.expected = expected }

    var done: Bool { boundAt.count >= expected }

    func start(_ instant: ContinuousClock.Instant) { start = instant }
    func created(_ name: String) { createdAt[name] = createdAt[name] ?? .now }
    func bound(_ name: String) { if boundAt[name] == nil { boundAt[name] = .now } }

    /// `fromFirstBind`: the measured phase starts at the first bind (a backlog drained by a
    /// scheduler started after the pods were created) instead of at the first create.
    func figures(nodes: Int, nodeSeconds: Double, createSeconds: Double, fromFirstBind: Bool) -> [String: Double] {
        let bound = boundAt.values.filter { $0 >= start }.sorted()
        if fromFirstBind, let first = bound.first { start = first }
        let last = bound.last.map { ($0 - start).seconds } ?? 0
        let latencies = boundAt.compactMap { name, at in createdAt[name].map { max(0, (at - $0).seconds) } }.sorted()
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] * 1000
        }
        // Per-second samples over the measured phase, as scheduler_perf's throughput collector takes them.
        var samples = [Int](repeating: 0, count: max(1, Int(last.rounded(.up))))
        for at in bound { samples[min(samples.count - 1, Int((at - start).seconds))] += 1 }
        let full = samples.count > 2 ? Array(samples.dropLast()) : samples
        return [
            "nodes": Double(nodes), "nodes_per_s": Double(nodes) / max(nodeSeconds, 1e-9),
            "pods": Double(expected), "pods_bound": Double(bound.count), "pod_creates_per_s": Double(expected) / max(createSeconds, 1e-9),
            "scheduled_per_s": Double(bound.count) / max(last, 1e-9), "measured_seconds": last,
            "throughput_sample_avg": Double(full.reduce(0, +)) / Double(full.count), "throughput_sample_min": Double(full.min() ?? 0),
            "create_to_bound_p50_ms": percentile(0.5), "create_to_bound_p99_ms": percentile(0.99),
        ]
    }
}
