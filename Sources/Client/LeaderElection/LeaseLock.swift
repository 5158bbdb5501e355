/// The storage a `LeaderElector` competes over: one leader-election record with optimistic
/// concurrency, normally a `coordination.k8s.io/v1` Lease read and written through the apiserver
/// (see `LeaderElectionRecord+Lease.swift` for the conversion).
///
/// Contract for implementations:
/// - `get` returns the current record and its resourceVersion, or `nil` when the lock object does
///   not exist (HTTP 404); other failures throw.
/// - `create` creates the lock object holding `record`; it throws `LeaseLockError.alreadyExists`
///   when someone created it first. Returns the new resourceVersion.
/// - `update` replaces the record only if the object's resourceVersion still equals
///   `resourceVersion` (compare-and-swap; over REST, a PUT carrying that resourceVersion) and
///   throws `LeaseLockError.conflict` otherwise (HTTP 409). Returns the new resourceVersion.
/// - All three honour task cancellation by throwing. Any error is treated as a failed attempt.
public protocol LeaseLock: Sendable {
    /// Identifies the lock in logs, e.g. `kube-system/kube-scheduler`.
    var lockDescription: String { get }
    func get() async throws -> VersionedLeaderElectionRecord?
    func create(_ record: LeaderElectionRecord) async throws -> String
    func update(_ record: LeaderElectionRecord, resourceVersion: String) async throws -> String
}

/// The failures of a `LeaseLock` that the elector tells apart in logs; any other error also
/// just fails the attempt.
public enum LeaseLockError: Error, Sendable, Hashable {
    /// The record changed since it was read (resourceVersion mismatch).
    case conflict
    /// `create` found the lock object already there.
    case alreadyExists
}
