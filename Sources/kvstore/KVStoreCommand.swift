import ArgumentParser
import Component
import Glibc
import KVStore

/// `kvstore`: Skiff's etcd-compatible replicated key-value store. Flags follow etcd's.
@main
struct KVStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kvstore",
        abstract: "Skiff's replicated key-value store speaking the etcd v3 API."
    )

    @Option(help: "Human-readable name for this member.")
    var name = "default"

    @Option(help: "Path to the data directory (WAL in member/wal, snapshots in member/snap).")
    var dataDir: String?

    @Option(help: "Comma-separated URLs to listen on for client traffic (http://host:port).")
    var listenClientUrls = "http://localhost:2379"

    @Option(help: "Comma-separated client URLs to advertise to the rest of the cluster.")
    var advertiseClientUrls = "http://localhost:2379"

    @Option(help: "URL to listen on for peer traffic.")
    var listenPeerUrls = "http://localhost:2380"

    @Option(help: "Comma-separated peer URLs of this member, as the other members reach it.")
    var initialAdvertisePeerUrls = "http://localhost:2380"

    @Option(help: "Initial cluster configuration: name=peer-url[,name=peer-url…] (default: this member alone).")
    var initialCluster: String?

    @Option(help: "'new' for a member of a new cluster, 'existing' to join one (after member add).")
    var initialClusterState = "new"

    @Option(help: "Cluster token: members' IDs derive from it and their peer URLs.")
    var initialClusterToken = "etcd-cluster"

    @Option(help: "Time (in milliseconds) of a heartbeat interval.")
    var heartbeatInterval = 100

    @Option(help: "Time (in milliseconds) for an election to timeout.")
    var electionTimeout = 1000

    @Option(help: "Number of committed entries between snapshots of the store (the log is then truncated).")
    var snapshotCount: UInt64 = 100_000

    @Option(help: "Raise an error for writes once the store holds this many bytes (0: 2 GiB).")
    var quotaBackendBytes = 0

    @Option(help: "Largest client request accepted, in bytes.")
    var maxRequestBytes = 1_572_864

    @Option(help: "URL to serve /health (etcd's JSON), /healthz, /livez, /readyz and /metrics on (plain HTTP).")
    var listenMetricsUrls: String?

    @Option(name: .customLong("v"), help: "Log verbosity as klog: 0–1 info, 2–3 debug, 4 and above trace.")
    var verbosity = 0

    @Option(help: "Seconds a graceful stop (SIGTERM, SIGINT) may take before the member exits anyway.")
    var shutdownGracePeriod = 10

    func run() async throws {
        // Many NIO and executor threads each get a glibc malloc arena by default; a few shared
        // arenas keep the resident set close to what the store holds.
        _ = glibcMallopt(-8 /* M_ARENA_MAX */, 2)
        guard let client = listenClientUrls.split(separator: ",").first.flatMap({ URLAddress(String($0)) }) else {
            throw ValidationError("--listen-client-urls: expected http://host:port, got \(listenClientUrls)")
        }
        guard let peer = URLAddress(listenPeerUrls.split(separator: ",").first.map(String.init) ?? "") else {
            throw ValidationError("--listen-peer-urls: expected http://host:port, got \(listenPeerUrls)")
        }
        guard let state = KVConfig.ClusterState(rawValue: initialClusterState) else {
            throw ValidationError("--initial-cluster-state: expected new or existing, got \(initialClusterState)")
        }
        let peerURLs = initialAdvertisePeerUrls.split(separator: ",").map(String.init)
        let members = try Member.parseInitialCluster(
            initialCluster ?? peerURLs.map { "\(name)=\($0)" }.joined(separator: ","), token: initialClusterToken)
        var config = KVConfig(
            name: name, dataDirectory: dataDir ?? "\(name).etcd", clientURLs: advertiseClientUrls.split(separator: ",").map(String.init),
            peerURLs: peerURLs, initialCluster: members)
        config.initialClusterState = state
        config.token = initialClusterToken
        config.heartbeatMilliseconds = heartbeatInterval
        config.electionMilliseconds = electionTimeout
        config.snapshotCount = max(1, snapshotCount)
        config.catchUpEntries = min(5000, config.snapshotCount)
        config.quotaBytes = quotaBackendBytes
        config.maxRequestBytes = maxRequestBytes
        try config.validate()

        let component = Component.bootstrap(name: "kvstore", verbosity: verbosity)
        let logger = component.logger
        let backend = try await KVBackend(config: config, logger: logger)
        backend.exportMetrics(to: component.metrics)
        component.health.add("raft-leader", .readyz) { await backend.healthJSON().healthy ? nil : "no leader" }
        let transport = PeerTransport(clusterID: config.clusterID, localID: config.memberID)
        try await transport.listen(host: peer.host, port: peer.port)
        var services: [any Service] = []
        if let metrics = listenMetricsUrls {
            guard let address = URLAddress(metrics) else { throw ValidationError("--listen-metrics-urls: expected http://host:port") }
            let status = try await StatusServer(
                host: address.host, port: address.port, health: component.health, metrics: component.metrics,
                routes: ["/health": { _ in
                    let (healthy, body) = await backend.healthJSON()
                    return .init(status: healthy ? 200 : 503, contentType: "application/json", body: body)
                }])
            services.append(status.service)
        }
        // etcd lets a request through gRPC with 512 KiB of headroom, then checks the limit itself.
        let server = try await GRPCServer.start(
            host: client.host, port: client.port, routes: EtcdRoutes.make(backend), maximumMessageBytes: maxRequestBytes + 512 * 1024)
        logger.info("member serving", metadata: [
            "member": "\(name)", "id": "\(String(config.memberID, radix: 16))", "cluster": "\(String(config.clusterID, radix: 16))",
            "clients": "\(client.host):\(client.port)", "peers": "\(peer.host):\(peer.port)", "data": "\(config.dataDirectory)",
        ])
        // Stopped in reverse: clients first (no new connections; leadership handed over; requests
        // in flight answered), then Raft, then the peer links, then the status server.
        services.append(ShutdownHook { transport.shutdown() })
        services.append(CancellableService { await backend.run(transport: transport) })
        services.append(ServerService(
            finished: { try await server.closeFuture.get() },
            stop: {
                try await server.closeListener()
                await backend.prepareForStop()
            }))
        try await component.run(services: services, gracePeriod: .seconds(shutdownGracePeriod))
    }
}

/// glibc's `mallopt` (malloc.h is not part of the Glibc module).
@_silgen_name("mallopt")
func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
