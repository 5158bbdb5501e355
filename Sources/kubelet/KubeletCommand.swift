import APIMachinery
import ArgumentParser
import Client
import Component
import Foundation
import HTTPServing
import Kubelet
import ServiceLifecycle

/// `kubelet`: the node agent, with kube-kubelet's flags and KubeletConfiguration file.
@main
struct KubeletCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kubelet",
        abstract: "Skiff's kubelet: registers this node and runs the pods bound to it through a CRI runtime (containerd)."
    )

    @Option(help: "Path to a kubeconfig for the apiserver.")
    var kubeconfig: String?

    @Option(help: "Path to a KubeletConfiguration (kubelet.config.k8s.io/v1beta1) file; flags override it.")
    var config: String?

    @Option(help: "The CRI endpoint (unix:///path/to/containerd.sock).")
    var containerRuntimeEndpoint: String?

    @Option(help: "Directory for the kubelet's files (pod volumes, state).")
    var rootDir = "/var/lib/kubelet"

    @Option(help: "Directory for container logs (<namespace>_<pod>_<uid>/<container>/<n>.log).")
    var podLogsDir = "/var/log/pods"

    @Option(help: "Node name instead of the hostname.")
    var hostnameOverride: String?

    @Option(help: "IP address(es) of the node (comma-separated); default: its first non-loopback IPv4 address.")
    var nodeIp: String?

    @Option(help: "Labels added to the Node at registration (key=value,…).")
    var nodeLabels: String?

    @Option(help: "Taints of the Node at registration (key=value:Effect,…).")
    var registerWithTaints: String?

    @Option(help: "Most pods this node runs.")
    var maxPods: Int?

    @Option(help: "Cluster DNS server IPs (comma-separated) for ClusterFirst pods.")
    var clusterDns: String?

    @Option(help: "Cluster domain searched by ClusterFirst pods (e.g. cluster.local).")
    var clusterDomain: String?

    @Option(help: "Timeout of every runtime call but image pulls (Go duration).")
    var runtimeRequestTimeout: String?

    @Option(help: "Port of the /healthz and /metrics endpoint (plain HTTP, healthzBindAddress).")
    var healthzPort: Int?

    @Option(help: "Port of the kubelet's HTTPS API (logs, exec, attach, port-forward); 0 turns it off.")
    var port: Int?

    @Option(help: "Address the kubelet's HTTPS API binds.")
    var address: String?

    @Option(help: "Serving certificate (PEM) of the kubelet's API; with --tls-private-key-file.")
    var tlsCertFile: String?

    @Option(help: "Private key (PEM) of --tls-cert-file.")
    var tlsPrivateKeyFile: String?

    @Option(help: "Directory of the self-signed serving certificate (default: <root-dir>/pki).")
    var certDir: String?

    @Option(help: "Directory of static pod manifests (KubeletConfiguration staticPodPath).")
    var podManifestPath: String?

    @Option(help: "Pod syncs run at once.")
    var podWorkers = 8

    @Option(name: .customLong("v"), help: "Log verbosity as klog: 0 node and pod events, 2 syncs, 4 and above trace.")
    var verbosity = 0

    func run() async throws {
        var settings: KubeletConfiguration
        do {
            settings = try config.map(KubeletConfiguration.load(path:)) ?? KubeletConfiguration()
        } catch let error as KubeletConfigurationError {
            throw ValidationError(error.message)
        }
        if let endpoint = containerRuntimeEndpoint { settings.containerRuntimeEndpoint = endpoint }
        if let maxPods { settings.maxPods = maxPods }
        if let clusterDns { settings.clusterDNS = clusterDns.split(separator: ",").map(String.init) }
        if let clusterDomain { settings.clusterDomain = clusterDomain }
        if let healthzPort { settings.healthzPort = healthzPort }
        if let port { settings.port = port }
        if let podManifestPath { settings.staticPodPath = podManifestPath.isEmpty ? nil : podManifestPath }
        if let address { settings.address = address }
        if let tlsCertFile { settings.tlsCertFile = tlsCertFile }
        if let tlsPrivateKeyFile { settings.tlsPrivateKeyFile = tlsPrivateKeyFile }
        if settings.tlsCertFile.isEmpty != settings.tlsPrivateKeyFile.isEmpty {
            throw ValidationError("--tls-cert-file and --tls-private-key-file must be given together")
        }
        if let text = runtimeRequestTimeout {
            do {
                settings.runtimeRequestTimeout = .nanoseconds(try APIMachinery.Duration(parsing: text).nanoseconds)
            } catch {
                throw ValidationError("--runtime-request-timeout: \(error)")
            }
        }
        if let registerWithTaints { settings.registerWithTaints = try Self.taints(registerWithTaints) }
        let labels = try Self.labels(nodeLabels ?? "")

        let component = Component.bootstrap(name: "kubelet", verbosity: verbosity)
        let logger = component.logger
        let missing = Capabilities.missing()
        if !missing.isEmpty {
            logger.warning("the kubelet lacks capabilities it needs to run pods; volume mounts and cgroups may fail",
                           metadata: ["missing": "\(missing.joined(separator: ","))"])
        }
        do {
            try FileManager.default.createDirectory(atPath: rootDir, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: podLogsDir, withIntermediateDirectories: true)
        } catch {
            throw ValidationError("cannot create --root-dir or --pod-logs-dir: \(error)")
        }
        let (machine, problems) = MachineInfo.read(rootDir: rootDir)
        for problem in problems { logger.debug("machine information incomplete", metadata: ["file": "\(problem)"]) }
        let nodeName = (hostnameOverride ?? ProcessInfo.processInfo.hostName).lowercased()
        let ips = nodeIp.map { $0.split(separator: ",").map(String.init) } ?? [HostAddress.firstIPv4()]

        var restConfig = try Kubeconfig.load(explicitPath: kubeconfig).restConfig()
        restConfig.userAgent = ClientLibrary.userAgent(component: "kubelet")
        let rest = try RESTClient(config: restConfig)
        let runtime = try RemoteRuntime(endpoint: settings.containerRuntimeEndpoint, timeout: settings.runtimeRequestTimeout, logger: logger,
                                        metrics: component.metrics)
        var options = Kubelet.Options(nodeName: nodeName, nodeIPs: ips, rootDir: rootDir, podLogsDir: podLogsDir, nodeLabels: labels,
                                      config: settings, machine: machine)
        options.workers = podWorkers
        let resolv: String
        do {
            resolv = try String(contentsOfFile: settings.resolvConf, encoding: .utf8)
        } catch {
            logger.warning("cannot read the node's resolv.conf; Default-policy pods get no nameservers", metadata: ["path": "\(settings.resolvConf)", "error": "\(error)"])
            resolv = ""
        }
        let kubelet = Kubelet(options: options, rest: rest, runtime: runtime, logger: logger,
                              hostDNS: SandboxConfigBuilder.parseResolvConf(resolv))
        component.health.add("node-registered", .readyz) { kubelet.node.isRegistered ? nil : "node not registered yet" }
        let server = try await StatusServer(host: settings.healthzBindAddress, port: settings.healthzPort, health: component.health,
                                            metrics: component.metrics)
        var services: [any Service] = [server.service, CancellableService { await kubelet.run() }]
        var api = "off"
        if settings.port > 0 {
            let identity = TLSSetup.SelfSigned(
                name: "kubelet", commonName: "\(nodeName)@\(Int(Date().timeIntervalSince1970))", dnsNames: [nodeName], addresses: ips)
            let tls = try TLSSetup.context(
                certFile: settings.tlsCertFile.isEmpty ? nil : settings.tlsCertFile,
                keyFile: settings.tlsPrivateKeyFile.isEmpty ? nil : settings.tlsPrivateKeyFile,
                certDir: certDir ?? rootDir + "/pki", selfSigned: identity)
            let listener = try await HTTPServer.start(host: settings.address, port: settings.port, tls: tls, handler: KubeletServer(kubelet: kubelet))
            services.append(ServerService(finished: { try await listener.closeFuture.get() }, stop: { try await listener.closeListener() }))
            api = "https://\(settings.address):\(settings.port)"
        }
        logger.info("kubelet starting", metadata: ["node": "\(nodeName)", "nodeIPs": "\(ips.joined(separator: ","))",
                                                  "runtime": "\(settings.containerRuntimeEndpoint)", "healthz": "http://\(settings.healthzBindAddress):\(server.port)",
                                                  "api": "\(api)"])
        try await component.run(services: services)
        runtime.close()
        do {
            try await rest.shutdown()
        } catch {
            logger.warning("REST client did not shut down cleanly", metadata: ["error": "\(error)"])
        }
    }

    static func labels(_ text: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty else { throw ValidationError("--node-labels: \"\(pair)\" is not key=value") }
            result[String(parts[0])] = String(parts[1])
        }
        return result
    }

    static func taints(_ text: String) throws -> [CoreV1.Taint] {
        try text.split(separator: ",").map { item in
            let parts = item.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, ["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(parts[1]) else {
                throw ValidationError("--register-with-taints: \"\(item)\" is not key=value:Effect (NoSchedule, PreferNoSchedule or NoExecute)")
            }
            let keyValue = parts[0].split(separator: "=", maxSplits: 1)
            var taint = CoreV1.Taint(effect: String(parts[1]), key: String(keyValue[0]))
            if keyValue.count == 2 { taint.value = String(keyValue[1]) }
            return taint
        }
    }
}
