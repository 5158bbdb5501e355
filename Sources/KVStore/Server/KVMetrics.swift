/// Counters a member exposes on `/metrics` (Prometheus text format), named like etcd's
/// where etcd has the same thing.
public struct KVMetrics: Sendable {
    public var fsyncs = 0
    public var entriesPersisted = 0
    public var writesApplied = 0
    public var snapshots = 0
    public var leaderChanges = 0
    public var peerMessagesSent = 0
    public var peerMessagesReceived = 0
}

extension KVBackend {
    /// The Prometheus exposition of this member's state and counters.
    public func prometheusText() -> String {
        let lines: [(String, String, String)] = [
            ("etcd_server_has_leader", "gauge", raft.leader != 0 ? "1" : "0"),
            ("etcd_server_is_leader", "gauge", raft.role == .leader ? "1" : "0"),
            ("etcd_server_leader_changes_seen_total", "counter", "\(metrics.leaderChanges)"),
            ("etcd_server_proposals_committed_total", "gauge", "\(raft.commitIndex)"),
            ("etcd_server_proposals_applied_total", "gauge", "\(raft.appliedIndex)"),
            ("etcd_server_proposals_pending", "gauge", "\(waiters.count)"),
            ("etcd_debugging_mvcc_current_revision", "gauge", "\(state.store.currentRevision)"),
            ("etcd_debugging_mvcc_compact_revision", "gauge", "\(state.store.compactedRevision)"),
            ("etcd_mvcc_db_total_size_in_bytes", "gauge", "\(state.store.approximateBytes)"),
            ("etcd_debugging_mvcc_keys_total", "gauge", "\(state.store.count)"),
            ("etcd_debugging_lease_total", "gauge", "\(state.lessor.leases.count)"),
            ("etcd_debugging_mvcc_watcher_total", "gauge", "\(hubOwners.count)"),
            ("etcd_disk_wal_fsync_total", "counter", "\(metrics.fsyncs)"),
            ("skiff_kvstore_wal_entries_persisted_total", "counter", "\(metrics.entriesPersisted)"),
            ("skiff_kvstore_writes_applied_total", "counter", "\(metrics.writesApplied)"),
            ("skiff_kvstore_snapshots_total", "counter", "\(metrics.snapshots)"),
            ("skiff_kvstore_peer_messages_sent_total", "counter", "\(metrics.peerMessagesSent)"),
            ("skiff_kvstore_peer_messages_received_total", "counter", "\(metrics.peerMessagesReceived)"),
        ]
        return lines.map { "# TYPE \($0.0) \($0.1)\n\($0.0) \($0.2)\n" }.joined()
    }

    /// `/health`: healthy when this member knows a leader (etcd's JSON shape).
    public func healthJSON() -> (healthy: Bool, body: String) {
        let ok = raft.leader != 0 && !removed
        return (ok, ok ? "{\"health\":\"true\",\"reason\":\"\"}" : "{\"health\":\"false\",\"reason\":\"RAFT NO LEADER\"}")
    }
}
