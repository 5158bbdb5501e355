import Component
import EtcdAPI

/// Counters a member keeps as plain integers on its actor (no lock on the write path) and
/// exposes on `/metrics`, named like etcd's where etcd has the same thing.
public struct KVMetrics: Sendable {
    public var fsyncs = 0
    public var entriesPersisted = 0
    public var writesApplied = 0
    public var snapshots = 0
    public var leaderChanges = 0
    public var peerMessagesSent = 0
    public var peerMessagesReceived = 0

    /// Every series a member exports: name, help, kind.
    static let families: [(String, String, MetricsRegistry.Kind)] = [
        ("etcd_server_has_leader", "Whether or not a leader exists. 1 is existence, 0 is not.", .gauge),
        ("etcd_server_is_leader", "Whether or not this member is a leader. 1 if is, 0 otherwise.", .gauge),
        ("etcd_server_leader_changes_seen_total", "The number of leader changes seen.", .counter),
        ("etcd_server_proposals_committed_total", "The total number of consensus proposals committed.", .counter),
        ("etcd_server_proposals_applied_total", "The total number of consensus proposals applied.", .counter),
        ("etcd_server_proposals_pending", "The current number of pending proposals to commit.", .gauge),
        ("etcd_debugging_mvcc_current_revision", "The current revision of store.", .gauge),
        ("etcd_debugging_mvcc_compact_revision", "The revision of the last compaction in store.", .gauge),
        ("etcd_mvcc_db_total_size_in_bytes", "Approximate size of the stored keys and values in bytes.", .gauge),
        // etcd's etcd_debugging_mvcc_keys_total, _lease_total and _watcher_total are gauges with
        // a counter's suffix, which `promtool check metrics` refuses: renamed.
        ("skiff_kvstore_keys", "The number of keys in the store.", .gauge),
        ("skiff_kvstore_leases", "The number of current leases.", .gauge),
        ("skiff_kvstore_watchers", "The number of watchers.", .gauge),
        ("etcd_disk_wal_fsync_total", "The number of fsyncs of the write-ahead log.", .counter),
        ("skiff_kvstore_wal_entries_persisted_total", "Raft entries written to the write-ahead log.", .counter),
        ("skiff_kvstore_writes_applied_total", "Log entries applied that changed the store.", .counter),
        ("skiff_kvstore_snapshots_total", "Snapshots taken by this member.", .counter),
        ("skiff_kvstore_peer_messages_sent_total", "Raft messages sent to peers.", .counter),
        ("skiff_kvstore_peer_messages_received_total", "Raft messages received from peers.", .counter),
    ]
}

extension KVBackend {
    /// Declares the member's metrics on `registry` and refreshes them from the actor's state
    /// at every scrape.
    public nonisolated func exportMetrics(to registry: MetricsRegistry) {
        for (name, help, kind) in KVMetrics.families { registry.register(name, help: help, kind) }
        registry.onScrape { [weak self] in
            guard let self else { return }
            for (name, value) in await self.metricValues() { registry.set(name, to: value) }
        }
    }

    /// The current value of each series in `KVMetrics.families`.
    func metricValues() -> [(String, Double)] {
        [
            ("etcd_server_has_leader", raft.leader != 0 ? 1 : 0),
            ("etcd_server_is_leader", raft.role == .leader ? 1 : 0),
            ("etcd_server_leader_changes_seen_total", Double(metrics.leaderChanges)),
            ("etcd_server_proposals_committed_total", Double(raft.commitIndex)),
            ("etcd_server_proposals_applied_total", Double(raft.appliedIndex)),
            ("etcd_server_proposals_pending", Double(waiters.count)),
            ("etcd_debugging_mvcc_current_revision", Double(state.store.currentRevision)),
            ("etcd_debugging_mvcc_compact_revision", Double(state.store.compactedRevision)),
            ("etcd_mvcc_db_total_size_in_bytes", Double(state.store.approximateBytes)),
            ("skiff_kvstore_keys", Double(state.store.count)),
            ("skiff_kvstore_leases", Double(state.lessor.leases.count)),
            ("skiff_kvstore_watchers", Double(hubOwners.count)),
            ("etcd_disk_wal_fsync_total", Double(metrics.fsyncs)),
            ("skiff_kvstore_wal_entries_persisted_total", Double(metrics.entriesPersisted)),
            ("skiff_kvstore_writes_applied_total", Double(metrics.writesApplied)),
            ("skiff_kvstore_snapshots_total", Double(metrics.snapshots)),
            ("skiff_kvstore_peer_messages_sent_total", Double(metrics.peerMessagesSent)),
            ("skiff_kvstore_peer_messages_received_total", Double(metrics.peerMessagesReceived)),
        ]
    }

    /// `/health`: healthy when this member knows a leader (etcd's JSON shape).
    public func healthJSON() -> (healthy: Bool, body: String) {
        let ok = raft.leader != 0 && !removed
        return (ok, ok ? "{\"health\":\"true\",\"reason\":\"\"}" : "{\"health\":\"false\",\"reason\":\"RAFT NO LEADER\"}")
    }

    /// Before a graceful stop, as etcd's `Stop`: a leader of a cluster with other voters hands
    /// leadership to one of them (so the cluster does not wait an election timeout), then
    /// requests in flight get up to `timeout` milliseconds to be answered.
    public func prepareForStop(timeoutMilliseconds timeout: Int64 = 5000) async {
        let deadline = now() + timeout
        if raft.role == .leader, let target = raft.configuration.voters.filter({ $0 != memberID }).sorted().first {
            var request = Etcdserverpb_MoveLeaderRequest()
            request.targetID = target
            do {
                _ = try await moveLeader(request)
                logger.notice("transferred leadership before stopping", metadata: ["to": "\(String(target, radix: 16))"])
            } catch {
                logger.warning("could not transfer leadership before stopping", metadata: ["error": "\(error)"])
            }
        }
        while !waiters.isEmpty && now() < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if !waiters.isEmpty {
            logger.warning("stopping with requests in flight", metadata: ["pending": "\(waiters.count)"])
        }
    }
}
