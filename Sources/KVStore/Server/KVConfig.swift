/// A member's settings, named after etcd's flags.
public struct KVConfig: Sendable {
    public enum ClusterState: String, Sendable { case new, existing }

    public var name: String
    public var dataDirectory: String
    /// `--advertise-client-urls`
    public var clientURLs: [String]
    /// `--initial-advertise-peer-urls`
    public var peerURLs: [String]
    /// `--initial-cluster`, parsed (includes this member).
    public var initialCluster: [Member]
    public var initialClusterState: ClusterState = .new
    public var token: String = "etcd-cluster"
    public var heartbeatMilliseconds = 100
    public var electionMilliseconds = 1000
    public var snapshotCount: UInt64 = 100_000
    /// Entries kept in memory behind a snapshot so slow followers catch up by log.
    public var catchUpEntries: UInt64 = 5000
    /// `--quota-backend-bytes` (0: etcd's default of 2 GiB).
    public var quotaBytes = 0
    public var maxRequestBytes = 1_572_864

    public init(name: String, dataDirectory: String, clientURLs: [String], peerURLs: [String], initialCluster: [Member]) {
        self.name = name
        self.dataDirectory = dataDirectory
        self.clientURLs = clientURLs
        self.peerURLs = peerURLs
        self.initialCluster = initialCluster
    }

    public var memberID: UInt64 { Member.id(peerURLs: peerURLs, token: token) }
    public var clusterID: UInt64 { Member.clusterID(token: token) }
    public var effectiveQuotaBytes: Int { quotaBytes > 0 ? quotaBytes : 2 << 30 }
    /// How long a request waits for its entry to apply (etcd: 5 s + 2 election timeouts).
    public var requestTimeoutMilliseconds: Int64 { 5000 + 2 * Int64(electionMilliseconds) }

    /// Checks the flags against each other the way etcd does.
    public func validate() throws(ClusterConfigError) {
        guard heartbeatMilliseconds > 0, electionMilliseconds >= 5 * heartbeatMilliseconds else {
            throw ClusterConfigError("--election-timeout[\(electionMilliseconds)ms] should be at least 5 times as --heartbeat-interval[\(heartbeatMilliseconds)ms]")
        }
        guard let me = initialCluster.first(where: { $0.id == memberID }) else {
            throw ClusterConfigError("couldn't find local name \"\(name)\" with peer URLs \(peerURLs) in the initial cluster configuration")
        }
        guard me.name == name else {
            throw ClusterConfigError("--initial-cluster has \(me.peerURLs) named \"\(me.name)\", but this member is \"\(name)\"")
        }
    }
}
