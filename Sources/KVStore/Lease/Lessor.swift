/// Leases: keys attached to a lease are deleted when it is revoked or expires.
///
/// Pure, with time passed in (milliseconds on the member's monotonic clock). Grant, revoke
/// and the key attachments change only through the Raft apply loop, so every member agrees;
/// expiry deadlines and renewals are the leader's alone: the leader finds expired leases with
/// `expired(now:)` and proposes their revocation through the log, and a member that becomes
/// leader calls `promote(now:)`, giving every lease its full TTL again rather than expiring
/// leases whose deadline passed under the old leader.
public struct Lessor: Sendable {
    public struct Lease: Sendable, Hashable {
        public var id: Int64
        /// Granted time-to-live in seconds.
        public var ttl: Int64
        /// Deadline on the leader's clock; nil on followers.
        public var expiresAt: Int64?
        public var keys: Set<[UInt8]> = []
    }

    public enum LeaseError: Error, Sendable, Hashable, CustomStringConvertible {
        case notFound
        case exists
        case ttlTooLarge
        public var description: String {
            switch self {
            case .notFound: "etcdserver: requested lease not found"
            case .exists: "etcdserver: lease already exists"
            case .ttlTooLarge: "etcdserver: too large lease TTL"
            }
        }
    }

    /// Shortest TTL granted (etcd derives it from the election timeout).
    public let minimumTTL: Int64
    /// Longest TTL accepted (etcd's limit, 9,000,000,000 s).
    public static let maximumTTL: Int64 = 9_000_000_000
    public internal(set) var leases: [Int64: Lease] = [:]
    public private(set) var isPrimary = false

    public init(minimumTTL: Int64 = 2) { self.minimumTTL = minimumTTL }

    // MARK: - Applied through the log

    public mutating func grant(id: Int64, ttl: Int64, now: Int64) throws(LeaseError) -> Lease {
        guard leases[id] == nil else { throw .exists }
        guard ttl <= Self.maximumTTL else { throw .ttlTooLarge }
        let effective = max(ttl, minimumTTL)
        let lease = Lease(id: id, ttl: effective, expiresAt: isPrimary ? now + effective * 1000 : nil)
        leases[id] = lease
        return lease
    }

    /// Removes the lease; returns the keys the caller must delete (in one transaction).
    public mutating func revoke(id: Int64) throws(LeaseError) -> [[UInt8]] {
        guard let lease = leases.removeValue(forKey: id) else { throw .notFound }
        return lease.keys.sorted { compareKeys($0, $1) < 0 }
    }

    public func exists(_ id: Int64) -> Bool { leases[id] != nil }

    /// Keeps attachments in step with the store: call with the events of every applied write.
    public mutating func apply(_ events: [WatchEvent]) {
        for event in events {
            if let previous = event.previous, previous.lease != 0 {
                leases[previous.lease]?.keys.remove(previous.key)
            }
            if event.kind == .put, event.kv.lease != 0 {
                leases[event.kv.lease]?.keys.insert(event.kv.key)
            }
        }
    }

    // MARK: - Leader only

    /// This member became leader: every lease gets its full TTL from now.
    public mutating func promote(now: Int64) {
        isPrimary = true
        for (id, lease) in leases { leases[id]?.expiresAt = now + lease.ttl * 1000 }
    }

    /// This member stopped leading: deadlines are no longer its to keep.
    public mutating func demote() {
        isPrimary = false
        for id in Array(leases.keys) { leases[id]?.expiresAt = nil }
    }

    /// A keep-alive: returns the TTL granted again. Only the leader renews.
    public mutating func renew(id: Int64, now: Int64) throws(LeaseError) -> Int64 {
        guard let lease = leases[id] else { throw .notFound }
        if isPrimary { leases[id]?.expiresAt = now + lease.ttl * 1000 }
        return lease.ttl
    }

    /// Seconds left (rounded down), -1 once expired; nil deadline (a follower) answers the TTL.
    public func remainingTTL(id: Int64, now: Int64) throws(LeaseError) -> Int64 {
        guard let lease = leases[id] else { throw .notFound }
        guard let deadline = lease.expiresAt else { return lease.ttl }
        let left = deadline - now
        return left <= 0 ? -1 : left / 1000
    }

    /// Leases past their deadline, oldest deadline first: the leader proposes their revocation.
    public func expired(now: Int64) -> [Int64] {
        leases.values.compactMap { lease in lease.expiresAt.flatMap { $0 <= now ? ($0, lease.id) : nil } }
            .sorted { $0 < $1 }.map(\.1)
    }
}
