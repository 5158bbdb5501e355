import APIMachinery
import ArgumentParser
import Client
import Component
import Foundation
import Kubelet
import Logging

/// `skiff hollow-nodes`: many kubelets in one process (upstream's kubemark hollow nodes), each
/// the shipping kubelet code — registration, Lease, node status, pod workers, PLEG, status
/// writes — over an in-memory `FakeRuntime` instead of containerd. Containers start at once and
/// run until deleted, or exit as the pod's `hollow.skiff.dev/exit` annotation scripts
/// (`"main=30:0"`: the container `main` exits 0 after 30 s). For scale tests of the
/// scheduler and controllers without containers. Every `--report-seconds` it logs one line:
/// nodes registered, Lease renewals and failures, pods running, RSS.
struct HollowNodes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hollow-nodes",
        abstract: "Run many kubelets over a fake container runtime in one process (kubemark's hollow nodes)."
    )

    @Option(help: "Path of the kubeconfig to use (else $KUBECONFIG, ~/.kube/config).")
    var kubeconfig: String?

    @Option(help: "Hollow nodes to run.")
    var count = 10

    @Option(help: "Node names are this prefix and a number.")
    var namePrefix = "hollow-node-"

    @Option(help: "CPUs each node reports.")
    var cpus = 4

    @Option(help: "Memory each node reports (a quantity).")
    var memory = "16Gi"

    @Option(help: "Most pods per node.")
    var maxPods = 110

    @Option(help: "Kubelets sharing one connection to the apiserver.")
    var nodesPerConnection = 250

    @Option(help: "Seconds between figure lines (0: none).")
    var reportSeconds = 10.0

    @Option(help: "Directory for the nodes' root directories (volumes of pods).")
    var rootDir = NSTemporaryDirectory() + "skiff-hollow"

    @Option(name: .customLong("v"), help: "Log verbosity.")
    var verbosity = 0

    func run() async throws {
        let component = Component.bootstrap(name: "hollow-nodes", verbosity: verbosity)
        let logger = component.logger
        let memoryBytes: Int64
        do {
            memoryBytes = try Quantity(memory).value()
        } catch {
            throw ValidationError("--memory: \(error)")
        }
        var restConfig = try Kubeconfig.load(explicitPath: kubeconfig).restConfig()
        restConfig.userAgent = ClientLibrary.userAgent(component: "kubelet")
        var config = KubeletConfiguration()
        config.maxPods = maxPods
        config.registerNode = true
        let clients = try (0..<max(1, (count + nodesPerConnection - 1) / nodesPerConnection)).map { _ in try RESTClient(config: restConfig) }
        let shared = Kubelet.SharedInformers(rest: clients[0])
        var built: [Kubelet] = []
        for index in 0..<count {
            let name = "\(namePrefix)\(index)"
            let machine = MachineInfo(cpus: cpus, memoryBytes: memoryBytes, machineID: name, systemUUID: name, bootID: "hollow",
                                      kernelVersion: "hollow", osImage: "Skiff hollow node", rootFsBytes: 100 << 30)
            var options = Kubelet.Options(nodeName: name, nodeIPs: [Self.address(index)], rootDir: "\(rootDir)/\(name)",
                                          podLogsDir: "\(rootDir)/\(name)/logs", nodeLabels: ["skiff.dev/hollow": "true"],
                                          config: config, machine: machine)
            options.workers = 2
            built.append(Kubelet(options: options, rest: clients[index / nodesPerConnection], runtime: FakeRuntime(podCIDR: nil),
                                    logger: logger.with(node: name), hostDNS: ([], [], []), shared: shared))
        }
        let kubelets = built
        logger.info("hollow nodes starting", metadata: ["count": "\(count)", "connections": "\(clients.count)"])
        let report = reportSeconds
        let work = CancellableService {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await shared.run() }
                for kubelet in kubelets { group.addTask { await kubelet.run() } }
                if report > 0 {
                    group.addTask {
                        while !Task.isCancelled {
                            do { try await Task.sleep(for: .seconds(report)) } catch { return }
                            let registered = kubelets.filter(\.node.isRegistered).count
                            let leases = kubelets.map(\.node.leaseCounts)
                            logger.info("hollow nodes", metadata: [
                                "registered": "\(registered)", "leaseRenewals": "\(leases.map(\.renewed).reduce(0, +))",
                                "leaseFailures": "\(leases.map(\.failed).reduce(0, +))",
                                "podsRunning": "\(kubelets.map(\.runningPodCount).reduce(0, +))",
                                "rssMiB": "\(String(format: "%.1f", Double(Self.residentBytes()) / 1_048_576))",
                            ])
                        }
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
        try await component.run(services: [work])
        for client in clients {
            do { try await client.shutdown() } catch { logger.warning("REST client did not shut down cleanly", metadata: ["error": "\(error)"]) }
        }
    }

    /// 10.64.0.0/10 addresses, one per node (they are reported, never dialled).
    static func address(_ index: Int) -> String {
        let value = (10 << 24 | 64 << 16) + index + 1
        return [24, 16, 8, 0].map { String((value >> $0) & 0xff) }.joined(separator: ".")
    }

    static func residentBytes() -> Int {
        let text: String
        do {
            text = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8)
        } catch {
            return 0
        }
        let fields = text.split(separator: " ")
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
    }
}

extension Logger {
    func with(node: String) -> Logger {
        var copy = self
        copy[metadataKey: "node"] = "\(node)"
        return copy
    }
}
