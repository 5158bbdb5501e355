import ArgumentParser
import Glibc
import GRPCCore
import GRPCNIOTransportHTTP2
import KVStore

/// `kvstore`: Skiff's etcd-compatible key-value store. Flags follow etcd's.
///
/// Status: serves the etcd v3 KV, Watch, Lease, Maintenance.Status and Cluster.MemberList
/// APIs from a single member: writes go through its Raft log and fsynced WAL before they are
/// acknowledged, and a restart replays the WAL. Replication between members is being built
/// (issue 4); it says so at start.
@main
struct KVStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kvstore",
        abstract: "Skiff's replicated key-value store speaking the etcd v3 API (work in progress: single member, durable WAL)."
    )

    @Option(help: "Human-readable name for this member.")
    var name = "default"

    @Option(help: "Path to the data directory (the write-ahead log lives in member/wal).")
    var dataDir = "default.kvstore"

    @Option(help: "Comma-separated URLs to listen on for client traffic (http://host:port).")
    var listenClientUrls = "http://127.0.0.1:2379"

    @Option(help: "Comma-separated client URLs to advertise to the rest of the cluster.")
    var advertiseClientUrls = "http://127.0.0.1:2379"

    @Option(help: "Comma-separated peer URLs to advertise to the rest of the cluster.")
    var initialAdvertisePeerUrls = "http://127.0.0.1:2380"

    func run() async throws {
        guard let first = listenClientUrls.split(separator: ",").first, let (host, port) = Self.hostPort(String(first)) else {
            throw ValidationError("--listen-client-urls: expected http://host:port, got \(listenClientUrls)")
        }
        let memberID = Self.stableID(name + initialAdvertisePeerUrls)
        let backend = try await KVBackend(
            name: name, memberID: memberID, clusterID: Self.stableID("cluster:" + initialAdvertisePeerUrls),
            clientURLs: advertiseClientUrls.split(separator: ",").map(String.init),
            peerURLs: initialAdvertisePeerUrls.split(separator: ",").map(String.init), dataDirectory: dataDir)
        let server = GRPCServer(
            transport: .http2NIOPosix(address: .ipv4(host: host, port: port), transportSecurity: .plaintext),
            services: [
                KVService(backend: backend), WatchService(backend: backend), LeaseService(backend: backend),
                MaintenanceService(backend: backend), ClusterService(backend: backend),
            ])
        FileHandleStderr.write("kvstore: serving \(name) on \(host):\(port) — single member, data in \(dataDir) (peer replication not built yet)\n")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            group.addTask {
                // The leader's lease clock: revoke what expired, twice a second.
                while !Task.isCancelled {
                    try await Task.sleep(for: .milliseconds(500))
                    await backend.expireLeases()
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    static func hostPort(_ url: String) -> (String, Int)? {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]) else { return nil }
        let host = String(rest[..<colon])
        return (host == "localhost" ? "127.0.0.1" : host, port)
    }

    /// A deterministic 64-bit ID (FNV-1a) so a member keeps its ID across restarts.
    static func stableID(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return h
    }
}

enum FileHandleStderr {
    static func write(_ text: String) {
        var copy = text
        copy.withUTF8 { buffer in _ = Glibc.write(2, buffer.baseAddress, buffer.count) }
    }
}
