import APIServer
import Component
import Logging
import ArgumentParser
import Foundation
import NIOCore
import NIOSSL
import ServiceLifecycle

/// `apiserver`: Skiff's Kubernetes REST API over the kvstore (or etcd). Flags follow kube-apiserver's.
@main
struct APIServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apiserver",
        abstract: "Skiff's Kubernetes API server: the REST API over an etcd v3 store."
    )

    @Option(help: "Comma-separated etcd v3 endpoints (http://host:port); the server fails over between them.")
    var etcdServers = "http://127.0.0.1:2379"

    @Option(help: "Port for HTTPS (HTTP/2 and HTTP/1.1); 0 turns it off.")
    var securePort = 6443

    @Option(help: "Address to listen on. Until authentication exists, anything but loopback is a risk.")
    var bindAddress = "127.0.0.1"

    @Option(help: "Address published as the endpoint of the default/kubernetes Service; default: --bind-address, or this host's first non-loopback IPv4 address when that is 0.0.0.0.")
    var advertiseAddress: String?

    @Option(help: "How the default/kubernetes Service's endpoints are kept: 'lease' (every apiserver renews a lease and publishes the live ones) or 'none'.")
    var endpointReconcilerType = "lease"

    @Option(help: "Read-only requests handled at once; more are answered 429 with Retry-After (0: no limit). Watches are not counted.")
    var maxRequestsInflight = 400

    @Option(help: "Mutating requests handled at once; more are answered 429 with Retry-After (0: no limit).")
    var maxMutatingRequestsInflight = 200

    @Option(help: "Plain-HTTP port on loopback (0: off). For local tools and tests only.")
    var insecurePort = 0

    @Option(help: "PEM certificate for HTTPS (with --tls-private-key-file); default: a self-signed one in --cert-dir.")
    var tlsCertFile: String?

    @Option(help: "PEM private key matching --tls-cert-file.")
    var tlsPrivateKeyFile: String?

    @Option(help: "Directory for the generated self-signed certificate (apiserver.crt, apiserver.key).")
    var certDir = "apiserver.local.config/certificates"

    @Option(help: "CIDR of Service cluster IPs.")
    var serviceClusterIpRange = "10.96.0.0/12"

    @Option(help: "Range of Service node ports (first-last).")
    var serviceNodePortRange = "30000-32767"

    @Option(help: "SSL Certificate Authority file used to secure etcd communication (https:// endpoints).")
    var etcdCafile: String?

    @Option(help: "SSL certification file used to secure etcd communication.")
    var etcdCertfile: String?

    @Option(help: "SSL key file used to secure etcd communication.")
    var etcdKeyfile: String?

    @Option(help: "Admission plugins to enable besides the default ones (comma-separated; Skiff has NamespaceLifecycle and Priority, both on by default).")
    var enableAdmissionPlugins = ""

    @Option(help: "Admission plugins to disable though on by default (comma-separated).")
    var disableAdmissionPlugins = ""

    @Option(name: .customLong("v"), help: "Log verbosity as klog: 0–1 info, 2–3 debug, 4 and above one line per request.")
    var verbosity = 0

    @Option(help: "Seconds to keep serving after SIGTERM with /readyz failing, so load balancers stop sending requests first.")
    var shutdownDelayDuration = 0

    @Option(help: "Seconds a graceful stop may take to finish requests in flight before the process exits anyway.")
    var shutdownGracePeriod = 10

    func run() async throws {
        let component = Component.bootstrap(name: "apiserver", verbosity: verbosity)
        let logger = component.logger
        let endpoints = etcdServers.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        let kv: EtcdStore
        do {
            kv = try EtcdStore(endpoints: endpoints, tls: .init(caFile: etcdCafile, certFile: etcdCertfile, keyFile: etcdKeyfile), logger: logger)
        } catch StoreError.unavailable(let message) {
            throw ValidationError(message)
        }
        func names(_ list: String) -> [String] { list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        let handler: APIHandler
        do {
            handler = try APIHandler(
                kv: kv, serviceCIDR: serviceClusterIpRange, nodePortRange: serviceNodePortRange,
                metrics: component.metrics, health: component.health, logger: logger,
                enableAdmissionPlugins: names(enableAdmissionPlugins), disableAdmissionPlugins: names(disableAdmissionPlugins))
        } catch let error as AdmissionConfigurationError {
            throw ValidationError(error.message)
        }
        logger.info("admission plugins", metadata: ["enabled": "\(handler.admission.enabled.joined(separator: ","))"])
        try await handler.bootstrap()
        if bindAddress != "127.0.0.1" && bindAddress != "::1" && bindAddress != "localhost" {
            logger.warning("serving without authentication: anyone who reaches this port has full access", metadata: ["address": "\(bindAddress)"])
        }
        let compressing = CompressingRequestHandler(handler, logger: logger)
        let logged: any RequestHandler = verbosity >= 4 ? LoggingRequestHandler(compressing, logger: logger) : compressing
        let served = InFlightLimitHandler(logged, readOnly: maxRequestsInflight, mutating: maxMutatingRequestsInflight)
        var services: [any Service] = [CancellableService { await Self.repairAllocations(handler.services, logger: logger) }]
        if endpointReconcilerType == "lease", securePort > 0 {
            let address = advertiseAddress ?? (bindAddress == "0.0.0.0" ? HostAddress.firstIPv4() : bindAddress)
            services.append(KubernetesEndpointsService(handler: handler, ip: address, port: securePort, logger: logger))
        } else if endpointReconcilerType != "none" && endpointReconcilerType != "lease" {
            throw ValidationError("--endpoint-reconciler-type must be 'lease' or 'none'")
        }
        var listeners: [(any Channel, String)] = []
        if insecurePort > 0 {
            listeners.append((try await HTTPServer.start(host: "127.0.0.1", port: insecurePort, tls: nil, handler: served), "http://127.0.0.1:\(insecurePort)"))
        }
        if securePort > 0 {
            let alternates = [bindAddress, advertiseAddress ?? "", Self.firstAddress(of: serviceClusterIpRange) ?? ""].filter { !$0.isEmpty }
            let tls = try TLSSetup.context(certFile: tlsCertFile, keyFile: tlsPrivateKeyFile, certDir: certDir, alternateIPs: alternates)
            listeners.append((try await HTTPServer.start(host: bindAddress, port: securePort, tls: tls, handler: served), "https://\(bindAddress):\(securePort)"))
        }
        for (_, address) in listeners { logger.info("serving", metadata: ["address": "\(address)"]) }
        // On SIGTERM: /readyz fails at once; after --shutdown-delay-duration the listeners close and
        // requests in flight finish (open watches end with the process; clients re-watch elsewhere).
        let channels = listeners.map(\.0)
        let delay = shutdownDelayDuration
        let grace = shutdownGracePeriod
        services.append(ServerService(
            finished: {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for channel in channels { group.addTask { try await channel.closeFuture.get() } }
                    try await group.next()
                }
            },
            stop: {
                if delay > 0 { try await Task.sleep(for: .seconds(delay)) }
                for channel in channels { try await channel.closeListener() }
                if !(await handler.drain(timeout: .seconds(max(1, grace - delay - 1)))) {
                    logger.warning("stopping with requests in flight", metadata: ["requests": "\(handler.requestsInFlight)"])
                }
            }))
        try await component.run(services: services, gracePeriod: .seconds(grace))
        kv.close()
    }

    /// Kubernetes' repair controllers for cluster IPs and node ports: a pass at start and every
    /// three minutes releases allocations no Service holds (once settled) and restores missing ones.
    private static func repairAllocations(_ services: ServiceAllocator, logger: Logger) async {
        var settled: Int64?
        while !Task.isCancelled {
            do {
                let (report, revision) = try await services.repair(settledBefore: settled)
                settled = revision
                for key in report.released { logger.notice("repair: released an allocation no Service holds", metadata: ["key": "\(key)"]) }
                for key in report.restored { logger.notice("repair: restored an allocation a Service holds", metadata: ["key": "\(key)"]) }
                for key in report.shared { logger.warning("repair: allocation held by more than one Service", metadata: ["key": "\(key)"]) }
            } catch {
                logger.warning("repair: service allocations not checked", metadata: ["error": "\(error)"])
            }
            do { try await Task.sleep(for: .seconds(180)) } catch { return }  // shutting down
        }
    }
}

