/// The watches of one kvstore member and the routing of changes to them.
///
/// Contract (etcd's): a watch created at `startRevision` first receives every retained
/// change of its range from that revision on, then each new change once, in revision order,
/// with no gap. A start revision below the compaction point cancels the watch with
/// `compactRevision` set. Pure: the caller feeds it the store's write events.
public struct WatchHub: Sendable {
    public struct Watch: Sendable, Hashable {
        public var id: Int64
        public var range: KeyRange
        /// 0: from the next revision.
        public var startRevision: Int64 = 0
        public var prevKV = false
        public var filterPuts = false
        public var filterDeletes = false

        public init(id: Int64, range: KeyRange) {
            self.id = id
            self.range = range
        }

        func wants(_ event: WatchEvent) -> Bool {
            guard range.contains(event.kv.key) else { return false }
            switch event.kind {
            case .put: return !filterPuts
            case .delete: return !filterDeletes
            }
        }

        func shaped(_ event: WatchEvent) -> WatchEvent {
            var e = event
            if !prevKV { e.previous = nil }
            return e
        }
    }

    public enum Creation: Sendable, Hashable {
        /// Registered; `backlog` are the historical events to send first.
        case created(backlog: [WatchEvent])
        /// The start revision is compacted: the watch is cancelled.
        case compacted(compactRevision: Int64)
        case duplicateID
    }

    public private(set) var watches: [Int64: Watch] = [:]

    public init() {}

    public mutating func create(_ watch: Watch, store: MVCCStore) -> Creation {
        guard watches[watch.id] == nil else { return .duplicateID }
        var backlog: [WatchEvent] = []
        if watch.startRevision > 0, watch.startRevision <= store.currentRevision {
            do {
                backlog = try store.events(in: watch.range, from: watch.startRevision).filter(watch.wants).map(watch.shaped)
            } catch {
                return .compacted(compactRevision: store.compactedRevision)
            }
        }
        watches[watch.id] = watch
        return .created(backlog: backlog)
    }

    @discardableResult
    public mutating func cancel(_ id: Int64) -> Bool { watches.removeValue(forKey: id) != nil }

    /// The events of one write transaction, per interested watch (ids in ascending order).
    public func route(_ events: [WatchEvent]) -> [(id: Int64, events: [WatchEvent])] {
        guard !events.isEmpty else { return [] }
        var out: [(Int64, [WatchEvent])] = []
        for id in watches.keys.sorted() {
            let watch = watches[id]!
            // Watches that start in the future skip older changes.
            let selected = events.filter { watch.wants($0) && $0.kv.modRevision >= watch.startRevision }.map(watch.shaped)
            if !selected.isEmpty { out.append((id, selected)) }
        }
        return out
    }
}
