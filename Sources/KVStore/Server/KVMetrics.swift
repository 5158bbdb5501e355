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
}

extension KVBackend {
    /// Exports the member's metrics on `registry`, refreshed from the actor's state at every
    /// scrape (declaring a family again is a no-op).
    public nonisolated func exportMetrics(to registry: MetricsRegistry) {
        registry.onScrape { [weak self] in
            guard let self else { return }
            for series in await self.metricSeries() {
                registry.register(series.name, help: series.help, series.kind)
                registry.set(series.name, to: series.value)
            }
        }
    }

    /// Every series a member exports, named like etcd's where etcd has the same thing. etcd's
    /// `etcd_debugging_mvcc_keys_total`, `_lease_total` and `_watcher_total` are gauges with a
    /// counter's suffix, which `promtool check metrics` refuses: renamed.
    func metricSeries() -> [(name: String, help: String, kind: MetricsRegistry.Kind, value: Double)] {
        [
            ("etcd_server_has_leader", "Whether or not a leader exists. 1 is existence, 0 is not.", .gauge, raft.leader != 0 ? 1 : 0),
            ("etcd_server_is_leader", "Whether or not this member is a leader. 1 if is, 0 otherwise.", .gauge, raft.role == .leader ? 1 : 0),
            ("etcd_server_leader_changes_seen_total", "The number of leader changes seen.", .counter, Double(metrics.leaderChanges)),
            ("etcd_server_proposals_committed_total", "The total number of consensus proposals committed.", .counter, Double(raft.commitIndex)),
            ("etcd_server_proposals_applied_total", "The total number of consensus proposals applied.", .counter, Double(raft.appliedIndex)),
            ("etcd_server_proposals_pending", "The current number of pending proposals to commit.", .gauge, Double(waiters.count)),
            ("etcd_debugging_mvcc_current_revision", "The current revision of store.", .gauge, Double(state.store.currentRevision)),
            ("etcd_debugging_mvcc_compact_revision", "The revision of the last compaction in store.", .gauge, Double(state.store.compactedRevision)),
            ("etcd_mvcc_db_total_size_in_bytes", "Approximate size of the stored keys and values in bytes.", .gauge, Double(state.store.approximateBytes)),
            ("skiff_kvstore_keys", "The number of keys in the store.", .gauge, Double(state.store.count)),
            ("skiff_kvstore_leases", "The number of current leases.", .gauge, Double(state.lessor.leases.count)),
            ("skiff_kvstore_watchers", "The number of watchers.", .gauge, Double(hubOwners.count)),
            ("etcd_disk_wal_fsync_total", "The number of fsyncs of the write-ahead log.", .counter, Double(metrics.fsyncs)),
            ("skiff_kvstore_wal_entries_persisted_total", "Raft entries written to the write-ahead log.", .counter, Double(metrics.entriesPersisted)),
            ("skiff_kvstore_writes_applied_total", "Log entries applied that changed the store.", .counter, Double(metrics.writesApplied)),
            ("skiff_kvstore_snapshots_total", "Snapshots taken by this member.", .counter, Double(metrics.snapshots)),
            ("skiff_kvstore_peer_messages_sent_total", "Raft messages sent to peers.", .counter, Double(metrics.peerMessagesSent)),
            ("skiff_kvstore_peer_messages_received_total", "Raft messages received from peers.", .counter, Double(metrics.peerMessagesReceived)),
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
        // Shutdown only: look every 10 ms rather than hook every removal on the write path.
        while !waiters.isEmpty && now() < deadline {
            do { try await clock.sleep(for: .milliseconds(10)) } catch { break }  // cancelled: stop waiting
        }
        if !waiters.isEmpty {
            logger.warning("stopping with requests in flight", metadata: ["pending": "\(waiters.count)"])
        }
    }
}
