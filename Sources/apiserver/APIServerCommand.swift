import APIServer
import ArgumentParser
import Foundation
import NIOCore
import NIOSSL

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

    @Option(name: .customLong("v"), help: "Log verbosity.")
    var verbosity = 0

    func run() async throws {
        let endpoints = etcdServers.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        let kv = try EtcdStore(endpoints: endpoints)
        let handler = try APIHandler(kv: kv, serviceCIDR: serviceClusterIpRange, nodePortRange: serviceNodePortRange)
        try await handler.bootstrap()
        if bindAddress != "127.0.0.1" && bindAddress != "::1" && bindAddress != "localhost" {
            log("WARNING: serving on \(bindAddress) without authentication: anyone who reaches this port has full access")
        }
        var channels: [any Channel] = []
        if insecurePort > 0 {
            channels.append(try await HTTPServer.start(host: "127.0.0.1", port: insecurePort, tls: nil, handler: handler))
            log("serving insecurely on http://127.0.0.1:\(insecurePort)")
        }
        if securePort > 0 {
            let tls = try TLSSetup.context(certFile: tlsCertFile, keyFile: tlsPrivateKeyFile, certDir: certDir)
            channels.append(try await HTTPServer.start(host: bindAddress, port: securePort, tls: tls, handler: handler))
            log("serving securely on https://\(bindAddress):\(securePort)")
        }
        // SIGTERM/SIGINT: exit 0 at once. The apiserver holds no state of its own (the store has
        // everything acknowledged); open watches end and their clients re-watch elsewhere.
        signal(SIGTERM) { _ in _exit(0) }
        signal(SIGINT) { _ in _exit(0) }
        let listening = channels
        let services = handler.services
        try await withThrowingTaskGroup(of: Void.self) { group in
            for channel in listening { group.addTask { try await channel.closeFuture.get() } }
            group.addTask { await Self.repairAllocations(services) }
            try await group.next()
            group.cancelAll()
        }
        kv.close()
    }

    /// Kubernetes' repair controllers for cluster IPs and node ports: a pass at start and every
    /// three minutes releases allocations no Service holds (once settled) and restores missing ones.
    private static func repairAllocations(_ services: ServiceAllocator) async {
        var settled: Int64?
        while !Task.isCancelled {
            do {
                let (report, revision) = try await services.repair(settledBefore: settled)
                settled = revision
                for key in report.released { logLine("repair: released \(key), which no Service holds") }
                for key in report.restored { logLine("repair: restored \(key), held by a Service but not allocated") }
                for key in report.shared { logLine("repair: \(key) is held by more than one Service") }
            } catch {
                logLine("repair: service allocations not checked: \(error)")
            }
            try? await Task.sleep(for: .seconds(180))
        }
    }

    private static func logLine(_ message: String) {
        FileHandle.standardError.write(Data("apiserver: \(message)\n".utf8))
    }

    private func log(_ message: String) {
        FileHandle.standardError.write(Data("apiserver: \(message)\n".utf8))
    }
}