extension APIServerCommand {
    /// The first address of an IPv4 CIDR (the `kubernetes` Service's cluster IP), or nil.
    static func firstAddress(of cidr: String) -> String? {
        let parts = cidr.split(separator: "/")
        let octets = parts.first?.split(separator: ".").compactMap { UInt32($0) } ?? []
        guard parts.count == 2, octets.count == 4, octets.allSatisfy({ $0 < 256 }) else { return nil }
        let value = octets.reduce(0) { $0 << 8 | $1 } + 1
        return [24, 16, 8, 0].map { String((value >> $0) & 0xff) }.joined(separator: ".")
    }
}

/// Publishes this apiserver in `default/kubernetes` every 10 s (`reconcileKubernetesEndpoints`)
/// and withdraws it when the process stops.
struct KubernetesEndpointsService: Service {
    let handler: APIHandler
    let ip: String
    let port: Int
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await handler.reconcileKubernetesEndpoints(ip: ip, port: port)
                } catch {
                    logger.warning("kubernetes endpoints not reconciled", metadata: ["error": "\(error)"])
                }
                do { try await Task.sleep(for: .seconds(10)) } catch { return }  // shutting down
            }
        }
        do {
            try await handler.reconcileKubernetesEndpoints(ip: ip, port: port, leaving: true)
        } catch {
            logger.warning("kubernetes endpoint not withdrawn", metadata: ["error": "\(error)"])
        }
    }
}
